//! The first stages of a check: finding the files (once, for every pass of a check that
//! runs again on fixed text), then reading and parsing each, or taking its facts from
//! the cache.

use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::arena::{pool, ParseScope};
use crate::cache;
use crate::catalogue::Catalogue;
use crate::check::{CheckOptions, CheckResult};
use crate::config::Settings;
use crate::discover::{self, DiscoverError, SourceFile, WalkWarning};
use crate::error::Warning;
use crate::extract;
use crate::facts::ModuleFacts;
use crate::packages;
use crate::source::{source_of, SourceError};

/// The files a check reads, found once: `--fix` and `report` check the same files again
/// and again, on fixed text.
pub struct Discovery<'a> {
    pub(crate) settings: &'a Settings,
    pub(crate) catalogue: Catalogue,
    files: Vec<SourceFile>,
    warnings: Vec<WalkWarning>,
    /// The listing of the files could not be kept in the cache: said only by a check that
    /// uses the cache.
    listing_warning: Option<(PathBuf, std::io::Error)>,
    /// The cache under this root, when the options name one.
    cache: Option<(PathBuf, cache::Cache)>,
    /// The project's Python environment, or the path named as one that is none.
    environment: Option<Result<packages::Environment, PathBuf>>,
    /// The installed modules the project reaches, loaded by the first check: the passes
    /// of `--fix` and `report` use them again.
    library: std::sync::OnceLock<packages::Library>,
}

impl<'a> Discovery<'a> {
    /// Finds the files under `paths`; with a cache in the options, reads it meanwhile.
    pub fn new(
        paths: &[PathBuf],
        settings: &'a Settings,
        options: &CheckOptions,
    ) -> Result<Discovery<'a>, DiscoverError> {
        let catalogue = Catalogue::new(settings.extend_blocking_calls.clone());
        let blocking_builtins = catalogue.blocking_builtins();
        let pool = pool();
        // The cache is read while the files are found.
        let (discovered, cache) = std::thread::scope(|s| {
            let cache = s.spawn(|| {
                options
                    .cache
                    .as_ref()
                    .map(|root| (root.clone(), cache::Cache::open(root, &blocking_builtins)))
            });
            let discovered = pool.install(|| match &options.cache {
                Some(root) => {
                    let previous = cache::read_listing(root);
                    discover::discover_with_listing(paths, settings, previous)
                        .map(|d| (d.files, d.warnings, d.listing))
                }
                None => discover::discover(paths, settings).map(|(f, w)| (f, w, None)),
            });
            (discovered, cache.join().ok().flatten())
        });
        drop(blocking_builtins);
        let (mut files, mut warnings, listing) = discovered?;
        // A file named on the command line that the walk of its project left out (an
        // excluded or ignored one) is checked all the same. Walked again with it, rarely:
        // naming a file in the paths keeps the walk's listing from being reused.
        let named = options.focus.iter().flat_map(|f| &f.files);
        let left_out: Vec<PathBuf> = named
            .filter(|f| !files.iter().any(|s| s.path == **f))
            .cloned()
            .collect();
        if !left_out.is_empty() {
            let all: Vec<PathBuf> = paths.iter().chain(&left_out).cloned().collect();
            (files, warnings) = pool.install(|| discover::discover(&all, settings))?;
        }
        let listing_warning = match (&options.cache, listing) {
            (Some(root), Some(listing)) => cache::write_listing(root, &listing)
                .err()
                .map(|e| (root.clone(), e)),
            _ => None,
        };
        Ok(Discovery {
            settings,
            catalogue,
            files,
            warnings,
            listing_warning,
            cache,
            environment: packages::Environment::find(settings),
            library: std::sync::OnceLock::new(),
        })
    }

    /// The cache the files were found with, and its root.
    pub(crate) fn cache(&self) -> Option<&(PathBuf, cache::Cache)> {
        self.cache.as_ref()
    }

    /// The installed packages' modules the project reaches, when it has an environment:
    /// loaded the first time, from the imports of the modules `loaded`.
    pub(crate) fn library(
        &self,
        loaded: &Loaded,
        cache: Option<&cache::Cache>,
        options: &CheckOptions,
        warnings: &mut Vec<Warning>,
    ) -> Option<&packages::Library> {
        let env = match self.environment.as_ref()? {
            Ok(env) => env,
            Err(path) => {
                warnings.push(Warning::NoEnvironment(path.clone()));
                return None;
            }
        };
        Some(self.library.get_or_init(|| {
            let builtins = self.catalogue.blocking_builtins();
            let follow = packages::Follow {
                catalogue: &self.catalogue,
                blocking_builtins: &builtins,
                project_tops: loaded
                    .files
                    .iter()
                    .map(|f| f.module.split('.').next().unwrap_or(&f.module))
                    .collect(),
                cache_dir: options.packages_cache.as_deref(),
                scope: options.scope,
            };
            packages::follow(env, loaded.imported(cache), &follow)
        }))
    }

    /// What finding the files warned of, for a check with or without the cache.
    pub(crate) fn warnings(&self, with_cache: bool) -> Vec<Warning> {
        let mut warnings: Vec<Warning> = self.warnings.iter().cloned().map(Warning::Walk).collect();
        if let (true, Some((dir, e))) = (with_cache, &self.listing_warning) {
            // Each check says it again: the error is copied with the words it printed.
            let error = std::io::Error::new(e.kind(), e.to_string());
            warnings.push(Warning::CacheNotWritten {
                dir: dir.clone(),
                error,
            });
        }
        warnings
    }
}

/// One file after reading and parsing it, or finding it in the cache.
struct LoadedFile<'f> {
    file: &'f SourceFile,
    outcome: Result<Facts, (extract::SyntaxError, String)>,
    hash: u64,
    stamp: Option<cache::Stamp>,
    origin: Origin,
    /// Parsed again, its facts have the shape the cache has for it.
    same_shape: bool,
}

/// A module's facts, or where they are in the cache.
// Held one per module, in a vector that becomes the `Vec<ModuleFacts>` of the analysis:
// boxing the facts would only add an allocation per parsed module.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Facts {
    Ready(ModuleFacts),
    Stored(cache::Stored),
}

impl Facts {
    /// The facts; empty when they were not needed, so not decoded.
    pub(crate) fn or_empty(self) -> ModuleFacts {
        match self {
            Facts::Ready(facts) => facts,
            Facts::Stored(_) => ModuleFacts::default(),
        }
    }

    /// Where the cache has these facts, when it does.
    pub(crate) fn stored(&self) -> Option<cache::Stored> {
        match self {
            Facts::Stored(at) => Some(*at),
            Facts::Ready(_) => None,
        }
    }
}

/// Where a file's facts came from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    Parsed,
    /// The cache, after reading the file: its text is unchanged, not its time.
    CacheByText,
    /// The cache, without reading the file.
    CacheByStamp,
}

/// The project's modules as loaded: facts, or where the cache has them.
pub(crate) struct Loaded<'f> {
    /// Each module's facts.
    pub(crate) facts: Vec<Facts>,
    /// Parallel to `facts`: the file each module came from. Sources are not kept: most
    /// files have no finding, and those that do are read again for it.
    pub(crate) files: Vec<&'f SourceFile>,
    /// Parallel to `facts`: what the cache is written with (the facts of a module read
    /// from it are copied from there).
    pub(crate) stamps: Vec<(u64, Option<cache::Stamp>, Option<cache::Stored>)>,
    /// How many files were parsed, and how many found in the cache only after reading
    /// them (their time changed, not their text).
    pub(crate) parsed: usize,
    pub(crate) restamped: usize,
    /// Some file parsed again has facts of another shape than the cache has for it.
    pub(crate) reshaped: bool,
    /// The files that do not parse: where, why, and their text.
    pub(crate) syntax_errors: Vec<(&'f SourceFile, extract::SyntaxError, String)>,
    /// Names the installed modules added after the project's ([`Loaded::add_library`]),
    /// 0 without any.
    pub(crate) library: u64,
    /// How many modules are the project's: those after are the installed ones.
    pub(crate) own: usize,
}

/// Reads every file found, or takes its facts from `cache`. Also the start of the
/// result: the files that cannot be read are warnings (after `warnings`).
pub(crate) fn load<'f>(
    discovery: &'f Discovery,
    options: &CheckOptions,
    cache: Option<&cache::Cache>,
    warnings: Vec<Warning>,
) -> (Loaded<'f>, CheckResult) {
    let blocking_builtins = discovery.catalogue.blocking_builtins();
    let load = Load {
        scope: options.scope,
        overrides: &options.overrides,
        blocking_builtins: &blocking_builtins,
        cache,
    };
    // One file per task: otherwise rayon stops splitting a thread's share once no other
    // thread has asked for work, and the last files of a share, being no longer
    // stealable, leave one core idle for the last tenth of the parsing (perf timeline).
    let read: Vec<Result<LoadedFile, SourceError>> = pool().install(|| {
        discovery
            .files
            .par_iter()
            .with_max_len(1)
            .map(|file| load.file(file))
            .collect()
    });
    let mut loaded = Loaded {
        facts: Vec::with_capacity(read.len()),
        files: Vec::with_capacity(read.len()),
        stamps: Vec::with_capacity(read.len()),
        parsed: 0,
        restamped: 0,
        reshaped: false,
        syntax_errors: vec![],
        library: 0,
        own: 0,
    };
    let mut result = CheckResult {
        warnings,
        ..CheckResult::default()
    };
    for c in read {
        let c = match c {
            Ok(c) => c,
            Err(w) => {
                result.warnings.push(Warning::Source(w));
                continue;
            }
        };
        result.files_checked += 1;
        loaded.parsed += usize::from(c.origin == Origin::Parsed);
        loaded.restamped += usize::from(c.origin == Origin::CacheByText);
        loaded.reshaped |= c.origin == Origin::Parsed && !c.same_shape;
        match c.outcome {
            Ok(facts) => {
                loaded.stamps.push((c.hash, c.stamp, facts.stored()));
                loaded.facts.push(facts);
                loaded.files.push(c.file);
            }
            Err((e, source)) => loaded.syntax_errors.push((c.file, e, source)),
        }
    }
    loaded.own = loaded.facts.len();
    (loaded, result)
}

impl<'f> Loaded<'f> {
    /// Every dotted name the project's code names, sorted: where installed packages are
    /// followed from. Facts only in the cache are decoded for it.
    fn imported(&self, cache: Option<&cache::Cache>) -> Vec<String> {
        let mut all: Vec<String> = pool().install(|| {
            self.facts
                .par_iter()
                .flat_map_iter(|facts| match facts {
                    Facts::Ready(facts) => packages::paths_of(facts),
                    Facts::Stored(at) => cache
                        .and_then(|c| c.decode(*at))
                        .map(|facts| packages::paths_of(&facts))
                        .unwrap_or_default(),
                })
                .collect()
        });
        all.par_sort_unstable();
        all.dedup();
        all
    }

    /// Adds the installed modules after the project's: analysed with them, never
    /// reported.
    pub(crate) fn add_library(
        &mut self,
        library: &'f packages::Library,
        scope: Option<ParseScope>,
    ) {
        for (file, facts) in library.files.iter().zip(&library.facts) {
            self.facts
                .push(Facts::Ready(ParseScope::kept(scope, || facts.clone())));
            self.files.push(file);
            self.stamps.push((0, None, None));
        }
        self.library = library.fingerprint;
    }

    /// Each module's name.
    pub(crate) fn names(&self) -> Vec<&'f str> {
        self.files.iter().map(|f| f.module.as_str()).collect()
    }

    /// Reads a module's facts from the cache, when the analysis first needs them
    /// ([`Modules::lazy`](crate::facts::Modules::lazy)): None when they are not there,
    /// or damaged.
    pub(crate) fn decoder<'s>(
        &'s self,
        cache: Option<&'s cache::Cache>,
        scope: Option<ParseScope>,
    ) -> impl Fn(usize) -> Option<ModuleFacts> + Sync + 's {
        move |i| {
            let (at, c) = (self.stamps.get(i)?.2?, cache?);
            ParseScope::kept(scope, || c.decode(at))
        }
    }
}

/// Decodes the facts stored in the cache, of every module, side by side. False when the
/// cache turns out damaged.
pub(crate) fn decode_all(
    facts: &mut [Facts],
    scope: Option<ParseScope>,
    cache: Option<&cache::Cache>,
) -> bool {
    facts
        .par_iter_mut()
        .with_max_len(1)
        .all(|facts| match facts {
            Facts::Ready(_) => true,
            Facts::Stored(stored) => {
                match ParseScope::kept(scope, || cache.and_then(|c| c.decode(*stored))) {
                    Some(decoded) => {
                        *facts = Facts::Ready(decoded);
                        true
                    }
                    None => false,
                }
            }
        })
}

/// How files are read: what [`Load::file`] needs besides the file.
struct Load<'a> {
    scope: Option<ParseScope>,
    overrides: &'a HashMap<PathBuf, String>,
    blocking_builtins: &'a [&'a str],
    cache: Option<&'a cache::Cache>,
}

impl Load<'_> {
    /// The file's facts: from the cache when its time or text is as recorded there, else
    /// read and parsed.
    fn file<'f>(&self, file: &'f SourceFile) -> Result<LoadedFile<'f>, SourceError> {
        let stamp = match self.cache {
            Some(_) if !self.overrides.contains_key(&file.path) => cache::Stamp::of(&file.path),
            _ => None,
        };
        if let (Some(c), Some(stamp)) = (self.cache, stamp) {
            if let Some((hash, stored)) =
                c.unchanged(&file.path, stamp, &file.module, file.is_package)
            {
                return Ok(LoadedFile {
                    outcome: Ok(Facts::Stored(stored)),
                    file,
                    hash,
                    stamp: Some(stamp),
                    origin: Origin::CacheByStamp,
                    same_shape: true,
                });
            }
        }
        self.parse(file, stamp)
    }

    fn parse<'f>(
        &self,
        file: &'f SourceFile,
        stamp: Option<cache::Stamp>,
    ) -> Result<LoadedFile<'f>, SourceError> {
        let (scope, cache) = (self.scope, self.cache);
        // The text, like the syntax tree, is read into scratch memory: only the facts
        // taken from it are kept.
        let source = match ParseScope::run(scope, || source_of(&file.path, self.overrides)) {
            Ok(source) => source,
            Err(e) => return Err(e.clone()),
        };
        // The hash only keys the cache.
        let hash = cache.map_or(0, |_| cache::content_hash(&source));
        if let Some(c) = cache {
            if let Some(stored) = c.get(&file.path, hash, &file.module, file.is_package) {
                ParseScope::discard(scope, source);
                return Ok(LoadedFile {
                    outcome: Ok(Facts::Stored(stored)),
                    file,
                    hash,
                    stamp,
                    origin: Origin::CacheByText,
                    same_shape: true,
                });
            }
        }
        // The tree is kept to be discarded with the arena, not dropped.
        let extracted = ParseScope::run(scope, || {
            extract::parse(&source).map(|tree| {
                let facts = extract::facts_of(
                    &tree,
                    &source,
                    &file.module,
                    file.is_package,
                    self.blocking_builtins,
                );
                (tree, facts)
            })
        });
        // Extracting in scratch memory too, then copying the facts out, keeps the
        // extraction's own temporaries from interleaving with the facts kept: a cold run
        // peaks at 146 MiB this way, 185 MiB with the facts built in place (and the
        // copies are exact-sized). Copied into the kept arena, each allocation is a
        // pointer bump, and none is freed one by one.
        let outcome = match &extracted {
            Ok((_, facts)) => Ok(ParseScope::kept(scope, || facts.clone())),
            Err(e) => Err((e.clone(), source.clone())),
        };
        ParseScope::discard(scope, (extracted, source));
        // What an edit changed decides whether the last analysis still holds.
        let same_shape = match (&outcome, cache) {
            (Ok(facts), Some(c)) => c
                .previous(&file.path, &file.module, file.is_package)
                .and_then(|stored| c.decode(stored))
                .is_some_and(|old| old.same_shape(facts)),
            _ => false,
        };
        Ok(LoadedFile {
            file,
            outcome: outcome.map(Facts::Ready),
            hash,
            stamp,
            origin: Origin::Parsed,
            same_shape,
        })
    }
}
