//! Output formats. Each returns a string; printing is the caller's business.

use std::path::Path;

use serde_json::{json, Value};

use crate::diagnostic::{Diagnostic, LineIndex, Location};
use crate::CheckResult;

/// A path as the user should see it: relative to the working directory when below it.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let shown = path
        .strip_prefix(cwd)
        .or_else(|_| path.strip_prefix("./"))
        .unwrap_or(path);
    shown.display().to_string().replace('\\', "/")
}

fn loc(l: Location) -> Value {
    json!({"row": l.row, "column": l.column})
}

/// The JSON contract: a list of findings with ruff's field names.
pub fn json(result: &CheckResult, cwd: &Path) -> String {
    let items: Vec<Value> = result
        .diagnostics
        .iter()
        .map(|d| {
            json!({
                "code": d.code(),
                "name": d.rule.name(),
                "message": d.message,
                "help": d.help,
                "filename": display_path(&d.path, cwd),
                "location": loc(d.location),
                "end_location": loc(d.end_location),
                "noqa_row": d.location.row,
                "fix": Value::Null,
                "url": Value::Null,
                "api": d.api,
                "chain": d.chain.iter().map(|h| json!({
                    "filename": display_path(&h.path, cwd),
                    "row": h.location.row,
                    "column": h.location.column,
                    "function": h.function,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&items).expect("JSON values serialize");
    out.push('\n');
    out
}

/// `path:row:col: CODE message`, one line each.
pub fn concise(result: &CheckResult, cwd: &Path) -> String {
    let mut out = String::new();
    for d in &result.diagnostics {
        out.push_str(&headline(d, cwd, false));
        out.push('\n');
    }
    out
}

fn headline(d: &Diagnostic, cwd: &Path, color: bool) -> String {
    let path = display_path(&d.path, cwd);
    if color {
        format!(
            "\x1b[1m{path}\x1b[0m\x1b[36m:\x1b[0m{}\x1b[36m:\x1b[0m{}\x1b[36m:\x1b[0m \x1b[1;31m{}\x1b[0m {}",
            d.location.row,
            d.location.column,
            d.code(),
            d.message
        )
    } else {
        format!(
            "{path}:{}:{}: {} {}",
            d.location.row,
            d.location.column,
            d.code(),
            d.message
        )
    }
}

/// ruff-style full output: the headline, the source line with a caret span, the help.
pub fn text(result: &CheckResult, cwd: &Path, color: bool) -> String {
    let mut out = String::new();
    for d in &result.diagnostics {
        out.push_str(&headline(d, cwd, color));
        out.push('\n');
        if let Some(source) = result.sources.get(&d.path) {
            let index = LineIndex::new(source);
            let line = index.line(d.location.row);
            let gutter = d.location.row.to_string().len();
            let pad = " ".repeat(gutter);
            let start = d.location.column as usize - 1;
            let width = if d.end_location.row == d.location.row {
                (d.end_location.column as usize).saturating_sub(d.location.column as usize)
            } else {
                line.chars().count().saturating_sub(start)
            }
            .max(1);
            let carets = "^".repeat(width);
            let (blue, red, reset) = if color {
                ("\x1b[1;34m", "\x1b[1;31m", "\x1b[0m")
            } else {
                ("", "", "")
            };
            out.push_str(&format!("{blue}{pad} |{reset}\n"));
            out.push_str(&format!(
                "{blue}{} |{reset} {}\n",
                d.location.row,
                line.replace('\t', " ")
            ));
            out.push_str(&format!(
                "{blue}{pad} |{reset} {}{red}{carets}{reset}\n",
                " ".repeat(start)
            ));
            out.push_str(&format!("{blue}{pad} |{reset}\n"));
            for (i, hop) in d.chain.iter().enumerate() {
                out.push_str(&format!(
                    "{pad} = {} {}:{}:{} in `{}`\n",
                    if i == 0 { "via" } else { "   " },
                    display_path(&hop.path, cwd),
                    hop.location.row,
                    hop.location.column,
                    hop.function
                ));
            }
            out.push_str(&format!("{pad} = help: {}\n", d.help));
        }
        out.push('\n');
    }
    out
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
    match n {
        0 => format!(
            "All checks passed: no blocking calls found on the event loop ({} file{} checked).",
            result.files_checked,
            plural(result.files_checked)
        ),
        _ => format!(
            "Found {n} blocking call{} on the event loop in {files} file{} ({} file{} checked).",
            plural(n),
            plural(files),
            result.files_checked,
            plural(result.files_checked)
        ),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
