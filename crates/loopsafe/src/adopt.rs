//! What a project adopting loopsafe runs besides a check: a baseline of the findings it
//! starts with, `# noqa` comments for them.

use std::path::Path;

use loopsafe_core::baseline::Gone;
use loopsafe_core::render::display_path;

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

pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
