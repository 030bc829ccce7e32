//! The application state and its single update function (The Elm Architecture).
//!
//! Every input (keys, mouse, paste, resizes, API results, the background config load) is a
//! [`Msg`]; [`App::update`] changes the state and returns [`Effect`]s for the runtime to carry
//! out (start a call, cancel one, quit, suspend). Nothing here touches the terminal or network,
//! so every behaviour is testable with plain values.

use std::time::SystemTime;

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Position, Rect};

use crate::aws::{ApiError, CreateMeshRequest, Page, Reply, Target};
use crate::browser::summary_of;
use crate::explore::describe::Described;
use crate::explore::{self, Act, Explorer, Scope};
use crate::form::{Field, Form, FormOutcome};
use crate::kind::{Key, Kind};
use crate::model::{Mesh, MeshSpec, Tag};
use crate::tag_editor::TagOutcome;
use crate::ui::layout::{self, Screen};

/// The views, switched with F2 / F3.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Create,
    Meshes,
}

/// Windows drawn over the view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overlay {
    Help,
    ConfirmQuit,
    /// The result pane, full screen, when the terminal is too narrow to show it beside the form.
    Result,
    /// The tag editor of the Meshes view (state in the explorer).
    Tags,
    /// Type the resource's name to delete it, or a mesh's to delete everything in it (state in
    /// the explorer).
    ConfirmDelete,
    /// The export window (state in [`App::export`]).
    Export,
    /// What `--template` loaded: problems with their JSON paths, and the team rules.
    Template,
    /// Switch the AWS profile and region (state in [`App::picker`]).
    Profile,
    /// The mesh drawn as a graph (`g` inside a mesh; state in [`App::views`]).
    Topology,
    /// What the mesh becomes on VPC Lattice or ECS Service Connect (`M`; in [`App::views`]).
    Migrate,
    /// The "Onboard a service" walkthrough (F6 inside a mesh; in [`App::views`]).
    Onboard,
    /// A form, the canary control or the in-app spec editor writing a resource (state in
    /// [`App::write`]).
    Write,
}

/// What a call was for, as the pane titles it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Create,
    Describe,
    Update,
    Delete,
    Tag,
}

impl Action {
    /// The operation for a mesh: `CreateMesh`.
    pub fn verb(self) -> &'static str {
        match self {
            Action::Create => "CreateMesh",
            Action::Describe => "DescribeMesh",
            Action::Update => "UpdateMesh",
            Action::Delete => "DeleteMesh",
            Action::Tag => "TagResource",
        }
    }

    /// The operation for any kind: `DescribeVirtualNode`.
    pub fn verb_of(self, kind: Kind) -> String {
        use crate::kind::Verb;
        match self {
            Action::Create => kind.operation(Verb::Create),
            Action::Describe => kind.operation(Verb::Describe),
            Action::Update => kind.operation(Verb::Update),
            Action::Delete => kind.operation(Verb::Delete),
            Action::Tag => "TagResource".into(),
        }
    }

    /// What the pane says while the call is in flight: `Loading virtual node`.
    pub fn progress_of(self, kind: Kind) -> String {
        match self {
            Action::Create => format!("Creating {kind}"),
            Action::Describe => format!("Loading {kind}"),
            Action::Update => format!("Updating {kind}"),
            Action::Delete => format!("Deleting {kind}"),
            Action::Tag => "Saving tags".into(),
        }
    }
}

/// A mesh as the service returned it, with its tags (read after the call) and request ID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeshResult {
    pub action: Action,
    pub mesh: Mesh,
    /// `Err` when the mesh call worked but ListTagsForResource did not.
    pub tags: Result<Vec<Tag>, ApiError>,
    pub request_id: Option<String>,
}

/// What the detail pane shows.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Pane {
    #[default]
    Empty,
    InFlight {
        action: Action,
        kind: Kind,
        name: String,
        /// Attempts so far (the SDK retries throttling and server errors).
        attempt: u32,
    },
    /// A mesh the create form created or updated.
    Mesh(Box<MeshResult>),
    /// A resource of any kind, described (or deleted, or tagged) from the Meshes view.
    Resource(Box<Described>),
    Error {
        action: Action,
        kind: Kind,
        name: String,
        error: ApiError,
    },
}

/// A call for the runtime to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call {
    /// CreateMesh, then ListTagsForResource.
    Create(CreateMeshRequest),
    /// UpdateMesh, then ListTagsForResource.
    Update {
        name: String,
        spec: MeshSpec,
        client_token: String,
    },
    /// One page of a list (ListMeshes, ListVirtualNodes, …) for the list's run `generation`.
    List {
        scope: Scope,
        generation: u64,
        next_token: Option<String>,
    },
    /// DescribeX, then ListTagsForResource when `tags`.
    Get { key: Key, tags: bool },
    /// DeleteX.
    Remove { key: Key },
    /// TagResource (if `tag` has any), UntagResource (if `untag` has any), then DescribeX and
    /// ListTagsForResource.
    Tag {
        key: Key,
        arn: String,
        tag: Vec<Tag>,
        untag: Vec<String>,
    },
    /// CreateX (`create`, with `tags`) or UpdateX of any kind with `spec` in the wire form,
    /// then ListTagsForResource; answered with [`CallResult::Resource`].
    Write {
        key: Key,
        create: bool,
        spec: serde_json::Value,
        tags: Vec<Tag>,
        client_token: String,
    },
}

/// The answer to a [`Call`].
// A result is moved once per call: boxing the mesh would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallResult {
    /// CreateMesh and UpdateMesh from the form.
    Mesh(Result<MeshResult, ApiError>),
    Page {
        scope: Scope,
        generation: u64,
        result: Result<Page, ApiError>,
    },
    /// Get, Remove and Tag.
    Resource {
        key: Key,
        result: Result<Described, ApiError>,
    },
}

/// Inputs to [`App::update`].
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Paste(String),
    Resize(u16, u16),
    /// The AWS configuration finished loading in the background.
    Connected(Target),
    /// The client (or the built-in sandbox) could not be set up.
    ConnectFailed(ApiError),
    /// A call ended.
    Done {
        id: u64,
        result: CallResult,
    },
    /// A call is making another attempt (a retry the user should see).
    Attempt {
        id: u64,
        attempt: u32,
    },
    /// Animation frame, sent only while something animates.
    Tick,
    /// `--template FILE` was read on a background task: the template, or why it is not used.
    TemplateLoaded {
        file: String,
        result: Result<crate::template::Template, String>,
    },
    /// The external editor of [`Effect::EditSpec`] ended; `None`: there is no editor.
    SpecEdited {
        key: Key,
        original: serde_json::Value,
        result: Option<crate::spec_edit::Edited>,
    },
    /// The write of [`Effect::WriteFile`] ended.
    Written {
        to: WriteFor,
        path: std::path::PathBuf,
        outcome: crate::fileio::WriteOutcome,
    },
}

/// The window a file is written for (its answer goes back there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteFor {
    /// The export window (`x`).
    Export,
    /// The Migrate view's files (`M`, then `w`).
    Migrate,
}

/// Carries out an [`Effect::WriteFile`]: the runtime runs it on a blocking task, tests in
/// place. Returns the answer for [`App::update`].
pub fn write_file(
    to: WriteFor,
    path: std::path::PathBuf,
    contents: &str,
    existing: crate::fileio::Existing,
) -> Msg {
    let outcome = crate::fileio::write_file(&path, contents.as_bytes(), existing).into();
    Msg::Written { to, path, outcome }
}

/// What the runtime must do after an update.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    Call {
        id: u64,
        call: Call,
    },
    Cancel(u64),
    /// Put this text on the clipboard (OSC 52).
    Copy(String),
    Quit,
    Suspend,
    /// Connect again with another profile and region (the picker, F8).
    Reconnect {
        profile: String,
        region: String,
    },
    /// Hand the terminal to `$VISUAL` / `$EDITOR` on the spec of `key`, then answer with
    /// [`Msg::SpecEdited`].
    EditSpec {
        key: Key,
        spec: serde_json::Value,
    },
    /// Write a file a window asked for (see [`write_file`]), then answer with
    /// [`Msg::Written`]: file I/O never runs inside `update`.
    WriteFile {
        to: WriteFor,
        path: std::path::PathBuf,
        contents: String,
        existing: crate::fileio::Existing,
    },
}

/// Where the app sends requests, for the header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// The AWS configuration is still loading.
    Loading,
    Ready(Target),
    /// Setting up failed; calls will fail with this error.
    Failed(String),
}

/// The built-in sandbox, when the app runs on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SandboxInfo {
    /// Where its state is kept: a path, or "memory only".
    pub state: String,
}

#[derive(Clone, Debug)]
pub struct App {
    pub view: View,
    pub form: Form,
    pub pane: Pane,
    /// Lines scrolled off the top of the pane.
    pub pane_scroll: u16,
    pub overlay: Option<Overlay>,
    pub endpoint: Endpoint,
    pub sandbox: Option<SandboxInfo>,
    pub read_only: bool,
    /// The user's call in flight (create, describe, update, tags, delete), if any.
    pub in_flight: Option<u64>,
    /// The Meshes view: meshes and everything in them, its lists loading in the background
    /// apart from `in_flight`, its windows (tags, delete, jump).
    pub explorer: Explorer,
    /// The key of the resource the user's call in flight is about.
    pub in_flight_key: Option<Key>,
    /// The create form's input, kept aside while the form edits an existing mesh.
    pub create_aside: Option<Form>,
    /// Lines scrolled off the top of the help window.
    pub help_scroll: u16,
    pub spinner: usize,
    /// A short message about the last action, shown above the footer.
    pub status: Option<String>,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    /// The clock the relative times ("2 min ago") are measured against.
    pub now: SystemTime,
    pub quit: bool,
    /// Something changed since the last draw.
    pub dirty: bool,
    pub theme: crate::ui::theme::Theme,
    /// The guided walkthrough (F6); it edits [`App::form`].
    pub walkthrough: crate::walkthrough::Walkthrough,
    /// Team rules from `--template`, checked before every create, update (`e`) and tag edit (`t`).
    pub rules: crate::template::Rules,
    /// What `--template` loaded, for its window (F7).
    pub template: Option<crate::app_template::TemplateReport>,
    pub export: Option<crate::export_menu::ExportMenu>,
    /// The topology and Migrate windows of the open mesh.
    pub views: crate::app_views::MeshViews,
    /// Lines scrolled off the top of the template window.
    pub template_scroll: u16,
    /// The profile and region picker, while it is open.
    pub picker: Option<crate::picker::Picker>,
    /// The window writing a resource (a form, the canary control, the spec editor).
    pub write: Option<crate::app_write::Window>,
    next_id: u64,
    /// Fingerprint of the form as last created, so quitting after a create does not ask.
    saved_form: Option<(String, crate::model::MeshSpec, Vec<Tag>)>,
}

/// The explorer's view of the app around it, from the fields it reads (so the explorer itself
/// can be borrowed mutably beside it).
pub(crate) fn ctx_of(
    pane: &Pane,
    read_only: bool,
    busy: bool,
    pane_visible: bool,
) -> explore::Ctx<'_> {
    explore::Ctx {
        read_only,
        busy,
        shown: match pane {
            Pane::Resource(d) => Some(d),
            _ => None,
        },
        pane_visible,
    }
}

/// ↓/j and ↑/k scroll a window by a line, PgDn and PgUp by `page` lines; other keys do nothing.
fn scroll_by_key(scroll: &mut u16, code: KeyCode, page: u16) {
    *scroll = match code {
        KeyCode::Down | KeyCode::Char('j') => scroll.saturating_add(1),
        KeyCode::Up | KeyCode::Char('k') => scroll.saturating_sub(1),
        KeyCode::PageDown => scroll.saturating_add(page),
        KeyCode::PageUp => scroll.saturating_sub(page),
        _ => *scroll,
    };
}

impl App {
    pub fn new(size: (u16, u16)) -> Self {
        App {
            view: View::Create,
            form: Form::default(),
            pane: Pane::Empty,
            pane_scroll: 0,
            overlay: None,
            endpoint: Endpoint::Loading,
            sandbox: None,
            read_only: false,
            in_flight: None,
            explorer: Explorer::default(),
            in_flight_key: None,
            create_aside: None,
            help_scroll: 0,
            spinner: 0,
            status: None,
            size,
            now: SystemTime::now(),
            quit: false,
            dirty: true,
            theme: crate::ui::theme::Theme::default(),
            walkthrough: crate::walkthrough::Walkthrough::default(),
            rules: crate::template::Rules::default(),
            template: None,
            export: None,
            views: Default::default(),
            template_scroll: 0,
            picker: None,
            write: None,
            next_id: 1,
            saved_form: None,
        }
    }

    /// True while something animates (the spinner): only then does the runtime tick.
    pub fn animating(&self) -> bool {
        self.in_flight.is_some() || self.explorer.loading()
    }

    /// True while the form edits an existing mesh (its create input is kept aside).
    pub fn editing(&self) -> bool {
        self.create_aside.is_some()
    }

    pub(crate) fn screen(&self) -> Screen {
        layout::screen(Rect::new(0, 0, self.size.0, self.size.1))
    }

    /// True when the create form holds input that was not created yet (also while it is kept
    /// aside during an edit).
    pub fn unsaved(&self) -> bool {
        let form = self.create_aside.as_ref().unwrap_or(&self.form);
        if !form.has_input() {
            return false;
        }
        let current = (
            form.name.value().to_string(),
            form.spec(),
            form.tags.clone(),
        );
        self.saved_form.as_ref() != Some(&current)
            || !form.tag_key.value().is_empty()
            || !form.tag_value.value().is_empty()
    }

    /// The explorer's view of the app around it.
    pub fn explore_ctx(&self) -> explore::Ctx<'_> {
        ctx_of(
            &self.pane,
            self.read_only,
            self.in_flight.is_some(),
            self.screen().pane.is_some(),
        )
    }

    /// Rows of the Meshes view's list on screen.
    fn list_height(&self) -> usize {
        self.screen()
            .list_rows(!matches!(self.explorer.at, explore::Where::Meshes))
    }

    /// Carries out what the explorer asked for.
    pub(crate) fn acts(&mut self, acts: Vec<Act>) -> Vec<Effect> {
        let mut effects = Vec::new();
        for act in acts {
            match act {
                Act::Effect(e) => effects.push(e),
                Act::Start { action, key, call } => {
                    effects.extend(self.start_on(action, key, call));
                }
                Act::Status(s) => self.status = Some(s),
                Act::OpenTags => self.overlay = Some(Overlay::Tags),
                Act::OpenDelete => self.overlay = Some(Overlay::ConfirmDelete),
                Act::CloseWindow => {
                    if matches!(self.overlay, Some(Overlay::Tags | Overlay::ConfirmDelete)) {
                        self.overlay = None;
                    }
                }
                Act::EditMesh(key) => effects.extend(self.edit_mesh(key)),
                Act::Export => {
                    self.open_export_from_pane();
                }
                Act::Topology => effects.extend(self.open_topology()),
                Act::Migrate => effects.extend(self.open_migrate()),
                Act::Write(ask) => effects.extend(self.open_write(ask)),
            }
        }
        effects
    }

    /// `e` on a mesh: the form opens on it when the pane shows it, else after a describe.
    fn edit_mesh(&mut self, key: Key) -> Vec<Effect> {
        if let Pane::Resource(d) = &self.pane
            && d.resource.key == key
            && d.resource.status != "DELETED"
            && let Some(mesh) = Mesh::from_resource(&d.resource)
        {
            self.start_edit(&mesh);
            return Vec::new();
        }
        let vis = self.screen().pane.is_some();
        let ctx = ctx_of(&self.pane, self.read_only, self.in_flight.is_some(), vis);
        let acts = self.explorer.describe(key, Some(explore::Then::Edit), ctx);
        self.acts(acts)
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        self.explorer.set_height(self.list_height());
        match msg {
            Msg::Key(key) if key.kind != KeyEventKind::Release => {
                self.dirty = true;
                match split_escape(key) {
                    Some(after) => {
                        // Esc typed just before a key reaches us as Alt+key (the terminal sent
                        // both bytes together, as over a slow link): no key here uses Alt, so it
                        // is the two keys the user pressed.
                        let mut effects = self.on_key(KeyEvent::from(KeyCode::Esc));
                        if !self.quit {
                            effects.extend(self.on_key(after));
                        }
                        effects
                    }
                    None => self.on_key(key),
                }
            }
            Msg::Key(_) => Vec::new(),
            Msg::Mouse(m) => self.on_mouse(m),
            Msg::Paste(text) => {
                self.dirty = true;
                match self.overlay {
                    Some(Overlay::Tags) => {
                        if let Some(e) = &mut self.explorer.tags {
                            e.paste(&text);
                        }
                        return Vec::new();
                    }
                    Some(Overlay::Profile) => {
                        if let Some(p) = &mut self.picker {
                            p.paste(&text);
                        }
                        return Vec::new();
                    }
                    Some(Overlay::Migrate) => {
                        self.paste_migrate(&text);
                        return Vec::new();
                    }
                    Some(Overlay::Onboard) => {
                        self.paste_onboard(&text);
                        return Vec::new();
                    }
                    Some(Overlay::Export) => {
                        if let Some(e) = &mut self.export {
                            e.paste(&text);
                        }
                        return Vec::new();
                    }
                    Some(Overlay::ConfirmDelete) => {
                        self.explorer.paste_delete(&text);
                        return Vec::new();
                    }
                    Some(Overlay::Write) => {
                        self.write_paste(&text);
                        return Vec::new();
                    }
                    _ => {}
                }
                if self.overlay.is_none() && self.view == View::Meshes {
                    self.explorer.paste_filter(&text);
                } else if self.overlay.is_none() && self.view == View::Create {
                    if let Some(note) = self.form.paste(&text) {
                        self.status = Some(note);
                    } else if !self.form.focus.is_text() {
                        self.status = Some(
                            "Paste works in text fields (Mesh name, Tag key, Tag value).".into(),
                        );
                    }
                }
                Vec::new()
            }
            Msg::Written { to, path, outcome } => {
                self.dirty = true;
                match to {
                    WriteFor::Export => self.export_written(path, outcome),
                    WriteFor::Migrate => self.migrate_written(path, outcome),
                }
                Vec::new()
            }
            Msg::Resize(w, h) => {
                self.size = (w, h);
                self.explorer.set_height(self.list_height());
                if self.screen().pane.is_none() {
                    self.explorer.pane_hidden();
                }
                self.mesh_views_resized();
                self.dirty = true;
                if self.overlay == Some(Overlay::Result) && self.screen().pane.is_some() {
                    self.overlay = None;
                }
                Vec::new()
            }
            Msg::Connected(target) => {
                self.endpoint = Endpoint::Ready(target);
                self.dirty = true;
                // After a switch of profile or region the list is the new account's.
                if self.view == View::Meshes
                    && !self.explorer.meshes.loaded
                    && !self.explorer.meshes.loading()
                {
                    return self.refresh();
                }
                Vec::new()
            }
            Msg::ConnectFailed(error) => {
                self.endpoint = Endpoint::Failed(error.title());
                self.status = Some(format!("{}: {}", error.title(), error.message));
                self.dirty = true;
                Vec::new()
            }
            Msg::Attempt { id, attempt } => {
                if self.in_flight == Some(id)
                    && let Pane::InFlight { attempt: a, .. } = &mut self.pane
                {
                    *a = attempt;
                    self.dirty = true;
                }
                Vec::new()
            }
            Msg::Done { id, result } if id >= explore::BG_BASE => {
                self.dirty = true;
                let acts = self.explorer.on_background(id, result);
                let effects = self.acts(acts);
                self.mesh_views_follow();
                effects
            }
            Msg::Done { id, result } => {
                if self.in_flight != Some(id) {
                    // Cancelled earlier: the user was already told the outcome is unknown.
                    return Vec::new();
                }
                self.in_flight = None;
                self.dirty = true;
                self.on_result(result)
            }
            Msg::TemplateLoaded { file, result } => {
                self.template_loaded(&file, result);
                Vec::new()
            }
            Msg::SpecEdited {
                key,
                original,
                result,
            } => self.spec_edited(key, original, result),
            Msg::Tick => {
                if self.animating() {
                    self.spinner = self.spinner.wrapping_add(1);
                    self.dirty = true;
                }
                Vec::new()
            }
        }
    }

    fn on_result(&mut self, result: CallResult) -> Vec<Effect> {
        let (action, kind, name) = match &self.pane {
            Pane::InFlight {
                action, kind, name, ..
            } => (*action, *kind, name.clone()),
            _ => (Action::Create, Kind::Mesh, String::new()),
        };
        let key = self.in_flight_key.take();
        self.pane_scroll = 0;
        let mut opened = false;
        let mut effects = Vec::new();
        match result {
            CallResult::Mesh(Ok(r)) => {
                match r.action {
                    Action::Create => {
                        self.saved_form = Some((
                            self.form.name.value().to_string(),
                            self.form.spec(),
                            self.form.tags.clone(),
                        ));
                        self.status = Some(format!("Created mesh {}.", r.mesh.name));
                        self.explorer.meshes.upsert(summary_of(&r.mesh));
                    }
                    Action::Update => {
                        self.status = Some(format!(
                            "Updated mesh {}: version {}.",
                            r.mesh.name, r.mesh.metadata.version
                        ));
                        self.explorer.meshes.upsert(summary_of(&r.mesh));
                        if self.editing() && self.form.name.value() == r.mesh.name {
                            self.leave_edit();
                            self.view = View::Meshes;
                        }
                    }
                    _ => {}
                }
                self.pane = Pane::Mesh(Box::new(r));
            }
            CallResult::Mesh(Err(error)) => {
                self.status = Some(format!("{} failed: {}", action.verb(), error.title()));
                self.pane = Pane::Error {
                    action,
                    kind,
                    name,
                    error,
                };
            }
            CallResult::Resource { key: k, result } => {
                let key = key.unwrap_or(k);
                let wrote = self.write_answered(action, &key, &result);
                self.status = None;
                if let Err(e) = &result {
                    self.status = Some(format!(
                        "{} failed: {}",
                        action.verb_of(key.kind),
                        e.title()
                    ));
                }
                let onboard_result =
                    (self.views.onboard_sending.as_ref() == Some(&key)).then(|| result.clone());
                let acts = self.explorer.on_result(&key, action, &result);
                opened = acts
                    .iter()
                    .any(|a| matches!(a, Act::OpenTags | Act::EditMesh(_) | Act::Write(_)));
                // A whole-mesh delete keeps its window; its steps do not take the pane.
                let purging = self.explorer.purge.is_some();
                match result {
                    Ok(d) => self.pane = Pane::Resource(Box::new(d)),
                    Err(error) => {
                        self.pane = Pane::Error {
                            action,
                            kind: key.kind,
                            name: key.name.to_string(),
                            error,
                        }
                    }
                }
                effects.extend(self.acts(acts));
                if let Some(s) = wrote {
                    self.status = Some(s);
                }
                if purging {
                    return effects;
                }
                // The onboarding walkthrough's request: it hears the answer and sends the next.
                if let Some(r) = onboard_result
                    && let Some(next) = self.onboard_answered(&key, &r)
                {
                    effects.extend(next);
                    return effects;
                }
            }
            CallResult::Page { .. } => {}
        }
        if self.walkthrough_shown() {
            if self.walk_created() && self.walkthrough.step == crate::walkthrough::Step::Submit {
                self.walk_to(crate::walkthrough::Step::Result);
            }
            return effects;
        }
        if !opened && self.screen().pane.is_none() && self.overlay.is_none() {
            self.overlay = Some(Overlay::Result);
        }
        effects
    }

    /// Lists the meshes from the start (a first load or a refresh), abandoning a run in
    /// progress.
    pub fn refresh(&mut self) -> Vec<Effect> {
        let acts = self.explorer.refresh_meshes();
        self.acts(acts)
    }

    /// Shows the Meshes view, listing the meshes the first time.
    fn show_meshes(&mut self) -> Vec<Effect> {
        self.leave_edit();
        self.view = View::Meshes;
        let m = &self.explorer.meshes;
        if !m.loaded && !m.loading() && m.error.is_none() {
            return self.refresh();
        }
        Vec::new()
    }

    /// Opens the form on an existing mesh: name read-only, its spec selected. The create
    /// form's input waits aside until the edit ends.
    fn start_edit(&mut self, mesh: &Mesh) {
        let mut form = Form::default();
        form.name = tui_input::Input::new(mesh.name.clone());
        form.name_locked = true;
        form.focus = Field::Egress;
        form.set_spec(&mesh.spec);
        let create = std::mem::replace(&mut self.form, form);
        if self.create_aside.is_none() {
            self.create_aside = Some(create);
        }
        self.view = View::Create;
        self.status = Some(format!(
            "Editing mesh {}: choose the spec, then Ctrl-S sends UpdateMesh. Esc or F2 returns to the create form.",
            mesh.name
        ));
    }

    /// Ends an edit and brings the create form's input back.
    fn leave_edit(&mut self) {
        if let Some(form) = self.create_aside.take() {
            self.form = form;
        }
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl
            && key.code == KeyCode::Char('c')
            && let Some(effects) = self.write_ctrl_c()
        {
            return effects;
        }
        match key.code {
            KeyCode::Char('c') if ctrl => {
                self.quit = true;
                return vec![Effect::Quit];
            }
            KeyCode::Char('z') if ctrl => return vec![Effect::Suspend],
            _ => {}
        }
        if let Some(overlay) = self.overlay {
            return self.on_overlay_key(overlay, key);
        }
        match key.code {
            KeyCode::F(6) if self.view == View::Meshes && self.explorer.inside() => {
                return self.open_onboard();
            }
            KeyCode::F(6) if !self.walkthrough_shown() => {
                self.leave_edit();
                self.view = View::Create;
                self.open_walkthrough();
                return Vec::new();
            }
            KeyCode::F(8) => return self.open_picker(),
            KeyCode::F(7) if self.template.is_some() => {
                self.overlay = Some(Overlay::Template);
                self.template_scroll = 0;
                return Vec::new();
            }
            // The walkthrough has its own keys; the view and help keys work as everywhere.
            KeyCode::F(1) | KeyCode::F(2) | KeyCode::F(3) | KeyCode::F(4) => {}
            _ if self.walkthrough_shown() => return self.on_walkthrough_key(key),
            _ => {}
        }
        // The filter and the jump prompt take every key but the function keys.
        if self.view == View::Meshes
            && (self.explorer.list().filtering || self.explorer.jump.is_some())
            && !matches!(key.code, KeyCode::F(_))
        {
            let vis = self.screen().pane.is_some();
            let ctx = ctx_of(&self.pane, self.read_only, self.in_flight.is_some(), vis);
            let acts = self.explorer.on_key(key, ctx);
            let effects = self.acts(acts);
            return effects;
        }
        if key.code == KeyCode::Esc {
            return self.on_escape();
        }
        let plain = key.modifiers.difference(KeyModifiers::SHIFT).is_empty();
        let in_text = self.view == View::Create && self.form.focus.is_text();
        match key.code {
            KeyCode::F(1) => {
                self.overlay = Some(Overlay::Help);
                self.help_scroll = 0;
                return Vec::new();
            }
            KeyCode::Char('?') if plain && !in_text => {
                self.overlay = Some(Overlay::Help);
                self.help_scroll = 0;
                return Vec::new();
            }
            KeyCode::Char('s') if ctrl && self.view == View::Create => return self.submit(),
            KeyCode::F(2) => {
                self.leave_edit();
                self.view = View::Create;
                return Vec::new();
            }
            KeyCode::F(3) => return self.show_meshes(),
            KeyCode::F(4) => {
                if self.pane != Pane::Empty {
                    self.overlay = Some(Overlay::Result);
                }
                return Vec::new();
            }
            KeyCode::PageDown if self.view == View::Create => {
                self.pane_scroll = self.pane_scroll.saturating_add(5);
                return Vec::new();
            }
            KeyCode::PageUp if self.view == View::Create => {
                self.pane_scroll = self.pane_scroll.saturating_sub(5);
                return Vec::new();
            }
            KeyCode::Char('x') if plain && !in_text && self.view == View::Create => {
                if matches!(&self.pane, Pane::Mesh(r) if r.action != Action::Delete) {
                    self.open_export_from_pane();
                } else {
                    self.open_export_from_form();
                }
                return Vec::new();
            }
            _ => {}
        }
        if self.view == View::Meshes {
            let vis = self.screen().pane.is_some();
            let ctx = ctx_of(&self.pane, self.read_only, self.in_flight.is_some(), vis);
            let acts = self.explorer.on_key(key, ctx);
            return self.acts(acts);
        }
        match key.code {
            KeyCode::Tab => {
                self.form.focus = self.next_field(true);
                return Vec::new();
            }
            KeyCode::BackTab => {
                self.form.focus = self.next_field(false);
                return Vec::new();
            }
            _ => {}
        }
        self.form.notice = None;
        match self.form.handle_key(key) {
            FormOutcome::Submit => self.submit(),
            FormOutcome::Handled | FormOutcome::Ignored => Vec::new(),
        }
    }

    /// The next (or previous) field in Tab order; an edit has no tag fields (tags are edited
    /// with `t` in the Meshes view).
    fn next_field(&self, forward: bool) -> Field {
        let mut f = self.form.focus;
        loop {
            f = if forward { f.next() } else { f.prev() };
            let skip = self.editing() && matches!(f, Field::TagKey | Field::TagValue | Field::Tags);
            if !skip {
                return f;
            }
        }
    }

    /// False (and says so) in read-only mode or while a call is in flight.
    pub(crate) fn may_change(&mut self, what: &str) -> bool {
        if self.read_only {
            self.status = Some(format!(
                "Read-only mode: {what} is turned off (--read-only)."
            ));
            return false;
        }
        if self.in_flight.is_some() {
            self.status = Some(
                "A request is already in flight: wait for it, or press Esc to cancel it.".into(),
            );
            return false;
        }
        true
    }

    /// Starts a user call about `key`: the pane shows it in flight.
    pub(crate) fn start_on(&mut self, action: Action, key: Key, call: Call) -> Vec<Effect> {
        let id = self.next_call_id();
        self.in_flight = Some(id);
        self.spinner = 0;
        self.pane = Pane::InFlight {
            action,
            kind: key.kind,
            name: key.name.to_string(),
            attempt: 1,
        };
        self.in_flight_key = Some(key);
        self.pane_scroll = 0;
        self.status = None;
        vec![Effect::Call { id, call }]
    }

    fn on_overlay_key(&mut self, overlay: Overlay, key: KeyEvent) -> Vec<Effect> {
        match overlay {
            Overlay::Help => {
                match key.code {
                    KeyCode::Esc
                    | KeyCode::F(1)
                    | KeyCode::Char('?')
                    | KeyCode::Char('q')
                    | KeyCode::Enter => self.overlay = None,
                    KeyCode::Home => self.help_scroll = 0,
                    code => scroll_by_key(&mut self.help_scroll, code, 10),
                }
                Vec::new()
            }
            Overlay::ConfirmQuit => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => {
                    self.quit = true;
                    vec![Effect::Quit]
                }
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
                    self.overlay = None;
                    Vec::new()
                }
                _ => Vec::new(),
            },
            Overlay::Result => {
                match key.code {
                    KeyCode::Esc | KeyCode::Enter | KeyCode::F(4) | KeyCode::Char('q') => {
                        if key.code == KeyCode::Esc && self.in_flight.is_some() {
                            return self.cancel();
                        }
                        self.overlay = None
                    }
                    KeyCode::Home => self.pane_scroll = 0,
                    KeyCode::Char('x') => {
                        self.open_export_from_pane();
                    }
                    // On a terminal narrower than the detail pane needs, a describe opens full
                    // screen over the list: the list's keys (`:` jump, `E` spec editor, `e`, `/`,
                    // `c`, `t`, `d`, …) and the view keys close it and do what they do there,
                    // instead of doing nothing.
                    KeyCode::Char(c)
                        if self.view == View::Meshes
                            && !matches!(c, 'j' | 'k')
                            && !key.modifiers.contains(KeyModifiers::CONTROL) =>
                    {
                        self.overlay = None;
                        return self.on_key(key);
                    }
                    KeyCode::F(n) if n != 4 => {
                        self.overlay = None;
                        return self.on_key(key);
                    }
                    code => scroll_by_key(&mut self.pane_scroll, code, 5),
                }
                Vec::new()
            }
            Overlay::Tags => self.on_tags_key(key),
            Overlay::ConfirmDelete => self.on_delete_key(key),
            Overlay::Export => self.on_export_key(key),
            Overlay::Profile => self.on_picker_key(key),
            Overlay::Topology => self.on_topology_key(key),
            Overlay::Migrate => self.on_migrate_key(key),
            Overlay::Onboard => self.on_onboard_key(key),
            Overlay::Write => self.on_write_key(key),
            Overlay::Template => {
                match key.code {
                    KeyCode::Esc | KeyCode::Enter | KeyCode::F(7) | KeyCode::Char('q') => {
                        self.overlay = None
                    }
                    code => scroll_by_key(&mut self.template_scroll, code, 10),
                }
                Vec::new()
            }
        }
    }

    /// F8: the profile and region picker. The sandbox has one fixed account and region.
    fn open_picker(&mut self) -> Vec<Effect> {
        if self.sandbox.is_some() {
            self.status = Some(
                "The sandbox has one fixed account and region; profiles apply without --sandbox."
                    .into(),
            );
            return Vec::new();
        }
        let (profile, region) = match &self.endpoint {
            Endpoint::Ready(t) => (
                t.profile.clone().unwrap_or_else(|| "default".into()),
                t.region.clone(),
            ),
            _ => ("default".into(), crate::aws::FALLBACK_REGION.into()),
        };
        self.picker = Some(crate::picker::Picker::new(
            crate::picker::aws_profiles(),
            &profile,
            &region,
        ));
        self.overlay = Some(Overlay::Profile);
        Vec::new()
    }

    fn on_picker_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(picker) = &mut self.picker else {
            self.overlay = None;
            return Vec::new();
        };
        match picker.handle_key(key) {
            crate::picker::PickerOutcome::Stay => Vec::new(),
            crate::picker::PickerOutcome::Close => {
                self.overlay = None;
                self.picker = None;
                Vec::new()
            }
            crate::picker::PickerOutcome::Apply { profile, region } => {
                self.overlay = None;
                self.picker = None;
                self.endpoint = Endpoint::Loading;
                // The list belonged to the old account and region: forget it and any page
                // still on its way.
                let mut effects: Vec<Effect> = self.explorer.reset();
                self.status = Some(format!("Switching to profile {profile}, region {region}…"));
                effects.push(Effect::Reconnect { profile, region });
                effects
            }
        }
    }

    fn on_tags_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(editor) = &mut self.explorer.tags else {
            self.overlay = None;
            return Vec::new();
        };
        match editor.handle_key(key) {
            TagOutcome::Handled => Vec::new(),
            TagOutcome::Close => {
                if !editor.changes().is_empty() {
                    self.status = Some("Tag changes discarded; nothing was sent.".into());
                }
                self.explorer.tags = None;
                self.overlay = None;
                Vec::new()
            }
            TagOutcome::Save => {
                let changes = editor.changes();
                if changes.is_empty() {
                    editor.problem =
                        Some("Nothing changed: add, change or remove a tag first.".into());
                    return Vec::new();
                }
                if let Some(msg) = self.rules.tag_block(&editor.original, &editor.tags) {
                    editor.problem = Some(msg);
                    return Vec::new();
                }
                if !self.may_change("editing tags") {
                    return Vec::new();
                }
                let editor = self.explorer.tags.take().expect("checked above");
                self.overlay = None;
                self.start_on(
                    Action::Tag,
                    editor.resource.clone(),
                    Call::Tag {
                        key: editor.resource,
                        arn: editor.arn,
                        tag: changes.tag,
                        untag: changes.untag,
                    },
                )
            }
        }
    }

    fn on_delete_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let vis = self.screen().pane.is_some();
        let ctx = ctx_of(&self.pane, self.read_only, self.in_flight.is_some(), vis);
        let acts = self.explorer.on_delete_key(key, ctx);
        self.acts(acts)
    }

    fn on_escape(&mut self) -> Vec<Effect> {
        if self.in_flight.is_some() {
            return self.cancel();
        }
        if self.editing() && self.view == View::Create {
            self.leave_edit();
            self.status = Some("Edit closed; nothing was sent. Back to the create form.".into());
            return Vec::new();
        }
        if self.view == View::Meshes && self.explorer.escape() {
            let acts = self.explorer.viewed();
            return self.acts(acts);
        }
        if self.unsaved() {
            self.overlay = Some(Overlay::ConfirmQuit);
            Vec::new()
        } else {
            self.quit = true;
            vec![Effect::Quit]
        }
    }

    pub(crate) fn cancel(&mut self) -> Vec<Effect> {
        let Some(id) = self.in_flight.take() else {
            return Vec::new();
        };
        self.explorer.cancelled();
        self.in_flight_key = None;
        let (action, kind, name) = match &self.pane {
            Pane::InFlight {
                action, kind, name, ..
            } => (*action, *kind, name.clone()),
            _ => (Action::Create, Kind::Mesh, String::new()),
        };
        self.pane = Pane::Error {
            action,
            kind,
            name,
            error: ApiError::cancelled(),
        };
        self.status = Some(format!(
            "{} cancelled; its outcome is unknown.",
            action.verb_of(kind)
        ));
        if self.screen().pane.is_none() && self.overlay.is_none() && !self.walkthrough_shown() {
            self.overlay = Some(Overlay::Result);
        }
        vec![Effect::Cancel(id)]
    }

    fn next_call_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Validates the form and, when it is valid and nothing is in flight, starts CreateMesh.
    pub fn submit(&mut self) -> Vec<Effect> {
        if self.in_flight.is_some() {
            self.status = Some(
                "A request is already in flight: wait for it, or press Esc to cancel it.".into(),
            );
            return Vec::new();
        }
        if self.read_only {
            self.status = Some(format!(
                "Read-only mode: {} meshes is turned off (--read-only).",
                if self.editing() {
                    "updating"
                } else {
                    "creating"
                }
            ));
            return Vec::new();
        }
        if self.editing() {
            // Team rules (--template) on the spec hold the update back.
            if let Some(msg) = self.rule_block() {
                self.form.submit_attempted = true;
                self.status = Some(msg);
                return Vec::new();
            }
            let name = self.form.name.value().to_string();
            let call = Call::Update {
                name: name.clone(),
                spec: self.form.spec(),
                client_token: self.form.token_for_update(),
            };
            return self.start_on(Action::Update, Key::mesh(name), call);
        }
        // Team rules (--template) hold the request back; the form's own problems come first.
        if self.form.problems().is_empty()
            && let Some(msg) = self.rule_block()
        {
            self.form.submit_attempted = true;
            self.status = Some(msg);
            return Vec::new();
        }
        match self.form.build_request() {
            Err(problems) => {
                if problems.name.is_some() {
                    self.form.focus = Field::Name;
                } else if problems.tags.is_some() {
                    self.form.focus = Field::Tags;
                }
                let what: Vec<&str> = [problems.name.as_deref(), problems.tags.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect();
                self.status = Some(format!("Not sent: {}", what.join(" ")));
                Vec::new()
            }
            Ok(req) => {
                let id = self.next_call_id();
                self.in_flight = Some(id);
                self.spinner = 0;
                self.pane = Pane::InFlight {
                    action: Action::Create,
                    kind: Kind::Mesh,
                    name: req.name.clone(),
                    attempt: 1,
                };
                self.pane_scroll = 0;
                self.status = None;
                vec![Effect::Call {
                    id,
                    call: Call::Create(req),
                }]
            }
        }
    }

    fn on_mouse(&mut self, m: MouseEvent) -> Vec<Effect> {
        let pos = Position::new(m.column, m.row);
        match m.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                self.dirty = true;
                if self.overlay.is_some() {
                    return Vec::new();
                }
                let screen = self.screen();
                if let Some(tab) = screen.tabs.iter().find(|(_, r)| r.contains(pos)) {
                    if tab.0 == View::Meshes {
                        return self.show_meshes();
                    }
                    self.leave_edit();
                    self.view = tab.0;
                    return Vec::new();
                }
                if self.walkthrough_shown() {
                    return Vec::new();
                }
                if self.view == View::Meshes {
                    let areas = screen.explore(self.explorer.inside());
                    let acts = self.explorer.click(pos, &areas);
                    return self.acts(acts);
                }
                let areas = screen.form;
                for (field, rect) in areas.fields() {
                    if self.editing()
                        && matches!(field, Field::TagKey | Field::TagValue | Field::Tags)
                    {
                        continue;
                    }
                    if rect.contains(pos) {
                        self.form.focus = field;
                        // Inside a list: pick the clicked row (row 0 is the border).
                        let row = (pos.y - rect.y).saturating_sub(1) as usize;
                        match field {
                            Field::Egress
                                if row < crate::model::EgressFilter::ALL.len()
                                    && pos.y > rect.y =>
                            {
                                self.form.egress = row;
                            }
                            Field::IpPreference
                                if row < crate::form::IP_CHOICES && pos.y > rect.y =>
                            {
                                self.form.ip_preference = row;
                            }
                            Field::Tags if row < self.form.tags.len() && pos.y > rect.y => {
                                self.form.tag_selected = row;
                            }
                            Field::Create => return self.submit(),
                            _ => {}
                        }
                        return Vec::new();
                    }
                }
                Vec::new()
            }
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                self.dirty = true;
                let down = m.kind == MouseEventKind::ScrollDown;
                if self.overlay.is_none()
                    && self.view == View::Meshes
                    && self
                        .screen()
                        .explore(self.explorer.inside())
                        .list
                        .list
                        .contains(pos)
                {
                    self.explorer.scroll(if down { 3 } else { -3 });
                    let acts = self.explorer.viewed();
                    return self.acts(acts);
                } else if self.overlay == Some(Overlay::Help) {
                    self.help_scroll = if down {
                        self.help_scroll.saturating_add(2)
                    } else {
                        self.help_scroll.saturating_sub(2)
                    };
                } else if self.overlay == Some(Overlay::Export) {
                    if let Some(e) = &mut self.export {
                        e.scroll_by(if down { 2 } else { -2 });
                    }
                } else if self.overlay.is_none() && self.walkthrough_shown() {
                    let w = &mut self.walkthrough;
                    w.scroll = if down {
                        w.scroll.saturating_add(2)
                    } else {
                        w.scroll.saturating_sub(2)
                    };
                } else if down {
                    self.pane_scroll = self.pane_scroll.saturating_add(2);
                } else {
                    self.pane_scroll = self.pane_scroll.saturating_sub(2);
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// The call result for a finished create (used by the runtime and by tests).
    pub fn created(reply: Reply<Mesh>, tags: Result<Vec<Tag>, ApiError>) -> CallResult {
        CallResult::Mesh(Ok(MeshResult {
            action: Action::Create,
            mesh: reply.value,
            tags,
            request_id: reply.request_id,
        }))
    }
}

/// Alt+character, which no key of the app uses, is Esc followed by that character: a terminal
/// sends Esc and a quickly following key as one sequence. Alt+Backspace (delete a word in a
/// text field) stays what it is.
fn split_escape(key: KeyEvent) -> Option<KeyEvent> {
    let KeyCode::Char(_) = key.code else {
        return None;
    };
    if !key.modifiers.contains(KeyModifiers::ALT) || key.modifiers.contains(KeyModifiers::CONTROL) {
        return None;
    }
    Some(KeyEvent::new(key.code, key.modifiers - KeyModifiers::ALT))
}
