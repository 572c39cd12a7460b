//! Celery: `@app.task`, `@shared_task`. Tasks run in worker processes, never on a web
//! server's event loop, so blocking there (even `asyncio.run`) is acceptable.

use super::{decorator_callee, external_method, last_name, Frameworks, Reason, Scan};
use crate::project::{Project, Value};

pub(super) fn scan(project: &Project, scan: &Scan, out: &mut Frameworks) {
    for (id, func) in scan.decorated() {
        for d in &func.decorators {
            let callee = decorator_callee(d);
            if !last_name(callee).is_some_and(|n| n == "task" || n == "shared_task") {
                continue;
            }
            let v = project.eval(id.module, callee);
            let is_task = matches!(external_method(&v), Some(("celery.Celery", "task")))
                || matches!(&v, Value::External(p) if p == "celery.shared_task" || p == "celery.task");
            if is_task {
                out.off(id, Reason::CeleryTask);
            }
        }
    }
}
