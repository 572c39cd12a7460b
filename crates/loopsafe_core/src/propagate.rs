//! Whole-project propagation: which sync functions may block, and which coroutines call
//! them.
//!
//! A sync function *may block* when it makes a blocking call or calls a sync function
//! that may block. The search runs backwards from every blocking call, breadth first, so
//! each function remembers its shortest way down to one, and cycles end by themselves.
//!
//! Edges exist only where the project stage proves the callee. A function passed
//! uncalled (to `asyncio.to_thread`, an executor, a thread) is not a call and makes no
//! edge: offloading cuts the chain without a special case.

use std::collections::VecDeque;

use rustc_hash::FxHashMap as HashMap;

use crate::catalogue::{Catalogue, Decorator};
use crate::facts::{FunctionKind, Ref, Span};
use crate::project::{FnId, Project, Value};
use crate::rules::Rule;

/// One step down a chain: a call made in `function`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub function: FnId,
    pub call_index: usize,
}

/// A coroutine calling a sync function of the project that may block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelperFinding {
    /// The coroutine and its call to the helper.
    pub caller: Step,
    /// The calls below it, ending with the blocking call itself.
    pub chain: Vec<Step>,
    /// The rule of the blocking call at the end of the chain.
    pub root_rule: Rule,
    pub api: String,
    /// Every way down passes through a cached function, so it blocks on the first call
    /// only.
    pub runs_once: bool,
    /// Where the coroutine hands the helper to the loop: `loop.call_soon(helper)`.
    pub scheduled: bool,
}

/// What one call in a function leads to.
#[derive(Debug, Clone)]
enum Target {
    Blocking(Rule, String),
    Function(u32),
}

/// The next step from a function towards its nearest blocking call.
#[derive(Debug, Clone, Copy)]
struct Next {
    call_index: u32,
    /// Index into the function's targets.
    target: u32,
}

struct Graph {
    /// Global function index → its id.
    ids: Vec<FnId>,
    base: Vec<u32>,
    /// Per function: (call index, target) for every call that matters.
    targets: Vec<Vec<(u32, Target)>>,
    /// Per function: the functions it runs on the loop through a callback, by call index.
    scheduled: Vec<Vec<(u32, u32)>>,
    decorator: Vec<Option<Decorator>>,
    callable: Vec<bool>,
}

impl Graph {
    fn index(&self, f: FnId) -> u32 {
        self.base[f.module as usize] + f.idx
    }
}

/// Finds every call from a coroutine into project code that may block.
///
/// `counts` says whether a blocking call found inside a helper is a root at all: its
/// rule is selected and no `# noqa` on its line silences it.
pub fn helper_findings(
    project: &Project,
    counts: &dyn Fn(u32, Span, Rule) -> bool,
) -> Vec<HelperFinding> {
    let graph = build(project, counts);
    let always = search(&graph, false);
    let once = search(&graph, true);
    let mut out = vec![];
    for (g, targets) in graph.targets.iter().enumerate() {
        let id = graph.ids[g];
        let func = &project.modules[id.module as usize].functions[id.idx as usize];
        if !func.is_async {
            continue;
        }
        let calls = targets.iter().filter_map(|(call_index, t)| match t {
            Target::Function(callee) => Some((*call_index, *callee, false)),
            Target::Blocking(..) => None,
        });
        let scheduled = graph.scheduled[g]
            .iter()
            .map(|(call_index, callee)| (*call_index, *callee, true));
        for (call_index, callee, scheduled) in calls.chain(scheduled) {
            let (next, runs_once) = match (&always[callee as usize], &once[callee as usize]) {
                (Some(_), _) => (&always, false),
                (None, Some(_)) => (&once, true),
                (None, None) => continue,
            };
            let (chain, root_rule, api) = walk(&graph, next, callee);
            out.push(HelperFinding {
                caller: Step {
                    function: id,
                    call_index: call_index as usize,
                },
                chain,
                root_rule,
                api,
                runs_once,
                scheduled,
            });
        }
    }
    out
}

fn walk(graph: &Graph, next: &[Option<Next>], from: u32) -> (Vec<Step>, Rule, String) {
    let mut chain = vec![];
    let mut at = from;
    loop {
        let n = next[at as usize].expect("a function on a chain has a next step");
        chain.push(Step {
            function: graph.ids[at as usize],
            call_index: n.call_index as usize,
        });
        match &graph.targets[at as usize][n.target as usize].1 {
            Target::Blocking(rule, api) => return (chain, *rule, api.clone()),
            Target::Function(callee) => at = *callee,
        }
    }
}

/// Breadth-first search backwards from the blocking calls. Without `through_cached`,
/// cached functions neither block nor pass blocking on: what remains blocks every time.
fn search(graph: &Graph, through_cached: bool) -> Vec<Option<Next>> {
    let n = graph.ids.len();
    let mut next: Vec<Option<Next>> = vec![None; n];
    let mut callers: Vec<Vec<(u32, u32)>> = vec![vec![]; n];
    let mut queue = VecDeque::new();
    let usable = |f: usize| {
        graph.callable[f] && (through_cached || graph.decorator[f] != Some(Decorator::RunsOnce))
    };
    for (f, targets) in graph.targets.iter().enumerate() {
        if !usable(f) {
            continue;
        }
        for (t, (call_index, target)) in targets.iter().enumerate() {
            match target {
                Target::Blocking(..) => {
                    if next[f].is_none() {
                        next[f] = Some(Next {
                            call_index: *call_index,
                            target: t as u32,
                        });
                        queue.push_back(f as u32);
                    }
                }
                Target::Function(callee) => callers[*callee as usize].push((f as u32, t as u32)),
            }
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
    next
}

fn build(project: &Project, counts: &dyn Fn(u32, Span, Rule) -> bool) -> Graph {
    let mut ids = vec![];
    let mut base = vec![];
    for (m, facts) in project.modules.iter().enumerate() {
        base.push(ids.len() as u32);
        ids.extend((0..facts.functions.len() as u32).map(|idx| FnId {
            module: m as u32,
            idx,
        }));
    }
    let mut graph = Graph {
        targets: vec![vec![]; ids.len()],
        scheduled: vec![vec![]; ids.len()],
        decorator: vec![None; ids.len()],
        callable: vec![false; ids.len()],
        ids,
        base,
    };
    let mut transparent: HashMap<FnId, Option<Option<Decorator>>> = HashMap::default();
    for g in 0..graph.ids.len() {
        let id = graph.ids[g];
        let facts = &project.modules[id.module as usize];
        let func = &facts.functions[id.idx as usize];
        // Module and class bodies run at import; lambdas passed around are not calls.
        if matches!(func.kind, FunctionKind::Module | FunctionKind::ClassBody) {
            continue;
        }
        if !func.is_async {
            let d = decorators(project, id, &mut transparent);
            graph.callable[g] = d.is_some();
            graph.decorator[g] = d.flatten();
        }
        for (call_index, call) in func.calls.iter().enumerate() {
            let call_index = call_index as u32;
            if let Some(b) = project.blocking_rule(id.module, call) {
                if !func.is_async && b.through_helpers && counts(id.module, call.span, b.rule) {
                    graph.targets[g].push((call_index, Target::Blocking(b.rule, b.api)));
                }
                continue;
            }
            // A `# noqa: LS901` on a call inside a helper cuts the chain there.
            if !func.is_async && !counts(id.module, call.span, Rule::BlockingCallThroughHelper) {
                continue;
            }
            if let Some(callee) = project.callee_function(id.module, call) {
                let callee_func =
                    &project.modules[callee.module as usize].functions[callee.idx as usize];
                if !callee_func.is_async {
                    let callee = graph.index(callee);
                    graph.targets[g].push((call_index, Target::Function(callee)));
                }
                continue;
            }
            if let Some(api) = project.external_callee(id.module, call) {
                if let Some(pos) = Catalogue::loop_callback(&api) {
                    let arg = call.args.iter().filter(|a| a.keyword.is_none()).nth(pos);
                    if let Some(Value::Function(f)) = arg.map(|a| project.eval(id.module, &a.value))
                    {
                        let target = &project.modules[f.module as usize].functions[f.idx as usize];
                        if !target.is_async {
                            let f = graph.index(f);
                            graph.scheduled[g].push((call_index, f));
                        }
                    }
                }
            }
        }
    }
    // Callbacks scheduled from sync code run on the loop as well, but reporting them
    // would need a caller to blame; only those scheduled from coroutines are reported.
    for g in 0..graph.ids.len() {
        let func =
            &project.modules[graph.ids[g].module as usize].functions[graph.ids[g].idx as usize];
        if !func.is_async {
            graph.scheduled[g].clear();
        }
    }
    graph
}

/// Whether calling `f` runs its body: `None` when a decorator may replace it, else
/// what its decorators do (`Some(None)` for none that matter).
fn decorators(
    project: &Project,
    f: FnId,
    memo: &mut HashMap<FnId, Option<Option<Decorator>>>,
) -> Option<Option<Decorator>> {
    if let Some(d) = memo.get(&f) {
        return *d;
    }
    let func = &project.modules[f.module as usize].functions[f.idx as usize];
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
    memo.insert(f, result);
    result
}

fn decorator_effect(project: &Project, module: u32, d: &Ref) -> Option<Option<Decorator>> {
    // `@lru_cache(maxsize=1)`, `@wraps(fn)`: what the factory's result does.
    let (callee, called) = match d {
        Ref::Call(inner) => (&**inner, true),
        other => (other, false),
    };
    match project.eval(module, callee) {
        Value::External(p) => Catalogue::decorator(&Catalogue::canonical(&p)).map(Some),
        Value::Function(factory) if called => {
            // A decorator factory: follow it when what it returns is a decorator that keeps.
            let func = &project.modules[factory.module as usize].functions[factory.idx as usize];
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
    let facts = &project.modules[deco.module as usize];
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
