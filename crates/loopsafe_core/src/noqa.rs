//! `--add-noqa`: a `# noqa: CODE` comment on the line of each finding, so that a project
//! adopting loopsafe starts from a clean check and sees only what is added since.
//!
//! The comment goes on the line the finding is on (where the call in the coroutine
//! starts), which is the line a `# noqa` silences. An existing `# noqa: ...` there gets
//! the codes added; any other comment keeps its text and the `# noqa` follows it. A line
//! that ends inside a string, or with a backslash, cannot take a comment: those findings
//! are left, with a reason. Every file is parsed again before it is written.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use ruff_python_ast::token::TokenKind;
use ruff_text_size::{Ranged, TextSize};

use crate::diagnostic::Diagnostic;
use crate::rules::Rule;

/// One file's text with the comments added.
#[derive(Debug, Clone)]
pub struct NoqaFile {
    pub path: PathBuf,
    pub text: String,
    /// How many lines got a comment or new codes in one.
    pub lines: usize,
}

/// A finding that got no comment, and why.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub path: PathBuf,
    pub row: u32,
    pub reason: &'static str,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub files: Vec<NoqaFile>,
    pub skipped: Vec<Skipped>,
}

/// The files with a `# noqa` for each of these findings, worked out on `sources`.
/// Findings reported for a file their chain passes through are in files not asked
/// about, and syntax errors are not silenced this way: both are left out.
pub fn add_noqa(diagnostics: &[Diagnostic], sources: &HashMap<PathBuf, String>) -> Outcome {
    let mut by_file: BTreeMap<&PathBuf, BTreeMap<u32, BTreeSet<&str>>> = BTreeMap::new();
    for d in diagnostics {
        if d.through.is_some() || d.rule == Rule::SyntaxError {
            continue;
        }
        by_file
            .entry(&d.path)
            .or_default()
            .entry(d.location.row)
            .or_default()
            .insert(d.code());
    }
    let mut outcome = Outcome::default();
    for (path, rows) in by_file {
        let Some(source) = sources.get(path) else {
            continue;
        };
        let (text, lines, skipped) = file_with_comments(source, &rows);
        outcome
            .skipped
            .extend(skipped.into_iter().map(|(row, reason)| Skipped {
                path: path.clone(),
                row,
                reason,
            }));
        if lines > 0 {
            outcome.files.push(NoqaFile {
                path: path.clone(),
                text,
                lines,
            });
        }
    }
    outcome
}

/// What one line gets: text inserted at an offset, or a range replaced.
struct Edit {
    row: u32,
    start: usize,
    end: usize,
    text: String,
}

type Rows<'a> = BTreeMap<u32, BTreeSet<&'a str>>;

/// The source with the comments; how many lines changed; the rows left, and why.
fn file_with_comments(source: &str, rows: &Rows) -> (String, usize, Vec<(u32, &'static str)>) {
    let Ok(parsed) = ruff_python_parser::parse_module(source) else {
        return (
            source.to_string(),
            0,
            rows.keys()
                .map(|r| (*r, "the file does not parse"))
                .collect(),
        );
    };
    let tokens = parsed.tokens();
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(source.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let mut edits = vec![];
    let mut skipped = vec![];
    for (&row, codes) in rows {
        let Some(&start) = line_starts.get(row as usize - 1) else {
            continue;
        };
        let mut end = source[start..]
            .find('\n')
            .map_or(source.len(), |i| start + i);
        if source[..end].ends_with('\r') {
            end -= 1;
        }
        let line = &source[start..end];
        if line.trim_end().ends_with('\\') {
            skipped.push((row, "the line ends with a backslash"));
            continue;
        }
        // Tokens do not overlap, so the last one to start before the line's end is the
        // only one that can run on past it (a string over several lines), and the only
        // one that can be a comment on the line (a comment runs to the line's end).
        let at_end = TextSize::new(end as u32);
        let last = tokens
            .partition_point(|t| t.start() < at_end)
            .checked_sub(1)
            .map(|i| &tokens[i]);
        if last.is_some_and(|t| t.end() > at_end && t.kind() != TokenKind::Newline) {
            skipped.push((row, "the line ends inside a string"));
            continue;
        }
        let comment = last
            .filter(|t| t.kind() == TokenKind::Comment && t.start() >= TextSize::new(start as u32));
        edits.extend(edit_for(
            source,
            row,
            comment.map(|t| t.range()),
            end,
            codes,
        ));
    }
    let mut text = source.to_string();
    let good = |edits: &[&Edit]| {
        let mut t = source.to_string();
        for e in edits.iter().rev() {
            t.replace_range(e.start..e.end, &e.text);
        }
        crate::fixer::parses(&t).is_ok().then_some(t)
    };
    let all: Vec<&Edit> = edits.iter().collect();
    let applied: Vec<&Edit> = match good(&all) {
        Some(t) => {
            text = t;
            all
        }
        // One at a time, keeping those that parse on their own; then all of those.
        None => {
            let fine: Vec<&Edit> = all.into_iter().filter(|e| good(&[e]).is_some()).collect();
            for e in edits
                .iter()
                .filter(|e| !fine.iter().any(|f| f.row == e.row))
            {
                skipped.push((e.row, "the file would not parse with the comment"));
            }
            match good(&fine) {
                Some(t) => {
                    text = t;
                    fine
                }
                None => vec![],
            }
        }
    };
    (text, applied.len(), skipped)
}

/// The edit that silences `codes` on a line whose comment (if any) is at `comment`.
fn edit_for(
    source: &str,
    row: u32,
    comment: Option<ruff_text_size::TextRange>,
    end: usize,
    codes: &BTreeSet<&str>,
) -> Option<Edit> {
    let list = |codes: &mut dyn Iterator<Item = &str>| codes.collect::<Vec<_>>().join(", ");
    let Some(range) = comment else {
        let code_end = source[..end].trim_end().len();
        return Some(Edit {
            row,
            start: code_end,
            end,
            text: format!("  # noqa: {}", list(&mut codes.iter().copied())),
        });
    };
    let (c_start, c_end) = (range.start().to_usize(), range.end().to_usize());
    let comment = &source[c_start..c_end];
    let lower = comment.to_ascii_lowercase();
    // `# noqa` may follow other text in the comment: `# type: ignore  # noqa: E501`.
    let Some(at) = lower
        .find("noqa")
        .filter(|&i| lower[..i].trim_end().ends_with('#'))
    else {
        return Some(Edit {
            row,
            start: c_end,
            end: c_end,
            text: format!("  # noqa: {}", list(&mut codes.iter().copied())),
        });
    };
    let rest = &comment[at + 4..];
    let Some(after_colon) = rest.trim_start().strip_prefix(':') else {
        // A bare `# noqa` silences everything already.
        return None;
    };
    // The codes already there: up to the first word that is not one (a reason).
    let is_code = |w: &str| {
        let digits = w.trim_start_matches(|c: char| c.is_ascii_alphabetic());
        digits.len() < w.len() && !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
    };
    let list_start = c_start + at + 4 + (rest.len() - after_colon.len());
    let mut existing: Vec<String> = vec![];
    let mut list_end = list_start;
    let mut offset = list_start;
    for piece in after_colon.split_inclusive([',', ' ', '\t']) {
        let word = piece.trim_matches([',', ' ', '\t']);
        offset += piece.len();
        if word.is_empty() {
            continue;
        }
        if !is_code(word) {
            break;
        }
        existing.push(word.to_string());
        list_end = offset - (piece.len() - piece.trim_end_matches([',', ' ', '\t']).len());
    }
    let missing: Vec<&str> = codes
        .iter()
        .copied()
        .filter(|c| !existing.iter().any(|e| crate::config::prefix_matches(e, c)))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let mut merged: Vec<String> = existing;
    merged.extend(missing.iter().map(|c| c.to_string()));
    Some(Edit {
        row,
        start: list_start,
        end: list_end.max(list_start),
        text: format!(" {}", merged.join(", ")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(source: &str, row: u32, codes: &[&'static str]) -> String {
        let rows: Rows = [(row, codes.iter().copied().collect())]
            .into_iter()
            .collect();
        file_with_comments(source, &rows).0
    }

    #[test]
    fn a_comment_is_added_merged_or_left() {
        assert_eq!(add("x = f()\n", 1, &["LS201"]), "x = f()  # noqa: LS201\n");
        assert_eq!(
            add("x = f()  # noqa: E501\n", 1, &["LS201"]),
            "x = f()  # noqa: E501, LS201\n"
        );
        assert_eq!(
            add("x = f()  # noqa:E501 too long\n", 1, &["LS201"]),
            "x = f()  # noqa: E501, LS201 too long\n"
        );
        assert_eq!(
            add("x = f()  # type: ignore\n", 1, &["LS201"]),
            "x = f()  # type: ignore  # noqa: LS201\n"
        );
        assert_eq!(add("x = f()  # noqa\n", 1, &["LS201"]), "x = f()  # noqa\n");
        assert_eq!(
            add("x = f()  # noqa: LS2\n", 1, &["LS201"]),
            "x = f()  # noqa: LS2\n"
        );
        assert_eq!(
            add("x = f(\r\n    1)\r\n", 1, &["LS201", "LS101"]),
            "x = f(  # noqa: LS101, LS201\r\n    1)\r\n"
        );
    }

    #[test]
    fn a_line_that_cannot_take_a_comment_is_left() {
        let source = "x = f('''a\nb''')\ny = 1 + \\\n    g()\n";
        let rows: Rows = [(1, ["LS201"].into()), (3, ["LS201"].into())]
            .into_iter()
            .collect();
        let (text, lines, skipped) = file_with_comments(source, &rows);
        assert_eq!(text, source);
        assert_eq!(lines, 0);
        assert_eq!(skipped.len(), 2);
    }
}
