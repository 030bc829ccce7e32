//! Browsing a whole App Mesh account: meshes, and inside a mesh every kind, with the facts that
//! matter per kind, describe panes with links both ways, deletes (one resource, or a whole mesh
//! with its contents) and tags. Kinds are data (the registry in `crate::kind` and the column
//! tables in [`facts`]); nothing here is written per kind.
//!
//! The explorer is a component: it owns its state (where the user is, the lists, what it
//! knows of the open mesh, its windows), takes keys and call results, and answers with
//! [`Act`]s that the app carries out (start a call the user waits for, send background calls,
//! show a message, open a window). It never touches the network or the terminal.
//!
//! Opening a mesh lists its kinds page by page in the background (routes per router, gateway
//! routes per gateway, as those lists arrive) and describes every resource it finds, the rows
//! on screen first, a few calls at a time: the lists' columns, "used by" and the delete plan
//! come from what is described. A list shows what arrived at once; the rest fills in.

pub mod describe;
pub mod facts;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::rc::Rc;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::app::{Action, Call, CallResult, Effect};
use crate::aws::{ApiError, Page};
use crate::browser::{Browser, DeleteConfirm, PageOutcome};
use crate::kind::{Key, Kind};
use crate::mesh::{IndexedMesh, Item, MeshModel, Spec};
use crate::tag_editor::TagEditor;
use describe::{Described, DetailLine, LineKind};

/// Background call ids start here, apart from the app's own.
pub const BG_BASE: u64 = 1 << 48;
/// Background calls in flight at once (lists and describes together).
pub const BG_LIMIT: usize = 6;

/// One list: a kind in a mesh (and in a router or gateway for routes and gateway routes), or
/// the meshes themselves (`mesh` empty).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Scope {
    pub kind: Kind,
    pub mesh: String,
    pub parent: String,
}

impl Scope {
    pub fn meshes() -> Scope {
        Scope {
            kind: Kind::Mesh,
            mesh: String::new(),
            parent: String::new(),
        }
    }

    pub fn new(kind: Kind, mesh: &str, parent: &str) -> Scope {
        Scope {
            kind,
            mesh: mesh.to_string(),
            parent: parent.to_string(),
        }
    }

    /// The list a resource is a row of.
    pub fn of(key: &Key) -> Scope {
        match key.kind {
            Kind::Mesh => Scope::meshes(),
            k => Scope::new(k, &key.mesh, &key.parent),
        }
    }
}

/// Where the user is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Where {
    /// The meshes of the account and region.
    Meshes,
    /// Inside the open mesh, one of its top-level kinds.
    Kind(Kind),
    /// Inside a virtual router (its routes) or virtual gateway (its gateway routes).
    Inside(Key),
}

/// Which part of the view has the keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    /// The kinds of the open mesh, with their counts.
    Kinds,
    List,
    /// The describe pane, moving between its links and folds.
    Detail,
}

/// What the app must do for the explorer.
#[derive(Clone, Debug, PartialEq)]
pub enum Act {
    /// Background calls and cancels, and clipboard copies.
    Effect(Effect),
    /// A call the user waits for: the pane shows it in flight.
    Start {
        action: Action,
        key: Key,
        call: Call,
    },
    Status(String),
    /// Open the tag editor window (its state is in [`Explorer::tags`]).
    OpenTags,
    /// Open the delete window (its state is in [`Explorer::delete`]).
    OpenDelete,
    /// Close the window the explorer had open.
    CloseWindow,
    /// Edit a mesh in the create form (`e` on a mesh).
    EditMesh(Key),
    /// Open the export window on the described mesh.
    Export,
    /// Draw the open mesh as a graph (`g`).
    Topology,
    /// Show how the open mesh migrates (`M`).
    Migrate,
    /// Open a window that writes a resource: a form (`c`, `e`), the canary control (`+`/`-`)
    /// or the spec editor (`E`). The app finds the spec (describing first when the pane does
    /// not hold it).
    Write(crate::app_write::Ask),
}

/// A background call in flight.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Bg {
    List { scope: Scope, generation: u64 },
    Get(Key),
}

/// Work waiting for a background slot.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Work {
    List {
        scope: Scope,
        generation: u64,
        token: Option<String>,
    },
    Get(Key),
}

/// The mesh the user opened: its lists, and every resource described so far.
#[derive(Clone, Debug, Default)]
pub struct OpenMesh {
    pub name: String,
    pub lists: BTreeMap<Scope, Browser>,
    /// What is described: the specs behind columns, links and "used by".
    pub model: IndexedMesh,
    /// Lists to ask for (they bring the rest, so they go first).
    queue: VecDeque<Work>,
    /// Resources to describe, in the order they were listed. A key here may have been taken
    /// out of turn (it came on screen) or have answered already: taking one checks `asked`.
    gets: VecDeque<Key>,
    /// Keys queued or in flight for a describe.
    asked: HashSet<Key>,
    /// The fact columns of the rows of one kind drawn lately, by the spec they were read
    /// from (see [`OpenMesh::row_facts`]).
    facts: std::cell::RefCell<(Kind, KeptFacts)>,
}

/// Fact columns by the spec they were read from.
type KeptFacts = HashMap<Spec, Rc<[String]>>;

/// How many rows' fact columns [`OpenMesh::row_facts`] keeps: a few screens.
const FACTS_KEPT: usize = 512;

impl OpenMesh {
    fn new(name: &str) -> OpenMesh {
        OpenMesh {
            name: name.to_string(),
            model: IndexedMesh::new(name),
            ..OpenMesh::default()
        }
    }

    /// How many resources of `kind` the mesh holds, as far as listed, and whether a list of
    /// that kind is still loading.
    pub fn count(&self, kind: Kind) -> (usize, bool) {
        let mut n = 0;
        let mut loading = false;
        for (scope, list) in &self.lists {
            if scope.kind == kind {
                n += list.items.len();
                loading |= list.loading() || !list.loaded;
            }
        }
        (n, loading)
    }

    /// The fact columns of a described resource's row ([`facts::columns`] of its kind), or
    /// `None` until it is described. A frame draws the rows on screen again after every
    /// change, and a spec is kept as text: the facts are a function of the kind and the
    /// spec's text, so they are kept by those (a changed spec is read again; at most
    /// [`FACTS_KEPT`] specs, then they are read again).
    pub fn row_facts(&self, key: &Key) -> Option<Rc<[String]>> {
        let item = self.model.get(key)?;
        let mut guard = self.facts.borrow_mut();
        let (kind, kept) = &mut *guard;
        if *kind != key.kind {
            *kind = key.kind;
            kept.clear();
        }
        if let Some(facts) = kept.get(item.spec.as_str()) {
            return Some(facts.clone());
        }
        let spec = item.spec.value();
        let facts: Rc<[String]> = facts::columns(key.kind)
            .iter()
            .map(|c| (c.value)(&spec))
            .collect();
        if kept.len() >= FACTS_KEPT {
            kept.clear();
        }
        kept.insert(item.spec.clone(), facts.clone());
        Some(facts)
    }

    /// Nothing is left to list or describe: every list is complete and every listed
    /// resource described (or its describe answered with an error). Costs the number of
    /// lists, not of resources: the breadcrumb asks it on every frame.
    pub fn complete(&self) -> bool {
        self.queue.is_empty()
            && self.asked.is_empty()
            && self.lists.values().all(|l| l.loaded && !l.loading())
    }

    /// `key` needs no background describe any more: it answered, was described another way
    /// (the user's describe, a create, an edit) or is gone. Once nothing is owed, what is left
    /// in `gets` was taken out of turn: the room thousands of keys took is given back.
    fn settle(&mut self, key: &Key) {
        self.asked.remove(key);
        if self.asked.is_empty() {
            self.gets = VecDeque::new();
            self.asked = HashSet::new();
        }
    }

    /// Every resource listed, in an order the service lets them be deleted, the mesh last.
    pub fn delete_plan(&self) -> Vec<Key> {
        let mut m = MeshModel::new(self.name.clone());
        for list in self.lists.values() {
            for s in &list.items {
                m.items
                    .insert(s.key.clone(), Item::new(serde_json::Value::Null));
            }
        }
        m.items
            .insert(Key::mesh(&self.name), Item::new(serde_json::Value::Null));
        m.delete_order()
    }
}

/// Deleting a mesh with everything in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Purge {
    /// In the order the service needs, the mesh last.
    pub plan: Vec<Key>,
    /// How many of the plan are done.
    pub done: usize,
    pub running: bool,
    /// Why it stopped before the end.
    pub failed: Option<(Key, ApiError)>,
    /// The user asked to stop after the current delete.
    pub stopping: bool,
}

/// The `:` prompt: a kind or a resource name, with completion.
#[derive(Clone, Debug, Default)]
pub struct Jump {
    pub input: Input,
    pub problem: Option<String>,
}

/// The explorer's state.
#[derive(Clone, Debug)]
pub struct Explorer {
    pub meshes: Browser,
    pub at: Where,
    pub open: Option<OpenMesh>,
    pub focus: Focus,
    /// The describe pane: the line the cursor is on, and the spec branches folded.
    pub cursor: usize,
    pub folded: BTreeSet<String>,
    pub jump: Option<Jump>,
    pub tags: Option<TagEditor>,
    pub delete: Option<DeleteConfirm>,
    /// The whole-mesh delete, with the delete window.
    pub purge: Option<Purge>,
    /// Rows of the list on screen (the app sets it from the layout).
    pub height: usize,
    /// What to do when the describe the user started arrives.
    pub then: Option<(Then, Key)>,
    bg: HashMap<u64, Bg>,
    next_bg: u64,
}

/// What a describe was started for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Then {
    Tags,
    Edit,
    /// Open the edit form (`e` on a resource of a kind inside a mesh).
    Form,
    /// Open the canary control (`+` / `-` on a route).
    Canary,
    /// Open the spec editor (`E`).
    Spec,
}

impl Default for Explorer {
    fn default() -> Self {
        Explorer {
            meshes: Browser::of(Kind::Mesh),
            at: Where::Meshes,
            open: None,
            focus: Focus::List,
            cursor: 0,
            folded: BTreeSet::new(),
            jump: None,
            tags: None,
            delete: None,
            purge: None,
            height: 10,
            then: None,
            bg: HashMap::new(),
            next_bg: BG_BASE,
        }
    }
}

/// What the explorer needs to know of the app around it.
#[derive(Clone, Copy, Debug)]
pub struct Ctx<'a> {
    pub read_only: bool,
    /// A user call is in flight.
    pub busy: bool,
    /// The describe pane's content, when it shows a resource.
    pub shown: Option<&'a Described>,
    /// The pane is beside the list (not a full-screen window).
    pub pane_visible: bool,
}

fn plain(key: &KeyEvent) -> bool {
    key.modifiers.difference(KeyModifiers::SHIFT).is_empty()
}

impl Explorer {
    /// True while any list is loading or background work is under way.
    pub fn loading(&self) -> bool {
        self.meshes.loading() || !self.bg.is_empty()
    }

    /// The list on screen.
    pub fn list(&self) -> &Browser {
        match (&self.at, &self.open) {
            (Where::Meshes, _) | (_, None) => &self.meshes,
            (at, Some(o)) => o.lists.get(&self.scope_of(at)).unwrap_or(&self.meshes),
        }
    }

    pub fn list_mut(&mut self) -> &mut Browser {
        let scope = self.scope_of(&self.at.clone());
        match (&self.at, &mut self.open) {
            (Where::Meshes, _) | (_, None) => &mut self.meshes,
            (_, Some(o)) => o
                .lists
                .entry(scope.clone())
                .or_insert_with(|| Browser::of(scope.kind)),
        }
    }

    /// The scope of a place (its list).
    pub fn scope_of(&self, at: &Where) -> Scope {
        let mesh = self.open.as_ref().map(|o| o.name.as_str()).unwrap_or("");
        match at {
            Where::Meshes => Scope::meshes(),
            Where::Kind(k) => Scope::new(*k, mesh, ""),
            Where::Inside(parent) => {
                Scope::new(parent.kind.children()[0], &parent.mesh, &parent.name)
            }
        }
    }

    /// The key of the selected row.
    pub fn selected_key(&self) -> Option<Key> {
        self.list().selected_item().map(|s| s.key.clone())
    }

    /// `payments › virtual routers › web-router › routes`.
    pub fn breadcrumb(&self) -> Vec<String> {
        match (&self.at, &self.open) {
            (Where::Meshes, _) | (_, None) => vec!["meshes".into()],
            (Where::Kind(k), Some(o)) => vec![o.name.clone(), k.info().plural.into()],
            (Where::Inside(p), Some(o)) => vec![
                o.name.clone(),
                p.kind.info().plural.into(),
                p.name.to_string(),
                p.kind.children()[0].info().plural.into(),
            ],
        }
    }

    fn bg_id(&mut self) -> u64 {
        self.next_bg += 1;
        self.next_bg
    }

    /// Starts background work up to the limit, the rows on screen first.
    fn pump(&mut self) -> Vec<Act> {
        let mut acts = Vec::new();
        if self.bg.len() >= BG_LIMIT
            || self
                .open
                .as_ref()
                .is_none_or(|o| o.queue.is_empty() && o.gets.is_empty())
        {
            // Nothing to start (a key press in a mesh described to the end comes here).
            return acts;
        }
        let visible: Vec<Key> = self.list().visible().map(|(_, s)| s.key.clone()).collect();
        loop {
            if self.bg.len() >= BG_LIMIT {
                break;
            }
            let Some(open) = &mut self.open else { break };
            // Lists first (they bring the rest), then the visible rows, then the queue.
            let bg = &self.bg;
            let wanted = |k: &Key| {
                open.asked.contains(k)
                    && !open.model.items.contains_key(k)
                    && !bg.values().any(|b| matches!(b, Bg::Get(x) if x == k))
            };
            let work = if let Some(w) = open.queue.pop_front() {
                Some(w)
            } else if let Some(k) = visible.iter().find(|k| wanted(k)) {
                Some(Work::Get(k.clone()))
            } else {
                let mut next = None;
                while let Some(k) = open.gets.pop_front() {
                    if wanted(&k) {
                        next = Some(Work::Get(k));
                        break;
                    }
                }
                next
            };
            let Some(work) = work else { break };
            let id = self.bg_id();
            match work {
                Work::List {
                    scope,
                    generation,
                    token,
                } => {
                    acts.push(self.start_list(id, scope, generation, token));
                }
                Work::Get(key) => {
                    self.bg.insert(id, Bg::Get(key.clone()));
                    acts.push(Act::Effect(Effect::Call {
                        id,
                        call: Call::Get { key, tags: false },
                    }));
                }
            }
        }
        acts
    }

    /// A page of `scope` asked for in the background as call `id`.
    fn start_list(
        &mut self,
        id: u64,
        scope: Scope,
        generation: u64,
        next_token: Option<String>,
    ) -> Act {
        self.bg.insert(
            id,
            Bg::List {
                scope: scope.clone(),
                generation,
            },
        );
        Act::Effect(Effect::Call {
            id,
            call: Call::List {
                scope,
                generation,
                next_token,
            },
        })
    }

    /// Lists the meshes from the start (a first load or a refresh), abandoning a run in
    /// progress.
    pub fn refresh_meshes(&mut self) -> Vec<Act> {
        let mut acts = self.cancel_lists(&Scope::meshes());
        let generation = self.meshes.start_load();
        let id = self.bg_id();
        self.bg.insert(
            id,
            Bg::List {
                scope: Scope::meshes(),
                generation,
            },
        );
        acts.push(Act::Effect(Effect::Call {
            id,
            call: Call::List {
                scope: Scope::meshes(),
                generation,
                next_token: None,
            },
        }));
        acts
    }

    /// Cancels the background list calls of `scope`.
    fn cancel_lists(&mut self, scope: &Scope) -> Vec<Act> {
        let ids: Vec<u64> = self
            .bg
            .iter()
            .filter(|(_, b)| matches!(b, Bg::List { scope: s, .. } if s == scope))
            .map(|(id, _)| *id)
            .collect();
        ids.into_iter()
            .map(|id| {
                self.bg.remove(&id);
                Act::Effect(Effect::Cancel(id))
            })
            .collect()
    }

    /// Starts (or restarts) the list of `scope` in the open mesh.
    fn load_scope(&mut self, scope: Scope) -> Vec<Act> {
        let mut acts = self.cancel_lists(&scope);
        let Some(open) = &mut self.open else {
            return acts;
        };
        open.queue
            .retain(|w| !matches!(w, Work::List { scope: s, .. } if *s == scope));
        let list = open
            .lists
            .entry(scope.clone())
            .or_insert_with(|| Browser::of(scope.kind));
        list.height = self.height;
        let generation = list.start_load();
        open.queue.push_back(Work::List {
            scope,
            generation,
            token: None,
        });
        acts.extend(self.pump());
        acts
    }

    /// Opens mesh `name`: lists its kinds and describes what they hold, in the background.
    /// The list shown is `kind`.
    pub fn open_mesh(&mut self, name: &str, kind: Kind) -> Vec<Act> {
        let mut acts = Vec::new();
        if self.open.as_ref().is_none_or(|o| o.name != name) {
            acts.extend(self.close_mesh());
            self.open = Some(OpenMesh::new(name));
            for k in Kind::Mesh.children() {
                acts.extend(self.load_scope(Scope::new(k, name, "")));
            }
        }
        self.at = Where::Kind(kind);
        self.focus = Focus::List;
        acts
    }

    /// Forgets the open mesh and stops its background work.
    fn close_mesh(&mut self) -> Vec<Act> {
        let ids: Vec<u64> = self
            .bg
            .iter()
            .filter(|(_, b)| !matches!(b, Bg::List { scope, .. } if scope.kind == Kind::Mesh))
            .map(|(id, _)| *id)
            .collect();
        self.open = None;
        ids.into_iter()
            .map(|id| {
                self.bg.remove(&id);
                Act::Effect(Effect::Cancel(id))
            })
            .collect()
    }

    /// A background call ended. Returns more work.
    pub fn on_background(&mut self, id: u64, result: CallResult) -> Vec<Act> {
        let Some(bg) = self.bg.remove(&id) else {
            return Vec::new(); // cancelled meanwhile
        };
        let mut acts = Vec::new();
        match (bg, result) {
            (
                Bg::List { scope, generation },
                CallResult::Page {
                    result: page_result,
                    ..
                },
            ) => {
                acts.extend(self.on_page(scope, generation, page_result));
            }
            (Bg::Get(key), CallResult::Resource { result, .. }) => {
                if let Some(open) = &mut self.open
                    && open.name == key.mesh
                {
                    open.settle(&key);
                    match result {
                        Ok(d) => {
                            open.model.put_described(&d.resource, Default::default());
                            if let Some(l) = open.lists.get_mut(&Scope::of(&key)) {
                                l.refresh_row(d.resource.summary());
                            }
                        }
                        Err(e) if e.code.as_deref() == Some("NotFoundException") => {
                            // Deleted elsewhere since it was listed.
                            if let Some(l) = open.lists.get_mut(&Scope::of(&key)) {
                                l.remove(&key.name);
                            }
                            open.model.remove(&key);
                        }
                        Err(_) => {}
                    }
                }
            }
            _ => {}
        }
        acts.extend(self.pump());
        acts
    }

    fn on_page(
        &mut self,
        scope: Scope,
        generation: u64,
        result: Result<Page, ApiError>,
    ) -> Vec<Act> {
        let mut acts = Vec::new();
        if scope.kind == Kind::Mesh {
            match self.meshes.on_page(generation, result) {
                PageOutcome::More(token) => {
                    let id = self.bg_id();
                    acts.push(self.start_list(id, scope, generation, Some(token)));
                }
                PageOutcome::Stopped(why) => acts.push(Act::Status(why)),
                PageOutcome::Failed => {
                    if let Some(e) = &self.meshes.error {
                        acts.push(Act::Status(format!(
                            "Listing the meshes failed: {}. r lists again.",
                            e.title()
                        )));
                    }
                }
                PageOutcome::Stale | PageOutcome::Done => {}
            }
            return acts;
        }
        let Some(open) = &mut self.open else {
            return acts;
        };
        if open.name != scope.mesh {
            return acts;
        }
        let new_keys: Vec<Key> = match &result {
            Ok(p) => p.items.iter().map(|s| s.key.clone()).collect(),
            Err(_) => Vec::new(),
        };
        let list = open
            .lists
            .entry(scope.clone())
            .or_insert_with(|| Browser::of(scope.kind));
        let outcome = list.on_page(generation, result);
        if outcome == PageOutcome::Stale {
            return acts;
        }
        for key in new_keys {
            // Routers and gateways bring their children's lists.
            if let Some(child) = key.kind.children().first().copied()
                && key.kind != Kind::Mesh
            {
                let child_scope = Scope::new(child, &key.mesh, &key.name);
                if !open.lists.contains_key(&child_scope) {
                    let l = open
                        .lists
                        .entry(child_scope.clone())
                        .or_insert_with(|| Browser::of(child));
                    let g = l.start_load();
                    open.queue.push_back(Work::List {
                        scope: child_scope,
                        generation: g,
                        token: None,
                    });
                }
            }
            if !open.model.items.contains_key(&key) && open.asked.insert(key.clone()) {
                open.gets.push_back(key);
            }
        }
        match outcome {
            PageOutcome::More(token) => open.queue.push_front(Work::List {
                scope,
                generation,
                token: Some(token),
            }),
            PageOutcome::Stopped(why) => acts.push(Act::Status(why)),
            PageOutcome::Failed => {
                if let Some(e) = &list_error(open, &scope) {
                    acts.push(Act::Status(format!(
                        "Listing the {} of {} failed: {}. r lists again.",
                        scope.kind.info().plural,
                        open.name,
                        e.title()
                    )));
                }
            }
            _ => {}
        }
        acts
    }

    /// The list's rows on screen changed (moved, filtered, resized): describe those first.
    pub fn viewed(&mut self) -> Vec<Act> {
        self.pump()
    }

    /// Enter on the selected row: open a mesh, a router or a gateway (and describe it), or
    /// describe anything else.
    pub fn enter(&mut self, ctx: Ctx) -> Vec<Act> {
        let Some(key) = self.selected_key() else {
            return Vec::new();
        };
        let mut acts = Vec::new();
        match key.kind {
            Kind::Mesh => {
                let kind = Kind::VirtualService;
                acts.extend(self.open_mesh(&key.name, kind));
            }
            Kind::VirtualRouter | Kind::VirtualGateway => {
                acts.extend(self.go_inside(key.clone()));
            }
            _ => {}
        }
        acts.extend(self.describe(key, None, ctx));
        acts.extend(self.pump());
        acts
    }

    fn go_inside(&mut self, parent: Key) -> Vec<Act> {
        let scope = Scope::new(parent.kind.children()[0], &parent.mesh, &parent.name);
        self.at = Where::Inside(parent);
        self.focus = Focus::List;
        let loaded = self
            .open
            .as_ref()
            .is_some_and(|o| o.lists.contains_key(&scope));
        if loaded {
            Vec::new()
        } else {
            self.load_scope(scope)
        }
    }

    /// Up one level: from a router's routes to the routers, from a mesh to the meshes.
    pub fn up(&mut self) -> bool {
        match self.at.clone() {
            Where::Meshes => false,
            Where::Kind(_) => {
                let mesh = self.open.as_ref().map(|o| o.name.clone());
                self.at = Where::Meshes;
                self.focus = Focus::List;
                if let Some(m) = mesh {
                    self.meshes.select_name(&m);
                }
                true
            }
            Where::Inside(p) => {
                self.at = Where::Kind(p.kind);
                self.focus = Focus::List;
                self.list_mut().select_name(&p.name);
                true
            }
        }
    }

    /// Starts the describe the user asked for (with tags), unless one is in flight.
    pub fn describe(&mut self, key: Key, then: Option<Then>, ctx: Ctx) -> Vec<Act> {
        if ctx.busy {
            return vec![Act::Status(
                "A request is already in flight: wait for it, or press Esc to cancel it.".into(),
            )];
        }
        self.then = then.map(|t| (t, key.clone()));
        self.cursor = 0;
        vec![Act::Start {
            action: Action::Describe,
            key: key.clone(),
            call: Call::Get { key, tags: true },
        }]
    }

    /// Goes to `key`: its list (opening its mesh, router or gateway), selects it and describes
    /// it.
    pub fn go_to(&mut self, key: Key, ctx: Ctx) -> Vec<Act> {
        let mut acts = Vec::new();
        match key.kind {
            Kind::Mesh => {
                self.at = Where::Meshes;
                self.meshes.select_name(&key.name);
            }
            k => {
                if self.open.as_ref().is_none_or(|o| o.name != key.mesh) {
                    acts.extend(self.open_mesh(&key.mesh, Kind::VirtualService));
                }
                match key.container() {
                    Some(c) if c.kind != Kind::Mesh => acts.extend(self.go_inside(c)),
                    _ => self.at = Where::Kind(k),
                }
                let name = key.name.to_string();
                let list = self.list_mut();
                if !list.select_name(&name) {
                    list.want = Some(name);
                }
            }
        }
        self.focus = Focus::List;
        acts.extend(self.describe(key, None, ctx));
        acts.extend(self.pump());
        acts
    }

    /// Refreshes the list on screen (and, inside a mesh, what it holds).
    pub fn refresh(&mut self) -> Vec<Act> {
        match self.at.clone() {
            Where::Meshes => self.refresh_meshes(),
            at => {
                let scope = self.scope_of(&at);
                self.load_scope(scope)
            }
        }
    }

    /// The app changed a resource (a describe, an update, tags): its row and what the mesh
    /// knows follow.
    pub fn learned(&mut self, d: &Described) {
        let r = &d.resource;
        if r.key.kind == Kind::Mesh {
            self.meshes.refresh_row(r.summary());
        }
        if let Some(open) = &mut self.open
            && open.name == r.key.mesh
        {
            open.model.put_described(
                r,
                d.tags
                    .as_ref()
                    .map(|t| t.iter().map(|t| (t.key.clone(), t.value.clone())).collect())
                    .unwrap_or_default(),
            );
            if let Some(l) = open.lists.get_mut(&Scope::of(&r.key)) {
                l.refresh_row(r.summary());
            }
            open.settle(&r.key);
        }
    }

    /// A resource the app deleted (or found gone): out of its list and the mesh's model.
    pub fn forget(&mut self, key: &Key) {
        if key.kind == Kind::Mesh {
            self.meshes.remove(&key.name);
            if self.open.as_ref().is_some_and(|o| o.name == key.name) {
                self.open = None;
                self.at = Where::Meshes;
            }
            return;
        }
        if let Some(open) = &mut self.open
            && open.name == key.mesh
        {
            if let Some(l) = open.lists.get_mut(&Scope::of(key)) {
                l.remove(&key.name);
            }
            open.model.remove(key);
            open.settle(key);
            // A router's routes (a gateway's gateway routes) go with it.
            if let Some(child) = key.kind.children().first()
                && key.kind != Kind::Mesh
            {
                open.lists.remove(&Scope::new(*child, &key.mesh, &key.name));
            }
        }
        if matches!(&self.at, Where::Inside(p) if p == key) {
            self.up();
        }
    }

    /// The describe pane's lines for what it shows.
    pub fn detail_lines(&self, d: &Described) -> Vec<DetailLine> {
        let model = self
            .open
            .as_ref()
            .filter(|o| o.name == d.resource.key.mesh)
            .map(|o| &o.model);
        describe::lines(d, model, &self.folded)
    }

    /// Keys of the explorer's views (not its windows). `ctx` says what the app can do now.
    pub fn on_key(&mut self, key: KeyEvent, ctx: Ctx) -> Vec<Act> {
        if let Some(text) = self.jump.as_ref().map(|j| j.input.value().to_string()) {
            return self.on_jump_key(key, ctx, text);
        }
        if self.list().filtering {
            return self.on_filter_key(key);
        }
        if !plain(&key) {
            return Vec::new();
        }
        match key.code {
            KeyCode::Tab | KeyCode::BackTab => {
                self.focus = self.next_focus(ctx, key.code == KeyCode::Tab);
                self.cursor_to_stop(ctx);
                return Vec::new();
            }
            KeyCode::Char(':') => {
                self.jump = Some(Jump::default());
                return Vec::new();
            }
            KeyCode::Backspace => {
                self.up();
                return self.pump();
            }
            KeyCode::Char('g') if self.inside() => return vec![Act::Topology],
            KeyCode::Char('M') if self.inside() => return vec![Act::Migrate],
            _ => {}
        }
        match self.focus {
            Focus::Kinds => self.on_kinds_key(key),
            Focus::Detail => self.on_detail_key(key, ctx),
            Focus::List => self.on_list_key(key, ctx),
        }
    }

    /// With the pane focused, puts the cursor on a stop (the first at or after it).
    fn cursor_to_stop(&mut self, ctx: Ctx) {
        if self.focus != Focus::Detail {
            return;
        }
        if let Some(d) = ctx.shown {
            let lines = self.detail_lines(d);
            let stops: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].is_stop()).collect();
            self.cursor = stops
                .iter()
                .copied()
                .find(|&i| i >= self.cursor)
                .or_else(|| stops.first().copied())
                .unwrap_or(0);
        }
    }

    fn next_focus(&self, ctx: Ctx, forward: bool) -> Focus {
        let mut order = Vec::new();
        if matches!(self.at, Where::Kind(_) | Where::Inside(_)) {
            order.push(Focus::Kinds);
        }
        order.push(Focus::List);
        if ctx.shown.is_some() && ctx.pane_visible {
            order.push(Focus::Detail);
        }
        let i = order.iter().position(|f| *f == self.focus).unwrap_or(0);
        let n = order.len();
        order[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }

    fn on_kinds_key(&mut self, key: KeyEvent) -> Vec<Act> {
        let kinds = Kind::Mesh.children();
        let current = match &self.at {
            Where::Kind(k) => *k,
            Where::Inside(p) => p.kind,
            Where::Meshes => return Vec::new(),
        };
        let i = kinds.iter().position(|k| *k == current).unwrap_or(0);
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => self.at = Where::Kind(kinds[i.saturating_sub(1)]),
            KeyCode::Down | KeyCode::Char('j') => {
                self.at = Where::Kind(kinds[(i + 1).min(kinds.len() - 1)])
            }
            KeyCode::Enter | KeyCode::Right | KeyCode::Char('l') => self.focus = Focus::List,
            _ => return Vec::new(),
        }
        self.pump()
    }

    fn on_detail_key(&mut self, key: KeyEvent, ctx: Ctx) -> Vec<Act> {
        let Some(d) = ctx.shown else {
            self.focus = Focus::List;
            return Vec::new();
        };
        let lines = self.detail_lines(d);
        let stops: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].is_stop()).collect();
        let at = stops.iter().position(|&i| i >= self.cursor).unwrap_or(0);
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => {
                if let Some(&next) = stops.iter().find(|&&i| i > self.cursor) {
                    self.cursor = next;
                }
            }
            KeyCode::Up | KeyCode::Char('k') => {
                if let Some(&prev) = stops.iter().rev().find(|&&i| i < self.cursor) {
                    self.cursor = prev;
                }
            }
            KeyCode::Home => self.cursor = stops.first().copied().unwrap_or(0),
            KeyCode::End => self.cursor = stops.last().copied().unwrap_or(0),
            KeyCode::Enter | KeyCode::Char(' ') => {
                let Some(line) = stops.get(at).map(|&i| &lines[i]) else {
                    return Vec::new();
                };
                match &line.kind {
                    LineKind::Link {
                        key: target,
                        exists,
                    } => {
                        if key.code == KeyCode::Char(' ') {
                            return Vec::new();
                        }
                        if !exists {
                            return vec![Act::Status(format!(
                                "{} {} does not exist in mesh {}: the reference points at nothing.",
                                target.kind, target.name, target.mesh
                            ))];
                        }
                        return self.go_to(target.clone(), ctx);
                    }
                    LineKind::Branch { path, folded } => {
                        if *folded {
                            self.folded.remove(path);
                        } else {
                            self.folded.insert(path.clone());
                        }
                    }
                    _ => {}
                }
            }
            KeyCode::Char('z') => {
                // Fold or unfold every branch of the spec.
                let branches: Vec<String> = lines
                    .iter()
                    .filter_map(|l| match &l.kind {
                        LineKind::Branch { path, .. } => Some(path.clone()),
                        _ => None,
                    })
                    .collect();
                if self.folded.is_empty() {
                    self.folded.extend(branches);
                } else {
                    self.folded.clear();
                }
            }
            KeyCode::Left | KeyCode::Char('h') => self.focus = Focus::List,
            _ => return self.on_list_key(key, ctx),
        }
        Vec::new()
    }

    fn on_filter_key(&mut self, key: KeyEvent) -> Vec<Act> {
        let b = self.list_mut();
        match key.code {
            KeyCode::Esc => b.clear_filter(),
            KeyCode::Enter => b.filtering = false,
            KeyCode::Up => b.move_by(-1),
            KeyCode::Down => b.move_by(1),
            KeyCode::PageUp => {
                let p = b.page();
                b.move_by(-p)
            }
            KeyCode::PageDown => {
                let p = b.page();
                b.move_by(p)
            }
            _ => {
                b.filter_key(key);
            }
        }
        self.pump()
    }

    /// May the selected resource be changed now? Says why not.
    fn may_change(&self, what: &str, ctx: Ctx) -> Option<Act> {
        if ctx.read_only {
            return Some(Act::Status(format!(
                "Read-only mode: {what} is turned off (--read-only)."
            )));
        }
        if ctx.busy {
            return Some(Act::Status(
                "A request is already in flight: wait for it, or press Esc to cancel it.".into(),
            ));
        }
        None
    }

    fn on_list_key(&mut self, key: KeyEvent, ctx: Ctx) -> Vec<Act> {
        let inside = self.inside();
        let b = self.list_mut();
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => b.move_by(-1),
            KeyCode::Down | KeyCode::Char('j') => b.move_by(1),
            KeyCode::PageUp => {
                let p = b.page();
                b.move_by(-p)
            }
            KeyCode::PageDown => {
                let p = b.page();
                b.move_by(p)
            }
            KeyCode::Home | KeyCode::Char('g') => b.home(),
            KeyCode::End | KeyCode::Char('G') => b.end(),
            KeyCode::Left | KeyCode::Char('h') if inside => {
                self.focus = Focus::Kinds;
                return Vec::new();
            }
            KeyCode::Right | KeyCode::Char('l') if ctx.shown.is_some() && ctx.pane_visible => {
                self.focus = Focus::Detail;
                self.cursor_to_stop(ctx);
                return Vec::new();
            }
            KeyCode::Char('/') => b.filtering = true,
            KeyCode::Char('s') => {
                b.cycle_sort();
                return vec![Act::Status(format!("Sorted by {}.", b.sort.label()))];
            }
            KeyCode::Char('r') | KeyCode::F(5) => return self.refresh(),
            KeyCode::Enter => return self.enter(ctx),
            KeyCode::Char('y') => {
                if let Some(s) = b.selected_item() {
                    let arn = s.meta.arn.clone();
                    return vec![
                        Act::Status(format!(
                            "Copied the ARN of {} {} to the clipboard (OSC 52; the terminal must allow it): {arn}",
                            s.key.kind, s.key.name
                        )),
                        Act::Effect(Effect::Copy(arn)),
                    ];
                }
            }
            KeyCode::Char('x') => return vec![Act::Export],
            KeyCode::Char('e') => {
                let Some(key) = self.selected_key() else {
                    return Vec::new();
                };
                if key.kind != Kind::Mesh {
                    if let Some(why) = self.may_change("editing", ctx) {
                        return vec![why];
                    }
                    return vec![Act::Write(crate::app_write::Ask::Edit(key))];
                }
                if let Some(why) = self.may_change("editing meshes", ctx) {
                    return vec![why];
                }
                return vec![Act::EditMesh(key)];
            }
            KeyCode::Char('c') => return self.ask_create(ctx),
            KeyCode::Char('E') => {
                let Some(key) = self.selected_key() else {
                    return Vec::new();
                };
                if let Some(why) = self.may_change("editing", ctx) {
                    return vec![why];
                }
                return vec![Act::Write(crate::app_write::Ask::Spec(key))];
            }
            KeyCode::Char('+' | '-') => {
                let Some(key) = self.selected_key() else {
                    return Vec::new();
                };
                if key.kind != Kind::Route {
                    return vec![Act::Status(format!(
                        "The canary control (+ / -) shifts the weights of a route; this is a {}. Open a virtual router (Enter) and select a route.",
                        key.kind
                    ))];
                }
                if let Some(why) = self.may_change("changing weights", ctx) {
                    return vec![why];
                }
                return vec![Act::Write(crate::app_write::Ask::Canary(key))];
            }
            KeyCode::Char('t') => {
                let Some(key) = self.selected_key() else {
                    return Vec::new();
                };
                if let Some(why) = self.may_change("editing tags", ctx) {
                    return vec![why];
                }
                if let Some(d) = ctx.shown
                    && d.resource.key == key
                    && d.resource.status != "DELETED"
                    && let Ok(tags) = &d.tags
                {
                    self.tags = Some(TagEditor::new(
                        key,
                        d.resource.meta.arn.clone(),
                        tags.clone(),
                    ));
                    return vec![Act::OpenTags];
                }
                return self.describe(key, Some(Then::Tags), ctx);
            }
            KeyCode::Char('d') | KeyCode::Delete => {
                let Some(key) = self.selected_key() else {
                    return Vec::new();
                };
                if let Some(why) = self.may_change("deleting", ctx) {
                    return vec![why];
                }
                return self.ask_delete(key);
            }
            _ => return Vec::new(),
        }
        self.pump()
    }

    /// `c` in a list: a new resource of the list's kind (a route in the router the list is
    /// in, a gateway route in the gateway).
    fn ask_create(&mut self, ctx: Ctx) -> Vec<Act> {
        let ask = match &self.at {
            Where::Meshes => {
                return vec![Act::Status(
                    "c creates a resource inside a mesh: open one (Enter). A new mesh: F2.".into(),
                )];
            }
            Where::Kind(k) => crate::app_write::Ask::Create {
                kind: *k,
                parent: String::new(),
            },
            Where::Inside(p) => crate::app_write::Ask::Create {
                kind: p.kind.children()[0],
                parent: p.name.to_string(),
            },
        };
        if let Some(why) = self.may_change("creating", ctx) {
            return vec![why];
        }
        vec![Act::Write(ask)]
    }

    /// A resource the app created: a row of its list (selected), and part of the mesh's model.
    pub fn created(&mut self, d: &Described) {
        let r = &d.resource;
        if let Some(open) = &mut self.open
            && open.name == r.key.mesh
            && let Some(l) = open.lists.get_mut(&Scope::of(&r.key))
        {
            l.upsert(r.summary());
        }
        self.learned(d);
    }

    /// The open mesh as far as described, for the forms' reference lists.
    pub fn mesh_model(&self, mesh: &str) -> Option<&MeshModel> {
        self.open
            .as_ref()
            .filter(|o| o.name == mesh)
            .map(|o| o.model.model())
    }

    /// Opens the delete window for `key`. A mesh is opened first (its contents listed) so the
    /// window can offer to delete everything in it.
    fn ask_delete(&mut self, key: Key) -> Vec<Act> {
        let mut acts = Vec::new();
        if key.kind == Kind::Mesh && self.open.as_ref().is_none_or(|o| o.name != key.name) {
            // Load its contents in the background; the user stays where they are.
            let at = self.at.clone();
            acts.extend(self.open_mesh(&key.name, Kind::VirtualService));
            self.at = at;
        }
        self.delete = Some(DeleteConfirm::for_key(&key));
        acts.push(Act::OpenDelete);
        acts
    }

    /// What the delete window offers for a mesh: `None` while its contents are still being
    /// listed; `Some(plan)` once known (just the mesh when it is empty).
    pub fn mesh_plan(&self, mesh: &str) -> Option<Vec<Key>> {
        let open = self.open.as_ref().filter(|o| o.name == mesh)?;
        // A list that failed (a server without that kind, say) counts as settled: the plan
        // holds what could be listed, and the service refuses the mesh if it holds more.
        let settled = |l: &Browser| !l.loading() && (l.loaded || l.error.is_some());
        let listed = Kind::Mesh.children().into_iter().all(|k| {
            open.lists
                .get(&Scope::new(k, mesh, ""))
                .is_some_and(settled)
        }) && open.lists.values().all(settled);
        listed.then(|| open.delete_plan())
    }

    /// Keys of the delete window.
    pub fn on_delete_key(&mut self, key: KeyEvent, ctx: Ctx) -> Vec<Act> {
        if let Some(p) = &mut self.purge
            && (p.running || p.failed.is_some() || p.done == p.plan.len())
        {
            // Running: Esc stops after the current delete. Ended: any key closes.
            if p.running {
                if key.code == KeyCode::Esc {
                    p.stopping = true;
                    return vec![Act::Status(
                        "Stopping after the delete in flight; what is done stays done.".into(),
                    )];
                }
                return Vec::new();
            }
            self.purge = None;
            self.delete = None;
            return vec![Act::CloseWindow];
        }
        let busy_why = self.may_change("deleting", ctx);
        let plan = self
            .delete
            .as_ref()
            .filter(|d| d.key.kind == Kind::Mesh)
            .and_then(|d| self.mesh_plan(&d.key.name));
        let Some(confirm) = &mut self.delete else {
            return vec![Act::CloseWindow];
        };
        match key.code {
            KeyCode::Esc => {
                self.delete = None;
                self.purge = None;
                vec![
                    Act::CloseWindow,
                    Act::Status("Delete cancelled; nothing was sent.".into()),
                ]
            }
            KeyCode::Enter => {
                if !confirm.matches() {
                    confirm.problem = Some(format!(
                        "Not the name: type it exactly ({} characters{}).",
                        crate::model::char_len(&confirm.name),
                        if confirm.untypeable().is_some() {
                            ", ? for each character that cannot be typed"
                        } else {
                            ""
                        }
                    ));
                    return Vec::new();
                }
                let key = confirm.key.clone();
                if let Some(why) = busy_why {
                    return vec![why];
                }
                if key.kind == Kind::Mesh {
                    let Some(plan) = plan else {
                        confirm.problem = Some(
                            "Still listing what the mesh holds; Enter again in a moment.".into(),
                        );
                        return Vec::new();
                    };
                    if plan.len() > 1 {
                        self.purge = Some(Purge {
                            plan,
                            done: 0,
                            running: true,
                            failed: None,
                            stopping: false,
                        });
                        return self.purge_next();
                    }
                }
                self.delete = None;
                vec![
                    Act::CloseWindow,
                    Act::Start {
                        action: Action::Delete,
                        key: key.clone(),
                        call: Call::Remove { key },
                    },
                ]
            }
            _ => {
                if confirm
                    .input
                    .handle_event(&ratatui::crossterm::event::Event::Key(key))
                    .is_some_and(|c| c.value)
                {
                    confirm.problem = None;
                }
                Vec::new()
            }
        }
    }

    /// Text pasted into the delete window (control characters dropped).
    pub fn paste_delete(&mut self, text: &str) {
        if let Some(d) = &mut self.delete {
            let clean: String = text.chars().filter(|c| !c.is_control()).collect();
            d.input = Input::new(format!("{}{clean}", d.input.value()));
        }
    }

    fn purge_next(&mut self) -> Vec<Act> {
        let Some(p) = &mut self.purge else {
            return Vec::new();
        };
        if p.stopping || p.done >= p.plan.len() {
            p.running = false;
            let done = p.done;
            let total = p.plan.len();
            return vec![Act::Status(if done == total {
                format!("Deleted the mesh and everything in it: {total} resources.")
            } else {
                format!("Stopped: {done} of {total} deleted; the rest is still there.")
            })];
        }
        let key = p.plan[p.done].clone();
        vec![Act::Start {
            action: Action::Delete,
            key: key.clone(),
            call: Call::Remove { key },
        }]
    }

    /// A user call ended (describe, delete, tags). `pane` is what the pane will show.
    pub fn on_result(
        &mut self,
        key: &Key,
        action: Action,
        result: &Result<Described, ApiError>,
    ) -> Vec<Act> {
        let then = self.then.take();
        let mut acts = Vec::new();
        match result {
            Ok(d) => match action {
                Action::Delete => {
                    self.forget(key);
                    if let Some(p) = &mut self.purge {
                        p.done += 1;
                        acts.extend(self.purge_next());
                    } else {
                        acts.push(Act::Status(format!("Deleted {} {}.", key.kind, key.name)));
                    }
                }
                _ => {
                    self.learned(d);
                    if action == Action::Tag {
                        let n = d.tags.as_ref().map_or(0, Vec::len);
                        acts.push(Act::Status(format!(
                            "Saved the tags of {} {}: it now has {n} tag{}.",
                            key.kind,
                            key.name,
                            if n == 1 { "" } else { "s" }
                        )));
                    }
                    match then {
                        Some((Then::Tags, k)) if &k == key => match &d.tags {
                            Ok(tags) => {
                                self.tags = Some(TagEditor::new(
                                    key.clone(),
                                    d.resource.meta.arn.clone(),
                                    tags.clone(),
                                ));
                                acts.push(Act::OpenTags);
                            }
                            Err(e) => acts.push(Act::Status(format!(
                                "The tags of {} could not be read ({}); press Enter to describe it again.",
                                key.name,
                                e.title()
                            ))),
                        },
                        Some((Then::Edit, k)) if &k == key => acts.push(Act::EditMesh(k)),
                        Some((t @ (Then::Form | Then::Canary | Then::Spec), k)) if &k == key => {
                            acts.push(Act::Write(crate::app_write::Ask::after(t, k)))
                        }
                        _ => {}
                    }
                }
            },
            Err(e) => {
                if let Some(p) = &mut self.purge
                    && action == Action::Delete
                {
                    p.running = false;
                    p.failed = Some((key.clone(), e.clone()));
                    acts.push(Act::Status(format!(
                        "Stopped at {} {}: {}. {} of {} deleted; the rest is still there.",
                        key.kind,
                        key.name,
                        e.title(),
                        p.done,
                        p.plan.len()
                    )));
                } else if e.code.as_deref() == Some("NotFoundException") {
                    self.forget(key);
                    acts.push(Act::Status(format!(
                        "{} {} no longer exists; it left the list.",
                        key.kind, key.name
                    )));
                }
            }
        }
        acts
    }

    /// A user call was cancelled: a running whole-mesh delete stops.
    pub fn cancelled(&mut self) {
        self.then = None;
        if let Some(p) = &mut self.purge {
            p.running = false;
            p.stopping = true;
        }
    }

    /// Completions of the jump prompt for `text`: kind words, then resource names of the
    /// open mesh (or meshes) that start with it.
    pub fn completions(&self, text: &str) -> Vec<String> {
        let t = text.trim().to_lowercase();
        let mut out: Vec<String> = Vec::new();
        let words = ["meshes", "vs", "vn", "vr", "routes", "vg", "gr"];
        out.extend(
            words
                .iter()
                .filter(|w| w.starts_with(&t))
                .map(|w| w.to_string()),
        );
        let mut names: BTreeSet<String> = BTreeSet::new();
        match &self.open {
            Some(o) => {
                for l in o.lists.values() {
                    for s in &l.items {
                        if s.key.name.to_lowercase().starts_with(&t) {
                            names.insert(s.key.name.to_string());
                        }
                    }
                }
            }
            None => {
                for s in &self.meshes.items {
                    if s.key.name.to_lowercase().starts_with(&t) {
                        names.insert(s.key.name.to_string());
                    }
                }
            }
        }
        out.extend(names.into_iter().take(20));
        out
    }

    fn on_jump_key(&mut self, key: KeyEvent, ctx: Ctx, text: String) -> Vec<Act> {
        match key.code {
            KeyCode::Esc => {
                self.jump = None;
                Vec::new()
            }
            KeyCode::Tab => {
                if let Some(first) = self.completions(&text).into_iter().next()
                    && let Some(j) = &mut self.jump
                {
                    j.input = Input::new(first);
                }
                Vec::new()
            }
            KeyCode::Enter => {
                let acts = self.jump_to(text.trim(), ctx);
                if acts
                    .first()
                    .is_some_and(|a| matches!(a, Act::Status(s) if s.starts_with("Nothing")))
                {
                    if let (Some(j), Some(Act::Status(s))) = (&mut self.jump, acts.first()) {
                        j.problem = Some(s.clone());
                    }
                    return Vec::new();
                }
                self.jump = None;
                acts
            }
            _ => {
                if let Some(j) = &mut self.jump {
                    j.input
                        .handle_event(&ratatui::crossterm::event::Event::Key(key));
                    j.problem = None;
                }
                Vec::new()
            }
        }
    }

    /// `:word`: a kind (`vn`, `routes`, `meshes`, …) or a resource name.
    pub fn jump_to(&mut self, word: &str, ctx: Ctx) -> Vec<Act> {
        if word.is_empty() {
            return vec![Act::Status(
                "Nothing typed: a kind (vs, vn, vr, routes, vg, gr, meshes) or a name.".into(),
            )];
        }
        if let Some(kind) = Kind::from_word(word) {
            if kind == Kind::Mesh {
                self.at = Where::Meshes;
                self.focus = Focus::List;
                if !self.meshes.loaded && !self.meshes.loading() {
                    return self.refresh_meshes();
                }
                return Vec::new();
            }
            let Some(open) = &self.open else {
                return vec![Act::Status(format!(
                    "Nothing to show: {} live in a mesh; open one first (Enter on a mesh).",
                    kind.info().plural
                ))];
            };
            if let Some(parent_kind) = kind.info().parent {
                // Routes and gateway routes live in a router or gateway: go in when there is
                // one, else to the list of them.
                let parents: Vec<Key> = open
                    .lists
                    .get(&Scope::new(parent_kind, &open.name, ""))
                    .map(|l| l.items.iter().map(|s| s.key.clone()).collect())
                    .unwrap_or_default();
                if let [only] = parents.as_slice() {
                    let only = only.clone();
                    return self.go_inside(only);
                }
                self.at = Where::Kind(parent_kind);
                self.focus = Focus::List;
                return vec![Act::Status(format!(
                    "{} live in {}: choose one and press Enter.",
                    kind.info().plural,
                    parent_kind.info().plural
                ))];
            }
            self.at = Where::Kind(kind);
            self.focus = Focus::List;
            return self.pump();
        }
        // A name: the open mesh's resources, then the meshes.
        if let Some(open) = &self.open {
            let found = open
                .lists
                .values()
                .flat_map(|l| l.items.iter())
                .find(|s| s.key.name == word)
                .map(|s| s.key.clone());
            if let Some(k) = found {
                return self.go_to(k, ctx);
            }
        }
        if self.meshes.items.iter().any(|s| s.key.name == word) {
            return self.go_to(Key::mesh(word), ctx);
        }
        vec![Act::Status(format!(
            "Nothing named {word:?} here: a kind (vs, vn, vr, routes, vg, gr, meshes) or the name of a resource listed in this mesh."
        ))]
    }

    /// Background calls in flight (for tests and the runtime's tick).
    pub fn background(&self) -> usize {
        self.bg.len()
    }

    /// Inside a mesh (the kinds column and breadcrumb show).
    pub fn inside(&self) -> bool {
        !matches!(self.at, Where::Meshes)
    }

    /// Esc in the view: closes the jump prompt, clears the filter, or goes up a level. False
    /// when there was nothing to undo (the app then offers to quit).
    pub fn escape(&mut self) -> bool {
        if self.jump.take().is_some() {
            return true;
        }
        if self.focus == Focus::Detail {
            self.focus = Focus::List;
            return true;
        }
        let list = self.list_mut();
        if !list.filter.value().is_empty() {
            list.clear_filter();
            return true;
        }
        self.up()
    }

    /// The account or region changed: every list is forgotten, and calls on their way
    /// cancelled.
    pub fn reset(&mut self) -> Vec<Effect> {
        let ids: Vec<u64> = self.bg.keys().copied().collect();
        *self = Explorer {
            height: self.height,
            next_bg: self.next_bg,
            ..Explorer::default()
        };
        ids.into_iter().map(Effect::Cancel).collect()
    }

    /// The detail pane left the screen (the terminal became too narrow for it): a focus
    /// there would move and open links nobody sees, so it comes back to the list.
    pub fn pane_hidden(&mut self) {
        if self.focus == Focus::Detail {
            self.focus = Focus::List;
        }
    }

    /// The list's rows on screen: every list keeps its selection in view.
    pub fn set_height(&mut self, h: usize) {
        self.height = h;
        self.meshes.height = h;
        self.meshes.scroll_into_view();
        if let Some(o) = &mut self.open {
            for l in o.lists.values_mut() {
                l.height = h;
                l.scroll_into_view();
            }
        }
    }

    /// Pasted text goes to the filter of the list on screen.
    pub fn paste_filter(&mut self, text: &str) {
        let l = self.list_mut();
        l.filtering = true;
        l.filter_paste(text);
    }

    /// Moves the selection by `delta` rows (the mouse wheel).
    pub fn scroll(&mut self, delta: isize) {
        self.list_mut().move_by(delta);
    }

    /// A click in the view: a row selects it, the filter line opens the filter, a kind in the
    /// column shows its list.
    pub fn click(
        &mut self,
        pos: ratatui::layout::Position,
        areas: &crate::ui::layout::ExploreAreas,
    ) -> Vec<Act> {
        if let Some(kinds) = areas.kinds
            && kinds.contains(pos)
        {
            let row = pos.y.saturating_sub(kinds.y + 1) as usize;
            if let Some(k) = Kind::Mesh.children().get(row).copied()
                && pos.y > kinds.y
            {
                self.at = Where::Kind(k);
                self.focus = Focus::List;
                return self.pump();
            }
            return Vec::new();
        }
        let l = self.list_mut();
        if areas.list.filter.contains(pos) {
            l.filtering = true;
        } else if areas.list.rows.contains(pos) {
            l.filtering = false;
            let p = l.offset + (pos.y - areas.list.rows.y) as usize;
            if p < l.rows.len() {
                l.move_by(p as isize - l.selected as isize);
            }
            self.focus = Focus::List;
            return self.pump();
        }
        Vec::new()
    }
}

fn list_error(open: &OpenMesh, scope: &Scope) -> Option<ApiError> {
    open.lists.get(scope).and_then(|l| l.error.clone())
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::KeyCode;
    use serde_json::json;

    use crate::app::{Call, Msg};
    use crate::kind::{Key, Kind};
    use crate::testing::{Service, connected_app, key, press, push_calls};

    /// The fact columns a row keeps follow its spec: a changed spec is read again.
    #[test]
    fn row_facts_follow_the_spec() {
        let mut open = super::OpenMesh::new("m");
        let key = Key::new(Kind::VirtualNode, "m", "", "web");
        assert_eq!(open.row_facts(&key), None, "not described yet");
        let node = |host: &str| crate::resource::Resource {
            key: key.clone(),
            meta: crate::resource::Meta {
                arn: String::new(),
                uid: String::new(),
                version: 1,
                created_at: std::time::SystemTime::UNIX_EPOCH,
                last_updated_at: std::time::SystemTime::UNIX_EPOCH,
                mesh_owner: Default::default(),
                resource_owner: Default::default(),
            },
            status: "ACTIVE".into(),
            spec: json!({"serviceDiscovery": {"dns": {"hostname": host}}}),
        };
        open.model
            .put_described(&node("a.local"), Default::default());
        let first = open.row_facts(&key).expect("described");
        assert!(first.iter().any(|f| f == "a.local"), "{first:?}");
        assert!(
            std::rc::Rc::ptr_eq(&first, &open.row_facts(&key).unwrap()),
            "kept"
        );
        open.model
            .put_described(&node("b.local"), Default::default());
        let second = open.row_facts(&key).unwrap();
        assert!(second.iter().any(|f| f == "b.local"), "{second:?}");
    }

    /// An app on the Meshes view of a service holding mesh `big` with `nodes` virtual nodes
    /// (pages of 50), after Enter on it: the service, the app and the calls Enter started.
    fn enter_big(nodes: usize) -> (Service, crate::app::App, Vec<(u64, Call)>) {
        let mut svc = Service::new();
        svc.page = 50;
        svc.add_mesh("big", false);
        for i in 0..nodes {
            svc.add(
                Key::new(Kind::VirtualNode, "big", "", format!("n-{i:03}")),
                json!({"serviceDiscovery": {"dns": {"hostname": format!("n{i}.local")}}}),
            );
        }
        let mut a = connected_app(120, 40, "/tmp/s.json");
        press(&mut a, KeyCode::F(3), &mut svc);
        let mut pending = Vec::new();
        push_calls(key(&mut a, KeyCode::Enter), &mut pending);
        (svc, a, pending)
    }

    /// Once every listed resource is described, the bookkeeping of what to describe gives its
    /// room back: in a mesh of thousands it would otherwise hold a key per resource for as
    /// long as the mesh is open.
    #[test]
    fn the_describe_queue_gives_back_its_room_when_done() {
        let (mut svc, mut a, mut pending) = enter_big(400);
        let mut most = 0;
        while !pending.is_empty() {
            let (id, call) = pending.remove(0);
            let r = svc.answer(&call);
            push_calls(a.update(Msg::Done { id, result: r }), &mut pending);
            let open = a.explorer.open.as_ref().expect("big is open");
            most = most.max(open.asked.len());
        }
        let open = a.explorer.open.as_ref().expect("big is open");
        assert!(open.complete(), "every node described");
        assert_eq!(open.model.items.len(), 401);
        assert!(most >= 300, "the queue held the listed nodes ({most})");
        assert_eq!(
            (open.asked.capacity(), open.gets.capacity()),
            (0, 0),
            "nothing kept for the describes that are done"
        );
    }

    /// A resource still waiting for its background describe can be described another way
    /// first (a link followed, a jump, an edit). It then owes nothing: the queue still ends
    /// and gives its room back.
    #[test]
    fn a_resource_described_out_of_turn_does_not_hold_the_queue() {
        let (mut svc, mut a, mut pending) = enter_big(200);
        let late = Key::new(Kind::VirtualNode, "big", "", "n-199");
        let mut described_out_of_turn = false;
        while !pending.is_empty() {
            let (id, call) = pending.remove(0);
            let r = svc.answer(&call);
            push_calls(a.update(Msg::Done { id, result: r }), &mut pending);
            let open = a.explorer.open.as_ref().expect("big is open");
            if !described_out_of_turn && open.gets.contains(&late) {
                let crate::app::CallResult::Resource { result: Ok(d), .. } =
                    svc.answer(&Call::Get {
                        key: late.clone(),
                        tags: true,
                    })
                else {
                    panic!("n-199 is in the service");
                };
                a.explorer.learned(&d);
                described_out_of_turn = true;
            }
        }
        assert!(described_out_of_turn, "n-199 was queued at some point");
        let open = a.explorer.open.as_ref().expect("big is open");
        assert_eq!(open.model.items.len(), 201);
        assert!(open.complete(), "every node described, none still owed");
        assert_eq!(
            (open.asked.capacity(), open.gets.capacity()),
            (0, 0),
            "nothing kept for the describes that are done"
        );
    }
}
