//! The documentation generated from the catalogue: per rule, the APIs whose rows report
//! under it, for `loopsafe rule CODE` and the README's "What it finds" table. Written
//! from the rows so that it cannot drift from what loopsafe reports; the prose that says
//! why stays in [`crate::rules`], and [`render_doc`] puts the two together.

use super::{Catalogue, Cost, Effect, BLOCKING};
use crate::rules::{Rule, RuleInfo, RULES};

/// The rows of one owner (a module, or a class for methods) that report under a rule.
struct Owner {
    name: &'static str,
    members: Vec<&'static str>,
    /// A `Type.*` row: every public method blocks, but for [`Owner::except`].
    every_method: bool,
    /// Members with rows of their own that do not report under the rule.
    except: Vec<&'static str>,
}

/// The owners of one package (the first segment of their names) that report under a rule.
pub struct Package {
    pub name: &'static str,
    owners: Vec<Owner>,
}

/// The packages whose rows report under `rule`, by name (case aside).
pub fn packages(rule: Rule) -> Vec<Package> {
    let mut packages: Vec<Package> = vec![];
    for row in BLOCKING.iter().filter(|r| r.effect == Effect::Blocks(rule)) {
        let Some((owner, member)) = row.call.rsplit_once('.') else {
            continue;
        };
        let package = owner.split('.').next().unwrap_or(owner);
        if packages.last().is_none_or(|p| p.name != package) {
            packages.push(Package {
                name: package,
                owners: vec![],
            });
        }
        let owners = &mut packages.last_mut().expect("pushed above").owners;
        let at = match owners.iter().position(|o| o.name == owner) {
            Some(at) => at,
            None => {
                owners.push(Owner {
                    name: owner,
                    members: vec![],
                    every_method: false,
                    except: vec![],
                });
                owners.len() - 1
            }
        };
        let entry = &mut owners[at];
        if member == "*" {
            entry.every_method = true;
            entry.except = members_of(owner)
                .filter(|r| r.1 != "*" && r.0.effect != Effect::Blocks(rule))
                .map(|r| r.1)
                .collect();
        } else {
            entry.members.push(member);
        }
    }
    // The package's own functions first, then its modules and classes.
    packages
        .iter_mut()
        .for_each(|p| p.owners.sort_by_key(|o| o.name));
    packages.sort_by_key(|p| p.name.to_ascii_lowercase());
    packages
}

/// The rows of `owner`'s own members, with the member's name.
fn members_of(owner: &str) -> impl Iterator<Item = (&'static super::Row, &'static str)> + '_ {
    BLOCKING.iter().filter_map(move |row| {
        let member = row.call.strip_prefix(owner)?.strip_prefix('.')?;
        (!member.contains('.')).then_some((row, member))
    })
}

/// A member as a Python developer writes its use: a class is called to make one.
fn member(name: &str) -> String {
    match name {
        "__call__" => "calling it".into(),
        "__iter__" => "iterating over it".into(),
        "__enter__" => "`with` it".into(),
        _ if name.starts_with(|c: char| c.is_ascii_uppercase()) => format!("`{name}()`"),
        _ => format!("`{name}`"),
    }
}

impl Owner {
    /// `owner: members`, the owner named relative to `package` when given (nothing for
    /// the package itself). A private type is named by the call that makes it.
    fn text(&self, package: Option<&str>) -> String {
        let made_by = self
            .name
            .split('.')
            .any(|segment| segment.starts_with('_'))
            .then(|| Catalogue::made_by(self.name))
            .flatten();
        let label = match (made_by, package) {
            (Some(call), _) => Some(format!("what `{call}` returns")),
            (None, Some(package)) if self.name == package => None,
            (None, Some(package)) => Some(format!(
                "`{}`",
                self.name
                    .strip_prefix(package)
                    .and_then(|rest| rest.strip_prefix('.'))
                    .unwrap_or(self.name)
            )),
            (None, None) => Some(format!("`{}`", self.name)),
        };
        let mut parts: Vec<String> = vec![];
        if self.every_method {
            let except: Vec<String> = self.except.iter().map(|m| member(m)).collect();
            parts.push(if except.is_empty() {
                "every public method".into()
            } else {
                format!("every public method but {}", except.join(", "))
            });
        }
        parts.extend(self.members.iter().map(|m| member(m)));
        match label {
            Some(label) => format!("{label}: {}", parts.join(", ")),
            None => parts.join(", "),
        }
    }
}

impl Package {
    /// The package's calls, its owners named in full or relative to the package.
    pub fn calls(&self, relative: bool) -> String {
        let package = relative.then_some(self.name);
        let owners: Vec<String> = self.owners.iter().map(|o| o.text(package)).collect();
        owners.join("; ")
    }
}

/// The Markdown list of the calls a rule reports, one item per package; `None` for a
/// rule with no catalogue rows.
pub fn calls_section(rule: Rule) -> Option<String> {
    let packages = packages(rule);
    if packages.is_empty() {
        return None;
    }
    let items: Vec<String> = packages
        .iter()
        .map(|p| format!("- {}\n", p.calls(false)))
        .collect();
    Some(items.concat())
}

/// The README's "What it finds" table: a row per rule and package.
pub fn readme_table() -> String {
    let mut out = String::from("| code | rule | package | calls |\n|---|---|---|---|\n");
    for info in RULES {
        let packages = packages(info.rule);
        if packages.is_empty() {
            out.push_str(&format!(
                "| {} | `{}` | | {} |\n",
                info.code, info.name, info.doc.what
            ));
        }
        for (i, package) in packages.iter().enumerate() {
            let (code, name) = match i {
                0 => (info.code, format!("`{}`", info.name)),
                _ => ("", String::new()),
            };
            out.push_str(&format!(
                "| {code} | {name} | `{}` | {} |\n",
                package.name,
                package.calls(true)
            ));
        }
    }
    out
}

/// Renders a rule's documentation as Markdown, as `loopsafe rule CODE` prints it.
pub fn render_doc(info: &RuleInfo) -> String {
    format!(
        "# {name} ({code})\n\n## What it does\n{what}\n\n{calls}## Why is this bad?\n{why}\n\n## Example\n```python\n{example}\n```\n\n## Fix\n{help}.\n\n## Fix safety\n{fix}\n\n## Severity\n{costs}{SEVERITY}",
        name = info.name,
        code = info.code,
        what = info.doc.what,
        calls = calls_section(info.rule)
            .map(|list| format!("## Calls it reports\n{list}\n"))
            .unwrap_or_default(),
        why = info.doc.why,
        example = info.doc.example,
        help = capitalize(info.help),
        fix = info.doc.fix,
        costs = costs_line(info.rule),
    )
}

/// What the calls of a rule cost, from their catalogue rows: `Its calls cost: wait.`
fn costs_line(rule: Rule) -> String {
    let mut costs: Vec<Cost> = BLOCKING
        .iter()
        .filter(|r| r.effect == Effect::Blocks(rule))
        .map(|r| r.cost)
        .collect();
    costs.sort_unstable_by(|a, b| b.cmp(a));
    costs.dedup();
    if costs.is_empty() {
        return String::new();
    }
    let names: Vec<String> = costs.iter().map(|c| format!("`{}`", c.as_str())).collect();
    format!(
        "The calls this rule reports cost: {}.\n\n",
        names.join(", ")
    )
}

/// How every finding is ranked, the same for every rule.
const SEVERITY: &str = "\
Every finding is ranked by how long one call can hold up the *other* requests the loop \
serves (its cost), times how often it runs (its frequency).

Cost, from the call's catalogue row (`cost = \"...\"` on a row of `extend-blocking-calls`; \
by default `data` for the `filesystem` category, `slow` for `cpu`, else `wait`):
- `wait`: an unbounded wait on something else: the network, a database, a broker, a \
subprocess, a sleep, a thread, future, queue or lock (`requests.get()`, `time.sleep(1)`).
- `slow`: a fixed cost of tens of milliseconds or more, whatever the input \
(`bcrypt.hashpw()`, building an SDK client or an SSL context, loading a model).
- `data`: work proportional to the data (`open(path).read()`, `json.load(f)`, a dataframe).
- `light`: a metadata syscall, microseconds on a local disk (`os.path.exists()`, \
`os.makedirs()`, listing one folder with `os.listdir()`), reading the kernel's in-memory \
files (`open(f\"/proc/{pid}/stat\")`) or a file the package ships, for reading \
(`(Path(__file__).parent / \"prices.json\").read_text()`), or `time.sleep()` of a \
literal 5 ms or less.
- `none`: no disk access at all (`os.path.abspath()`).

Frequency, from the analysis:
- `per-request`: reached from a route, a middleware, a dependency or a handler (with no \
framework detected, from any coroutine), or from a coroutine that loops (`while`, \
`async for`) started as a background task (`asyncio.create_task(poll())`): it runs \
again and again, whoever started it.
- `once`: on the first call only (through a `functools.lru_cache`d function, a one-time \
set-up such as `if self._client is None:`, or a cache object's `get_cache`/`set_cache`), \
or only from start-up code: startup and lifespan handlers, and coroutines named \
`initialize`, `init_*`, `setup*`, `lifespan` or `setup_hook`, and `start()` or \
`__aenter__()` of a long-lived component (a class named `*Server`, `*Proxy`, `*Worker`, \
`*Runner`, `*Observer`...) that no route reaches, or from shutdown code (`shutdown`, \
`on_shutdown`, `finalize*`, `teardown*`, such a component's `stop()` or `__aexit__()`, a \
Home Assistant listener on `EVENT_HOMEASSISTANT_STOP`). Home Assistant's integration set-up \
(`async_setup_entry`) is not start-up code in this sense: Home Assistant runs it while \
it serves everything else, and reports a blocking call there itself.

A call made only for some arguments (in `if name.startswith(\"oidc/\"):`, after \
`if dry_run: return`) is not counted where the caller passes literals that rule it out \
(`get_secret(\"OPENAI_API_KEY\")`, `download(url, dry_run=True)`), also through module \
constants and helpers that pass their parameters on.

Severity:
- `high`: a `wait` or `slow` call on every request (`requests.get()` in a route).
- `medium`: a `wait` or `slow` call that runs once (`requests.get()` in a startup handler) \
or on some requests only, or `data` work on every request (`open(path).read()` in a route).
- `low`: a `light` or `none` call, however often (`os.path.exists()` in a route), or \
`data` work that runs once (a cached configuration file).

Only `high` and `medium` findings are shown by default; `--min-severity low` (or \
`min-severity = \"low\"` in the configuration) shows every one, and the summary says how \
many were left out. `low` findings and calls that run once get no fix: a thread hop costs \
more than it saves there. A client built once (in a lifespan, at startup, in a cached \
factory) is what LS702 recommends, and is not reported.
";

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_grouped_by_package_and_owner() {
        let http = calls_section(Rule::BlockingHttpCall).unwrap();
        assert!(http.contains(
            "- `requests`: `delete`, `get`, `head`, `options`, `patch`, `post`, `put`, `request`\n"
        ));
        let redis = packages(Rule::SyncRedisCall);
        assert!(redis[0]
            .calls(true)
            .starts_with("`Redis`: every public method but `from_pool`, "));
        let waits = calls_section(Rule::BlockingWait).unwrap();
        assert!(
            waits.contains("what `concurrent.futures.Executor.map()` returns: iterating over it")
        );
        assert_eq!(calls_section(Rule::BlockingCallThroughHelper), None);
    }

    #[test]
    fn docs_list_the_calls_from_the_catalogue() {
        let http = render_doc(Rule::BlockingHttpCall.info());
        assert!(http.contains("\n\n## Calls it reports\n- `httpx`: `delete`, `get`, "));
        assert!(http.contains("- `urllib3`: `request`\n\n## Why is this bad?\n"));
        let helper = render_doc(Rule::BlockingCallThroughHelper.info());
        assert!(!helper.contains("## Calls it reports"));
        assert!(helper.contains("make a blocking call.\n\n## Why is this bad?\n"));
        assert!(http.contains("## Severity\nThe calls this rule reports cost: `wait`.\n\n"));
        let files = render_doc(Rule::BlockingPathCall.info());
        assert!(
            files.contains("cost: `data`, `light`, `none`.\n\n"),
            "{files}"
        );
        assert!(helper.contains("## Severity\nEvery finding is ranked"));
        for word in [
            "`high`",
            "`medium`",
            "`low`",
            "`per-request`",
            "`once`",
            "`wait`",
        ] {
            assert!(helper.contains(word), "{word}");
        }
    }
}
