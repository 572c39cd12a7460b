//! What a project adopting loopsafe runs besides a check: a baseline of the findings it
//! starts with, `# noqa` comments for them, counts per rule.

use std::collections::BTreeMap;
use std::path::Path;

use loopsafe_core::baseline::Gone;
use loopsafe_core::render::display_path;
use loopsafe_core::CheckResult;

/// The closing note of text output for baseline entries that no finding matched.
pub fn gone_note(gone: &[Gone], cwd: &Path) -> String {
    if gone.is_empty() {
        return String::new();
    }
    let n = gone.len();
    let mut out = format!(
        "{n} finding{} of the baseline no longer occur{} (fixed, or changed past recognition):\n",
        plural(n),
        if n == 1 { "s" } else { "" }
    );
    for g in gone {
        out.push_str(&format!(
            "  {}: {} in `{}`: `{}`\n",
            display_path(&g.path, cwd),
            g.entry.code,
            g.entry.function,
            g.entry.call
        ));
    }
    out.push_str("Write the baseline again (`--write-baseline`) to drop them.\n");
    out
}

/// The JSON output with a baseline: the findings, and the entries that are gone.
pub fn json_with_baseline(findings_json: &str, gone: &[Gone], cwd: &Path) -> String {
    let findings: serde_json::Value =
        serde_json::from_str(findings_json).expect("the JSON renderer writes JSON");
    let gone: Vec<serde_json::Value> = gone
        .iter()
        .map(|g| {
            serde_json::json!({
                "code": g.entry.code,
                "filename": display_path(&g.path, cwd),
                "function": g.entry.function,
                "call": g.entry.call,
                "chain": g.entry.chain,
                "message": g.entry.message,
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&serde_json::json!({
        "findings": findings,
        "baseline_gone": gone,
    }))
    .expect("JSON values serialize");
    out.push('\n');
    out
}

/// Per rule, most first (then by code): (code, name), (findings, of which have a safe fix).
type Counts<'a> = Vec<((&'a str, &'a str), (usize, usize))>;

fn counts(result: &CheckResult) -> Counts<'_> {
    let mut counts: BTreeMap<(&str, &str), (usize, usize)> = BTreeMap::new();
    for d in &result.diagnostics {
        let safe = d
            .fix
            .as_ref()
            .is_some_and(|f| f.applicability == loopsafe_core::fixer::Applicability::Safe);
        let entry = counts.entry((d.code(), d.rule.name())).or_default();
        entry.0 += 1;
        entry.1 += usize::from(safe);
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(&b.0)));
    rows
}

/// `--statistics`: how many findings of each rule, most first, as `ruff check
/// --statistics` prints them.
pub fn statistics(result: &CheckResult) -> String {
    let rows = counts(result);
    let width = rows
        .iter()
        .map(|(_, (n, _))| n.to_string().len())
        .max()
        .unwrap_or(1);
    let mut out = String::new();
    for ((code, name), (n, fixable)) in rows {
        let mark = if fixable == n && n > 0 { "[*]" } else { "[ ]" };
        out.push_str(&format!("{n:>width$}\t{code}\t{mark} {name}\n"));
    }
    out
}

/// `--statistics --output-format json`: the same counts as a list.
pub fn statistics_json(result: &CheckResult) -> String {
    let items: Vec<serde_json::Value> = counts(result)
        .into_iter()
        .map(|((code, name), (count, fixable))| {
            serde_json::json!({"code": code, "name": name, "count": count, "fixable": fixable})
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&items).expect("JSON values serialize");
    out.push('\n');
    out
}

pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
