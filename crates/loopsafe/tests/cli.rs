//! The `loopsafe` command as a user runs it: exit statuses, output formats, bad input.

use std::path::Path;

#[path = "support/cli.rs"]
mod support;
use support::{loopsafe, loopsafe_with_cache, repo_root, stderr, stdout};

const ASYNC_SLEEP: &str = "import time\n\nasync def f():\n    time.sleep(1)\n";

#[test]
fn example_app_has_the_seed_hotspots_and_the_helper_chains() {
    let out = loopsafe(
        &repo_root(),
        &[
            "check",
            "examples/sales_calls",
            "--output-format",
            "concise",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let findings: Vec<&str> = text.lines().filter(|l| l.contains(": LS")).collect();
    // The seed's four hotspots, plus the two chains of the second layer.
    assert_eq!(findings.len(), 6, "{text}");
    let count = |file: &str, code: &str| {
        findings
            .iter()
            .filter(|l| l.contains(file) && l.contains(code))
            .count()
    };
    assert_eq!(count("app/middleware/tenant.py", "LS201"), 2, "{text}");
    assert_eq!(
        count("app/routes/enhanced_callrail.py", "LS101"),
        1,
        "{text}"
    );
    assert_eq!(
        count("app/routes/recording_sessions.py", "LS101"),
        1,
        "{text}"
    );
    assert_eq!(count("app/routes/accounts.py:20:15", "LS901"), 1, "{text}");
    assert_eq!(count("app/routes/accounts.py:21:8", "LS901"), 1, "{text}");
    // Celery tasks, sync routes and offloaded calls stay silent.
    assert!(!text.contains("app/tasks/"), "{text}");
    assert!(!text.contains("call_rail.py"), "{text}");
    assert!(!text.contains("record_view"), "{text}");
    assert!(!text.contains("fetch_contacts"), "{text}");
    insta::assert_snapshot!("example_concise", text);
}

#[test]
fn example_app_text_output() {
    let out = loopsafe(&repo_root(), &["check", "examples/sales_calls"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("example_text", stdout(&out));
}

#[test]
fn example_app_json_output() {
    let out = loopsafe(
        &repo_root(),
        &["check", "examples/sales_calls", "--output-format", "json"],
    );
    assert_eq!(out.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let items = value.as_array().unwrap();
    assert_eq!(items.len(), 6);
    for item in items {
        for key in [
            "code",
            "name",
            "message",
            "filename",
            "location",
            "end_location",
            "fix",
            "url",
            "chain",
            "root",
            "runs_once",
        ] {
            assert!(item.get(key).is_some(), "missing {key} in {item}");
        }
        // Every finding of the example can be fixed; the seed's asyncio.run ones safely.
        let fix = &item["fix"];
        let expected = if item["code"] == "LS101" {
            "safe"
        } else {
            "unsafe"
        };
        assert_eq!(fix["applicability"], expected, "{item}");
        assert!(!fix["message"].as_str().unwrap().is_empty());
        for edit in fix["edits"].as_array().unwrap() {
            assert!(edit["content"].is_string(), "{edit}");
            assert!(edit["location"]["row"].as_u64().unwrap() >= 1, "{edit}");
            assert!(edit["end_location"]["row"].as_u64().unwrap() >= 1, "{edit}");
        }
        assert!(item["location"]["row"].as_u64().unwrap() >= 1);
        let chain = item["chain"].as_array().unwrap();
        if item["code"] == "LS901" {
            // From the call in the route down to the blocking call, which is the root.
            assert!(chain.len() >= 2, "{item}");
            assert_eq!(chain[0]["row"], item["location"]["row"]);
            let last = chain.last().unwrap();
            assert_eq!(last["filename"], item["root"]["filename"]);
            assert_eq!(last["row"], item["root"]["row"]);
        } else {
            assert!(chain.is_empty());
            assert_eq!(item["root"]["row"], item["location"]["row"]);
        }
    }
    insta::assert_snapshot!("example_json", stdout(&out));
}

fn concise_lines(args: &[&str]) -> Vec<String> {
    let mut full = vec![
        "check",
        "examples/sales_calls",
        "-q",
        "--output-format",
        "concise",
    ];
    full.extend_from_slice(args);
    stdout(&loopsafe(&repo_root(), &full))
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn selection_flags() {
    let only_loop = concise_lines(&["--select", "LS1"]);
    assert_eq!(only_loop.len(), 2);
    assert!(only_loop.iter().all(|l| l.contains("LS101")));
    // Ignoring network calls drops the helpers whose only blocking calls are network ones.
    let no_network = concise_lines(&["--ignore", "LS2"]);
    assert_eq!(no_network.len(), 2);
    assert!(no_network.iter().all(|l| l.contains("LS101")));
    // Selecting LS901 alone reports the helpers, whatever they reach.
    let helpers = concise_lines(&["--select", "LS901"]);
    assert_eq!(helpers.len(), 2);
    assert!(helpers.iter().all(|l| l.contains("LS901")));
    let by_code = concise_lines(&["--select", "LS201"]);
    assert_eq!(by_code.len(), 2);
    let extended = concise_lines(&["--select", "LS1", "--extend-select", "LS201"]);
    assert_eq!(extended.len(), 4);
    let with_helpers = concise_lines(&["--select", "LS2,LS901"]);
    assert_eq!(with_helpers.len(), 4);

    let root = repo_root();
    let zero = loopsafe(&root, &["check", "examples/sales_calls", "--exit-zero"]);
    assert_eq!(zero.status.code(), Some(0));
    assert!(stdout(&zero).contains("Found 6"));
    let quiet = concise_lines(&[]);
    assert!(!quiet.iter().any(|l| l.contains("Found")));
    let bad = loopsafe(&root, &["check", "examples/sales_calls", "--select", "XX9"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("XX9"), "{}", stderr(&bad));
}

#[test]
fn clean_project_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ok.py"),
        "import asyncio\n\nasync def f():\n    await asyncio.sleep(1)\n",
    )
    .unwrap();
    let out = loopsafe(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("All checks passed"));
}

#[test]
fn missing_path_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = loopsafe(dir.path(), &["check", "does/not/exist"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("does/not/exist"));
}

#[test]
fn bad_config_names_file_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[project]\nname = \"x\"\n\n[tool.loopsafe]\nselect = [\"LS\"]\nexclude-me = 1\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("a.py"), "").unwrap();
    let out = loopsafe(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("pyproject.toml") && err.contains("exclude-me") && err.contains("line 6"),
        "{err}"
    );
}

#[test]
fn config_in_pyproject_applies() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.loopsafe]\nignore = [\"LS3\"]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("a.py"), ASYNC_SLEEP).unwrap();
    assert_eq!(loopsafe(dir.path(), &["check"]).status.code(), Some(0));
    assert_eq!(
        loopsafe(dir.path(), &["check", "--isolated"]).status.code(),
        Some(1)
    );
}

#[test]
fn bad_files_warn_and_the_rest_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("broken.py"), "async def f(:\n    pass\n").unwrap();
    std::fs::write(d.join("latin1.py"), b"# caf\xe9\nimport time\n").unwrap();
    std::fs::write(d.join("binary.py"), b"\x00\x01\x02ELF").unwrap();
    std::fs::write(d.join("real.py"), ASYNC_SLEEP).unwrap();
    std::fs::write(d.join("bom.py"), format!("\u{feff}{ASYNC_SLEEP}")).unwrap();
    std::os::unix::fs::symlink(d, d.join("loop")).unwrap();
    let out = loopsafe(d, &["check", "--output-format", "concise"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("broken.py:1:13: LS001 [high] Syntax error"),
        "{text}"
    );
    assert!(text.contains("real.py:4:5: LS301 [high]"), "{text}");
    assert!(text.contains("bom.py:4:5: LS301 [high]"), "{text}");
    let err = stderr(&out);
    assert!(
        err.contains("latin1.py") && err.contains("not UTF-8"),
        "{err}"
    );
    assert!(err.contains("binary.py") && err.contains("binary"), "{err}");
    assert!(err.contains("loop"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn explicit_files_are_checked_even_when_excluded() {
    let dir = tempfile::tempdir().unwrap();
    let venv = dir.path().join(".venv");
    std::fs::create_dir(&venv).unwrap();
    std::fs::write(venv.join("lib.py"), ASYNC_SLEEP).unwrap();
    let walked = loopsafe(dir.path(), &["check"]);
    assert_eq!(walked.status.code(), Some(0));
    let named = loopsafe(dir.path(), &["check", ".venv/lib.py"]);
    assert_eq!(named.status.code(), Some(1));
}

#[test]
fn exclude_flags_leave_files_out_as_the_config_keys_do() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["scripts", "tools", "app", "venv"] {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
        std::fs::write(dir.path().join(sub).join("job.py"), ASYNC_SLEEP).unwrap();
    }
    let files = |args: &[&str]| {
        let mut all = vec!["check", "--output-format", "concise", "--quiet"];
        all.extend_from_slice(args);
        let out = loopsafe(dir.path(), &all);
        let mut dirs: Vec<String> = stdout(&out)
            .lines()
            .filter_map(|l| l.split('/').next().map(str::to_string))
            .collect();
        dirs.sort();
        dirs
    };
    assert_eq!(files(&[]), ["app", "scripts", "tools"]);
    // Comma-separated and repeated, added to the defaults: `venv` stays out.
    assert_eq!(files(&["--extend-exclude", "scripts,tools"]), ["app"]);
    assert_eq!(
        files(&[
            "--extend-exclude",
            "scripts",
            "--extend-exclude",
            "tools/*.py"
        ]),
        ["app"]
    );
    // `--exclude` replaces the list, the defaults with it.
    assert_eq!(files(&["--exclude", "scripts"]), ["app", "tools", "venv"]);
    // On top of a configuration file's excludes.
    std::fs::write(
        dir.path().join("loopsafe.toml"),
        "extend-exclude = [\"tools\"]\n",
    )
    .unwrap();
    assert_eq!(files(&[]), ["app", "scripts"]);
    assert_eq!(files(&["--extend-exclude", "app"]), ["scripts"]);
    let bad = loopsafe(dir.path(), &["check", "--exclude", "a[b"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("bad glob `a[b`"), "{}", stderr(&bad));
}

#[test]
fn gitignore_is_honoured() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".gitignore"), "generated/\n").unwrap();
    std::fs::create_dir(dir.path().join("generated")).unwrap();
    std::fs::write(dir.path().join("generated/x.py"), ASYNC_SLEEP).unwrap();
    let out = loopsafe(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn rule_docs() {
    let root = repo_root();
    let out = loopsafe(&root, &["rule", "LS201"]);
    assert_eq!(out.status.code(), Some(0));
    let doc = stdout(&out);
    for section in [
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Fix safety",
    ] {
        assert!(doc.contains(section), "{doc}");
    }
    assert!(doc.contains("blocking-http-call"));
    let by_name = loopsafe(&root, &["rule", "time-sleep-in-coroutine"]);
    assert!(stdout(&by_name).contains("LS301"));
    let unknown = loopsafe(&root, &["rule", "LS999"]);
    assert_eq!(unknown.status.code(), Some(2));
    let list = stdout(&loopsafe(&root, &["rules"]));
    for info in loopsafe_core::rules::RULES {
        assert!(list.contains(info.code) && list.contains(info.name));
    }
}

#[test]
fn a_shared_loop_over_a_queryset_is_named_as_a_loop() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("models.py"),
        "from django.db import models\n\n\nclass Order(models.Model):\n    total = models.IntegerField()\n\n\ndef totals():\n    return [o.total for o in Order.objects.all()]\n",
    )
    .unwrap();
    std::fs::write(
        d.join("views.py"),
        "from models import totals\n\n\nasync def summary(request):\n    return sum(totals())\n\n\nasync def report(request):\n    return max(totals())\n",
    )
    .unwrap();
    let text = stdout(&loopsafe(d, &["check", "--select", "LS901"]));
    assert!(
        text.contains(
            "LS901 [high] Blocking loop over a `django.db.models.QuerySet` reached from 2 async call sites"
        ),
        "{text}"
    );
}

#[test]
fn callers_of_one_root_are_shown_together() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("store.py"),
        "import functools\nimport json\n\n\ndef load(name):\n    with open(name) as f:\n        return json.load(f)\n\n\n@functools.lru_cache\ndef settings():\n    return load(\"settings.json\")\n",
    )
    .unwrap();
    std::fs::write(
        d.join("views.py"),
        "from store import load, settings\n\n\nasync def users():\n    return load(\"users.json\")\n\n\nasync def teams():\n    return load(\"teams.json\")\n\n\nasync def theme():\n    return settings()[\"theme\"]\n",
    )
    .unwrap();
    let out = loopsafe(d, &["check", "--min-severity", "low"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("1 root cause, 3 call sites:"), "{text}");
    assert!(!text.contains("more call site"), "{text}");
    assert!(
        text.contains("Found 3 blocking calls on the event loop (1 root cause) in 1 file"),
        "{text}"
    );
    insta::assert_snapshot!("grouped_text", text);

    let json = loopsafe(
        d,
        &["check", "--output-format", "json", "--min-severity", "low"],
    );
    let items: Vec<serde_json::Value> = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(items.len(), 3);
    assert!(items.iter().all(|i| i["root"] == items[0]["root"]));
    assert_eq!(items[0]["root"]["filename"], "store.py");
    assert_eq!(items[0]["root"]["row"], 6);
    let once: Vec<bool> = items
        .iter()
        .map(|i| i["runs_once"].as_bool().unwrap())
        .collect();
    assert_eq!(once, [false, false, true]);

    // The report gives the root cause one section, with its callers.
    let report = stdout(&loopsafe(
        d,
        &["report", "--date", "2026-11-26", "--min-severity", "low"],
    ));
    assert!(
        report.contains("### 1. `store.py:6`: `open()` reached from 3 async call sites"),
        "{report}"
    );
    assert!(report.contains("One root cause, 3 call sites:"), "{report}");
    assert!(
        report.contains("`theme` → `settings` → `load` (first call only)"),
        "{report}"
    );
    assert!(!report.contains("### 2."), "{report}");
}

/// One helper's `time.sleep` reached from ten coroutines, and one `time.sleep` written in
/// a coroutine: eleven call sites, two root causes.
fn ten_callers() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("store.py"),
        "import time\n\n\ndef pause():\n    time.sleep(1)\n",
    )
    .unwrap();
    let mut views = String::from("import time\n\nfrom store import pause\n");
    for i in 0..10 {
        views.push_str(&format!("\n\nasync def handler_{i}():\n    pause()\n"));
    }
    views.push_str("\n\nasync def alone():\n    time.sleep(2)\n");
    std::fs::write(d.join("views.py"), views).unwrap();
    dir
}

#[test]
fn text_shows_three_call_sites_of_a_root_cause_and_counts_the_others() {
    let dir = ten_callers();
    let d = dir.path();
    let text = stdout(&loopsafe(d, &["check"]));
    // The worst three by the sort in use; all ten are alike here, so by place.
    for shown in ["handler_0", "handler_1", "handler_2"] {
        assert!(
            text.contains(&format!("`{shown}` calls `pause()`")),
            "{text}"
        );
    }
    assert!(!text.contains("handler_3"), "{text}");
    assert_eq!(text.matches("calls `pause()`").count(), 3, "{text}");
    assert!(
        text.contains("= 1 root cause, 10 call sites (the worst 3):"),
        "{text}"
    );
    assert!(
        text.contains("= … and 7 more call sites (`--show-all`, or the JSON)"),
        "{text}"
    );
    assert!(
        text.contains(
            "Found 11 blocking calls on the event loop (2 root causes) in 1 file (2 files checked)."
        ),
        "{text}"
    );
    insta::assert_snapshot!("capped_text", text);

    let all = stdout(&loopsafe(d, &["check", "--show-all"]));
    assert_eq!(all.matches("calls `pause()`").count(), 10, "{all}");
    assert!(all.contains("`handler_9` calls `pause()`"), "{all}");
    assert!(all.contains("= 1 root cause, 10 call sites:"), "{all}");
    assert!(!all.contains("more call site"), "{all}");
    // The same closing line: `--show-all` shows more chains, not more findings.
    assert_eq!(all.lines().last(), text.lines().last(), "{all}");

    // Machine formats keep one entry per call site.
    let json = stdout(&loopsafe(d, &["check", "--output-format", "json"]));
    let items: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let through: Vec<&serde_json::Value> = items.iter().filter(|i| i["code"] == "LS901").collect();
    assert_eq!(through.len(), 10, "{json}");
    assert_eq!(items.len(), 11, "{json}");
    let concise = stdout(&loopsafe(d, &["check", "--output-format", "concise"]));
    assert_eq!(concise.matches(": LS901 ").count(), 10, "{concise}");
    assert!(concise.contains("(2 root causes)"), "{concise}");
}

#[test]
fn report_counts_root_causes_and_call_sites_as_the_text_does() {
    let dir = ten_callers();
    let report = stdout(&loopsafe(dir.path(), &["report", "--date", "2026-11-26"]));
    assert!(
        report.contains(
            "Found **11 blocking calls** on the event loop (**2 root causes**) in 1 file:"
        ),
        "{report}"
    );
    assert!(report.contains("## Root causes"), "{report}");
    assert!(!report.contains("hotspot"), "{report}");
    // Two sections, one a root cause.
    assert!(report.contains("### 2."), "{report}");
    assert!(!report.contains("### 3."), "{report}");
    assert!(
        report.contains("reached from 10 async call sites through helpers"),
        "{report}"
    );
    assert!(
        report.contains("One root cause, 10 call sites (the worst 3):"),
        "{report}"
    );
    assert_eq!(report.matches("- `views.py:").count(), 3, "{report}");
    assert!(
        report.contains(
            "- … and 7 more call sites (`loopsafe check --show-all`, or `--output-format json`)"
        ),
        "{report}"
    );
    // The summary's lines count root causes, with their call sites beside them.
    assert!(report.contains("(10 call sites)"), "{report}");
}

#[path = "../../loopsafe_core/tests/support/fs.rs"]
mod fs;

/// A copy of the example app in a scratch directory.
fn example_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(
        &repo_root().join("examples/sales_calls"),
        &dir.path().join("sales_calls"),
    );
    dir
}

#[test]
fn fixing_the_example_app_turns_the_seed_before_into_its_after() {
    let dir = example_copy();
    let app = dir.path().join("sales_calls");
    let read = |rel: &str| std::fs::read(app.join(rel)).unwrap();
    let untouched = ["app/tasks/analysis_tasks.py", "app/routes/call_rail.py"];
    let before: Vec<Vec<u8>> = untouched.iter().map(|f| read(f)).collect();

    // Safe fixes alone: the two asyncio.run calls.
    let safe = loopsafe(&app, &["check", "--fix", "--show-fixes"]);
    assert_eq!(safe.status.code(), Some(1), "{}", stderr(&safe));
    let text = stdout(&safe);
    assert!(
        text.contains("Fixed 2 findings in 2 files; 4 left."),
        "{text}"
    );
    assert!(
        text.contains("4 more can be fixed with `--unsafe-fixes`"),
        "{text}"
    );

    let all = loopsafe(&app, &["check", "--fix", "--unsafe-fixes"]);
    assert_eq!(
        all.status.code(),
        Some(0),
        "{}{}",
        stdout(&all),
        stderr(&all)
    );
    assert!(stdout(&all).contains("Fixed 4 findings in 2 files; 0 left."));

    let route = String::from_utf8(read("app/routes/enhanced_callrail.py")).unwrap();
    assert!(route.contains("job = await shunya_async_job_service.submit_csr_call_job("));
    assert!(!route.contains("asyncio"), "{route}");
    let middleware = String::from_utf8(read("app/middleware/tenant.py")).unwrap();
    assert!(middleware.contains("\nimport httpx\n"), "{middleware}");
    assert!(middleware.contains("_http = httpx.AsyncClient(follow_redirects=True, timeout=None)"));
    assert!(middleware.contains("response = await _http.get(settings.clerk_jwks_url, timeout=10)"));
    assert!(!middleware.contains("import requests"), "{middleware}");
    let accounts = String::from_utf8(read("app/routes/accounts.py")).unwrap();
    assert!(accounts.contains("summary = await run_in_threadpool(account_summary, account_id)"));
    for (file, bytes) in untouched.iter().zip(before) {
        assert_eq!(read(file), bytes, "{file} changed");
    }
    insta::assert_snapshot!("fixed_tenant_middleware", middleware);

    // Nothing is left to fix, and checking again finds nothing.
    let again = loopsafe(&app, &["check"]);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
}

#[test]
fn diff_shows_the_fixes_and_writes_nothing() {
    let dir = example_copy();
    let app = dir.path().join("sales_calls");
    let route = app.join("app/routes/recording_sessions.py");
    let before = std::fs::read(&route).unwrap();
    let out = loopsafe(&app, &["check", "--diff"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("--- a/app/routes/recording_sessions.py"),
        "{text}"
    );
    assert!(
        text.contains("+    job = await shunya_async_job_service.submit_sales_visit_job("),
        "{text}"
    );
    assert!(
        !text.contains("httpx"),
        "unsafe fixes need --unsafe-fixes: {text}"
    );
    assert_eq!(std::fs::read(&route).unwrap(), before);
    let clean = tempfile::tempdir().unwrap();
    std::fs::write(clean.path().join("ok.py"), "async def f():\n    return 1\n").unwrap();
    assert_eq!(
        loopsafe(clean.path(), &["check", "--diff"]).status.code(),
        Some(0)
    );
}

#[test]
fn fixed_files_keep_bom_line_endings_and_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let crlf = "import time\r\n\r\n\r\nasync def f():\r\n    time.sleep(1)\r\n";
    std::fs::write(d.join("crlf.py"), crlf).unwrap();
    std::fs::write(d.join("bom.py"), format!("\u{feff}{ASYNC_SLEEP}")).unwrap();
    std::fs::set_permissions(d.join("bom.py"), std::fs::Permissions::from_mode(0o754)).unwrap();
    std::fs::write(d.join("locked.py"), ASYNC_SLEEP).unwrap();
    std::fs::set_permissions(d.join("locked.py"), std::fs::Permissions::from_mode(0o444)).unwrap();

    let out = loopsafe(d, &["check", "--fix"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("locked.py: cannot write the fixes: the file is read-only"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");

    let fixed = std::fs::read_to_string(d.join("crlf.py")).unwrap();
    assert_eq!(
        fixed,
        // `import time` is no longer used, so it goes.
        "import asyncio\r\n\r\n\r\nasync def f():\r\n    await asyncio.sleep(1)\r\n"
    );
    let bom = std::fs::read(d.join("bom.py")).unwrap();
    assert!(bom.starts_with(b"\xef\xbb\xbf"));
    assert!(String::from_utf8_lossy(&bom).contains("await asyncio.sleep(1)"));
    let mode = std::fs::metadata(d.join("bom.py"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o754);
    assert_eq!(
        std::fs::read_to_string(d.join("locked.py")).unwrap(),
        ASYNC_SLEEP
    );
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
}

#[test]
fn report_on_the_example_app_reads_like_the_seed() {
    let app = repo_root().join("examples/sales_calls");
    let out = loopsafe(&app, &["report", "--date", "2026-11-26"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    // The seed's four hotspots, the middleware ones first, then the helpers of the
    // example's second layer.
    let order: Vec<usize> = [
        "### 1. `app/middleware/tenant.py:64`",
        "### 2. `app/middleware/tenant.py:73`",
        "`app/routes/enhanced_callrail.py:21`",
        "`app/routes/recording_sessions.py:20`",
    ]
    .iter()
    .map(|h| {
        text.find(h)
            .unwrap_or_else(|| panic!("missing {h}:\n{text}"))
    })
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert!(
        text.contains("every authenticated request, on all 7 routes"),
        "{text}"
    );
    assert!(text.contains("job = await shunya_async_job_service.submit_csr_call_job("));
    assert!(text.contains("response = await _http.get(settings.clerk_jwks_url, timeout=10)"));
    // Acceptable uses, with their reasons.
    assert!(text.contains("### Celery tasks"), "{text}");
    assert!(
        text.contains("`app/tasks/analysis_tasks.py:18`: `asyncio.run()`"),
        "{text}"
    );
    assert!(text.contains("### Sync routes and dependencies"), "{text}");
    assert!(
        text.contains("`app/routes/call_rail.py:28`: `requests.get()`"),
        "{text}"
    );
    // No invented figures without a probe.
    assert!(text.contains("Not measured"), "{text}");
    for file in [
        "app/middleware/tenant.py",
        "app/routes/enhanced_callrail.py",
        "app/routes/recording_sessions.py",
    ] {
        assert!(text.contains(&format!("- `{file}` (+")), "{file}:\n{text}");
    }
    insta::assert_snapshot!("example_report", text);
    // The copy in the docs is this same output, with the figures the probe measured on
    // the example (docs/probe-*.json) in its Impact section.
    // Written to a file, the report also draws the canary chart beside it.
    let written = tempfile::tempdir().unwrap();
    let report_file = written.path().join("example-report.md");
    let out = loopsafe(
        &app,
        &[
            "report",
            "--date",
            "2026-11-26",
            "--impact",
            "../../docs/probe-before.json",
            "../../docs/probe-after.json",
            "-o",
            report_file.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let measured = std::fs::read_to_string(&report_file).unwrap();
    assert!(
        measured.contains("Measured with `loopsafe probe`"),
        "{measured}"
    );
    assert!(
        measured.contains("| throughput | ") && measured.contains("| stall | "),
        "{measured}"
    );
    assert!(
        measured.contains("![The canary's latency over time, before and after the fixes](example-report-canary.svg)")
            && measured.contains("### Where the loop stalled (measured)")
            && measured.contains("| LS201 at `app/middleware/tenant.py:73` |"),
        "{measured}"
    );
    let regenerate = "in examples/sales_calls, run `loopsafe report --date 2026-11-26 --impact ../../docs/probe-before.json ../../docs/probe-after.json -o ../../docs/example-report.md`";
    let docs = std::fs::read_to_string(repo_root().join("docs/example-report.md")).unwrap();
    assert_eq!(
        docs, measured,
        "docs/example-report.md is out of date: {regenerate}"
    );
    let chart = std::fs::read_to_string(written.path().join("example-report-canary.svg")).unwrap();
    assert!(
        chart.starts_with("<svg") && chart.contains("\nbefore\n</text>"),
        "{chart}"
    );
    let docs_chart =
        std::fs::read_to_string(repo_root().join("docs/example-report-canary.svg")).unwrap();
    assert!(
        docs_chart == chart,
        "docs/example-report-canary.svg is out of date: {regenerate}"
    );

    // The Before/After blocks are what `--fix --unsafe-fixes` writes.
    let dir = example_copy();
    let copy = dir.path().join("sales_calls");
    assert_eq!(
        loopsafe(&copy, &["check", "--fix", "--unsafe-fixes"])
            .status
            .code(),
        Some(0)
    );
    let fixed = std::fs::read_to_string(copy.join("app/middleware/tenant.py")).unwrap();
    assert!(fixed
        .contains("        response = await _http.get(\n            f\"{settings.CLERK_API_URL}"));
}

#[test]
fn github_annotations() {
    let out = loopsafe(
        &repo_root(),
        &["check", "examples/sales_calls", "--output-format", "github"],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    // Every one of them is high: an error annotation.
    assert!(lines
        .iter()
        .all(|l| l.starts_with("::error title=loopsafe (LS")));
    assert!(text.contains(
        "::error title=loopsafe (LS201),file=examples/sales_calls/app/middleware/tenant.py,line=64,col=20,endLine=64,endColumn=32::LS201 Blocking HTTP call"
    ));
}

#[test]
fn sort_by_reach_puts_first_call_only_findings_last() {
    let fixtures = repo_root().join("crates/loopsafe_core/resources/test/fixtures");
    let args = [
        "check",
        "-q",
        "--output-format",
        "concise",
        "--sort",
        "reach",
        // The fixture alone: its project would be this repository (the pyproject.toml
        // at its root), where the example's framework makes other coroutines the loop's.
        "--isolated-files",
        "one_time_setup.py",
    ];
    let text = stdout(&loopsafe(&fixtures, &args));
    let once: Vec<bool> = text
        .lines()
        .map(|l| l.contains("first call only"))
        .collect();
    assert!(
        once.iter().any(|o| *o) && once.iter().any(|o| !*o),
        "{text}"
    );
    let first_once = once.iter().position(|o| *o).unwrap();
    assert!(once[first_once..].iter().all(|o| *o), "{text}");
}

#[test]
fn sort_by_reach_puts_the_widest_first() {
    let fixture =
        repo_root().join("crates/loopsafe_core/resources/test/fixtures/framework_fastapi");
    let run = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["check", "-q", "--output-format", "concise"];
        args.extend_from_slice(extra);
        stdout(&loopsafe(&fixture, &args))
            .lines()
            .map(str::to_string)
            .collect()
    };
    let by_place = run(&["--sort", "location"]);
    let by_reach = run(&["--sort", "reach"]);
    assert!(by_place[0].starts_with("api/deps.py:9"), "{by_place:?}");
    // The middleware runs for all five routes, the dependency for two, a route for one.
    assert!(by_reach[0].starts_with("api/main.py:11"), "{by_reach:?}");
    assert!(by_reach[1].starts_with("api/deps.py:9"), "{by_reach:?}");
    assert_eq!(by_place.len(), by_reach.len());
}

#[path = "../../loopsafe_core/tests/support/files.rs"]
mod files;
use files::python_files;

fn set_modified(path: &Path, time: std::time::SystemTime) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(time).unwrap();
}

#[test]
fn the_cache_gives_the_same_output_and_clean_removes_it() {
    let dir = example_copy();
    let app = dir.path().join("sales_calls");
    let json = |args: &[&str]| {
        let mut all = vec!["check", "--output-format", "json"];
        all.extend_from_slice(args);
        let out = loopsafe_with_cache(&app, &all, true);
        assert!(stderr(&out).is_empty(), "{}", stderr(&out));
        stdout(&out)
    };
    let cold = json(&["--no-cache"]);
    assert!(!app.join(".loopsafe_cache").exists());
    // Files an hour old: the cache trusts their size and time without reading them.
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for file in python_files(&app) {
        set_modified(&file, hour_ago);
    }
    let first = json(&[]);
    assert!(app.join(".loopsafe_cache/.gitignore").exists());
    let warm = json(&[]);
    assert_eq!(cold, first);
    assert_eq!(
        cold, warm,
        "a run from the cache must print what a cold run prints"
    );

    // One file changed, to text of the same size: its time tells.
    let crm = app.join("app/clients/crm.py");
    let text = std::fs::read_to_string(&crm).unwrap();
    std::fs::write(&crm, text.replace("_session.get(", "_session.put(")).unwrap();
    let changed = json(&[]);
    assert_eq!(changed, json(&["--no-cache"]));
    assert!(changed.contains("requests.Session.put"), "{changed}");

    // Changed back within the same clock tick as the cache was written, with the time
    // the file had then: a coarse clock could do that. Its time is not trusted for a
    // file that new, so the cache reads it and sees the change.
    let then = std::fs::metadata(&crm).unwrap().modified().unwrap();
    std::fs::write(&crm, &text).unwrap();
    set_modified(&crm, then);
    assert_eq!(json(&[]), cold);

    let clean = loopsafe(&app, &["clean"]);
    assert_eq!(clean.status.code(), Some(0));
    assert!(!app.join(".loopsafe_cache").exists());
}

#[test]
fn sync_handlers_on_the_loop_are_named_and_get_no_await_fix() {
    // Tornado runs a plain `def get(self)` on its IOLoop: the finding names the handler,
    // the report says to make it async first, and `--fix` leaves it alone.
    let dir = tempfile::tempdir().unwrap();
    let source = "import time\n\nimport tornado.web\n\n\nclass Status(tornado.web.RequestHandler):\n    def get(self):\n        time.sleep(1)\n";
    std::fs::write(dir.path().join("app.py"), source).unwrap();
    let out = loopsafe(dir.path(), &["check", "--output-format", "concise"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out)
            .contains("in `Status.get`, a sync handler the framework runs on the event loop"),
        "{}",
        stdout(&out)
    );
    let report = stdout(&loopsafe(dir.path(), &["report", "--date", "2026-11-27"]));
    assert!(
        report.contains("`time.sleep()` in sync route handlers"),
        "{report}"
    );
    assert!(
        report.contains("`time.sleep()` in `Status.get`"),
        "{report}"
    );
    assert!(
        report.contains("Make `Status.get` an `async def`"),
        "{report}"
    );
    let fixed = loopsafe(dir.path(), &["check", "--fix", "--unsafe-fixes"]);
    assert_eq!(fixed.status.code(), Some(1), "{}", stderr(&fixed));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("app.py")).unwrap(),
        source
    );
}

#[test]
fn a_shared_root_is_underlined_in_full_when_its_quote_leaves_arguments_out() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let line = "    return conn.execute(\"select name from users where active = 1\").fetchone()";
    std::fs::write(
        d.join("app.py"),
        format!(
            "import sqlite3\n\nconn = sqlite3.connect(\"x.db\")\n\n\ndef first_row():\n{line}\n\n\nasync def a():\n    return first_row()\n\n\nasync def b():\n    return first_row()\n"
        ),
    )
    .unwrap();
    let text = stdout(&loopsafe(d, &["check", "--select", "LS901"]));
    // The chain quotes the call short; the carets still cover the called expression.
    assert!(
        text.contains("calls `conn.execute(...).fetchone()`"),
        "{text}"
    );
    let callee = "conn.execute(\"select name from users where active = 1\").fetchone";
    let carets = format!(
        "{}{}\n",
        " ".repeat(line.find("conn").unwrap()),
        "^".repeat(callee.len())
    );
    assert!(text.contains(&carets), "{text}");
}

#[test]
fn test_coroutines_are_reported_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("tests")).unwrap();
    std::fs::write(dir.path().join("tests/test_api.py"), ASYNC_SLEEP).unwrap();
    let quiet = loopsafe(dir.path(), &["check", "--isolated", "."]);
    assert_eq!(quiet.status.code(), Some(0), "{}", stdout(&quiet));
    let asked = loopsafe(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--check-tests",
            "--output-format",
            "concise",
            ".",
        ],
    );
    assert_eq!(asked.status.code(), Some(1), "{}", stderr(&asked));
    assert!(
        stdout(&asked).contains("tests/test_api.py:4:5: LS301"),
        "{}",
        stdout(&asked)
    );
}

#[test]
fn json_names_the_other_blocking_calls_a_helper_reaches_only_when_there_are_some() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("jobs.py"),
        "import os\n\nimport requests\n\n\ndef save(folder, payload):\n    os.makedirs(folder, exist_ok=True)\n    requests.post(\"https://example.com/\", json=payload)\n\n\ndef ping():\n    requests.get(\"https://example.com/\")\n\n\nasync def handler(folder, payload):\n    save(folder, payload)\n    ping()\n",
    )
    .unwrap();
    let json = loopsafe(d, &["check", "--output-format", "json"]);
    let items: Vec<serde_json::Value> = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(items.len(), 2, "{items:?}");
    // The POST, not the nearer `makedirs`, is what the finding is about.
    assert_eq!(items[0]["api"], "requests.post");
    assert_eq!(items[0]["chain"][1]["row"], 8);
    assert!(items[0]["message"]
        .as_str()
        .unwrap()
        .contains("`requests.post()`"));
    assert_eq!(items[0]["other_sinks"], serde_json::json!(["os.makedirs"]));
    assert_eq!(items[1]["api"], "requests.get");
    assert!(items[1].get("other_sinks").is_none(), "{}", items[1]);
}

#[test]
fn min_severity_hides_the_low_findings_counts_them_and_sets_the_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A metadata syscall (low) and a file read (medium), then a sleep (high).
    std::fs::write(
        d.join("cheap.py"),
        "import os\n\nasync def f(p):\n    return os.path.exists(p)\n",
    )
    .unwrap();
    std::fs::write(
        d.join("read.py"),
        "async def g(p):\n    return open(p).read()\n",
    )
    .unwrap();
    std::fs::write(d.join("real.py"), ASYNC_SLEEP).unwrap();
    let concise = |args: &[&str]| {
        let mut all = vec!["check", "--output-format", "concise"];
        all.extend_from_slice(args);
        let out = loopsafe(d, &all);
        (out.status.code(), stdout(&out))
    };

    let (code, text) = concise(&[]);
    assert_eq!(code, Some(1));
    assert!(text.contains("real.py:4:5: LS301 [high]"), "{text}");
    assert!(text.contains("read.py:2:12: LS501 [medium]"), "{text}");
    assert!(!text.contains("cheap.py"), "{text}");
    assert!(
        text.contains("1 low-severity finding not shown (`--min-severity low` to see them)."),
        "{text}"
    );

    let (_, text) = concise(&["--min-severity", "low"]);
    assert!(text.contains("cheap.py:4:12: LS502 [low]"), "{text}");
    assert!(!text.contains("not shown"), "{text}");

    let (_, text) = concise(&["--min-severity", "high"]);
    assert!(!text.contains("read.py"), "{text}");
    assert!(
        text.contains("2 low- or medium-severity findings not shown"),
        "{text}"
    );

    // Only what is shown counts for the exit status.
    std::fs::remove_file(d.join("real.py")).unwrap();
    std::fs::remove_file(d.join("read.py")).unwrap();
    let (code, text) = concise(&[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("No blocking call of high or medium severity found"),
        "{text}"
    );
    assert!(text.contains("1 low-severity finding not shown"), "{text}");

    // The configuration says it too; the command line wins.
    std::fs::write(d.join("loopsafe.toml"), "min-severity = \"low\"\n").unwrap();
    let (code, text) = concise(&[]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("cheap.py:4:12: LS502 [low]"), "{text}");
    let (code, _) = concise(&["--min-severity", "medium"]);
    assert_eq!(code, Some(0));
}

#[test]
fn default_sort_is_by_severity() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // By place the file read comes first; by severity the sleep does.
    std::fs::write(
        d.join("a.py"),
        "async def g(p):\n    return open(p).read()\n",
    )
    .unwrap();
    std::fs::write(d.join("b.py"), ASYNC_SLEEP).unwrap();
    let lines = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["check", "-q", "--output-format", "concise"];
        all.extend_from_slice(args);
        stdout(&loopsafe(d, &all))
            .lines()
            .map(str::to_string)
            .collect()
    };
    let by_severity = lines(&[]);
    assert!(
        by_severity[0].starts_with("b.py:4:5: LS301 [high]"),
        "{by_severity:?}"
    );
    assert!(
        by_severity[1].starts_with("a.py:2:12: LS501 [medium]"),
        "{by_severity:?}"
    );
    assert_eq!(lines(&["--sort", "severity"]), by_severity);
    let by_place = lines(&["--sort", "location"]);
    assert!(by_place[0].starts_with("a.py"), "{by_place:?}");
}

#[test]
fn a_check_that_hides_every_finding_does_not_claim_there_are_none() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("cheap.py"),
        "import os\n\nasync def f(p):\n    return os.path.exists(p)\n",
    )
    .unwrap();
    let out = loopsafe(d, &["check"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(!text.contains("no blocking calls found"), "{text}");
    assert!(
        text.contains(
            "No blocking call of high or medium severity found on the event loop (1 file checked)."
        ),
        "{text}"
    );
    assert!(text.contains("1 low-severity finding not shown"), "{text}");
}
