//! The fixes of the findings, worked out for the output to show or `--fix` to apply.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::catalogue::Cost;
use crate::diagnostic::Diagnostic;
use crate::fixer;
use crate::rules::Rule;
use crate::severity::Frequency;

/// Works out the fix of every finding, file by file (in parallel: each file with a
/// finding is parsed again, since facts keep no syntax tree).
pub(crate) fn attach_fixes(diagnostics: &mut [Diagnostic], sources: &HashMap<PathBuf, String>) {
    let mut groups: Vec<&mut [Diagnostic]> = vec![];
    let mut rest = diagnostics;
    while !rest.is_empty() {
        let path = rest[0].path.clone();
        let n = rest.iter().take_while(|d| d.path == path).count();
        let (group, tail) = rest.split_at_mut(n);
        groups.push(group);
        rest = tail;
    }
    groups.into_par_iter().for_each(|group| {
        let path = group[0].path.clone();
        let Some(source) = sources.get(&path) else {
            return;
        };
        // Only a fix to httpx cares whether the project declares it.
        let needs_httpx = group.iter().any(|d| {
            d.rule == Rule::BlockingHttpCall
                && d.api.as_deref().is_some_and(|a| a.starts_with("requests."))
        });
        let httpx_declared = if needs_httpx {
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            httpx_declared(&std::path::absolute(&dir).unwrap_or(dir))
        } else {
            None
        };
        let requests: Vec<fixer::Request> = group
            .iter()
            .filter(|d| worth_fixing(d))
            .map(|d| fixer::Request {
                rule: d.rule,
                api: d.api.as_deref().unwrap_or(""),
                span: d.span,
            })
            .collect();
        let fixes = fixer::fixes(source, &requests, &fixer::Context { httpx_declared });
        for (d, f) in group.iter_mut().filter(|d| worth_fixing(d)).zip(fixes) {
            d.fix = f;
        }
    });
}

/// Whether a finding gets a fix. An `await` cannot go in a sync function; a thread hop
/// costs more than a metadata call (or none) saves; and a call that runs once (cached,
/// at startup) is not worth a hop on every call to reach it.
fn worth_fixing(d: &Diagnostic) -> bool {
    !d.in_sync_function && d.cost > Cost::Light && d.frequency != Frequency::Once
}

/// Whether the project that holds `dir` declares `httpx`: read from the nearest
/// requirements*.txt, pyproject.toml or Pipfile, walking up. `None` when none is found.
fn httpx_declared(dir: &Path) -> Option<bool> {
    for d in dir.ancestors() {
        let mut found = false;
        let mut declared = false;
        if let Ok(entries) = std::fs::read_dir(d) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().to_string();
                let is_requirements = name.starts_with("requirements") && name.ends_with(".txt");
                if !(is_requirements || name == "pyproject.toml" || name == "Pipfile") {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(entry.path()) else {
                    continue;
                };
                found = true;
                declared |= fixer::declares(&text, "httpx");
            }
        }
        if found {
            return Some(declared);
        }
        if d.join(".git").exists() {
            break;
        }
    }
    None
}
