//! Settings: `[tool.loopsafe]` in `pyproject.toml`, or `loopsafe.toml`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::catalogue::{Cost, UserRow};
use crate::rules::{Rule, RULES};
use crate::severity::Severity;

/// Directories never worth checking: virtual environments, caches and build output.
pub const DEFAULT_EXCLUDES: &[&str] = &[
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".hg",
    ".loopsafe_cache",
    ".mypy_cache",
    ".nox",
    ".pytest_cache",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    "__pycache__",
    "__pypackages__",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
];

/// A configuration file that cannot be used: the run stops.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {problem}")]
pub struct ConfigError {
    pub path: PathBuf,
    pub problem: ConfigProblem,
}

/// What is wrong with a configuration file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigProblem {
    #[error("cannot read: {0}")]
    Read(std::io::Error),
    /// Not TOML, or not the options loopsafe knows (the message names the line).
    #[error(transparent)]
    Toml(#[from] toml::de::Error),
    #[error("bad glob `{pattern}`: {error}")]
    Glob {
        pattern: String,
        error: globset::Error,
    },
    /// A value that parses but means nothing, where it was written.
    #[error("line {line}, column {column}: `{key}`: {problem}")]
    Value {
        line: usize,
        column: usize,
        key: &'static str,
        problem: ValueProblem,
    },
}

/// A value of an option that means nothing.
#[derive(Debug, thiserror::Error)]
pub enum ValueProblem {
    #[error(transparent)]
    Selector(#[from] UnknownSelector),
    #[error("`{0}` is not a dotted Python name like `mycorp.http.fetch`")]
    NotDottedName(String),
    #[error("`{0}` is not a rule code for blocking calls")]
    NotBlockingCode(String),
    #[error(
        "unknown category `{0}`; expected one of: {known}",
        known = Rule::categories().collect::<Vec<_>>().join(", ")
    )]
    UnknownCategory(String),
    #[error("each row needs a `category` (or a `code`)")]
    NoCategory,
    #[error("unknown cost `{0}`; expected one of: wait, slow, data, light, none")]
    UnknownCost(String),
    #[error("unknown severity `{0}`; expected one of: low, medium, high")]
    UnknownSeverity(String),
}

/// A selector (`--select`, `ignore = [...]`) that names no rule.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a rule code or prefix (run `loopsafe rules` to list them)")]
pub struct UnknownSelector(pub String);

/// A file pattern (`--exclude`, `exclude = [...]`) that is not a glob.
#[derive(Debug, thiserror::Error)]
#[error("bad glob `{pattern}`: {error}")]
pub struct BadGlob {
    pub pattern: String,
    pub error: globset::Error,
}

/// Checks a file pattern as the `exclude` keys and `--exclude` read it.
pub fn validate_glob(pattern: &str) -> Result<(), BadGlob> {
    Glob::new(pattern).map(drop).map_err(|error| BadGlob {
        pattern: pattern.to_string(),
        error,
    })
}

/// The options a user can write, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    pub select: Option<Vec<toml::Spanned<String>>>,
    pub extend_select: Option<Vec<toml::Spanned<String>>>,
    pub ignore: Option<Vec<toml::Spanned<String>>>,
    pub exclude: Option<Vec<String>>,
    pub extend_exclude: Option<Vec<String>>,
    pub per_file_ignores: Option<BTreeMap<String, Vec<toml::Spanned<String>>>>,
    pub extend_blocking_calls: Option<Vec<BlockingCallOption>>,
    pub src: Option<Vec<String>>,
    pub respect_gitignore: Option<bool>,
    pub check_tests: Option<bool>,
    pub min_severity: Option<toml::Spanned<String>>,
    /// The project's Python environment: a virtual environment's folder or its `python`.
    pub python: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockingCallOption {
    pub call: toml::Spanned<String>,
    pub category: Option<toml::Spanned<String>>,
    pub code: Option<toml::Spanned<String>>,
    /// What one call costs the loop: `wait`, `slow`, `data`, `light` or `none`.
    pub cost: Option<toml::Spanned<String>>,
}

#[derive(Deserialize)]
struct Pyproject {
    tool: Option<PyprojectTool>,
}

#[derive(Deserialize)]
struct PyprojectTool {
    loopsafe: Option<toml::Value>,
}

/// Settings resolved for one run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where relative paths in the configuration start from.
    pub root: PathBuf,
    pub config_file: Option<PathBuf>,
    pub select: Vec<String>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub exclude: Vec<String>,
    pub extend_exclude: Vec<String>,
    pub per_file_ignores: Vec<(String, Vec<String>)>,
    pub extend_blocking_calls: Vec<UserRow>,
    pub src: Vec<PathBuf>,
    pub respect_gitignore: bool,
    /// Report blocking calls in test coroutines and async fixtures too, instead of
    /// listing them as acceptable: they stall the test runner's loop, not the service's.
    pub check_tests: bool,
    /// The least severe findings shown: lower ones are counted, not reported.
    pub min_severity: Severity,
    /// The functions the project's console-script entries name (`pkg.cli:main`, from
    /// [`console_scripts`]): each starts a process of its own, so a coroutine it runs with
    /// `asyncio.run` runs on that process's loop, not the service's.
    pub console_scripts: Vec<String>,
    /// The Python environment whose installed packages calls are followed into (a
    /// virtual environment's folder, or its `python`); without one, a `.venv` or `venv`
    /// at the root is used when there is one (see [`crate::packages`]).
    pub python: Option<PathBuf>,
}

impl Settings {
    pub fn defaults(root: PathBuf) -> Self {
        Settings {
            root,
            config_file: None,
            select: vec!["LS".into()],
            extend_select: vec![],
            ignore: vec![],
            exclude: DEFAULT_EXCLUDES.iter().map(|s| s.to_string()).collect(),
            extend_exclude: vec![],
            per_file_ignores: vec![],
            extend_blocking_calls: vec![],
            src: vec![],
            respect_gitignore: true,
            check_tests: false,
            min_severity: Severity::Medium,
            console_scripts: vec![],
            python: None,
        }
    }

    /// Whether the rule is on, given select / extend-select / ignore (longest prefix wins,
    /// as in ruff: `select = ["LS"]`, `ignore = ["LS5"]`, `extend-select = ["LS501"]`
    /// turns on LS501 alone of the LS5xx rules).
    pub fn is_enabled(&self, rule: Rule) -> bool {
        let (selected, ignored) = self.selection(rule);
        match (selected, ignored) {
            (Some(s), Some(i)) => s > i,
            (Some(_), None) => true,
            _ => false,
        }
    }

    /// Whether a blocking call of this rule, found inside a helper, may be the root of
    /// an LS901 finding. A selected rule may; an ignored one may not (`--ignore LS5`
    /// drops helpers whose only blocking calls are filesystem ones). A rule neither
    /// selected nor ignored may when the selection names no kind of blocking call at all,
    /// so that `--select LS901` alone reports helpers over every kind.
    pub fn is_root_enabled(&self, rule: Rule) -> bool {
        match self.selection(rule) {
            (Some(s), Some(i)) => s > i,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => !crate::rules::RULES.iter().any(|info| {
                !matches!(
                    info.rule,
                    Rule::BlockingCallThroughHelper | Rule::SyntaxError
                ) && self
                    .select
                    .iter()
                    .chain(&self.extend_select)
                    .any(|p| prefix_matches(p, info.code))
            }),
        }
    }

    /// The length of the longest matching select and ignore prefixes.
    fn selection(&self, rule: Rule) -> (Option<usize>, Option<usize>) {
        let code = rule.code();
        let best = |list: &[String]| {
            list.iter()
                .filter(|p| prefix_matches(p, code))
                .map(|p| {
                    if p.eq_ignore_ascii_case("ALL") {
                        0
                    } else {
                        p.len()
                    }
                })
                .max()
        };
        let selected = best(&self.select).max(best(&self.extend_select));
        (selected, best(&self.ignore))
    }

    pub fn per_file_ignore_sets(&self) -> Vec<(GlobSet, Vec<String>)> {
        self.per_file_ignores
            .iter()
            .map(|(pattern, codes)| (build_globset([pattern]), codes.clone()))
            .collect()
    }
}

pub(crate) fn build_globset<'a>(patterns: impl IntoIterator<Item = &'a String>) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        // Patterns were validated when the configuration was read.
        if let Ok(glob) = Glob::new(p.trim_end_matches('/')) {
            builder.add(glob);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

pub fn prefix_matches(prefix: &str, code: &str) -> bool {
    prefix.eq_ignore_ascii_case("ALL")
        || code
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Checks that a selector names at least one rule.
pub fn validate_selector(selector: &str) -> Result<(), UnknownSelector> {
    if RULES.iter().any(|r| prefix_matches(selector, r.code)) {
        Ok(())
    } else {
        Err(UnknownSelector(selector.to_string()))
    }
}

/// Finds the configuration for a run: `loopsafe.toml`, or a `pyproject.toml` with a
/// `[tool.loopsafe]` table, in `start` or the nearest directory above it.
pub fn find_config(start: &Path) -> Option<PathBuf> {
    let start = start.canonicalize().ok()?;
    let mut dir = if start.is_file() {
        start.parent()?.to_path_buf()
    } else {
        start
    };
    loop {
        let own = dir.join("loopsafe.toml");
        if own.is_file() {
            return Some(own);
        }
        let pyproject = dir.join("pyproject.toml");
        if pyproject.is_file() {
            if let Ok(text) = std::fs::read_to_string(&pyproject) {
                if text.contains("[tool.loopsafe") || text.contains("tool.loopsafe") {
                    return Some(pyproject);
                }
            }
        }
        if !dir.pop() {
            return None;
        }
    }
}

/// The functions the console-script entries of the nearest `pyproject.toml` in or above
/// `start` name, as `module:function` (`[project.scripts]`, `[project.gui-scripts]`,
/// `[tool.poetry.scripts]`). Empty when there is none or it does not parse: the entries
/// only make some findings notes, so an unreadable file is no reason to stop.
pub fn console_scripts(start: &Path) -> Vec<String> {
    let Ok(start) = std::path::absolute(start) else {
        return vec![];
    };
    let file = start
        .ancestors()
        .map(|d| d.join("pyproject.toml"))
        .find(|p| p.is_file());
    let Some(doc) = file
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|t| toml::from_str::<toml::Table>(&t).ok())
    else {
        return vec![];
    };
    let table = |path: &[&str]| {
        let mut at = Some(&doc);
        for key in path {
            at = at.and_then(|t| t.get(*key)).and_then(|v| v.as_table());
        }
        at.into_iter().flat_map(|t| t.values())
    };
    let mut out: Vec<String> = table(&["project", "scripts"])
        .chain(table(&["project", "gui-scripts"]))
        .chain(table(&["tool", "poetry", "scripts"]))
        .filter_map(|v| match v {
            toml::Value::String(s) => Some(s.as_str()),
            // Poetry's `{ callable = "pkg.cli:main" }`.
            toml::Value::Table(t) => t.get("callable").and_then(|c| c.as_str()),
            _ => None,
        })
        // `pkg.cli:main [extra]`: the extras are not part of the name.
        .filter_map(|s| s.split_whitespace().next())
        .filter(|s| s.contains(':'))
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.len() - before.rfind('\n').map(|i| i + 1).unwrap_or(0) + 1;
    (line, col)
}

/// Reads one configuration file into settings.
pub fn load(path: &Path) -> Result<Settings, ConfigError> {
    let err = |problem: ConfigProblem| ConfigError {
        path: path.to_path_buf(),
        problem,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(ConfigProblem::Read(e)))?;
    let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
    let options: Options = if is_pyproject {
        let doc: Pyproject = toml::from_str(&text).map_err(|e| err(e.into()))?;
        match doc.tool.and_then(|t| t.loopsafe) {
            // Re-parse the table from the file so that error positions are real lines.
            Some(_) => {
                #[derive(Deserialize)]
                struct Wrapper {
                    tool: WrapperTool,
                }
                #[derive(Deserialize)]
                struct WrapperTool {
                    loopsafe: Options,
                }
                let wrapper: Wrapper = toml::from_str(&text).map_err(|e| err(e.into()))?;
                wrapper.tool.loopsafe
            }
            None => Options::default(),
        }
    } else {
        toml::from_str(&text).map_err(|e| err(e.into()))?
    };
    let at = |span: std::ops::Range<usize>, key: &'static str, problem: ValueProblem| {
        let (line, column) = line_col(&text, span.start);
        err(ConfigProblem::Value {
            line,
            column,
            key,
            problem,
        })
    };
    let root = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let mut settings = Settings::defaults(root.clone());
    settings.config_file = Some(path.to_path_buf());

    let selectors = |list: Option<Vec<toml::Spanned<String>>>, key: &'static str| {
        let mut out = vec![];
        for item in list.unwrap_or_default() {
            validate_selector(item.get_ref()).map_err(|m| at(item.span(), key, m.into()))?;
            out.push(item.into_inner());
        }
        Ok::<_, ConfigError>(out)
    };
    if options.select.is_some() {
        settings.select = selectors(options.select, "select")?;
    }
    settings.extend_select = selectors(options.extend_select, "extend-select")?;
    settings.ignore = selectors(options.ignore, "ignore")?;
    for pattern in options
        .exclude
        .iter()
        .flatten()
        .chain(options.extend_exclude.iter().flatten())
        .chain(options.per_file_ignores.iter().flat_map(|m| m.keys()))
    {
        validate_glob(pattern)
            .map_err(|BadGlob { pattern, error }| err(ConfigProblem::Glob { pattern, error }))?;
    }
    if let Some(exclude) = options.exclude {
        settings.exclude = exclude;
    }
    settings.extend_exclude = options.extend_exclude.unwrap_or_default();
    for (pattern, codes) in options.per_file_ignores.unwrap_or_default() {
        let codes = selectors(Some(codes), "per-file-ignores")?;
        settings.per_file_ignores.push((pattern, codes));
    }
    for row in options.extend_blocking_calls.unwrap_or_default() {
        let call = row.call.get_ref().trim().to_string();
        let valid = !call.is_empty()
            && call.split('.').all(|seg| {
                !seg.is_empty()
                    && (seg == "*" || seg.chars().all(|c| c.is_alphanumeric() || c == '_'))
            });
        if !valid {
            return Err(at(
                row.call.span(),
                "extend-blocking-calls",
                ValueProblem::NotDottedName(call),
            ));
        }
        let rule = match (&row.category, &row.code) {
            (_, Some(code)) => Rule::from_code(code.get_ref())
                .filter(|r| *r != Rule::SyntaxError && *r != Rule::BlockingCallThroughHelper)
                .ok_or_else(|| {
                    at(
                        code.span(),
                        "extend-blocking-calls",
                        ValueProblem::NotBlockingCode(code.get_ref().clone()),
                    )
                })?,
            (Some(category), None) => Rule::for_category(category.get_ref()).ok_or_else(|| {
                at(
                    category.span(),
                    "extend-blocking-calls",
                    ValueProblem::UnknownCategory(category.get_ref().clone()),
                )
            })?,
            (None, None) => {
                return Err(at(
                    row.call.span(),
                    "extend-blocking-calls",
                    ValueProblem::NoCategory,
                ))
            }
        };
        let cost = match &row.cost {
            Some(cost) => named(cost, "extend-blocking-calls", Cost::from_name, at)?,
            None => UserRow::default_cost(rule),
        };
        settings
            .extend_blocking_calls
            .push(UserRow { call, rule, cost });
    }
    settings.src = options
        .src
        .unwrap_or_default()
        .into_iter()
        .map(|s| root.join(s))
        .collect();
    if let Some(respect) = options.respect_gitignore {
        settings.respect_gitignore = respect;
    }
    if let Some(check) = options.check_tests {
        settings.check_tests = check;
    }
    if let Some(min) = &options.min_severity {
        settings.min_severity = named(min, "min-severity", Severity::from_name, at)?;
    }
    settings.python = options.python.map(|p| root.join(p));
    Ok(settings)
}

/// A value one of a few names stand for (`cost = "data"`, `min-severity = "low"`), or
/// the error `at` locates where it is written.
fn named<T: Named>(
    value: &toml::Spanned<String>,
    key: &'static str,
    parse: impl Fn(&str) -> Option<T>,
    at: impl Fn(std::ops::Range<usize>, &'static str, ValueProblem) -> ConfigError,
) -> Result<T, ConfigError> {
    parse(value.get_ref()).ok_or_else(|| at(value.span(), key, T::unknown(value.get_ref().clone())))
}

/// A kind of value [`named`] reads, with the problem an unknown name is.
trait Named {
    fn unknown(name: String) -> ValueProblem;
}

impl Named for Cost {
    fn unknown(name: String) -> ValueProblem {
        ValueProblem::UnknownCost(name)
    }
}

impl Named for Severity {
    fn unknown(name: String) -> ValueProblem {
        ValueProblem::UnknownSeverity(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn unknown_key_names_file_key_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "loopsafe.toml",
            "select = [\"LS\"]\nselekt = [\"LS2\"]\n",
        );
        let e = load(&p).unwrap_err().to_string();
        assert!(e.contains("loopsafe.toml"), "{e}");
        assert!(e.contains("selekt"), "{e}");
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn bad_category_is_reported_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "pyproject.toml",
            "[project]\nname = \"x\"\n\n[tool.loopsafe]\nextend-blocking-calls = [\n  { call = \"a.b\", category = \"netwrk\" },\n]\n",
        );
        let e = load(&p).unwrap_err().to_string();
        assert!(e.contains("line 6"), "{e}");
        assert!(e.contains("netwrk"), "{e}");
        assert!(e.contains("network"), "{e}");
    }

    #[test]
    fn bad_selector_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "loopsafe.toml", "ignore = [\"XYZ1\"]\n");
        let e = load(&p).unwrap_err().to_string();
        assert!(e.contains("line 1") && e.contains("XYZ1"), "{e}");
    }

    #[test]
    fn selection_longest_prefix_wins() {
        let mut s = Settings::defaults(".".into());
        s.ignore = vec!["LS5".into()];
        s.extend_select = vec!["LS501".into()];
        assert!(s.is_enabled(Rule::OpenFile));
        assert!(!s.is_enabled(Rule::BlockingPathCall));
        assert!(s.is_enabled(Rule::BlockingHttpCall));
        s.select = vec!["LS2".into()];
        assert!(!s.is_enabled(Rule::TimeSleep));
    }

    #[test]
    fn helper_roots_follow_the_selection() {
        let mut s = Settings::defaults(".".into());
        s.ignore = vec!["LS5".into()];
        assert!(!s.is_root_enabled(Rule::OpenFile));
        assert!(s.is_root_enabled(Rule::BlockingHttpCall));
        s.select = vec!["LS901".into()];
        s.ignore = vec![];
        assert!(s.is_root_enabled(Rule::OpenFile));
        s.select = vec!["LS2".into(), "LS901".into()];
        assert!(!s.is_root_enabled(Rule::OpenFile));
        assert!(s.is_root_enabled(Rule::BlockingHttpCall));
    }

    #[test]
    fn user_rows_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "loopsafe.toml",
            "extend-blocking-calls = [{ call = \"mycorp.http.fetch\", category = \"network\" }, { call = \"mycorp.db.run\", code = \"LS601\" }]\n",
        );
        let s = load(&p).unwrap();
        assert_eq!(s.extend_blocking_calls.len(), 2);
        assert_eq!(s.extend_blocking_calls[0].rule, Rule::BlockingNetworkCall);
        assert_eq!(s.extend_blocking_calls[1].rule, Rule::SyncDatabaseCall);
    }

    #[test]
    fn user_rows_cost_by_category_unless_they_say_and_min_severity_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "loopsafe.toml",
            "min-severity = \"low\"\nextend-blocking-calls = [{ call = \"a.load\", category = \"filesystem\" }, { call = \"a.fetch\", category = \"network\" }, { call = \"a.stat\", category = \"filesystem\", cost = \"light\" }]\n",
        );
        let s = load(&p).unwrap();
        let costs: Vec<Cost> = s.extend_blocking_calls.iter().map(|r| r.cost).collect();
        assert_eq!(costs, [Cost::Data, Cost::Wait, Cost::Light]);
        assert_eq!(s.min_severity, Severity::Low);
        assert_eq!(
            Settings::defaults(".".into()).min_severity,
            Severity::Medium
        );
        let p = write(dir.path(), "loopsafe.toml", "min-severity = \"urgent\"\n");
        let e = load(&p).unwrap_err().to_string();
        assert!(e.contains("line 1") && e.contains("urgent"), "{e}");
        let p = write(
            dir.path(),
            "loopsafe.toml",
            "extend-blocking-calls = [{ call = \"a.b\", category = \"network\", cost = \"pricey\" }]\n",
        );
        let e = load(&p).unwrap_err().to_string();
        assert!(e.contains("pricey"), "{e}");
    }
}
