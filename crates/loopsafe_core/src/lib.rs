//! loopsafe's library: finds blocking calls that run on the asyncio event loop.
//!
//! The pipeline is a chain of plain functions:
//! discover → read and extract per-module facts (parallel) → project → rules → suppress.
//! Nothing here prints; the CLI renders the [`CheckResult`] that [`check`] returns.

pub mod apply;
pub mod arena;
pub mod cache;
pub mod catalogue;
pub mod compare;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod error;
pub mod extract;
pub mod facts;
pub mod fingerprint;
pub mod fix;
pub mod fixer;
pub mod frameworks;
pub mod notes;
pub mod off_loop;
pub mod project;
pub mod propagate;
pub mod render;
pub mod report;
pub mod rules;
pub mod source;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::catalogue::Catalogue;
use crate::config::Settings;
use crate::diagnostic::{
    implied_on, quote_api, Diagnostic, EntryPoint, Hop, LineIndex, Location, Root,
};
use crate::discover::SourceFile;
use crate::facts::{CallKind, ModuleFacts, Modules, Suppression};
use crate::project::Project;
use crate::rules::Rule;

use crate::arena::pool;
pub use crate::arena::{ArenaHooks, ParseScope};
pub use crate::config::ConfigError;
pub use crate::discover::DiscoverError;
use crate::error::Warning;
use crate::source::source_of;
pub use crate::source::{read_source, SourceError, MAX_FILE_BYTES};

#[derive(Debug, Default)]
pub struct CheckResult {
    pub diagnostics: Vec<Diagnostic>,
    /// One line each: files that could not be read or were not Python text.
    pub warnings: Vec<Warning>,
    pub files_checked: usize,
    /// The text of every file that has a diagnostic, for rendering.
    pub sources: HashMap<PathBuf, String>,
    /// Blocking calls that do not run on the loop, and why (with `CheckOptions::notes`).
    pub notes: Vec<notes::Note>,
    /// The entry points the frameworks define.
    pub entry_points: Vec<EntryPoint>,
    /// How many routes the frameworks define.
    pub routes: usize,
    /// The whole-project analysis was not run again: the cache held its conclusions for
    /// facts of the same shape as these.
    pub analysis_reused: bool,
    /// The last run's analysis was picked up after an edit that changed calls: only the
    /// edited modules' calls were resolved again.
    pub analysis_resumed: bool,
}

/// One file after reading and parsing (or finding it in the cache).
struct Checked {
    file: SourceFile,
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
enum Facts {
    Ready(ModuleFacts),
    Stored(cache::Stored),
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
    fn file(&self, file: SourceFile) -> Result<Checked, SourceError> {
        let stamp = match self.cache {
            Some(_) if !self.overrides.contains_key(&file.path) => cache::Stamp::of(&file.path),
            _ => None,
        };
        if let (Some(c), Some(stamp)) = (self.cache, stamp) {
            if let Some((hash, stored)) =
                c.unchanged(&file.path, stamp, &file.module, file.is_package)
            {
                return Ok(Checked {
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

    fn parse(&self, file: SourceFile, stamp: Option<cache::Stamp>) -> Result<Checked, SourceError> {
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
                return Ok(Checked {
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
        Ok(Checked {
            file,
            outcome: outcome.map(Facts::Ready),
            hash,
            stamp,
            origin: Origin::Parsed,
            same_shape,
        })
    }

    /// Decodes the facts stored in the cache, of every module, side by side. False when
    /// the cache turns out damaged.
    fn decode(&self, loaded: &mut [Facts]) -> bool {
        loaded
            .par_iter_mut()
            .with_max_len(1)
            .all(|facts| match facts {
                Facts::Ready(_) => true,
                Facts::Stored(stored) => match ParseScope::kept(self.scope, || {
                    self.cache.and_then(|c| c.decode(*stored))
                }) {
                    Some(decoded) => {
                        *facts = Facts::Ready(decoded);
                        true
                    }
                    None => false,
                },
            })
    }
}

impl Facts {
    /// The facts; empty when they were not needed, so not decoded.
    fn or_empty(self) -> ModuleFacts {
        match self {
            Facts::Ready(facts) => facts,
            Facts::Stored(_) => ModuleFacts::default(),
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

/// How to run a check, beyond the settings.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    pub scope: Option<ParseScope>,
    /// Text to use instead of what is on disk, by path: fixed files not yet written.
    pub overrides: HashMap<PathBuf, String>,
    /// Also list the blocking calls that are acceptable (off the loop), for the report.
    pub notes: bool,
    /// Keep per-file facts in a cache under this project root (`.loopsafe_cache`).
    pub cache: Option<PathBuf>,
    /// Work out no fixes: the output shows none (`--output-format concise`, `github`).
    /// Finding them parses each file with a finding again.
    pub without_fixes: bool,
}

/// Checks the given paths with the given settings.
pub fn check(paths: &[PathBuf], settings: &Settings) -> Result<CheckResult, DiscoverError> {
    check_with(paths, settings, &CheckOptions::default())
}

/// Discovers, reads and parses the files, and does nothing else: how fast a check could
/// be at best (`bench/compare_ruff.py` prints it). Returns how many files parsed.
pub fn parse_only(
    paths: &[PathBuf],
    settings: &Settings,
    scope: Option<ParseScope>,
) -> Result<usize, DiscoverError> {
    let pool = pool();
    let (files, _) = pool.install(|| discover::discover(paths, settings))?;
    Ok(pool.install(|| {
        files
            .into_par_iter()
            .with_max_len(1)
            .filter(|file| {
                let parsed = ParseScope::run(scope, || {
                    read_source(&file.path).map(|source| {
                        let tree = extract::parse(&source);
                        (source, tree)
                    })
                });
                let ok = matches!(&parsed, Ok((_, Ok(_))));
                ParseScope::discard(scope, parsed);
                ok
            })
            .count()
    }))
}

/// [`check`] with [`CheckOptions`].
pub fn check_with(
    paths: &[PathBuf],
    settings: &Settings,
    options: &CheckOptions,
) -> Result<CheckResult, DiscoverError> {
    let scope = options.scope;
    let overrides = &options.overrides;
    let catalogue = Catalogue::new(settings.extend_blocking_calls.clone());
    let blocking_builtins = catalogue.blocking_builtins();
    let pool = pool();
    // The cache is read while the files are found.
    let (discovered, cache) = std::thread::scope(|s| {
        let cache = s.spawn(|| {
            options
                .cache
                .as_ref()
                .map(|root| (root, cache::Cache::open(root, &blocking_builtins)))
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
    let (files, walked, listing) = discovered?;
    let mut warnings: Vec<Warning> = walked.into_iter().map(Warning::Walk).collect();
    if let (Some(root), Some(listing)) = (&options.cache, listing) {
        if let Err(e) = cache::write_listing(root, &listing) {
            warnings.push(Warning::CacheNotWritten {
                dir: root.to_path_buf(),
                error: e,
            });
        }
    }
    let load = Load {
        scope,
        overrides,
        blocking_builtins: &blocking_builtins,
        cache: cache.as_ref().map(|(_, c)| c),
    };
    // One file per task: otherwise rayon stops splitting a thread's share once no other
    // thread has asked for work, and the last files of a share, being no longer
    // stealable, leave one core idle for the last tenth of the parsing (perf timeline).
    let checked: Vec<Result<Checked, SourceError>> = pool.install(|| {
        files
            .into_par_iter()
            .with_max_len(1)
            .map(|file| load.file(file))
            .collect()
    });
    // Parallel to `loaded`: what the cache is written with (the facts of a module read
    // from it are copied from there).
    let mut stamps = Vec::with_capacity(checked.len());
    let mut parsed = 0usize;
    let mut restamped = 0usize;
    let mut reshaped = false;
    let mut loaded = Vec::with_capacity(checked.len());
    // Parallel to `loaded`: the file each module came from. Sources are not kept: most
    // files have no finding, and those that do are read again below.
    let mut module_files: Vec<SourceFile> = Vec::with_capacity(checked.len());
    let mut diagnostics = vec![];
    let mut result = CheckResult::default();
    for c in checked {
        let c = match c {
            Ok(c) => c,
            Err(w) => {
                warnings.push(Warning::Source(w));
                continue;
            }
        };
        result.files_checked += 1;
        parsed += usize::from(c.origin == Origin::Parsed);
        restamped += usize::from(c.origin == Origin::CacheByText);
        reshaped |= c.origin == Origin::Parsed && !c.same_shape;
        match c.outcome {
            Ok(facts) => {
                let stored = match &facts {
                    Facts::Stored(at) => Some(*at),
                    Facts::Ready(_) => None,
                };
                stamps.push((c.hash, c.stamp, stored));
                loaded.push(facts);
                module_files.push(c.file);
            }
            Err((e, source)) => {
                diagnostics.push(syntax_error(&c.file, &e, &source));
                result.sources.insert(c.file.path, source);
            }
        }
    }
    // The cache is rewritten when enough changed to be worth it: writing it whole costs
    // more than parsing a few edited files again on the next run. Files whose time
    // changed but not their text (a checkout) are read again on every run until it is.
    let changed = parsed + restamped;
    let stale = cache.as_ref().is_some_and(|(_, c)| {
        (changed > 0 && (c.is_empty() || changed * 50 > loaded.len() || changed > 200))
            || c.len().abs_diff(loaded.len()) * 50 > loaded.len()
    });
    let key = analysis_key(settings, &catalogue);
    // The last analysis is of these very modules (the numbering its function ids use).
    let same_modules = cache.as_ref().is_some_and(|(_, c)| {
        overrides.is_empty()
            && !options.notes
            && c.same_modules(
                module_files
                    .iter()
                    .map(|f| (f.path.as_path(), f.module.as_str(), f.is_package)),
            )
    });
    // Whether the cache is written again: when enough changed, or after an edit that the
    // analysis ran for, so that the next runs compare their files with these facts.
    let rewrites = |analysed: bool| stale || (changed > 0 && analysed && overrides.is_empty());
    // What to write in the cache besides the analysis, for the next run to pick up.
    let keep = cache.is_some() && !options.notes && rewrites(true);
    let memo = match &cache {
        Some((_, c)) if same_modules && !reshaped => c.memo::<Analysis>(key),
        _ => None,
    };
    // After an edit that changed calls, what the last run resolved in the other modules
    // may still hold.
    let resumable = match &cache {
        Some((_, c)) if same_modules && reshaped && memo.is_none() => c
            .memo_with::<Analysis, Resumable>(key)
            .map(|(_, r)| r)
            .filter(|r| {
                loaded.iter().zip(&module_files).all(|(facts, file)| {
                    let Facts::Ready(new) = facts else {
                        return true;
                    };
                    c.previous(&file.path, &file.module, file.is_package)
                        .and_then(|at| c.decode(at))
                        .is_some_and(|old| {
                            old.same_interface(
                                new,
                                |name| r.mentioned(name),
                                |call| frameworks::registration(call).is_some(),
                                frameworks::is_test_module(&new.name),
                            )
                        })
                })
            }),
        _ => None,
    };
    // A damaged cache: every file is read and parsed again.
    let without_cache = || {
        let options = CheckOptions {
            cache: None,
            ..options.clone()
        };
        check_with(paths, settings, &options)
    };
    let stored: Vec<Option<cache::Stored>> = loaded
        .iter()
        .map(|f| match f {
            Facts::Stored(at) => Some(*at),
            Facts::Ready(_) => None,
        })
        .collect();
    // Parsed again: not as the cache has them.
    let changed_modules: Vec<bool> = stored.iter().map(Option::is_none).collect();
    let decode_one = |i: usize| {
        let (at, c) = (stored.get(i).copied().flatten()?, load.cache?);
        ParseScope::kept(scope, || c.decode(at))
    };
    let names: Vec<&str> = module_files.iter().map(|f| f.module.as_str()).collect();
    // Only the facts the analysis reads are decoded, as it reads them.
    let lazily = |loaded: Vec<Facts>| {
        let facts = loaded
            .into_iter()
            .map(|f| match f {
                Facts::Ready(facts) => Some(facts),
                Facts::Stored(_) => None,
            })
            .collect();
        Modules::lazy(facts, names.clone(), &decode_one)
    };
    let mut analysed = true;
    let mut to_keep: Option<Resumable> = None;
    let (modules, analysis, found) = match (memo, resumable) {
        // With the analysis known, only the modules its findings are in are decoded.
        (Some(mut analysis), _) => {
            let modules = lazily(loaded);
            if !prefetch(&modules, &analysis) || !analysis.refresh(&modules) || modules.damaged() {
                return without_cache();
            }
            result.analysis_reused = true;
            analysed = false;
            (modules, analysis, None)
        }
        (None, Some(resumable)) => {
            let modules = lazily(loaded);
            let Some((analysis, _, kept)) =
                reanalyze(&modules, &catalogue, settings, resumable, &changed_modules)
            else {
                return without_cache();
            };
            if !prefetch(&modules, &analysis) || modules.damaged() {
                return without_cache();
            }
            result.analysis_resumed = true;
            to_keep = Some(kept);
            (modules, analysis, None)
        }
        (None, None) => {
            if !pool.install(|| load.decode(&mut loaded)) {
                return without_cache();
            }
            let modules = Modules::ready(loaded.into_iter().map(Facts::or_empty).collect());
            let (analysis, found, detected, kept) =
                analyze(&modules, &catalogue, settings, options.notes, keep);
            to_keep = kept;
            (modules, analysis, Some((found, detected)))
        }
    };

    let mut files = Files {
        modules: &modules,
        module_files: &module_files,
        overrides,
        sources: std::mem::take(&mut result.sources),
        line_starts: HashMap::new(),
        warnings: &mut warnings,
    };
    files.preload(analysis.functions().map(|f| f.module));
    for (finding, hotspot) in &analysis.direct {
        let m = finding.function.module;
        let Some(at) = files.locate(m, finding.span) else {
            continue;
        };
        let func = &modules[m as usize].functions[finding.function.idx as usize];
        let info = finding.rule.info();
        let kind = func.calls[finding.call_index].kind;
        let quoted = kind.quote(&at.text);
        let mut message = format!("{} {quoted} in {}", info.title, caller_words(func));
        let builtin = finding.api.strip_prefix("builtins.") == Some(at.text.as_str());
        if !at.text.ends_with(finding.api.as_str()) && !builtin {
            // A loop or a `with` block names the type it works on, not its dunder.
            let api = match kind {
                CallKind::Iterate | CallKind::Enter => implied_on(&finding.api),
                CallKind::Call | CallKind::Read => None,
            }
            .map_or(finding.api.as_str(), |(t, _)| t);
            match diagnostic::private_type_maker(api) {
                Some(call) => message.push_str(&format!(" (from `{call}`)")),
                None => message.push_str(&format!(" (`{api}`)")),
            }
        }
        let runs_once = func.calls[finding.call_index].once;
        if runs_once {
            message.push_str(" (first call only: inside a one-time set-up)");
        }
        diagnostics.push(Diagnostic {
            rule: finding.rule,
            message,
            help: info.help.to_string(),
            path: at.path,
            span: finding.span,
            call_span: finding.call_span,
            location: at.location,
            end_location: at.end_location,
            api: Some(finding.api.clone()),
            chain: vec![],
            root: None,
            runs_once,
            fix: None,
            hotspot: hotspot.clone(),
            in_sync_function: !func.is_async,
            function: func.qualname.to_string(),
        });
    }

    for (finding, hotspot) in &analysis.helpers {
        if let Some(mut d) = helper_diagnostic(&mut files, finding) {
            d.hotspot = hotspot.clone();
            diagnostics.push(d);
        }
    }
    if let (true, Some((found, detected))) = (options.notes, &found) {
        let project = Project::new(&modules, &catalogue);
        result.notes = notes::notes(&project, detected, found, &mut files);
    }
    result.entry_points = analysis
        .entries
        .iter()
        .filter_map(|e| entry_point(&mut files, e))
        .collect();
    result.routes = analysis.routes;
    result.sources = files.sources;

    let per_file = settings.per_file_ignore_sets();
    let root = settings
        .root
        .canonicalize()
        .unwrap_or(settings.root.clone());
    let by_path: HashMap<&Path, usize> = module_files
        .iter()
        .enumerate()
        .map(|(i, file)| (file.path.as_path(), i))
        .collect();
    let mut resolved: HashMap<PathBuf, PathBuf> = HashMap::new();
    diagnostics.retain(|d| {
        if !settings.is_enabled(d.rule) {
            return false;
        }
        if let Some(s) = by_path
            .get(d.path.as_path())
            .and_then(|m| modules[*m].suppressions.get(&d.location.row))
        {
            match s {
                Suppression::All => return false,
                Suppression::Codes(codes) => {
                    if codes.iter().any(|c| config::prefix_matches(c, d.code())) {
                        return false;
                    }
                }
            }
        }
        if per_file.is_empty() {
            return true;
        }
        // One file's findings are many: its path is resolved once.
        let abs = resolved
            .entry(d.path.clone())
            .or_insert_with(|| d.path.canonicalize().unwrap_or(d.path.clone()));
        let rel = abs.strip_prefix(&root).unwrap_or(abs);
        let name = d.path.file_name().map(Path::new);
        !per_file.iter().any(|(set, codes)| {
            (set.is_match(rel) || name.is_some_and(|n| set.is_match(n)))
                && codes.iter().any(|c| config::prefix_matches(c, d.code()))
        })
    });
    diagnostics.sort_by(|a, b| (&a.path, a.location, a.rule).cmp(&(&b.path, b.location, b.rule)));
    diagnostics.dedup_by(|a, b| a.path == b.path && a.span == b.span && a.rule == b.rule);
    result.sources.retain(|path, _| {
        diagnostics
            .iter()
            .any(|d| &d.path == path || d.root.as_ref().is_some_and(|r| &r.path == path))
    });
    if !options.without_fixes {
        pool.install(|| attach_fixes(&mut diagnostics, &result.sources));
    }
    result.diagnostics = diagnostics;
    result.warnings = warnings;
    if let Some((root, c)) = &cache {
        // After an edit that changed what some function calls, the cache is rewritten
        // too: the next runs compare their files with these facts, and reuse this
        // analysis while those keep their shape.
        if rewrites(analysed) {
            let entries = module_files
                .iter()
                .zip(&stamps)
                .enumerate()
                .map(|(i, (f, (hash, stamp, stored)))| cache::SavedModule {
                    path: &f.path,
                    hash: *hash,
                    stamp: *stamp,
                    module: &f.module,
                    is_package: f.is_package,
                    // Facts the cache has are copied from it as they are.
                    facts: stored.is_none().then(|| &modules[i]),
                    stored: *stored,
                })
                .collect();
            if let Err(e) = c.save(root, entries, (key, &analysis), to_keep.as_ref()) {
                result.warnings.push(Warning::CacheNotWritten {
                    dir: root.to_path_buf(),
                    error: e,
                });
            }
        }
    }
    drop(by_path);
    ParseScope::release(scope, modules.into_loaded());
    Ok(result)
}

/// What the whole-project analysis concludes, in the form the findings are built from.
/// It is kept in the cache with the facts it came from: a run whose modules all have the
/// same facts, or facts of the same shape ([`ModuleFacts::same_shape`]), reuses it
/// instead of analysing the project again.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Analysis {
    /// Blocking calls in coroutines (and in sync functions run on the loop), with the
    /// entry points above each.
    direct: Vec<(project::DirectFinding, Option<frameworks::Hotspot>)>,
    helpers: Vec<(propagate::HelperFinding, Option<frameworks::Hotspot>)>,
    entries: Vec<frameworks::Entry>,
    routes: usize,
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
    fn functions(&self) -> impl Iterator<Item = project::FnId> + '_ {
        let helpers = self.helpers.iter().flat_map(|(h, _)| {
            std::iter::once(h.caller.function).chain(h.chain.iter().map(|s| s.function))
        });
        (self.direct.iter().map(|(d, _)| d.function))
            .chain(helpers)
            .chain(self.entries.iter().map(|e| e.function))
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
fn analysis_key(settings: &Settings, catalogue: &Catalogue) -> u64 {
    let mut key = format!("{catalogue:?} tests:{}", settings.check_tests);
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
struct Resumable {
    resolution: propagate::SavedResolution,
    /// What framework detection found, before the settings and the call graph refine it.
    detected: frameworks::Frameworks,
    /// [`facts::ModuleFacts::mentions`] of every module, sorted.
    mentions: Vec<u64>,
    /// The modules that store something on a Starlette `state` (read by every module
    /// that reads one).
    state_modules: Vec<u32>,
}

impl Resumable {
    fn mentioned(&self, name: &str) -> bool {
        self.mentions.binary_search(&facts::name_hash(name)).is_ok()
    }
}

/// [`facts::ModuleFacts::mentions`] of every module, sorted, each once.
fn mentions_of(modules: &Modules) -> Vec<u64> {
    // Most names repeat (`self`, a module's imports): a set per thread keeps each once.
    let mut all: Vec<u64> = (0..modules.len())
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

/// Whether a blocking call at this span of this module, under this rule, counts: its
/// rule is selected and no `# noqa` on its line silences it.
fn counting<'a>(
    modules: &'a Modules<'a>,
    settings: &'a Settings,
) -> impl Fn(u32, facts::Span, Rule) -> bool + Sync + 'a {
    move |module: u32, span: facts::Span, rule: Rule| {
        settings.is_root_enabled(rule)
            && !modules[module as usize]
                .suppression_at(span.start)
                .is_some_and(|s| {
                    s.covers(rule.code()) || s.covers(Rule::BlockingCallThroughHelper.code())
                })
    }
}

/// Resolves the project's calls, finds the frameworks' entry points and what blocks.
/// With `keep`, also what the next run needs to pick up from here ([`Resumable`]).
fn analyze<'a>(
    modules: &'a Modules<'a>,
    catalogue: &'a Catalogue,
    settings: &'a Settings,
    everything: bool,
    keep: bool,
) -> (
    Analysis,
    propagate::Findings,
    frameworks::Frameworks,
    Option<Resumable>,
) {
    let counts = counting(modules, settings);
    let follow_helpers = settings.is_enabled(Rule::BlockingCallThroughHelper);
    // Only what can run on the loop needs resolving, unless the notes are to list the
    // blocking calls that run off it too. The coroutines are known at once, the
    // functions the frameworks run once they are detected: detection needs nothing from
    // the resolving, so both run at once.
    let mut resolution = propagate::Resolution::new(modules);
    let first: Vec<project::FnId> = match everything {
        true => resolution.all(),
        false => resolution
            .all()
            .into_iter()
            .filter(|f| modules[f.module as usize].functions[f.idx as usize].is_async)
            .collect(),
    };
    let follow = !everything;
    let resolve = |r: &mut propagate::Resolution, roots| {
        r.resolve(modules, catalogue, follow_helpers, &counts, roots, follow);
    };
    let index = resolution.module_index();
    let detect_index = index.clone();
    let ((), detected) = pool().install(|| {
        rayon::join(
            || resolve(&mut resolution, first),
            || frameworks::detect(&Project::with_index(modules, catalogue, detect_index)),
        )
    });
    let raw = (keep && !everything).then(|| detected.clone());
    let mut detected = detected;
    if settings.check_tests {
        detected.check_tests();
    }
    pool().install(|| resolve(&mut resolution, detected.functions()));
    let resumable = raw.map(|detected| {
        let (mentions, state_modules) = pool().install(|| {
            rayon::join(
                || mentions_of(modules),
                || {
                    (0..modules.len() as u32)
                        .filter(|m| !modules[*m as usize].state_attrs.is_empty())
                        .collect()
                },
            )
        });
        Resumable {
            resolution: resolution.save(),
            detected,
            mentions,
            state_modules,
        }
    });
    let (analysis, found, detected) = conclude(
        modules, index, catalogue, settings, resolution, detected, &counts,
    );
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
    catalogue: &'a Catalogue,
    settings: &'a Settings,
    kept: Resumable,
    changed: &[bool],
) -> Option<(Analysis, propagate::Findings, Resumable)> {
    let counts = counting(modules, settings);
    let follow_helpers = settings.is_enabled(Rule::BlockingCallThroughHelper);
    let Resumable {
        resolution,
        detected: raw,
        mut mentions,
        state_modules,
    } = kept;
    if state_modules.iter().any(|m| *m as usize >= modules.len()) {
        return None;
    }
    let index = std::sync::Arc::new(project::ModuleIndex::new(modules, Some(&state_modules)));
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
    };
    let (analysis, found, _) = conclude(
        modules, index, catalogue, settings, resolution, detected, &counts,
    );
    Some((analysis, found, resumable))
}

/// From the resolved calls to the findings, each with the entry points above it.
fn conclude<'a>(
    modules: &'a Modules<'a>,
    index: std::sync::Arc<project::ModuleIndex<'a>>,
    catalogue: &'a Catalogue,
    settings: &'a Settings,
    resolution: propagate::Resolution<'a>,
    mut detected: frameworks::Frameworks,
    counts: &propagate::Counts<'_>,
) -> (Analysis, propagate::Findings, frameworks::Frameworks) {
    let follow_helpers = settings.is_enabled(Rule::BlockingCallThroughHelper);
    let mut found = pool().install(|| propagate::findings(resolution, follow_helpers));
    propagate::sync_on_loop(
        &mut found,
        modules,
        index,
        catalogue,
        follow_helpers,
        counts,
        &detected.sync_on_loop,
    );
    detected.extend_own_loop(|f| found.is_async(f), &found.edges);
    let mut reach = frameworks::Reach::new(&detected, &found.edges);
    let mut hotspot = |f: project::FnId| (!detected.entries.is_empty()).then(|| reach.hotspot(f));
    // Flask's async views and the tests each run on a loop of their own: what blocks
    // there stalls no request of the service's (the report's notes list it).
    let direct = found
        .direct
        .iter()
        .filter(|f| !detected.on_own_loop(f.function))
        .map(|f| (f.clone(), hotspot(f.function)))
        .collect();
    let helpers = found
        .helpers
        .iter()
        .filter(|f| !detected.on_own_loop(f.caller.function))
        .map(|f| (f.clone(), hotspot(f.caller.function)))
        .collect();
    let analysis = Analysis {
        direct,
        helpers,
        entries: detected.entries.clone(),
        routes: reach.routes(),
    };
    (analysis, found, detected)
}

/// A file that does not parse, as a finding.
fn syntax_error(file: &SourceFile, e: &extract::SyntaxError, source: &str) -> Diagnostic {
    let index = LineIndex::new(source);
    let location = index.location(e.offset);
    let at = facts::Span {
        start: e.offset,
        end: e.offset,
    };
    Diagnostic {
        rule: Rule::SyntaxError,
        message: format!("Syntax error: {}", e.message),
        help: Rule::SyntaxError.info().help.to_string(),
        path: file.path.clone(),
        span: at,
        call_span: at,
        location,
        end_location: location,
        api: None,
        chain: vec![],
        root: None,
        runs_once: false,
        fix: None,
        hotspot: None,
        in_sync_function: false,
        function: String::new(),
    }
}

/// Works out the fix of every finding, file by file (in parallel: each file with a
/// finding is parsed again, since facts keep no syntax tree).
fn attach_fixes(diagnostics: &mut [Diagnostic], sources: &HashMap<PathBuf, String>) {
    let mut groups: Vec<&mut [Diagnostic]> = vec![];
    let mut rest = diagnostics;
    while !rest.is_empty() {
        let path = rest[0].path.clone();
        let n = rest.iter().take_while(|d| d.path == path).count();
        let (group, tail) = rest.split_at_mut(n);
        groups.push(group);
        rest = tail;
    }
    groups.into_par_iter().for_each(|group| {
        let path = group[0].path.clone();
        let Some(source) = sources.get(&path) else {
            return;
        };
        // Only a fix to httpx cares whether the project declares it.
        let needs_httpx = group.iter().any(|d| {
            d.rule == Rule::BlockingHttpCall
                && d.api.as_deref().is_some_and(|a| a.starts_with("requests."))
        });
        let httpx_declared = if needs_httpx {
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            httpx_declared(&std::path::absolute(&dir).unwrap_or(dir))
        } else {
            None
        };
        // An `await` cannot go in a sync function: those findings get no fix.
        let requests: Vec<fix::Request> = group
            .iter()
            .filter(|d| !d.in_sync_function)
            .map(|d| fix::Request {
                rule: d.rule,
                api: d.api.as_deref().unwrap_or(""),
                span: d.span,
            })
            .collect();
        let fixes = fix::fixes(source, &requests, &fix::Context { httpx_declared });
        for (d, f) in group.iter_mut().filter(|d| !d.in_sync_function).zip(fixes) {
            d.fix = f;
        }
    });
}

/// Whether the project that holds `dir` declares `httpx`: read from the nearest
/// requirements*.txt, pyproject.toml or Pipfile, walking up. `None` when none is found.
fn httpx_declared(dir: &Path) -> Option<bool> {
    for d in dir.ancestors() {
        let mut found = false;
        let mut declared = false;
        if let Ok(entries) = std::fs::read_dir(d) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().to_string();
                let is_requirements = name.starts_with("requirements") && name.ends_with(".txt");
                if !(is_requirements || name == "pyproject.toml" || name == "Pipfile") {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(entry.path()) else {
                    continue;
                };
                found = true;
                declared |= fixer::declares(&text, "httpx");
            }
        }
        if found {
            return Some(declared);
        }
        if d.join(".git").exists() {
            break;
        }
    }
    None
}

/// Source text and positions for the modules with findings, read on demand.
struct Files<'a> {
    modules: &'a Modules<'a>,
    module_files: &'a [SourceFile],
    overrides: &'a HashMap<PathBuf, String>,
    sources: HashMap<PathBuf, String>,
    /// Line starts of the sources, worked out once per file.
    line_starts: HashMap<PathBuf, Vec<u32>>,
    warnings: &'a mut Vec<Warning>,
}

/// A span of a module, located in its file.
struct At {
    path: PathBuf,
    location: Location,
    end_location: Location,
    /// The spanned text on one line.
    text: String,
}

impl Files<'_> {
    /// Reads the sources of these modules side by side on the pool, rather than one at a
    /// time as each finding is located (a project with hundreds of routes has them in
    /// as many files). A file that cannot be read is left for `locate` to report.
    fn preload(&mut self, modules: impl Iterator<Item = u32>) {
        let files = self.module_files;
        let mut paths: Vec<&Path> = modules
            .map(|m| files[m as usize].path.as_path())
            .filter(|p| !self.sources.contains_key(*p))
            .collect();
        paths.sort_unstable();
        paths.dedup();
        let overrides = self.overrides;
        let read: Vec<(&Path, String, Vec<u32>)> = pool().install(|| {
            paths
                .par_iter()
                .filter_map(|path| {
                    let source = source_of(path, overrides).ok()?;
                    let starts = extract::line_starts(&source);
                    Some((*path, source, starts))
                })
                .collect()
        });
        for (path, source, starts) in read {
            self.line_starts.insert(path.to_path_buf(), starts);
            self.sources.insert(path.to_path_buf(), source);
        }
    }

    fn locate(&mut self, module: u32, span: facts::Span) -> Option<At> {
        let file = &self.module_files[module as usize];
        if !self.sources.contains_key(&file.path) {
            match source_of(&file.path, self.overrides) {
                Ok(source) => {
                    self.sources.insert(file.path.clone(), source);
                }
                Err(w) => {
                    self.warnings.push(Warning::Source(w));
                    return None;
                }
            }
        }
        let source = &self.sources[&file.path];
        // The source is read a second time; a file edited in between may no longer hold
        // the span, and must not crash the run.
        let Some(text) = source.get(span.start as usize..span.end as usize) else {
            self.warnings.push(Warning::FileChanged(file.path.clone()));
            return None;
        };
        let starts = match self.line_starts.remove(&file.path) {
            Some(starts) => starts,
            None => extract::line_starts(source),
        };
        let index = LineIndex::with_starts(source, starts);
        let at = At {
            path: file.path.clone(),
            location: index.location(span.start),
            end_location: index.location(span.end),
            text: without_long_arguments(&single_line(text)),
        };
        self.line_starts
            .insert(file.path.clone(), index.into_starts());
        Some(at)
    }

    fn hop(&mut self, step: propagate::Step) -> Option<(Hop, facts::Span)> {
        let func =
            &self.modules[step.function.module as usize].functions[step.function.idx as usize];
        let call = &func.calls[step.call_index];
        let at = self.locate(step.function.module, call.func_span)?;
        Some((
            Hop {
                path: at.path,
                location: at.location,
                end_location: at.end_location,
                function: func.qualname.to_string(),
                call: at.text,
                kind: call.kind,
            },
            call.func_span,
        ))
    }
}

fn entry_point(files: &mut Files, e: &frameworks::Entry) -> Option<EntryPoint> {
    let func = &files.modules[e.function.module as usize].functions[e.function.idx as usize];
    let at = files.locate(e.function.module, func.name_span)?;
    Some(EntryPoint {
        kind: e.kind,
        name: func.qualname.to_string(),
        path: at.path,
        location: at.location,
        framework: e.framework,
        function: e.function,
    })
}

/// An LS901 finding: the call in the coroutine, then every call down to the blocking one.
fn helper_diagnostic(files: &mut Files, finding: &propagate::HelperFinding) -> Option<Diagnostic> {
    let (first, span) = files.hop(finding.caller)?;
    let mut chain = vec![first.clone()];
    for step in &finding.chain {
        chain.push(files.hop(*step)?.0);
    }
    let last = chain.last().expect("a chain ends with the blocking call");
    let root = Root {
        path: last.path.clone(),
        location: last.location,
    };
    let caller = &files.modules[finding.caller.function.module as usize].functions
        [finding.caller.function.idx as usize];
    let helper = &files.modules[finding.chain[0].function.module as usize].functions
        [finding.chain[0].function.idx as usize];
    let info = Rule::BlockingCallThroughHelper.info();
    let api = finding
        .api
        .strip_prefix("builtins.")
        .unwrap_or(&finding.api);
    let mut message = if finding.scheduled {
        format!(
            "{}: {} runs `{}` on the event loop, which reaches {}, in {}",
            info.title,
            first.quoted(),
            helper.qualname,
            quote_api(api),
            caller_words(caller)
        )
    } else {
        format!(
            "{}: {} reaches {} in {}",
            info.title,
            first.quoted(),
            quote_api(api),
            caller_words(caller)
        )
    };
    if finding.runs_once {
        message
            .push_str(" (first call only: a cached function or a one-time set-up is on the way)");
    }
    let call_span = caller.calls[finding.caller.call_index].span;
    Some(Diagnostic {
        rule: Rule::BlockingCallThroughHelper,
        message,
        help: info.help.to_string(),
        path: first.path,
        span,
        call_span,
        location: first.location,
        end_location: first.end_location,
        api: Some(finding.api.clone()),
        chain,
        root: Some(root),
        runs_once: finding.runs_once,
        fix: None,
        hotspot: None,
        in_sync_function: !caller.is_async,
        function: caller.qualname.to_string(),
    })
}

/// The function a finding is in, as the message names it.
fn caller_words(func: &facts::Function) -> String {
    if func.is_async {
        format!("async function `{}`", func.qualname)
    } else {
        format!(
            "`{}`, a sync handler the framework runs on the event loop",
            func.qualname
        )
    }
}

fn single_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_space = false;
    for ch in text.chars() {
        if ch.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(ch);
            last_space = false;
        }
    }
    out.replace("( ", "(").replace(" )", ")").replace(". ", ".")
}

/// The called expression as a message quotes it, with the long arguments of the calls
/// inside it left out: `self._conn.execute(...).fetchone` names what is called, where
/// the whole SQL text would push it off the line. Short ones stay (`Path(p).exists`).
/// Text it cannot read as Python (an unclosed string or bracket) is kept as it is.
fn without_long_arguments(text: &str) -> String {
    /// Longer arguments than this are left out.
    const LONG: usize = 20;
    const KEYWORDS: [&str; 10] = [
        "and", "await", "else", "if", "in", "is", "lambda", "not", "or", "return",
    ];
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut copied, mut i) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'"' => match string_end(bytes, i) {
                Some(end) => i = end,
                None => return text.to_string(),
            },
            b'(' => {
                let Some(close) = closing_paren(bytes, i) else {
                    return text.to_string();
                };
                let before = text[..i].trim_end();
                let word_start = before
                    .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .map_or(0, |at| at + 1);
                let is_call = before.ends_with([')', ']'])
                    || (word_start < before.len() && !KEYWORDS.contains(&&before[word_start..]));
                if is_call && close - i - 1 > LONG {
                    out.push_str(&text[copied..i]);
                    out.push_str("(...)");
                    copied = close + 1;
                }
                // A call's arguments are left out whole or kept whole; the brackets inside a
                // group are looked at in turn.
                i = if is_call { close + 1 } else { i + 1 };
            }
            _ => i += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Where the string literal opening at `start` ends (just past its closing quote).
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let quote = bytes[start];
    let triple = bytes.get(start..start + 3) == Some(&[quote; 3][..]);
    let width = if triple { 3 } else { 1 };
    let mut i = start + width;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            q if q == quote && (!triple || bytes.get(i..i + 3) == Some(&[quote; 3][..])) => {
                return Some(i + width);
            }
            _ => i += 1,
        }
    }
    None
}

/// The `)` matching the `(` at `open`, past strings and nested brackets.
fn closing_paren(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'"' => {
                i = string_end(bytes, i)?;
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return (bytes[i] == b')').then_some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::without_long_arguments as shorten;

    #[test]
    fn long_arguments_of_inner_calls_are_left_out_of_quotes() {
        assert_eq!(
            shorten(
                r#"self._connection.execute("SELECT file_path FROM candidates WHERE k = ?", (key,)).fetchone"#
            ),
            "self._connection.execute(...).fetchone"
        );
        assert_eq!(shorten("Path(p).exists"), "Path(p).exists");
        assert_eq!(shorten("requests.Session().get"), "requests.Session().get");
        assert_eq!(
            shorten("Path(await self.config.localpath()).absolute"),
            "Path(...).absolute"
        );
        // A group is not a call: the call inside it is shortened, not the group.
        assert_eq!(
            shorten(r#"(Path(__file__).parent / "ui/installed/").resolve"#),
            r#"(Path(__file__).parent / "ui/installed/").resolve"#
        );
        assert_eq!(
            shorten(r#"(Path(settings.get_the_config_directory()) / "x").resolve"#),
            r#"(Path(...) / "x").resolve"#
        );
        assert_eq!(
            shorten("clients[region_name_for_this_request].get"),
            "clients[region_name_for_this_request].get"
        );
        // Brackets and quotes inside strings do not count.
        assert_eq!(
            shorten(r#"db.execute("select ( from where a = ')'", (a, b, c)).fetchall"#),
            "db.execute(...).fetchall"
        );
        assert_eq!(
            shorten(r#"open("é" * 30, 'r').read"#),
            r#"open("é" * 30, 'r').read"#
        );
        assert_eq!(shorten(r#"f(""" ) """ + "some more text").g"#), "f(...).g");
        // What cannot be read as Python is quoted as it is.
        assert_eq!(shorten(r#"f("unclosed).g"#), r#"f("unclosed).g"#);
        assert_eq!(shorten("f(a, (b).g"), "f(a, (b).g");
        assert_eq!(shorten("f(a]).g"), "f(a]).g");
    }
}
