//! The rules: codes, names, messages and documentation.
//!
//! Codes are grouped by what the blocking call waits for: `LS1xx` re-entering the event
//! loop, `LS2xx` the network, `LS3xx` sleeping and waiting, `LS4xx` processes, `LS5xx` the
//! filesystem, `LS6xx` databases and caches, `LS7xx` other SDKs and CPU-heavy set-up,
//! `LS8xx` the console, and `LS9xx` blocking calls reached through other functions.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Rule {
    SyntaxError,
    AsyncioRun,
    RunUntilComplete,
    AsyncToSync,
    LoopRunner,
    BlockingHttpCall,
    BlockingHttpClientCall,
    BlockingNetworkCall,
    TimeSleep,
    BlockingWait,
    RunProcess,
    CreateProcess,
    WaitForProcess,
    OpenFile,
    BlockingPathCall,
    BlockingFilesystemCall,
    SyncDatabaseCall,
    SyncRedisCall,
    SyncSqlalchemyCall,
    BlockingSdkCall,
    ClientBuiltOnLoop,
    SlowPasswordHash,
    MlModelCall,
    BlockingInput,
    BlockingCallThroughHelper,
}

/// The documentation of one rule, in ruff's shape.
pub struct RuleDoc {
    pub what: &'static str,
    pub why: &'static str,
    pub example: &'static str,
    pub fix: &'static str,
}

pub struct RuleInfo {
    pub rule: Rule,
    pub code: &'static str,
    pub name: &'static str,
    /// The category a user names in `extend-blocking-calls`, if rows may use this rule.
    pub category: &'static str,
    /// Start of the message: "Blocking HTTP call".
    pub title: &'static str,
    /// What to do instead, one line.
    pub help: &'static str,
    pub doc: RuleDoc,
}

use Rule::*;

/// The fix safety of every rule whose fix runs the call in a thread, written once. A
/// macro, not a constant, so that rules that say more can `concat!` it with their own.
macro_rules! to_thread_fix {
    () => {
        "Unsafe: the call becomes `await asyncio.to_thread(func, *args, **kwargs)` (or `run_in_threadpool` / `sync_to_async`, where the project already uses that form most: one form for every fix), with the import added if needed. It is unsafe because the function then runs on another thread: code that is not thread-safe, or that touches objects of the event loop, may break. Display-only inside a generator expression or lambda, when the call is already awaited, in a `finally:` block or an `except` block that raises (a cancellation at the `await` would cut the clean-up short or replace the exception), and when the result is a paging iterator (`.auto_paging_iter()`, `list_blobs`, a pymongo cursor) whose later pages would still be fetched on the loop."
    };
}

/// Every rule, ordered by code.
pub static RULES: &[RuleInfo] = &[
    RuleInfo {
        rule: SyntaxError,
        code: "LS001",
        name: "syntax-error",
        category: "",
        title: "Syntax error",
        help: "fix the syntax error; loopsafe skips the rest of this file until it parses",
        doc: RuleDoc {
            what: "Reports a Python file that does not parse.",
            why: "loopsafe cannot see the calls in a file it cannot parse, so blocking calls in it would go unreported. The rest of the project is still checked.",
            example: "async def handler(:\n    ...",
            fix: "None: correct the file by hand.",
        },
    },
    RuleInfo {
        rule: AsyncioRun,
        code: "LS101",
        name: "asyncio-run-in-coroutine",
        category: "",
        title: "Event loop started with",
        help: "`await` the coroutine instead: this code already runs on an event loop",
        doc: RuleDoc {
            what: "Checks for `asyncio.run()` called inside an `async def`.",
            why: "`asyncio.run()` starts a new event loop and runs it until the coroutine is done. Inside a coroutine a loop is already running, so the call raises `RuntimeError: asyncio.run() cannot be called from a running event loop` every time, and the coroutine object it was given is never awaited. Code that seems to work usually does so because the call sits on a path no test runs.",
            example: "@router.post(\"/calls/{call_id}/analyze\")\nasync def analyze(call_id: str):\n    job = asyncio.run(jobs.submit_csr_call_job(call_id))  # LS101\n\n# Use instead:\n    job = await jobs.submit_csr_call_job(call_id)",
            fix: "Safe when the only argument is a call (the coroutine) and nothing else is passed: `asyncio.run(coro())` becomes `await coro()`, and `import asyncio` goes when nothing else uses it. Unsafe when the argument is a name (it may not hold a coroutine) or when a comment inside the removed wrapper would be lost. Display-only with other arguments (`debug=True`).",
        },
    },
    RuleInfo {
        rule: RunUntilComplete,
        code: "LS102",
        name: "run-until-complete-in-coroutine",
        category: "",
        title: "Event loop re-entered with",
        help: "`await` the coroutine instead of running a loop inside the loop",
        doc: RuleDoc {
            what: "Checks for `loop.run_until_complete()` and `loop.run_forever()` called inside an `async def`, on a loop from `asyncio.get_event_loop()`, `asyncio.new_event_loop()` or a parameter annotated as an event loop.",
            why: "Running a loop from inside a coroutine either raises `RuntimeError: This event loop is already running` or, on a second loop, blocks the first one until the second is done.",
            example: "async def refresh():\n    loop = asyncio.get_event_loop()\n    loop.run_until_complete(fetch())  # LS102\n\n# Use instead:\n    await fetch()",
            fix: "Safe for `loop.run_until_complete(coro())` with a single call argument: it becomes `await coro()`. Unsafe when the argument is not a call or a comment would be lost; display-only for `run_forever()`.",
        },
    },
    RuleInfo {
        rule: AsyncToSync,
        code: "LS103",
        name: "async-to-sync-in-coroutine",
        category: "",
        title: "Event loop re-entered with",
        help: "`await` the coroutine function directly",
        doc: RuleDoc {
            what: "Checks for `asgiref.sync.async_to_sync(f)(...)` called inside an `async def`.",
            why: "`async_to_sync` is the bridge from sync code to async code. Called from a coroutine it raises `RuntimeError: You cannot use AsyncToSync in the same thread as an async event loop`.",
            example: "async def view(request):\n    data = async_to_sync(fetch)(request)  # LS103\n\n# Use instead:\n    data = await fetch(request)",
            fix: "Display-only: call the async function with `await` instead of wrapping it.",
        },
    },
    RuleInfo {
        rule: LoopRunner,
        code: "LS104",
        name: "event-loop-runner-in-coroutine",
        category: "loop",
        title: "Event loop started with",
        help: "`await` the coroutine instead of starting another loop",
        doc: RuleDoc {
            what: "Checks for other event-loop runners (and rows of category `loop` in `extend-blocking-calls`) called inside an `async def`.",
            why: "A runner starts a loop and blocks the calling thread until it finishes. Inside a coroutine that thread is the event loop's: nothing else runs until it returns, or it refuses to start.",
            example: "async def main():\n    anyio.run(job)  # LS104\n\n# Use instead:\n    await job()",
            fix: "Display-only: `await` the coroutine on the running loop instead of starting another.",
        },
    },
    RuleInfo {
        rule: BlockingHttpCall,
        code: "LS201",
        name: "blocking-http-call",
        category: "",
        title: "Blocking HTTP call",
        help: "use one shared `httpx.AsyncClient` (or aiohttp) and `await` the request",
        doc: RuleDoc {
            what: "Checks for module-level sync HTTP functions called inside an `async def`.",
            why: "A sync HTTP call waits for DNS, the connection and the whole response on the event loop's thread. While it waits, every other request the process serves waits too. In middleware that is every request.",
            example: "async def dispatch(self, request, call_next):\n    jwks = requests.get(settings.jwks_url, timeout=10).json()  # LS201\n\n# Use instead (one client for the module, created once):\n_http = httpx.AsyncClient(follow_redirects=True, timeout=None)\n...\n    jwks = (await _http.get(settings.jwks_url, timeout=10)).json()",
            fix: "Unsafe: `requests.get(url, ...)` becomes `await _http.get(url, ...)` on one `httpx.AsyncClient(follow_redirects=True, timeout=None)` created once at module level (building a client per call costs tens of milliseconds of CPU on the loop; `timeout=None` keeps requests' wait without a limit where httpx would give up after 5 s, and a call's own `timeout=` is kept). `allow_redirects=` becomes `follow_redirects=`, `data=` with a literal string becomes `content=`, HEAD requests keep not following redirects, `except requests...` clauses around the call are rewritten to httpx's exceptions, `import httpx` is added and `import requests` goes when unused. It says so when `httpx` is not in the project's dependencies. Display-only when the call passes `verify=`, `cert=`, `proxies=`, `stream=`, `hooks=`, `**kwargs` or a `(connect, read)` timeout, when the response's `.iter_content`, `.raw` or `.ok` are used, when the `try` also guards requests calls that are not fixed, or when an `except` clause elsewhere (in this module around code that makes no requests call itself, or in any other module) catches an exception of requests: httpx raises its own (`raise_for_status()` raises `httpx.HTTPStatusError`), and that handler would stop catching it.",
        },
    },
    RuleInfo {
        rule: BlockingHttpClientCall,
        code: "LS202",
        name: "blocking-http-client-call",
        category: "",
        title: "Blocking HTTP client call",
        help: "use an async client (`httpx.AsyncClient`, aiohttp) created once and `await` its methods",
        doc: RuleDoc {
            what: "Checks for methods of sync HTTP clients called inside an `async def`, whether the client is a local, a module global, a parameter annotated with the client type or (with whole-project analysis) an attribute.",
            why: "A pooled sync client is still sync: each request holds the event loop until the response arrives.",
            example: "session = requests.Session()\n\nasync def lookup(user_id):\n    return session.get(f\"{API}/users/{user_id}\").json()  # LS202",
            fix: to_thread_fix!(),
        },
    },
    RuleInfo {
        rule: BlockingNetworkCall,
        code: "LS203",
        name: "blocking-network-call",
        category: "network",
        title: "Blocking network call",
        help: "use asyncio streams or `loop.getaddrinfo`, or run it with `await asyncio.to_thread(...)`",
        doc: RuleDoc {
            what: "Checks for other blocking network calls inside an `async def`: sockets' connects, sends and receives, name lookups, SSH, FTP, mail, LDAP and Kafka clients, and rows of category `network` in `extend-blocking-calls`.",
            why: "A DNS lookup or a TCP connect can take seconds when the other side is slow or gone; on the event loop those seconds are everyone's.",
            example: "async def probe(host):\n    ip = socket.gethostbyname(host)  # LS203\n\n# Use instead:\n    infos = await asyncio.get_running_loop().getaddrinfo(host, None)",
            fix: to_thread_fix!(),
        },
    },
    RuleInfo {
        rule: TimeSleep,
        code: "LS301",
        name: "time-sleep-in-coroutine",
        category: "",
        title: "Blocking sleep",
        help: "use `await asyncio.sleep(...)`",
        doc: RuleDoc {
            what: "Checks for `time.sleep()` inside an `async def`.",
            why: "`time.sleep()` stops the thread. On the event loop, that stops every coroutine for the whole duration.",
            example: "async def retry():\n    time.sleep(1)  # LS301\n\n# Use instead:\n    await asyncio.sleep(1)",
            fix: "Safe: `time.sleep(x)` (or `from time import sleep as nap`, `nap(x)`) becomes `await asyncio.sleep(x)`; `import asyncio` is added if needed and the `time` import goes when nothing else uses it. Display-only inside a generator expression or lambda.",
        },
    },
    RuleInfo {
        rule: BlockingWait,
        code: "LS302",
        name: "blocking-wait",
        category: "wait",
        title: "Blocking wait",
        help: "await an asyncio primitive, or wrap it with `await asyncio.wrap_future(...)` / `asyncio.to_thread(...)`",
        doc: RuleDoc {
            what: "Checks for waits on thread primitives inside an `async def`: `concurrent.futures.Future.result()`, `threading.Event.wait()`, `Thread.join()`, `Lock.acquire()` (and `with lock:` on a `threading` lock, condition or semaphore), `queue.Queue.get()`/`put()`, `concurrent.futures.wait()`, a loop over `executor.map(...)`, `as_completed(...)` or a `multiprocessing` pool's `imap(...)`, which waits for each result in turn; and waits for a Celery task's result (`task.delay(...).get()`, `AsyncResult(task_id).get()`), which blocks until a worker has finished the task.",
            why: "These wait for another thread by blocking the calling one. On the event loop, the loop stops until the other thread is done; if that thread needs the loop, it never is (a deadlock).",
            example: "async def handler():\n    fut = executor.submit(work)\n    return fut.result()  # LS302\n\n# Use instead:\n    return await asyncio.wrap_future(executor.submit(work))",
            fix: concat!(
                to_thread_fix!(),
                " Display-only for a `threading.Condition` or re-entrant lock, which belongs to the thread that holds it. No fix for `with lock:`: use an `asyncio.Lock` with `async with` if only coroutines take it. No fix for a loop over results either: `await asyncio.gather(*(asyncio.to_thread(f, x) for x in xs))` runs the calls without blocking, or `asyncio.as_completed` over `asyncio.wrap_future(...)`s.",
            ),
        },
    },
    RuleInfo {
        rule: RunProcess,
        code: "LS401",
        name: "run-process-in-coroutine",
        category: "process",
        title: "Blocking process call",
        help: "use `await asyncio.create_subprocess_exec(...)`",
        doc: RuleDoc {
            what: "Checks for calls that run a process and wait for it inside an `async def` (`os.spawn*` with `os.P_WAIT`), and rows of category `process`.",
            why: "The loop waits for the whole process to finish.",
            example: "async def convert(path):\n    subprocess.run([\"ffmpeg\", \"-i\", path, out])  # LS401\n\n# Use instead:\n    proc = await asyncio.create_subprocess_exec(\"ffmpeg\", \"-i\", path, out)\n    await proc.wait()",
            fix: to_thread_fix!(),
        },
    },
    RuleInfo {
        rule: CreateProcess,
        code: "LS402",
        name: "create-process-in-coroutine",
        category: "",
        title: "Blocking process start",
        help: "use `await asyncio.create_subprocess_exec(...)`",
        doc: RuleDoc {
            what: "Checks for calls that start a process inside an `async def`, and `os.spawn*` with a mode other than `os.P_WAIT`.",
            why: "Starting a process forks and executes on the loop's thread, and the `Popen` object leads to blocking `wait()`/`communicate()` calls.",
            example: "async def start():\n    proc = subprocess.Popen([\"worker\"])  # LS402",
            fix: to_thread_fix!(),
        },
    },
    RuleInfo {
        rule: WaitForProcess,
        code: "LS403",
        name: "wait-for-process-in-coroutine",
        category: "",
        title: "Blocking wait for a process",
        help: "use `await proc.wait()` on an `asyncio.subprocess.Process`",
        doc: RuleDoc {
            what: "Checks for waits for a child process inside an `async def`.",
            why: "The loop waits until the child process exits.",
            example: "async def reap(pid):\n    os.waitpid(pid, 0)  # LS403",
            fix: to_thread_fix!(),
        },
    },
    RuleInfo {
        rule: OpenFile,
        code: "LS501",
        name: "open-file-in-coroutine",
        category: "",
        title: "Blocking file open",
        help: "read or write the file in a thread: `await asyncio.to_thread(path.read_text)`, or use aiofiles/anyio",
        doc: RuleDoc {
            what: "Checks for files opened inside an `async def` (archives and images only when opened by path, not from an in-memory buffer).",
            why: "File I/O is blocking I/O. A local SSD hides it, but network filesystems, full disks and cold caches do not.",
            example: "async def load():\n    with open(\"config.json\") as f:  # LS501\n        return json.load(f)",
            fix: "Display-only: the reads and writes on the file must move to the thread too, so the suggestion is to put them in one function run with `await asyncio.to_thread(...)`.",
        },
    },
    RuleInfo {
        rule: BlockingPathCall,
        code: "LS502",
        name: "blocking-path-call",
        category: "",
        title: "Blocking filesystem call",
        help: "run it in a thread: `await asyncio.to_thread(...)`, or use `anyio.Path`",
        doc: RuleDoc {
            what: "Checks for `os.path` and `pathlib.Path` methods that touch the filesystem inside an `async def`.",
            why: "Each is a system call that can wait on the disk or the network filesystem.",
            example: "async def serve(path: Path):\n    if path.exists():  # LS502\n        ...",
            fix: concat!(
                to_thread_fix!(),
                " Display-only for calls that return an iterator (`Path.glob`, `os.walk`, `os.scandir`): the work would still happen on the loop as it is consumed.",
            ),
        },
    },
    RuleInfo {
        rule: BlockingFilesystemCall,
        code: "LS503",
        name: "blocking-filesystem-call",
        category: "filesystem",
        title: "Blocking filesystem call",
        help: "run it in a thread: `await asyncio.to_thread(...)`",
        doc: RuleDoc {
            what: "Checks for filesystem operations, pandas reading or writing a file (`pd.read_csv(\"data.csv\")`, `df.to_parquet(path)`: given a string, a string constant or a `Path`; an in-memory buffer or no path does no I/O), and rows of category `filesystem` inside an `async def`.",
            why: "Directory walks and copies take as long as the disk takes, with the loop stopped.",
            example: "async def cleanup(tmp):\n    shutil.rmtree(tmp)  # LS503\n\n# Use instead:\n    await asyncio.to_thread(shutil.rmtree, tmp)",
            fix: concat!(
                to_thread_fix!(),
                " Display-only for calls that return an iterator (`os.walk`, `os.scandir`).",
            ),
        },
    },
    RuleInfo {
        rule: SyncDatabaseCall,
        code: "LS601",
        name: "sync-database-call",
        category: "database",
        title: "Blocking database call",
        help: "use an async driver (asyncpg, psycopg's AsyncConnection, aiosqlite, motor) or `await asyncio.to_thread(...)`",
        doc: RuleDoc {
            what: "Checks for sync database drivers and clients used inside an `async def`: Supabase queries made with the sync client (`supabase.table(\"t\").select(\"*\").execute()`; `acreate_client` is fine), the Django ORM (`Model.objects.get()`, `.filter(...).first()`, `.count()`, `obj.save()`, also on a model fetched with `await Model.objects.aget(...)`, and `for obj in queryset`: Django raises `SynchronousOnlyOperation` for them in async code), vector databases and LangChain vector stores, and rows of category `database`.",
            why: "Every query waits for the database server with the loop stopped; one slow query stalls every request.",
            example: "async def get_user(uid):\n    cur = conn.cursor()\n    cur.execute(\"select * from users where id = %s\", (uid,))  # LS601",
            fix: concat!(
                to_thread_fix!(),
                " Where the same object has an async twin, the call awaits it instead (unsafe too): Django's `Model.objects.get(...)` becomes `await Model.objects.aget(...)`, `obj.save()`-style calls their `a`-prefixed versions; those need Django 4.1+, and Django runs them in its own thread, outside a `transaction.atomic()` block the caller holds. A loop over a queryset becomes `async for` (unsafe, Django 4.1+; display-only in a generator expression, whose consumer must change too). Other Django ORM calls are run with `await sync_to_async(func)(*args)`, which keeps them in the thread that holds the request's database connection.",
            ),
        },
    },
    RuleInfo {
        rule: SyncRedisCall,
        code: "LS602",
        name: "sync-redis-call",
        category: "",
        title: "Blocking Redis call",
        help: "use `redis.asyncio.Redis` and `await` its methods",
        doc: RuleDoc {
            what: "Checks for methods of the sync `redis.Redis` client (and its pipelines, locks and pub/sub) inside an `async def`.",
            why: "Each command is a network round trip made with the loop stopped.",
            example: "cache = redis.Redis()\n\nasync def get(key):\n    return cache.get(key)  # LS602\n\n# Use instead:\ncache = redis.asyncio.Redis()\n...\n    return await cache.get(key)",
            fix: to_thread_fix!(),
        },
    },
    RuleInfo {
        rule: SyncSqlalchemyCall,
        code: "LS603",
        name: "sync-sqlalchemy-call",
        category: "",
        title: "Blocking SQLAlchemy call",
        help: "use `AsyncSession`/`AsyncEngine` and `await` them, or declare the route with plain `def`",
        doc: RuleDoc {
            what: "Checks for the sync SQLAlchemy `Session`, `Query`, `Engine` and `Connection` used inside an `async def`, including a session received as a parameter annotated `Session` (the usual FastAPI `db: Session = Depends(get_db)`).",
            why: "The session talks to the database synchronously. FastAPI runs plain `def` routes in a threadpool, but an `async def` route runs on the loop, so a sync session there stalls every request.",
            example: "@app.get(\"/users\")\nasync def users(db: Session = Depends(get_db)):\n    return db.query(User).all()  # LS603\n\n# Use instead: `def users(...)` (FastAPI runs it in its threadpool), or an AsyncSession.",
            fix: to_thread_fix!(),
        },
    },
    RuleInfo {
        rule: BlockingSdkCall,
        code: "LS701",
        name: "blocking-sdk-call",
        category: "sdk",
        title: "Blocking SDK call",
        help: "use the SDK's async client, or `await asyncio.to_thread(...)`",
        doc: RuleDoc {
            what: "Checks for sync SDK calls that do network I/O inside an `async def`: cloud, storage, search, payment, messaging and mail clients, and LLM clients (the sync `OpenAI` client's `client.chat.completions.create(...)`, LangChain chat models' and `prompt | llm` chains' `invoke`/`stream`/`batch`; their async clients and twins, `AsyncOpenAI`, `AsyncAnthropic`, `ainvoke`, are fine), and rows of category `sdk`.",
            why: "They are HTTP or SMTP calls underneath, made with the loop stopped.",
            example: "async def upload(data):\n    s3.put_object(Bucket=B, Key=k, Body=data)  # LS701",
            fix: concat!(
                to_thread_fix!(),
                " Where the same object has an async twin, the call awaits it instead (unsafe too): `llm.invoke(x)` becomes `await llm.ainvoke(x)`, `litellm.completion(...)` becomes `await litellm.acompletion(...)`, Mistral's `chat.complete` becomes `chat.complete_async`.",
            ),
        },
    },
    RuleInfo {
        rule: ClientBuiltOnLoop,
        code: "LS702",
        name: "client-built-on-loop",
        category: "cpu",
        title: "Client or SSL context built with",
        help: "create the client once (module level or at startup) and reuse it",
        doc: RuleDoc {
            what: "Checks for HTTP clients and SSL contexts created inside an `async def`.",
            why: "Each builds an SSL context and loads the CA bundle: measured at about 49 ms of CPU per `httpx.AsyncClient()`, all of it on the loop. A client per request is itself a hotspot, and it throws away connection reuse. httpx's own documentation says to reuse one client.",
            example: "async def fetch(url):\n    async with httpx.AsyncClient() as client:  # LS702\n        return await client.get(url)\n\n# Use instead:\n_http = httpx.AsyncClient()\n\nasync def fetch(url):\n    return await _http.get(url)",
            fix: "Display-only: build the client once (at startup or at module level) and reuse it.",
        },
    },
    RuleInfo {
        rule: SlowPasswordHash,
        code: "LS703",
        name: "slow-password-hash",
        category: "hashing",
        title: "Slow password hashing",
        help: "run it in a thread: `await asyncio.to_thread(...)` (the hashing libraries release the GIL)",
        doc: RuleDoc {
            what: "Checks for password hashing and checking inside an `async def`.",
            why: "Password hashes are slow on purpose: tens to hundreds of milliseconds of CPU per call, all of it with the loop stopped. A login route that checks a password this way stalls every other request while it does, and under a burst of logins the whole service queues behind them.",
            example: "@app.post(\"/login\")\nasync def login(form: LoginForm):\n    user = await users.get(form.username)\n    if not pwd_context.verify(form.password, user.hashed):  # LS703\n        raise HTTPException(401)\n\n# Use instead:\n    if not await asyncio.to_thread(pwd_context.verify, form.password, user.hashed):",
            fix: to_thread_fix!(),
        },
    },
    RuleInfo {
        rule: MlModelCall,
        code: "LS704",
        name: "ml-model-call",
        category: "ml",
        title: "Blocking ML model call",
        help: "load the model once at startup, and run it in a thread: `await asyncio.to_thread(model.encode, texts)` (torch and numpy release the GIL)",
        doc: RuleDoc {
            what: "Checks for loading or running a machine-learning model inside an `async def` (calling a transformers pipeline or a spaCy `nlp(text)` included), and rows of category `ml`.",
            why: "Loading a model reads hundreds of megabytes and takes seconds; one inference takes milliseconds to minutes of CPU or GPU. All of it runs with the loop stopped: every other request waits for the model, and a model loaded per request is loaded again for each.",
            example: "@app.post(\"/search\")\nasync def search(q: Query):\n    vector = embedder.encode(q.text)  # LS704\n\n# Use instead:\n    vector = await asyncio.to_thread(embedder.encode, q.text)",
            fix: to_thread_fix!(),
        },
    },
    RuleInfo {
        rule: BlockingInput,
        code: "LS801",
        name: "input-in-coroutine",
        category: "input",
        title: "Blocking console input",
        help: "read input before starting the loop, or `await asyncio.to_thread(input, ...)`",
        doc: RuleDoc {
            what: "Checks for `input()` and `getpass.getpass()` inside an `async def`.",
            why: "The loop stops until someone types a line, which on a server is never.",
            example: "async def main():\n    name = input(\"name: \")  # LS801",
            fix: to_thread_fix!(),
        },
    },
    RuleInfo {
        rule: BlockingCallThroughHelper,
        code: "LS901",
        name: "blocking-call-through-helper",
        category: "",
        title: "Blocking call through a helper",
        help: "make the helper async, or call it with `await asyncio.to_thread(...)`",
        doc: RuleDoc {
            what: "Checks for sync functions of the project called from an `async def` when they (or functions they call, in any module) make a blocking call.",
            why: "Moving a blocking call into a helper does not move it off the event loop. The helper runs on the loop's thread like any other call.",
            example: "# clients.py\ndef fetch_user(uid):\n    return session.get(f\"{API}/users/{uid}\").json()\n\n# routes.py\nasync def user(uid):\n    return fetch_user(uid)  # LS901",
            fix: "Unsafe: the call to the helper becomes `await asyncio.to_thread(helper, *args)` (or `await run_in_threadpool(...)` where the module already uses Starlette's; `await sync_to_async(helper)(*args)` where the module uses asgiref's, or when the helper reaches Django's ORM). Unsafe because the helper then runs on another thread; making the helper async is often the better fix.",
        },
    },
];

impl Rule {
    pub fn info(self) -> &'static RuleInfo {
        RULES
            .iter()
            .find(|info| info.rule == self)
            .expect("every rule has an entry in RULES")
    }

    pub fn code(self) -> &'static str {
        self.info().code
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    pub fn from_code(code: &str) -> Option<Rule> {
        RULES
            .iter()
            .find(|info| info.code.eq_ignore_ascii_case(code) || info.name == code)
            .map(|info| info.rule)
    }

    /// The rule a user's catalogue row of this category reports under.
    pub fn for_category(category: &str) -> Option<Rule> {
        RULES
            .iter()
            .find(|info| !info.category.is_empty() && info.category == category)
            .map(|info| info.rule)
    }

    pub fn categories() -> impl Iterator<Item = &'static str> {
        RULES
            .iter()
            .map(|info| info.category)
            .filter(|c| !c.is_empty())
    }

    /// Loop re-entry fails outright rather than slowing the loop down.
    pub fn is_loop_reentry(self) -> bool {
        matches!(
            self,
            AsyncioRun | RunUntilComplete | AsyncToSync | LoopRunner
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sorted_unique_and_named() {
        for pair in RULES.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} then {}",
                pair[0].code,
                pair[1].code
            );
        }
        let mut names: Vec<_> = RULES.iter().map(|r| r.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), RULES.len(), "rule names must be unique");
        for info in RULES {
            assert_eq!(info.rule.info().code, info.code);
            assert!(info
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-'));
        }
    }

    #[test]
    fn categories_name_one_rule_each() {
        let mut cats: Vec<_> = Rule::categories().collect();
        let n = cats.len();
        cats.sort_unstable();
        cats.dedup();
        assert_eq!(cats.len(), n);
        assert_eq!(
            Rule::for_category("network"),
            Some(Rule::BlockingNetworkCall)
        );
        assert_eq!(Rule::for_category("nonsense"), None);
    }

    #[test]
    fn lookup_by_code_or_name() {
        assert_eq!(Rule::from_code("LS201"), Some(Rule::BlockingHttpCall));
        assert_eq!(Rule::from_code("ls201"), Some(Rule::BlockingHttpCall));
        assert_eq!(
            Rule::from_code("time-sleep-in-coroutine"),
            Some(Rule::TimeSleep)
        );
        assert_eq!(Rule::from_code("LS999"), None);
    }
}
