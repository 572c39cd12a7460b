//! What an edit changed: whether two versions of a module's facts have the same shape
//! (only positions moved, so the last analysis holds) or offer the rest of the project
//! the same interface (so only the edited module's calls need resolving again).

use crate::facts::{Arg, Call, Class, Function, FunctionKind, Given, Lit, ModuleFacts, Ref, Span};
use crate::fingerprint::name_hash;

impl ModuleFacts {
    /// Whether `other` is these facts with only their positions moved: every name,
    /// reference and call the same, in the same order, and every position in the same
    /// order relative to every other (so any "is this call inside that function" or "does
    /// this come first" question has the same answer), with the same suppression on the
    /// line of each call. Editing a comment, a docstring, a literal or the layout of a
    /// file, or inserting lines, keeps the shape; adding or removing a call does not.
    ///
    /// The project stage reads positions only by comparing them, and suppressions only at
    /// calls, so what it concludes from facts of the same shape is the same, up to where
    /// each call now is.
    pub fn same_shape(&self, other: &ModuleFacts) -> bool {
        let mut ends = Positions::new(self, other);
        let functions = &self.functions;
        let same = self.same_outline(other, &mut ends)
            && self.bindings == other.bindings
            && functions.len() == other.functions.len()
            && functions
                .iter()
                .zip(&other.functions)
                .all(|(a, b)| a.same_shape(b, &mut ends));
        if !same {
            return false;
        }
        let calls = functions
            .iter()
            .zip(&other.functions)
            .flat_map(|(a, b)| a.calls.iter().zip(&b.calls));
        for (a, b) in calls {
            if self.suppression_at(a.span.start) != other.suppression_at(b.span.start) {
                return false;
            }
        }
        ends.same_order()
    }

    /// What [`ModuleFacts::same_shape`] and [`ModuleFacts::same_interface`] both require:
    /// the same module, star imports, settings, `state` stores and classes, and as many
    /// `if __name__ == "__main__":` blocks, their positions paired in `ends`.
    fn same_outline(&self, other: &ModuleFacts, ends: &mut Positions) -> bool {
        // Destructured whole, so that a field added to the facts must be placed here.
        let ModuleFacts {
            name,
            is_package,
            // Each comparison has its own rule for these.
            functions: _,
            bindings: _,
            // Read only at calls.
            suppressions: _,
            line_starts: _,
            classes,
            star_imports,
            main_guards,
            settings,
            state_attrs,
            outside_attrs,
            constants,
            // Compared where calls pass them.
            literals: _,
            unresolved_calls,
            // An index of the calls, compared with them.
            called_names: _,
            // Only which installed modules are loaded depends on them.
            unfollowed_imports: _,
        } = self;
        let same = *name == other.name
            && *unresolved_calls == other.unresolved_calls
            && *constants == other.constants
            && *is_package == other.is_package
            && *star_imports == other.star_imports
            && *settings == other.settings
            && *state_attrs == other.state_attrs
            && *outside_attrs == other.outside_attrs
            && classes.len() == other.classes.len()
            && main_guards.len() == other.main_guards.len()
            && classes
                .iter()
                .zip(&other.classes)
                .all(|(a, b)| a.same_shape(b, ends));
        if !same {
            return false;
        }
        for (a, b) in main_guards.iter().zip(&other.main_guards) {
            ends.pair(*a, *b);
        }
        true
    }
}

impl Function {
    fn same_shape(&self, other: &Function, ends: &mut Positions) -> bool {
        let Function {
            name,
            qualname,
            kind,
            is_async,
            class,
            parent,
            span,
            name_span,
            decorators,
            returns,
            returned,
            returns_param,
            is_generator,
            loops,
            calls,
            params,
        } = self;
        ends.pair(*span, other.span);
        ends.pair(*name_span, other.name_span);
        *name == other.name
            && *qualname == other.qualname
            && *kind == other.kind
            && *is_async == other.is_async
            && *class == other.class
            && *parent == other.parent
            && *decorators == other.decorators
            && *returns == other.returns
            && *returned == other.returned
            && *returns_param == other.returns_param
            && *is_generator == other.is_generator
            && *loops == other.loops
            && *params == other.params
            && calls.len() == other.calls.len()
            && calls
                .iter()
                .zip(&other.calls)
                .all(|(a, b)| a.same_shape(b, ends))
    }
}

impl Call {
    fn same_shape(&self, other: &Call, ends: &mut Positions) -> bool {
        let Call {
            callee,
            span,
            func_span,
            args,
            awaited,
            nonblocking,
            once,
            off_loop,
            conditional,
            bundled_file,
            guarded_by,
            kind,
        } = self;
        ends.pair(*span, other.span);
        ends.pair(*func_span, other.func_span);
        *callee == other.callee
            && *awaited == other.awaited
            && *nonblocking == other.nonblocking
            && *once == other.once
            && *off_loop == other.off_loop
            && *conditional == other.conditional
            && *bundled_file == other.bundled_file
            && *guarded_by == other.guarded_by
            && *kind == other.kind
            && args.len() == other.args.len()
            && args.iter().zip(&other.args).all(|(a, b)| {
                let Arg {
                    keyword,
                    value,
                    span,
                    given,
                } = a;
                ends.pair(*span, b.span);
                *keyword == b.keyword && *value == b.value && ends.same_given(*given, b.given)
            })
    }
}

impl Class {
    fn same_shape(&self, other: &Class, ends: &mut Positions) -> bool {
        let Class {
            name,
            qualname,
            bases,
            methods,
            attrs,
            span,
        } = self;
        ends.pair(*span, other.span);
        *name == other.name
            && *qualname == other.qualname
            && *bases == other.bases
            && *methods == other.methods
            && *attrs == other.attrs
    }
}

/// Every span of two versions of a module's facts, side by side.
#[derive(Default)]
struct Positions<'a> {
    /// Each version's table of what calls pass ([`ModuleFacts::literals`]): arguments
    /// are compared by what they pass, not by where it sits in the table.
    literals: (&'a [Lit], &'a [Lit]),
    spans: Vec<(Span, Span)>,
    /// Spans, in the first version, of functions whose calls changed: where what
    /// encloses one ends is not compared ([`ModuleFacts::same_interface`]). Known only
    /// once every function is compared, so spans are kept whole until then.
    edited: Vec<Span>,
}

impl Positions<'_> {
    fn new<'a>(a: &'a ModuleFacts, b: &'a ModuleFacts) -> Positions<'a> {
        Positions {
            literals: (&a.literals, &b.literals),
            ..Positions::default()
        }
    }

    /// Whether two arguments pass the same thing.
    fn same_given(&self, a: Given, b: Given) -> bool {
        let (x, y) = self.literals;
        match (a, b) {
            (Given::Lit(i), Given::Lit(j))
            | (Given::Global(i), Given::Global(j))
            | (Given::Prefix(i), Given::Prefix(j)) => x.get(i as usize) == y.get(j as usize),
            (a, b) => a == b,
        }
    }

    fn pair(&mut self, a: Span, b: Span) {
        self.spans.push((a, b));
    }

    /// Whether any two positions compare in the second version as they did in the first.
    /// Sorted by the first, neighbours suffice: order and equality are transitive.
    fn same_order(self) -> bool {
        let encloses_edit = |a: &Span| {
            self.edited
                .iter()
                .any(|e| a.start <= e.start && e.end <= a.end)
        };
        let mut pairs = Vec::with_capacity(self.spans.len() * 2);
        for (a, b) in &self.spans {
            pairs.push((a.start, b.start));
            if !encloses_edit(a) {
                pairs.push((a.end, b.end));
            }
        }
        pairs.sort_unstable();
        pairs.windows(2).all(|w| {
            let ((a1, b1), (a2, b2)) = (w[0], w[1]);
            if a1 == a2 {
                b1 == b2
            } else {
                b1 < b2
            }
        })
    }
}

impl ModuleFacts {
    /// Whether `new`, an edit of these facts, offers the rest of the project what these
    /// did: what other modules' calls resolve to, and what framework detection sees,
    /// cannot have changed, so the last analysis of every other module still holds and
    /// only this module's functions need resolving again.
    ///
    /// The edit may add, remove or change calls inside functions, append functions at the
    /// end of the module, and bind new names (an import) that nothing mentions yet, with
    /// nothing else changed. Not when:
    /// - a name already bound, a class, decorator, signature or return value changed, or a
    ///   function was added anywhere but at the end (the others' numbers would shift);
    /// - a call that changed may register something with a framework
    ///   (`registration`), is written inside one that may, or in a decorator or default
    ///   value (framework detection reads those);
    /// - a function whose calls changed is returned by another (a decorator's wrapper:
    ///   whether it hands work to a thread decides what its decorator does elsewhere);
    /// - a function added has decorators, is a method, is in a test module, is named by
    ///   anything in the project already (`mentioned`): a name that was missing until now
    ///   may have been looked up, or is a coroutine whose name says it runs at start-up or
    ///   shutdown (detection reads the name).
    pub fn same_interface(
        &self,
        new: &ModuleFacts,
        mentioned: impl Fn(&str) -> bool,
        registration: impl Fn(&Call) -> bool,
        test_module: bool,
    ) -> bool {
        // Suppressions are read only at the module's own calls, which are resolved again.
        let (functions, bindings) = (&self.functions, &self.bindings);
        let mut ends = Positions::new(self, new);
        if !self.same_outline(new, &mut ends) || functions.len() > new.functions.len() {
            return false;
        }
        let added = functions.len() as u32..new.functions.len() as u32;
        // Every name bound before is bound as before. A new one (an import, a function
        // added) only under a name nothing mentions: whatever looks a name up mentions it.
        if bindings.iter().any(|(k, v)| new.bindings.get(k) != Some(v))
            || new
                .bindings
                .keys()
                .any(|k| !bindings.contains_key(k) && mentioned(k))
        {
            return false;
        }
        let returned = |facts: &ModuleFacts, f: u32| {
            facts
                .functions
                .iter()
                .any(|g| g.returned.contains(&Ref::Function(f)))
        };
        for (i, (a, b)) in functions.iter().zip(&new.functions).enumerate() {
            if !a.same_but_calls(b, &mut ends) {
                return false;
            }
            // Calls kept are paired by position only when they match: pairing a call
            // with the one added in its place would make the order look changed.
            let mut matches = |x: &Call, y: &Call| {
                let mut these = Positions::new(self, new);
                let same = x.same_shape(y, &mut these);
                if same {
                    ends.spans.extend(these.spans);
                }
                same
            };
            let prefix = a
                .calls
                .iter()
                .zip(&b.calls)
                .take_while(|(x, y)| matches(x, y))
                .count();
            let suffix = a.calls[prefix..]
                .iter()
                .rev()
                .zip(b.calls[prefix..].iter().rev())
                .take_while(|(x, y)| matches(x, y))
                .count();
            let gone = &a.calls[prefix..a.calls.len() - suffix];
            let come = &b.calls[prefix..b.calls.len() - suffix];
            // Whatever encloses a function whose calls or length changed (the function,
            // those around it, its class, a decorator's call on it) ends elsewhere
            // relative to what is inside it: a call added last ends where the function
            // used to. Where those end is not compared; what was inside each is inside it
            // still, and what was after it, after it.
            let resized = a.span.end - a.span.start != b.span.end - b.span.start;
            if !gone.is_empty() || !come.is_empty() || resized {
                ends.edited.push(a.span);
            }
            if gone.is_empty() && come.is_empty() {
                continue;
            }
            let i = i as u32;
            if returned(self, i) || returned(new, i) {
                return false;
            }
            let quiet = |facts: &ModuleFacts, f: &Function, calls: &[Call]| {
                calls
                    .iter()
                    .all(|c| out_of_sight(facts, i, f, c, &registration))
            };
            if !quiet(self, a, gone) || !quiet(new, b, come) {
                return false;
            }
        }
        for i in added {
            let f = &new.functions[i as usize];
            let plain = f.kind == FunctionKind::Function
                && f.class.is_none()
                && f.decorators.is_empty()
                && !test_module
                && !mentioned(&f.name)
                && crate::frameworks::named_entry(new, f).is_none()
                && f.calls
                    .iter()
                    .all(|c| out_of_sight(new, i, f, c, &registration));
            if !plain {
                return false;
            }
        }
        ends.same_order()
    }

    /// Hashes of every name the module's references mention (`_edit` in
    /// `from app.util import _edit`, `util._edit`, `_edit()`), for
    /// [`ModuleFacts::same_interface`].
    pub fn mentions(&self, out: &mut Vec<u64>) {
        fn walk(r: &Ref, out: &mut Vec<u64>) {
            let mut r = r;
            loop {
                r = match r {
                    Ref::Name(n) => return out.push(name_hash(n)),
                    Ref::Path(p) => return out.extend(p.split('.').map(name_hash)),
                    Ref::Attr(inner, n) => {
                        out.push(name_hash(n));
                        inner
                    }
                    Ref::Call(inner)
                    | Ref::Item(inner)
                    | Ref::Instance(inner)
                    | Ref::BinOp(inner, _)
                    | Ref::ReflectedBinOp(inner, _) => inner,
                    Ref::AnyOf(items) => return items.iter().for_each(|i| walk(i, out)),
                    Ref::Partial(maker, func) => {
                        walk(maker, out);
                        func
                    }
                    _ => return,
                }
            }
        }
        for refs in self.bindings.values() {
            refs.iter().for_each(|r| walk(r, out));
        }
        for f in &self.functions {
            f.decorators.iter().for_each(|r| walk(r, out));
            f.returns.iter().for_each(|r| walk(r, out));
            f.returned.iter().for_each(|r| walk(r, out));
            for c in &f.calls {
                walk(&c.callee, out);
                c.args.iter().for_each(|a| walk(&a.value, out));
            }
        }
        for c in &self.classes {
            c.bases.iter().for_each(|r| walk(r, out));
            c.attrs.iter().for_each(|(_, r)| walk(r, out));
        }
        self.state_attrs.iter().for_each(|(_, r)| walk(r, out));
        for (receiver, attr, value) in &self.outside_attrs {
            walk(receiver, out);
            out.push(name_hash(attr));
            walk(value, out);
        }
        for (_, paths) in &self.settings {
            out.extend(paths.iter().flat_map(|p| p.split('.')).map(name_hash));
        }
    }
}

/// Whether framework detection cannot see `call`, made in function `f` (number `i`):
/// it registers nothing, is not written inside a call that may, and is not in the
/// decorators or default values of a function defined inside `f`.
fn out_of_sight(
    facts: &ModuleFacts,
    i: u32,
    f: &Function,
    call: &Call,
    registration: impl Fn(&Call) -> bool,
) -> bool {
    let within = |outer: Span, inner: Span| outer.start <= inner.start && inner.end <= outer.end;
    if registration(call) {
        return false;
    }
    // What a `__main__` block calls decides which coroutines only a script runs.
    if i == 0 && facts.main_guards.iter().any(|g| within(*g, call.span)) {
        return false;
    }
    let near_registration = f
        .calls
        .iter()
        .filter(|c| registration(c))
        .any(|c| within(c.span, call.span) || within(call.span, c.span));
    let in_signature = facts
        .functions
        .iter()
        .enumerate()
        .any(|(j, g)| j as u32 != i && within(f.span, g.span) && within(g.span, call.span));
    !near_registration && !in_signature
}

impl Function {
    /// [`Function::same_shape`] but for the calls, which are not compared.
    fn same_but_calls(&self, other: &Function, ends: &mut Positions) -> bool {
        let without_calls = |f: &Function| Function {
            calls: vec![],
            ..f.clone()
        };
        without_calls(self).same_shape(&without_calls(other), ends)
    }
}

#[cfg(test)]
mod tests {
    fn facts(text: &str) -> super::ModuleFacts {
        crate::extract::extract(text, "m", false, &[]).unwrap()
    }

    fn same(a: &str, b: &str) -> bool {
        let (a, b) = (facts(a), facts(b));
        a.same_shape(&b) && b.same_shape(&a)
    }

    const BASE: &str = "\
import time


def f():
    x = time.time()
    y = \"a\"
    def h():
        pass
    time.sleep(1)
";

    /// Whether `new` offers other modules what `old` did, in a module named `name`, in a
    /// project where only the names in `mentioned` are written anywhere.
    fn same_interface(old: &str, new: &str, mentioned: &[&str]) -> bool {
        facts(old).same_interface(
            &facts(new),
            |n| mentioned.contains(&n),
            crate::frameworks::detection_reads,
            false,
        )
    }

    const SERVICE: &str = "\
import requests
from fastapi import APIRouter, Depends

router = APIRouter()


def helper():
    return requests.get(\"https://example.com\")


@router.get(\"/\")
async def index(dep=Depends(helper)):
    helper()
";

    #[test]
    fn calls_changed_inside_functions_keep_the_interface() {
        assert!(same_interface(SERVICE, SERVICE, &[]));
        // A call added, one removed, lines inserted above everything.
        let added = SERVICE.replace("    helper()\n", "    helper()\n    requests.get(\"x\")\n");
        assert!(same_interface(SERVICE, &added, &[]));
        assert!(same_interface(&added, SERVICE, &[]));
        assert!(same_interface(SERVICE, &format!("# moved\n\n{added}"), &[]));
        // A call added last in the last method of a class: the class ends later too.
        let class =
            "import requests\n\n\nclass C:\n    async def m(self):\n        requests.get(\"a\")\n";
        let longer = class.replace("\"a\")\n", "\"a\")\n        requests.get(\"b\")\n");
        assert!(same_interface(class, &longer, &[]));
        // A function appended, named nowhere else.
        let appended = format!("{SERVICE}\n\ndef _new():\n    return open(\"x\")\n");
        assert!(same_interface(SERVICE, &appended, &["helper"]));
    }

    #[test]
    fn what_starts_a_script_is_the_interface() {
        let script = "import asyncio\n\n\nasync def main():\n    pass\n\n\ndef cli():\n    print()\n\n\nif __name__ == \"__main__\":\n    cli()\n";
        // A coroutine run on a loop of its own, in a function or in the `__main__` block;
        // another function called there.
        for (old, new) in [
            ("    print()\n", "    asyncio.run(main())\n"),
            ("    cli()\n", "    cli()\n    asyncio.run(main())\n"),
            ("    cli()\n", "    print()\n"),
        ] {
            let edited = script.replace(old, new);
            assert!(!same_interface(script, &edited, &[]), "{edited}");
        }
        // Any other call in a function stays the function's business.
        let other = script.replace("    print()\n", "    print(1)\n    open(\"x\")\n");
        assert!(same_interface(script, &other, &[]));
    }

    #[test]
    fn what_other_modules_or_frameworks_read_is_the_interface() {
        let refused = [
            // A decorator, a default value, a return value.
            SERVICE.replace("@router.get(\"/\")\n", ""),
            SERVICE.replace("Depends(helper)", "Depends(index)"),
            SERVICE.replace("    return requests", "    requests"),
            // A registration call, and a call written in a default value.
            format!("{SERVICE}router.add_api_route(\"/x\", helper)\n"),
            SERVICE.replace(
                "dep=Depends(helper)",
                "dep=Depends(helper), other=requests.get(\"x\")",
            ),
            // A function added above others, which shifts their numbers.
            SERVICE.replace("def helper", "def first():\n    pass\n\n\ndef helper"),
        ];
        for new in &refused {
            assert!(!same_interface(SERVICE, new, &[]), "{new}");
        }
        // An import of a name something mentions already (it may look it up here).
        let import = SERVICE.replace("import requests\n", "import requests\nimport json\n");
        assert!(!same_interface(SERVICE, &import, &["json"]));
        assert!(same_interface(SERVICE, &import, &["requests"]));
        // A name no longer bound.
        let unbound = SERVICE.replace("router = APIRouter()\n", "");
        assert!(!same_interface(SERVICE, &unbound, &[]));
        // A function appended under a name that something looks up already, or with a
        // decorator.
        let appended = format!("{SERVICE}\n\ndef _new():\n    pass\n");
        assert!(!same_interface(SERVICE, &appended, &["_new"]));
        let decorated =
            format!("{SERVICE}\n\n@router.get(\"/new\")\nasync def _new():\n    pass\n");
        assert!(!same_interface(SERVICE, &decorated, &[]));
        // A coroutine appended whose name makes it start-up code: what it reaches runs
        // once. A plain coroutine of another name keeps the interface.
        let startup = format!("{SERVICE}\n\nasync def init_db(url):\n    pass\n");
        assert!(!same_interface(SERVICE, &startup, &[]));
        let other = startup.replace("init_db", "refresh");
        assert!(same_interface(SERVICE, &other, &[]));
    }

    #[test]
    fn mentions_are_the_names_references_use() {
        let mut hashes = vec![];
        facts(SERVICE).mentions(&mut hashes);
        for name in [
            "requests",
            "get",
            "helper",
            "router",
            "Depends",
            "fastapi",
            "APIRouter",
        ] {
            assert!(hashes.contains(&super::name_hash(name)), "{name}");
        }
        assert!(!hashes.contains(&super::name_hash("index")));
    }

    #[test]
    fn edits_that_keep_every_call_keep_the_shape() {
        assert!(same(BASE, BASE));
        // Comments, blank lines, a longer string: every position after them moves.
        let moved = BASE
            .replace("import time\n", "# a comment\nimport time  # why\n\n")
            .replace("\"a\"", "\"a much longer string\"")
            .replace(
                "        pass\n",
                "        \"\"\"Docstring.\"\"\"\n\n        pass\n",
            );
        assert!(same(BASE, &moved));
    }

    #[test]
    fn a_new_call_changes_the_shape() {
        assert!(!same(BASE, &BASE.replace("pass", "time.time()")));
        assert!(!same(
            BASE,
            &BASE.replace("time.sleep(1)", "time.sleep(1)\n    f()")
        ));
    }

    #[test]
    fn a_call_moved_across_a_function_or_guard_changes_the_shape() {
        // The same calls in the same order, but `time.time()` now after `h` is defined:
        // in the facts only the positions differ, and not only by a shift.
        let after = BASE.replace(
            "    x = time.time()\n    y = \"a\"\n    def h():\n        pass\n",
            "    def h():\n        pass\n    x = time.time()\n    y = \"a\"\n",
        );
        assert!(!same(BASE, &after));
        let guarded = "import time\nif __name__ == \"__main__\":\n    time.sleep(1)\n";
        let unguarded = "import time\nif __name__ == \"__main__\":\n    pass\ntime.sleep(1)\n";
        assert!(!same(guarded, unguarded));
    }

    #[test]
    fn a_suppression_changes_the_shape_only_on_a_call() {
        assert!(!same(
            BASE,
            &BASE.replace("time.sleep(1)", "time.sleep(1)  # noqa")
        ));
        let on_def = BASE.replace("def f():", "def f():  # noqa: E501");
        assert!(same(BASE, &on_def));
        // Lines inserted above a suppressed call move the line it is on: still the same.
        let suppressed = BASE.replace("time.sleep(1)", "time.sleep(1)  # noqa");
        assert!(same(&suppressed, &format!("\n\n{suppressed}")));
    }
}
