//! Following calls into installed packages: a project coroutine that calls a library
//! function which, somewhere inside the library, makes a blocking call the catalogue
//! knows (`geocode()` → the library's HTTP code → `urllib.request.urlopen`) is an LS901
//! finding like any call through the project's own helpers.
//!
//! The environment is found without running Python ([`Environment::find`]); installed
//! code is followed by name: the project's code names `geofake.geocode`, so the module
//! `geofake` is loaded and its name `geocode` followed, through its binding to the module
//! that defines it, the function's own calls, a class's methods, and so on, with a budget
//! per package. A module is loaded whole, but only what was asked of it leads further. Their facts join the project's
//! modules for the analysis, which never reports anything located in them nor takes
//! their functions for entry points. A package the catalogue describes is a sink, never
//! followed. What was parsed is kept per package and version in the user's cache folder
//! ([`store`]), for every project that uses the same package.

mod environment;
mod store;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::arena::{pool, ParseScope};
use crate::catalogue::Catalogue;
use crate::discover::SourceFile;
use crate::extract;
use crate::facts::{ModuleFacts, Ref};
use crate::source::read_source;

pub use environment::Environment;
use environment::Located;
pub use store::default_cache_dir;

/// At most this many modules of one package are loaded; the rest are counted.
pub const MAX_MODULES_PER_PACKAGE: usize = 300;
/// At most this much source of one package is read.
pub const MAX_BYTES_PER_PACKAGE: u64 = 8 << 20;

/// What following the installed packages did, for the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PackagesReport {
    /// The environment's folder.
    pub environment: PathBuf,
    /// The top-level packages some of whose modules were loaded, sorted.
    pub followed: Vec<String>,
    /// How many modules of theirs were loaded...
    pub modules: usize,
    /// ...of which this many were taken from the package cache instead of parsed.
    pub from_cache: usize,
    /// Imported packages (or modules) installed as compiled code only: nothing to read.
    pub compiled_only: Vec<String>,
    /// Packages with more modules (or source) than the budget: the rest was not loaded.
    pub over_budget: Vec<String>,
    /// Files that could not be used: unreadable, not UTF-8, or not parsing.
    pub unreadable: usize,
}

/// The installed modules a check analyses besides the project's.
pub(crate) struct Library {
    pub(crate) files: Vec<SourceFile>,
    pub(crate) facts: Vec<ModuleFacts>,
    pub(crate) report: PackagesReport,
    /// Names exactly these modules with exactly these texts: the analysis a project
    /// cache keeps holds only with the same.
    pub(crate) fingerprint: u64,
}

/// What a top-level name the code imports is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Followed: its `.py` files are under this site-packages folder (by index).
    Source(usize),
    /// The project's own, the catalogue's, not installed, or compiled only.
    Not,
}

/// What following needs besides the environment.
pub(crate) struct Follow<'a> {
    pub(crate) catalogue: &'a Catalogue,
    pub(crate) blocking_builtins: &'a [&'a str],
    /// The first segments of the project's module names.
    pub(crate) project_tops: HashSet<&'a str>,
    pub(crate) cache_dir: Option<&'a Path>,
    pub(crate) scope: Option<ParseScope>,
}

/// A module to load: its name, file, and whether it is a package's `__init__`.
struct Wanted {
    module: String,
    path: PathBuf,
    is_package: bool,
    top: String,
}

/// One package's loading: its budget and its cache.
#[derive(Default)]
struct Package {
    modules: usize,
    bytes: u64,
    over: bool,
    store: Option<store::PackageStore>,
}

/// Loads the modules of installed packages that the `paths` the project's code names
/// (imports, and dotted names) reach.
pub(crate) fn follow(env: &Environment, paths: Vec<String>, cx: &Follow) -> Library {
    let mut walk = Walk {
        env,
        cx,
        kinds: HashMap::default(),
        located: HashMap::default(),
        listings: HashMap::default(),
        seen: HashSet::default(),
        index: HashMap::default(),
        pending: HashMap::default(),
        work: vec![],
        done: vec![],
        packages: HashMap::default(),
        report: PackagesReport {
            environment: env.dir.clone(),
            ..PackagesReport::default()
        },
    };
    let mut loaded: Vec<(SourceFile, ModuleFacts, u64)> = vec![];
    let mut queue: Vec<Wanted> = vec![];
    for path in &paths {
        walk.want(path, &mut queue);
    }
    walk.settle(&loaded, &mut queue);
    while !queue.is_empty() {
        let wave = walk.budget(std::mem::take(&mut queue));
        let read: Vec<Option<Read>> = {
            let packages = &walk.packages;
            pool().install(|| {
                wave.into_par_iter()
                    .with_max_len(1)
                    .map(|w| {
                        let store = packages.get(&w.top).and_then(|p| p.store.as_ref());
                        load_module(w, store, cx)
                    })
                    .collect()
            })
        };
        for r in read {
            let Some(Read {
                wanted: w,
                facts,
                hash,
                stamp,
                origin,
            }) = r
            else {
                walk.report.unreadable += 1;
                continue;
            };
            walk.report.modules += 1;
            walk.report.from_cache += usize::from(origin != Origin::Parsed);
            let store = walk.packages.get_mut(&w.top).and_then(|p| p.store.as_mut());
            match (store, origin) {
                (Some(store), Origin::Parsed) => {
                    store.put(&w.module, w.is_package, (hash, stamp), &facts)
                }
                (Some(store), Origin::ByText) => store.restamp(&w.module, stamp),
                _ => {}
            }
            walk.loaded(&w.module, loaded.len());
            let file = SourceFile {
                path: w.path,
                module: w.module,
                is_package: w.is_package,
            };
            loaded.push((file, facts, hash));
        }
        walk.settle(&loaded, &mut queue);
    }
    for package in walk.packages.values_mut() {
        if let Some(store) = package.store.take() {
            // The cache only saves work: a failure to write it changes no result.
            let _ = store.save();
        }
    }
    walk.finish(loaded)
}

struct Walk<'a> {
    env: &'a Environment,
    cx: &'a Follow<'a>,
    kinds: HashMap<String, Kind>,
    /// What a dotted name is in a followed package.
    located: HashMap<String, Located>,
    /// The folders of followed packages read so far ([`Walk::listing`]).
    listings: HashMap<PathBuf, HashMap<String, bool>>,
    /// Modules queued once.
    seen: HashSet<String>,
    /// Where each loaded module is among those loaded.
    index: HashMap<String, usize>,
    /// What is asked of modules queued and not loaded yet.
    pending: HashMap<String, Vec<Demand>>,
    /// What is asked of modules loaded, not yet followed.
    work: Vec<(usize, Demand)>,
    /// What was followed in each loaded module.
    done: Vec<Done>,
    packages: HashMap<String, Package>,
    report: PackagesReport,
}

impl Walk<'_> {
    /// Queues the module `path` names, or the longest prefix of it that is a module,
    /// and the packages above it (importing a module runs their `__init__` first).
    fn want(&mut self, path: &str, queue: &mut Vec<Wanted>) {
        let top = path.split('.').next().unwrap_or(path);
        let Kind::Source(site) = self.kind(top) else {
            return;
        };
        // From the top down: below a module that is no package (or nothing), the rest
        // of the path names attributes, and no file need be looked for.
        let (path, whole) = match path.strip_suffix(".*") {
            Some(module) => (module, true),
            None => (path, false),
        };
        let ends = path.match_indices('.').map(|(i, _)| i).chain([path.len()]);
        let mut deepest = None;
        for end in ends {
            let module = &path[..end];
            let (file, is_package) = match self.locate(site, module) {
                Located::Package(file) => (file, true),
                Located::Module(file) => (file, false),
                Located::Namespace => continue,
                Located::Missing => break,
            };
            deepest = Some(end);
            if self.seen.insert(module.to_string()) {
                queue.push(Wanted {
                    module: module.to_string(),
                    path: file,
                    is_package,
                    top: top.to_string(),
                });
            }
            if !is_package {
                break;
            }
        }
        // What the path names in the deepest module is all that is followed there.
        let Some(end) = deepest else {
            return;
        };
        let rest = path.get(end + 1..).and_then(|r| r.split('.').next());
        let demand = match (rest, whole) {
            (_, true) if end == path.len() => Demand::Whole,
            (Some(name), _) if !name.is_empty() => Demand::Name(name.to_string()),
            _ => return,
        };
        self.ask(&path[..end], demand);
    }

    /// Asks `demand` of `module`, now if it is loaded, else once it is.
    fn ask(&mut self, module: &str, demand: Demand) {
        match self.index.get(module) {
            Some(i) => self.work.push((*i, demand)),
            None => self
                .pending
                .entry(module.to_string())
                .or_default()
                .push(demand),
        }
    }

    /// `module` is loaded, the `i`-th: what was asked of it can be followed.
    fn loaded(&mut self, module: &str, i: usize) {
        self.index.insert(module.to_string(), i);
        if self.done.len() <= i {
            self.done.resize_with(i + 1, Done::default);
        }
        for demand in self.pending.remove(module).unwrap_or_default() {
            self.work.push((i, demand));
        }
    }

    /// Follows what was asked of loaded modules: the names asked for, what their
    /// bindings, functions and classes refer to, and so on, queueing the modules that
    /// leads to (asked of once they are loaded).
    fn settle(&mut self, loaded: &[(SourceFile, ModuleFacts, u64)], queue: &mut Vec<Wanted>) {
        while let Some((i, demand)) = self.work.pop() {
            let (file, facts, _) = &loaded[i];
            let done = &mut self.done[i];
            match demand {
                Demand::Name(name) => {
                    if done.names.insert(name.clone()) {
                        self.name(i, file, facts, &name, queue);
                    }
                }
                Demand::Function(f) => {
                    if done.functions.insert(f) {
                        self.function(i, facts, f, queue);
                    }
                }
                Demand::Class(c) => {
                    if done.classes.insert(c) {
                        self.class(i, facts, c, queue);
                    }
                }
                Demand::Whole => {
                    let names = facts.bindings.keys().map(|n| Demand::Name(n.to_string()));
                    self.work.extend(names.map(|d| (i, d)));
                }
            }
        }
    }

    /// A module-level name of a loaded module: its bindings, else where a star import or
    /// a module `__getattr__` may bring it from, or a submodule of that name.
    fn name(
        &mut self,
        i: usize,
        file: &SourceFile,
        facts: &ModuleFacts,
        name: &str,
        queue: &mut Vec<Wanted>,
    ) {
        let typing: HashSet<&str> = facts
            .unfollowed_imports
            .iter()
            .map(|p| p.as_str())
            .collect();
        match facts.bindings.get(name) {
            Some(refs) => {
                for r in refs {
                    if !matches!(r, Ref::Path(p) if typing.contains(p.as_str())) {
                        self.refs(i, facts, r, queue);
                    }
                }
            }
            None => {
                for star in &facts.star_imports {
                    if !typing.contains(star.as_str()) {
                        self.want(&format!("{star}.{name}"), queue);
                    }
                }
                if let Some(getattr) = facts.bindings.get("__getattr__") {
                    for r in getattr {
                        self.refs(i, facts, r, queue);
                    }
                }
            }
        }
        if file.is_package {
            self.want(&format!("{}.{name}", file.module), queue);
        }
    }

    fn function(&mut self, i: usize, facts: &ModuleFacts, f: u32, queue: &mut Vec<Wanted>) {
        let Some(func) = facts.functions.get(f as usize) else {
            return;
        };
        let refs =
            (func.decorators.iter())
                .chain(&func.returns)
                .chain(&func.returned)
                .chain(func.calls.iter().flat_map(|c| {
                    std::iter::once(&c.callee).chain(c.args.iter().map(|a| &a.value))
                }));
        for r in refs {
            self.refs(i, facts, r, queue);
        }
        // Nested functions and lambdas it may call.
        let nested = self.done[i]
            .nested(facts)
            .0
            .get(&f)
            .cloned()
            .unwrap_or_default();
        self.work
            .extend(nested.into_iter().map(|j| (i, Demand::Function(j))));
    }

    fn class(&mut self, i: usize, facts: &ModuleFacts, c: u32, queue: &mut Vec<Wanted>) {
        let Some(class) = facts.classes.get(c as usize) else {
            return;
        };
        for r in class.bases.iter().chain(class.attrs.iter().map(|(_, r)| r)) {
            self.refs(i, facts, r, queue);
        }
        let methods = self.done[i]
            .nested(facts)
            .1
            .get(&c)
            .cloned()
            .unwrap_or_default();
        self.work
            .extend(methods.into_iter().map(|j| (i, Demand::Function(j))));
    }

    /// What a reference in a loaded module leads to: a dotted name to want, a name,
    /// function or class of the module to follow.
    fn refs(&mut self, i: usize, facts: &ModuleFacts, r: &Ref, queue: &mut Vec<Wanted>) {
        match r {
            Ref::Path(p) => self.want(p, queue),
            Ref::Name(n) => self.work.push((i, Demand::Name(n.to_string()))),
            Ref::Function(f) => self.work.push((i, Demand::Function(*f))),
            Ref::Class(c) | Ref::InstanceOf(c) | Ref::Super(c) => {
                self.work.push((i, Demand::Class(*c)))
            }
            Ref::Attr(inner, attr) => {
                if let Some(path) = dotted(facts, inner) {
                    self.want(&format!("{path}.{attr}"), queue);
                }
                self.refs(i, facts, inner, queue);
            }
            Ref::Call(inner)
            | Ref::Instance(inner)
            | Ref::Item(inner)
            | Ref::BinOp(inner, _)
            | Ref::ReflectedBinOp(inner, _) => self.refs(i, facts, inner, queue),
            Ref::AnyOf(items) => items.iter().for_each(|r| self.refs(i, facts, r, queue)),
            Ref::Partial(maker, func) => {
                self.refs(i, facts, maker, queue);
                self.refs(i, facts, func, queue);
            }
            // Typed from the constructions, wherever they are: nothing named here.
            Ref::Unknown | Ref::Const(_) | Ref::ConstructorParam(..) => {}
        }
    }

    /// What the top-level name `top` is; a compiled-only package is counted the first
    /// time it is met, and a followed one gets its cache.
    fn kind(&mut self, top: &str) -> Kind {
        if let Some(kind) = self.kinds.get(top) {
            return *kind;
        }
        let cx = self.cx;
        let kind = if top.is_empty()
            || cx.project_tops.contains(top)
            || cx.catalogue.describes_package(top)
            || crate::frameworks::PACKAGES.contains(&top)
        {
            Kind::Not
        } else {
            match self.env.find_top(top) {
                environment::Found::Source(site) => {
                    let store = cx.cache_dir.and_then(|dir| {
                        let dist = self.env.distribution(site, top)?;
                        Some(store::PackageStore::open(
                            dir,
                            top,
                            &dist,
                            cx.blocking_builtins,
                        ))
                    });
                    self.packages.insert(
                        top.to_string(),
                        Package {
                            store,
                            ..Package::default()
                        },
                    );
                    self.report.followed.push(top.to_string());
                    Kind::Source(site)
                }
                environment::Found::Compiled => {
                    self.report.compiled_only.push(top.to_string());
                    Kind::Not
                }
                environment::Found::Absent => Kind::Not,
            }
        };
        self.kinds.insert(top.to_string(), kind);
        kind
    }

    fn locate(&mut self, site: usize, module: &str) -> Located {
        if let Some(found) = self.located.get(module) {
            return found.clone();
        }
        let found = self.module_file(site, module);
        self.located.insert(module.to_string(), found.clone());
        found
    }

    /// What `module` is under the site-packages folder `site`, from the listings of
    /// the folders on the way (each read once: a module's imports look up many names
    /// in the same few folders).
    fn module_file(&mut self, site: usize, module: &str) -> Located {
        let Some(mut dir) = self.env.site_packages.get(site).cloned() else {
            return Located::Missing;
        };
        let mut segments = module.split('.').peekable();
        while let Some(segment) = segments.next() {
            if segment.is_empty() || segment.contains(['/', '\\']) {
                return Located::Missing;
            }
            let listing = self.listing(&dir);
            let is_dir = listing.get(segment).copied() == Some(true);
            let is_file = listing.contains_key(&format!("{segment}.py"));
            if segments.peek().is_some() {
                // A folder on the way; a module file has no submodules.
                if !is_dir {
                    return Located::Missing;
                }
                dir.push(segment);
                continue;
            }
            dir.push(segment);
            if is_dir && self.listing(&dir).contains_key("__init__.py") {
                return Located::Package(dir.join("__init__.py"));
            }
            if is_file {
                dir.set_extension("py");
                return Located::Module(dir);
            }
            return if is_dir {
                Located::Namespace
            } else {
                Located::Missing
            };
        }
        Located::Missing
    }

    /// A folder's entries, by name: whether each is a folder (following links; a link
    /// that leads nowhere, or in a loop, is neither).
    fn listing(&mut self, dir: &Path) -> &HashMap<String, bool> {
        self.listings.entry(dir.to_path_buf()).or_insert_with(|| {
            let mut out = HashMap::default();
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let Ok(name) = e.file_name().into_string() else {
                    continue;
                };
                let is_dir = match e.file_type() {
                    Ok(t) if t.is_symlink() => e.path().is_dir(),
                    Ok(t) => t.is_dir(),
                    Err(_) => false,
                };
                out.insert(name, is_dir);
            }
            out
        })
    }

    /// The modules of a wave that fit their package's budget; the others are counted.
    fn budget(&mut self, wave: Vec<Wanted>) -> Vec<Wanted> {
        let mut kept = Vec::with_capacity(wave.len());
        for w in wave {
            let bytes = std::fs::metadata(&w.path).map_or(0, |m| m.len());
            let package = self.packages.entry(w.top.clone()).or_default();
            if package.modules >= MAX_MODULES_PER_PACKAGE
                || package.bytes + bytes > MAX_BYTES_PER_PACKAGE
            {
                if !package.over {
                    package.over = true;
                    self.report.over_budget.push(w.top.clone());
                }
                continue;
            }
            package.modules += 1;
            package.bytes += bytes;
            kept.push(w);
        }
        kept
    }

    fn finish(mut self, mut loaded: Vec<(SourceFile, ModuleFacts, u64)>) -> Library {
        // The order of the modules is the numbering of their functions: the same on
        // every run, whatever order the waves loaded them in.
        loaded.sort_by(|a, b| a.0.module.cmp(&b.0.module));
        let mut key = String::new();
        for (file, _, hash) in &loaded {
            key.push_str(&format!("{}:{hash:x};", file.module));
        }
        self.report.followed.sort();
        self.report.compiled_only.sort();
        self.report.over_budget.sort();
        // A package none of whose modules loaded (all unreadable) was not followed.
        let tops: HashSet<&str> = loaded
            .iter()
            .map(|(f, _, _)| f.module.split('.').next().unwrap_or(""))
            .collect();
        self.report.followed.retain(|t| tops.contains(t.as_str()));
        let (files, facts) = loaded.into_iter().map(|(f, m, _)| (f, m)).unzip();
        Library {
            files,
            facts,
            report: self.report,
            fingerprint: crate::cache::content_hash(&key),
        }
    }
}

/// What is asked of a loaded module.
enum Demand {
    /// A module-level name, as another module imports or uses it.
    Name(String),
    Function(u32),
    Class(u32),
    /// Everything: a star import of the project's.
    Whole,
}

/// What was followed in a loaded module.
#[derive(Default)]
struct Done {
    names: HashSet<String>,
    functions: HashSet<u32>,
    classes: HashSet<u32>,
    /// The functions nested in each function, and the methods of each class, by index:
    /// made once, when something is first asked of the module.
    nested: Option<(ByIndex, ByIndex)>,
}

/// Function indexes by the index of what holds them.
type ByIndex = HashMap<u32, Vec<u32>>;

impl Done {
    fn nested(&mut self, facts: &ModuleFacts) -> &(ByIndex, ByIndex) {
        self.nested.get_or_insert_with(|| {
            let (mut nested, mut methods): (ByIndex, ByIndex) = Default::default();
            for (j, f) in facts.functions.iter().enumerate() {
                if let Some(parent) = f.parent {
                    nested.entry(parent).or_default().push(j as u32);
                }
                if let Some(class) = f.class {
                    methods.entry(class).or_default().push(j as u32);
                }
            }
            (nested, methods)
        })
    }
}

/// The dotted name a reference to a module or a module's attribute stands for:
/// `transport.fetch_json` with `from geofake import transport` is
/// `geofake.transport.fetch_json`.
fn dotted(facts: &ModuleFacts, r: &Ref) -> Option<String> {
    match r {
        Ref::Path(p) => Some(p.to_string()),
        Ref::Name(n) => facts.bindings.get(n)?.iter().find_map(|b| match b {
            Ref::Path(p) => Some(p.to_string()),
            _ => None,
        }),
        Ref::Attr(inner, attr) => dotted(facts, inner).map(|p| format!("{p}.{attr}")),
        _ => None,
    }
}

/// A module loaded: its facts, its text's hash and its file's stamp, and where the
/// facts came from.
struct Read {
    wanted: Wanted,
    facts: ModuleFacts,
    hash: u64,
    stamp: Option<crate::cache::Stamp>,
    origin: Origin,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    Parsed,
    /// The package cache, after reading the file: its text is as kept, not its stamp.
    ByText,
    /// The package cache, without reading the file.
    ByStamp,
}

/// A module's facts, from the package cache when it has them for this very file (by its
/// stamp) or text (by its hash), else parsed. None when the file cannot be read or
/// parsed.
fn load_module(w: Wanted, store: Option<&store::PackageStore>, cx: &Follow) -> Option<Read> {
    let scope = cx.scope;
    let stamp = store.and(crate::cache::Stamp::of(&w.path));
    if let Some((facts, hash)) =
        (store.zip(stamp)).and_then(|(s, stamp)| s.get_by_stamp(&w.module, w.is_package, stamp))
    {
        return Some(Read {
            wanted: w,
            facts,
            hash,
            stamp,
            origin: Origin::ByStamp,
        });
    }
    let source = ParseScope::run(scope, || read_source(&w.path));
    let Ok(text) = &source else {
        ParseScope::discard(scope, source);
        return None;
    };
    let hash = crate::cache::content_hash(text);
    if let Some(facts) = store.and_then(|s| s.get(&w.module, w.is_package, hash)) {
        ParseScope::discard(scope, source);
        return Some(Read {
            wanted: w,
            facts,
            hash,
            stamp,
            origin: Origin::ByText,
        });
    }
    let extracted = ParseScope::run(scope, || {
        extract::parse(text).map(|tree| {
            let facts =
                extract::facts_of(&tree, text, &w.module, w.is_package, cx.blocking_builtins);
            (tree, facts)
        })
    });
    // Copied out of the scratch memory: the library's facts outlive this check (the
    // passes of `--fix` use them again).
    let facts = extracted.as_ref().ok().map(|(_, facts)| {
        let mut facts = facts.clone();
        unconditional_calls_only(&mut facts);
        facts
    });
    ParseScope::discard(scope, (extracted, source));
    Some(Read {
        wanted: w,
        facts: facts?,
        hash,
        stamp,
        origin: Origin::Parsed,
    })
}

/// Keeps only the calls a library function makes whatever it is given. What a library
/// does under an `if`, in an `except` or a `match` case depends on its arguments, its
/// configuration or the platform (`if blocking: time.sleep(interval)` in
/// `psutil.cpu_percent(interval=None)`, uvicorn's reloader only `if self.should_reload`),
/// which the analysis does not see from the project's call: following those would report
/// what the project's own calls never reach. Precision over depth.
fn unconditional_calls_only(facts: &mut ModuleFacts) {
    for f in &mut facts.functions {
        f.calls.retain(|c| !c.conditional && c.guarded_by.is_none());
    }
}

/// The dotted names a project module's code names, for following installed packages:
/// what its imports bind (not those for type checkers only or fallbacks), every absolute
/// name in its functions and classes (a function's own `import` is substituted where it
/// is used), the attributes it reads of what it imports (`geofake.geocode` after
/// `import geofake`), and `module.*` for each star import (all of that module is asked
/// for).
pub(crate) fn paths_of(facts: &ModuleFacts) -> Vec<String> {
    let mut out: HashSet<String> = HashSet::default();
    let typing: HashSet<&str> = facts
        .unfollowed_imports
        .iter()
        .map(|p| p.as_str())
        .collect();
    for refs in facts.bindings.values() {
        for r in refs {
            match r {
                Ref::Path(p) if typing.contains(p.as_str()) => {}
                r => collect(facts, r, &mut out),
            }
        }
    }
    for m in &facts.star_imports {
        if !typing.contains(m.as_str()) {
            out.insert(format!("{m}.*"));
        }
    }
    for f in &facts.functions {
        let refs =
            (f.decorators.iter())
                .chain(&f.returns)
                .chain(&f.returned)
                .chain(f.calls.iter().flat_map(|c| {
                    std::iter::once(&c.callee).chain(c.args.iter().map(|a| &a.value))
                }));
        refs.for_each(|r| collect(facts, r, &mut out));
    }
    for c in &facts.classes {
        c.bases.iter().for_each(|r| collect(facts, r, &mut out));
        c.attrs
            .iter()
            .for_each(|(_, r)| collect(facts, r, &mut out));
    }
    let mut out: Vec<String> = out.into_iter().collect();
    out.sort_unstable();
    out
}

/// Every [`Ref::Path`] inside `r`, and every attribute read of one ([`dotted`]).
fn collect(facts: &ModuleFacts, r: &Ref, out: &mut HashSet<String>) {
    match r {
        Ref::Path(p) => {
            out.insert(p.to_string());
        }
        Ref::Attr(inner, attr) => {
            if let Some(path) = dotted(facts, inner) {
                out.insert(format!("{path}.{attr}"));
            }
            collect(facts, inner, out);
        }
        Ref::Call(inner)
        | Ref::Instance(inner)
        | Ref::Item(inner)
        | Ref::BinOp(inner, _)
        | Ref::ReflectedBinOp(inner, _) => collect(facts, inner, out),
        Ref::AnyOf(items) => items.iter().for_each(|i| collect(facts, i, out)),
        Ref::Partial(maker, func) => {
            collect(facts, maker, out);
            collect(facts, func, out);
        }
        Ref::Unknown
        | Ref::Const(_)
        | Ref::Name(_)
        | Ref::Function(_)
        | Ref::Class(_)
        | Ref::InstanceOf(_)
        | Ref::Super(_)
        | Ref::ConstructorParam(..) => {}
    }
}
