//! How much of the last run a check can build on: the cache policy. The last analysis is
//! reused whole when every module has facts of the same shape, resumed when only calls
//! that no other module relies on changed, else the project is analysed afresh; and the
//! cache is written again when enough changed to be worth it.

use std::path::PathBuf;

use crate::analysis::{analysis_key, Analysed, Analysis, Plan, Resumable};
use crate::cache;
use crate::catalogue::Catalogue;
use crate::check::CheckOptions;
use crate::config::Settings;
use crate::error::Warning;
use crate::frameworks;
use crate::load::{Facts, Loaded};

/// The cache policy of one check, from what loading the files found.
pub(crate) struct Policy {
    /// The key the analysis is kept under: the settings it depends on.
    pub(crate) key: u64,
    /// Enough changed to write the cache again whatever the analysis does.
    stale: bool,
    /// How many files were read again: parsed, or found in the cache by their text.
    changed: usize,
    /// The check is of text on disk: none overridden.
    on_disk: bool,
    /// The run analyses what the next one may resume from, to keep it.
    pub(crate) keep: bool,
}

impl Policy {
    pub(crate) fn new(
        loaded: &Loaded,
        cache: Option<&cache::Cache>,
        settings: &Settings,
        catalogue: &Catalogue,
        options: &CheckOptions,
    ) -> Policy {
        // The cache is rewritten when enough changed to be worth it: writing it whole
        // costs more than parsing a few edited files again on the next run. Files whose
        // time changed but not their text (a checkout) are read again on every run until
        // it is.
        let changed = loaded.parsed + loaded.restamped;
        let modules = loaded.facts.len();
        let stale = cache.is_some_and(|c| {
            (changed > 0 && (c.is_empty() || changed * 50 > modules || changed > 200))
                || c.len().abs_diff(modules) * 50 > modules
                // Other installed modules than the cache has (a package upgraded, a new
                // import): none of the project's files need have changed.
                || (loaded.library != 0 && !same_modules(c, loaded))
        });
        // The analysis kept holds for these installed modules only.
        let key = match loaded.library {
            0 => analysis_key(settings, catalogue),
            library => analysis_key(settings, catalogue) ^ library.rotate_left(1),
        };
        let mut policy = Policy {
            key,
            stale,
            changed,
            on_disk: options.overrides.is_empty(),
            keep: false,
        };
        // What to write in the cache besides the analysis, for the next run to pick up.
        policy.keep = cache.is_some() && !options.notes && policy.rewrites(true);
        policy
    }

    /// Whether the cache is written again: when enough changed, or after an edit that
    /// the analysis ran for, so that the next runs compare their files with these facts.
    pub(crate) fn rewrites(&self, analysed: bool) -> bool {
        self.stale || (self.changed > 0 && analysed && self.on_disk)
    }

    /// What the analysis can start from.
    pub(crate) fn plan(
        &self,
        loaded: &Loaded,
        cache: Option<&cache::Cache>,
        options: &CheckOptions,
    ) -> Plan {
        let Some(c) = cache else {
            return Plan::Fresh;
        };
        // The last analysis is of these very modules (the numbering its function ids use).
        // Text given in `overrides` (an editor's unsaved buffers) is compared with the
        // cache's facts like text read from disk: reused while of the same shape.
        if options.notes || !same_modules(c, loaded) {
            return Plan::Fresh;
        }
        if !loaded.reshaped {
            return match c.memo::<Analysis>(self.key) {
                Some(analysis) => Plan::Reuse(analysis),
                None => Plan::Fresh,
            };
        }
        // After an edit that changed calls, what the last run resolved in the other
        // modules may still hold.
        c.memo_with::<Analysis, Resumable>(self.key)
            .map(|(_, r)| r)
            .filter(|r| same_interfaces(loaded, c, r))
            .map_or(Plan::Fresh, Plan::Resume)
    }
}

/// Whether the cache was written for the modules loaded, in this order.
fn same_modules(c: &cache::Cache, loaded: &Loaded) -> bool {
    c.same_modules(
        loaded
            .files
            .iter()
            .map(|f| (f.path.as_path(), f.module.as_str(), f.is_package)),
    )
}

/// Whether every module parsed again shows the others what it showed the last run.
fn same_interfaces(loaded: &Loaded, c: &cache::Cache, r: &Resumable) -> bool {
    // The installed modules are those the analysis's key names: the same.
    let own = loaded.facts.iter().zip(&loaded.files).take(loaded.own);
    own.into_iter().all(|(facts, file)| {
        let Facts::Ready(new) = facts else {
            return true;
        };
        c.previous(&file.path, &file.module, file.is_package)
            .and_then(|at| c.decode(at))
            .is_some_and(|old| {
                old.same_interface(
                    new,
                    |name| r.mentioned(name),
                    |call| frameworks::detection_reads(call) || r.may_construct(call),
                    frameworks::is_test_module(&new.name),
                )
            })
    })
}

static NO_FACTS: std::sync::LazyLock<crate::facts::ModuleFacts> =
    std::sync::LazyLock::new(crate::facts::ModuleFacts::default);

/// Writes the cache again when the policy says so. A failure is a warning.
pub(crate) fn save(
    (root, c): &(PathBuf, cache::Cache),
    policy: &Policy,
    loaded: &Loaded,
    analysed: &Analysed,
    warnings: &mut Vec<Warning>,
) {
    // After an edit that changed what some function calls, the cache is rewritten too:
    // the next runs compare their files with these facts, and reuse this analysis while
    // those keep their shape.
    if !policy.rewrites(!analysed.reused) {
        return;
    }
    let entries = loaded
        .files
        .iter()
        .zip(&loaded.stamps)
        .enumerate()
        .map(|(i, (f, (hash, stamp, stored)))| cache::SavedModule {
            path: &f.path,
            hash: *hash,
            stamp: *stamp,
            module: &f.module,
            is_package: f.is_package,
            // Facts the cache has are copied from it as they are. An installed module's
            // are not kept here (the package cache has them): only its place among the
            // modules, which the analysis kept numbers its functions by.
            facts: stored.is_none().then(|| match i < loaded.own {
                true => &analysed.modules[i],
                false => &NO_FACTS,
            }),
            stored: *stored,
        })
        .collect();
    let memo = (policy.key, &analysed.analysis);
    if let Err(e) = c.save(root, entries, memo, analysed.resumable.as_ref()) {
        warnings.push(Warning::CacheNotWritten {
            dir: root.to_path_buf(),
            error: e,
        });
    }
}
