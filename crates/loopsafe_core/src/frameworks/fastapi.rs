//! FastAPI and Starlette.
//!
//! On the loop: `async def` routes (`@app.get`, `@router.post`, `add_api_route`,
//! websockets, Starlette's `Route`), middleware (`app.add_middleware(Cls)` runs
//! `Cls.dispatch` or `Cls.__call__`; `@app.middleware("http")`), dependencies
//! (`Depends(fn)`, class dependencies, sub-dependencies), lifespan and startup handlers,
//! exception handlers. Off the loop: sync `def` routes and dependencies, which both
//! frameworks run in a threadpool.

use super::{
    decorator_callee, external_method, function_arg, last_name, EntryKind, Frameworks, Reason, Scan,
};
use crate::project::{FnId, Project, Value};

const APPS: &[&str] = &[
    "fastapi.APIRouter",
    "fastapi.FastAPI",
    "starlette.applications.Starlette",
    "starlette.routing.Router",
];

const VERBS: &[&str] = &[
    "api_route",
    "delete",
    "get",
    "head",
    "options",
    "patch",
    "post",
    "put",
    "route",
    "trace",
    "websocket",
    "websocket_route",
];

/// Decorators of an app or router that are not routes.
const OTHER_DECORATORS: &[&str] = &["exception_handler", "middleware", "on_event"];

pub(super) fn scan(project: &Project, scan: &Scan, out: &mut Frameworks) {
    let mut routes: Vec<FnId> = vec![];
    for (id, func) in scan.decorated() {
        for d in &func.decorators {
            let callee = decorator_callee(d);
            if !last_name(callee)
                .is_some_and(|n| VERBS.contains(&n) || OTHER_DECORATORS.contains(&n))
            {
                continue;
            }
            let v = project.eval(id.module, callee);
            let Some((ty, method)) = external_method(&v) else {
                continue;
            };
            if !APPS.contains(&ty) {
                continue;
            }
            let kind = match method {
                m if VERBS.contains(&m) => EntryKind::Route,
                "middleware" => EntryKind::Middleware,
                "on_event" => EntryKind::Startup,
                "exception_handler" => EntryKind::ExceptionHandler,
                _ => continue,
            };
            if kind == EntryKind::Route {
                routes.push(id);
                out.route(id);
            }
            if func.is_async {
                out.entry(kind, id, "fastapi");
            } else {
                out.off(id, Reason::SyncRoute);
            }
        }
    }
    let names = [
        "add_api_route",
        "add_route",
        "add_websocket_route",
        "Route",
        "WebSocketRoute",
        "add_middleware",
        "Middleware",
        "add_event_handler",
        "add_exception_handler",
        "FastAPI",
        "Starlette",
    ];
    for (caller, call) in scan.calls_named(&names) {
        let m = caller.module;
        let v = project.eval(m, &call.callee);
        let (kind, target) = match (&v, external_method(&v)) {
            (_, Some((ty, method))) if APPS.contains(&ty) => match method {
                "add_api_route" | "add_route" | "add_websocket_route" => (
                    EntryKind::Route,
                    function_arg(project, m, call, 1, "endpoint"),
                ),
                "add_middleware" => (
                    EntryKind::Middleware,
                    function_arg(project, m, call, 0, "middleware_class"),
                ),
                "add_event_handler" => (
                    EntryKind::Startup,
                    function_arg(project, m, call, 1, "func"),
                ),
                "add_exception_handler" => (
                    EntryKind::ExceptionHandler,
                    function_arg(project, m, call, 1, "handler"),
                ),
                _ => continue,
            },
            (Value::External(p), _) => match crate::catalogue::Catalogue::canonical(p).as_ref() {
                "starlette.routing.Route" | "starlette.routing.WebSocketRoute" => (
                    EntryKind::Route,
                    function_arg(project, m, call, 1, "endpoint"),
                ),
                "starlette.middleware.Middleware" => (
                    EntryKind::Middleware,
                    function_arg(project, m, call, 0, "cls"),
                ),
                "fastapi.FastAPI" | "starlette.applications.Starlette" => (
                    EntryKind::Startup,
                    function_arg(project, m, call, usize::MAX, "lifespan"),
                ),
                _ => continue,
            },
            _ => continue,
        };
        match target {
            Some(Value::Function(f)) => {
                let func = &project.modules[f.module as usize].functions[f.idx as usize];
                if kind == EntryKind::Route {
                    routes.push(f);
                    out.route(f);
                }
                if func.is_async {
                    out.entry(kind, f, "fastapi");
                } else if kind == EntryKind::Route {
                    out.off(f, Reason::SyncRoute);
                }
            }
            Some(Value::Class(c)) if kind == EntryKind::Middleware => {
                // BaseHTTPMiddleware runs `dispatch`; a pure ASGI middleware, `__call__`.
                let run = project
                    .lookup_method(c, "dispatch")
                    .or_else(|| project.lookup_method(c, "__call__"));
                if let Some(f) = run {
                    out.entry(EntryKind::Middleware, f, "fastapi");
                }
            }
            _ => {}
        }
    }
    dependencies(project, out, routes);
}

/// `Depends(fn)` in a route's parameters, and in the dependencies' own, to the bottom.
fn dependencies(project: &Project, out: &mut Frameworks, routes: Vec<FnId>) {
    let mut stack: Vec<(FnId, FnId)> = routes.iter().map(|r| (*r, *r)).collect();
    let mut seen: Vec<(FnId, FnId)> = vec![];
    while let Some((function, route)) = stack.pop() {
        let func = &project.modules[function.module as usize].functions[function.idx as usize];
        // Calls in a function's signature are recorded in the scope that defines it.
        let Some(parent) = func.parent else { continue };
        let scope = &project.modules[function.module as usize].functions[parent as usize];
        for call in &scope.calls {
            let inside = call.span.start >= func.span.start && call.span.end <= func.span.end;
            if !inside
                || !last_name(&call.callee).is_some_and(|n| n == "Depends" || n == "Security")
            {
                continue;
            }
            let is_depends = matches!(
                project.eval(function.module, &call.callee),
                Value::External(p) if p.starts_with("fastapi.")
            );
            if !is_depends {
                continue;
            }
            let dep = match function_arg(project, function.module, call, 0, "dependency") {
                Some(Value::Function(f)) => f,
                Some(Value::Class(c)) => match project.lookup_method(c, "__init__") {
                    Some(f) => f,
                    None => continue,
                },
                _ => continue,
            };
            if seen.contains(&(dep, route)) {
                continue;
            }
            seen.push((dep, route));
            out.uses.push((dep, route));
            let dep_func = &project.modules[dep.module as usize].functions[dep.idx as usize];
            if dep_func.is_async {
                out.entry(EntryKind::Dependency, dep, "fastapi");
            } else {
                out.off(dep, Reason::SyncRoute);
            }
            stack.push((dep, route));
        }
    }
}
