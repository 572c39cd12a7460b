//! The catalogue of blocking APIs, as data.
//!
//! Every row names a fully qualified Python name. Module functions are written as
//! `module.function` (`requests.get`); methods as `module.Type.method`
//! (`requests.Session.get`), matched when the receiver is known to be an instance of that
//! type; `module.Type.*` matches every method of the type that has no row of its own. The
//! tables are kept sorted (a unit test checks it) so that lookups are binary searches and
//! a reader can find a row by eye. Adding an API is one row in [`tables`] (`tables.rs`)
//! plus one fixture line; the rule documentation and the README's table list it from
//! there ([`docs`]).

use crate::rules::Rule;
use rustc_hash::{FxHashMap, FxHashSet};

pub mod docs;
#[rustfmt::skip]
mod tables;
pub use tables::*;

/// What a catalogue row says about a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// The call blocks the thread that makes it.
    Blocks(Rule),
    /// The call does not block (an exception to a `Type.*` row).
    DoesNotBlock,
}

/// A condition on the call's arguments that changes what a row means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    Always,
    /// `os.spawn*(mode, ...)`: runs and waits with `os.P_WAIT` (or no mode); otherwise it
    /// only starts a process.
    SpawnMode,
    /// `queue.Queue.get(block=False)` / `.get(False)` returns at once; so does a wait,
    /// join or result with a timeout of 0 (`thread.join(timeout=0)`, `future.result(0)`),
    /// and `executor.shutdown(wait=False)`.
    BlockArgument,
    /// `asyncio.run(x)`-style calls: flagged wherever they are.
    LoopReentry,
    /// `pandas.read_csv(x)`, `df.to_csv(x)`: file I/O when `x` is a path (a string, a
    /// string constant, a `pathlib.Path`); an in-memory buffer (`io.StringIO`) or no
    /// argument at all (`df.to_csv()` returns the text) does no I/O.
    PathArgument,
    /// A call that only asks the kernel for the working directory or the environment,
    /// never the disk, or takes a thread lock (`with self._lock:`), which guards a few
    /// lines: reported where a coroutine makes it (as ruff does), but too cheap to report
    /// through every helper that happens to make it.
    DirectOnly,
    /// `lock.acquire()`: what `with lock:` does, so reported only where a coroutine makes
    /// it ([`Condition::DirectOnly`]), and not at all with `blocking=False` or a timeout
    /// of 0 ([`Condition::BlockArgument`]).
    LockAcquire,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub call: &'static str,
    pub effect: Effect,
    pub condition: Condition,
    /// How long the call can hold up every other request the loop serves.
    pub cost: Cost,
}

/// What one call of a blocking API costs the event loop: how long it can keep every other
/// request waiting. Ordered from cheapest to costliest.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Cost {
    /// Path arithmetic or a question the kernel answers from memory (`os.path.abspath`,
    /// `Path.home()`): no I/O at all.
    None,
    /// A metadata syscall on a local disk (`exists`, `stat`, `mkdir`, `unlink`,
    /// `rename`): microseconds.
    Light,
    /// Work proportional to the data: reading or writing a file's contents, listing a
    /// folder, an archive, an image, a dataframe.
    Data,
    /// A fixed cost of tens of milliseconds or more whatever the input: loading or running
    /// a model, hashing a password, building an SDK client that loads its data files, an
    /// SSL context, starting a process.
    Slow,
    /// An unbounded wait on something else: the network, a database, a broker, a
    /// subprocess, a sleep, a thread, future, queue or lock, the console, a second loop.
    Wait,
}

impl Cost {
    /// The cost a configuration names (`cost = "data"`).
    pub fn from_name(name: &str) -> Option<Cost> {
        [Cost::None, Cost::Light, Cost::Data, Cost::Slow, Cost::Wait]
            .into_iter()
            .find(|c| c.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Cost::None => "none",
            Cost::Light => "light",
            Cost::Data => "data",
            Cost::Slow => "slow",
            Cost::Wait => "wait",
        }
    }
}

/// What a decorator does to the function it decorates, for following calls into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Decorator {
    /// Calling the decorated name still runs the function's body, every time.
    Keeps,
    /// The body runs on the first call only (or when a time-limited cache expires); other
    /// calls return a cached value.
    RunsOnce,
}

/// Hash indexes over the sorted tables that the analysis asks most: it looks names up
/// hundreds of thousands of times on a large project, and a binary search compares
/// strings a dozen times for each (a third of the resolving's instructions, callgrind).
/// The tables stay the source: sorted, readable, one row per API.
struct LookupIndex {
    blocking: FxHashMap<&'static str, &'static Row>,
    types: FxHashMap<&'static str, &'static str>,
    awaited: FxHashMap<&'static str, &'static str>,
    aliases: FxHashMap<&'static str, &'static str>,
    /// The first segment of every alias (`redis` for `redis.StrictRedis`).
    alias_packages: FxHashSet<&'static str>,
    /// Every dotted prefix of a `BLOCKING` or `TYPES` name (`redis` and `redis.Redis` for
    /// `redis.Redis.get`): the names the catalogue describes members of.
    owners: FxHashSet<&'static str>,
    /// The first segment of every name any table holds: the packages the catalogue
    /// describes, whose installed code is never followed (they are sinks, not paths).
    packages: FxHashSet<&'static str>,
}

static INDEX: std::sync::LazyLock<LookupIndex> = std::sync::LazyLock::new(|| {
    let owners = BLOCKING
        .iter()
        .map(|r| r.call)
        .chain(TYPES.iter().map(|r| r.0))
        .flat_map(|name| name.match_indices('.').map(move |(i, _)| &name[..i]))
        .collect();
    LookupIndex {
        blocking: BLOCKING.iter().map(|r| (r.call, r)).collect(),
        types: TYPES.iter().copied().collect(),
        awaited: AWAITED.iter().copied().collect(),
        aliases: ALIASES.iter().copied().collect(),
        alias_packages: ALIASES
            .iter()
            .map(|r| r.0.split('.').next().unwrap_or(r.0))
            .collect(),
        owners,
        packages: described_packages(),
    }
});

fn described_packages() -> FxHashSet<&'static str> {
    let pairs = |t: &'static [(&'static str, &'static str)]| t.iter().flat_map(|r| [r.0, r.1]);
    let numbered = |t: &'static [(&'static str, usize)]| t.iter().map(|r| r.0);
    BLOCKING
        .iter()
        .map(|r| r.call)
        .chain(pairs(TYPES))
        .chain(pairs(ALIASES))
        .chain(pairs(ASYNC_TWINS))
        .chain(pairs(AWAITED))
        .chain(pairs(CLASS_ATTRIBUTES))
        .chain(pairs(DECORATED_TYPES))
        .chain(numbered(OFFLOADING))
        .chain(numbered(LOOP_CALLBACKS))
        .chain(AWAITS_COROUTINES.iter().copied())
        .chain(DECORATORS.iter().map(|r| r.0))
        .chain([CELERY_TASK])
        .map(|name| name.split('.').next().unwrap_or(name))
        .collect()
}

/// Runs `f` on the parts joined, built in a buffer of the thread's: the lookups that
/// need a name with a suffix (`requests.Session()`, `redis.Redis.*`) allocate nothing.
fn joined<R>(parts: &[&str], f: impl FnOnce(&str) -> R) -> R {
    thread_local! {
        static KEY: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    KEY.with(|key| match key.try_borrow_mut() {
        Ok(mut key) => {
            key.clear();
            parts.iter().for_each(|p| key.push_str(p));
            f(&key)
        }
        // Asked again from inside `f`: a buffer of its own.
        Err(_) => f(&parts.concat()),
    })
}

/// Runs `f` on `Type.*` (then `suffix`), the row that `Type.member` falls back to; none
/// for a private member.
fn with_wildcard<R>(name: &str, suffix: &str, f: impl FnOnce(&str) -> R) -> Option<R> {
    let (owner, member) = name.rsplit_once('.')?;
    wildcard_of(owner, member, suffix, f)
}

/// [`with_wildcard`] for an owner and member given apart.
fn wildcard_of<R>(owner: &str, member: &str, suffix: &str, f: impl FnOnce(&str) -> R) -> Option<R> {
    (!member.starts_with('_')).then(|| joined(&[owner, ".*", suffix], f))
}

/// The client classes of the boto3 type stubs (`mypy_boto3_s3.S3Client`,
/// `types_boto3_dynamodb.client.DynamoDBClient`), one package per service, describe what
/// `boto3.client("s3")` makes: a botocore client. Annotations name them (often under
/// `TYPE_CHECKING`, as `Annotated[S3Client, Depends(get_s3)]`).
fn boto3_stub_client(first: &str, name: &str) -> Option<&'static str> {
    // The async stubs (`types_aiobotocore_*`) describe aiobotocore's awaited clients.
    if !(first.starts_with("mypy_boto3_") || first.starts_with("types_boto3_")) {
        return None;
    }
    // `S3Client` from the package or its `client` module; not a method of one
    // (`mypy_boto3_s3.S3Client.get_object`).
    let (module, class) = name.rsplit_once('.')?;
    let in_stub = module == first || module.strip_prefix(first) == Some(".client");
    (in_stub && class.ends_with("Client")).then_some("botocore.client.BaseClient")
}

/// A user's own row, from `extend-blocking-calls` in the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub call: String,
    pub rule: Rule,
    /// What one call costs the loop: the row's `cost`, else [`UserRow::default_cost`].
    pub cost: Cost,
}

impl UserRow {
    /// The cost of a user's row that names none, from its rule's category: reading or
    /// writing files is work proportional to the data, CPU work a fixed cost, and every
    /// other kind of call (network, database, process, waits) an unbounded wait.
    pub fn default_cost(rule: Rule) -> Cost {
        match rule.info().category {
            "filesystem" => Cost::Data,
            "cpu" => Cost::Slow,
            _ => Cost::Wait,
        }
    }
}

/// The built-in tables plus the user's rows. User rows win over built-in ones.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    user: Vec<UserRow>,
}

/// What the catalogue knows about one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pub rule: Rule,
    pub condition: Condition,
}

fn find_sorted<'t, T>(table: &'t [T], key: &str, name: impl Fn(&T) -> &str) -> Option<&'t T> {
    table
        .binary_search_by(|row| name(row).cmp(key))
        .ok()
        .map(|i| &table[i])
}

impl Catalogue {
    pub fn new(mut user: Vec<UserRow>) -> Self {
        user.sort_by(|a, b| a.call.cmp(&b.call));
        user.dedup_by(|a, b| a.call == b.call);
        Catalogue { user }
    }

    /// Rewrites a name to its canonical spelling (`redis.StrictRedis` -> `redis.Redis`).
    pub fn canonical(name: &str) -> std::borrow::Cow<'_, str> {
        // Most names (the project's own, and packages without aliases) share no first
        // segment with any alias: one lookup settles it.
        let first = name.split('.').next().unwrap_or(name);
        if let Some(client) = boto3_stub_client(first, name) {
            return std::borrow::Cow::Borrowed(client);
        }
        if !INDEX.alias_packages.contains(first) {
            return std::borrow::Cow::Borrowed(name);
        }
        let mut end = name.len();
        loop {
            let prefix = &name[..end];
            if let Some(to) = INDEX.aliases.get(prefix) {
                if *to != prefix {
                    return std::borrow::Cow::Owned(format!("{to}{}", &name[end..]));
                }
                return std::borrow::Cow::Borrowed(name);
            }
            match prefix.rfind('.') {
                Some(dot) => end = dot,
                None => return std::borrow::Cow::Borrowed(name),
            }
        }
    }

    /// Looks up a call by its canonical qualified name. `Type.method` falls back to a
    /// `Type.*` row when the method has no row of its own.
    pub fn blocking(&self, call: &str) -> Option<Match> {
        let user = |name: &str| {
            find_sorted(&self.user, name, |r| r.call.as_str()).map(|row| Match {
                rule: row.rule,
                condition: Condition::Always,
            })
        };
        if let Some(m) = user(call) {
            return Some(m);
        }
        if let Some(row) = INDEX.blocking.get(call) {
            return match row.effect {
                Effect::Blocks(rule) => Some(Match {
                    rule,
                    condition: if matches!(rule, Rule::AsyncioRun) {
                        Condition::LoopReentry
                    } else {
                        row.condition
                    },
                }),
                Effect::DoesNotBlock => None,
            };
        }
        with_wildcard(call, "", |wildcard| {
            if let Some(m) = user(wildcard) {
                return Some(m);
            }
            match INDEX.blocking.get(wildcard)?.effect {
                Effect::Blocks(rule) => Some(Match {
                    rule,
                    condition: Condition::Always,
                }),
                Effect::DoesNotBlock => None,
            }
        })
        .flatten()
    }

    /// What one call of `api` (as a finding names it, [`crate::diagnostic::Diagnostic::api`])
    /// costs the loop: the user's row, the catalogue's own, or the `Type.*` row it falls
    /// back to. An API no row prices is taken as a wait, the costliest: a cost is what
    /// ranks a finding down, and nothing should be ranked down on a guess.
    pub fn cost(&self, api: &str) -> Cost {
        let user = |name: &str| find_sorted(&self.user, name, |r| r.call.as_str()).map(|r| r.cost);
        let own = |name: &str| {
            user(name).or_else(|| {
                INDEX
                    .blocking
                    .get(name)
                    .filter(|r| matches!(r.effect, Effect::Blocks(_)))
                    .map(|r| r.cost)
            })
        };
        own(api)
            .or_else(|| with_wildcard(api, "", own).flatten())
            .unwrap_or(Cost::Wait)
    }

    /// The type that calling `name` returns, if known. A class is its own constructor.
    /// `Type.method` falls back to a `Type.*()` row: a fluent builder, whose methods
    /// return the builder again (`table("t").select("*").eq("id", 1)`).
    pub fn returns(&self, name: &str) -> Option<&'static str> {
        let found = joined(&[name, "()"], |key| {
            INDEX
                .types
                .get(key)
                .or_else(|| INDEX.awaited.get(key))
                .copied()
        });
        found.or_else(|| with_wildcard(name, "()", |key| INDEX.types.get(key).copied()).flatten())
    }

    /// The type of what calling the class `class` makes, when the catalogue lists it
    /// under another name than the class's own.
    pub fn instance_type(class: &str) -> Option<&'static str> {
        joined(&[class, "()"], |key| INDEX.types.get(key).copied()).filter(|t| *t != class)
    }

    /// The call whose result has this type, as `Executor.map()` for what it returns: how
    /// a message names a type that is private to its library.
    pub fn made_by(type_name: &str) -> Option<&'static str> {
        TYPES.iter().find(|r| r.1 == type_name).map(|r| r.0)
    }

    /// Whether awaiting a call of a method of this name can give a typed result
    /// ([`AWAITED`]).
    pub fn is_awaited_method(name: &str) -> bool {
        AWAITED.iter().any(|r| {
            r.0.strip_suffix("()")
                .and_then(|call| call.rsplit_once('.'))
                .is_some_and(|(_, method)| method == name)
        })
    }

    /// The type of attribute `attr` of an instance of `owner`, if known.
    pub fn attribute(&self, owner: &str, attr: &str) -> Option<&'static str> {
        if let Some(ty) = joined(&[owner, ".", attr], |key| INDEX.types.get(key).copied()) {
            return Some(ty);
        }
        // A member whose call the catalogue types is a method, not an attribute that
        // `Type.*` covers: `client.get_database` is what `get_database("x")` calls,
        // while `client.app` is a database itself.
        if joined(&[owner, ".", attr, "()"], |key| {
            INDEX.types.contains_key(key)
        }) {
            return None;
        }
        wildcard_of(owner, attr, "", |key| INDEX.types.get(key).copied()).flatten()
    }

    /// The type of attribute `attr` read on the class `owner` itself (`Model.objects`).
    /// `owner` is canonicalized only when some row has that attribute: most reads of
    /// an imported name's attribute are of nothing the catalogue knows.
    pub fn class_attribute(&self, owner: &str, attr: &str) -> Option<&'static str> {
        CLASS_ATTRIBUTES.iter().find_map(|(row, ty)| {
            let (row_owner, row_attr) = row.rsplit_once('.')?;
            (row_attr == attr && row_owner == Catalogue::canonical(owner)).then_some(*ty)
        })
    }

    /// The type a function decorated with `decorator` (a canonical name) becomes.
    pub fn decorated_type(decorator: &str) -> Option<&'static str> {
        find_sorted(DECORATED_TYPES, decorator, |r| r.0).map(|r| r.1)
    }

    /// Builtin functions that block (`open`, `input`, and any `builtins.*` user row):
    /// calls of other builtins can never be reported, so extraction does not keep them.
    pub fn blocking_builtins(&self) -> Vec<&str> {
        fn builtin(call: &str) -> Option<&str> {
            call.strip_prefix("builtins.").filter(|n| !n.contains('.'))
        }
        let rows = BLOCKING
            .iter()
            .filter(|r| matches!(r.effect, Effect::Blocks(_)))
            .filter_map(|r| builtin(r.call));
        let user = self.user.iter().filter_map(|r| builtin(&r.call));
        let mut names: Vec<&str> = rows.chain(user).collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// Whether the catalogue describes methods or attributes of `name`, which makes it a
    /// class: calling it makes an instance (`mycorp.db.Client()` for a user row
    /// `mycorp.db.Client.*`, `supabase.Client(url, key)` for the rows of its `table()`).
    pub fn is_type(&self, name: &str) -> bool {
        INDEX.owners.contains(name)
            || self.user.iter().any(|r| {
                r.call
                    .strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with('.'))
            })
    }

    /// Whether any row, built in or the user's, names something in the top-level package
    /// `top` (`requests` for `requests.get`).
    pub fn describes_package(&self, top: &str) -> bool {
        INDEX.packages.contains(top)
            || self
                .user
                .iter()
                .any(|r| r.call.split('.').next() == Some(top))
    }

    /// What an external decorator does to the function under it; `None` when unknown.
    pub fn decorator(name: &str) -> Option<Decorator> {
        find_sorted(DECORATORS, name, |r| r.0).map(|r| r.1)
    }

    /// Whether a decorator's own name (its last segment: `memoize`, `singleton`) says it
    /// caches the function's result, whichever package it comes from.
    pub fn caches_by_name(name: &str) -> bool {
        let last = name.rsplit('.').next().unwrap_or(name);
        CACHING_DECORATOR_NAMES.binary_search(&last).is_ok()
    }

    /// The argument position of the function that `call` schedules on the event loop.
    pub fn loop_callback(call: &str) -> Option<usize> {
        find_sorted(LOOP_CALLBACKS, call, |r| r.0).map(|r| r.1)
    }

    /// The argument position of the function that `call` runs off the event loop.
    pub fn offloads(call: &str) -> Option<usize> {
        find_sorted(OFFLOADING, call, |r| r.0).map(|r| r.1)
    }

    /// Whether offloading `call` awaits a coroutine function on the loop instead
    /// ([`AWAITS_COROUTINES`]).
    pub fn awaits_coroutines(call: &str) -> bool {
        AWAITS_COROUTINES.binary_search(&call).is_ok()
    }

    /// The method of the same object that does what blocking `call` does, awaitably.
    pub fn async_twin(call: &str) -> Option<&'static str> {
        find_sorted(ASYNC_TWINS, call, |r| r.0).map(|r| r.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_sorted<T>(table: &[T], name: impl Fn(&T) -> &str, what: &str) {
        for pair in table.windows(2) {
            assert!(
                name(&pair[0]) < name(&pair[1]),
                "{what} is not sorted or has a duplicate: {:?} then {:?}",
                name(&pair[0]),
                name(&pair[1])
            );
        }
    }

    #[test]
    fn tables_are_sorted_without_duplicates() {
        assert_sorted(BLOCKING, |r| r.call, "BLOCKING");
        assert_sorted(TYPES, |r| r.0, "TYPES");
        assert_sorted(CLASS_ATTRIBUTES, |r| r.0, "CLASS_ATTRIBUTES");
        assert_sorted(DECORATED_TYPES, |r| r.0, "DECORATED_TYPES");
        assert_sorted(AWAITED, |r| r.0, "AWAITED");
        assert_sorted(AWAITS_COROUTINES, |r| *r, "AWAITS_COROUTINES");
        assert_sorted(ALIASES, |r| r.0, "ALIASES");
        assert_sorted(OFFLOADING, |r| r.0, "OFFLOADING");
        assert_sorted(ASYNC_TWINS, |r| r.0, "ASYNC_TWINS");
        assert_sorted(DECORATORS, |r| r.0, "DECORATORS");
        assert_sorted(CACHING_DECORATOR_NAMES, |r| *r, "CACHING_DECORATOR_NAMES");
        assert_sorted(LOOP_CALLBACKS, |r| r.0, "LOOP_CALLBACKS");
    }

    /// rustfmt leaves `tables.rs` alone: this keeps each row on a line of its own.
    #[test]
    fn every_row_is_one_line() {
        for (i, line) in include_str!("tables.rs").lines().enumerate() {
            let line = line.trim_end();
            assert!(
                !line.ends_with('(') && !line.starts_with("    )"),
                "tables.rs:{}: a row spans lines",
                i + 1
            );
        }
    }

    #[test]
    fn every_blocking_row_has_a_cost_and_exceptions_have_none() {
        let cost = |call: &str| {
            BLOCKING
                .iter()
                .find(|r| r.call == call)
                .unwrap_or_else(|| panic!("{call} has no row"))
                .cost
        };
        for row in BLOCKING {
            match row.effect {
                Effect::DoesNotBlock => assert_eq!(row.cost, Cost::None, "{}", row.call),
                Effect::Blocks(Rule::BlockingPathCall) => {
                    assert!(row.cost <= Cost::Data, "{}: a path call", row.call)
                }
                // Only filesystem rows may be cheap: everything else waits or costs a lot,
                // but for an in-process database, whose queries take as long as their data.
                Effect::Blocks(Rule::OpenFile | Rule::BlockingFilesystemCall) => {}
                Effect::Blocks(Rule::SyncDatabaseCall) if row.call.starts_with("duckdb.") => {
                    assert_eq!(row.cost, Cost::Data, "{}", row.call)
                }
                Effect::Blocks(_) => assert!(row.cost >= Cost::Slow, "{}", row.call),
            }
        }
        assert_eq!(cost("requests.get"), Cost::Wait);
        assert_eq!(cost("threading.Lock.acquire"), Cost::Wait);
        assert_eq!(cost("bcrypt.hashpw"), Cost::Slow);
        assert_eq!(cost("builtins.open"), Cost::Data);
        assert_eq!(cost("pathlib.Path.read_text"), Cost::Data);
        assert_eq!(cost("pathlib.Path.exists"), Cost::Light);
        assert_eq!(cost("os.makedirs"), Cost::Light);
        assert_eq!(cost("os.path.abspath"), Cost::None);
        assert_eq!(cost("pathlib.Path.home"), Cost::None);
    }

    #[test]
    fn a_call_costs_what_its_row_or_its_types_row_says() {
        let catalogue = Catalogue::new(vec![UserRow {
            call: "mycorp.db.Client.*".to_string(),
            rule: Rule::BlockingFilesystemCall,
            cost: Cost::Data,
        }]);
        assert_eq!(catalogue.cost("os.makedirs"), Cost::Light);
        assert_eq!(catalogue.cost("requests.post"), Cost::Wait);
        // No row of its own: its type's `*` row.
        assert_eq!(catalogue.cost("MySQLdb.cursors.Cursor.execute"), Cost::Wait);
        assert_eq!(catalogue.cost("mycorp.db.Client.query"), Cost::Data);
        // Nothing prices it: taken as the costliest, never ranked down on a guess.
        assert_eq!(catalogue.cost("mycorp.other"), Cost::Wait);
    }

    #[test]
    fn every_exception_row_has_a_wildcard_to_except_from() {
        for row in BLOCKING {
            if row.effect == Effect::DoesNotBlock {
                let (owner, _) = row.call.rsplit_once('.').unwrap();
                let wildcard = format!("{owner}.*");
                assert!(
                    BLOCKING.iter().any(|r| r.call == wildcard),
                    "{} excepts from a missing {wildcard}",
                    row.call
                );
            }
        }
    }

    /// The hash index gives the answers a search of the sorted tables gives, for every
    /// name a row mentions, each owner above it, and a member of each.
    #[test]
    fn the_index_answers_as_the_sorted_tables_do() {
        let wildcard = |name: &str| {
            let (owner, member) = name.rsplit_once('.')?;
            (!member.starts_with('_')).then(|| format!("{owner}.*"))
        };
        let mut names: Vec<String> = vec![];
        let rows = BLOCKING.iter().map(|r| r.call);
        let typed = TYPES
            .iter()
            .chain(AWAITED)
            .map(|r| r.0.trim_end_matches("()"));
        for name in rows.chain(typed).chain(ALIASES.iter().map(|r| r.0)) {
            names.extend(name.match_indices('.').map(|(i, _)| name[..i].to_string()));
            names.extend([
                name.into(),
                format!("{name}.member"),
                format!("{name}._own"),
            ]);
        }
        names.sort();
        names.dedup();
        let c = Catalogue::default();
        for name in &names {
            let prefix = format!("{name}.");
            let first = |table: &[(&str, &str)]| {
                let at = table.partition_point(|r| r.0 < prefix.as_str());
                table.get(at).is_some_and(|r| r.0.starts_with(&prefix))
            };
            let at = BLOCKING.partition_point(|r| r.call < prefix.as_str());
            let is_type = BLOCKING
                .get(at)
                .is_some_and(|r| r.call.starts_with(&prefix));
            assert_eq!(c.is_type(name), is_type || first(TYPES), "is_type({name})");

            let call = format!("{name}()");
            let returns = find_sorted(TYPES, &call, |r| r.0)
                .or_else(|| find_sorted(AWAITED, &call, |r| r.0))
                .or_else(|| find_sorted(TYPES, &format!("{}()", wildcard(name)?), |r| r.0))
                .map(|r| r.1);
            assert_eq!(c.returns(name), returns, "returns({name})");

            let attribute = name.rsplit_once('.').map(|(owner, attr)| {
                // A member whose call is typed is a method: `Type.*` does not cover it.
                let method = find_sorted(TYPES, &call, |r| r.0).is_some();
                let found = find_sorted(TYPES, name, |r| r.0).or_else(|| {
                    (!method)
                        .then(|| find_sorted(TYPES, &wildcard(name)?, |r| r.0))
                        .flatten()
                });
                (owner, attr, found.map(|r| r.1))
            });
            if let Some((owner, attr, ty)) = attribute {
                assert_eq!(c.attribute(owner, attr), ty, "attribute({name})");
            }

            let expected = match find_sorted(BLOCKING, name, |r| r.call) {
                Some(row) => match row.effect {
                    Effect::Blocks(Rule::AsyncioRun) => {
                        Some((Rule::AsyncioRun, Condition::LoopReentry))
                    }
                    Effect::Blocks(rule) => Some((rule, row.condition)),
                    Effect::DoesNotBlock => None,
                },
                None => wildcard(name)
                    .and_then(|w| find_sorted(BLOCKING, &w, |r| r.call))
                    .and_then(|row| match row.effect {
                        Effect::Blocks(rule) => Some((rule, Condition::Always)),
                        Effect::DoesNotBlock => None,
                    }),
            };
            let got = c.blocking(name).map(|m| (m.rule, m.condition));
            assert_eq!(got, expected, "blocking({name})");

            let mut end = name.len();
            let canonical = loop {
                let prefix = &name[..end];
                if let Some((_, to)) = find_sorted(ALIASES, prefix, |r| r.0) {
                    break format!("{to}{}", &name[end..]);
                }
                match prefix.rfind('.') {
                    Some(dot) => end = dot,
                    None => break name.clone(),
                }
            };
            assert_eq!(Catalogue::canonical(name), canonical, "canonical({name})");
        }
    }

    #[test]
    fn lookups() {
        let c = Catalogue::default();
        assert_eq!(
            c.blocking("requests.get").unwrap().rule,
            Rule::BlockingHttpCall
        );
        assert_eq!(c.blocking("requests.foo"), None);
        assert_eq!(
            c.blocking("redis.Redis.hgetall").unwrap().rule,
            Rule::SyncRedisCall
        );
        assert_eq!(c.blocking("redis.Redis.pipeline"), None);
        assert_eq!(c.blocking("redis.Redis._private"), None);
        assert_eq!(
            c.blocking("asyncio.run").unwrap().condition,
            Condition::LoopReentry
        );
        assert_eq!(c.returns("requests.Session"), Some("requests.Session"));
        assert_eq!(c.attribute("pathlib.Path", "parent"), Some("pathlib.Path"));
        assert_eq!(
            c.attribute("pymongo.MongoClient", "analytics"),
            Some("pymongo.database.Database")
        );
        assert_eq!(Catalogue::offloads("asyncio.to_thread"), Some(0));
        assert_eq!(
            Catalogue::decorator("functools.lru_cache"),
            Some(Decorator::RunsOnce)
        );
        assert_eq!(Catalogue::decorator("celery.shared_task"), None);
        assert_eq!(
            Catalogue::loop_callback("asyncio.AbstractEventLoop.call_later"),
            Some(1)
        );
    }

    #[test]
    fn class_attributes_follow_aliases_and_awaited_methods_come_from_their_table() {
        let c = Catalogue::default();
        let manager = Some("django.db.models.Manager");
        assert_eq!(
            c.class_attribute("django.db.models.Model", "objects"),
            manager
        );
        assert_eq!(
            c.class_attribute("django.contrib.auth.models.User", "objects"),
            manager
        );
        assert_eq!(c.class_attribute("requests.Session", "objects"), None);
        assert_eq!(c.class_attribute("django.db.models.Model", "save"), None);
        assert!(Catalogue::is_awaited_method("aget"));
        assert!(!Catalogue::is_awaited_method("get"));
        assert_eq!(
            c.returns("django.db.models.QuerySet.afirst"),
            Some("django.db.models.Model")
        );
    }

    #[test]
    fn blocking_builtins_come_from_both_tables() {
        assert_eq!(Catalogue::default().blocking_builtins(), ["input", "open"]);
        let c = Catalogue::new(vec![UserRow {
            call: "builtins.print".into(),
            rule: Rule::BlockingInput,
            cost: Cost::Wait,
        }]);
        assert_eq!(c.blocking_builtins(), ["input", "open", "print"]);
    }

    #[test]
    fn aliases_rewrite_whole_segments_only() {
        assert_eq!(
            Catalogue::canonical("redis.StrictRedis.get"),
            "redis.Redis.get"
        );
        assert_eq!(Catalogue::canonical("requests.api.get"), "requests.get");
        assert_eq!(Catalogue::canonical("requests.apiary"), "requests.apiary");
        assert_eq!(
            Catalogue::canonical("httplib.HTTPConnection"),
            "http.client.HTTPConnection"
        );
        assert_eq!(Catalogue::canonical("unknown.thing"), "unknown.thing");
    }

    #[test]
    fn user_rows_extend_and_override() {
        let c = Catalogue::new(vec![UserRow {
            call: "mycorp.http.fetch".into(),
            rule: Rule::BlockingNetworkCall,
            cost: Cost::Wait,
        }]);
        assert_eq!(
            c.blocking("mycorp.http.fetch").unwrap().rule,
            Rule::BlockingNetworkCall
        );
        assert_eq!(c.blocking("mycorp.http.other"), None);
    }

    #[test]
    fn costs_come_from_rows_wildcards_and_user_rows() {
        let c = Catalogue::new(vec![
            UserRow {
                call: "mycorp.files.load".into(),
                rule: Rule::BlockingFilesystemCall,
                cost: UserRow::default_cost(Rule::BlockingFilesystemCall),
            },
            UserRow {
                call: "pathlib.Path.exists".into(),
                rule: Rule::BlockingPathCall,
                cost: Cost::Slow,
            },
        ]);
        assert_eq!(c.cost("requests.get"), Cost::Wait);
        assert_eq!(c.cost("os.path.exists"), Cost::Light);
        assert_eq!(c.cost("mycorp.files.load"), Cost::Data);
        // A user's row wins over the catalogue's.
        assert_eq!(c.cost("pathlib.Path.exists"), Cost::Slow);
        assert_eq!(
            Catalogue::default().cost("pathlib.Path.exists"),
            Cost::Light
        );
        // `redis.Redis.hgetall` has no row of its own: `redis.Redis.*` prices it.
        assert_eq!(c.cost("redis.Redis.hgetall"), Cost::Wait);
        assert_eq!(c.cost("nobody.knows"), Cost::Wait);
        assert_eq!(UserRow::default_cost(Rule::ClientBuiltOnLoop), Cost::Slow);
        assert_eq!(UserRow::default_cost(Rule::BlockingNetworkCall), Cost::Wait);
    }
}
