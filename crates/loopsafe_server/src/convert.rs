//! loopsafe's findings as LSP diagnostics and hovers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use loopsafe_core::diagnostic::{Diagnostic, EntryPoint};
use loopsafe_core::facts::FnId;
use loopsafe_core::frameworks::EntryKind;
use loopsafe_core::severity::Severity;
use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Url,
};

use crate::text::{Encoding, TextMap};

/// The text each file had in the analysis: the buffers given to it, the sources it
/// returned, and for the other files a chain passes through, what is on disk (read once).
pub struct Texts<'a> {
    pub overrides: &'a HashMap<PathBuf, String>,
    pub sources: &'a HashMap<PathBuf, String>,
    pub read: HashMap<PathBuf, Option<String>>,
}

impl Texts<'_> {
    pub fn get(&mut self, path: &Path) -> Option<&str> {
        if let Some(t) = self.overrides.get(path).or_else(|| self.sources.get(path)) {
            return Some(t);
        }
        self.read
            .entry(path.to_path_buf())
            .or_insert_with(|| std::fs::read_to_string(path).ok())
            .as_deref()
    }
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::High => DiagnosticSeverity::ERROR,
        Severity::Medium => DiagnosticSeverity::WARNING,
        Severity::Low => DiagnosticSeverity::INFORMATION,
    }
}

pub fn url_of(path: &Path) -> Option<Url> {
    Url::from_file_path(path).ok()
}

/// One finding as the editor shows it, in the text it was found in.
pub fn diagnostic(
    d: &Diagnostic,
    texts: &mut Texts,
    encoding: Encoding,
    docs: &mut crate::docs::RuleDocs,
) -> Option<lsp_types::Diagnostic> {
    let text = texts.get(&d.path)?.to_string();
    let map = TextMap::new(&text, encoding);
    let related = d
        .chain
        .iter()
        .enumerate()
        .filter_map(|(i, hop)| {
            let hop_text = texts.get(&hop.path)?;
            let hop_map = TextMap::new(hop_text, encoding);
            let blocks = if i + 1 == d.chain.len() {
                " ← blocks"
            } else {
                ""
            };
            Some(DiagnosticRelatedInformation {
                location: Location {
                    uri: url_of(&hop.path)?,
                    range: lsp_types::Range::new(
                        hop_map.location(hop.location),
                        hop_map.location(hop.end_location),
                    ),
                },
                message: format!("`{}` {}{blocks}", short(&hop.function), hop.action()),
            })
        })
        .collect::<Vec<_>>();
    Some(lsp_types::Diagnostic {
        range: map.range(d.span.start, d.span.end),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code().to_string())),
        code_description: docs.url(d.rule).map(|href| CodeDescription { href }),
        source: Some("loopsafe".into()),
        message: d.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    })
}

/// A function's name without its module: `fetch_account`, `TenantMiddleware.dispatch`.
fn short(qualified: &str) -> &str {
    let mut parts = qualified.rsplitn(3, '.');
    let last = parts.next().unwrap_or(qualified);
    match (parts.next(), parts.next()) {
        (Some(owner), _) if owner.starts_with(|c: char| c.is_ascii_uppercase()) => {
            let start = qualified.len() - last.len() - owner.len() - 1;
            &qualified[start..]
        }
        _ => last,
    }
}

/// The hover on a flagged call: what blocks, why, through what, from which entry points,
/// and the rule's short documentation.
pub fn hover(d: &Diagnostic, entries: &HashMap<FnId, &EntryPoint>, root: &Path) -> String {
    let info = d.rule.info();
    let mut out = format!(
        "**{}** `{}` · {} severity\n\n{}\n",
        info.code,
        info.name,
        d.severity.as_str(),
        d.message
    );
    if let Some(api) = &d.api {
        out.push_str(&format!("\nBlocks in `{api}`"));
        if !d.other_sinks.is_empty() {
            out.push_str(&format!(" (also reaches `{}`)", d.other_sinks.join("`, `")));
        }
        out.push_str(".\n");
    }
    if !d.chain.is_empty() {
        out.push_str("\nChain:\n");
        for hop in &d.chain {
            let path = hop.path.strip_prefix(root).unwrap_or(&hop.path);
            out.push_str(&format!(
                "- `{}` {} ({}:{})\n",
                short(&hop.function),
                hop.action(),
                path.display(),
                hop.location.row
            ));
        }
    }
    if let Some(reach) = reach(d, entries) {
        out.push_str(&format!("\nReach: {reach}.\n"));
    }
    out.push_str(&format!(
        "\n{}\n\n**Why:** {}\n\n**Instead:** {}.\n",
        info.doc.what, info.doc.why, info.help
    ));
    if let Some(fix) = &d.fix {
        out.push_str(&format!(
            "\n**Fix ({}):** {}\n",
            fix.applicability.as_str(),
            fix.message
        ));
    }
    out
}

/// Which requests run it: every one through a middleware, or these routes.
fn reach(d: &Diagnostic, entries: &HashMap<FnId, &EntryPoint>) -> Option<String> {
    let hotspot = d.hotspot.as_ref()?;
    let name = |f: &FnId| {
        entries
            .get(f)
            .map(|e| short(&e.name).to_string())
            .unwrap_or_else(|| "?".into())
    };
    let middleware: Vec<String> = hotspot
        .entry_points
        .iter()
        .filter(|e| e.kind == EntryKind::Middleware)
        .map(|e| format!("`{}`", name(&e.function)))
        .collect();
    if !middleware.is_empty() {
        return Some(format!("every request, through {}", middleware.join(", ")));
    }
    let mut others: Vec<String> = hotspot
        .entry_points
        .iter()
        .map(|e| format!("{} `{}`", e.kind.as_str(), name(&e.function)))
        .collect();
    if others.is_empty() {
        return None;
    }
    let more = others.len().saturating_sub(5);
    others.truncate(5);
    let routes = match hotspot.reach {
        1 => "1 route".to_string(),
        n => format!("{n} routes"),
    };
    let mut text = format!("{routes}, from {}", others.join(", "));
    if more > 0 {
        text.push_str(&format!(" and {more} more"));
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn a_function_is_named_without_its_module_but_with_its_class() {
        assert_eq!(
            short("app.services.accounts.fetch_account"),
            "fetch_account"
        );
        assert_eq!(
            short("app.middleware.tenant.TenantMiddleware.dispatch"),
            "TenantMiddleware.dispatch"
        );
        assert_eq!(short("main"), "main");
    }
}
