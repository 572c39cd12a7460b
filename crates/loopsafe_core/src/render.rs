//! Output formats. Each returns a string; printing is the caller's business.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde_json::{json, Value};

use crate::apply::ChangedFile;
use crate::check::CheckResult;
use crate::diagnostic::{Diagnostic, Hop, LineIndex, Location, Root};
use crate::fixer::{Applicability, Fix};
use crate::severity::Severity;

/// A path as the user should see it: relative to the working directory when below it.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let shown = path
        .strip_prefix(cwd)
        .or_else(|_| path.strip_prefix("./"))
        .unwrap_or(path);
    shown.display().to_string().replace('\\', "/")
}

/// One line index per file with findings, made once: a file with thousands of findings
/// would otherwise be scanned once per finding.
fn line_indexes(result: &CheckResult) -> HashMap<&Path, LineIndex<'_>> {
    result
        .sources
        .iter()
        .map(|(path, source)| (path.as_path(), LineIndex::new(source)))
        .collect()
}

fn loc(l: Location) -> Value {
    json!({"row": l.row, "column": l.column})
}

/// The JSON contract: a list of findings with ruff's field names.
pub fn json(result: &CheckResult, cwd: &Path) -> String {
    let indexes = line_indexes(result);
    let items = result.diagnostics.iter().map(|d| {
        let mut item = json!({
            "code": d.code(),
            "name": d.rule.name(),
            "message": d.message,
            "help": d.help,
            "filename": display_path(&d.path, cwd),
            "location": loc(d.location),
            "end_location": loc(d.end_location),
            "noqa_row": d.location.row,
            "fix": d.fix.as_ref().map(|f| {
                let index = indexes.get(d.path.as_path());
                json!({
                    "applicability": f.applicability.as_str(),
                    "message": f.message,
                    "edits": f.edits.iter().filter_map(|e| {
                        let index = index?;
                        Some(json!({
                            "content": e.content,
                            "location": loc(index.location(e.start)),
                            "end_location": loc(index.location(e.end)),
                        }))
                    }).collect::<Vec<_>>(),
                })
            }),
            "url": Value::Null,
            "api": d.api,
            "chain": d.chain.iter().map(|h| json!({
                "filename": display_path(&h.path, cwd),
                "row": h.location.row,
                "column": h.location.column,
                "function": h.function,
                "call": h.call,
            })).collect::<Vec<_>>(),
            "root": root_of(d).map(|r| json!({
                "filename": display_path(&r.path, cwd),
                "row": r.location.row,
                "column": r.location.column,
            })),
            "runs_once": d.runs_once,
            "severity": d.severity.as_str(),
            "cost": d.cost.as_str(),
            "frequency": d.frequency.as_str(),
            "conditional": d.conditional,
            "hotspot": d.hotspot.as_ref().map(|h| json!({
                "reach": h.reach,
                "entry_points": h.entry_points.iter().filter_map(|e| {
                    let ep = result.entry_points.iter().find(|p| p.function == e.function && p.kind == e.kind)?;
                    Some(json!({
                        "kind": e.kind.as_str(),
                        "name": ep.name,
                        "filename": display_path(&ep.path, cwd),
                        "row": ep.location.row,
                    }))
                }).collect::<Vec<_>>(),
            })),
        });
        // Only where a helper reaches more than one blocking API: findings without keep
        // the shape they had.
        if !d.other_sinks.is_empty() {
            item["other_sinks"] = json!(d.other_sinks);
        }
        if let Some(through) = &d.through {
            item["through"] = json!(display_path(through, cwd));
        }
        item
    });
    pretty(&Streamed::new(items))
}

/// A list serialized item by item as it is made: with tens of thousands of findings,
/// building every item's tree before writing any of them took gigabytes.
struct Streamed<I>(std::cell::Cell<Option<I>>);

impl<I> Streamed<I> {
    fn new(items: I) -> Self {
        Streamed(std::cell::Cell::new(Some(items)))
    }
}

impl<I: Iterator<Item = Value>> serde::Serialize for Streamed<I> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Serialized once: the list is written once.
        serializer.collect_seq(self.0.take().into_iter().flatten())
    }
}

/// Indented JSON with a final newline, as `serde_json::to_string_pretty` writes it.
fn pretty(value: &impl serde::Serialize) -> String {
    let mut out = serde_json::to_string_pretty(value).expect("JSON values serialize");
    out.push('\n');
    out
}

/// `path:row:col: CODE message`, one line each.
pub fn concise(result: &CheckResult, cwd: &Path) -> String {
    let mut out = String::new();
    for d in &result.diagnostics {
        out.push_str(&headline(d, cwd, false));
        out.push_str(&through_note(d, cwd));
        out.push('\n');
    }
    out
}

/// For a finding reported because its chain passes through a file that was checked
/// (`loopsafe check app/services/pricing.py`), which file: the finding itself is in
/// another one. Empty for the others.
pub fn through_note(d: &Diagnostic, cwd: &Path) -> String {
    match &d.through {
        Some(path) => format!(
            " (caused by `{}`: the chain passes through it)",
            display_path(path, cwd)
        ),
        None => String::new(),
    }
}

/// A message with its [`through_note`], for the formats that have no other place for it.
pub fn full_message(d: &Diagnostic, cwd: &Path) -> String {
    format!("{}{}", d.message, through_note(d, cwd))
}

fn headline(d: &Diagnostic, cwd: &Path, color: bool) -> String {
    let path = display_path(&d.path, cwd);
    if color {
        format!(
            "\x1b[1m{path}\x1b[0m\x1b[36m:\x1b[0m{}\x1b[36m:\x1b[0m{}\x1b[36m:\x1b[0m \x1b[1;31m{}\x1b[0m [{}] {}",
            d.location.row,
            d.location.column,
            d.code(),
            d.severity.as_str(),
            d.message
        )
    } else {
        format!(
            "{path}:{}:{}: {} [{}] {}",
            d.location.row,
            d.location.column,
            d.code(),
            d.severity.as_str(),
            d.message
        )
    }
}

/// Where a finding's cause is: the blocking call at the end of its chain, or the
/// finding itself for a call written directly in the coroutine.
pub fn root_of(d: &Diagnostic) -> Option<Root> {
    match &d.root {
        Some(r) => Some(r.clone()),
        None if d.api.is_some() => Some(Root {
            path: d.path.clone(),
            location: d.location,
        }),
        None => None,
    }
}

struct Style {
    blue: &'static str,
    red: &'static str,
    bold: &'static str,
    reset: &'static str,
}

/// How many call sites' chains the text output and the report show under one root cause:
/// one `time.sleep` in a constructor reached from 91 coroutines printed 91 chains, about
/// 400 lines that said one thing.
pub const SHOWN_CALL_SITES: usize = 3;

/// What the text output is asked to show.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// ANSI colours (a terminal).
    pub color: bool,
    /// Every call site's chain under a root cause, not only the worst
    /// [`SHOWN_CALL_SITES`] (`--show-all`).
    pub show_all: bool,
}

/// ruff-style full output: the headline, the source line with a caret span, the chain
/// one hop per line, the help. LS901 findings that share a root are shown once, the root
/// first and then the worst of its call sites.
pub fn text(result: &CheckResult, cwd: &Path, color: bool) -> String {
    text_with(
        result,
        cwd,
        TextOptions {
            color,
            show_all: false,
        },
    )
}

/// [`text`], with the choices of [`TextOptions`].
pub fn text_with(result: &CheckResult, cwd: &Path, options: TextOptions) -> String {
    let color = options.color;
    let style = if color {
        Style {
            blue: "\x1b[1;34m",
            red: "\x1b[1;31m",
            bold: "\x1b[1m",
            reset: "\x1b[0m",
        }
    } else {
        Style {
            blue: "",
            red: "",
            bold: "",
            reset: "",
        }
    };
    let mut callers: HashMap<&Root, Vec<&Diagnostic>> = HashMap::new();
    for d in &result.diagnostics {
        if let Some(root) = &d.root {
            callers.entry(root).or_default().push(d);
        }
    }
    let indexes = line_indexes(result);
    let mut out = String::new();
    let mut shown: HashSet<&Root> = HashSet::new();
    for d in &result.diagnostics {
        let group = d.root.as_ref().map(|r| (r, &callers[r]));
        match group {
            Some((root, group)) if group.len() > 1 => {
                if shown.insert(root) {
                    let shown = match options.show_all {
                        true => group.len(),
                        false => SHOWN_CALL_SITES,
                    };
                    grouped(&mut out, &indexes, (root, group, shown), cwd, color, &style);
                }
            }
            _ => single(&mut out, &indexes, d, cwd, color, &style),
        }
    }
    out
}

fn single(
    out: &mut String,
    indexes: &HashMap<&Path, LineIndex>,
    d: &Diagnostic,
    cwd: &Path,
    color: bool,
    style: &Style,
) {
    out.push_str(&headline(d, cwd, color));
    out.push('\n');
    let gutter = d.location.row.to_string().len();
    if let Some(index) = indexes.get(d.path.as_path()) {
        snippet(out, index, d.location, d.end_location, gutter, style);
    }
    let pad = " ".repeat(gutter);
    hops(out, &d.chain, &pad, "chain:", "", cwd);
    if let Some(through) = &d.through {
        out.push_str(&format!(
            "{pad} = caused by your change in `{}`: the chain passes through it\n",
            display_path(through, cwd)
        ));
    }
    out.push_str(&format!("{pad} = help: {}\n", d.help));
    if let Some(f) = &d.fix {
        out.push_str(&format!("{pad} = {}\n", fix_line(f)));
    }
    out.push('\n');
}

fn grouped(
    out: &mut String,
    indexes: &HashMap<&Path, LineIndex>,
    (root, group, shown): (&Root, &[&Diagnostic], usize),
    cwd: &Path,
    color: bool,
    style: &Style,
) {
    let first = group[0];
    let last = first.chain.last().expect("an LS901 finding has a chain");
    let api = first.api.as_deref().unwrap_or(&last.call);
    let api = api.strip_prefix("builtins.").unwrap_or(api);
    let once = group.iter().all(|d| d.runs_once);
    let conditional = group.iter().all(|d| d.conditional);
    let path = display_path(&root.path, cwd);
    let (bold, red, reset) = (style.bold, style.red, style.reset);
    // A loop or a `with` block blocks in a dunder it calls without naming it.
    let what = crate::diagnostic::implied_phrase(api).unwrap_or_else(|| format!("call `{api}()`"));
    let severity = group.iter().map(|d| d.severity).max().unwrap_or_default();
    let title = format!(
        "[{}] Blocking {what} reached from {} async call sites through helpers{}",
        severity.as_str(),
        group.len(),
        match (once, conditional) {
            (true, true) => " (first call only; on some requests only: behind a condition)",
            (true, false) => " (first call only)",
            (false, true) => " (on some requests only: behind a condition)",
            (false, false) => "",
        }
    );
    if color {
        out.push_str(&format!(
            "{bold}{path}{reset}:{}:{}: {red}LS901{reset} {title}\n",
            root.location.row, root.location.column
        ));
    } else {
        out.push_str(&format!(
            "{path}:{}:{}: LS901 {title}\n",
            root.location.row, root.location.column
        ));
    }
    let gutter = root.location.row.to_string().len().max(
        group
            .iter()
            .map(|d| d.location.row.to_string().len())
            .max()
            .unwrap_or(1),
    );
    if let Some(index) = indexes.get(root.path.as_path()) {
        snippet(out, index, root.location, last.end_location, gutter, style);
    }
    let pad = " ".repeat(gutter);
    let hidden = group.len().saturating_sub(shown);
    out.push_str(&format!(
        "{pad} = 1 root cause, {} call sites{}:\n",
        group.len(),
        if hidden > 0 {
            format!(" (the worst {shown})")
        } else {
            String::new()
        }
    ));
    for (i, d) in group.iter().take(shown).enumerate() {
        let note = match (d.runs_once && !once, d.conditional && !conditional) {
            (true, true) => "  (first call only; on some requests only)",
            (true, false) => "  (first call only)",
            (false, true) => "  (on some requests only)",
            (false, false) => "",
        };
        let note = match &d.through {
            Some(path) => format!(
                "{note}  (caused by your change in `{}`)",
                display_path(path, cwd)
            ),
            None => note.to_string(),
        };
        hops(out, &d.chain, &pad, &format!("{}.", i + 1), &note, cwd);
    }
    if hidden > 0 {
        out.push_str(&format!(
            "{pad} = … and {hidden} more call site{} (`--show-all`, or the JSON)\n",
            plural(hidden)
        ));
    }
    out.push_str(&format!("{pad} = help: {}\n\n", first.help));
}

fn fix_line(f: &Fix) -> String {
    match f.applicability {
        Applicability::Safe => format!("fix: {} (safe: `--fix`)", f.message),
        Applicability::Unsafe => format!("fix: {} (unsafe: `--fix --unsafe-fixes`)", f.message),
        Applicability::DisplayOnly => format!("suggestion: {}", f.message),
    }
}

/// SARIF 2.1.0, for code-scanning dashboards: one rule entry per code with its help,
/// one result per finding, the chain as a code flow, fixes as SARIF fixes.
pub fn sarif(result: &CheckResult, cwd: &Path) -> String {
    let rules: Vec<Value> = crate::rules::RULES
        .iter()
        .map(|info| {
            json!({
                "id": info.code,
                "name": info.name,
                "shortDescription": {"text": info.title},
                "fullDescription": {"text": info.doc.what},
                "help": {
                    "text": format!("{}\n\nWhy: {}", info.help, info.doc.why),
                    "markdown": crate::catalogue::docs::render_doc(info),
                },
                "defaultConfiguration": {"level": if info.rule == crate::rules::Rule::SyntaxError { "error" } else { "warning" }},
            })
        })
        .collect();
    let index_of = |code: &str| crate::rules::RULES.iter().position(|r| r.code == code);
    let indexes = line_indexes(result);
    let region = |start: Location, end: Location| {
        json!({
            "startLine": start.row,
            "startColumn": start.column,
            "endLine": end.row,
            "endColumn": end.column,
        })
    };
    let results = result.diagnostics.iter().map(|d| {
        let uri = display_path(&d.path, cwd);
        let mut r = json!({
            "ruleId": d.code(),
            "ruleIndex": index_of(d.code()),
            "level": match d.severity {
                Severity::High => "error",
                Severity::Medium => "warning",
                Severity::Low => "note",
            },
            "message": {"text": full_message(d, cwd)},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": region(d.location, d.end_location),
                }
            }],
        });
        if !d.chain.is_empty() {
            r["codeFlows"] = json!([{
                "threadFlows": [{
                    "locations": d.chain.iter().map(|h| json!({
                        "location": {
                            "physicalLocation": {
                                "artifactLocation": {"uri": display_path(&h.path, cwd)},
                                "region": {"startLine": h.location.row, "startColumn": h.location.column},
                            },
                            "message": {"text": format!("`{}` {}", h.function, h.action())},
                        }
                    })).collect::<Vec<_>>(),
                }]
            }]);
        }
        if let (Some(f), Some(index)) = (&d.fix, indexes.get(d.path.as_path())) {
            if f.applicability != Applicability::DisplayOnly {
                r["fixes"] = json!([{
                    "description": {"text": format!("{} ({})", f.message, f.applicability.as_str())},
                    "artifactChanges": [{
                        "artifactLocation": {"uri": display_path(&d.path, cwd)},
                        "replacements": f.edits.iter().map(|e| json!({
                            "deletedRegion": region(index.location(e.start), index.location(e.end)),
                            "insertedContent": {"text": e.content},
                        })).collect::<Vec<_>>(),
                    }],
                }]);
            }
        }
        r
    });
    // Fields in the order a JSON object's keys are written (sorted), as before the
    // results were streamed.
    #[derive(serde::Serialize)]
    struct Doc<R> {
        #[serde(rename = "$schema")]
        schema: &'static str,
        runs: [Run<R>; 1],
        version: &'static str,
    }
    #[derive(serde::Serialize)]
    struct Run<R> {
        results: R,
        tool: Value,
    }
    pretty(&Doc {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        runs: [Run {
            results: Streamed::new(results),
            tool: json!({
                "driver": {
                    "name": "loopsafe",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            }),
        }],
        version: "2.1.0",
    })
}

/// GitHub Actions workflow commands: one `::warning` annotation per finding.
pub fn github(result: &CheckResult, cwd: &Path) -> String {
    // Property values escape `%`, CR, LF, `:` and `,`; messages only the first three.
    fn data(s: &str) -> String {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    }
    fn property(s: &str) -> String {
        data(s).replace(':', "%3A").replace(',', "%2C")
    }
    let mut out = String::new();
    for d in &result.diagnostics {
        let level = match d.severity {
            Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low => "notice",
        };
        out.push_str(&format!(
            "::{level} title={},file={},line={},col={},endLine={},endColumn={}::{}\n",
            property(&format!("loopsafe ({})", d.code())),
            property(&display_path(&d.path, cwd)),
            d.location.row,
            d.location.column,
            d.end_location.row,
            d.end_location.column,
            data(&format!("{} {}", d.code(), full_message(d, cwd))),
        ));
    }
    out
}

/// Sorts findings worst first: those that block on every call before those that block
/// on the first only, then by how many routes run them, then by the kind of entry point
/// above them (middleware first), then by place.
pub fn sort_by_reach(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(reach_order);
}

/// The order of [`sort_by_reach`].
pub fn reach_order(a: &Diagnostic, b: &Diagnostic) -> std::cmp::Ordering {
    let key = |d: &Diagnostic| {
        let reach = d.hotspot.as_ref().map(|h| h.reach).unwrap_or(0);
        let kind = d
            .hotspot
            .as_ref()
            .and_then(|h| h.entry_points.iter().map(|e| e.kind).min());
        // Blocking on the first call only is the lesser evil, whatever its reach; on some
        // requests only, lesser than on every one.
        let once = d.frequency == crate::severity::Frequency::Once;
        (
            once,
            d.conditional,
            std::cmp::Reverse(reach),
            kind.is_none(),
            kind,
        )
    };
    key(a)
        .cmp(&key(b))
        .then_with(|| (&a.path, a.location).cmp(&(&b.path, b.location)))
}

/// Sorts findings worst first by severity, then as [`sort_by_reach`] does (those that
/// run on every call first, then by reach).
pub fn sort_by_severity(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(severity_order);
}

/// The order of [`sort_by_severity`].
pub fn severity_order(a: &Diagnostic, b: &Diagnostic) -> std::cmp::Ordering {
    b.severity.cmp(&a.severity).then_with(|| reach_order(a, b))
}

/// A unified diff of every changed file, as `--diff` prints it.
pub fn diff(changed: &[ChangedFile], cwd: &Path) -> String {
    let mut out = String::new();
    for file in changed {
        let path = display_path(&file.path, cwd);
        let diff = similar::TextDiff::from_lines(&file.original, &file.fixed);
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{path}"), &format!("b/{path}"))
                .to_string(),
        );
    }
    out
}

/// One line per hop: which function calls what, where. The last hop is the blocking call.
fn hops(out: &mut String, chain: &[Hop], pad: &str, label: &str, note: &str, cwd: &Path) {
    let indent = " ".repeat(label.chars().count());
    for (i, hop) in chain.iter().enumerate() {
        out.push_str(&format!(
            "{pad} = {} `{}` {} at {}:{}:{}{}{}\n",
            if i == 0 { label } else { &indent },
            hop.function,
            hop.action(),
            display_path(&hop.path, cwd),
            hop.location.row,
            hop.location.column,
            if i + 1 == chain.len() {
                "  <- blocks"
            } else {
                ""
            },
            if i == 0 { note } else { "" }
        ));
    }
}

/// The source line with carets from `at` to `end` (to the line's end when the span runs
/// on to another line).
fn snippet(
    out: &mut String,
    index: &LineIndex,
    at: Location,
    end: Location,
    gutter: usize,
    style: &Style,
) {
    let line = index.line(at.row);
    let pad = " ".repeat(gutter);
    let start = at.column as usize - 1;
    let width = match end.row == at.row {
        true => (end.column as usize).saturating_sub(at.column as usize),
        false => usize::MAX,
    };
    let width = width.min(line.chars().count().saturating_sub(start)).max(1);
    let carets = "^".repeat(width);
    let (blue, red, reset) = (style.blue, style.red, style.reset);
    out.push_str(&format!("{blue}{pad} |{reset}\n"));
    out.push_str(&format!(
        "{blue}{:>gutter$} |{reset} {}\n",
        at.row,
        line.replace('\t', " ")
    ));
    out.push_str(&format!(
        "{blue}{pad} |{reset} {}{red}{carets}{reset}\n",
        " ".repeat(start)
    ));
    out.push_str(&format!("{blue}{pad} |{reset}\n"));
}

/// How many root causes the findings have: the blocking calls that helpers make
/// reachable from several call sites count once, as the text output and the report
/// show them (one group, one section); every other finding is its own.
pub fn root_causes<'d>(diagnostics: impl IntoIterator<Item = &'d Diagnostic>) -> usize {
    let mut roots: HashSet<&Root> = HashSet::new();
    let mut alone = 0;
    for d in diagnostics {
        match &d.root {
            Some(root) => {
                roots.insert(root);
            }
            None if d.rule != crate::rules::Rule::SyntaxError => alone += 1,
            None => {}
        }
    }
    roots.len() + alone
}

/// The closing line of text and concise output.
pub fn summary(result: &CheckResult) -> String {
    let n = result.diagnostics.len();
    let files = {
        let mut paths: Vec<_> = result.diagnostics.iter().map(|d| &d.path).collect();
        paths.sort();
        paths.dedup();
        paths.len()
    };
    let roots = root_causes(&result.diagnostics);
    let causes = if roots > 0 && roots < n {
        format!(" ({roots} root cause{})", plural(roots))
    } else {
        String::new()
    };
    let line = match (n, result.below_min_severity) {
        (0, 0) => format!(
            "All checks passed: no blocking calls found on the event loop ({} file{} checked).",
            result.files_checked,
            plural(result.files_checked)
        ),
        // Something was found, only none of it is shown: "no blocking calls" would be
        // untrue.
        (0, _) => format!(
            "No blocking call of {} severity found on the event loop ({} file{} checked).",
            match result.min_severity {
                Severity::High => "high",
                Severity::Medium | Severity::Low => "high or medium",
            },
            result.files_checked,
            plural(result.files_checked)
        ),
        _ => format!(
            "Found {n} blocking call{} on the event loop{causes} in {files} file{} ({} file{} checked).",
            plural(n),
            plural(files),
            result.files_checked,
            plural(result.files_checked)
        ),
    };
    let line = match &result.packages {
        Some(packages) => format!("{line}\n{}", packages_line(packages)),
        None => line,
    };
    match result.below_min_severity {
        0 => line,
        hidden => {
            let which = match result.min_severity {
                Severity::High => "low- or medium-severity",
                Severity::Medium | Severity::Low => "low-severity",
            };
            format!(
                "{line}\n{hidden} {which} finding{} not shown (`--min-severity low` to see them).",
                plural(hidden)
            )
        }
    }
}

/// What following the installed packages did, in a sentence.
fn packages_line(p: &crate::packages::PackagesReport) -> String {
    let n = p.followed.len();
    let mut line = format!(
        "Followed calls into {n} installed package{} ({} module{}",
        plural(n),
        p.modules,
        plural(p.modules)
    );
    if p.from_cache > 0 {
        line.push_str(&format!(", {} from the package cache", p.from_cache));
    }
    line.push_str(&format!(") in {}", p.environment.display()));
    let mut skipped = vec![];
    if !p.compiled_only.is_empty() {
        skipped.push(format!("{} (compiled only)", p.compiled_only.join(", ")));
    }
    if !p.over_budget.is_empty() {
        skipped.push(format!(
            "part of {} (too large: at most {} modules each)",
            p.over_budget.join(", "),
            crate::packages::MAX_MODULES_PER_PACKAGE
        ));
    }
    if p.unreadable > 0 {
        skipped.push(format!(
            "{} file{} that could not be read or parsed",
            p.unreadable,
            plural(p.unreadable)
        ));
    }
    if !skipped.is_empty() {
        line.push_str(&format!("; not read: {}", skipped.join("; ")));
    }
    line.push('.');
    line
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
