//! What adopting loopsafe in a project takes: checking only the files a commit changes,
//! a baseline of the findings a project starts with, `# noqa` comments for them, and the
//! output formats and settings other tools read.

use std::path::Path;
use std::process::{Command, Output};

#[path = "support/cli.rs"]
mod support;
use support::{loopsafe, repo_root, stderr, stdout, write_files};
#[path = "../../loopsafe_core/tests/support/fs.rs"]
mod fs;

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

    // A package folder is checked within its project too.
    let folder = loopsafe(
        dir.path(),
        &["check", "app/services", "--output-format", "json"],
    );
    let items = json(&folder);
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["through"], "app/services/pricing.py");

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

/// A copy of the example service, to edit.
fn example_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(&repo_root().join("examples/sales_calls"), dir.path());
    dir
}

/// Replaces `old` (which must be there) in the file.
fn edit(path: &Path, old: &str, new: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(old), "{old} not in {}", path.display());
    std::fs::write(path, text.replacen(old, new, 1)).unwrap();
}

/// Each finding's file and row, from the JSON output.
fn finding_lines(dir: &Path) -> Vec<(String, usize)> {
    let out = loopsafe(dir, &["check", "--output-format", "json"]);
    json(&out)
        .iter()
        .map(|d| {
            (
                d["filename"].as_str().unwrap().to_string(),
                d["location"]["row"].as_u64().unwrap() as usize,
            )
        })
        .collect()
}

#[test]
fn a_baseline_survives_moved_code_and_reports_only_what_is_new_or_gone() {
    let dir = example_copy();
    let root = dir.path();
    let wrote = loopsafe(
        root,
        &["check", "--write-baseline", "loopsafe-baseline.json"],
    );
    assert_eq!(wrote.status.code(), Some(0), "{}", stderr(&wrote));
    assert!(
        stdout(&wrote).contains("Recorded 6 findings"),
        "{}",
        stdout(&wrote)
    );

    // A line inserted above every finding (indented as it is), and functions renamed
    // that no finding is in.
    let mut lines = finding_lines(root);
    lines.sort();
    lines.reverse();
    for (file, row) in &lines {
        let path = root.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut rows: Vec<&str> = text.lines().collect();
        let indent: String = rows[row - 1].chars().take_while(|c| *c == ' ').collect();
        let comment = format!("{indent}# a line inserted above the finding");
        rows.insert(row - 1, &comment);
        std::fs::write(&path, rows.join("\n") + "\n").unwrap();
    }
    let accounts = root.join("app/routes/accounts.py");
    edit(
        &accounts,
        "async def get_contacts(",
        "async def list_contacts(",
    );
    let call_rail = root.join("app/routes/call_rail.py");
    edit(&call_rail, "def get_call(", "def fetch_one_call(");
    let same = loopsafe(root, &["check", "--baseline", "loopsafe-baseline.json"]);
    assert_eq!(same.status.code(), Some(0), "{}", stdout(&same));
    let text = stdout(&same);
    assert!(
        text.contains("6 findings recorded in the baseline not shown"),
        "{text}"
    );
    assert!(!text.contains("no longer occur"), "{text}");

    // A new blocking call: that one alone is reported.
    edit(
        &accounts,
        "from fastapi import",
        "import time\n\nfrom fastapi import",
    );
    edit(
        &accounts,
        "    return {\"account_id\": account_id, \"contacts\": contacts}",
        "    time.sleep(0.5)\n    return {\"account_id\": account_id, \"contacts\": contacts}",
    );
    let new = loopsafe(
        root,
        &[
            "check",
            "--baseline",
            "loopsafe-baseline.json",
            "--output-format",
            "json",
        ],
    );
    assert_eq!(new.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(&stdout(&new)).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report:#}");
    assert_eq!(findings[0]["code"], "LS301", "{report:#}");
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .contains("list_contacts"),
        "{report:#}"
    );
    assert_eq!(report["baseline_gone"].as_array().unwrap().len(), 0);

    // A recorded one fixed: listed as gone, in text and JSON.
    let tenant = root.join("app/middleware/tenant.py");
    edit(
        &tenant,
        "requests.get(settings.clerk_jwks_url, timeout=10)",
        "self._cached_jwks_response()",
    );
    let fixed = loopsafe(root, &["check", "--baseline", "loopsafe-baseline.json"]);
    let text = stdout(&fixed);
    assert!(
        text.contains("1 finding of the baseline no longer occurs"),
        "{text}"
    );
    assert!(
        text.contains("app/middleware/tenant.py: LS201 in `TenantMiddleware._get_jwks`"),
        "{text}"
    );
    let fixed = loopsafe(
        root,
        &[
            "check",
            "--baseline",
            "loopsafe-baseline.json",
            "--output-format",
            "json",
        ],
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(&fixed)).unwrap();
    let gone = report["baseline_gone"].as_array().unwrap();
    assert_eq!(gone.len(), 1, "{report:#}");
    assert_eq!(gone[0]["function"], "TenantMiddleware._get_jwks");
    assert_eq!(gone[0]["filename"], "app/middleware/tenant.py");
}

#[test]
fn a_baseline_counts_identical_calls_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let twice = "import time\n\n\nasync def f():\n    time.sleep(1)\n    time.sleep(1)\n";
    write_files(dir.path(), &[("jobs.py", twice)]);
    let wrote = loopsafe(dir.path(), &["check", "--write-baseline", "b.json"]);
    assert_eq!(wrote.status.code(), Some(0));
    let thrice = format!("{twice}    time.sleep( 1 )\n");
    write_files(dir.path(), &[("jobs.py", &thrice)]);
    let out = loopsafe(
        dir.path(),
        &[
            "check",
            "--baseline",
            "b.json",
            "--output-format",
            "concise",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert_eq!(text.matches("LS301").count(), 1, "{text}");
}

#[test]
fn a_baseline_that_cannot_be_read_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[("jobs.py", "x = 1\n"), ("b.json", "{\"version\": 1}")],
    );
    let missing = loopsafe(dir.path(), &["check", "--baseline", "nope.json"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("cannot read the baseline nope.json"),
        "{}",
        stderr(&missing)
    );
    let bad = loopsafe(dir.path(), &["check", "--baseline", "b.json"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = stderr(&bad);
    assert!(err.contains("b.json is not a loopsafe baseline"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// Whether Python parses the file (the test asks Python, not loopsafe's parser).
fn python_parses(path: &Path) -> bool {
    Command::new("python3")
        .args(["-c", "import ast, sys; ast.parse(open(sys.argv[1]).read())"])
        .arg(path)
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

#[test]
fn add_noqa_silences_every_finding_keeps_files_parsing_and_is_idempotent() {
    let dir = example_copy();
    let root = dir.path();
    // A comment already on a finding's line: the code is merged into it.
    let tenant = root.join("app/middleware/tenant.py");
    edit(
        &tenant,
        "requests.get(settings.clerk_jwks_url, timeout=10)",
        "requests.get(settings.clerk_jwks_url, timeout=10)  # noqa: E501",
    );
    let added = loopsafe(root, &["check", "--add-noqa"]);
    assert_eq!(added.status.code(), Some(0), "{}", stderr(&added));
    assert!(
        stdout(&added).contains("Added a `# noqa` comment on 6 lines in 4 files"),
        "{}",
        stdout(&added)
    );
    let text = std::fs::read_to_string(&tenant).unwrap();
    assert!(
        text.contains("timeout=10)  # noqa: E501, LS201\n"),
        "{text}"
    );
    let after = loopsafe(root, &["check"]);
    assert_eq!(after.status.code(), Some(0), "{}", stdout(&after));
    let snapshot = |root: &Path| {
        let mut files = vec![];
        for sub in [
            "middleware/tenant.py",
            "routes/accounts.py",
            "routes/enhanced_callrail.py",
            "routes/recording_sessions.py",
        ] {
            let path = root.join("app").join(sub);
            assert!(python_parses(&path), "{}", path.display());
            files.push(std::fs::read_to_string(path).unwrap());
        }
        files
    };
    let first = snapshot(root);
    let again = loopsafe(root, &["check", "--add-noqa"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(
        stdout(&again).contains("on 0 lines in 0 files"),
        "{}",
        stdout(&again)
    );
    assert_eq!(snapshot(root), first);
}

#[test]
fn example_gitlab_code_quality_report() {
    let out = loopsafe(
        &repo_root(),
        &["check", "examples/sales_calls", "--output-format", "gitlab"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let items: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(items.len(), 6);
    let mut fingerprints: Vec<&str> = items
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    fingerprints.sort();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), 6, "fingerprints are unique");
    insta::assert_snapshot!("example_gitlab", text);
}

#[test]
fn gitlab_fingerprints_do_not_move_with_the_code() {
    let dir = example_copy();
    let fingerprints = |dir: &Path| {
        let items = json(&loopsafe(dir, &["check", "--output-format", "gitlab"]));
        let mut f: Vec<String> = items
            .iter()
            .map(|i| i["fingerprint"].as_str().unwrap().to_string())
            .collect();
        f.sort();
        f
    };
    let before = fingerprints(dir.path());
    let tenant = dir.path().join("app/middleware/tenant.py");
    let text = std::fs::read_to_string(&tenant).unwrap();
    std::fs::write(&tenant, format!("# moved\n\n{text}")).unwrap();
    assert_eq!(fingerprints(dir.path()), before);
}

#[test]
fn example_junit_report() {
    let out = loopsafe(
        &repo_root(),
        &["check", "examples/sales_calls", "--output-format", "junit"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.matches("<testcase ").count(), 6);
    assert_eq!(text.matches("<testsuite ").count(), 4, "one per file");
    insta::assert_snapshot!("example_junit", text);

    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("ok.py", "async def f():\n    return 1\n")]);
    let clean = loopsafe(dir.path(), &["check", "--output-format", "junit"]);
    assert_eq!(clean.status.code(), Some(0));
    assert!(
        stdout(&clean).contains("failures=\"0\""),
        "{}",
        stdout(&clean)
    );
}

#[test]
fn statistics_count_the_findings_of_each_rule() {
    let out = loopsafe(
        &repo_root(),
        &["check", "examples/sales_calls", "--statistics"],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows[0], "2\tLS101\t[*] asyncio-run-in-coroutine", "{text}");
    assert_eq!(rows[1], "2\tLS201\t[ ] blocking-http-call", "{text}");
    assert_eq!(
        rows[2], "2\tLS901\t[ ] blocking-call-through-helper",
        "{text}"
    );
    assert!(rows[3].starts_with("Found 6 blocking calls"), "{text}");

    let json_out = loopsafe(
        &repo_root(),
        &[
            "check",
            "examples/sales_calls",
            "--statistics",
            "--output-format",
            "json",
        ],
    );
    let items = json(&json_out);
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["code"], "LS101");
    assert_eq!(items[0]["count"], 2);
    assert_eq!(items[0]["fixable"], 2);
}

#[test]
fn show_settings_names_where_each_value_comes_from() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "pyproject.toml",
                "[tool.loopsafe]\nignore = [\"LS3\"]\nmin-severity = \"low\"\n",
            ),
            ("app.py", "x = 1\n"),
        ],
    );
    let out = loopsafe(
        dir.path(),
        &[
            "check",
            "--show-settings",
            "--ignore",
            "LS5",
            "--select",
            "LS",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let row = |key: &str| {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(key))
            .unwrap_or_else(|| panic!("{key} in {text}"))
            .to_string()
    };
    assert!(
        text.starts_with("Configuration file: pyproject.toml\n"),
        "{text}"
    );
    assert!(
        row("select").ends_with("= [\"LS\"]  # command line"),
        "{text}"
    );
    assert!(
        row("ignore").ends_with("= [\"LS3\", \"LS5\"]  # pyproject.toml + command line"),
        "{text}"
    );
    assert!(
        row("min-severity").ends_with("= \"low\"  # pyproject.toml"),
        "{text}"
    );
    assert!(row("check-tests").ends_with("= false  # default"), "{text}");
    assert!(text.contains("Cache: off (LOOPSAFE_NO_CACHE)"), "{text}");
    assert!(
        text.contains("Python environment: none found (installed packages not followed)"),
        "{text}"
    );
    // Nothing is checked: no finding, no summary.
    assert!(!text.contains("checked)"), "{text}");

    let isolated = loopsafe(dir.path(), &["check", "--show-settings", "--isolated"]);
    let text = stdout(&isolated);
    assert!(
        text.starts_with("Configuration file: none (`--isolated`)"),
        "{text}"
    );
    assert!(
        text.contains("min-severity          = \"medium\"  # default"),
        "{text}"
    );
}

/// The shell script of one step of the GitHub Action (`action.yml`), dedented.
fn action_step(name: &str) -> String {
    let action = std::fs::read_to_string(repo_root().join("action.yml")).unwrap();
    let lines: Vec<&str> = action.lines().collect();
    let step = lines
        .iter()
        .position(|l| l.trim() == format!("- name: {name}"))
        .unwrap_or_else(|| panic!("no step {name} in action.yml"));
    let run = step
        + lines[step..]
            .iter()
            .position(|l| l.trim() == "run: |")
            .expect("the step runs a script");
    lines[run + 1..]
        .iter()
        .take_while(|l| l.is_empty() || l.starts_with("        "))
        .map(|l| l.get(8..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_github_action_annotates_each_finding_writes_sarif_and_fails() {
    let script = action_step("Check");
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("loopsafe.sarif");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_loopsafe")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-e", "-c", &script])
        .current_dir(repo_root())
        .env("PATH", path)
        .env("ARGS", "examples/sales_calls --min-severity high")
        .env("SARIF", &sarif)
        .env("LOOPSAFE_NO_CACHE", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let annotations = stdout(&out);
    assert_eq!(
        annotations.matches("::error title=loopsafe").count(),
        6,
        "{annotations}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(report["runs"][0]["results"].as_array().unwrap().len(), 6);

    // Nothing found: the step passes, and still writes the report.
    let clean = tempfile::tempdir().unwrap();
    write_files(clean.path(), &[("ok.py", "async def f():\n    return 1\n")]);
    let passed = Command::new("bash")
        .args(["-e", "-c", &script])
        .current_dir(clean.path())
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin_dir.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("ARGS", ".")
        .env("SARIF", clean.path().join("r.sarif"))
        .env("LOOPSAFE_NO_CACHE", "1")
        .output()
        .unwrap();
    assert_eq!(passed.status.code(), Some(0), "{}", stderr(&passed));
    assert!(clean.path().join("r.sarif").is_file());
}

#[test]
fn a_named_file_the_project_excludes_is_checked_with_its_project() {
    let dir = service();
    write_files(
        dir.path(),
        &[
            (
                "pyproject.toml",
                "[project]\nname = \"service\"\n\n[tool.loopsafe]\nextend-exclude = [\"app/legacy\"]\n",
            ),
            ("app/legacy/__init__.py", ""),
            (
                "app/legacy/jobs.py",
                "import time\n\n\nasync def poll():\n    time.sleep(1)\n",
            ),
        ],
    );
    let walked = loopsafe(dir.path(), &["check"]);
    assert_eq!(walked.status.code(), Some(0), "{}", stdout(&walked));
    let named = loopsafe(
        dir.path(),
        &["check", "app/legacy/jobs.py", "--output-format", "concise"],
    );
    assert_eq!(named.status.code(), Some(1), "{}", stdout(&named));
    assert!(
        stdout(&named).starts_with("app/legacy/jobs.py:5:5: LS301"),
        "{}",
        stdout(&named)
    );
}
