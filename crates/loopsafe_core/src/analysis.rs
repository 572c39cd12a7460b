//! The whole-project analysis: resolving the calls, detecting the frameworks' entry
//! points, and concluding what blocks the loop, from scratch or from what the last run
//! kept ([`Plan`]).

use rayon::prelude::*;

use crate::arena::{pool, ParseScope};
use crate::cache;
use crate::catalogue::Catalogue;
use crate::config::Settings;
use crate::facts::{self, ModuleFacts, Modules};
use crate::frameworks;
use crate::load::{self, Facts};
use crate::project::{self, Project};
use crate::propagate;
use crate::rules::{self, Rule};
use crate::suppress::counting;

/// What the analysis needs besides the modules.
pub(crate) struct Context<'a> {
    pub(crate) catalogue: &'a Catalogue,
    pub(crate) settings: &'a Settings,
    pub(crate) scope: Option<ParseScope>,
    pub(crate) cache: Option<&'a cache::Cache>,
    /// Resolve every function, not only what runs on the loop: the notes list what
    /// blocks off it too.
    pub(crate) everything: bool,
    /// Also work out what the next run needs to resume from.
    pub(crate) keep: bool,
    /// How many of the modules are the project's: those after them are installed
    /// packages', analysed for what project code calls in them, never reported.
    pub(crate) project_modules: usize,
}

/// The modules and what the analysis concluded from them.
pub(crate) struct Analysed<'m> {
    pub(crate) modules: Modules<'m>,
    pub(crate) analysis: Analysis,
    /// Everything the resolution found, and the frameworks detected: from a fresh
    /// analysis only (the notes are made from them).
    pub(crate) found: Option<(propagate::Findings, frameworks::Frameworks)>,
    /// What the next run may resume from.
    pub(crate) resumable: Option<Resumable>,
    pub(crate) reused: bool,
    pub(crate) resumed: bool,
    /// How many of the modules are the project's ([`Context::project_modules`]).
    pub(crate) project_modules: usize,
}

/// The cache turned out damaged: nothing concluded from it is to be trusted.
pub(crate) struct Damaged;

/// What the analysis starts from.
// One per check: boxing the biggest would save nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Plan {
    /// The last run's conclusions hold: the facts all have the shape they had.
    Reuse(Analysis),
    /// The last run's resolution holds for every module not edited.
    Resume(Resumable),
    Fresh,
}

/// Analyses the project as `plan` says. `decode` reads a module's facts from the cache
/// when the analysis first needs them (reused or resumed, most are never read).
pub(crate) fn run<'m>(
    plan: Plan,
    mut loaded: Vec<Facts>,
    names: Vec<&'m str>,
    decode: &'m (dyn Fn(usize) -> Option<ModuleFacts> + Sync),
    cx: &Context,
) -> Result<Analysed<'m>, Damaged> {
    // Parsed again: not as the cache has them.
    // The installed modules are the same as the last run's whenever its analysis is
    // used at all (its key names them).
    let changed: Vec<bool> = (loaded.iter().enumerate())
        .map(|(m, f)| f.stored().is_none() && m < cx.project_modules)
        .collect();
    // Only the facts the analysis reads are decoded, as it reads them.
    let lazily = |loaded: Vec<Facts>| {
        let facts = loaded
            .into_iter()
            .map(|f| match f {
                Facts::Ready(facts) => Some(facts),
                Facts::Stored(_) => None,
            })
            .collect();
        Modules::lazy(facts, names, decode)
    };
    let damaged = |modules: Modules| {
        ParseScope::release(cx.scope, modules.into_loaded());
        Err(Damaged)
    };
    let analysed = |modules, analysis, found, resumable| Analysed {
        modules,
        analysis,
        found,
        resumable,
        reused: false,
        resumed: false,
        project_modules: cx.project_modules,
    };
    match plan {
        // With the analysis known, only the modules its findings are in are decoded.
        Plan::Reuse(mut analysis) => {
            let modules = lazily(loaded);
            if !prefetch(&modules, &analysis) || !analysis.refresh(&modules) || modules.damaged() {
                return damaged(modules);
            }
            let mut done = analysed(modules, analysis, None, None);
            done.reused = true;
            Ok(done)
        }
        Plan::Resume(resumable) => {
            let modules = lazily(loaded);
            let Some((analysis, _, kept)) = reanalyze(&modules, cx, resumable, &changed) else {
                return damaged(modules);
            };
            if !prefetch(&modules, &analysis) || modules.damaged() {
                return damaged(modules);
            }
            let mut done = analysed(modules, analysis, None, Some(kept));
            done.resumed = true;
            Ok(done)
        }
        Plan::Fresh => {
            if !pool().install(|| load::decode_all(&mut loaded, cx.scope, cx.cache)) {
                ParseScope::release(cx.scope, loaded);
                return Err(Damaged);
            }
            let modules = Modules::ready(loaded.into_iter().map(Facts::or_empty).collect());
            let (analysis, found, detected, kept) = analyze(&modules, cx);
            Ok(analysed(modules, analysis, Some((found, detected)), kept))
        }
    }
}

/// What the whole-project analysis concludes, in the form the findings are built from.
/// It is kept in the cache with the facts it came from: a run whose modules all have the
/// same facts, or facts of the same shape ([`ModuleFacts::same_shape`]), reuses it
/// instead of analysing the project again.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Analysis {
    /// Blocking calls in coroutines (and in sync functions run on the loop), with the
    /// entry points above each.
    pub(crate) direct: Vec<(project::DirectFinding, Option<frameworks::Hotspot>)>,
    pub(crate) helpers: Vec<(propagate::HelperFinding, Option<frameworks::Hotspot>)>,
    pub(crate) entries: Vec<frameworks::Entry>,
    pub(crate) routes: usize,
    /// How often the project's coroutines run sync code in a thread each way
    /// ([`crate::fixer::Offload::most_used`]'s order): every thread fix uses the most common.
    pub(crate) offload_uses: [usize; 3],
}

impl Analysis {
    /// Which modules the findings and entry points are in: the only facts building the
    /// findings reads (a hotspot's entry points are among the entries). None when a
    /// module is out of range (a damaged cache).
    fn modules(&self, count: usize) -> Option<Vec<bool>> {
        let mut needed = vec![false; count];
        for f in self.functions() {
            *needed.get_mut(f.module as usize)? = true;
        }
        Some(needed)
    }

    /// The functions the findings, their chains and the entry points are in.
    pub(crate) fn functions(&self) -> impl Iterator<Item = project::FnId> + '_ {
        let helpers = self.helpers.iter().flat_map(|(h, _)| {
            std::iter::once(h.caller.function).chain(h.chain.iter().map(|s| s.function))
        });
        (self.direct.iter().map(|(d, _)| d.function))
            .chain(helpers)
            .chain(
                self.entries
                    .iter()
                    .filter(|e| e.framework != frameworks::STARTUP_BY_NAME)
                    .map(|e| e.function),
            )
    }

    /// Points each finding at where its call is now: facts of the same shape have the
    /// same calls, perhaps on other lines. False when a finding names a call the facts do
    /// not have (a damaged cache).
    fn refresh(&mut self, modules: &Modules) -> bool {
        let exists = |f: project::FnId, call: usize| {
            modules
                .get(f.module as usize)
                .and_then(|m| m.functions.get(f.idx as usize))
                .and_then(|func| func.calls.get(call))
        };
        for (d, _) in &mut self.direct {
            let Some(call) = exists(d.function, d.call_index) else {
                return false;
            };
            d.span = call.func_span;
            d.call_span = call.span;
        }
        let entries_exist = self.entries.iter().all(|e| {
            modules
                .get(e.function.module as usize)
                .is_some_and(|m| m.functions.len() > e.function.idx as usize)
        });
        entries_exist
            && self.helpers.iter().all(|(h, _)| {
                !h.chain.is_empty()
                    && std::iter::once(&h.caller)
                        .chain(&h.chain)
                        .all(|s| exists(s.function, s.call_index).is_some())
            })
    }
}

/// The settings the analysis depends on, as the key its memo is kept under.
pub(crate) fn analysis_key(settings: &Settings, catalogue: &Catalogue) -> u64 {
    let mut key = format!(
        "{catalogue:?} tests:{} scripts:{:?}",
        settings.check_tests, settings.console_scripts
    );
    for info in rules::RULES {
        key.push(if settings.is_enabled(info.rule) {
            '1'
        } else {
            '0'
        });
        key.push(if settings.is_root_enabled(info.rule) {
            '1'
        } else {
            '0'
        });
    }
    cache::content_hash(&key)
}

/// Decodes side by side the facts the findings are built from, before they are read one
/// by one. False when a finding names a module that does not exist (a damaged cache).
fn prefetch(modules: &Modules, analysis: &Analysis) -> bool {
    let Some(needed) = analysis.modules(modules.len()) else {
        return false;
    };
    pool().install(|| {
        needed.par_iter().enumerate().for_each(|(m, needed)| {
            if *needed {
                modules.get(m);
            }
        })
    });
    true
}

/// What a run keeps in the cache besides the analysis's conclusions, so that the next
/// run, after an edit that changes some calls but nothing other modules rely on
/// ([`facts::ModuleFacts::same_interface`]), resolves only the edited modules' calls again.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct Resumable {
    resolution: propagate::SavedResolution,
    /// What framework detection found, before the settings and the call graph refine it.
    detected: frameworks::Frameworks,
    /// [`facts::ModuleFacts::mentions`] of every module, sorted.
    mentions: Vec<u64>,
    /// The modules that store something on a Starlette `state` (read by every module
    /// that reads one).
    state_modules: Vec<u32>,
    /// Where the classes typed from their constructions are constructed.
    constructions: project::ConstructionSites,
}

impl Resumable {
    pub(crate) fn mentioned(&self, name: &str) -> bool {
        self.mentions.binary_search(&facts::name_hash(name)).is_ok()
    }

    /// Whether a call may construct a class whose attributes are typed from its
    /// constructions: adding or removing one changes them, in whatever module.
    pub(crate) fn may_construct(&self, call: &facts::Call) -> bool {
        self.constructions.may_construct(&call.callee)
    }
}

/// [`facts::ModuleFacts::mentions`] of the first `own` modules (the project's: an
/// installed package's code never names a project module's), sorted, each once.
fn mentions_of(modules: &Modules, own: usize) -> Vec<u64> {
    // Most names repeat (`self`, a module's imports): a set per thread keeps each once.
    let mut all: Vec<u64> = (0..own.min(modules.len()))
        .into_par_iter()
        .fold(
            || (rustc_hash::FxHashSet::default(), Vec::new()),
            |(mut set, mut one), m| {
                one.clear();
                modules[m].mentions(&mut one);
                set.extend(one.iter().copied());
                (set, one)
            },
        )
        .map(|(set, _)| set)
        .reduce(rustc_hash::FxHashSet::default, |mut a, b| {
            a.extend(b);
            a
        })
        .into_iter()
        .collect();
    all.par_sort_unstable();
    all
}

/// Resolves the project's calls, finds the frameworks' entry points and what blocks.
/// With `keep`, also what the next run needs to pick up from here ([`Resumable`]).
fn analyze<'a>(
    modules: &'a Modules<'a>,
    cx: &Context<'a>,
) -> (
    Analysis,
    propagate::Findings,
    frameworks::Frameworks,
    Option<Resumable>,
) {
    let (catalogue, settings, everything, keep) =
        (cx.catalogue, cx.settings, cx.everything, cx.keep);
    let project_modules = cx.project_modules;
    let counts = counting(modules, settings);
    let follow_helpers = settings.is_enabled(Rule::BlockingCallThroughHelper);
    // Only what can run on the loop needs resolving, unless the notes are to list the
    // blocking calls that run off it too. The coroutines are known at once, the
    // functions the frameworks run once they are detected: detection needs nothing from
    // the resolving, so both run at once.
    let mut resolution = propagate::Resolution::new(modules);
    // Installed packages' functions are resolved only as the project's reach them.
    let first: Vec<project::FnId> = resolution
        .all()
        .into_iter()
        .filter(|f| (f.module as usize) < project_modules)
        .filter(|f| everything || modules.function(*f).is_async)
        .collect();
    // With every project function a root, only installed code is left to reach.
    let follow = !everything || project_modules < modules.len();
    let resolve = |r: &mut propagate::Resolution, roots| {
        r.resolve(modules, catalogue, follow_helpers, &counts, roots, follow);
    };
    let index = resolution.module_index();
    let detect_index = index.clone();
    let ((), detected) = pool().install(|| {
        rayon::join(
            || resolve(&mut resolution, first),
            || {
                let mut project = Project::with_index(modules, catalogue, detect_index);
                project.own_modules = project_modules;
                frameworks::detect(&project, &settings.console_scripts)
            },
        )
    });
    let mut detected = detected;
    detected.retain_modules(|m| (m as usize) < project_modules);
    let raw = (keep && !everything).then(|| detected.clone());
    if settings.check_tests {
        detected.check_tests();
    }
    pool().install(|| resolve(&mut resolution, detected.functions()));
    let resumable = raw.map(|detected| {
        let (mentions, state_modules) = pool().install(|| {
            rayon::join(
                || mentions_of(modules, project_modules),
                || {
                    (0..modules.len() as u32)
                        .filter(|m| {
                            let m = &modules[*m as usize];
                            !m.state_attrs.is_empty() || !m.outside_attrs.is_empty()
                        })
                        .collect()
                },
            )
        });
        Resumable {
            resolution: resolution.save(),
            detected,
            mentions,
            state_modules,
            constructions: index
                .construction_sites()
                .cloned()
                .unwrap_or_else(|| project::ConstructionSites::of(modules)),
        }
    });
    let (analysis, found, detected) = conclude(modules, index, cx, resolution, detected, &counts);
    (analysis, found, detected, resumable)
}

/// [`analyze`] after an edit that leaves other modules' view of the edited ones as it was
/// ([`facts::ModuleFacts::same_interface`]): the last run's resolution and framework
/// detection are picked up, and only the `changed` modules' calls are resolved again
/// (with any function that the loop now reaches for the first time). The facts of the
/// other modules are read only where that needs them. None when what was kept does not
/// fit these modules.
fn reanalyze<'a>(
    modules: &'a Modules<'a>,
    cx: &Context<'a>,
    kept: Resumable,
    changed: &[bool],
) -> Option<(Analysis, propagate::Findings, Resumable)> {
    let (catalogue, settings) = (cx.catalogue, cx.settings);
    let counts = counting(modules, settings);
    let follow_helpers = settings.is_enabled(Rule::BlockingCallThroughHelper);
    let Resumable {
        resolution,
        detected: raw,
        mut mentions,
        state_modules,
        constructions,
    } = kept;
    if state_modules.iter().any(|m| *m as usize >= modules.len()) {
        return None;
    }
    let index = project::ModuleIndex::new(modules, Some(&state_modules))
        .with_constructions(modules, &constructions)?;
    let index = std::sync::Arc::new(index);
    let mut detected = raw.clone();
    if settings.check_tests {
        detected.check_tests();
    }
    let resolution = propagate::Resolution::resume(
        modules,
        index.clone(),
        resolution,
        changed,
        catalogue,
        follow_helpers,
        &counts,
        detected.functions(),
    )?;
    // Names the edited modules mention now may be looked up from now on.
    for (m, _) in changed.iter().enumerate().filter(|(_, c)| **c) {
        modules[m].mentions(&mut mentions);
    }
    mentions.sort_unstable();
    mentions.dedup();
    let resumable = Resumable {
        resolution: resolution.save(),
        detected: raw,
        mentions,
        state_modules,
        constructions,
    };
    let (analysis, found, _) = conclude(modules, index, cx, resolution, detected, &counts);
    Some((analysis, found, resumable))
}

/// From the resolved calls to the findings, each with the entry points above it.
fn conclude<'a>(
    modules: &'a Modules<'a>,
    index: std::sync::Arc<project::ModuleIndex<'a>>,
    cx: &Context<'a>,
    resolution: propagate::Resolution<'a>,
    mut detected: frameworks::Frameworks,
    counts: &propagate::Counts<'_>,
) -> (Analysis, propagate::Findings, frameworks::Frameworks) {
    let (catalogue, settings) = (cx.catalogue, cx.settings);
    // Nothing is reported in an installed package's code: it is only a chain's hops.
    let own = |f: project::FnId| (f.module as usize) < cx.project_modules;
    let follow_helpers = settings.is_enabled(Rule::BlockingCallThroughHelper);
    let mut found = pool().install(|| propagate::findings(resolution, modules, follow_helpers));
    propagate::sync_on_loop(
        &mut found,
        modules,
        index.clone(),
        catalogue,
        follow_helpers,
        counts,
        &detected.sync_on_loop,
    );
    // What a framework calls gets arguments nobody here wrote.
    let called_by_frameworks = detected.called_by_frameworks();
    let project = project::Project::with_index(modules, catalogue, index.clone());
    let callee_of = |caller: project::FnId, call: &crate::facts::Call| match project
        .callee(caller.module, call)
    {
        project::Callee::Project(f) => Some(f),
        _ => None,
    };
    found.drop_ruled_out_by_callers(modules, &called_by_frameworks, &index, &callee_of);
    detected.settle_scripts(&found.edges);
    detected.extend_own_loop(|f| found.is_async(f), &found.edges);
    let mut reach = frameworks::Reach::new(&detected, &found.edges);
    let mut hotspot = |f: project::FnId| (!detected.entries.is_empty()).then(|| reach.hotspot(f));
    // Flask's async views and the tests each run on a loop of their own: what blocks
    // there stalls no request of the service's (the report's notes list it).
    let direct = found
        .direct
        .iter()
        .filter(|f| own(f.function) && !detected.exempts(f.function, f.rule))
        .map(|f| (f.clone(), hotspot(f.function)))
        .collect();
    let helpers = found
        .helpers
        .iter()
        .filter(|f| own(f.caller.function) && !detected.on_own_loop(f.caller.function))
        .map(|f| (f.clone(), hotspot(f.caller.function)))
        .collect();
    let analysis = Analysis {
        direct,
        helpers,
        entries: detected.entries.clone(),
        routes: reach.routes(),
        offload_uses: offload_uses(modules, &found.offloaded),
    };
    (analysis, found, detected)
}

/// How many calls in coroutines run sync code in a thread each way: counted from the
/// resolved calls rather than by reading every file again for the fixes. Only coroutines
/// count, so that a check and the report (which resolves every function) agree.
fn offload_uses(modules: &Modules, offloaded: &[propagate::Offload]) -> [usize; 3] {
    let mut uses = [0; 3];
    for o in offloaded {
        if !modules.function(o.function).is_async {
            continue;
        }
        if let Some(form) = crate::fixer::Offload::counted_as(&o.api) {
            uses[form] += 1;
        }
    }
    uses
}
