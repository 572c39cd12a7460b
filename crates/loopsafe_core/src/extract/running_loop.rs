//! Code that runs only when no event loop runs in the thread (`if loop is None:`, the
//! `except RuntimeError:` after `asyncio.get_running_loop()`), whose calls are marked
//! [`Call::off_loop`].
//!
//! [`Call::off_loop`]: crate::facts::Call::off_loop

use rustc_hash::FxHashSet as HashSet;

use ruff_python_ast::{self as ast, Expr, Stmt};

use super::{dotted, is_not_none, Extractor};

/// What the walk knows of the thread's event loop in the current function.
pub(super) struct LoopState<'a> {
    /// Where the code runs only when no event loop runs in the thread
    /// ([`crate::facts::Call::off_loop`]).
    pub(super) off_loop: bool,
    /// Local names holding the running loop or None (`loop = asyncio.get_running_loop()`
    /// in a `try`, `loop = asyncio._get_running_loop()`), and those holding the thread's
    /// loop, running or not (`loop = asyncio.get_event_loop()`), in the current function.
    pub(super) running: Vec<&'a str>,
    pub(super) event: Vec<&'a str>,
    /// Module-level functions that return the running loop or None, by name.
    pub(super) getters: HashSet<&'a str>,
}

impl<'a> Extractor<'a> {
    /// Remembers a local that holds the running loop (or None), or the thread's loop.
    pub(super) fn note_loop(&mut self, name: &'a str, value: &Expr) {
        // `loop = None` in the `except` keeps it "the running loop, or None".
        if value.is_none_literal_expr() {
            return;
        }
        self.loops.running.retain(|n| *n != name);
        self.loops.event.retain(|n| *n != name);
        if self.current == 0 {
            return;
        }
        if is_running_loop_call(value) || self.calls_loop_getter(value) {
            self.loops.running.push(name);
        } else if is_event_loop_call(value) {
            self.loops.event.push(name);
        }
    }

    /// `_running_loop()`, a function of this module that returns the running loop or
    /// None ([`loop_getters`]).
    fn calls_loop_getter(&self, value: &Expr) -> bool {
        let Expr::Call(c) = value else { return false };
        matches!(&*c.func, Expr::Name(n) if self.loops.getters.contains(n.id.as_str())
            && !self.is_local(n.id.as_str()))
    }

    /// What an `if` test says of the thread's event loop: `Some(true)` when the test is
    /// true exactly when a loop is running (`loop is not None`, `loop and
    /// loop.is_running()`), `Some(false)` when it is true exactly when none is (`loop is
    /// None`, `not loop.is_running()`), None for any other test.
    pub(super) fn loop_test(&self, test: &Expr) -> Option<bool> {
        let running = |e: &Expr| match e {
            Expr::Name(n) => self.loops.running.contains(&n.id.as_str()),
            e => is_running_loop_call(e) || self.calls_loop_getter(e),
        };
        let any_loop = |e: &Expr| {
            running(e)
                || matches!(e, Expr::Name(n) if self.loops.event.contains(&n.id.as_str()))
                || is_event_loop_call(e)
        };
        match test {
            Expr::UnaryOp(u) if u.op == ast::UnaryOp::Not => self.loop_test(&u.operand).map(|b| !b),
            Expr::Name(_) if running(test) => Some(true),
            Expr::Compare(c) if running(&c.left) => is_not_none(c),
            // `loop.is_running()`
            Expr::Call(c) if c.arguments.is_empty() => match &*c.func {
                Expr::Attribute(a) if a.attr.as_str() == "is_running" && any_loop(&a.value) => {
                    Some(true)
                }
                _ => None,
            },
            // Every operand must say the same: `loop and flag` can be false with a loop.
            Expr::BoolOp(b) => {
                let want = match b.op {
                    ast::BoolOp::And => true,
                    ast::BoolOp::Or => false,
                };
                b.values
                    .iter()
                    .all(|v| self.loop_test(v) == Some(want))
                    .then_some(want)
            }
            _ => None,
        }
    }
}

/// `asyncio.get_running_loop()` (raises when no loop runs) or
/// `asyncio._get_running_loop()` (None when none does).
fn is_running_loop_call(e: &Expr) -> bool {
    let Expr::Call(c) = e else { return false };
    c.arguments.is_empty()
        && dotted(&c.func).is_some_and(|d| {
            let d = d.strip_prefix("asyncio.").unwrap_or(&d);
            let d = d.strip_prefix("events.").unwrap_or(d);
            matches!(d, "get_running_loop" | "_get_running_loop")
        })
}

/// `asyncio.get_event_loop()`: the thread's loop, running or not.
fn is_event_loop_call(e: &Expr) -> bool {
    matches!(e, Expr::Call(c) if c.arguments.is_empty()
        && dotted(&c.func).is_some_and(|d| d == "asyncio.get_event_loop"))
}

/// `try: loop = asyncio.get_running_loop()`: it raises when no loop runs.
pub(super) fn asks_for_loop(body: &[Stmt]) -> bool {
    body.iter().any(|stmt| match stmt {
        Stmt::Assign(a) => is_running_loop_call(&a.value),
        Stmt::Expr(e) => is_running_loop_call(&e.value),
        Stmt::Return(r) => r.value.as_deref().is_some_and(is_running_loop_call),
        _ => false,
    })
}

/// Whether an `except` clause catches the `RuntimeError` that
/// `asyncio.get_running_loop()` raises.
pub(super) fn catches_runtime_error(type_: Option<&Expr>) -> bool {
    match type_ {
        None => true,
        Some(Expr::Tuple(t)) => t.elts.iter().any(|e| catches_runtime_error(Some(e))),
        Some(e) => dotted(e).is_some_and(|d| {
            matches!(
                d.as_str(),
                "RuntimeError" | "Exception" | "BaseException" | "builtins.RuntimeError"
            )
        }),
    }
}

/// Whether a block always leaves by `return` or `raise` at its end.
pub(super) fn exits(body: &[Stmt]) -> bool {
    matches!(body.last(), Some(Stmt::Return(_) | Stmt::Raise(_)))
}

/// The module-level functions that return the running loop or None:
///
/// ```python
/// def _running_loop():
///     try:
///         return asyncio.get_running_loop()
///     except RuntimeError:
///         return None
/// ```
pub(super) fn loop_getters(body: &[Stmt]) -> HashSet<&str> {
    let returns_none = |body: &[Stmt]| matches!(body, [Stmt::Return(r)] if r.value.as_deref().is_none_or(|v| v.is_none_literal_expr()));
    body.iter()
        .filter_map(|stmt| {
            let Stmt::FunctionDef(f) = stmt else { return None };
            let body = match &*f.body {
                [Stmt::Expr(doc), rest @ ..] if doc.value.is_string_literal_expr() => rest,
                body => body,
            };
            let gets = match body {
                [Stmt::Return(r)] => r.value.as_deref().is_some_and(is_running_loop_call),
                [Stmt::Try(t)] => {
                    matches!(&*t.body, [Stmt::Return(r)] if r.value.as_deref().is_some_and(is_running_loop_call))
                        && t.handlers.iter().all(|h| {
                            let ast::ExceptHandler::ExceptHandler(h) = h;
                            catches_runtime_error(h.type_.as_deref()) && returns_none(&h.body)
                        })
                }
                _ => false,
            };
            (gets && !f.is_async).then_some(f.name.as_str())
        })
        .collect()
}
