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
/// the end of the check, and are freed with it, by `release`.
///
/// Freeing an arena frees every block in it, whoever holds it: that is what makes a
/// scope unsafe to build ([`ParseScope::new`]), and each of its functions unsafe to call
/// ([`ArenaHooks`]).
#[derive(Debug, Clone, Copy)]
pub struct ParseScope {
    hooks: ArenaHooks,
}

/// The functions of a [`ParseScope`]. Each is `unsafe`: the arenas they switch to are
/// freed as a whole, so whatever is allocated in one must be dead when it is freed.
#[derive(Debug, Clone, Copy)]
pub struct ArenaHooks {
    /// Allocations on this thread go to the scratch arena from now on.
    ///
    /// # Safety
    ///
    /// Nothing allocated until `leave` may be used, or dropped, after the next `discard`
    /// on this thread. So nothing run in between may lazily allocate anything that
    /// outlives it: no `OnceLock` or lazy `static` initialised there, no thread-local
    /// cache filled there, no string interned there.
    pub enter: unsafe fn(),
    /// Allocations go to the ordinary heap again.
    ///
    /// # Safety
    ///
    /// Only after `enter`, on the same thread.
    pub leave: unsafe fn(),
    /// Frees everything in this thread's scratch arena.
    ///
    /// # Safety
    ///
    /// Nothing allocated there since the last `discard` may be used, or dropped,
    /// afterwards; and the thread is not inside `enter` .. `leave`.
    pub discard: unsafe fn(),
    /// Allocations on this thread go to its kept arena until `leave_kept`.
    ///
    /// # Safety
    ///
    /// Nothing allocated until `leave_kept` may be used, or dropped, after the next
    /// `release`, on any thread; so, as for `enter`, nothing run in between may lazily
    /// allocate anything that outlives it.
    pub keep: unsafe fn(),
    /// Allocations go to the ordinary heap again.
    ///
    /// # Safety
    ///
    /// Only after `keep`, on the same thread.
    pub leave_kept: unsafe fn(),
    /// Frees every thread's kept arena (each as it next keeps something).
    ///
    /// # Safety
    ///
    /// Nothing allocated in any kept arena since the last `release` may be used, or
    /// dropped, afterwards.
    pub release: unsafe fn(),
}

impl ParseScope {
    /// A scope that runs `hooks`.
    ///
    /// # Safety
    ///
    /// - The hooks do what [`ArenaHooks`] says, and a block allocated in an arena stays
    ///   valid until that arena is freed by `discard` or `release` (the global allocator
    ///   frees no block of an arena on its own).
    /// - The scope serves one check at a time: no two checks run at once with scopes
    ///   whose hooks share arenas (one's `release` would free the other's facts).
    ///
    /// The library, for its part, keeps the rules of each hook: what it runs in the
    /// scratch arena (reading, parsing and extracting a file) allocates nothing global,
    /// everything made there is dead at the `discard` that follows, and the facts kept
    /// are dead when the check ends and `release`s them. Debug builds of the CLI fill a
    /// freed arena with a pattern, so that a use after it shows up in tests.
    pub const unsafe fn new(hooks: ArenaHooks) -> ParseScope {
        ParseScope { hooks }
    }

    /// Runs `f` inside the scope, when there is one.
    ///
    /// Whatever `f` allocates, and returns, must be dead at the next [`Self::discard`]
    /// on this thread: `f` may not fill a global (lazily or not) or keep anything it makes.
    pub(crate) fn run<T>(scope: Option<ParseScope>, f: impl FnOnce() -> T) -> T {
        let Some(s) = scope else {
            return f();
        };
        // SAFETY: what `f` makes is dead at the next discard (the callers' rule above).
        unsafe { (s.hooks.enter)() };
        let out = f();
        // SAFETY: after `enter`, on this thread.
        unsafe { (s.hooks.leave)() };
        out
    }

    /// Ends the life of `value`, made inside the scope, with everything else made there.
    ///
    /// Nothing else made by [`Self::run`] on this thread since the last discard may be
    /// alive: `value` holds all of it.
    pub(crate) fn discard<T>(scope: Option<ParseScope>, value: T) {
        match scope {
            Some(s) => {
                // Its memory is freed with the arena: running its destructor would walk
                // the whole tree only to free each node.
                std::mem::forget(value);
                // SAFETY: `value` is forgotten, and held whatever else `run` made.
                unsafe { (s.hooks.discard)() };
            }
            None => drop(value),
        }
    }

    /// Runs `f` with its allocations in the kept arena, when there is a scope.
    ///
    /// What `f` makes must be dead when the check ends ([`Self::release`]): `f` may not
    /// fill a global (lazily or not), and no result of the check may borrow from it.
    pub(crate) fn kept<T>(scope: Option<ParseScope>, f: impl FnOnce() -> T) -> T {
        let Some(s) = scope else {
            return f();
        };
        // SAFETY: what `f` makes is dead at the release (the callers' rule above).
        unsafe { (s.hooks.keep)() };
        let kept = f();
        // SAFETY: after `keep`, on this thread.
        unsafe { (s.hooks.leave_kept)() };
        kept
    }

    /// Ends the life of `values`, made in the kept arena, with everything else made there
    /// (or, without a scope, drops them on another thread).
    ///
    /// Called once, at the end of the check: nothing else made by [`Self::kept`] during
    /// it may be alive.
    pub(crate) fn release<T: Send + 'static>(scope: Option<ParseScope>, values: Vec<T>) {
        match scope {
            Some(s) => {
                // Only the list itself is on the ordinary heap.
                values.into_iter().for_each(std::mem::forget);
                // SAFETY: `values` are forgotten, and held whatever else `kept` made; the
                // scope serves this check alone (`ParseScope::new`).
                unsafe { (s.hooks.release)() };
            }
            // Freeing every module's facts, one small allocation at a time, costs a few
            // percent of a run; the caller need not wait for it.
            None => drop(std::thread::spawn(move || drop(values))),
        }
    }
}
