//! Scopes and name binding: what each name means where the walk is, and what binding
//! one records in the facts (module names, class attributes, attributes set on `self`).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use ruff_python_ast::{self as ast, Expr};

use super::{Extractor, MAX_REF_SIZE};
use crate::facts::{FunctionKind, Name, Ref};

/// What opened a scope; a class body's carries the class's index in the facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ScopeKind {
    Module,
    Function,
    Class(u32),
    Comprehension,
}

/// A scope's names borrow from the syntax tree: most are never kept, so they are
/// copied only once they reach the facts.
pub(super) struct Scope<'a> {
    pub(super) kind: ScopeKind,
    pub(super) bindings: HashMap<&'a str, Ref>,
    pub(super) globals: HashSet<&'a str>,
}

impl Scope<'_> {
    pub(super) fn new(kind: ScopeKind) -> Self {
        Scope {
            kind,
            bindings: HashMap::default(),
            globals: HashSet::default(),
        }
    }

    /// A scope made big enough for about `names` names at once: growing a table one
    /// doubling at a time rehashes every name each time (7% of extracting, callgrind).
    pub(super) fn with_room(kind: ScopeKind, names: usize) -> Self {
        Scope {
            bindings: HashMap::with_capacity_and_hasher(names, Default::default()),
            ..Scope::new(kind)
        }
    }
}

impl<'a> Extractor<'a> {
    /// The class whose body is being walked, not looking through functions.
    pub(super) fn enclosing_class(&self) -> Option<u32> {
        match self.scopes.last()?.kind {
            ScopeKind::Class(idx) => Some(idx),
            _ => None,
        }
    }

    /// What a name refers to here: its last binding so far in the scopes that can see
    /// it, or the module's name, which only the project stage resolves.
    pub(super) fn lookup(&self, name: &str) -> Ref {
        let innermost = self.scopes.len() - 1;
        for (i, scope) in self.scopes.iter().enumerate().rev() {
            match scope.kind {
                ScopeKind::Module => return Ref::Name(Name::from(name)),
                // A class body's names are not visible from the methods inside it.
                ScopeKind::Class(_) if i != innermost => continue,
                _ => {}
            }
            if scope.globals.contains(name) {
                return Ref::Name(Name::from(name));
            }
            if let Some(r) = scope.bindings.get(name) {
                return r.clone();
            }
        }
        Ref::Name(Name::from(name))
    }

    /// What [`Extractor::lookup`] finds, without a copy: `None` for a module-level name.
    pub(super) fn local_binding(&self, name: &str) -> Option<&Ref> {
        let innermost = self.scopes.len() - 1;
        for (i, scope) in self.scopes.iter().enumerate().rev() {
            match scope.kind {
                ScopeKind::Module => return None,
                ScopeKind::Class(_) if i != innermost => continue,
                _ => {}
            }
            if scope.globals.contains(name) {
                return None;
            }
            if let Some(r) = scope.bindings.get(name) {
                return Some(r);
            }
        }
        None
    }

    /// Binds a name in the current scope. The module's names (and `global` ones) are
    /// recorded in the facts, every value they are given; a class body's among its
    /// attributes too.
    pub(super) fn bind(&mut self, name: &'a str, value: Ref) {
        let value = if value.size() > MAX_REF_SIZE {
            Ref::Unknown
        } else {
            value
        };
        let scope = self
            .scopes
            .last_mut()
            .expect("the module scope is never popped");
        match scope.kind {
            ScopeKind::Module => {
                self.facts
                    .bindings
                    .entry(Name::from(name))
                    .or_default()
                    .push(value);
            }
            _ if scope.globals.contains(name) => {
                self.facts
                    .bindings
                    .entry(Name::from(name))
                    .or_default()
                    .push(value);
            }
            ScopeKind::Class(idx) => {
                scope.bindings.insert(name, value.clone());
                self.facts.classes[idx as usize]
                    .attrs
                    .push((Name::from(name), value));
            }
            _ => {
                scope.bindings.insert(name, value);
            }
        }
    }

    /// Binds what an assignment target names: names, the items of tuples and lists
    /// (one by one when the value is a literal of the same length), and attributes of
    /// `self` and of Starlette's `state`.
    pub(super) fn assign(&mut self, target: &'a Expr, value: Option<&Expr>, r: Ref) {
        match target {
            Expr::Name(n) => {
                self.param_assigned(n.id.as_str(), value);
                if self.scopes.len() == 1 {
                    if let Some(lit) = value.and_then(super::guards::literal) {
                        self.facts.constants.insert(Name::from(n.id.as_str()), lit);
                    }
                }
                self.bind(n.id.as_str(), r)
            }
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                let values: Option<&[Expr]> = match value {
                    Some(Expr::Tuple(t)) if t.elts.len() == elts.len() => Some(&t.elts),
                    Some(Expr::List(l)) if l.elts.len() == elts.len() => Some(&l.elts),
                    _ => None,
                };
                match values {
                    Some(values) => {
                        for (t, v) in elts.iter().zip(values) {
                            let r = self.expr_ref(v);
                            self.assign(t, Some(v), r);
                        }
                    }
                    None => {
                        for t in elts {
                            self.assign(t, None, Ref::Unknown);
                        }
                    }
                }
            }
            Expr::Starred(s) => self.assign(&s.value, None, Ref::Unknown),
            Expr::Attribute(a) => {
                // `app.state.http = ...`: Starlette's `state` holds anything, and a route
                // reads it back through `request.app.state.http`.
                if let Expr::Attribute(owner) = &*a.value {
                    if owner.attr.as_str() == "state" && r.size() <= MAX_REF_SIZE {
                        self.facts
                            .state_attrs
                            .push((Name::from(a.attr.as_str()), r.clone()));
                    }
                }
                self.outside_attr(a, &r);
                // `self.client = ...` inside a method types the instance attribute.
                if let Expr::Name(n) = &*a.value {
                    if let Some((class, self_name)) = self.self_parameter() {
                        if n.id.as_str() == self_name {
                            let r = if r.size() > MAX_REF_SIZE {
                                Ref::Unknown
                            } else {
                                r
                            };
                            let r = match (r, value) {
                                (Ref::Unknown, Some(Expr::Name(p))) => {
                                    self.constructor_param(p.id.as_str())
                                }
                                (r, _) => r,
                            };
                            self.facts.classes[class as usize]
                                .attrs
                                .push((Name::from(a.attr.as_str()), r));
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// `bot.api = ApiClient()`: an attribute set from outside the object's class, on an
    /// object named plainly (not `self` in a method, not a Starlette `state`).
    fn outside_attr(&mut self, a: &ast::ExprAttribute, value: &Ref) {
        if matches!(value, Ref::Unknown | Ref::Const(_)) || value.size() > MAX_REF_SIZE {
            return;
        }
        let is_self = matches!(&*a.value, Expr::Name(n)
            if self.self_parameter().is_some_and(|(_, s)| s == n.id.as_str()));
        let is_state = matches!(&*a.value, Expr::Attribute(o) if o.attr.as_str() == "state");
        if is_self || is_state || !matches!(&*a.value, Expr::Name(_) | Expr::Attribute(_)) {
            return;
        }
        let receiver = self.expr_ref(&a.value);
        if matches!(receiver, Ref::Unknown) || receiver.size() > MAX_REF_SIZE {
            return;
        }
        self.facts
            .outside_attrs
            .push((receiver, Name::from(a.attr.as_str()), value.clone()));
    }

    /// `self.x = x` in `__init__`, `x` an unannotated parameter: typed later from the
    /// project's constructions of the class ([`Ref::ConstructorParam`]).
    fn constructor_param(&self, name: &str) -> Ref {
        let func = &self.facts.functions[self.current as usize];
        if func.name.as_str() != "__init__" {
            return Ref::Unknown;
        }
        match self.guards.constructor_param(name) {
            Some(position) => Ref::ConstructorParam(position, Name::from(name)),
            None => Ref::Unknown,
        }
    }

    /// The class and the name of `self` in the method being walked.
    fn self_parameter(&self) -> Option<(u32, &'a str)> {
        let func = &self.facts.functions[self.current as usize];
        if !matches!(func.kind, FunctionKind::Method | FunctionKind::Property) {
            return None;
        }
        let name = self.first_params.get(&self.current)?;
        Some((func.class?, name))
    }

    /// Whether a function scope (this one or an enclosing one) binds the name.
    pub(super) fn is_local(&self, name: &str) -> bool {
        self.scopes.iter().any(|s| {
            matches!(s.kind, ScopeKind::Function | ScopeKind::Comprehension)
                && s.bindings.contains_key(name)
        })
    }

    /// `self` in a method, `cls` in a class method.
    pub(super) fn is_first_param(&self, name: &str) -> bool {
        let func = &self.facts.functions[self.current as usize];
        matches!(
            func.kind,
            FunctionKind::Method | FunctionKind::Property | FunctionKind::ClassMethod
        ) && self.first_params.get(&self.current).copied() == Some(name)
    }

    /// The qualified name of something defined here, as Python spells it.
    pub(super) fn qualname(&self, name: &str) -> Name {
        if let Some(class) = self.enclosing_class() {
            let class = &self.facts.classes[class as usize].qualname;
            return compact_str::format_compact!("{class}.{name}");
        }
        let func = &self.facts.functions[self.current as usize];
        match func.kind {
            FunctionKind::Module => Name::from(name),
            _ => compact_str::format_compact!("{}.<locals>.{name}", func.qualname),
        }
    }
}
