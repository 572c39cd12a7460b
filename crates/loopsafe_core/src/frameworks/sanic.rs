//! Sanic: handlers registered on a `Sanic` app or a `Blueprint` (`@app.get("/")`,
//! `app.add_route(handler, "/")`, `HTTPMethodView` methods), middleware
//! (`@app.middleware`, `@app.on_request`), listeners and exception handlers. Sanic calls
//! a sync `def` handler directly on the event loop, like an `async def` one.

use super::{functions_all, EntryKind, Frameworks, Scan, HTTP_METHODS};
use crate::project::{ClassId, Project};

const OWNERS: &[&str] = &["sanic.Blueprint", "sanic.Sanic"];
const MIDDLEWARE: &[&str] = &["middleware", "on_request", "on_response"];
const LISTENERS: &[&str] = &[
    "after_server_start",
    "after_server_stop",
    "before_server_start",
    "before_server_stop",
    "listener",
    "main_process_start",
    "main_process_stop",
];

fn kind(method: &str) -> Option<EntryKind> {
    if HTTP_METHODS.contains(&method) || matches!(method, "route" | "websocket") {
        Some(EntryKind::Route)
    } else if MIDDLEWARE.contains(&method) {
        Some(EntryKind::Middleware)
    } else if LISTENERS.contains(&method) {
        Some(EntryKind::Startup)
    } else if method == "exception" {
        Some(EntryKind::ExceptionHandler)
    } else {
        None
    }
}

pub(super) fn scan(project: &Project, scan: &Scan, out: &mut Frameworks) {
    for (id, kind) in scan.decorated_by(project, OWNERS, kind) {
        out.handler(project, kind, id, "Sanic");
    }
    let adders = ["add_route", "add_websocket_route"];
    for f in scan.registered_with(project, OWNERS, &adders, (0, "handler")) {
        out.handler(project, EntryKind::Route, f, "Sanic");
    }
    // `class Users(HTTPMethodView)`: its methods named after verbs are handlers.
    for (id, func) in functions_all(project) {
        let Some(class) = func.class else {
            continue;
        };
        if !HTTP_METHODS.contains(&func.name.as_str()) {
            continue;
        }
        let c = ClassId {
            module: id.module,
            idx: class,
        };
        if project.derives_from(c, "sanic.views.HTTPMethodView") {
            out.handler(project, EntryKind::Route, id, "Sanic");
        }
    }
}
