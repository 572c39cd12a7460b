//! What an expression refers to, as a symbolic [`Ref`] that the project stage evaluates.

use ruff_python_ast::{self as ast, Expr};

use super::{last_segment, Extractor, MAX_REF_SIZE};
use crate::catalogue::Catalogue;
use crate::facts::{Const, Dunder, FunctionKind, Ref};

impl<'a> Extractor<'a> {
    /// What an expression refers to, without recording anything.
    pub(super) fn expr_ref(&self, expr: &Expr) -> Ref {
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
                // `functools.partial(fn, ...)`: which `partial` it is, the project
                // stage knows; the name alone only decides whether to keep `fn`.
                if last_segment(&c.func) == Some("partial") {
                    if let Some(func) = c.arguments.args.first() {
                        return Ref::Partial(
                            Box::new(self.expr_ref_inner(&c.func)),
                            Box::new(self.expr_ref_inner(func)),
                        );
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
            // `client["app"]` is `type(client).__getitem__(client, "app")`: typed where
            // the catalogue types that call (a `MongoClient` gives a database).
            Expr::Subscript(sub)
                if !matches!(
                    last_segment(&sub.value),
                    Some("Annotated" | "Optional" | "Union")
                ) =>
            {
                match self.expr_ref_inner(&sub.value) {
                    Ref::Unknown => Ref::Unknown,
                    inner => Ref::Item(Box::new(inner)),
                }
            }
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
    pub(super) fn annotation_ref(&self, expr: &Expr) -> Ref {
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
            // `A | B | C` parses as `(A | B) | C`: one union of all three, or `A | B`
            // (two types, so unknown) would drop out and leave `C` alone.
            Expr::BinOp(b) if b.op == ast::Operator::BitOr => {
                let mut members = vec![];
                for side in [&b.left, &b.right] {
                    match self.annotation_ref(side) {
                        Ref::AnyOf(items) => members.extend(items),
                        other => members.push(other),
                    }
                }
                Ref::AnyOf(members)
            }
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

    /// An argument, as far as rules look at arguments: constants and plain names
    /// (`os.P_WAIT`, a function passed to `asyncio.to_thread`). Anything bigger is not
    /// worth its allocations on every call of a large project.
    pub(super) fn arg_ref(&self, e: &Expr) -> Ref {
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
}

/// `obj.aget(...)`, a call of a method whose awaited result the catalogue types.
fn is_awaited_method_call(expr: &Expr) -> bool {
    let Expr::Call(call) = expr else { return false };
    matches!(&*call.func, Expr::Attribute(a) if Catalogue::is_awaited_method(a.attr.as_str()))
}

#[cfg(test)]
mod tests {
    use super::super::extract;
    use crate::facts::Ref;

    #[test]
    fn empty_type_subscripts_are_no_type() {
        // They parse, and the ruff fixtures have them: no panic, no type.
        let src = "from typing import Annotated, Optional\nA = Annotated[()]\nB = Optional[()]\n\ndef f(x: Optional[()]) -> Annotated[()]:\n    pass\n";
        let facts = extract(src, "m", false, &[]).unwrap();
        assert_eq!(facts.bindings["A"], vec![Ref::Unknown]);
        assert_eq!(facts.bindings["B"], vec![Ref::Unknown]);
    }
}
