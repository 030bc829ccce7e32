//! Guided create/edit forms for the six kinds inside a mesh (virtual service, node, router,
//! route, gateway, gateway route). The mesh has its own form ([`crate::form`]).
//!
//! One engine, driven by a table of fields per kind ([`tables`]): each field names a path into
//! the Create/Update input document, so the form reads an existing spec, writes what the user
//! set, and maps every problem of [`shape::validate`] (the sandbox's own rules) back to the field
//! that holds its JSON path. Enum values, lengths and ranges come from the service model at
//! that path; nothing about the shapes is written here by hand.
//!
//! Editing starts from the resource's spec and keeps every member the form does not show: the
//! form removes only the paths its fields own (all branches of them), then writes the visible
//! fields; a group's items keep their own unshown members.
//!
//! Pure state: no terminal, no network. [`KindForm::handle_key`] returns a [`FormOutcome`];
//! the app sends the request and reports back with [`KindForm::show_answer`].

pub mod tables;

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashSet};
use std::hash::{Hash, Hasher};

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Map, Value};
use tui_input::backend::crossterm::EventHandler;
use tui_input::{Input, InputRequest};

use crate::kind::{Key, Kind, Verb};
use crate::mesh::{Item, MeshModel};
use crate::model::{MeshSpec, Tag};
use crate::shape::{self, Shape};
use crate::template::{RuleField, Rules};
use tables::{FieldDef, GroupDef, RowDef, W};

/// The form's keys, for the help window and the key line: (keys, what they do).
pub const KEYS: &[(&str, &str)] = &[
    ("Tab/↑↓", "move"),
    ("←→", "choose"),
    ("Space", "toggle"),
    ("a", "add"),
    ("d", "remove"),
    ("Ctrl-S", "send"),
    ("Esc", "cancel"),
];

/// What a key did.
#[derive(Clone, Debug, PartialEq)]
pub enum FormOutcome {
    /// Keep the form open (the key was used, ignored, or a submit was refused with reasons).
    Stay,
    /// Esc: close the form.
    Cancel,
    /// Send this. `spec` is the wire form; for an edit `tags` is empty (UpdateX has none).
    Submit {
        key: Key,
        spec: Value,
        tags: Vec<Tag>,
        client_token: String,
    },
}

/// A place the focus can be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stop {
    /// Top-level field (row index).
    Field(usize),
    /// A group's heading: add items here.
    Group(usize),
    /// An item's heading: remove it here.
    Item(usize, usize),
    /// A field of an item: row, item, field index.
    ItemField(usize, usize, usize),
    /// The Create / Update button.
    Submit,
}

/// A field's value as edited.
#[derive(Clone, Debug)]
pub enum Val {
    Text(Input),
    /// Enum value or choice key; `""` is "not set" / none.
    Pick(String),
    Bool {
        on: bool,
        /// What the resource held (so an untouched `false` stays `false`).
        was: Option<bool>,
    },
    /// A resource of the mesh (`Some`) or the typed name.
    Ref {
        chosen: Option<String>,
        typed: Input,
    },
    Multi {
        on: Vec<String>,
        cursor: usize,
    },
    Duration {
        value: Input,
        unit: String,
    },
}

#[derive(Clone, Debug)]
pub struct ItemState {
    /// The item as the resource held it (members the form does not show pass through).
    pub base: Value,
    pub vals: Vec<Val>,
}

#[derive(Clone, Debug)]
pub enum Slot {
    Field(Val),
    Group(Vec<ItemState>),
}

/// The service's answer to the last submit, shown on the form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    Ok(String),
    Err(String),
}

/// The result of building the request from the form.
#[derive(Clone, Debug, Default)]
pub struct Check {
    /// The Create/Update input document (`spec`, name members, `tags`).
    pub doc: Value,
    /// Problems per place; `None`: a path no field shows (named in the message).
    pub problems: Vec<(Option<Stop>, String)>,
    /// Not refusals: references to resources the mesh does not hold.
    pub warnings: Vec<(Stop, String)>,
}

impl Check {
    pub fn problem_at(&self, stop: Stop) -> Option<&str> {
        self.problems
            .iter()
            .find(|(s, _)| *s == Some(stop))
            .map(|(_, p)| p.as_str())
    }

    pub fn warning_at(&self, stop: Stop) -> Option<&str> {
        self.warnings
            .iter()
            .find(|(s, _)| *s == stop)
            .map(|(_, p)| p.as_str())
    }
}

/// The path (inside a listener) of the protocol the team rules may restrict.
const LISTENER_PROTOCOL: &str = "portMapping.protocol";

/// At most this many items per group (the largest list the forms show is 50 backends).
const MAX_ITEMS: usize = 50;
/// Typed text is clipped here: longer than any limit of the model the forms show.
const TEXT_MAX: usize = 1024;

/// Where a field sits: top level, or inside item `.1` of group row `.0`.
type Ctx = Option<(usize, usize)>;
/// A field's definition, where it sits, its (item, field) inside a group, and its row.
type Focused = (&'static FieldDef, Ctx, Option<(usize, usize)>, usize);

#[derive(Clone, Debug)]
pub struct KindForm {
    pub kind: Kind,
    pub mesh: String,
    rows: &'static [RowDef],
    pub slots: Vec<Slot>,
    /// The resource being edited.
    pub existing: Option<Key>,
    /// The document the form started from (`{"spec": …}` of the resource).
    base: Value,
    /// Names of the resources in the mesh, per kind, for reference lists.
    names: BTreeMap<Kind, Vec<String>>,
    pub focus: Stop,
    touched: HashSet<Stop>,
    pub submit_attempted: bool,
    rules: Rules,
    token: Option<(u64, String)>,
    pub answer: Option<Answer>,
    /// A one-off remark (an item added, a paste clipped).
    pub notice: Option<String>,
    pub check: Check,
    /// First body line shown (kept between frames so the view does not jump).
    pub scroll: std::cell::Cell<usize>,
    /// The rows to draw, rebuilt after every change so a frame only lays them out.
    drawn: Vec<ViewRow>,
    /// The button's label instead of Create / Update (a walkthrough's "Next").
    button: Option<&'static str>,
}

fn blank_doc() -> Value {
    Value::Object(Map::new())
}

impl KindForm {
    /// A form for `kind` in `mesh`: a new resource, or `existing` (its key and item) to edit.
    /// A mesh has its own form; asking for one gives an empty form that refuses to submit.
    pub fn new(
        kind: Kind,
        mesh: &MeshModel,
        existing: Option<(&Key, &Item)>,
        rules: &Rules,
    ) -> KindForm {
        let mut names: BTreeMap<Kind, Vec<String>> = BTreeMap::new();
        for k in Kind::IN_MESH {
            names.insert(
                k,
                mesh.of_kind(k)
                    .map(|(key, _)| key.name.to_string())
                    .collect(),
            );
        }
        let rows = tables::rows(kind);
        let mut base = blank_doc();
        if let Some((_, item)) = existing {
            base["spec"] = item.spec.value();
        }
        let mut f = KindForm {
            kind,
            mesh: mesh.name.clone(),
            rows,
            slots: Vec::new(),
            existing: existing.map(|(k, _)| k.clone()),
            base,
            names,
            focus: Stop::Submit,
            touched: HashSet::new(),
            submit_attempted: false,
            rules: rules.clone(),
            token: None,
            answer: None,
            notice: None,
            check: Check::default(),
            scroll: std::cell::Cell::new(0),
            drawn: Vec::new(),
            button: None,
        };
        f.load(existing.map(|(k, item)| (k, &item.tags)));
        f.focus = f.stops().into_iter().next().unwrap_or(Stop::Submit);
        f.recheck();
        f
    }

    /// For a new route or gateway route: the router or gateway it goes in (the list it was
    /// opened from).
    pub fn with_parent(mut self, parent: &str) -> KindForm {
        if self.existing.is_none() {
            for (r, row) in self.rows.iter().enumerate() {
                if let RowDef::Field(f) = row
                    && Some(f.path) == self.kind.info().parent.map(|p| p.info().name_member)
                {
                    self.slots[r] = Slot::Field(self.ref_val(f, parent));
                }
            }
            self.recheck();
        }
        self
    }

    /// A form for a new resource that starts from `doc`, a Create input document (name
    /// members, `spec`, `tags`): what a walkthrough suggests. Members no field shows pass
    /// through, as on an edit; it stays a create (CreateX, tags sent).
    pub fn prefilled(kind: Kind, mesh: &MeshModel, doc: &Value, rules: &Rules) -> KindForm {
        let mut f = KindForm::new(kind, mesh, None, rules);
        if kind == Kind::Mesh || !doc.is_object() {
            return f;
        }
        f.base = doc.clone();
        f.load(None);
        f.focus = f.stops().into_iter().next().unwrap_or(Stop::Submit);
        f.recheck();
        f
    }

    /// Labels the button `label` instead of Create (a walkthrough sends later).
    pub fn with_button(mut self, label: &'static str) -> KindForm {
        self.button = Some(label);
        self.recheck();
        self
    }

    /// The button's own label, when a walkthrough set one.
    pub fn button(&self) -> Option<&'static str> {
        self.button
    }

    /// Refreshes the lists of resources (after the mesh changed), keeping every value.
    pub fn set_mesh(&mut self, mesh: &MeshModel) {
        for k in Kind::IN_MESH {
            self.names.insert(
                k,
                mesh.of_kind(k)
                    .map(|(key, _)| key.name.to_string())
                    .collect(),
            );
        }
        self.recheck();
    }

    pub fn rows(&self) -> &'static [RowDef] {
        self.rows
    }

    pub fn is_edit(&self) -> bool {
        self.existing.is_some()
    }

    /// Shows the service's answer (or error) on the form; every value stays as it is.
    pub fn show_answer(&mut self, answer: Answer) {
        self.answer = Some(answer);
    }

    /// The title: "New virtual node in mesh "m"" or "Edit route "r" of virtual router "x"".
    pub fn title(&self) -> String {
        match &self.existing {
            Some(k) => format!("Edit {}", k.describe()),
            None => format!("New {} in mesh {:?}", self.kind, self.mesh),
        }
    }

    // ---- model lookups ----

    fn input_shape(&self) -> String {
        let verb = if self.is_edit() {
            Verb::Update
        } else {
            Verb::Create
        };
        format!("{}Input", self.kind.operation(verb))
    }

    /// The model's shape at `segs` (a `[]` segment steps into a list's items).
    fn shape_at(&self, segs: &[String]) -> Option<String> {
        let m = shape::model();
        let mut cur = self.input_shape();
        for seg in segs {
            cur = match m.shape(&cur)? {
                Shape::Structure(s) if seg != "[]" => s.member(seg)?.shape.clone(),
                Shape::List { member, .. } if seg == "[]" => member.clone(),
                _ => return None,
            };
        }
        Some(cur)
    }

    /// The model's documentation of the member at `segs`, as plain text.
    fn doc_at(&self, segs: &[String]) -> Option<String> {
        let (last, parent) = segs.split_last()?;
        let shape = self.shape_at(parent)?;
        let s = shape::model().structure(&shape)?;
        Some(strip_html(&s.member(last)?.doc))
    }

    // ---- paths ----

    fn field_def(&self, r: usize, f: Option<usize>) -> Option<&'static FieldDef> {
        match (self.rows.get(r)?, f) {
            (RowDef::Field(d), None) => Some(d),
            (RowDef::Group(g), Some(i)) => g.fields.get(i),
            _ => None,
        }
    }

    fn val(&self, r: usize, item: Option<(usize, usize)>) -> Option<&Val> {
        match (self.slots.get(r)?, item) {
            (Slot::Field(v), None) => Some(v),
            (Slot::Group(items), Some((i, f))) => items.get(i)?.vals.get(f),
            _ => None,
        }
    }

    fn val_mut(&mut self, r: usize, item: Option<(usize, usize)>) -> Option<&mut Val> {
        match (self.slots.get_mut(r)?, item) {
            (Slot::Field(v), None) => Some(v),
            (Slot::Group(items), Some((i, f))) => items.get_mut(i)?.vals.get_mut(f),
            _ => None,
        }
    }

    /// Finds field `id`: in the item of `ctx` first, then at the top level.
    fn find(&self, id: &str, ctx: Ctx) -> Option<(usize, Option<(usize, usize)>)> {
        if let Some((r, i)) = ctx
            && let Some(RowDef::Group(g)) = self.rows.get(r)
            && let Some(fi) = g.fields.iter().position(|f| f.id == id)
        {
            return Some((r, Some((i, fi))));
        }
        self.rows.iter().enumerate().find_map(|(r, row)| match row {
            RowDef::Field(f) if f.id == id => Some((r, None)),
            _ => None,
        })
    }

    /// The value of field `id` as a path segment or condition value.
    fn var(&self, id: &str, ctx: Ctx) -> String {
        let Some((r, it)) = self.find(id, ctx) else {
            return String::new();
        };
        match self.val(r, it) {
            Some(Val::Pick(s)) => s.clone(),
            Some(Val::Text(i)) => i.value().to_string(),
            _ => String::new(),
        }
    }

    fn when_ok(&self, when: Option<(&str, &[&str])>, ctx: Ctx, depth: usize) -> bool {
        let Some((id, values)) = when else {
            return true;
        };
        if depth > 8 || !values.contains(&self.var(id, ctx).as_str()) {
            return false;
        }
        match self.find(id, ctx) {
            Some((r, it)) => match self.field_def(r, it.map(|(_, f)| f)) {
                Some(d) => self.when_ok(d.when, ctx, depth + 1),
                None => true,
            },
            None => true,
        }
    }

    /// The segments of `path` with `$id`s replaced by their values; `None` when a value is
    /// empty (that branch is not set).
    fn resolve(&self, path: &str, ctx: Ctx) -> Option<Vec<String>> {
        let mut out = Vec::new();
        for seg in path.split('.').filter(|s| !s.is_empty()) {
            if let Some(id) = seg.strip_prefix('$') {
                let v = self.var(id, ctx);
                if v.is_empty() {
                    return None;
                }
                out.extend(v.split('.').map(str::to_string));
            } else {
                out.push(seg.to_string());
            }
        }
        Some(out)
    }

    /// Every value field `id` can take (for clearing all branches of a path).
    fn var_values(&self, id: &str, ctx: Ctx) -> Vec<String> {
        let Some((r, it)) = self.find(id, ctx) else {
            return Vec::new();
        };
        let Some(d) = self.field_def(r, it.map(|(_, f)| f)) else {
            return Vec::new();
        };
        match d.w {
            W::Choice { options, .. } => options
                .iter()
                .filter(|o| !o.key.is_empty())
                .map(|o| o.key.to_string())
                .collect(),
            W::Enum { .. } => {
                let prefix = self.group_prefix(ctx.filter(|_| it.is_some()));
                let mut segs = prefix.unwrap_or_default();
                match self.resolve(d.path, ctx) {
                    Some(p) => segs.extend(p),
                    None => return Vec::new(),
                }
                self.enum_values(&segs)
            }
            _ => Vec::new(),
        }
    }

    /// Every concrete form of `path` (each `$id` taking each of its values).
    fn expand(&self, path: &str, ctx: Ctx) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = vec![Vec::new()];
        for seg in path.split('.').filter(|s| !s.is_empty()) {
            let options: Vec<String> = match seg.strip_prefix('$') {
                Some(id) => self.var_values(id, ctx),
                None => vec![seg.to_string()],
            };
            let mut next = Vec::new();
            for base in &out {
                for o in &options {
                    let mut b = base.clone();
                    b.extend(o.split('.').map(str::to_string));
                    next.push(b);
                }
            }
            out = next;
            if out.len() > 256 {
                break;
            }
        }
        out
    }

    /// The model path of group row `ctx.0`'s items (`spec.listeners.[]`), for shape lookups.
    fn group_prefix(&self, ctx: Ctx) -> Option<Vec<String>> {
        let (r, _) = ctx?;
        let RowDef::Group(g) = self.rows.get(r)? else {
            return None;
        };
        let mut segs = self.resolve(g.path, None)?;
        segs.push("[]".into());
        Some(segs)
    }

    /// The model path of a field (for shapes): group items step in with `[]`.
    fn model_path(&self, d: &FieldDef, ctx: Ctx) -> Option<Vec<String>> {
        let mut segs = match ctx {
            Some(_) => self.group_prefix(ctx)?,
            None => Vec::new(),
        };
        segs.extend(self.resolve(d.path, ctx)?);
        Some(segs)
    }

    fn enum_values(&self, segs: &[String]) -> Vec<String> {
        self.shape_at(segs)
            .map(|s| shape::model().enum_values(&s).to_vec())
            .unwrap_or_default()
    }

    /// The values of a [`W::Multi`]: the enum of the list's items, or the values the member's
    /// documentation names in bold (`httpRetryEvents`: the model has no enum for them).
    fn multi_values(&self, segs: &[String]) -> Vec<String> {
        let mut item = segs.to_vec();
        item.push("[]".into());
        let values = self.enum_values(&item);
        if !values.is_empty() {
            return values;
        }
        let Some(doc) = segs.split_last().and_then(|(last, parent)| {
            let s = self.shape_at(parent)?;
            Some(shape::model().structure(&s)?.member(last)?.doc.clone())
        }) else {
            return Vec::new();
        };
        doc.split("<b>")
            .skip(1)
            .filter_map(|s| s.split("</b>").next())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// Whether a field is shown: its condition holds and the model has its path in the
    /// branch chosen now (a TCP route has no per-request timeout).
    fn visible(&self, d: &FieldDef, ctx: Ctx) -> bool {
        if !self.when_ok(d.when, ctx, 0) {
            return false;
        }
        let Some(segs) = self.model_path(d, ctx) else {
            return false;
        };
        if self.shape_at(&segs).is_none() {
            return false;
        }
        match d.w {
            W::Multi => !self.multi_values(&segs).is_empty(),
            W::Choice { options, .. } => options.iter().filter(|o| !o.key.is_empty()).any(|o| {
                let mut s = segs.clone();
                s.extend(
                    o.key
                        .split('.')
                        .filter(|k| !k.is_empty())
                        .map(str::to_string),
                );
                self.shape_at(&s).is_some()
            }),
            _ => true,
        }
    }

    fn group_visible(&self, r: usize, g: &GroupDef) -> bool {
        (!g.create_only || !self.is_edit())
            && self.when_ok(g.when, None, 0)
            && self
                .group_prefix(Some((r, 0)))
                .is_some_and(|s| self.shape_at(&s).is_some())
    }

    /// The options of an enum or choice field, as (value, label).
    pub fn options(&self, d: &FieldDef, ctx: Ctx) -> Vec<(String, String)> {
        match d.w {
            W::Choice { options, .. } => options
                .iter()
                .map(|o| (o.key.to_string(), o.label.to_string()))
                .collect(),
            W::Enum { optional } => {
                let mut out = Vec::new();
                if optional {
                    out.push((String::new(), "not set".to_string()));
                }
                if let Some(segs) = self.model_path(d, ctx) {
                    out.extend(self.enum_values(&segs).into_iter().map(|v| (v.clone(), v)));
                }
                out
            }
            W::Bool => vec![("false".into(), "no".into()), ("true".into(), "yes".into())],
            W::Duration => {
                let mut segs = self.model_path(d, ctx).unwrap_or_default();
                segs.push("unit".into());
                self.enum_values(&segs)
                    .into_iter()
                    .map(|v| (v.clone(), v))
                    .collect()
            }
            W::Multi => self
                .model_path(d, ctx)
                .map(|s| self.multi_values(&s))
                .unwrap_or_default()
                .into_iter()
                .map(|v| (v.clone(), v))
                .collect(),
            W::Ref(k) => {
                let mut out: Vec<(String, String)> = self
                    .names
                    .get(&k)
                    .into_iter()
                    .flatten()
                    .map(|n| (n.clone(), n.clone()))
                    .collect();
                out.push((String::new(), "type a name".into()));
                out
            }
            W::Text | W::Int => Vec::new(),
        }
    }

    /// One-line help for a field: the table's, or the model's documentation.
    pub fn help(&self, stop: Stop) -> String {
        let (d, ctx) = match stop {
            Stop::Field(r) => (self.field_def(r, None), None),
            Stop::ItemField(r, i, f) => (self.field_def(r, Some(f)), Some((r, i))),
            Stop::Group(r) | Stop::Item(r, _) => {
                let help = match self.rows.get(r) {
                    Some(RowDef::Group(g)) => g.help,
                    _ => "",
                };
                let keys = if matches!(stop, Stop::Group(_)) {
                    "Enter or a adds one."
                } else {
                    "d or Delete removes this one; Enter goes to its fields."
                };
                return format!("{help} {keys}");
            }
            Stop::Submit => {
                return format!(
                    "Sends {} with the values above. Ctrl-S does the same from anywhere.",
                    self.kind.operation(if self.is_edit() {
                        Verb::Update
                    } else {
                        Verb::Create
                    })
                );
            }
        };
        let Some(d) = d else {
            return String::new();
        };
        if !d.help.is_empty() {
            return d.help.to_string();
        }
        self.model_path(d, ctx)
            .and_then(|s| self.doc_at(&s))
            .unwrap_or_default()
    }

    // ---- loading ----

    fn text_val(s: &str) -> Val {
        Val::Text(Input::new(s.to_string()))
    }

    fn ref_val(&self, d: &FieldDef, name: &str) -> Val {
        let W::Ref(k) = d.w else {
            return Self::text_val(name);
        };
        let exists = self
            .names
            .get(&k)
            .is_some_and(|n| n.iter().any(|x| x == name));
        if exists {
            Val::Ref {
                chosen: Some(name.to_string()),
                typed: Input::default(),
            }
        } else {
            Val::Ref {
                chosen: None,
                typed: Input::new(name.to_string()),
            }
        }
    }

    /// The value a field starts with in a new form or item.
    fn default_val(&self, d: &FieldDef, ctx: Ctx) -> Val {
        match d.w {
            W::Text | W::Int => Self::text_val(d.default),
            W::Enum { .. } | W::Choice { .. } => {
                let opts = self.options(d, ctx);
                let v = if !d.default.is_empty() {
                    d.default.to_string()
                } else {
                    opts.first().map(|o| o.0.clone()).unwrap_or_default()
                };
                Val::Pick(v)
            }
            W::Bool => Val::Bool {
                on: false,
                was: None,
            },
            W::Multi => Val::Multi {
                on: Vec::new(),
                cursor: 0,
            },
            W::Ref(k) => {
                // A new reference starts on the first resource the mesh has, if any; in a
                // repeated group, on the first one no other item names yet (a second target or
                // backend on the same node or service is rarely meant, and two backends on
                // one service are refused).
                let taken = self.taken_refs(d, ctx);
                let names = self.names.get(&k);
                let first = names.and_then(|n| {
                    n.iter()
                        .find(|name| !taken.contains(name))
                        .or_else(|| n.first())
                });
                match first {
                    Some(n) if d.default.is_empty() && d.required => Val::Ref {
                        chosen: Some(n.clone()),
                        typed: Input::default(),
                    },
                    _ => self.ref_val(d, d.default),
                }
            }
            W::Duration => Val::Duration {
                value: Input::new(d.default.to_string()),
                unit: self
                    .options(d, ctx)
                    .iter()
                    .find(|o| o.0 == "s")
                    .or(self.options(d, ctx).first())
                    .map(|o| o.0.clone())
                    .unwrap_or_default(),
            },
        }
    }

    /// The names field `d` of the other items of its group has chosen (`ctx`: the item).
    fn taken_refs(&self, d: &FieldDef, ctx: Ctx) -> Vec<String> {
        let Some((r, i)) = ctx else {
            return Vec::new();
        };
        let (Some(RowDef::Group(g)), Some(Slot::Group(items))) =
            (self.rows.get(r), self.slots.get(r))
        else {
            return Vec::new();
        };
        let Some(f) = g.fields.iter().position(|fd| fd.id == d.id) else {
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .filter_map(|(_, item)| match item.vals.get(f) {
                Some(Val::Ref {
                    chosen: Some(name), ..
                }) => Some(name.clone()),
                Some(Val::Ref {
                    chosen: None,
                    typed,
                }) => Some(typed.value().to_string()),
                _ => None,
            })
            .collect()
    }

    /// The value of a field read from `obj` (the document, or an item).
    fn read_val(&self, d: &FieldDef, ctx: Ctx, obj: &Value) -> Val {
        let Some(segs) = self.resolve(d.path, ctx) else {
            return self.default_val(d, ctx);
        };
        let at = get(obj, &segs);
        let visible = self.visible(d, ctx);
        match d.w {
            W::Choice { options, .. } => {
                let Some(parent) = at else {
                    return self.default_val(d, ctx);
                };
                let present = options.iter().find(|o| {
                    !o.key.is_empty() && {
                        let ks: Vec<String> = o.key.split('.').map(str::to_string).collect();
                        get(parent, &ks).is_some_and(|v| !v.is_null())
                    }
                });
                match present {
                    Some(o) => Val::Pick(o.key.to_string()),
                    None if options.iter().any(|o| o.key.is_empty()) => Val::Pick(String::new()),
                    None => self.default_val(d, ctx),
                }
            }
            _ if at.is_none_or(Value::is_null) => {
                if visible && self.is_edit() {
                    // What the resource lacks stays unset: no default slips into an edit.
                    match d.w {
                        W::Enum { .. } | W::Bool | W::Multi | W::Duration => {
                            self.default_val(d, ctx)
                        }
                        W::Ref(_) => self.ref_val(d, ""),
                        _ => Self::text_val(""),
                    }
                } else {
                    self.default_val(d, ctx)
                }
            }
            W::Text | W::Int => Self::text_val(&scalar_text(at.unwrap_or(&Value::Null))),
            W::Ref(_) => self.ref_val(d, &scalar_text(at.unwrap_or(&Value::Null))),
            W::Enum { .. } => Val::Pick(scalar_text(at.unwrap_or(&Value::Null))),
            W::Bool => {
                let b = at.and_then(Value::as_bool);
                Val::Bool {
                    on: b == Some(true),
                    was: b,
                }
            }
            W::Multi => Val::Multi {
                on: at
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(scalar_text)
                    .collect(),
                cursor: 0,
            },
            W::Duration => {
                let v = at.unwrap_or(&Value::Null);
                let unit = v.get("unit").map(scalar_text).unwrap_or_else(|| {
                    match self.default_val(d, ctx) {
                        Val::Duration { unit, .. } => unit,
                        _ => String::new(),
                    }
                });
                Val::Duration {
                    value: Input::new(v.get("value").map(scalar_text).unwrap_or_default()),
                    unit,
                }
            }
        }
    }

    fn new_item(&mut self, r: usize, base: Value) -> ItemState {
        let RowDef::Group(g) = self.rows[r] else {
            return ItemState {
                base,
                vals: Vec::new(),
            };
        };
        // Fields are read in table order so a `$id` they use is already set.
        let Slot::Group(items) = &mut self.slots[r] else {
            return ItemState {
                base,
                vals: Vec::new(),
            };
        };
        let i = items.len();
        items.push(ItemState {
            base: base.clone(),
            vals: Vec::new(),
        });
        for fd in g.fields {
            let v = self.read_val(fd, Some((r, i)), &base);
            if let Slot::Group(items) = &mut self.slots[r] {
                items[i].vals.push(v);
            }
        }
        match &mut self.slots[r] {
            Slot::Group(items) => items.pop().unwrap_or(ItemState {
                base,
                vals: Vec::new(),
            }),
            Slot::Field(_) => ItemState {
                base,
                vals: Vec::new(),
            },
        }
    }

    fn load(&mut self, existing: Option<(&Key, &BTreeMap<String, String>)>) {
        let mut doc = self.base.clone();
        if let Some((k, tags)) = existing {
            doc[self.kind.info().name_member] = Value::String(k.name.to_string());
            if let Some(p) = self.kind.info().parent {
                doc[p.info().name_member] = Value::String(k.parent.to_string());
            }
            doc["tags"] = Value::Array(
                tags.iter()
                    .map(|(k, v)| serde_json::json!({"key": k, "value": v}))
                    .collect(),
            );
        } else if !self.rules.required_tag_keys.is_empty() {
            doc["tags"] = Value::Array(
                self.rules
                    .required_tag_keys
                    .iter()
                    .map(|k| serde_json::json!({"key": k, "value": ""}))
                    .collect(),
            );
        }
        self.slots.clear();
        for r in 0..self.rows.len() {
            match self.rows[r] {
                RowDef::Field(d) => {
                    let v = self.read_val(&d, None, &doc);
                    self.slots.push(Slot::Field(v));
                }
                RowDef::Group(g) => {
                    self.slots.push(Slot::Group(Vec::new()));
                    let found = self
                        .resolve(g.path, None)
                        .and_then(|s| get(&doc, &s).cloned());
                    let bases: Vec<Value> = match found {
                        Some(Value::Array(items)) => items,
                        _ if self.is_edit() => Vec::new(),
                        _ => vec![blank_doc(); g.start],
                    };
                    for b in bases.into_iter().take(MAX_ITEMS) {
                        let item = self.new_item(r, b);
                        if let Slot::Group(items) = &mut self.slots[r] {
                            items.push(item);
                        }
                    }
                }
            }
        }
    }

    // ---- building ----

    /// Builds the request document and checks it against the model and the team rules.
    pub fn build(&self) -> Check {
        let mut doc = self.base.clone();
        if !doc.is_object() {
            doc = blank_doc();
        }
        doc["meshName"] = Value::String(self.mesh.clone());
        let mut check = Check::default();
        let mut targets: Vec<(String, Stop)> = Vec::new();
        // 1. Remove every path a field owns, in all its branches.
        for row in self.rows {
            match row {
                RowDef::Field(d) => self.clear_field(&mut doc, d, None),
                RowDef::Group(g) => {
                    for segs in self.expand(g.path, None) {
                        remove(&mut doc, &segs);
                    }
                }
            }
        }
        // 2. Write what is shown.
        for (r, row) in self.rows.iter().enumerate() {
            match row {
                RowDef::Field(d) => {
                    if self.visible(d, None) {
                        self.write_field(
                            &mut doc,
                            d,
                            None,
                            Stop::Field(r),
                            &mut check,
                            &mut targets,
                        );
                    }
                }
                RowDef::Group(g) => {
                    if !self.group_visible(r, g) {
                        continue;
                    }
                    let Some(segs) = self.resolve(g.path, None) else {
                        continue;
                    };
                    let gpath = segs.join(".");
                    targets.push((gpath.clone(), Stop::Group(r)));
                    let Slot::Group(items) = &self.slots[r] else {
                        continue;
                    };
                    let mut arr = Vec::new();
                    for (i, item) in items.iter().enumerate() {
                        let mut obj = if item.base.is_object() {
                            item.base.clone()
                        } else {
                            blank_doc()
                        };
                        let ctx = Some((r, i));
                        for d in g.fields {
                            self.clear_field(&mut obj, d, ctx);
                        }
                        let ipath = format!("{gpath}[{i}]");
                        targets.push((ipath.clone(), Stop::Item(r, i)));
                        let mut local = Vec::new();
                        for (fi, d) in g.fields.iter().enumerate() {
                            if self.visible(d, ctx) {
                                self.write_field(
                                    &mut obj,
                                    d,
                                    ctx,
                                    Stop::ItemField(r, i, fi),
                                    &mut check,
                                    &mut local,
                                );
                            }
                        }
                        for (p, s) in local {
                            let p = if p.is_empty() {
                                ipath.clone()
                            } else {
                                format!("{ipath}.{p}")
                            };
                            targets.push((p, s));
                        }
                        arr.push(obj);
                    }
                    // An empty list the resource had stays (an edit changes only what it shows).
                    let had = get(&self.base, &segs).is_some_and(Value::is_array);
                    if !arr.is_empty() || g.write_empty || had {
                        set(&mut doc, &segs, Value::Array(arr));
                    }
                }
            }
        }
        if !doc.get("spec").is_some_and(Value::is_object) {
            doc["spec"] = blank_doc();
        }
        // 3. The model's rules, mapped back to the fields.
        for p in shape::validate(shape::model(), &self.input_shape(), &doc, "") {
            let stop = best_target(&targets, &p.path);
            let msg = match stop {
                Some(_) => p.rule.clone(),
                None => format!("{} (not in this form; the spec editor edits it)", p),
            };
            check.problems.push((stop, msg));
        }
        // 4. Team rules: required tags and their allowed values.
        if !self.is_edit() {
            self.check_rules(&doc, &mut check);
        }
        // One problem per place (the form's own, such as "is required", come first).
        let mut seen = HashSet::new();
        check
            .problems
            .retain(|(stop, _)| stop.is_none() || seen.insert(*stop));
        check.doc = doc;
        check
    }

    fn check_rules(&self, doc: &Value, check: &mut Check) {
        let tags = tags_of(doc);
        let tag_row = self
            .rows
            .iter()
            .position(|r| matches!(r, RowDef::Group(g) if g.id == "tags"));
        for v in self.rules.check("", &MeshSpec::default(), &tags) {
            let RuleField::Tag(key) = &v.field else {
                continue;
            };
            let stop = tag_row.map(|r| match tags.iter().position(|t| &t.key == key) {
                Some(i) => Stop::Item(r, i),
                None => Stop::Group(r),
            });
            check.problems.push((stop, v.message.clone()));
        }
    }

    /// What the resource held at `segs` (of the document, or of the item `stop` is in).
    fn original(&self, stop: Stop, segs: &[String]) -> Option<&Value> {
        match stop {
            Stop::ItemField(r, i, _) => match self.slots.get(r)? {
                Slot::Group(items) => get(&items.get(i)?.base, segs),
                Slot::Field(_) => None,
            },
            _ => get(&self.base, segs),
        }
    }

    /// Removes what field `d` owns from `obj` before the visible fields are written. A shown
    /// field owns every branch of its path (a listener's timeout under each protocol, so a
    /// protocol change leaves no stale branch behind). A hidden one owns the other branches
    /// only: what the resource holds where the form does not look now (a TCP health check's
    /// path) passes through untouched. A shown choice keeps its chosen member.
    fn clear_field(&self, obj: &mut Value, d: &FieldDef, ctx: Ctx) {
        let visible = self.visible(d, ctx);
        let here = if visible {
            None
        } else {
            self.resolve(d.path, ctx)
        };
        match d.w {
            W::Choice { options, .. } => {
                let chosen = self.var(d.id, ctx);
                let parents = if visible {
                    self.resolve(d.path, ctx).into_iter().collect()
                } else {
                    self.expand(d.path, ctx)
                };
                for parent in parents {
                    if here.as_ref() == Some(&parent) {
                        continue;
                    }
                    for o in options.iter().filter(|o| !o.key.is_empty()) {
                        if visible && o.key == chosen {
                            continue;
                        }
                        let mut segs = parent.clone();
                        segs.extend(o.key.split('.').map(str::to_string));
                        remove(obj, &segs);
                    }
                }
            }
            _ => {
                for segs in self.expand(d.path, ctx) {
                    if here.as_ref() != Some(&segs) {
                        remove(obj, &segs);
                    }
                }
            }
        }
    }

    fn write_field(
        &self,
        obj: &mut Value,
        d: &FieldDef,
        ctx: Ctx,
        stop: Stop,
        check: &mut Check,
        targets: &mut Vec<(String, Stop)>,
    ) {
        let Some(segs) = self.resolve(d.path, ctx) else {
            return;
        };
        targets.push((segs.join("."), stop));
        let r = match stop {
            Stop::Field(r) | Stop::ItemField(r, _, _) => r,
            _ => return,
        };
        let it = match stop {
            Stop::ItemField(_, i, f) => Some((i, f)),
            _ => None,
        };
        let Some(val) = self.val(r, it) else {
            return;
        };
        let required = |check: &mut Check| {
            if d.required {
                check.problems.push((Some(stop), "is required".into()));
            }
        };
        match (d.w, val) {
            (W::Text, Val::Text(i)) => {
                if i.value().is_empty() {
                    required(check);
                }
                if let Some(p) = forbidden(i.value()) {
                    check.problems.push((Some(stop), p));
                }
                if !i.value().is_empty() || d.required {
                    set(obj, &segs, Value::String(i.value().to_string()));
                }
            }
            (W::Int, Val::Text(i)) => match parse_int(i.value()) {
                Ok(None) => required(check),
                Ok(Some(n)) => set(obj, &segs, Value::from(n)),
                Err(e) => check.problems.push((Some(stop), e)),
            },
            (W::Enum { .. }, Val::Pick(v)) if !v.is_empty() => {
                if d.path == LISTENER_PROTOCOL
                    && let Some(allowed) = &self.rules.allowed_listener_protocols
                    && !allowed.contains(v)
                    // An edit is refused for a change, not for what the resource already held.
                    && self.original(stop, &segs).and_then(Value::as_str) != Some(v.as_str())
                {
                    check.problems.push((
                        Some(stop),
                        format!(
                            "listener protocol `{v}` is not allowed by the template's rules; choose {}",
                            allowed
                                .iter()
                                .map(|a| format!("`{a}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
                set(obj, &segs, Value::String(v.clone()));
            }
            (W::Choice { object, options }, Val::Pick(v)) if object && !v.is_empty() => {
                let mut s = segs.clone();
                s.extend(v.split('.').map(str::to_string));
                if !get(obj, &s).is_some_and(Value::is_object) {
                    set(obj, &s, blank_doc());
                }
                let ensure = options
                    .iter()
                    .find(|o| o.key == v)
                    .map_or(&[][..], |o| o.ensure);
                for member in ensure {
                    let mut m = s.clone();
                    m.push(member.to_string());
                    if get(obj, &m).is_none() {
                        set(obj, &m, blank_doc());
                    }
                }
                targets.push((s.join("."), stop));
            }
            (W::Bool, Val::Bool { on, was }) => {
                if *on {
                    set(obj, &segs, Value::Bool(true));
                } else if *was == Some(false) {
                    set(obj, &segs, Value::Bool(false));
                }
            }
            (W::Multi, Val::Multi { on, .. }) if !on.is_empty() => {
                set(
                    obj,
                    &segs,
                    Value::Array(on.iter().cloned().map(Value::String).collect()),
                );
            }
            (W::Ref(k), Val::Ref { chosen, typed }) => {
                let name = chosen.clone().unwrap_or_else(|| typed.value().to_string());
                if name.is_empty() {
                    required(check);
                } else if let Some(p) = forbidden(&name) {
                    check.problems.push((Some(stop), p));
                } else if !self.names.get(&k).is_some_and(|n| n.contains(&name)) {
                    let must = self.kind.info().parent == Some(k)
                        || self
                            .kind
                            .info()
                            .refs
                            .iter()
                            .find(|r| r.to == k)
                            .is_none_or(|r| r.must_exist);
                    let msg = if must {
                        format!(
                            "no {k} {name:?} in the mesh yet: the service refuses this until it exists"
                        )
                    } else {
                        format!(
                            "no {k} {name:?} in the mesh yet (allowed: it can be created later)"
                        )
                    };
                    check.warnings.push((stop, msg));
                }
                if !name.is_empty() || d.required {
                    set(obj, &segs, Value::String(name));
                }
            }
            (W::Duration, Val::Duration { value, unit }) => match parse_int(value.value()) {
                Ok(None) => required(check),
                Ok(Some(n)) => {
                    let mut o = Map::new();
                    o.insert("unit".into(), Value::String(unit.clone()));
                    o.insert("value".into(), Value::from(n));
                    set(obj, &segs, Value::Object(o));
                }
                Err(e) => check.problems.push((Some(stop), e)),
            },
            _ => {}
        }
    }

    /// Rebuilds the check after a change.
    pub fn recheck(&mut self) {
        self.check = self.build();
        self.drawn = self.view();
    }

    /// Problems to show now at `stop`: once it was edited, or after a submit attempt.
    pub fn visible_problem(&self, stop: Stop) -> Option<&str> {
        if self.submit_attempted || self.touched.contains(&stop) {
            self.check.problem_at(stop)
        } else {
            None
        }
    }

    // ---- focus ----

    /// The places the focus can be, top to bottom.
    pub fn stops(&self) -> Vec<Stop> {
        let mut out = Vec::new();
        for (r, row) in self.rows.iter().enumerate() {
            match row {
                RowDef::Field(d) => {
                    if self.visible(d, None) {
                        out.push(Stop::Field(r));
                    }
                }
                RowDef::Group(g) => {
                    if !self.group_visible(r, g) {
                        continue;
                    }
                    out.push(Stop::Group(r));
                    if let Slot::Group(items) = &self.slots[r] {
                        for i in 0..items.len() {
                            out.push(Stop::Item(r, i));
                            for (fi, d) in g.fields.iter().enumerate() {
                                if self.visible(d, Some((r, i))) {
                                    out.push(Stop::ItemField(r, i, fi));
                                }
                            }
                        }
                    }
                }
            }
        }
        out.push(Stop::Submit);
        out
    }

    fn move_focus(&mut self, delta: isize) {
        let stops = self.stops();
        let at = stops.iter().position(|s| *s == self.focus).unwrap_or(0) as isize;
        let n = stops.len() as isize;
        // Tab wraps around; a page stops at the first or last place.
        let to = if delta.abs() == 1 {
            (at + delta).rem_euclid(n)
        } else {
            (at + delta).clamp(0, n - 1)
        };
        self.focus = stops[to as usize];
    }

    /// After a change hid the focused place: the nearest place before it that is shown.
    fn fix_focus(&mut self, before: &[Stop]) {
        let stops = self.stops();
        if stops.contains(&self.focus) {
            return;
        }
        let at = before.iter().position(|s| *s == self.focus).unwrap_or(0);
        self.focus = before[..at]
            .iter()
            .rev()
            .find(|s| stops.contains(s))
            .copied()
            .unwrap_or(stops[0]);
    }

    fn focused_def(&self) -> Option<Focused> {
        match self.focus {
            Stop::Field(r) => Some((self.field_def(r, None)?, None, None, r)),
            Stop::ItemField(r, i, f) => {
                Some((self.field_def(r, Some(f))?, Some((r, i)), Some((i, f)), r))
            }
            _ => None,
        }
    }

    fn is_fixed(&self, d: &FieldDef) -> bool {
        d.fixed_on_edit && self.is_edit()
    }

    // ---- keys ----

    /// Handles one key. Tab/↓ and Shift-Tab/↑ move; ←→ choose in lists; Space toggles; Enter
    /// adds an item on a group heading and submits on the button; d removes an item on its
    /// heading; Ctrl-S submits from anywhere; Esc cancels.
    pub fn handle_key(&mut self, key: KeyEvent) -> FormOutcome {
        let out = self.key(key);
        self.drawn = self.view();
        out
    }

    fn key(&mut self, key: KeyEvent) -> FormOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let plain = key.modifiers.difference(KeyModifiers::SHIFT).is_empty();
        match key.code {
            KeyCode::Esc => return FormOutcome::Cancel,
            KeyCode::Char('s') if ctrl => return self.submit(),
            KeyCode::Tab | KeyCode::Down => {
                self.move_focus(1);
                return FormOutcome::Stay;
            }
            KeyCode::BackTab | KeyCode::Up => {
                self.move_focus(-1);
                return FormOutcome::Stay;
            }
            KeyCode::PageDown => {
                self.move_focus(8);
                return FormOutcome::Stay;
            }
            KeyCode::PageUp => {
                self.move_focus(-8);
                return FormOutcome::Stay;
            }
            _ => {}
        }
        let before = self.stops();
        let focus = self.focus;
        let changed = match focus {
            Stop::Submit => {
                if plain && matches!(key.code, KeyCode::Enter | KeyCode::Char(' ')) {
                    return self.submit();
                }
                false
            }
            Stop::Group(r) => match key.code {
                KeyCode::Enter | KeyCode::Insert | KeyCode::Char('a' | '+') if plain => {
                    self.add_item(r);
                    true
                }
                _ => false,
            },
            Stop::Item(r, i) => match key.code {
                KeyCode::Delete | KeyCode::Backspace | KeyCode::Char('d' | '-') if plain => {
                    self.remove_item(r, i);
                    true
                }
                KeyCode::Char('a' | '+') | KeyCode::Insert if plain => {
                    self.add_item(r);
                    true
                }
                KeyCode::Enter => {
                    self.move_focus(1);
                    false
                }
                _ => false,
            },
            Stop::Field(_) | Stop::ItemField(..) => self.field_key(key),
        };
        if changed {
            self.touched.insert(focus);
            self.answer = None;
            self.recheck();
            self.fix_focus(&before);
        }
        FormOutcome::Stay
    }

    fn field_key(&mut self, key: KeyEvent) -> bool {
        let Some((d, ctx, it, r)) = self.focused_def() else {
            return false;
        };
        let plain = key.modifiers.difference(KeyModifiers::SHIFT).is_empty();
        if key.code == KeyCode::Enter {
            self.move_focus(1);
            return false;
        }
        if self.is_fixed(d) {
            self.notice = Some(format!(
                "{} cannot change on an existing {}.",
                d.label.trim(),
                self.kind
            ));
            return false;
        }
        let options = self.options(d, ctx);
        let Some(val) = self.val_mut(r, it) else {
            return false;
        };
        match val {
            Val::Text(input) => edit_input(input, key),
            Val::Pick(cur) => {
                let at = options.iter().position(|o| &o.0 == cur);
                let n = options.len();
                if n == 0 {
                    return false;
                }
                let next = match key.code {
                    KeyCode::Left | KeyCode::Char('h') if plain => {
                        at.map_or(0, |a| a.saturating_sub(1))
                    }
                    KeyCode::Right | KeyCode::Char('l') if plain => {
                        at.map_or(0, |a| (a + 1).min(n - 1))
                    }
                    KeyCode::Char(' ') if plain => at.map_or(0, |a| (a + 1) % n),
                    KeyCode::Home => 0,
                    KeyCode::End => n - 1,
                    _ => return false,
                };
                if at == Some(next) {
                    return false;
                }
                *cur = options[next].0.clone();
                true
            }
            Val::Bool { on, .. } => match key.code {
                KeyCode::Left | KeyCode::Right | KeyCode::Char(' ' | 'h' | 'l') if plain => {
                    *on = !*on;
                    true
                }
                _ => false,
            },
            Val::Ref { chosen, typed } => {
                let n = options.len();
                let at = match chosen {
                    Some(c) => options.iter().position(|o| &o.0 == c).unwrap_or(n - 1),
                    None => n - 1,
                };
                let pick = |i: usize, chosen: &mut Option<String>| {
                    *chosen = (i + 1 < n).then(|| options[i].0.clone());
                };
                match key.code {
                    KeyCode::Left if plain => {
                        pick(at.saturating_sub(1), chosen);
                        true
                    }
                    KeyCode::Right if plain => {
                        pick((at + 1).min(n - 1), chosen);
                        true
                    }
                    _ => {
                        // Typing goes to "type a name".
                        let was = chosen.take();
                        let edited = edit_input(typed, key);
                        if !edited && was.is_some() {
                            *chosen = was;
                        }
                        edited
                    }
                }
            }
            Val::Multi { on, cursor } => {
                let n = options.len();
                if n == 0 {
                    return false;
                }
                match key.code {
                    KeyCode::Left | KeyCode::Char('h') if plain => {
                        *cursor = cursor.saturating_sub(1);
                        false
                    }
                    KeyCode::Right | KeyCode::Char('l') if plain => {
                        *cursor = (*cursor + 1).min(n - 1);
                        false
                    }
                    KeyCode::Char(' ' | 'x') if plain => {
                        let v = &options[(*cursor).min(n - 1)].0;
                        match on.iter().position(|x| x == v) {
                            Some(p) => {
                                on.remove(p);
                            }
                            None => on.push(v.clone()),
                        }
                        true
                    }
                    _ => false,
                }
            }
            Val::Duration { value, unit } => match key.code {
                KeyCode::Left | KeyCode::Right if plain => {
                    let units: Vec<String> = options.iter().map(|o| o.0.clone()).collect();
                    if units.is_empty() {
                        return false;
                    }
                    let at = units.iter().position(|u| u == unit).unwrap_or(0);
                    let next = if key.code == KeyCode::Left {
                        at.saturating_sub(1)
                    } else {
                        (at + 1).min(units.len() - 1)
                    };
                    let changed = units[next] != *unit;
                    *unit = units[next].clone();
                    changed
                }
                _ => edit_input(value, key),
            },
        }
    }

    fn add_item(&mut self, r: usize) {
        let RowDef::Group(g) = self.rows[r] else {
            return;
        };
        let n = match &self.slots[r] {
            Slot::Group(items) => items.len(),
            Slot::Field(_) => return,
        };
        if n >= MAX_ITEMS {
            self.notice = Some(format!("At most {MAX_ITEMS} {}s here.", g.item));
            return;
        }
        let item = self.new_item(r, blank_doc());
        if let Slot::Group(items) = &mut self.slots[r] {
            items.push(item);
        }
        self.notice = Some(format!("Added {} {}.", g.item, n + 1));
        let first = g
            .fields
            .iter()
            .position(|d| self.visible(d, Some((r, n))))
            .map_or(Stop::Item(r, n), |f| Stop::ItemField(r, n, f));
        self.focus = first;
    }

    fn remove_item(&mut self, r: usize, i: usize) {
        let RowDef::Group(g) = self.rows[r] else {
            return;
        };
        if let Slot::Group(items) = &mut self.slots[r]
            && i < items.len()
        {
            items.remove(i);
            self.notice = Some(format!("Removed {} {}.", g.item, i + 1));
            let left = items.len();
            self.touched.retain(
                |s| !matches!(s, Stop::Item(rr, _) | Stop::ItemField(rr, _, _) if *rr == r),
            );
            self.focus = if left == 0 {
                Stop::Group(r)
            } else {
                Stop::Item(r, i.min(left - 1))
            };
        }
    }

    /// Pastes into the focused text field: control characters become spaces; clipped to
    /// 1024 characters. Returns what was done, or `None` when the focus takes no text.
    pub fn paste(&mut self, text: &str) -> Option<String> {
        let (d, _, it, r) = self.focused_def()?;
        if self.is_fixed(d) {
            return None;
        }
        let cleaned: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let val = self.val_mut(r, it)?;
        let input = match val {
            Val::Text(i) => i,
            Val::Duration { value, .. } => value,
            Val::Ref { chosen, typed } => {
                *chosen = None;
                typed
            }
            _ => return None,
        };
        let room = TEXT_MAX.saturating_sub(input.value().chars().count());
        let total = cleaned.chars().count();
        for c in cleaned.chars().take(room) {
            input.handle(InputRequest::InsertChar(c));
        }
        let mut notes = Vec::new();
        if cleaned != text {
            notes.push("line breaks and control characters became spaces".to_string());
        }
        if total > room {
            notes.push(format!("clipped at {TEXT_MAX} characters"));
        }
        let focus = self.focus;
        self.touched.insert(focus);
        self.recheck();
        let note = (!notes.is_empty()).then(|| format!("Paste: {}.", notes.join("; ")));
        self.notice = note.clone();
        note
    }

    /// True when the user changed anything (so closing can ask first).
    pub fn has_input(&self) -> bool {
        !self.touched.is_empty()
    }

    fn fingerprint(doc: &Value) -> u64 {
        let mut h = DefaultHasher::new();
        doc.to_string().hash(&mut h);
        h.finish()
    }

    /// Validates and, when nothing is wrong, gives the request. The same clientToken comes
    /// back while the form is unchanged, so a retry is not applied twice.
    pub fn submit(&mut self) -> FormOutcome {
        self.submit_attempted = true;
        self.recheck();
        if self.kind == Kind::Mesh {
            self.notice = Some("A mesh has its own form (F2).".into());
            return FormOutcome::Stay;
        }
        if let Some((stop, p)) = self.check.problems.first().cloned() {
            let n = self.check.problems.len();
            if let Some(s) = stop
                && self.stops().contains(&s)
            {
                self.focus = s;
            }
            self.notice = Some(format!(
                "Not sent: {n} problem{} ({}{p}).",
                if n == 1 { "" } else { "s" },
                stop.map(|s| format!("{}: ", self.stop_label(s)))
                    .unwrap_or_default()
            ));
            return FormOutcome::Stay;
        }
        let doc = &self.check.doc;
        let fp = Self::fingerprint(doc);
        let token = match &self.token {
            Some((f, t)) if *f == fp => t.clone(),
            _ => {
                let t = uuid::Uuid::new_v4().to_string();
                self.token = Some((fp, t.clone()));
                t
            }
        };
        let info = self.kind.info();
        let name = doc
            .get(info.name_member)
            .map(scalar_text)
            .unwrap_or_default();
        let parent = info
            .parent
            .and_then(|p| doc.get(p.info().name_member))
            .map(scalar_text)
            .unwrap_or_default();
        self.notice = None;
        FormOutcome::Submit {
            key: Key::new(self.kind, self.mesh.clone(), parent, name),
            spec: doc.get("spec").cloned().unwrap_or_else(blank_doc),
            tags: if self.is_edit() {
                Vec::new()
            } else {
                tags_of(doc)
            },
            client_token: token,
        }
    }

    /// A place in words: "Listeners › listener 1 › Port".
    pub fn stop_label(&self, stop: Stop) -> String {
        let group = |r: usize| match self.rows.get(r) {
            Some(RowDef::Group(g)) => (g.label.trim(), g.item),
            _ => ("", ""),
        };
        match stop {
            Stop::Field(r) => self
                .field_def(r, None)
                .map(|d| d.label.trim().to_string())
                .unwrap_or_default(),
            Stop::Group(r) => group(r).0.to_string(),
            Stop::Item(r, i) => format!("{} › {} {}", group(r).0, group(r).1, i + 1),
            Stop::ItemField(r, i, f) => format!(
                "{} › {} {} › {}",
                group(r).0,
                group(r).1,
                i + 1,
                self.field_def(r, Some(f))
                    .map(|d| d.label.trim())
                    .unwrap_or_default()
            ),
            Stop::Submit => "Submit".into(),
        }
    }

    // ---- what the view needs ----

    /// The rows to draw as of the last change (what [`KindForm::render`] lays out).
    pub fn drawn(&self) -> &[ViewRow] {
        &self.drawn
    }

    /// The rows to draw, top to bottom, computed from the state now.
    pub fn view(&self) -> Vec<ViewRow> {
        let mut out = Vec::new();
        for (r, row) in self.rows.iter().enumerate() {
            match row {
                RowDef::Field(d) => {
                    if self.visible(d, None) {
                        out.push(self.view_field(d, None, Stop::Field(r), 0));
                    }
                }
                RowDef::Group(g) => {
                    if !self.group_visible(r, g) {
                        continue;
                    }
                    let Slot::Group(items) = &self.slots[r] else {
                        continue;
                    };
                    let indent = (g.label.len() - g.label.trim_start().len()) / 2;
                    out.push(ViewRow {
                        stop: Some(Stop::Group(r)),
                        indent,
                        label: format!("{} ({})", g.label.trim(), items.len()),
                        content: Content::Heading(format!("a: add a {}", g.item)),
                        problem: self.visible_problem(Stop::Group(r)).map(str::to_string),
                        warning: None,
                    });
                    let weights: Option<Vec<i64>> = g.weight.and_then(|w| {
                        let fi = g.fields.iter().position(|f| f.id == w)?;
                        Some(
                            items
                                .iter()
                                .map(|it| match it.vals.get(fi) {
                                    Some(Val::Text(i)) => i.value().trim().parse().unwrap_or(0),
                                    _ => 0,
                                })
                                .collect(),
                        )
                    });
                    let total: i64 = weights.iter().flatten().map(|w| (*w).max(0)).sum();
                    for (i, _) in items.iter().enumerate() {
                        let share = weights.as_ref().map(|w| {
                            if total > 0 {
                                w[i].max(0) as f64 / total as f64
                            } else {
                                0.0
                            }
                        });
                        out.push(ViewRow {
                            stop: Some(Stop::Item(r, i)),
                            indent: indent + 1,
                            label: format!("{} {}", g.item, i + 1),
                            content: match share {
                                Some(s) => Content::Share(s),
                                None => Content::Heading("d: remove".into()),
                            },
                            problem: self.visible_problem(Stop::Item(r, i)).map(str::to_string),
                            warning: None,
                        });
                        for (fi, d) in g.fields.iter().enumerate() {
                            if self.visible(d, Some((r, i))) {
                                out.push(self.view_field(
                                    d,
                                    Some((r, i)),
                                    Stop::ItemField(r, i, fi),
                                    indent + 2,
                                ));
                            }
                        }
                    }
                }
            }
        }
        out.push(ViewRow {
            stop: Some(Stop::Submit),
            indent: 0,
            label: String::new(),
            content: Content::Button(
                self.button
                    .unwrap_or(if self.is_edit() { "Update" } else { "Create" })
                    .into(),
            ),
            problem: None,
            warning: None,
        });
        out
    }

    fn view_field(&self, d: &FieldDef, ctx: Ctx, stop: Stop, indent: usize) -> ViewRow {
        let (r, it) = match stop {
            Stop::ItemField(r, i, f) => (r, Some((i, f))),
            Stop::Field(r) => (r, None),
            _ => (0, None),
        };
        let label_indent = d.label.len() - d.label.trim_start().len();
        let fixed = self.is_fixed(d);
        let content = match self.val(r, it) {
            Some(Val::Ref { chosen, typed }) if fixed => Content::Text {
                input: Input::new(chosen.clone().unwrap_or_else(|| typed.value().to_string())),
                fixed,
                placeholder: "",
            },
            Some(Val::Text(i)) => Content::Text {
                input: i.clone(),
                fixed,
                placeholder: if d.required { "required" } else { "not set" },
            },
            Some(Val::Pick(cur)) => {
                let mut opts = self.options(d, ctx);
                if !opts.iter().any(|o| &o.0 == cur) {
                    opts.push((cur.clone(), format!("{cur} (unknown)")));
                }
                let selected = opts.iter().position(|o| &o.0 == cur).unwrap_or(0);
                Content::Options {
                    labels: opts.into_iter().map(|o| o.1).collect(),
                    selected: vec![selected],
                    cursor: selected,
                    typed: None,
                }
            }
            Some(Val::Bool { on, .. }) => Content::Options {
                labels: vec!["no".into(), "yes".into()],
                selected: vec![usize::from(*on)],
                cursor: usize::from(*on),
                typed: None,
            },
            Some(Val::Ref { chosen, typed }) => {
                let opts = self.options(d, ctx);
                let n = opts.len();
                let sel = chosen
                    .as_ref()
                    .and_then(|c| opts.iter().position(|o| &o.0 == c))
                    .unwrap_or(n - 1);
                Content::Options {
                    labels: opts.into_iter().map(|o| o.1).collect(),
                    selected: vec![sel],
                    cursor: sel,
                    typed: (sel == n - 1).then(|| typed.clone()),
                }
            }
            Some(Val::Multi { on, cursor }) => {
                let mut opts: Vec<String> = self.options(d, ctx).into_iter().map(|o| o.0).collect();
                for v in on {
                    if !opts.contains(v) {
                        opts.push(v.clone());
                    }
                }
                Content::Checks {
                    on: opts
                        .iter()
                        .enumerate()
                        .filter(|(_, o)| on.contains(o))
                        .map(|(i, _)| i)
                        .collect(),
                    labels: opts,
                    cursor: *cursor,
                }
            }
            Some(Val::Duration { value, unit }) => Content::Duration {
                input: value.clone(),
                unit: unit.clone(),
                units: self.options(d, ctx).into_iter().map(|o| o.0).collect(),
            },
            None => Content::Heading(String::new()),
        };
        ViewRow {
            stop: Some(stop),
            indent: indent + label_indent / 2,
            label: d.label.trim().to_string(),
            content,
            problem: self.visible_problem(stop).map(str::to_string),
            warning: self.check.warning_at(stop).map(str::to_string),
        }
    }
}

/// One row of the drawn form.
#[derive(Clone, Debug)]
pub struct ViewRow {
    pub stop: Option<Stop>,
    pub indent: usize,
    pub label: String,
    pub content: Content,
    pub problem: Option<String>,
    pub warning: Option<String>,
}

#[derive(Clone, Debug)]
pub enum Content {
    Text {
        input: Input,
        fixed: bool,
        placeholder: &'static str,
    },
    /// One of `labels`; `typed` is the "type a name" input when that option is chosen.
    Options {
        labels: Vec<String>,
        selected: Vec<usize>,
        cursor: usize,
        typed: Option<Input>,
    },
    /// Several of `labels` (`on`); `cursor` is the one Space toggles.
    Checks {
        labels: Vec<String>,
        on: Vec<usize>,
        cursor: usize,
    },
    Duration {
        input: Input,
        unit: String,
        units: Vec<String>,
    },
    /// A group or item heading with a hint.
    Heading(String),
    /// An item's share of the group's weight (0.0-1.0).
    Share(f64),
    Button(String),
}

// ---- helpers ----

fn edit_input(input: &mut Input, key: KeyEvent) -> bool {
    if let KeyCode::Char(_) = key.code
        && input.value().chars().count() >= TEXT_MAX
        && !key.modifiers.contains(KeyModifiers::CONTROL)
    {
        return false;
    }
    if let KeyCode::Char(c) = key.code
        && !key.modifiers.contains(KeyModifiers::CONTROL)
        && c.is_control()
    {
        return false;
    }
    input
        .handle_event(&Event::Key(key))
        .is_some_and(|c| c.value)
}

/// A character no name or value typed here may hold (it would show as something else, or
/// could not be typed to confirm a delete): control characters and bidirectional controls.
fn forbidden(s: &str) -> Option<String> {
    let (at, c) = crate::model::forbidden_char(s)?;
    Some(format!(
        "character {at} is {}, which this field may not hold",
        crate::model::char_name(c)
    ))
}

fn parse_int(s: &str) -> Result<Option<i64>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<i64>().map(Some).map_err(|_| {
        format!(
            "must be a whole number (got {:?})",
            crate::ui::text::fit(s, 20)
        )
    })
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn tags_of(doc: &Value) -> Vec<Tag> {
    doc.get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|t| {
            Tag::new(
                t.get("key").map(scalar_text).unwrap_or_default(),
                t.get("value").map(scalar_text).unwrap_or_default(),
            )
        })
        .collect()
}

/// The target whose path is the longest prefix of `path` (at a member or index boundary).
fn best_target(targets: &[(String, Stop)], path: &str) -> Option<Stop> {
    targets
        .iter()
        .filter(|(p, _)| {
            path == p
                || (path.starts_with(p.as_str())
                    && matches!(path.as_bytes().get(p.len()), Some(b'.' | b'[' | b'{')))
        })
        .fold(None::<&(String, Stop)>, |best, t| match best {
            // The longest wins; on a tie, the first (the field that owns the object).
            Some(b) if b.0.len() >= t.0.len() => Some(b),
            _ => Some(t),
        })
        .map(|(_, s)| *s)
}

fn strip_html(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn get<'a>(v: &'a Value, segs: &[String]) -> Option<&'a Value> {
    let mut cur = v;
    for s in segs {
        cur = cur.as_object()?.get(s)?;
    }
    Some(cur)
}

fn set(v: &mut Value, segs: &[String], value: Value) {
    let Some((last, parents)) = segs.split_last() else {
        return;
    };
    let mut cur = v;
    for s in parents {
        if !cur.is_object() {
            *cur = blank_doc();
        }
        let Value::Object(m) = cur else { return };
        cur = m.entry(s.clone()).or_insert_with(blank_doc);
    }
    if !cur.is_object() {
        *cur = blank_doc();
    }
    if let Value::Object(m) = cur {
        m.insert(last.clone(), value);
    }
}

/// Removes the member at `segs`, then every object on the way that this left empty.
fn remove(v: &mut Value, segs: &[String]) -> bool {
    let Some((first, rest)) = segs.split_first() else {
        return false;
    };
    let Value::Object(m) = v else { return false };
    if rest.is_empty() {
        return m.remove(first).is_some();
    }
    let Some(child) = m.get_mut(first) else {
        return false;
    };
    let removed = remove(child, rest);
    if removed && child.as_object().is_some_and(Map::is_empty) {
        m.remove(first);
    }
    removed
}

#[cfg(test)]
mod tests;
