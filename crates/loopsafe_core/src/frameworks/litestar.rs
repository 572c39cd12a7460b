//! Litestar: route handlers made with its decorators (`@get("/")`, `@post`, `@route`,
//! `@websocket`), on functions or `Controller` methods, and dependencies
//! (`Provide(get_db)`). Litestar runs a sync `def` handler or dependency on the event
//! loop unless it says `sync_to_thread=True` (it warns when a sync one says neither), so
//! only that flag moves one off the loop.

use super::{
    decorator_callee, function_arg, last_name, EntryKind, Frameworks, Reason, Scan, HTTP_METHODS,
};
use crate::facts::{Arg, Call, Const, Function, Ref};
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
    let mut handlers = vec![];
    for (id, func) in scan.decorated() {
        for d in &func.decorators {
            let callee = decorator_callee(d);
            if !last_name(callee).is_some_and(is_handler) {
                continue;
            }
            if !is_litestar_handler(&project.eval(id.module, callee)) {
                continue;
            }
            handlers.push(id);
            if !func.is_async && sync_to_thread(project, id) {
                out.route(id);
                out.off(id, Reason::SyncToThread);
            } else {
                out.handler(project, EntryKind::Route, id, "Litestar");
            }
        }
    }
    for (id, call) in scan.calls_named(&["Provide"]) {
        let is_provide = matches!(
            project.eval(id.module, &call.callee),
            Value::External(p) if p.starts_with("litestar.")
        );
        if !is_provide {
            continue;
        }
        // A class is instantiated: its `__init__` runs.
        let dep = match function_arg(project, id.module, call, 0, "dependency") {
            Some(Value::Function(f)) => f,
            Some(Value::Class(c)) => match project.lookup_method(c, "__init__") {
                Some(f) => f,
                None => continue,
            },
            _ => continue,
        };
        let is_async = project.modules.function(dep).is_async;
        if !is_async && call.args.iter().any(says_sync_to_thread) {
            out.off(dep, Reason::SyncToThread);
        } else {
            out.handler(project, EntryKind::Dependency, dep, "Litestar");
        }
        for route in users(project, id, call, &handlers) {
            out.uses.push((dep, route));
        }
    }
}

/// The handlers a dependency declared by `call` (in function `scope`) is given to: the
/// handler whose decorator declares it, or every handler for one the app declares.
/// (Routers' and controllers' dependencies reach no handler here.)
fn users(project: &Project, scope: FnId, call: &Call, handlers: &[FnId]) -> Vec<FnId> {
    let declared_by = handlers
        .iter()
        .copied()
        .find(|h| h.module == scope.module && in_decorators(project.modules.function(*h), call));
    if let Some(handler) = declared_by {
        return vec![handler];
    }
    let in_app = project.modules.function(scope).calls.iter().any(|c| {
        c.span.start <= call.span.start
            && call.span.end <= c.span.end
            && last_name(&c.callee) == Some("Litestar")
            && matches!(
                project.eval(scope.module, &c.callee),
                Value::External(p) if p.starts_with("litestar.")
            )
    });
    if in_app {
        handlers.to_vec()
    } else {
        vec![]
    }
}

/// Whether a decorator call above `f` says `sync_to_thread=True`.
fn sync_to_thread(project: &Project, f: FnId) -> bool {
    let facts = project.modules.module(f.module);
    let func = &facts.functions[f.idx as usize];
    facts
        .functions
        .iter()
        .flat_map(|g| &g.calls)
        .filter(|c| in_decorators(func, c))
        .flat_map(|c| &c.args)
        .any(says_sync_to_thread)
}

/// Whether `call` is in the decorators of `func`. Decorator calls are recorded in the
/// enclosing scope, between the `@` and the `def`: a function's span, and its `def name`
/// span, start at its first decorator.
fn in_decorators(func: &Function, call: &Call) -> bool {
    func.span.start <= call.span.start && call.span.end <= func.name_span.end
}

fn says_sync_to_thread(a: &Arg) -> bool {
    a.keyword.as_deref() == Some("sync_to_thread") && a.value == Ref::Const(Const::Bool(true))
}
