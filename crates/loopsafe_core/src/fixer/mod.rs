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
pub use httpx::{catches_requests, declares};
pub use importer::remove_unused_imports;

use edit::display;
use importer::Importer;
use nodes::{AttrUses, Cleanup, SyntaxNodes};

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
    /// An `except` clause in another module of the project that catches an exception of
    /// `requests` (`except requests.HTTPError` in app/routes.py:12), as the message
    /// quotes it: a move to httpx would leave it catching nothing.
    pub requests_caught_elsewhere: Option<String>,
    /// How the project runs sync code in a worker thread: every thread fix in a run
    /// uses this one form, so that a helper is not offloaded one way in one file and
    /// another way in the next.
    pub offload: Offload,
}

/// A way to run sync code in a worker thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Offload {
    /// `await asyncio.to_thread(f, x)`: the standard library's, where nothing else is
    /// used more.
    #[default]
    ToThread,
    /// `await sync_to_async(f)(x)`, asgiref's (Django).
    SyncToAsync,
    /// `await run_in_threadpool(f, x)`, Starlette's.
    Threadpool,
}

impl Offload {
    /// Which of [`Offload::most_used`]'s counts a call of this offloading API (as the
    /// catalogue names it) counts under; None for the other ways to reach a thread.
    pub fn counted_as(api: &str) -> Option<usize> {
        match api {
            "asyncio.to_thread" => Some(0),
            "asgiref.sync.sync_to_async" => Some(1),
            "fastapi.concurrency.run_in_threadpool" | "starlette.concurrency.run_in_threadpool" => {
                Some(2)
            }
            _ => None,
        }
    }

    /// The form used most, given how many times each is used (`to_thread`,
    /// `sync_to_async`, `run_in_threadpool`); `asyncio.to_thread` where none is used or
    /// on a tie with it.
    pub fn most_used(counts: [usize; 3]) -> Offload {
        let forms = [Offload::ToThread, Offload::SyncToAsync, Offload::Threadpool];
        let best = (0..3).max_by_key(|i| (counts[*i], std::cmp::Reverse(*i)));
        best.map_or(Offload::ToThread, |i| forms[i])
    }
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
            let fix = match fixer.index.calls.get(&key) {
                Some(call) => Some(fixer.fix(call, r, ctx)),
                None => fixer
                    .index
                    .loops
                    .get(&key)
                    .and_then(|l| reentry::async_for(*l, r)),
            }?;
            let at = TextRange::new(r.span.start.into(), r.span.end.into());
            Some(fixer.outside_cleanup(fix, at))
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

    /// The fix, or only its suggestion where it would put an `await` in clean-up code:
    /// there a cancellation cuts the clean-up short, or replaces the exception that the
    /// block raises with `CancelledError`.
    fn outside_cleanup(&self, fix: Fix, at: TextRange) -> Fix {
        if fix.edits.is_empty() {
            return fix;
        }
        // The innermost clean-up around the call, unless a function defined in it holds
        // the call: that function's body runs when it is called, not there.
        let cleanup = self
            .index
            .cleanups
            .iter()
            .filter(|(c, _)| c.contains_range(at))
            .filter(|(c, _)| {
                !self
                    .index
                    .functions
                    .iter()
                    .any(|(f, _)| c.contains_range(*f) && f.contains_range(at))
            })
            .min_by_key(|(c, _)| c.len());
        let why = match cleanup {
            None => return fix,
            Some((_, Cleanup::Finally)) => "in a `finally:` block an `await` can be cancelled, which skips the rest of the clean-up: move the call out of the block first",
            Some((_, Cleanup::Reraise)) => "in an `except` block that raises, a cancellation at an `await` raises `CancelledError` instead of the block's exception: move the call out of the block first",
        };
        display(&format!("{} (not applied: {why})", fix.message))
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
        if let Some(how) = self.pages(call, r) {
            return display(&format!("{how}: moving only this call to a thread would fetch the first page there and every later one on the loop: run the whole loop (or a `list(...)` of it) in a worker thread instead"));
        }
        // A helper's call is not the blocking call itself: only a direct one has a twin.
        // (An `__aiter__` twin is for loops: see `async_for`.)
        if let (false, Some(twin)) = (
            r.rule == Rule::BlockingCallThroughHelper,
            Catalogue::async_twin(api).filter(|t| *t != "__aiter__"),
        ) {
            return self.twin(call, twin);
        }
        match r.rule {
            Rule::BlockingCallThroughHelper => self.to_thread(call, r, ctx),
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
            _ => self.to_thread(call, r, ctx),
        }
    }

    /// How the call's result pages through a listing, when it does: its result pages
    /// itself, or the function turns it into a paging iterator (`.auto_paging_iter()`
    /// on it, or on the name it is assigned to).
    fn pages(&self, call: &ast::ExprCall, r: &Request) -> Option<String> {
        if r.rule != Rule::BlockingCallThroughHelper && PAGING_APIS.contains(&r.api) {
            return Some(
                "It returns an iterator that fetches more results as it is iterated".into(),
            );
        }
        let range = call.range();
        let paging = |attr: &str| PAGING_METHODS.contains(&attr);
        let attr = match self.index.primaries.get(&range) {
            Some(Some(attr)) if paging(attr) => Some(attr.to_string()),
            _ => self.attrs_of_result(call).into_iter().find(|a| paging(a)),
        }?;
        Some(format!("Its result is paged through with `.{attr}()`"))
    }

    /// The attributes the enclosing function reads from the name the call's result is
    /// assigned to (`r = f()` ... `r.json()`).
    fn attrs_of_result(&self, call: &ast::ExprCall) -> Vec<String> {
        let range = call.range();
        let Some(name) = self.index.assigned.get(&range) else {
            return vec![];
        };
        let Some((_, body)) = self
            .index
            .functions
            .iter()
            .filter(|(f, _)| f.contains_range(range))
            .min_by_key(|(f, _)| f.len())
        else {
            return vec![];
        };
        let mut uses = AttrUses {
            name,
            attrs: vec![],
        };
        uses.visit_body(body);
        uses.attrs
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

/// Methods that turn a listing's first page into an iterator that fetches the next
/// pages as it is iterated.
const PAGING_METHODS: &[&str] = &["auto_paging_iter", "iter_pages", "paginate"];

/// APIs that return an iterator that fetches page after page (or batch after batch) as
/// it is iterated.
const PAGING_APIS: &[&str] = &[
    "google.cloud.firestore.CollectionReference.list_documents",
    "google.cloud.firestore.CollectionReference.stream",
    "google.cloud.firestore.Query.stream",
    "google.cloud.storage.Bucket.list_blobs",
    "google.cloud.storage.Client.list_blobs",
    "pymongo.collection.Collection.aggregate",
    "pymongo.collection.Collection.find",
];

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offload_form_used_most() {
        assert_eq!(Offload::counted_as("asyncio.to_thread"), Some(0));
        assert_eq!(Offload::counted_as("asgiref.sync.sync_to_async"), Some(1));
        assert_eq!(
            Offload::counted_as("starlette.concurrency.run_in_threadpool"),
            Some(2)
        );
        assert_eq!(Offload::counted_as("threading.Thread"), None);
        assert_eq!(Offload::most_used([1, 2, 0]), Offload::SyncToAsync);
        assert_eq!(Offload::most_used([2, 2, 2]), Offload::ToThread);
        assert_eq!(Offload::most_used([0, 0, 0]), Offload::ToThread);
        assert_eq!(Offload::most_used([0, 1, 3]), Offload::Threadpool);
    }
}
