//! Following calls into installed packages: a project coroutine that calls a library
//! function which, somewhere inside the library, makes a blocking call the catalogue
//! knows (`geocode()` → the library's HTTP code → `urllib.request.urlopen`) is an LS901
//! finding like any call through the project's own helpers.
//!
//! The environment is found without running Python ([`Environment::find`]); the modules
//! of a package are loaded only as far as the project's imports, and then the imports of
//! what was loaded, reach them, with a budget per package. Their facts join the project's
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
        seen: HashSet::default(),
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
            for path in paths_of(&facts) {
                walk.want(&path, &mut queue);
            }
            let file = SourceFile {
                path: w.path,
                module: w.module,
                is_package: w.is_package,
            };
            loaded.push((file, facts, hash));
        }
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
    /// Modules queued once.
    seen: HashSet<String>,
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
        let ends = path.match_indices('.').map(|(i, _)| i).chain([path.len()]);
        for end in ends {
            let module = &path[..end];
            let (file, is_package) = match self.locate(site, module) {
                Located::Package(file) => (file, true),
                Located::Module(file) => (file, false),
                Located::Namespace => continue,
                Located::Missing => return,
            };
            if self.seen.insert(module.to_string()) {
                queue.push(Wanted {
                    module: module.to_string(),
                    path: file,
                    is_package,
                    top: top.to_string(),
                });
            }
            if !is_package {
                return;
            }
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
        let found = self.env.module_file(site, module);
        self.located.insert(module.to_string(), found.clone());
        found
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
    let facts = extracted.as_ref().ok().map(|(_, facts)| facts.clone());
    ParseScope::discard(scope, (extracted, source));
    Some(Read {
        wanted: w,
        facts: facts?,
        hash,
        stamp,
        origin: Origin::Parsed,
    })
}

/// The dotted names a module's code names: what its imports bind (not those for type
/// checkers only), and every absolute name in its functions and classes (a function's
/// own `import` is substituted where it is used).
pub(crate) fn paths_of(facts: &ModuleFacts) -> Vec<String> {
    let mut out: HashSet<&str> = HashSet::default();
    let typing: HashSet<&str> = facts
        .unfollowed_imports
        .iter()
        .map(|p| p.as_str())
        .collect();
    for refs in facts.bindings.values() {
        for r in refs {
            match r {
                Ref::Path(p) if typing.contains(p.as_str()) => {}
                r => collect(r, &mut out),
            }
        }
    }
    for m in &facts.star_imports {
        if !typing.contains(m.as_str()) {
            out.insert(m);
        }
    }
    for f in &facts.functions {
        f.decorators.iter().for_each(|r| collect(r, &mut out));
        f.returns.iter().for_each(|r| collect(r, &mut out));
        f.returned.iter().for_each(|r| collect(r, &mut out));
        for call in &f.calls {
            collect(&call.callee, &mut out);
            call.args.iter().for_each(|a| collect(&a.value, &mut out));
        }
    }
    for c in &facts.classes {
        c.bases.iter().for_each(|r| collect(r, &mut out));
        c.attrs.iter().for_each(|(_, r)| collect(r, &mut out));
    }
    let mut out: Vec<String> = out.into_iter().map(str::to_string).collect();
    out.sort_unstable();
    out
}

/// Every [`Ref::Path`] inside `r`.
fn collect<'r>(r: &'r Ref, out: &mut HashSet<&'r str>) {
    match r {
        Ref::Path(p) => {
            out.insert(p.as_str());
        }
        Ref::Attr(inner, _)
        | Ref::Call(inner)
        | Ref::Instance(inner)
        | Ref::Item(inner)
        | Ref::BinOp(inner, _)
        | Ref::ReflectedBinOp(inner, _) => collect(inner, out),
        Ref::AnyOf(items) => items.iter().for_each(|i| collect(i, out)),
        Ref::Partial(maker, func) => {
            collect(maker, out);
            collect(func, out);
        }
        Ref::Unknown
        | Ref::Const(_)
        | Ref::Name(_)
        | Ref::Function(_)
        | Ref::Class(_)
        | Ref::InstanceOf(_)
        | Ref::Super(_) => {}
    }
}
