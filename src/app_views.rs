//! The two whole-mesh windows inside a mesh: the topology (`g`) and the Migrate view (`M`).
//!
//! Both open on the mesh as the explorer knows it (every listed resource is described in the
//! background) and are drawn again, once, when the last describe arrives, so a mesh opened a
//! moment ago fills in without the user asking. Esc closes them. Their state lives here on the
//! app; their keys and drawing are the components' own (`topology::view`, `migrate::view`).

use std::path::PathBuf;

use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use crate::app::{Action, Call};
use crate::app::{App, Effect, Overlay, WriteFor, ctx_of};
use crate::fileio::{Existing, WriteOutcome};
use crate::kind::Key;
use crate::mesh::MeshModel;
use crate::migrate::view::{MigrateView, Outcome as MigrateOutcome};
use crate::onboard::{Onboard, Outcome as OnboardOutcome};
use crate::topology::view::{Topology, TopologyOutcome};

/// The topology and Migrate windows, and whether they show the whole mesh yet.
#[derive(Clone, Debug, Default)]
pub struct MeshViews {
    pub topology: Option<Topology>,
    pub migrate: Option<MigrateView>,
    /// The "Onboard a service" walkthrough (F6 inside a mesh), kept while hidden so F6
    /// resumes it, with the mesh it is for.
    pub onboard: Option<(String, Box<Onboard>)>,
    /// The walkthrough's request in flight.
    pub onboard_sending: Option<Key>,
    /// The open window was drawn from a mesh still being described: draw it again when the
    /// explorer has described everything.
    pending: bool,
}

/// Where the topology or Migrate window goes on a screen of `size`: everything between the
/// header and the two bottom lines.
pub fn window_area(size: (u16, u16)) -> Rect {
    Rect::new(0, 1, size.0, size.1.saturating_sub(3))
}

/// The open mesh as the explorer knows it (a free function, so that callers can borrow it
/// beside the app's other fields).
fn mesh_of(explorer: &crate::explore::Explorer) -> Option<&MeshModel> {
    explorer.open.as_ref().map(|o| o.model.model())
}

impl App {
    /// How far the explorer is with the open mesh: whether every resource is described, how
    /// many are, and how many are listed. Cheap (it counts lists, not resources): it runs
    /// after every background answer while a window waits for the rest of the mesh.
    fn mesh_progress(&self) -> Option<(bool, usize, usize)> {
        let open = self.explorer.open.as_ref()?;
        let listed: usize = open.lists.values().map(|l| l.items.len()).sum();
        let described = open.model.items.len().saturating_sub(1).min(listed);
        Some((open.complete(), described, listed))
    }

    fn partial_note(&mut self, complete: bool, described: usize, listed: usize, what: &str) {
        self.views.pending = !complete;
        if !complete {
            self.status = Some(format!(
                "The {what} shows the {described} of {listed} resources described so far; it is drawn again when the rest arrive."
            ));
        }
    }

    /// `g` inside a mesh.
    pub(crate) fn open_topology(&mut self) -> Vec<Effect> {
        let (Some((complete, described, listed)), Some(model)) =
            (self.mesh_progress(), mesh_of(&self.explorer))
        else {
            self.status = Some("Open a mesh first (Enter on it): g draws what it holds.".into());
            return Vec::new();
        };
        let mut t = Topology::new(model);
        let area = window_area(self.size);
        t.set_size(area.width.saturating_sub(2), area.height.saturating_sub(2));
        self.views.topology = Some(t);
        self.views.migrate = None;
        self.overlay = Some(Overlay::Topology);
        self.partial_note(complete, described, listed, "topology");
        Vec::new()
    }

    /// `M` inside a mesh.
    pub(crate) fn open_migrate(&mut self) -> Vec<Effect> {
        let (Some((complete, described, listed)), Some(model)) =
            (self.mesh_progress(), mesh_of(&self.explorer))
        else {
            self.status = Some("Open a mesh first (Enter on it): M shows how it migrates.".into());
            return Vec::new();
        };
        self.views.migrate = Some(MigrateView::new(model));
        self.views.topology = None;
        self.overlay = Some(Overlay::Migrate);
        self.partial_note(complete, described, listed, "Migrate view");
        Vec::new()
    }

    /// After background work: a window drawn from part of the mesh is drawn again once the
    /// explorer has all of it.
    pub(crate) fn mesh_views_follow(&mut self) {
        if !self.views.pending {
            return;
        }
        // Only the counts until the mesh is complete: no copy of it per answer.
        if !matches!(self.mesh_progress(), Some((true, _, _))) {
            return;
        }
        let Some(model) = mesh_of(&self.explorer) else {
            return;
        };
        self.views.pending = false;
        if let Some(t) = &mut self.views.topology {
            t.update(model);
            self.status = Some("The topology now shows every resource of the mesh.".into());
        }
        if let Some(m) = &mut self.views.migrate {
            // Only while browsing: a file prompt keeps what the user typed.
            if m.mode == crate::migrate::view::Mode::Browse {
                let target = m.target;
                let mut fresh = MigrateView::new(model);
                fresh.target = target;
                *m = fresh;
                self.status = Some("The Migrate view now shows every resource of the mesh.".into());
            }
        }
    }

    /// The window follows the terminal's size.
    pub(crate) fn mesh_views_resized(&mut self) {
        let area = window_area(self.size);
        if let Some(t) = &mut self.views.topology {
            t.set_size(area.width.saturating_sub(2), area.height.saturating_sub(2));
            t.scroll_into_view();
        }
    }

    pub(crate) fn on_topology_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(t) = &mut self.views.topology else {
            self.overlay = None;
            return Vec::new();
        };
        let outcome = t.handle_key(key);
        if let Some(note) = t.note.take() {
            self.status = Some(note);
        }
        match outcome {
            TopologyOutcome::Handled | TopologyOutcome::Ignored => Vec::new(),
            TopologyOutcome::Close => {
                self.views.topology = None;
                self.overlay = None;
                Vec::new()
            }
            TopologyOutcome::Describe(target) => {
                // Back in the explorer, on the resource, described in the pane.
                self.views.topology = None;
                self.overlay = None;
                let vis = self.screen().pane.is_some();
                let ctx = ctx_of(&self.pane, self.read_only, self.in_flight.is_some(), vis);
                let acts = self.explorer.go_to(target, ctx);
                self.acts(acts)
            }
        }
    }

    pub(crate) fn on_migrate_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(m) = &mut self.views.migrate else {
            self.overlay = None;
            return Vec::new();
        };
        match m.handle_key(key) {
            MigrateOutcome::Stay => {}
            MigrateOutcome::Close => {
                self.views.migrate = None;
                self.overlay = None;
            }
            MigrateOutcome::Write {
                path,
                contents,
                overwrite,
            } => {
                let existing = if overwrite {
                    Existing::Replace
                } else {
                    Existing::Keep
                };
                let path = crate::export_menu::expand_home(&path.display().to_string());
                return vec![Effect::WriteFile {
                    to: WriteFor::Migrate,
                    path,
                    contents,
                    existing,
                }];
            }
        }
        Vec::new()
    }

    /// The Migrate view's write ended ([`Effect::WriteFile`]).
    pub(crate) fn migrate_written(&mut self, path: PathBuf, outcome: WriteOutcome) {
        if let WriteOutcome::Written(_) = &outcome {
            self.status = Some(format!("Wrote {}.", path.display()));
        }
        match &mut self.views.migrate {
            Some(m) => m.written(&path, outcome),
            // Closed meanwhile: the status line says what became of the file.
            None => {
                if let WriteOutcome::Failed(why) = outcome {
                    self.status = Some(why);
                }
            }
        }
    }

    /// A paste into the Migrate view's file prompt.
    pub(crate) fn paste_migrate(&mut self, text: &str) {
        if let Some(m) = &mut self.views.migrate {
            m.paste(text);
        }
    }
}

impl App {
    /// F6 inside a mesh: the "Onboard a service" walkthrough on the open mesh, where it was
    /// left if it was hidden on this mesh.
    pub(crate) fn open_onboard(&mut self) -> Vec<Effect> {
        let (Some((complete, described, listed)), Some(model)) =
            (self.mesh_progress(), mesh_of(&self.explorer))
        else {
            self.status =
                Some("Open a mesh first (Enter on it): F6 then onboards a service into it.".into());
            return Vec::new();
        };
        match &mut self.views.onboard {
            Some((mesh, o)) if *mesh == model.name => o.set_mesh(model),
            _ => {
                self.views.onboard = Some((
                    model.name.clone(),
                    Box::new(Onboard::new(model, &self.rules)),
                ));
            }
        }
        self.overlay = Some(Overlay::Onboard);
        self.status = None;
        if !complete {
            self.status = Some(format!(
                "The walkthrough knows the {described} of {listed} resources described so far; names it suggests are checked again before sending."
            ));
        }
        Vec::new()
    }

    pub(crate) fn on_onboard_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        // Esc while a request is in flight cancels it; the walkthrough hears "cancelled".
        if key.code == ratatui::crossterm::event::KeyCode::Esc
            && self.views.onboard_sending.is_some()
            && self.in_flight.is_some()
        {
            let effects = self.cancel();
            if let (Some(k), Some((_, o))) =
                (self.views.onboard_sending.take(), &mut self.views.onboard)
            {
                let outcome = o.on_result(&k, Err(crate::aws::ApiError::cancelled()));
                return effects
                    .into_iter()
                    .chain(self.onboard_outcome(outcome))
                    .collect();
            }
            return effects;
        }
        let Some((_, o)) = &mut self.views.onboard else {
            self.overlay = None;
            return Vec::new();
        };
        let outcome = o.handle_key(key);
        self.onboard_outcome(outcome)
    }

    fn onboard_outcome(&mut self, outcome: OnboardOutcome) -> Vec<Effect> {
        match outcome {
            OnboardOutcome::Stay => Vec::new(),
            OnboardOutcome::Close => {
                self.overlay = None;
                self.status = Some("Onboarding hidden; F6 inside the mesh resumes it.".into());
                Vec::new()
            }
            OnboardOutcome::ShowTopology(target) => {
                let effects = self.open_topology();
                if let Some(t) = &mut self.views.topology {
                    t.select(&target);
                    t.scroll_into_view();
                }
                effects
            }
            OnboardOutcome::Send(requests) => {
                let Some(r) = requests.into_iter().next() else {
                    return Vec::new();
                };
                if self.in_flight.is_some() {
                    let outcome = self.views.onboard.as_mut().map(|(_, o)| {
                        o.on_result(
                            &r.key,
                            Err(crate::aws::ApiError::invalid(
                                "Not sent: another request is in flight; wait for it (or Esc it), then send again.".into(),
                            )),
                        )
                    });
                    return outcome.map(|o| self.onboard_outcome(o)).unwrap_or_default();
                }
                self.views.onboard_sending = Some(r.key.clone());
                let effects = self.start_on(
                    Action::Create,
                    r.key.clone(),
                    Call::Write {
                        key: r.key,
                        create: true,
                        spec: r.spec,
                        tags: r.tags,
                        client_token: r.client_token,
                    },
                );
                // The walkthrough stays on screen while its requests run.
                self.overlay = Some(Overlay::Onboard);
                effects
            }
        }
    }

    /// A create the walkthrough sent was answered: tell it, and send what comes next.
    pub(crate) fn onboard_answered(
        &mut self,
        key: &Key,
        result: &Result<crate::explore::describe::Described, crate::aws::ApiError>,
    ) -> Option<Vec<Effect>> {
        if self.views.onboard_sending.as_ref() != Some(key) {
            return None;
        }
        self.views.onboard_sending = None;
        if let Ok(d) = result {
            self.explorer.created(d);
        }
        let (_, o) = self.views.onboard.as_mut()?;
        let outcome = o.on_result(key, result.clone().map(|d| d.resource));
        Some(self.onboard_outcome(outcome))
    }

    /// A paste into the walkthrough's fields.
    pub(crate) fn paste_onboard(&mut self, text: &str) {
        if let Some((_, o)) = &mut self.views.onboard {
            o.paste(text);
        }
    }
}
