//! Parsing and fact extraction: the one place that reads ruff's AST.
//!
//! Names inside functions are resolved as the walk meets them (the last binding so far
//! wins), because that is how a reader follows a function body. Names at module level
//! stay symbolic ([`Ref::Name`]): a function body runs after the whole module has been
//! imported, so it sees the module's final bindings, which only the project stage knows.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use ruff_python_ast::token::TokenKind;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, ModModule, Stmt};
use ruff_python_parser::Parsed;
use ruff_text_size::{Ranged, TextRange};

use crate::catalogue::Catalogue;
use crate::facts::{
    Arg, Call, CallKind, Class, Const, Dunder, Function, FunctionKind, ModuleFacts, Name, Ref,
    Span, Suppression,
};

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

/// A file that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub offset: u32,
    pub message: String,
}

/// References bigger than this are not worth following (and would grow without bound on
/// code like `x = f(x)` repeated).
const MAX_REF_SIZE: usize = 48;

/// Extracts one module's facts. `blocking_builtins` are the builtins whose calls are kept
/// ([`crate::catalogue::Catalogue::blocking_builtins`]); calls of other builtins are not.
pub fn extract(
    source: &str,
    module: &str,
    is_package: bool,
    blocking_builtins: &[&str],
) -> Result<ModuleFacts, SyntaxError> {
    let tree = parse(source)?;
    Ok(facts_of(
        &tree,
        source,
        module,
        is_package,
        blocking_builtins,
    ))
}

/// A parsed module, between [`parse`] and [`facts_of`].
pub struct SyntaxTree(Parsed<ModModule>);

/// Parses one module and nothing else: the floor under which no check can go, for the
/// benchmark (`loopsafe parse-only`).
pub fn parse(source: &str) -> Result<SyntaxTree, SyntaxError> {
    ruff_python_parser::parse_module(source)
        .map(SyntaxTree)
        .map_err(|err| SyntaxError {
            offset: err.location.start().to_u32(),
            message: err.error.to_string(),
        })
}

/// How many names the statements bind at their own level, at least (imports, `def`s,
/// classes, assignments): what a module's table of names is sized for. Sized by the
/// count of statements instead, it is larger than needed, and copied whole with the facts.
fn names_bound(body: &[Stmt]) -> usize {
    body.iter()
        .map(|stmt| match stmt {
            Stmt::Import(i) => i.names.len(),
            Stmt::ImportFrom(i) => i.names.len(),
            Stmt::Assign(a) => a.targets.len(),
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) | Stmt::AnnAssign(_) => 1,
            _ => 0,
        })
        .sum()
}

/// The facts of a module [`parse`]d from `source`.
pub fn facts_of(
    tree: &SyntaxTree,
    source: &str,
    module: &str,
    is_package: bool,
    blocking_builtins: &[&str],
) -> ModuleFacts {
    let parsed = &tree.0;
    let suppressions = parsed
        .tokens()
        .iter()
        .filter(|t| t.kind() == TokenKind::Comment)
        .filter_map(|t| {
            let text = &source[t.range()];
            parse_suppression(text).map(|s| (t.range().start().to_u32(), s))
        })
        .collect::<Vec<_>>();

    let package = if is_package {
        module.to_string()
    } else {
        module
            .rsplit_once('.')
            .map(|(p, _)| p.to_string())
            .unwrap_or_default()
    };
    let module_ast = parsed.syntax();
    let mut ex = Extractor {
        facts: ModuleFacts {
            name: module.to_string(),
            is_package,
            bindings: HashMap::with_capacity_and_hasher(
                names_bound(&module_ast.body),
                Default::default(),
            ),
            ..ModuleFacts::default()
        },
        package,
        scopes: vec![Scope::new(ScopeKind::Module)],
        current: 0,
        in_type_checking: false,
        once: false,
        off_loop: false,
        running_loops: vec![],
        event_loops: vec![],
        off_by_default: vec![],
        loop_getters: HashSet::default(),
        reserved: HashMap::default(),
        first_params: HashMap::default(),
        lambdas: HashMap::default(),
        nonblocking: vec![],
        properties: HashSet::default(),
    };
    property_names(&module_ast.body, &mut ex.properties);
    ex.loop_getters = loop_getters(&module_ast.body);
    ex.facts.functions.push(Function {
        name: "<module>".into(),
        qualname: "<module>".into(),
        kind: FunctionKind::Module,
        span: Span {
            start: 0,
            end: source.len() as u32,
        },
        ..placeholder()
    });
    ex.visit_body(&module_ast.body);
    ex.drop_builtin_calls(blocking_builtins);

    if !suppressions.is_empty() {
        let line_starts = line_starts(source);
        for (offset, s) in suppressions {
            let line = line_of(&line_starts, offset);
            ex.facts.suppressions.insert(line, s);
        }
        // Kept only for files with suppressions: the project stage needs them to tell
        // whether a blocking call inside a helper was marked as acceptable.
        ex.facts.line_starts = line_starts;
    }
    ex.facts
}

pub fn line_starts(source: &str) -> Vec<u32> {
    std::iter::once(0)
        .chain(
            source
                .bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i as u32 + 1),
        )
        .collect()
}

/// 1-based line of a byte offset.
pub fn line_of(line_starts: &[u32], offset: u32) -> u32 {
    match line_starts.binary_search(&offset) {
        Ok(i) => i as u32 + 1,
        Err(i) => i as u32,
    }
}

/// Reads `# noqa`, `# noqa: LS201, LS301` and `# loopsafe: ignore[LS201]`.
fn parse_suppression(comment: &str) -> Option<Suppression> {
    let body = comment.trim_start_matches('#').trim();
    let lower = body.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("loopsafe:") {
        let rest = rest.trim_start();
        let rest_orig = &body[body.len() - rest.len()..];
        let after = rest.strip_prefix("ignore")?;
        let after_orig = &rest_orig["ignore".len()..];
        if after.trim().is_empty() {
            return Some(Suppression::All);
        }
        let inner = after_orig.trim().strip_prefix('[')?.split(']').next()?;
        return Some(codes(inner));
    }
    // `noqa` may follow other text in the comment (`# type: ignore  # noqa`), but each
    // `#` starts a new comment token, so only the start is checked.
    let rest = lower.strip_prefix("noqa")?;
    let rest_orig = &body["noqa".len()..];
    if rest.trim().is_empty() || !rest.trim_start().starts_with(':') {
        if rest.is_empty() || rest.starts_with(char::is_whitespace) {
            return Some(Suppression::All);
        }
        return None;
    }
    let list = rest_orig.trim_start().trim_start_matches(':');
    Some(codes(list))
}

fn codes(list: &str) -> Suppression {
    // A code is letters then digits (`LS201`, `LS2`, `E501`); the list ends at the first
    // word that is not one, so a reason may follow.
    let is_code = |c: &str| {
        let digits = c.trim_start_matches(|ch: char| ch.is_ascii_alphabetic());
        digits.len() < c.len() && !digits.is_empty() && digits.chars().all(|ch| ch.is_ascii_digit())
    };
    let codes: Vec<String> = list
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|c| !c.is_empty())
        .take_while(|c| is_code(c))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if codes.is_empty() {
        Suppression::All
    } else {
        Suppression::Codes(codes)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScopeKind {
    Module,
    Function,
    Class(u32),
    Comprehension,
}

/// A scope's names borrow from the syntax tree: most are never kept, so they are
/// copied only once they reach the facts.
struct Scope<'a> {
    kind: ScopeKind,
    bindings: HashMap<&'a str, Ref>,
    globals: HashSet<&'a str>,
}

impl Scope<'_> {
    fn new(kind: ScopeKind) -> Self {
        Scope {
            kind,
            bindings: HashMap::default(),
            globals: HashSet::default(),
        }
    }

    /// A scope made big enough for about `names` names at once: growing a table one
    /// doubling at a time rehashes every name each time (7% of extracting, callgrind).
    fn with_room(kind: ScopeKind, names: usize) -> Self {
        Scope {
            bindings: HashMap::with_capacity_and_hasher(names, Default::default()),
            ..Scope::new(kind)
        }
    }
}

struct Extractor<'a> {
    facts: ModuleFacts,
    package: String,
    scopes: Vec<Scope<'a>>,
    /// The function whose body is being walked: calls are recorded there.
    current: u32,
    in_type_checking: bool,
    /// Inside the body of a one-time set-up guard ([`Extractor::once_guard`]).
    once: bool,
    /// Where the code runs only when no event loop runs in the thread
    /// ([`Call::off_loop`]).
    off_loop: bool,
    /// Local names holding the running loop or None (`loop = asyncio.get_running_loop()`
    /// in a `try`, `loop = asyncio._get_running_loop()`), and those holding the thread's
    /// loop, running or not (`loop = asyncio.get_event_loop()`), in the current function.
    running_loops: Vec<&'a str>,
    event_loops: Vec<&'a str>,
    /// Parameters of the current function that default to `False` or `None`: a caller
    /// that leaves them out does not ask for the set-up to be done again
    /// (`if self._cache is not None and not refresh: return self._cache`).
    off_by_default: Vec<&'a str>,
    /// Module-level functions that return the running loop or None, by name.
    loop_getters: HashSet<&'a str>,
    /// Nested `def`s seen ahead of time (by start offset), so that a helper can call a
    /// sibling defined further down the same function.
    reserved: HashMap<u32, u32>,
    /// Objects set to non-blocking (`sock.setblocking(False)`) in a function so far.
    nonblocking: Vec<(u32, String)>,
    /// Lambdas already walked (by start offset), so that `f = lambda: ...` binds `f`.
    lambdas: HashMap<u32, u32>,
    /// The name of each function's first parameter (`self` in a method).
    first_params: HashMap<u32, &'a str>,
    /// Names of the properties the module's classes define: reading one of these
    /// attributes may run a getter, so such reads are kept as calls.
    properties: HashSet<&'a str>,
}

/// The names of the properties defined by the classes in `body`, nested ones included,
/// whose getters call something: a getter that calls nothing (`return self._name`, most
/// of them) cannot block, and reads of it are not worth keeping.
fn property_names<'a>(body: &'a [Stmt], out: &mut HashSet<&'a str>) {
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
fn is_property_decorator(name: &str) -> bool {
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

fn span(range: TextRange) -> Span {
    Span {
        start: range.start().to_u32(),
        end: range.end().to_u32(),
    }
}

/// The last segment of a dotted expression: `typing.Optional` -> `Optional`.
fn last_segment(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(n) => Some(n.id.as_str()),
        Expr::Attribute(a) => Some(a.attr.as_str()),
        _ => None,
    }
}

impl<'a> Extractor<'a> {
    fn function(&mut self) -> &mut Function {
        &mut self.facts.functions[self.current as usize]
    }

    fn enclosing_class(&self) -> Option<u32> {
        match self.scopes.last()?.kind {
            ScopeKind::Class(idx) => Some(idx),
            _ => None,
        }
    }

    fn lookup(&self, name: &str) -> Ref {
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

    fn bind(&mut self, name: &'a str, value: Ref) {
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

    /// What an expression refers to, without recording anything.
    fn expr_ref(&self, expr: &Expr) -> Ref {
        // Checked once, on the whole reference: checking at every level of a nested
        // expression would measure the same subtrees again and again.
        let r = self.expr_ref_inner(expr);
        if r.size() > MAX_REF_SIZE {
            Ref::Unknown
        } else {
            r
        }
    }

    fn expr_ref_inner(&self, expr: &Expr) -> Ref {
        match expr {
            Expr::Name(n) => self.lookup(n.id.as_str()),
            Expr::Attribute(a) => self.expr_ref_inner(&a.value).attr(a.attr.as_str()),
            Expr::Call(c) => {
                if let Expr::Name(n) = &*c.func {
                    if n.id.as_str() == "super" && c.arguments.args.is_empty() {
                        if let Some(class) = self.method_class() {
                            return Ref::Super(class);
                        }
                    }
                }
                self.expr_ref_inner(&c.func).call()
            }
            Expr::NoneLiteral(_) => Ref::Const(Const::None),
            Expr::BooleanLiteral(b) => Ref::Const(Const::Bool(b.value)),
            Expr::NumberLiteral(n) => match &n.value {
                ast::Number::Int(i) => i
                    .as_i64()
                    .map(|v| Ref::Const(Const::Int(v)))
                    .unwrap_or(Ref::Const(Const::Other)),
                _ => Ref::Const(Const::Other),
            },
            Expr::StringLiteral(_) | Expr::FString(_) => Ref::Const(Const::Str),
            Expr::BytesLiteral(_) => Ref::Const(Const::Bytes),
            Expr::BinOp(b) if b.op == ast::Operator::Div => {
                Ref::BinOp(Box::new(self.expr_ref_inner(&b.left)), Dunder::TrueDiv)
            }
            Expr::BinOp(b) if b.op == ast::Operator::BitOr => match &*b.left {
                Expr::Dict(_) => {
                    Ref::ReflectedBinOp(Box::new(self.expr_ref_inner(&b.right)), Dunder::Or)
                }
                left => Ref::BinOp(Box::new(self.expr_ref_inner(left)), Dunder::Or),
            },
            Expr::Named(n) => self.expr_ref_inner(&n.value),
            // A type alias, `SessionDep = Annotated[Session, Depends(get_db)]`: what an
            // annotation naming it describes.
            Expr::Subscript(sub)
                if matches!(
                    last_segment(&sub.value),
                    Some("Annotated" | "Optional" | "Union")
                ) =>
            {
                self.annotation_ref(expr)
            }
            // What awaiting a call gives is typed only for the catalogue's coroutine
            // methods (`await Order.objects.aget()` gives an `Order`).
            Expr::Await(a) if is_awaited_method_call(&a.value) => self.expr_ref_inner(&a.value),
            Expr::Lambda(l) => self
                .lambdas
                .get(&l.range.start().to_u32())
                .map(|idx| Ref::Function(*idx))
                .unwrap_or(Ref::Unknown),
            Expr::If(i) => Ref::AnyOf(vec![
                self.expr_ref_inner(&i.body),
                self.expr_ref_inner(&i.orelse),
            ]),
            Expr::BoolOp(b) => {
                Ref::AnyOf(b.values.iter().map(|v| self.expr_ref_inner(v)).collect())
            }
            _ => Ref::Unknown,
        }
    }

    /// The class whose method is being walked (for `super()`), looking through nested
    /// comprehensions and lambdas.
    fn method_class(&self) -> Option<u32> {
        let mut f = Some(self.current);
        while let Some(idx) = f {
            let func = &self.facts.functions[idx as usize];
            match func.kind {
                FunctionKind::Lambda => f = func.parent,
                FunctionKind::Module | FunctionKind::ClassBody => return None,
                _ => return func.class,
            }
        }
        None
    }

    /// An annotation, as the type of the value it describes.
    fn annotation_ref(&self, expr: &Expr) -> Ref {
        match expr {
            Expr::NoneLiteral(_) => Ref::Const(Const::None),
            Expr::StringLiteral(s) => {
                // A quoted annotation: parse what is inside the quotes.
                match ruff_python_parser::parse_expression(s.value.to_str()) {
                    Ok(parsed) => match parsed.expr() {
                        Expr::StringLiteral(_) => Ref::Unknown,
                        inner => self.annotation_ref(inner),
                    },
                    Err(_) => Ref::Unknown,
                }
            }
            Expr::BinOp(b) if b.op == ast::Operator::BitOr => Ref::AnyOf(vec![
                self.annotation_ref(&b.left),
                self.annotation_ref(&b.right),
            ]),
            Expr::Subscript(s) => {
                let elts: Vec<&Expr> = match &*s.slice {
                    Expr::Tuple(t) => t.elts.iter().collect(),
                    other => vec![other],
                };
                match (last_segment(&s.value), elts.first()) {
                    // `Optional[()]` is no type, but it parses.
                    (Some("Optional" | "Annotated"), Some(first)) => self.annotation_ref(first),
                    (Some("Union"), _) => {
                        Ref::AnyOf(elts.iter().map(|e| self.annotation_ref(e)).collect())
                    }
                    _ => Ref::Unknown,
                }
            }
            Expr::Name(_) | Expr::Attribute(_) => Ref::Instance(Box::new(self.expr_ref(expr))),
            _ => Ref::Unknown,
        }
    }

    fn assign(&mut self, target: &'a Expr, value: Option<&Expr>, r: Ref) {
        match target {
            Expr::Name(n) => self.bind(n.id.as_str(), r),
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
                // `self.client = ...` inside a method types the instance attribute.
                if let Expr::Name(n) = &*a.value {
                    if let Some((class, self_name)) = self.self_parameter() {
                        if n.id.as_str() == self_name {
                            let r = if r.size() > MAX_REF_SIZE {
                                Ref::Unknown
                            } else {
                                r
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

    /// The class and the name of `self` in the method being walked.
    fn self_parameter(&self) -> Option<(u32, &'a str)> {
        let func = &self.facts.functions[self.current as usize];
        if !matches!(func.kind, FunctionKind::Method | FunctionKind::Property) {
            return None;
        }
        let name = self.first_params.get(&self.current)?;
        Some((func.class?, name))
    }

    /// Remembers a local that holds the running loop (or None), or the thread's loop.
    fn note_loop(&mut self, name: &'a str, value: &Expr) {
        // `loop = None` in the `except` keeps it "the running loop, or None".
        if value.is_none_literal_expr() {
            return;
        }
        self.running_loops.retain(|n| *n != name);
        self.event_loops.retain(|n| *n != name);
        if self.current == 0 {
            return;
        }
        if is_running_loop_call(value) || self.calls_loop_getter(value) {
            self.running_loops.push(name);
        } else if is_event_loop_call(value) {
            self.event_loops.push(name);
        }
    }

    /// `_running_loop()`, a function of this module that returns the running loop or
    /// None ([`loop_getters`]).
    fn calls_loop_getter(&self, value: &Expr) -> bool {
        let Expr::Call(c) = value else { return false };
        matches!(&*c.func, Expr::Name(n) if self.loop_getters.contains(n.id.as_str())
            && !self.is_local(n.id.as_str()))
    }

    /// What an `if` test says of the thread's event loop: `Some(true)` when the test is
    /// true exactly when a loop is running (`loop is not None`, `loop and
    /// loop.is_running()`), `Some(false)` when it is true exactly when none is (`loop is
    /// None`, `not loop.is_running()`), None for any other test.
    fn loop_test(&self, test: &Expr) -> Option<bool> {
        let running = |e: &Expr| match e {
            Expr::Name(n) => self.running_loops.contains(&n.id.as_str()),
            e => is_running_loop_call(e) || self.calls_loop_getter(e),
        };
        let any_loop = |e: &Expr| {
            running(e)
                || matches!(e, Expr::Name(n) if self.event_loops.contains(&n.id.as_str()))
                || is_event_loop_call(e)
        };
        match test {
            Expr::UnaryOp(u) if u.op == ast::UnaryOp::Not => self.loop_test(&u.operand).map(|b| !b),
            Expr::Name(_) if running(test) => Some(true),
            Expr::Compare(c) if running(&c.left) => is_not_none(c),
            // `loop.is_running()`
            Expr::Call(c) if c.arguments.is_empty() => match &*c.func {
                Expr::Attribute(a) if a.attr.as_str() == "is_running" && any_loop(&a.value) => {
                    Some(true)
                }
                _ => None,
            },
            // Every operand must say the same: `loop and flag` can be false with a loop.
            Expr::BoolOp(b) => {
                let want = match b.op {
                    ast::BoolOp::And => true,
                    ast::BoolOp::Or => false,
                };
                b.values
                    .iter()
                    .all(|v| self.loop_test(v) == Some(want))
                    .then_some(want)
            }
            _ => None,
        }
    }

    /// Whether `if <test>: <body>` sets something up once: the test asks whether a
    /// lasting piece of state is unset (`self._client is None`, `not _loaded`,
    /// `not hasattr(self, "_cache")`) and the body sets it, so later calls skip the body.
    /// State lasts when it lives on `self` or `cls`, on a module-level object, or in a
    /// name the function declares `global`; a local would be unset again on every call.
    /// Among other conditions too (`if not self._ready and config.enabled:`): the body
    /// runs only while the state is unset, whatever else the test asks.
    fn once_guard(&self, test: &Expr, body: &[Stmt]) -> bool {
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
            Expr::Compare(c) if self.lasting(&c.left) => {
                (is_not_none(c)? == set).then(|| dotted(&c.left)).flatten()
            }
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
            Expr::Name(n) => !set && self.off_by_default.contains(&n.id.as_str()),
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
    fn returns_once_set(&self, stmt: &Stmt, rest: &[Stmt]) -> bool {
        let Stmt::If(s) = stmt else {
            return false;
        };
        if !s.elif_else_clauses.is_empty() || !matches!(s.body.last(), Some(Stmt::Return(_))) {
            return false;
        }
        self.state_tested(&s.test, true)
            .is_some_and(|state| sets(rest, &state, true))
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
            _ => None,
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
                self.is_first_param(name) || self.lasting(expr) || !self.is_local(name)
            }
            Expr::Attribute(a) => self.lasting_object(&a.value),
            _ => false,
        }
    }

    /// Whether a function scope (this one or an enclosing one) binds the name.
    fn is_local(&self, name: &str) -> bool {
        self.scopes.iter().any(|s| {
            matches!(s.kind, ScopeKind::Function | ScopeKind::Comprehension)
                && s.bindings.contains_key(name)
        })
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

    /// `self` in a method, `cls` in a class method.
    fn is_first_param(&self, name: &str) -> bool {
        let func = &self.facts.functions[self.current as usize];
        matches!(
            func.kind,
            FunctionKind::Method | FunctionKind::Property | FunctionKind::ClassMethod
        ) && self.first_params.get(&self.current).copied() == Some(name)
    }

    fn qualname(&self, name: &str) -> Name {
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

    fn new_function(&mut self, func: Function) -> u32 {
        self.facts.functions.push(func);
        (self.facts.functions.len() - 1) as u32
    }

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

    fn function_def(&mut self, f: &'a ast::StmtFunctionDef) {
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
        let decorators: Vec<Ref> = f
            .decorator_list
            .iter()
            .map(|d| self.expr_ref(&d.expression))
            .collect();
        let class = self.enclosing_class();
        let decorator_names: Vec<&str> = f
            .decorator_list
            .iter()
            .filter_map(|d| last_segment(&d.expression))
            .collect();
        let kind = match class {
            None => FunctionKind::Function,
            Some(_) if decorator_names.contains(&"staticmethod") => FunctionKind::StaticMethod,
            Some(_) if decorator_names.contains(&"classmethod") => FunctionKind::ClassMethod,
            Some(_) if decorator_names.iter().any(|d| is_property_decorator(d)) => {
                FunctionKind::Property
            }
            Some(_) => FunctionKind::Method,
        };
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

        let params = &f.parameters;
        let mut scope = Scope::with_room(ScopeKind::Function, params.len() + f.body.len());
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
        let saved = (self.current, self.once, self.off_loop);
        let loops = (
            std::mem::take(&mut self.running_loops),
            std::mem::take(&mut self.event_loops),
        );
        let off_by_default = params
            .iter_non_variadic_params()
            .filter(|p| {
                p.default.as_deref().is_some_and(|d| {
                    d.is_none_literal_expr() || matches!(d, Expr::BooleanLiteral(b) if !b.value)
                })
            })
            .map(|p| p.parameter.name.as_str())
            .collect();
        let off_by_default = std::mem::replace(&mut self.off_by_default, off_by_default);
        self.current = idx;
        self.once = false;
        self.off_loop = false;
        self.scopes.push(scope);
        self.reserve_defs(&f.body);
        self.visit_body(&f.body);
        self.scopes.pop();
        (self.current, self.once, self.off_loop) = saved;
        (self.running_loops, self.event_loops) = loops;
        self.off_by_default = off_by_default;
    }

    fn class_def(&mut self, c: &'a ast::StmtClassDef) {
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
        let saved = self.current;
        self.current = body;
        self.scopes.push(Scope::new(ScopeKind::Class(idx)));
        self.visit_body(&c.body);
        self.scopes.pop();
        self.current = saved;
    }

    fn import_base(&self, level: u32, module: Option<&str>) -> String {
        if level == 0 {
            return module.unwrap_or_default().to_string();
        }
        let mut base = self.package.clone();
        for _ in 1..level {
            base = base
                .rsplit_once('.')
                .map(|(p, _)| p.to_string())
                .unwrap_or_default();
        }
        match module {
            Some(m) if base.is_empty() => m.to_string(),
            Some(m) => format!("{base}.{m}"),
            None => base,
        }
    }

    fn record_call(&mut self, call: &ast::ExprCall, awaited: bool) {
        if self.in_type_checking {
            return;
        }
        let callee = self.expr_ref(&call.func);
        if callee == Ref::Unknown {
            return;
        }
        let mut args = vec![];
        for a in call.arguments.iter_source_order() {
            match a {
                ast::ArgOrKeyword::Arg(e) => args.push(Arg {
                    keyword: None,
                    value: self.arg_ref(e),
                    span: span(e.range()),
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
                            });
                        }
                    }
                    value => args.push(Arg {
                        keyword: k.arg.as_ref().map(|a| Name::from(a.as_str())),
                        value: self.arg_ref(value),
                        span: span(k.range),
                    }),
                },
            }
        }
        let mut nonblocking = false;
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
                    nonblocking = self.nonblocking.contains(&key);
                }
            }
        }
        let record = Call {
            callee,
            span: span(call.range()),
            func_span: span(call.func.range()),
            args,
            awaited,
            nonblocking,
            once: self.once,
            off_loop: self.off_loop,
            kind: CallKind::Call,
        };
        self.function().calls.push(record);
    }

    /// `obj.name` read where some class of the module defines a property `name`: kept
    /// as a call that the project stage resolves to the getter, if `obj` has it.
    fn record_read(&mut self, a: &ast::ExprAttribute) {
        if self.in_type_checking {
            return;
        }
        let callee = self.expr_ref(&a.value).attr(a.attr.as_str());
        if !matches!(callee, Ref::Attr(..)) {
            return;
        }
        self.record_implied(callee, a.range, CallKind::Read);
    }

    /// Code that runs as a call without one written: a property read, a loop, a `with`.
    fn record_implied(&mut self, callee: Ref, range: TextRange, kind: CallKind) {
        let record = Call {
            callee,
            span: span(range),
            func_span: span(range),
            args: vec![],
            awaited: false,
            nonblocking: false,
            once: self.once,
            off_loop: self.off_loop,
            kind,
        };
        self.function().calls.push(record);
    }

    /// Whether `func` names one of `builtins`, not rebound here.
    fn is_builtin(&self, func: &Expr, builtins: &[&str]) -> bool {
        let Expr::Name(n) = func else { return false };
        let name = n.id.as_str();
        builtins.contains(&name) && self.lookup(name) == Ref::Name(name.into())
    }

    /// `for x in obj` and `with obj`: the loop calls `obj.__iter__()` and the block
    /// `obj.__enter__()`, which block for some types (a Django queryset runs its query,
    /// a `threading.Lock` waits for its holder). Kept as calls of those methods.
    fn record_iter_or_enter(&mut self, obj: &Expr, kind: CallKind) {
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
        self.record_implied(receiver.attr(dunder), obj.range(), kind);
    }

    /// Calls of builtins that never block (`len`, `isinstance`, `str`, ...) are most calls
    /// in a project and can never be reported or lead anywhere, so they are not kept. A
    /// name counts as a builtin only when the module binds nothing to it.
    fn drop_builtin_calls(&mut self, blocking_builtins: &[&str]) {
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

    /// An argument, as far as rules look at arguments: constants and plain names
    /// (`os.P_WAIT`, a function passed to `asyncio.to_thread`). Anything bigger is not
    /// worth its allocations on every call of a large project.
    fn arg_ref(&self, e: &Expr) -> Ref {
        match e {
            // `DATA_DIR / "sales.csv"`: a path, for calls that only do I/O given one.
            Expr::Name(_)
            | Expr::Attribute(_)
            | Expr::BinOp(ast::ExprBinOp {
                op: ast::Operator::Div,
                ..
            }) => {
                let r = self.expr_ref(e);
                if r.size() <= 4 {
                    r
                } else {
                    Ref::Unknown
                }
            }
            Expr::NoneLiteral(_)
            | Expr::BooleanLiteral(_)
            | Expr::NumberLiteral(_)
            | Expr::StringLiteral(_)
            | Expr::FString(_)
            | Expr::BytesLiteral(_) => self.expr_ref(e),
            _ => Ref::Unknown,
        }
    }

    fn call_expr(&mut self, call: &'a ast::ExprCall, awaited: bool) {
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

    fn comprehension(&mut self, generators: &'a [ast::Comprehension], elts: &[&'a Expr]) {
        self.scopes.push(Scope::new(ScopeKind::Comprehension));
        for generator in generators {
            self.visit_expr(&generator.iter);
            if !generator.is_async {
                self.record_iter_or_enter(&generator.iter, CallKind::Iterate);
            }
            self.assign(&generator.target, None, Ref::Unknown);
            for cond in &generator.ifs {
                self.visit_expr(cond);
            }
        }
        for elt in elts {
            self.visit_expr(elt);
        }
        self.scopes.pop();
    }
}

/// A function with nothing known yet: the fields a new one starts from.
fn placeholder() -> Function {
    Function {
        name: Name::default(),
        qualname: Name::default(),
        kind: FunctionKind::Function,
        is_async: false,
        class: None,
        parent: None,
        span: Span::default(),
        name_span: Span::default(),
        decorators: vec![],
        returns: None,
        returned: vec![],
        returns_param: false,
        is_generator: false,
        calls: vec![],
    }
}

/// `sock` or `self.sock`: a name and attributes, as written.
fn dotted(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Name(n) => Some(n.id.to_string()),
        Expr::Attribute(a) => Some([dotted(&a.value)?.as_str(), a.attr.as_str()].join(".")),
        _ => None,
    }
}

/// Whether `body` sets `state`: on some path through it or, with `always`, on every
/// path (an assignment at its top level, or inside a `with` or `try` block there).
fn sets(body: &[Stmt], state: &str, always: bool) -> bool {
    let target = |t: &Expr| dotted(t).is_some_and(|d| d == state);
    body.iter().any(|stmt| match stmt {
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

/// `asyncio.get_running_loop()` (raises when no loop runs) or
/// `asyncio._get_running_loop()` (None when none does).
fn is_running_loop_call(e: &Expr) -> bool {
    let Expr::Call(c) = e else { return false };
    c.arguments.is_empty()
        && dotted(&c.func).is_some_and(|d| {
            let d = d.strip_prefix("asyncio.").unwrap_or(&d);
            let d = d.strip_prefix("events.").unwrap_or(d);
            matches!(d, "get_running_loop" | "_get_running_loop")
        })
}

/// `asyncio.get_event_loop()`: the thread's loop, running or not.
fn is_event_loop_call(e: &Expr) -> bool {
    matches!(e, Expr::Call(c) if c.arguments.is_empty()
        && dotted(&c.func).is_some_and(|d| d == "asyncio.get_event_loop"))
}

/// Whether an `except` clause catches the `RuntimeError` that
/// `asyncio.get_running_loop()` raises.
fn catches_runtime_error(type_: Option<&Expr>) -> bool {
    match type_ {
        None => true,
        Some(Expr::Tuple(t)) => t.elts.iter().any(|e| catches_runtime_error(Some(e))),
        Some(e) => dotted(e).is_some_and(|d| {
            matches!(
                d.as_str(),
                "RuntimeError" | "Exception" | "BaseException" | "builtins.RuntimeError"
            )
        }),
    }
}

/// What a comparison with None says of its left side: `x is not None` true, `x is None`
/// false; None for any other comparison.
fn is_not_none(c: &ast::ExprCompare) -> Option<bool> {
    if !matches!(&*c.comparators, [Expr::NoneLiteral(_)]) {
        return None;
    }
    match &*c.ops {
        [ast::CmpOp::IsNot] => Some(true),
        [ast::CmpOp::Is] => Some(false),
        _ => None,
    }
}

/// Whether a block always leaves by `return` or `raise` at its end.
fn exits(body: &[Stmt]) -> bool {
    matches!(body.last(), Some(Stmt::Return(_) | Stmt::Raise(_)))
}

/// The module-level functions that return the running loop or None:
///
/// ```python
/// def _running_loop():
///     try:
///         return asyncio.get_running_loop()
///     except RuntimeError:
///         return None
/// ```
fn loop_getters(body: &[Stmt]) -> HashSet<&str> {
    let returns_none = |body: &[Stmt]| matches!(body, [Stmt::Return(r)] if r.value.as_deref().is_none_or(|v| v.is_none_literal_expr()));
    body.iter()
        .filter_map(|stmt| {
            let Stmt::FunctionDef(f) = stmt else { return None };
            let body = match &*f.body {
                [Stmt::Expr(doc), rest @ ..] if doc.value.is_string_literal_expr() => rest,
                body => body,
            };
            let gets = match body {
                [Stmt::Return(r)] => r.value.as_deref().is_some_and(is_running_loop_call),
                [Stmt::Try(t)] => {
                    matches!(&*t.body, [Stmt::Return(r)] if r.value.as_deref().is_some_and(is_running_loop_call))
                        && t.handlers.iter().all(|h| {
                            let ast::ExceptHandler::ExceptHandler(h) = h;
                            catches_runtime_error(h.type_.as_deref()) && returns_none(&h.body)
                        })
                }
                _ => false,
            };
            (gets && !f.is_async).then_some(f.name.as_str())
        })
        .collect()
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

fn contains_call(expr: &Expr) -> bool {
    match expr {
        Expr::Call(_) => true,
        Expr::Subscript(s) => contains_call(&s.value) || contains_call(&s.slice),
        Expr::Tuple(t) => t.elts.iter().any(contains_call),
        Expr::BinOp(b) => contains_call(&b.left) || contains_call(&b.right),
        _ => false,
    }
}

/// `obj.aget(...)`, a call of a method whose awaited result the catalogue types.
fn is_awaited_method_call(expr: &Expr) -> bool {
    let Expr::Call(call) = expr else { return false };
    matches!(&*call.func, Expr::Attribute(a) if Catalogue::is_awaited_method(a.attr.as_str()))
}

fn is_type_checking(test: &Expr) -> bool {
    last_segment(test) == Some("TYPE_CHECKING")
}

impl<'a> Visitor<'a> for Extractor<'a> {
    fn visit_body(&mut self, body: &'a [Stmt]) {
        let saved = (self.once, self.off_loop);
        for (i, stmt) in body.iter().enumerate() {
            self.visit_stmt(stmt);
            if !self.once && self.returns_once_set(stmt, &body[i + 1..]) {
                self.once = true;
            }
        }
        (self.once, self.off_loop) = saved;
    }

    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(f) => self.function_def(f),
            Stmt::ClassDef(c) => self.class_def(c),
            Stmt::Import(i) => {
                for alias in &i.names {
                    let full = alias.name.as_str();
                    match &alias.asname {
                        Some(asname) => self.bind(asname.as_str(), Ref::Path(Name::from(full))),
                        None => {
                            let first = full.split('.').next().unwrap_or(full);
                            self.bind(first, Ref::Path(Name::from(first)));
                        }
                    }
                }
            }
            Stmt::ImportFrom(i) => {
                let base = self.import_base(i.level, i.module.as_ref().map(|m| m.as_str()));
                for alias in &i.names {
                    let name = alias.name.as_str();
                    if name == "*" {
                        if self.scopes.len() == 1 {
                            self.facts.star_imports.push(base.clone());
                        }
                        continue;
                    }
                    let path = if base.is_empty() {
                        Name::from(name)
                    } else {
                        // Not `format!`: extraction runs this for every imported name.
                        Name::from([base.as_str(), name].join("."))
                    };
                    let bound = alias.asname.as_ref().map(|a| a.as_str()).unwrap_or(name);
                    self.bind(bound, Ref::Path(path));
                }
            }
            Stmt::Assign(a) => {
                if self.scopes.len() == 1 {
                    self.setting(&a.targets, &a.value);
                }
                if let [Expr::Name(target)] = &*a.targets {
                    self.note_loop(target.id.as_str(), &a.value);
                }
                self.visit_expr(&a.value);
                let r = self.expr_ref(&a.value);
                for target in &a.targets {
                    self.visit_target(target);
                    self.assign(target, Some(&a.value), r.clone());
                }
            }
            Stmt::AnnAssign(a) => {
                if let Some(value) = &a.value {
                    self.visit_expr(value);
                    if let Expr::Name(target) = &*a.target {
                        self.note_loop(target.id.as_str(), value);
                    }
                }
                self.visit_target(&a.target);
                let annotated = self.annotation_ref(&a.annotation);
                let r = match a.value.as_deref() {
                    Some(value) => match self.expr_ref(value) {
                        Ref::Unknown | Ref::Const(_) => annotated,
                        r => r,
                    },
                    None => annotated,
                };
                self.assign(&a.target, a.value.as_deref(), r);
            }
            Stmt::With(w) => {
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
            Stmt::For(f) => {
                self.visit_expr(&f.iter);
                if !f.is_async {
                    self.record_iter_or_enter(&f.iter, CallKind::Iterate);
                }
                self.assign(&f.target, None, Ref::Unknown);
                self.visit_body(&f.body);
                self.visit_body(&f.orelse);
            }
            Stmt::If(s) => {
                self.visit_expr(&s.test);
                if self.current == 0 && is_main_guard(&s.test) {
                    self.facts.main_guards.push(span(s.range));
                }
                let saved = (self.in_type_checking, self.once, self.off_loop);
                if is_type_checking(&s.test) {
                    self.in_type_checking = true;
                }
                if self.once_guard(&s.test, &s.body) {
                    self.once = true;
                }
                let loop_running = self.loop_test(&s.test);
                if loop_running == Some(false) {
                    self.off_loop = true;
                }
                self.visit_body(&s.body);
                (self.in_type_checking, self.once, self.off_loop) = saved;
                if loop_running == Some(true) {
                    self.off_loop = true;
                }
                for clause in &s.elif_else_clauses {
                    if let Some(test) = &clause.test {
                        self.visit_expr(test);
                    }
                    self.visit_body(&clause.body);
                }
                // `if loop is not None: ...; return`: what follows it in the enclosing
                // block runs without a loop (`visit_body` puts the flag back after it).
                let returns_with_loop =
                    loop_running == Some(true) && s.elif_else_clauses.is_empty() && exits(&s.body);
                self.off_loop = saved.2 || returns_with_loop;
            }
            Stmt::Try(t) => {
                self.visit_body(&t.body);
                // `try: loop = asyncio.get_running_loop()`: it raises when no loop runs.
                let asks_for_loop = t.body.iter().any(|stmt| match stmt {
                    Stmt::Assign(a) => is_running_loop_call(&a.value),
                    Stmt::Expr(e) => is_running_loop_call(&e.value),
                    Stmt::Return(r) => r.value.as_deref().is_some_and(is_running_loop_call),
                    _ => false,
                });
                for handler in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = handler;
                    if let Some(type_) = &h.type_ {
                        self.visit_expr(type_);
                    }
                    if let Some(name) = &h.name {
                        self.bind(name.as_str(), Ref::Unknown);
                    }
                    let saved = self.off_loop;
                    if asks_for_loop && catches_runtime_error(h.type_.as_deref()) {
                        self.off_loop = true;
                    }
                    self.visit_body(&h.body);
                    self.off_loop = saved;
                }
                self.visit_body(&t.orelse);
                self.visit_body(&t.finalbody);
            }
            Stmt::Return(r) => {
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
            Stmt::Global(g) => {
                if let Some(scope) = self.scopes.last_mut() {
                    for name in &g.names {
                        scope.globals.insert(name.as_str());
                    }
                }
            }
            Stmt::TypeAlias(alias) => {
                if let Expr::Name(n) = &*alias.name {
                    let r = self.expr_ref(&alias.value);
                    self.bind(n.id.as_str(), r);
                }
                visitor::walk_stmt(self, stmt);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(c) => self.call_expr(c, false),
            Expr::Yield(y) => {
                self.function().is_generator = true;
                if let Some(value) = &y.value {
                    self.visit_expr(value);
                }
            }
            Expr::YieldFrom(y) => {
                self.function().is_generator = true;
                self.visit_expr(&y.value);
                self.record_iter_or_enter(&y.value, CallKind::Iterate);
            }
            Expr::Await(a) => match &*a.value {
                Expr::Call(c) => self.call_expr(c, true),
                other => self.visit_expr(other),
            },
            Expr::Lambda(l) => {
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
                let saved = (self.current, self.once);
                self.current = idx;
                self.once = false;
                self.scopes.push(scope);
                self.visit_expr(&l.body);
                let r = self.expr_ref(&l.body);
                self.function().returned.push(r);
                self.scopes.pop();
                (self.current, self.once) = saved;
            }
            Expr::ListComp(c) => self.comprehension(&c.generators, &[&c.elt]),
            Expr::SetComp(c) => self.comprehension(&c.generators, &[&c.elt]),
            Expr::Generator(c) => self.comprehension(&c.generators, &[&c.elt]),
            Expr::DictComp(c) => {
                let mut elts = vec![&*c.value];
                if let Some(key) = &c.key {
                    elts.push(key);
                }
                self.comprehension(&c.generators, &elts)
            }
            Expr::Named(n) => {
                self.visit_expr(&n.value);
                let r = self.expr_ref(&n.value);
                self.assign(&n.target, Some(&n.value), r);
            }
            Expr::Attribute(a)
                if !self.properties.is_empty()
                    && a.ctx.is_load()
                    && self.properties.contains(a.attr.as_str()) =>
            {
                self.record_read(a);
                self.visit_expr(&a.value);
            }
            _ => visitor::walk_expr(self, expr),
        }
    }

    // Annotations are not evaluated at run time in the cases that matter here.
    fn visit_annotation(&mut self, _expr: &'a Expr) {}
}

impl<'a> Extractor<'a> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppression_comments() {
        assert_eq!(parse_suppression("# noqa"), Some(Suppression::All));
        assert_eq!(
            parse_suppression("# noqa: LS201, ls301"),
            Some(Suppression::Codes(vec!["LS201".into(), "LS301".into()]))
        );
        assert_eq!(
            parse_suppression("#noqa:LS201 because reasons"),
            Some(Suppression::Codes(vec!["LS201".into()]))
        );
        assert_eq!(
            parse_suppression("# loopsafe: ignore[LS101]"),
            Some(Suppression::Codes(vec!["LS101".into()]))
        );
        assert_eq!(
            parse_suppression("# loopsafe: ignore"),
            Some(Suppression::All)
        );
        assert_eq!(parse_suppression("# noqaxyz"), None);
        assert_eq!(parse_suppression("# a comment"), None);
    }

    #[test]
    fn names_resolve_through_imports_and_locals() {
        let src = "import requests as rq\nfrom time import sleep as nap\n\nasync def f():\n    s = rq.Session()\n    s.get('x')\n    nap(1)\n";
        let facts = extract(src, "m", false, &["open"]).unwrap();
        let f = facts.functions.iter().find(|f| f.name == "f").unwrap();
        assert_eq!(
            f.calls[1].callee,
            Ref::Attr(
                Box::new(Ref::Call(Box::new(Ref::Attr(
                    Box::new(Ref::Name("rq".into())),
                    "Session".into()
                )))),
                "get".into()
            )
        );
        assert_eq!(f.calls[2].callee, Ref::Name("nap".into()));
        assert_eq!(facts.bindings["nap"], vec![Ref::Path("time.sleep".into())]);
    }

    #[test]
    fn empty_type_subscripts_are_no_type() {
        // They parse, and the ruff fixtures have them: no panic, no type.
        let src = "from typing import Annotated, Optional\nA = Annotated[()]\nB = Optional[()]\n\ndef f(x: Optional[()]) -> Annotated[()]:\n    pass\n";
        let facts = extract(src, "m", false, &[]).unwrap();
        assert_eq!(facts.bindings["A"], vec![Ref::Unknown]);
        assert_eq!(facts.bindings["B"], vec![Ref::Unknown]);
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let err = extract("def f(:\n", "m", false, &[]).unwrap_err();
        assert_eq!(err.offset, 6);
    }

    #[test]
    fn relative_imports() {
        let facts = extract(
            "from . import a\nfrom ..b import c\n",
            "pkg.sub.mod",
            false,
            &[],
        )
        .unwrap();
        assert_eq!(facts.bindings["a"], vec![Ref::Path("pkg.sub.a".into())]);
        assert_eq!(facts.bindings["c"], vec![Ref::Path("pkg.b.c".into())]);
        let facts = extract("from .x import y\n", "pkg", true, &[]).unwrap();
        assert_eq!(facts.bindings["y"], vec![Ref::Path("pkg.x.y".into())]);
    }
}
