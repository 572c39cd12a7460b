//! `loopsafe server` as an editor starts it: a process spoken to over its standard input
//! and output, on a copy of the bundled example.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

#[path = "../../loopsafe_server/tests/support/client.rs"]
mod client;
#[path = "../../loopsafe_core/tests/support/fs.rs"]
mod fs;
#[path = "support/cli.rs"]
mod support;

use client::{apply_edit, uri, Client};
use lsp_server::Message;
use serde_json::{json, Value};
use support::{loopsafe, repo_root, stdout};

struct Server {
    client: Client,
    child: Child,
    root: PathBuf,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(options: Value) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap().join("sales_calls");
        std::fs::create_dir_all(&root).unwrap();
        fs::copy(&repo_root().join("examples/sales_calls"), &root);
        let mut child = Command::new(env!("CARGO_BIN_EXE_loopsafe"))
            .arg("server")
            .current_dir(&root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("loopsafe server starts");
        let (to_server, outgoing) = crossbeam_channel::unbounded::<Message>();
        let (incoming, from_server) = crossbeam_channel::unbounded::<Message>();
        let mut stdin = child.stdin.take().unwrap();
        std::thread::spawn(move || {
            for message in outgoing {
                if message.write(&mut stdin).is_err() {
                    break;
                }
            }
        });
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        std::thread::spawn(move || {
            while let Ok(Some(message)) = Message::read(&mut stdout) {
                if incoming.send(message).is_err() {
                    break;
                }
            }
        });
        let mut client = Client::new(to_server, from_server);
        client.initialize(&[&root], json!({}), options);
        Server {
            client,
            child,
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

    fn expect(&mut self, rel: &str, expected: &[(&str, u32)]) {
        self.client.expect_findings(&self.path(rel), expected);
    }

    fn actions(&mut self, rel: &str, line: u32, only: &str) -> Vec<Value> {
        let result = self.client.request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri(&self.path(rel))},
                "range": {"start": {"line": line - 1, "character": 0},
                          "end": {"line": line - 1, "character": 80}},
                "context": {"diagnostics": [], "only": [only]},
            }),
        );
        result.as_array().cloned().unwrap_or_default()
    }

    fn replace_all(&mut self, rel: &str, old: &str, new: &str, version: i32) {
        let lines = old.split('\n').count() as u32;
        let path = self.path(rel);
        self.client
            .change(&path, version, [(0, 0), (lines, 0)], new);
    }

    /// Asks the server to stop, and checks that it does, with status 0.
    fn stop(mut self) {
        self.client.shutdown();
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status}");
    }
}

/// `loopsafe check --output-format json` on the folder: (file, line, code) of each.
fn check_json(root: &Path) -> Vec<(PathBuf, u32, String)> {
    let out = loopsafe(root, &["check", "--output-format", "json", "."]);
    let items: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let mut found: Vec<(PathBuf, u32, String)> = items
        .iter()
        .map(|d| {
            (
                root.join(d["filename"].as_str().unwrap()),
                d["location"]["row"].as_u64().unwrap() as u32,
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn the_server_process_follows_unsaved_edits_across_files_and_applies_fixes() {
    let mut s = Server::start(json!({"unsafeFixes": true}));
    let route = "app/routes/accounts.py";
    let helper = "app/clients/crm.py";
    s.open(route);
    s.expect(route, &[("LS901", 20), ("LS901", 21)]);
    let hops = s.client.published[&uri(&s.path(route))][0]
        .related_information
        .clone()
        .unwrap();
    assert_eq!(hops.len(), 3);
    assert_eq!(hops[2].location.uri, uri(&s.path(helper)));
    assert!(hops[2].message.ends_with("← blocks"), "{}", hops[2].message);

    // The whole project is published, as `loopsafe check` finds it.
    let expected = check_json(&s.root);
    let ok = s.client.wait_until(|c| {
        let mut got: Vec<(PathBuf, u32, String)> = c
            .published
            .iter()
            .flat_map(|(u, list)| {
                let path = u.to_file_path().unwrap();
                list.iter()
                    .map(move |d| (path.clone(), d.range.start.line + 1, client::code(d)))
            })
            .collect();
        got.sort();
        got == expected
    });
    assert!(
        ok,
        "published {:?}, check finds {expected:?}",
        s.client.published
    );

    // The helper loses its blocking call in an unsaved buffer: the route's finding
    // through it goes, though the route file is not touched.
    let helper_text = s.open(helper);
    let line = helper_text.lines().nth(14).unwrap();
    let path = s.path(helper);
    s.client.change(
        &path,
        2,
        [(14, 0), (14, line.len() as u32)],
        "    return {}",
    );
    s.expect(route, &[("LS901", 21)]);

    // A quick fix, applied: the file parses and its finding is gone.
    let rel = "app/routes/enhanced_callrail.py";
    let text = s.open(rel);
    s.expect(rel, &[("LS101", 21)]);
    let fix = s
        .actions(rel, 21, "quickfix")
        .into_iter()
        .find(|a| a["isPreferred"] == json!(true))
        .expect("a safe fix");
    let fixed = apply_edit(&text, &fix["edit"]);
    assert!(loopsafe_core::fixer::parses(&fixed).is_ok(), "{fixed}");
    s.replace_all(rel, &text, &fixed, 2);
    s.expect(rel, &[]);

    // source.fixAll on the middleware (its fixes are unsafe, and allowed here).
    let rel = "app/middleware/tenant.py";
    let text = s.open(rel);
    s.expect(rel, &[("LS201", 64), ("LS201", 73)]);
    let all = s.actions(rel, 1, "source.fixAll");
    assert_eq!(all.len(), 1, "{all:?}");
    let fixed = apply_edit(&text, &all[0]["edit"]);
    assert!(loopsafe_core::fixer::parses(&fixed).is_ok(), "{fixed}");
    s.replace_all(rel, &text, &fixed, 2);
    s.expect(rel, &[]);
    // Nothing was written: the buffers hold the edits.
    assert_eq!(std::fs::read_to_string(s.path(rel)).unwrap(), text);
    s.stop();
}
