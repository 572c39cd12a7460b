//! Django: `async def` views routed with `path()`/`re_path()`, and async methods of
//! class-based views. The ORM is blocking from async code (Django raises
//! `SynchronousOnlyOperation`); the catalogue lists its calls. Sync views run in a
//! thread under an ASGI server: off the loop.

use super::{function_arg, EntryKind, Frameworks, Reason, Scan};
use crate::project::{ClassId, Project, Value};

const VIEW_METHODS: &[&str] = &["delete", "get", "head", "options", "patch", "post", "put"];

pub(super) fn scan(project: &Project, scan: &Scan, out: &mut Frameworks) {
    for (caller, call) in scan.calls_named(&["path", "re_path"]) {
        let m = caller.module;
        let is_route = matches!(
            project.eval(m, &call.callee),
            Value::External(p) if p == "django.urls.path" || p == "django.urls.re_path"
        );
        if !is_route {
            continue;
        }
        if let Some(Value::Function(f)) = function_arg(project, m, call, 1, "view") {
            if project.modules[f.module as usize].functions[f.idx as usize].is_async {
                out.entry(EntryKind::Route, f, "django");
            } else {
                out.route(f);
                out.off(f, Reason::SyncView);
            }
        }
    }
    for (m, facts) in project.modules.iter().enumerate() {
        for (i, func) in facts.functions.iter().enumerate() {
            let (Some(class), true) = (func.class, func.is_async) else {
                continue;
            };
            if !VIEW_METHODS.contains(&func.name.as_str()) {
                continue;
            }
            let c = ClassId {
                module: m as u32,
                idx: class,
            };
            let is_view = [
                "django.views.View",
                "django.views.generic.View",
                "django.views.generic.base.View",
            ]
            .iter()
            .any(|v| project.derives_from(c, v));
            if is_view {
                let f = crate::project::FnId {
                    module: m as u32,
                    idx: i as u32,
                };
                out.entry(EntryKind::Route, f, "django");
            }
        }
    }
}
