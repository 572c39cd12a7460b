//! Command-line apps: Typer, Cyclopts and Click (asyncclick) commands. `prefect
//! deployment inspect` runs its `async def inspect(...)` on an event loop of the command's
//! own, in a process of its own, once: blocking there holds up the person at the
//! terminal, no request of a service's. Such a command is a script candidate, settled as
//! one only if no service code awaits it too ([`Frameworks::settle_scripts`]).

use super::{external_method, external_name, last_name, Frameworks, Scan};
use crate::facts::decorator_callee;
use crate::project::Project;

/// The app objects whose methods register commands, as the catalogue names them. Sorted.
const APPS: &[&str] = &[
    "asyncclick.Group",
    "click.Group",
    "cyclopts.App",
    "typer.Typer",
];

/// The methods of [`APPS`] that register a command (or the app's default). Sorted.
const REGISTER: &[&str] = &["callback", "command", "default", "group", "meta"];

/// Decorators that make a function a command by themselves. Sorted.
const DECORATORS: &[&str] = &[
    "asyncclick.command",
    "asyncclick.group",
    "click.command",
    "click.group",
];

pub(super) fn scan(project: &Project, scan: &Scan, out: &mut Frameworks) {
    for (id, func) in scan.decorated() {
        if !func.is_async {
            continue;
        }
        let command = func.decorators.iter().any(|d| {
            let callee = decorator_callee(d);
            if last_name(callee).is_none_or(|n| REGISTER.binary_search(&n).is_err()) {
                return false;
            }
            let v = project.eval(id.module, callee);
            external_method(&v).is_some_and(|(owner, _)| APPS.binary_search(&owner).is_ok())
                || DECORATORS.binary_search(&&*external_name(&v)).is_ok()
        });
        if command {
            out.script(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted() {
        for table in [APPS, REGISTER, DECORATORS] {
            assert!(table.windows(2).all(|w| w[0] < w[1]), "{table:?}");
        }
    }
}
