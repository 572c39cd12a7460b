//! Test support: an LSP client over any pair of message channels (the in-memory
//! connection, or the pipes of a `loopsafe server` process). It answers the server's
//! requests, keeps the latest diagnostics published for each file, and waits for them.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use lsp_server::{Message, Notification, Request, RequestId, Response};
use lsp_types::{Diagnostic, Url};
use serde_json::{json, Value};

/// How long a test waits for the server before it fails.
pub const PATIENCE: Duration = Duration::from_secs(60);

pub struct Client {
    pub sender: Sender<Message>,
    pub receiver: Receiver<Message>,
    next_id: i32,
    /// The latest diagnostics for each file, as published.
    pub published: HashMap<Url, Vec<Diagnostic>>,
    /// How many times each file's diagnostics were published.
    pub publications: HashMap<Url, usize>,
    /// The version each file's latest diagnostics were published for.
    pub versions: HashMap<Url, Option<i32>>,
    pub log: Vec<String>,
    /// Requests the server sent (method names).
    pub server_requests: Vec<String>,
}

pub fn uri(path: &Path) -> Url {
    Url::from_file_path(path).unwrap()
}

impl Client {
    pub fn new(sender: Sender<Message>, receiver: Receiver<Message>) -> Client {
        Client {
            sender,
            receiver,
            next_id: 1,
            published: HashMap::new(),
            publications: HashMap::new(),
            versions: HashMap::new(),
            log: vec![],
            server_requests: vec![],
        }
    }

    /// `initialize` with these client capabilities and options, then `initialized`.
    pub fn initialize(&mut self, roots: &[&Path], capabilities: Value, options: Value) -> Value {
        let folders: Vec<Value> = roots
            .iter()
            .map(|r| json!({"uri": uri(r), "name": r.file_name().unwrap().to_string_lossy()}))
            .collect();
        let result = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(roots[0]),
                "capabilities": capabilities,
                "workspaceFolders": folders,
                "initializationOptions": options,
            }),
        );
        self.notify("initialized", json!({}));
        result
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.sender
            .send(Message::Notification(Notification::new(
                method.to_string(),
                params,
            )))
            .unwrap();
    }

    /// Sends a request and returns its result, handling what comes before the answer.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.try_request(method, params)
            .unwrap_or_else(|e| panic!("{method} failed: {e}"))
    }

    /// Sends a request and returns its result, or its error's message.
    pub fn try_request(&mut self, method: &str, params: Value) -> Result<Value, String> {
        let id = RequestId::from(self.next_id);
        self.next_id += 1;
        self.sender
            .send(Message::Request(Request::new(
                id.clone(),
                method.to_string(),
                params,
            )))
            .unwrap();
        let deadline = Instant::now() + PATIENCE;
        loop {
            match self.next(deadline) {
                Some(Message::Response(r)) if r.id == id => {
                    if let Some(e) = r.error {
                        return Err(format!("{} ({})", e.message, e.code));
                    }
                    return Ok(r.result.unwrap_or(Value::Null));
                }
                Some(_) => {}
                None => panic!(
                    "no answer to {method} in {PATIENCE:?}; log: {:#?}",
                    self.log
                ),
            }
        }
    }

    /// The next message, handled (published diagnostics kept, requests answered).
    fn next(&mut self, deadline: Instant) -> Option<Message> {
        let wait = deadline.saturating_duration_since(Instant::now());
        let message = match self.receiver.recv_timeout(wait) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
        };
        match &message {
            Message::Notification(n) if n.method == "textDocument/publishDiagnostics" => {
                let uri: Url = serde_json::from_value(n.params["uri"].clone()).unwrap();
                let list: Vec<Diagnostic> =
                    serde_json::from_value(n.params["diagnostics"].clone()).unwrap();
                let version = n.params["version"].as_i64().map(|v| v as i32);
                *self.publications.entry(uri.clone()).or_default() += 1;
                self.versions.insert(uri.clone(), version);
                self.published.insert(uri, list);
            }
            Message::Notification(n) if n.method.starts_with("window/") => {
                self.log
                    .push(n.params["message"].as_str().unwrap_or("").to_string());
            }
            Message::Request(r) => {
                self.server_requests.push(r.method.clone());
                let answer = Response::new_ok(r.id.clone(), Value::Null);
                let _ = self.sender.send(Message::Response(answer));
            }
            _ => {}
        }
        Some(message)
    }

    /// Handles messages until `done` holds for the published diagnostics; false if it
    /// does not within `PATIENCE`.
    pub fn wait_until(&mut self, mut done: impl FnMut(&Client) -> bool) -> bool {
        let deadline = Instant::now() + PATIENCE;
        while !done(self) {
            if self.next(deadline).is_none() {
                return false;
            }
        }
        true
    }

    /// Handles messages until the server has said nothing for `quiet`: the diagnostics
    /// it publishes once typing stops are in.
    pub fn settle(&mut self, quiet: Duration) {
        while self.next(Instant::now() + quiet).is_some() {}
    }

    /// The codes and 1-based lines of a file's latest diagnostics, sorted.
    pub fn findings(&self, path: &Path) -> Vec<(String, u32)> {
        let mut out: Vec<(String, u32)> = self
            .published
            .get(&uri(path))
            .into_iter()
            .flatten()
            .map(|d| (code(d), d.range.start.line + 1))
            .collect();
        out.sort();
        out
    }

    /// Opens a file with the text it has on disk, and returns that text.
    pub fn open_file(&mut self, path: &Path) -> String {
        let text = std::fs::read_to_string(path).unwrap();
        self.open(path, &text);
        text
    }

    /// Waits until the file's findings are these (code, line) pairs, and fails if they
    /// never are.
    pub fn expect_findings(&mut self, path: &Path, expected: &[(&str, u32)]) {
        let expected: Vec<(String, u32)> =
            expected.iter().map(|(c, l)| (c.to_string(), *l)).collect();
        let ok = self.wait_until(|c| c.findings(path) == expected);
        assert!(
            ok,
            "{}: expected {expected:?}, last published {:?}\nlog: {:#?}",
            path.display(),
            self.findings(path),
            self.log
        );
    }

    pub fn open(&mut self, path: &Path, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {
                "uri": uri(path), "languageId": "python", "version": 1, "text": text
            }}),
        );
    }

    /// One incremental change: `range` ((line, character) pairs) replaced by `text`.
    pub fn change(&mut self, path: &Path, version: i32, range: [(u32, u32); 2], text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri(path), "version": version},
                "contentChanges": [{
                    "range": {
                        "start": {"line": range[0].0, "character": range[0].1},
                        "end": {"line": range[1].0, "character": range[1].1},
                    },
                    "text": text,
                }],
            }),
        );
    }

    pub fn shutdown(&mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
    }
}

pub fn code(d: &Diagnostic) -> String {
    match &d.code {
        Some(lsp_types::NumberOrString::String(s)) => s.clone(),
        Some(lsp_types::NumberOrString::Number(n)) => n.to_string(),
        None => String::new(),
    }
}

/// Applies a code action's workspace edit (its one document's edits) to `text`.
pub fn apply_edit(text: &str, edit: &Value) -> String {
    let changes = edit["documentChanges"]
        .as_array()
        .expect("document changes");
    assert_eq!(changes.len(), 1, "{edit}");
    let mut edits: Vec<(usize, usize, String)> = changes[0]["edits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let start = offset(text, &e["range"]["start"]);
            let end = offset(text, &e["range"]["end"]);
            (start, end, e["newText"].as_str().unwrap().to_string())
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (start, end, new) in edits {
        out.replace_range(start..end, &new);
    }
    out
}

/// The byte offset of an LSP position counted in UTF-16 units.
fn offset(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let character = position["character"].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= character || c == '\n' {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}
