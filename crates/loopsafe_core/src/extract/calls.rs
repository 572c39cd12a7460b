//! The calls kept in the facts: calls as written, and code that runs as a call without
//! one written (a property read, `for x in obj`, `with obj`).

use rustc_hash::FxHashSet as HashSet;

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::{dotted, last_segment, span, Extractor};
use crate::facts::{Arg, Call, CallKind, Given, Name, Ref};

/// Builtins that iterate over their arguments.
const CONSUMING_BUILTINS: &[&str] = &[
    "all",
    "any",
    "dict",
    "frozenset",
    "list",
    "max",
    "min",
    "next",
    "set",
    "sorted",
    "sum",
    "tuple",
];

/// Builtins whose results are looped over everywhere and never block.
const ITERATING_BUILTINS: &[&str] = &[
    "dict",
    "enumerate",
    "filter",
    "list",
    "map",
    "range",
    "reversed",
    "set",
    "sorted",
    "tuple",
    "zip",
];

/// The names of the properties defined by the classes in `body`, nested ones included,
/// whose getters call something: a getter that calls nothing (`return self._name`, most
/// of them) cannot block, and reads of it are not worth keeping.
pub(super) fn property_names<'a>(body: &'a [Stmt], out: &mut HashSet<&'a str>) {
    for stmt in body {
        let Stmt::ClassDef(c) = stmt else { continue };
        for member in &c.body {
            match member {
                Stmt::FunctionDef(f)
                    if f.decorator_list
                        .iter()
                        .filter_map(|d| last_segment(&d.expression))
                        .any(is_property_decorator)
                        && calls_anything(&f.body) =>
                {
                    out.insert(f.name.as_str());
                }
                _ => {}
            }
        }
        property_names(&c.body, out);
    }
}

/// Whether a decorator, by its last name, makes a method a property.
pub(super) fn is_property_decorator(name: &str) -> bool {
    matches!(name, "property" | "cached_property")
}

/// Whether a body makes any call.
fn calls_anything(body: &[Stmt]) -> bool {
    struct Finder(bool);
    impl<'a> Visitor<'a> for Finder {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.0 || matches!(expr, Expr::Call(_)) {
                self.0 = true;
                return;
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut finder = Finder(false);
    finder.visit_body(body);
    finder.0
}

impl<'a> Extractor<'a> {
    /// Keeps a call as written, with its arguments as far as rules look at them.
    fn record_call(&mut self, call: &ast::ExprCall, awaited: bool) {
        if self.in_type_checking {
            return;
        }
        let callee = self.expr_ref(&call.func);
        if callee == Ref::Unknown {
            // Who knows what it calls, or does with the functions it is given.
            if let Expr::Attribute(a) = &*call.func {
                self.facts
                    .unresolved_calls
                    .push(Name::from(a.attr.as_str()));
            }
            for arg in call.arguments.iter_source_order() {
                if let Some(name) = super::last_segment(arg.value()) {
                    self.facts.unresolved_calls.push(Name::from(name));
                }
            }
            return;
        }
        let args = self.arguments(call);
        let nonblocking = self.nonblocking_receiver(call);
        let bundled_file = self.reads_bundled_file(call);
        let record = Call {
            callee,
            span: span(call.range()),
            func_span: span(call.func.range()),
            args,
            awaited,
            nonblocking,
            once: self.once.inside,
            off_loop: self.loops.off_loop,
            conditional: self.branches > 0,
            bundled_file,
            guarded_by: self.guarded_by(),
            kind: CallKind::Call,
        };
        self.function().calls.push(record);
    }

    /// A call's arguments, as far as rules and the callee's guards look at them.
    fn arguments(&mut self, call: &ast::ExprCall) -> Vec<Arg> {
        let mut args = vec![];
        for a in call.arguments.iter_source_order() {
            match a {
                ast::ArgOrKeyword::Arg(e) => args.push(Arg {
                    keyword: None,
                    value: self.arg_ref(e),
                    span: span(e.range()),
                    given: self.given(e),
                }),
                // `middlewares=[auth, timing]`: a keyword given a list is kept (where
                // the list is), then once more per function named in the list.
                ast::ArgOrKeyword::Keyword(k) => match &k.value {
                    Expr::List(ast::ExprList { elts, .. })
                    | Expr::Tuple(ast::ExprTuple { elts, .. }) => {
                        args.push(Arg {
                            keyword: k.arg.as_ref().map(|a| Name::from(a.as_str())),
                            value: Ref::Unknown,
                            span: span(k.range),
                            given: Given::Unknown,
                        });
                        for e in elts {
                            let value = self.arg_ref(e);
                            if matches!(value, Ref::Unknown | Ref::Const(_)) {
                                continue;
                            }
                            args.push(Arg {
                                keyword: k.arg.as_ref().map(|a| Name::from(a.as_str())),
                                value,
                                span: span(e.range()),
                                given: Given::Unknown,
                            });
                        }
                    }
                    value => args.push(Arg {
                        keyword: k.arg.as_ref().map(|a| Name::from(a.as_str())),
                        value: self.arg_ref(value),
                        span: span(k.range),
                        // `**kwargs` may bind any parameter.
                        given: match k.arg {
                            Some(_) => self.given(value),
                            None => Given::Splat,
                        },
                    }),
                },
            }
        }
        args
    }

    /// Whether the call's receiver was set non-blocking (`sock.setblocking(False)`)
    /// earlier in the function; remembered here when this call is what sets it.
    fn nonblocking_receiver(&mut self, call: &ast::ExprCall) -> bool {
        if let Expr::Attribute(a) = &*call.func {
            let setter = matches!(a.attr.as_str(), "setblocking" | "settimeout");
            // Most functions set nothing non-blocking: the receiver is spelled out only
            // when there is something to compare it with.
            let receiver = (setter || !self.nonblocking.is_empty())
                .then(|| dotted(&a.value))
                .flatten();
            if let Some(receiver) = receiver {
                let first_is_zero = matches!(
                    call.arguments.args.first(),
                    Some(Expr::BooleanLiteral(b)) if !b.value
                ) || matches!(
                    call.arguments.args.first(),
                    Some(Expr::NumberLiteral(n)) if matches!(&n.value, ast::Number::Int(i) if i.as_u8() == Some(0))
                );
                let key = (self.current, receiver);
                if setter && first_is_zero {
                    self.nonblocking.push(key);
                } else {
                    return self.nonblocking.contains(&key);
                }
            }
        }
        false
    }

    /// `obj.name` read where some class of the module defines a property `name`: kept
    /// as a call that the project stage resolves to the getter, if `obj` has it.
    pub(super) fn record_read(&mut self, a: &ast::ExprAttribute) {
        if self.in_type_checking {
            return;
        }
        let callee = self.expr_ref(&a.value).attr(a.attr.as_str());
        if !matches!(callee, Ref::Attr(..)) {
            return;
        }
        self.record_implied(callee, a.range, CallKind::Read, vec![]);
    }

    /// Code that runs as a call without one written: a property read, a loop, a `with`.
    fn record_implied(&mut self, callee: Ref, range: TextRange, kind: CallKind, args: Vec<Arg>) {
        let record = Call {
            callee,
            span: span(range),
            func_span: span(range),
            args,
            awaited: false,
            nonblocking: false,
            once: self.once.inside,
            off_loop: self.loops.off_loop,
            conditional: self.branches > 0,
            bundled_file: false,
            guarded_by: self.guarded_by(),
            kind,
        };
        self.function().calls.push(record);
    }

    /// Whether `func` names one of `builtins`, not rebound here.
    pub(super) fn is_builtin(&self, func: &Expr, builtins: &[&str]) -> bool {
        let Expr::Name(n) = func else { return false };
        let name = n.id.as_str();
        builtins.contains(&name) && self.lookup(name) == Ref::Name(name.into())
    }

    /// `for x in obj` and `with obj`: the loop calls `obj.__iter__()` and the block
    /// `obj.__enter__()`, which block for some types (a Django queryset runs its query,
    /// a `threading.Lock` waits for its holder). Kept as calls of those methods.
    pub(super) fn record_iter_or_enter(&mut self, obj: &Expr, kind: CallKind) {
        if self.in_type_checking {
            return;
        }
        // Loops over a builtin's result (`range(n)`, `enumerate(xs)`) are common, and
        // their type is known to block nowhere.
        if matches!(obj, Expr::Call(c) if self.is_builtin(&c.func, ITERATING_BUILTINS)) {
            return;
        }
        let receiver = self.expr_ref(obj);
        if matches!(receiver, Ref::Unknown | Ref::Const(_)) {
            return;
        }
        let dunder = match kind {
            CallKind::Enter => "__enter__",
            _ => "__iter__",
        };
        // `with heartbeats(engine, join_on_exit=False):` runs the generator's body with
        // those arguments: its guards are evaluated on them. Only what they are given is
        // kept: the rules read the arguments of the call itself, recorded beside.
        let args = match obj {
            Expr::Call(c) => self
                .arguments(c)
                .into_iter()
                .map(|a| Arg {
                    value: Ref::Unknown,
                    ..a
                })
                .collect(),
            _ => vec![],
        };
        self.record_implied(receiver.attr(dunder), obj.range(), kind, args);
    }

    /// Calls of builtins that never block (`len`, `isinstance`, `str`, ...) are most calls
    /// in a project and can never be reported or lead anywhere, so they are not kept. A
    /// name counts as a builtin only when the module binds nothing to it.
    pub(super) fn drop_builtin_calls(&mut self, blocking_builtins: &[&str]) {
        let keep_all = !self.facts.star_imports.is_empty();
        let bindings = &self.facts.bindings;
        for func in &mut self.facts.functions {
            if !keep_all {
                func.calls.retain(|call| match &call.callee {
                    Ref::Name(name) => {
                        bindings.contains_key(name) || blocking_builtins.contains(&name.as_str())
                    }
                    _ => true,
                });
            }
        }
    }

    /// A call: kept, then its callee and arguments walked.
    pub(super) fn call_expr(&mut self, call: &'a ast::ExprCall, awaited: bool) {
        self.record_call(call, awaited);
        // `obj.method()` is a call, not a read of `obj.method`.
        match &*call.func {
            Expr::Attribute(a) => self.visit_expr(&a.value),
            func => self.visit_expr(func),
        }
        self.visit_arguments(&call.arguments);
        match &*call.func {
            // `list(rows())`, `sorted(queryset)`: the builtin iterates its argument.
            func if self.is_builtin(func, CONSUMING_BUILTINS) => {
                for arg in &call.arguments.args {
                    self.record_iter_or_enter(arg, CallKind::Iterate);
                }
            }
            // `stack.enter_context(cm)` enters `cm`, as `with cm:` would.
            Expr::Attribute(a) if a.attr.as_str() == "enter_context" => {
                if let Some(cm) = call.arguments.args.first() {
                    self.record_iter_or_enter(cm, CallKind::Enter);
                }
            }
            _ => {}
        }
    }
}
