//! The shape of the library's source, read as text: no function longer than
//! [`MAX_FUNCTION_LINES`] (data tables aside), and no cycle between its top-level modules
//! (a folder module counts as one, and the crate root, `lib.rs`, as one of its own).

// Each test uses some of the shared helpers.
#[allow(dead_code)]
#[path = "support/files.rs"]
mod files;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_FUNCTION_LINES: usize = 150;

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `src`, relative to it, with its text.
fn sources() -> Vec<(PathBuf, String)> {
    files::files_ending(&src_dir(), "rs")
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            (path.strip_prefix(src_dir()).unwrap().to_path_buf(), text)
        })
        .collect()
}

/// The text with every comment, string and character literal blanked out (newlines
/// kept, so offsets and lines stay those of the source): braces and paths left in it are
/// code.
fn code_only(text: &str) -> Vec<u8> {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to.min(b.len())] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        if rest.starts_with(b"//") {
            let end = rest
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |n| i + n);
            blank(&mut out, i, end);
            i = end;
        } else if rest.starts_with(b"/*") {
            let (mut depth, mut j) = (0usize, i);
            while j < b.len() {
                if b[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if b[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if let Some(end) = raw_string_end(b, i) {
            blank(&mut out, i, end);
            i = end;
        } else if b[i] == b'"' && (i == 0 || !is_ident(b[i - 1]) || b[i - 1] == b'b') {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            blank(&mut out, i, j + 1);
            i = j + 1;
        } else if b[i] == b'\'' {
            // A character literal ('x', '\n', '\u{7f}'), or a lifetime ('a), left alone.
            let end = if rest.get(1) == Some(&b'\\') {
                rest[2..]
                    .iter()
                    .position(|&c| c == b'\'')
                    .map(|n| i + n + 3)
            } else if rest.get(2) == Some(&b'\'') {
                Some(i + 3)
            } else {
                std::str::from_utf8(&rest[1..])
                    .ok()
                    .and_then(|s| s.chars().next())
                    .filter(|c| !c.is_ascii() && rest.get(1 + c.len_utf8()) == Some(&b'\''))
                    .map(|c| i + 2 + c.len_utf8())
            };
            match end {
                Some(end) => {
                    blank(&mut out, i, end);
                    i = end;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    out
}

/// Where the raw string starting at `i` (`r"…"`, `r#"…"#`, `br"…"`) ends, if one does.
fn raw_string_end(b: &[u8], i: usize) -> Option<usize> {
    if i > 0 && is_ident(b[i - 1]) && b[i - 1] != b'b' {
        return None;
    }
    let start = if b[i..].starts_with(b"br") {
        i + 2
    } else {
        i + 1
    };
    if b[i] != b'r' && !b[i..].starts_with(b"br") {
        return None;
    }
    let hashes = b[start..].iter().take_while(|&&c| c == b'#').count();
    if b.get(start + hashes) != Some(&b'"') {
        return None;
    }
    let mut close = vec![b'"'];
    close.extend(std::iter::repeat_n(b'#', hashes));
    let body = start + hashes + 1;
    b[body..]
        .windows(close.len())
        .position(|w| w == close.as_slice())
        .map(|n| body + n + close.len())
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The identifier starting at `i`.
fn ident_at(code: &[u8], i: usize) -> &str {
    let len = code[i..].iter().take_while(|&&c| is_ident(c)).count();
    std::str::from_utf8(&code[i..i + len]).unwrap()
}

/// Whether the word `word` starts at `i` (not inside a longer identifier).
fn word_at(code: &[u8], i: usize, word: &str) -> bool {
    code[i..].starts_with(word.as_bytes())
        && (i == 0 || !is_ident(code[i - 1]))
        && code.get(i + word.len()).is_none_or(|&c| !is_ident(c))
}

fn line_of(code: &[u8], offset: usize) -> usize {
    code[..offset].iter().filter(|&&c| c == b'\n').count() + 1
}

/// The offset of the brace closing the one at `open`.
fn matching_brace(code: &[u8], open: usize) -> usize {
    let mut depth = 0;
    for (i, &c) in code.iter().enumerate().skip(open) {
        match c {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    code.len()
}

/// Each function with a body: its name, first line, and length in lines (from the line
/// of `fn` to that of its closing brace). Functions under `#[rustfmt::skip]` (data
/// tables) are left out.
fn functions(text: &str) -> Vec<(String, usize, usize)> {
    let code = code_only(text);
    let mut out = vec![];
    for i in 0..code.len() {
        if !word_at(&code, i, "fn") {
            continue;
        }
        let name_at = i
            + 2
            + code[i + 2..]
                .iter()
                .take_while(|c| c.is_ascii_whitespace())
                .count();
        let name = ident_at(&code, name_at);
        if name.is_empty() {
            continue; // `fn(…)`, a function pointer type
        }
        // The body opens at the first `{` before any `;` (a declaration without one).
        let Some(open) = code[name_at..]
            .iter()
            .position(|&c| c == b'{' || c == b';')
            .map(|n| name_at + n)
            .filter(|&at| code[at] == b'{')
        else {
            continue;
        };
        let first = line_of(&code, i);
        if under_skip(text, first) {
            continue;
        }
        let last = line_of(&code, matching_brace(&code, open));
        out.push((name.to_string(), first, last - first + 1));
    }
    out
}

/// Whether the item starting on `line` (1-based) has `#[rustfmt::skip]` among the
/// attributes and doc comments right above it.
fn under_skip(text: &str, line: usize) -> bool {
    let lines: Vec<&str> = text.lines().collect();
    lines[..line - 1]
        .iter()
        .rev()
        .map(|l| l.trim())
        .take_while(|l| l.starts_with("#[") || l.starts_with("///") || l.starts_with("//"))
        .any(|l| l.starts_with("#[rustfmt::skip"))
}

#[test]
fn no_function_is_longer_than_the_limit() {
    let mut long = vec![];
    for (path, text) in sources() {
        for (name, line, len) in functions(&text) {
            if len > MAX_FUNCTION_LINES {
                long.push(format!(
                    "src/{}:{line}: `{name}` is {len} lines",
                    path.display()
                ));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions longer than {MAX_FUNCTION_LINES} lines (split them; a data table can be \
         marked #[rustfmt::skip]):\n{}\n",
        long.join("\n")
    );
}

/// The top-level module a file belongs to (`lib` for the crate root), and how deep the
/// file's own module is below the root (`frameworks/mod.rs` 1, `frameworks/flask.rs` 2).
fn module_of(path: &Path) -> (String, usize) {
    let parts: Vec<String> = path
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts == ["lib.rs"] {
        return ("lib".to_string(), 0);
    }
    let top = parts[0].trim_end_matches(".rs").to_string();
    let depth = parts.len() - usize::from(parts.last().is_some_and(|p| p == "mod.rs"));
    (top, depth)
}

/// For each offset, how many inline modules (`mod tests { … }`) enclose it.
fn inline_module_depth(code: &[u8]) -> Vec<usize> {
    let mut depth = vec![0; code.len() + 1];
    // For each open brace, whether it opens a module.
    let mut stack: Vec<bool> = vec![];
    let mut mods = 0;
    for i in 0..code.len() {
        match code[i] {
            b'{' => {
                // `mod name {`: the two words before the brace.
                let skip_space = |mut j: usize| {
                    while j > 0 && code[j - 1].is_ascii_whitespace() {
                        j -= 1;
                    }
                    j
                };
                let skip_ident = |mut j: usize| {
                    while j > 0 && is_ident(code[j - 1]) {
                        j -= 1;
                    }
                    j
                };
                let name_end = skip_space(i);
                let name_start = skip_ident(name_end);
                let word_end = skip_space(name_start);
                let word_start = skip_ident(word_end);
                let is_mod = name_start < name_end && &code[word_start..word_end] == b"mod";
                stack.push(is_mod);
                mods += usize::from(is_mod);
            }
            b'}' => mods -= usize::from(stack.pop() == Some(true)),
            _ => {}
        }
        depth[i] = mods;
    }
    depth
}

/// The top-level modules a file refers to, each with the line of its first reference:
/// paths through `crate::` (or `$crate::`), through enough `super::` to reach the crate
/// root, and in the crate root, paths that start with a module's name. A name at the
/// root that is not a module (`crate::CheckResult`) is the root's, `lib`.
///
/// Test modules (`#[cfg(test)] mod tests { … }`) are left out: what only tests use is no
/// dependency of the library.
fn references(path: &Path, text: &str, modules: &BTreeSet<String>) -> BTreeMap<String, usize> {
    let mut code = code_only(text);
    blank_test_modules(&mut code);
    let (own, file_depth) = module_of(path);
    let inline = inline_module_depth(&code);
    let mut out = BTreeMap::new();
    let mut add = |target: &str, at: usize| {
        let target = if modules.contains(target) {
            target
        } else {
            "lib"
        };
        if target != own {
            out.entry(target.to_string())
                .or_insert_with(|| line_of(&code, at));
        }
    };
    let mut i = 0;
    while i < code.len() {
        let at_path_start = i == 0 || !(is_ident(code[i - 1]) || code[i - 1] == b':');
        let root_next = if !at_path_start {
            None
        } else if word_at(&code, i, "crate") && code[i + 5..].starts_with(b"::") {
            Some(i + 7)
        } else if word_at(&code, i, "super") {
            let mut j = i;
            let mut supers = 0;
            while word_at(&code, j, "super") && code[j + 5..].starts_with(b"::") {
                supers += 1;
                j += 7;
            }
            // Module depth of the place: the file's, plus its inline modules.
            (supers > 0 && supers == file_depth + inline[i]).then_some(j)
        } else if own == "lib" && inline[i] == 0 {
            let name = ident_at(&code, i);
            (!name.is_empty()
                && modules.contains(name)
                && code[i + name.len()..].starts_with(b"::"))
            .then_some(i)
        } else {
            None
        };
        let Some(next) = root_next else {
            i += 1;
            continue;
        };
        let next = next
            + code[next..]
                .iter()
                .take_while(|c| c.is_ascii_whitespace())
                .count();
        if code.get(next) == Some(&b'{') {
            // `crate::{a, b::c}`: each item's first name.
            let close = matching_brace(&code, next);
            let mut depth = 0;
            let mut item_start = true;
            for j in next + 1..close {
                match code[j] {
                    b'{' => depth += 1,
                    b'}' => depth -= 1,
                    b',' if depth == 0 => item_start = true,
                    c if item_start && is_ident(c) => {
                        add(ident_at(&code, j), i);
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            add(ident_at(&code, next), i);
        }
        i = next.max(i + 1);
    }
    out
}

/// Blanks the body of each `#[cfg(test)] mod name { … }`.
fn blank_test_modules(code: &mut [u8]) {
    let attr = b"#[cfg(test)]";
    let mut i = 0;
    while let Some(n) = code[i..].windows(attr.len()).position(|w| w == attr) {
        let mut j = i + n + attr.len();
        i = j;
        let skip_space = |code: &[u8], mut j: usize| {
            while code.get(j).is_some_and(u8::is_ascii_whitespace) {
                j += 1;
            }
            j
        };
        j = skip_space(code, j);
        if word_at(code, j, "pub") {
            j = skip_space(code, j + 3);
        }
        if !word_at(code, j, "mod") {
            continue;
        }
        j = skip_space(code, j + 3);
        j = skip_space(code, j + ident_at(code, j).len());
        if code.get(j) == Some(&b'{') {
            let close = matching_brace(code, j);
            for c in &mut code[j + 1..close] {
                if *c != b'\n' {
                    *c = b' ';
                }
            }
            i = close;
        }
    }
}

/// Each top-level module's references to the others: module -> (module -> where).
fn module_graph() -> BTreeMap<String, BTreeMap<String, String>> {
    let files = sources();
    let modules: BTreeSet<String> = files
        .iter()
        .map(|(p, _)| module_of(p).0)
        .filter(|m| m != "lib")
        .collect();
    let mut graph: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (path, text) in &files {
        let (own, _) = module_of(path);
        let edges = graph.entry(own).or_default();
        for (target, line) in references(path, text, &modules) {
            edges
                .entry(target)
                .or_insert_with(|| format!("src/{}:{line}", path.display()));
        }
    }
    graph
}

/// The groups of modules that reach each other (strongly connected, more than one).
fn cycles(graph: &BTreeMap<String, BTreeMap<String, String>>) -> Vec<Vec<String>> {
    let reach = |from: &String| {
        let mut seen = BTreeSet::from([from.clone()]);
        let mut todo = vec![from.clone()];
        while let Some(m) = todo.pop() {
            for next in graph.get(&m).into_iter().flat_map(BTreeMap::keys) {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|m| (m, reach(m))).collect();
    let mut groups: Vec<Vec<String>> = vec![];
    for m in graph.keys() {
        if groups.iter().any(|g| g.contains(m)) {
            continue;
        }
        let group: Vec<String> = reaches[m]
            .iter()
            .filter(|other| reaches.get(other).is_some_and(|r| r.contains(m)))
            .cloned()
            .collect();
        if group.len() > 1 {
            groups.push(group);
        }
    }
    groups
}

/// The shortest cycle of at least `min` modules within `group`, if any: `a -> b -> a`.
fn shortest_cycle(
    graph: &BTreeMap<String, BTreeMap<String, String>>,
    group: &[String],
    min: usize,
) -> Option<Vec<String>> {
    let mut best: Option<Vec<String>> = None;
    for start in group {
        // Breadth first over simple paths from `start`, shortest first.
        let mut paths = vec![vec![start.clone()]];
        while !paths.is_empty() && best.as_ref().is_none_or(|b| paths[0].len() < b.len()) {
            let mut longer = vec![];
            for path in &paths {
                let last = path.last().unwrap();
                for next in graph[last].keys().filter(|n| group.contains(n)) {
                    if next == start && path.len() >= min {
                        let mut cycle = path.clone();
                        cycle.push(start.clone());
                        if best.as_ref().is_none_or(|b| cycle.len() < b.len()) {
                            best = Some(cycle);
                        }
                    } else if !path.contains(next) {
                        let mut p = path.clone();
                        p.push(next.clone());
                        longer.push(p);
                    }
                }
            }
            paths = longer;
        }
    }
    best
}

#[test]
fn no_cycle_between_top_level_modules() {
    let graph = module_graph();
    let mut report = vec![];
    for group in cycles(&graph) {
        report.push(format!("modules in a cycle: {}", group.join(", ")));
        if let Some(cycle) = shortest_cycle(&graph, &group, 3) {
            report.push(format!(
                "    shortest cycle past pairs: {}",
                cycle.join(" -> ")
            ));
        }
        // Each pair that refers both ways, then every other reference inside the group.
        for a in &group {
            for (b, at) in &graph[a] {
                if !group.contains(b) {
                    continue;
                }
                let both = graph.get(b).and_then(|e| e.get(a));
                match both {
                    Some(back) if a < b => report.push(format!(
                        "    {a} ⇄ {b}: {a} -> {b} at {at}, {b} -> {a} at {back}"
                    )),
                    Some(_) => {}
                    None => report.push(format!("    {a} -> {b} at {at}")),
                }
            }
        }
    }
    assert!(
        report.is_empty(),
        "top-level modules that refer to each other (through `crate::`, `super::`, and the \
         crate root's own paths):\n{}\n",
        report.join("\n")
    );
}

/// The reader itself, on text made for it: it runs while the tests above wait.
#[test]
fn the_reader_finds_long_functions_and_references() {
    let text = "use crate::{facts::Name, project};\n\
                use super::Value;\n\
                /// crate::render in a comment\n\
                fn short(x: fn(u8)) -> &'static str { let c = '{'; \"crate::cache {\" }\n\
                #[rustfmt::skip]\n\
                fn table() {\n}\n\
                fn long() {\n    let s = r#\"}\"#;\n\n}\n\
                #[cfg(test)]\nmod tests {\n    use crate::config;\n}\n";
    let found: Vec<(String, usize, usize)> = functions(text);
    assert_eq!(
        found,
        [("short".to_string(), 4, 1), ("long".to_string(), 8, 4)]
    );
    let modules: BTreeSet<String> = ["facts", "project", "render", "cache", "config"]
        .map(String::from)
        .into();
    let refs = references(Path::new("notes.rs"), text, &modules);
    let names: Vec<&str> = refs.keys().map(String::as_str).collect();
    assert_eq!(names, ["facts", "lib", "project"]);
    let in_folder = references(
        Path::new("frameworks/flask.rs"),
        "use super::Scan;",
        &modules,
    );
    assert!(in_folder.is_empty(), "{in_folder:?}");
}
