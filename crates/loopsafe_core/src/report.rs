//! `loopsafe report`: the write-up a careful engineer produces after a hunt, in the shape
//! of one: a summary, one section per root cause (worst first) with Before/After, why it was
//! a problem and how it is fixed, then the blocking calls that are acceptable and why,
//! and the files the fixes change. It states no figure it did not measure.

use std::collections::BTreeMap;
use std::path::Path;

use crate::apply::ChangedFile;
use crate::catalogue::Cost;
use crate::check::CheckResult;
use crate::diagnostic::{quote_api, Diagnostic, EntryPoint, LineIndex};
use crate::fixer::{Applicability, Edit};
use crate::frameworks::EntryKind;
use crate::notes::Note;
use crate::off_loop::Reason;
use crate::render::display_path;
use crate::rules::Rule;
use crate::severity::Frequency;

/// Measured figures from `loopsafe probe`, before and after the fixes.
#[derive(Debug, Clone, Default)]
pub struct Impact {
    /// Rows of (what, before, after), already formatted.
    pub rows: Vec<(String, String, String)>,
    /// Where and how they were measured.
    pub setting: String,
    /// Where the loop stalled, sampled by the probe's watchdog, the costliest site
    /// first; `None` when the loop was not watched.
    pub stalls: Option<Vec<StallRow>>,
    /// An image of the canary's latency over time, before and after, as the report links it.
    pub chart: Option<String>,
}

/// One stall site of the measured table, already formatted.
#[derive(Debug, Clone, Default)]
pub struct StallRow {
    /// `app/middleware/tenant.py:73` in `TenantMiddleware._lookup_org`
    pub site: String,
    pub library_call: String,
    /// Stalled time and count before the fixes, and after.
    pub before: String,
    pub after: String,
    /// `LS201`, or that the check did not find it.
    pub finding: String,
}

pub struct ReportInput<'a> {
    pub result: &'a CheckResult,
    /// What `--fix --unsafe-fixes` would change.
    pub changed: &'a [ChangedFile],
    pub cwd: &'a Path,
    pub title: &'a str,
    pub date: &'a str,
    pub impact: Option<&'a Impact>,
}

pub fn markdown(input: &ReportInput) -> String {
    let result = input.result;
    let cwd = input.cwd;
    let mut hotspots: Vec<&Diagnostic> = result
        .diagnostics
        .iter()
        .filter(|d| d.rule != Rule::SyntaxError)
        .collect();
    hotspots.sort_by(|a, b| crate::render::severity_order(a, b));

    let mut out = String::new();
    out.push_str(&format!(
        "# Blocking calls on the event loop: {}\n\n",
        input.title
    ));
    out.push_str(&format!("**Date**: {}  \n", input.date));
    out.push_str(&format!(
        "**Checked**: {} Python files with loopsafe {}  \n",
        result.files_checked,
        env!("CARGO_PKG_VERSION")
    ));
    if result.routes > 0 {
        out.push_str(&format!(
            "**Entry points**: {} routes; {} functions the frameworks run on the event loop\n",
            result.routes,
            result.entry_points.len()
        ));
    }
    // One section a root cause, as the text output groups them: the call sites that
    // reach one blocking call through helpers are one section.
    let mut sections: Vec<Vec<&Diagnostic>> = vec![];
    let mut by_root: BTreeMap<(&Path, u32, u32), usize> = BTreeMap::new();
    for d in &hotspots {
        match &d.root {
            Some(root) => {
                let key = (root.path.as_path(), root.location.row, root.location.column);
                match by_root.get(&key) {
                    Some(&i) => sections[i].push(d),
                    None => {
                        by_root.insert(key, sections.len());
                        sections.push(vec![d]);
                    }
                }
            }
            None => sections.push(vec![d]),
        }
    }
    out.push_str("\n---\n\n## Summary\n\n");
    if hotspots.is_empty() {
        out.push_str("No blocking call runs on the event loop.\n\n");
    } else {
        summary(&mut out, &hotspots, &sections, result);
    }
    out.push_str("---\n\n");
    if !hotspots.is_empty() {
        out.push_str(
            "## Root causes\n\nOne section per blocking call, with the call sites that reach it. Worst first: by severity (what one call costs the loop, times how often it runs), then the more requests run it, the higher it is; those that block on the first call only come last.\n\n",
        );
    }
    for (i, group) in sections.iter().enumerate() {
        hotspot(&mut out, i + 1, group, result, cwd);
    }
    impact(&mut out, input.impact, &hotspots);
    notes(&mut out, &result.notes, cwd);
    out.push_str("## Files changed\n\n");
    if input.changed.is_empty() {
        out.push_str("None: no fix can be applied automatically.\n");
    } else {
        out.push_str("What `loopsafe check --fix --unsafe-fixes` changes:\n\n");
        for file in input.changed {
            let diff = similar::TextDiff::from_lines(&file.original, &file.fixed);
            let (mut added, mut removed) = (0, 0);
            for change in diff.iter_all_changes() {
                match change.tag() {
                    similar::ChangeTag::Insert => added += 1,
                    similar::ChangeTag::Delete => removed += 1,
                    similar::ChangeTag::Equal => {}
                }
            }
            out.push_str(&format!(
                "- `{}` (+{added} −{removed} lines)\n",
                display_path(&file.path, cwd)
            ));
        }
    }
    out
}

/// The counts, the same as the text output's closing line, and the root causes alike
/// counted together.
fn summary(
    out: &mut String,
    hotspots: &[&Diagnostic],
    sections: &[Vec<&Diagnostic>],
    result: &CheckResult,
) {
    let files = {
        let mut paths: Vec<&Path> = hotspots.iter().map(|d| d.path.as_path()).collect();
        paths.sort();
        paths.dedup();
        paths.len()
    };
    out.push_str(&format!(
        "Found **{} blocking call{}** on the event loop (**{} root cause{}**) in {files} file{}:\n",
        hotspots.len(),
        plural(hotspots.len()),
        sections.len(),
        plural(sections.len()),
        plural(files)
    ));
    // Alike root causes counted together, in the order they first appear.
    let mut groups: Vec<(String, usize, usize)> = vec![];
    for section in sections {
        let line = summary_line(section[0], result);
        match groups.iter_mut().find(|(l, _, _)| *l == line) {
            Some((_, roots, sites)) => {
                *roots += 1;
                *sites += section.len();
            }
            None => groups.push((line, 1, section.len())),
        }
    }
    for (line, roots, sites) in groups {
        let sites = match sites > roots {
            true => format!(" ({sites} call sites)"),
            false => String::new(),
        };
        out.push_str(&format!("- {roots}x {line}{sites}\n"));
    }
    let fixable: Vec<&&Diagnostic> = hotspots
        .iter()
        .filter(|d| fix_kind(d) != Applicability::DisplayOnly)
        .collect();
    let safe = fixable
        .iter()
        .filter(|d| fix_kind(d) == Applicability::Safe)
        .count();
    out.push_str(&format!(
        "\n`loopsafe check --fix --unsafe-fixes` fixes {} of them ({} with safe fixes, applied by `--fix` alone){}.\n\n",
        fixable.len(),
        safe,
        if fixable.len() < hotspots.len() {
            "; the others need a hand, as suggested below"
        } else {
            ""
        }
    ));
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn fix_kind(d: &Diagnostic) -> Applicability {
    d.fix
        .as_ref()
        .map(|f| f.applicability)
        .unwrap_or(Applicability::DisplayOnly)
}

/// `requests.get()`, or the helper for LS901.
fn what(d: &Diagnostic) -> String {
    let api = d.api.as_deref().unwrap_or("?");
    let api = api.strip_prefix("builtins.").unwrap_or(api);
    match d.chain.first() {
        Some(hop) => format!("{} (reaches {})", hop.quoted(), quote_api(api)),
        None => quote_api(api),
    }
}

/// The worst entry point above a finding.
fn top_entry<'r>(d: &Diagnostic, result: &'r CheckResult) -> Option<&'r EntryPoint> {
    let h = d.hotspot.as_ref()?;
    let e = h.entry_points.iter().min_by_key(|e| e.kind)?;
    result
        .entry_points
        .iter()
        .find(|p| p.function == e.function && p.kind == e.kind)
}

fn summary_line(d: &Diagnostic, result: &CheckResult) -> String {
    // Sanic, Tornado and Litestar also run sync handlers on the loop.
    let kind = if d.in_sync_function { "sync" } else { "async" };
    let place = match top_entry(d, result) {
        Some(e) => match e.kind {
            EntryKind::Middleware => format!(
                "in {kind} middleware (`{}`): {} through it",
                class_of(&e.name),
                every(d, "every request", "some requests")
            ),
            EntryKind::Dependency => format!("in a {kind} dependency"),
            EntryKind::Route => format!("in {kind} route handlers"),
            EntryKind::Startup => "at startup".to_string(),
            EntryKind::Shutdown => "at shutdown".to_string(),
            EntryKind::ExceptionHandler => "in an exception handler".to_string(),
            EntryKind::Background => format!("in a {kind} background task"),
        },
        None => format!("in {kind} functions"),
    };
    if d.rule == Rule::BlockingCallThroughHelper {
        let place = place.replacen("in ", "from ", 1);
        format!("blocking calls through sync helpers {place}")
    } else {
        format!("{} {place}", what(d))
    }
}

/// How many requests run a finding: `every` unless it is behind a condition.
fn every<'w>(d: &Diagnostic, every: &'w str, some: &'w str) -> &'w str {
    if d.conditional {
        some
    } else {
        every
    }
}

fn class_of(qualname: &str) -> &str {
    qualname.split('.').next().unwrap_or(qualname)
}

/// One section: a finding, or the callers of one blocking call through helpers (the
/// first, reached from the most requests, stands for the others).
fn hotspot(out: &mut String, n: usize, group: &[&Diagnostic], result: &CheckResult, cwd: &Path) {
    let d = group[0];
    let path = display_path(&d.path, cwd);
    if group.len() > 1 {
        let last = d.chain.last().expect("LS901 findings have chains");
        let api = d.api.as_deref().unwrap_or(&last.call);
        let api = api.strip_prefix("builtins.").unwrap_or(api);
        out.push_str(&format!(
            "### {n}. `{}:{}`: `{api}()` reached from {} async call sites through helpers\n\n",
            display_path(&last.path, cwd),
            last.location.row,
            group.len()
        ));
        let shown = crate::render::SHOWN_CALL_SITES;
        out.push_str(&format!(
            "One root cause, {} call sites{}:\n\n",
            group.len(),
            if group.len() > shown {
                format!(" (the worst {shown})")
            } else {
                String::new()
            }
        ));
        for c in group.iter().take(shown) {
            let chain: Vec<String> = c
                .chain
                .iter()
                .map(|h| format!("`{}`", h.function))
                .collect();
            out.push_str(&format!(
                "- `{}:{}`: {}{}\n",
                display_path(&c.path, cwd),
                c.location.row,
                chain.join(" → "),
                match (c.runs_once, c.conditional) {
                    (true, true) => " (first call only; on some requests only)",
                    (true, false) => " (first call only)",
                    (false, true) => " (on some requests only)",
                    (false, false) => "",
                }
            ));
        }
        if group.len() > shown {
            let more = group.len() - shown;
            out.push_str(&format!(
                "- … and {more} more call site{} (`loopsafe check --show-all`, or `--output-format json`)\n",
                plural(more)
            ));
        }
        out.push_str(&format!(
            "\nThe worst call site, `{path}:{}`:\n\n",
            d.location.row
        ));
    }
    let function = &d.function;
    if group.len() == 1 {
        out.push_str(&format!(
            "### {n}. `{path}:{}`: {} in `{function}`\n\n",
            d.location.row,
            what(d)
        ));
    }
    let source = result.sources.get(&d.path);
    out.push_str(&format!(
        "**Severity**: {} ({}, {}{})\n\n",
        d.severity.as_str(),
        cost_words(d.cost),
        match d.frequency {
            Frequency::Once => "once",
            Frequency::PerRequest => "each time it is reached",
        },
        if d.conditional {
            ", on some requests"
        } else {
            ""
        }
    ));
    out.push_str(&format!(
        "**Reached from**: {}\n\n",
        reach_text(d, result, cwd)
    ));
    if let Some(source) = source {
        let (before, after) = before_after(source, d);
        out.push_str(&format!("**Before**:\n```python\n{before}```\n\n"));
        out.push_str(&format!("**After**:\n```python\n{after}```\n\n"));
    }
    out.push_str("**Why it was a problem**:\n");
    for reason in why(d, result) {
        out.push_str(&format!("- {reason}\n"));
    }
    out.push_str("\n**How it is fixed**:\n");
    for step in how(d, source.map(String::as_str)) {
        out.push_str(&format!("- {step}\n"));
    }
    out.push_str("\n---\n\n");
}

/// What one call of a cost does to the loop, in words.
fn cost_words(cost: Cost) -> &'static str {
    match cost {
        Cost::Wait => "an unbounded wait",
        Cost::Slow => "a fixed cost of tens of milliseconds or more",
        Cost::Data => "work proportional to the data",
        Cost::Light => "a quick metadata call",
        Cost::None => "no disk access",
    }
}

fn reach_text(d: &Diagnostic, result: &CheckResult, cwd: &Path) -> String {
    let Some(h) = &d.hotspot else {
        return "no framework entry point was detected in this project".into();
    };
    let Some(e) = top_entry(d, result) else {
        return "no route, middleware or startup handler reaches it: it runs when other code awaits it".into();
    };
    let at = format!("`{}:{}`", display_path(&e.path, cwd), e.location.row);
    match e.kind {
        EntryKind::Middleware => {
            let who = if mentions_authorization(e, result) {
                every(
                    d,
                    "every authenticated request",
                    "some authenticated requests",
                )
            } else {
                every(d, "every request", "some requests")
            };
            format!(
                "middleware `{}` ({at}): {who}, on all {} routes of the app",
                e.name, h.reach
            )
        }
        EntryKind::Dependency => format!(
            "dependency `{}` ({at}): {} to the {} route{} that use{} it",
            e.name,
            every(d, "every request", "some requests"),
            h.reach,
            plural(h.reach),
            if h.reach == 1 { "s" } else { "" }
        ),
        EntryKind::Route => {
            let decorator = decorator_line(e, result);
            format!(
                "route `{}` ({at}{}): {} to it",
                e.name,
                decorator.map(|d| format!(", `{d}`")).unwrap_or_default(),
                every(d, "every request", "some requests")
            )
        }
        EntryKind::Startup => format!(
            "startup handler `{}` ({at}): once, when the app starts",
            e.name
        ),
        EntryKind::Shutdown => format!(
            "shutdown handler `{}` ({at}): once, when the app stops",
            e.name
        ),
        EntryKind::Background => format!(
            "background task `{}` ({at}): each time round its loop, for as long as the app runs",
            e.name
        ),
        EntryKind::ExceptionHandler => format!(
            "exception handler `{}` ({at}): {} that raise{} what it handles",
            e.name,
            every(d, "every request", "some requests"),
            if d.conditional { "" } else { "s" }
        ),
    }
}

fn entry_source(e: &EntryPoint, result: &CheckResult) -> Option<String> {
    result
        .sources
        .get(&e.path)
        .cloned()
        .or_else(|| crate::source::read_source(&e.path).ok())
}

/// The line a route is declared on: `@router.post("/calls/completed")`.
fn decorator_line(e: &EntryPoint, result: &CheckResult) -> Option<String> {
    let source = entry_source(e, result)?;
    let index = LineIndex::new(&source);
    let line = index.line(e.location.row).trim().to_string();
    line.starts_with('@').then_some(line)
}

/// A middleware that reads the `Authorization` header runs for authenticated requests.
fn mentions_authorization(e: &EntryPoint, result: &CheckResult) -> bool {
    entry_source(e, result).is_some_and(|s| {
        let s = s.to_lowercase();
        s.contains("\"authorization\"") || s.contains("'authorization'")
    })
}

fn why(d: &Diagnostic, result: &CheckResult) -> Vec<String> {
    let mut out = vec![];
    let api = d.api.as_deref().unwrap_or("");
    let written = result
        .sources
        .get(&d.path)
        .and_then(|s| s.get(d.span.start as usize..d.span.end as usize))
        .unwrap_or(api);
    match d.rule {
        Rule::RunUntilComplete => out.push(format!(
            "`{written}()` runs the event loop that is already running here: it raises `RuntimeError` (\"This event loop is already running\") on every call, so this code fails every time."
        )),
        Rule::AsyncioRun => out.push(format!(
            "`{written}()` starts an event loop, and one is already running here: it raises `RuntimeError` (\"cannot be called from a running event loop\") on every call, so this code fails every time, and the coroutine it was given is never awaited."
        )),
        Rule::BlockingCallThroughHelper => {
            let chain: Vec<String> = d.chain.iter().map(|h| format!("`{}`", h.function)).collect();
            out.push(format!(
                "The helper is sync: {} runs {} on the event loop's thread, and nothing else runs until it returns. Moving a blocking call into a helper does not move it off the loop.",
                chain.join(" → "),
                quote_api(api)
            ));
            if d.runs_once {
                out.push("It blocks on the first call only: a cached function or a one-time set-up (`if self._client is None: self._client = ...`) is on the way.".into());
            }
        }
        _ => out.push(d.rule.info().doc.why.to_string()),
    }
    if d.conditional {
        out.push("It blocks on some requests only: the call, or a call on the way to it, is behind a condition (an `if`, an `except`, a `match` case, `x and f()`...). Requests that do not meet the condition do not block here.".into());
    }
    if let Some(e) = top_entry(d, result) {
        let h = d
            .hotspot
            .as_ref()
            .expect("an entry point comes with a hotspot");
        let line = match e.kind {
            EntryKind::Middleware if d.conditional => format!(
                "This middleware runs for the app's {} routes, and reaches this call on **some requests only**: each time it does, one slow call here delays all the requests the process is serving, not just this one.",
                h.reach
            ),
            EntryKind::Middleware => format!(
                "This middleware runs on **every request** to the app ({} routes): one slow call here delays every request the process is serving, not just this one.",
                h.reach
            ),
            EntryKind::Dependency => format!(
                "A dependency runs before each of the {} route{} that use{} it.",
                h.reach,
                plural(h.reach),
                if h.reach == 1 { "s" } else { "" }
            ),
            EntryKind::Route => format!(
                "It runs on {} to `{}`{}.",
                every(d, "every request", "some requests"),
                e.name,
                decorator_line(e, result)
                    .map(|d| format!(" (`{d}`)"))
                    .unwrap_or_default()
            ),
            EntryKind::Startup => "It runs once, at startup: the app serves nothing until it returns.".into(),
            EntryKind::Shutdown => "It runs once, as the app stops: the requests are done by then.".into(),
            EntryKind::Background => "It runs in a background task, each time round its loop: every request in flight then waits.".into(),
            EntryKind::ExceptionHandler => "It runs whenever a request fails this way, when the service is already in trouble.".into(),
        };
        out.push(line);
    }
    out
}

fn how(d: &Diagnostic, source: Option<&str>) -> Vec<String> {
    if d.in_sync_function {
        let function = &d.function;
        return vec![format!(
            "Make `{function}` an `async def` (the framework runs both kinds), then: {}",
            d.help
        )];
    }
    let Some(f) = &d.fix else {
        return vec![d.help.clone()];
    };
    let mut out = vec![];
    match f.applicability {
        Applicability::Safe => out.push(format!(
            "{} (a safe fix: `loopsafe check --fix`).",
            f.message
        )),
        Applicability::Unsafe => out.push(format!(
            "{} (an unsafe fix: `loopsafe check --fix --unsafe-fixes`; review it).",
            f.message
        )),
        Applicability::DisplayOnly => {
            out.push(format!("By hand: {}.", f.message.trim_end_matches('.')));
            return out;
        }
    }
    let start = line_start(source.unwrap_or(""), d.span.start);
    for e in &f.edits {
        if e.start >= start {
            continue;
        }
        let added = e.content.trim();
        if let Some(module) = added.strip_prefix("import ") {
            out.push(format!("Adds `import {module}`."));
        } else if let Some(line) = added.lines().find(|l| l.contains("= httpx.AsyncClient(")) {
            out.push(format!(
                "Adds one client for the module, `{}`, built once: building an `httpx.AsyncClient` loads the CA bundle, tens of milliseconds of CPU that a client per call would spend on the event loop for every request.",
                line.trim()
            ));
        }
    }
    match d.rule {
        Rule::AsyncioRun | Rule::RunUntilComplete => out.push("Removes `import asyncio` when nothing else uses it.".into()),
        Rule::BlockingHttpCall => out.push("Removes `import requests` when nothing else uses it; `requests` follows redirects, so the client does too.".into()),
        _ => {}
    }
    out
}

fn line_start(source: &str, offset: u32) -> u32 {
    crate::line_index::line_start(source, offset as usize) as u32
}

/// The lines of the finding, and the same lines as the fix leaves them (or, for a
/// suggestion, the suggestion as a comment).
fn before_after(source: &str, d: &Diagnostic) -> (String, String) {
    let start = line_start(source, d.span.start);
    let local: Vec<&Edit> = d
        .fix
        .iter()
        .flat_map(|f| &f.edits)
        .filter(|e| e.start >= start)
        .collect();
    let end = d
        .call_span
        .end
        .max(d.span.end)
        .max(local.iter().map(|e| e.end).max().unwrap_or(0)) as usize;
    let end = crate::line_index::line_end(source, end);
    // Only edits close to the call: the `except` clauses of its `try`, not code far away.
    let end = end.min(nth_line_end(source, start as usize, 40));
    let local: Vec<&Edit> = local
        .into_iter()
        .filter(|e| (e.end as usize) <= end)
        .collect();
    let before = &source[start as usize..end];
    let after = match &d.fix {
        Some(f) if f.applicability != Applicability::DisplayOnly => {
            let mut text = String::new();
            let mut at = start as usize;
            let mut edits = local.clone();
            edits.sort_by_key(|e| (e.start, e.end));
            for e in edits {
                if (e.start as usize) < at {
                    continue;
                }
                text.push_str(&source[at..e.start as usize]);
                text.push_str(&e.content);
                at = e.end as usize;
            }
            text.push_str(&source[at..end]);
            text
        }
        Some(f) => format!("{}# {}\n", indent_of(before), f.message),
        None => format!("{}# {}\n", indent_of(before), d.help),
    };
    (dedent(before), dedent(&after))
}

fn nth_line_end(source: &str, from: usize, n: usize) -> usize {
    let mut at = from;
    for _ in 0..n {
        match source[at..].find('\n') {
            Some(i) => at += i + 1,
            None => return source.len(),
        }
    }
    at
}

fn indent_of(text: &str) -> String {
    text.chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

/// Removes the indentation the lines share, as a write-up shows code.
fn dedent(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out = String::new();
    for line in text.lines() {
        out.push_str(line.get(indent..).unwrap_or(line.trim_start()));
        out.push('\n');
    }
    out
}

fn impact(out: &mut String, impact: Option<&Impact>, hotspots: &[&Diagnostic]) {
    out.push_str("## Impact\n\n");
    match impact {
        Some(i) => {
            out.push_str(&format!(
                "Measured with `loopsafe probe` ({}):\n\n",
                i.setting
            ));
            out.push_str("| | before | after |\n|---|---|---|\n");
            for (what, before, after) in &i.rows {
                out.push_str(&format!("| {what} | {before} | {after} |\n"));
            }
            out.push('\n');
            if let Some(chart) = &i.chart {
                out.push_str(&format!(
                    "![The canary's latency over time, before and after the fixes]({chart})\n\n"
                ));
            }
            if let Some(rows) = &i.stalls {
                measured_stalls(out, rows);
            }
        }
        None => {
            out.push_str("Not measured: these are the effects, in words. `loopsafe probe` measures them on the running service, before and after the fixes.\n\n");
            let reentry = hotspots
                .iter()
                .any(|d| matches!(d.rule, Rule::AsyncioRun | Rule::RunUntilComplete));
            if reentry {
                out.push_str("- The `asyncio.run()` calls do not block: they fail. Each raises `RuntimeError` inside the running loop, so those requests get a server error every time.\n");
            }
            if hotspots
                .iter()
                .any(|d| !matches!(d.rule, Rule::AsyncioRun | Rule::RunUntilComplete))
            {
                out.push_str("- Every other blocking call holds the event loop for as long as its call takes: for a network call, the upstream's whole response time. Meanwhile no other request on the process makes progress, not even a health check; under load, requests queue behind each other and latency grows with the number of clients.\n");
            }
            out.push('\n');
        }
    }
}

fn measured_stalls(out: &mut String, rows: &[StallRow]) {
    out.push_str("### Where the loop stalled (measured)\n\n");
    if rows.is_empty() {
        out.push_str("No stall over the threshold, before or after.\n\n");
        return;
    }
    out.push_str("The probe sampled the loop thread's stack while the loop was stalled; each stall counts at the line of the project's code it was held at.\n\n");
    out.push_str(
        "| where | calls | before | after | found by the check |\n|---|---|---|---|---|\n",
    );
    for r in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            r.site, r.library_call, r.before, r.after, r.finding
        ));
    }
    out.push('\n');
}

fn notes(out: &mut String, notes: &[Note], cwd: &Path) {
    out.push_str("## Notes: blocking calls that are acceptable\n\n");
    if notes.is_empty() {
        out.push_str("None found.\n\n");
        return;
    }
    let mut by_reason: BTreeMap<Reason, Vec<&Note>> = BTreeMap::new();
    for n in notes {
        by_reason.entry(n.reason).or_default().push(n);
    }
    for (reason, list) in by_reason {
        out.push_str(&format!(
            "### {}\n\n{}\n\n",
            reason.title(),
            reason.explain()
        ));
        for n in list {
            let path = display_path(&n.path, cwd);
            let api = n.api.strip_prefix("builtins.").unwrap_or(&n.api);
            let line = match reason {
                Reason::Offloaded if !n.under.is_empty() => format!(
                    "- `{path}:{}`: `{}` runs `{}` off the loop (in `{}`)",
                    n.location.row, n.call, n.under, n.function
                ),
                Reason::Offloaded => format!(
                    "- `{path}:{}`: `{}(...)` in `{}`",
                    n.location.row, n.call, n.function
                ),
                _ if n.under != n.function && !n.under.is_empty() => format!(
                    "- `{path}:{}`: {} in `{}` (under `{}`)",
                    n.location.row,
                    quote_api(api),
                    n.function,
                    n.under
                ),
                _ => format!(
                    "- `{path}:{}`: {} in `{}`",
                    n.location.row,
                    quote_api(api),
                    n.function
                ),
            };
            out.push_str(&line);
            out.push('\n');
        }
        out.push('\n');
    }
}
