//! Async twins: `Model.objects.get(...)` -> `await Model.objects.aget(...)`, the same
//! object's async method (as the catalogue names it).

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use super::edit::{display, Applicability, Edit, Fix};
use super::Fixer;

impl Fixer<'_> {
    /// `Model.objects.get(...)` -> `await Model.objects.aget(...)`.
    pub(super) fn twin(&self, call: &ast::ExprCall, twin: &str) -> Fix {
        let Expr::Attribute(attr) = &*call.func else {
            return display(&format!("Use the async version, `await ...{twin}(...)`"));
        };
        let mut edits = self.awaited(call);
        edits.push(Edit {
            start: attr.attr.start().to_u32(),
            end: attr.attr.end().to_u32(),
            content: twin.into(),
        });
        Fix {
            // The twin may differ in what surrounds the call: Django runs it in its own
            // thread, outside a `transaction.atomic()` block the caller holds.
            applicability: Applicability::Unsafe,
            message: format!("Replace with `await ...{twin}(...)`"),
            edits,
        }
    }
}
