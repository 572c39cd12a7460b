//! aiohttp: handlers registered with a `RouteTableDef` (`@routes.get("/")`), with
//! `app.router.add_get(...)`/`add_route(...)`, or as `web.View` methods, and middlewares
//! marked `@web.middleware` or listed in `web.Application(middlewares=[...])`.
//! Everything aiohttp calls runs on the loop.

use super::{
    decorator_callee, external_method, external_name, function_arg, last_name, EntryKind,
    Frameworks, Scan,
};
use crate::project::{Project, Value};

const VERBS: &[&str] = &[
    "delete", "get", "head", "options", "patch", "post", "put", "route", "view",
];

pub(super) fn scan(project: &Project, scan: &Scan, out: &mut Frameworks) {
    for (id, func) in scan.decorated() {
        for d in &func.decorators {
            let callee = decorator_callee(d);
            let Some(name) = last_name(callee) else {
                continue;
            };
            if !VERBS.contains(&name) && name != "middleware" {
                continue;
            }
            let v = project.eval(id.module, callee);
            let kind = match (&v, external_method(&v)) {
                (_, Some(("aiohttp.web.RouteTableDef", m))) if VERBS.contains(&m) => {
                    EntryKind::Route
                }
                (Value::External(p), _) if p == "aiohttp.web.middleware" => EntryKind::Middleware,
                _ => continue,
            };
            if func.is_async {
                out.entry(kind, id, "aiohttp");
            }
        }
    }
    for (caller, call) in scan.calls_named(&["Application"]) {
        let m = caller.module;
        if external_name(&project.eval(m, &call.callee)) != "aiohttp.web.Application" {
            continue;
        }
        for arg in call
            .args
            .iter()
            .filter(|a| a.keyword.as_deref() == Some("middlewares"))
        {
            if let Value::Function(f) = project.eval(m, &arg.value) {
                if project.modules.function(f).is_async {
                    out.entry(EntryKind::Middleware, f, "aiohttp");
                }
            }
        }
    }
    // `class Users(web.View)`: its async methods named after verbs are handlers.
    for (id, func) in super::functions_all(project) {
        let (Some(class), true) = (func.class, func.is_async) else {
            continue;
        };
        if !VERBS.iter().any(|v| func.name.eq_ignore_ascii_case(v)) {
            continue;
        }
        let c = crate::project::ClassId {
            module: id.module,
            idx: class,
        };
        if project.derives_from(c, "aiohttp.web.View") {
            out.entry(EntryKind::Route, id, "aiohttp");
        }
    }
    let names = [
        "add_delete",
        "add_get",
        "add_head",
        "add_patch",
        "add_post",
        "add_put",
        "add_route",
        "add_view",
        "delete",
        "get",
        "head",
        "patch",
        "post",
        "put",
        "route",
        "view",
    ];
    for (caller, call) in scan.calls_named(&names) {
        let m = caller.module;
        let v = project.eval(m, &call.callee);
        let target = match (&v, external_method(&v)) {
            (_, Some(("aiohttp.web.UrlDispatcher", "add_route"))) => {
                function_arg(project, m, call, 2, "handler")
            }
            (_, Some(("aiohttp.web.UrlDispatcher", _))) => {
                function_arg(project, m, call, 1, "handler")
            }
            // `web.get("/", handler)` route definitions for `app.add_routes([...])`.
            (Value::External(p), _)
                if p.starts_with("aiohttp.web.") && VERBS.contains(&&p["aiohttp.web.".len()..]) =>
            {
                let pos = if p.ends_with(".route") { 2 } else { 1 };
                function_arg(project, m, call, pos, "handler")
            }
            _ => continue,
        };
        if let Some(Value::Function(f)) = target {
            if project.modules.function(f).is_async {
                out.entry(EntryKind::Route, f, "aiohttp");
            }
        }
    }
}
