//! Code that runs only under a condition, besides `if` and `except` (in `statements`):
//! `while` bodies, `match` cases, `a if c else b`, the operands of `and`/`or` after
//! the first, and what follows an early exit on a setting (`if not settings.EXPORTS:
//! raise ...`). Calls recorded there are [`Call::conditional`]; what the walk counts is
//! [`Extractor::branches`], raised while such a part is walked.
//!
//! [`Call::conditional`]: crate::facts::Call::conditional

use ruff_python_ast::visitor::Visitor;
use ruff_python_ast::{self as ast, Expr, Stmt};

use super::Extractor;

impl<'a> Extractor<'a> {
    /// `while test: body`: the test runs at least once, the body only while the test
    /// holds, unless the test is literally true (a server's `while True:` loop). The
    /// `else` runs whenever the loop ends without `break`.
    pub(super) fn while_stmt(&mut self, w: &'a ast::StmtWhile) {
        self.function().loops = true;
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

/// Names of objects that hold configuration, anywhere in a dotted test
/// (`settings.DEBUG`, `app.config.exports`). Sorted.
const CONFIG_OBJECTS: &[&str] = &["cfg", "conf", "config", "configuration", "settings"];

/// Whether `stmt` is an early exit on a setting, `if not settings.EXPORTS: raise ...` or
/// `if os.getenv("NO_SYNC"): return`: the rest of the block runs only under some
/// configuration. An early exit on anything else (`if user is None: return`) is how a
/// handler refuses bad input; what follows is its usual path, not a condition.
pub(super) fn exits_on_a_setting(stmt: &Stmt) -> bool {
    let Stmt::If(s) = stmt else {
        return false;
    };
    if !s.elif_else_clauses.is_empty() {
        return false;
    }
    match s.body.last() {
        Some(Stmt::Return(_)) => reads_a_setting(&s.test, false),
        // Raising on a missing setting (`if not CONFIG.database_uri: raise ...`) refuses
        // to run misconfigured: what follows is the usual path. Raising on a feature
        // flag that is off (`if not blocks.vibe_mode: raise HTTPException(403)`) is not.
        Some(Stmt::Raise(_)) => reads_a_setting(&s.test, true),
        _ => false,
    }
}

/// Whether a test is about configuration only: an environment variable, a constant
/// (`DEBUG`), a flag named so (`vibe_mode`, `enable_exports`, `debug`), or an attribute
/// of a settings object; negated or combined with `and`/`or`, each part so. With
/// `flags_only`, only a flag named so counts: a feature switched on or off, not a value.
fn reads_a_setting(test: &Expr, flags_only: bool) -> bool {
    let setting = |e: &Expr| reads_a_setting(e, flags_only);
    match test {
        Expr::UnaryOp(u) if u.op == ast::UnaryOp::Not => setting(&u.operand),
        Expr::BoolOp(b) => b.values.iter().all(setting),
        // `settings.MODE == "demo"`, `os.getenv("X") != "1"`: compared with literals.
        Expr::Compare(c) => setting(&c.left) && c.comparators.iter().all(|e| e.is_literal_expr()),
        Expr::Call(c) if !flags_only => {
            let callee = super::dotted(&c.func).unwrap_or_default();
            callee == "getenv" || callee.ends_with(".getenv") || callee.ends_with("environ.get")
        }
        Expr::Subscript(s) if !flags_only => {
            super::dotted(&s.value).is_some_and(|d| d.ends_with("environ"))
        }
        Expr::Name(_) | Expr::Attribute(_) => {
            // Walked in place, not joined into a string: this runs for every early exit.
            let (mut e, mut last, mut on_settings) = (test, None, false);
            loop {
                let segment = match e {
                    Expr::Attribute(a) => a.attr.as_str(),
                    Expr::Name(n) => n.id.as_str(),
                    _ => return false,
                };
                match last {
                    None => last = Some(segment),
                    Some(_) => {
                        on_settings |= CONFIG_OBJECTS
                            .iter()
                            .any(|c| c.eq_ignore_ascii_case(segment));
                    }
                }
                match e {
                    Expr::Attribute(a) => e = &a.value,
                    _ => break,
                }
            }
            let last = last.unwrap_or_default();
            if flags_only {
                is_flag(last, false)
            } else {
                on_settings || is_flag(last, true)
            }
        }
        _ => false,
    }
}

/// A name that says it is a setting: a constant (`DEBUG`, `ENABLE_EXPORTS`), or a flag
/// (`debug`, `vibe_mode`, `exports_enabled`, `enable_tracing`). With `constants`, any
/// constant's name counts (`SENTRY_DSN` too).
fn is_flag(name: &str, constants: bool) -> bool {
    let name = name.trim_start_matches('_');
    let constant = name.chars().any(|c| c.is_ascii_uppercase())
        && !name.chars().any(|c| c.is_ascii_lowercase());
    let has = |word: &str| {
        name.as_bytes()
            .windows(word.len())
            .any(|w| w.eq_ignore_ascii_case(word.as_bytes()))
    };
    let starts = |word: &str| {
        name.get(..word.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(word))
    };
    let ends = |word: &str| {
        name.len()
            .checked_sub(word.len())
            .and_then(|i| name.get(i..))
            .is_some_and(|s| s.eq_ignore_ascii_case(word))
    };
    (constants && constant) || has("debug") || starts("enable") || ends("enabled") || ends("_mode")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_objects_are_sorted() {
        assert!(CONFIG_OBJECTS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn flags_are_named_so() {
        for name in [
            "DEBUG",
            "ENABLE_X2",
            "debug_toolbar",
            "vibe_mode",
            "_exports_enabled",
            "enable_tracing",
        ] {
            assert!(is_flag(name, true), "{name}");
        }
        for name in ["user", "is_active", "X2y", "mode", "payload", "request"] {
            assert!(!is_flag(name, true), "{name}");
        }
        // A constant that holds a value is a flag only where any constant counts.
        assert!(is_flag("DATABASE_URL", true) && !is_flag("DATABASE_URL", false));
        assert!(is_flag("ENABLE_SIGNUP", false));
        // Names in any script: no slicing inside a character.
        assert!(!is_flag("débogué", true) && !is_flag("é", false));
    }
}
