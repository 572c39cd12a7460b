//! The findings, as the output shows them: their messages, worded here and nowhere
//! else, and where they are in their files (read again for it: facts keep no text).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::analysis::Analysed;
use crate::arena::pool;
use crate::catalogue::Catalogue;
use crate::diagnostic::{
    self, implied_on, quote_api, Diagnostic, EntryPoint, Hop, LineIndex, Location, Root,
};
use crate::discover::SourceFile;
use crate::error::Warning;
use crate::extract;
use crate::facts::{self, CallKind, Modules};
use crate::frameworks;
use crate::notes;
use crate::project::{self, Project};
use crate::propagate;
use crate::rules::Rule;
use crate::source::source_of;
use crate::{CheckOptions, CheckResult};

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
    };
    files.preload(analysis.functions().map(|f| f.module));
    for (finding, hotspot) in &analysis.direct {
        if let Some(d) = direct_diagnostic(&mut files, finding, hotspot) {
            result.diagnostics.push(d);
        }
    }
    for (finding, hotspot) in &analysis.helpers {
        if let Some(mut d) = helper_diagnostic(&mut files, finding) {
            d.hotspot = hotspot.clone();
            result.diagnostics.push(d);
        }
    }
    if let (true, Some((found, detected))) = (options.notes, &analysed.found) {
        let project = Project::new(modules, catalogue);
        result.notes = notes::notes(&project, detected, found, &mut files);
    }
    result.entry_points = analysis
        .entries
        .iter()
        .filter_map(|e| entry_point(&mut files, e))
        .collect();
    result.routes = analysis.routes;
    result.sources = files.sources;
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
) -> Option<Diagnostic> {
    let m = finding.function.module;
    let at = files.locate(m, finding.span)?;
    let func = &files.modules[m as usize].functions[finding.function.idx as usize];
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
        fix: None,
        hotspot: hotspot.clone(),
        in_sync_function: !func.is_async,
        function: func.qualname.to_string(),
    })
}

/// A file that does not parse, as a finding.
pub(crate) fn syntax_error(
    file: &SourceFile,
    e: &extract::SyntaxError,
    source: &str,
) -> Diagnostic {
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
        fix: None,
        hotspot: None,
        in_sync_function: false,
        function: String::new(),
    }
}

/// Source text and positions for the modules with findings, read on demand.
pub(crate) struct Files<'a> {
    modules: &'a Modules<'a>,
    module_files: &'a [&'a SourceFile],
    overrides: &'a HashMap<PathBuf, String>,
    sources: HashMap<PathBuf, String>,
    /// Line starts of the sources, worked out once per file.
    line_starts: HashMap<PathBuf, Vec<u32>>,
    warnings: &'a mut Vec<Warning>,
}

/// A span of a module, located in its file.
struct At {
    path: PathBuf,
    location: Location,
    end_location: Location,
    /// The spanned text on one line.
    text: String,
}

impl Files<'_> {
    /// Reads the sources of these modules side by side on the pool, rather than one at a
    /// time as each finding is located (a project with hundreds of routes has them in
    /// as many files). A file that cannot be read is left for `locate` to report.
    fn preload(&mut self, modules: impl Iterator<Item = u32>) {
        let files = self.module_files;
        let mut paths: Vec<&Path> = modules
            .map(|m| files[m as usize].path.as_path())
            .filter(|p| !self.sources.contains_key(*p))
            .collect();
        paths.sort_unstable();
        paths.dedup();
        let overrides = self.overrides;
        let read: Vec<(&Path, String, Vec<u32>)> = pool().install(|| {
            paths
                .par_iter()
                .filter_map(|path| {
                    let source = source_of(path, overrides).ok()?;
                    let starts = extract::line_starts(&source);
                    Some((*path, source, starts))
                })
                .collect()
        });
        for (path, source, starts) in read {
            self.line_starts.insert(path.to_path_buf(), starts);
            self.sources.insert(path.to_path_buf(), source);
        }
    }

    fn locate(&mut self, module: u32, span: facts::Span) -> Option<At> {
        let file = &self.module_files[module as usize];
        if !self.sources.contains_key(&file.path) {
            match source_of(&file.path, self.overrides) {
                Ok(source) => {
                    self.sources.insert(file.path.clone(), source);
                }
                Err(w) => {
                    self.warnings.push(Warning::Source(w));
                    return None;
                }
            }
        }
        let source = &self.sources[&file.path];
        // The source is read a second time; a file edited in between may no longer hold
        // the span, and must not crash the run.
        let Some(text) = source.get(span.start as usize..span.end as usize) else {
            self.warnings.push(Warning::FileChanged(file.path.clone()));
            return None;
        };
        let starts = match self.line_starts.remove(&file.path) {
            Some(starts) => starts,
            None => extract::line_starts(source),
        };
        let index = LineIndex::with_starts(source, starts);
        let at = At {
            path: file.path.clone(),
            location: index.location(span.start),
            end_location: index.location(span.end),
            text: without_long_arguments(&single_line(text)),
        };
        self.line_starts
            .insert(file.path.clone(), index.into_starts());
        Some(at)
    }

    pub(crate) fn hop(&mut self, step: propagate::Step) -> Option<(Hop, facts::Span)> {
        let func =
            &self.modules[step.function.module as usize].functions[step.function.idx as usize];
        let call = &func.calls[step.call_index];
        let at = self.locate(step.function.module, call.func_span)?;
        Some((
            Hop {
                path: at.path,
                location: at.location,
                end_location: at.end_location,
                function: func.qualname.to_string(),
                call: at.text,
                kind: call.kind,
            },
            call.func_span,
        ))
    }
}

fn entry_point(files: &mut Files, e: &frameworks::Entry) -> Option<EntryPoint> {
    let func = &files.modules[e.function.module as usize].functions[e.function.idx as usize];
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
fn helper_diagnostic(files: &mut Files, finding: &propagate::HelperFinding) -> Option<Diagnostic> {
    let (first, span) = files.hop(finding.caller)?;
    let mut chain = vec![first.clone()];
    for step in &finding.chain {
        chain.push(files.hop(*step)?.0);
    }
    let last = chain.last().expect("a chain ends with the blocking call");
    let root = Root {
        path: last.path.clone(),
        location: last.location,
    };
    let caller = &files.modules[finding.caller.function.module as usize].functions
        [finding.caller.function.idx as usize];
    let helper = &files.modules[finding.chain[0].function.module as usize].functions
        [finding.chain[0].function.idx as usize];
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
        fix: None,
        hotspot: None,
        in_sync_function: !caller.is_async,
        function: caller.qualname.to_string(),
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

fn single_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_space = false;
    for ch in text.chars() {
        if ch.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(ch);
            last_space = false;
        }
    }
    out.replace("( ", "(").replace(" )", ")").replace(". ", ".")
}

/// The called expression as a message quotes it, with the long arguments of the calls
/// inside it left out: `self._conn.execute(...).fetchone` names what is called, where
/// the whole SQL text would push it off the line. Short ones stay (`Path(p).exists`).
/// Text it cannot read as Python (an unclosed string or bracket) is kept as it is.
fn without_long_arguments(text: &str) -> String {
    /// Longer arguments than this are left out.
    const LONG: usize = 20;
    const KEYWORDS: [&str; 10] = [
        "and", "await", "else", "if", "in", "is", "lambda", "not", "or", "return",
    ];
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut copied, mut i) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'"' => match string_end(bytes, i) {
                Some(end) => i = end,
                None => return text.to_string(),
            },
            b'(' => {
                let Some(close) = closing_paren(bytes, i) else {
                    return text.to_string();
                };
                let before = text[..i].trim_end();
                let word_start = before
                    .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .map_or(0, |at| at + 1);
                let is_call = before.ends_with([')', ']'])
                    || (word_start < before.len() && !KEYWORDS.contains(&&before[word_start..]));
                if is_call && close - i - 1 > LONG {
                    out.push_str(&text[copied..i]);
                    out.push_str("(...)");
                    copied = close + 1;
                }
                // A call's arguments are left out whole or kept whole; the brackets inside a
                // group are looked at in turn.
                i = if is_call { close + 1 } else { i + 1 };
            }
            _ => i += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Where the string literal opening at `start` ends (just past its closing quote).
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let quote = bytes[start];
    let triple = bytes.get(start..start + 3) == Some(&[quote; 3][..]);
    let width = if triple { 3 } else { 1 };
    let mut i = start + width;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            q if q == quote && (!triple || bytes.get(i..i + 3) == Some(&[quote; 3][..])) => {
                return Some(i + width);
            }
            _ => i += 1,
        }
    }
    None
}

/// The `)` matching the `(` at `open`, past strings and nested brackets.
fn closing_paren(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'"' => {
                i = string_end(bytes, i)?;
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return (bytes[i] == b')').then_some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::without_long_arguments as shorten;

    #[test]
    fn long_arguments_of_inner_calls_are_left_out_of_quotes() {
        assert_eq!(
            shorten(
                r#"self._connection.execute("SELECT file_path FROM candidates WHERE k = ?", (key,)).fetchone"#
            ),
            "self._connection.execute(...).fetchone"
        );
        assert_eq!(shorten("Path(p).exists"), "Path(p).exists");
        assert_eq!(shorten("requests.Session().get"), "requests.Session().get");
        assert_eq!(
            shorten("Path(await self.config.localpath()).absolute"),
            "Path(...).absolute"
        );
        // A group is not a call: the call inside it is shortened, not the group.
        assert_eq!(
            shorten(r#"(Path(__file__).parent / "ui/installed/").resolve"#),
            r#"(Path(__file__).parent / "ui/installed/").resolve"#
        );
        assert_eq!(
            shorten(r#"(Path(settings.get_the_config_directory()) / "x").resolve"#),
            r#"(Path(...) / "x").resolve"#
        );
        assert_eq!(
            shorten("clients[region_name_for_this_request].get"),
            "clients[region_name_for_this_request].get"
        );
        // Brackets and quotes inside strings do not count.
        assert_eq!(
            shorten(r#"db.execute("select ( from where a = ')'", (a, b, c)).fetchall"#),
            "db.execute(...).fetchall"
        );
        assert_eq!(
            shorten(r#"open("é" * 30, 'r').read"#),
            r#"open("é" * 30, 'r').read"#
        );
        assert_eq!(shorten(r#"f(""" ) """ + "some more text").g"#), "f(...).g");
        // What cannot be read as Python is quoted as it is.
        assert_eq!(shorten(r#"f("unclosed).g"#), r#"f("unclosed).g"#);
        assert_eq!(shorten("f(a, (b).g"), "f(a, (b).g");
        assert_eq!(shorten("f(a]).g"), "f(a]).g");
    }
}
