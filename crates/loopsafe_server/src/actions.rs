//! Code actions: a quick fix per finding that has one, "Ignore LS201 on this line", and
//! `source.fixAll.loopsafe` (every safe fix of the file; the unsafe ones too when the
//! client's `unsafeFixes` allows them, as ruff's `--unsafe-fixes` does).
//!
//! Every edit names the document version it was worked out on, and actions are offered
//! only when the findings are of the text the editor has now: a stale action is refused
//! by the client instead of landing in the wrong place.

use std::collections::HashMap;
use std::path::Path;

use loopsafe_core::diagnostic::Diagnostic;
use loopsafe_core::fixer::{self, Applicability, Fix};
use loopsafe_core::rules::Rule;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, DocumentChanges, OneOf,
    OptionalVersionedTextDocumentIdentifier, Range, TextDocumentEdit, TextEdit, Url, WorkspaceEdit,
};

use crate::capabilities::FIX_ALL;
use crate::server::{path_of, Server};
use crate::text::{minimal_edit, Encoding, TextMap};

pub fn actions(server: &mut Server, p: CodeActionParams) -> Vec<CodeActionOrCommand> {
    let uri = p.text_document.uri;
    let Some(path) = path_of(&uri) else {
        return vec![];
    };
    let (Some(text), Some(file)) = (server.current_text(&path), server.files.get(&path)) else {
        return vec![];
    };
    if file.text != text {
        return vec![];
    }
    let target = Target {
        uri,
        version: server.documents.get(&path).map(|d| d.version),
        encoding: server.encoding,
        text: &text,
    };
    let wants = |kind: &str| {
        p.context.only.as_ref().is_none_or(|only| {
            only.iter()
                .any(|o| kind == o.as_str() || kind.starts_with(&format!("{}.", o.as_str())))
        })
    };
    let mut out = vec![];
    if wants(CodeActionKind::QUICKFIX.as_str()) {
        for (d, shown) in file.diagnostics.iter().zip(&file.lsp) {
            if !overlaps(shown.range, p.range) {
                continue;
            }
            let unsafe_fixes = server.client.unsafe_fixes;
            if let Some(action) = quick_fix(d, shown, &target, unsafe_fixes) {
                out.push(action);
            }
            if let Some(action) = ignore(d, shown, &target, &path) {
                out.push(action);
            }
        }
    }
    if wants(FIX_ALL) {
        out.extend(fix_all(
            &file.diagnostics,
            &target,
            server.client.unsafe_fixes,
        ));
    }
    out.into_iter()
        .map(CodeActionOrCommand::CodeAction)
        .collect()
}

/// The document an action edits, as the findings saw it.
struct Target<'t> {
    uri: Url,
    version: Option<i32>,
    encoding: Encoding,
    text: &'t str,
}

impl Target<'_> {
    fn edit(&self, edits: Vec<TextEdit>) -> WorkspaceEdit {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: self.uri.clone(),
                    version: self.version,
                },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            }])),
            ..Default::default()
        }
    }

    fn action(&self, title: String, kind: CodeActionKind, edits: Vec<TextEdit>) -> CodeAction {
        CodeAction {
            title,
            kind: Some(kind),
            edit: Some(self.edit(edits)),
            ..Default::default()
        }
    }
}

fn overlaps(a: Range, b: Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// The finding's own fix: safe ones preferred, unsafe ones only when the client's
/// settings allow them, and only a fix whose result parses.
fn quick_fix(
    d: &Diagnostic,
    shown: &lsp_types::Diagnostic,
    target: &Target,
    unsafe_fixes: bool,
) -> Option<CodeAction> {
    let fix = d.fix.as_ref().filter(|f| !f.edits.is_empty())?;
    let title = match fix.applicability {
        Applicability::Safe => fix.message.clone(),
        Applicability::Unsafe if unsafe_fixes => format!("{} (unsafe)", fix.message),
        _ => return None,
    };
    fixer::parses(&fixer::apply(target.text, &[fix]).0).ok()?;
    let map = TextMap::new(target.text, target.encoding);
    let edits = fix
        .edits
        .iter()
        .map(|e| TextEdit {
            range: map.range(e.start, e.end),
            new_text: e.content.clone(),
        })
        .collect();
    let mut action = target.action(title, CodeActionKind::QUICKFIX, edits);
    action.diagnostics = Some(vec![shown.clone()]);
    action.is_preferred = Some(fix.applicability == Applicability::Safe);
    Some(action)
}

/// `# noqa: CODE` on the finding's line, merged into a `# noqa` already there.
fn ignore(
    d: &Diagnostic,
    shown: &lsp_types::Diagnostic,
    target: &Target,
    path: &Path,
) -> Option<CodeAction> {
    if d.rule == Rule::SyntaxError {
        return None;
    }
    let sources = HashMap::from([(path.to_path_buf(), target.text.to_string())]);
    let outcome = loopsafe_core::noqa::add_noqa(std::slice::from_ref(d), &sources);
    let file = outcome.files.first()?;
    let edit = minimal_edit(target.text, &file.text, target.encoding)?;
    let title = format!("Ignore {} on this line", d.code());
    let mut action = target.action(title, CodeActionKind::QUICKFIX, vec![edit]);
    action.diagnostics = Some(vec![shown.clone()]);
    Some(action)
}

/// Every safe fix of the file at once (and the unsafe ones when allowed), as `loopsafe
/// check --fix` makes them in one pass:
/// fixes that overlap wait for the next request, and the imports they leave unused go.
fn fix_all(diagnostics: &[Diagnostic], target: &Target, unsafe_fixes: bool) -> Option<CodeAction> {
    let threshold = match unsafe_fixes {
        true => Applicability::Unsafe,
        false => Applicability::Safe,
    };
    let safe: Vec<(&Diagnostic, &Fix)> = diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref().map(|f| (d, f)))
        .filter(|(_, f)| f.applicability >= threshold && !f.edits.is_empty())
        .filter(|(_, f)| fixer::parses(&fixer::apply(target.text, &[*f]).0).is_ok())
        .collect();
    if safe.is_empty() {
        return None;
    }
    let fixes: Vec<&Fix> = safe.iter().map(|(_, f)| *f).collect();
    let (mut fixed, applied) = fixer::apply(target.text, &fixes);
    fixer::parses(&fixed).ok()?;
    let mut modules = vec![];
    for i in applied {
        let (d, _) = safe[i];
        let module = match (d.rule, d.api.as_deref()) {
            (Rule::AsyncioRun | Rule::RunUntilComplete, _) => Some("asyncio"),
            (Rule::TimeSleep, _) => Some("time"),
            (Rule::BlockingHttpCall, Some(api)) if api.starts_with("requests.") => Some("requests"),
            _ => None,
        };
        modules.extend(module.filter(|m| !modules.contains(m)));
    }
    let tidy = fixer::remove_unused_imports(target.text, &fixed, &modules);
    if tidy != fixed && fixer::parses(&tidy).is_ok() {
        fixed = tidy;
    }
    let edit = minimal_edit(target.text, &fixed, target.encoding)?;
    let title = match unsafe_fixes {
        true => "Fix all loopsafe findings (unsafe fixes included)".to_string(),
        false => "Fix all safe loopsafe findings".to_string(),
    };
    Some(target.action(title, CodeActionKind::new(FIX_ALL), vec![edit]))
}
