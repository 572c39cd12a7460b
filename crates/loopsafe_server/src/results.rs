//! The findings of the last current run, file by file, as the editor was sent them.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use loopsafe_core::diagnostic::{Diagnostic, EntryPoint};
use loopsafe_core::facts::FnId;
use loopsafe_core::CheckResult;
use lsp_types::Position;

use crate::convert::{self, Texts};
use crate::docs::RuleDocs;
use crate::text::{Encoding, TextMap};
use crate::worker::ProjectJob;

/// One file's findings, and the text they were found in.
pub struct FileFindings {
    pub root: PathBuf,
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
    /// `diagnostics` as the editor was sent them, one for one.
    pub lsp: Vec<lsp_types::Diagnostic>,
    pub hovers: Vec<String>,
}

#[derive(Default)]
pub struct Files {
    map: HashMap<PathBuf, FileFindings>,
    docs: RuleDocs,
}

impl Files {
    pub fn get(&self, path: &Path) -> Option<&FileFindings> {
        self.map.get(path)
    }

    pub fn lsp(&self, path: &Path) -> &[lsp_types::Diagnostic] {
        self.map.get(path).map(|f| f.lsp.as_slice()).unwrap_or(&[])
    }

    /// Takes in a project's result; returns the files whose diagnostics changed (those
    /// that lost their last finding included). A buffer that did not parse keeps what it
    /// had: its findings are of the last text that parsed.
    pub fn update(
        &mut self,
        project: &ProjectJob,
        result: CheckResult,
        unparsed: &HashSet<PathBuf>,
        encoding: Encoding,
    ) -> Vec<PathBuf> {
        let mut by_path: HashMap<PathBuf, Vec<Diagnostic>> = HashMap::new();
        for d in result.diagnostics {
            by_path.entry(d.path.clone()).or_default().push(d);
        }
        let entries: HashMap<FnId, &EntryPoint> = result
            .entry_points
            .iter()
            .map(|e| (e.function, e))
            .collect();
        let mut texts = Texts {
            overrides: &project.overrides,
            sources: &result.sources,
            read: HashMap::new(),
        };
        let mut paths: Vec<PathBuf> = by_path.keys().cloned().collect();
        paths.extend(
            self.map
                .iter()
                .filter(|(p, f)| f.root == project.root && !by_path.contains_key(*p))
                .map(|(p, _)| p.clone()),
        );
        paths.sort();
        let mut changed = vec![];
        for path in paths {
            if unparsed.contains(&path) {
                continue;
            }
            let diagnostics = by_path.remove(&path).unwrap_or_default();
            if diagnostics.is_empty() {
                if self
                    .map
                    .remove(&path)
                    .is_some_and(|old| !old.lsp.is_empty())
                {
                    changed.push(path);
                }
                continue;
            }
            let Some(text) = texts.get(&path).map(str::to_string) else {
                continue;
            };
            let mut kept = vec![];
            let mut lsp = vec![];
            let mut hovers = vec![];
            for d in diagnostics {
                if let Some(l) = convert::diagnostic(&d, &mut texts, encoding, &mut self.docs) {
                    lsp.push(l);
                    hovers.push(convert::hover(&d, &entries, &project.root));
                    kept.push(d);
                }
            }
            if self.map.get(&path).map(|f| &f.lsp) != Some(&lsp) {
                changed.push(path.clone());
            }
            let findings = FileFindings {
                root: project.root.clone(),
                text,
                diagnostics: kept,
                lsp,
                hovers,
            };
            self.map.insert(path, findings);
        }
        changed
    }

    /// Forgets the findings of the files under roots no longer in the workspace; returns
    /// those that had some, for the editor to clear.
    pub fn keep_roots(&mut self, roots: &[PathBuf]) -> Vec<PathBuf> {
        let gone: Vec<PathBuf> = self
            .map
            .iter()
            .filter(|(_, f)| !roots.contains(&f.root))
            .map(|(p, _)| p.clone())
            .collect();
        for path in &gone {
            self.map.remove(path);
        }
        gone
    }

    /// The hover at a position of a file whose text is `text`: nothing when the findings
    /// are of another text.
    pub fn hover(
        &self,
        path: &Path,
        text: &str,
        position: Position,
        encoding: Encoding,
    ) -> Option<String> {
        let file = self.map.get(path).filter(|f| f.text == text)?;
        let offset = TextMap::new(text, encoding).offset(position) as u32;
        let mut under: Vec<usize> = (0..file.diagnostics.len())
            .filter(|i| {
                let span = file.diagnostics[*i].span;
                span.start <= offset && offset <= span.end
            })
            .collect();
        under.sort_by_key(|i| {
            let span = file.diagnostics[*i].span;
            span.end - span.start
        });
        let hovers: Vec<&str> = under.iter().map(|i| file.hovers[*i].as_str()).collect();
        (!hovers.is_empty()).then(|| hovers.join("\n---\n"))
    }
}
