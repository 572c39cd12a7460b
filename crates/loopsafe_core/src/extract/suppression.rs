//! Suppression comments: `# noqa`, `# noqa: LS201, LS301` and
//! `# loopsafe: ignore[LS201]`, read from the comment tokens the parser keeps.

use ruff_python_ast::token::{TokenKind, Tokens};
use ruff_text_size::Ranged;

use crate::facts::Suppression;

/// The suppression comments among `tokens`, by the offset where each starts.
pub(super) fn comments(tokens: &Tokens, source: &str) -> Vec<(u32, Suppression)> {
    tokens
        .iter()
        .filter(|t| t.kind() == TokenKind::Comment)
        .filter_map(|t| {
            let text = &source[t.range()];
            parse_suppression(text).map(|s| (t.range().start().to_u32(), s))
        })
        .collect()
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
}
