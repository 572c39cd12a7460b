//! Celery: `@app.task`, `@shared_task`. Tasks run in worker processes, never on a web
//! server's event loop, so blocking there (even `asyncio.run`) is acceptable.

use super::{decorator_callee, last_name, Frameworks, Reason, Scan};
use crate::catalogue::CELERY_TASK;
use crate::project::Project;

pub(super) fn scan(project: &Project, scan: &Scan, out: &mut Frameworks) {
    for (id, func) in scan.decorated() {
        // Only a decorator named like one is evaluated: most are not.
        let named = func.decorators.iter().any(|d| {
            last_name(decorator_callee(d)).is_some_and(|n| n == "task" || n == "shared_task")
        });
        if named && project.decorated_type(id) == Some(CELERY_TASK) {
            out.off(id, Reason::CeleryTask);
        }
    }
}
