//! Litestar: route handlers made with its decorators (`@get("/")`, `@post`, `@route`,
//! `@websocket`), on functions or `Controller` methods. Litestar runs a sync `def`
//! handler on the event loop unless it says `sync_to_thread=True` (it warns when a sync
//! handler says neither), so only that flag moves one off the loop.

use super::{decorator_callee, last_name, EntryKind, Frameworks, Reason, Scan, HTTP_METHODS};
use crate::facts::{Const, Ref};
use crate::project::{FnId, Project, Value};

/// Handler decorators besides the HTTP methods'.
const OTHERS: &[&str] = &["route", "websocket", "websocket_listener"];

fn is_handler(name: &str) -> bool {
    HTTP_METHODS.contains(&name) || OTHERS.contains(&name)
}

/// Whether a decorator is one of Litestar's (`litestar.get`, `litestar.handlers.post`).
fn is_litestar_handler(v: &Value) -> bool {
    let Value::External(path) = v else {
        return false;
    };
    path.strip_prefix("litestar.handlers.")
        .or_else(|| path.strip_prefix("litestar."))
        .is_some_and(is_handler)
}

pub(super) fn scan(project: &Project, scan: &Scan, out: &mut Frameworks) {
    for (id, func) in scan.decorated() {
        for d in &func.decorators {
            let callee = decorator_callee(d);
            if !last_name(callee).is_some_and(is_handler) {
                continue;
            }
            if !is_litestar_handler(&project.eval(id.module, callee)) {
                continue;
            }
            if !func.is_async && sync_to_thread(project, id) {
                out.route(id);
                out.off(id, Reason::SyncToThread);
            } else {
                out.handler(project, EntryKind::Route, id, "Litestar");
            }
        }
    }
}

/// Whether a decorator call above `f` says `sync_to_thread=True`. Decorator calls are
/// recorded in the enclosing scope, between the `@` and the `def`.
fn sync_to_thread(project: &Project, f: FnId) -> bool {
    let facts = &project.modules[f.module as usize];
    let func = &facts.functions[f.idx as usize];
    facts
        .functions
        .iter()
        .flat_map(|g| &g.calls)
        // A function's span, and its `def name` span, start at its first decorator.
        .filter(|c| c.span.start >= func.span.start && c.span.end <= func.name_span.end)
        .flat_map(|c| &c.args)
        .any(|a| {
            a.keyword.as_deref() == Some("sync_to_thread")
                && a.value == Ref::Const(Const::Bool(true))
        })
}
