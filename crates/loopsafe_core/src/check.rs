//! What a check is given besides the settings, and what it gives back.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::arena::ParseScope;
use crate::diagnostic::{Diagnostic, EntryPoint};
use crate::error::Warning;
use crate::notes;

#[derive(Debug, Default)]
pub struct CheckResult {
    pub diagnostics: Vec<Diagnostic>,
    /// How many findings were left out for being less severe than `min-severity`.
    pub below_min_severity: usize,
    /// The least severe findings shown (`min-severity`).
    pub min_severity: crate::severity::Severity,
    /// One line each: files that could not be read or were not Python text.
    pub warnings: Vec<Warning>,
    pub files_checked: usize,
    /// The text of every file that has a diagnostic, for rendering.
    pub sources: HashMap<PathBuf, String>,
    /// Blocking calls that do not run on the loop, and why (with `CheckOptions::notes`).
    pub notes: Vec<notes::Note>,
    /// The entry points the frameworks define.
    pub entry_points: Vec<EntryPoint>,
    /// How many routes the frameworks define.
    pub routes: usize,
    /// The whole-project analysis was not run again: the cache held its conclusions for
    /// facts of the same shape as these.
    pub analysis_reused: bool,
    /// The last run's analysis was picked up after an edit that changed calls: only the
    /// edited modules' calls were resolved again.
    pub analysis_resumed: bool,
    /// What following the installed packages did, when the project has an environment.
    pub packages: Option<crate::packages::PackagesReport>,
}

/// How to run a check, beyond the settings.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    pub scope: Option<ParseScope>,
    /// Text to use instead of what is on disk, by path: fixed files not yet written.
    pub overrides: HashMap<PathBuf, String>,
    /// Also list the blocking calls that are acceptable (off the loop), for the report.
    pub notes: bool,
    /// Keep per-file facts in a cache under this project root (`.loopsafe_cache`).
    pub cache: Option<PathBuf>,
    /// Work out no fixes: the output shows none (`--output-format concise`, `github`).
    /// Finding them parses each file with a finding again.
    pub without_fixes: bool,
    /// Report only the findings in these files, or whose chain passes through them:
    /// the project around them is analysed (`focus::scope`).
    pub focus: Option<crate::focus::Focus>,
    /// Keep the facts of installed packages' modules in this folder, for every project
    /// ([`crate::packages::default_cache_dir`]); none: parse them on every check.
    pub packages_cache: Option<PathBuf>,
}
