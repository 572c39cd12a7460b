//! What a check reports.

use std::path::PathBuf;

use crate::facts::{CallKind, Span};
pub use crate::line_index::{LineIndex, Location};
use crate::rules::Rule;

/// One step of a chain from a coroutine down to a blocking call: a call made in
/// `function`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    pub path: PathBuf,
    pub location: Location,
    /// Where the called expression ends: `call` may be shorter than the source.
    pub end_location: Location,
    pub function: String,
    /// The called expression, on one line: `fetch_user`, `_session.get`.
    pub call: String,
    /// A call, or a property read, a loop or a `with` that runs code as one.
    pub kind: CallKind,
}

impl Hop {
    /// What the function does with it: calls `fetch_user()`, iterates over `orders`...
    pub fn action(&self) -> String {
        self.kind.action(&self.call)
    }

    /// The call as a message quotes it: `fetch_user()`, `self.client` (a property)...
    pub fn quoted(&self) -> String {
        self.kind.quote(&self.call)
    }
}

/// A blocking API as prose quotes it: `requests.get()`; for what a loop or a `with`
/// block runs, a loop over a `django.db.models.QuerySet`, a `with` block on a
/// `threading.Lock`.
pub fn quote_api(api: &str) -> String {
    match implied_phrase(api) {
        Some(phrase) => format!("a {phrase}"),
        None => format!("`{api}()`"),
    }
}

/// For the method a loop or a `with` block calls, what runs it, without an article:
/// loop over a `django.db.models.QuerySet`, `with` block on a `threading.Lock`.
pub fn implied_phrase(api: &str) -> Option<String> {
    let (t, kind) = implied_on(api)?;
    let on = match private_type_maker(t) {
        Some(call) => format!("what `{call}` returns"),
        None => format!("a `{t}`"),
    };
    Some(match kind {
        CallKind::Iterate => format!("loop over {on}"),
        _ => format!("`with` block on {on}"),
    })
}

/// For a type private to its library (`concurrent.futures._base.result_iterator`), which
/// a message had better not name, the call that makes it (`Executor.map()`).
pub fn private_type_maker(type_name: &str) -> Option<&'static str> {
    let private = type_name
        .split('.')
        .any(|part| part.starts_with('_') && !part.ends_with("__"));
    private
        .then(|| crate::catalogue::Catalogue::made_by(type_name))
        .flatten()
}

/// For the method a loop or a `with` block calls (`QuerySet.__iter__`), the type it
/// works on and how.
pub fn implied_on(api: &str) -> Option<(&str, CallKind)> {
    if let Some(t) = api.strip_suffix(".__iter__") {
        Some((t, CallKind::Iterate))
    } else {
        Some((api.strip_suffix(".__enter__")?, CallKind::Enter))
    }
}

/// The blocking call at the end of a chain; findings that share one share a cause.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Root {
    pub path: PathBuf,
    pub location: Location,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: Rule,
    pub message: String,
    pub help: String,
    pub path: PathBuf,
    /// The called expression (where the finding points).
    pub span: Span,
    /// The whole call, arguments included.
    pub call_span: Span,
    pub location: Location,
    pub end_location: Location,
    /// The blocking API, as the catalogue names it (`requests.get`).
    pub api: Option<String>,
    /// Empty for a call written directly in the coroutine. Otherwise every call from
    /// the coroutine's down to the blocking one.
    pub chain: Vec<Hop>,
    pub root: Option<Root>,
    /// The chain passes through a cached function: it blocks on the first call only.
    pub runs_once: bool,
    /// The chain passes through a branch (`if`, `except`, a guard on configuration):
    /// it blocks on some requests only.
    pub conditional: bool,
    /// What one call of the blocking API costs the loop.
    pub cost: crate::catalogue::Cost,
    /// How often it runs.
    pub frequency: crate::severity::Frequency,
    /// Cost times frequency: what decides whether it is shown and where it ranks.
    pub severity: crate::severity::Severity,
    pub fix: Option<crate::fixer::Fix>,
    /// The entry points that reach it; `None` when no framework was detected.
    pub hotspot: Option<crate::frameworks::Hotspot>,
    /// The call is in a sync function that a framework runs on the loop (a Tornado
    /// `def get`): no `await` can go there, so it has no fix.
    pub in_sync_function: bool,
    /// The qualified name of the function the call is in (the coroutine, or the sync
    /// handler); empty for a syntax error.
    pub function: String,
    /// For a finding through a helper: the other blocking APIs the helper reaches besides
    /// `api`, costliest first (`api` is the costliest).
    pub other_sinks: Vec<String>,
    /// Checking some files of a project: the file among them that the chain passes
    /// through, for a finding located in another file (`focus.rs`).
    pub through: Option<PathBuf>,
}

/// A function a framework runs on the event loop, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryPoint {
    pub kind: crate::frameworks::EntryKind,
    pub name: String,
    pub path: PathBuf,
    pub location: Location,
    pub framework: &'static str,
    pub function: crate::project::FnId,
}

impl Diagnostic {
    pub fn code(&self) -> &'static str {
        self.rule.code()
    }
}

#[cfg(test)]
mod tests {
    use super::quote_api;

    #[test]
    fn a_type_private_to_its_library_is_named_by_the_call_that_makes_it() {
        assert_eq!(
            quote_api("concurrent.futures._base.result_iterator.__iter__"),
            "a loop over what `concurrent.futures.Executor.map()` returns"
        );
        assert_eq!(
            quote_api("django.db.models.QuerySet.__iter__"),
            "a loop over a `django.db.models.QuerySet`"
        );
        assert_eq!(
            quote_api("threading.Lock.__enter__"),
            "a `with` block on a `threading.Lock`"
        );
        assert_eq!(quote_api("requests.get"), "`requests.get()`");
    }
}
