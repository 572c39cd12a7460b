//! The fixer: what to write instead of each blocking call, and how sure loopsafe is of
//! it. It works on a fresh parse of the source text it is given (facts keep no syntax
//! tree), and reads nothing from disk.
//!
//! Fixes are minimal edits to the source: the arguments of a call are kept as written,
//! so comments and formatting inside them survive. One family of fixes per module:
//! `reentry.rs` (a second event loop, `time.sleep`, sync `for` loops), `httpx.rs`
//! (requests to a shared httpx client), `twins.rs` (a method's async twin), `thread.rs`
//! (offloading to a worker thread). Every import a fix adds, and every import the fixes
//! leave unused, goes through `importer.rs`.
//!
//! This module and `extract.rs` are the only readers of ruff's AST.

mod edit;
mod httpx;
mod importer;
mod nodes;
mod reentry;
mod thread;
mod twins;

use ruff_python_ast::token::TokenKind;
use ruff_python_ast::visitor::Visitor;
use ruff_python_ast::{self as ast, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::catalogue::Catalogue;
use crate::facts::Span;
use crate::rules::Rule;

pub use edit::{apply, parses, Applicability, Edit, Fix};
pub use httpx::declares;
pub use importer::remove_unused_imports;

use edit::display;
use importer::Importer;
use nodes::SyntaxNodes;

/// One finding to fix: its rule, the blocking API (or the helper, for LS901) and the
/// span of the called expression.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub rule: Rule,
    pub api: &'a str,
    pub span: Span,
}

/// What the fixes need to know about the file's project.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Whether the project declares `httpx` as a dependency; `None` when it declares
    /// nothing loopsafe can read.
    pub httpx_declared: Option<bool>,
}

/// The fixes for some findings in one file, in the order of the requests.
pub fn fixes(source: &str, requests: &[Request], ctx: &Context) -> Vec<Option<Fix>> {
    let Ok(parsed) = ruff_python_parser::parse_module(source) else {
        return requests.iter().map(|_| None).collect();
    };
    let comments: Vec<TextRange> = parsed
        .tokens()
        .iter()
        .filter(|t| t.kind() == TokenKind::Comment)
        .map(Ranged::range)
        .collect();
    let module = parsed.syntax();
    let mut fixer = Fixer::new(source, &module.body, comments);
    fixer.http_fixes = requests
        .iter()
        .filter(|r| r.rule == Rule::BlockingHttpCall && r.api.starts_with("requests."))
        .map(|r| r.span)
        .collect();
    requests
        .iter()
        .map(|r| {
            let key = (r.span.start, r.span.end);
            match fixer.index.calls.get(&key) {
                Some(call) => Some(fixer.fix(call, r, ctx)),
                None => fixer
                    .index
                    .loops
                    .get(&key)
                    .and_then(|l| reentry::async_for(*l, r)),
            }
        })
        .collect()
}

/// Works out the fixes in one module: its source, the nodes around its calls, and its
/// imports.
struct Fixer<'a> {
    source: &'a str,
    newline: &'static str,
    comments: Vec<TextRange>,
    index: SyntaxNodes<'a>,
    importer: Importer<'a>,
    /// The `requests` calls being fixed in this file.
    http_fixes: Vec<Span>,
}

impl<'a> Fixer<'a> {
    fn new(source: &'a str, body: &'a [Stmt], comments: Vec<TextRange>) -> Self {
        let newline = match source.find('\n') {
            Some(i) if i > 0 && source.as_bytes()[i - 1] == b'\r' => "\r\n",
            _ => "\n",
        };
        let mut index = SyntaxNodes::default();
        index.visit_body(body);
        Fixer {
            source,
            newline,
            comments,
            index,
            importer: Importer::new(source, newline, body),
            http_fixes: vec![],
        }
    }

    fn text(&self, range: TextRange) -> &'a str {
        &self.source[range]
    }

    /// Whether an edit replaces a comment.
    fn removes_comment(&self, edits: &[Edit]) -> bool {
        edits.iter().any(|e| {
            e.end > e.start
                && self
                    .comments
                    .iter()
                    .any(|c| c.start().to_u32() >= e.start && c.end().to_u32() <= e.end)
        })
    }

    fn fix(&self, call: &ast::ExprCall, r: &Request, ctx: &Context) -> Fix {
        let range = call.range();
        if self.index.no_await.iter().any(|g| g.contains_range(range)) {
            return display(
                "Move this call out of the generator expression or lambda, then `await` it",
            );
        }
        if self.index.awaited.contains(&range) {
            return display("This call is already awaited; make the function it calls async");
        }
        let api = r.api;
        // A helper's call is not the blocking call itself: only a direct one has a twin.
        // (An `__aiter__` twin is for loops: see `async_for`.)
        if let (false, Some(twin)) = (
            r.rule == Rule::BlockingCallThroughHelper,
            Catalogue::async_twin(api).filter(|t| *t != "__aiter__"),
        ) {
            return self.twin(call, twin);
        }
        match r.rule {
            Rule::BlockingCallThroughHelper => self.to_thread(call, r),
            Rule::AsyncioRun | Rule::RunUntilComplete => self.await_argument(call, api),
            Rule::TimeSleep if api == "time.sleep" => self.sleep(call),
            Rule::BlockingHttpCall if api.starts_with("requests.") => {
                self.requests(call, api, ctx)
            }
            Rule::AsyncToSync => {
                display("Call the async function with `await` instead of wrapping it in `async_to_sync`")
            }
            Rule::LoopRunner => display(
                "This starts another event loop; `await` the coroutine on the running one",
            ),
            Rule::ClientBuiltOnLoop => display(
                "Build the client once (at startup or at module level) and reuse it",
            ),
            Rule::OpenFile => display(
                "Read or write the file in a function run with `await asyncio.to_thread(...)`",
            ),
            _ if ITERATORS.iter().any(|s| api.ends_with(s)) => display(if api.starts_with("django.") {
                "It returns an iterator that would still query the database on the loop: run the whole loop over it with `sync_to_async`"
            } else {
                "It returns an iterator that would still run on the loop: run the whole loop over it in `asyncio.to_thread`"
            }),
            _ if api.starts_with("threading.Condition.") || api.starts_with("threading.RLock.") => {
                display("A condition or re-entrant lock belongs to the thread that holds it: do not move the wait to another thread")
            }
            _ => self.to_thread(call, r),
        }
    }

    /// `await call`: in parentheses where the call is a primary (`(await f()).x`).
    fn awaited(&self, call: &ast::ExprCall) -> Vec<Edit> {
        let (open, close) = self.awaited_through(call, "");
        std::iter::once(open).chain(close).collect()
    }

    /// `await <prefix>call`: the edit that opens it, and the parenthesis that closes it
    /// where the call is a primary (`(await f()).x`), for the caller to list after its
    /// own edits.
    fn awaited_through(&self, call: &ast::ExprCall, prefix: &str) -> (Edit, Option<Edit>) {
        let range = call.range();
        let start = range.start().to_u32();
        if self.index.primaries.contains_key(&range) {
            let close = Edit::insert(range.end().to_u32(), ")");
            (Edit::insert(start, format!("(await {prefix}")), Some(close))
        } else {
            (Edit::insert(start, format!("await {prefix}")), None)
        }
    }
}

/// APIs that return an iterator: a thread would hand back the iterator, and the work
/// would still happen on the loop as it is consumed.
const ITERATORS: &[&str] = &[
    "django.db.models.Manager.iterator",
    "django.db.models.QuerySet.iterator",
    "os.scandir",
    "os.walk",
    "pathlib.Path.glob",
    "pathlib.Path.iterdir",
    "pathlib.Path.rglob",
    "pathlib.Path.walk",
];
