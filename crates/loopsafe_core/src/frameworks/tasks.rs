//! Background tasks: a coroutine handed to `asyncio.create_task(poll())` (or
//! `ensure_future`, `loop.create_task`, a task group's `create_task` or `start_soon`)
//! runs beside whatever started it. When it loops (`while True:`, `async for message in
//! ...`), what blocks in it holds the loop up again and again, for as long as the
//! service runs, even when a start-up hook started it once. One that does not loop runs
//! once per start, as often as its starter: nothing is added for it.

use super::{last_name, EntryKind, Frameworks, Scan};
use crate::facts::{Arg, Call};
use crate::project::Project;

/// The calls that start a coroutine as a task, by their last name. Sorted.
const SPAWNERS: &[&str] = &["create_task", "ensure_future", "start_soon"];

/// What a task-starting call is given: the coroutine (`poll()` in
/// `asyncio.create_task(poll())`), or for `start_soon(poll, interval)` the function.
pub(super) fn spawned(c: &Call) -> Option<&Arg> {
    let name = last_name(&c.callee)?;
    if SPAWNERS.binary_search(&name).is_err() {
        return None;
    }
    c.arg(0, Some("coro"))
}

pub(super) fn scan(project: &Project, scan: &Scan, out: &mut Frameworks) {
    for (starter, arg) in &scan.spawned {
        let Some(f) = super::scripts::coroutine_of(project, *starter, arg) else {
            continue;
        };
        if project.modules.function(f).loops {
            out.entry(EntryKind::Background, f, "asyncio");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spawners_are_sorted() {
        assert!(SPAWNERS.windows(2).all(|w| w[0] < w[1]));
    }
}
