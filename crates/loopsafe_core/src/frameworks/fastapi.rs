//! FastAPI and Starlette.
//!
//! On the loop: `async def` routes (`@app.get`, `@router.post`, `add_api_route`,
//! websockets, Starlette's `Route`), middleware (`app.add_middleware(Cls)` runs
//! `Cls.dispatch` or `Cls.__call__`; `@app.middleware("http")`), dependencies
//! (`Depends(fn)`, class dependencies, sub-dependencies), lifespan and startup handlers,
//! exception handlers. Off the loop: sync `def` routes and dependencies, which both
//! frameworks run in a threadpool.

use super::{
    decorator_callee, external_method, external_name, function_arg, last_name, EntryKind,
    Frameworks, Reason, Scan,
};
use crate::facts::Ref;
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
            }
            out.entry_unless_sync(project, kind, id, "fastapi", Reason::SyncRoute);
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
            (Value::External(_), _) => match external_name(&v).as_ref() {
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
                let func = project.modules.function(f);
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
    let shared = shared_dependencies(project, scan, &routes);
    dependencies(project, out, routes, shared);
}

/// `dependencies=[Depends(fn)]` given to the app (every route), to a router (the routes
/// registered in the router's module) or to `include_router` (the routes of the module
/// whose router it includes): (dependency, route) pairs.
fn shared_dependencies(project: &Project, scan: &Scan, routes: &[FnId]) -> Vec<(FnId, FnId)> {
    let mut pairs = vec![];
    for (caller, call) in scan.calls_named(&["FastAPI", "APIRouter", "include_router"]) {
        let m = caller.module;
        let Some(declared) = call
            .args
            .iter()
            .find(|a| a.keyword.as_deref() == Some("dependencies"))
        else {
            continue;
        };
        let v = project.eval(m, &call.callee);
        // The module whose routes it applies to; None for every route.
        let only_module = match (external_name(&v).as_ref(), external_method(&v)) {
            ("fastapi.FastAPI", _) => None,
            ("fastapi.APIRouter", _) => Some(m),
            (_, Some((ty, "include_router"))) if APPS.contains(&ty) => {
                let Some(included) = call.arg(0, Some("router")) else {
                    continue;
                };
                let Some(module) = router_module(project, m, &included.value) else {
                    continue;
                };
                Some(module)
            }
            _ => continue,
        };
        let applies = |r: &&FnId| only_module.is_none_or(|module| r.module == module);
        let scope = project.modules.function(caller);
        for dep_call in &scope.calls {
            let inside = dep_call.span.start >= declared.span.start
                && dep_call.span.end <= declared.span.end;
            if !inside {
                continue;
            }
            if let Some(dep) = depends_target(project, m, dep_call) {
                pairs.extend(routes.iter().filter(applies).map(|r| (dep, *r)));
            }
        }
    }
    pairs
}

/// The module a router passed to `include_router` was defined in: `users.router`,
/// `router` imported `from .users`, or one of this module's own.
fn router_module(project: &Project, module: u32, router: &Ref) -> Option<u32> {
    match router {
        Ref::Attr(inner, _) => match project.eval(module, inner) {
            Value::Module(m) => Some(m),
            _ => None,
        },
        Ref::Path(path) => project.module_index(path.rsplit_once('.')?.0),
        Ref::Name(name) => {
            let bindings = project.modules.module(module).bindings.get(name)?;
            match bindings.last()? {
                imported @ Ref::Path(_) => router_module(project, module, imported),
                _ => Some(module),
            }
        }
        _ => None,
    }
}

/// The function a `Depends(fn)` / `Security(fn)` call names (a class: its `__init__`).
fn depends_target(project: &Project, module: u32, call: &crate::facts::Call) -> Option<FnId> {
    if !last_name(&call.callee).is_some_and(|n| n == "Depends" || n == "Security") {
        return None;
    }
    let is_depends = matches!(
        project.eval(module, &call.callee),
        Value::External(p) if p.starts_with("fastapi.")
    );
    if !is_depends {
        return None;
    }
    match function_arg(project, module, call, 0, "dependency") {
        Some(Value::Function(f)) => Some(f),
        Some(Value::Class(c)) => project.lookup_method(c, "__init__"),
        _ => None,
    }
}

/// `Depends(fn)` in a route's parameters, and in the dependencies' own, to the bottom;
/// `shared` are the dependencies declared for whole apps and routers.
fn dependencies(
    project: &Project,
    out: &mut Frameworks,
    routes: Vec<FnId>,
    shared: Vec<(FnId, FnId)>,
) {
    let mut seen: Vec<(FnId, FnId)> = vec![];
    let mut stack: Vec<(FnId, FnId)> = routes.iter().map(|r| (*r, *r)).collect();
    for (dep, route) in shared {
        if !seen.contains(&(dep, route)) {
            seen.push((dep, route));
            use_dependency(project, out, dep, route);
            stack.push((dep, route));
        }
    }
    while let Some((function, route)) = stack.pop() {
        let func = project.modules.function(function);
        // Calls in a function's signature are recorded in the scope that defines it.
        let Some(parent) = func.parent else { continue };
        let scope = &project.modules.module(function.module).functions[parent as usize];
        for call in &scope.calls {
            let inside = call.span.start >= func.span.start && call.span.end <= func.span.end;
            if !inside {
                continue;
            }
            let Some(dep) = depends_target(project, function.module, call) else {
                continue;
            };
            if seen.contains(&(dep, route)) {
                continue;
            }
            seen.push((dep, route));
            use_dependency(project, out, dep, route);
            stack.push((dep, route));
        }
    }
}

fn use_dependency(project: &Project, out: &mut Frameworks, dep: FnId, route: FnId) {
    out.uses.push((dep, route));
    let dep_func = project.modules.function(dep);
    if dep_func.is_async {
        out.entry(EntryKind::Dependency, dep, "fastapi");
    } else {
        out.off(dep, Reason::SyncRoute);
    }
}
