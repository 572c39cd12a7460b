//! `import` and `from ... import`: names bound to dotted paths, relative ones made
//! absolute from the module's package.

use ruff_python_ast as ast;

use super::Extractor;
use crate::facts::{Name, Ref};

impl<'a> Extractor<'a> {
    /// `import a.b` binds `a`; `import a.b as c` binds `c` to `a.b`.
    pub(super) fn import(&mut self, i: &'a ast::StmtImport) {
        for alias in &i.names {
            let full = alias.name.as_str();
            self.note_unfollowed(full);
            match &alias.asname {
                Some(asname) => self.bind(asname.as_str(), Ref::Path(Name::from(full))),
                None => {
                    let first = full.split('.').next().unwrap_or(full);
                    self.bind(first, Ref::Path(Name::from(first)));
                }
            }
        }
    }

    /// `from m import x` binds `x` to `m.x`; star imports are listed for the project
    /// stage, which knows what they bring.
    pub(super) fn import_from(&mut self, i: &'a ast::StmtImportFrom) {
        let base = self.import_base(i.level, i.module.as_ref().map(|m| m.as_str()));
        for alias in &i.names {
            let name = alias.name.as_str();
            if name == "*" {
                self.note_unfollowed(&base);
                if self.scopes.len() == 1 {
                    self.facts.star_imports.push(base.clone());
                }
                continue;
            }
            let path = if base.is_empty() {
                Name::from(name)
            } else {
                // Not `format!`: extraction runs this for every imported name.
                Name::from([base.as_str(), name].join("."))
            };
            let bound = alias.asname.as_ref().map(|a| a.as_str()).unwrap_or(name);
            self.note_unfollowed(&path);
            self.bind(bound, Ref::Path(path));
        }
    }

    /// An import for type checkers only, or a fallback for a missing module, at module
    /// level: what it names is not loaded when the module is an installed package's.
    fn note_unfollowed(&mut self, path: &str) {
        if (self.in_type_checking || self.in_import_fallback) && self.scopes.len() == 1 {
            self.facts.unfollowed_imports.push(Name::from(path));
        }
    }

    /// The absolute module an import names, its leading dots counted up from the package.
    fn import_base(&self, level: u32, module: Option<&str>) -> String {
        if level == 0 {
            return module.unwrap_or_default().to_string();
        }
        let mut base = self.package.clone();
        for _ in 1..level {
            base = base
                .rsplit_once('.')
                .map(|(p, _)| p.to_string())
                .unwrap_or_default();
        }
        match module {
            Some(m) if base.is_empty() => m.to_string(),
            Some(m) => format!("{base}.{m}"),
            None => base,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::extract;
    use crate::facts::Ref;

    #[test]
    fn relative_imports() {
        let facts = extract(
            "from . import a\nfrom ..b import c\n",
            "pkg.sub.mod",
            false,
            &[],
        )
        .unwrap();
        assert_eq!(facts.bindings["a"], vec![Ref::Path("pkg.sub.a".into())]);
        assert_eq!(facts.bindings["c"], vec![Ref::Path("pkg.b.c".into())]);
        let facts = extract("from .x import y\n", "pkg", true, &[]).unwrap();
        assert_eq!(facts.bindings["y"], vec![Ref::Path("pkg.x.y".into())]);
    }
}
