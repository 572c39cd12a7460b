//! The blocking calls that are acceptable, and why: the *Notes* of the report.
//!
//! A blocking call is fine where no event loop waits on it: in a Celery task (a worker
//! process), in a sync route or dependency (the framework's threadpool), in code handed
//! to a thread (`asyncio.to_thread`, `run_in_threadpool`, `BackgroundTasks.add_task`), or
//! in a script: its `if __name__ == "__main__":` block, and the coroutines only a script's
//! own loop runs (`asyncio.run(main())` there or in a console-script entry).

use std::collections::VecDeque;
use std::path::PathBuf;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::diagnostic::Location;
use crate::files::Files;
use crate::frameworks::Frameworks;
pub use crate::off_loop::Reason;
use crate::project::{Callee, FnId, Project};
use crate::propagate::{Findings, Step};
use crate::rules::Rule;

/// One acceptable blocking call (or, for offloading, the call that hands work off).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub reason: Reason,
    pub path: PathBuf,
    pub location: Location,
    /// The called expression as written.
    pub call: String,
    pub api: String,
    pub rule: Option<Rule>,
    /// The function the call is in.
    pub function: String,
    /// The task, route or offloaded function it runs under.
    pub under: String,
}

/// The note for the blocking call at `step`, run under `under` for `reason`.
fn blocking_note(
    files: &mut Files,
    step: Step,
    reason: Reason,
    api: &str,
    rule: Rule,
    under: String,
) -> Option<Note> {
    let (hop, _) = files.hop(step)?;
    Some(Note {
        reason,
        path: hop.path,
        location: hop.location,
        call: hop.call,
        api: api.to_string(),
        rule: Some(rule),
        function: hop.function,
        under,
    })
}

pub(crate) fn notes(
    project: &Project,
    frameworks: &Frameworks,
    found: &Findings,
    files: &mut Files,
) -> Vec<Note> {
    let qualname = |f: FnId| project.modules.function(f).qualname.to_string();
    let mut callees: HashMap<FnId, Vec<FnId>> = HashMap::default();
    for (caller, callee) in &found.edges {
        let is_sync = !project.modules.function(*callee).is_async;
        if is_sync {
            callees.entry(*caller).or_default().push(*callee);
        }
    }
    let mut sites: HashMap<FnId, Vec<usize>> = HashMap::default();
    for (i, s) in found.sync_sites.iter().enumerate() {
        sites.entry(s.function).or_default().push(i);
    }
    let mut direct: HashMap<FnId, Vec<&crate::project::DirectFinding>> = HashMap::default();
    for d in &found.direct {
        direct.entry(d.function).or_default().push(d);
    }
    let mut out = vec![];
    let mut noted: HashSet<usize> = HashSet::default();
    let mut roots = frameworks.off_loop.clone();
    roots.sort_by_key(|(f, r)| (*r, *f));
    for (root, reason) in roots {
        let mut seen: HashSet<FnId> = HashSet::from_iter([root]);
        let mut queue = VecDeque::from([root]);
        // A coroutine run on a loop of its own (a Flask async view): its own blocking
        // calls are acceptable too.
        for d in direct.get(&root).into_iter().flatten() {
            // Reported still: a script's loop raises on re-entry as any other does.
            if !frameworks.exempts(root, d.rule) {
                continue;
            }
            let step = Step {
                function: d.function,
                call_index: d.call_index,
            };
            out.extend(blocking_note(
                files,
                step,
                reason,
                &d.api,
                d.rule,
                qualname(root),
            ));
        }
        while let Some(f) = queue.pop_front() {
            for &i in sites.get(&f).into_iter().flatten() {
                if !noted.insert(i) {
                    continue;
                }
                let site = &found.sync_sites[i];
                let step = Step {
                    function: site.function,
                    call_index: site.call_index,
                };
                let under = qualname(root);
                out.extend(blocking_note(
                    files, step, reason, &site.api, site.rule, under,
                ));
            }
            for c in callees.get(&f).into_iter().flatten() {
                if seen.insert(*c) {
                    queue.push_back(*c);
                }
            }
        }
    }
    for o in &found.offloaded {
        let step = Step {
            function: o.function,
            call_index: o.call_index,
        };
        if let Some((hop, _)) = files.hop(step) {
            out.push(Note {
                reason: Reason::Offloaded,
                path: hop.path,
                location: hop.location,
                call: hop.call,
                api: o.api.clone(),
                rule: None,
                function: hop.function,
                under: o.target.map(qualname).unwrap_or_default(),
            });
        }
    }
    for (m, facts) in project.modules.iter().enumerate() {
        if facts.main_guards.is_empty() {
            continue;
        }
        let module = &facts.functions[0];
        for (i, call) in module.calls.iter().enumerate() {
            let guarded = facts
                .main_guards
                .iter()
                .any(|g| g.start <= call.span.start && call.span.end <= g.end);
            if !guarded {
                continue;
            }
            let Callee::External(api) = project.callee(m as u32, call) else {
                continue;
            };
            let Some(b) = project.blocking(m as u32, call, &api) else {
                continue;
            };
            let step = Step {
                function: FnId {
                    module: m as u32,
                    idx: 0,
                },
                call_index: i,
            };
            if let Some((hop, _)) = files.hop(step) {
                out.push(Note {
                    reason: Reason::Script,
                    path: hop.path,
                    location: hop.location,
                    call: hop.call,
                    api: b.api,
                    rule: Some(b.rule),
                    function: "<module>".into(),
                    under: facts.name.clone(),
                });
            }
        }
    }
    out.sort_by(|a, b| (a.reason, &a.path, a.location).cmp(&(b.reason, &b.path, b.location)));
    out
}
