//! Offloading to a worker thread: `f(x)` -> `await asyncio.to_thread(f, x)`, Starlette's
//! `run_in_threadpool` where the module uses it, or asgiref's `sync_to_async` for Django.

use ruff_python_ast as ast;
use ruff_text_size::Ranged;

use super::edit::{display, Applicability, Edit, Fix};
use super::importer::Import;
use super::{Fixer, Request};
use crate::rules::Rule;

impl Fixer<'_> {
    /// `f(x)` -> `await asyncio.to_thread(f, x)`, or Starlette's `run_in_threadpool`, or
    /// for Django `await sync_to_async(f)(x)`.
    pub(super) fn to_thread(&self, call: &ast::ExprCall, r: &Request) -> Fix {
        if let Some(fix) = self.sync_to_async(call, r) {
            return fix;
        }
        let threadpool = self.importer.binding(|target| {
            matches!(
                target,
                "starlette.concurrency.run_in_threadpool" | "fastapi.concurrency.run_in_threadpool"
            )
        });
        let mut edits = vec![];
        let runner = match threadpool {
            Some(name) => name.to_string(),
            None => match self.importer.module_name("asyncio") {
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

    /// `f(x)` -> `await sync_to_async(f)(x)`, where the module already uses asgiref's
    /// `sync_to_async` or the call reaches Django's ORM. Django keeps one database
    /// connection per thread and closes it when the request ends: `sync_to_async` runs
    /// the function in the thread the request's sync work shares, where
    /// `asyncio.to_thread` would open a connection in each worker thread that nothing
    /// closes.
    fn sync_to_async(&self, call: &ast::ExprCall, r: &Request) -> Option<Fix> {
        let imported = self
            .importer
            .binding(|target| target == "asgiref.sync.sync_to_async");
        let mut edits = vec![];
        let runner = match imported {
            Some(name) => name.to_string(),
            None if r.api.starts_with("django.") && !self.importer.is_bound("sync_to_async") => {
                edits.push(self.importer.add(Import::Member {
                    module: "asgiref.sync",
                    member: "sync_to_async",
                }));
                "sync_to_async".into()
            }
            None => return None,
        };
        let (open, close) = self.awaited_through(call, &format!("{runner}("));
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
}

/// What a thread fix moves: "the helper" (LS901), else "it".
fn subject(r: &Request) -> &'static str {
    if r.rule == Rule::BlockingCallThroughHelper {
        "the helper"
    } else {
        "it"
    }
}
