//! A baseline: the findings a project had when it adopted loopsafe, so that a check
//! reports only the ones added since, and says which of those recorded are gone.
//!
//! A finding is recorded by what it is, not where: its code, its file, the function it
//! is in, the call as written (normalised so that reformatting leaves it alone) and, for
//! one through helpers, the calls of its chain. Lines inserted above it, a function
//! renamed elsewhere or a formatter's run change none of these. Two identical calls in
//! one function are two entries (a multiset), so a third one added is new.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::render::display_path;

/// The format's version: a file of another version is refused rather than misread.
const VERSION: u32 = 1;

/// One recorded finding: what identifies it, and its message for the reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub code: String,
    /// Relative to the baseline file's folder, with `/`.
    pub file: String,
    /// The qualified name of the function the call is in.
    pub function: String,
    /// The call as written, normalised ([`normalise`]).
    pub call: String,
    /// For a finding through helpers: each hop's called expression, coroutine first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<String>,
    /// Not part of the key: for whoever reads the file.
    #[serde(default)]
    pub message: String,
}

/// What identifies a finding; the message does not.
type Key = (String, String, String, String, Vec<String>);

impl Entry {
    fn key(&self) -> Key {
        (
            self.code.clone(),
            self.file.clone(),
            self.function.clone(),
            self.call.clone(),
            self.chain.clone(),
        )
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

/// A baseline file that cannot be used: the run stops rather than report everything.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read the baseline {path}: {error}")]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path} is not a loopsafe baseline ({error}); write one with `--write-baseline`")]
    Format { path: PathBuf, error: String },
    #[error("cannot write the baseline {path}: {error}")]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// The call's text without what a formatter changes: whitespace and line breaks,
/// quote style, and a trailing comma before a closing bracket.
pub fn normalise(call: &str) -> String {
    let mut out = String::with_capacity(call.len());
    for c in call.chars().filter(|c| !c.is_whitespace()) {
        if matches!(c, ')' | ']' | '}') && out.ends_with(',') {
            out.pop();
        }
        out.push(if c == '\'' { '"' } else { c });
    }
    out
}

/// The folder paths in a baseline are relative to.
fn base_of(baseline: &Path) -> PathBuf {
    let abs = std::path::absolute(baseline).unwrap_or_else(|_| baseline.to_path_buf());
    let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
    dir.canonicalize().unwrap_or(dir)
}

/// The entry a finding is recorded as.
fn entry(d: &Diagnostic, sources: &HashMap<PathBuf, String>, base: &Path) -> Entry {
    let real = d.path.canonicalize().unwrap_or_else(|_| d.path.clone());
    let call = sources
        .get(&d.path)
        .and_then(|text| text.get(d.call_span.start as usize..d.call_span.end as usize))
        .map(normalise)
        .unwrap_or_default();
    Entry {
        code: d.code().to_string(),
        file: display_path(&real, base),
        function: d.function.clone(),
        call,
        chain: d.chain.iter().map(|hop| normalise(&hop.call)).collect(),
        message: d.message.clone(),
    }
}

/// What identifies a finding, as one line of text: the same key as a baseline's, for
/// other tools that compare findings across commits (GitLab's fingerprints).
pub fn identity(d: &Diagnostic, sources: &HashMap<PathBuf, String>, base: &Path) -> String {
    let e = entry(d, sources, base);
    format!(
        "{}\0{}\0{}\0{}\0{}",
        e.code,
        e.file,
        e.function,
        e.call,
        e.chain.join("\0")
    )
}

/// The baseline of these findings, as the file's text.
pub fn write(
    diagnostics: &[Diagnostic],
    sources: &HashMap<PathBuf, String>,
    path: &Path,
) -> Result<usize, BaselineError> {
    let base = base_of(path);
    let mut findings: Vec<Entry> = diagnostics
        .iter()
        .map(|d| entry(d, sources, &base))
        .collect();
    findings.sort_by_key(Entry::key);
    let n = findings.len();
    let mut text = serde_json::to_string_pretty(&File {
        version: VERSION,
        findings,
    })
    .expect("entries serialize");
    text.push('\n');
    std::fs::write(path, text).map_err(|error| BaselineError::Write {
        path: path.to_path_buf(),
        error,
    })?;
    Ok(n)
}

/// A baseline read from its file.
pub struct Baseline {
    entries: Vec<Entry>,
    base: PathBuf,
}

impl Baseline {
    pub fn read(path: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|error| BaselineError::Read {
            path: path.to_path_buf(),
            error,
        })?;
        let format = |error: String| BaselineError::Format {
            path: path.to_path_buf(),
            error,
        };
        let file: File = serde_json::from_str(&text).map_err(|e| format(e.to_string()))?;
        if file.version != VERSION {
            return Err(format(format!(
                "version {}, this loopsafe reads version {VERSION}",
                file.version
            )));
        }
        Ok(Baseline {
            entries: file.findings,
            base: base_of(path),
        })
    }

    /// Drops the findings the baseline records (each entry accounts for one finding)
    /// and returns the entries no finding matched: fixed, or changed past recognition.
    pub fn apply(
        &self,
        diagnostics: &mut Vec<Diagnostic>,
        sources: &HashMap<PathBuf, String>,
    ) -> Vec<Gone> {
        let mut left: HashMap<Key, usize> = HashMap::new();
        for e in &self.entries {
            *left.entry(e.key()).or_default() += 1;
        }
        diagnostics.retain(|d| {
            let e = entry(d, sources, &self.base);
            match left.get_mut(&e.key()) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            }
        });
        let mut gone = vec![];
        for e in &self.entries {
            if let Some(n) = left.get_mut(&e.key()).filter(|n| **n > 0) {
                *n -= 1;
                gone.push(Gone {
                    path: self.base.join(&e.file),
                    entry: e.clone(),
                });
            }
        }
        gone
    }
}

/// A baseline entry that no finding matched.
#[derive(Debug, Clone)]
pub struct Gone {
    /// The entry's file, as a path to show.
    pub path: PathBuf,
    pub entry: Entry,
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn reformatting_a_call_keeps_its_normal_form() {
        assert_eq!(
            normalise("requests.get(url, timeout=10)"),
            normalise("requests.get(\n    url,\n    timeout=10,\n)")
        );
        assert_eq!(normalise("open('a.txt')"), normalise("open(\"a.txt\")"));
        assert_ne!(normalise("open('a.txt')"), normalise("open('b.txt')"));
    }
}
