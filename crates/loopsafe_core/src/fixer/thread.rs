//! Offloading to a worker thread: `f(x)` -> `await asyncio.to_thread(f, x)`, Starlette's
//! `run_in_threadpool` or asgiref's `sync_to_async`: one form for the whole project, the
//! one it uses most; `sync_to_async` always for Django's ORM.

use ruff_python_ast as ast;
use ruff_text_size::Ranged;

use super::edit::{display, Applicability, Edit, Fix};
use super::importer::Import;
use super::{Context, Fixer, Offload, Request};
use crate::rules::Rule;

impl Fixer<'_> {
    /// `f(x)` -> `await asyncio.to_thread(f, x)`, or Starlette's `run_in_threadpool`, or
    /// `await sync_to_async(f)(x)`: the project's one form (see [`Offload`]), except for
    /// Django's ORM, which needs `sync_to_async`.
    pub(super) fn to_thread(&self, call: &ast::ExprCall, r: &Request, ctx: &Context) -> Fix {
        let form = if r.api.starts_with("django.") {
            Offload::SyncToAsync
        } else {
            ctx.offload
        };
        let mut edits = vec![];
        let runner = match form {
            Offload::SyncToAsync => return self.sync_to_async(call, r),
            Offload::Threadpool => {
                let bound = self.importer.binding(|target| {
                    matches!(
                        target,
                        "starlette.concurrency.run_in_threadpool"
                            | "fastapi.concurrency.run_in_threadpool"
                    )
                });
                match bound {
                    Some(name) => name.to_string(),
                    None if !self.importer.is_bound("run_in_threadpool") => {
                        edits.push(self.importer.add(Import::Member {
                            module: "starlette.concurrency",
                            member: "run_in_threadpool",
                        }));
                        "run_in_threadpool".into()
                    }
                    None => return display(
                        "Run it with `await run_in_threadpool(...)`, as the project does elsewhere (the name `run_in_threadpool` is taken here)",
                    ),
                }
            }
            Offload::ToThread => match self.importer.module_name("asyncio") {
                Ok(Some(_)) => "asyncio.to_thread".into(),
                Ok(None) => {
                    edits.push(self.importer.add(Import::Module("asyncio")));
                    "asyncio.to_thread".into()
                }
                Err(()) => return display(
                    "Run it with `await asyncio.to_thread(...)` (the name `asyncio` is taken here)",
                ),
            },
        };
        let (open, close) = self.awaited_through(call, &format!("{runner}("));
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

    /// `f(x)` -> `await sync_to_async(f)(x)`, where the project uses asgiref's
    /// `sync_to_async` most or the call reaches Django's ORM. Django keeps one database
    /// connection per thread and closes it when the request ends: `sync_to_async` runs
    /// the function in the thread the request's sync work shares, where
    /// `asyncio.to_thread` would open a connection in each worker thread that nothing
    /// closes.
    fn sync_to_async(&self, call: &ast::ExprCall, r: &Request) -> Fix {
        let imported = self
            .importer
            .binding(|target| target == "asgiref.sync.sync_to_async");
        let mut edits = vec![];
        let runner = match imported {
            Some(name) => name.to_string(),
            None if !self.importer.is_bound("sync_to_async") => {
                edits.push(self.importer.add(Import::Member {
                    module: "asgiref.sync",
                    member: "sync_to_async",
                }));
                "sync_to_async".into()
            }
            None => {
                return display(
                    "Run it with `await sync_to_async(...)(...)` (the name `sync_to_async` is taken here)",
                )
            }
        };
        let (open, close) = self.awaited_through(call, &format!("{runner}("));
        edits.push(open);
        edits.push(Edit::insert(call.arguments.range.start().to_u32(), ")"));
        edits.extend(close);
        let callee = self.text(call.func.range());
        let what = subject(r);
        // Unsafe, as any move to another thread.
        Fix {
            applicability: Applicability::Unsafe,
            message: format!("Run {what} in a worker thread: `await {runner}({callee})(...)`"),
            edits,
        }
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
