//! The findings, as the output shows them: their messages, worded here and nowhere
//! else, and where they are in their files (read again for it: facts keep no text).

use std::collections::HashMap;

use crate::analysis::Analysed;
use crate::catalogue::{Catalogue, Cost};
use crate::check::{CheckOptions, CheckResult};
use crate::diagnostic::{self, implied_on, quote_api, Diagnostic, EntryPoint, LineIndex, Root};
use crate::discover::SourceFile;
use crate::extract;
use crate::facts::{self, CallKind};
use crate::files::Files;
use crate::frameworks;
use crate::notes;
use crate::project::{self, Project};
use crate::propagate;
use crate::rules::Rule;
use crate::severity::{self, Frequency, Severity};

/// Builds the findings, entry points and (with [`CheckOptions::notes`]) notes of the
/// analysis into `result`, which holds the syntax errors, with their files' text, and
/// the warnings so far.
pub(crate) fn build(
    result: &mut CheckResult,
    analysed: &Analysed,
    module_files: &[&SourceFile],
    catalogue: &Catalogue,
    options: &CheckOptions,
) {
    let (modules, analysis) = (&analysed.modules, &analysed.analysis);
    let mut files = Files {
        modules,
        module_files,
        overrides: &options.overrides,
        sources: std::mem::take(&mut result.sources),
        line_starts: HashMap::new(),
        warnings: &mut result.warnings,
        project_modules: analysed.project_modules,
    };
    files.preload(analysis.functions().map(|f| f.module));
    for (finding, hotspot) in &analysis.direct {
        if let Some(mut d) = direct_diagnostic(&mut files, finding, hotspot, catalogue) {
            if rate(&mut d, catalogue) {
                result.diagnostics.push(d);
            }
        }
    }
    for (finding, hotspot) in &analysis.helpers {
        if let Some(mut d) = helper_diagnostic(&mut files, finding, catalogue) {
            d.hotspot = hotspot.clone();
            if rate(&mut d, catalogue) {
                result.diagnostics.push(d);
            }
        }
    }
    if let (true, Some((found, detected))) = (options.notes, &analysed.found) {
        let project = Project::new(modules, catalogue);
        result.notes = notes::notes(&project, detected, found, &mut files);
    }
    result.entry_points = analysis
        .entries
        .iter()
        .filter(|e| e.framework != frameworks::STARTUP_BY_NAME)
        .filter_map(|e| entry_point(&mut files, e))
        .collect();
    result.routes = analysis.routes;
    result.sources = files.sources;
}

/// Works out how often a finding runs and how severe it is, and says why in its
/// message. False for a finding not to report at all: a client built once (at startup,
/// in a lifespan, in a cached factory) is what LS702 asks for, not what it reports.
fn rate(d: &mut Diagnostic, catalogue: &Catalogue) -> bool {
    // Whether it has entry points above it, every one of them of this kind.
    let only_under = |kind: fn(frameworks::EntryKind) -> bool| {
        d.hotspot.as_ref().is_some_and(|h| {
            !h.entry_points.is_empty() && h.entry_points.iter().all(|e| kind(e.kind))
        })
    };
    // Every entry point above it a startup, lifespan or shutdown handler: it runs once.
    let at_startup_only = only_under(frameworks::EntryKind::runs_once);
    let at_shutdown_only = only_under(|k| k == frameworks::EntryKind::Shutdown);
    d.frequency = Frequency::of(d.runs_once, at_startup_only);
    let builds_client = d.rule == Rule::ClientBuiltOnLoop
        || d.api
            .as_deref()
            .and_then(|api| catalogue.blocking(api))
            .is_some_and(|m| m.rule == Rule::ClientBuiltOnLoop);
    if builds_client && d.frequency == Frequency::Once {
        return false;
    }
    d.severity = severity::assess(d.cost, d.frequency, d.conditional);
    let at_startup = !d.runs_once && d.frequency == Frequency::Once;
    let on_requests = d.hotspot.as_ref().is_some_and(|h| {
        h.entry_points
            .iter()
            .any(|e| !e.kind.runs_once() && e.kind != frameworks::EntryKind::Background)
    });
    // A poller or consumer started as a task, and nothing that serves requests.
    let in_background = !on_requests
        && !at_startup
        && d.hotspot.as_ref().is_some_and(|h| {
            h.entry_points
                .iter()
                .any(|e| e.kind == frameworks::EntryKind::Background)
        });
    if d.conditional {
        d.message
            .push_str(match (at_startup || in_background, d.rule) {
                // Start-up code and background tasks serve no request: the condition is a
                // configuration's or the data's.
                (true, _) => " (only under a condition)",
                (false, Rule::BlockingCallThroughHelper) => {
                    " (on some requests only: a condition is on the way)"
                }
                (false, _) => " (on some requests only: it is behind a condition)",
            });
    }
    if at_startup && at_shutdown_only {
        d.message.push_str(" (once, at shutdown)");
    } else if at_startup {
        d.message.push_str(" (once, at startup)");
    } else if on_requests && d.frequency == Frequency::PerRequest {
        // A conditional one says so already: "on some requests only".
        if !d.conditional {
            d.message.push_str(", on every request");
        }
    } else if in_background && d.frequency == Frequency::PerRequest {
        d.message.push_str(", again and again in a background task");
    }
    match d.cost {
        Cost::Light if d.api.as_deref() == Some("time.sleep") => {
            d.message.push_str(" (a pause of 5 ms or less)")
        }
        // A file read priced light: the kernel's in-memory files, or the package's own.
        Cost::Light
            if d.api
                .as_deref()
                .is_some_and(|api| catalogue.cost(api) == Cost::Data) =>
        {
            d.message
                .push_str(" (a small file the package ships, or the kernel's: microseconds)")
        }
        Cost::Light => d.message.push_str(" (a quick metadata call: microseconds)"),
        Cost::None => d
            .message
            .push_str(" (no disk access: path arithmetic only)"),
        Cost::Data | Cost::Slow | Cost::Wait => {}
    }
    true
}

/// What one call of `api`, made by call `call_index` of `function`, costs the loop: the
/// catalogue's cost, except that `time.sleep(x)` with a literal `x` of 5 ms or less is a
/// quick yield, not a wait.
fn cost_of(
    files: &mut Files,
    catalogue: &Catalogue,
    function: facts::FnId,
    call_index: usize,
    api: &str,
) -> Cost {
    let cost = catalogue.cost(api);
    let call = &files.modules.function(function).calls[call_index];
    if cost == Cost::Data
        && (call.bundled_file || opens_pseudo_file(files.modules, function.module, call))
    {
        return Cost::Light;
    }
    if api != "time.sleep" {
        return cost;
    }
    let Some(arg) = call
        .args
        .iter()
        .find(|a| a.keyword.as_deref().is_none_or(|k| k == "secs"))
    else {
        return cost;
    };
    let span = arg.span;
    let seconds = files
        .locate(function.module, span)
        .and_then(|at| at.text.replace('_', "").parse::<f64>().ok());
    match seconds {
        Some(s) if s <= 0.005 => Cost::Light,
        _ => cost,
    }
}

/// Whether the file a call opens is one of the kernel's in-memory files (`/proc/...`,
/// `/sys/...`): reading one takes microseconds, whatever it is.
fn opens_pseudo_file(modules: &facts::Modules, module: u32, call: &facts::Call) -> bool {
    let Some(arg) = call.arg(0, Some("file")) else {
        return false;
    };
    // Rare (a file read given a constant): a search, not an index of the modules. The
    // first module of a name wins, as in the project's index.
    let by_name = |name: &str| {
        (0..modules.len())
            .find(|i| modules.name(*i) == name)
            .map(|i| i as u32)
    };
    let facts = modules.module(module);
    let path: &str = match arg.given {
        facts::Given::Lit(i) | facts::Given::Prefix(i) => match facts.literal(i) {
            facts::Lit::Str(s) => s,
            _ => return false,
        },
        facts::Given::Global(i) => match facts.literal(i) {
            facts::Lit::Str(name) => match modules.constant(module, name, &by_name) {
                Some(facts::Lit::Str(s)) => s,
                _ => return false,
            },
            _ => return false,
        },
        _ => return false,
    };
    path.starts_with("/proc/") || path.starts_with("/sys/")
}

/// Puts the findings in the order they are shown, each once, and keeps the text of only
/// the files they are in.
pub(crate) fn order(result: &mut CheckResult) {
    let diagnostics = &mut result.diagnostics;
    diagnostics.sort_by(|a, b| (&a.path, a.location, a.rule).cmp(&(&b.path, b.location, b.rule)));
    diagnostics.dedup_by(|a, b| a.path == b.path && a.span == b.span && a.rule == b.rule);
    result.sources.retain(|path, _| {
        diagnostics
            .iter()
            .any(|d| &d.path == path || d.root.as_ref().is_some_and(|r| &r.path == path))
    });
}

/// A blocking call in a coroutine (or in a sync function run on the loop).
fn direct_diagnostic(
    files: &mut Files,
    finding: &project::DirectFinding,
    hotspot: &Option<frameworks::Hotspot>,
    catalogue: &Catalogue,
) -> Option<Diagnostic> {
    let cost = cost_of(
        files,
        catalogue,
        finding.function,
        finding.call_index,
        &finding.api,
    );
    let m = finding.function.module;
    let at = files.locate(m, finding.span)?;
    let func = &files.modules.function(finding.function);
    let info = finding.rule.info();
    let kind = func.calls[finding.call_index].kind;
    let quoted = kind.quote(&at.text);
    let mut message = format!("{} {quoted} in {}", info.title, caller_words(func));
    let builtin = finding.api.strip_prefix("builtins.") == Some(at.text.as_str());
    if !at.text.ends_with(finding.api.as_str()) && !builtin {
        // A loop or a `with` block names the type it works on, not its dunder.
        let api = match kind {
            CallKind::Iterate | CallKind::Enter => implied_on(&finding.api),
            CallKind::Call | CallKind::Read => None,
        }
        .map_or(finding.api.as_str(), |(t, _)| t);
        match diagnostic::private_type_maker(api) {
            Some(call) => message.push_str(&format!(" (from `{call}`)")),
            None => message.push_str(&format!(" (`{api}`)")),
        }
    }
    let runs_once = func.calls[finding.call_index].once;
    if runs_once {
        message.push_str(" (first call only: inside a one-time set-up)");
    }
    // Said by `rate`, which knows whether requests run it.
    let conditional = func.calls[finding.call_index].conditional;
    Some(Diagnostic {
        rule: finding.rule,
        message,
        help: info.help.to_string(),
        path: at.path,
        span: finding.span,
        call_span: finding.call_span,
        location: at.location,
        end_location: at.end_location,
        api: Some(finding.api.clone()),
        chain: vec![],
        root: None,
        runs_once,
        conditional,
        cost,
        frequency: Frequency::PerRequest,
        severity: Severity::High,
        fix: None,
        hotspot: hotspot.clone(),
        in_sync_function: !func.is_async,
        function: func.qualname.to_string(),
        other_sinks: vec![],
        through: None,
    })
}

/// The files that do not parse, as findings (their text kept to show them).
pub(crate) fn syntax_errors(
    result: &mut CheckResult,
    errors: Vec<(&SourceFile, extract::SyntaxError, String)>,
) {
    for (file, e, source) in errors {
        result.diagnostics.push(syntax_error(file, &e, &source));
        result.sources.insert(file.path.clone(), source);
    }
}

/// A file that does not parse, as a finding.
fn syntax_error(file: &SourceFile, e: &extract::SyntaxError, source: &str) -> Diagnostic {
    let index = LineIndex::new(source);
    let location = index.location(e.offset);
    let at = facts::Span {
        start: e.offset,
        end: e.offset,
    };
    Diagnostic {
        rule: Rule::SyntaxError,
        message: format!("Syntax error: {}", e.message),
        help: Rule::SyntaxError.info().help.to_string(),
        path: file.path.clone(),
        span: at,
        call_span: at,
        location,
        end_location: location,
        api: None,
        chain: vec![],
        root: None,
        runs_once: false,
        conditional: false,
        // A file that does not parse is not checked at all: worth fixing first.
        cost: Cost::Wait,
        frequency: Frequency::PerRequest,
        severity: Severity::High,
        fix: None,
        hotspot: None,
        in_sync_function: false,
        function: String::new(),
        other_sinks: vec![],
        through: None,
    }
}

fn entry_point(files: &mut Files, e: &frameworks::Entry) -> Option<EntryPoint> {
    let func = &files.modules.function(e.function);
    let at = files.locate(e.function.module, func.name_span)?;
    Some(EntryPoint {
        kind: e.kind,
        name: func.qualname.to_string(),
        path: at.path,
        location: at.location,
        framework: e.framework,
        function: e.function,
    })
}

/// An LS901 finding: the call in the coroutine, then every call down to the blocking one.
fn helper_diagnostic(
    files: &mut Files,
    finding: &propagate::HelperFinding,
    catalogue: &Catalogue,
) -> Option<Diagnostic> {
    let sink = finding
        .chain
        .last()
        .expect("a chain ends with the blocking call");
    let cost = cost_of(
        files,
        catalogue,
        sink.function,
        sink.call_index,
        &finding.api,
    );
    let (first, span) = files.hop(finding.caller)?;
    let mut chain = vec![first.clone()];
    for step in &finding.chain {
        chain.push(files.hop(*step)?.0);
    }
    // The root cause is where the project's own code last calls: the blocking call
    // itself, or, for a chain into an installed package, the call into the package (the
    // package's code is not the project's to change).
    let own = (finding.chain.iter())
        .rposition(|step| (step.function.module as usize) < files.project_modules)
        .map_or(0, |i| i + 1);
    let last = &chain[own];
    let root = Root {
        path: last.path.clone(),
        location: last.location,
    };
    let caller = files.modules.function(finding.caller.function);
    let helper = files.modules.function(finding.chain[0].function);
    let info = Rule::BlockingCallThroughHelper.info();
    let api = finding
        .api
        .strip_prefix("builtins.")
        .unwrap_or(&finding.api);
    let mut message = if finding.scheduled {
        format!(
            "{}: {} runs `{}` on the event loop, which reaches {}, in {}",
            info.title,
            first.quoted(),
            helper.qualname,
            quote_api(api),
            caller_words(caller)
        )
    } else {
        format!(
            "{}: {} reaches {} in {}",
            info.title,
            first.quoted(),
            quote_api(api),
            caller_words(caller)
        )
    };
    if finding.runs_once {
        message
            .push_str(" (first call only: a cached function or a one-time set-up is on the way)");
    }
    let conditional = std::iter::once(&finding.caller)
        .chain(&finding.chain)
        .any(|step| files.modules.function(step.function).calls[step.call_index].conditional);
    let call_span = caller.calls[finding.caller.call_index].span;
    Some(Diagnostic {
        rule: Rule::BlockingCallThroughHelper,
        message,
        help: info.help.to_string(),
        path: first.path,
        span,
        call_span,
        location: first.location,
        end_location: first.end_location,
        api: Some(finding.api.clone()),
        chain,
        root: Some(root),
        runs_once: finding.runs_once,
        conditional,
        cost,
        frequency: Frequency::PerRequest,
        severity: Severity::High,
        fix: None,
        hotspot: None,
        in_sync_function: !caller.is_async,
        function: caller.qualname.to_string(),
        other_sinks: finding.other_sinks.clone(),
        through: None,
    })
}

/// The function a finding is in, as the message names it.
fn caller_words(func: &facts::Function) -> String {
    if func.is_async {
        format!("async function `{}`", func.qualname)
    } else {
        format!(
            "`{}`, a sync handler the framework runs on the event loop",
            func.qualname
        )
    }
}
