//! The fixes of the findings, worked out for the output to show or `--fix` to apply.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::catalogue::Cost;
use crate::diagnostic::Diagnostic;
use crate::discover::SourceFile;
use crate::fixer;
use crate::rules::Rule;
use crate::severity::Frequency;
use crate::source::source_of;

/// Works out the fix of every finding, file by file (in parallel: each file with a
/// finding is parsed again, since facts keep no syntax tree).
pub(crate) fn attach_fixes(
    diagnostics: &mut [Diagnostic],
    sources: &HashMap<PathBuf, String>,
    project: &Project,
    offload_uses: [usize; 3],
) {
    let offload = fixer::Offload::most_used(offload_uses);
    // The project's other files are read (once) only for the `except requests...`
    // clauses a fix to httpx must not leave behind.
    let caught = if diagnostics
        .iter()
        .any(|d| worth_fixing(d) && is_requests_fix(d))
    {
        requests_caught(project, sources)
    } else {
        vec![]
    };
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
        let needs_httpx = group.iter().any(is_requests_fix);
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
        let requests_caught_elsewhere =
            caught
                .iter()
                .find(|(p, _, _)| *p != path)
                .map(|(p, exception, line)| {
                    format!("`except {exception}` in {}:{line}", project.relative(p))
                });
        let ctx = fixer::Context {
            httpx_declared,
            requests_caught_elsewhere,
            offload,
        };
        let fixes = fixer::fixes(source, &requests, &ctx);
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

/// The files of the project, for the fixes that must look beyond the files with
/// findings: their text is read from `overrides` first (the fixed text of `--fix`'s
/// passes).
pub(crate) struct Project<'a> {
    pub(crate) files: &'a [&'a SourceFile],
    pub(crate) overrides: &'a HashMap<PathBuf, String>,
    pub(crate) root: &'a Path,
}

impl Project<'_> {
    /// The path as a message shows it: relative to the project's root where it can be.
    fn relative(&self, path: &Path) -> String {
        path.strip_prefix(self.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }
}

/// A `requests` call in a coroutine: a fix to httpx is worked out for it.
fn is_requests_fix(d: &Diagnostic) -> bool {
    d.rule == Rule::BlockingHttpCall
        && !d.in_sync_function
        && d.api.as_deref().is_some_and(|a| a.starts_with("requests."))
}

/// Every file of the project with an `except` clause that catches an exception of
/// requests, with the first such exception as written and the line of its clause, in
/// path order.
fn requests_caught(project: &Project, sources: &HashMap<PathBuf, String>) -> Vec<CaughtAt> {
    let mut caught: Vec<CaughtAt> = project
        .files
        .par_iter()
        .filter_map(|file| {
            let read;
            let text = match sources.get(&file.path) {
                Some(text) => text,
                None => {
                    read = source_of(&file.path, project.overrides).ok()?;
                    &read
                }
            };
            fixer::catches_requests(text)
                .map(|(exception, line)| (file.path.clone(), exception, line))
        })
        .collect();
    caught.sort();
    caught
}

/// A file, the exception of requests an `except` clause in it catches, and its line.
type CaughtAt = (PathBuf, String, usize);

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
