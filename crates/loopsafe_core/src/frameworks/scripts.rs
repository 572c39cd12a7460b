//! Scripts: a maintenance or one-off job started with `asyncio.run(main())` (or
//! `anyio.run`, `trio.run`, `uvloop.run`, `loop.run_until_complete(main())`) under
//! `if __name__ == "__main__":`, or in a sync function that only such a block calls,
//! runs an event loop of its own, in a process of its own. What blocks there holds up the
//! script, no request of the service's.
//!
//! Detection names candidates only: the coroutine a script runs, and the sync function
//! the `__main__` block calls to run it. Whether each really runs only as a script needs
//! the call graph ([`Frameworks::settle_scripts`]): a coroutine also awaited by a route,
//! or a function some service code calls, is the service's.

use super::{Frameworks, Reason};
use crate::facts::{decorator_callee, Call, Function, Ref};
use crate::project::{Callee, FnId, Project, Value};

/// The calls that run a coroutine on a new event loop, blocking until it is done, as the
/// catalogue names them. Sorted.
const RUNNERS: &[&str] = &[
    "anyio.run",
    "asyncio.AbstractEventLoop.run_until_complete",
    "asyncio.Runner.run",
    "asyncio.run",
    "trio.run",
    "uvloop.run",
];

/// Whether a call of this name may be one of [`RUNNERS`].
pub(super) fn may_run(name: &str) -> bool {
    name == "run" || name == "run_until_complete"
}

pub(super) fn scan(project: &Project, console_scripts: &[String], out: &mut Frameworks) {
    // (A path is read the same from any module: the first one's view is taken.)
    let entries = if project.modules.is_empty() {
        &[][..]
    } else {
        console_scripts
    };
    for entry in entries {
        // `pkg.cli:main`; an attribute of an object (`pkg.cli:app.run`) is not followed.
        let path = entry.replacen(':', ".", 1);
        if let Value::Function(f) = project.eval(0, &Ref::Path(path.as_str().into())) {
            runs_a_loop(project, f, out);
        }
    }
    for (m, facts) in project.modules.iter().enumerate() {
        if facts.main_guards.is_empty() {
            continue;
        }
        let m = m as u32;
        let module = FnId { module: m, idx: 0 };
        let guarded = facts.functions[0].calls.iter().filter(|c| {
            facts
                .main_guards
                .iter()
                .any(|g| g.start <= c.span.start && c.span.end <= g.end)
        });
        for call in guarded {
            if let Some(f) = started(project, module, call) {
                out.script(f);
                continue;
            }
            // `main()` under the guard, `def main(): asyncio.run(run())` above it.
            if let Value::Function(f) = project.eval(m, &call.callee) {
                runs_a_loop(project, f, out);
            }
        }
    }
}

/// Coroutines a decorator turns into sync functions that run them on a loop of their own
/// (`@sync`, whose wrapper does `return asyncio.run(func(*args, **kwargs))`): called, the
/// wrapper blocks its caller, a sync function, until the coroutine is done; the coroutine
/// never runs on the service's loop.
pub(super) fn sync_wrapped(
    project: &Project,
    decorated: &[(FnId, &Function)],
    out: &mut Frameworks,
) {
    for (f, func) in decorated {
        if !func.is_async {
            continue;
        }
        let wrapped = func.decorators.iter().any(|d| {
            let Value::Function(deco) = project.eval(f.module, decorator_callee(d)) else {
                return false;
            };
            let deco_func = project.modules.function(deco);
            // The function the decorator returns, nested in it, runs the loop.
            deco_func.returned.iter().any(|r| match r {
                Ref::Function(inner) => {
                    let inner = FnId {
                        module: deco.module,
                        idx: *inner,
                    };
                    let calls = &project.modules.function(inner).calls;
                    calls.iter().any(|c| runs_loop(project, inner, c))
                }
                _ => false,
            })
        });
        if wrapped {
            out.own_loop(*f, Reason::SyncWrapper);
        }
    }
}

/// Whether a call starts an event loop and runs something on it until done.
fn runs_loop(project: &Project, caller: FnId, call: &Call) -> bool {
    matches!(project.callee(caller.module, call),
        Callee::External(api) if RUNNERS.binary_search(&api.as_str()).is_ok())
}

/// A sync function that a script starts with (a `__main__` block's call, a console-script
/// entry), when it runs a coroutine on a loop of its own: a candidate, with the coroutine.
fn runs_a_loop(project: &Project, f: FnId, out: &mut Frameworks) {
    let func = project.modules.function(f);
    if func.is_async {
        return;
    }
    let runs: Vec<FnId> = func
        .calls
        .iter()
        .filter_map(|c| started(project, f, c))
        .collect();
    if !runs.is_empty() {
        out.script(f);
        runs.into_iter().for_each(|r| out.script(r));
    }
}

/// The coroutine function a call in `caller` runs on a loop of its own:
/// `asyncio.run(main())`, `trio.run(main)`.
fn started(project: &Project, caller: FnId, call: &Call) -> Option<FnId> {
    if !runs_loop(project, caller, call) {
        return None;
    }
    let arg = call.arg(0, None)?;
    let m = caller.module;
    let target = match &arg.value {
        Ref::Call(inner) => project.eval(m, inner),
        // `main()` as an argument is a call of its own, written where the argument is.
        Ref::Unknown => {
            let made = project
                .modules
                .function(caller)
                .calls
                .iter()
                .find(|c| c.span == arg.span && c.kind == crate::facts::CallKind::Call)?;
            project.eval(m, &made.callee)
        }
        other => project.eval(m, other),
    };
    match target {
        Value::Function(f) if project.modules.function(f).is_async => Some(f),
        _ => None,
    }
}

#[cfg(test)]
mod unit {
    use super::RUNNERS;

    #[test]
    fn the_runners_are_sorted_and_unique() {
        assert!(RUNNERS.windows(2).all(|w| w[0] < w[1]));
    }
}
