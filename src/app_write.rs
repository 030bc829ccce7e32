//! Writing resources from inside a mesh: the windows the explorer opens on a resource and what
//! their answers do.
//!
//! - `c` in a kind's list: the guided create form of that kind ([`KindForm`]; a route in the
//!   router the list is in, a gateway route in the gateway);
//! - `e` on a resource of a kind inside a mesh: the edit form, from its described spec;
//! - `+` / `-` on a route: the canary control ([`Canary`]);
//! - `E` on any resource: the spec editor. The runtime hands the terminal to `$VISUAL` /
//!   `$EDITOR` ([`Effect::EditSpec`], answered by [`Msg::SpecEdited`]); without an editor, or
//!   when it fails, the in-app [`SpecEditor`] opens (with the text the editor left).
//!
//! Each sends [`Call::Write`] (CreateX / UpdateX of any kind through the generic SDK calls) and
//! stays open until the answer: on success it closes and the pane shows the resource returned;
//! on an error it stays with every value and shows the service's message, and sending the same
//! request again reuses its clientToken.
//!
//! Ctrl-C in a window that holds changes does not quit at once: the first press says what a
//! second one loses, the second quits (the app's quit stays one key away). Esc closes a window
//! (a form or editor with changes asks with a second Esc).

use ratatui::crossterm::event::{KeyCode, KeyEvent};
use serde_json::Value;

use crate::app::{Action, App, Call, Effect, Overlay, Pane};
use crate::aws::ApiError;
use crate::canary::{self, Canary};
use crate::explore::describe::Described;
use crate::explore::{self, Then};
use crate::kind::{Key, Kind};
use crate::kind_form::{Answer, FormOutcome, KindForm};
use crate::mesh::{Item, MeshModel};
use crate::spec_edit::{self, Edited, SpecEditor};

/// What the explorer asks the app to open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ask {
    /// A new resource of `kind`; `parent` is the router or gateway for routes and gateway routes.
    Create { kind: Kind, parent: String },
    /// The edit form of a resource inside a mesh.
    Edit(Key),
    /// The canary control of a route.
    Canary(Key),
    /// The spec editor of any resource.
    Spec(Key),
}

impl Ask {
    /// The window a describe started for `then` opens on `key`.
    pub fn after(then: Then, key: Key) -> Ask {
        match then {
            Then::Canary => Ask::Canary(key),
            Then::Spec => Ask::Spec(key),
            _ => Ask::Edit(key),
        }
    }
}

/// The window's component.
#[derive(Clone, Debug)]
pub enum Writer {
    Form(Box<KindForm>),
    Canary(Box<Canary>),
    /// The in-app spec editor, with the spec it started from (to tell "nothing changed").
    Spec {
        editor: Box<SpecEditor>,
        original: Value,
    },
}

/// The open window.
#[derive(Clone, Debug)]
pub struct Window {
    pub writer: Writer,
    /// Its request is in flight: the window waits for the answer.
    pub sending: bool,
    /// Ctrl-C was pressed once on changes: the next one quits.
    quit_armed: bool,
    /// Esc was pressed once on a form with input: the next one closes it.
    discard_armed: bool,
    /// The last UpdateX sent from the canary or the spec editor, with its clientToken, so an
    /// unchanged retry is not applied twice.
    token: Option<(Value, String)>,
}

impl Window {
    fn new(writer: Writer) -> Window {
        Window {
            writer,
            sending: false,
            quit_armed: false,
            discard_armed: false,
            token: None,
        }
    }

    /// The key of the resource the window writes (`None` for a form of a new resource).
    pub fn key(&self) -> Option<&Key> {
        match &self.writer {
            Writer::Form(f) => f.existing.as_ref(),
            Writer::Canary(c) => Some(&c.key),
            Writer::Spec { editor, .. } => Some(&editor.key),
        }
    }

    /// True when closing the window loses something the user did.
    pub fn changed(&self) -> bool {
        match &self.writer {
            Writer::Form(f) => f.has_input(),
            Writer::Canary(c) => c.changed(),
            Writer::Spec { editor, .. } => editor.changed(),
        }
    }

    /// Shows `text` in the window, where its component shows notes.
    fn say(&mut self, text: String) {
        match &mut self.writer {
            Writer::Form(f) => f.notice = Some(text),
            Writer::Canary(c) => c.message = Some(text),
            Writer::Spec { editor, .. } => editor.set_note(text),
        }
    }

    /// The clientToken for an UpdateX of `spec`: the last one while the spec is the same.
    fn token_for(&mut self, spec: &Value) -> String {
        match &self.token {
            Some((s, t)) if s == spec => t.clone(),
            _ => {
                let t = uuid::Uuid::new_v4().to_string();
                self.token = Some((spec.clone(), t.clone()));
                t
            }
        }
    }
}

/// True when `new` is the spec `original` already was (also after the editor's own reading of
/// it: defaults and empty members dropped).
pub fn unchanged(kind: Kind, original: &Value, new: &Value) -> bool {
    new == original
        || spec_edit::read_buffer(kind, &spec_edit::render_buffer(kind, original))
            .is_ok_and(|o| &o == new)
}

/// The service's error as one line for a window.
fn error_line(action: Action, kind: Kind, e: &ApiError) -> String {
    let mut s = format!("{} failed: {}", action.verb_of(kind), e.title());
    if !e.message.is_empty() {
        s.push_str(&format!(": {}", e.message));
    }
    if let Some(id) = &e.request_id {
        s.push_str(&format!(" (request {id})"));
    }
    s.push_str(". Every value is kept: fix it and send again.");
    s
}

impl App {
    /// The spec and tags of `key` when the pane shows it (described, not deleted).
    fn shown_resource(&self, key: &Key) -> Option<&Described> {
        match &self.pane {
            Pane::Resource(d) if &d.resource.key == key && d.resource.status != "DELETED" => {
                Some(d)
            }
            _ => None,
        }
    }

    /// Describes `key` first; the window opens when the answer arrives.
    fn describe_then(&mut self, then: Then, key: Key) -> Vec<Effect> {
        let ctx = explore::Ctx {
            read_only: self.read_only,
            busy: self.in_flight.is_some(),
            shown: None,
            pane_visible: self.screen().pane.is_some(),
        };
        let acts = self.explorer.describe(key, Some(then), ctx);
        self.acts(acts)
    }

    fn open_window(&mut self, writer: Writer) {
        self.write = Some(Window::new(writer));
        self.overlay = Some(Overlay::Write);
    }

    /// Opens what `ask` asks for (the explorer checked read-only and busy already; a describe
    /// answered since is checked again here).
    pub(crate) fn open_write(&mut self, ask: Ask) -> Vec<Effect> {
        if self.read_only {
            self.status =
                Some("Read-only mode: changing resources is turned off (--read-only).".into());
            return Vec::new();
        }
        if self.in_flight.is_some() {
            self.status = Some(
                "A request is already in flight: wait for it, or press Esc to cancel it.".into(),
            );
            return Vec::new();
        }
        match ask {
            Ask::Create { kind, parent } => {
                let mesh = self
                    .explorer
                    .open
                    .as_ref()
                    .map(|o| o.name.clone())
                    .unwrap_or_default();
                let empty = MeshModel::new(mesh.clone());
                let model = self.explorer.mesh_model(&mesh).unwrap_or(&empty);
                let mut form = KindForm::new(kind, model, None, &self.rules);
                if !parent.is_empty() {
                    form = form.with_parent(&parent);
                }
                self.open_window(Writer::Form(Box::new(form)));
                self.status = None;
                Vec::new()
            }
            Ask::Edit(key) => {
                let Some(d) = self.shown_resource(&key) else {
                    return self.describe_then(Then::Form, key);
                };
                let mut item = Item::new(d.resource.spec.clone());
                if let Ok(tags) = &d.tags {
                    item.tags = tags
                        .iter()
                        .map(|t| (t.key.clone(), t.value.clone()))
                        .collect();
                }
                let empty = MeshModel::new(key.mesh.clone());
                let model = self.explorer.mesh_model(&key.mesh).unwrap_or(&empty);
                let form = KindForm::new(key.kind, model, Some((&key, &item)), &self.rules);
                self.open_window(Writer::Form(Box::new(form)));
                self.status = None;
                Vec::new()
            }
            Ask::Canary(key) => {
                let Some(d) = self.shown_resource(&key) else {
                    return self.describe_then(Then::Canary, key);
                };
                match Canary::new(&key, &d.resource.spec) {
                    Ok(c) => {
                        self.open_window(Writer::Canary(Box::new(c)));
                        self.status = None;
                    }
                    Err(why) => self.status = Some(format!("No canary control: {why}.")),
                }
                Vec::new()
            }
            Ask::Spec(key) => {
                let Some(d) = self.shown_resource(&key) else {
                    return self.describe_then(Then::Spec, key);
                };
                let spec = d.resource.spec.clone();
                self.status = Some(format!(
                    "Editing the spec of {} in your editor…",
                    key.describe()
                ));
                vec![Effect::EditSpec { key, spec }]
            }
        }
    }

    /// The external editor finished (or there was none: `result` is `None`).
    pub(crate) fn spec_edited(
        &mut self,
        key: Key,
        original: Value,
        result: Option<Edited>,
    ) -> Vec<Effect> {
        self.dirty = true;
        let kind = key.kind;
        let in_app =
            |text: String, note: String| SpecEditor::with_text(kind, key.clone(), text, Some(note));
        match result {
            None => {
                let editor = in_app(
                    spec_edit::render_buffer(kind, &original),
                    "No editor found (VISUAL, EDITOR, vi or nano on PATH): the in-app editor"
                        .into(),
                );
                self.open_window(Writer::Spec {
                    editor: Box::new(editor),
                    original,
                });
                Vec::new()
            }
            Some(Edited::Cancelled) => {
                self.status = Some(format!(
                    "Spec edit of {} cancelled (the text was emptied); nothing was sent.",
                    key.describe()
                ));
                Vec::new()
            }
            Some(Edited::Failed { reason, text, kept }) => {
                let mut note = reason;
                if let Some(p) = kept {
                    note.push_str(&format!(" (your file is kept at {})", p.display()));
                }
                note.push_str("; go on here: Ctrl-S checks and saves");
                self.status = None;
                self.open_window(Writer::Spec {
                    editor: Box::new(in_app(text, note)),
                    original,
                });
                Vec::new()
            }
            Some(Edited::Saved(spec)) => {
                if unchanged(kind, &original, &spec) {
                    self.status = Some(format!(
                        "Nothing changed in the spec of {}; nothing was sent.",
                        key.describe()
                    ));
                    return Vec::new();
                }
                // The in-app editor waits for the answer with the edited text, so an error
                // loses nothing.
                let editor = in_app(
                    spec_edit::render_buffer(kind, &spec),
                    format!("Sending {}…", Action::Update.verb_of(kind)),
                );
                self.open_window(Writer::Spec {
                    editor: Box::new(editor),
                    original,
                });
                self.send_update(key, spec)
            }
        }
    }

    /// Sends UpdateX with `spec` from the open window (canary or spec editor).
    fn send_update(&mut self, key: Key, spec: Value) -> Vec<Effect> {
        let Some(w) = &mut self.write else {
            return Vec::new();
        };
        let client_token = w.token_for(&spec);
        self.send(Call::Write {
            key,
            create: false,
            spec,
            tags: Vec::new(),
            client_token,
        })
    }

    fn send(&mut self, call: Call) -> Vec<Effect> {
        let Call::Write { key, create, .. } = &call else {
            return Vec::new();
        };
        let (key, create) = (key.clone(), *create);
        if !self.may_change(if create { "creating" } else { "updating" }) {
            let why = self.status.clone().unwrap_or_default();
            if let Some(w) = &mut self.write {
                w.say(why);
            }
            return Vec::new();
        }
        if let Some(w) = &mut self.write {
            w.sending = true;
        }
        let action = if create {
            Action::Create
        } else {
            Action::Update
        };
        self.start_on(action, key, call)
    }

    /// Keys of the open window.
    pub(crate) fn on_write_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(w) = &mut self.write else {
            self.overlay = None;
            return Vec::new();
        };
        w.quit_armed = false;
        if w.sending {
            if key.code == KeyCode::Esc && self.in_flight.is_some() {
                let effects = self.cancel();
                if let Some(w) = &mut self.write {
                    w.sending = false;
                    w.say(
                        "Cancelled: its outcome is unknown. Sending it again unchanged reuses its clientToken.".into(),
                    );
                }
                return effects;
            }
            w.say("Waiting for the answer; Esc cancels the request.".into());
            return Vec::new();
        }
        let esc = key.code == KeyCode::Esc;
        let armed = std::mem::replace(&mut w.discard_armed, false);
        match &mut w.writer {
            Writer::Form(f) => match f.handle_key(key) {
                FormOutcome::Stay => Vec::new(),
                FormOutcome::Cancel => {
                    if esc && f.has_input() && !armed {
                        f.notice = Some(
                            "Esc again closes the form and loses its input; Ctrl-S sends it."
                                .into(),
                        );
                        w.discard_armed = true;
                        return Vec::new();
                    }
                    self.close_write("Form closed; nothing was sent.");
                    Vec::new()
                }
                FormOutcome::Submit {
                    key,
                    spec,
                    tags,
                    client_token,
                } => {
                    let create = !f.is_edit();
                    f.answer = None;
                    self.send(Call::Write {
                        key,
                        create,
                        spec,
                        tags,
                        client_token,
                    })
                }
            },
            Writer::Canary(c) => match c.handle_key(key) {
                canary::Outcome::Stay => Vec::new(),
                canary::Outcome::Cancel => {
                    self.close_write("Canary control closed; the weights were not sent.");
                    Vec::new()
                }
                canary::Outcome::Send(spec) => {
                    let key = c.key.clone();
                    c.message = None;
                    self.send_update(key, spec)
                }
            },
            Writer::Spec { editor, original } => match editor.handle_key(key) {
                spec_edit::Outcome::Stay => Vec::new(),
                spec_edit::Outcome::Cancel => {
                    self.close_write("Spec editor closed; nothing was sent.");
                    Vec::new()
                }
                spec_edit::Outcome::Save(spec) => {
                    if unchanged(editor.kind, original, &spec) {
                        editor.set_note("Nothing changed: the spec is as it was; Esc closes.");
                        return Vec::new();
                    }
                    let key = editor.key.clone();
                    editor.set_note(format!("Sending {}…", Action::Update.verb_of(key.kind)));
                    self.send_update(key, spec)
                }
            },
        }
    }

    fn close_write(&mut self, status: &str) {
        self.write = None;
        if self.overlay == Some(Overlay::Write) {
            self.overlay = None;
        }
        self.status = Some(status.into());
    }

    /// Ctrl-C with a window open: `Some` (nothing more to do) when the window holds changes
    /// and this is the first press; `None` lets the app quit.
    pub(crate) fn write_ctrl_c(&mut self) -> Option<Vec<Effect>> {
        let w = self.write.as_mut()?;
        if self.overlay != Some(Overlay::Write) || !w.changed() || w.quit_armed {
            return None;
        }
        w.quit_armed = true;
        w.say("Ctrl-C again quits and loses what is in this window; Esc closes it.".into());
        Some(Vec::new())
    }

    /// Text pasted while the window is open.
    pub(crate) fn write_paste(&mut self, text: &str) {
        let Some(w) = &mut self.write else {
            return;
        };
        match &mut w.writer {
            Writer::Form(f) => {
                if f.paste(text).is_none() && f.notice.is_none() {
                    f.notice = Some("Paste works in text fields.".into());
                }
            }
            Writer::Spec { editor, .. } => editor.paste(text),
            Writer::Canary(c) => {
                c.message =
                    Some("Type a weight with the digit keys; paste is not used here.".into())
            }
        }
    }

    /// A user call ended: when it was the window's request, the window closes on success (the
    /// pane shows the resource, the list and the mesh's model get it) or shows the error.
    /// Returns the status to show.
    pub(crate) fn write_answered(
        &mut self,
        action: Action,
        key: &Key,
        result: &Result<Described, ApiError>,
    ) -> Option<String> {
        let w = self.write.as_mut()?;
        if !w.sending || !matches!(action, Action::Create | Action::Update) {
            return None;
        }
        w.sending = false;
        match result {
            Ok(d) => {
                self.write = None;
                if self.overlay == Some(Overlay::Write) {
                    self.overlay = None;
                }
                if action == Action::Create {
                    self.explorer.created(d);
                }
                Some(match action {
                    Action::Create => format!("Created {}.", key.describe()),
                    _ => format!(
                        "Updated {}: version {}.",
                        key.describe(),
                        d.resource.meta.version
                    ),
                })
            }
            Err(e) => {
                let line = error_line(action, key.kind, e);
                if let Writer::Form(f) = &mut w.writer {
                    f.notice = None;
                    f.show_answer(Answer::Err(line));
                } else {
                    w.say(line);
                }
                None
            }
        }
    }
}
