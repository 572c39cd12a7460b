//! requests to httpx: `requests.get(url, ...)` -> `await _http.get(url, ...)` on one
//! shared `httpx.AsyncClient` per module, with the options, the response's uses and the
//! `except` clauses around the call checked or mapped to httpx's.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use super::edit::{display, Applicability, Edit, Fix};
use super::importer::Import;
use super::{Context, Fixer};

impl Fixer<'_> {
    /// `requests.get(url, ...)` -> `await _http.get(url, ...)` on one shared
    /// `httpx.AsyncClient` per module.
    pub(super) fn requests(&self, call: &ast::ExprCall, api: &str, ctx: &Context) -> Fix {
        let verb = api.rsplit('.').next().unwrap_or("get");
        if !matches!(
            verb,
            "get" | "post" | "put" | "patch" | "delete" | "head" | "options" | "request"
        ) {
            return display("Use a shared `httpx.AsyncClient` and `await` the request");
        }
        let hint = "Use a shared `httpx.AsyncClient` and `await` the request";
        let args = &call.arguments;
        let positional = if verb == "request" { 2 } else { 1 };
        if args.args.len() > positional || args.args.iter().any(|a| matches!(a, Expr::Starred(_))) {
            return display(&format!(
                "{hint} (pass the extra positional arguments by keyword: httpx takes only the URL by position)"
            ));
        }
        let mut edits = self.awaited(call);
        let client = self.client_name();
        edits.push(Edit {
            start: call.func.start().to_u32(),
            end: call.func.end().to_u32(),
            content: format!("{client}.{verb}"),
        });
        let follow = match keyword_edits(args, hint) {
            Ok((renamed, follow)) => {
                edits.extend(renamed);
                follow
            }
            Err(fix) => return fix,
        };
        // requests does not follow redirects for HEAD; the shared client does.
        if verb == "head" && !follow {
            edits.extend(self.no_redirects(args));
        }
        if let Some(reason) = self.unsupported_response_use(call) {
            return display(&format!("{hint} ({reason})"));
        }
        match self.map_exceptions(call) {
            Ok(mapped) => edits.extend(mapped),
            Err(reason) => return display(&format!("{hint} ({reason})")),
        }
        // httpx raises its own exceptions (`raise_for_status()` raises
        // `httpx.HTTPStatusError`): a handler of requests' that this fix does not map
        // would silently stop catching them.
        let elsewhere = self
            .unmapped_handler()
            .or_else(|| ctx.requests_caught_elsewhere.clone());
        if let Some(handler) = elsewhere {
            return display(&format!(
                "{hint} (not applied: {handler} catches what requests raises, and httpx raises its own exceptions; change that handler with this call)"
            ));
        }
        match self.importer.module_name("httpx") {
            Ok(Some(_)) => {}
            Ok(None) => edits.push(self.importer.add(Import::Module("httpx"))),
            Err(()) => return display(&format!("{hint} (the name `httpx` is taken here)")),
        }
        edits.push(self.client_edit(&client));
        let mut message = format!("Use a shared `httpx.AsyncClient`: `await {client}.{verb}(...)`");
        if ctx.httpx_declared != Some(true) {
            message.push_str(" (add `httpx` to your dependencies)");
        }
        Fix {
            applicability: Applicability::Unsafe,
            message,
            edits,
        }
    }

    /// `follow_redirects=False` after the last argument.
    fn no_redirects(&self, args: &ast::Arguments) -> Option<Edit> {
        let at = args.range.end().to_u32() - 1;
        let last = args
            .args
            .iter()
            .map(Ranged::end)
            .chain(args.keywords.iter().map(Ranged::end))
            .max()?
            .to_u32();
        let trailing = self.source[last as usize..at as usize].trim();
        let sep = if trailing.starts_with(',') { " " } else { ", " };
        let at = if trailing.starts_with(',') {
            last + self.source[last as usize..].find(',').unwrap_or(0) as u32 + 1
        } else {
            last
        };
        Some(Edit {
            start: at,
            end: at,
            content: format!("{sep}follow_redirects=False"),
        })
    }

    /// A name for the module's shared HTTP client that nothing else uses.
    fn client_name(&self) -> String {
        ["_http", "_http_client", "_async_http", "_loopsafe_http"]
            .into_iter()
            .find(|n| !self.importer.is_bound(n) && !self.source.contains(&format!("{n}.")))
            .unwrap_or("_loopsafe_http")
            .to_string()
    }

    /// The module-level client, after the imports.
    fn client_edit(&self, client: &str) -> Edit {
        let nl = self.newline;
        Edit::insert(
            self.importer.after_imports(),
            format!(
                "{nl}# One HTTP client for the whole module: building an httpx.AsyncClient loads the{nl}\
                 # CA bundle (tens of milliseconds of CPU), too costly to repeat on every request.{nl}\
                 # requests follows redirects and waits without a time limit; httpx does neither{nl}\
                 # unless told (its default timeout is 5 s). A call's own `timeout=` is kept.{nl}\
                 {client} = httpx.AsyncClient(follow_redirects=True, timeout=None){nl}"
            ),
        )
    }

    /// A response used in a way httpx's does not support.
    fn unsupported_response_use(&self, call: &ast::ExprCall) -> Option<String> {
        let range = call.range();
        let unsupported = |attr: &str| -> Option<String> {
            let why = match attr {
                "iter_content" | "iter_lines" => {
                    "httpx streams with `client.stream(...)` and `aiter_bytes()`"
                }
                "raw" => "httpx responses have no `.raw`",
                "ok" => "httpx responses have `.is_success` instead of `.ok`",
                "reason" => "httpx responses have `.reason_phrase` instead of `.reason`",
                "apparent_encoding" => "httpx responses have no `.apparent_encoding`",
                _ => return None,
            };
            Some(format!("the response's `.{attr}`: {why}"))
        };
        if let Some(Some(attr)) = self.index.primaries.get(&range) {
            if let Some(reason) = unsupported(attr) {
                return Some(reason);
            }
        }
        self.attrs_of_result(call)
            .iter()
            .find_map(|a| unsupported(a))
    }

    /// Rewrites the `except requests...` clauses around the call to httpx's exceptions.
    fn map_exceptions(&self, call: &ast::ExprCall) -> Result<Vec<Edit>, String> {
        let range = call.range();
        let mut edits = vec![];
        for (body, handlers) in &self.index.tries {
            if !body.contains_range(range) {
                continue;
            }
            for handler in handlers.iter() {
                let ast::ExceptHandler::ExceptHandler(h) = handler;
                let Some(type_) = &h.type_ else { continue };
                let types: Vec<&Expr> = match &**type_ {
                    Expr::Tuple(t) => t.elts.iter().collect(),
                    other => vec![other],
                };
                for t in types {
                    let Some(name) = self.requests_exception(t) else {
                        continue;
                    };
                    let Some(mapped) = HTTPX_EXCEPTIONS
                        .iter()
                        .find(|(r, _)| *r == name)
                        .map(|(_, h)| *h)
                    else {
                        return Err(format!(
                            "the `except` clause catches `requests.{name}`, which has no httpx equivalent"
                        ));
                    };
                    // The clause must not also guard requests calls left as they are.
                    let mentions: usize = self
                        .importer
                        .bindings_of("requests")
                        .map(|alias| self.source[*body].matches(&format!("{alias}.")).count())
                        .sum();
                    let fixed = self
                        .http_fixes
                        .iter()
                        .filter(|s| {
                            body.start().to_u32() <= s.start && s.end <= body.end().to_u32()
                        })
                        .count();
                    if mentions > fixed {
                        return Err(
                            "the `try` block also makes other requests calls; fix them together"
                                .into(),
                        );
                    }
                    edits.push(Edit {
                        start: t.start().to_u32(),
                        end: t.end().to_u32(),
                        content: mapped.into(),
                    });
                }
            }
        }
        Ok(edits)
    }

    /// An `except` clause of this module that catches an exception of requests around
    /// code that makes no requests call itself: it catches what the functions it calls
    /// raise, this one among them, and no fix maps it. As the message quotes it.
    fn unmapped_handler(&self) -> Option<String> {
        self.index.tries.iter().find_map(|(body, handlers)| {
            let direct = self
                .importer
                .bindings_of("requests")
                .any(|alias| self.source[*body].contains(&format!("{alias}.")));
            if direct {
                return None;
            }
            let (caught, line) = self.requests_caught(handlers)?;
            Some(format!("`except {caught}` on line {line}"))
        })
    }

    /// The first exception of requests these handlers catch, as written, and the line
    /// of its `except`.
    fn requests_caught(&self, handlers: &[ast::ExceptHandler]) -> Option<(&str, usize)> {
        handlers.iter().find_map(|handler| {
            let ast::ExceptHandler::ExceptHandler(h) = handler;
            let types: Vec<&Expr> = match h.type_.as_deref()? {
                Expr::Tuple(t) => t.elts.iter().collect(),
                other => vec![other],
            };
            let t = types
                .into_iter()
                .find(|t| self.requests_exception(t).is_some())?;
            let line = self.source[..h.start().to_usize()].matches('\n').count() + 1;
            Some((self.text(t.range()), line))
        })
    }

    /// `requests.HTTPError`, `requests.exceptions.Timeout`, or a name imported from
    /// requests: the exception's name.
    fn requests_exception(&self, t: &Expr) -> Option<String> {
        match t {
            Expr::Attribute(a) => {
                let base = self.text(a.value.range());
                let target = self.importer.target(base.split('.').next()?)?;
                let full = format!("{target}{}", &base[base.find('.').unwrap_or(base.len())..]);
                matches!(full.as_str(), "requests" | "requests.exceptions")
                    .then(|| a.attr.to_string())
            }
            Expr::Name(n) => {
                let target = self.importer.target(n.id.as_str())?;
                let (module, name) = target.rsplit_once('.')?;
                matches!(module, "requests" | "requests.exceptions").then(|| name.to_string())
            }
            _ => None,
        }
    }
}

/// The keywords renamed for httpx, and whether `allow_redirects=` was among them; or
/// the suggestion, for keywords httpx takes elsewhere or differently.
fn keyword_edits(args: &ast::Arguments, hint: &str) -> Result<(Vec<Edit>, bool), Fix> {
    let mut edits = vec![];
    let mut follow = false;
    for kw in &args.keywords {
        let Some(name) = &kw.arg else {
            return Err(display(&format!(
                "{hint} (`**` arguments: loopsafe cannot see which options they pass)"
            )));
        };
        let rename = |content: &str| Edit {
            start: name.range.start().to_u32(),
            end: name.range.end().to_u32(),
            content: content.into(),
        };
        match name.as_str() {
            "verify" | "cert" | "proxies" => {
                return Err(display(&format!(
                    "{hint} (`{name}=` is set on an httpx client, not per request: give these calls a client of their own)"
                )))
            }
            "stream" | "hooks" => {
                return Err(display(&format!(
                    "{hint} (`{name}=` works differently in httpx: see `client.stream(...)` and event hooks)"
                )))
            }
            "timeout" if matches!(kw.value, Expr::Tuple(_)) => {
                return Err(display(&format!(
                    "{hint} (a `(connect, read)` timeout becomes `httpx.Timeout(read, connect=connect)`)"
                )))
            }
            "allow_redirects" => {
                follow = true;
                edits.push(rename("follow_redirects"));
            }
            "data"
                if matches!(
                    kw.value,
                    Expr::StringLiteral(_) | Expr::BytesLiteral(_) | Expr::FString(_)
                ) =>
            {
                edits.push(rename("content"));
            }
            _ => {}
        }
    }
    Ok((edits, follow))
}

/// The first exception of requests that an `except` clause in `source` catches, as
/// written, and the line of the clause.
pub fn catches_requests(source: &str) -> Option<(String, usize)> {
    // Most modules never mention requests: no parse for them.
    if !source.contains("requests") || !source.contains("except") {
        return None;
    }
    let parsed = ruff_python_parser::parse_module(source).ok()?;
    let body = &parsed.syntax().body;
    let fixer = Fixer::new(source, body, vec![]);
    fixer
        .index
        .tries
        .iter()
        .find_map(|(_, handlers)| fixer.requests_caught(handlers))
        .map(|(caught, line)| (caught.to_string(), line))
}

/// requests exceptions and the httpx ones that cover the same failures.
const HTTPX_EXCEPTIONS: &[(&str, &str)] = &[
    ("ConnectTimeout", "httpx.ConnectTimeout"),
    ("ConnectionError", "httpx.TransportError"),
    ("HTTPError", "httpx.HTTPStatusError"),
    ("ReadTimeout", "httpx.ReadTimeout"),
    ("RequestException", "httpx.HTTPError"),
    ("Timeout", "httpx.TimeoutException"),
    ("TooManyRedirects", "httpx.TooManyRedirects"),
];

/// Whether a dependency file (requirements*.txt, pyproject.toml, Pipfile) names
/// `package` at the start of a line or of a quoted requirement.
pub fn declares(text: &str, package: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim().trim_start_matches(['"', '\'']);
        line.strip_prefix(package).is_some_and(|rest| {
            !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependency_lines() {
        assert!(declares("fastapi\nhttpx>=0.27\n", "httpx"));
        assert!(declares(
            "dependencies = [\n  \"httpx[http2]\",\n]",
            "httpx"
        ));
        assert!(declares("[packages]\nhttpx = \"*\"\n", "httpx"));
        assert!(!declares("httpx-sse\npytest-httpx\n", "httpx"));
    }
}
