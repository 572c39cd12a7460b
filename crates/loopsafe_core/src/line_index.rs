//! Lines of a source text: where each starts, which line a byte offset is on, and its
//! row and column as editors count them. The one place that knows what a line is.

/// A 1-based position; the column counts characters, as editors do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub row: u32,
    pub column: u32,
}

/// Where each line starts: the byte offset of its first character.
pub fn line_starts(source: &str) -> Vec<u32> {
    std::iter::once(0)
        .chain(
            source
                .bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i as u32 + 1),
        )
        .collect()
}

/// 1-based line of a byte offset.
pub fn line_of(line_starts: &[u32], offset: u32) -> u32 {
    match line_starts.binary_search(&offset) {
        Ok(i) => i as u32 + 1,
        Err(i) => i as u32,
    }
}

/// Where the line holding `offset` starts.
pub fn line_start(source: &str, offset: usize) -> usize {
    let offset = offset.min(source.len());
    source[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0)
}

/// Where the next line after the one holding `offset` starts (past its newline).
pub fn line_end(source: &str, offset: usize) -> usize {
    let offset = offset.min(source.len());
    source[offset..]
        .find('\n')
        .map(|i| offset + i + 1)
        .unwrap_or(source.len())
}

/// Converts byte offsets to rows and columns for one source file.
pub struct LineIndex<'s> {
    source: &'s str,
    starts: Vec<u32>,
}

impl<'s> LineIndex<'s> {
    pub fn new(source: &'s str) -> Self {
        LineIndex {
            source,
            starts: line_starts(source),
        }
    }

    /// An index from line starts already worked out for this source.
    pub fn with_starts(source: &'s str, starts: Vec<u32>) -> Self {
        LineIndex { source, starts }
    }

    pub fn into_starts(self) -> Vec<u32> {
        self.starts
    }

    pub fn location(&self, offset: u32) -> Location {
        let row = line_of(&self.starts, offset);
        let start = self.starts[row as usize - 1] as usize;
        let end = (offset as usize).min(self.source.len());
        let column = self
            .source
            .get(start..end)
            .map(|s| s.chars().count())
            .unwrap_or(end - start) as u32
            + 1;
        Location { row, column }
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line(&self, row: u32) -> &'s str {
        let Some(&start) = self.starts.get(row as usize - 1) else {
            return "";
        };
        let end = self
            .starts
            .get(row as usize)
            .map(|e| *e as usize)
            .unwrap_or(self.source.len());
        self.source[start as usize..end].trim_end_matches(['\n', '\r'])
    }
}
