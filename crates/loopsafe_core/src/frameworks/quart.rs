//! Quart: Flask's API on asyncio. Views registered on a `Quart` app or a `Blueprint`
//! (`@app.route("/")`, `@bp.get("/")`, `app.add_url_rule(...)`), request hooks
//! (`@app.before_request`: every request), serving hooks (`@app.before_serving`) and
//! error handlers run on the event loop when they are `async def`. Quart runs a plain
//! `def` one in a thread (`run_sync`), off the loop.

use super::{EntryKind, Frameworks, Scan, HTTP_METHODS};
use crate::off_loop::Reason;
use crate::project::Project;

const OWNERS: &[&str] = &["quart.Blueprint", "quart.Quart"];
const HOOKS: &[&str] = &[
    "after_app_request",
    "after_request",
    "after_websocket",
    "before_app_request",
    "before_request",
    "before_websocket",
    "teardown_request",
];
const SERVING: &[&str] = &["after_serving", "before_serving", "while_serving"];

fn kind(method: &str) -> Option<EntryKind> {
    if HTTP_METHODS.contains(&method) || matches!(method, "route" | "websocket") {
        Some(EntryKind::Route)
    } else if HOOKS.contains(&method) {
        Some(EntryKind::Middleware)
    } else if SERVING.contains(&method) {
        Some(EntryKind::Startup)
    } else if matches!(method, "errorhandler" | "app_errorhandler") {
        Some(EntryKind::ExceptionHandler)
    } else {
        None
    }
}

pub(super) fn scan(project: &Project, scan: &Scan, out: &mut Frameworks) {
    for (id, kind) in scan.decorated_by(project, OWNERS, kind) {
        out.entry_unless_sync(project, kind, id, "Quart", Reason::QuartSyncView);
    }
    for f in scan.registered_with(project, OWNERS, &["add_url_rule"], (2, "view_func")) {
        out.entry_unless_sync(project, EntryKind::Route, f, "Quart", Reason::QuartSyncView);
    }
}
