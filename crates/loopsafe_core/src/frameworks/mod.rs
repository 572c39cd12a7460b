//! Frameworks: which functions the event loop runs for each request (entry points), and
//! which run off the loop, where blocking is acceptable. One file per framework says so.
//!
//! Detection reads decorators and registration calls through the project stage, so it
//! sees `router = APIRouter()` in one module and `@router.post(...)` in another.

mod aiohttp;
mod celery;
mod cli_apps;
mod django;
mod fastapi;
mod flask;
mod homeassistant;
mod litestar;
mod quart;
mod sanic;
mod scripts;
mod startup;
mod tasks;

pub use startup::BY_NAME as STARTUP_BY_NAME;
mod test_suites;
mod tornado;

use std::collections::{BTreeSet, VecDeque};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::facts::{decorator_callee, Call, Ref};
use crate::off_loop::Reason;
use crate::project::{FnId, Project, Value};

/// The packages detection recognises by name (`fastapi.FastAPI`, `click.command`): the
/// code installed for them is never followed, or their names would resolve to that code
/// instead of the names detection looks for.
pub const PACKAGES: &[&str] = &[
    "aiohttp",
    "anyio",
    "asyncclick",
    "celery",
    "click",
    "cyclopts",
    "django",
    "fastapi",
    "flask",
    "litestar",
    "pytest",
    "pytest_asyncio",
    "quart",
    "sanic",
    "starlette",
    "tornado",
    "trio",
    "typer",
    "uvloop",
];

/// How an entry point is reached, worst first: middleware runs for every request.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum EntryKind {
    Middleware,
    Dependency,
    Route,
    Startup,
    ExceptionHandler,
    /// Code that runs once as the service stops: `shutdown()`, `finalize()`.
    Shutdown,
    /// A coroutine that loops, started as a background task
    /// (`asyncio.create_task(poll())`): it runs again and again for as long as the
    /// service does, whoever started it.
    Background,
}

impl EntryKind {
    /// Whether code under it runs once: as the service starts, or as it stops.
    pub fn runs_once(self) -> bool {
        matches!(self, EntryKind::Startup | EntryKind::Shutdown)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Middleware => "middleware",
            EntryKind::Dependency => "dependency",
            EntryKind::Route => "route",
            EntryKind::Startup => "startup",
            EntryKind::ExceptionHandler => "exception-handler",
            EntryKind::Shutdown => "shutdown",
            EntryKind::Background => "background-task",
        }
    }
}

/// A function the framework calls on the event loop.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Entry {
    pub kind: EntryKind,
    pub function: FnId,
    pub framework: &'static str,
}

/// An [`Entry`] read back from the cache, its framework's name not yet the `&'static str`
/// the framework's file wrote.
#[derive(serde::Deserialize)]
struct SavedEntry {
    kind: EntryKind,
    function: FnId,
    framework: String,
}

impl<'de> serde::Deserialize<'de> for Entry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Entry, D::Error> {
        let e = SavedEntry::deserialize(d)?;
        // Each distinct name is allocated once per process.
        static NAMES: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
        let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
        let framework = match names.iter().find(|n| **n == e.framework) {
            Some(known) => known,
            None => {
                let leaked: &'static str = Box::leak(e.framework.into_boxed_str());
                names.push(leaked);
                leaked
            }
        };
        Ok(Entry {
            kind: e.kind,
            function: e.function,
            framework,
        })
    }
}

#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct Frameworks {
    pub entries: Vec<Entry>,
    /// (dependency, route that uses it).
    pub uses: Vec<(FnId, FnId)>,
    /// Every route, sync ones included: a middleware runs for all of them.
    pub routes: Vec<FnId>,
    /// Functions a framework runs off the loop, and why.
    pub off_loop: Vec<(FnId, Reason)>,
    /// Sync functions a framework calls on the event loop itself (Tornado, Sanic): their
    /// blocking calls are findings, as a coroutine's are.
    pub sync_on_loop: Vec<FnId>,
    /// Coroutines a framework runs on an event loop of their own, one per request (Flask's
    /// async views): their blocking calls stall no other request.
    pub own_loop: HashSet<FnId>,
    /// Coroutines of the test suite, run on the test runner's event loop.
    pub tests: HashSet<FnId>,
    /// What a script may run on a loop of its own (`asyncio.run(main())` under
    /// `if __name__ == "__main__":`): candidates until [`Frameworks::settle_scripts`]
    /// has seen who else calls them.
    #[serde(default)]
    pub scripts: Vec<FnId>,
    /// Coroutines sync code starts on a loop of its own (`asyncio.run(refresh())` in a
    /// thread's target), with the function that starts each: candidates, as `scripts`.
    #[serde(default)]
    pub started_by_sync: Vec<(FnId, FnId)>,
}

impl Frameworks {
    /// Every function the frameworks say something of: where the event loop (or a
    /// route, or a thread) starts running project code.
    pub fn functions(&self) -> Vec<FnId> {
        let mut out: Vec<FnId> = self.entries.iter().map(|e| e.function).collect();
        out.extend(self.uses.iter().flat_map(|(dep, route)| [*dep, *route]));
        out.extend(&self.routes);
        out.extend(self.off_loop.iter().map(|(f, _)| *f));
        out.extend(&self.sync_on_loop);
        out.extend(&self.own_loop);
        out.extend(&self.tests);
        // The sync ones, so that their calls (of the coroutine they run) are known.
        out.extend(&self.scripts);
        out.extend(
            self.started_by_sync
                .iter()
                .flat_map(|(sync, run)| [*sync, *run]),
        );
        out
    }

    fn script(&mut self, f: FnId) {
        if !self.scripts.contains(&f) {
            self.scripts.push(f);
        }
    }

    fn started_by_sync(&mut self, caller: FnId, coroutine: FnId) {
        if !self.started_by_sync.contains(&(caller, coroutine)) {
            self.started_by_sync.push((caller, coroutine));
        }
    }

    /// Puts on a loop of their own the candidates that run only there: script candidates
    /// and coroutines sync code starts, that are no entry point and are called by nothing
    /// but other such candidates (the `__main__` block is nobody's caller, nor is the
    /// `asyncio.run(...)` that starts a coroutine). A coroutine a route awaits too, or a
    /// function service code calls, is the service's and stays reported.
    pub fn settle_scripts(&mut self, edges: &[(FnId, FnId)]) {
        if self.scripts.is_empty() && self.started_by_sync.is_empty() {
            return;
        }
        let service = self.called_by_frameworks();
        let started: HashSet<(FnId, FnId)> = self.started_by_sync.iter().copied().collect();
        let mut kept: HashSet<FnId> = self
            .scripts
            .iter()
            .chain(self.started_by_sync.iter().map(|(_, f)| f))
            .copied()
            .filter(|f| !service.contains(f))
            .collect();
        loop {
            let before = kept.len();
            for edge @ (caller, callee) in edges {
                if !kept.contains(caller) && !started.contains(edge) {
                    kept.remove(callee);
                }
            }
            if kept.len() == before {
                break;
            }
        }
        for f in self.scripts.clone() {
            if kept.contains(&f) {
                self.own_loop(f, Reason::Script);
            }
        }
        for (sync, f) in self.started_by_sync.clone() {
            if kept.contains(&f) && !self.own_loop.contains(&f) {
                // Under the view that starts it (a Flask view's), when a framework says
                // where that runs.
                let why = self.off_loop.iter().find(|(g, _)| *g == sync);
                self.own_loop(f, why.map_or(Reason::StartedBySyncCode, |(_, r)| *r));
            }
        }
    }

    /// What a framework itself calls: entry points, routes (sync ones too) and sync
    /// handlers it runs on the loop. The service's code, with arguments no caller in the
    /// project chose.
    pub fn called_by_frameworks(&self) -> HashSet<FnId> {
        self.entries
            .iter()
            .map(|e| e.function)
            .chain(self.routes.iter().copied())
            .chain(self.sync_on_loop.iter().copied())
            .collect()
    }

    fn route(&mut self, function: FnId) {
        if !self.routes.contains(&function) {
            self.routes.push(function);
        }
    }

    fn entry(&mut self, kind: EntryKind, function: FnId, framework: &'static str) {
        if kind == EntryKind::Route {
            self.route(function);
        }
        let e = Entry {
            kind,
            function,
            framework,
        };
        if !self.entries.contains(&e) {
            self.entries.push(e);
        }
    }

    /// An entry point when it is `async def`; a plain `def` one the framework runs in a
    /// thread (`why`), off the loop. A route counts either way: a middleware runs for it.
    fn entry_unless_sync(
        &mut self,
        project: &Project,
        kind: EntryKind,
        f: FnId,
        framework: &'static str,
        why: Reason,
    ) {
        if project.modules.function(f).is_async {
            self.entry(kind, f, framework);
        } else {
            if kind == EntryKind::Route {
                self.route(f);
            }
            self.off(f, why);
        }
    }

    /// An entry point that runs on the loop whether it is `async def` or plain `def`.
    fn handler(&mut self, project: &Project, kind: EntryKind, f: FnId, framework: &'static str) {
        self.entry(kind, f, framework);
        let is_async = project.modules.function(f).is_async;
        if !is_async && !self.sync_on_loop.contains(&f) {
            self.sync_on_loop.push(f);
        }
    }

    /// Adds the coroutines that run only on the loops of [`Frameworks::own_loop`]
    /// functions: those whose every caller is one of them (`await fetch()` in a Flask
    /// view, `asyncio.run(main())` in a sync one), and so on down.
    pub fn extend_own_loop(&mut self, is_async: impl Fn(FnId) -> bool, edges: &[(FnId, FnId)]) {
        if self.own_loop.is_empty() {
            return;
        }
        let mut callers: HashMap<FnId, Vec<FnId>> = HashMap::default();
        for (caller, callee) in edges {
            if is_async(*callee) {
                callers.entry(*callee).or_default().push(*caller);
            }
        }
        let entries: HashSet<FnId> = self.entries.iter().map(|e| e.function).collect();
        let mut added = vec![];
        loop {
            let before = added.len();
            for (f, cs) in &callers {
                let own = &self.own_loop;
                if !own.contains(f) && !entries.contains(f) && cs.iter().all(|c| own.contains(c)) {
                    self.own_loop.insert(*f);
                    added.push(*f);
                }
            }
            if added.len() == before {
                break;
            }
        }
        for f in added {
            // Under the view it runs for, in the report's notes.
            let why = self
                .off_loop
                .iter()
                .find(|(g, _)| callers[&f].contains(g))
                .map(|(_, r)| *r);
            if let Some(why) = why {
                self.off(f, why);
            }
        }
    }

    /// Keeps only what is said of functions in the modules `keep` accepts: installed
    /// packages' code is followed for what it calls, never taken for routes, start-up
    /// code or tests.
    pub fn retain_modules(&mut self, keep: impl Fn(u32) -> bool) {
        let keep = |f: &FnId| keep(f.module);
        self.entries.retain(|e| keep(&e.function));
        self.uses.retain(|(dep, route)| keep(dep) && keep(route));
        self.routes.retain(keep);
        self.off_loop.retain(|(f, _)| keep(f));
        self.sync_on_loop.retain(keep);
        self.own_loop.retain(keep);
        self.tests.retain(keep);
        self.scripts.retain(keep);
        self.started_by_sync.retain(|(a, b)| keep(a) && keep(b));
    }

    /// Treats the test suite's coroutines as the service's (`check-tests`): their blocking
    /// calls are reported, not listed as acceptable.
    pub fn check_tests(&mut self) {
        self.tests.clear();
        self.off_loop.retain(|(_, why)| *why != Reason::Test);
    }

    /// Whether `f` runs on an event loop of its own, not the service's: a Flask view's, a
    /// test's.
    pub fn on_own_loop(&self, f: FnId) -> bool {
        self.own_loop.contains(&f) || self.tests.contains(&f)
    }

    /// Whether a blocking call `rule` reports, made directly in `f`, is no finding: `f` runs
    /// on a loop of its own. Except loop re-entry (`asyncio.run` in a coroutine) in a
    /// script: it raises on the script's running loop as on any other, a bug, not a stall.
    pub fn exempts(&self, f: FnId, rule: crate::rules::Rule) -> bool {
        self.on_own_loop(f)
            && !(rule.code().starts_with("LS1") && self.off_loop.contains(&(f, Reason::Script)))
    }

    /// A view that runs off the shared loop: a sync one in a worker thread, an async one
    /// in a loop of its own.
    fn own_loop(&mut self, f: FnId, why: Reason) {
        self.off(f, why);
        self.own_loop.insert(f);
    }

    fn off(&mut self, function: FnId, why: Reason) {
        if !self.off_loop.contains(&(function, why)) {
            self.off_loop.push((function, why));
        }
    }
}

/// Finds the entry points and the off-loop code of every framework the project uses.
/// `console_scripts`: the functions the project's console-script entries name
/// (`pkg.cli:main`).
pub fn detect(project: &Project, console_scripts: &[String]) -> Frameworks {
    let mut out = Frameworks::default();
    let scan = Scan::new(project);
    fastapi::scan(project, &scan, &mut out);
    aiohttp::scan(project, &scan, &mut out);
    django::scan(project, &scan, &mut out);
    celery::scan(project, &scan, &mut out);
    flask::scan(project, &scan, &mut out);
    litestar::scan(project, &scan, &mut out);
    quart::scan(project, &scan, &mut out);
    sanic::scan(project, &scan, &mut out);
    tornado::scan(project, &mut out);
    homeassistant::scan(project, &scan, &mut out);
    scripts::scan(project, console_scripts, &mut out);
    scripts::sync_wrapped(project, &scan.decorated, &mut out);
    scripts::started_by_sync_code(project, &mut out);
    cli_apps::scan(project, &scan, &mut out);
    startup::scan(&scan, &mut out);
    tasks::scan(project, &scan, &mut out);
    test_suites::scan(project, &scan, &mut out);
    out.entries.sort_by_key(|e| (e.kind, e.function));
    out
}

/// HTTP methods, as the frameworks name their handlers and route decorators.
const HTTP_METHODS: &[&str] = &["delete", "get", "head", "options", "patch", "post", "put"];

/// The last name of a reference: `post` for `router.post`, `Depends` for `Depends`.
fn last_name(r: &Ref) -> Option<&str> {
    match r {
        Ref::Attr(_, name) => Some(name),
        Ref::Name(name) => Some(name),
        Ref::Path(path) => path.rsplit('.').next(),
        Ref::Call(inner) => last_name(inner),
        _ => None,
    }
}

/// `(T, m)` for a method of an external type.
/// The catalogue's name of an external function or class (`web_app.Application` is
/// `aiohttp.web.Application`); empty for anything else.
fn external_name(v: &Value) -> std::borrow::Cow<'_, str> {
    match v {
        Value::External(p) => crate::catalogue::Catalogue::canonical(p),
        _ => std::borrow::Cow::Borrowed(""),
    }
}

fn external_method(v: &Value) -> Option<(&str, &str)> {
    match v {
        Value::Method(ty, m) => Some((ty.external()?, m)),
        _ => None,
    }
}

/// Whether a call of this name may register something ([`REGISTRATIONS`]): asked of
/// every call in the project, so a set looks it up rather than a scan of the list.
fn is_registration(name: &str) -> bool {
    static SET: std::sync::LazyLock<rustc_hash::FxHashSet<&str>> =
        std::sync::LazyLock::new(|| REGISTRATIONS.iter().copied().collect());
    SET.contains(name)
}

/// The name of a call that may register something with a framework (a known name, and
/// an argument that may be a function): the only calls framework detection looks at,
/// besides those written inside them or above a `def` (decorators, defaults).
pub(crate) fn registration(c: &Call) -> Option<&str> {
    let name = last_name(&c.callee)?;
    if !is_registration(name) {
        return None;
    }
    // `web.get("/", handler)`, `path("orders/", view)`: a route's name is a common method
    // name, but its first argument is the path, a string.
    let first = c.args.iter().find(|a| a.keyword.is_none());
    if COMMON.contains(&name)
        && !first.is_some_and(|a| a.value == Ref::Const(crate::facts::Const::Str))
    {
        return None;
    }
    let passes_callable = c.args.iter().any(|a| {
        matches!(
            a.value,
            Ref::Name(_) | Ref::Path(_) | Ref::Function(_) | Ref::Class(_) | Ref::Attr(..)
        )
    });
    // `APIRouter(dependencies=[Depends(auth)])`: the functions are in calls of their own,
    // written inside the keyword.
    let declares_dependencies = c
        .args
        .iter()
        .any(|a| a.keyword.as_deref() == Some("dependencies"));
    (passes_callable || declares_dependencies).then_some(name)
}

/// Whether framework detection reads a call: one that may register something, or
/// one that may run a coroutine on a loop of its own (`asyncio.run(main())`, read by
/// `scripts.rs`). An edit that adds or removes one changes what detection finds.
pub(crate) fn detection_reads(c: &Call) -> bool {
    registration(c).is_some()
        || last_name(&c.callee).is_some_and(scripts::may_run)
        || tasks::spawned(c).is_some()
}

/// How often a function runs, read from its name alone: a coroutine named as start-up
/// or shutdown code ([`startup`]). A function added under such a name changes what
/// detection finds.
pub(crate) fn named_entry(
    facts: &crate::facts::ModuleFacts,
    f: &crate::facts::Function,
) -> Option<EntryKind> {
    if !f.is_async {
        return None;
    }
    let class = f.class.and_then(|c| facts.classes.get(c as usize));
    class
        .and_then(|c| startup::lifecycle(&c.name, &f.name))
        .or_else(|| startup::named(&f.name))
}

/// Whether a module is one a test runner collects (see `test_suites.rs`).
pub(crate) fn is_test_module(name: &str) -> bool {
    test_suites::is_test_module(name)
}

/// Registration calls whose names are also common method names (`d.get(key)`). Sorted.
const COMMON: &[&str] = &[
    "delete", "get", "head", "options", "patch", "path", "post", "put", "route", "view",
];

/// The names of every registration call some framework looks at. Sorted.
const REGISTRATIONS: &[&str] = &[
    "APIRouter",
    "Application",
    "FastAPI",
    "Middleware",
    "Provide",
    "Route",
    "Starlette",
    "WebSocketRoute",
    "add_api_route",
    "add_delete",
    "add_event_handler",
    "add_exception_handler",
    "add_get",
    "add_head",
    "add_middleware",
    "add_patch",
    "add_post",
    "add_put",
    "add_route",
    "add_url_rule",
    "add_view",
    "add_websocket_route",
    "async_listen_once",
    "delete",
    "get",
    "head",
    "include_router",
    "patch",
    "path",
    "post",
    "put",
    "re_path",
    "route",
    "view",
];

/// What the frameworks look at, gathered in one pass: decorated functions, and calls
/// that could register something (a known name, and an argument that may be a function).
pub(crate) struct Scan<'p> {
    decorated: Vec<(FnId, &'p crate::facts::Function)>,
    calls: Vec<(FnId, &'p Call, &'p str)>,
    /// Coroutines named as start-up or shutdown code ([`startup`]).
    startup: Vec<(FnId, EntryKind)>,
    /// Coroutines started as tasks, by the function that starts each ([`tasks`]).
    spawned: Vec<(FnId, &'p crate::facts::Arg)>,
}

impl<'p> Scan<'p> {
    fn new(project: &'p Project) -> Self {
        let mut scan = Scan {
            decorated: vec![],
            calls: vec![],
            startup: vec![],
            spawned: vec![],
        };
        for (id, f) in functions_all(project) {
            if id.idx > 0 && !f.decorators.is_empty() {
                scan.decorated.push((id, f));
            }
            if let Some(kind) = named_entry(&project.modules[id.module as usize], f) {
                scan.startup.push((id, kind));
            }
            for c in &f.calls {
                if let Some(name) = registration(c) {
                    scan.calls.push((id, c, name));
                }
                if let Some(arg) = tasks::spawned(c) {
                    scan.spawned.push((id, arg));
                }
            }
        }
        scan
    }

    /// The registration calls named one of `names`.
    fn calls_named<'s>(
        &'s self,
        names: &'s [&'s str],
    ) -> impl Iterator<Item = (FnId, &'p Call)> + 's {
        self.calls
            .iter()
            .filter(move |(_, _, n)| names.contains(n))
            .map(|(id, c, _)| (*id, *c))
    }

    /// Functions with decorators.
    fn decorated(&self) -> impl Iterator<Item = (FnId, &'p crate::facts::Function)> + '_ {
        self.decorated.iter().copied()
    }

    /// Functions decorated with a method of an instance of one of `owners` (`@app.get("/")`,
    /// `@bp.route("/")`), with what `kind` makes of the method's name.
    fn decorated_by<K>(
        &self,
        project: &Project,
        owners: &[&str],
        kind: impl Fn(&str) -> Option<K>,
    ) -> Vec<(FnId, K)> {
        let mut out = vec![];
        for (id, func) in self.decorated() {
            for d in &func.decorators {
                let callee = decorator_callee(d);
                if last_name(callee).and_then(&kind).is_none() {
                    continue;
                }
                let v = project.eval(id.module, callee);
                if let Some((owner, method)) = external_method(&v) {
                    if let (true, Some(k)) = (owners.contains(&owner), kind(method)) {
                        out.push((id, k));
                    }
                }
            }
        }
        out
    }

    /// Functions registered by calling a method of one of `owners`, named one of
    /// `methods` (`app.add_url_rule("/", "home", view)`): the argument passed as `keyword`
    /// or as the `pos`-th positional one.
    fn registered_with(
        &self,
        project: &Project,
        owners: &[&str],
        methods: &[&str],
        (pos, keyword): (usize, &str),
    ) -> Vec<FnId> {
        let mut out = vec![];
        for (caller, call) in self.calls_named(methods) {
            let m = caller.module;
            let v = project.eval(m, &call.callee);
            if !external_method(&v).is_some_and(|(owner, _)| owners.contains(&owner)) {
                continue;
            }
            if let Some(Value::Function(f)) = function_arg(project, m, call, pos, keyword) {
                out.push(f);
            }
        }
        out
    }
}

fn functions_all<'p>(
    project: &'p Project,
) -> impl Iterator<Item = (FnId, &'p crate::facts::Function)> {
    project
        .modules
        .iter()
        .take(project.own_modules)
        .enumerate()
        .flat_map(|(m, facts)| {
            facts.functions.iter().enumerate().map(move |(i, f)| {
                (
                    FnId {
                        module: m as u32,
                        idx: i as u32,
                    },
                    f,
                )
            })
        })
}

/// What an argument of a registration call is (a function, a class), passed as
/// `keyword` or as the `pos`-th positional argument.
fn function_arg(
    project: &Project,
    module: u32,
    call: &Call,
    pos: usize,
    keyword: &str,
) -> Option<Value> {
    let arg = call.arg(pos, Some(keyword))?;
    Some(project.eval(module, &arg.value))
}

/// What a finding in a coroutine reaches: the entry points above it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Hotspot {
    /// How many routes' requests run it (every route, through a middleware).
    pub reach: usize,
    pub entry_points: Vec<Entry>,
}

/// Entry points reaching each function, found by walking the callers up.
pub struct Reach<'f> {
    frameworks: &'f Frameworks,
    callers: HashMap<FnId, Vec<FnId>>,
    routes: BTreeSet<FnId>,
    memo: HashMap<FnId, Hotspot>,
}

impl<'f> Reach<'f> {
    pub fn new(frameworks: &'f Frameworks, edges: &[(FnId, FnId)]) -> Self {
        let mut callers: HashMap<FnId, Vec<FnId>> = HashMap::default();
        for (caller, callee) in edges {
            callers.entry(*callee).or_default().push(*caller);
        }
        // A dependency runs as part of each route that uses it.
        for (dep, route) in &frameworks.uses {
            callers.entry(*dep).or_default().push(*route);
        }
        let routes = frameworks.routes.iter().copied().collect();
        Reach {
            frameworks,
            callers,
            routes,
            memo: HashMap::default(),
        }
    }

    /// How many routes there are.
    pub fn routes(&self) -> usize {
        self.routes.len()
    }

    pub fn hotspot(&mut self, f: FnId) -> Hotspot {
        if let Some(h) = self.memo.get(&f) {
            return h.clone();
        }
        let mut seen: HashSet<FnId> = HashSet::default();
        let mut queue = VecDeque::from([f]);
        seen.insert(f);
        while let Some(g) = queue.pop_front() {
            for c in self.callers.get(&g).into_iter().flatten() {
                if seen.insert(*c) {
                    queue.push_back(*c);
                }
            }
        }
        let entry_points: Vec<Entry> = self
            .frameworks
            .entries
            .iter()
            .filter(|e| seen.contains(&e.function))
            .cloned()
            .collect();
        let reach = if entry_points.iter().any(|e| e.kind == EntryKind::Middleware) {
            self.routes.len()
        } else {
            self.routes.iter().filter(|r| seen.contains(r)).count()
        };
        let h = Hotspot {
            reach,
            entry_points,
        };
        self.memo.insert(f, h.clone());
        h
    }
}

#[cfg(test)]
mod tables {
    use super::{COMMON, REGISTRATIONS};

    #[test]
    fn the_registration_names_are_sorted_and_unique() {
        for table in [COMMON, REGISTRATIONS] {
            assert!(table.windows(2).all(|w| w[0] < w[1]), "{table:?}");
        }
    }
}
