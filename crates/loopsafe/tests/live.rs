//! The fixed example app works: served by uvicorn from a venv built from PyPI, against
//! fake upstreams on 127.0.0.1, driven with real signed tokens (`tests/live/drive.py`).
//! Before the fixes the `asyncio.run` routes fail; after them every request succeeds,
//! the middleware still caches the JWKS and still looks up organizations.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "support/cli.rs"]
mod cli;
use cli::repo_root;
#[path = "support/process.rs"]
mod process;
use process::run;
#[path = "support/venv.rs"]
mod venv;

/// A venv with the pinned requirements, built once per target directory (and once per
/// run: the tests here share it).
fn venv() -> PathBuf {
    static VENV: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    VENV.get_or_init(build_venv).clone()
}

fn build_venv() -> PathBuf {
    venv::pinned(
        "live-venv",
        &repo_root().join("crates/loopsafe/tests/live/requirements.txt"),
    )
}

#[path = "../../loopsafe_core/tests/support/crates_io.rs"]
mod crates_io;
#[path = "../../loopsafe_core/tests/support/fs.rs"]
mod fs;
use fs::copy;

#[test]
fn sarif_output_follows_the_official_schema() {
    let venv = venv();
    // The SARIF 2.1.0 schema (OASIS) ships in the serde-sarif crate.
    let crate_dir = crates_io::sources(
        "serde-sarif",
        "0.8.0",
        Path::new(env!("CARGO_TARGET_TMPDIR")),
    );
    let schema = crate_dir.join("src/schema.json");
    let dir = tempfile::tempdir().unwrap();
    let mut reports = vec![];
    // The example has fixes of every applicability; the fixtures add chains and notes.
    for (name, path) in [
        ("example", repo_root().join("examples/sales_calls")),
        (
            "helpers",
            repo_root().join("crates/loopsafe_core/resources/test/fixtures/helper_chains"),
        ),
        (
            "fixes",
            repo_root().join("crates/loopsafe_core/resources/test/fixes"),
        ),
    ] {
        let out = run(
            Command::new(env!("CARGO_BIN_EXE_loopsafe"))
                .env("LOOPSAFE_NO_CACHE", "1")
                .env_remove("VIRTUAL_ENV")
                .args(["check", "--output-format", "sarif", "--isolated"])
                .current_dir(&path),
            Duration::from_secs(60),
        );
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let file = dir.path().join(format!("{name}.sarif"));
        std::fs::write(&file, &out.stdout).unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let results = doc["runs"][0]["results"].as_array().unwrap();
        assert!(!results.is_empty());
        reports.push(file);
    }
    let check = "import json, sys\n\
        from jsonschema import Draft7Validator\n\
        schema = json.load(open(sys.argv[1]))\n\
        Draft7Validator.check_schema(schema)\n\
        bad = 0\n\
        for path in sys.argv[2:]:\n\
        \x20   for error in Draft7Validator(schema).iter_errors(json.load(open(path))):\n\
        \x20       bad += 1\n\
        \x20       print(path, list(error.absolute_path), error.message)\n\
        sys.exit(1 if bad else 0)\n";
    let out = run(
        Command::new(venv.join("bin/python"))
            .args(["-c", check])
            .arg(&schema)
            .args(&reports),
        Duration::from_secs(60),
    );
    assert!(
        out.status.success(),
        "SARIF does not follow the schema:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Two copies of the example app: as it is, and fixed by `--fix --unsafe-fixes`.
fn original_and_fixed(dir: &Path) -> (PathBuf, PathBuf) {
    let original = dir.join("original");
    let fixed = dir.join("fixed");
    copy(&repo_root().join("examples/sales_calls"), &original);
    copy(&original, &fixed);
    let fix = run(
        Command::new(env!("CARGO_BIN_EXE_loopsafe"))
            .env("LOOPSAFE_NO_CACHE", "1")
            .env_remove("VIRTUAL_ENV")
            .args(["check", "--fix", "--unsafe-fixes", "-q"])
            .current_dir(&fixed),
        Duration::from_secs(60),
    );
    assert_eq!(fix.status.code(), Some(0), "{fix:?}");
    (original, fixed)
}

#[test]
fn the_fixed_example_app_serves_what_the_original_could_not() {
    let venv = venv();
    let dir = tempfile::tempdir().unwrap();
    let (original, fixed) = original_and_fixed(dir.path());

    let out = run(
        Command::new(venv.join("bin/python"))
            .arg(repo_root().join("crates/loopsafe/tests/live/drive.py"))
            .arg(&original)
            .arg(&fixed),
        Duration::from_secs(120),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "drive.py failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let (before, after) = (&r["before"], &r["after"]);

    // Before: `asyncio.run()` inside the running loop raises on every call.
    assert_eq!(before["callrail"]["status"], 500, "{r}");
    assert_eq!(before["recording"]["status"], 500, "{r}");
    assert_eq!(before["loop_error_logged"], true, "{r}");
    assert!(before["upstream"].get("jobs").is_none(), "{r}");

    // After: the same requests succeed and reach the job service.
    assert_eq!(after["callrail"]["status"], 200, "{r}");
    assert!(
        after["callrail"]["body"]
            .as_str()
            .unwrap()
            .contains("job-1"),
        "{r}"
    );
    assert_eq!(after["recording"]["status"], 200, "{r}");
    assert_eq!(after["loop_error_logged"], false, "{r}");
    assert_eq!(after["upstream"]["jobs"], 2, "{r}");
    assert_eq!(
        after["accounts"],
        serde_json::json!([200, 200, 200, 200, 200]),
        "{r}"
    );
    // The middleware still caches the JWKS: one fetch for every request.
    assert_eq!(after["upstream"]["jwks"], 1, "{r}");
    // And still asks for the organization when the token has none.
    assert_eq!(after["without_org"]["status"], 200, "{r}");
    assert_eq!(after["upstream"]["memberships"], 1, "{r}");
    assert_eq!(after["bad_token"], 401, "{r}");
    // The offloaded helpers still reach the CRM and the flag service.
    assert_eq!(after["upstream"]["crm"], 6, "{r}");
    assert_eq!(after["upstream"]["flags"], 6, "{r}");

    // The fixed code leaves no unused import, undefined name or unused variable.
    assert_eq!(r["ruff"]["status"], 0, "{}", r["ruff"]["output"]);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Kills a child when the test ends, however it ends.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_probe_measures_the_stall_before_and_after_the_fixes() {
    let venv = venv();
    let dir = tempfile::tempdir().unwrap();
    let (original, fixed) = original_and_fixed(dir.path());

    // A 200 ms organization lookup, as in the write-up's service.
    let upstream_port = free_port();
    let token_file = dir.path().join("token");
    let _upstream = KillOnDrop(
        Command::new(venv.join("bin/python"))
            .arg(repo_root().join("crates/loopsafe/tests/live/upstream.py"))
            .arg(upstream_port.to_string())
            .arg(&token_file)
            .arg("200")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let start = Instant::now();
    while !token_file.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the upstream never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let token = std::fs::read_to_string(&token_file).unwrap();
    let upstream = format!("http://127.0.0.1:{upstream_port}");

    let probe = |app: &Path, name: &str| -> serde_json::Value {
        let port = free_port();
        let out_file = dir.path().join(format!("{name}.json"));
        let serve = format!(
            "cd '{}' && exec '{}' -m uvicorn app.main:app --host 127.0.0.1 --port {port}",
            app.display(),
            venv.join("bin/python").display()
        );
        let out = run(
            Command::new(env!("CARGO_BIN_EXE_loopsafe"))
                .env("LOOPSAFE_NO_CACHE", "1")
                .env_remove("VIRTUAL_ENV")
                .args(["probe", &format!("http://127.0.0.1:{port}")])
                .args(["--serve", &serve, "--serve-timeout", "30s"])
                .args(["--load", "GET /accounts/a1"])
                .args(["--load", "POST /callrail/calls/completed"])
                .args(["--canary", "GET /health"])
                .args(["-H", &format!("Authorization: Bearer {token}")])
                .args(["-H", "Content-Type: application/json"])
                .args([
                    "--body",
                    r#"{"call_id": "c1", "recording_url": "http://rec/c1.mp3"}"#,
                ])
                .args(["--concurrency", "10", "--duration", "4s", "--idle", "1s"])
                .args(["--timeout", "10s", "--output-format", "json", "-o"])
                .arg(&out_file)
                .arg("--plot")
                .arg(dir.path().join(format!("{name}.svg")))
                // Above the few-ms delays a busy 2-core machine gives any code on the loop
                // (threads and other processes competing for the CPU), far below the
                // 200 ms the middleware's lookup holds it.
                .args(["--stall-threshold", "50ms"])
                .env(
                    "CLERK_JWKS_URL",
                    format!("{upstream}/.well-known/jwks.json"),
                )
                .env("CLERK_API_URL", format!("{upstream}/v1"))
                .env("SHUNYA_API_URL", format!("{upstream}/shunya"))
                .env("CRM_API_URL", format!("{upstream}/crm"))
                .env("FLAGS_API_URL", format!("{upstream}/flags")),
            Duration::from_secs(90),
        );
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap()).unwrap()
    };
    let before = probe(&original, "before");
    let after = probe(&fixed, "after");
    let f = |v: &serde_json::Value| v.as_f64().unwrap();
    let shown = format!("before: {before:#}\nafter: {after:#}");

    // The `asyncio.run` route fails on every call before, and works after.
    assert!(f(&before["load"]["errors"]["HTTP 500"]) > 0.0, "{shown}");
    assert_eq!(after["load"]["errors"], serde_json::json!({}), "{shown}");
    // At least three times the throughput, at most a fifth of the stall.
    assert!(
        f(&after["load"]["rps"]) >= 3.0 * f(&before["load"]["rps"]),
        "{shown}"
    );
    assert!(f(&before["stall_ms"]) > 200.0, "{shown}");
    assert!(
        f(&after["stall_ms"]) <= f(&before["stall_ms"]) / 5.0,
        "{shown}"
    );
    assert!(
        before["verdict"].as_str().unwrap().contains("stalls"),
        "{shown}"
    );

    // The comparison and the report's Impact section use the measured figures.
    let compare = run(
        Command::new(env!("CARGO_BIN_EXE_loopsafe"))
            .env("LOOPSAFE_NO_CACHE", "1")
            .env_remove("VIRTUAL_ENV")
            .args(["probe", "compare"])
            .arg(dir.path().join("before.json"))
            .arg(dir.path().join("after.json")),
        Duration::from_secs(10),
    );
    let table = String::from_utf8_lossy(&compare.stdout);
    assert!(
        table.contains("throughput") && table.contains("stall"),
        "{table}"
    );
    let report = run(
        Command::new(env!("CARGO_BIN_EXE_loopsafe"))
            .env("LOOPSAFE_NO_CACHE", "1")
            .env_remove("VIRTUAL_ENV")
            .args(["report", "--impact"])
            .arg(dir.path().join("before.json"))
            .arg(dir.path().join("after.json"))
            .current_dir(&original),
        Duration::from_secs(60),
    );
    let text = String::from_utf8_lossy(&report.stdout);
    assert!(text.contains("Measured with `loopsafe probe`"), "{text}");
    assert!(!text.contains("Not measured"), "{text}");
    assert!(
        text.contains("Where the loop stalled (measured)")
            && text.contains("| `app/middleware/tenant.py:73` in `TenantMiddleware._lookup_org` |"),
        "{text}"
    );
    eprintln!("{}", table);
    stalls_are_attributed(&before, &after, &table);
    for name in ["before", "after"] {
        let svg = std::fs::read_to_string(dir.path().join(format!("{name}.svg"))).unwrap();
        assert!(svg.contains("<svg") && svg.contains("<polyline"), "{svg}");
    }
}

/// The watchdog names the middleware's `requests.get` as where the loop stalled, with
/// its static finding; the `asyncio.run` routes fail without stalling; after the fixes
/// no stall over the threshold is held in the project's code (but for a library's lazy
/// import on its first call, once per process).
fn stalls_are_attributed(before: &serde_json::Value, after: &serde_json::Value, table: &str) {
    let shown = format!(
        "before: {:#}\nafter: {:#}",
        before["stalls"], after["stalls"]
    );
    let top = &before["stalls"][0];
    assert_eq!(
        top["site"],
        serde_json::json!({
            "filename": "app/middleware/tenant.py",
            "row": 73,
            "function": "TenantMiddleware._lookup_org"
        }),
        "{shown}"
    );
    assert!(
        top["library_call"]
            .as_str()
            .unwrap()
            .starts_with("requests.api.get → "),
        "{shown}"
    );
    assert_eq!(
        top["finding"],
        serde_json::json!({"code": "LS201", "filename": "app/middleware/tenant.py", "row": 73}),
        "{shown}"
    );
    assert!(top["total_ms"].as_f64().unwrap() > 1000.0, "{shown}");
    assert_eq!(before["config"]["stall_threshold_ms"], 50.0, "{shown}");
    for site in before["stalls"].as_array().unwrap() {
        let file = site["site"]["filename"].as_str().unwrap();
        assert!(
            !file.starts_with("app/routes/call_rail") && !file.starts_with("app/routes/recording"),
            "an asyncio.run route stalled the loop: {shown}"
        );
    }
    let in_project: Vec<_> = after["stalls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["in_project"] == true && s["importing"] == false)
        .collect();
    assert!(in_project.is_empty(), "{shown}");
    assert!(
        table.contains("gone      app/middleware/tenant.py:73 in TenantMiddleware._lookup_org"),
        "{table}"
    );
    let series = before["canary_series"].as_array().unwrap();
    assert!(series.len() > 100, "{shown}");
}

/// A small ASGI app whose `/report` calls into a package outside the project that
/// sleeps, where loopsafe cannot see it; and a `sitecustomize` of the user's own that
/// must still run.
fn library_stall_project(dir: &Path) -> (PathBuf, PathBuf) {
    let project = dir.join("project");
    let libs = dir.join("libs");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::create_dir_all(libs.join("slowlib")).unwrap();
    std::fs::write(
        project.join("service.py"),
        "from fastapi import FastAPI\n\
         \n\
         import slowlib\n\
         \n\
         app = FastAPI()\n\
         \n\
         \n\
         @app.get(\"/health\")\n\
         async def health():\n\
         \x20   return {\"ok\": True}\n\
         \n\
         \n\
         @app.get(\"/report\")\n\
         async def report():\n\
         \x20   rows = slowlib.build_report()\n\
         \x20   return {\"rows\": rows}\n",
    )
    .unwrap();
    std::fs::write(
        libs.join("slowlib/__init__.py"),
        "import time\n\n\ndef build_report():\n    return _render()\n\n\n\
         def _render():\n    time.sleep(0.04)\n    return 3\n",
    )
    .unwrap();
    std::fs::write(
        libs.join("sitecustomize.py"),
        "import os\n\nopen(os.environ[\"CHAIN_MARKER\"], \"a\").write(\"ran\\n\")\n",
    )
    .unwrap();
    (project, libs)
}

#[test]
fn a_stall_in_a_library_loopsafe_does_not_know_is_attributed_on_both_loops() {
    let venv = venv();
    let dir = tempfile::tempdir().unwrap();
    let (project, libs) = library_stall_project(dir.path());
    let probe = |event_loop: &str, extra: &[&str]| -> serde_json::Value {
        let port = free_port();
        let serve = format!(
            "cd '{}' && exec '{}' -m uvicorn service:app --host 127.0.0.1 --port {port} --loop {event_loop}",
            project.display(),
            venv.join("bin/python").display()
        );
        let out = run(
            Command::new(env!("CARGO_BIN_EXE_loopsafe"))
                .env("LOOPSAFE_NO_CACHE", "1")
                .env_remove("VIRTUAL_ENV")
                .env("PYTHONPATH", &libs)
                .env("CHAIN_MARKER", dir.path().join("chained"))
                .args(["probe", &format!("http://127.0.0.1:{port}")])
                .args(["--serve", &serve, "--serve-timeout", "30s"])
                .args(["--load", "GET /report", "--canary", "GET /health"])
                .args([
                    "--concurrency",
                    "4",
                    "--duration",
                    "1500ms",
                    "--idle",
                    "500ms",
                ])
                .args(["--output-format", "json"])
                .args(extra),
            Duration::from_secs(60),
        );
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        serde_json::from_slice(&out.stdout).unwrap()
    };
    for event_loop in ["asyncio", "uvloop"] {
        let log = dir.path().join(format!("{event_loop}.log"));
        let r = probe(event_loop, &["--serve-log", log.to_str().unwrap()]);
        // The service's own output is all the log has: the watchdog writes nothing there.
        let logged = std::fs::read_to_string(&log).unwrap();
        assert!(logged.contains("Uvicorn running on"), "{logged}");
        assert!(
            !logged.contains("loopsafe") && !logged.contains("Traceback"),
            "{logged}"
        );
        let shown = format!("{event_loop}: {:#}", r["stalls"]);
        assert_eq!(r["load"]["errors"], serde_json::json!({}), "{shown}");
        let top = &r["stalls"][0];
        assert_eq!(
            top["site"],
            serde_json::json!({"filename": "service.py", "row": 15, "function": "report"}),
            "{shown}"
        );
        assert_eq!(top["in_project"], true, "{shown}");
        assert_eq!(
            top["library_call"], "slowlib.build_report → slowlib._render",
            "{shown}"
        );
        assert_eq!(top["finding"], serde_json::Value::Null, "{shown}");
        assert!(top["count"].as_u64().unwrap() >= 5, "{shown}");
        let max = top["max_ms"].as_f64().unwrap();
        assert!((35.0..1000.0).contains(&max), "{shown}");
        let frame = &top["stack"][0];
        assert!(
            frame["filename"]
                .as_str()
                .unwrap()
                .ends_with("libs/slowlib/__init__.py")
                && frame["row"] == 9,
            "{shown}"
        );
    }
    // The user's own sitecustomize ran in each served process.
    let chained = std::fs::read_to_string(dir.path().join("chained")).unwrap();
    assert_eq!(chained.lines().count(), 2, "{chained}");
    // Without the watchdog: the same measurement, no attribution.
    let r = probe("asyncio", &["--no-attribution"]);
    assert_eq!(r["stalls"], serde_json::json!([]), "{r:#}");
    assert_eq!(
        r["config"]["stall_threshold_ms"],
        serde_json::Value::Null,
        "{r:#}"
    );
}
