//! What adopting loopsafe in a project takes: checking only the files a commit changes,
//! a baseline of the findings a project starts with, `# noqa` comments for them, and the
//! output formats and settings other tools read.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Runs loopsafe in `dir` without the cache (tests leave no cache in the repository).
fn loopsafe(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loopsafe"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("LOOPSAFE_NO_CACHE", "1")
        .output()
        .expect("loopsafe runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Writes the files (path, text) under `dir`, making folders as needed.
fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn json(out: &Output) -> Vec<serde_json::Value> {
    serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

#[test]
fn a_file_of_the_example_is_checked_with_its_project_and_keeps_its_helper_chains() {
    let out = loopsafe(
        &repo_root(),
        &["check", "examples/sales_calls/app/routes/accounts.py"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let headlines: Vec<&str> = text.lines().filter(|l| l.contains(": LS")).collect();
    assert_eq!(headlines.len(), 2, "{text}");
    assert!(headlines[0].starts_with("examples/sales_calls/app/routes/accounts.py:20:15: LS901"));
    assert!(headlines[1].starts_with("examples/sales_calls/app/routes/accounts.py:21:8: LS901"));
    assert!(text.contains("<- blocks"), "{text}");
    assert!(!text.contains("caused by"), "{text}");

    // The file alone, as before: its helpers' modules are not read, so nothing shows.
    let alone = loopsafe(
        &repo_root(),
        &[
            "check",
            "--isolated-files",
            "examples/sales_calls/app/routes/accounts.py",
        ],
    );
    assert_eq!(alone.status.code(), Some(0), "{}", stdout(&alone));
}

const ROUTES: &str = "\
from fastapi import FastAPI

from app.services import pricing

app = FastAPI()


@app.get(\"/price\")
async def price(n: int):
    return {\"price\": pricing.quote(n)}


@app.get(\"/health\")
async def health():
    return {\"ok\": True}
";

const PRICING: &str = "def quote(n):\n    return n * 2\n";

const PRICING_BLOCKING: &str = "\
import requests


def quote(n):
    return requests.get(f\"https://prices.example.com/{n}\", timeout=5).json()
";

/// A service whose route calls a pricing module, and a module nobody calls.
fn service() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("pyproject.toml", "[project]\nname = \"service\"\n"),
            ("app/__init__.py", ""),
            ("app/routes.py", ROUTES),
            ("app/services/__init__.py", ""),
            ("app/services/pricing.py", PRICING),
            ("app/services/unused.py", "def f():\n    return 1\n"),
        ],
    );
    dir
}

#[test]
fn an_edit_in_a_service_module_reports_the_route_it_makes_block_as_caused_there() {
    let dir = service();
    let before = loopsafe(dir.path(), &["check", "app/services/pricing.py"]);
    assert_eq!(before.status.code(), Some(0), "{}", stdout(&before));

    std::fs::write(dir.path().join("app/services/pricing.py"), PRICING_BLOCKING).unwrap();
    let after = loopsafe(dir.path(), &["check", "app/services/pricing.py"]);
    assert_eq!(after.status.code(), Some(1), "{}", stderr(&after));
    let text = stdout(&after);
    assert!(
        text.starts_with("app/routes.py:10:22: LS901"),
        "the finding is where the route calls the helper: {text}"
    );
    assert!(
        text.contains("= caused by your change in `app/services/pricing.py`"),
        "{text}"
    );
    assert!(text.contains("Found 1 blocking call"), "{text}");

    let out = loopsafe(
        dir.path(),
        &[
            "check",
            "app/services/pricing.py",
            "--output-format",
            "json",
        ],
    );
    let items = json(&out);
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["filename"], "app/routes.py");
    assert_eq!(items[0]["through"], "app/services/pricing.py");

    let concise = loopsafe(
        dir.path(),
        &[
            "check",
            "app/services/pricing.py",
            "--output-format",
            "concise",
        ],
    );
    assert!(
        stdout(&concise).contains("(caused by `app/services/pricing.py`"),
        "{}",
        stdout(&concise)
    );

    // A file the chain does not pass through reports nothing, though the project has
    // a finding; the route's own file reports it without the label.
    let other = loopsafe(dir.path(), &["check", "app/services/unused.py"]);
    assert_eq!(other.status.code(), Some(0), "{}", stdout(&other));
    let own = loopsafe(
        dir.path(),
        &["check", "app/routes.py", "--output-format", "json"],
    );
    let items = json(&own);
    assert_eq!(items.len(), 1);
    assert!(items[0].get("through").is_none(), "{items:?}");

    // `--fix` on the service module leaves the route's module alone: it was not named.
    let fixed = loopsafe(
        dir.path(),
        &[
            "check",
            "app/services/pricing.py",
            "--fix",
            "--unsafe-fixes",
        ],
    );
    assert_eq!(fixed.status.code(), Some(1), "{}", stdout(&fixed));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("app/routes.py")).unwrap(),
        ROUTES
    );
}
