//! Why code runs off the event loop, so that a blocking call in it is acceptable: what
//! framework detection concludes of a function, and what the report's notes explain.

/// Why code runs off the event loop.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Reason {
    /// A Celery task: runs in a worker process.
    CeleryTask,
    /// A sync route or dependency: FastAPI and Starlette run it in a threadpool.
    SyncRoute,
    /// A Django sync view: runs in a thread when the server is async.
    SyncView,
    /// A Litestar sync handler marked `sync_to_thread=True`.
    SyncToThread,
    /// A Flask view: a WSGI worker thread's, even when it is `async def`.
    FlaskView,
    /// A sync Quart view or hook: Quart runs it in a thread.
    QuartSyncView,
    /// A test coroutine or async fixture: the test runner's event loop runs it.
    Test,
    /// Handed to a thread.
    Offloaded,
    /// Under `if __name__ == "__main__":`, or run by a script's own event loop
    /// (`asyncio.run(main())` there).
    Script,
    /// A coroutine a decorator turns into a sync function that runs it with
    /// `asyncio.run` (`@sync`).
    SyncWrapper,
    /// A coroutine sync code starts with `asyncio.run` (or a helper around it), on a
    /// loop of its own.
    StartedBySyncCode,
}

impl Reason {
    /// Why the blocking is acceptable, in a sentence.
    pub fn explain(self) -> &'static str {
        match self {
            Reason::CeleryTask => "Celery tasks run in worker processes, not on the web server's event loop; blocking there holds up one worker, not every request.",
            Reason::SyncRoute => "Sync `def` routes and dependencies run in FastAPI/Starlette's threadpool, so a blocking call there ties up one worker thread, not the event loop.",
            Reason::SyncView => "Sync Django views run in a thread under an ASGI server, off the event loop.",
            Reason::SyncToThread => "Litestar runs a sync handler or dependency marked `sync_to_thread=True` in a worker thread, off the event loop.",
            Reason::Test => "Test coroutines and async fixtures run on the test runner's event loop (pytest-asyncio, anyio, `IsolatedAsyncioTestCase`): blocking there slows the test suite, not a request the service is serving.",
            Reason::QuartSyncView => "Quart runs a sync `def` view or hook in a thread (`run_sync`), off the event loop.",
            Reason::FlaskView => "Flask runs each view in the request's worker thread; an `async def` view gets an event loop of its own there. A blocking call holds up that one request, not the others.",
            Reason::Offloaded => "Handed to a thread (`asyncio.to_thread`, `run_in_threadpool`, `BackgroundTasks.add_task`, an executor): the function runs off the event loop.",
            Reason::Script => "A script runs in a process and on an event loop of its own: code under `if __name__ == \"__main__\":`, and the coroutines only its `asyncio.run(main())` (there or in a console-script entry) runs. Blocking there holds up the script, not a request the service is serving.",
            Reason::SyncWrapper => "A decorator turns these coroutines into sync functions that run them with `asyncio.run` (or `run_until_complete`) on an event loop of their own: the sync caller waits for them, the service's loop never runs them.",
            Reason::StartedBySyncCode => "Sync code starts these coroutines with `asyncio.run` (or `run_until_complete`, `anyio.run`, or a helper of the project's around them), on an event loop of their own in the calling thread: a thread's target, a CLI command, a worker's task. Blocking there holds up that thread, not the service's loop; nothing in the service awaits them.",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Reason::CeleryTask => "Celery tasks",
            Reason::SyncRoute => "Sync routes and dependencies",
            Reason::SyncView => "Sync Django views",
            Reason::SyncToThread => "Litestar handlers and dependencies with `sync_to_thread=True`",
            Reason::FlaskView => "Flask views",
            Reason::QuartSyncView => "Sync Quart views and hooks",
            Reason::Test => "Tests",
            Reason::Offloaded => "Offloaded to a thread",
            Reason::Script => "Scripts",
            Reason::SyncWrapper => "Coroutines run by a sync wrapper",
            Reason::StartedBySyncCode => "Coroutines sync code runs on a loop of its own",
        }
    }
}
