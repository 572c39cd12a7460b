//! Code that runs only under a condition, besides `if` and `except` (in `statements`):
//! `while` bodies, `match` cases, `a if c else b`, and the operands of `and`/`or` after
//! the first. Calls recorded there are [`Call::conditional`]; what the walk counts is
//! [`Extractor::branches`], raised while such a part is walked.
//!
//! [`Call::conditional`]: crate::facts::Call::conditional

use ruff_python_ast::visitor::Visitor;
use ruff_python_ast::{self as ast, Expr};

use super::Extractor;

impl<'a> Extractor<'a> {
    /// `while test: body`: the test runs at least once, the body only while the test
    /// holds, unless the test is literally true (a server's `while True:` loop). The
    /// `else` runs whenever the loop ends without `break`.
    pub(super) fn while_stmt(&mut self, w: &'a ast::StmtWhile) {
        self.visit_expr(&w.test);
        let opened = u32::from(!always_true(&w.test));
        self.branches += opened;
        self.visit_body(&w.body);
        self.branches -= opened;
        self.visit_body(&w.orelse);
    }

    /// `match subject:`: the subject is always evaluated, each case only when it matches.
    pub(super) fn match_stmt(&mut self, m: &'a ast::StmtMatch) {
        self.visit_expr(&m.subject);
        self.branches += 1;
        for case in &m.cases {
            self.visit_match_case(case);
        }
        self.branches -= 1;
    }

    /// `body if test else orelse`: one arm or the other.
    pub(super) fn if_expr(&mut self, i: &'a ast::ExprIf) {
        self.visit_expr(&i.test);
        self.branches += 1;
        self.visit_expr(&i.body);
        self.visit_expr(&i.orelse);
        self.branches -= 1;
    }

    /// `a and f()`, `a or f()`: every operand after the first runs only when those
    /// before it did not settle the result.
    pub(super) fn bool_op(&mut self, b: &'a ast::ExprBoolOp) {
        let Some((first, rest)) = b.values.split_first() else {
            return;
        };
        self.visit_expr(first);
        self.branches += 1;
        for value in rest {
            self.visit_expr(value);
        }
        self.branches -= 1;
    }
}

/// `True`, or a non-zero integer (`while 1:`).
fn always_true(test: &Expr) -> bool {
    match test {
        Expr::BooleanLiteral(b) => b.value,
        Expr::NumberLiteral(n) => {
            matches!(&n.value, ast::Number::Int(i) if i.as_u8().is_some_and(|v| v != 0))
        }
        _ => false,
    }
}
