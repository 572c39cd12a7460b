//! Django: `async def` views routed with `path()`/`re_path()`, async methods of
//! class-based views, and async middleware named in the `MIDDLEWARE` setting (a class
//! with `async def __call__`, or a factory returning an `async def`). The ORM is
//! blocking from async code (Django raises `SynchronousOnlyOperation`); the catalogue
//! lists its calls. Sync views run in a thread under an ASGI server: off the loop.

use super::{function_arg, EntryKind, Frameworks, Reason, Scan};
use crate::facts::{Name, Ref};
use crate::project::{ClassId, Project, Value};

const VIEW_METHODS: &[&str] = &["delete", "get", "head", "options", "patch", "post", "put"];

pub(super) fn scan(project: &Project, scan: &Scan, out: &mut Frameworks) {
    for (m, facts) in project.modules.iter().take(project.own_modules).enumerate() {
        let listed = facts
            .settings
            .iter()
            .filter(|(name, _)| name == "MIDDLEWARE")
            .flat_map(|(_, paths)| paths);
        for path in listed {
            let run = match project.eval(m as u32, &Ref::Path(Name::from(path.as_str()))) {
                // Django's own `MiddlewareMixin` runs `process_*` hooks in a thread;
                // a `__call__` of the project's is what runs on the loop.
                Value::Class(c) => project.lookup_method(c, "__call__"),
                Value::Function(factory) => match project.function_return(factory, 0) {
                    Value::Function(f) => Some(f),
                    _ => None,
                },
                _ => None,
            };
            if let Some(f) = run {
                if project.modules.function(f).is_async {
                    out.entry(EntryKind::Middleware, f, "django");
                }
            }
        }
    }
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
            out.entry_unless_sync(project, EntryKind::Route, f, "django", Reason::SyncView);
        }
    }
    for (m, facts) in project.modules.iter().take(project.own_modules).enumerate() {
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
