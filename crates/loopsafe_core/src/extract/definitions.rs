//! The constructs that open a scope: `def`, `class`, `lambda` and comprehensions.

use rustc_hash::FxHashMap as HashMap;

use ruff_python_ast::visitor::Visitor;
use ruff_python_ast::{self as ast, Expr, Stmt};

use super::calls::is_property_decorator;
use super::guards::GuardState;
use super::scope::{Scope, ScopeKind};
use super::{last_segment, placeholder, span, Extractor};
use crate::facts::{CallKind, Class, Function, FunctionKind, Given, Name, Ref, Span};

impl<'a> Extractor<'a> {
    /// Reserves function slots for the `def`s directly in `body` (through `if`, `try`,
    /// `with`, loops), binding their names in the current scope.
    fn reserve_defs(&mut self, body: &'a [Stmt]) {
        for stmt in body {
            match stmt {
                Stmt::FunctionDef(f) => {
                    let idx = self.new_function(placeholder());
                    self.reserved.insert(f.range.start().to_u32(), idx);
                    self.bind(f.name.as_str(), Ref::Function(idx));
                }
                Stmt::If(s) => {
                    self.reserve_defs(&s.body);
                    for clause in &s.elif_else_clauses {
                        self.reserve_defs(&clause.body);
                    }
                }
                Stmt::Try(s) => {
                    self.reserve_defs(&s.body);
                    self.reserve_defs(&s.orelse);
                    self.reserve_defs(&s.finalbody);
                }
                Stmt::With(s) => self.reserve_defs(&s.body),
                Stmt::For(s) => self.reserve_defs(&s.body),
                Stmt::While(s) => self.reserve_defs(&s.body),
                _ => {}
            }
        }
    }

    /// A `def`: recorded and bound where it stands, its body walked as a function of
    /// its own.
    pub(super) fn function_def(&mut self, f: &'a ast::StmtFunctionDef) {
        self.visit_signature(f);
        let class = self.enclosing_class();
        let decorator_names: Vec<&str> = f
            .decorator_list
            .iter()
            .filter_map(|d| last_segment(&d.expression))
            .collect();
        let kind = function_kind(class, &decorator_names);
        let idx = self.declare_function(f, kind, class, &decorator_names);
        let scope = self.parameter_scope(&f.parameters, f.body.len(), idx, kind, class);
        self.function_body(f, idx, scope);
    }

    /// Walks what a `def` evaluates where it stands: its decorators, its parameters'
    /// defaults, and the calls in their annotations.
    fn visit_signature(&mut self, f: &'a ast::StmtFunctionDef) {
        for decorator in &f.decorator_list {
            self.visit_expr(&decorator.expression);
        }
        for param in f.parameters.iter_non_variadic_params() {
            if let Some(default) = &param.default {
                self.visit_expr(default);
            }
            // `x: Annotated[T, Depends(get_x)]`: the calls in annotations are recorded
            // too, where frameworks look for dependencies.
            if let Some(annotation) = &param.parameter.annotation {
                if contains_call(annotation) {
                    self.visit_expr(annotation);
                }
            }
        }
    }

    /// Records a `def` (in the slot [`Extractor::reserve_defs`] kept for it, if any) and
    /// binds its name, among its class's methods or in the enclosing scope.
    fn declare_function(
        &mut self,
        f: &'a ast::StmtFunctionDef,
        kind: FunctionKind,
        class: Option<u32>,
        decorator_names: &[&str],
    ) -> u32 {
        let decorators: Vec<Ref> = f
            .decorator_list
            .iter()
            .map(|d| self.expr_ref(&d.expression))
            .collect();
        let returns = f.returns.as_deref().map(|r| self.annotation_ref(r));
        let func = Function {
            name: Name::from(f.name.as_str()),
            qualname: self.qualname(f.name.as_str()),
            kind,
            is_async: f.is_async,
            class,
            parent: Some(self.current),
            span: span(f.range),
            name_span: Span {
                start: f.range.start().to_u32(),
                end: f.name.range.end().to_u32(),
            },
            decorators,
            returns,
            ..placeholder()
        };
        let idx = match self.reserved.remove(&f.range.start().to_u32()) {
            Some(idx) => {
                self.facts.functions[idx as usize] = func;
                idx
            }
            None => self.new_function(func),
        };
        // `@x.setter def x(...)`: the name stays the getter's, which reads run.
        let accessor = decorator_names
            .iter()
            .any(|d| matches!(*d, "setter" | "deleter"));
        match class {
            Some(c) => {
                let methods = &mut self.facts.classes[c as usize].methods;
                if !(accessor && methods.contains_key(f.name.as_str())) {
                    methods.insert(Name::from(f.name.as_str()), idx);
                }
            }
            None => self.bind(f.name.as_str(), Ref::Function(idx)),
        }
        idx
    }

    /// The scope of function `idx`, holding its parameters: the first of a method is the
    /// instance, of a class method the class; the others are typed by their annotations.
    /// `body_len` sizes it for the names the body binds.
    fn parameter_scope(
        &mut self,
        params: &'a ast::Parameters,
        body_len: usize,
        idx: u32,
        kind: FunctionKind,
        class: Option<u32>,
    ) -> Scope<'a> {
        let mut scope = Scope::with_room(ScopeKind::Function, params.len() + body_len);
        let mut first = true;
        let positional = params.posonlyargs.iter().chain(params.args.iter());
        for p in positional.chain(params.kwonlyargs.iter()) {
            let name = p.parameter.name.as_str();
            if first {
                self.first_params.insert(idx, name);
            }
            let value = match (first, kind, class) {
                (true, FunctionKind::Method | FunctionKind::Property, Some(c)) => {
                    Ref::InstanceOf(c)
                }
                (true, FunctionKind::ClassMethod, Some(c)) => Ref::Class(c),
                _ => match p.parameter.annotation.as_deref() {
                    Some(a) => self.annotation_ref(a),
                    None if names_a_path(name) => Ref::Instance(Box::new(Ref::Name("str".into()))),
                    None => Ref::Unknown,
                },
            };
            first = false;
            scope.bindings.insert(name, value);
        }
        for p in [&params.vararg, &params.kwarg].into_iter().flatten() {
            scope.bindings.insert(p.name.as_str(), Ref::Unknown);
        }
        scope
    }

    /// Walks the body of function `idx` in `scope`. What the walk keeps per function
    /// (where calls go, one-time set-ups, the loop) starts afresh and is put back after.
    fn function_body(&mut self, f: &'a ast::StmtFunctionDef, idx: u32, scope: Scope<'a>) {
        let saved = (self.current, self.once.inside, self.loops.off_loop);
        // A nested function's calls run when it is called, whatever branch defines it.
        let branches = std::mem::take(&mut self.branches);
        let loops = (
            std::mem::take(&mut self.loops.running),
            std::mem::take(&mut self.loops.event),
        );
        let off_by_default = f
            .parameters
            .iter_non_variadic_params()
            .filter(|p| {
                p.default.as_deref().is_some_and(|d| {
                    d.is_none_literal_expr() || matches!(d, Expr::BooleanLiteral(b) if !b.value)
                })
            })
            .map(|p| p.parameter.name.as_str())
            .collect();
        let off_by_default = std::mem::replace(&mut self.once.off_by_default, off_by_default);
        let memo_locals = std::mem::take(&mut self.once.memo_locals);
        let cache_locals = std::mem::take(&mut self.once.cache_locals);
        let bundled_locals = std::mem::take(&mut self.bundled.locals);
        let guards = std::mem::replace(&mut self.guards, GuardState::of(&f.parameters));
        self.current = idx;
        self.once.inside = false;
        self.loops.off_loop = false;
        self.scopes.push(scope);
        self.reserve_defs(&f.body);
        self.visit_body(&f.body);
        self.scopes.pop();
        (self.current, self.once.inside, self.loops.off_loop) = saved;
        self.branches = branches;
        (self.loops.running, self.loops.event) = loops;
        self.once.off_by_default = off_by_default;
        self.once.memo_locals = memo_locals;
        self.once.cache_locals = cache_locals;
        self.bundled.locals = bundled_locals;
        let own = std::mem::replace(&mut self.guards, guards);
        // The parameters are kept only where the project stage can use them.
        let func = &mut self.facts.functions[idx as usize];
        let uses_params = func.calls.iter().any(|c| {
            !c.guards().is_empty() || c.args.iter().any(|a| matches!(a.given, Given::Param(_)))
        });
        if uses_params {
            func.params = own.into_params();
        }
    }

    /// A `class`: its bases, then its body walked as a function of its own (the
    /// class-level code runs once, at import), whose bindings are the class's attributes.
    pub(super) fn class_def(&mut self, c: &'a ast::StmtClassDef) {
        for decorator in &c.decorator_list {
            self.visit_expr(&decorator.expression);
        }
        let mut bases = vec![];
        if let Some(arguments) = &c.arguments {
            for arg in arguments.args.iter() {
                self.visit_expr(arg);
                bases.push(self.expr_ref(arg));
            }
            for kw in arguments.keywords.iter() {
                self.visit_expr(&kw.value);
            }
        }
        let idx = self.facts.classes.len() as u32;
        let qualname = self.qualname(c.name.as_str());
        self.facts.classes.push(Class {
            name: c.name.to_string(),
            qualname: qualname.to_string(),
            bases,
            methods: HashMap::default(),
            attrs: vec![],
            span: span(c.range),
        });
        self.bind(c.name.as_str(), Ref::Class(idx));
        let body = self.new_function(Function {
            name: Name::from(c.name.as_str()),
            qualname,
            kind: FunctionKind::ClassBody,
            class: Some(idx),
            parent: Some(self.current),
            span: span(c.range),
            name_span: Span {
                start: c.range.start().to_u32(),
                end: c.name.range.end().to_u32(),
            },
            ..placeholder()
        });
        let saved = (self.current, std::mem::take(&mut self.branches));
        self.current = body;
        self.scopes.push(Scope::new(ScopeKind::Class(idx)));
        self.visit_body(&c.body);
        self.scopes.pop();
        (self.current, self.branches) = saved;
    }

    /// A `lambda`: a function of its own, returning its body's value.
    pub(super) fn lambda(&mut self, l: &'a ast::ExprLambda) {
        let idx = self.new_function(Function {
            name: "<lambda>".into(),
            qualname: self.qualname("<lambda>"),
            kind: FunctionKind::Lambda,
            parent: Some(self.current),
            span: span(l.range),
            name_span: span(l.range),
            ..placeholder()
        });
        self.lambdas.insert(l.range.start().to_u32(), idx);
        let mut scope = Scope::new(ScopeKind::Function);
        if let Some(params) = &l.parameters {
            for p in params.iter_non_variadic_params() {
                if let Some(default) = &p.default {
                    self.visit_expr(default);
                }
                scope
                    .bindings
                    .insert(p.parameter.name.as_str(), Ref::Unknown);
            }
            for p in [&params.vararg, &params.kwarg].into_iter().flatten() {
                scope.bindings.insert(p.name.as_str(), Ref::Unknown);
            }
        }
        let saved = (
            self.current,
            self.once.inside,
            std::mem::take(&mut self.branches),
        );
        self.current = idx;
        self.once.inside = false;
        self.scopes.push(scope);
        self.visit_expr(&l.body);
        let r = self.expr_ref(&l.body);
        self.function().returned.push(r);
        self.scopes.pop();
        (self.current, self.once.inside, self.branches) = saved;
    }

    /// A comprehension: a scope of its own, whose loops iterate as `for` does.
    pub(super) fn comprehension(
        &mut self,
        generators: &'a [ast::Comprehension],
        elts: &[&'a Expr],
    ) {
        self.scopes.push(Scope::new(ScopeKind::Comprehension));
        // What follows a filter (`[f(x) for x in xs if x.ok]`) runs only for the items
        // that pass it.
        let branches = self.branches;
        for generator in generators {
            self.visit_expr(&generator.iter);
            if !generator.is_async {
                self.record_iter_or_enter(&generator.iter, CallKind::Iterate);
            }
            self.assign(&generator.target, None, Ref::Unknown);
            for cond in &generator.ifs {
                self.visit_expr(cond);
                self.branches += 1;
            }
        }
        for elt in elts {
            self.visit_expr(elt);
        }
        self.branches = branches;
        self.scopes.pop();
    }
}

/// Whether an annotation makes a call (`Depends(get_db)` inside `Annotated[...]`).
fn contains_call(expr: &Expr) -> bool {
    match expr {
        Expr::Call(_) => true,
        Expr::Subscript(s) => contains_call(&s.value) || contains_call(&s.slice),
        Expr::Tuple(t) => t.elts.iter().any(contains_call),
        Expr::BinOp(b) => contains_call(&b.left) || contains_call(&b.right),
        _ => false,
    }
}

/// Whether a function is a method, and which kind, by its class and its decorators.
fn function_kind(class: Option<u32>, decorator_names: &[&str]) -> FunctionKind {
    match class {
        None => FunctionKind::Function,
        Some(_) if decorator_names.contains(&"staticmethod") => FunctionKind::StaticMethod,
        Some(_) if decorator_names.contains(&"classmethod") => FunctionKind::ClassMethod,
        Some(_) if decorator_names.iter().any(|d| is_property_decorator(d)) => {
            FunctionKind::Property
        }
        Some(_) => FunctionKind::Method,
    }
}

/// Whether an unannotated parameter's name says it holds a file's path, as a string:
/// `path`, `file_path`, `report_filename`. (Not `file` or `upload`: those are often open
/// files or in-memory buffers, which an API taking a path or a file reads without I/O.)
fn names_a_path(name: &str) -> bool {
    const NAMES: &[&str] = &["filename", "filepath", "fname", "fpath", "path"];
    const SUFFIXES: &[&str] = &["_filename", "_filepath", "_fname", "_path", "_file_name"];
    NAMES.contains(&name)
        || SUFFIXES
            .iter()
            .any(|s| name.len() > s.len() && name.ends_with(s))
}
