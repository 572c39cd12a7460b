//! Tests on a function's parameters that decide whether a call runs: the call in
//! `if secret_name.startswith("oidc/"):` runs only for names that start so, the one
//! after `if local_only: return` only when `local_only` is false. The project stage
//! evaluates them on the literals callers pass, so that `get_secret("OPENAI_API_KEY")`
//! does not count the network call made only for `oidc/` names ([`Guard`]).
//!
//! Kept only while the parameter still holds what the function was given, perhaps
//! rewritten in place by string methods (`name = name.replace("os.environ/", "")`).

use ruff_python_ast::{self as ast, Expr, Stmt};

use super::Extractor;
use crate::facts::{Given, Guard, Lit, Name, Param, Ref, Test, Transform};

/// Literal strings longer than this are not kept: tests compare names and prefixes.
const MAX_LITERAL: usize = 200;

/// What the walk knows of the current function's parameters.
#[derive(Default)]
pub(super) struct GuardState<'a> {
    /// Each parameter by name, and what has been done to it so far.
    names: Vec<(&'a str, Change)>,
    parameters: Option<&'a ast::Parameters>,
    /// The tests that hold where the walk is, innermost last.
    pub(super) active: Vec<Guard>,
}

/// What the function has done to a parameter so far.
#[derive(Clone)]
enum Change {
    Untouched,
    Rewritten(Vec<Transform>),
    /// Given another value: tests on it no longer say anything about the argument.
    Replaced,
}

impl<'a> GuardState<'a> {
    /// The state for a function with these parameters.
    pub(super) fn of(parameters: &'a ast::Parameters) -> Self {
        GuardState {
            names: ordered(parameters)
                .map(|(p, _)| (p.parameter.name.as_str(), Change::Untouched))
                .collect(),
            parameters: Some(parameters),
            active: vec![],
        }
    }

    /// `name` as an unannotated parameter of the function being walked, still holding
    /// what it was given: its position among the positional arguments after the first
    /// (`self`), or `u16::MAX` for a keyword-only one.
    pub(super) fn constructor_param(&self, name: &str) -> Option<u16> {
        let (i, change) = self.param(name)?;
        if !matches!(change, Change::Untouched) || i == 0 {
            return None;
        }
        let (p, positional) = ordered(self.parameters?).nth(i as usize)?;
        if p.parameter.annotation.is_some() {
            return None;
        }
        Some(if positional { i - 1 } else { u16::MAX })
    }

    fn param(&self, name: &str) -> Option<(u16, &Change)> {
        let i = self.names.iter().position(|(n, _)| *n == name)?;
        Some((i as u16, &self.names[i].1))
    }

    /// The parameters, for the function's facts (made only for the few functions that
    /// need them).
    pub(super) fn into_params(self) -> Vec<Param> {
        self.parameters.map_or_else(Vec::new, |parameters| {
            ordered(parameters)
                .map(|(p, positional)| Param {
                    name: Name::from(p.parameter.name.as_str()),
                    positional,
                    default: p.default.as_deref().and_then(literal),
                })
                .collect()
        })
    }
}

/// The named parameters in order, each with whether it can be given by position.
fn ordered(
    parameters: &ast::Parameters,
) -> impl Iterator<Item = (&ast::ParameterWithDefault, bool)> {
    let positional = parameters.posonlyargs.iter().chain(&parameters.args);
    positional
        .map(|p| (p, true))
        .chain(parameters.kwonlyargs.iter().map(|p| (p, false)))
}

impl<'a> Extractor<'a> {
    /// What an argument of a call passes, for the callee's guards.
    pub(super) fn given(&mut self, arg: &Expr) -> Given {
        let lit = match arg {
            Expr::Starred(_) => return Given::Splat,
            Expr::Name(n) => match self.guards.param(n.id.as_str()) {
                Some((i, Change::Untouched)) if self.in_function_scope() => return Given::Param(i),
                Some(_) => return Given::Unknown,
                None => match self.local_binding(n.id.as_str()) {
                    None => return self.keep(Lit::Str(Name::from(n.id.as_str())), Given::Global),
                    // One imported inside the function.
                    Some(Ref::Path(path)) => {
                        let path = Lit::Str(path.clone());
                        return self.keep(path, Given::Global);
                    }
                    Some(_) => return Given::Unknown,
                },
            },
            Expr::FString(f) => {
                let prefix = match f.value.iter().next() {
                    Some(ast::FStringPart::Literal(lit)) => Some(&*lit.value),
                    Some(ast::FStringPart::FString(fs)) => match fs.elements.iter().next() {
                        Some(ast::InterpolatedStringElement::Literal(lit)) => Some(&*lit.value),
                        _ => None,
                    },
                    None => None,
                };
                return match prefix {
                    Some(p) if !p.is_empty() && p.len() <= MAX_LITERAL => {
                        self.keep(Lit::Str(Name::from(p)), Given::Prefix)
                    }
                    _ => Given::Unknown,
                };
            }
            e => literal(e),
        };
        match lit {
            Some(lit) => self.keep(lit, Given::Lit),
            None => Given::Unknown,
        }
    }

    /// The guards a call made here needs to pass, as the facts keep them.
    #[allow(clippy::box_collection)]
    pub(super) fn guarded_by(&self) -> Option<Box<Vec<Guard>>> {
        (!self.guards.active.is_empty()).then(|| Box::new(self.guards.active.clone()))
    }

    /// Keeps a value in the module's table, for a [`Given`] that names it by index.
    fn keep(&mut self, lit: Lit, given: fn(u32) -> Given) -> Given {
        self.facts.literals.push(lit);
        given((self.facts.literals.len() - 1) as u32)
    }

    /// A parameter given a value: `name = name.replace("a", "b")` keeps its guards
    /// meaningful, anything else ends them.
    pub(super) fn param_assigned(&mut self, name: &str, value: Option<&Expr>) {
        let Some(i) = self.guards.names.iter().position(|(n, _)| *n == name) else {
            return;
        };
        let transform = value.and_then(|v| rewrite_of(name, v));
        let slot = &mut self.guards.names[i].1;
        *slot = match (transform, std::mem::replace(slot, Change::Replaced)) {
            (Some(t), Change::Untouched) => Change::Rewritten(vec![t]),
            (Some(t), Change::Rewritten(mut ts)) if ts.len() < 3 => {
                ts.push(t);
                Change::Rewritten(ts)
            }
            _ => Change::Replaced,
        };
    }

    /// The tests on parameters known to hold when `test` comes out `when`.
    pub(super) fn conditions(&self, test: &Expr, when: bool, out: &mut Vec<Guard>) {
        match test {
            Expr::UnaryOp(u) if u.op == ast::UnaryOp::Not => {
                self.conditions(&u.operand, !when, out)
            }
            // `a and b` is true only when both are; `a or b` false only when both are.
            Expr::BoolOp(b) if (b.op == ast::BoolOp::And) == when => {
                for value in &b.values {
                    self.conditions(value, when, out);
                }
            }
            _ => {
                if let Some((name, test, positive)) = atom(test) {
                    if let Some(guard) = self.guard(name, test, when == positive) {
                        out.push(guard);
                    }
                }
            }
        }
    }

    fn guard(&self, name: &str, test: Test, holds: bool) -> Option<Guard> {
        if !self.in_function_scope() {
            return None;
        }
        let (param, change) = self.guards.param(name)?;
        let transforms = match change {
            Change::Untouched => vec![],
            Change::Rewritten(ts) => ts.clone(),
            Change::Replaced => return None,
        };
        Some(Guard {
            param,
            test,
            holds,
            transforms,
        })
    }

    /// The guards of an `if`'s body pushed while it is walked: `visit_body` drops what
    /// it pushed when its block ends.
    pub(super) fn with_conditions(&mut self, test: &Expr, when: bool, body: &'a [Stmt]) {
        let before = self.guards.active.len();
        let mut found = vec![];
        self.conditions(test, when, &mut found);
        self.guards.active.extend(found);
        ruff_python_ast::visitor::Visitor::visit_body(self, body);
        self.guards.active.truncate(before);
    }

    /// Whether names resolve in the function's own scope, not a comprehension's or a
    /// class body's nested in it.
    fn in_function_scope(&self) -> bool {
        self.scopes
            .last()
            .is_some_and(|s| s.kind == super::scope::ScopeKind::Function)
    }
}

/// `name.startswith("x")`, `name is None`, `name == "x"`, `name`: the name tested, how,
/// and whether the expression is the test (`x is None`) or its negation (`x is not
/// None`, `x != "a"`).
fn atom(test: &Expr) -> Option<(&str, Test, bool)> {
    match test {
        Expr::Name(n) => Some((n.id.as_str(), Test::Truthy, true)),
        Expr::Call(c) => {
            let Expr::Attribute(a) = &*c.func else {
                return None;
            };
            let Expr::Name(n) = &*a.value else {
                return None;
            };
            match (a.attr.as_str(), &*c.arguments.args, &*c.arguments.keywords) {
                ("startswith", [Expr::StringLiteral(s)], []) => {
                    let prefix = s.value.to_str();
                    (prefix.len() <= MAX_LITERAL)
                        .then(|| (n.id.as_str(), Test::StartsWith(prefix.into()), true))
                }
                _ => None,
            }
        }
        Expr::Compare(c) => {
            let (Expr::Name(n), [op], [right]) = (&*c.left, &*c.ops, &*c.comparators) else {
                return None;
            };
            let lit = literal(right)?;
            let identity = matches!(lit, Lit::None | Lit::Bool(_));
            let (test, positive) = match op {
                ast::CmpOp::Is if identity => (Test::Is(lit), true),
                ast::CmpOp::IsNot if identity => (Test::Is(lit), false),
                ast::CmpOp::Eq => (Test::Eq(lit), true),
                ast::CmpOp::NotEq => (Test::Eq(lit), false),
                _ => return None,
            };
            Some((n.id.as_str(), test, positive))
        }
        _ => None,
    }
}

/// A literal argument or default.
pub(super) fn literal(e: &Expr) -> Option<Lit> {
    match e {
        Expr::NoneLiteral(_) => Some(Lit::None),
        Expr::BooleanLiteral(b) => Some(Lit::Bool(b.value)),
        Expr::NumberLiteral(n) => match &n.value {
            ast::Number::Int(i) => i.as_i64().map(Lit::Int),
            _ => None,
        },
        Expr::StringLiteral(s) => {
            let s = s.value.to_str();
            (s.len() <= MAX_LITERAL).then(|| Lit::Str(s.into()))
        }
        _ => None,
    }
}

/// `name.replace("a", "b")`, `name.removeprefix("a")`, `name.strip()`: a rewrite of
/// the parameter `name` itself.
fn rewrite_of(name: &str, value: &Expr) -> Option<Transform> {
    let Expr::Call(c) = value else { return None };
    let Expr::Attribute(a) = &*c.func else {
        return None;
    };
    if !matches!(&*a.value, Expr::Name(n) if n.id.as_str() == name)
        || !c.arguments.keywords.is_empty()
    {
        return None;
    }
    let text = |e: &Expr| match e {
        Expr::StringLiteral(s) => Some(Name::from(s.value.to_str())),
        _ => None,
    };
    match (a.attr.as_str(), &*c.arguments.args) {
        ("replace", [from, to]) => Some(Transform::Replace(text(from)?, text(to)?)),
        ("removeprefix", [prefix]) => Some(Transform::RemovePrefix(text(prefix)?)),
        ("strip", []) => Some(Transform::Strip),
        ("lower", []) => Some(Transform::Lower),
        ("upper", []) => Some(Transform::Upper),
        _ => None,
    }
}
