//! The statements that bind names or branch: assignments, `with`, `for`, `if`, `try`,
//! `return`, `global`, `type`.

use ruff_python_ast::visitor::Visitor;
use ruff_python_ast::{self as ast, Expr, Stmt};

use super::once::once_sets;
use super::running_loop::{asks_for_loop, catches_runtime_error, exits};
use super::{last_segment, span, Extractor};
use crate::facts::{CallKind, Ref};

impl<'a> Extractor<'a> {
    pub(super) fn assign_stmt(&mut self, a: &'a ast::StmtAssign) {
        if self.scopes.len() == 1 {
            self.setting(&a.targets, &a.value);
        }
        if let [Expr::Name(target)] = &*a.targets {
            self.note_loop(target.id.as_str(), &a.value);
            self.note_memo(target.id.as_str(), &a.value);
            self.note_bundled(target.id.as_str(), &a.value);
        }
        self.visit_expr(&a.value);
        let r = self.expr_ref(&a.value);
        for target in &a.targets {
            self.visit_target(target);
            self.assign(target, Some(&a.value), r.clone());
        }
    }

    /// `x: T = value`: typed by the value when it says more than a constant, else by the
    /// annotation.
    pub(super) fn ann_assign_stmt(&mut self, a: &'a ast::StmtAnnAssign) {
        if let Some(value) = &a.value {
            self.visit_expr(value);
            if let Expr::Name(target) = &*a.target {
                self.note_loop(target.id.as_str(), value);
                self.note_memo(target.id.as_str(), value);
                self.note_bundled(target.id.as_str(), value);
            }
        }
        self.visit_target(&a.target);
        let annotated = self.annotation_ref(&a.annotation);
        let r = match a.value.as_deref() {
            // `Session: TypeAlias = "requests.Session | None"`: the value is a type,
            // read as an annotation is (quotes, unions), as `type T = ...` is. A plain
            // class name stays the class: `MySession()` still makes one.
            Some(value)
                if super::last_segment(&a.annotation) == Some("TypeAlias")
                    && !matches!(value, Expr::Name(_) | Expr::Attribute(_)) =>
            {
                self.annotation_ref(value)
            }
            Some(value) => match self.expr_ref(value) {
                Ref::Unknown | Ref::Const(_) => annotated,
                r => r,
            },
            None => annotated,
        };
        self.assign(&a.target, a.value.as_deref(), r);
    }

    /// `with cm as x`: entering `cm` is kept as a call, and `x` is `cm`.
    pub(super) fn with_stmt(&mut self, w: &'a ast::StmtWith) {
        for item in &w.items {
            self.visit_expr(&item.context_expr);
            if !w.is_async {
                self.record_iter_or_enter(&item.context_expr, CallKind::Enter);
            }
            if let Some(vars) = &item.optional_vars {
                // Clients return themselves from `__enter__`.
                let r = self.expr_ref(&item.context_expr);
                self.assign(vars, None, r);
            }
        }
        self.visit_body(&w.body);
    }

    /// `for x in obj`: iterating `obj` is kept as a call.
    pub(super) fn for_stmt(&mut self, f: &'a ast::StmtFor) {
        self.visit_expr(&f.iter);
        if f.is_async {
            // `async for message in subscription:`: for as long as messages come.
            self.function().loops = true;
        } else {
            self.record_iter_or_enter(&f.iter, CallKind::Iterate);
        }
        self.assign(&f.target, None, Ref::Unknown);
        self.visit_body(&f.body);
        self.visit_body(&f.orelse);
    }

    /// An `if` may guard a `__main__` block, imports for type checkers only, a one-time
    /// set-up, or code for when a loop runs or does not.
    pub(super) fn if_stmt(&mut self, s: &'a ast::StmtIf) {
        self.visit_expr(&s.test);
        if self.current == 0 && is_main_guard(&s.test) {
            self.facts.main_guards.push(span(s.range));
        }
        let saved = (self.in_type_checking, self.once.inside, self.loops.off_loop);
        let type_checking = is_type_checking(&s.test);
        if type_checking {
            self.in_type_checking = true;
        }
        // A one-time set-up's body is `once`, not a condition; `if TYPE_CHECKING:` keeps
        // no calls, and its `else` always runs.
        let once = self.once_guard(&s.test, &s.body);
        if once {
            self.once.inside = true;
        }
        let loop_running = self.loop_test(&s.test);
        if loop_running == Some(false) {
            self.loops.off_loop = true;
        }
        let opened = u32::from(!type_checking);
        let body_opened = u32::from(!type_checking && !once);
        self.branches += body_opened;
        self.with_conditions(&s.test, true, &s.body);
        self.branches -= body_opened;
        (self.in_type_checking, self.once.inside, self.loops.off_loop) = saved;
        if loop_running == Some(true) {
            self.loops.off_loop = true;
        }
        // An `elif`'s test, too, runs only when the tests above it fail.
        self.branches += opened;
        let guards = self.guards.active.len();
        let mut failed = vec![];
        self.conditions(&s.test, false, &mut failed);
        self.guards.active.extend(failed.iter().cloned());
        for clause in &s.elif_else_clauses {
            match &clause.test {
                Some(test) => {
                    self.visit_expr(test);
                    self.with_conditions(test, true, &clause.body);
                    let mut also = vec![];
                    self.conditions(test, false, &mut also);
                    self.guards.active.extend(also);
                }
                None => self.visit_body(&clause.body),
            }
        }
        self.guards.active.truncate(guards);
        self.branches -= opened;
        // `if not x: return`: what follows in the block runs only when the test failed.
        if s.elif_else_clauses.is_empty() && leaves(&s.body) {
            self.guards.active.extend(failed);
        }
        // `if loop is not None: ...; return`: what follows it in the enclosing
        // block runs without a loop (`visit_body` puts the flag back after it).
        let returns_with_loop =
            loop_running == Some(true) && s.elif_else_clauses.is_empty() && exits(&s.body);
        self.loops.off_loop = saved.2 || returns_with_loop;
    }

    /// The handlers of a `try` that asks for the running loop, and catches what it
    /// raises when there is none, run without a loop.
    pub(super) fn try_stmt(&mut self, t: &'a ast::StmtTry) {
        self.visit_body(&t.body);
        let asks_for_loop = asks_for_loop(&t.body);
        // `try: return _cache[key]` / `except KeyError: _cache[key] = compute(key)`: the
        // handler runs once per key, not on some requests.
        let memo_filled = self.memo_lookup(t).is_some_and(|entry| {
            t.handlers.iter().any(|h| {
                let ast::ExceptHandler::ExceptHandler(h) = h;
                once_sets(&h.body, &entry)
            })
        });
        for handler in &t.handlers {
            let ast::ExceptHandler::ExceptHandler(h) = handler;
            if let Some(type_) = &h.type_ {
                self.visit_expr(type_);
            }
            if let Some(name) = &h.name {
                self.bind(name.as_str(), Ref::Unknown);
            }
            let saved = (self.loops.off_loop, self.in_import_fallback);
            if asks_for_loop && catches_runtime_error(h.type_.as_deref()) {
                self.loops.off_loop = true;
            }
            if catches_import_error(h.type_.as_deref()) && imports(&t.body) {
                self.in_import_fallback = true;
            }
            // A handler runs only when the body raises.
            let saved_once = self.once.inside;
            self.once.inside |= memo_filled;
            let opened = u32::from(!memo_filled);
            self.branches += opened;
            self.visit_body(&h.body);
            self.branches -= opened;
            (self.loops.off_loop, self.in_import_fallback) = saved;
            self.once.inside = saved_once;
        }
        self.visit_body(&t.orelse);
        self.visit_body(&t.finalbody);
    }

    /// What a function returns, and whether that is its first parameter (`return self`).
    pub(super) fn return_stmt(&mut self, r: &'a ast::StmtReturn) {
        if let Some(value) = &r.value {
            self.visit_expr(value);
            if let Expr::Name(n) = &**value {
                if self.first_params.get(&self.current).copied() == Some(n.id.as_str()) {
                    self.function().returns_param = true;
                }
            }
            let r = self.expr_ref(value);
            self.function().returned.push(r);
        }
    }

    /// `global x`: bindings of `x` in this function are the module's.
    pub(super) fn global_stmt(&mut self, g: &'a ast::StmtGlobal) {
        if let Some(scope) = self.scopes.last_mut() {
            for name in &g.names {
                scope.globals.insert(name.as_str());
            }
        }
    }

    /// `type T = ...` binds `T`; the caller walks the statement after.
    pub(super) fn type_alias(&mut self, alias: &'a ast::StmtTypeAlias) {
        if let Expr::Name(n) = &*alias.name {
            let r = self.annotation_ref(&alias.value);
            self.bind(n.id.as_str(), r);
        }
    }

    /// Visits the sub-expressions of an assignment target (`a[f()] = ...`).
    fn visit_target(&mut self, target: &'a Expr) {
        match target {
            Expr::Name(_) => {}
            Expr::Attribute(a) => self.visit_expr(&a.value),
            Expr::Subscript(s) => {
                self.visit_expr(&s.value);
                self.visit_expr(&s.slice);
            }
            Expr::Tuple(t) => t.elts.iter().for_each(|e| self.visit_target(e)),
            Expr::List(l) => l.elts.iter().for_each(|e| self.visit_target(e)),
            Expr::Starred(s) => self.visit_target(&s.value),
            other => self.visit_expr(other),
        }
    }

    /// `MIDDLEWARE = ["app.middleware.Timing", ...]`: a module-level constant listing
    /// strings, as settings modules name the code a framework loads.
    fn setting(&mut self, targets: &[Expr], value: &Expr) {
        let (
            [Expr::Name(name)],
            Expr::List(ast::ExprList { elts, .. }) | Expr::Tuple(ast::ExprTuple { elts, .. }),
        ) = (targets, value)
        else {
            return;
        };
        // Settings name a few dotted paths; a long list of strings is data, not settings.
        let constant = name.id.chars().all(|c| c.is_ascii_uppercase() || c == '_');
        if !constant || elts.len() > 256 {
            return;
        }
        let strings: Option<Vec<String>> = elts
            .iter()
            .map(|e| match e {
                Expr::StringLiteral(s) if s.value.len() <= 256 => {
                    Some(s.value.to_str().to_string())
                }
                _ => None,
            })
            .collect();
        if let Some(strings) = strings {
            self.facts.settings.push((name.id.to_string(), strings));
        }
    }
}

/// `if __name__ == "__main__":`
fn is_main_guard(test: &Expr) -> bool {
    let Expr::Compare(c) = test else {
        return false;
    };
    let (Expr::Name(n), [Expr::StringLiteral(lit)]) = (&*c.left, &*c.comparators) else {
        return false;
    };
    n.id.as_str() == "__name__" && lit.value.to_str() == "__main__"
}

/// `except ImportError:`, `except (ModuleNotFoundError, AttributeError):`.
fn catches_import_error(type_: Option<&Expr>) -> bool {
    match type_ {
        Some(Expr::Tuple(t)) => t.elts.iter().any(|e| catches_import_error(Some(e))),
        Some(e) => matches!(last_segment(e), Some("ImportError" | "ModuleNotFoundError")),
        None => false,
    }
}

/// A block that imports something, at its top level.
fn imports(body: &[Stmt]) -> bool {
    body.iter()
        .any(|s| matches!(s, Stmt::Import(_) | Stmt::ImportFrom(_)))
}

/// `if TYPE_CHECKING:`: the code under it never runs.
fn is_type_checking(test: &Expr) -> bool {
    last_segment(test) == Some("TYPE_CHECKING")
}

/// A block that ends by leaving it: what follows runs only when it did not run.
fn leaves(body: &[Stmt]) -> bool {
    matches!(
        body.last(),
        Some(Stmt::Return(_) | Stmt::Raise(_) | Stmt::Continue(_) | Stmt::Break(_))
    )
}
