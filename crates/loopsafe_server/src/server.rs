//! The server's state and main loop.

use std::collections::{HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crossbeam_channel::{after, never, select};
use loopsafe_core::config::Settings;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeConfiguration, DidChangeTextDocument, DidChangeWatchedFiles,
    DidChangeWorkspaceFolders, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _,
};
use lsp_types::request::{
    CodeActionRequest, DocumentDiagnosticRequest, HoverRequest, Request as _,
};
use lsp_types::{InitializeParams, MessageType, Url};

use crate::log::{log, panic_message, show};
use crate::results::Files;
use crate::settings::ClientSettings;
use crate::text::{apply_change, Encoding};
use crate::worker::{self, Job, ProjectJob, Worker};
use crate::{capabilities, Options};

/// An open buffer.
pub struct Document {
    pub version: i32,
    pub text: String,
    /// Whether `text` parses; worked out when a run needs it.
    parses: Option<bool>,
}

pub struct Server<'c> {
    pub connection: &'c Connection,
    pub options: Options,
    pub encoding: Encoding,
    /// The client pulls diagnostics (`textDocument/diagnostic`) instead of being sent them.
    pub pull: bool,
    pub refresh: bool,
    pub roots: Vec<PathBuf>,
    pub client: ClientSettings,
    pub documents: HashMap<PathBuf, Document>,
    /// The last text of each open buffer that parsed: what the analysis is given while the
    /// buffer does not parse, so that the rest of the project keeps its findings.
    last_parsed: HashMap<PathBuf, String>,
    /// Bumped by every change; a run is current when it was started for this one.
    generation: u64,
    running: Option<u64>,
    /// When to start the next run: set by a change, pushed back by the next one.
    due: Option<Instant>,
    worker: Option<Worker>,
    /// The buffers that did not parse when the running job was made.
    unparsed: HashSet<PathBuf>,
    /// The buffers the running job was made from, as the log names them (`crm.py@3`).
    buffers: String,
    pub files: Files,
    /// Configuration problems already shown, not to show them on every keystroke.
    shown: HashSet<String>,
}

pub fn run(connection: Connection, options: Options) -> Result<(), crate::Error> {
    let (id, params) = connection.initialize_start()?;
    let init: InitializeParams = serde_json::from_value(params)?;
    let (caps, encoding, pull) = capabilities::negotiate(&init);
    connection.initialize_finish(
        id,
        serde_json::json!({
            "capabilities": caps,
            "serverInfo": {"name": "loopsafe", "version": env!("CARGO_PKG_VERSION")},
        }),
    )?;
    let mut server = Server::new(&connection, &init, options, encoding, pull);
    capabilities::watch_files(&connection, &init);
    server.changed();
    let outcome = server.main_loop();
    // The analysis thread ends when its queue is dropped; a run under way is waited for.
    if let Some(worker) = server.worker.take() {
        drop(worker.jobs);
        let _ = worker.handle.join();
    }
    outcome
}

impl<'c> Server<'c> {
    fn new(
        connection: &'c Connection,
        init: &InitializeParams,
        options: Options,
        encoding: Encoding,
        pull: bool,
    ) -> Self {
        let roots = capabilities::roots(init);
        let (client, problems) = init
            .initialization_options
            .as_ref()
            .map(ClientSettings::from_json)
            .unwrap_or_default();
        for p in problems {
            show(connection, MessageType::WARNING, format!("loopsafe: {p}"));
        }
        let refresh = init
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.diagnostic.as_ref())
            .and_then(|d| d.refresh_support)
            .unwrap_or(false);
        log(
            connection,
            MessageType::INFO,
            format!(
                "loopsafe {} serving {} (positions in {encoding:?}, {} diagnostics)",
                env!("CARGO_PKG_VERSION"),
                roots
                    .iter()
                    .map(|r| r.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                if pull { "pulled" } else { "pushed" }
            ),
        );
        Server {
            connection,
            options,
            encoding,
            pull,
            refresh,
            roots,
            client,
            documents: HashMap::new(),
            last_parsed: HashMap::new(),
            generation: 0,
            running: None,
            due: None,
            worker: Some(worker::spawn()),
            unparsed: HashSet::new(),
            buffers: String::new(),
            files: Files::default(),
            shown: HashSet::new(),
        }
    }

    fn main_loop(&mut self) -> Result<(), crate::Error> {
        loop {
            let done = self.worker.as_ref().expect("started").done.clone();
            let timer = match (self.due, self.running) {
                (Some(due), None) => after(due.saturating_duration_since(Instant::now())),
                _ => never(),
            };
            select! {
                recv(self.connection.receiver) -> message => {
                    let Ok(message) = message else { return Ok(()) };
                    if self.message(message)? {
                        return Ok(());
                    }
                }
                recv(done) -> finished => match finished {
                    Ok(finished) => self.guarded("publishing", |s| s.finished(finished)),
                    Err(_) => self.restart_worker(),
                },
                recv(timer) -> _ => self.guarded("starting a check", Self::start),
            }
        }
    }

    /// Runs a step of the main loop; a panic in it is logged, and the server goes on
    /// with the findings it had.
    fn guarded(&mut self, what: &str, step: impl FnOnce(&mut Self)) {
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| step(self))) {
            self.running = None;
            log(
                self.connection,
                MessageType::ERROR,
                format!(
                    "loopsafe failed {what} (a bug in loopsafe): {}",
                    panic_message(&*panic)
                ),
            );
        }
    }

    /// The analysis thread ended (it catches the analysis's panics, so this is a bug):
    /// a new one takes over, and the check it was running is made again.
    fn restart_worker(&mut self) {
        log(
            self.connection,
            MessageType::ERROR,
            "loopsafe's analysis thread stopped (a bug in loopsafe); starting another",
        );
        self.worker = Some(worker::spawn());
        self.running = None;
        self.due.get_or_insert_with(Instant::now);
    }

    /// Handles one message; true when the client asked to shut down.
    fn message(&mut self, message: Message) -> Result<bool, crate::Error> {
        match message {
            Message::Request(request) => {
                if self.connection.handle_shutdown(&request)? {
                    return Ok(true);
                }
                let id = request.id.clone();
                let method = request.method.clone();
                let response = catch_unwind(AssertUnwindSafe(|| self.request(request)));
                let response = response.unwrap_or_else(|panic| {
                    let message = format!(
                        "loopsafe failed on {method} (a bug in loopsafe): {}",
                        panic_message(&*panic)
                    );
                    log(self.connection, MessageType::ERROR, &message);
                    Response::new_err(id, ErrorCode::InternalError as i32, message)
                });
                self.connection.sender.send(Message::Response(response))?;
            }
            Message::Notification(notification) => {
                let method = notification.method.clone();
                if let Err(panic) =
                    catch_unwind(AssertUnwindSafe(|| self.notification(notification)))
                {
                    log(
                        self.connection,
                        MessageType::ERROR,
                        format!(
                            "loopsafe failed on {method} (a bug in loopsafe): {}",
                            panic_message(&*panic)
                        ),
                    );
                }
            }
            Message::Response(_) => {}
        }
        Ok(false)
    }

    fn request(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        match request.method.as_str() {
            CodeActionRequest::METHOD => respond(id, request, |p| crate::actions::actions(self, p)),
            HoverRequest::METHOD => respond(id, request, |p| self.hover(p)),
            DocumentDiagnosticRequest::METHOD => respond(id, request, |p| self.pulled(p)),
            // A bug, on request: how the tests see that a failing request is answered
            // and the server goes on. Debug builds only.
            #[cfg(debug_assertions)]
            "loopsafe/panic" => panic!("a panic the client asked for"),
            method => Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("loopsafe does not answer {method}"),
            ),
        }
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Some(p) = params::<DidOpenTextDocument>(n) {
                    let doc = p.text_document;
                    self.open(doc.uri, doc.version, doc.text);
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Some(p) = params::<DidChangeTextDocument>(n) {
                    self.edit(p);
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Some(p) = params::<DidCloseTextDocument>(n) {
                    if let Some(path) = path_of(&p.text_document.uri) {
                        self.documents.remove(&path);
                        self.last_parsed.remove(&path);
                        self.changed();
                    }
                }
            }
            DidSaveTextDocument::METHOD | DidChangeWatchedFiles::METHOD => self.changed(),
            DidChangeWorkspaceFolders::METHOD => {
                if let Some(p) = params::<DidChangeWorkspaceFolders>(n) {
                    self.folders(p.event);
                }
            }
            DidChangeConfiguration::METHOD => {
                if let Some(p) = params::<DidChangeConfiguration>(n) {
                    self.configure(&p.settings);
                }
            }
            _ => {}
        }
    }

    fn open(&mut self, uri: Url, version: i32, text: String) {
        let Some(path) = path_of(&uri) else { return };
        let doc = Document {
            version,
            text,
            parses: None,
        };
        self.documents.insert(path, doc);
        self.changed();
    }

    fn edit(&mut self, p: lsp_types::DidChangeTextDocumentParams) {
        let Some(path) = path_of(&p.text_document.uri) else {
            return;
        };
        let encoding = self.encoding;
        let Some(doc) = self.documents.get_mut(&path) else {
            return;
        };
        for change in &p.content_changes {
            apply_change(&mut doc.text, change, encoding);
        }
        doc.version = p.text_document.version;
        doc.parses = None;
        self.changed();
    }

    /// Folders added to the workspace or removed from it: the removed ones' findings are
    /// cleared, and the projects are checked again.
    fn folders(&mut self, event: lsp_types::WorkspaceFoldersChangeEvent) {
        let path = |f: &lsp_types::WorkspaceFolder| f.uri.to_file_path().ok();
        let removed: Vec<PathBuf> = event.removed.iter().filter_map(path).collect();
        let removed = crate::capabilities::normalize(removed);
        let mut roots: Vec<PathBuf> = self
            .roots
            .iter()
            .filter(|r| !removed.contains(r))
            .cloned()
            .collect();
        roots.extend(event.added.iter().filter_map(path));
        self.roots = crate::capabilities::normalize(roots);
        let cleared = self.files.keep_roots(&self.roots);
        self.publish(&cleared);
        self.changed();
    }

    fn configure(&mut self, value: &serde_json::Value) {
        let (client, problems) = self.client.updated(value);
        for p in problems {
            show(
                self.connection,
                MessageType::WARNING,
                format!("loopsafe: {p}"),
            );
        }
        if client != self.client {
            self.client = client;
            self.changed();
        }
    }

    /// Something the analysis depends on changed: a run is due after the debounce.
    pub fn changed(&mut self) {
        self.generation += 1;
        self.due = Some(Instant::now() + self.options.debounce);
    }

    /// Starts a run on the buffers as they are now.
    fn start(&mut self) {
        self.due = None;
        let job = self.job();
        self.running = Some(job.generation);
        if let Some(worker) = &self.worker {
            let _ = worker.jobs.send(job);
        }
    }

    fn job(&mut self) -> Job {
        self.unparsed.clear();
        let mut projects = vec![];
        for root in self.roots.clone() {
            let settings = self.settings(&root);
            let mut overrides = HashMap::new();
            for (path, doc) in &mut self.documents {
                if !path.starts_with(&root) {
                    continue;
                }
                let parses = *doc
                    .parses
                    .get_or_insert_with(|| loopsafe_core::fixer::parses(&doc.text).is_ok());
                if parses {
                    self.last_parsed.insert(path.clone(), doc.text.clone());
                    overrides.insert(path.clone(), doc.text.clone());
                } else {
                    self.unparsed.insert(path.clone());
                    if let Some(text) = self.last_parsed.get(path) {
                        overrides.insert(path.clone(), text.clone());
                    }
                }
            }
            projects.push(ProjectJob {
                root,
                settings,
                overrides,
                cache: self.options.cache,
                packages_cache: self.options.packages_cache.clone(),
            });
        }
        let mut buffers: Vec<String> = self
            .documents
            .iter()
            .map(|(path, doc)| {
                let name = path.file_name().unwrap_or_default().to_string_lossy();
                format!("{name}@{}", doc.version)
            })
            .collect();
        buffers.sort();
        self.buffers = buffers.join(", ");
        Job {
            generation: self.generation,
            projects,
        }
    }

    /// The project's settings; when its configuration cannot be read, loopsafe's
    /// defaults, and the problem shown once.
    fn settings(&mut self, root: &Path) -> Settings {
        match self.client.project(root) {
            Ok(settings) => settings,
            Err(e) => {
                let message = format!("loopsafe: {e} (checking with the default settings)");
                if self.shown.insert(message.clone()) {
                    show(self.connection, MessageType::ERROR, &message);
                }
                let mut settings = Settings::defaults(root.to_path_buf());
                if let Some(min) = self.client.min_severity {
                    settings.min_severity = min;
                }
                settings
            }
        }
    }

    fn finished(&mut self, done: worker::Done) {
        self.running = None;
        if done.generation != self.generation {
            // An edit came in while it ran: its findings are of text already gone.
            self.due.get_or_insert_with(Instant::now);
            log(
                self.connection,
                MessageType::LOG,
                format!(
                    "dropped a run of {} ms: the buffers changed while it ran",
                    done.elapsed.as_millis()
                ),
            );
            return;
        }
        let unparsed = std::mem::take(&mut self.unparsed);
        let mut changed = vec![];
        let mut analyses = vec![];
        for (project, result) in done.results {
            match result {
                Ok(result) => {
                    analyses.push(match (result.analysis_reused, result.analysis_resumed) {
                        (true, _) => "reused",
                        (_, true) => "resumed",
                        _ => "fresh",
                    });
                    changed.extend(
                        self.files
                            .update(&project, result, &unparsed, self.encoding),
                    );
                }
                Err(message) => log(self.connection, MessageType::ERROR, message),
            }
        }
        self.publish(&changed);
        // After the diagnostics: a test (or a curious user) reading the log knows that
        // what it announces has been sent.
        log(
            self.connection,
            MessageType::LOG,
            format!(
                "checked in {} ms (buffers: {}); analysis {}; findings changed in {} files",
                done.elapsed.as_millis(),
                self.buffers,
                analyses.join(", "),
                changed.len()
            ),
        );
    }

    fn publish(&mut self, changed: &[PathBuf]) {
        if self.pull {
            if self.refresh && !changed.is_empty() {
                let request = Request::new(
                    RequestId::from(format!("refresh-{}", self.generation)),
                    lsp_types::request::WorkspaceDiagnosticRefresh::METHOD.to_string(),
                    (),
                );
                let _ = self.connection.sender.send(Message::Request(request));
            }
            return;
        }
        for path in changed {
            let Some(uri) = crate::convert::url_of(path) else {
                continue;
            };
            let diagnostics = self.files.lsp(path).to_vec();
            let version = self.documents.get(path).map(|d| d.version);
            let params = lsp_types::PublishDiagnosticsParams {
                uri,
                diagnostics,
                version,
            };
            let _ = self
                .connection
                .sender
                .send(Message::Notification(Notification::new(
                    lsp_types::notification::PublishDiagnostics::METHOD.to_string(),
                    params,
                )));
        }
    }

    fn hover(&mut self, p: lsp_types::HoverParams) -> Option<lsp_types::Hover> {
        let at = p.text_document_position_params;
        let path = path_of(&at.text_document.uri)?;
        let text = self.current_text(&path)?;
        let markdown = self.files.hover(&path, &text, at.position, self.encoding)?;
        Some(lsp_types::Hover {
            contents: lsp_types::HoverContents::Markup(lsp_types::MarkupContent {
                kind: lsp_types::MarkupKind::Markdown,
                value: markdown,
            }),
            range: None,
        })
    }

    fn pulled(
        &mut self,
        p: lsp_types::DocumentDiagnosticParams,
    ) -> lsp_types::DocumentDiagnosticReportResult {
        let items = path_of(&p.text_document.uri)
            .map(|path| self.files.lsp(&path).to_vec())
            .unwrap_or_default();
        lsp_types::DocumentDiagnosticReportResult::Report(
            lsp_types::DocumentDiagnosticReport::Full(
                lsp_types::RelatedFullDocumentDiagnosticReport {
                    related_documents: None,
                    full_document_diagnostic_report: lsp_types::FullDocumentDiagnosticReport {
                        result_id: None,
                        items,
                    },
                },
            ),
        )
    }

    /// The text of a file as the editor has it: the open buffer's, or what is on disk.
    pub fn current_text(&self, path: &Path) -> Option<String> {
        match self.documents.get(path) {
            Some(doc) => Some(doc.text.clone()),
            None => std::fs::read_to_string(path).ok(),
        }
    }
}

/// Answers a request with what `handle` returns for its parameters, or an error naming
/// parameters that do not read.
fn respond<P: serde::de::DeserializeOwned, R: serde::Serialize>(
    id: RequestId,
    request: Request,
    handle: impl FnOnce(P) -> R,
) -> Response {
    match serde_json::from_value::<P>(request.params) {
        Ok(params) => Response::new_ok(id, handle(params)),
        Err(e) => Response::new_err(
            id,
            ErrorCode::InvalidParams as i32,
            format!("cannot read the parameters of {}: {e}", request.method),
        ),
    }
}

fn params<N: lsp_types::notification::Notification>(n: Notification) -> Option<N::Params> {
    serde_json::from_value(n.params).ok()
}

/// The path of a `file:` URI, spelt as the walk of a root spells it: canonical, so that
/// a buffer replaces the file it is the text of.
pub fn path_of(uri: &Url) -> Option<PathBuf> {
    let path = uri.to_file_path().ok()?;
    if let Ok(canonical) = path.canonicalize() {
        return Some(canonical);
    }
    // A new file not saved yet: its folder is canonical.
    match (
        path.parent().and_then(|p| p.canonicalize().ok()),
        path.file_name(),
    ) {
        (Some(dir), Some(name)) => Some(dir.join(name)),
        _ => Some(path),
    }
}
