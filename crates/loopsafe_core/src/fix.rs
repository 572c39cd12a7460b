//! Fixes: what to write instead of each blocking call, and how sure loopsafe is of it.
//!
//! As in ruff, a fix is *safe* when it cannot change what the program does, *unsafe* when
//! it should (but might not), and *display-only* when loopsafe can only say what to do.
//! Fixes are minimal edits to the source: the arguments of a call are kept as written, so
//! comments and formatting inside them survive.
//!
//! This module and `extract.rs` are the only readers of ruff's AST.

use std::path::Path;

use ruff_python_ast::token::TokenKind;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::catalogue::Catalogue;
use crate::facts::Span;
use crate::rules::Rule;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// Only a suggestion: nothing is written.
    DisplayOnly,
    /// Applied with `--unsafe-fixes`: right in the usual case, but review it.
    Unsafe,
    /// Applied with `--fix`: cannot change what the program does.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

/// Replace `start..end` (byte offsets) with `content`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Edit {
    pub start: u32,
    pub end: u32,
    pub content: String,
}

impl Edit {
    /// `content` put at `at`, replacing nothing.
    fn insert(at: u32, content: impl Into<String>) -> Edit {
        Edit {
            start: at,
            end: at,
            content: content.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    pub message: String,
    pub edits: Vec<Edit>,
}

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
    let mut index = Index::default();
    index.visit_body(&module.body);
    let mut file = FileInfo::new(source, &module.body, comments);
    file.http_fixes = requests
        .iter()
        .filter(|r| r.rule == Rule::BlockingHttpCall && r.api.starts_with("requests."))
        .map(|r| r.span)
        .collect();
    requests
        .iter()
        .map(|r| {
            let key = (r.span.start, r.span.end);
            match index.calls.get(&key) {
                Some(call) => Some(file.fix(&index, call, r, ctx)),
                None => index.loops.get(&key).and_then(|l| async_for(*l, r)),
            }
        })
        .collect()
}

/// The nodes a fix needs to look around a call.
#[derive(Default)]
struct Index<'a> {
    /// Calls by the range of their called expression.
    calls: HashMap<(u32, u32), &'a ast::ExprCall>,
    /// Expressions in primary position (`x` in `x.attr`, `x[i]`, `x()`): an `await` put
    /// there needs parentheses. The attribute name, when it is one.
    primaries: HashMap<TextRange, Option<&'a str>>,
    /// Generator expressions and lambdas: no `await` can go inside them.
    no_await: Vec<TextRange>,
    /// `with` items' context expressions.
    with_items: HashSet<TextRange>,
    awaited: HashSet<TextRange>,
    /// `try` statements: the range of the body and the handlers.
    tries: Vec<(TextRange, &'a [ast::ExceptHandler])>,
    /// Functions: their range and body, to see how a result is used.
    functions: Vec<(TextRange, &'a [Stmt])>,
    /// `name = <call>` assignments, by the call's range.
    assigned: HashMap<TextRange, &'a str>,
    /// Sync `for` loops and comprehension clauses, by their iterable's range: where
    /// their `for` keyword is, and whether a generator expression holds it.
    loops: HashMap<(u32, u32), (u32, bool)>,
}

impl<'a> Visitor<'a> for Index<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Try(t) => {
                if let (Some(first), Some(last)) = (t.body.first(), t.body.last()) {
                    let body = TextRange::new(first.start(), last.end());
                    self.tries.push((body, &t.handlers));
                }
            }
            Stmt::With(w) => {
                for item in &w.items {
                    self.with_items.insert(item.context_expr.range());
                }
            }
            Stmt::FunctionDef(f) => self.functions.push((f.range, &f.body)),
            Stmt::For(f) if !f.is_async => {
                let iter = f.iter.range();
                let key = (iter.start().to_u32(), iter.end().to_u32());
                self.loops.insert(key, (f.range.start().to_u32(), false));
            }
            Stmt::Assign(a) => {
                if let [Expr::Name(n)] = a.targets.as_slice() {
                    self.assigned.insert(a.value.range(), n.id.as_str());
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(c) => {
                let f = c.func.range();
                self.calls.insert((f.start().to_u32(), f.end().to_u32()), c);
                self.primaries.insert(f, None);
            }
            Expr::Attribute(a) => {
                self.primaries
                    .insert(a.value.range(), Some(a.attr.as_str()));
            }
            Expr::Subscript(s) => {
                self.primaries.insert(s.value.range(), None);
            }
            Expr::Generator(g) => {
                self.no_await.push(g.range);
                self.comprehension(&g.generators, true);
            }
            Expr::ListComp(c) => self.comprehension(&c.generators, false),
            Expr::SetComp(c) => self.comprehension(&c.generators, false),
            Expr::DictComp(c) => self.comprehension(&c.generators, false),
            Expr::Lambda(l) => self.no_await.push(l.range),
            Expr::Await(a) => {
                self.awaited.insert(a.value.range());
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

impl Index<'_> {
    fn comprehension(&mut self, generators: &[ast::Comprehension], lazy: bool) {
        for g in generators.iter().filter(|g| !g.is_async) {
            let iter = g.iter.range();
            let key = (iter.start().to_u32(), iter.end().to_u32());
            self.loops.insert(key, (g.range.start().to_u32(), lazy));
        }
    }
}

/// Names a module binds at top level, and where its imports are.
struct FileInfo<'s> {
    source: &'s str,
    newline: &'static str,
    comments: Vec<TextRange>,
    /// Top-level names bound by anything.
    bound: HashSet<String>,
    /// Top-level import statements in order: the module of a one-name `import x` (or
    /// `None` for other imports), the range, and the block (imports not separated by
    /// a blank line) it belongs to.
    imports: Vec<(Option<String>, TextRange, usize)>,
    /// Where code after the imports starts: the end of the last top-level import line,
    /// else after the docstring and `from __future__` imports.
    after_imports: u32,
    /// Where the first statement after the docstring starts.
    first_code: u32,
    /// Names bound to modules or objects from `import`: name -> dotted target.
    imported: HashMap<String, String>,
    /// The `requests` calls being fixed in this file.
    http_fixes: Vec<Span>,
}

impl<'s> FileInfo<'s> {
    fn new(source: &'s str, body: &[Stmt], comments: Vec<TextRange>) -> Self {
        let newline = match source.find('\n') {
            Some(i) if i > 0 && source.as_bytes()[i - 1] == b'\r' => "\r\n",
            _ => "\n",
        };
        let mut info = FileInfo {
            source,
            newline,
            comments,
            bound: HashSet::default(),
            imports: vec![],
            after_imports: 0,
            first_code: 0,
            imported: HashMap::default(),
            http_fixes: vec![],
        };
        let mut docstring_end = None;
        let mut first_code = None;
        for (i, stmt) in body.iter().enumerate() {
            let is_docstring = i == 0
                && matches!(stmt, Stmt::Expr(e) if matches!(*e.value, Expr::StringLiteral(_)));
            let is_future = matches!(stmt, Stmt::ImportFrom(f)
                if f.module.as_ref().is_some_and(|m| m.as_str() == "__future__"));
            if is_docstring || is_future {
                docstring_end = Some(info.line_end(stmt.end()));
            } else if first_code.is_none() {
                first_code = Some(info.line_start(stmt.start()));
            }
            match stmt {
                Stmt::Import(imp) => {
                    for alias in &imp.names {
                        let full = alias.name.as_str();
                        let name = match &alias.asname {
                            Some(a) => a.to_string(),
                            None => full.split('.').next().unwrap_or(full).to_string(),
                        };
                        let target = match &alias.asname {
                            Some(_) => full.to_string(),
                            None => name.clone(),
                        };
                        info.imported.insert(name.clone(), target);
                        info.bound.insert(name);
                    }
                    let plain = match imp.names.as_slice() {
                        [alias] => Some(alias.name.to_string()),
                        _ => None,
                    };
                    info.push_import(plain, imp.range);
                    info.after_imports = info.line_end(imp.end());
                }
                Stmt::ImportFrom(imp) => {
                    let module = imp.module.as_ref().map(|m| m.as_str()).unwrap_or("");
                    for alias in &imp.names {
                        let name = alias.asname.as_ref().unwrap_or(&alias.name).to_string();
                        if imp.level == 0 {
                            info.imported
                                .insert(name.clone(), format!("{module}.{}", alias.name));
                        }
                        info.bound.insert(name);
                    }
                    info.push_import(None, imp.range);
                    info.after_imports = info.line_end(imp.end());
                }
                Stmt::FunctionDef(f) => {
                    info.bound.insert(f.name.to_string());
                }
                Stmt::ClassDef(c) => {
                    info.bound.insert(c.name.to_string());
                }
                Stmt::Assign(a) => {
                    for t in &a.targets {
                        if let Expr::Name(n) = t {
                            info.bound.insert(n.id.to_string());
                        }
                    }
                }
                Stmt::AnnAssign(a) => {
                    if let Expr::Name(n) = &*a.target {
                        info.bound.insert(n.id.to_string());
                    }
                }
                _ => {}
            }
        }
        let start = docstring_end.unwrap_or(0);
        if info.after_imports == 0 {
            info.after_imports = start;
        }
        info.first_code = first_code.unwrap_or(start).max(start);
        info
    }

    fn line_start(&self, offset: ruff_text_size::TextSize) -> u32 {
        line_start(self.source, offset.to_usize()) as u32
    }

    fn line_end(&self, offset: ruff_text_size::TextSize) -> u32 {
        line_end(self.source, offset.to_usize()) as u32
    }

    fn text(&self, range: TextRange) -> &'s str {
        &self.source[range]
    }

    fn has_comment(&self, start: u32, end: u32) -> bool {
        self.comments
            .iter()
            .any(|c| c.start().to_u32() >= start && c.end().to_u32() <= end)
    }

    /// The bound name of `module` when the file imports it plainly (`import asyncio`),
    /// or `None` when the name is free to be imported.
    fn module_name<'m>(&self, module: &'m str) -> Result<Option<&'m str>, ()> {
        match self.imported.get(module) {
            Some(target) if target == module => Ok(Some(module)),
            Some(_) => Err(()),
            None if self.bound.contains(module) => Err(()),
            None => Ok(None),
        }
    }

    fn push_import(&mut self, plain: Option<String>, range: TextRange) {
        let block = match self.imports.last() {
            Some((_, prev, block)) => {
                let between = &self.source[prev.end().to_usize()..range.start().to_usize()];
                if between.matches('\n').count() > 1 {
                    block + 1
                } else {
                    *block
                }
            }
            None => 0,
        };
        self.imports.push((plain, range, block));
    }

    /// An edit adding `import module` next to the imports it belongs with: in the block
    /// that imports `anchor` (the standard library, or requests for httpx), in
    /// alphabetical order among the plain imports, before the `from` imports.
    fn import_edit(&self, module: &str) -> Edit {
        let nl = self.newline;
        let anchors: &[&str] = if module == "httpx" {
            &["requests", "aiohttp", "fastapi", "starlette"]
        } else {
            STDLIB
        };
        let block = self
            .imports
            .iter()
            .find(|(plain, _, _)| plain.as_deref().is_some_and(|p| anchors.contains(&p)))
            .map(|(_, _, b)| *b);
        let at = block.and_then(|b| {
            let in_block = || self.imports.iter().filter(move |(_, _, k)| *k == b);
            in_block()
                .find(|(plain, _, _)| match plain {
                    Some(p) => p.as_str() > module,
                    None => true,
                })
                .map(|(_, r, _)| self.line_start(r.start()))
                .or_else(|| {
                    in_block()
                        .next_back()
                        .map(|(_, r, _)| self.line_end(r.end()))
                })
        });
        let at = at.unwrap_or(self.after_imports);
        let mut content = format!("import {module}{nl}");
        if at == 0 && !self.source.is_empty() && self.imports.is_empty() {
            content.push_str(nl);
        }
        Edit {
            start: at,
            end: at,
            content,
        }
    }

    /// `f(x)` -> `await sync_to_async(f)(x)`, where the module already uses asgiref's
    /// `sync_to_async` or the call reaches Django's ORM. Django keeps one database
    /// connection per thread and closes it when the request ends: `sync_to_async` runs
    /// the function in the thread the request's sync work shares, where
    /// `asyncio.to_thread` would open a connection in each worker thread that nothing
    /// closes.
    fn sync_to_async(&self, index: &Index, call: &ast::ExprCall, r: &Request) -> Option<Fix> {
        let imported = self
            .imported
            .iter()
            .find(|(_, target)| target.as_str() == "asgiref.sync.sync_to_async")
            .map(|(name, _)| name.clone());
        let mut edits = vec![];
        let runner = match imported {
            Some(name) => name,
            None if r.api.starts_with("django.") && !self.bound.contains("sync_to_async") => {
                let at = self.after_imports;
                let nl = self.newline;
                let mut content = format!("from asgiref.sync import sync_to_async{nl}");
                if at == 0 && !self.source.is_empty() && self.imports.is_empty() {
                    content.push_str(nl);
                }
                edits.push(Edit::insert(at, content));
                "sync_to_async".into()
            }
            None => return None,
        };
        let (open, close) = awaited_through(index, call, &format!("{runner}("));
        edits.push(open);
        edits.push(Edit::insert(call.arguments.range.start().to_u32(), ")"));
        edits.extend(close);
        let callee = self.text(call.func.range());
        let what = subject(r);
        // Unsafe, as any move to another thread.
        Some(Fix {
            applicability: Applicability::Unsafe,
            message: format!("Run {what} in a worker thread: `await {runner}({callee})(...)`"),
            edits,
        })
    }

    /// A name for the module's shared HTTP client that nothing else uses.
    fn client_name(&self) -> String {
        ["_http", "_http_client", "_async_http", "_loopsafe_http"]
            .into_iter()
            .find(|n| !self.bound.contains(*n) && !self.source.contains(&format!("{n}.")))
            .unwrap_or("_loopsafe_http")
            .to_string()
    }

    fn fix(&self, index: &Index, call: &ast::ExprCall, r: &Request, ctx: &Context) -> Fix {
        let range = call.range();
        if index.no_await.iter().any(|g| g.contains_range(range)) {
            return display(
                "Move this call out of the generator expression or lambda, then `await` it",
            );
        }
        if index.awaited.contains(&range) {
            return display("This call is already awaited; make the function it calls async");
        }
        let api = r.api;
        // A helper's call is not the blocking call itself: only a direct one has a twin.
        // (An `__aiter__` twin is for loops: see `async_for`.)
        if let (false, Some(twin)) = (
            r.rule == Rule::BlockingCallThroughHelper,
            Catalogue::async_twin(api).filter(|t| *t != "__aiter__"),
        ) {
            return self.twin(index, call, twin);
        }
        match r.rule {
            Rule::BlockingCallThroughHelper => self.to_thread(index, call, r),
            Rule::AsyncioRun | Rule::RunUntilComplete => self.await_argument(index, call, api),
            Rule::TimeSleep if api == "time.sleep" => self.sleep(index, call),
            Rule::BlockingHttpCall if api.starts_with("requests.") => {
                self.requests(index, call, api, ctx)
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
            _ => self.to_thread(index, call, r),
        }
    }

    /// `asyncio.run(coro())` -> `await coro()`.
    fn await_argument(&self, index: &Index, call: &ast::ExprCall, api: &str) -> Fix {
        if api.ends_with(".run_forever") {
            return display("The loop is already running: schedule work on it instead");
        }
        let args = &call.arguments;
        let [arg] = &*args.args else {
            return display("`await` the coroutine instead");
        };
        if !args.keywords.is_empty() || matches!(arg, Expr::Starred(_)) {
            return display(
                "`await` the coroutine instead (the other arguments have no `await` equivalent)",
            );
        }
        let range = call.range();
        let parens = index.primaries.contains_key(&range);
        let (open, close) = if parens {
            ("(await ", ")")
        } else {
            ("await ", "")
        };
        let edits = vec![
            Edit {
                start: range.start().to_u32(),
                end: arg.start().to_u32(),
                content: open.into(),
            },
            Edit {
                start: arg.end().to_u32(),
                end: range.end().to_u32(),
                content: close.into(),
            },
        ];
        let mut applicability = if matches!(arg, Expr::Call(_)) {
            Applicability::Safe
        } else {
            // A name may hold a coroutine, a task or something else altogether.
            Applicability::Unsafe
        };
        if self.removes_comment(&edits) {
            applicability = applicability.min(Applicability::Unsafe);
        }
        let what = self.text(call.func.range());
        Fix {
            applicability,
            message: format!("Replace `{what}(...)` with `await`"),
            edits,
        }
    }

    /// `Model.objects.get(...)` -> `await Model.objects.aget(...)`: the same object's
    /// async method.
    fn twin(&self, index: &Index, call: &ast::ExprCall, twin: &str) -> Fix {
        let Expr::Attribute(attr) = &*call.func else {
            return display(&format!("Use the async version, `await ...{twin}(...)`"));
        };
        let mut edits = awaited(index, call);
        edits.push(Edit {
            start: attr.attr.start().to_u32(),
            end: attr.attr.end().to_u32(),
            content: twin.into(),
        });
        Fix {
            // The twin may differ in what surrounds the call: Django runs it in its own
            // thread, outside a `transaction.atomic()` block the caller holds.
            applicability: Applicability::Unsafe,
            message: format!("Replace with `await ...{twin}(...)`"),
            edits,
        }
    }

    /// `time.sleep(x)` -> `await asyncio.sleep(x)`.
    fn sleep(&self, index: &Index, call: &ast::ExprCall) -> Fix {
        let args = &call.arguments;
        if args.args.len() + args.keywords.len() != 1
            || matches!(args.args.first(), Some(Expr::Starred(_)))
        {
            return display("Use `await asyncio.sleep(...)`");
        }
        let Ok(asyncio) = self.module_name("asyncio") else {
            return display("Use `await asyncio.sleep(...)` (the name `asyncio` is taken here)");
        };
        let mut edits = awaited(index, call);
        edits.push(Edit {
            start: call.func.start().to_u32(),
            end: call.func.end().to_u32(),
            content: "asyncio.sleep".into(),
        });
        if asyncio.is_none() {
            edits.push(self.import_edit("asyncio"));
        }
        Fix {
            applicability: Applicability::Safe,
            message: "Replace with `await asyncio.sleep(...)`".into(),
            edits,
        }
    }

    fn removes_comment(&self, edits: &[Edit]) -> bool {
        edits
            .iter()
            .any(|e| e.end > e.start && self.has_comment(e.start, e.end))
    }

    /// `requests.get(url, ...)` -> `await _http.get(url, ...)` on one shared
    /// `httpx.AsyncClient` per module.
    fn requests(&self, index: &Index, call: &ast::ExprCall, api: &str, ctx: &Context) -> Fix {
        let verb = api.rsplit('.').next().unwrap_or("get");
        if !matches!(
            verb,
            "get" | "post" | "put" | "patch" | "delete" | "head" | "options" | "request"
        ) {
            return display("Use a shared `httpx.AsyncClient` and `await` the request");
        }
        let hint = "Use a shared `httpx.AsyncClient` and `await` the request";
        let args = &call.arguments;
        let positional = if verb == "request" { 2 } else { 1 };
        if args.args.len() > positional || args.args.iter().any(|a| matches!(a, Expr::Starred(_))) {
            return display(&format!(
                "{hint} (pass the extra positional arguments by keyword: httpx takes only the URL by position)"
            ));
        }
        let mut edits = awaited(index, call);
        let client = self.client_name();
        edits.push(Edit {
            start: call.func.start().to_u32(),
            end: call.func.end().to_u32(),
            content: format!("{client}.{verb}"),
        });
        let mut follow = false;
        for kw in &args.keywords {
            let Some(name) = &kw.arg else {
                return display(&format!(
                    "{hint} (`**` arguments: loopsafe cannot see which options they pass)"
                ));
            };
            match name.as_str() {
                "verify" | "cert" | "proxies" => {
                    return display(&format!(
                        "{hint} (`{name}=` is set on an httpx client, not per request: give these calls a client of their own)"
                    ))
                }
                "stream" | "hooks" => {
                    return display(&format!(
                        "{hint} (`{name}=` works differently in httpx: see `client.stream(...)` and event hooks)"
                    ))
                }
                "timeout" if matches!(kw.value, Expr::Tuple(_)) => {
                    return display(&format!(
                        "{hint} (a `(connect, read)` timeout becomes `httpx.Timeout(read, connect=connect)`)"
                    ))
                }
                "allow_redirects" => {
                    follow = true;
                    edits.push(Edit {
                        start: name.range.start().to_u32(),
                        end: name.range.end().to_u32(),
                        content: "follow_redirects".into(),
                    });
                }
                "data" if matches!(
                    kw.value,
                    Expr::StringLiteral(_) | Expr::BytesLiteral(_) | Expr::FString(_)
                ) =>
                {
                    edits.push(Edit {
                        start: name.range.start().to_u32(),
                        end: name.range.end().to_u32(),
                        content: "content".into(),
                    });
                }
                _ => {}
            }
        }
        // requests does not follow redirects for HEAD; the shared client does.
        if verb == "head" && !follow {
            let at = args.range.end().to_u32() - 1;
            let last = args
                .args
                .iter()
                .map(Ranged::end)
                .chain(args.keywords.iter().map(Ranged::end))
                .max();
            if let Some(last) = last {
                let last = last.to_u32();
                let trailing = self.source[last as usize..at as usize].trim();
                let sep = if trailing.starts_with(',') { " " } else { ", " };
                let at = if trailing.starts_with(',') {
                    last + self.source[last as usize..].find(',').unwrap_or(0) as u32 + 1
                } else {
                    last
                };
                edits.push(Edit {
                    start: at,
                    end: at,
                    content: format!("{sep}follow_redirects=False"),
                });
            }
        }
        if let Some(reason) = self.unsupported_response_use(index, call) {
            return display(&format!("{hint} ({reason})"));
        }
        match self.map_exceptions(index, call) {
            Ok(mapped) => edits.extend(mapped),
            Err(reason) => return display(&format!("{hint} ({reason})")),
        }
        match self.module_name("httpx") {
            Ok(Some(_)) => {}
            Ok(None) => edits.push(self.import_edit("httpx")),
            Err(()) => return display(&format!("{hint} (the name `httpx` is taken here)")),
        }
        edits.push(self.client_edit(&client));
        let mut message = format!("Use a shared `httpx.AsyncClient`: `await {client}.{verb}(...)`");
        if ctx.httpx_declared != Some(true) {
            message.push_str(" (add `httpx` to your dependencies)");
        }
        Fix {
            applicability: Applicability::Unsafe,
            message,
            edits,
        }
    }

    /// The module-level client, after the imports.
    fn client_edit(&self, client: &str) -> Edit {
        let nl = self.newline;
        Edit {
            start: self.after_imports,
            end: self.after_imports,
            content: format!(
                "{nl}# One HTTP client for the whole module: building an httpx.AsyncClient loads the{nl}\
                 # CA bundle (tens of milliseconds of CPU), too costly to repeat on every request.{nl}\
                 # requests follows redirects; httpx only when asked.{nl}\
                 {client} = httpx.AsyncClient(follow_redirects=True){nl}"
            ),
        }
    }

    /// A response used in a way httpx's does not support.
    fn unsupported_response_use(&self, index: &Index, call: &ast::ExprCall) -> Option<String> {
        let range = call.range();
        let unsupported = |attr: &str| -> Option<String> {
            let why = match attr {
                "iter_content" | "iter_lines" => {
                    "httpx streams with `client.stream(...)` and `aiter_bytes()`"
                }
                "raw" => "httpx responses have no `.raw`",
                "ok" => "httpx responses have `.is_success` instead of `.ok`",
                "reason" => "httpx responses have `.reason_phrase` instead of `.reason`",
                "apparent_encoding" => "httpx responses have no `.apparent_encoding`",
                _ => return None,
            };
            Some(format!("the response's `.{attr}`: {why}"))
        };
        if let Some(Some(attr)) = index.primaries.get(&range) {
            if let Some(reason) = unsupported(attr) {
                return Some(reason);
            }
        }
        let name = index.assigned.get(&range)?;
        let (_, body) = index
            .functions
            .iter()
            .filter(|(f, _)| f.contains_range(range))
            .min_by_key(|(f, _)| f.len())?;
        let mut uses = AttrUses {
            name,
            attrs: vec![],
        };
        uses.visit_body(body);
        uses.attrs.iter().find_map(|a| unsupported(a))
    }

    /// Rewrites the `except requests...` clauses around the call to httpx's exceptions.
    fn map_exceptions(&self, index: &Index, call: &ast::ExprCall) -> Result<Vec<Edit>, String> {
        let range = call.range();
        let mut edits = vec![];
        for (body, handlers) in &index.tries {
            if !body.contains_range(range) {
                continue;
            }
            for handler in handlers.iter() {
                let ast::ExceptHandler::ExceptHandler(h) = handler;
                let Some(type_) = &h.type_ else { continue };
                let types: Vec<&Expr> = match &**type_ {
                    Expr::Tuple(t) => t.elts.iter().collect(),
                    other => vec![other],
                };
                for t in types {
                    let Some(name) = self.requests_exception(t) else {
                        continue;
                    };
                    let Some(mapped) = HTTPX_EXCEPTIONS
                        .iter()
                        .find(|(r, _)| *r == name)
                        .map(|(_, h)| *h)
                    else {
                        return Err(format!(
                            "the `except` clause catches `requests.{name}`, which has no httpx equivalent"
                        ));
                    };
                    // The clause must not also guard requests calls left as they are.
                    let mentions: usize = self
                        .imported
                        .iter()
                        .filter(|(_, target)| target.as_str() == "requests")
                        .map(|(alias, _)| self.source[*body].matches(&format!("{alias}.")).count())
                        .sum();
                    let fixed = self
                        .http_fixes
                        .iter()
                        .filter(|s| {
                            body.start().to_u32() <= s.start && s.end <= body.end().to_u32()
                        })
                        .count();
                    if mentions > fixed {
                        return Err(
                            "the `try` block also makes other requests calls; fix them together"
                                .into(),
                        );
                    }
                    edits.push(Edit {
                        start: t.start().to_u32(),
                        end: t.end().to_u32(),
                        content: mapped.into(),
                    });
                }
            }
        }
        Ok(edits)
    }

    /// `requests.HTTPError`, `requests.exceptions.Timeout`, or a name imported from
    /// requests: the exception's name.
    fn requests_exception(&self, t: &Expr) -> Option<String> {
        match t {
            Expr::Attribute(a) => {
                let base = self.text(a.value.range());
                let target = self.imported.get(base.split('.').next()?)?;
                let full = format!("{target}{}", &base[base.find('.').unwrap_or(base.len())..]);
                matches!(full.as_str(), "requests" | "requests.exceptions")
                    .then(|| a.attr.to_string())
            }
            Expr::Name(n) => {
                let target = self.imported.get(n.id.as_str())?;
                let (module, name) = target.rsplit_once('.')?;
                matches!(module, "requests" | "requests.exceptions").then(|| name.to_string())
            }
            _ => None,
        }
    }

    /// `f(x)` -> `await asyncio.to_thread(f, x)`, or Starlette's `run_in_threadpool`, or
    /// for Django `await sync_to_async(f)(x)`.
    fn to_thread(&self, index: &Index, call: &ast::ExprCall, r: &Request) -> Fix {
        if let Some(fix) = self.sync_to_async(index, call, r) {
            return fix;
        }
        let threadpool = self
            .imported
            .iter()
            .find(|(_, target)| {
                matches!(
                    target.as_str(),
                    "starlette.concurrency.run_in_threadpool"
                        | "fastapi.concurrency.run_in_threadpool"
                )
            })
            .map(|(name, _)| name.clone());
        let mut edits = vec![];
        let runner = match &threadpool {
            Some(name) => name.clone(),
            None => match self.module_name("asyncio") {
                Ok(Some(_)) => "asyncio.to_thread".into(),
                Ok(None) => {
                    edits.push(self.import_edit("asyncio"));
                    "asyncio.to_thread".into()
                }
                Err(()) => return display(
                    "Run it with `await asyncio.to_thread(...)` (the name `asyncio` is taken here)",
                ),
            },
        };
        let (open, close) = awaited_through(index, call, &format!("{runner}("));
        edits.push(open);
        let args = &call.arguments;
        let paren = args.range.start().to_u32();
        let empty = args.args.is_empty() && args.keywords.is_empty();
        if empty {
            // `f()` -> `runner(f)`: the call's own parentheses close the runner's.
            edits.push(Edit {
                start: paren,
                end: args.range.end().to_u32(),
                content: ")".into(),
            });
        } else {
            edits.push(Edit {
                start: paren,
                end: paren + 1,
                content: ", ".into(),
            });
        }
        edits.extend(close);
        let callee = self.text(call.func.range());
        let what = subject(r);
        // Always unsafe: the function then runs on another thread.
        Fix {
            applicability: Applicability::Unsafe,
            message: format!("Run {what} in a worker thread: `await {runner}({callee}, ...)`"),
            edits,
        }
    }
}

/// Attributes read from one name in a function body.
struct AttrUses<'n> {
    name: &'n str,
    attrs: Vec<String>,
}

impl<'a> Visitor<'a> for AttrUses<'_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Attribute(a) = expr {
            if let Expr::Name(n) = &*a.value {
                if n.id.as_str() == self.name {
                    self.attrs.push(a.attr.to_string());
                }
            }
        }
        visitor::walk_expr(self, expr);
    }
}

/// `for x in qs:` -> `async for x in qs:`, where the iterated type has an async iterator
/// (`ASYNC_TWINS` names `__aiter__` for its `__iter__`).
fn async_for((at, lazy): (u32, bool), r: &Request) -> Option<Fix> {
    if r.rule == Rule::BlockingCallThroughHelper || Catalogue::async_twin(r.api)? != "__aiter__" {
        return None;
    }
    if lazy {
        // `(x async for x in qs)` is an async generator: whoever consumes it must change.
        return Some(display(
            "Iterate with `async for` where the generator is consumed",
        ));
    }
    Some(Fix {
        applicability: Applicability::Unsafe,
        message: "Iterate with `async for`".into(),
        edits: vec![Edit::insert(at, "async ")],
    })
}

/// `await call`: in parentheses where the call is a primary (`(await f()).x`).
fn awaited(index: &Index, call: &ast::ExprCall) -> Vec<Edit> {
    let (open, close) = awaited_through(index, call, "");
    std::iter::once(open).chain(close).collect()
}

/// `await <prefix>call`: the edit that opens it, and the parenthesis that closes it where
/// the call is a primary (`(await f()).x`), for the caller to list after its own edits.
fn awaited_through(index: &Index, call: &ast::ExprCall, prefix: &str) -> (Edit, Option<Edit>) {
    let range = call.range();
    let start = range.start().to_u32();
    if index.primaries.contains_key(&range) {
        let close = Edit::insert(range.end().to_u32(), ")");
        (Edit::insert(start, format!("(await {prefix}")), Some(close))
    } else {
        (Edit::insert(start, format!("await {prefix}")), None)
    }
}

/// What a thread fix moves: "the helper" (LS901), else "it".
fn subject(r: &Request) -> &'static str {
    if r.rule == Rule::BlockingCallThroughHelper {
        "the helper"
    } else {
        "it"
    }
}

fn display(message: &str) -> Fix {
    Fix {
        applicability: Applicability::DisplayOnly,
        message: message.to_string(),
        edits: vec![],
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

/// Standard-library modules that mark the block of standard imports.
const STDLIB: &[&str] = &[
    "abc",
    "asyncio",
    "collections",
    "contextlib",
    "dataclasses",
    "datetime",
    "enum",
    "functools",
    "io",
    "itertools",
    "json",
    "logging",
    "math",
    "os",
    "pathlib",
    "re",
    "shutil",
    "socket",
    "subprocess",
    "sys",
    "tempfile",
    "threading",
    "time",
    "typing",
    "uuid",
];

/// requests exceptions and the httpx ones that cover the same failures.
const HTTPX_EXCEPTIONS: &[(&str, &str)] = &[
    ("ConnectTimeout", "httpx.ConnectTimeout"),
    ("ConnectionError", "httpx.TransportError"),
    ("HTTPError", "httpx.HTTPStatusError"),
    ("ReadTimeout", "httpx.ReadTimeout"),
    ("RequestException", "httpx.HTTPError"),
    ("Timeout", "httpx.TimeoutException"),
    ("TooManyRedirects", "httpx.TooManyRedirects"),
];

/// Applies as many fixes as do not overlap, in order; identical edits shared by several
/// fixes (an import they all need) are applied once. Returns the new text and which
/// fixes were applied; the others overlap an applied one and wait for another pass.
pub fn apply(source: &str, fixes: &[&Fix]) -> (String, Vec<usize>) {
    let mut order: Vec<usize> = (0..fixes.len()).collect();
    order.sort_by_key(|i| fixes[*i].edits.iter().map(|e| e.start).min().unwrap_or(0));
    let mut taken: Vec<(usize, Edit)> = vec![];
    let mut applied = vec![];
    'fixes: for i in order {
        let fix = fixes[i];
        if fix.edits.is_empty() {
            continue;
        }
        for e in &fix.edits {
            for (_, t) in &taken {
                if t == e {
                    continue;
                }
                let overlaps = e.start < t.end && t.start < e.end;
                let inside = (e.start == e.end && e.start > t.start && e.start < t.end)
                    || (t.start == t.end && t.start > e.start && t.start < e.end);
                if overlaps || inside {
                    continue 'fixes;
                }
            }
        }
        for (n, e) in fix.edits.iter().enumerate() {
            if !taken.iter().any(|(_, t)| t == e) {
                taken.push((i * 1000 + n, e.clone()));
            }
        }
        applied.push(i);
    }
    // By position; at one position, in the order the fixes listed them.
    taken.sort_by_key(|(order, e)| (e.start, e.end, *order));
    let mut out = String::with_capacity(source.len() + 256);
    let mut at = 0usize;
    for (_, e) in &taken {
        out.push_str(&source[at..e.start as usize]);
        out.push_str(&e.content);
        at = e.end as usize;
    }
    out.push_str(&source[at..]);
    applied.sort_unstable();
    (out, applied)
}

/// Where the line holding `offset` starts.
pub(crate) fn line_start(source: &str, offset: usize) -> usize {
    let offset = offset.min(source.len());
    source[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0)
}

/// Where the next line after the one holding `offset` starts (past its newline).
pub(crate) fn line_end(source: &str, offset: usize) -> usize {
    let offset = offset.min(source.len());
    source[offset..]
        .find('\n')
        .map(|i| offset + i + 1)
        .unwrap_or(source.len())
}

/// Whether the text parses as Python; the error otherwise.
pub fn parses(source: &str) -> Result<(), String> {
    ruff_python_parser::parse_module(source)
        .map(|_| ())
        .map_err(|e| e.error.to_string())
}

/// Names read anywhere in a module.
fn used_names(body: &[Stmt]) -> HashMap<String, usize> {
    struct Uses(HashMap<String, usize>);
    impl<'a> Visitor<'a> for Uses {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Name(n) = expr {
                if n.ctx == ast::ExprContext::Load {
                    *self.0.entry(n.id.to_string()).or_default() += 1;
                }
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut uses = Uses(HashMap::default());
    uses.visit_body(body);
    uses.0
}

/// Removes the top-level imports of `modules` (and of names from them) that `before`
/// used and `after` no longer does: `import asyncio` once the last `asyncio.run` is gone.
pub fn remove_unused_imports(before: &str, after: &str, modules: &[&str]) -> String {
    let (Ok(old), Ok(new)) = (
        ruff_python_parser::parse_module(before),
        ruff_python_parser::parse_module(after),
    ) else {
        return after.to_string();
    };
    let used_before = used_names(&old.syntax().body);
    let used_after = used_names(&new.syntax().body);
    let from = |module: &str| {
        modules
            .iter()
            .any(|m| module == *m || module.starts_with(&format!("{m}.")))
    };
    let unused = |name: &str, module: &str| {
        from(module)
            && used_before.get(name).copied().unwrap_or(0) > 0
            && used_after.get(name).copied().unwrap_or(0) == 0
    };
    let nl = if after.contains("\r\n") { "\r\n" } else { "\n" };
    let mut edits: Vec<Edit> = vec![];
    for stmt in &new.syntax().body {
        let (names, keep): (Vec<String>, Vec<String>) = match stmt {
            Stmt::Import(imp) => {
                let mut keep = vec![];
                let mut names = vec![];
                for a in &imp.names {
                    let bound = match &a.asname {
                        Some(n) => n.to_string(),
                        None => a.name.split('.').next().unwrap_or("").to_string(),
                    };
                    names.push(bound.clone());
                    if !unused(&bound, a.name.as_str()) {
                        keep.push(after[a.range].to_string());
                    }
                }
                (names, keep)
            }
            Stmt::ImportFrom(imp) => {
                let module = match (imp.level, &imp.module) {
                    (0, Some(m)) => m.as_str(),
                    _ => "",
                };
                let mut keep = vec![];
                let mut names = vec![];
                for a in &imp.names {
                    let bound = a.asname.as_ref().unwrap_or(&a.name).to_string();
                    names.push(bound.clone());
                    if !unused(&bound, module) {
                        keep.push(after[a.range].to_string());
                    }
                }
                (names, keep)
            }
            _ => continue,
        };
        if keep.len() == names.len() {
            continue;
        }
        let start = line_start(after, stmt.start().to_usize());
        let end = stmt.end().to_usize();
        let line_end = line_end(after, end);
        // Only whole statements on their own lines are rewritten.
        if !after[start..stmt.start().to_usize()].trim().is_empty()
            || !after[end..line_end].trim().is_empty()
        {
            continue;
        }
        let mut line_end = line_end;
        if keep.is_empty() {
            // A statement alone between blank lines takes one of them with it.
            let blank_before =
                after[..start].ends_with("\n\n") || after[..start].ends_with("\n\r\n");
            let rest = &after[line_end..];
            let next = rest.find('\n').map(|i| i + 1).unwrap_or(rest.len());
            if (blank_before || start == 0) && rest[..next].trim().is_empty() && next > 0 {
                line_end += next;
            }
        }
        let content = if keep.is_empty() {
            String::new()
        } else {
            let text = match stmt {
                Stmt::Import(_) => format!("import {}", keep.join(", ")),
                Stmt::ImportFrom(imp) => format!(
                    "from {}{} import {}",
                    ".".repeat(imp.level as usize),
                    imp.module.as_ref().map(|m| m.as_str()).unwrap_or(""),
                    keep.join(", ")
                ),
                _ => unreachable!("only imports reach here"),
            };
            let indent = &after[start..stmt.start().to_usize()];
            format!("{indent}{text}{nl}")
        };
        edits.push(Edit {
            start: start as u32,
            end: line_end as u32,
            content,
        });
    }
    let fix = Fix {
        applicability: Applicability::Safe,
        message: String::new(),
        edits,
    };
    apply(after, &[&fix]).0
}

/// Whether the project that holds `dir` declares `httpx`: read from the nearest
/// requirements*.txt, pyproject.toml or Pipfile, walking up. `None` when none is found.
pub fn httpx_declared(dir: &Path) -> Option<bool> {
    for d in dir.ancestors() {
        let mut found = false;
        let mut declared = false;
        if let Ok(entries) = std::fs::read_dir(d) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().to_string();
                let is_requirements = name.starts_with("requirements") && name.ends_with(".txt");
                if !(is_requirements || name == "pyproject.toml" || name == "Pipfile") {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(entry.path()) else {
                    continue;
                };
                found = true;
                declared |= declares(&text, "httpx");
            }
        }
        if found {
            return Some(declared);
        }
        if d.join(".git").exists() {
            break;
        }
    }
    None
}

/// A dependency named at the start of a line or of a quoted requirement.
fn declares(text: &str, package: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim().trim_start_matches(['"', '\'']);
        line.strip_prefix(package).is_some_and(|rest| {
            !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependency_lines() {
        assert!(declares("fastapi\nhttpx>=0.27\n", "httpx"));
        assert!(declares(
            "dependencies = [\n  \"httpx[http2]\",\n]",
            "httpx"
        ));
        assert!(declares("[packages]\nhttpx = \"*\"\n", "httpx"));
        assert!(!declares("httpx-sse\npytest-httpx\n", "httpx"));
    }

    #[test]
    fn shared_edits_apply_once_and_overlaps_wait() {
        let import = Edit {
            start: 0,
            end: 0,
            content: "import asyncio\n".into(),
        };
        let a = Fix {
            applicability: Applicability::Safe,
            message: String::new(),
            edits: vec![
                import.clone(),
                Edit {
                    start: 4,
                    end: 5,
                    content: "A".into(),
                },
            ],
        };
        let b = Fix {
            applicability: Applicability::Safe,
            message: String::new(),
            edits: vec![
                import,
                Edit {
                    start: 6,
                    end: 7,
                    content: "B".into(),
                },
            ],
        };
        let c = Fix {
            applicability: Applicability::Safe,
            message: String::new(),
            edits: vec![Edit {
                start: 3,
                end: 6,
                content: "C".into(),
            }],
        };
        let (out, applied) = apply("0123456789", &[&a, &b, &c]);
        assert_eq!(out, "import asyncio\n0123A5B789");
        assert_eq!(applied, [0, 1]);
    }
}
