//! What a fix is (edits to the source and how sure loopsafe is of them), and applying
//! edits to a text.

/// How sure loopsafe is of a fix. As in ruff, a fix is *safe* when it cannot change what
/// the program does, *unsafe* when it should (but might not), and *display-only* when
/// loopsafe can only say what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// Only a suggestion: nothing is written.
    DisplayOnly,
    /// Applied with `--unsafe-fixes`: right in the usual case, but review it.
    Unsafe,
    /// Applied with `--fix`: cannot change what the program does.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

/// Replace `start..end` (byte offsets) with `content`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Edit {
    pub start: u32,
    pub end: u32,
    pub content: String,
}

impl Edit {
    /// `content` put at `at`, replacing nothing.
    pub(super) fn insert(at: u32, content: impl Into<String>) -> Edit {
        Edit {
            start: at,
            end: at,
            content: content.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    pub message: String,
    pub edits: Vec<Edit>,
}

/// A fix that only says what to do.
pub(super) fn display(message: &str) -> Fix {
    Fix {
        applicability: Applicability::DisplayOnly,
        message: message.to_string(),
        edits: vec![],
    }
}

/// Applies as many fixes as do not overlap, in order; identical edits shared by several
/// fixes (an import they all need) are applied once. Returns the new text and which
/// fixes were applied; the others overlap an applied one and wait for another pass.
pub fn apply(source: &str, fixes: &[&Fix]) -> (String, Vec<usize>) {
    let mut order: Vec<usize> = (0..fixes.len()).collect();
    order.sort_by_key(|i| fixes[*i].edits.iter().map(|e| e.start).min().unwrap_or(0));
    let mut taken: Vec<(usize, Edit)> = vec![];
    let mut applied = vec![];
    'fixes: for i in order {
        let fix = fixes[i];
        if fix.edits.is_empty() {
            continue;
        }
        for e in &fix.edits {
            for (_, t) in &taken {
                if t == e {
                    continue;
                }
                let overlaps = e.start < t.end && t.start < e.end;
                let inside = (e.start == e.end && e.start > t.start && e.start < t.end)
                    || (t.start == t.end && t.start > e.start && t.start < e.end);
                if overlaps || inside {
                    continue 'fixes;
                }
            }
        }
        for (n, e) in fix.edits.iter().enumerate() {
            if !taken.iter().any(|(_, t)| t == e) {
                taken.push((i * 1000 + n, e.clone()));
            }
        }
        applied.push(i);
    }
    // By position; at one position, in the order the fixes listed them.
    taken.sort_by_key(|(order, e)| (e.start, e.end, *order));
    let mut out = String::with_capacity(source.len() + 256);
    let mut at = 0usize;
    for (_, e) in &taken {
        out.push_str(&source[at..e.start as usize]);
        out.push_str(&e.content);
        at = e.end as usize;
    }
    out.push_str(&source[at..]);
    applied.sort_unstable();
    (out, applied)
}

/// Whether the text parses as Python; the error otherwise.
pub fn parses(source: &str) -> Result<(), String> {
    ruff_python_parser::parse_module(source)
        .map(|_| ())
        .map_err(|e| e.error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_edits_apply_once_and_overlaps_wait() {
        let import = Edit {
            start: 0,
            end: 0,
            content: "import asyncio\n".into(),
        };
        let a = Fix {
            applicability: Applicability::Safe,
            message: String::new(),
            edits: vec![
                import.clone(),
                Edit {
                    start: 4,
                    end: 5,
                    content: "A".into(),
                },
            ],
        };
        let b = Fix {
            applicability: Applicability::Safe,
            message: String::new(),
            edits: vec![
                import,
                Edit {
                    start: 6,
                    end: 7,
                    content: "B".into(),
                },
            ],
        };
        let c = Fix {
            applicability: Applicability::Safe,
            message: String::new(),
            edits: vec![Edit {
                start: 3,
                end: 6,
                content: "C".into(),
            }],
        };
        let (out, applied) = apply("0123456789", &[&a, &b, &c]);
        assert_eq!(out, "import asyncio\n0123A5B789");
        assert_eq!(applied, [0, 1]);
    }
}
