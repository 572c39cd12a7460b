//! Whole-project propagation: which sync functions may block, and which coroutines call
//! them.
//!
//! A sync function *may block* when it makes a blocking call or calls a sync function
//! that may block. The search runs backwards from the blocking calls, breadth first, once
//! per cost from the costliest down, so each function remembers its shortest way down to
//! the costliest call it can reach (a helper that does an `mkdir` and then a
//! `requests.post` is reported for the `requests.post`), and cycles end by themselves.
//!
//! Edges exist only where the project stage proves the callee. A function passed
//! uncalled (to `asyncio.to_thread`, an executor, a thread) is not a call and makes no
//! edge: offloading cuts the chain without a special case.

use std::collections::VecDeque;

mod specialize;

use rayon::prelude::*;

use crate::catalogue::{Catalogue, Cost, Decorator};
use crate::facts::{CallKind, FunctionKind, Modules, Ref, Span};
use crate::project::{Callee, DirectFinding, FnId, Project, Value};
use crate::rules::Rule;

/// One step down a chain: a call made in `function`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Step {
    pub function: FnId,
    pub call_index: usize,
}

/// A coroutine calling a sync function of the project that may block.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HelperFinding {
    /// The coroutine and its call to the helper.
    pub caller: Step,
    /// The calls below it, ending with the blocking call itself: the costliest the
    /// helper can reach, the nearest of those.
    pub chain: Vec<Step>,
    pub api: String,
    /// The other blocking APIs the helper can reach, costliest first, each once, at most
    /// [`OTHER_SINKS`]: what else a fix of the helper has to move off the loop.
    pub other_sinks: Vec<String>,
    /// Every way down passes through a cached function, so it blocks on the first call
    /// only.
    pub runs_once: bool,
    /// Where the coroutine hands the helper to the loop: `loop.call_soon(helper)`.
    pub scheduled: bool,
}

/// How many other blocking APIs a helper finding names besides its chain's.
pub const OTHER_SINKS: usize = 3;

/// What one call in a function leads to.
#[derive(Debug, Clone)]
enum Target {
    Blocking(Rule, String, Cost),
    /// A project function, by index in the graph.
    Function(u32),
}

/// Whether a blocking call at this span of this module, under this rule, counts.
pub type Counts<'a> = dyn Fn(u32, Span, Rule) -> bool + Sync + 'a;

/// The next step from a function towards its nearest blocking call.
#[derive(Debug, Clone, Copy)]
struct Next {
    call_index: u32,
    /// Index into the function's targets.
    target: u32,
}

#[derive(Debug, Default)]
struct Graph {
    /// Global function index → its id.
    ids: Vec<FnId>,
    /// Per module: the global index of its first function.
    base: Vec<u32>,
    is_async: Vec<bool>,
    /// Per function: (call index, target, whether the call is in a one-time set-up) for
    /// every call that matters.
    targets: Vec<Vec<(u32, Target, bool)>>,
    /// Per function: the functions it runs on the loop through a callback, by call index.
    scheduled: Vec<Vec<(u32, u32)>>,
    decorator: Vec<Option<Decorator>>,
    callable: Vec<bool>,
    /// How many of the nodes are the project's functions; those after them are variants
    /// of them, made for calls that pass literals ([`specialize`]).
    functions: usize,
}

/// What the analysis finds: blocking calls written in coroutines, and calls from
/// coroutines into project code that may block.
#[derive(Debug, Default)]
pub struct Findings {
    pub direct: Vec<DirectFinding>,
    pub helpers: Vec<HelperFinding>,
    /// Every proven call between project functions: (caller, callee).
    pub edges: Vec<(FnId, FnId)>,
    /// Blocking calls made in sync functions (the roots of LS901 chains, and the
    /// blocking that sync routes, tasks and threads do off the loop).
    pub sync_sites: Vec<Site>,
    /// Calls that hand a function to a thread: `asyncio.to_thread(f)`.
    pub offloaded: Vec<Offload>,
    /// Kept for [`sync_on_loop`], which looks down from more functions.
    chains: Chains,
}

impl Findings {
    /// Drops the findings whose call in the coroutine every caller's arguments rule out
    /// (`if result_store:` in a coroutine that every caller calls without one). `entries`:
    /// the coroutines a framework calls, whose arguments are not known.
    pub fn drop_ruled_out_by_callers(
        &mut self,
        modules: &Modules,
        entries: &rustc_hash::FxHashSet<FnId>,
        index: &crate::project::ModuleIndex,
        callee_of: &dyn Fn(FnId, &crate::facts::Call) -> Option<FnId>,
    ) {
        let graph = &self.chains.graph;
        let sites: Vec<(FnId, usize)> = (self.direct.iter().map(|d| (d.function, d.call_index)))
            .chain(
                self.helpers
                    .iter()
                    .map(|h| (h.caller.function, h.caller.call_index)),
            )
            .collect();
        let out = specialize::ruled_out_by_callers(
            graph,
            modules,
            entries,
            &self.edges,
            index,
            callee_of,
            &sites,
        );
        let (direct, helpers) = out.split_at(self.direct.len());
        let mut direct = direct.iter();
        self.direct
            .retain(|_| !direct.next().copied().unwrap_or(false));
        let mut helpers = helpers.iter();
        self.helpers
            .retain(|_| !helpers.next().copied().unwrap_or(false));
    }

    /// Whether `f` is a coroutine function, without reading its module's facts.
    pub fn is_async(&self, f: FnId) -> bool {
        self.chains.graph.is_async(f)
    }
}

impl Graph {
    fn is_async(&self, f: FnId) -> bool {
        self.is_async[(self.base[f.module as usize] + f.idx) as usize]
    }
}

/// The call graph and, when helpers are followed, each function's shortest way down to
/// the costliest blocking call it reaches.
#[derive(Debug, Default)]
struct Chains {
    graph: Graph,
    /// Every blocking API the graph's functions call, costliest first (then by name): a
    /// sink's rank is its place here.
    apis: Vec<String>,
    /// Ways that block on every call.
    always: Ways,
    /// Ways through cached functions and one-time set-ups too.
    once: Ways,
}

/// What each function reaches, by one kind of way down ([`search`]).
#[derive(Debug, Default)]
struct Ways {
    next: Vec<Option<Next>>,
    /// The ranks of the first few blocking APIs it reaches, costliest first (at most one
    /// more than [`OTHER_SINKS`]: the chain's own is among them).
    sinks: Vec<Vec<u32>>,
}

impl Chains {
    fn new(graph: Graph, follow_helpers: bool) -> Self {
        if !follow_helpers {
            return Chains {
                graph,
                ..Chains::default()
            };
        }
        let mut apis: Vec<(Cost, &str)> = graph
            .targets
            .iter()
            .flatten()
            .filter_map(|(_, t, _)| match t {
                Target::Blocking(_, api, cost) => Some((*cost, api.as_str())),
                Target::Function(_) => None,
            })
            .collect();
        apis.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        apis.dedup();
        let rank: rustc_hash::FxHashMap<&str, u32> = apis
            .iter()
            .enumerate()
            .map(|(i, (_, api))| (*api, i as u32))
            .collect();
        let (always, once) = rayon::join(
            || search(&graph, &rank, false),
            || search(&graph, &rank, true),
        );
        let apis = apis.into_iter().map(|(_, api)| api.to_string()).collect();
        Chains {
            graph,
            apis,
            always,
            once,
        }
    }
}

/// A blocking call in a sync function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub function: FnId,
    pub call_index: usize,
    pub rule: Rule,
    pub api: String,
}

/// A call that runs a function on another thread.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Offload {
    pub function: FnId,
    pub call_index: usize,
    /// The offloading API: `asyncio.to_thread`.
    pub api: String,
    /// The project function it runs, when known.
    pub target: Option<FnId>,
}

/// The blocking calls in coroutines, and the calls from coroutines into project code
/// that may block, once the calls that matter are resolved ([`Resolution`]).
pub fn findings(resolution: Resolution, modules: &Modules, follow_helpers: bool) -> Findings {
    let index = resolution.module_index();
    let (mut graph, found) = resolution.into_graph();
    let mut findings = Findings {
        direct: found.direct,
        helpers: vec![],
        edges: found.edges,
        sync_sites: vec![],
        offloaded: found.offloaded,
        chains: Chains::default(),
    };
    for (g, targets) in graph.targets.iter().enumerate() {
        for (call_index, t, _) in targets {
            if let Target::Blocking(rule, api, _) = t {
                findings.sync_sites.push(Site {
                    function: graph.ids[g],
                    call_index: *call_index as usize,
                    rule: *rule,
                    api: api.clone(),
                });
            }
        }
    }
    if follow_helpers {
        specialize::specialize(&mut graph, modules, &index);
    }
    let chains = Chains::new(graph, follow_helpers);
    if follow_helpers {
        findings.helpers = helper_findings(&chains, |id| chains.graph.is_async(id));
    }
    findings.chains = chains;
    findings
}

/// Adds the findings of sync functions that a framework runs on the event loop itself
/// (a Tornado `def get(self)`, a Sanic `def handler(request)`): their blocking calls,
/// and their calls into helpers that may block, block the loop as a coroutine's would.
pub fn sync_on_loop(
    findings: &mut Findings,
    modules: &Modules,
    index: std::sync::Arc<crate::project::ModuleIndex<'_>>,
    catalogue: &Catalogue,
    follow_helpers: bool,
    counts: &Counts<'_>,
    functions: &[FnId],
) {
    let functions: rustc_hash::FxHashSet<FnId> = functions
        .iter()
        .copied()
        .filter(|f| !modules.function(*f).is_async)
        .collect();
    if functions.is_empty() {
        return;
    }
    let project = Project::with_index(modules, catalogue, index);
    let mut found = Found::default();
    for f in &functions {
        resolve(&project, *f, follow_helpers, true, counts, &mut found);
    }
    findings.direct.extend(found.direct);
    if follow_helpers {
        let helpers = helper_findings(&findings.chains, |id| functions.contains(&id));
        findings.helpers.extend(helpers);
    }
}

fn helper_findings(chains: &Chains, on_loop: impl Fn(FnId) -> bool) -> Vec<HelperFinding> {
    let Chains {
        graph,
        apis,
        always,
        once,
    } = chains;
    let mut out = vec![];
    // A variant is its function called with some literals, not a caller of its own.
    for (g, targets) in graph.targets.iter().enumerate().take(graph.functions) {
        let id = graph.ids[g];
        // Most functions lead nowhere: asking first whether they run on the loop would
        // read every function's facts (a tenth of the analysis's serial time).
        if (targets.is_empty() && graph.scheduled[g].is_empty()) || !on_loop(id) {
            continue;
        }
        let calls = targets
            .iter()
            .filter_map(|(call_index, t, set_up)| match t {
                Target::Function(callee) => Some((*call_index, *callee, false, *set_up)),
                Target::Blocking(..) => None,
            });
        let scheduled = graph.scheduled[g]
            .iter()
            .map(|(call_index, callee)| (*call_index, *callee, true, false));
        for (call_index, callee, scheduled, set_up) in calls.chain(scheduled) {
            let c = callee as usize;
            // A call inside a one-time set-up blocks once, however often its callee would.
            let (ways, runs_once) = match (&always.next[c], &once.next[c]) {
                (Some(_), _) if !set_up => (always, false),
                (_, Some(_)) => (once, true),
                _ => continue,
            };
            let (chain, api) = walk(graph, &ways.next, callee);
            let other_sinks = ways.sinks[c]
                .iter()
                .map(|r| &apis[*r as usize])
                .filter(|other| **other != api)
                .take(OTHER_SINKS)
                .cloned()
                .collect();
            out.push(HelperFinding {
                caller: Step {
                    function: id,
                    call_index: call_index as usize,
                },
                chain,
                api,
                other_sinks,
                runs_once,
                scheduled,
            });
        }
    }
    out
}

fn walk(graph: &Graph, next: &[Option<Next>], from: u32) -> (Vec<Step>, String) {
    let mut chain = vec![];
    let mut at = from;
    loop {
        let n = next[at as usize].expect("a function on a chain has a next step");
        chain.push(Step {
            function: graph.ids[at as usize],
            call_index: n.call_index as usize,
        });
        match &graph.targets[at as usize][n.target as usize].1 {
            Target::Blocking(_, api, _) => return (chain, api.clone()),
            Target::Function(callee) => at = *callee,
        }
    }
}

/// Breadth-first search backwards from the blocking calls, once per cost from the
/// costliest down: a function takes its way down from the first search that reaches it,
/// so its chain leads to the costliest call it can reach, the nearest of those. Every
/// caller of a function reached by a costlier search is reached by it too, so a later
/// search never goes through one: each function is visited once in all. Without
/// `through_cached`, cached functions and calls inside one-time set-ups neither block nor
/// pass blocking on: what remains blocks every time.
fn search(graph: &Graph, rank: &rustc_hash::FxHashMap<&str, u32>, through_cached: bool) -> Ways {
    const COSTS: usize = Cost::Wait as usize + 1;
    let n = graph.ids.len();
    let mut next: Vec<Option<Next>> = vec![None; n];
    let mut callers: Vec<Vec<(u32, u32)>> = vec![vec![]; n];
    // Per cost: each function's first call of that cost, as (function, target).
    let mut seeds: [Vec<(u32, u32)>; COSTS] = Default::default();
    // Per API's rank: the functions that call it.
    let mut callers_of: Vec<Vec<u32>> = vec![vec![]; rank.len()];
    let usable = |f: usize| {
        graph.callable[f] && (through_cached || graph.decorator[f] != Some(Decorator::RunsOnce))
    };
    for (f, targets) in graph.targets.iter().enumerate() {
        if !usable(f) {
            continue;
        }
        let mut seeded = [false; COSTS];
        for (t, (_, target, once)) in targets.iter().enumerate() {
            if !through_cached && *once {
                continue;
            }
            match target {
                Target::Blocking(_, api, cost) => {
                    if !std::mem::replace(&mut seeded[*cost as usize], true) {
                        seeds[*cost as usize].push((f as u32, t as u32));
                    }
                    let of = &mut callers_of[rank[api.as_str()] as usize];
                    if of.last() != Some(&(f as u32)) {
                        of.push(f as u32);
                    }
                }
                Target::Function(callee) => callers[*callee as usize].push((f as u32, t as u32)),
            }
        }
    }
    let mut queue = VecDeque::new();
    for class in seeds.iter().rev() {
        for &(f, t) in class {
            if next[f as usize].is_none() {
                next[f as usize] = Some(Next {
                    call_index: graph.targets[f as usize][t as usize].0,
                    target: t,
                });
                queue.push_back(f);
            }
        }
        while let Some(callee) = queue.pop_front() {
            for &(caller, t) in &callers[callee as usize] {
                if next[caller as usize].is_none() {
                    next[caller as usize] = Some(Next {
                        call_index: graph.targets[caller as usize][t as usize].0,
                        target: t,
                    });
                    queue.push_back(caller);
                }
            }
        }
    }
    let sinks = sinks(&callers, &callers_of, n);
    Ways { next, sinks }
}

/// The first few APIs (by rank: costliest first) each function reaches, one search
/// backwards per API in rank order. A function that holds enough already stops the
/// search: its callers reach all it does, so they hold enough too. Each function is
/// visited at most `OTHER_SINKS + 1` times.
fn sinks(callers: &[Vec<(u32, u32)>], callers_of: &[Vec<u32>], n: usize) -> Vec<Vec<u32>> {
    let mut sinks: Vec<Vec<u32>> = vec![vec![]; n];
    let mut queue = VecDeque::new();
    for (r, seeds) in callers_of.iter().enumerate() {
        let r = r as u32;
        // Whether `f` takes `r`: it has room, and has not taken it in this search yet.
        let take = |f: u32, sinks: &mut [Vec<u32>]| {
            let s = &mut sinks[f as usize];
            let takes = s.len() <= OTHER_SINKS && s.last() != Some(&r);
            if takes {
                s.push(r);
            }
            takes
        };
        for &f in seeds {
            if take(f, &mut sinks) {
                queue.push_back(f);
            }
        }
        while let Some(callee) = queue.pop_front() {
            for &(caller, _) in &callers[callee as usize] {
                if take(caller, &mut sinks) {
                    queue.push_back(caller);
                }
            }
        }
    }
    sinks
}

/// What one call leads to, before the graph numbers the functions.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
enum Lead {
    Blocking(Rule, String, Cost),
    Callee(FnId),
}

/// What resolving the calls finds besides the graph.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
struct Found {
    direct: Vec<DirectFinding>,
    edges: Vec<(FnId, FnId)>,
    offloaded: Vec<Offload>,
}

/// What the calls of one function lead to.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
struct Resolved {
    /// (call index, what it leads to, whether it is in a one-time set-up).
    targets: Vec<(u32, Lead, bool)>,
    scheduled: Vec<(u32, FnId)>,
    decorator: Option<Decorator>,
    callable: bool,
}

/// What the calls of each function resolved lead to, by the function's number.
type Done = Vec<(u32, Resolved)>;

/// The calls of the project's functions, resolved: of every function, or of those that
/// can run on the event loop (the coroutines, what the frameworks run, and everything
/// they call, transitively). A function nothing on the loop reaches can neither be a
/// finding nor lead to one, and is most of a large project: Home Assistant's 62,000
/// functions make 151,000 calls, 87,000 of them in functions the loop reaches.
pub struct Resolution<'a> {
    /// What each thread's project looks up first, made once for all of them (and for
    /// framework detection beside them).
    index: std::sync::Arc<crate::project::ModuleIndex<'a>>,
    ids: Vec<FnId>,
    /// Per module: the global index of its first function.
    base: Vec<u32>,
    is_async: Vec<bool>,
    claimed: Vec<std::sync::atomic::AtomicBool>,
    done: Done,
    /// What resolving found, in no order: put in the order of the functions at the end.
    found: Found,
}

impl<'a> Resolution<'a> {
    pub fn new(modules: &'a Modules<'a>) -> Self {
        let is_async = modules
            .iter()
            .flat_map(|facts| facts.functions.iter().map(|f| f.is_async))
            .collect();
        let counts = modules.iter().map(|facts| facts.functions.len() as u32);
        let index = std::sync::Arc::new(crate::project::ModuleIndex::new(modules, None));
        Resolution::numbered(index, counts, is_async)
    }

    fn numbered(
        index: std::sync::Arc<crate::project::ModuleIndex<'a>>,
        counts: impl Iterator<Item = u32>,
        is_async: Vec<bool>,
    ) -> Self {
        let mut ids = Vec::with_capacity(is_async.len());
        let mut base = vec![];
        for (m, count) in counts.enumerate() {
            base.push(ids.len() as u32);
            ids.extend((0..count).map(|idx| FnId {
                module: m as u32,
                idx,
            }));
        }
        let claimed = ids
            .iter()
            .map(|_| std::sync::atomic::AtomicBool::new(false))
            .collect();
        Resolution {
            index,
            ids,
            base,
            is_async,
            claimed,
            done: vec![],
            found: Found::default(),
        }
    }

    /// What resolving concluded so far, to be kept in the cache for [`Resolution::resume`].
    pub fn save(&self) -> SavedResolution {
        let counts = self
            .base
            .iter()
            .enumerate()
            .map(|(m, start)| {
                let end = self
                    .base
                    .get(m + 1)
                    .copied()
                    .unwrap_or(self.ids.len() as u32);
                end - start
            })
            .collect();
        // In the order of the functions, each function's finds in the order it found
        // them: what `resume` reads by function, and `into_graph` sorts again.
        let mut done: Vec<(FnId, Resolved)> = self
            .done
            .iter()
            .map(|(i, r)| (self.ids[*i as usize], r.clone()))
            .collect();
        done.sort_unstable_by_key(|(f, _)| *f);
        let mut found = self.found.clone();
        found.direct.sort_by_key(|d| d.function);
        found.edges.sort_by_key(|(caller, _)| *caller);
        found.offloaded.sort_by_key(|o| o.function);
        SavedResolution {
            counts,
            is_async: self.is_async.clone(),
            done,
            found,
        }
    }

    /// Picks up a saved resolution of the same modules, of which those `changed` have new
    /// facts: what the others' functions led to is taken as saved, the changed modules'
    /// functions are resolved again, and so is any function the loop now reaches that it
    /// did not reach before; what it no longer reaches is dropped. The result is what
    /// resolving `roots` from scratch would give, provided the changed modules offer the
    /// rest of the project what they did before ([`crate::facts::ModuleFacts::same_interface`]).
    /// `roots` are the functions the frameworks run; the coroutines are roots too. None
    /// when the saved resolution is not of these modules.
    #[allow(clippy::too_many_arguments)]
    pub fn resume(
        modules: &'a Modules<'a>,
        index: std::sync::Arc<crate::project::ModuleIndex<'a>>,
        saved: SavedResolution,
        changed: &[bool],
        catalogue: &Catalogue,
        follow_helpers: bool,
        counts: &Counts<'_>,
        roots: Vec<FnId>,
    ) -> Option<Self> {
        let (mut kept, is_async) = Kept::new(saved, modules, changed)?;
        let new_counts = (0..modules.len()).map(|m| match changed[m] {
            true => modules[m].functions.len() as u32,
            false => kept.counts[m],
        });
        let mut this = Resolution::numbered(index.clone(), new_counts, is_async);
        let project = Project::with_index(modules, catalogue, index);
        let mut fresh = Found::default();
        let (done, reached) = this.reach(
            &mut kept,
            &project,
            follow_helpers,
            counts,
            roots,
            &mut fresh,
        )?;
        let Found {
            mut direct,
            mut edges,
            mut offloaded,
        } = std::mem::take(&mut kept.found);
        let stays = |f: &FnId| kept.valid(*f) && reached[this.index(*f) as usize];
        direct.retain(|d| stays(&d.function));
        edges.retain(|(caller, _)| stays(caller));
        offloaded.retain(|o| stays(&o.function));
        direct.extend(fresh.direct);
        edges.extend(fresh.edges);
        offloaded.extend(fresh.offloaded);
        for (i, _) in &done {
            this.claimed[*i as usize].store(true, std::sync::atomic::Ordering::Relaxed);
        }
        this.done = done;
        this.found = Found {
            direct,
            edges,
            offloaded,
        };
        Some(this)
    }

    /// Goes down from the coroutines and `roots`, as a fresh resolution starts, to every
    /// function the loop reaches: what a function `kept` holds led to is taken from it,
    /// any other is resolved again (its finds go to `fresh`). What each function reached
    /// led to, by its number, and which were reached; None for a function the modules do
    /// not have (a damaged cache).
    fn reach(
        &self,
        kept: &mut Kept,
        project: &Project,
        follow_helpers: bool,
        counts: &Counts<'_>,
        roots: Vec<FnId>,
        fresh: &mut Found,
    ) -> Option<(Done, Vec<bool>)> {
        let mut reached = vec![false; self.ids.len()];
        let mut stack: Vec<FnId> = vec![];
        // False for a function the modules do not have.
        let mut push = |f: FnId, stack: &mut Vec<FnId>| {
            let m = f.module as usize;
            let (Some(start), end) = (self.base.get(m), self.base.get(m + 1)) else {
                return false;
            };
            let end = end.copied().unwrap_or(self.ids.len() as u32);
            if f.idx >= end - start {
                return false;
            }
            match reached.get_mut((start + f.idx) as usize) {
                Some(seen) if !*seen => {
                    *seen = true;
                    stack.push(f);
                    true
                }
                Some(_) => true,
                None => false,
            }
        };
        let coroutines: Vec<FnId> = (self.ids.iter().zip(&self.is_async))
            .filter(|(_, a)| **a)
            .map(|(f, _)| *f)
            .collect();
        for f in coroutines.into_iter().chain(roots) {
            if !push(f, &mut stack) {
                return None;
            }
        }
        let mut done = vec![];
        let mut callees = vec![];
        while let Some(id) = stack.pop() {
            callees.clear();
            let r = match kept.take(id, &mut callees) {
                Some(r) => r,
                None => {
                    let first_edge = fresh.edges.len();
                    let on_loop = self.is_async[self.index(id) as usize];
                    let r = resolve(project, id, follow_helpers, on_loop, counts, fresh);
                    callees.extend(fresh.edges[first_edge..].iter().map(|(_, c)| *c));
                    r
                }
            };
            callees.extend(r.scheduled.iter().map(|(_, f)| *f));
            for callee in &callees {
                if !push(*callee, &mut stack) {
                    return None;
                }
            }
            done.push((self.index(id), r));
        }
        Some((done, reached))
    }

    /// The index of the modules, to make another [`Project`] of them with.
    pub fn module_index(&self) -> std::sync::Arc<crate::project::ModuleIndex<'a>> {
        self.index.clone()
    }

    /// Every function of the project.
    pub fn all(&self) -> Vec<FnId> {
        self.ids.clone()
    }

    fn index(&self, f: FnId) -> u32 {
        self.base[f.module as usize] + f.idx
    }

    /// Takes `f` to resolve, unless it is taken already.
    fn claim(&self, f: FnId) -> bool {
        !self.claimed[self.index(f) as usize].swap(true, std::sync::atomic::Ordering::Relaxed)
    }

    /// Resolves the calls of `roots` not resolved yet and, with `follow`, of every
    /// project function they call, transitively.
    ///
    /// Without `follow_helpers`, sync functions are not looked into (no LS901). `counts`
    /// says whether a blocking call found inside a helper is a root at all: its rule is
    /// selected and no `# noqa` on its line silences it.
    pub fn resolve(
        &mut self,
        modules: &Modules,
        catalogue: &Catalogue,
        follow_helpers: bool,
        counts: &Counts<'_>,
        roots: Vec<FnId>,
        follow: bool,
    ) {
        let roots: Vec<FnId> = roots.into_iter().filter(|f| self.claim(*f)).collect();
        // Each share of the roots is resolved with its own project (its memory of names
        // already looked up is not shared between threads), and goes on down what they
        // call. Four shares per thread, so that a thread busy with something else
        // meanwhile (framework detection) holds up the end less.
        let threads = rayon::current_num_threads().max(1);
        let share = roots.len().div_ceil(threads * 4).max(1);
        let this = &*self;
        let parts: Vec<(Vec<(u32, Resolved)>, Found)> = roots
            .par_chunks(share)
            .map(|chunk| {
                let project = Project::with_index(modules, catalogue, this.module_index());
                let mut out = vec![];
                // One list for the whole share: a list per function cost most functions
                // an allocation, then a copy.
                let mut found = Found::default();
                let mut stack: Vec<FnId> = chunk.iter().rev().copied().collect();
                while let Some(id) = stack.pop() {
                    let is_async = modules.function(id).is_async;
                    let first_edge = found.edges.len();
                    let r = resolve(&project, id, follow_helpers, is_async, counts, &mut found);
                    if follow {
                        let callees = found.edges[first_edge..].iter().map(|(_, callee)| *callee);
                        let scheduled = r.scheduled.iter().map(|(_, f)| *f);
                        for callee in callees.chain(scheduled) {
                            if this.claim(callee) {
                                stack.push(callee);
                            }
                        }
                    }
                    out.push((this.index(id), r));
                }
                (out, found)
            })
            .collect();
        for (done, found) in parts {
            self.done.extend(done);
            self.found.direct.extend(found.direct);
            self.found.edges.extend(found.edges);
            self.found.offloaded.extend(found.offloaded);
        }
    }

    /// The call graph over every function (those not resolved call nothing), and what
    /// resolving found, in the order of the functions.
    fn into_graph(mut self) -> (Graph, Found) {
        let n = self.ids.len();
        let mut graph = Graph {
            ids: std::mem::take(&mut self.ids),
            base: self.base.clone(),
            is_async: std::mem::take(&mut self.is_async),
            targets: Vec::with_capacity(n),
            scheduled: Vec::with_capacity(n),
            decorator: vec![None; n],
            callable: vec![false; n],
            functions: n,
        };
        graph.targets.resize_with(n, Vec::new);
        graph.scheduled.resize_with(n, Vec::new);
        let mut all = std::mem::take(&mut self.found);
        let done = std::mem::take(&mut self.done);
        let this = &self;
        rayon::join(
            || {
                // Each function has a slot of its own: the order they were resolved in
                // does not matter.
                for (i, r) in done {
                    let i = i as usize;
                    let targets = r.targets.into_iter().map(|(call, lead, once)| {
                        let target = match lead {
                            Lead::Blocking(rule, api, cost) => Target::Blocking(rule, api, cost),
                            Lead::Callee(f) => Target::Function(this.index(f)),
                        };
                        (call, target, once)
                    });
                    graph.targets[i] = targets.collect();
                    graph.decorator[i] = r.decorator;
                    graph.callable[i] = r.callable;
                    graph.scheduled[i] = r
                        .scheduled
                        .iter()
                        .map(|(c, f)| (*c, this.index(*f)))
                        .collect();
                }
            },
            || {
                // In the order of the functions, each function's in the order it found
                // them (a function is resolved once, by one thread: its finds are
                // together, and the sorts keep their order).
                all.direct.sort_by_key(|d| this.index(d.function));
                all.edges.sort_by_key(|(caller, _)| this.index(*caller));
                all.offloaded.sort_by_key(|o| this.index(o.function));
            },
        );
        (graph, all)
    }
}

/// What the calls of one function lead to. `on_loop`: the function runs on the event
/// loop (a coroutine, or a sync handler a framework calls there), so its blocking calls
/// are findings.
fn resolve(
    project: &Project,
    id: FnId,
    follow_helpers: bool,
    on_loop: bool,
    counts: &Counts<'_>,
    found: &mut Found,
) -> Resolved {
    let mut out = Resolved::default();
    let func = project.modules.function(id);
    // Module and class bodies run at import; they are nobody's callee.
    if matches!(func.kind, FunctionKind::Module | FunctionKind::ClassBody) {
        return out;
    }
    if !func.is_async {
        if !follow_helpers {
            return out;
        }
        let d = decorators(project, id);
        out.callable = d.is_some();
        out.decorator = d.flatten();
    }
    for (call_index, call) in func.calls.iter().enumerate() {
        // Reached from the loop, a function never takes the branch that runs without one.
        if call.off_loop {
            continue;
        }
        let api = match project.callee(id.module, call) {
            Callee::Unknown => continue,
            Callee::Project(callee) => {
                found.edges.push((id, callee));
                // A `# noqa: LS901` on a call inside a helper cuts the chain there.
                let cut = !func.is_async
                    && !counts(id.module, call.span, Rule::BlockingCallThroughHelper);
                let callee_func = project.modules.function(callee);
                // Calling a generator function only makes the generator: its body runs
                // where it is iterated, which is a call of its own (`CallKind::Iterate`).
                let made_only = call.kind == CallKind::Call && callee_func.is_generator;
                // An awaited call returns something awaitable: a sync function there is
                // wrapped into a coroutine (`@sync_to_async`) or the callee is not the
                // one resolved. Either way it is not a sync call made on the loop.
                if follow_helpers && !cut && !callee_func.is_async && !call.awaited && !made_only {
                    out.targets
                        .push((call_index as u32, Lead::Callee(callee), call.once));
                }
                continue;
            }
            Callee::External(api) => api,
        };
        if let Some(b) = project.blocking(id.module, call, &api) {
            // Awaiting it proves it returns something awaitable: the object is the async
            // variant (`db: Session` annotated, an `AsyncSession` passed), not the sync
            // API the annotation names. Calling the sync one here would not even run.
            if call.awaited {
                continue;
            }
            if !func.is_async && b.through_helpers && counts(id.module, call.span, b.rule) {
                out.targets.push((
                    call_index as u32,
                    Lead::Blocking(b.rule, b.api.clone(), project.catalogue.cost(&b.api)),
                    call.once,
                ));
            }
            if on_loop {
                found.direct.push(DirectFinding {
                    rule: b.rule,
                    function: id,
                    call_index,
                    span: call.func_span,
                    call_span: call.span,
                    api: b.api,
                });
            }
            continue;
        }
        if let Some(pos) = Catalogue::offloads(&api) {
            let target = match call
                .arg(pos, None)
                .map(|a| project.eval(id.module, &a.value))
            {
                Some(Value::Function(f)) => Some(f),
                _ => None,
            };
            let coroutine = target.filter(|f| project.modules.function(*f).is_async);
            if let Some(f) = coroutine {
                // `tasks.add_task(notify)` with `async def notify`: Starlette awaits it on
                // the loop after the response, so the route reaches it. A coroutine
                // function handed to a thread (`to_thread(notify)`) runs nowhere: neither
                // is off the loop.
                if Catalogue::awaits_coroutines(&api) {
                    found.edges.push((id, f));
                }
                continue;
            }
            found.offloaded.push(Offload {
                function: id,
                call_index,
                api: api.to_string(),
                target,
            });
            continue;
        }
        if !(follow_helpers && on_loop) {
            continue;
        }
        // A sync function handed to the loop to run later (`loop.call_soon(f)`).
        if let Some(pos) = Catalogue::loop_callback(&api) {
            let arg = call.arg(pos, None);
            if let Some(Value::Function(f)) = arg.map(|a| project.eval(id.module, &a.value)) {
                let target = project.modules.function(f);
                if !target.is_async {
                    out.scheduled.push((call_index as u32, f));
                }
            }
        }
    }
    out
}

/// Whether calling `f` runs its body: `None` when a decorator may replace it, else
/// what its decorators do (`Some(None)` for none that matter).
fn decorators(project: &Project, f: FnId) -> Option<Option<Decorator>> {
    let func = project.modules.function(f);
    let mut result = Some(None);
    for d in &func.decorators {
        match decorator_effect(project, f.module, d) {
            None => {
                result = None;
                break;
            }
            Some(Some(Decorator::RunsOnce)) => result = Some(Some(Decorator::RunsOnce)),
            Some(_) => {}
        }
    }
    result
}

fn decorator_effect(project: &Project, module: u32, d: &Ref) -> Option<Option<Decorator>> {
    // `@lru_cache(maxsize=1)`, `@wraps(fn)`: what the factory's result does.
    let (callee, called) = match d {
        Ref::Call(inner) => (&**inner, true),
        other => (other, false),
    };
    let value = project.eval(module, callee);
    // `@memoize`, `@singleton`, `@cached(ttl=60)`: named for caching, from any package or
    // the project's own, the body runs on the first call only.
    let name = match &value {
        Value::External(p) => Some(Catalogue::canonical(p).to_string()),
        Value::Function(f) => Some(project.modules.function(*f).name.to_string()),
        _ => None,
    };
    if let Value::External(p) = &value {
        if let Some(known) = Catalogue::decorator(&Catalogue::canonical(p)) {
            return Some(Some(known));
        }
    }
    if name.is_some_and(|n| Catalogue::caches_by_name(&n)) {
        return Some(Some(Decorator::RunsOnce));
    }
    match value {
        Value::External(_) => None,
        Value::Function(factory) if called => {
            // A decorator factory: follow it when what it returns is a decorator that keeps.
            let func = project.modules.function(factory);
            let returned = func.returned.iter().find_map(|r| match r {
                Ref::Function(idx) => Some(FnId {
                    module: factory.module,
                    idx: *idx,
                }),
                _ => None,
            })?;
            project_decorator(project, returned).then_some(None)
        }
        Value::Function(deco) => project_decorator(project, deco).then_some(None),
        _ => None,
    }
}

/// A decorator written in the project keeps the function when it returns it unchanged,
/// or returns a sync wrapper defined inside it that does not hand work to a thread.
fn project_decorator(project: &Project, deco: FnId) -> bool {
    let facts = project.modules.module(deco.module);
    let func = &facts.functions[deco.idx as usize];
    if func.is_async {
        return false;
    }
    if func.returns_param {
        return true;
    }
    func.returned.iter().any(|r| {
        let Ref::Function(idx) = r else { return false };
        let wrapper = &facts.functions[*idx as usize];
        wrapper.parent == Some(deco.idx)
            && !wrapper.is_async
            && wrapper.kind == FunctionKind::Function
            && !wrapper.calls.iter().any(|c| {
                project
                    .external_callee(deco.module, c)
                    .is_some_and(|api| Catalogue::offloads(&api).is_some())
            })
    })
}

/// A saved resolution laid out for [`Resolution::resume`], by the functions' numbers in
/// it: what each function of a module that kept its facts led to.
struct Kept<'c> {
    /// Per module: whether its facts changed since the resolution was saved.
    changed: &'c [bool],
    /// Per module: how many functions it had.
    counts: Vec<u32>,
    /// Per module: the saved number of its first function.
    base: Vec<u32>,
    /// What each kept function led to, until it is taken.
    resolved: Vec<Option<Resolved>>,
    /// The range of each kept function's calls of other functions in `found.edges` (both
    /// in the order of the functions).
    calls: Vec<(u32, u32)>,
    found: Found,
}

impl<'c> Kept<'c> {
    /// `saved`, of which the modules `changed` have new facts, with the coroutines of the
    /// modules numbered as they are now. None when it is not of these modules.
    fn new(
        saved: SavedResolution,
        modules: &Modules,
        changed: &'c [bool],
    ) -> Option<(Kept<'c>, Vec<bool>)> {
        let SavedResolution {
            counts,
            is_async: old_async,
            done,
            found,
        } = saved;
        if counts.len() != modules.len() || changed.len() != modules.len() {
            return None;
        }
        let mut base = Vec::with_capacity(counts.len());
        let mut at = 0u32;
        for c in &counts {
            base.push(at);
            at = at.checked_add(*c)?;
        }
        if at as usize != old_async.len() {
            return None;
        }
        let mut is_async = Vec::with_capacity(old_async.len());
        for (m, c) in counts.iter().enumerate() {
            if changed[m] {
                is_async.extend(modules[m].functions.iter().map(|f| f.is_async));
            } else {
                let start = base[m] as usize;
                is_async.extend_from_slice(&old_async[start..start + *c as usize]);
            }
        }
        let mut kept = Kept {
            changed,
            counts,
            base,
            resolved: vec![None; old_async.len()],
            calls: vec![(0, 0); old_async.len()],
            found: Found::default(),
        };
        for (f, r) in done {
            if kept.valid(f) {
                let i = kept.old_index(f);
                kept.resolved[i] = Some(r);
            }
        }
        let mut at = 0;
        while at < found.edges.len() {
            let caller = found.edges[at].0;
            let end = at
                + found.edges[at..]
                    .iter()
                    .take_while(|(c, _)| *c == caller)
                    .count();
            if kept.valid(caller) {
                let i = kept.old_index(caller);
                kept.calls[i] = (at as u32, end as u32);
            }
            if found.edges[at..end]
                .iter()
                .any(|(_, callee)| callee.module as usize >= changed.len())
            {
                return None;
            }
            at = end;
        }
        kept.found = found;
        Some((kept, is_async))
    }

    /// Whether `f` is a function of a module that kept its facts.
    fn valid(&self, f: FnId) -> bool {
        (f.module as usize) < self.changed.len()
            && f.idx < self.counts[f.module as usize]
            && !self.changed[f.module as usize]
    }

    fn old_index(&self, f: FnId) -> usize {
        (self.base[f.module as usize] + f.idx) as usize
    }

    /// What `f` led to, with the functions it calls added to `callees`; None when it is
    /// to be resolved again.
    fn take(&mut self, f: FnId, callees: &mut Vec<FnId>) -> Option<Resolved> {
        if !self.valid(f) {
            return None;
        }
        let i = self.old_index(f);
        let r = self.resolved[i].take()?;
        let (start, end) = self.calls[i];
        let edges = &self.found.edges[start as usize..end as usize];
        callees.extend(edges.iter().map(|(_, callee)| *callee));
        Some(r)
    }
}

/// What resolving concluded, as the cache keeps it: per module how many functions it has,
/// which are coroutines, what each resolved function's calls lead to and what they found.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct SavedResolution {
    counts: Vec<u32>,
    is_async: Vec<bool>,
    done: Vec<(FnId, Resolved)>,
    found: Found,
}
