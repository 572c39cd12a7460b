//! Per-module facts: what one file defines and calls, with every name reduced to a
//! small reference expression ([`Ref`]) that the project stage evaluates once all modules
//! are known. Facts hold no AST, so they are cheap to keep for a whole project.
//!
//! How two versions of a module's facts compare is [`crate::compare`]'s business.

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

// How names are hashed is a fingerprint's business; the facts' users know it by this path.
pub use crate::fingerprint::name_hash;

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
    /// `inner[key]`: what `type(inner).__getitem__` returns. One box, not the two of
    /// `Call(Attr(inner, "__getitem__"))`: subscripts are everywhere.
    Item(Box<Ref>),
    /// `maker(func, ...)` where `maker` is named `partial`: `func` itself when `maker`
    /// is `functools.partial` (calling the partial calls it), else what `maker` returns.
    Partial(Box<Ref>, Box<Ref>),
    /// `self.session = session` in `__init__`, where `session` is a parameter with no
    /// annotation: what the project's constructions of the class pass there, when they
    /// all pass the same kind of thing. Its position among the positional arguments
    /// after `self` (`u16::MAX` for a keyword-only one), and its name.
    ConstructorParam(u16, Name),
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
    /// The name a reference calls or passes: `dispatch` for `self.log.dispatch`, the
    /// index of a function of the module for a function.
    pub fn last_name(&self) -> Option<&str> {
        match self {
            Ref::Attr(_, n) | Ref::Name(n) => Some(n),
            Ref::Path(p) => p.rsplit('.').next(),
            _ => None,
        }
    }

    pub fn size(&self) -> usize {
        // Most references are chains (`self.client.get`): walked in a loop, not recursion.
        let mut size = 1;
        let mut r = self;
        loop {
            r = match r {
                Ref::Attr(inner, _)
                | Ref::Call(inner)
                | Ref::Item(inner)
                | Ref::Instance(inner)
                | Ref::BinOp(inner, _)
                | Ref::ReflectedBinOp(inner, _) => inner,
                Ref::AnyOf(items) => return size + items.iter().map(Ref::size).sum::<usize>(),
                Ref::Partial(maker, func) => return size + maker.size() + func.size(),
                // Counted as the two nodes it stands for.
                Ref::InstanceOf(_) => return size + 1,
                _ => return size,
            };
            size += 1;
        }
    }
}

/// What makes a decorator: `router.post` for `@router.post("/")`, `app.task` for
/// `@app.task`.
pub fn decorator_callee(d: &Ref) -> &Ref {
    match d {
        Ref::Call(inner) => inner,
        other => other,
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
    /// What the argument's value is known to be, for a callee whose branches test it.
    pub given: Given,
}

/// What a call passes for a parameter, as far as the callee's tests on it go
/// ([`Guard`]). Texts are kept once per module, in [`ModuleFacts::literals`], so that the
/// common case, an argument nothing is known of, costs no more than a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Given {
    #[default]
    Unknown,
    /// A literal: `get_secret("OPENAI_API_KEY")`, `increment(key, local_only=True)`.
    Lit(u32),
    /// The caller's own parameter, unchanged (by index in [`Function::params`]): what
    /// the caller was given, it passes on.
    Param(u16),
    /// `*args` or `**kwargs`: any parameter may be bound by it.
    Splat,
    /// A module-level name (`ENV_VAR`), perhaps imported, or the dotted path a local
    /// import binds (its text, a `Lit::Str`): a literal if the module that defines it
    /// binds it once to one ([`ModuleFacts::constants`]).
    Global(u32),
    /// An f-string that starts with literal text (`f"/proc/{pid}/stat"`): what its value
    /// starts with (a `Lit::Str`).
    Prefix(u32),
}

/// A literal value a test can be evaluated on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lit {
    None,
    Bool(bool),
    Int(i64),
    Str(Name),
}

/// A test on one of the function's parameters that must come out `holds` for a call to
/// be made: the call sits in `if name.startswith("oidc/"):` (holds), in its `else:`, or
/// after `if local_only: return` (fails). Only tests on a parameter's value as the
/// function received it are kept, perhaps after string methods that rewrite it
/// (`transforms`, each of which may or may not have run).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Guard {
    pub param: u16,
    pub test: Test,
    pub holds: bool,
    pub transforms: Vec<Transform>,
}

/// What a [`Guard`] asks of a parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Test {
    /// `x is None`, `x is True`, `x is False`.
    Is(Lit),
    /// `if x:`.
    Truthy,
    /// `x == "literal"`.
    Eq(Lit),
    /// `x.startswith("literal")`.
    StartsWith(Name),
}

/// A string method applied to a parameter in place: `name = name.replace("a/", "")`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Transform {
    Replace(Name, Name),
    RemovePrefix(Name),
    Strip,
    Lower,
    Upper,
}

/// A parameter of a function whose calls are guarded by tests on its parameters, or
/// that passes its parameters on ([`Function::params`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Param {
    pub name: Name,
    /// Can be given by position.
    pub positional: bool,
    /// A literal default: what the parameter is when a call leaves it out.
    pub default: Option<Lit>,
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
    /// Made in a branch of its function that does not always run: an `if`/`elif`/`else`
    /// body, an `except` handler, a `match` case, a `while` body (unless `while True`),
    /// an arm of `a if c else b`, an operand after the first of `and`/`or`, an element
    /// of a comprehension with an `if`. A request that does not take the branch does not
    /// block there.
    pub conditional: bool,
    /// Opens or reads a file shipped with the package (`Path(__file__).parent /
    /// "prices.json"`): small, and cached by the OS after the first read.
    pub bundled_file: bool,
    /// Tests on the function's parameters that the call needs to pass, for callers that
    /// pass literals ([`Guard`]); boxed, as most calls have none ([`Call::guards`]).
    // One word per call instead of three: a project has hundreds of thousands of calls.
    #[allow(clippy::box_collection)]
    pub guarded_by: Option<Box<Vec<Guard>>>,
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
    /// The tests on parameters the call needs to pass ([`Guard`]).
    pub fn guards(&self) -> &[Guard] {
        self.guarded_by.as_deref().map_or(&[], Vec::as_slice)
    }

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
    /// Its body has a `while` loop or an `async for`: started as a background task, it
    /// keeps running (a poller, a consumer), not once.
    pub loops: bool,
    pub calls: Vec<Call>,
    /// Its parameters, in order, when any of its calls is guarded by a test on one or
    /// passes one on (else empty: most functions do neither).
    pub params: Vec<Param>,
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
    /// Attributes set on an object from outside its class (`bot.api = ApiClient()` in
    /// `main.py`): the object, the attribute and the value, in source order. Read where
    /// the attribute is read on an object of that class and the class sets none itself.
    pub outside_attrs: Vec<(Ref, Name, Ref)>,
    /// Module-level names bound once, to a literal (`API_KEY_ENV = "OPENAI_API_KEY"`):
    /// what a call passing the name passes.
    pub constants: HashMap<Name, Lit>,
    /// What the module's calls are known to pass ([`Given`]), by index.
    pub literals: Vec<Lit>,
    /// The names of methods called on objects of unknown type (`logger.dispatch(...)`),
    /// and of what such calls are given (`scheduler.every(60, notify)`), sorted: any
    /// coroutine of that name may be called there, with any arguments.
    pub unresolved_calls: Vec<Name>,
    /// The last names of what the module's calls call or pass (`dispatch` for
    /// `self.log.dispatch(...)`, `f` for `partial(f)`), as [`name_hash`]es, sorted: where
    /// to look for the calls of a function without reading every call of the project.
    pub called_names: Vec<u64>,
    /// The paths module-level imports bind that do not run where the package is
    /// installed as it should be: under `if TYPE_CHECKING:` (never), and in the
    /// `except ImportError:` of a `try` that imports (the fallback for when its module,
    /// often a compiled one, is missing). Following an installed package does not load
    /// what they name.
    pub unfollowed_imports: Vec<Name>,
}

impl ModuleFacts {
    /// The literal a call passes, the text of a name or of a prefix ([`Given`]).
    pub fn literal(&self, i: u32) -> &Lit {
        &self.literals[i as usize]
    }

    /// The suppression written on the line holding `offset`.
    pub fn suppression_at(&self, offset: u32) -> Option<&Suppression> {
        if self.suppressions.is_empty() {
            return None;
        }
        let line = crate::line_index::line_of(&self.line_starts, offset);
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

/// A function of the project: number `idx` of module number `module`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct FnId {
    pub module: u32,
    pub idx: u32,
}

/// A class of the project: number `idx` of module number `module`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClassId {
    pub module: u32,
    pub idx: u32,
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

    /// The literal a module-level name holds in module `m`: bound there once to one, or
    /// imported (`from app.settings import ENV_VAR`) from a module that does.
    /// `by_name` finds a module by its dotted name.
    pub fn constant(
        &self,
        m: u32,
        name: &str,
        by_name: &dyn Fn(&str) -> Option<u32>,
    ) -> Option<&Lit> {
        let facts = self.module(m);
        if let Some(lit) = facts.constants.get(name) {
            return Some(lit);
        }
        // A dotted path, or the path a module-level import binds the name to.
        let path = match facts.bindings.get(name).map(Vec::as_slice) {
            _ if name.contains('.') => name,
            Some([Ref::Path(path)]) => path.as_str(),
            _ => return None,
        };
        let (module, attr) = path.rsplit_once('.')?;
        let m = by_name(module)?;
        self.module(m).constants.get(attr)
    }

    /// The facts of module number `m`.
    #[inline]
    pub fn module(&self, m: u32) -> &ModuleFacts {
        &self[m as usize]
    }

    /// The facts of function `f`: read on every step of resolving and searching calls.
    #[inline]
    pub fn function(&self, f: FnId) -> &Function {
        &self[f.module as usize].functions[f.idx as usize]
    }

    /// The facts of class `c`.
    #[inline]
    pub fn class(&self, c: ClassId) -> &Class {
        &self[c.module as usize].classes[c.idx as usize]
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

#[cfg(test)]
mod tests {
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
}
