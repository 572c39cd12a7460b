//! The project stage: evaluates the references that per-module facts left symbolic,
//! now that every module is known, and finds the blocking calls made in coroutines.
//!
//! Evaluation is deliberately conservative. A name resolves only to what the code proves
//! (an import, an assignment, a constructor, an annotation); anything else is
//! [`Value::Unknown`], and an unknown callee is never reported.

use rustc_hash::FxHashMap as HashMap;
use std::cell::RefCell;
use std::rc::Rc;

use crate::catalogue::{Catalogue, Condition};
use crate::facts::{
    Call, CallKind, Const, FunctionKind, Given, Lit, Modules, Name, Ref, Span, Test,
};
pub use crate::facts::{ClassId, FnId};
use crate::rules::Rule;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Type {
    Project(ClassId),
    /// A canonical dotted name from outside the project.
    External(Name),
    /// An external type that works on one project class: `Order.objects` is Django's
    /// `Manager` of `Order`. What it gives back as the class's external base (`.get()`
    /// gives a `django.db.models.Model`) is then an `Order`, whose own methods are known.
    Of(Name, ClassId),
}

impl Type {
    /// The catalogue name of a type from outside the project.
    pub fn external(&self) -> Option<&Name> {
        match self {
            Type::External(t) | Type::Of(t, _) => Some(t),
            Type::Project(_) => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Unknown,
    Const,
    None,
    Module(u32),
    /// A dotted name outside the project (module, function or class: the catalogue says).
    External(Name),
    Function(FnId),
    Class(ClassId),
    Instance(Type),
    /// A method of an external type, looked up as `Type.method` in the catalogue.
    Method(Type, Name),
    Super(ClassId),
}

impl Value {
    fn is_known(&self) -> bool {
        !matches!(self, Value::Unknown | Value::None | Value::Const)
    }
}

/// A class's bases, flattened: project classes in method-resolution order (itself first),
/// then the external classes they derive from.
#[derive(Debug, Default)]
struct Mro {
    project: Vec<ClassId>,
    external: Vec<Name>,
}

/// How deep one evaluation may recurse (chains of factories, attributes and aliases).
const MAX_DEPTH: u32 = 24;

/// Starlette's (and so FastAPI's) `state`: an object that holds whatever is stored on it.
const STATE: &str = "starlette.datastructures.State";

pub struct Project<'a> {
    pub modules: &'a Modules<'a>,
    pub catalogue: &'a Catalogue,
    index: std::sync::Arc<ModuleIndex<'a>>,
    /// Per module: the value of each module-level name looked up so far.
    names: RefCell<Vec<HashMap<Name, Value>>>,
    returns: RefCell<HashMap<FnId, Value>>,
    mros: RefCell<HashMap<ClassId, Rc<Mro>>>,
    /// Per attribute set from outside a class: the class of each object it is set on
    /// and what is set, evaluated once ([`Project::set_from_outside`]).
    outside: RefCell<HashMap<Name, SetsFromOutside>>,
    /// What the constructions of a class pass as one of its parameters, by class and
    /// parameter name ([`Project::constructed_with`]).
    constructed: RefCell<HashMap<(ClassId, Name), Value>>,
    /// How many of the modules are the project's own, the others installed packages':
    /// framework detection reads only these.
    pub own_modules: usize,
}

/// The class of each object an attribute is set on from outside, and what is set.
type SetsFromOutside = Rc<Vec<(ClassId, Value)>>;

/// The target of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callee {
    /// A function of the project (for a class, its `__init__`).
    Project(FnId),
    /// A catalogue name outside the project: `requests.get`, `redis.Redis.get`.
    External(Name),
    Unknown,
}

/// What the catalogue says of one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocking {
    pub rule: Rule,
    /// The API as the catalogue names it: `requests.get`, `httpx.Client.get`.
    pub api: String,
    /// Whether a helper making this call is reported where a coroutine calls it.
    pub through_helpers: bool,
}

/// A blocking call made directly in a coroutine.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DirectFinding {
    pub rule: Rule,
    pub function: FnId,
    pub call_index: usize,
    /// Where to point: the called expression.
    pub span: Span,
    pub call_span: Span,
    /// The API as the catalogue names it: `requests.get`, `httpx.Client.get`.
    pub api: String,
}

/// What every [`Project`] of the same modules looks up first, made once and shared by
/// the projects of the threads that resolve calls side by side.
pub struct ModuleIndex<'a> {
    by_name: HashMap<&'a str, u32>,
    /// What the project stores on a Starlette `state`, by attribute, in module order.
    state_attrs: HashMap<&'a str, Vec<(u32, &'a Ref)>>,
    /// Attributes set from outside an object's class, by attribute: each module, object
    /// and value ([`crate::facts::ModuleFacts::outside_attrs`]).
    outside_attrs: HashMap<&'a str, Vec<(u32, &'a Ref, &'a Ref)>>,
    /// Where the project constructs the classes that keep a constructor parameter as an
    /// attribute ([`Ref::ConstructorParam`]): by class name, each call's function and
    /// index among its calls.
    constructions: HashMap<Name, Vec<(FnId, u32)>>,
    /// What those were read from, when the index read every module.
    sites: Option<ConstructionSites>,
}

/// The classes that keep an unannotated constructor parameter as an attribute, by
/// name, and the modules that call something of such a name: all that typing those
/// attributes reads, kept for a run that resumes from this one.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct ConstructionSites {
    names: Vec<Name>,
    modules: Vec<u32>,
}

impl ConstructionSites {
    /// Reads every module: only where all are at hand (a fresh analysis).
    pub fn of(modules: &Modules) -> ConstructionSites {
        let mut names: Vec<Name> = (0..modules.len())
            .flat_map(|m| modules.module(m as u32).classes.iter())
            .filter(|c| {
                c.attrs
                    .iter()
                    .any(|(_, r)| matches!(r, Ref::ConstructorParam(..)))
            })
            .map(|c| Name::from(c.name.as_str()))
            .collect();
        names.sort_unstable();
        names.dedup();
        let wanted: rustc_hash::FxHashSet<&str> = names.iter().map(|n| n.as_str()).collect();
        let modules = (0..modules.len() as u32)
            .filter(|m| {
                !wanted.is_empty()
                    && modules.module(*m).functions.iter().any(|f| {
                        f.calls
                            .iter()
                            .any(|c| class_name(&c.callee).is_some_and(|n| wanted.contains(n)))
                    })
            })
            .collect();
        ConstructionSites { names, modules }
    }

    /// Whether a call may construct one of these classes: an edit that adds or removes
    /// one changes what their attributes are.
    pub fn may_construct(&self, callee: &Ref) -> bool {
        class_name(callee)
            .is_some_and(|n| self.names.binary_search_by(|x| x.as_str().cmp(n)).is_ok())
    }

    fn valid(&self, count: usize) -> bool {
        self.modules.iter().all(|m| (*m as usize) < count)
    }
}

/// The last name of a callee that may be a class: `Api` in `Api(...)`, `clients.Api(...)`.
/// Classes are named in CamelCase: a call of a lowercase name is passed over cheaply.
fn class_name(callee: &Ref) -> Option<&str> {
    let name = match callee {
        Ref::Name(n) => n.as_str(),
        Ref::Attr(_, n) => n.as_str(),
        Ref::Path(p) => p.rsplit('.').next()?,
        _ => return None,
    };
    name.starts_with(|c: char| c.is_ascii_uppercase())
        .then_some(name)
}

impl<'a> ModuleIndex<'a> {
    /// The number of the module of this dotted name.
    pub fn module(&self, name: &str) -> Option<u32> {
        self.by_name.get(name).copied()
    }

    /// The index of `modules`. With `state_modules`, the modules that store something on
    /// a Starlette `state` are those: the others' facts are not read.
    pub fn new(modules: &'a Modules<'a>, state_modules: Option<&[u32]>) -> Self {
        let mut by_name = HashMap::default();
        for i in 0..modules.len() {
            // When two files claim one module name, the first (in path order) wins, as
            // the first on `sys.path` would.
            by_name.entry(modules.name(i)).or_insert(i as u32);
        }
        let mut state_attrs: HashMap<&str, Vec<(u32, &Ref)>> = HashMap::default();
        let mut outside_attrs: HashMap<&str, Vec<(u32, &Ref, &Ref)>> = HashMap::default();
        let all: Vec<u32>;
        let all_read = state_modules.is_none();
        let state_modules = match state_modules {
            Some(list) => list,
            None => {
                all = (0..modules.len() as u32).collect();
                &all
            }
        };
        for &i in state_modules {
            let m = modules.module(i);
            for (name, value) in &m.state_attrs {
                state_attrs
                    .entry(name.as_str())
                    .or_default()
                    .push((i, value));
            }
            for (receiver, name, value) in &m.outside_attrs {
                outside_attrs
                    .entry(name.as_str())
                    .or_default()
                    .push((i, receiver, value));
            }
        }
        let mut index = ModuleIndex {
            by_name,
            state_attrs,
            outside_attrs,
            constructions: HashMap::default(),
            sites: None,
        };
        // With every module at hand, their constructions are read too; a run that
        // resumes names the modules to read ([`ModuleIndex::with_constructions`]).
        if all_read {
            let sites = ConstructionSites::of(modules);
            index.index_constructions(modules, &sites);
            index.sites = Some(sites);
        }
        index
    }

    /// The construction sites of every module, when this index read them all.
    pub fn construction_sites(&self) -> Option<&ConstructionSites> {
        self.sites.as_ref()
    }

    /// The index with the construction calls `sites` names; none when the sites name a
    /// module the project does not have (a damaged cache).
    pub fn with_constructions(
        mut self,
        modules: &'a Modules<'a>,
        sites: &ConstructionSites,
    ) -> Option<Self> {
        if !sites.valid(modules.len()) {
            return None;
        }
        self.index_constructions(modules, sites);
        Some(self)
    }

    fn index_constructions(&mut self, modules: &'a Modules<'a>, sites: &ConstructionSites) {
        for &m in &sites.modules {
            for (idx, f) in modules.module(m).functions.iter().enumerate() {
                for (i, c) in f.calls.iter().enumerate() {
                    let Some(name) = class_name(&c.callee) else {
                        continue;
                    };
                    if let Ok(k) = sites.names.binary_search_by(|x| x.as_str().cmp(name)) {
                        let function = FnId {
                            module: m,
                            idx: idx as u32,
                        };
                        self.constructions
                            .entry(sites.names[k].clone())
                            .or_default()
                            .push((function, i as u32));
                    }
                }
            }
        }
    }
}

impl<'a> Project<'a> {
    pub fn new(modules: &'a Modules<'a>, catalogue: &'a Catalogue) -> Self {
        Project::with_index(
            modules,
            catalogue,
            std::sync::Arc::new(ModuleIndex::new(modules, None)),
        )
    }

    /// A project over `modules`, with their index made already.
    pub fn with_index(
        modules: &'a Modules<'a>,
        catalogue: &'a Catalogue,
        index: std::sync::Arc<ModuleIndex<'a>>,
    ) -> Self {
        Project {
            modules,
            catalogue,
            index,
            names: RefCell::new(vec![HashMap::default(); modules.len()]),
            returns: RefCell::default(),
            mros: RefCell::default(),
            outside: RefCell::default(),
            constructed: RefCell::default(),
            own_modules: modules.len(),
        }
    }

    pub fn module_index(&self, name: &str) -> Option<u32> {
        self.index.module(name)
    }

    pub fn eval(&self, module: u32, r: &Ref) -> Value {
        self.eval_depth(module, r, 0)
    }

    fn eval_depth(&self, module: u32, r: &Ref, depth: u32) -> Value {
        if depth > MAX_DEPTH {
            return Value::Unknown;
        }
        let d = depth + 1;
        match r {
            Ref::Unknown => Value::Unknown,
            Ref::Const(Const::None) => Value::None,
            Ref::Const(_) => Value::Const,
            Ref::Name(name) => self.module_name(module, name, d),
            Ref::Path(path) => self.path(path, d),
            Ref::Function(idx) => Value::Function(FnId { module, idx: *idx }),
            Ref::Class(idx) => Value::Class(ClassId { module, idx: *idx }),
            Ref::InstanceOf(idx) => Value::Instance(Type::Project(ClassId { module, idx: *idx })),
            Ref::Attr(inner, attr) => {
                let v = self.eval_depth(module, inner, d);
                self.attr(v, attr, d)
            }
            Ref::Call(inner) => {
                let v = self.eval_depth(module, inner, d);
                self.call_result(v, d)
            }
            Ref::Item(inner) => {
                let v = self.eval_depth(module, inner, d);
                let getitem = self.attr(v, "__getitem__", d);
                self.call_result(getitem, d)
            }
            Ref::Instance(inner) => match self.eval_depth(module, inner, d) {
                Value::Class(c) => Value::Instance(Type::Project(c)),
                // An annotation naming a type alias that already describes an instance.
                v @ Value::Instance(_) => v,
                Value::External(p) => {
                    let class = Catalogue::canonical(&p);
                    // An instance of a class is what calling it makes: the catalogue
                    // may list its methods under another name (`ThreadPoolExecutor()`
                    // makes a `concurrent.futures.Executor`).
                    let made = Catalogue::instance_type(&class).map(std::borrow::Cow::Borrowed);
                    Value::Instance(Type::External(Name::new(made.unwrap_or(class))))
                }
                Value::None => Value::None,
                _ => Value::Unknown,
            },
            // `A | None`, `A() if x else None`: what the known members agree on. Two
            // different types (`HTTPHandler | AsyncHTTPHandler`) could be either at run
            // time, and a guess would report the wrong one's blocking calls.
            // A `typing.Protocol` only describes methods (its own are stubs): in
            // `client or boto3.resource("dynamodb")`, with `client: DynamoLike | None`,
            // the other member says what the value is.
            Ref::AnyOf(items) => {
                let mut known = items
                    .iter()
                    .map(|i| self.eval_depth(module, i, d))
                    .filter(|v| v.is_known() && !self.is_protocol_instance(v));
                match known.next() {
                    Some(first) if known.all(|v| v == first) => first,
                    _ => Value::Unknown,
                }
            }
            Ref::BinOp(left, dunder) => {
                self.operator_result(self.eval_depth(module, left, d), dunder.as_str())
            }
            Ref::ReflectedBinOp(right, dunder) => {
                self.operator_result(self.eval_depth(module, right, d), dunder.reflected())
            }
            Ref::Super(idx) => Value::Super(ClassId { module, idx: *idx }),
            // Read as a class's attribute only ([`Project::class_member`]).
            Ref::ConstructorParam(..) => Value::Unknown,
            Ref::Partial(maker, func) => match self.eval_depth(module, maker, d) {
                Value::External(p) if Catalogue::canonical(&p) == "functools.partial" => {
                    self.eval_depth(module, func, d)
                }
                other => self.call_result(other, d),
            },
        }
    }

    /// What an operator method of an external type (`__truediv__`, `__ror__`) gives.
    fn operator_result(&self, operand: Value, method: &str) -> Value {
        match operand {
            Value::Instance(ref ty) if let Some(t) = ty.external() => self
                .catalogue
                .returns(&format!("{t}.{method}"))
                .map(|r| Value::Instance(Type::External(Name::new(r))))
                .unwrap_or(Value::Unknown),
            _ => Value::Unknown,
        }
    }

    /// The value of a module-level name as functions see it: its last binding that
    /// resolves, else a star import's, else the builtin of that name.
    fn module_name(&self, module: u32, name: &str, depth: u32) -> Value {
        if let Some(v) = self.names.borrow()[module as usize].get(name) {
            return v.clone();
        }
        // A name defined in terms of itself resolves to nothing rather than looping.
        self.names.borrow_mut()[module as usize].insert(Name::new(name), Value::Unknown);
        let facts = self.modules.module(module);
        let value = match facts.bindings.get(name) {
            Some(bindings) => {
                last_known(bindings.iter().map(|r| self.eval_depth(module, r, depth)))
            }
            None => facts
                .star_imports
                .iter()
                .filter_map(|m| self.module_index(m))
                .map(|m| self.module_attr(m, name, depth))
                .find(Value::is_known)
                .unwrap_or_else(|| {
                    Value::External(compact_str::format_compact!("builtins.{name}"))
                }),
        };
        self.names.borrow_mut()[module as usize].insert(Name::new(name), value.clone());
        value
    }

    fn module_attr(&self, module: u32, name: &str, depth: u32) -> Value {
        let facts = self.modules.module(module);
        if facts.bindings.contains_key(name) {
            return self.module_name(module, name, depth);
        }
        let sub = format!("{}.{name}", facts.name);
        if let Some(m) = self.module_index(&sub) {
            return Value::Module(m);
        }
        facts
            .star_imports
            .iter()
            .filter_map(|m| self.module_index(m))
            .filter(|m| *m != module)
            .map(|m| self.module_attr(m, name, depth + 1))
            .find(Value::is_known)
            .unwrap_or(Value::Unknown)
    }

    /// A dotted name: the longest prefix that is a project module, then attributes.
    fn path(&self, path: &str, depth: u32) -> Value {
        let mut end = path.len();
        loop {
            let prefix = &path[..end];
            if let Some(m) = self.module_index(prefix) {
                let mut v = Value::Module(m);
                if end < path.len() {
                    for attr in path[end + 1..].split('.') {
                        v = self.attr(v, attr, depth);
                    }
                }
                return v;
            }
            match prefix.rfind('.') {
                Some(dot) => end = dot,
                None => return Value::External(Name::new(path)),
            }
        }
    }

    fn attr(&self, v: Value, attr: &str, depth: u32) -> Value {
        if depth > MAX_DEPTH {
            return Value::Unknown;
        }
        match v {
            Value::Module(m) => self.module_attr(m, attr, depth),
            Value::External(p) => match self.catalogue.class_attribute(&p, attr) {
                Some(ty) => Value::Instance(Type::External(Name::new(ty))),
                None => Value::External(compact_str::format_compact!("{p}.{attr}")),
            },
            Value::Class(c) => self.class_member(c, attr, false, depth),
            Value::Instance(Type::Project(c)) => self.class_member(c, attr, true, depth),
            Value::Super(c) => {
                let mro = self.mro(c);
                for base in mro.project.iter().skip(1) {
                    if let Some(f) = self.method(*base, attr) {
                        return Value::Function(f);
                    }
                }
                match mro.external.first() {
                    Some(ext) => Value::Method(Type::External(ext.clone()), Name::new(attr)),
                    None => Value::Unknown,
                }
            }
            // `request.app.state.http`: what the project stored there, wherever it did.
            Value::Instance(Type::External(t)) if t == STATE => {
                let stored = self.index.state_attrs.get(attr).into_iter().flatten();
                last_known(stored.map(|(m, r)| self.eval_depth(*m, r, depth + 1)))
            }
            Value::Instance(Type::External(t)) => self.external_instance_attr(&t, attr),
            // `send_email.delay(...)` on a Celery task.
            Value::Function(f) => match self.decorated_type_depth(f, depth) {
                Some(t) => self.external_instance_attr(t, attr),
                None => Value::Unknown,
            },
            Value::Instance(Type::Of(t, c)) => match self.external_instance_attr(&t, attr) {
                Value::Instance(Type::External(ty)) => Value::Instance(Type::Of(ty, c)),
                Value::Method(Type::External(ty), m) => Value::Method(Type::Of(ty, c), m),
                other => other,
            },
            _ => Value::Unknown,
        }
    }

    /// The known type a decorator makes of function `f`: `@app.task` makes a Celery task
    /// ([`crate::catalogue::DECORATED_TYPES`]).
    pub fn decorated_type(&self, f: FnId) -> Option<&'static str> {
        self.decorated_type_depth(f, 0)
    }

    fn decorated_type_depth(&self, f: FnId, depth: u32) -> Option<&'static str> {
        let func = self.modules.function(f);
        func.decorators.iter().find_map(|d| {
            let maker = crate::facts::decorator_callee(d);
            let name = match self.eval_depth(f.module, maker, depth + 1) {
                Value::External(p) => p.to_string(),
                Value::Method(t, m) => format!("{}.{m}", t.external()?),
                _ => return None,
            };
            Catalogue::decorated_type(&Catalogue::canonical(&name))
        })
    }

    fn external_instance_attr(&self, t: &str, attr: &str) -> Value {
        match self.catalogue.attribute(t, attr) {
            Some(ty) => Value::Instance(Type::External(Name::new(ty))),
            None => Value::Method(Type::External(Name::new(t)), Name::new(attr)),
        }
    }

    fn method(&self, c: ClassId, name: &str) -> Option<FnId> {
        self.modules.class(c).methods.get(name).map(|idx| FnId {
            module: c.module,
            idx: *idx,
        })
    }

    /// A member of a project class, through its bases.
    fn class_member(&self, c: ClassId, attr: &str, on_instance: bool, depth: u32) -> Value {
        let mro = self.mro(c);
        for class in &mro.project {
            if let Some(f) = self.method(*class, attr) {
                let kind = self.modules.function(f).kind;
                if on_instance && kind == FunctionKind::Property {
                    return self.function_return(f, depth + 1);
                }
                return Value::Function(f);
            }
            let facts = self.modules.module(class.module);
            let assigned = facts.classes[class.idx as usize]
                .attrs
                .iter()
                .filter(|(name, _)| name == attr)
                .map(|(_, r)| match r {
                    Ref::ConstructorParam(position, param) => {
                        self.constructed_with(*class, *position, param, depth + 1)
                    }
                    r => self.eval_depth(class.module, r, depth + 1),
                });
            let v = last_known(assigned);
            if v.is_known() {
                return v;
            }
        }
        if on_instance {
            let v = self.set_from_outside(c, attr, depth + 1);
            if v.is_known() {
                return v;
            }
        }
        match mro.external.first() {
            Some(ext) if on_instance => self.external_instance_attr(ext, attr),
            // `Order.objects` on a Django model: a typed class attribute, which works on
            // the class it is read from.
            Some(ext) => match self.catalogue.class_attribute(ext, attr) {
                Some(ty) => Value::Instance(Type::Of(Name::new(ty), c)),
                None => Value::External(compact_str::format_compact!("{ext}.{attr}")),
            },
            None => Value::Unknown,
        }
    }

    /// What the project sets as `attr` on objects of class `c` from outside the class
    /// (`bot.api = ApiClient()`), when it always sets the same kind of thing there.
    fn set_from_outside(&self, c: ClassId, attr: &str, depth: u32) -> Value {
        if depth > MAX_DEPTH || !self.index.outside_attrs.contains_key(attr) {
            return Value::Unknown;
        }
        let known = self.outside.borrow().get(attr).cloned();
        let sets = match known {
            Some(sets) => sets,
            None => {
                // Not borrowed while evaluating: a receiver may read another such attribute.
                let sets = Rc::new(self.outside_sets(attr, depth));
                self.outside
                    .borrow_mut()
                    .insert(Name::from(attr), sets.clone());
                sets
            }
        };
        let mut agreed = Value::Unknown;
        for (o, v) in sets.iter() {
            if *o != c && !self.mro(*o).project.contains(&c) {
                continue;
            }
            if !v.is_known() || (agreed.is_known() && agreed != *v) {
                return Value::Unknown;
            }
            agreed = v.clone();
        }
        agreed
    }

    /// Every object of a project class that `attr` is set on from outside, and what is
    /// set.
    fn outside_sets(&self, attr: &str, depth: u32) -> Vec<(ClassId, Value)> {
        let sets = self.index.outside_attrs.get(attr).into_iter().flatten();
        sets.filter_map(
            |&(m, receiver, value)| match self.eval_depth(m, receiver, depth + 1) {
                Value::Instance(Type::Project(o)) => {
                    Some((o, self.eval_depth(m, value, depth + 1)))
                }
                _ => None,
            },
        )
        .collect()
    }

    /// What every construction of class `c` in the project passes its constructor at
    /// `position` (or as `param`): one kind of object, or nothing known when they
    /// disagree, one passes nothing known, or one leaves it out.
    fn constructed_with(&self, c: ClassId, position: u16, param: &str, depth: u32) -> Value {
        if depth > MAX_DEPTH {
            return Value::Unknown;
        }
        let key = (c, Name::from(param));
        if let Some(v) = self.constructed.borrow().get(&key) {
            return v.clone();
        }
        // Not borrowed while evaluating: an argument may read another such attribute.
        let v = self.constructions_agree(c, position, param, depth);
        self.constructed.borrow_mut().insert(key, v.clone());
        v
    }

    fn constructions_agree(&self, c: ClassId, position: u16, param: &str, depth: u32) -> Value {
        /// More constructions than this and the class is a utility passed anything.
        const MAX_SITES: usize = 32;
        let name = self.modules.module(c.module).classes[c.idx as usize]
            .name
            .as_str();
        let Some(sites) = self.index.constructions.get(name) else {
            return Value::Unknown;
        };
        let mut agreed = Value::Unknown;
        let mut count = 0;
        for &(caller, i) in sites {
            let calls = &self.modules.function(caller).calls;
            let Some(call) = calls.get(i as usize) else {
                return Value::Unknown;
            };
            if call.kind != CallKind::Call
                || self.eval_depth(caller.module, &call.callee, depth + 1) != Value::Class(c)
            {
                continue;
            }
            count += 1;
            let position = (position != u16::MAX).then_some(position as usize);
            let Some(arg) = call.arg(position.unwrap_or(usize::MAX), Some(param)) else {
                return Value::Unknown;
            };
            let v = match &arg.value {
                // `Api(requests.Session())`: the argument is a call of its own.
                Ref::Unknown => match calls
                    .iter()
                    .find(|made| made.span == arg.span && made.kind == CallKind::Call)
                {
                    Some(made) => {
                        let callee = self.eval_depth(caller.module, &made.callee, depth + 1);
                        self.call_result(callee, depth + 1)
                    }
                    None => Value::Unknown,
                },
                r => self.eval_depth(caller.module, r, depth + 1),
            };
            let agrees = v.is_known() && (agreed == Value::Unknown || agreed == v);
            if !agrees || count > MAX_SITES {
                return Value::Unknown;
            }
            agreed = v;
        }
        agreed
    }

    /// A method of a class or of its project bases.
    pub fn lookup_method(&self, c: ClassId, name: &str) -> Option<FnId> {
        self.mro(c)
            .project
            .iter()
            .find_map(|class| self.method(*class, name))
    }

    /// Whether a class derives (through project classes) from an external class.
    pub fn derives_from(&self, c: ClassId, external: &str) -> bool {
        self.mro(c).external.iter().any(|e| e == external)
    }

    fn is_protocol_instance(&self, v: &Value) -> bool {
        let Value::Instance(Type::Project(c)) = v else {
            return false;
        };
        self.mro(*c)
            .external
            .iter()
            .any(|e| e == "typing.Protocol" || e == "typing_extensions.Protocol")
    }

    fn mro(&self, c: ClassId) -> Rc<Mro> {
        if let Some(m) = self.mros.borrow().get(&c) {
            return m.clone();
        }
        self.mros.borrow_mut().insert(c, Rc::default());
        let mut mro = Mro::default();
        let mut stack = vec![(c, 0u32)];
        while let Some((class, level)) = stack.pop() {
            if mro.project.contains(&class) || level > 16 {
                continue;
            }
            mro.project.push(class);
            let bases = &self.modules.class(class).bases;
            // Pushed in reverse so that the first base is explored first.
            for base in bases.iter().rev() {
                match self.eval_depth(class.module, base, 1) {
                    Value::Class(b) => stack.push((b, level + 1)),
                    Value::External(p) => {
                        let p = Name::new(Catalogue::canonical(&p));
                        if !mro.external.contains(&p) {
                            mro.external.push(p);
                        }
                    }
                    _ => {}
                }
            }
        }
        let mro = Rc::new(mro);
        self.mros.borrow_mut().insert(c, mro.clone());
        mro
    }

    fn call_result(&self, v: Value, depth: u32) -> Value {
        let external = |name: &str| {
            self.catalogue
                .returns(&Catalogue::canonical(name))
                .map(|ty| Value::Instance(Type::External(Name::new(ty))))
                .unwrap_or(Value::Unknown)
        };
        match v {
            Value::External(p) => {
                let canonical = Catalogue::canonical(&p);
                match external(&canonical) {
                    Value::Unknown if self.catalogue.is_type(&canonical) => {
                        Value::Instance(Type::External(Name::new(canonical)))
                    }
                    v => v,
                }
            }
            Value::Class(c) => Value::Instance(Type::Project(c)),
            Value::Function(f) => self.function_return(f, depth),
            Value::Method(Type::External(t), m) => external(&format!("{t}.{m}")),
            Value::Method(Type::Of(t, c), m) => match external(&format!("{t}.{m}")) {
                Value::Instance(Type::External(ty)) if self.derives_from(c, &ty) => {
                    Value::Instance(Type::Project(c))
                }
                Value::Instance(Type::External(ty)) => Value::Instance(Type::Of(ty, c)),
                other => other,
            },
            Value::Instance(ref ty) if let Some(t) = ty.external() => {
                external(&format!("{t}.__call__"))
            }
            Value::Instance(Type::Project(c)) => match self.method(c, "__call__") {
                Some(f) => self.function_return(f, depth),
                None => Value::Unknown,
            },
            _ => Value::Unknown,
        }
    }

    /// What a project function returns: its annotation, else what its `return`
    /// statements give. A coroutine function returns a coroutine, which is not tracked.
    pub fn function_return(&self, f: FnId, depth: u32) -> Value {
        if let Some(v) = self.returns.borrow().get(&f) {
            return v.clone();
        }
        self.returns.borrow_mut().insert(f, Value::Unknown);
        let func = self.modules.function(f);
        let v = if func.is_async {
            Value::Unknown
        } else {
            let annotated = func
                .returns
                .as_ref()
                .map(|r| self.eval_depth(f.module, r, depth + 1))
                .filter(Value::is_known);
            annotated.unwrap_or_else(|| {
                last_known(
                    func.returned
                        .iter()
                        .map(|r| self.eval_depth(f.module, r, depth + 1)),
                )
            })
        };
        self.returns.borrow_mut().insert(f, v.clone());
        v
    }

    /// What a call calls, as far as the code proves it.
    pub fn callee(&self, module: u32, call: &Call) -> Callee {
        let dunder = |c: ClassId, name: &str| {
            self.mro(c)
                .project
                .iter()
                .find_map(|class| self.method(*class, name))
                .map_or(Callee::Unknown, Callee::Project)
        };
        match call.kind {
            CallKind::Read => return self.property_getter(module, &call.callee),
            // Iterating (or entering) what a generator function returned runs its body.
            CallKind::Iterate | CallKind::Enter => {
                if let Ref::Attr(receiver, _) = &call.callee {
                    if let Ref::Call(made) = &**receiver {
                        if let Value::Function(g) = self.eval(module, made) {
                            if self.is_sync_generator(g) {
                                return Callee::Project(g);
                            }
                        }
                    }
                }
            }
            CallKind::Call => {}
        }
        match self.eval(module, &call.callee) {
            Value::External(p) => Callee::External(Name::new(Catalogue::canonical(&p))),
            Value::Method(ref ty, ref m) if let Some(t) = ty.external() => {
                Callee::External(compact_str::format_compact!("{t}.{m}"))
            }
            Value::Instance(ref ty) if let Some(t) = ty.external() => {
                Callee::External(compact_str::format_compact!("{t}.__call__"))
            }
            Value::Function(f) => Callee::Project(f),
            Value::Class(c) => dunder(c, "__init__"),
            Value::Instance(Type::Project(c)) => dunder(c, "__call__"),
            _ => Callee::Unknown,
        }
    }

    /// A sync `def` with `yield`: calling it runs none of its body.
    pub fn is_sync_generator(&self, f: FnId) -> bool {
        let func = self.modules.function(f);
        func.is_generator && !func.is_async
    }

    /// The getter that reading `receiver.name` runs: a property of the receiver's class
    /// (or of its bases in the project).
    fn property_getter(&self, module: u32, read: &Ref) -> Callee {
        let Ref::Attr(receiver, name) = read else {
            return Callee::Unknown;
        };
        let Value::Instance(Type::Project(c)) = self.eval(module, receiver) else {
            return Callee::Unknown;
        };
        let Some(f) = self.lookup_method(c, name) else {
            return Callee::Unknown;
        };
        match self.modules.function(f).kind {
            FunctionKind::Property => Callee::Project(f),
            _ => Callee::Unknown,
        }
    }

    /// The catalogue name of what a call calls, when it is outside the project.
    pub fn external_callee(&self, module: u32, call: &Call) -> Option<Name> {
        match self.callee(module, call) {
            Callee::External(api) => Some(api),
            _ => None,
        }
    }

    /// Whether a call of the external `api` blocks, and under which rule, judging by the
    /// catalogue.
    pub fn blocking(&self, module: u32, call: &Call, api: &str) -> Option<Blocking> {
        let found = self.catalogue.blocking(api)?;
        // A non-blocking socket's calls return at once.
        if api.starts_with("socket.socket.") && call.nonblocking {
            return None;
        }
        if found.rule == Rule::BlockingHttpCall && opens_data_url(self.modules.module(module), call)
        {
            return None;
        }
        if found.rule == Rule::ClientBuiltOnLoop
            && api.starts_with("httpx.")
            && given_a_transport(call)
        {
            return None;
        }
        let rule = match found.condition {
            Condition::Always | Condition::LoopReentry | Condition::DirectOnly => found.rule,
            Condition::SpawnMode => {
                match call.arg(0, Some("mode")) {
                    None => Rule::RunProcess,
                    Some(arg) => match self.eval(module, &arg.value) {
                        Value::External(p) if p == "os.P_WAIT" => Rule::RunProcess,
                        // `os.P_WAIT` is 0 on every platform that has it.
                        _ if arg.value == Ref::Const(Const::Int(0)) => Rule::RunProcess,
                        _ => Rule::CreateProcess,
                    },
                }
            }
            Condition::PathArgument => {
                // The file argument: pandas names it differently for each function.
                const KEYWORDS: &[&str] = &[
                    "excel_writer",
                    "filepath_or_buffer",
                    "io",
                    "path",
                    "path_or_buf",
                    "path_or_buffer",
                ];
                let arg = call.args.iter().find(|a| match &a.keyword {
                    None => true,
                    Some(k) => KEYWORDS.contains(&k.as_str()),
                })?;
                let is_path = self.is_string(module, &arg.value, 0)
                    || matches!(
                        self.eval(module, &arg.value),
                        Value::Instance(Type::External(t)) if t == "pathlib.Path"
                    );
                if !is_path {
                    return None;
                }
                found.rule
            }
            Condition::BlockArgument | Condition::LockAcquire => {
                let non_blocking = call.args.iter().any(|a| match (&a.keyword, &a.value) {
                    (None, Ref::Const(Const::Bool(false))) => true,
                    (Some(k), Ref::Const(Const::Bool(false))) => {
                        matches!(k.as_str(), "block" | "blocking" | "wait")
                    }
                    (Some(k), Ref::Const(Const::Int(0))) => k == "timeout",
                    _ => false,
                }) || ([".wait", ".join", ".result"].iter().any(|m| api.ends_with(m))
                    // A timeout of 0, the first argument of these: they return at once.
                    && call.args.first().is_some_and(|a| {
                        a.keyword.is_none() && a.value == Ref::Const(Const::Int(0))
                    }));
                if non_blocking {
                    return None;
                }
                found.rule
            }
        };
        Some(Blocking {
            rule,
            api: api.to_string(),
            through_helpers: !matches!(
                found.condition,
                Condition::DirectOnly | Condition::LockAcquire
            ),
        })
    }

    /// Whether `r` is a string: a literal, or a module-level name last bound to one
    /// (`SALES = "data/sales.csv"`), here or imported.
    fn is_string(&self, module: u32, r: &Ref, depth: u32) -> bool {
        let (module, name) = match r {
            Ref::Const(Const::Str) => return true,
            // A `str` parameter (annotated, or named like a path), unless the module binds
            // a `str` of its own.
            Ref::Instance(inner) => {
                return matches!(&**inner, Ref::Name(n) if n == "str")
                    && !self.modules.module(module).bindings.contains_key("str")
            }
            Ref::Name(name) => (module, name.as_str()),
            Ref::Path(path) => match path
                .rsplit_once('.')
                .and_then(|(m, name)| Some((self.module_index(m)?, name)))
            {
                Some(found) => found,
                None => return false,
            },
            _ => return false,
        };
        depth < 4
            && self
                .modules
                .module(module)
                .bindings
                .get(name)
                .and_then(|b| b.last())
                .is_some_and(|b| self.is_string(module, b, depth + 1))
    }
}

/// The last value that resolved to something: later bindings win, as at run time, but a
/// later `x = None` or an unknown value does not erase what an earlier one proved.
fn last_known(values: impl Iterator<Item = Value>) -> Value {
    let mut result = Value::Unknown;
    for v in values {
        if v.is_known() {
            result = v;
        }
    }
    result
}

/// Whether the URL a call opens is a `data:` URL, decoded in memory: a literal, or a
/// parameter the function has checked (`if not uri.startswith("data:"): raise`).
fn opens_data_url(facts: &crate::facts::ModuleFacts, call: &Call) -> bool {
    let Some(url) = call.arg(0, Some("url")) else {
        return false;
    };
    match url.given {
        Given::Lit(i) => matches!(facts.literal(i), Lit::Str(s) if s.starts_with("data:")),
        Given::Param(p) => call.guards().iter().any(|g| {
            g.param == p
                && g.holds
                && g.transforms.is_empty()
                && matches!(&g.test, Test::StartsWith(prefix) if prefix.starts_with("data:"))
        }),
        _ => false,
    }
}

/// Whether an httpx client is given a transport (`httpx.AsyncClient(transport=...)`):
/// it then builds no SSL context and no connection pool of its own. Building the
/// transport is what costs (`httpx.AsyncHTTPTransport(...)`, a row of its own), or
/// nothing, for one that calls an app in the process (`httpx.ASGITransport(app)`).
fn given_a_transport(call: &Call) -> bool {
    call.args
        .iter()
        .any(|a| a.keyword.as_deref() == Some("transport"))
}
