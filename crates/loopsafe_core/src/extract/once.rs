//! One-time set-ups: code that runs on the first call only (`if self._client is None:
//! self._client = make_client()`), whose blocking calls are marked [`Call::once`].
//!
//! [`Call::once`]: crate::facts::Call::once

use ruff_python_ast::{self as ast, Expr, Stmt};

use super::{dotted, is_not_none, Extractor};

/// What the walk knows of one-time set-ups in the current function.
pub(super) struct OnceState<'a> {
    /// Inside the body of a one-time set-up guard ([`Extractor::once_guard`]).
    pub(super) inside: bool,
    /// Parameters of the current function that default to `False` or `None`: a caller
    /// that leaves them out does not ask for the set-up to be done again
    /// (`if self._cache is not None and not refresh: return self._cache`).
    pub(super) off_by_default: Vec<&'a str>,
    /// Locals that hold what a memo dict has for a key (`value = _cache.get(key)`), with
    /// that entry (`_cache[key]`): `if value is None:` asks whether the entry is unset.
    pub(super) memo_locals: Vec<(&'a str, String)>,
    /// Locals that hold a cache fetched from elsewhere (`cache = _get_remote_cache()`):
    /// as lasting as the object they name, for `if key in cache: return cache[key]`.
    pub(super) cache_locals: Vec<&'a str>,
}

impl<'a> Extractor<'a> {
    /// Whether `if <test>: <body>` sets something up once: the test asks whether a
    /// lasting piece of state is unset (`self._client is None`, `not _loaded`,
    /// `not hasattr(self, "_cache")`) and the body sets it, so later calls skip the body.
    /// State lasts when it lives on `self` or `cls`, on a module-level object, or in a
    /// name the function declares `global`; a local would be unset again on every call.
    /// Among other conditions too (`if not self._ready and config.enabled:`): the body
    /// runs only while the state is unset, whatever else the test asks.
    pub(super) fn once_guard(&self, test: &Expr, body: &[Stmt]) -> bool {
        let set_up = |test: &Expr| {
            self.state_tested(test, false)
                .is_some_and(|state| sets(body, &state, false))
        };
        match test {
            Expr::BoolOp(b) if b.op == ast::BoolOp::And => b.values.iter().any(set_up),
            test => set_up(test),
        }
    }

    /// The lasting state a test is about, when its being true says that the state is
    /// set (`set`) or unset: `self._client is None`, `not _loaded`,
    /// `not hasattr(self, "_cache")` find it unset; `self._client is not None`,
    /// `self._client`, `hasattr(...)` find it set. A test that also asks about what hangs
    /// off the state (`self._client is None or self._client.closed`) is about it too: it
    /// sets up again only what was closed.
    fn state_tested(&self, test: &Expr, set: bool) -> Option<String> {
        match test {
            Expr::UnaryOp(u) if u.op == ast::UnaryOp::Not => self.state_tested(&u.operand, !set),
            Expr::Compare(c) if self.memo_local(&c.left).is_some() => (is_not_none(c)? == set)
                .then(|| self.memo_local(&c.left))
                .flatten(),
            Expr::Compare(c) => match (&*c.ops, &*c.comparators) {
                ([ast::CmpOp::In], [memo]) if set => self.memo_entry(memo, &c.left),
                ([ast::CmpOp::NotIn], [memo]) if !set => self.memo_entry(memo, &c.left),
                _ if self.lasting(&c.left) => {
                    (is_not_none(c)? == set).then(|| dotted(&c.left)).flatten()
                }
                _ => None,
            },
            Expr::BoolOp(b) if (b.op == ast::BoolOp::And) == set => {
                let (first, rest) = b.values.split_first()?;
                let state = self.state_tested(first, set)?;
                rest.iter()
                    .all(|e| only_about(e, &state) || self.left_off(e, set))
                    .then_some(state)
            }
            test if set => self.set_state(test),
            _ => None,
        }
    }

    /// Whether a test is of a parameter that defaults to off, in the sense that leaving
    /// it out keeps a set-up from running again: `not refresh` beside a test that finds
    /// the state set, `refresh` beside one that finds it unset.
    fn left_off(&self, test: &Expr, set: bool) -> bool {
        match test {
            Expr::UnaryOp(u) if u.op == ast::UnaryOp::Not => self.left_off(&u.operand, !set),
            Expr::Name(n) => !set && self.once.off_by_default.contains(&n.id.as_str()),
            _ => false,
        }
    }

    /// Whether `stmt` is `if <state is set>: return ...` and `rest`, the statements after
    /// it, set that state: the other way of writing a one-time set-up,
    ///
    /// ```python
    /// if self._client is not None:
    ///     return self._client
    /// self._client = make_client()
    /// ```
    ///
    /// where the rest of the block runs until the state is set, then never again. Only
    /// when the rest always sets it: `if final: return` before code that sets `final`
    /// under some condition is a wait, and what comes before that runs again and again.
    pub(super) fn returns_once_set(&self, stmt: &Stmt, rest: &[Stmt]) -> bool {
        if let Stmt::Try(t) = stmt {
            // `try: return _cache[key]` / `except KeyError: pass`, then the rest computes
            // and stores `_cache[key]`.
            let falls_through = matches!(&*t.handlers, [ast::ExceptHandler::ExceptHandler(h)]
                if matches!(&*h.body, [Stmt::Pass(_)]));
            return falls_through
                && t.orelse.is_empty()
                && t.finalbody.is_empty()
                && matches!(&*t.body, [Stmt::Return(_)])
                && self
                    .memo_lookup(t)
                    .is_some_and(|entry| sets(rest, &entry, true));
        }
        let Stmt::If(s) = stmt else {
            return false;
        };
        if !s.elif_else_clauses.is_empty() || !matches!(s.body.last(), Some(Stmt::Return(_))) {
            return false;
        }
        self.state_tested(&s.test, true)
            .is_some_and(|state| sets(rest, &state, true))
    }

    /// The memo entry a `try` looks up, when its body is only that lookup
    /// (`return _cache[key]`, `value = _cache[key]`) and its one handler catches the
    /// `KeyError` of a missing key: the handler runs while the entry is unset.
    pub(super) fn memo_lookup(&self, t: &ast::StmtTry) -> Option<String> {
        let [ast::ExceptHandler::ExceptHandler(h)] = &*t.handlers else {
            return None;
        };
        let catches_key_error = matches!(h.type_.as_deref(),
            Some(Expr::Name(n)) if matches!(n.id.as_str(), "KeyError" | "LookupError"));
        let looked_up = match &*t.body {
            [Stmt::Return(r)] => r.value.as_deref(),
            [Stmt::Assign(a)] if matches!(&*a.targets, [Expr::Name(_)]) => Some(&*a.value),
            _ => None,
        };
        match looked_up? {
            Expr::Subscript(sub) if catches_key_error => self.memo_entry(&sub.value, &sub.slice),
            _ => None,
        }
    }

    /// Remembers that `name` now holds a memo dict's entry (`value = _cache.get(key)`),
    /// or forgets what it held when assigned anything else.
    pub(super) fn note_memo(&mut self, name: &'a str, value: &Expr) {
        self.once.memo_locals.retain(|(n, _)| *n != name);
        self.once.cache_locals.retain(|n| *n != name);
        if self.current != 0 && fetches_cache(name, value) {
            self.once.cache_locals.push(name);
        }
        let Expr::Call(c) = value else { return };
        let Expr::Attribute(get) = &*c.func else {
            return;
        };
        let key = match (&*c.arguments.args, &*c.arguments.keywords) {
            ([key], []) | ([key, Expr::NoneLiteral(_)], []) => key,
            _ => return,
        };
        let entry = match get.attr.as_str() {
            "get" => self.memo_entry(&get.value, key),
            // A cache object's own API (`cache.get_cache(key)`, stored back with
            // `cache.set_cache(key, value)`): a cache, wherever the function found it.
            "get_cache" => entry(&get.value, key),
            _ => None,
        };
        if let Some(entry) = entry {
            self.once.memo_locals.push((name, entry));
        }
    }

    /// The memo entry a local holds (`value` after `value = _cache.get(key)`).
    fn memo_local(&self, expr: &Expr) -> Option<String> {
        let Expr::Name(n) = expr else { return None };
        self.once
            .memo_locals
            .iter()
            .find(|(name, _)| *name == n.id.as_str())
            .map(|(_, entry)| entry.clone())
    }

    /// `_cache[key]` as lasting state, when the dict outlives the call (a module-level
    /// dict, an attribute of `self`) and the key is written plainly enough to be
    /// recognised where it is stored.
    fn memo_entry(&self, memo: &Expr, key: &Expr) -> Option<String> {
        if !matches!(memo, Expr::Name(_) | Expr::Attribute(_)) || !self.lasting_object(memo) {
            return None;
        }
        entry(memo, key)
    }

    /// The lasting state a test finds set by being true: `self._client`, `_loaded`,
    /// `hasattr(self, "_cache")`.
    fn set_state(&self, test: &Expr) -> Option<String> {
        match test {
            Expr::Call(c) if matches!(&*c.func, Expr::Name(n) if n.id.as_str() == "hasattr") => {
                match (&*c.arguments.args, &*c.arguments.keywords) {
                    ([obj, Expr::StringLiteral(attr)], []) if self.lasting_object(obj) => {
                        dotted(obj).map(|o| format!("{o}.{}", attr.value.to_str()))
                    }
                    _ => None,
                }
            }
            operand if self.lasting(operand) => dotted(operand),
            operand => self.memo_local(operand),
        }
    }

    /// Whether a name or attribute outlives one call of the current function.
    fn lasting(&self, expr: &Expr) -> bool {
        match expr {
            // A bare name the function assigns is its own local, unless declared global.
            Expr::Name(n) => {
                self.current == 0
                    || self
                        .scopes
                        .last()
                        .is_some_and(|s| s.globals.contains(n.id.as_str()))
            }
            Expr::Attribute(a) => self.lasting_object(&a.value),
            _ => false,
        }
    }

    /// Whether an object outlives one call of the current function: `self`, `cls`, a
    /// module-level object, or an attribute of one.
    fn lasting_object(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Name(n) => {
                let name = n.id.as_str();
                self.is_first_param(name)
                    || self.lasting(expr)
                    || !self.is_local(name)
                    || self.once.cache_locals.contains(&name)
            }
            Expr::Attribute(a) => self.lasting_object(&a.value),
            _ => false,
        }
    }
}

/// Whether `name = value` fetches a cache from elsewhere: a call (of anything but a
/// dict's constructor) whose callee or target names a cache (`cache =
/// _get_remote_cache()`, `memo = registry.caches()`). A dict made here is new on every
/// call, and nothing says a call's other results last.
fn fetches_cache(name: &str, value: &Expr) -> bool {
    let Expr::Call(c) = value else { return false };
    let callee = match &*c.func {
        Expr::Name(n) => n.id.as_str(),
        Expr::Attribute(a) => a.attr.as_str(),
        _ => return false,
    };
    // (A plain scan: this runs for every assignment of a call.)
    let says_cache = |s: &str| {
        let b = s.as_bytes();
        b.windows(5).any(|w| w.eq_ignore_ascii_case(b"cache"))
            || b.windows(4).any(|w| w.eq_ignore_ascii_case(b"memo"))
    };
    !matches!(
        callee,
        "dict" | "defaultdict" | "OrderedDict" | "TTLCache" | "LRUCache"
    ) && (says_cache(callee) || says_cache(name))
}

/// Whether `body` sets `state` on some path through it: a guard's or handler's body that
/// does is a one-time set-up.
pub(super) fn once_sets(body: &[Stmt], state: &str) -> bool {
    sets(body, state, false)
}

/// Whether `body` sets `state`: on some path through it or, with `always`, on every
/// path (an assignment at its top level, or inside a `with` or `try` block there).
fn sets(body: &[Stmt], state: &str, always: bool) -> bool {
    let target = |t: &Expr| match t {
        Expr::Subscript(sub) => entry(&sub.value, &sub.slice).is_some_and(|e| e == state),
        t => dotted(t).is_some_and(|d| d == state),
    };
    body.iter().any(|stmt| match stmt {
        Stmt::Expr(e) => stores(&e.value, state),
        Stmt::Assign(a) => a.targets.iter().any(|t| match t {
            Expr::Tuple(tuple) => tuple.elts.iter().any(target),
            t => target(t),
        }),
        Stmt::AnnAssign(a) => a.value.is_some() && target(&a.target),
        Stmt::With(w) => sets(&w.body, state, always),
        Stmt::Try(t) if always => sets(&t.body, state, true) || sets(&t.finalbody, state, true),
        Stmt::Try(t) => {
            sets(&t.body, state, false)
                || sets(&t.orelse, state, false)
                || sets(&t.finalbody, state, false)
        }
        _ if always => false,
        Stmt::If(s) => {
            sets(&s.body, state, false)
                || s.elif_else_clauses
                    .iter()
                    .any(|c| sets(&c.body, state, false))
        }
        Stmt::For(f) => sets(&f.body, state, false),
        Stmt::While(w) => sets(&w.body, state, false),
        _ => false,
    })
}

/// Whether a test reads nothing but `state` and what hangs off it (`state.is_closed`,
/// `not state.ok()`): a guard that also asks it is still about the same set-up.
fn only_about(test: &Expr, state: &str) -> bool {
    match test {
        Expr::Name(_) | Expr::Attribute(_) => dotted(test).is_some_and(|d| {
            d == state
                || d.strip_prefix(state)
                    .is_some_and(|rest| rest.starts_with('.'))
        }),
        Expr::UnaryOp(u) => only_about(&u.operand, state),
        Expr::Call(c) => c.arguments.is_empty() && only_about(&c.func, state),
        Expr::Compare(c) => {
            only_about(&c.left, state)
                && c.comparators
                    .iter()
                    .all(|e| e.is_literal_expr() || only_about(e, state))
        }
        Expr::BoolOp(b) => b.values.iter().all(|e| only_about(e, state)),
        _ => false,
    }
}

/// The text of a memo dict's entry, `_cache[key]`, for keys written plainly: names,
/// attributes, literals and tuples of them. Other keys are not compared.
/// `cache.set_cache(key, value)`, `cache.set(key=key, value=value)`: a store of the
/// entry `state` into a cache object.
fn stores(e: &Expr, state: &str) -> bool {
    let Expr::Call(c) = e else { return false };
    let Expr::Attribute(set) = &*c.func else {
        return false;
    };
    if !matches!(set.attr.as_str(), "set" | "set_cache") {
        return false;
    }
    let key = c.arguments.find_argument_value("key", 0);
    key.and_then(|key| entry(&set.value, key))
        .is_some_and(|e| e == state)
}

fn entry(memo: &Expr, key: &Expr) -> Option<String> {
    Some(format!("{}[{}]", dotted(memo)?, key_text(key)?))
}

fn key_text(key: &Expr) -> Option<String> {
    match key {
        Expr::Name(_) | Expr::Attribute(_) => dotted(key),
        Expr::StringLiteral(s) => Some(format!("{:?}", s.value.to_str())),
        Expr::NumberLiteral(n) => match &n.value {
            ast::Number::Int(i) => Some(i.to_string()),
            _ => None,
        },
        Expr::Tuple(t) => {
            let parts: Option<Vec<String>> = t.elts.iter().map(key_text).collect();
            Some(format!("({})", parts?.join(", ")))
        }
        _ => None,
    }
}
