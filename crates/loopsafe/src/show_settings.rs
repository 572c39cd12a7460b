//! `loopsafe check --show-settings`: the settings a check would use, and where each
//! comes from, so that a surprising result can be traced to a line of configuration.

use std::path::{Path, PathBuf};

use loopsafe_core::config::Settings;
use loopsafe_core::render::display_path;
use loopsafe_core::CheckOptions;

use crate::SelectionArgs;

pub struct Shown<'a> {
    pub args: &'a SelectionArgs,
    /// The paths as given (or `.`).
    pub given: &'a [PathBuf],
    /// The paths the check discovers: the projects of given files, or the paths.
    pub analysed: &'a [PathBuf],
    pub settings: &'a Settings,
    pub options: &'a CheckOptions,
}

/// The keys the configuration file sets: the `[tool.loopsafe]` table of a
/// `pyproject.toml`, or the whole of a `loopsafe.toml`.
fn keys_in(file: &Path) -> Vec<String> {
    let Some(table) = std::fs::read_to_string(file)
        .ok()
        .and_then(|t| toml::from_str::<toml::Table>(&t).ok())
    else {
        return vec![];
    };
    let table = if file.file_name().is_some_and(|n| n == "pyproject.toml") {
        table
            .get("tool")
            .and_then(|t| t.get("loopsafe"))
            .and_then(|t| t.as_table())
            .cloned()
            .unwrap_or_default()
    } else {
        table
    };
    table.keys().cloned().collect()
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", quoted.join(", "))
}

impl Shown<'_> {
    /// Each setting: its key, its value as TOML writes it, and where it comes from.
    fn rows(&self, file: Option<&str>) -> Vec<(&'static str, String, String)> {
        let (s, a) = (self.settings, self.args);
        let in_file = s.config_file.as_deref().map(keys_in).unwrap_or_default();
        // Where a value comes from: the command line, the file, both (lists the
        // command line extends), or neither.
        let from = |key: &str, cli: bool, extends: bool| -> String {
            let file_sets = in_file.iter().any(|k| k == key);
            let file = file.unwrap_or_default().to_string();
            match (file_sets, cli) {
                (true, true) if extends => format!("{file} + command line"),
                (_, true) => "command line".into(),
                (true, false) => file,
                (false, false) => "default".into(),
            }
        };
        let mut rows: Vec<(&'static str, String, String)> = vec![
            (
                "select",
                list(&s.select),
                from("select", !a.select.is_empty(), false),
            ),
            (
                "extend-select",
                list(&s.extend_select),
                from("extend-select", !a.extend_select.is_empty(), true),
            ),
            (
                "ignore",
                list(&s.ignore),
                from("ignore", !a.ignore.is_empty(), true),
            ),
            (
                "exclude",
                list(&s.exclude),
                from("exclude", !a.exclude.is_empty(), false),
            ),
            (
                "extend-exclude",
                list(&s.extend_exclude),
                from("extend-exclude", !a.extend_exclude.is_empty(), true),
            ),
        ];
        let per_file: Vec<String> = s
            .per_file_ignores
            .iter()
            .map(|(glob, codes)| format!("{glob:?} = {}", list(codes)))
            .collect();
        rows.push((
            "per-file-ignores",
            match per_file.is_empty() {
                true => "{}".to_string(),
                false => format!("{{ {} }}", per_file.join(", ")),
            },
            from("per-file-ignores", false, false),
        ));
        let src: Vec<String> = s.src.iter().map(|p| p.display().to_string()).collect();
        rows.push(("src", list(&src), from("src", false, false)));
        rows.push((
            "respect-gitignore",
            s.respect_gitignore.to_string(),
            from("respect-gitignore", false, false),
        ));
        rows.push((
            "check-tests",
            s.check_tests.to_string(),
            from("check-tests", a.check_tests, false),
        ));
        rows.push((
            "min-severity",
            format!("{:?}", s.min_severity.as_str()),
            from("min-severity", a.min_severity.is_some(), false),
        ));
        let calls: Vec<String> = s
            .extend_blocking_calls
            .iter()
            .map(|r| format!("{} ({}, cost {})", r.call, r.rule.code(), r.cost.as_str()))
            .collect();
        rows.push((
            "extend-blocking-calls",
            list(&calls),
            from("extend-blocking-calls", false, false),
        ));
        rows
    }

    pub fn render(&self, cwd: &Path) -> String {
        let (s, a) = (self.settings, self.args);
        let file = s
            .config_file
            .as_ref()
            .map(|f| display_path(&std::path::absolute(f).unwrap_or(f.clone()), cwd));
        let rows = self.rows(file.as_deref());
        let mut out = String::new();
        let config = match (&file, a.isolated) {
            (_, true) => "none (`--isolated`)".to_string(),
            (Some(f), false) if a.config.is_some() => format!("{f} (`--config`)"),
            (Some(f), false) => f.clone(),
            (None, false) => "none found (the defaults apply)".to_string(),
        };
        out.push_str(&format!("Configuration file: {config}\n"));
        let shown_paths = |paths: &[PathBuf]| {
            let shown: Vec<String> = paths
                .iter()
                .map(|p| match display_path(p, cwd) {
                    shown if shown.is_empty() || shown == "." => ".".to_string(),
                    shown => shown,
                })
                .collect();
            shown.join(", ")
        };
        out.push_str(&format!("Checked: {}\n", shown_paths(self.given)));
        if self.options.focus.is_some() {
            out.push_str(&format!(
                "Analysed: {} (the project of the files checked; `--isolated-files` for \
                 the files alone)\n",
                shown_paths(self.analysed)
            ));
        }
        let root = display_path(&std::path::absolute(&s.root).unwrap_or(s.root.clone()), cwd);
        let root = if root.is_empty() {
            ".".to_string()
        } else {
            root
        };
        out.push_str(&format!(
            "Root (relative paths and globs start here): {root}\n"
        ));
        out.push_str(&match &self.options.cache {
            Some(dir) => format!(
                "Cache: {}\n",
                display_path(&dir.join(loopsafe_core::cache::DIR), cwd)
            ),
            None if a.no_cache => "Cache: off (`--no-cache`)\n".to_string(),
            None => "Cache: off (LOOPSAFE_NO_CACHE)\n".to_string(),
        });
        out.push_str(&match loopsafe_core::packages::Environment::find(s) {
            Some(Ok(env)) => format!(
                "Python environment (installed packages followed): {}\n",
                display_path(&env.dir, cwd)
            ),
            Some(Err(named)) => format!(
                "Python environment: none at {} (installed packages not followed)\n",
                display_path(&named, cwd)
            ),
            None => {
                "Python environment: none found (installed packages not followed)\n".to_string()
            }
        });
        if !s.console_scripts.is_empty() {
            out.push_str(&format!(
                "Console scripts (pyproject.toml): {}\n",
                s.console_scripts.join(", ")
            ));
        }
        out.push('\n');
        let width = rows.iter().map(|(k, _, _)| k.len()).max().unwrap_or(0);
        for (key, value, source) in rows {
            out.push_str(&format!("{key:<width$} = {value}  # {source}\n"));
        }
        out
    }
}
