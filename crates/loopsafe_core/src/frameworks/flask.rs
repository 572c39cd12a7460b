//! Flask: views registered on a `Flask` app or a `Blueprint` (`@app.route("/")`,
//! `@bp.get("/")`, `app.add_url_rule(...)`). Flask is WSGI: each request has a worker
//! thread, and an `async def` view runs in an event loop of its own in that thread. A
//! blocking call there holds up that one request, never the others, so it is not a
//! finding: the report lists it as acceptable, like a sync route's.

use super::{
    decorator_callee, external_method, function_arg, last_name, Frameworks, Scan, HTTP_METHODS,
};
use crate::notes::Reason;
use crate::project::{Project, Value};

const OWNERS: &[&str] = &["flask.Blueprint", "flask.Flask"];

pub(super) fn scan(project: &Project, scan: &Scan, out: &mut Frameworks) {
    let is_route = |n: &str| n == "route" || HTTP_METHODS.contains(&n);
    for (id, func) in scan.decorated() {
        for d in &func.decorators {
            let callee = decorator_callee(d);
            if !last_name(callee).is_some_and(is_route) {
                continue;
            }
            let v = project.eval(id.module, callee);
            if external_method(&v).is_some_and(|(owner, m)| OWNERS.contains(&owner) && is_route(m))
            {
                out.own_loop(id, Reason::FlaskView);
            }
        }
    }
    for (caller, call) in scan.calls_named(&["add_url_rule"]) {
        let m = caller.module;
        let v = project.eval(m, &call.callee);
        if !external_method(&v).is_some_and(|(owner, _)| OWNERS.contains(&owner)) {
            continue;
        }
        if let Some(Value::Function(f)) = function_arg(project, m, call, 2, "view_func") {
            out.own_loop(f, Reason::FlaskView);
        }
    }
}
