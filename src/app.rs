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

use crate::aws::{ApiError, CreateMeshRequest, MeshPage, Reply, Target};
use crate::browser::{Browser, DeleteConfirm, PageOutcome, summary_of};
use crate::form::{Field, Form, FormOutcome};
use crate::model::{Mesh, MeshSpec, Tag};
use crate::tag_editor::{TagEditor, TagOutcome};
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
    /// The tag editor of the Meshes view (state in [`App::tag_editor`]).
    Tags,
    /// Type the mesh's name to delete it (state in [`App::delete`]).
    ConfirmDelete,
    /// The export window (state in [`App::export`]).
    Export,
    /// What `--template` loaded: problems with their JSON paths, and the team rules.
    Template,
    /// Switch the AWS profile and region (state in [`App::picker`]).
    Profile,
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
    pub fn verb(self) -> &'static str {
        match self {
            Action::Create => "CreateMesh",
            Action::Describe => "DescribeMesh",
            Action::Update => "UpdateMesh",
            Action::Delete => "DeleteMesh",
            Action::Tag => "TagResource",
        }
    }

    pub fn progress(self) -> &'static str {
        match self {
            Action::Create => "Creating mesh",
            Action::Describe => "Loading mesh",
            Action::Update => "Updating mesh",
            Action::Delete => "Deleting mesh",
            Action::Tag => "Saving tags",
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
        name: String,
        /// Attempts so far (the SDK retries throttling and server errors).
        attempt: u32,
    },
    Mesh(Box<MeshResult>),
    Error {
        action: Action,
        name: String,
        error: ApiError,
    },
}

/// A call for the runtime to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call {
    /// CreateMesh, then ListTagsForResource.
    Create(CreateMeshRequest),
    /// One page of ListMeshes for the list's run `generation`.
    ListPage {
        generation: u64,
        next_token: Option<String>,
    },
    /// DescribeMesh, then ListTagsForResource.
    Describe { name: String },
    /// UpdateMesh, then ListTagsForResource.
    Update {
        name: String,
        spec: MeshSpec,
        client_token: String,
    },
    /// DeleteMesh.
    Delete { name: String },
    /// TagResource (if `tag` has any), UntagResource (if `untag` has any), then
    /// ListTagsForResource.
    SaveTags {
        mesh: Box<Mesh>,
        tag: Vec<Tag>,
        untag: Vec<String>,
    },
}

/// The answer to a [`Call`].
// A result is moved once per call: boxing the mesh would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallResult {
    Mesh(Result<MeshResult, ApiError>),
    Page {
        generation: u64,
        result: Result<MeshPage, ApiError>,
    },
}

/// What to do once a describe started by a key arrives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Then {
    Edit,
    Tags,
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
    /// The Meshes list; its ListMeshes pages run apart from `in_flight`.
    pub browser: Browser,
    /// The ListMeshes call in flight, if any (to cancel it when a refresh starts).
    pub list_call: Option<u64>,
    /// The create form's input, kept aside while the form edits an existing mesh.
    pub create_aside: Option<Form>,
    /// A describe started by `e` or `t`: open the editor when it arrives.
    pub then: Option<(Then, String)>,
    pub tag_editor: Option<TagEditor>,
    pub delete: Option<DeleteConfirm>,
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
    /// Lines scrolled off the top of the template window.
    pub template_scroll: u16,
    /// The profile and region picker, while it is open.
    pub picker: Option<crate::picker::Picker>,
    next_id: u64,
    /// Fingerprint of the form as last created, so quitting after a create does not ask.
    saved_form: Option<(String, crate::model::MeshSpec, Vec<Tag>)>,
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
            browser: Browser::default(),
            list_call: None,
            create_aside: None,
            then: None,
            tag_editor: None,
            delete: None,
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
            template_scroll: 0,
            picker: None,
            next_id: 1,
            saved_form: None,
        }
    }

    /// True while something animates (the spinner): only then does the runtime tick.
    pub fn animating(&self) -> bool {
        self.in_flight.is_some() || self.browser.loading()
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

    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        self.browser.height = self.screen().list_rows();
        match msg {
            Msg::Key(key) if key.kind != KeyEventKind::Release => {
                self.dirty = true;
                self.on_key(key)
            }
            Msg::Key(_) => Vec::new(),
            Msg::Mouse(m) => self.on_mouse(m),
            Msg::Paste(text) => {
                self.dirty = true;
                match self.overlay {
                    Some(Overlay::Tags) => {
                        if let Some(e) = &mut self.tag_editor {
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
                    Some(Overlay::Export) => {
                        if let Some(e) = &mut self.export {
                            e.paste(&text);
                        }
                        return Vec::new();
                    }
                    Some(Overlay::ConfirmDelete) => {
                        if let Some(d) = &mut self.delete {
                            let clean: String = text.chars().filter(|c| !c.is_control()).collect();
                            d.input = tui_input::Input::new(format!("{}{clean}", d.input.value()));
                        }
                        return Vec::new();
                    }
                    _ => {}
                }
                if self.overlay.is_none() && self.view == View::Meshes {
                    self.browser.filtering = true;
                    self.browser.filter_paste(&text);
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
            Msg::Resize(w, h) => {
                self.size = (w, h);
                self.browser.height = self.screen().list_rows();
                self.browser.scroll_into_view();
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
                if self.view == View::Meshes && !self.browser.loaded && !self.browser.loading() {
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
            Msg::Done {
                id,
                result: CallResult::Page { generation, result },
            } => {
                if self.list_call == Some(id) {
                    self.list_call = None;
                }
                self.dirty = true;
                self.on_page(generation, result)
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
        let (action, name) = match &self.pane {
            Pane::InFlight { action, name, .. } => (*action, name.clone()),
            _ => (Action::Create, String::new()),
        };
        self.pane_scroll = 0;
        let then = self.then.take();
        let mut opened = false;
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
                        self.browser.upsert(summary_of(&r.mesh));
                    }
                    Action::Describe => {
                        self.status = None;
                        match then {
                            Some((Then::Edit, n)) if n == r.mesh.name => {
                                self.start_edit(&r.mesh);
                                opened = true;
                            }
                            Some((Then::Tags, n)) if n == r.mesh.name => {
                                opened = self.open_tag_editor(&r);
                            }
                            _ => {}
                        }
                    }
                    Action::Update => {
                        self.status = Some(format!(
                            "Updated mesh {}: version {}.",
                            r.mesh.name, r.mesh.metadata.version
                        ));
                        self.browser.upsert(summary_of(&r.mesh));
                        if self.editing() && self.form.name.value() == r.mesh.name {
                            self.leave_edit();
                            self.view = View::Meshes;
                        }
                    }
                    Action::Tag => {
                        let n = r.tags.as_ref().map_or(0, Vec::len);
                        self.status = Some(format!(
                            "Saved the tags of {}: it now has {n} tag{}.",
                            r.mesh.name,
                            if n == 1 { "" } else { "s" }
                        ));
                    }
                    Action::Delete => {
                        self.status = Some(format!("Deleted mesh {}.", r.mesh.name));
                        self.browser.remove(&r.mesh.name);
                    }
                }
                self.pane = Pane::Mesh(Box::new(r));
            }
            CallResult::Mesh(Err(error)) => {
                self.status = Some(format!("{} failed: {}", action.verb(), error.title()));
                if action != Action::Create && error.code.as_deref() == Some("NotFoundException") {
                    // Deleted elsewhere: the list should not keep offering it.
                    self.browser.remove(&name);
                    self.status = Some(format!(
                        "{} failed: mesh {name} no longer exists; it left the list.",
                        action.verb()
                    ));
                }
                self.pane = Pane::Error {
                    action,
                    name,
                    error,
                };
            }
            CallResult::Page { .. } => {}
        }
        if self.walkthrough_shown() {
            if self.walk_created() && self.walkthrough.step == crate::walkthrough::Step::Submit {
                self.walk_to(crate::walkthrough::Step::Result);
            }
            return Vec::new();
        }
        if !opened && self.screen().pane.is_none() && self.overlay.is_none() {
            self.overlay = Some(Overlay::Result);
        }
        Vec::new()
    }

    /// A ListMeshes page arrived: take it and ask for the next one.
    fn on_page(&mut self, generation: u64, result: Result<MeshPage, ApiError>) -> Vec<Effect> {
        match self.browser.on_page(generation, result) {
            PageOutcome::More(token) => self.list_page(generation, Some(token)),
            PageOutcome::Stopped(why) => {
                self.status = Some(why);
                Vec::new()
            }
            PageOutcome::Stale | PageOutcome::Done | PageOutcome::Failed => Vec::new(),
        }
    }

    fn list_page(&mut self, generation: u64, next_token: Option<String>) -> Vec<Effect> {
        let id = self.next_call_id();
        self.list_call = Some(id);
        vec![Effect::Call {
            id,
            call: Call::ListPage {
                generation,
                next_token,
            },
        }]
    }

    /// Lists the meshes from the start (a first load or a refresh), abandoning a run in
    /// progress.
    pub fn refresh(&mut self) -> Vec<Effect> {
        let mut effects: Vec<Effect> = self
            .list_call
            .take()
            .map(Effect::Cancel)
            .into_iter()
            .collect();
        let generation = self.browser.start_load();
        effects.extend(self.list_page(generation, None));
        effects
    }

    /// Shows the Meshes view, listing the meshes the first time.
    fn show_meshes(&mut self) -> Vec<Effect> {
        self.leave_edit();
        self.view = View::Meshes;
        if !self.browser.loaded && !self.browser.loading() && self.browser.error.is_none() {
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

    /// Opens the tag editor on a described mesh; false (with a reason) when its tags are not
    /// known.
    fn open_tag_editor(&mut self, r: &MeshResult) -> bool {
        match &r.tags {
            Ok(tags) => {
                self.tag_editor = Some(TagEditor::new(r.mesh.clone(), tags.clone()));
                self.overlay = Some(Overlay::Tags);
                true
            }
            Err(e) => {
                self.status = Some(format!(
                    "The tags of {} could not be read ({}); press Enter to describe it again.",
                    r.mesh.name,
                    e.title()
                ));
                false
            }
        }
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
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
        // The filter input takes every key but the function keys.
        if self.view == View::Meshes && self.browser.filtering && !matches!(key.code, KeyCode::F(_))
        {
            return self.on_filter_key(key);
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
            return self.on_browser_key(key);
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

    fn on_filter_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        match key.code {
            KeyCode::Esc => self.browser.clear_filter(),
            KeyCode::Enter => self.browser.filtering = false,
            KeyCode::Up => self.browser.move_by(-1),
            KeyCode::Down => self.browser.move_by(1),
            KeyCode::PageUp => self.browser.move_by(-self.browser.page()),
            KeyCode::PageDown => self.browser.move_by(self.browser.page()),
            _ => {
                self.browser.filter_key(key);
            }
        }
        Vec::new()
    }

    /// The keys of the Meshes list.
    fn on_browser_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if !key.modifiers.difference(KeyModifiers::SHIFT).is_empty() {
            return Vec::new();
        }
        let b = &mut self.browser;
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => b.move_by(-1),
            KeyCode::Down | KeyCode::Char('j') => b.move_by(1),
            KeyCode::PageUp => b.move_by(-b.page()),
            KeyCode::PageDown => b.move_by(b.page()),
            KeyCode::Home | KeyCode::Char('g') => b.home(),
            KeyCode::End | KeyCode::Char('G') => b.end(),
            KeyCode::Char('/') => b.filtering = true,
            KeyCode::Char('s') => {
                b.cycle_sort();
                self.status = Some(format!("Sorted by {}.", self.browser.sort.label()));
            }
            KeyCode::Char('r') | KeyCode::F(5) => return self.refresh(),
            KeyCode::Enter => {
                if let Some(name) = self.selected_name() {
                    return self.describe(name, None);
                }
            }
            KeyCode::Char('y') => {
                if let Some(m) = self.browser.selected_mesh() {
                    let arn = m.arn.clone();
                    self.status = Some(format!(
                        "Copied the ARN of {} to the clipboard (OSC 52; the terminal must allow it): {arn}",
                        m.name
                    ));
                    return vec![Effect::Copy(arn)];
                }
            }
            KeyCode::Char('x') => {
                self.open_export_from_pane();
            }
            KeyCode::Char('e') => return self.act(Then::Edit),
            KeyCode::Char('t') => return self.act(Then::Tags),
            KeyCode::Char('d') | KeyCode::Delete => {
                if let Some(name) = self.selected_name()
                    && self.may_change("deleting meshes")
                {
                    self.delete = Some(DeleteConfirm::new(&name));
                    self.overlay = Some(Overlay::ConfirmDelete);
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn selected_name(&self) -> Option<String> {
        self.browser.selected_mesh().map(|m| m.name.clone())
    }

    /// False (and says so) in read-only mode or while a call is in flight.
    fn may_change(&mut self, what: &str) -> bool {
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

    /// `e` / `t`: opens the editor on the selected mesh, describing it first unless the pane
    /// already shows it.
    fn act(&mut self, then: Then) -> Vec<Effect> {
        let what = match then {
            Then::Edit => "editing meshes",
            Then::Tags => "editing tags",
        };
        let Some(name) = self.selected_name() else {
            return Vec::new();
        };
        if !self.may_change(what) {
            return Vec::new();
        }
        if let Pane::Mesh(r) = &self.pane
            && r.mesh.name == name
            && r.action != Action::Delete
        {
            let r = r.clone();
            match then {
                Then::Edit => self.start_edit(&r.mesh),
                Then::Tags => {
                    self.open_tag_editor(&r);
                }
            }
            return Vec::new();
        }
        self.describe(name, Some(then))
    }

    /// Starts a user call: the pane shows it in flight.
    fn start(&mut self, action: Action, name: String, call: Call) -> Vec<Effect> {
        let id = self.next_call_id();
        self.in_flight = Some(id);
        self.spinner = 0;
        self.pane = Pane::InFlight {
            action,
            name,
            attempt: 1,
        };
        self.pane_scroll = 0;
        self.status = None;
        vec![Effect::Call { id, call }]
    }

    fn describe(&mut self, name: String, then: Option<Then>) -> Vec<Effect> {
        if self.in_flight.is_some() {
            self.status = Some(
                "A request is already in flight: wait for it, or press Esc to cancel it.".into(),
            );
            return Vec::new();
        }
        self.then = then.map(|t| (t, name.clone()));
        self.start(Action::Describe, name.clone(), Call::Describe { name })
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
                    code => scroll_by_key(&mut self.pane_scroll, code, 5),
                }
                Vec::new()
            }
            Overlay::Tags => self.on_tags_key(key),
            Overlay::ConfirmDelete => self.on_delete_key(key),
            Overlay::Export => self.on_export_key(key),
            Overlay::Profile => self.on_picker_key(key),
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
                let mut effects: Vec<Effect> = self
                    .list_call
                    .take()
                    .map(Effect::Cancel)
                    .into_iter()
                    .collect();
                self.browser = crate::browser::Browser::default();
                self.status = Some(format!("Switching to profile {profile}, region {region}…"));
                effects.push(Effect::Reconnect { profile, region });
                effects
            }
        }
    }

    fn on_tags_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(editor) = &mut self.tag_editor else {
            self.overlay = None;
            return Vec::new();
        };
        match editor.handle_key(key) {
            TagOutcome::Handled => Vec::new(),
            TagOutcome::Close => {
                if !editor.changes().is_empty() {
                    self.status = Some("Tag changes discarded; nothing was sent.".into());
                }
                self.tag_editor = None;
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
                let editor = self.tag_editor.take().expect("checked above");
                self.overlay = None;
                let name = editor.mesh.name.clone();
                self.start(
                    Action::Tag,
                    name,
                    Call::SaveTags {
                        mesh: Box::new(editor.mesh),
                        tag: changes.tag,
                        untag: changes.untag,
                    },
                )
            }
        }
    }

    fn on_delete_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(confirm) = &mut self.delete else {
            self.overlay = None;
            return Vec::new();
        };
        match key.code {
            KeyCode::Esc => {
                self.delete = None;
                self.overlay = None;
                self.status = Some("Delete cancelled; nothing was sent.".into());
                Vec::new()
            }
            KeyCode::Enter => {
                if !confirm.matches() {
                    confirm.problem = Some(if confirm.untypeable().is_some() {
                        format!(
                            "Not the name: type {} (? for each character that cannot be typed).",
                            crate::ui::text::clean(&confirm.expected())
                        )
                    } else {
                        format!(
                            "Not the name: type it exactly ({} characters).",
                            crate::model::char_len(&confirm.name)
                        )
                    });
                    return Vec::new();
                }
                let name = confirm.name.clone();
                if !self.may_change("deleting meshes") {
                    return Vec::new();
                }
                self.delete = None;
                self.overlay = None;
                self.start(Action::Delete, name.clone(), Call::Delete { name })
            }
            _ => {
                use tui_input::backend::crossterm::EventHandler;
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

    fn on_escape(&mut self) -> Vec<Effect> {
        if self.in_flight.is_some() {
            return self.cancel();
        }
        if self.editing() && self.view == View::Create {
            self.leave_edit();
            self.status = Some("Edit closed; nothing was sent. Back to the create form.".into());
            return Vec::new();
        }
        if self.view == View::Meshes && !self.browser.filter.value().is_empty() {
            self.browser.clear_filter();
            return Vec::new();
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
        self.then = None;
        let (action, name) = match &self.pane {
            Pane::InFlight { action, name, .. } => (*action, name.clone()),
            _ => (Action::Create, String::new()),
        };
        self.pane = Pane::Error {
            action,
            name,
            error: ApiError::cancelled(),
        };
        self.status = Some(format!(
            "{} cancelled; its outcome is unknown.",
            action.verb()
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
            return self.start(Action::Update, name, call);
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
                    let areas = screen.browser;
                    if areas.filter.contains(pos) {
                        self.browser.filtering = true;
                    } else if areas.rows.contains(pos) {
                        self.browser.filtering = false;
                        let p = self.browser.offset + (pos.y - areas.rows.y) as usize;
                        if p < self.browser.rows.len() {
                            self.browser
                                .move_by(p as isize - self.browser.selected as isize);
                        }
                    }
                    return Vec::new();
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
                    && self.screen().browser.list.contains(pos)
                {
                    self.browser.move_by(if down { 3 } else { -3 });
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
