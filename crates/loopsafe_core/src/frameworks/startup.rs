//! Start-up code named as such: `initialize()`, `init_db()`, `setup()`, `lifespan()`,
//! discord.py's `setup_hook()`. Whatever starts
//! the service calls them once, before or as it begins serving; the frameworks that
//! register start-up hooks (FastAPI's `on_event("startup")`, Quart's `before_serving`)
//! say so in their own files. What blocks only under such a coroutine runs once, not on
//! every request: a coroutine a route also reaches stays per request, as the reach of
//! every finding is the union of its entry points.

use rustc_hash::FxHashSet as HashSet;

use super::{Entry, EntryKind, Frameworks, Scan};
use crate::project::FnId;

/// The framework these entries are said to come from. They only tell how often code
/// runs: the list of a project's entry points leaves them out (locating thousands of
/// `setup` functions would read thousands of files for nothing).
pub const BY_NAME: &str = "start-up by name";

/// Names of coroutines that set a service up, exactly. Sorted.
///
/// Not Home Assistant's `async_setup_entry` and the like: see [`super::homeassistant`].
const NAMES: &[&str] = &[
    "bootstrap",
    "init",
    "initialise",
    "initialize",
    "lifespan",
    "on_startup",
    "setup",
    "setup_hook",
    "start_up",
    "startup",
];

/// Prefixes of the names of coroutines that set one part of a service up:
/// `init_groups`, `_initialize_storage`, `setup_database`.
const PREFIXES: &[&str] = &["init_", "initialize_", "setup_"];

/// Names of coroutines that run as the service stops, exactly: what blocks there holds
/// up the exit, no request (the server stopped taking them). Sorted.
const SHUTDOWN_NAMES: &[&str] = &["finalize", "on_shutdown", "shutdown", "teardown"];

/// Prefixes of the names of coroutines that take one part of a service down:
/// `finalize_storages`, `shutdown_workers`.
const SHUTDOWN_PREFIXES: &[&str] = &["finalize_", "shutdown_", "teardown_"];

/// What a long-lived component's class name ends with: a server, a proxy, a worker, an
/// observer. One is started once (with the service, or with the job it runs) and runs
/// until it is stopped; a client or a service-layer object, by contrast, may be made and
/// entered on every request, and a spawner (JupyterHub's) starts a user's server on
/// each login. Sorted.
const COMPONENTS: &[&str] = &[
    "Daemon",
    "Observer",
    "Proxy",
    "Runner",
    "Scheduler",
    "Server",
    "Supervisor",
    "Waiter",
    "Watcher",
    "Worker",
];

/// Whether a method starts or stops a long-lived component: `start()` or `__aenter__()`
/// of a `GrpcServer`, `stop()` or `__aexit__()` of a `ConfigurableHTTPProxy`.
pub(super) fn lifecycle(class: &str, method: &str) -> Option<EntryKind> {
    if !COMPONENTS.iter().any(|c| class.ends_with(c)) {
        return None;
    }
    match method {
        "start" | "__aenter__" => Some(EntryKind::Startup),
        "stop" | "__aexit__" => Some(EntryKind::Shutdown),
        _ => None,
    }
}

/// Whether a coroutine of this name sets the service up, or takes it down.
pub(super) fn named(name: &str) -> Option<EntryKind> {
    let name = name.trim_start_matches('_');
    let is = |names: &[&str], prefixes: &[&str]| {
        names.binary_search(&name).is_ok() || prefixes.iter().any(|p| name.starts_with(p))
    };
    if is(NAMES, PREFIXES) {
        Some(EntryKind::Startup)
    } else if is(SHUTDOWN_NAMES, SHUTDOWN_PREFIXES) {
        Some(EntryKind::Shutdown)
    } else {
        None
    }
}

pub(super) fn scan(scan: &Scan, out: &mut Frameworks) {
    // Home Assistant has thousands: each is added once, without a search of the list.
    let known: HashSet<FnId> = out.entries.iter().map(|e| e.function).collect();
    for (function, kind) in &scan.startup {
        if !known.contains(function) {
            out.entries.push(Entry {
                kind: *kind,
                function: *function,
                framework: BY_NAME,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sorted() {
        assert!(NAMES.windows(2).all(|w| w[0] < w[1]));
        assert!(SHUTDOWN_NAMES.windows(2).all(|w| w[0] < w[1]));
        assert!(COMPONENTS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn components_start_once() {
        assert_eq!(
            lifecycle("GrpcServer", "__aenter__"),
            Some(EntryKind::Startup)
        );
        assert_eq!(
            lifecycle("ConfigurableHTTPProxy", "start"),
            Some(EntryKind::Startup)
        );
        assert_eq!(lifecycle("EventsWorker", "stop"), Some(EntryKind::Shutdown));
        // A client is entered per request; a server's other methods serve requests.
        assert_eq!(lifecycle("ApiClient", "__aenter__"), None);
        assert_eq!(lifecycle("UserService", "start"), None);
        assert_eq!(lifecycle("LocalProcessSpawner", "start"), None);
        assert_eq!(lifecycle("GrpcServer", "handle"), None);
    }

    #[test]
    fn set_up_names_and_not_others() {
        for name in ["initialize", "_init_groups", "setup_hook", "__init_db"] {
            assert_eq!(named(name), Some(EntryKind::Startup), "{name}");
        }
        for name in [
            "start_kernel",
            "__aenter__",
            "get",
            "initialized",
            "setuptools",
            "on_message",
            // Home Assistant sets integrations up while it serves.
            "async_setup_entry",
            "async_unload_entry",
        ] {
            assert_eq!(named(name), None, "{name}");
        }
        for name in ["finalize_storages", "_shutdown"] {
            assert_eq!(named(name), Some(EntryKind::Shutdown), "{name}");
        }
        // Closing a client is done per request too.
        assert_eq!(named("close"), None);
    }
}
