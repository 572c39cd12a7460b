//! Adding and removing imports, the one place that knows where a module's imports are
//! and which names they bind (after ruff's `Importer`). Every fix that needs a module
//! asks the importer for the edit that imports it; the imports fixes leave unused are
//! removed here too, once the fixes are applied.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::edit::{apply, Applicability, Edit, Fix};
use crate::line_index::{line_end, line_start};

/// An import a fix needs.
#[derive(Debug, Clone, Copy)]
pub(super) enum Import<'m> {
    /// `import module`
    Module(&'m str),
    /// `from module import member`
    Member { module: &'m str, member: &'m str },
}

/// A top-level import statement.
struct TopImport {
    /// The module of a one-name `import x`; `None` for other imports.
    plain: Option<String>,
    range: TextRange,
    /// The block (imports not separated by a blank line) it belongs to.
    block: usize,
}

/// Names a module binds at top level, and where its imports are.
pub(super) struct Importer<'s> {
    source: &'s str,
    newline: &'static str,
    /// Top-level names bound by anything.
    bound: HashSet<String>,
    /// Top-level import statements in order.
    imports: Vec<TopImport>,
    /// Where code after the imports starts: the end of the last top-level import line,
    /// else after the docstring and `from __future__` imports.
    after_imports: u32,
    /// Names bound to modules or objects from `import`: name -> dotted target.
    imported: HashMap<String, String>,
}

impl<'s> Importer<'s> {
    pub(super) fn new(source: &'s str, newline: &'static str, body: &[Stmt]) -> Self {
        let mut importer = Importer {
            source,
            newline,
            bound: HashSet::default(),
            imports: vec![],
            after_imports: 0,
            imported: HashMap::default(),
        };
        let mut docstring_end = None;
        for (i, stmt) in body.iter().enumerate() {
            let is_docstring = i == 0
                && matches!(stmt, Stmt::Expr(e) if matches!(*e.value, Expr::StringLiteral(_)));
            let is_future = matches!(stmt, Stmt::ImportFrom(f)
                if f.module.as_ref().is_some_and(|m| m.as_str() == "__future__"));
            if is_docstring || is_future {
                docstring_end = Some(importer.line_end(stmt.end()));
            }
            importer.bind(stmt);
        }
        if importer.after_imports == 0 {
            importer.after_imports = docstring_end.unwrap_or(0);
        }
        importer
    }

    /// Records the names a top-level statement binds, and where it is if an import.
    fn bind(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Import(imp) => {
                for alias in &imp.names {
                    let full = alias.name.as_str();
                    let name = match &alias.asname {
                        Some(a) => a.to_string(),
                        None => full.split('.').next().unwrap_or(full).to_string(),
                    };
                    let target = match &alias.asname {
                        Some(_) => full.to_string(),
                        None => name.clone(),
                    };
                    self.imported.insert(name.clone(), target);
                    self.bound.insert(name);
                }
                let plain = match imp.names.as_slice() {
                    [alias] => Some(alias.name.to_string()),
                    _ => None,
                };
                self.push_import(plain, imp.range);
                self.after_imports = self.line_end(imp.end());
            }
            Stmt::ImportFrom(imp) => {
                let module = imp.module.as_ref().map(|m| m.as_str()).unwrap_or("");
                for alias in &imp.names {
                    let name = alias.asname.as_ref().unwrap_or(&alias.name).to_string();
                    if imp.level == 0 {
                        self.imported
                            .insert(name.clone(), format!("{module}.{}", alias.name));
                    }
                    self.bound.insert(name);
                }
                self.push_import(None, imp.range);
                self.after_imports = self.line_end(imp.end());
            }
            Stmt::FunctionDef(f) => {
                self.bound.insert(f.name.to_string());
            }
            Stmt::ClassDef(c) => {
                self.bound.insert(c.name.to_string());
            }
            Stmt::Assign(a) => {
                for t in &a.targets {
                    if let Expr::Name(n) = t {
                        self.bound.insert(n.id.to_string());
                    }
                }
            }
            Stmt::AnnAssign(a) => {
                if let Expr::Name(n) = &*a.target {
                    self.bound.insert(n.id.to_string());
                }
            }
            _ => {}
        }
    }

    fn push_import(&mut self, plain: Option<String>, range: TextRange) {
        let block = match self.imports.last() {
            Some(prev) => {
                let between = &self.source[prev.range.end().to_usize()..range.start().to_usize()];
                if between.matches('\n').count() > 1 {
                    prev.block + 1
                } else {
                    prev.block
                }
            }
            None => 0,
        };
        self.imports.push(TopImport {
            plain,
            range,
            block,
        });
    }

    fn line_start(&self, offset: TextSize) -> u32 {
        line_start(self.source, offset.to_usize()) as u32
    }

    fn line_end(&self, offset: TextSize) -> u32 {
        line_end(self.source, offset.to_usize()) as u32
    }

    /// Whether the module binds `name` at top level.
    pub(super) fn is_bound(&self, name: &str) -> bool {
        self.bound.contains(name)
    }

    /// What an imported name stands for (`module` or `module.name`).
    pub(super) fn target(&self, name: &str) -> Option<&str> {
        self.imported.get(name).map(String::as_str)
    }

    /// A name imported for a target that `wanted` accepts.
    pub(super) fn binding(&self, wanted: impl Fn(&str) -> bool) -> Option<&str> {
        self.imported
            .iter()
            .find(|(_, target)| wanted(target))
            .map(|(name, _)| name.as_str())
    }

    /// Every name imported for `target`.
    pub(super) fn bindings_of<'t>(&'t self, target: &'t str) -> impl Iterator<Item = &'t str> {
        self.imported
            .iter()
            .filter(move |(_, t)| t.as_str() == target)
            .map(|(name, _)| name.as_str())
    }

    /// Where code after the imports starts.
    pub(super) fn after_imports(&self) -> u32 {
        self.after_imports
    }

    /// The bound name of `module` when the file imports it plainly (`import asyncio`),
    /// or `None` when the name is free to be imported.
    pub(super) fn module_name<'m>(&self, module: &'m str) -> Result<Option<&'m str>, ()> {
        match self.imported.get(module) {
            Some(target) if target == module => Ok(Some(module)),
            Some(_) => Err(()),
            None if self.bound.contains(module) => Err(()),
            None => Ok(None),
        }
    }

    /// The edit adding `import`. `import module` goes next to the imports it belongs
    /// with: in the block that imports one of its neighbours (the standard library, or
    /// requests for httpx), in alphabetical order among the plain imports, before the
    /// `from` imports. A `from` import goes after the last import.
    pub(super) fn add(&self, import: Import) -> Edit {
        let nl = self.newline;
        let (at, statement) = match import {
            Import::Module(module) => (self.in_block(module), format!("import {module}")),
            Import::Member { module, member } => (None, format!("from {module} import {member}")),
        };
        let at = at.unwrap_or(self.after_imports);
        let mut content = format!("{statement}{nl}");
        // A module without imports: set them apart from its first statement.
        if at == 0 && !self.source.is_empty() && self.imports.is_empty() {
            content.push_str(nl);
        }
        Edit::insert(at, content)
    }

    /// Where `import module` goes in the block of its neighbours, if there is one.
    fn in_block(&self, module: &str) -> Option<u32> {
        let neighbours: &[&str] = if module == "httpx" {
            &["requests", "aiohttp", "fastapi", "starlette"]
        } else {
            STDLIB
        };
        let block = self
            .imports
            .iter()
            .find(|i| i.plain.as_deref().is_some_and(|p| neighbours.contains(&p)))?
            .block;
        let in_block = || self.imports.iter().filter(move |i| i.block == block);
        in_block()
            .find(|i| match &i.plain {
                Some(p) => p.as_str() > module,
                None => true,
            })
            .map(|i| self.line_start(i.range.start()))
            .or_else(|| in_block().next_back().map(|i| self.line_end(i.range.end())))
    }
}

/// Names read anywhere in a module.
fn used_names(body: &[Stmt]) -> HashMap<String, usize> {
    struct Uses(HashMap<String, usize>);
    impl<'a> Visitor<'a> for Uses {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Name(n) = expr {
                if n.ctx == ast::ExprContext::Load {
                    *self.0.entry(n.id.to_string()).or_default() += 1;
                }
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut uses = Uses(HashMap::default());
    uses.visit_body(body);
    uses.0
}

/// Removes the top-level imports of `modules` (and of names from them) that `before`
/// used and `after` no longer does: `import asyncio` once the last `asyncio.run` is gone.
pub fn remove_unused_imports(before: &str, after: &str, modules: &[&str]) -> String {
    let (Ok(old), Ok(new)) = (
        ruff_python_parser::parse_module(before),
        ruff_python_parser::parse_module(after),
    ) else {
        return after.to_string();
    };
    let used_before = used_names(&old.syntax().body);
    let used_after = used_names(&new.syntax().body);
    let from = |module: &str| {
        modules
            .iter()
            .any(|m| module == *m || module.starts_with(&format!("{m}.")))
    };
    let unused = |name: &str, module: &str| {
        from(module)
            && used_before.get(name).copied().unwrap_or(0) > 0
            && used_after.get(name).copied().unwrap_or(0) == 0
    };
    let nl = if after.contains("\r\n") { "\r\n" } else { "\n" };
    let mut edits: Vec<Edit> = vec![];
    for stmt in &new.syntax().body {
        let Some(names) = imported_names(stmt, after) else {
            continue;
        };
        let keep: Vec<&str> = names
            .iter()
            .filter(|(bound, module, _)| !unused(bound, module))
            .map(|(_, _, text)| *text)
            .collect();
        if keep.len() == names.len() {
            continue;
        }
        edits.extend(keep_only(after, stmt, &keep, nl));
    }
    let fix = Fix {
        applicability: Applicability::Safe,
        message: String::new(),
        edits,
    };
    apply(after, &[&fix]).0
}

/// The names an import statement binds: each with the module it comes from and the
/// text that imports it (`a.b as c`). `None` for other statements.
fn imported_names<'t>(stmt: &'t Stmt, text: &'t str) -> Option<Vec<(String, &'t str, &'t str)>> {
    match stmt {
        Stmt::Import(imp) => Some(
            imp.names
                .iter()
                .map(|a| {
                    let bound = match &a.asname {
                        Some(n) => n.to_string(),
                        None => a.name.split('.').next().unwrap_or("").to_string(),
                    };
                    (bound, a.name.as_str(), &text[a.range])
                })
                .collect(),
        ),
        Stmt::ImportFrom(imp) => {
            let module = match (imp.level, &imp.module) {
                (0, Some(m)) => m.as_str(),
                _ => "",
            };
            Some(
                imp.names
                    .iter()
                    .map(|a| {
                        let bound = a.asname.as_ref().unwrap_or(&a.name).to_string();
                        (bound, module, &text[a.range])
                    })
                    .collect(),
            )
        }
        _ => None,
    }
}

/// The edit that rewrites an import statement to import only `keep` (removing it when
/// that is nothing), where the statement has its lines to itself.
fn keep_only(after: &str, stmt: &Stmt, keep: &[&str], nl: &str) -> Option<Edit> {
    let start = line_start(after, stmt.start().to_usize());
    let end = stmt.end().to_usize();
    let mut line_end = line_end(after, end);
    // Only whole statements on their own lines are rewritten.
    if !after[start..stmt.start().to_usize()].trim().is_empty()
        || !after[end..line_end].trim().is_empty()
    {
        return None;
    }
    if keep.is_empty() {
        // A statement alone between blank lines takes one of them with it.
        let blank_before = after[..start].ends_with("\n\n") || after[..start].ends_with("\n\r\n");
        let rest = &after[line_end..];
        let next = rest.find('\n').map(|i| i + 1).unwrap_or(rest.len());
        if (blank_before || start == 0) && rest[..next].trim().is_empty() && next > 0 {
            line_end += next;
        }
    }
    let content = if keep.is_empty() {
        String::new()
    } else {
        let text = match stmt {
            Stmt::Import(_) => format!("import {}", keep.join(", ")),
            Stmt::ImportFrom(imp) => format!(
                "from {}{} import {}",
                ".".repeat(imp.level as usize),
                imp.module.as_ref().map(|m| m.as_str()).unwrap_or(""),
                keep.join(", ")
            ),
            _ => unreachable!("only imports reach here"),
        };
        let indent = &after[start..stmt.start().to_usize()];
        format!("{indent}{text}{nl}")
    };
    Some(Edit {
        start: start as u32,
        end: line_end as u32,
        content,
    })
}

/// Standard-library modules that mark the block of standard imports.
const STDLIB: &[&str] = &[
    "abc",
    "asyncio",
    "collections",
    "contextlib",
    "dataclasses",
    "datetime",
    "enum",
    "functools",
    "io",
    "itertools",
    "json",
    "logging",
    "math",
    "os",
    "pathlib",
    "re",
    "shutil",
    "socket",
    "subprocess",
    "sys",
    "tempfile",
    "threading",
    "time",
    "typing",
    "uuid",
];
