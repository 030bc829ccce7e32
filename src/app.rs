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

use crate::aws::{ApiError, CreateMeshRequest, Reply, Target};
use crate::form::{Field, Form, FormOutcome};
use crate::model::{Mesh, Tag};
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
}

/// The answer to a [`Call`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallResult {
    Mesh(Result<MeshResult, ApiError>),
}

/// Inputs to [`App::update`].
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
}

/// What the runtime must do after an update.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    Call { id: u64, call: Call },
    Cancel(u64),
    Quit,
    Suspend,
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
    /// The call in flight, if any.
    pub in_flight: Option<u64>,
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
    next_id: u64,
    /// Fingerprint of the form as last created, so quitting after a create does not ask.
    saved_form: Option<(String, crate::model::MeshSpec, Vec<Tag>)>,
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
            spinner: 0,
            status: None,
            size,
            now: SystemTime::now(),
            quit: false,
            dirty: true,
            theme: crate::ui::theme::Theme::default(),
            next_id: 1,
            saved_form: None,
        }
    }

    /// True while something animates (the spinner): only then does the runtime tick.
    pub fn animating(&self) -> bool {
        self.in_flight.is_some()
    }

    fn screen(&self) -> Screen {
        layout::screen(Rect::new(0, 0, self.size.0, self.size.1))
    }

    /// True when the form holds input that was not created yet.
    pub fn unsaved(&self) -> bool {
        if !self.form.has_input() {
            return false;
        }
        let current = (
            self.form.name.value().to_string(),
            self.form.spec(),
            self.form.tags.clone(),
        );
        self.saved_form.as_ref() != Some(&current)
            || !self.form.tag_key.value().is_empty()
            || !self.form.tag_value.value().is_empty()
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Key(key) if key.kind != KeyEventKind::Release => {
                self.dirty = true;
                self.on_key(key)
            }
            Msg::Key(_) => Vec::new(),
            Msg::Mouse(m) => self.on_mouse(m),
            Msg::Paste(text) => {
                self.dirty = true;
                if self.overlay.is_none() && self.view == View::Create {
                    if self.form.paste(&text).is_none() && !self.form.focus.is_text() {
                        self.status = Some(
                            "Paste works in text fields (Mesh name, Tag key, Tag value).".into(),
                        );
                    }
                }
                Vec::new()
            }
            Msg::Resize(w, h) => {
                self.size = (w, h);
                self.dirty = true;
                if self.overlay == Some(Overlay::Result) && self.screen().pane.is_some() {
                    self.overlay = None;
                }
                Vec::new()
            }
            Msg::Connected(target) => {
                self.endpoint = Endpoint::Ready(target);
                self.dirty = true;
                Vec::new()
            }
            Msg::ConnectFailed(error) => {
                self.endpoint = Endpoint::Failed(error.title());
                self.status = Some(format!("{}: {}", error.title(), error.message));
                self.dirty = true;
                Vec::new()
            }
            Msg::Attempt { id, attempt } => {
                if self.in_flight == Some(id) {
                    if let Pane::InFlight { attempt: a, .. } = &mut self.pane {
                        *a = attempt;
                        self.dirty = true;
                    }
                }
                Vec::new()
            }
            Msg::Done { id, result } => {
                if self.in_flight != Some(id) {
                    // Cancelled earlier: the user was already told the outcome is unknown.
                    return Vec::new();
                }
                self.in_flight = None;
                self.dirty = true;
                self.on_result(result);
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

    fn on_result(&mut self, result: CallResult) {
        let (action, name) = match &self.pane {
            Pane::InFlight { action, name, .. } => (*action, name.clone()),
            _ => (Action::Create, String::new()),
        };
        self.pane_scroll = 0;
        match result {
            CallResult::Mesh(Ok(r)) => {
                if r.action == Action::Create {
                    self.saved_form = Some((
                        self.form.name.value().to_string(),
                        self.form.spec(),
                        self.form.tags.clone(),
                    ));
                    self.status = Some(format!("Created mesh {}.", r.mesh.name));
                }
                self.pane = Pane::Mesh(Box::new(r));
            }
            CallResult::Mesh(Err(error)) => {
                self.status = Some(format!("{} failed: {}", action.verb(), error.title()));
                self.pane = Pane::Error {
                    action,
                    name,
                    error,
                };
            }
        }
        if self.screen().pane.is_none() && self.overlay.is_none() {
            self.overlay = Some(Overlay::Result);
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
        if key.code == KeyCode::Esc {
            return self.on_escape();
        }
        let plain = key.modifiers.difference(KeyModifiers::SHIFT).is_empty();
        match key.code {
            KeyCode::F(1) => {
                self.overlay = Some(Overlay::Help);
                return Vec::new();
            }
            KeyCode::Char('?') if plain && !self.form.focus.is_text() => {
                self.overlay = Some(Overlay::Help);
                return Vec::new();
            }
            KeyCode::Char('s') if ctrl => return self.submit(),
            KeyCode::F(2) => {
                self.view = View::Create;
                return Vec::new();
            }
            KeyCode::F(3) => {
                self.view = View::Meshes;
                return Vec::new();
            }
            KeyCode::F(4) => {
                if self.pane != Pane::Empty {
                    self.overlay = Some(Overlay::Result);
                }
                return Vec::new();
            }
            KeyCode::PageDown => {
                self.pane_scroll = self.pane_scroll.saturating_add(5);
                return Vec::new();
            }
            KeyCode::PageUp => {
                self.pane_scroll = self.pane_scroll.saturating_sub(5);
                return Vec::new();
            }
            _ => {}
        }
        if self.view != View::Create {
            return Vec::new();
        }
        match key.code {
            KeyCode::Tab => {
                self.form.focus = self.form.focus.next();
                return Vec::new();
            }
            KeyCode::BackTab => {
                self.form.focus = self.form.focus.prev();
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

    fn on_overlay_key(&mut self, overlay: Overlay, key: KeyEvent) -> Vec<Effect> {
        match overlay {
            Overlay::Help => {
                if matches!(
                    key.code,
                    KeyCode::Esc
                        | KeyCode::F(1)
                        | KeyCode::Char('?')
                        | KeyCode::Char('q')
                        | KeyCode::Enter
                ) {
                    self.overlay = None;
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
                    KeyCode::Down | KeyCode::Char('j') => {
                        self.pane_scroll = self.pane_scroll.saturating_add(1)
                    }
                    KeyCode::Up | KeyCode::Char('k') => {
                        self.pane_scroll = self.pane_scroll.saturating_sub(1)
                    }
                    KeyCode::PageDown => self.pane_scroll = self.pane_scroll.saturating_add(5),
                    KeyCode::PageUp => self.pane_scroll = self.pane_scroll.saturating_sub(5),
                    KeyCode::Home => self.pane_scroll = 0,
                    _ => {}
                }
                Vec::new()
            }
        }
    }

    fn on_escape(&mut self) -> Vec<Effect> {
        if self.in_flight.is_some() {
            return self.cancel();
        }
        if self.unsaved() {
            self.overlay = Some(Overlay::ConfirmQuit);
            Vec::new()
        } else {
            self.quit = true;
            vec![Effect::Quit]
        }
    }

    fn cancel(&mut self) -> Vec<Effect> {
        let Some(id) = self.in_flight.take() else {
            return Vec::new();
        };
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
            self.status =
                Some("Read-only mode: creating meshes is turned off (--read-only).".into());
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
                    self.view = tab.0;
                    return Vec::new();
                }
                if self.view != View::Create {
                    return Vec::new();
                }
                let areas = screen.form;
                for (field, rect) in areas.fields() {
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
            MouseEventKind::ScrollDown => {
                self.dirty = true;
                self.pane_scroll = self.pane_scroll.saturating_add(2);
                Vec::new()
            }
            MouseEventKind::ScrollUp => {
                self.dirty = true;
                self.pane_scroll = self.pane_scroll.saturating_sub(2);
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
