//! Fixes for code that waits on the loop as if it were not running: a second event loop
//! (`asyncio.run(coro())` -> `await coro()`), `time.sleep` (-> `await asyncio.sleep`),
//! and sync `for` loops over what has an async iterator (-> `async for`).

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use super::edit::{display, Applicability, Edit, Fix};
use super::importer::Import;
use super::{Fixer, Request};
use crate::catalogue::Catalogue;
use crate::rules::Rule;

impl Fixer<'_> {
    /// `asyncio.run(coro())` -> `await coro()`.
    pub(super) fn await_argument(&self, call: &ast::ExprCall, api: &str) -> Fix {
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
        let parens = self.index.primaries.contains_key(&range);
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

    /// `time.sleep(x)` -> `await asyncio.sleep(x)`.
    pub(super) fn sleep(&self, call: &ast::ExprCall) -> Fix {
        let args = &call.arguments;
        if args.args.len() + args.keywords.len() != 1
            || matches!(args.args.first(), Some(Expr::Starred(_)))
        {
            return display("Use `await asyncio.sleep(...)`");
        }
        let Ok(asyncio) = self.importer.module_name("asyncio") else {
            return display("Use `await asyncio.sleep(...)` (the name `asyncio` is taken here)");
        };
        let mut edits = self.awaited(call);
        edits.push(Edit {
            start: call.func.start().to_u32(),
            end: call.func.end().to_u32(),
            content: "asyncio.sleep".into(),
        });
        if asyncio.is_none() {
            edits.push(self.importer.add(Import::Module("asyncio")));
        }
        Fix {
            applicability: Applicability::Safe,
            message: "Replace with `await asyncio.sleep(...)`".into(),
            edits,
        }
    }
}

/// `for x in qs:` -> `async for x in qs:`, where the iterated type has an async iterator
/// (`ASYNC_TWINS` names `__aiter__` for its `__iter__`).
pub(super) fn async_for((at, lazy): (u32, bool), r: &Request) -> Option<Fix> {
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
