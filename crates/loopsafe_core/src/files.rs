//! The text of the files findings are in: read on demand (facts keep no text), located
//! by line and column, and quoted as a message quotes it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::arena::pool;
use crate::diagnostic::Hop;
use crate::discover::SourceFile;
use crate::error::Warning;
use crate::facts::{self, Modules};
use crate::line_index::{line_starts, LineIndex, Location};
use crate::propagate;
use crate::source::source_of;

/// Source text and positions for the modules with findings, read on demand.
pub(crate) struct Files<'a> {
    pub(crate) modules: &'a Modules<'a>,
    pub(crate) module_files: &'a [&'a SourceFile],
    pub(crate) overrides: &'a HashMap<PathBuf, String>,
    pub(crate) sources: HashMap<PathBuf, String>,
    /// Line starts of the sources, worked out once per file.
    pub(crate) line_starts: HashMap<PathBuf, Vec<u32>>,
    pub(crate) warnings: &'a mut Vec<Warning>,
    /// Modules from this index on are installed packages'.
    pub(crate) project_modules: usize,
}

/// A span of a module, located in its file.
pub(crate) struct At {
    pub(crate) path: PathBuf,
    pub(crate) location: Location,
    pub(crate) end_location: Location,
    /// The spanned text on one line.
    pub(crate) text: String,
}

impl Files<'_> {
    /// Reads the sources of these modules side by side on the pool, rather than one at a
    /// time as each finding is located (a project with hundreds of routes has them in
    /// as many files). A file that cannot be read is left for `locate` to report.
    pub(crate) fn preload(&mut self, modules: impl Iterator<Item = u32>) {
        let files = self.module_files;
        let mut paths: Vec<&Path> = modules
            .map(|m| files[m as usize].path.as_path())
            .filter(|p| !self.sources.contains_key(*p))
            .collect();
        paths.sort_unstable();
        paths.dedup();
        let overrides = self.overrides;
        let read: Vec<(&Path, String, Vec<u32>)> = pool().install(|| {
            paths
                .par_iter()
                .filter_map(|path| {
                    let source = source_of(path, overrides).ok()?;
                    let starts = line_starts(&source);
                    Some((*path, source, starts))
                })
                .collect()
        });
        for (path, source, starts) in read {
            self.line_starts.insert(path.to_path_buf(), starts);
            self.sources.insert(path.to_path_buf(), source);
        }
    }

    pub(crate) fn locate(&mut self, module: u32, span: facts::Span) -> Option<At> {
        let file = &self.module_files[module as usize];
        if !self.sources.contains_key(&file.path) {
            match source_of(&file.path, self.overrides) {
                Ok(source) => {
                    self.sources.insert(file.path.clone(), source);
                }
                Err(w) => {
                    self.warnings.push(Warning::Source(w));
                    return None;
                }
            }
        }
        let source = &self.sources[&file.path];
        // The source is read a second time; a file edited in between may no longer hold
        // the span, and must not crash the run.
        let Some(text) = source.get(span.start as usize..span.end as usize) else {
            self.warnings.push(Warning::FileChanged(file.path.clone()));
            return None;
        };
        let starts = match self.line_starts.remove(&file.path) {
            Some(starts) => starts,
            None => line_starts(source),
        };
        let index = LineIndex::with_starts(source, starts);
        let at = At {
            path: file.path.clone(),
            location: index.location(span.start),
            end_location: index.location(span.end),
            text: without_long_arguments(&single_line(text)),
        };
        self.line_starts
            .insert(file.path.clone(), index.into_starts());
        Some(at)
    }

    pub(crate) fn hop(&mut self, step: propagate::Step) -> Option<(Hop, facts::Span)> {
        let func = &self.modules.function(step.function);
        let call = &func.calls[step.call_index];
        let at = self.locate(step.function.module, call.func_span)?;
        Some((
            Hop {
                path: at.path,
                location: at.location,
                end_location: at.end_location,
                function: func.qualname.to_string(),
                call: at.text,
                kind: call.kind,
            },
            call.func_span,
        ))
    }
}

fn single_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_space = false;
    for ch in text.chars() {
        if ch.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(ch);
            last_space = false;
        }
    }
    out.replace("( ", "(").replace(" )", ")").replace(". ", ".")
}

/// The called expression as a message quotes it, with the long arguments of the calls
/// inside it left out: `self._conn.execute(...).fetchone` names what is called, where
/// the whole SQL text would push it off the line. Short ones stay (`Path(p).exists`).
/// Text it cannot read as Python (an unclosed string or bracket) is kept as it is.
fn without_long_arguments(text: &str) -> String {
    /// Longer arguments than this are left out.
    const LONG: usize = 20;
    const KEYWORDS: [&str; 10] = [
        "and", "await", "else", "if", "in", "is", "lambda", "not", "or", "return",
    ];
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut copied, mut i) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'"' => match string_end(bytes, i) {
                Some(end) => i = end,
                None => return text.to_string(),
            },
            b'(' => {
                let Some(close) = closing_paren(bytes, i) else {
                    return text.to_string();
                };
                let before = text[..i].trim_end();
                let word_start = before
                    .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .map_or(0, |at| at + 1);
                let is_call = before.ends_with([')', ']'])
                    || (word_start < before.len() && !KEYWORDS.contains(&&before[word_start..]));
                if is_call && close - i - 1 > LONG {
                    out.push_str(&text[copied..i]);
                    out.push_str("(...)");
                    copied = close + 1;
                }
                // A call's arguments are left out whole or kept whole; the brackets inside a
                // group are looked at in turn.
                i = if is_call { close + 1 } else { i + 1 };
            }
            _ => i += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Where the string literal opening at `start` ends (just past its closing quote).
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let quote = bytes[start];
    let triple = bytes.get(start..start + 3) == Some(&[quote; 3][..]);
    let width = if triple { 3 } else { 1 };
    let mut i = start + width;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            q if q == quote && (!triple || bytes.get(i..i + 3) == Some(&[quote; 3][..])) => {
                return Some(i + width);
            }
            _ => i += 1,
        }
    }
    None
}

/// The `)` matching the `(` at `open`, past strings and nested brackets.
fn closing_paren(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'"' => {
                i = string_end(bytes, i)?;
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return (bytes[i] == b')').then_some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::without_long_arguments as shorten;

    #[test]
    fn long_arguments_of_inner_calls_are_left_out_of_quotes() {
        assert_eq!(
            shorten(
                r#"self._connection.execute("SELECT file_path FROM candidates WHERE k = ?", (key,)).fetchone"#
            ),
            "self._connection.execute(...).fetchone"
        );
        assert_eq!(shorten("Path(p).exists"), "Path(p).exists");
        assert_eq!(shorten("requests.Session().get"), "requests.Session().get");
        assert_eq!(
            shorten("Path(await self.config.localpath()).absolute"),
            "Path(...).absolute"
        );
        // A group is not a call: the call inside it is shortened, not the group.
        assert_eq!(
            shorten(r#"(Path(__file__).parent / "ui/installed/").resolve"#),
            r#"(Path(__file__).parent / "ui/installed/").resolve"#
        );
        assert_eq!(
            shorten(r#"(Path(settings.get_the_config_directory()) / "x").resolve"#),
            r#"(Path(...) / "x").resolve"#
        );
        assert_eq!(
            shorten("clients[region_name_for_this_request].get"),
            "clients[region_name_for_this_request].get"
        );
        // Brackets and quotes inside strings do not count.
        assert_eq!(
            shorten(r#"db.execute("select ( from where a = ')'", (a, b, c)).fetchall"#),
            "db.execute(...).fetchall"
        );
        assert_eq!(
            shorten(r#"open("é" * 30, 'r').read"#),
            r#"open("é" * 30, 'r').read"#
        );
        assert_eq!(shorten(r#"f(""" ) """ + "some more text").g"#), "f(...).g");
        // What cannot be read as Python is quoted as it is.
        assert_eq!(shorten(r#"f("unclosed).g"#), r#"f("unclosed).g"#);
        assert_eq!(shorten("f(a, (b).g"), "f(a, (b).g");
        assert_eq!(shorten("f(a]).g"), "f(a]).g");
    }
}
