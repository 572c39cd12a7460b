//! loopsafe's library: finds blocking calls that run on the asyncio event loop.
//!
//! A check is a chain of stages, each a module: `load` finds the files and reads their
//! facts (parsed in parallel, or taken from the cache), `incremental` decides how much of
//! the last run's analysis still holds, `analysis` resolves the calls and concludes what
//! blocks the loop, `findings` words the findings, `suppress` drops those not reported,
//! `fixes` works out their fixes, and `incremental::save` writes the cache.
//! Nothing here prints; the CLI renders the [`CheckResult`] that [`check`] returns.

// The library never prints: the CLI renders what a check returns.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod analysis;
pub mod apply;
pub mod arena;
pub mod baseline;
pub mod cache;
pub mod catalogue;
mod check;
pub mod ci_formats;
pub mod compare;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod error;
pub mod extract;
pub mod facts;
mod files;
mod findings;
pub mod fingerprint;
pub mod fixer;
mod fixes;
pub mod focus;
pub mod frameworks;
mod incremental;
pub mod line_index;
mod load;
pub mod noqa;
pub mod notes;
pub mod off_loop;
pub mod packages;
pub mod project;
pub mod propagate;
pub mod render;
pub mod report;
pub mod rules;
pub mod severity;
pub mod source;
mod suppress;

use std::path::PathBuf;

use rayon::prelude::*;

use crate::config::Settings;
use crate::incremental::Policy;

use crate::arena::pool;
pub use crate::arena::{ArenaHooks, ParseScope};
pub use crate::check::{CheckOptions, CheckResult};
pub use crate::config::ConfigError;
pub use crate::discover::DiscoverError;
pub use crate::load::Discovery;
pub use crate::source::{read_source, SourceError, MAX_FILE_BYTES};

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
    let discovery = Discovery::new(paths, settings, options)?;
    Ok(check_discovered(&discovery, options))
}

/// Checks the files found: again and again, on fixed text, for `--fix`. The cache is
/// used when both the options and the discovery name it.
pub fn check_discovered(discovery: &Discovery, options: &CheckOptions) -> CheckResult {
    let mut cache = options.cache.as_ref().and(discovery.cache());
    loop {
        match attempt(discovery, options, cache) {
            Ok(result) => return result,
            // A damaged cache: every file is read and parsed again, without it (and
            // without a cache, nothing can be damaged).
            Err(analysis::Damaged) => cache = None,
        }
    }
}

/// One check, stage after stage, from reading the files to writing the cache.
fn attempt(
    discovery: &Discovery,
    options: &CheckOptions,
    cache: Option<&(PathBuf, cache::Cache)>,
) -> Result<CheckResult, analysis::Damaged> {
    let (settings, catalogue, scope) = (discovery.settings, &discovery.catalogue, options.scope);
    let opened = cache.map(|(_, c)| c);
    let warnings = discovery.warnings(cache.is_some());
    let (mut loaded, mut result) = load::load(discovery, options, opened, warnings);
    findings::syntax_errors(&mut result, std::mem::take(&mut loaded.syntax_errors));
    let project_modules = loaded.facts.len();
    if let Some(library) = discovery.library(&loaded, opened, options, &mut result.warnings) {
        loaded.add_library(library, scope);
        result.packages = Some(library.report.clone());
    }
    let policy = Policy::new(&loaded, opened, settings, catalogue, options);
    let plan = policy.plan(&loaded, opened, options);
    let facts = std::mem::take(&mut loaded.facts);
    let decode = loaded.decoder(opened, scope);
    let context = analysis::Context {
        catalogue,
        settings,
        scope,
        cache: opened,
        everything: options.notes,
        keep: policy.keep,
        project_modules,
    };
    let analysed = analysis::run(plan, facts, loaded.names(), &decode, &context)?;
    result.analysis_reused = analysed.reused;
    result.analysis_resumed = analysed.resumed;
    let files = &loaded.files;
    findings::build(&mut result, &analysed, files, catalogue, options);
    if let Some(only) = &options.focus {
        focus::retain(&mut result.diagnostics, only);
    }
    result.min_severity = settings.min_severity;
    result.below_min_severity =
        suppress::suppress(&mut result.diagnostics, settings, &analysed.modules, files);
    findings::order(&mut result);
    if !options.without_fixes {
        let project = fixes::Project {
            files: &loaded.files,
            overrides: &options.overrides,
            root: &settings.root,
        };
        let uses = analysed.analysis.offload_uses;
        pool().install(|| {
            fixes::attach_fixes(&mut result.diagnostics, &result.sources, &project, uses)
        });
    }
    if let Some(cache) = cache {
        incremental::save(cache, &policy, &loaded, &analysed, &mut result.warnings);
    }
    ParseScope::release(scope, analysed.modules.into_loaded());
    Ok(result)
}
