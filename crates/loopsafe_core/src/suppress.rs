//! Which findings are reported: the rules selected, and neither a `# noqa` on the line
//! nor the per-file ignores silencing them. The analysis asks it of each blocking call
//! (what a helper reaches counts only if it would be reported), the end of a check of
//! each finding.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::config::Settings;
use crate::diagnostic::Diagnostic;
use crate::discover::SourceFile;
use crate::facts::{self, Modules, Suppression};
use crate::rules::Rule;

/// Whether a `# noqa` comment silences any of these codes.
fn silences(noqa: Option<&Suppression>, codes: &[&str]) -> bool {
    noqa.is_some_and(|s| codes.iter().any(|code| s.covers(code)))
}

/// Whether a blocking call at this span of this module, under this rule, counts: its
/// rule is selected and no `# noqa` on its line silences it (nor the LS901 it would be
/// the root of).
pub(crate) fn counting<'a>(
    modules: &'a Modules<'a>,
    settings: &'a Settings,
) -> impl Fn(u32, facts::Span, Rule) -> bool + Sync + 'a {
    move |module: u32, span: facts::Span, rule: Rule| {
        settings.is_root_enabled(rule)
            && !silences(
                modules[module as usize].suppression_at(span.start),
                &[rule.code(), Rule::BlockingCallThroughHelper.code()],
            )
    }
}

/// Drops the findings of rules not selected, those a `# noqa` on their line or the
/// per-file ignores silence, and those less severe than `min-severity`. Returns how many
/// of the reported ones were left out for their severity alone.
pub(crate) fn suppress(
    diagnostics: &mut Vec<Diagnostic>,
    settings: &Settings,
    modules: &Modules,
    files: &[&SourceFile],
) -> usize {
    // A per-file ignore silences its codes as a `# noqa` on every line would.
    let per_file: Vec<(globset::GlobSet, Suppression)> = settings
        .per_file_ignore_sets()
        .into_iter()
        .map(|(set, codes)| (set, Suppression::Codes(codes)))
        .collect();
    let root = settings
        .root
        .canonicalize()
        .unwrap_or(settings.root.clone());
    let by_path: HashMap<&Path, usize> = files
        .iter()
        .enumerate()
        .map(|(i, file)| (file.path.as_path(), i))
        .collect();
    let mut reported = reported_by(settings, modules, by_path, per_file, root);
    let mut below = 0;
    diagnostics.retain(|d| {
        let reported = reported(d);
        // Counted only when nothing else silences it: the summary says how to see it.
        if reported && d.severity < settings.min_severity {
            below += 1;
            return false;
        }
        reported
    });
    below
}

/// Whether no selection, `# noqa` or per-file ignore silences a finding.
fn reported_by<'a>(
    settings: &'a Settings,
    modules: &'a Modules,
    by_path: HashMap<&'a Path, usize>,
    per_file: Vec<(globset::GlobSet, Suppression)>,
    root: PathBuf,
) -> impl FnMut(&Diagnostic) -> bool + 'a {
    let mut resolved: HashMap<PathBuf, PathBuf> = HashMap::new();
    move |d: &Diagnostic| {
        if !settings.is_enabled(d.rule) {
            return false;
        }
        let noqa = by_path
            .get(d.path.as_path())
            .and_then(|m| modules[*m].suppressions.get(&d.location.row));
        if silences(noqa, &[d.code()]) {
            return false;
        }
        if per_file.is_empty() {
            return true;
        }
        // One file's findings are many: its path is resolved once.
        let abs = resolved
            .entry(d.path.clone())
            .or_insert_with(|| d.path.canonicalize().unwrap_or(d.path.clone()));
        let rel = abs.strip_prefix(&root).unwrap_or(abs);
        let name = d.path.file_name().map(Path::new);
        !per_file.iter().any(|(set, ignored)| {
            (set.is_match(rel) || name.is_some_and(|n| set.is_match(n)))
                && silences(Some(ignored), &[d.code()])
        })
    }
}
