//! The Migrate view (`M` inside a mesh): choose a target, read what each App Mesh resource
//! becomes and what does not carry over, and write any output to a file. Its own state and
//! keys, like the tag editor; the app owns it, draws it with [`crate::ui::migrate::render`],
//! and carries out [`Outcome::Write`] off the UI thread, telling the view how it went with
//! [`MigrateView::written`].

use std::path::{Path, PathBuf};

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::{Format, Migration, Target, migrate};
use crate::fileio::WriteOutcome;
use crate::mesh::MeshModel;

/// What a key did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Stay,
    Close,
    /// Write `contents` to `path`; `overwrite` only after the user said yes to replacing an
    /// existing file. Report back with [`MigrateView::written`].
    Write {
        path: PathBuf,
        contents: String,
        overwrite: bool,
    },
}

/// Where the keyboard is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    Browse,
    /// Choosing the format to write.
    ChooseFormat,
    /// Typing the file name.
    Path(Format),
    /// The file exists: y replaces it.
    ConfirmOverwrite(Format, PathBuf),
    /// Waiting for the app to write a file in this format.
    Writing(Format),
}

#[derive(Clone, Debug)]
pub struct MigrateView {
    migrations: Vec<Migration>,
    pub target: Target,
    /// The selected resource row.
    pub selected: usize,
    /// The first row shown (set by the renderer to keep the selection visible).
    pub offset: usize,
    pub mode: Mode,
    pub path: Input,
    /// The last thing to tell the user (a write, a problem).
    pub status: Option<(bool, String)>,
}

impl MigrateView {
    /// Converts the mesh for every target at once (pure and fast: no I/O).
    pub fn new(model: &MeshModel) -> MigrateView {
        MigrateView {
            migrations: Target::ALL.iter().map(|t| migrate(model, *t)).collect(),
            target: Target::Lattice,
            selected: 0,
            offset: 0,
            mode: Mode::Browse,
            path: Input::default(),
            status: None,
        }
    }

    /// The migration for the chosen target.
    pub fn migration(&self) -> &Migration {
        let i = Target::ALL
            .iter()
            .position(|t| *t == self.target)
            .unwrap_or(0);
        &self.migrations[i]
    }

    fn rows(&self) -> usize {
        self.migration().rows.len()
    }

    fn set_target(&mut self, t: Target) {
        self.target = t;
        self.selected = self.selected.min(self.rows().saturating_sub(1));
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> Outcome {
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            return Outcome::Close;
        }
        match self.mode.clone() {
            Mode::Browse => self.browse_key(key),
            Mode::ChooseFormat => {
                let f = match key.code {
                    KeyCode::Char('c') | KeyCode::Char('1') => Format::Cloudformation,
                    KeyCode::Char('t') | KeyCode::Char('2') => Format::Terraform,
                    KeyCode::Char('y') | KeyCode::Char('3') => Format::Yaml,
                    KeyCode::Char('r') | KeyCode::Char('m') | KeyCode::Char('4') => Format::Report,
                    KeyCode::Esc => {
                        self.mode = Mode::Browse;
                        return Outcome::Stay;
                    }
                    _ => return Outcome::Stay,
                };
                self.path = Input::new(f.default_file_name(&self.migration().mesh, self.target));
                self.mode = Mode::Path(f);
                Outcome::Stay
            }
            Mode::Path(f) => match key.code {
                KeyCode::Esc => {
                    self.mode = Mode::Browse;
                    Outcome::Stay
                }
                KeyCode::Enter => {
                    let p = self.path.value().trim().to_string();
                    if p.is_empty() {
                        self.status = Some((false, "Type a file name to write to.".into()));
                        return Outcome::Stay;
                    }
                    self.write(f, PathBuf::from(p), false)
                }
                _ => {
                    self.path.handle_event(&Event::Key(key));
                    Outcome::Stay
                }
            },
            Mode::ConfirmOverwrite(f, path) => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => self.write(f, path, true),
                _ => {
                    self.mode = Mode::Path(f);
                    self.status =
                        Some((false, "Kept the existing file; choose another name.".into()));
                    Outcome::Stay
                }
            },
            Mode::Writing(_) => Outcome::Stay,
        }
    }

    fn write(&mut self, f: Format, path: PathBuf, overwrite: bool) -> Outcome {
        match self.migration().render(f) {
            Ok(contents) => {
                self.mode = Mode::Writing(f);
                self.status = Some((true, format!("Writing {}…", path.display())));
                Outcome::Write {
                    path,
                    contents,
                    overwrite,
                }
            }
            Err(e) => {
                self.mode = Mode::Browse;
                self.status = Some((false, e));
                Outcome::Stay
            }
        }
    }

    /// The app's answer to [`Outcome::Write`] of `path`. A file already there was left
    /// alone: the view asks whether to replace it.
    pub fn written(&mut self, path: &Path, outcome: WriteOutcome) {
        match outcome {
            WriteOutcome::Written(_) => {
                self.mode = Mode::Browse;
                self.status = Some((true, format!("Wrote {}", path.display())));
            }
            WriteOutcome::Exists(p) => {
                let f = match &self.mode {
                    Mode::Writing(f) | Mode::Path(f) | Mode::ConfirmOverwrite(f, _) => *f,
                    _ => Format::Report,
                };
                self.status = Some((
                    false,
                    format!(
                        "{} exists: y replaces it, any other key keeps it",
                        p.display()
                    ),
                ));
                self.mode = Mode::ConfirmOverwrite(f, p);
            }
            WriteOutcome::Failed(e) => {
                self.mode = Mode::Browse;
                self.status = Some((false, e));
            }
        }
    }

    fn browse_key(&mut self, key: KeyEvent) -> Outcome {
        let last = self.rows().saturating_sub(1);
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') => return Outcome::Close,
            KeyCode::Char('1') => self.set_target(Target::Lattice),
            KeyCode::Char('2') => self.set_target(Target::LatticeGatewayApi),
            KeyCode::Char('3') => self.set_target(Target::ServiceConnect),
            KeyCode::Tab | KeyCode::Right | KeyCode::Char('l') => {
                let i = Target::ALL
                    .iter()
                    .position(|t| *t == self.target)
                    .unwrap_or(0);
                self.set_target(Target::ALL[(i + 1) % Target::ALL.len()]);
            }
            KeyCode::BackTab | KeyCode::Left | KeyCode::Char('h') => {
                let i = Target::ALL
                    .iter()
                    .position(|t| *t == self.target)
                    .unwrap_or(0);
                self.set_target(Target::ALL[(i + Target::ALL.len() - 1) % Target::ALL.len()]);
            }
            KeyCode::Up | KeyCode::Char('k') => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => self.selected = (self.selected + 1).min(last),
            KeyCode::PageUp => self.selected = self.selected.saturating_sub(10),
            KeyCode::PageDown => self.selected = (self.selected + 10).min(last),
            KeyCode::Home | KeyCode::Char('g') => self.selected = 0,
            KeyCode::End | KeyCode::Char('G') => self.selected = last,
            KeyCode::Char('w') => {
                self.mode = Mode::ChooseFormat;
                self.status = None;
            }
            _ => {}
        }
        Outcome::Stay
    }

    /// A paste goes into the file name while it is being typed; control characters dropped.
    pub fn paste(&mut self, text: &str) {
        if matches!(self.mode, Mode::Path(_)) {
            for c in text.chars().filter(|c| !c.is_control()).take(4096) {
                self.path.handle(tui_input::InputRequest::InsertChar(c));
            }
        }
    }

    /// The keys that work now, for the footer.
    pub fn hints(&self) -> &'static str {
        match self.mode {
            Mode::Browse => {
                "1/2/3 or Tab target · ↑↓ PgUp PgDn Home End move · w write a file · Esc close"
            }
            Mode::ChooseFormat => "c CloudFormation · t Terraform · y YAML · r report · Esc back",
            Mode::Path(_) => "type the file name · Enter write · Esc back",
            Mode::ConfirmOverwrite(..) => "y replace the file · any other key keeps it",
            Mode::Writing(_) => "writing…",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::{Key, Kind};
    use crate::mesh::Item;
    use serde_json::json;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn model() -> MeshModel {
        let mut m = MeshModel::new("shop");
        m.items.insert(Key::mesh("shop"), Item::new(json!({})));
        m.items.insert(
            Key::new(Kind::VirtualNode, "shop", "", "web"),
            Item::new(
                json!({"listeners": [{"portMapping": {"port": 8080, "protocol": "http"}}],
                "serviceDiscovery": {"dns": {"hostname": "web.shop.svc.cluster.local"}}}),
            ),
        );
        m.items.insert(
            Key::new(Kind::VirtualService, "shop", "", "web.shop"),
            Item::new(json!({"provider": {"virtualNode": {"virtualNodeName": "web"}}})),
        );
        m
    }

    #[test]
    fn targets_moving_and_writing() {
        let mut v = MigrateView::new(&model());
        assert_eq!(v.migration().rows.len(), 3);
        v.handle_key(key(KeyCode::Char('3')));
        assert_eq!(v.target, Target::ServiceConnect);
        v.handle_key(key(KeyCode::Tab));
        assert_eq!(v.target, Target::Lattice);
        v.handle_key(key(KeyCode::End));
        assert_eq!(v.selected, 2);
        v.handle_key(key(KeyCode::Down));
        assert_eq!(v.selected, 2);
        v.handle_key(key(KeyCode::Char('w')));
        assert_eq!(v.mode, Mode::ChooseFormat);
        v.handle_key(key(KeyCode::Char('t')));
        assert_eq!(v.path.value(), "shop-lattice.tf");
        let out = v.handle_key(key(KeyCode::Enter));
        let Outcome::Write {
            path,
            contents,
            overwrite,
        } = out
        else {
            panic!("{out:?}")
        };
        assert_eq!(path, PathBuf::from("shop-lattice.tf"));
        assert!(contents.contains("aws_vpclattice_service_network"));
        assert!(!overwrite);
        // The file exists: asked, then y overwrites.
        v.written(&path, WriteOutcome::Exists(path.clone()));
        assert!(matches!(
            v.mode,
            Mode::ConfirmOverwrite(Format::Terraform, _)
        ));
        let again = v.handle_key(key(KeyCode::Char('y')));
        assert!(
            matches!(
                again,
                Outcome::Write {
                    overwrite: true,
                    ..
                }
            ),
            "{again:?}"
        );
        v.written(
            &path,
            WriteOutcome::Written(crate::fileio::Written {
                file: path.clone(),
                replaced: true,
            }),
        );
        assert_eq!(v.mode, Mode::Browse);
        assert!(v.status.as_ref().unwrap().1.starts_with("Wrote "));
        assert_eq!(v.handle_key(key(KeyCode::Esc)), Outcome::Close);
    }

    #[test]
    fn an_empty_file_name_is_refused_with_a_reason() {
        let mut v = MigrateView::new(&model());
        v.handle_key(key(KeyCode::Char('w')));
        v.handle_key(key(KeyCode::Char('r')));
        for _ in 0..64 {
            v.handle_key(key(KeyCode::Backspace));
        }
        assert_eq!(v.handle_key(key(KeyCode::Enter)), Outcome::Stay);
        assert!(v.status.as_ref().unwrap().1.contains("file name"));
        v.paste("a\nb.md");
        assert_eq!(v.path.value(), "ab.md");
    }
}
