//! Calls that a function makes only for some arguments, left out where its callers pass
//! literals that rule them out.
//!
//! `get_secret(name)` fetches an OIDC token over the network only under
//! `if name.startswith("oidc/"):`; called as `get_secret("OPENAI_API_KEY")` (or through
//! `get_secret_str(name)`, which passes its own parameter on) it never gets there. Such a
//! call leads to a copy of the callee (a *variant*) that has the ruled-out calls removed,
//! and whose own calls that pass the literals on lead to variants in turn. The search for
//! chains then runs on the graph as usual.
//!
//! Only parameters that matter are followed: those a guard tests ([`Guard`]), and those
//! passed on to a parameter that matters. A call whose arguments say nothing about them
//! keeps its edge to the function itself.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::{Graph, Target};
use crate::facts::{
    Call, Function, FunctionKind, Given, Guard, Lit, Modules, Name, Ref, Test, Transform,
};
use crate::project::{FnId, ModuleIndex};

/// Past this many variants, calls lead to the functions themselves: a bound on the work
/// for projects that pass thousands of distinct literals.
const MAX_VARIANTS: usize = 20_000;

/// The literals a variant's parameters hold, by parameter index, in order.
type Values = Vec<(u16, Lit)>;

/// Rewrites the graph's calls that pass literals ruling out some of their callee's calls
/// to lead to variants without them.
pub(super) fn specialize(graph: &mut Graph, modules: &Modules, index: &ModuleIndex) {
    let n = graph.ids.len();
    let functions: Vec<&Function> = graph.ids.iter().map(|f| modules.function(*f)).collect();
    let relevant = relevant_params(graph, &functions, modules);
    if relevant.iter().all(|m| *m == 0) {
        return;
    }
    let mut variants = Variants {
        graph,
        functions: &functions,
        relevant: &relevant,
        modules,
        index,
        made: HashMap::default(),
        queue: vec![],
    };
    // The functions' own calls are rewritten at the end: variants copy them as they were.
    let mut rewrites = vec![];
    for (g, function) in functions.iter().enumerate().take(n) {
        for t in 0..variants.graph.targets[g].len() {
            let (call_index, Target::Function(callee), _) = &variants.graph.targets[g][t] else {
                continue;
            };
            let call = &function.calls[*call_index as usize];
            let callee = *callee;
            if let Some(v) = variants.lead(call, g as u32, callee, &[]) {
                rewrites.push((g, t, v));
            }
        }
    }
    while let Some((v, of, values)) = variants.queue.pop() {
        variants.fill(v, of, &values);
    }
    for (g, t, v) in rewrites {
        variants.graph.targets[g][t].1 = Target::Function(v);
    }
}

struct Variants<'g, 'f> {
    graph: &'g mut Graph,
    functions: &'g [&'f Function],
    relevant: &'g [u64],
    modules: &'g Modules<'f>,
    index: &'g ModuleIndex<'f>,
    made: HashMap<(u32, Values), u32>,
    /// Variants made whose calls are still to be filled in.
    queue: Vec<(u32, u32, Values)>,
}

impl Variants<'_, '_> {
    /// The variant of `callee` that `call` (made where the caller's parameters hold
    /// `values`) leads to, if its arguments fix any parameter that matters.
    fn lead(
        &mut self,
        call: &Call,
        caller: u32,
        callee: u32,
        values: &[(u16, Lit)],
    ) -> Option<u32> {
        let mask = self.relevant[callee as usize];
        if mask == 0 {
            return None;
        }
        let function = self.functions[callee as usize];
        let literals = &self
            .modules
            .module(self.graph.ids[caller as usize].module)
            .literals;
        let fixed: Values = (0..function.params.len().min(64) as u16)
            .filter(|p| mask & (1 << p) != 0)
            .filter_map(|p| match bind(call, literals, function, p) {
                Bound::Lit(lit) => Some((p, lit.clone())),
                Bound::Param(q) => values
                    .iter()
                    .find(|(have, _)| *have == q)
                    .map(|(_, lit)| (p, lit.clone())),
                Bound::Global(name) => {
                    let module = self.graph.ids[caller as usize].module;
                    self.modules
                        .constant(module, name, &|m| self.index.module(m))
                        .map(|lit| (p, lit.clone()))
                }
                Bound::Unknown => None,
            })
            .collect();
        if fixed.is_empty() {
            return None;
        }
        let key = (callee, fixed);
        if let Some(v) = self.made.get(&key) {
            return Some(*v);
        }
        if self.made.len() >= MAX_VARIANTS {
            return None;
        }
        let g = &mut *self.graph;
        let v = g.ids.len() as u32;
        let c = callee as usize;
        g.ids.push(g.ids[c]);
        g.is_async.push(g.is_async[c]);
        g.decorator.push(g.decorator[c]);
        g.callable.push(g.callable[c]);
        g.scheduled.push(g.scheduled[c].clone());
        g.targets.push(vec![]);
        self.queue.push((v, callee, key.1.clone()));
        self.made.insert(key, v);
        Some(v)
    }

    /// The calls of variant `v` of `of`: those the values rule out are left out, and
    /// those that pass the values on lead to variants.
    fn fill(&mut self, v: u32, of: u32, values: &[(u16, Lit)]) {
        let function = self.functions[of as usize];
        let mut targets = vec![];
        let calls = self.graph.targets[of as usize].clone();
        for (call_index, target, once) in &calls {
            let call = &function.calls[*call_index as usize];
            if call.guards().iter().any(|g| ruled_out(g, values)) {
                continue;
            }
            let target = match target {
                Target::Function(callee) => match self.lead(call, v, *callee, values) {
                    Some(variant) => Target::Function(variant),
                    None => target.clone(),
                },
                Target::Blocking(..) => target.clone(),
            };
            targets.push((*call_index, target, *once));
        }
        self.graph.targets[v as usize] = targets;
    }
}

/// Which of `sites` (calls made in coroutines) no caller gets to: the call sits behind a
/// test on one of its coroutine's own parameters (`if result_store:`) that the arguments
/// of every call of the coroutine rule out (each leaves `result_store` to its default,
/// None). A coroutine a framework calls (`entries`), one handed to the loop as a
/// callback, or one no resolved call reaches keeps its calls: its arguments are not known.
pub(super) fn ruled_out_by_callers(
    graph: &Graph,
    modules: &Modules,
    entries: &HashSet<FnId>,
    edges: &[(FnId, FnId)],
    index: &ModuleIndex,
    callee_of: &dyn Fn(FnId, &Call) -> Option<FnId>,
    sites: &[(FnId, usize)],
) -> Vec<bool> {
    let guarded = |(f, call): &(FnId, usize)| {
        !entries.contains(f) && !modules.function(*f).calls[*call].guards().is_empty()
    };
    let wanted: HashSet<FnId> = sites.iter().filter(|s| guarded(s)).map(|s| s.0).collect();
    if wanted.is_empty() {
        return vec![false; sites.len()];
    }
    // Every call of a wanted coroutine: (caller, call index); None once its arguments
    // cannot all be known. Calls are matched by the name they call too, resolved or not
    // (`self.logging_obj.dispatch(...)` on an object of unknown type may be one), and a
    // coroutine passed uncalled (`partial(f, ...)`, a callback) gets unknown arguments.
    let mut callers: HashMap<FnId, Option<Vec<(FnId, usize)>>> =
        wanted.iter().map(|f| (*f, Some(vec![]))).collect();
    let mut named: HashMap<&str, Vec<FnId>> = HashMap::default();
    for f in &wanted {
        named
            .entry(modules.function(*f).name.as_str())
            .or_default()
            .push(*f);
    }
    let hashes: Vec<u64> = named.keys().map(|n| crate::facts::name_hash(n)).collect();
    let mut resolved: HashMap<FnId, Vec<FnId>> = HashMap::default();
    for &(caller, callee) in edges {
        if wanted.contains(&callee) {
            resolved.entry(caller).or_default().push(callee);
        }
    }
    for (m, facts) in modules.iter().enumerate() {
        for (name, fs) in &named {
            if facts
                .unresolved_calls
                .binary_search_by(|n| n.as_str().cmp(name))
                .is_ok()
            {
                for f in fs {
                    callers.insert(*f, None);
                }
            }
        }
        // A module that neither calls nor passes any of the names, nor calls any of the
        // coroutines by resolution, has none of their calls: its calls are not read.
        let mentions = hashes
            .iter()
            .any(|h| facts.called_names.binary_search(h).is_ok())
            || resolved.keys().any(|caller| caller.module == m as u32);
        if !mentions {
            continue;
        }
        for (i, function) in facts.functions.iter().enumerate() {
            let caller = FnId {
                module: m as u32,
                idx: i as u32,
            };
            for (ci, call) in function.calls.iter().enumerate() {
                for arg in &call.args {
                    let passed = match &arg.value {
                        Ref::Function(f) => {
                            let f = FnId {
                                module: m as u32,
                                idx: *f,
                            };
                            wanted.contains(&f).then_some(vec![f])
                        }
                        r => r.last_name().and_then(|n| named.get(n).cloned()),
                    };
                    for f in passed.into_iter().flatten() {
                        callers.insert(f, None);
                    }
                }
                let by_name = call
                    .callee
                    .last_name()
                    .and_then(|n| named.get(n))
                    .into_iter()
                    .flatten()
                    .copied();
                let by_edge = resolved
                    .get(&caller)
                    .into_iter()
                    .flatten()
                    .copied()
                    .filter(|f| callee_of(caller, call) == Some(*f));
                let mut targets: Vec<FnId> = by_name.chain(by_edge).collect();
                targets.sort_unstable_by_key(|f| (f.module, f.idx));
                targets.dedup();
                for f in targets {
                    if let Some(Some(list)) = callers.get_mut(&f) {
                        list.push((caller, ci));
                    }
                }
            }
        }
    }
    for g in 0..graph.functions {
        for (_, t) in &graph.scheduled[g] {
            let callee = graph.ids[*t as usize];
            if wanted.contains(&callee) {
                callers.insert(callee, None);
            }
        }
    }
    let by_name = |m: &str| index.module(m);
    sites
        .iter()
        .map(|site| {
            if !guarded(site) {
                return false;
            }
            let (f, call_index) = *site;
            let coroutine = modules.function(f);
            let guards = coroutine.calls[call_index].guards();
            let Some(Some(calls)) = callers.get(&f) else {
                return false;
            };
            !calls.is_empty()
                && calls.iter().all(|&(caller, ci)| {
                    let module = caller.module;
                    let call = &modules.function(caller).calls[ci];
                    let literals = &modules.module(module).literals;
                    let values: Values = guards
                        .iter()
                        .filter_map(|guard| {
                            let lit = match bind(call, literals, coroutine, guard.param) {
                                Bound::Lit(lit) => lit,
                                Bound::Global(name) => modules.constant(module, name, &by_name)?,
                                Bound::Param(_) | Bound::Unknown => return None,
                            };
                            Some((guard.param, lit.clone()))
                        })
                        .collect();
                    guards.iter().any(|guard| ruled_out(guard, &values))
                })
        })
        .collect()
}

/// Per function, a bit per parameter that decides what it reaches: one its calls'
/// guards test, or one it passes on to a parameter that does.
fn relevant_params(graph: &Graph, functions: &[&Function], modules: &Modules) -> Vec<u64> {
    let n = graph.ids.len();
    let mut relevant = vec![0u64; n];
    let mut callers: Vec<Vec<(u32, u32)>> = vec![vec![]; n];
    let mut queue = vec![];
    for (g, targets) in graph.targets.iter().enumerate() {
        let function = functions[g];
        // Only a function that keeps its parameters tests one or passes one on: the
        // others' calls are not read (most of a project's, and far apart in memory).
        if function.params.is_empty() {
            continue;
        }
        for (call_index, target, _) in targets {
            let call = &function.calls[*call_index as usize];
            for guard in call.guards() {
                if guard.param < 64 {
                    relevant[g] |= 1 << guard.param;
                }
            }
            if let Target::Function(callee) = target {
                callers[*callee as usize].push((g as u32, *call_index));
            }
        }
        if relevant[g] != 0 {
            queue.push(g as u32);
        }
    }
    while let Some(callee) = queue.pop() {
        let function = functions[callee as usize];
        let mask = relevant[callee as usize];
        for &(caller, call_index) in &callers[callee as usize] {
            let call = &functions[caller as usize].calls[call_index as usize];
            let mut passed = 0u64;
            let literals = &modules.module(graph.ids[caller as usize].module).literals;
            for p in (0..function.params.len().min(64) as u16).filter(|p| mask & (1 << p) != 0) {
                if let Bound::Param(q) = bind(call, literals, function, p) {
                    if q < 64 {
                        passed |= 1 << q;
                    }
                }
            }
            let had = relevant[caller as usize];
            relevant[caller as usize] |= passed;
            if relevant[caller as usize] != had {
                queue.push(caller);
            }
        }
    }
    relevant
}

/// What a call gives a parameter of its callee.
enum Bound<'c> {
    Lit(&'c Lit),
    /// The caller's own parameter.
    Param(u16),
    /// A module-level name of the caller's module.
    Global(&'c Name),
    Unknown,
}

/// What `call` (made in a module with these `literals`) binds to parameter `p` of
/// `callee`: by keyword, by position (after `self` or `cls`), or the parameter's literal
/// default when the call leaves it out.
fn bind<'c>(call: &'c Call, literals: &'c [Lit], callee: &'c Function, p: u16) -> Bound<'c> {
    let Some(param) = callee.params.get(p as usize) else {
        return Bound::Unknown;
    };
    let from_given = |given: &'c Given| match *given {
        Given::Lit(i) => Bound::Lit(&literals[i as usize]),
        Given::Param(q) => Bound::Param(q),
        Given::Global(i) => match &literals[i as usize] {
            Lit::Str(name) => Bound::Global(name),
            _ => Bound::Unknown,
        },
        Given::Unknown | Given::Splat | Given::Prefix(_) => Bound::Unknown,
    };
    if let Some(arg) = call
        .args
        .iter()
        .find(|a| a.keyword.as_deref() == Some(param.name.as_str()))
    {
        return from_given(&arg.given);
    }
    let bound_first = matches!(
        callee.kind,
        FunctionKind::Method | FunctionKind::ClassMethod | FunctionKind::Property
    );
    let mut position = usize::from(bound_first);
    let mut splat = false;
    for arg in &call.args {
        if matches!(arg.given, Given::Splat) {
            splat = true;
            break;
        }
        if arg.keyword.is_some() {
            continue;
        }
        if position == p as usize {
            return match param.positional {
                true => from_given(&arg.given),
                false => Bound::Unknown,
            };
        }
        position += 1;
    }
    if splat || call.args.iter().any(|a| matches!(a.given, Given::Splat)) {
        return Bound::Unknown;
    }
    match &param.default {
        Some(lit) => Bound::Lit(lit),
        None => Bound::Unknown,
    }
}

/// Whether the values make the guard fail, whichever of its rewrites ran.
fn ruled_out(guard: &Guard, values: &[(u16, Lit)]) -> bool {
    let Some((_, value)) = values.iter().find(|(p, _)| *p == guard.param) else {
        return false;
    };
    let n = guard.transforms.len();
    (0..1u32 << n).all(|ran| {
        let mut value = value.clone();
        for (i, t) in guard.transforms.iter().enumerate() {
            if ran & (1 << i) != 0 {
                match rewrite(&value, t) {
                    Some(v) => value = v,
                    None => return false,
                }
            }
        }
        evaluate(&guard.test, &value) == Some(!guard.holds)
    })
}

fn rewrite(value: &Lit, t: &Transform) -> Option<Lit> {
    let Lit::Str(s) = value else { return None };
    let s: &str = s;
    let out = match t {
        Transform::Replace(from, to) => s.replace(from.as_str(), to),
        Transform::RemovePrefix(prefix) => s.strip_prefix(prefix.as_str()).unwrap_or(s).to_string(),
        Transform::Strip => s.trim().to_string(),
        Transform::Lower => s.to_lowercase(),
        Transform::Upper => s.to_uppercase(),
    };
    Some(Lit::Str(out.into()))
}

/// The test's outcome on a literal, when Python's is certain.
fn evaluate(test: &Test, value: &Lit) -> Option<bool> {
    match (test, value) {
        (Test::Is(expected), _) => Some(value == expected),
        (Test::Truthy, Lit::None) => Some(false),
        (Test::Truthy, Lit::Bool(b)) => Some(*b),
        (Test::Truthy, Lit::Int(i)) => Some(*i != 0),
        (Test::Truthy, Lit::Str(s)) => Some(!s.is_empty()),
        // `1 == True` holds in Python.
        (Test::Eq(Lit::Bool(_)), Lit::Int(_)) | (Test::Eq(Lit::Int(_)), Lit::Bool(_)) => None,
        (Test::Eq(expected), _) => Some(value == expected),
        (Test::StartsWith(prefix), Lit::Str(s)) => Some(s.starts_with(prefix.as_str())),
        (Test::StartsWith(_), _) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(test: Test, holds: bool, transforms: Vec<Transform>) -> Guard {
        Guard {
            param: 0,
            test,
            holds,
            transforms,
        }
    }

    fn s(text: &str) -> Lit {
        Lit::Str(text.into())
    }

    #[test]
    fn a_prefix_test_rules_out_other_names_whichever_rewrite_ran() {
        let oidc = guard(
            Test::StartsWith("oidc/".into()),
            true,
            vec![Transform::Replace("os.environ/".into(), "".into())],
        );
        assert!(ruled_out(&oidc, &[(0, s("OPENAI_API_KEY"))]));
        assert!(!ruled_out(&oidc, &[(0, s("oidc/google/x"))]));
        // The rewrite may have run: `os.environ/oidc/...` becomes an OIDC name.
        assert!(!ruled_out(&oidc, &[(0, s("os.environ/oidc/google/x"))]));
        // A value not known says nothing.
        assert!(!ruled_out(&oidc, &[(1, s("OPENAI_API_KEY"))]));
    }

    #[test]
    fn identity_equality_and_truth_follow_python() {
        let local_only_false = guard(Test::Is(Lit::Bool(false)), true, vec![]);
        assert!(ruled_out(&local_only_false, &[(0, Lit::Bool(true))]));
        assert!(!ruled_out(&local_only_false, &[(0, Lit::Bool(false))]));
        let missing = guard(Test::Is(Lit::None), true, vec![]);
        assert!(ruled_out(&missing, &[(0, s("x"))]));
        assert!(!ruled_out(&missing, &[(0, Lit::None)]));
        let truthy = guard(Test::Truthy, true, vec![]);
        assert!(ruled_out(&truthy, &[(0, s(""))]));
        assert!(ruled_out(&truthy, &[(0, Lit::Int(0))]));
        assert!(!ruled_out(&truthy, &[(0, s("x"))]));
        // `1 == True` is true in Python: not ruled out either way.
        let eq_true = guard(Test::Eq(Lit::Bool(true)), true, vec![]);
        assert!(!ruled_out(&eq_true, &[(0, Lit::Int(1))]));
        assert!(!ruled_out(&eq_true, &[(0, Lit::Int(0))]));
        let not_google = guard(Test::Eq(s("google")), false, vec![]);
        assert!(ruled_out(&not_google, &[(0, s("google"))]));
        // `startswith` on a number raises: nothing is certain.
        let prefix = guard(Test::StartsWith("a".into()), true, vec![]);
        assert!(!ruled_out(&prefix, &[(0, Lit::Int(3))]));
    }
}
