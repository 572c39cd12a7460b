//! Applying fixes: pass after pass until nothing fixable is left, then writing the files.
//!
//! Each pass re-checks the project on the fixed text (kept in memory, not on disk), so a
//! fix that overlapped another waits for the next pass and is worked out again on the
//! new text. Nothing is written until the end, and then only text that parses.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::check::{CheckOptions, CheckResult};
use crate::config::Settings;
use crate::error::{Warning, WriteError};
use crate::fixer::{self, Applicability, Fix};
use crate::rules::Rule;
use crate::{check_discovered, DiscoverError, Discovery};

/// Enough for fixes nested several deep; a fix that keeps reappearing stops here.
const MAX_PASSES: usize = 10;

/// One finding that was fixed.
#[derive(Debug, Clone)]
pub struct Fixed {
    pub path: PathBuf,
    pub row: u32,
    pub column: u32,
    pub code: &'static str,
    pub message: String,
}

/// A file whose text the fixes changed.
#[derive(Debug, Clone)]
pub struct ChangedFile {
    pub path: PathBuf,
    pub original: String,
    pub fixed: String,
}

#[derive(Debug, Default)]
pub struct FixOutcome {
    /// The check of the fixed text: what is left.
    pub result: CheckResult,
    pub changed: Vec<ChangedFile>,
    pub fixed: Vec<Fixed>,
    /// Fixes that were dropped, and why.
    pub warnings: Vec<Warning>,
}

/// Applies every fix at or above `threshold`, in memory.
pub fn fix_project(
    paths: &[PathBuf],
    settings: &Settings,
    options: &CheckOptions,
    threshold: Applicability,
) -> Result<FixOutcome, DiscoverError> {
    let options = CheckOptions {
        cache: None,
        ..options.clone()
    };
    let discovery = Discovery::new(paths, settings, &options)?;
    Ok(fix_discovered(&discovery, &options, threshold))
}

/// [`fix_project`] on files found already: each pass checks them again.
pub fn fix_discovered(
    discovery: &Discovery,
    options: &CheckOptions,
    threshold: Applicability,
) -> FixOutcome {
    let mut options = options.clone();
    // The passes check text that is not on disk (yet): the cache of what is on disk
    // has nothing to offer, and must not be filled with it.
    options.cache = None;
    let mut originals: HashMap<PathBuf, String> = HashMap::new();
    let mut tidy: HashMap<PathBuf, Vec<&'static str>> = HashMap::new();
    let mut outcome = FixOutcome::default();
    let mut result = check_discovered(discovery, &options);
    for _ in 0..MAX_PASSES {
        let mut by_file: Vec<(PathBuf, Vec<usize>)> = vec![];
        for (i, d) in result.diagnostics.iter().enumerate() {
            // A finding reported for a file it passes through is fixed in another
            // file: one the user did not ask to change.
            if d.through.is_some()
                || !d
                    .fix
                    .as_ref()
                    .is_some_and(|f| f.applicability >= threshold && !f.edits.is_empty())
            {
                continue;
            }
            match by_file.last_mut() {
                Some((p, list)) if *p == d.path => list.push(i),
                _ => by_file.push((d.path.clone(), vec![i])),
            }
        }
        let mut changed = false;
        for (path, indices) in by_file {
            let Some(source) = result.sources.get(&path) else {
                continue;
            };
            let fixes: Vec<&Fix> = indices
                .iter()
                .map(|i| result.diagnostics[*i].fix.as_ref().expect("filtered above"))
                .collect();
            let checked = apply_checked(source, &fixes);
            for (i, error) in &checked.dropped {
                let d = &result.diagnostics[indices[*i]];
                outcome.warnings.push(Warning::FixNotApplied {
                    path: path.clone(),
                    row: d.location.row,
                    column: d.location.column,
                    code: d.code(),
                    error: error.clone(),
                });
            }
            let (text, applied) = (checked.text, checked.applied);
            if applied.is_empty() || text == *source {
                continue;
            }
            originals
                .entry(path.clone())
                .or_insert_with(|| source.clone());
            for i in applied {
                let d = &result.diagnostics[indices[i]];
                let f = fixes[i];
                outcome.fixed.push(Fixed {
                    path: path.clone(),
                    row: d.location.row,
                    column: d.location.column,
                    code: d.code(),
                    message: f.message.clone(),
                });
                let module = match (d.rule, d.api.as_deref()) {
                    (Rule::AsyncioRun | Rule::RunUntilComplete, _) => Some("asyncio"),
                    (Rule::TimeSleep, _) => Some("time"),
                    (Rule::BlockingHttpCall, Some(api)) if api.starts_with("requests.") => {
                        Some("requests")
                    }
                    _ => None,
                };
                if let Some(m) = module {
                    let list = tidy.entry(path.clone()).or_default();
                    if !list.contains(&m) {
                        list.push(m);
                    }
                }
            }
            options.overrides.insert(path, text);
            changed = true;
        }
        if !changed {
            break;
        }
        result = check_discovered(discovery, &options);
    }
    let mut tidied = false;
    for (path, modules) in &tidy {
        let (Some(original), Some(text)) = (originals.get(path), options.overrides.get(path))
        else {
            continue;
        };
        let clean = fixer::remove_unused_imports(original, text, modules);
        if clean != *text && fixer::parses(&clean).is_ok() {
            options.overrides.insert(path.clone(), clean);
            tidied = true;
        }
    }
    if tidied {
        result = check_discovered(discovery, &options);
    }
    let mut changed: Vec<ChangedFile> = originals
        .into_iter()
        .filter_map(|(path, original)| {
            let fixed = options.overrides.get(&path)?.clone();
            (fixed != original).then_some(ChangedFile {
                path,
                original,
                fixed,
            })
        })
        .collect();
    changed.sort_by(|a, b| a.path.cmp(&b.path));
    outcome.changed = changed;
    outcome.result = result;
    outcome
}

/// The text after the fixes that can go together, and the fixes dropped because the
/// result would not parse.
struct ParsingFixes {
    text: String,
    applied: Vec<usize>,
    dropped: Vec<(usize, String)>,
}

/// Applies the fixes that do not overlap; if the result does not parse, keeps only the
/// fixes that parse on their own, and drops everything if even that fails.
fn apply_checked(source: &str, fixes: &[&Fix]) -> ParsingFixes {
    let (text, applied) = fixer::apply(source, fixes);
    let Err(error) = fixer::parses(&text) else {
        return ParsingFixes {
            text,
            applied,
            dropped: vec![],
        };
    };
    let (good, bad): (Vec<usize>, Vec<usize>) = applied
        .iter()
        .partition(|i| fixer::parses(&fixer::apply(source, &[fixes[**i]]).0).is_ok());
    let mut dropped: Vec<(usize, String)> = bad.into_iter().map(|i| (i, error.clone())).collect();
    let kept: Vec<&Fix> = good.iter().map(|i| fixes[*i]).collect();
    let (text, applied) = fixer::apply(source, &kept);
    if fixer::parses(&text).is_err() {
        dropped.extend(good.into_iter().map(|i| (i, error.clone())));
        return ParsingFixes {
            text: source.to_string(),
            applied: vec![],
            dropped,
        };
    }
    ParsingFixes {
        text,
        applied: applied.into_iter().map(|k| good[k]).collect(),
        dropped,
    }
}

/// Writes fixed text over a file, atomically, keeping its byte-order mark and
/// permissions. The text keeps the file's own line endings (fixes insert them).
pub fn write_fixed(path: &Path, text: &str) -> Result<(), WriteError> {
    let io = |error| WriteError::Io {
        path: path.to_path_buf(),
        error,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.permissions().readonly() {
        return Err(WriteError::ReadOnly {
            path: path.to_path_buf(),
        });
    }
    let old = std::fs::read(path).map_err(io)?;
    let bom = old.starts_with(b"\xef\xbb\xbf");
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    let write = |tmp: &mut tempfile::NamedTempFile| -> std::io::Result<()> {
        if bom {
            tmp.write_all(b"\xef\xbb\xbf")?;
        }
        tmp.write_all(text.as_bytes())?;
        tmp.as_file().sync_all()?;
        tmp.as_file().set_permissions(meta.permissions())
    };
    write(&mut tmp).map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixer::Edit;

    fn fix(start: u32, end: u32, content: &str) -> Fix {
        Fix {
            applicability: Applicability::Safe,
            message: String::new(),
            edits: vec![Edit {
                start,
                end,
                content: content.into(),
            }],
        }
    }

    #[test]
    fn a_fix_that_breaks_the_file_is_dropped_and_the_others_kept() {
        let source = "a = 1\nb = 2\n";
        let good = fix(4, 5, "10");
        let bad = fix(10, 11, "(");
        let checked = apply_checked(source, &[&good, &bad]);
        assert_eq!(checked.text, "a = 10\nb = 2\n");
        assert_eq!(checked.applied, [0]);
        assert_eq!(checked.dropped.len(), 1);
        assert_eq!(checked.dropped[0].0, 1);
        fixer::parses(&checked.text).unwrap();
    }

    #[test]
    fn a_file_is_left_as_it_was_when_no_fix_parses() {
        let source = "a = 1\n";
        let checked = apply_checked(source, &[&fix(4, 4, "((")]);
        assert_eq!(checked.text, source);
        assert!(checked.applied.is_empty());
        assert_eq!(checked.dropped.len(), 1);
    }
}
