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

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::{Frameworks, Reason};
use crate::facts::{decorator_callee, Call, Function, Given, Ref};
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

/// Whether a call of this name may start a loop: one of [`RUNNERS`], or a helper that
/// calls one (`asyncio_run(coro)`), whose names say so. An edit that
/// adds or removes such a call changes what detection finds (`detection_reads`).
pub(super) fn may_run(name: &str) -> bool {
    name.contains("run")
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
    for (m, facts) in project.modules.iter().take(project.own_modules).enumerate() {
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

/// Coroutines that sync code starts on a loop of its own, anywhere in the project: a
/// thread's target or a Celery task doing `asyncio.run(refresh())`, a CLI command doing
/// `asyncio_run(export())` through a helper that wraps `asyncio.run`. Candidates, with
/// the call that starts each, until [`Frameworks::settle_scripts`] has seen who else
/// awaits them. A coroutine's own `asyncio.run(...)` is no start: it raises on the
/// running loop (loop re-entry, reported as such).
pub(super) fn started_by_sync_code(project: &Project, out: &mut Frameworks) {
    let helpers = runner_helpers(project);
    let helper_names: HashSet<&str> = helpers
        .keys()
        .map(|h| project.modules.function(*h).name.as_str())
        .collect();
    let may_start =
        |name: &str| name == "run" || name == "run_until_complete" || helper_names.contains(name);
    for (m, facts) in project.modules.iter().take(project.own_modules).enumerate() {
        for (idx, func) in facts.functions.iter().enumerate() {
            if func.is_async {
                continue;
            }
            let caller = FnId {
                module: m as u32,
                idx: idx as u32,
            };
            for call in &func.calls {
                if !super::last_name(&call.callee).is_some_and(may_start) {
                    continue;
                }
                let arg = if runs_loop(project, caller, call) {
                    call.arg(0, None)
                } else {
                    match project.eval(caller.module, &call.callee) {
                        Value::Function(h) => helpers
                            .get(&h)
                            .and_then(|param| call.arg(*param as usize, None)),
                        _ => None,
                    }
                };
                let Some(arg) = arg else { continue };
                let Some(coroutine) = coroutine_of(project, caller, arg) else {
                    continue;
                };
                // `return fetch()` elsewhere in the function hands the coroutine to a
                // caller that may await it on the service's loop.
                let elsewhere = func.calls.iter().any(|c| {
                    c.span != arg.span
                        && project.eval(caller.module, &c.callee) == Value::Function(coroutine)
                });
                if !elsewhere {
                    out.started_by_sync(caller, coroutine);
                }
            }
        }
    }
}

/// Sync functions that run the coroutine they are given on a loop of their own, by the
/// position of that parameter: `def asyncio_run(coro): return asyncio.run(coro)`. (Not
/// yet one given a coroutine function it calls, `loop.run_until_complete(make())`: the
/// facts keep no call of an unknown callee.)
fn runner_helpers(project: &Project) -> HashMap<FnId, u16> {
    let mut helpers = HashMap::default();
    for (m, facts) in project.modules.iter().take(project.own_modules).enumerate() {
        for (idx, func) in facts.functions.iter().enumerate() {
            // Plain functions only: a method's `self` would shift the positions.
            if func.is_async
                || func.kind != crate::facts::FunctionKind::Function
                || !may_run(&func.name)
            {
                continue;
            }
            let f = FnId {
                module: m as u32,
                idx: idx as u32,
            };
            let param = func.calls.iter().find_map(|c| match c.arg(0, None)?.given {
                Given::Param(i)
                    if func.params.get(i as usize).is_some_and(|p| p.positional)
                        && runs_loop(project, f, c) =>
                {
                    Some(i)
                }
                _ => None,
            });
            if let Some(i) = param {
                helpers.insert(f, i);
            }
        }
    }
    helpers
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
    coroutine_of(project, caller, call.arg(0, None)?)
}

/// The coroutine function an argument made in `caller` runs: `main()` or `main`.
pub(super) fn coroutine_of(
    project: &Project,
    caller: FnId,
    arg: &crate::facts::Arg,
) -> Option<FnId> {
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
