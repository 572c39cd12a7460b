//! The nodes a fix looks at around a call, gathered in one walk of the module.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// The nodes a fix needs to look around a call.
#[derive(Default)]
pub(super) struct SyntaxNodes<'a> {
    /// Calls by the range of their called expression.
    pub(super) calls: HashMap<(u32, u32), &'a ast::ExprCall>,
    /// Expressions in primary position (`x` in `x.attr`, `x[i]`, `x()`): an `await` put
    /// there needs parentheses. The attribute name, when it is one.
    pub(super) primaries: HashMap<TextRange, Option<&'a str>>,
    /// Generator expressions and lambdas: no `await` can go inside them.
    pub(super) no_await: Vec<TextRange>,
    /// Expressions already awaited.
    pub(super) awaited: HashSet<TextRange>,
    /// `try` statements: the range of the body and the handlers.
    pub(super) tries: Vec<(TextRange, &'a [ast::ExceptHandler])>,
    /// Functions: their range and body, to see how a result is used.
    pub(super) functions: Vec<(TextRange, &'a [Stmt])>,
    /// `name = <call>` assignments, by the call's range.
    pub(super) assigned: HashMap<TextRange, &'a str>,
    /// Sync `for` loops and comprehension clauses, by their iterable's range: where
    /// their `for` keyword is, and whether a generator expression holds it.
    pub(super) loops: HashMap<(u32, u32), (u32, bool)>,
    /// Clean-up code where an `await` must not be put: `finally:` blocks and `except`
    /// blocks that raise.
    pub(super) cleanups: Vec<(TextRange, Cleanup)>,
}

/// Code that runs while an exception is on its way, where a cancellation at an `await`
/// would cut it short.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cleanup {
    /// A `finally:` block: a cancellation skips the rest of it.
    Finally,
    /// An `except` block that raises: a cancellation raises `CancelledError` instead of
    /// the exception the block meant to raise.
    Reraise,
}

impl<'a> Visitor<'a> for SyntaxNodes<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Try(t) => {
                if let Some(body) = block(&t.body) {
                    self.tries.push((body, &t.handlers));
                }
                if let Some(cleanup) = block(&t.finalbody) {
                    self.cleanups.push((cleanup, Cleanup::Finally));
                }
                for handler in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = handler;
                    let mut raises = Raises(false);
                    raises.visit_body(&h.body);
                    if let (true, Some(body)) = (raises.0, block(&h.body)) {
                        self.cleanups.push((body, Cleanup::Reraise));
                    }
                }
            }
            Stmt::FunctionDef(f) => self.functions.push((f.range, &f.body)),
            Stmt::For(f) if !f.is_async => {
                let iter = f.iter.range();
                let key = (iter.start().to_u32(), iter.end().to_u32());
                self.loops.insert(key, (f.range.start().to_u32(), false));
            }
            Stmt::Assign(a) => {
                if let [Expr::Name(n)] = a.targets.as_slice() {
                    self.assigned.insert(a.value.range(), n.id.as_str());
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(c) => {
                let f = c.func.range();
                self.calls.insert((f.start().to_u32(), f.end().to_u32()), c);
                self.primaries.insert(f, None);
            }
            Expr::Attribute(a) => {
                self.primaries
                    .insert(a.value.range(), Some(a.attr.as_str()));
            }
            Expr::Subscript(s) => {
                self.primaries.insert(s.value.range(), None);
            }
            Expr::Generator(g) => {
                self.no_await.push(g.range);
                self.comprehension(&g.generators, true);
            }
            Expr::ListComp(c) => self.comprehension(&c.generators, false),
            Expr::SetComp(c) => self.comprehension(&c.generators, false),
            Expr::DictComp(c) => self.comprehension(&c.generators, false),
            Expr::Lambda(l) => self.no_await.push(l.range),
            Expr::Await(a) => {
                self.awaited.insert(a.value.range());
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

impl SyntaxNodes<'_> {
    fn comprehension(&mut self, generators: &[ast::Comprehension], lazy: bool) {
        for g in generators.iter().filter(|g| !g.is_async) {
            let iter = g.iter.range();
            let key = (iter.start().to_u32(), iter.end().to_u32());
            self.loops.insert(key, (g.range.start().to_u32(), lazy));
        }
    }
}

/// The range of a block of statements, from its first to its last.
fn block(body: &[Stmt]) -> Option<TextRange> {
    Some(TextRange::new(body.first()?.start(), body.last()?.end()))
}

/// Whether a block raises, outside the functions and classes it defines (their bodies
/// run later, elsewhere).
struct Raises(bool);

impl<'a> Visitor<'a> for Raises {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Raise(_) => self.0 = true,
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            _ => visitor::walk_stmt(self, stmt),
        }
    }
}

/// Attributes read from one name in a function body.
pub(super) struct AttrUses<'n> {
    pub(super) name: &'n str,
    pub(super) attrs: Vec<String>,
}

impl<'a> Visitor<'a> for AttrUses<'_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Attribute(a) = expr {
            if let Expr::Name(n) = &*a.value {
                if n.id.as_str() == self.name {
                    self.attrs.push(a.attr.to_string());
                }
            }
        }
        visitor::walk_expr(self, expr);
    }
}
