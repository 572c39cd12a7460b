//! The server in the test's process, over lsp-server's in-memory connection, on a copy
//! of the bundled example service.

#[path = "support/client.rs"]
mod client;
#[path = "../../loopsafe_core/tests/support/fs.rs"]
mod fs;

use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::Duration;

use client::{apply_edit, code, uri, Client};
use loopsafe_server::{Connection, Options};
use serde_json::{json, Value};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/sales_calls")
}

struct Session {
    client: Client,
    server: Option<JoinHandle<()>>,
    root: PathBuf,
    _dir: tempfile::TempDir,
}

impl Session {
    /// A server on a copy of the example, with these client capabilities and options.
    fn start(capabilities: Value, options: Value) -> Session {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap().join("sales_calls");
        std::fs::create_dir_all(&root).unwrap();
        fs::copy(&example(), &root);
        Session::on(dir, root, capabilities, options)
    }

    fn on(dir: tempfile::TempDir, root: PathBuf, capabilities: Value, options: Value) -> Session {
        let (server_side, client_side) = Connection::memory();
        let server = std::thread::spawn(move || {
            let options = Options {
                debounce: Duration::from_millis(20),
                cache: true,
                packages_cache: None,
            };
            loopsafe_server::run(server_side, options).unwrap();
        });
        let mut client = Client::new(client_side.sender, client_side.receiver);
        client.initialize(&[&root], capabilities, options);
        Session {
            client,
            server: Some(server),
            root,
            _dir: dir,
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    fn open(&mut self, rel: &str) -> String {
        self.client.open_file(&self.path(rel))
    }

    /// Waits until the file's findings are these (code, line) pairs.
    fn expect(&mut self, rel: &str, expected: &[(&str, u32)]) {
        self.client.expect_findings(&self.path(rel), expected);
    }

    /// Waits for a finished run of these buffer versions (`crm.py@2`, as the server's
    /// log names them).
    fn run_of(&mut self, buffers: &str) {
        let ran = |c: &Client| {
            c.log.iter().any(|l| {
                l.starts_with("checked in") && l.contains(&format!("(buffers: {buffers})"))
            })
        };
        assert!(
            self.client.wait_until(ran),
            "no run of {buffers}: {:#?}",
            self.client.log
        );
    }

    fn actions(&mut self, rel: &str, line: u32, only: Option<&str>) -> Vec<Value> {
        let mut context = json!({"diagnostics": []});
        if let Some(kind) = only {
            context["only"] = json!([kind]);
        }
        let result = self.client.request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri(&self.path(rel))},
                "range": {"start": {"line": line - 1, "character": 0},
                          "end": {"line": line - 1, "character": 200}},
                "context": context,
            }),
        );
        result.as_array().cloned().unwrap_or_default()
    }

    /// Replaces a buffer's whole text with an incremental change.
    fn replace_all(&mut self, rel: &str, old: &str, new: &str, version: i32) {
        let lines = old.split('\n').count() as u32;
        self.client
            .change(&self.path(rel), version, [(0, 0), (lines, 0)], new);
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            if !std::thread::panicking() {
                self.client.shutdown();
                server.join().unwrap();
            }
        }
    }
}

const ROUTE: &str = "app/routes/accounts.py";
const HELPER: &str = "app/clients/crm.py";
const MIDDLEWARE: &str = "app/middleware/tenant.py";

#[test]
fn a_helper_edit_in_an_unsaved_buffer_withdraws_the_route_finding_in_another_file() {
    let mut s = Session::start(json!({}), json!({}));
    // Published for the whole project at start, without any file open.
    s.expect(ROUTE, &[("LS901", 20), ("LS901", 21)]);
    let route = s.client.published[&uri(&s.path(ROUTE))].clone();
    let through_helper = route.iter().find(|d| d.range.start.line == 19).unwrap();
    assert_eq!(through_helper.source.as_deref(), Some("loopsafe"));
    assert_eq!(
        through_helper.severity,
        Some(lsp_types::DiagnosticSeverity::ERROR)
    );
    let href = &through_helper.code_description.as_ref().unwrap().href;
    let doc = std::fs::read_to_string(href.to_file_path().unwrap()).unwrap();
    assert!(
        doc.starts_with("# blocking-call-through-helper (LS901)"),
        "{doc}"
    );
    let hops = through_helper.related_information.as_ref().unwrap();
    let messages: Vec<&str> = hops.iter().map(|h| h.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "`get_account` calls `account_summary()`",
            "`account_summary` calls `crm.fetch_account()`",
            "`fetch_account` calls `_session.get()` ← blocks",
        ]
    );
    assert_eq!(hops[2].location.uri, uri(&s.path(HELPER)));
    assert_eq!(hops[2].location.range.start.line, 14);

    let route_on_disk = std::fs::read_to_string(s.path(ROUTE)).unwrap();
    let helper = s.open(HELPER);
    let line = helper.lines().nth(14).unwrap();
    assert!(line.contains("_session.get("), "{line}");
    let replacement = "    return {\"id\": account_id}";
    s.client.change(
        &s.path(HELPER),
        2,
        [(14, 0), (14, line.len() as u32)],
        replacement,
    );
    s.expect(ROUTE, &[("LS901", 21)]);
    // Undone in the buffer: the finding is back.
    s.client.change(
        &s.path(HELPER),
        3,
        [(14, 0), (14, replacement.len() as u32)],
        line,
    );
    s.expect(ROUTE, &[("LS901", 20), ("LS901", 21)]);
    assert_eq!(
        std::fs::read_to_string(s.path(ROUTE)).unwrap(),
        route_on_disk
    );
    assert_eq!(std::fs::read_to_string(s.path(HELPER)).unwrap(), helper);
}

#[test]
fn a_quick_fix_applied_leaves_the_file_parsing_and_its_finding_gone() {
    let mut s = Session::start(json!({}), json!({}));
    let rel = "app/routes/enhanced_callrail.py";
    let text = s.open(rel);
    s.expect(rel, &[("LS101", 21)]);
    let actions = s.actions(rel, 21, None);
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"Ignore LS101 on this line"), "{titles:?}");
    let fix = actions
        .iter()
        .find(|a| a["isPreferred"] == json!(true))
        .unwrap_or_else(|| panic!("no preferred fix in {titles:?}"));
    assert_eq!(fix["kind"], "quickfix");
    let edit = &fix["edit"];
    // The version the fix was worked out on: a client refuses it on a newer text.
    assert_eq!(edit["documentChanges"][0]["textDocument"]["version"], 1);
    let fixed = apply_edit(&text, edit);
    assert!(loopsafe_core::fixer::parses(&fixed).is_ok(), "{fixed}");
    assert!(!fixed.contains("asyncio.run("), "{fixed}");
    s.replace_all(rel, &text, &fixed, 2);
    s.expect(rel, &[]);

    // The ignore action: a `# noqa` on the line, and the finding is gone.
    let rel = "app/routes/recording_sessions.py";
    let text = s.open(rel);
    s.expect(rel, &[("LS101", 20)]);
    let actions = s.actions(rel, 20, Some("quickfix"));
    let ignore = actions
        .iter()
        .find(|a| a["title"] == "Ignore LS101 on this line")
        .unwrap();
    let ignored = apply_edit(&text, &ignore["edit"]);
    assert!(ignored.lines().nth(19).unwrap().ends_with("# noqa: LS101"));
    s.replace_all(rel, &text, &ignored, 2);
    s.expect(rel, &[]);
}

#[test]
fn fix_all_on_the_middleware_applies_unsafe_fixes_only_when_the_settings_allow() {
    let mut s = Session::start(json!({}), json!({}));
    let text = s.open(MIDDLEWARE);
    s.expect(MIDDLEWARE, &[("LS201", 64), ("LS201", 73)]);
    // Its fixes are unsafe (requests to httpx): none offered by default.
    assert!(s.actions(MIDDLEWARE, 64, Some("source.fixAll")).is_empty());
    let titles: Vec<String> = s
        .actions(MIDDLEWARE, 64, None)
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(titles, ["Ignore LS201 on this line"]);

    s.client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"loopsafe": {"unsafeFixes": true}}}),
    );
    let quick = s.actions(MIDDLEWARE, 64, Some("quickfix"));
    assert!(
        quick[0]["title"].as_str().unwrap().ends_with("(unsafe)"),
        "{quick:?}"
    );
    let all = s.actions(MIDDLEWARE, 1, Some("source.fixAll"));
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["kind"], "source.fixAll.loopsafe");
    let fixed = apply_edit(&text, &all[0]["edit"]);
    assert!(loopsafe_core::fixer::parses(&fixed).is_ok(), "{fixed}");
    assert!(!fixed.contains("requests.get("), "{fixed}");
    s.replace_all(MIDDLEWARE, &text, &fixed, 2);
    s.expect(MIDDLEWARE, &[]);
}

#[test]
fn a_hover_on_a_flagged_call_says_what_blocks_and_what_it_reaches() {
    let mut s = Session::start(json!({}), json!({}));
    s.open(MIDDLEWARE);
    s.expect(MIDDLEWARE, &[("LS201", 64), ("LS201", 73)]);
    let hover = s.client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&s.path(MIDDLEWARE))},
               "position": {"line": 63, "character": 25}}),
    );
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("**LS201**"), "{text}");
    assert!(text.contains("Blocks in `requests.get`"), "{text}");
    assert!(
        text.contains("Reach: every request, through `TenantMiddleware"),
        "{text}"
    );
    assert!(text.contains("**Why:**"), "{text}");
    // Away from a finding: nothing.
    let nothing = s.client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&s.path(MIDDLEWARE))},
               "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(nothing, Value::Null);
}

#[test]
fn a_buffer_that_does_not_parse_keeps_its_last_analysis_for_the_project() {
    let mut s = Session::start(json!({}), json!({}));
    s.expect(ROUTE, &[("LS901", 20), ("LS901", 21)]);
    let helper = s.open(HELPER);
    // A run with the buffer as opened, which parses: the text the analysis falls back on.
    s.run_of("crm.py@1");
    let route_publications = s.client.publications[&uri(&s.path(ROUTE))];
    // Half-typed: a string opened above `fetch_account` and not yet closed, which
    // swallows the rest of the module.
    s.client
        .change(&s.path(HELPER), 2, [(13, 0), (13, 0)], "x = \"\"\"\n");
    s.run_of("crm.py@2");
    s.client.settle(Duration::from_millis(200));
    assert_eq!(
        s.client.publications[&uri(&s.path(ROUTE))],
        route_publications,
        "the route's findings were published again while the helper did not parse"
    );
    // The findings in the helper are of the text that parsed: no action on this one.
    s.open(MIDDLEWARE);
    s.expect(MIDDLEWARE, &[("LS201", 64), ("LS201", 73)]);
    s.client
        .change(&s.path(MIDDLEWARE), 2, [(0, 0), (0, 0)], "x = (\n");
    s.run_of("crm.py@2, tenant.py@2");
    assert!(s.actions(MIDDLEWARE, 65, None).is_empty());
    // Typing on to a text that parses: the analysis follows it.
    s.client.change(&s.path(HELPER), 3, [(13, 0), (14, 0)], "");
    let line = helper.lines().nth(14).unwrap();
    s.client.change(
        &s.path(HELPER),
        4,
        [(14, 0), (14, line.len() as u32)],
        "    return {}",
    );
    s.expect(ROUTE, &[("LS901", 21)]);
}

#[test]
fn columns_are_utf16_units_unless_the_client_offers_utf8() {
    let source =
        "import requests\n\n\nasync def handler(url):\n    label = \"é😀\"; requests.get(url)\n";
    let column = |capabilities: Value| {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::write(root.join("app.py"), source).unwrap();
        let mut s = Session::on(dir, root, capabilities, json!({}));
        s.expect("app.py", &[("LS201", 5)]);
        let d = &s.client.published[&uri(&s.path("app.py"))][0];
        d.range.start.character
    };
    // `    label = "é😀"; ` is 18 characters, 19 UTF-16 units and 22 bytes.
    assert_eq!(column(json!({})), 19);
    assert_eq!(
        column(json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}})),
        22
    );
}

#[test]
fn a_client_that_pulls_diagnostics_is_answered_and_told_to_refresh() {
    let capabilities = json!({
        "textDocument": {"diagnostic": {"dynamicRegistration": false}},
        "workspace": {"diagnostic": {"refreshSupport": true}},
    });
    let mut s = Session::start(capabilities, json!({"minSeverity": "high"}));
    let refreshed = |c: &Client| {
        c.server_requests
            .iter()
            .any(|m| m == "workspace/diagnostic/refresh")
    };
    assert!(s.client.wait_until(refreshed), "{:#?}", s.client.log);
    assert!(s.client.published.is_empty(), "pushed to a pulling client");
    let report = s.client.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri(&s.path(ROUTE))}}),
    );
    assert_eq!(report["kind"], "full");
    let codes: Vec<String> = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| code(&serde_json::from_value(d.clone()).unwrap()))
        .collect();
    assert_eq!(codes, ["LS901", "LS901"]);
}

#[test]
fn a_request_that_fails_gets_an_error_and_the_server_goes_on() {
    let mut s = Session::start(json!({}), json!({}));
    let bad = s
        .client
        .try_request("textDocument/hover", json!({"nonsense": true}));
    assert!(bad.unwrap_err().contains("cannot read the parameters"));
    let panicked = s.client.try_request("loopsafe/panic", Value::Null);
    assert!(panicked.unwrap_err().contains("a bug in loopsafe"));
    assert!(
        s.client
            .log
            .iter()
            .any(|l| l.contains("a panic the client asked for")),
        "{:#?}",
        s.client.log
    );
    s.expect(ROUTE, &[("LS901", 20), ("LS901", 21)]);
    let hover = s.client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&s.path(ROUTE))},
               "position": {"line": 19, "character": 15}}),
    );
    assert!(hover["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("LS901"));
}

#[test]
fn each_workspace_folder_is_a_project_with_its_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().canonicalize().unwrap();
    let (first, second) = (base.join("sales_calls"), base.join("tool"));
    std::fs::create_dir_all(&first).unwrap();
    fs::copy(&example(), &first);
    std::fs::create_dir_all(&second).unwrap();
    let tool = "import time\n\nimport requests\n\n\nasync def tick():\n    time.sleep(1)\n    requests.get(\"http://x\")\n";
    std::fs::write(second.join("tick.py"), tool).unwrap();
    // The second folder's own configuration leaves LS201 out; the first has none.
    std::fs::write(second.join("loopsafe.toml"), "ignore = [\"LS201\"]\n").unwrap();
    let (server_side, client_side) = Connection::memory();
    let server = std::thread::spawn(move || {
        loopsafe_server::run(server_side, Options::default()).unwrap();
    });
    let mut client = Client::new(client_side.sender, client_side.receiver);
    client.initialize(&[&first, &second], json!({}), json!({}));
    let route = first.join(ROUTE);
    let tick = second.join("tick.py");
    let ok = client.wait_until(|c| {
        c.findings(&route) == [("LS901".to_string(), 20), ("LS901".to_string(), 21)]
            && c.findings(&tick) == [("LS301".to_string(), 7)]
    });
    assert!(
        ok,
        "{:?} {:?}",
        client.findings(&route),
        client.findings(&tick)
    );
    // The configuration edited outside the editor: the watcher's event re-checks.
    let config = second.join("loopsafe.toml");
    std::fs::write(&config, "ignore = [\"LS301\"]\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 2}]}),
    );
    let ok = client.wait_until(|c| c.findings(&tick) == [("LS201".to_string(), 8)]);
    assert!(ok, "{:?}", client.findings(&tick));
    // The folder removed from the workspace: its findings are cleared, the other's stay.
    client.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [], "removed": [{"uri": uri(&second), "name": "tool"}]}}),
    );
    let ok = client.wait_until(|c| c.findings(&tick).is_empty());
    assert!(ok, "{:?}", client.findings(&tick));
    client.settle(Duration::from_millis(300));
    assert_eq!(client.findings(&route).len(), 2);
    assert!(client.findings(&tick).is_empty());
    client.shutdown();
    server.join().unwrap();
}

#[test]
fn a_configuration_that_does_not_read_is_shown_once_and_the_defaults_check() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(
        root.join("app.py"),
        "import time\n\n\nasync def tick():\n    time.sleep(1)\n",
    )
    .unwrap();
    std::fs::write(root.join("loopsafe.toml"), "select = 5\n").unwrap();
    let mut s = Session::on(dir, root, json!({}), json!({}));
    s.expect("app.py", &[("LS301", 5)]);
    // Typing goes on: the problem is not shown again on every check.
    let text = std::fs::read_to_string(s.path("app.py")).unwrap();
    s.client.open(&s.path("app.py"), &text);
    s.client
        .change(&s.path("app.py"), 2, [(0, 0), (0, 0)], "\n");
    s.expect("app.py", &[("LS301", 6)]);
    let shown: Vec<&String> = s
        .client
        .log
        .iter()
        .filter(|l| l.contains("loopsafe.toml") && l.contains("default settings"))
        .collect();
    assert_eq!(shown.len(), 1, "{:#?}", s.client.log);
}
