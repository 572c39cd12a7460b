//! Files shipped with the package: a path built from `__file__` (`Path(__file__).parent /
//! "prices.json"`, `os.path.join(os.path.dirname(__file__), "schema.sql")`) or from
//! `importlib.resources.files(...)`, directly or through a name bound to one. They are
//! small and, after the first read, in the page cache: reading one costs microseconds,
//! not the time a user's upload or a data file takes ([`Call::bundled_file`]).
//!
//! [`Call::bundled_file`]: crate::facts::Call::bundled_file

use ruff_python_ast::{self as ast, Expr};

use super::Extractor;

/// Names bound to a path inside the package: module-level ones, and the current
/// function's locals.
#[derive(Default)]
pub(super) struct BundledState<'a> {
    pub(super) module: Vec<&'a str>,
    pub(super) locals: Vec<&'a str>,
}

/// Methods that open or read the file a path names (`write_text` is not one).
const READS: &[&str] = &["open", "read_bytes", "read_text"];

impl<'a> Extractor<'a> {
    /// Remembers whether `name` now holds a path inside the package.
    pub(super) fn note_bundled(&mut self, name: &'a str, value: &Expr) {
        // Most values are no path: a literal, a name, an await.
        let inside = matches!(value, Expr::Attribute(_) | Expr::BinOp(_) | Expr::Call(_))
            && self.in_package(value);
        let names = if self.scopes.len() == 1 {
            &mut self.bundled.module
        } else {
            &mut self.bundled.locals
        };
        names.retain(|n| *n != name);
        if inside {
            names.push(name);
        }
    }

    /// Whether a call opens or reads a file shipped with the package: `open(path)` or
    /// `path.read_text()` with such a path.
    pub(super) fn reads_bundled_file(&self, call: &ast::ExprCall) -> bool {
        match &*call.func {
            Expr::Attribute(a) if READS.contains(&a.attr.as_str()) => {
                reads(call, 0) && self.in_package(&a.value)
            }
            func @ Expr::Name(n) if n.id.as_str() == "open" && self.is_builtin(func, &["open"]) => {
                reads(call, 1)
                    && call
                        .arguments
                        .args
                        .first()
                        .is_some_and(|p| self.in_package(p))
            }
            _ => false,
        }
    }

    /// Whether an expression is a path inside the package.
    fn in_package(&self, e: &Expr) -> bool {
        match e {
            Expr::Name(n) => {
                let name = n.id.as_str();
                name == "__file__"
                    || self.bundled.locals.contains(&name)
                    || self.bundled.module.contains(&name)
                        && (self.scopes.len() == 1 || !self.bound_locally(name))
            }
            // `here.parent`, `Path(__file__).resolve().parent`.
            Expr::Attribute(a) => self.in_package(&a.value),
            // `base / "prices.json"`.
            Expr::BinOp(b) if b.op == ast::Operator::Div => self.in_package(&b.left),
            Expr::Call(c) => match &*c.func {
                // `path.with_name("x")`, `path.joinpath("x")`, `path.resolve()`; and
                // `importlib.resources.files("pkg")`.
                Expr::Attribute(a) if a.attr.as_str() == "files" => is_resources(&a.value),
                Expr::Attribute(a) if !is_path_function(&a.value) => self.in_package(&a.value),
                // `Path(__file__)`, `os.path.dirname(__file__)`, `os.path.join(here, "x")`:
                // built from a path inside the package as its first argument.
                _ => c.arguments.args.first().is_some_and(|a| self.in_package(a)),
            },
            _ => false,
        }
    }

    fn bound_locally(&self, name: &str) -> bool {
        self.scopes
            .last()
            .is_some_and(|s| s.bindings.contains_key(name))
    }
}

/// Whether a call opens its file only to read it: no mode given, or a literal one
/// without `w`, `a`, `x` or `+`. What is written there (an upload saved into the
/// package's folder) is as big as the writer makes it.
fn reads(call: &ast::ExprCall, mode_at: usize) -> bool {
    let mode = call
        .arguments
        .find_keyword("mode")
        .map(|k| &k.value)
        .or_else(|| call.arguments.args.get(mode_at));
    match mode {
        None => true,
        Some(Expr::StringLiteral(s)) => !s.value.to_str().contains(['w', 'a', 'x', '+']),
        Some(_) => false,
    }
}

/// `importlib.resources` (or the `importlib_resources` backport).
fn is_resources(e: &Expr) -> bool {
    matches!(e, Expr::Attribute(a) if a.attr.as_str() == "resources")
        || matches!(e, Expr::Name(n) if matches!(n.id.as_str(), "resources" | "importlib_resources"))
}

/// `os.path` (in `os.path.join(...)`): a module whose functions take the path as an
/// argument, not a path itself.
fn is_path_function(e: &Expr) -> bool {
    matches!(e, Expr::Attribute(a) if a.attr.as_str() == "path")
        || matches!(e, Expr::Name(n) if matches!(n.id.as_str(), "os" | "posixpath" | "ntpath"))
}
