//! Parsing and fact extraction: the one place that reads ruff's AST.
//!
//! Names inside functions are resolved as the walk meets them (the last binding so far
//! wins), because that is how a reader follows a function body. Names at module level
//! stay symbolic ([`Ref::Name`]): a function body runs after the whole module has been
//! imported, so it sees the module's final bindings, which only the project stage knows.
//!
//! One walk over the tree ([`Extractor`]) does everything; its methods are spread over
//! the submodules by concern:
//! - `scope`: scopes and name binding; `refs`: what an expression refers to;
//! - `statements`: the statements that bind or branch; `definitions`: `def`, `class`,
//!   `lambda` and comprehensions; `imports`;
//! - `calls`: the calls kept, written or implied (a property read, a loop, a `with`);
//! - `once`: one-time set-ups; `running_loop`: code that runs only without a loop;
//!   `branches`: code that runs only under a condition;
//! - `suppression`: `# noqa` and `# loopsafe: ignore` comments.

mod branches;
mod bundled;
mod calls;
mod definitions;
mod guards;
mod imports;
mod once;
mod refs;
mod running_loop;
mod scope;
mod statements;
mod suppression;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, ModModule, Stmt};
use ruff_python_parser::Parsed;
use ruff_text_size::TextRange;

use crate::facts::{CallKind, Function, FunctionKind, ModuleFacts, Name, Ref, Span};
use crate::line_index::{line_of, line_starts};

use guards::GuardState;
use once::OnceState;
use running_loop::LoopState;
use scope::{Scope, ScopeKind};

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
    let suppressions = suppression::comments(parsed.tokens(), source);

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
        in_import_fallback: false,
        branches: 0,
        once: OnceState {
            inside: false,
            off_by_default: vec![],
            memo_locals: vec![],
            cache_locals: vec![],
        },
        loops: LoopState {
            off_loop: false,
            running: vec![],
            event: vec![],
            getters: HashSet::default(),
        },
        reserved: HashMap::default(),
        first_params: HashMap::default(),
        lambdas: HashMap::default(),
        nonblocking: vec![],
        properties: HashSet::default(),
        guards: GuardState::default(),
        bundled: bundled::BundledState::default(),
    };
    calls::property_names(&module_ast.body, &mut ex.properties);
    ex.loops.getters = running_loop::loop_getters(&module_ast.body);
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
    ex.facts.unresolved_calls.sort_unstable();
    ex.facts.unresolved_calls.dedup();
    ex.facts.called_names = called_names(&ex.facts.functions);
    // A name bound more than once (or to something else too) is no constant.
    let bindings = &ex.facts.bindings;
    ex.facts
        .constants
        .retain(|name, _| bindings.get(name).is_some_and(|b| b.len() == 1));

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

/// [`ModuleFacts::called_names`] of these functions.
fn called_names(functions: &[Function]) -> Vec<u64> {
    let mut names: Vec<u64> = functions
        .iter()
        .flat_map(|f| &f.calls)
        .flat_map(|c| std::iter::once(&c.callee).chain(c.args.iter().map(|a| &a.value)))
        .filter_map(|r| match r {
            Ref::Function(i) => functions.get(*i as usize).map(|f| f.name.as_str()),
            r => r.last_name(),
        })
        .map(crate::facts::name_hash)
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// The walk over one module's tree, and what it has learnt so far.
struct Extractor<'a> {
    facts: ModuleFacts,
    package: String,
    scopes: Vec<Scope<'a>>,
    /// The function whose body is being walked: calls are recorded there.
    current: u32,
    in_type_checking: bool,
    /// Inside the `except ImportError:` of a `try` that imports.
    in_import_fallback: bool,
    /// How many branches that do not always run (`if` bodies, `except` handlers...) of
    /// the current function the walk is inside: a call recorded while it is not zero is
    /// [`crate::facts::Call::conditional`].
    branches: u32,
    once: OnceState<'a>,
    loops: LoopState<'a>,
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
    /// The current function's parameters and the tests on them that hold here.
    guards: GuardState<'a>,
    /// Names bound to a path inside the package.
    bundled: bundled::BundledState<'a>,
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

/// `sock` or `self.sock`: a name and attributes, as written.
fn dotted(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Name(n) => Some(n.id.to_string()),
        Expr::Attribute(a) => Some([dotted(&a.value)?.as_str(), a.attr.as_str()].join(".")),
        _ => None,
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
        loops: false,
        calls: vec![],
        params: vec![],
    }
}

impl<'a> Extractor<'a> {
    fn function(&mut self) -> &mut Function {
        &mut self.facts.functions[self.current as usize]
    }

    fn new_function(&mut self, func: Function) -> u32 {
        self.facts.functions.push(func);
        (self.facts.functions.len() - 1) as u32
    }
}

impl<'a> Visitor<'a> for Extractor<'a> {
    fn visit_body(&mut self, body: &'a [Stmt]) {
        let saved = (self.once.inside, self.loops.off_loop);
        // Guards an early exit adds (`if not x: return`) hold to the end of the block.
        let guards = self.guards.active.len();
        // After an early exit on a setting, the rest of the block is conditional.
        let mut exited = 0;
        for (i, stmt) in body.iter().enumerate() {
            self.visit_stmt(stmt);
            if !self.once.inside && self.returns_once_set(stmt, &body[i + 1..]) {
                self.once.inside = true;
            }
            if exited == 0 && branches::exits_on_a_setting(stmt) {
                exited = 1;
                self.branches += 1;
            }
        }
        self.branches -= exited;
        (self.once.inside, self.loops.off_loop) = saved;
        self.guards.active.truncate(guards);
    }

    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(f) => self.function_def(f),
            Stmt::ClassDef(c) => self.class_def(c),
            Stmt::Import(i) => self.import(i),
            Stmt::ImportFrom(i) => self.import_from(i),
            Stmt::Assign(a) => self.assign_stmt(a),
            Stmt::AnnAssign(a) => self.ann_assign_stmt(a),
            Stmt::With(w) => self.with_stmt(w),
            Stmt::For(f) => self.for_stmt(f),
            Stmt::If(s) => self.if_stmt(s),
            Stmt::Try(t) => self.try_stmt(t),
            Stmt::While(w) => self.while_stmt(w),
            Stmt::Match(m) => self.match_stmt(m),
            Stmt::Return(r) => self.return_stmt(r),
            Stmt::Global(g) => self.global_stmt(g),
            Stmt::AugAssign(a) => {
                if let Expr::Name(n) = &*a.target {
                    self.param_assigned(n.id.as_str(), None);
                }
                visitor::walk_stmt(self, stmt);
            }
            Stmt::TypeAlias(alias) => {
                self.type_alias(alias);
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
            Expr::Lambda(l) => self.lambda(l),
            Expr::If(i) => self.if_expr(i),
            Expr::BoolOp(b) => self.bool_op(b),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Ref;

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
    fn syntax_errors_have_a_position() {
        let err = extract("def f(:\n", "m", false, &[]).unwrap_err();
        assert_eq!(err.offset, 6);
    }
}
