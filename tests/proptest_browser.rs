//! The Meshes view against a simulated App Mesh: random keys, resizes, mouse events and
//! answers to the calls the app makes, in any order (also after a cancel, when the service may
//! or may not have applied the change). After every step the list's invariants hold; at the
//! end, once every call is answered and a refresh has run, the list holds exactly what the
//! simulated service holds.

use std::collections::{BTreeMap, HashSet};

use appmesh_tui::app::{Action, App, Call, CallResult, Effect, MeshResult, Msg};
use appmesh_tui::aws::{ApiError, ErrorKind, MeshPage};
use appmesh_tui::browser::SortKey;
use appmesh_tui::model::{Mesh, MeshSpec, MeshStatus, MeshSummary, Metadata, Tag};
use appmesh_tui::ui::{self, text::epoch_plus};
use proptest::prelude::*;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::{Terminal, backend::TestBackend};

const OWNER: &str = "111122223333";

#[derive(Clone, Debug)]
struct Held {
    spec: MeshSpec,
    version: i64,
    created: u64,
    updated: u64,
    tags: Vec<Tag>,
}

/// A tiny App Mesh: meshes by name, keyset paging, a clock that ticks per change.
#[derive(Default)]
struct Service {
    meshes: BTreeMap<String, Held>,
    clock: u64,
}

impl Service {
    fn tick(&mut self) -> u64 {
        self.clock += 1;
        1_700_000_000 + self.clock
    }

    fn mesh(&self, name: &str, status: MeshStatus) -> Mesh {
        let h = &self.meshes[name];
        Mesh {
            name: name.into(),
            spec: h.spec.clone(),
            status,
            metadata: Metadata {
                arn: format!("arn:aws:appmesh:us-east-1:{OWNER}:mesh/{name}"),
                uid: format!("uid-{name}"),
                version: h.version,
                created_at: epoch_plus(h.created),
                last_updated_at: epoch_plus(h.updated),
                mesh_owner: OWNER.into(),
                resource_owner: OWNER.into(),
            },
        }
    }

    fn summary(&self, name: &str) -> MeshSummary {
        appmesh_tui::browser::summary_of(&self.mesh(name, MeshStatus::Active))
    }

    fn page(&self, after: Option<&str>, size: usize) -> MeshPage {
        let names: Vec<&String> = self
            .meshes
            .keys()
            .filter(|n| after.is_none_or(|a| n.as_str() > a))
            .take(size + 1)
            .collect();
        let more = names.len() > size;
        let names = &names[..names.len().min(size)];
        MeshPage {
            meshes: names.iter().map(|n| self.summary(n)).collect(),
            next_token: if more {
                names.last().map(|n| n.to_string())
            } else {
                None
            },
        }
    }

    fn not_found(name: &str) -> ApiError {
        ApiError {
            kind: ErrorKind::Service,
            code: Some("NotFoundException".into()),
            message: format!("mesh {name} not found"),
            http_status: Some(404),
            request_id: None,
        }
    }

    fn found(
        &self,
        action: Action,
        name: &str,
        status: MeshStatus,
    ) -> Result<MeshResult, ApiError> {
        Ok(MeshResult {
            action,
            mesh: self.mesh(name, status),
            tags: Ok(self.meshes[name].tags.clone()),
            request_id: None,
        })
    }

    /// Carries out a call as the service would.
    fn perform(&mut self, call: &Call, page_size: usize) -> CallResult {
        match call {
            Call::ListPage {
                generation,
                next_token,
            } => CallResult::Page {
                generation: *generation,
                result: Ok(self.page(next_token.as_deref(), page_size)),
            },
            Call::Create(req) => {
                if self.meshes.contains_key(&req.name) {
                    return CallResult::Mesh(Err(ApiError {
                        kind: ErrorKind::Service,
                        code: Some("ConflictException".into()),
                        message: "exists".into(),
                        http_status: Some(409),
                        request_id: None,
                    }));
                }
                let t = self.tick();
                self.meshes.insert(
                    req.name.clone(),
                    Held {
                        spec: req.spec.clone(),
                        version: 1,
                        created: t,
                        updated: t,
                        tags: req.tags.clone(),
                    },
                );
                CallResult::Mesh(self.found(Action::Create, &req.name, MeshStatus::Active))
            }
            Call::Describe { name } => CallResult::Mesh(if self.meshes.contains_key(name) {
                self.found(Action::Describe, name, MeshStatus::Active)
            } else {
                Err(Self::not_found(name))
            }),
            Call::Update { name, spec, .. } => {
                let t = self.tick();
                CallResult::Mesh(match self.meshes.get_mut(name) {
                    Some(h) => {
                        h.spec = spec.clone();
                        h.version += 1;
                        h.updated = t;
                        self.found(Action::Update, name, MeshStatus::Active)
                    }
                    None => Err(Self::not_found(name)),
                })
            }
            Call::Delete { name } => CallResult::Mesh(if self.meshes.contains_key(name) {
                let r = self.found(Action::Delete, name, MeshStatus::Deleted);
                self.meshes.remove(name);
                r.map(|mut r| {
                    r.tags = Ok(vec![]);
                    r
                })
            } else {
                Err(Self::not_found(name))
            }),
            Call::SaveTags { mesh, tag, untag } => {
                CallResult::Mesh(match self.meshes.get_mut(&mesh.name) {
                    Some(h) => {
                        for t in tag {
                            match h.tags.iter_mut().find(|x| x.key == t.key) {
                                Some(x) => x.value = t.value.clone(),
                                None => h.tags.push(t.clone()),
                            }
                        }
                        h.tags.retain(|t| !untag.contains(&t.key));
                        self.found(Action::Tag, &mesh.name, MeshStatus::Active)
                    }
                    None => Err(Self::not_found(&mesh.name)),
                })
            }
        }
    }
}

fn failure() -> ApiError {
    ApiError {
        kind: ErrorKind::Service,
        code: Some("InternalServerErrorException".into()),
        message: "try later".into(),
        http_status: Some(500),
        request_id: None,
    }
}

fn failed(call: &Call) -> CallResult {
    match call {
        Call::ListPage { generation, .. } => CallResult::Page {
            generation: *generation,
            result: Err(failure()),
        },
        _ => CallResult::Mesh(Err(failure())),
    }
}

#[derive(Clone, Debug)]
enum Step {
    Key(KeyCode, KeyModifiers),
    /// Types the name of pool mesh `i` (to filter, confirm a delete, name a new mesh).
    TypeName(usize),
    /// Answers pending call `i` (modulo how many are pending), applying it or failing it.
    Answer(usize, bool, usize),
    /// `r`.
    Refresh,
    /// `d`, the selected mesh's name, Enter.
    DeleteSelected,
    /// `e` (answering the describe it may need), Down, Ctrl-S.
    UpdateSelected,
    Resize(u16, u16),
    Wheel(bool, u16, u16),
    Click(u16, u16),
}

fn key_code() -> impl Strategy<Value = KeyCode> {
    prop_oneof![
        Just(KeyCode::Tab),
        Just(KeyCode::BackTab),
        Just(KeyCode::Enter),
        Just(KeyCode::Esc),
        Just(KeyCode::Up),
        Just(KeyCode::Down),
        Just(KeyCode::Home),
        Just(KeyCode::End),
        Just(KeyCode::PageUp),
        Just(KeyCode::PageDown),
        Just(KeyCode::Backspace),
        Just(KeyCode::Delete),
        prop::sample::select(vec![2u8, 3, 3, 3, 4, 5]).prop_map(KeyCode::F),
        prop::sample::select(vec![
            'e', 't', 'd', 'y', 'r', 's', '/', 'j', 'k', 'G', 'g', 'x'
        ])
        .prop_map(KeyCode::Char),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => (key_code(), prop_oneof![9 => Just(KeyModifiers::NONE), 1 => Just(KeyModifiers::CONTROL)])
            .prop_map(|(c, m)| Step::Key(c, m)),
        2 => (0usize..8).prop_map(Step::TypeName),
        2 => Just(Step::DeleteSelected),
        2 => Just(Step::Refresh),
        2 => Just(Step::UpdateSelected),
        6 => (any::<usize>(), prop::bool::weighted(0.85), 1usize..4)
            .prop_map(|(i, ok, size)| Step::Answer(i, ok, size)),
        1 => (20u16..140, 8u16..50).prop_map(|(w, h)| Step::Resize(w, h)),
        1 => (any::<bool>(), 0u16..140, 0u16..50).prop_map(|(d, x, y)| Step::Wheel(d, x, y)),
        1 => (0u16..140, 0u16..50).prop_map(|(x, y)| Step::Click(x, y)),
    ]
}

fn pool(i: usize) -> String {
    format!("m{i}")
}

/// What the rows must be: the held meshes whose name contains the filter, in sort order.
fn expected_rows(app: &App) -> Vec<String> {
    let b = &app.browser;
    let needle = b.filter.value().to_lowercase();
    let mut ms: Vec<&MeshSummary> = b
        .meshes
        .iter()
        .filter(|m| m.name.to_lowercase().contains(&needle))
        .collect();
    ms.sort_by(|x, y| {
        let name = x.name.cmp(&y.name);
        match b.sort {
            SortKey::Name => name,
            SortKey::Created => y.created_at.cmp(&x.created_at).then(name),
            SortKey::Updated => y.last_updated_at.cmp(&x.last_updated_at).then(name),
        }
    });
    ms.into_iter().map(|m| m.name.clone()).collect()
}

fn check(app: &App, pending: &[(u64, Call)]) -> Result<(), TestCaseError> {
    let b = &app.browser;
    let names: HashSet<&str> = b.meshes.iter().map(|m| m.name.as_str()).collect();
    prop_assert_eq!(names.len(), b.meshes.len(), "a mesh is held twice");
    let rows: Vec<String> = b.rows.iter().map(|&i| b.meshes[i].name.clone()).collect();
    prop_assert_eq!(rows, expected_rows(app));
    if !b.rows.is_empty() {
        prop_assert!(b.selected < b.rows.len());
        prop_assert!(b.offset <= b.selected);
        if b.height > 0 {
            prop_assert!(b.selected < b.offset + b.height, "selection off screen");
        }
    }
    prop_assert_eq!(app.animating(), app.in_flight.is_some() || b.loading());
    if let Some(id) = app.in_flight {
        prop_assert!(
            pending.iter().any(|(p, _)| *p == id),
            "in flight but not asked for"
        );
    }
    if let Some(id) = app.list_call {
        prop_assert!(pending.iter().any(|(p, _)| *p == id));
    }
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| ui::render(app, f)).unwrap();
    Ok(())
}

/// The service, the calls the app asked for and not yet answered, and whether the service
/// changed without the app knowing (a cancelled call it applied anyway).
#[derive(Default)]
struct Sim {
    service: Service,
    pending: Vec<(u64, Call)>,
    /// Pages the service produced when they were asked for (every other one), delivered
    /// later: by then the app may have changed a mesh they show.
    early: Vec<(u64, CallResult)>,
    /// Set when a cancelled change was applied: the largest list generation asked for then.
    diverged_after: Option<u64>,
    max_generation: u64,
}

impl Sim {
    /// Runs the effects: calls go into `pending`, cancels take them out (the service may or
    /// may not have applied a cancelled change: `applied` decides).
    fn effects(&mut self, fx: Vec<Effect>, applied: bool) {
        for e in fx {
            match e {
                Effect::Call { id, call } => {
                    if let Call::ListPage { generation, .. } = &call {
                        self.max_generation = self.max_generation.max(*generation);
                        if id % 2 == 0 {
                            self.early.push((id, self.service.perform(&call, 2)));
                        }
                    }
                    self.pending.push((id, call));
                }
                Effect::Cancel(id) => {
                    if let Some(i) = self.pending.iter().position(|(p, _)| *p == id) {
                        let (_, call) = self.pending.remove(i);
                        if applied && !matches!(call, Call::ListPage { .. } | Call::Describe { .. })
                        {
                            self.service.perform(&call, 1);
                            self.diverged_after = Some(self.max_generation);
                        }
                    }
                }
                Effect::Copy(_) | Effect::Quit | Effect::Suspend | Effect::Reconnect { .. } => {}
            }
        }
    }

    fn answer(&mut self, app: &mut App, i: usize, ok: bool, size: usize) {
        if self.pending.is_empty() {
            return;
        }
        let (id, call) = self.pending.remove(i % self.pending.len());
        let early = self
            .early
            .iter()
            .position(|(e, _)| *e == id)
            .map(|i| self.early.remove(i).1);
        let result = match early {
            Some(page) if ok => page,
            _ if ok => self.service.perform(&call, size),
            _ => failed(&call),
        };
        let fx = app.update(Msg::Done { id, result });
        // A complete listing that started after the divergence brings the app up to date.
        if let (Call::ListPage { generation, .. }, Some(after)) = (&call, self.diverged_after)
            && *generation > after
            && ok
            && !app.browser.loading()
            && app.browser.error.is_none()
        {
            self.diverged_after = None;
        }
        self.effects(fx, ok);
    }

    /// Once listed, the list holds what the service holds, names and versions (also while a
    /// refresh runs, and after a failed one), unless the service changed behind the app's back.
    fn agrees(&self, app: &App) -> Result<(), TestCaseError> {
        if !app.browser.loaded || self.diverged_after.is_some() {
            return Ok(());
        }
        let mut held: Vec<(String, i64)> = app
            .browser
            .meshes
            .iter()
            .map(|m| (m.name.clone(), m.version))
            .collect();
        held.sort();
        let truth: Vec<(String, i64)> = self
            .service
            .meshes
            .iter()
            .map(|(n, h)| (n.clone(), h.version))
            .collect();
        prop_assert_eq!(held, truth);
        Ok(())
    }
}

fn press(app: &mut App, code: KeyCode, mods: KeyModifiers) -> Vec<Effect> {
    app.update(Msg::Key(KeyEvent::new(code, mods)))
}

fn list_in_front(app: &App) -> bool {
    app.browser.selected_mesh().is_some()
        && app.overlay.is_none()
        && app.view == appmesh_tui::app::View::Meshes
        && !app.browser.filtering
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn the_list_mirrors_the_service(
        initial in prop::collection::btree_set(0usize..8, 0..7),
        steps in prop::collection::vec(step(), 1..80),
    ) {
        let mut sim = Sim::default();
        for i in initial {
            let t = sim.service.tick();
            sim.service.meshes.insert(pool(i), Held {
                spec: MeshSpec::default(),
                version: 1,
                created: t,
                updated: t,
                tags: vec![Tag::new("seed", "true")],
            });
        }
        let mut app = App::new((120, 40));
        app.now = epoch_plus(1_700_100_000);
        let none = KeyModifiers::NONE;
        let fx = press(&mut app, KeyCode::F(3), none);
        sim.effects(fx, true);
        for s in steps {
            let fx = match s {
                // Esc on the bare list quits, which would end the run early.
                Step::Key(KeyCode::Esc, _)
                    if app.overlay.is_none()
                        && app.in_flight.is_none()
                        && !app.browser.filtering
                        && app.browser.filter.value().is_empty() =>
                {
                    Vec::new()
                }
                Step::Key(code, mods) => press(&mut app, code, mods),
                Step::TypeName(i) => {
                    let mut fx = Vec::new();
                    for c in pool(i).chars() {
                        fx.extend(press(&mut app, KeyCode::Char(c), none));
                    }
                    fx
                }
                Step::Answer(i, ok, size) => {
                    sim.answer(&mut app, i, ok, size);
                    Vec::new()
                }
                Step::DeleteSelected if list_in_front(&app) => {
                    let name = app.browser.selected_mesh().unwrap().name.clone();
                    let mut fx = press(&mut app, KeyCode::Char('d'), none);
                    for c in name.chars() {
                        fx.extend(press(&mut app, KeyCode::Char(c), none));
                    }
                    fx.extend(press(&mut app, KeyCode::Enter, none));
                    fx
                }
                Step::UpdateSelected if list_in_front(&app) => {
                    let fx = press(&mut app, KeyCode::Char('e'), none);
                    let describing = fx.iter().find_map(|e| match e {
                        Effect::Call { id, call: Call::Describe { .. } } => Some(*id),
                        _ => None,
                    });
                    sim.effects(fx, true);
                    if let Some(id) = describing {
                        let i = sim.pending.iter().position(|(p, _)| *p == id).unwrap();
                        sim.answer(&mut app, i, true, 1);
                    }
                    let mut fx = press(&mut app, KeyCode::Down, none);
                    fx.extend(press(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL));
                    fx
                }
                Step::Refresh if list_in_front(&app) => press(&mut app, KeyCode::Char('r'), none),
                Step::DeleteSelected | Step::UpdateSelected | Step::Refresh => Vec::new(),
                Step::Resize(w, h) => app.update(Msg::Resize(w, h)),
                Step::Wheel(down, x, y) => app.update(Msg::Mouse(MouseEvent {
                    kind: if down { MouseEventKind::ScrollDown } else { MouseEventKind::ScrollUp },
                    column: x,
                    row: y,
                    modifiers: none,
                })),
                Step::Click(x, y) => app.update(Msg::Mouse(MouseEvent {
                    kind: MouseEventKind::Down(MouseButton::Left),
                    column: x,
                    row: y,
                    modifiers: none,
                })),
            };
            sim.effects(fx, true);
            if app.quit {
                return Ok(());
            }
            check(&app, &sim.pending)?;
            sim.agrees(&app)?;
        }
        // Answer everything (in order, successfully), then list again from the start.
        while !sim.pending.is_empty() {
            sim.answer(&mut app, 0, true, 3);
            check(&app, &sim.pending)?;
            sim.agrees(&app)?;
        }
        let fx = app.refresh();
        sim.effects(fx, true);
        while !sim.pending.is_empty() {
            sim.answer(&mut app, 0, true, 2);
            check(&app, &sim.pending)?;
        }
        prop_assert!(app.browser.loaded && sim.diverged_after.is_none());
        sim.agrees(&app)?;
    }
}

/// The case the property is after, spelt out: a mesh on a page a refresh already received is
/// deleted, another updated, before the refresh's last page.
#[test]
fn changes_during_a_refresh_to_meshes_already_received() {
    let mut sim = Sim::default();
    for i in 0..5 {
        let t = sim.service.tick();
        sim.service.meshes.insert(
            pool(i),
            Held {
                spec: MeshSpec::default(),
                version: 1,
                created: t,
                updated: t,
                tags: vec![],
            },
        );
    }
    let mut app = App::new((120, 40));
    let none = KeyModifiers::NONE;
    let fx = press(&mut app, KeyCode::F(3), none);
    sim.effects(fx, true);
    while !sim.pending.is_empty() {
        sim.answer(&mut app, 0, true, 2);
    }
    let fx = press(&mut app, KeyCode::Char('r'), none);
    sim.effects(fx, true);
    sim.answer(&mut app, 0, true, 3); // m0 m1 m2 staged
    // Delete m0.
    let mut fx = press(&mut app, KeyCode::Char('d'), none);
    for c in "m0".chars() {
        fx.extend(press(&mut app, KeyCode::Char(c), none));
    }
    fx.extend(press(&mut app, KeyCode::Enter, none));
    sim.effects(fx, true);
    let delete = sim
        .pending
        .iter()
        .position(|(_, c)| matches!(c, Call::Delete { .. }))
        .expect("delete asked for");
    sim.answer(&mut app, delete, true, 1);
    // Update m1.
    press(&mut app, KeyCode::Home, none);
    let fx = press(&mut app, KeyCode::Char('e'), none);
    sim.effects(fx, true);
    let describe = sim
        .pending
        .iter()
        .position(|(_, c)| matches!(c, Call::Describe { .. }))
        .unwrap();
    sim.answer(&mut app, describe, true, 1);
    press(&mut app, KeyCode::Down, none);
    let fx = press(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    sim.effects(fx, true);
    let update = sim
        .pending
        .iter()
        .position(|(_, c)| matches!(c, Call::Update { .. }))
        .unwrap();
    sim.answer(&mut app, update, true, 1);
    while !sim.pending.is_empty() {
        sim.answer(&mut app, 0, true, 3);
    }
    assert!(!app.browser.loading());
    sim.agrees(&app).unwrap();
}
