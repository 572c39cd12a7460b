//! Output for CI systems: GitLab Code Quality reports and JUnit XML.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde_json::json;

use crate::check::CheckResult;
use crate::diagnostic::Diagnostic;
use crate::render::{display_path, full_message};
use crate::rules::Rule;
use crate::severity::Severity;

/// GitLab's severity for a finding: a syntax error stops the check of its file
/// (`blocker`); a high finding stalls every request (`critical`), a medium one some
/// requests or the first (`major`), a low one costs microseconds (`minor`).
pub fn gitlab_severity(d: &Diagnostic) -> &'static str {
    if d.rule == Rule::SyntaxError {
        return "blocker";
    }
    match d.severity {
        Severity::High => "critical",
        Severity::Medium => "major",
        Severity::Low => "minor",
    }
}

/// A GitLab Code Quality report (`artifacts: reports: codequality`). The fingerprint
/// hashes what a baseline keys a finding by (no line numbers), so a merge request that
/// moves code shows no finding as new; identical calls in one function are numbered.
pub fn gitlab(result: &CheckResult, cwd: &Path) -> String {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let items: Vec<serde_json::Value> = result
        .diagnostics
        .iter()
        .map(|d| {
            let identity = crate::baseline::identity(d, &result.sources, cwd);
            let n = seen.entry(identity.clone()).or_default();
            *n += 1;
            let hash = xxhash_rust::xxh3::xxh3_128(format!("{identity}\0{n}").as_bytes());
            json!({
                "description": format!("{} {}", d.code(), full_message(d, cwd)),
                "check_name": d.code(),
                "fingerprint": format!("{hash:032x}"),
                "severity": gitlab_severity(d),
                "location": {
                    "path": display_path(&d.path, cwd),
                    "lines": {"begin": d.location.row, "end": d.end_location.row},
                },
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&items).expect("JSON values serialize");
    out.push('\n');
    out
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters other than tab and newlines are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: a test suite per file with findings, a failed test case per finding, as
/// `ruff check --output-format junit` writes it; one passing case when there is none.
pub fn junit(result: &CheckResult, cwd: &Path) -> String {
    let mut by_file: BTreeMap<String, Vec<&Diagnostic>> = BTreeMap::new();
    for d in &result.diagnostics {
        by_file
            .entry(display_path(&d.path, cwd))
            .or_default()
            .push(d);
    }
    let n = result.diagnostics.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"loopsafe\" tests=\"{}\" failures=\"{n}\" errors=\"0\">\n",
        n.max(1)
    ));
    if by_file.is_empty() {
        out.push_str("  <testsuite name=\"loopsafe\" tests=\"1\" failures=\"0\" errors=\"0\">\n");
        out.push_str("    <testcase name=\"No blocking calls found\"/>\n");
        out.push_str("  </testsuite>\n");
    }
    for (file, findings) in &by_file {
        let file = xml_escape(file);
        out.push_str(&format!(
            "  <testsuite name=\"{file}\" tests=\"{0}\" failures=\"{0}\" errors=\"0\">\n",
            findings.len()
        ));
        for d in findings {
            let message = full_message(d, cwd);
            out.push_str(&format!(
                "    <testcase name=\"org.loopsafe.{}\" classname=\"{file}\" line=\"{}\" column=\"{}\">\n",
                d.code(),
                d.location.row,
                d.location.column
            ));
            out.push_str(&format!(
                "      <failure message=\"{}\">line {}, col {}, {}</failure>\n",
                xml_escape(&message),
                d.location.row,
                d.location.column,
                xml_escape(&message)
            ));
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
