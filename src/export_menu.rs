//! The export window (`x`): pick a format, read the text, write it to a file (never
//! overwriting without asking) or copy it with OSC 52.
//!
//! Writing a file happens in the update itself: it is a small local write of a regular file
//! ([`fileio::write_file`] refuses a FIFO, a device or a directory before opening it, so it
//! never waits), and keeping it here lets tests drive the whole window with plain values and a
//! temporary directory.

use std::path::PathBuf;

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::app::{Action, App, Effect, Endpoint, Overlay, Pane, WriteFor};
use crate::aws::ApiError;
use crate::export::{ExportFormat, ExportInput, ExportTarget};
use crate::fileio::{self, Existing, WriteOutcome};
use crate::iac;
use crate::kind::Key;
use crate::mesh::Item;
use crate::model::{MeshSpec, Tag};

/// The mesh definition being exported.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportSource {
    pub name: String,
    pub spec: MeshSpec,
    pub tags: Vec<Tag>,
    /// Set for a mesh that exists (Terraform then gets an `import` block).
    pub existing_arn: Option<String>,
    /// Why the tags may be incomplete (they could not be read), shown above the text.
    pub note: Option<String>,
    /// A resource of any kind as the service returned it: exported through `iac` (AWS CLI,
    /// `--cli-input-json`, CloudFormation, Terraform, Kubernetes). `None`: the mesh above.
    pub resource: Option<(Key, Item)>,
}

/// Where the export window is.
#[derive(Clone, Debug)]
pub enum Stage {
    /// The list of formats.
    Menu,
    /// One format's text.
    Text,
    /// Typing the file name.
    Path { input: Input },
    /// The file exists: overwrite it?
    ConfirmOverwrite { path: PathBuf },
}

#[derive(Clone, Debug)]
pub struct ExportMenu {
    pub source: ExportSource,
    pub target: ExportTarget,
    /// Index into [`ExportFormat::ALL`].
    pub selected: usize,
    pub stage: Stage,
    /// Lines scrolled off the top of the text.
    pub scroll: u16,
    /// The outcome of the last write or copy, or a problem with the path.
    pub message: Option<String>,
    /// The full-screen result the window was opened from, to go back to when it closes.
    pub back_to_result: bool,
}

impl ExportMenu {
    pub fn new(source: ExportSource, target: ExportTarget) -> Self {
        ExportMenu {
            source,
            target,
            selected: 0,
            stage: Stage::Menu,
            scroll: 0,
            message: None,
            back_to_result: false,
        }
    }

    pub fn format(&self) -> ExportFormat {
        ExportFormat::ALL[self.selected.min(ExportFormat::ALL.len() - 1)]
    }

    fn iac_format(&self) -> iac::Format {
        iac::Format::ALL[self.selected.min(iac::Format::ALL.len() - 1)]
    }

    /// How many formats the menu offers.
    pub fn count(&self) -> usize {
        if self.source.resource.is_some() {
            iac::Format::ALL.len()
        } else {
            ExportFormat::ALL.len()
        }
    }

    /// The menu: each format's label and the file it writes by default.
    pub fn choices(&self) -> Vec<(&'static str, String)> {
        match &self.source.resource {
            Some((key, _)) => iac::Format::ALL
                .iter()
                .map(|f| (f.label(), resource_file(key, *f)))
                .collect(),
            None => ExportFormat::ALL
                .iter()
                .map(|f| (f.label(), f.default_file_name(&self.source.name)))
                .collect(),
        }
    }

    /// The selected format's label.
    pub fn label(&self) -> &'static str {
        match &self.source.resource {
            Some(_) => self.iac_format().label(),
            None => self.format().label(),
        }
    }

    /// The selected format's text.
    pub fn text(&self) -> String {
        self.exported().text
    }

    /// The selected format's text, and what did not carry over into it.
    pub fn exported(&self) -> iac::Exported {
        let s = &self.source;
        if let Some((key, item)) = &s.resource {
            let opts = iac::ExportOptions {
                cli: iac::cli::CliTarget {
                    region: self.target.region.clone(),
                    endpoint_url: self.target.endpoint_url.clone(),
                },
                ..Default::default()
            };
            return iac::export_resource(self.iac_format(), key, item, &opts);
        }
        let mut input = ExportInput::new(&s.name, &s.spec, &s.tags);
        if let Some(arn) = &s.existing_arn {
            input = input.with_existing_arn(arn);
        }
        iac::Exported {
            text: self.format().render(&input, &self.target),
            notes: Vec::new(),
        }
    }

    pub fn default_path(&self) -> String {
        match &self.source.resource {
            Some((key, _)) => resource_file(key, self.iac_format()),
            None => self.format().default_file_name(&self.source.name),
        }
    }

    /// Scrolls the text (mouse wheel).
    pub fn scroll_by(&mut self, lines: i32) {
        if matches!(self.stage, Stage::Text) {
            self.scroll = self.scroll.saturating_add_signed(lines as i16);
        }
    }

    /// A paste into the file name prompt (line breaks and control characters dropped).
    pub fn paste(&mut self, text: &str) {
        if let Stage::Path { input } = &mut self.stage {
            for c in text.chars().filter(|c| !c.is_control()) {
                input.handle(tui_input::InputRequest::InsertChar(c));
            }
            self.message = None;
        }
    }
}

/// The exported CLI command's target: the app's region, and its endpoint when it is not the
/// default AWS one (the sandbox, a test server), so the command reaches the same service.
pub fn target_of(endpoint: &Endpoint) -> ExportTarget {
    match endpoint {
        Endpoint::Ready(t) => ExportTarget {
            region: Some(t.region.clone()),
            endpoint_url: t.endpoint.clone(),
        },
        _ => ExportTarget::default(),
    }
}

impl App {
    fn open_export(&mut self, source: ExportSource) {
        let target = target_of(&self.endpoint);
        let mut menu = ExportMenu::new(source, target);
        menu.back_to_result = self.overlay == Some(Overlay::Result);
        self.export = Some(menu);
        self.overlay = Some(Overlay::Export);
    }

    /// Closes the export window: back to the full-screen result it was opened from (if the
    /// terminal is still too narrow to show the result beside the form), else to the view.
    fn close_export(&mut self) {
        let back = self.export.take().is_some_and(|m| m.back_to_result);
        self.overlay = (back && self.screen().pane.is_none()).then_some(Overlay::Result);
    }

    /// `x` on the form or the review step: exports what the form would send.
    pub fn open_export_from_form(&mut self) {
        let f = &self.form;
        if f.name.value().is_empty() {
            self.status = Some("Nothing to export yet: give the mesh a name first.".into());
            return;
        }
        let source = ExportSource {
            name: f.name.value().to_string(),
            spec: f.spec(),
            tags: f.tags.clone(),
            existing_arn: None,
            note: None,
            resource: None,
        };
        self.open_export(source);
    }

    /// `x` on a mesh in the detail pane (a create result or a described mesh): exports that
    /// mesh as the service returned it.
    pub fn open_export_from_pane(&mut self) -> bool {
        if let Pane::Resource(d) = &self.pane {
            let r = &d.resource;
            if r.status == "DELETED" {
                self.status = Some(format!(
                    "{} {} was deleted: nothing to export.",
                    r.key.kind, r.key.name
                ));
                return false;
            }
            let (tags, note) = tags_or_note(&d.tags);
            let item = Item::of_resource(
                r,
                tags.iter()
                    .map(|t| (t.key.clone(), t.value.clone()))
                    .collect(),
            );
            let source = ExportSource {
                name: r.key.name.to_string(),
                spec: MeshSpec::default(),
                tags,
                existing_arn: Some(r.meta.arn.clone()),
                note,
                resource: Some((r.key.clone(), item)),
            };
            self.open_export(source);
            return true;
        }
        let Pane::Mesh(r) = &self.pane else {
            self.status = Some(
                "Nothing in the detail pane to export: describe a resource first (Enter).".into(),
            );
            return false;
        };
        if r.action == Action::Delete {
            self.status = Some(format!(
                "Mesh {} was deleted: nothing to export.",
                r.mesh.name
            ));
            return false;
        }
        let (tags, note) = tags_or_note(&r.tags);
        let source = ExportSource {
            name: r.mesh.name.clone(),
            spec: r.mesh.spec.clone(),
            tags,
            existing_arn: Some(r.mesh.metadata.arn.clone()),
            note,
            resource: None,
        };
        self.open_export(source);
        true
    }

    pub(crate) fn on_export_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(menu) = &mut self.export else {
            self.overlay = None;
            return Vec::new();
        };
        let plain = key.modifiers.difference(KeyModifiers::SHIFT).is_empty();
        match &mut menu.stage {
            Stage::Menu => match key.code {
                KeyCode::Esc | KeyCode::Char('q') => self.close_export(),
                KeyCode::Up | KeyCode::Char('k') => menu.selected = menu.selected.saturating_sub(1),
                KeyCode::Down | KeyCode::Char('j') => {
                    menu.selected = (menu.selected + 1).min(menu.count() - 1)
                }
                KeyCode::Char(c @ '1'..='9') if (c as usize - '1' as usize) < menu.count() => {
                    menu.selected = c as usize - '1' as usize;
                    menu.stage = Stage::Text;
                    menu.scroll = 0;
                    menu.message = None;
                }
                KeyCode::Enter => {
                    menu.stage = Stage::Text;
                    menu.scroll = 0;
                    menu.message = None;
                }
                _ => {}
            },
            Stage::Text => match key.code {
                KeyCode::Esc | KeyCode::Backspace => {
                    menu.stage = Stage::Menu;
                    menu.message = None;
                }
                KeyCode::Char('q') => self.close_export(),
                KeyCode::Down | KeyCode::Char('j') => menu.scroll = menu.scroll.saturating_add(1),
                KeyCode::Up | KeyCode::Char('k') => menu.scroll = menu.scroll.saturating_sub(1),
                KeyCode::PageDown | KeyCode::Char(' ') => {
                    menu.scroll = menu.scroll.saturating_add(10)
                }
                KeyCode::PageUp => menu.scroll = menu.scroll.saturating_sub(10),
                KeyCode::Home | KeyCode::Char('g') => menu.scroll = 0,
                KeyCode::Char('w') if plain => {
                    menu.stage = Stage::Path {
                        input: Input::new(menu.default_path()),
                    };
                    menu.message = None;
                }
                KeyCode::Char('c') if plain => {
                    let text = menu.text();
                    let msg = format!(
                        "Copied the {} ({} bytes) to the clipboard with OSC 52; the terminal must allow it.",
                        menu.label(),
                        text.len()
                    );
                    menu.message = Some(msg.clone());
                    self.status = Some(msg);
                    return vec![Effect::Copy(text)];
                }
                _ => {}
            },
            Stage::Path { input } => match key.code {
                KeyCode::Esc => {
                    menu.stage = Stage::Text;
                    menu.message = None;
                }
                KeyCode::Enter => {
                    let raw = input.value().trim().to_string();
                    if raw.is_empty() {
                        menu.message = Some("Type a file name (or Esc to go back).".into());
                        return Vec::new();
                    }
                    let path = expand_home(&raw);
                    menu.message = Some(format!("Writing {}…", path.display()));
                    return vec![Effect::WriteFile {
                        to: WriteFor::Export,
                        path,
                        contents: menu.text(),
                        existing: Existing::Keep,
                    }];
                }
                _ => {
                    if input.handle_event(&Event::Key(key)).is_some() {
                        menu.message = None;
                    }
                }
            },
            Stage::ConfirmOverwrite { path } => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => {
                    menu.message = Some(format!("Writing {}…", path.display()));
                    return vec![Effect::WriteFile {
                        to: WriteFor::Export,
                        path: path.clone(),
                        contents: menu.text(),
                        existing: Existing::Replace,
                    }];
                }
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
                    let p = path.display().to_string();
                    menu.message = Some(format!("Kept {p} as it was; choose another name."));
                    menu.stage = Stage::Path {
                        input: Input::new(p),
                    };
                }
                _ => {}
            },
        }
        Vec::new()
    }

    /// The export window's write ended ([`Effect::WriteFile`]): written, or the question
    /// whether to replace the file there, or why not and the path prompt again. When the window
    /// was closed meanwhile, the status line says what became of the file.
    pub(crate) fn export_written(&mut self, path: PathBuf, outcome: WriteOutcome) {
        let Some(menu) = &mut self.export else {
            self.status = Some(match outcome {
                WriteOutcome::Written(_) => format!("Wrote {}.", path.display()),
                WriteOutcome::Exists(p) => {
                    format!("{} already exists; nothing written.", p.display())
                }
                WriteOutcome::Failed(why) => why,
            });
            return;
        };
        match outcome {
            WriteOutcome::Written(w) => self.written(&path, &w),
            WriteOutcome::Exists(_) => {
                menu.message = None;
                menu.stage = Stage::ConfirmOverwrite { path };
            }
            WriteOutcome::Failed(why) => {
                menu.message = Some(why);
                if !matches!(menu.stage, Stage::Path { .. }) {
                    menu.stage = Stage::Path {
                        input: Input::new(path.display().to_string()),
                    };
                }
            }
        }
    }

    /// After a write: back to the text, saying where it went (and the link's target, when the
    /// path was a link).
    fn written(&mut self, path: &std::path::Path, w: &fileio::Written) {
        let Some(menu) = &mut self.export else {
            return;
        };
        let via = if w.file != path {
            format!(" (a link to {})", w.file.display())
        } else {
            String::new()
        };
        let msg = format!(
            "{} {} to {}{via}.",
            if w.replaced { "Overwrote" } else { "Wrote" },
            menu.label(),
            path.display()
        );
        menu.message = Some(msg.clone());
        menu.stage = Stage::Text;
        self.status = Some(msg);
    }
}

/// `web-v1-virtual-node.tf`: the resource's name made a file name, its kind, the format's
/// extension.
fn resource_file(key: &Key, format: iac::Format) -> String {
    let stem = crate::export::file_stem(&key.name, '-', "resource");
    format!(
        "{stem}-{}.{}",
        key.kind.info().singular.replace(' ', "-"),
        format.extension()
    )
}

/// `~/x` means the home directory, as in a shell.
pub(crate) fn expand_home(raw: &str) -> PathBuf {
    match (raw.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) if !home.is_empty() => PathBuf::from(home).join(rest),
        _ => PathBuf::from(raw),
    }
}

/// The tags a describe read, or none and a note saying why the export has none.
fn tags_or_note(tags: &Result<Vec<Tag>, ApiError>) -> (Vec<Tag>, Option<String>) {
    match tags {
        Ok(t) => (t.clone(), None),
        Err(e) => (
            Vec::new(),
            Some(format!(
                "The tags could not be read ({}); the export has none.",
                e.title()
            )),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{MeshResult, Msg};
    use crate::aws::Target;
    use crate::model::{EgressFilter, Mesh, MeshStatus, Metadata};
    use crate::ui::text::epoch_plus;

    /// Presses `code`, and writes the file it asks for as the runtime would.
    fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
        let effects = app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        crate::testing::write_files(app, effects)
    }

    fn typed(app: &mut App, s: &str) {
        for c in s.chars() {
            press(app, KeyCode::Char(c));
        }
    }

    fn app_with_mesh() -> App {
        let mut app = App::new((80, 24));
        app.update(Msg::Connected(Target {
            profile: None,
            region: "us-east-1".into(),
            region_note: None,
            endpoint: Some("http://127.0.0.1:4566".into()),
        }));
        app.pane = Pane::Mesh(Box::new(MeshResult {
            action: Action::Create,
            mesh: Mesh {
                name: "web".into(),
                spec: MeshSpec {
                    egress_filter: Some(EgressFilter::DropAll),
                    ip_preference: None,
                },
                status: MeshStatus::Active,
                metadata: Metadata {
                    arn: "arn:aws:appmesh:us-east-1:111122223333:mesh/web".into(),
                    uid: "u".into(),
                    version: 1,
                    created_at: epoch_plus(0),
                    last_updated_at: epoch_plus(0),
                    mesh_owner: "111122223333".into(),
                    resource_owner: "111122223333".into(),
                },
            },
            tags: Ok(vec![Tag::new("team", "ops")]),
            request_id: None,
        }));
        app
    }

    #[test]
    fn pane_export_targets_the_endpoint_and_imports_the_mesh() {
        let mut app = app_with_mesh();
        assert!(app.open_export_from_pane());
        let menu = app.export.as_mut().unwrap();
        assert!(menu.text().contains("--endpoint-url http://127.0.0.1:4566"));
        assert!(menu.text().contains("--region us-east-1"));
        menu.selected = 3;
        let tf = menu.text();
        assert!(tf.contains("import {"), "{tf}");
        assert_eq!(menu.default_path(), "web.tf");
    }

    #[test]
    fn write_never_overwrites_without_yes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("web.sh");
        std::fs::write(&path, "old").unwrap();
        let mut app = app_with_mesh();
        app.open_export_from_pane();
        press(&mut app, KeyCode::Enter); // AWS CLI command
        press(&mut app, KeyCode::Char('w'));
        let Some(ExportMenu {
            stage: Stage::Path { input },
            ..
        }) = &mut app.export
        else {
            panic!("no path prompt")
        };
        assert_eq!(input.value(), "web.sh");
        *input = Input::new(path.display().to_string());
        press(&mut app, KeyCode::Enter);
        assert!(matches!(
            app.export.as_ref().unwrap().stage,
            Stage::ConfirmOverwrite { .. }
        ));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        press(&mut app, KeyCode::Char('n'));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert!(matches!(
            app.export.as_ref().unwrap().stage,
            Stage::Path { .. }
        ));
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Char('y'));
        let written = std::fs::read_to_string(&path).unwrap();
        assert!(
            written.starts_with("# Recreates the existing mesh"),
            "{written}"
        );
        assert!(app.status.as_deref().unwrap().starts_with("Overwrote"));

        // A new name is written at once.
        press(&mut app, KeyCode::Char('w'));
        press(&mut app, KeyCode::End);
        for _ in 0.."web.sh".len() {
            press(&mut app, KeyCode::Backspace);
        }
        assert_eq!(
            app.export
                .as_ref()
                .map(|m| matches!(&m.stage, Stage::Path { input } if input.value().is_empty())),
            Some(true)
        );
        typed(&mut app, &dir.path().join("again.sh").display().to_string());
        press(&mut app, KeyCode::Enter);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("again.sh")).unwrap(),
            written
        );
    }

    /// Opens the AWS CLI export and answers the path prompt with `path`.
    fn write_to(app: &mut App, path: &std::path::Path) {
        app.open_export_from_pane();
        press(app, KeyCode::Enter);
        at_path_prompt(app, path);
        press(app, KeyCode::Enter);
    }

    /// From the export's text: `w`, and `path` in the path prompt (not sent yet).
    fn at_path_prompt(app: &mut App, path: &std::path::Path) {
        press(app, KeyCode::Char('w'));
        let Some(ExportMenu {
            stage: Stage::Path { input },
            ..
        }) = &mut app.export
        else {
            panic!("no path prompt")
        };
        *input = Input::new(path.display().to_string());
    }

    /// The window never writes inside `update`: Enter asks the runtime for the write, the
    /// file is there once the write is carried out, and its answer reaches the window, or
    /// the status line when the window was closed meanwhile.
    #[test]
    fn the_write_is_an_effect_and_its_answer_reaches_the_window() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.sh");
        let mut app = app_with_mesh();
        app.open_export_from_pane();
        press(&mut app, KeyCode::Enter);
        at_path_prompt(&mut app, &path);
        let fx = app.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
        assert!(!path.exists(), "nothing written inside update");
        assert!(
            matches!(fx.as_slice(), [Effect::WriteFile { to: WriteFor::Export, path: p, existing: Existing::Keep, .. }] if *p == path),
            "{fx:?}"
        );
        let message = app.export.as_ref().and_then(|m| m.message.clone());
        assert!(message.is_some_and(|m| m.starts_with("Writing")));
        assert!(crate::testing::write_files(&mut app, fx).is_empty());
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .contains("aws appmesh create-mesh")
        );
        assert!(app.status.as_deref().unwrap().starts_with("Wrote"));

        // Closed before the answer: the status line says where the file went.
        let again = dir.path().join("again.sh");
        at_path_prompt(&mut app, &again);
        app.status = None;
        let fx = app.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
        app.export = None;
        assert!(crate::testing::write_files(&mut app, fx).is_empty());
        assert!(again.exists());
        assert_eq!(
            app.status.as_deref(),
            Some(format!("Wrote {}.", again.display()).as_str())
        );
    }

    #[test]
    fn overwriting_a_link_writes_its_target_and_keeps_the_link() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.sh");
        std::fs::write(&target, "old").unwrap();
        let link = dir.path().join("web.sh");
        std::os::unix::fs::symlink("real.sh", &link).unwrap();
        let mut app = app_with_mesh();
        write_to(&mut app, &link);
        assert!(matches!(
            app.export.as_ref().unwrap().stage,
            Stage::ConfirmOverwrite { .. }
        ));
        press(&mut app, KeyCode::Char('y'));
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(
            std::fs::read_to_string(&target)
                .unwrap()
                .contains("aws appmesh create-mesh")
        );
        let status = app.status.clone().unwrap();
        assert!(
            status.starts_with("Overwrote")
                && status.contains("a link to")
                && status.contains("real.sh"),
            "{status}"
        );
    }

    #[test]
    fn a_device_is_never_replaced_and_the_window_says_why() {
        use std::os::unix::fs::FileTypeExt;
        // A FIFO stands in for a device (/dev/full): both are refused before being opened.
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("web.sh");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid C string; mkfifo only creates a file.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let mut app = app_with_mesh();
        write_to(&mut app, &fifo);
        let menu = app.export.as_ref().unwrap();
        // Refused at once: no overwrite question for something that is not a file.
        assert!(matches!(menu.stage, Stage::Path { .. }), "{:?}", menu.stage);
        let msg = menu.message.clone().unwrap();
        assert!(
            msg.contains("web.sh is a FIFO (named pipe)") && msg.contains("nothing was written"),
            "{msg}"
        );
        assert!(
            std::fs::symlink_metadata(&fifo)
                .unwrap()
                .file_type()
                .is_fifo()
        );
    }

    #[test]
    fn credentials_in_the_endpoint_never_reach_an_export() {
        let mut app = app_with_mesh();
        app.update(Msg::Connected(Target {
            profile: None,
            region: "us-east-1".into(),
            region_note: None,
            endpoint: Some("http://admin:hunter2@127.0.0.1:4566".into()),
        }));
        assert!(app.open_export_from_pane());
        let text = app.export.as_ref().unwrap().text();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(
            text.contains("--endpoint-url 'http://***@127.0.0.1:4566'"),
            "{text}"
        );
    }

    #[test]
    fn x_exports_the_described_mesh_from_the_meshes_view_and_the_result_window() {
        let mut app = app_with_mesh();
        if let Pane::Mesh(r) = &mut app.pane {
            r.action = Action::Describe;
        }
        app.view = crate::app::View::Meshes;
        press(&mut app, KeyCode::Char('x'));
        assert_eq!(app.overlay, Some(Overlay::Export));
        let menu = app.export.as_ref().unwrap();
        assert_eq!(
            menu.source.existing_arn.as_deref(),
            Some("arn:aws:appmesh:us-east-1:111122223333:mesh/web")
        );
        assert_eq!(menu.source.tags, [Tag::new("team", "ops")]);
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.overlay, None);

        app.view = crate::app::View::Create;
        app.overlay = Some(Overlay::Result);
        press(&mut app, KeyCode::Char('x'));
        assert_eq!(app.overlay, Some(Overlay::Export));
        // Closing it goes back to the full-screen result it came from (80×24 is too narrow to
        // show the result beside the form), from the menu (Esc) and from the text (q).
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.overlay, Some(Overlay::Result));
        press(&mut app, KeyCode::Char('x'));
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Char('q'));
        assert_eq!(app.overlay, Some(Overlay::Result));
        // Widened meanwhile, the result is beside the form: back to the form.
        press(&mut app, KeyCode::Char('x'));
        app.update(Msg::Resize(140, 40));
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.overlay, None);
        app.update(Msg::Resize(80, 24));

        // A deleted mesh has nothing to export.
        app.overlay = None;
        app.export = None;
        if let Pane::Mesh(r) = &mut app.pane {
            r.action = Action::Delete;
        }
        assert!(!app.open_export_from_pane());
        assert!(app.status.as_deref().unwrap().contains("deleted"));
    }

    #[test]
    fn paste_goes_into_the_path_prompt_without_line_breaks() {
        let mut app = app_with_mesh();
        app.open_export_from_pane();
        press(&mut app, KeyCode::Enter);
        app.update(Msg::Paste("ignored in the text view".into()));
        press(&mut app, KeyCode::Char('w'));
        press(&mut app, KeyCode::Char('u'));
        for _ in 0.."web.shu".len() {
            press(&mut app, KeyCode::Backspace);
        }
        app.update(Msg::Paste("/tmp/out\n.sh".into()));
        let Some(ExportMenu {
            stage: Stage::Path { input },
            ..
        }) = &app.export
        else {
            panic!("no path prompt")
        };
        assert_eq!(input.value(), "/tmp/out.sh");
    }

    #[test]
    fn copy_emits_the_text_and_says_so() {
        let mut app = app_with_mesh();
        app.open_export_from_pane();
        press(&mut app, KeyCode::Char('2'));
        let effects = press(&mut app, KeyCode::Char('c'));
        let [Effect::Copy(text)] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert!(text.contains("\"meshName\": \"web\""), "{text}");
        assert!(app.status.as_deref().unwrap().contains("OSC 52"));
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.overlay, None);
        assert!(app.export.is_none());
    }
}
