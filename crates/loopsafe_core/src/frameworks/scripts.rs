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

use super::Frameworks;
use crate::facts::{Call, Ref};
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

pub(super) fn scan(project: &Project, out: &mut Frameworks) {
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
            let Value::Function(f) = project.eval(m, &call.callee) else {
                continue;
            };
            if project.modules.function(f).is_async {
                continue;
            }
            let runs: Vec<FnId> = project
                .modules
                .function(f)
                .calls
                .iter()
                .filter_map(|c| started(project, f, c))
                .collect();
            if !runs.is_empty() {
                out.script(f);
                runs.into_iter().for_each(|r| out.script(r));
            }
        }
    }
}

/// The coroutine function a call in `caller` runs on a loop of its own:
/// `asyncio.run(main())`, `trio.run(main)`.
fn started(project: &Project, caller: FnId, call: &Call) -> Option<FnId> {
    let Callee::External(api) = project.callee(caller.module, call) else {
        return None;
    };
    if RUNNERS.binary_search(&api.as_str()).is_err() {
        return None;
    }
    let arg = call.arg(0, None)?;
    let m = caller.module;
    let target = match &arg.value {
        Ref::Call(inner) => project.eval(m, inner),
        // `main()` as an argument is a call of its own, written where the argument is.
        Ref::Unknown => {
            let made = project.modules.function(caller).calls.iter().find(|c| {
                c.span == arg.span && c.kind == crate::facts::CallKind::Call
            })?;
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
