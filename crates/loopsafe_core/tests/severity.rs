//! Severity = cost × frequency, read from the JSON output of the `severity/` fixture: a
//! FastAPI app with one call of each kind, each line's expected rating below.

use std::path::PathBuf;

use loopsafe_core::config::Settings;
use loopsafe_core::severity::Severity;
use loopsafe_core::{check_with, render, CheckOptions};
use serde_json::Value;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("resources/test/fixtures/severity")
}

/// The findings of the fixture shown from `min` up, as JSON, and how many were left out.
fn findings(min: Severity) -> (Vec<Value>, usize) {
    let root = fixture();
    let settings = Settings {
        min_severity: min,
        ..Settings::defaults(root.clone())
    };
    let result = check_with(
        std::slice::from_ref(&root),
        &settings,
        &CheckOptions::default(),
    )
    .unwrap();
    let json: Value = serde_json::from_str(&render::json(&result, &root)).unwrap();
    (json.as_array().unwrap().clone(), result.below_min_severity)
}

/// `(row, code, severity, cost, frequency, has a fix)` for each finding.
fn rated(items: &[Value]) -> Vec<(u64, String, String, String, String, bool)> {
    let mut out: Vec<_> = items
        .iter()
        .map(|i| {
            let s = |k: &str| i[k].as_str().unwrap().to_string();
            assert_eq!(i["conditional"], Value::Bool(false));
            (
                i["location"]["row"].as_u64().unwrap(),
                s("code"),
                s("severity"),
                s("cost"),
                s("frequency"),
                !i["fix"].is_null(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn each_call_is_rated_by_its_cost_and_how_often_it_runs() {
    let (items, hidden) = findings(Severity::Low);
    assert_eq!(hidden, 0);
    let row = |r: u64, code: &str, sev: &str, cost: &str, freq: &str, fix: bool| {
        (
            r,
            code.to_string(),
            sev.to_string(),
            cost.to_string(),
            freq.to_string(),
            fix,
        )
    };
    assert_eq!(
        rated(&items),
        [
            // A wait at startup: once, but a wait is never below medium; no fix for once.
            row(26, "LS201", "medium", "wait", "once", false),
            row(32, "LS201", "high", "wait", "per-request", true),
            // A metadata syscall: low, and no thread hop to save microseconds.
            row(38, "LS502", "low", "light", "per-request", false),
            row(44, "LS501", "medium", "data", "per-request", true),
            row(50, "LS301", "low", "light", "per-request", false),
            row(52, "LS301", "high", "wait", "per-request", true),
            // Named as start-up code (`initialize`, `init_tables`), reached from no
            // route: once. Data work once is low.
            row(60, "LS501", "low", "data", "once", false),
            row(64, "LS201", "medium", "wait", "once", false),
            // Named so (`setup`), but a route awaits it too: per request.
            row(68, "LS201", "high", "wait", "per-request", true),
            // The kernel's in-memory files (`/proc`, `/sys`, also through a module
            // constant) and the listing of one folder: quick, low.
            row(82, "LS501", "low", "light", "per-request", false),
            row(84, "LS501", "low", "light", "per-request", false),
            row(87, "LS503", "low", "light", "per-request", false),
            // Files shipped with the package (through a module constant, a local, a
            // path built with os.path): small, cached after the first read: low. A
            // user's upload is data.
            row(100, "LS502", "low", "light", "per-request", false),
            row(102, "LS501", "low", "light", "per-request", false),
            row(104, "LS501", "low", "light", "per-request", false),
            row(107, "LS501", "medium", "data", "per-request", true),
            row(115, "LS501", "medium", "data", "per-request", true),
            // Shutdown code by name: once; a wait stays medium.
            row(122, "LS201", "medium", "wait", "once", false),
        ]
    );
    // The lifespan's client (line 15) is not reported at any severity.
    assert!(items.iter().all(|i| i["code"] != "LS702"));
    let messages: Vec<&str> = items
        .iter()
        .map(|i| i["message"].as_str().unwrap())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`requests.get()` in async function `users`")
                && m.ends_with(", on every request")),
        "{messages:#?}"
    );
    assert!(
        messages.iter().any(|m| m.ends_with("(once, at startup)")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`Index.finalize`") && m.ends_with("(once, at shutdown)")),
        "{messages:#?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("`os.path.exists()`")
            && m.ends_with("(a quick metadata call: microseconds)")),
        "{messages:#?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("`PRICES.read_text()`")
            && m.ends_with("(a small file the package ships, or the kernel's: microseconds)")),
        "{messages:#?}"
    );
}

#[test]
fn the_default_shows_high_and_medium_and_counts_the_rest() {
    let (items, hidden) = findings(Severity::default());
    assert_eq!(hidden, 9);
    let rows: Vec<u64> = rated(&items).iter().map(|r| r.0).collect();
    assert_eq!(rows, [26, 32, 44, 52, 64, 68, 107, 115, 122]);
    let (items, hidden) = findings(Severity::High);
    assert_eq!(hidden, 15);
    let rows: Vec<u64> = rated(&items).iter().map(|r| r.0).collect();
    assert_eq!(rows, [32, 52, 68]);
}
