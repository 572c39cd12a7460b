//! Where parsing allocates: the thread pool and the per-thread arenas the CLI gives it.

/// The thread pool for parsing and analysis: deep expressions recurse deeply, so threads
/// get big stacks. One for the process, so that a caller checking again and again keeps
/// the same threads (and each thread its scratch arena, see [`ParseScope`]).
pub(crate) fn pool() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(256 << 20)
            .build()
            .expect("a thread pool can be built")
    })
}

/// Code to run around the parsing of each file, on the thread that parses it.
///
/// The CLI uses it to read and parse each file into a scratch arena: syntax trees are big
/// and short-lived, the facts kept from them small and long-lived, and from one heap they
/// would interleave on the same pages and pin each other's memory. Once a file's facts
/// are copied out, `discard` frees the whole arena at once, which is much faster than
/// dropping a syntax tree node by node.
///
/// The facts are copied into a second arena of the thread, the kept one: they live until
/// the end of the check, and are freed with it, by `release`. A scope serves one check
/// at a time.
#[derive(Debug, Clone, Copy)]
pub struct ParseScope {
    /// Allocations on this thread go to the scratch arena from now on.
    pub enter: fn(),
    /// Allocations go to the ordinary heap again.
    pub leave: fn(),
    /// Frees everything in this thread's scratch arena. Nothing allocated there may be
    /// used, or dropped, afterwards.
    pub discard: fn(),
    /// Allocations on this thread go to its kept arena until `leave_kept`.
    pub keep: fn(),
    pub leave_kept: fn(),
    /// Frees every thread's kept arena (each as it next keeps something). Nothing
    /// allocated there may be used, or dropped, afterwards.
    pub release: fn(),
}

impl ParseScope {
    /// Runs `f` inside the scope, when there is one.
    pub(crate) fn run<T>(scope: Option<ParseScope>, f: impl FnOnce() -> T) -> T {
        if let Some(s) = scope {
            (s.enter)();
        }
        let out = f();
        if let Some(s) = scope {
            (s.leave)();
        }
        out
    }

    /// Ends the life of `value`, made inside the scope, with everything else made there.
    pub(crate) fn discard<T>(scope: Option<ParseScope>, value: T) {
        match scope {
            Some(s) => {
                // Its memory is freed with the arena: running its destructor would walk
                // the whole tree only to free each node.
                std::mem::forget(value);
                (s.discard)();
            }
            None => drop(value),
        }
    }

    /// Runs `f` with its allocations in the kept arena, when there is a scope.
    pub(crate) fn kept<T>(scope: Option<ParseScope>, f: impl FnOnce() -> T) -> T {
        let Some(s) = scope else {
            return f();
        };
        (s.keep)();
        let kept = f();
        (s.leave_kept)();
        kept
    }

    /// Ends the life of `values`, made in the kept arena, with everything else made there
    /// (or, without a scope, drops them on another thread).
    pub(crate) fn release<T: Send + 'static>(scope: Option<ParseScope>, values: Vec<T>) {
        match scope {
            Some(s) => {
                // Only the list itself is on the ordinary heap.
                values.into_iter().for_each(std::mem::forget);
                (s.release)();
            }
            // Freeing every module's facts, one small allocation at a time, costs a few
            // percent of a run; the caller need not wait for it.
            None => drop(std::thread::spawn(move || drop(values))),
        }
    }
}
