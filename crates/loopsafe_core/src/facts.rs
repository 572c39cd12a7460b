//! Per-module facts: what one file defines and calls, with every name reduced to a
//! small reference expression ([`Ref`]) that the project stage evaluates once all modules
//! are known. Facts hold no AST, so they are cheap to keep for a whole project.

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

/// A name or dotted path. Most are short enough to be stored inline, so extracting,
/// copying, caching and freeing facts makes few allocations.
pub type Name = compact_str::CompactString;

/// A byte range in the module's source.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

/// A constant whose value a rule may care about (`block=False`, `mode=0`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Const {
    None,
    Bool(bool),
    Int(i64),
    Str,
    Bytes,
    Other,
}

/// What an expression refers to, as far as one module can tell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Ref {
    Unknown,
    Const(Const),
    /// A free name at module level: the module's binding of it, else a builtin.
    Name(Name),
    /// An absolute dotted name: `import a.b` binds `a` to `Path("a")`, `from x import y`
    /// binds `y` to `Path("x.y")`.
    Path(Name),
    /// A function or class defined in this module (index into [`ModuleFacts`]).
    Function(u32),
    Class(u32),
    Attr(Box<Ref>, Name),
    /// What calling the inner reference returns.
    Call(Box<Ref>),
    /// An instance of the class the inner reference names (from an annotation).
    Instance(Box<Ref>),
    /// An instance of a class of this module: `self` in its methods. The same as
    /// `Instance(Class(u32))`, without a box for each `self` in a project.
    InstanceOf(u32),
    /// A union annotation: the first member that resolves.
    AnyOf(Vec<Ref>),
    /// `left <op> right`, evaluated as `type(left).<dunder>`.
    BinOp(Box<Ref>, Dunder),
    /// `{...} <op> right`: a dict literal does not define the operator for `right`, so
    /// Python asks `type(right)` for its reflected one (`__ror__`). LangChain's chains
    /// start this way: `{"context": retriever, "question": q} | prompt | llm`.
    ReflectedBinOp(Box<Ref>, Dunder),
    /// `super()` inside a method of class `u32`.
    Super(u32),
}

/// The operator method a binary operation calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Dunder {
    /// `a / b`: `pathlib.Path` joins with it.
    TrueDiv,
    /// `a | b`: LangChain composes runnables with it (`prompt | llm`).
    Or,
}

impl Dunder {
    pub fn as_str(self) -> &'static str {
        match self {
            Dunder::TrueDiv => "__truediv__",
            Dunder::Or => "__or__",
        }
    }

    /// The method the right operand is asked for when the left one has none.
    pub fn reflected(self) -> &'static str {
        match self {
            Dunder::TrueDiv => "__rtruediv__",
            Dunder::Or => "__ror__",
        }
    }
}

impl Ref {
    pub fn attr(self, name: &str) -> Ref {
        match self {
            Ref::Unknown => Ref::Unknown,
            Ref::Path(mut p) => {
                p.reserve(1 + name.len());
                p.push('.');
                p.push_str(name);
                Ref::Path(p)
            }
            other => Ref::Attr(Box::new(other), Name::from(name)),
        }
    }

    pub fn call(self) -> Ref {
        match self {
            Ref::Unknown => Ref::Unknown,
            other => Ref::Call(Box::new(other)),
        }
    }

    /// Number of nodes, to keep inlined references small.
    #[inline]
    pub fn size(&self) -> usize {
        // Most references are chains (`self.client.get`): walked in a loop, not recursion.
        let mut size = 1;
        let mut r = self;
        loop {
            r = match r {
                Ref::Attr(inner, _)
                | Ref::Call(inner)
                | Ref::Instance(inner)
                | Ref::BinOp(inner, _)
                | Ref::ReflectedBinOp(inner, _) => inner,
                Ref::AnyOf(items) => return size + items.iter().map(Ref::size).sum::<usize>(),
                // Counted as the two nodes it stands for.
                Ref::InstanceOf(_) => return size + 1,
                _ => return size,
            };
            size += 1;
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FunctionKind {
    /// The module's own top-level code.
    Module,
    Function,
    Method,
    ClassMethod,
    StaticMethod,
    Property,
    Lambda,
    /// The body of a class statement: runs once, where the class is defined.
    ClassBody,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Arg {
    pub keyword: Option<Name>,
    pub value: Ref,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub callee: Ref,
    /// The whole call, `requests.get(url)`.
    pub span: Span,
    /// The called expression, `requests.get`.
    pub func_span: Span,
    pub args: Vec<Arg>,
    pub awaited: bool,
    /// Made on an object the function set to non-blocking (`sock.setblocking(False)`).
    pub nonblocking: bool,
    /// Made inside a one-time set-up: `if self._client is None: self._client = ...`.
    /// Once the guard's state is set, later calls skip it.
    pub once: bool,
    /// Made only when no event loop runs in the thread: in the `except RuntimeError:` of
    /// a `try: asyncio.get_running_loop()`, or where a test found the loop missing. A
    /// function called on the loop never gets there.
    pub off_loop: bool,
    pub kind: CallKind,
}

/// How the code runs what a [`Call`]'s callee names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum CallKind {
    /// `f(x)`.
    #[default]
    Call,
    /// Not a call but a read, `obj.name`, of an attribute that is a property somewhere
    /// in the module: it runs the getter when `obj`'s class has that property.
    Read,
    /// `for x in obj` (or a comprehension over it): the callee is `obj.__iter__`. A
    /// Django queryset runs its query there.
    Iterate,
    /// `with obj:`: the callee is `obj.__enter__`. A `threading.Lock` waits there for
    /// the thread holding it.
    Enter,
}

impl CallKind {
    /// The code as a message quotes it: `fetch_user()`, `self.client` (a property),
    /// iterating `orders`, `with self._lock`.
    pub fn quote(self, text: &str) -> String {
        match self {
            CallKind::Call => format!("`{text}()`"),
            CallKind::Read => format!("`{text}` (a property)"),
            CallKind::Iterate => format!("iterating `{text}`"),
            CallKind::Enter => format!("`with {text}`"),
        }
    }

    /// What a function does with it, in a chain: calls `fetch_user()`, reads
    /// `self.client` (a property), iterates over `orders`, enters `with self._lock`.
    pub fn action(self, text: &str) -> String {
        match self {
            CallKind::Call => format!("calls {}", self.quote(text)),
            CallKind::Read => format!("reads {}", self.quote(text)),
            // Not "iterates over iterating `orders`".
            CallKind::Iterate => format!("iterates over `{text}`"),
            CallKind::Enter => format!("enters {}", self.quote(text)),
        }
    }
}

impl Call {
    /// The argument passed as `keyword`, else the `pos`-th positional one.
    pub fn arg(&self, pos: usize, keyword: Option<&str>) -> Option<&Arg> {
        keyword
            .and_then(|k| self.args.iter().find(|a| a.keyword.as_deref() == Some(k)))
            .or_else(|| self.args.iter().filter(|a| a.keyword.is_none()).nth(pos))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Function {
    pub name: Name,
    /// Dotted path inside the module: `Class.method`, `outer.<locals>.inner`.
    pub qualname: Name,
    pub kind: FunctionKind,
    pub is_async: bool,
    pub class: Option<u32>,
    pub parent: Option<u32>,
    pub span: Span,
    /// The `def name` part, where a finding about the whole function points.
    pub name_span: Span,
    pub decorators: Vec<Ref>,
    /// The return annotation, as the type it names.
    pub returns: Option<Ref>,
    /// The expressions of its `return` statements.
    pub returned: Vec<Ref>,
    /// It returns its first parameter unchanged (`return func`), as a decorator that
    /// only registers a function does.
    pub returns_param: bool,
    /// A sync `def` with `yield`: calling it only makes a generator, and its body runs
    /// as the generator is iterated (or, under `@contextmanager`, entered).
    pub is_generator: bool,
    pub calls: Vec<Call>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Class {
    pub name: String,
    pub qualname: String,
    pub bases: Vec<Ref>,
    pub methods: HashMap<Name, u32>,
    /// Class attributes and `self.x = ...` assignments, in source order.
    pub attrs: Vec<(Name, Ref)>,
    pub span: Span,
}

/// A `# noqa` or `# loopsafe: ignore[...]` comment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Suppression {
    All,
    Codes(Vec<String>),
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ModuleFacts {
    /// Dotted module name (`app.routes.users`).
    pub name: String,
    pub is_package: bool,
    pub functions: Vec<Function>,
    pub classes: Vec<Class>,
    /// Every binding of each module-level name, in source order.
    pub bindings: HashMap<Name, Vec<Ref>>,
    /// Modules named in `from x import *`.
    pub star_imports: Vec<String>,
    /// Line number (1-based) to the suppression written on it.
    pub suppressions: HashMap<u32, Suppression>,
    /// Offsets where lines start; empty unless the module has suppressions.
    pub line_starts: Vec<u32>,
    /// `if __name__ == "__main__":` blocks: code that runs only as a script.
    pub main_guards: Vec<Span>,
    /// Module-level constants listing strings (`MIDDLEWARE = ["app.mw.Timing"]`), by name.
    pub settings: Vec<(String, Vec<String>)>,
    /// Values stored on a Starlette/FastAPI `state` anywhere in the module
    /// (`app.state.http = requests.Session()` in a lifespan), in source order.
    pub state_attrs: Vec<(Name, Ref)>,
}

impl ModuleFacts {
    /// The suppression written on the line holding `offset`.
    pub fn suppression_at(&self, offset: u32) -> Option<&Suppression> {
        if self.suppressions.is_empty() {
            return None;
        }
        let line = crate::extract::line_of(&self.line_starts, offset);
        self.suppressions.get(&line)
    }
}

impl Suppression {
    /// Whether it silences the rule with this code.
    pub fn covers(&self, code: &str) -> bool {
        match self {
            Suppression::All => true,
            Suppression::Codes(codes) => {
                codes.iter().any(|c| crate::config::prefix_matches(c, code))
            }
        }
    }
}

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
        let mut ends = Positions::default();
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
        } = self;
        let same = *name == other.name
            && *is_package == other.is_package
            && *star_imports == other.star_imports
            && *settings == other.settings
            && *state_attrs == other.state_attrs
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
            calls,
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
            kind,
        } = self;
        ends.pair(*span, other.span);
        ends.pair(*func_span, other.func_span);
        *callee == other.callee
            && *awaited == other.awaited
            && *nonblocking == other.nonblocking
            && *once == other.once
            && *off_loop == other.off_loop
            && *kind == other.kind
            && args.len() == other.args.len()
            && args.iter().zip(&other.args).all(|(a, b)| {
                let Arg {
                    keyword,
                    value,
                    span,
                } = a;
                ends.pair(*span, b.span);
                *keyword == b.keyword && *value == b.value
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
struct Positions {
    spans: Vec<(Span, Span)>,
    /// Spans, in the first version, of functions whose calls changed: where what
    /// encloses one ends is not compared ([`ModuleFacts::same_interface`]). Known only
    /// once every function is compared, so spans are kept whole until then.
    edited: Vec<Span>,
}

impl Positions {
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

/// The facts of every module of the project, in module order, each decoded from the
/// cache only when something first reads it.
///
/// A run that reuses most of the last analysis reads the facts of a few modules: the
/// edited ones, what their functions call, and those the findings are in. Decoding all
/// of a large project's facts would take longer than the rest of such a run.
pub struct Modules<'a> {
    cells: Vec<std::sync::OnceLock<ModuleFacts>>,
    /// Each module's name, when the facts are loaded only as they are read.
    names: Vec<&'a str>,
    load: Option<&'a (dyn Fn(usize) -> Option<ModuleFacts> + Sync)>,
    /// Some module's facts could not be decoded: what was concluded is not to be trusted.
    damaged: std::sync::atomic::AtomicBool,
}

impl<'a> Modules<'a> {
    /// Facts all at hand.
    pub fn ready(facts: Vec<ModuleFacts>) -> Modules<'a> {
        Modules {
            cells: facts.into_iter().map(std::sync::OnceLock::from).collect(),
            names: vec![],
            load: None,
            damaged: false.into(),
        }
    }

    /// Facts at hand for some modules (`Some`), loaded by `load` for the others when
    /// first read.
    pub fn lazy(
        facts: Vec<Option<ModuleFacts>>,
        names: Vec<&'a str>,
        load: &'a (dyn Fn(usize) -> Option<ModuleFacts> + Sync),
    ) -> Modules<'a> {
        let cells = facts
            .into_iter()
            .map(|f| match f {
                Some(f) => std::sync::OnceLock::from(f),
                None => std::sync::OnceLock::new(),
            })
            .collect();
        Modules {
            cells,
            names,
            load: Some(load),
            damaged: false.into(),
        }
    }

    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// The module's dotted name, without loading its facts.
    pub fn name(&self, i: usize) -> &str {
        match (self.cells[i].get(), self.names.get(i)) {
            (Some(facts), _) => &facts.name,
            (None, Some(name)) => name,
            (None, None) => &self[i].name,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&ModuleFacts> {
        let cell = self.cells.get(i)?;
        Some(cell.get_or_init(|| {
            let loaded = self.load.and_then(|load| load(i));
            loaded.unwrap_or_else(|| {
                self.damaged
                    .store(true, std::sync::atomic::Ordering::Relaxed);
                ModuleFacts::default()
            })
        }))
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = &ModuleFacts> + '_ {
        (0..self.cells.len()).map(|i| &self[i])
    }

    /// Whether facts the analysis needed could not be loaded (a damaged cache).
    pub fn damaged(&self) -> bool {
        self.damaged.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The facts loaded so far (the others are left empty), to be freed or written.
    pub fn into_loaded(self) -> Vec<Option<ModuleFacts>> {
        self.cells.into_iter().map(|c| c.into_inner()).collect()
    }
}

impl std::ops::Index<usize> for Modules<'_> {
    type Output = ModuleFacts;

    #[inline]
    fn index(&self, i: usize) -> &ModuleFacts {
        match self.cells[i].get() {
            Some(facts) => facts,
            None => self.get(i).expect("module index in range"),
        }
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
    /// - a function added has decorators, is a method, is in a test module, or is named by
    ///   anything in the project already (`mentioned`): a name that was missing until now
    ///   may have been looked up.
    pub fn same_interface(
        &self,
        new: &ModuleFacts,
        mentioned: impl Fn(&str) -> bool,
        registration: impl Fn(&Call) -> bool,
        test_module: bool,
    ) -> bool {
        // Suppressions are read only at the module's own calls, which are resolved again.
        let (functions, bindings) = (&self.functions, &self.bindings);
        let mut ends = Positions::default();
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
                let mut these = Positions::default();
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
                    | Ref::Instance(inner)
                    | Ref::BinOp(inner, _)
                    | Ref::ReflectedBinOp(inner, _) => inner,
                    Ref::AnyOf(items) => return items.iter().for_each(|i| walk(i, out)),
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
        for (_, paths) in &self.settings {
            out.extend(paths.iter().flat_map(|p| p.split('.')).map(name_hash));
        }
    }
}

/// The hash a name is kept under in [`ModuleFacts::mentions`].
/// Two names with one hash only make an edit look like it touches a name in use (the
/// analysis then runs whole), never the other way round.
pub fn name_hash(name: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(name)
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
            |c| crate::frameworks::registration(c).is_some(),
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
    fn a_chain_says_what_each_function_does_once() {
        use super::CallKind;
        assert_eq!(CallKind::Call.action("fetch"), "calls `fetch()`");
        assert_eq!(
            CallKind::Read.action("self.client"),
            "reads `self.client` (a property)"
        );
        assert_eq!(CallKind::Iterate.action("orders"), "iterates over `orders`");
        assert_eq!(
            CallKind::Enter.action("self._lock"),
            "enters `with self._lock`"
        );
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
