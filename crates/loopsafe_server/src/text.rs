//! Positions as the editor counts them, and edits to a document's text.
//!
//! LSP positions are a line and a column counted in UTF-16 code units unless the client
//! agreed to UTF-8 bytes; loopsafe counts bytes (spans) or characters (locations). Every
//! conversion between the two goes through here, so that a line with `é` or an emoji
//! puts the squiggle under the right call.

use loopsafe_core::diagnostic::Location;
use loopsafe_core::line_index::line_starts;
use lsp_types::{Position, Range, TextDocumentContentChangeEvent};

/// How columns are counted: agreed with the client at initialisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    fn width(self, c: char) -> u32 {
        match self {
            Encoding::Utf8 => c.len_utf8() as u32,
            Encoding::Utf16 => c.len_utf16() as u32,
        }
    }
}

/// A text with its line starts, to convert offsets and positions.
pub struct TextMap<'t> {
    text: &'t str,
    starts: Vec<u32>,
    encoding: Encoding,
}

impl<'t> TextMap<'t> {
    pub fn new(text: &'t str, encoding: Encoding) -> Self {
        TextMap {
            text,
            starts: line_starts(text),
            encoding,
        }
    }

    /// The line's text from its start, without the line ending.
    fn line(&self, line: usize) -> &'t str {
        let Some(&start) = self.starts.get(line) else {
            return "";
        };
        let end = self
            .starts
            .get(line + 1)
            .map(|e| *e as usize)
            .unwrap_or(self.text.len());
        self.text[start as usize..end].trim_end_matches(['\n', '\r'])
    }

    /// The position of a byte offset (clamped to the text, and back to a character
    /// boundary).
    pub fn position(&self, offset: u32) -> Position {
        let mut offset = (offset as usize).min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = match self.starts.binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.starts[line] as usize;
        let character = self.text[start..offset]
            .chars()
            .map(|c| self.encoding.width(c))
            .sum();
        Position::new(line as u32, character)
    }

    pub fn range(&self, start: u32, end: u32) -> Range {
        Range::new(self.position(start), self.position(end))
    }

    /// The position of a loopsafe location (1-based row, column in characters).
    pub fn location(&self, location: Location) -> Position {
        let line = location.row.saturating_sub(1) as usize;
        let character = self
            .line(line)
            .chars()
            .take(location.column.saturating_sub(1) as usize)
            .map(|c| self.encoding.width(c))
            .sum();
        Position::new(line as u32, character)
    }

    /// The byte offset of a position. A column past the end of its line is the line's
    /// end, and a line past the end is the end of the text, as LSP says.
    pub fn offset(&self, position: Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return self.text.len();
        };
        let line = self.line(position.line as usize);
        let mut units = 0;
        for (i, c) in line.char_indices() {
            if units >= position.character {
                return start as usize + i;
            }
            units += self.encoding.width(c);
        }
        start as usize + line.len()
    }
}

/// Applies one change the client sent: a range replaced, or the whole text.
pub fn apply_change(
    text: &mut String,
    change: &TextDocumentContentChangeEvent,
    encoding: Encoding,
) {
    match change.range {
        Some(range) => {
            let map = TextMap::new(text, encoding);
            let start = map.offset(range.start);
            let end = map.offset(range.end).max(start);
            text.replace_range(start..end, &change.text);
        }
        None => *text = change.text.clone(),
    }
}

/// The one edit that turns `old` into `new`: what lies between their common start and
/// common end. A whole-file replacement would move the editor's cursor and folds.
pub fn minimal_edit(old: &str, new: &str, encoding: Encoding) -> Option<lsp_types::TextEdit> {
    if old == new {
        return None;
    }
    let mut prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = old.len().min(new.len()) - prefix;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    let map = TextMap::new(old, encoding);
    Some(lsp_types::TextEdit {
        range: map.range(prefix as u32, (old.len() - suffix) as u32),
        new_text: new[prefix..new.len() - suffix].to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units_or_bytes_as_agreed() {
        let text = "x = 'é😀'\ny = requests.get(u)\n";
        let call = text.find("requests").unwrap() as u32;
        let after = text.find("'\n").unwrap() as u32;
        let utf16 = TextMap::new(text, Encoding::Utf16);
        assert_eq!(utf16.position(after), Position::new(0, 8));
        assert_eq!(utf16.position(call), Position::new(1, 4));
        let utf8 = TextMap::new(text, Encoding::Utf8);
        assert_eq!(utf8.position(after), Position::new(0, 11));
        for map in [&utf16, &utf8] {
            assert_eq!(map.offset(map.position(after)), after as usize);
        }
        let loc = Location { row: 1, column: 7 };
        assert_eq!(utf16.location(loc), Position::new(0, 6));
        assert_eq!(utf8.location(loc), Position::new(0, 7));
    }

    #[test]
    fn an_incremental_change_replaces_its_range() {
        let mut text = "a = 'é'\nb = 1\n".to_string();
        let change = TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(0, 6), Position::new(1, 0))),
            range_length: None,
            text: "'\nc = 2\n".into(),
        };
        apply_change(&mut text, &change, Encoding::Utf16);
        assert_eq!(text, "a = 'é'\nc = 2\nb = 1\n");
    }

    #[test]
    fn the_minimal_edit_spans_only_what_differs() {
        let edit = minimal_edit(
            "a\nb = 1\nc\n",
            "a\nb = 1  # noqa: LS201\nc\n",
            Encoding::Utf16,
        )
        .unwrap();
        assert_eq!(
            edit.range,
            Range::new(Position::new(1, 5), Position::new(1, 5))
        );
        assert_eq!(edit.new_text, "  # noqa: LS201");
        assert!(minimal_edit("same", "same", Encoding::Utf8).is_none());
    }
}
