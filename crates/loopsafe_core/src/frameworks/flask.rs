//! Flask: views registered on a `Flask` app or a `Blueprint` (`@app.route("/")`,
//! `@bp.get("/")`, `app.add_url_rule(...)`). Flask is WSGI: each request has a worker
//! thread, and an `async def` view runs in an event loop of its own in that thread. A
//! blocking call there holds up that one request, never the others, so it is not a
//! finding: the report lists it as acceptable, like a sync route's.

use super::{Frameworks, Scan, HTTP_METHODS};
use crate::off_loop::Reason;
use crate::project::Project;

const OWNERS: &[&str] = &["flask.Blueprint", "flask.Flask"];

pub(super) fn scan(project: &Project, scan: &Scan, out: &mut Frameworks) {
    let is_route = |n: &str| (n == "route" || HTTP_METHODS.contains(&n)).then_some(());
    for (id, ()) in scan.decorated_by(project, OWNERS, is_route) {
        out.own_loop(id, Reason::FlaskView);
    }
    for f in scan.registered_with(project, OWNERS, &["add_url_rule"], (2, "view_func")) {
        out.own_loop(f, Reason::FlaskView);
    }
}
