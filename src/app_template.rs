//! `--template FILE` in the app: prefill the create form, show what was wrong with the file,
//! and hold back any create or update that breaks the template's team rules.

use std::path::Path;

use crate::app::{App, Overlay};
use crate::form::Field;
use crate::template::{RuleField, Severity, Template};

/// What the template window shows: the file, its problems and its rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TemplateReport {
    /// The file as the user named it.
    pub file: String,
    /// Set when the file could not be used at all (unreadable, not JSON).
    pub fatal: Option<String>,
    /// `(is_error, "$.path: message")`, in file order.
    pub problems: Vec<(bool, String)>,
    /// The team rules in words (empty without rules).
    pub rules: Vec<String>,
}

impl TemplateReport {
    /// Whether the window needs to open at start: something went wrong, or there are notes.
    pub fn worth_showing(&self) -> bool {
        self.fatal.is_some() || !self.problems.is_empty()
    }
}

impl App {
    /// Loads `--template FILE` now (tests and tools; the app itself reads the file on a
    /// background task and sends [`crate::app::Msg::TemplateLoaded`]).
    pub fn load_template(&mut self, path: &Path) {
        let file = path.display().to_string();
        let result = Template::load(path).map_err(|e| e.to_string());
        self.template_loaded(&file, result);
    }

    /// A template arrived: prefills the form with what is usable and keeps the rules. A file
    /// that could not be read or parsed leaves the form as it is; either way the template
    /// window says what happened.
    pub fn template_loaded(&mut self, file: &str, result: Result<Template, String>) {
        match result {
            Ok(t) => self.apply_template(file, t),
            Err(e) => {
                if !self.status_is_config_problem() {
                    self.status = Some(format!("Template not used: {e}"));
                }
                self.template = Some(TemplateReport {
                    file: file.to_string(),
                    fatal: Some(e),
                    ..TemplateReport::default()
                });
                if self.overlay.is_none() {
                    self.overlay = Some(Overlay::Template);
                }
                self.dirty = true;
            }
        }
    }

    /// Prefills the form from a parsed template and keeps its rules. Input the user already
    /// typed is never replaced: the template then only brings its rules and its report.
    pub fn apply_template(&mut self, file: &str, t: Template) {
        let typed = self.form.has_input() || self.editing();
        if !typed {
            // The parser leaves out names with control characters; this holds for a template
            // built any other way too.
            if let Some(name) = t
                .mesh_name
                .as_ref()
                .filter(|n| crate::model::forbidden_char(n).is_none())
            {
                self.form.name = tui_input::Input::new(name.clone());
            }
            self.form.set_spec(&t.spec);
            // Tags the service would refuse (the report names them) stay out of the form.
            self.form.tags = t
                .tags
                .iter()
                .filter(|t| {
                    crate::model::tag_key_problem(&t.key).is_none()
                        && crate::model::tag_value_problem(&t.value).is_none()
                })
                .take(crate::model::TAGS_MAX)
                .cloned()
                .collect();
        }
        self.rules = t.rules.clone();
        let report = TemplateReport {
            file: file.to_string(),
            fatal: None,
            problems: t
                .problems
                .iter()
                .map(|p| (p.severity == Severity::Error, p.to_string()))
                .collect(),
            rules: t.rules.describe(),
        };
        let errors = report.problems.iter().filter(|(e, _)| *e).count();
        // The status line is one row: the file's name only (the window shows the whole path).
        let short = Path::new(file)
            .file_name()
            .map_or_else(|| file.to_string(), |n| n.to_string_lossy().into_owned());
        if self.status_is_config_problem() {
            // What to fix in the config file stays up; the template window speaks for itself.
            if report.worth_showing() && self.overlay.is_none() {
                self.overlay = Some(Overlay::Template);
            }
            self.template = Some(report);
            self.dirty = true;
            return;
        }
        self.status = Some(if typed {
            format!(
                "Template {short} arrived after you started typing: the form keeps your input; its rules apply (F7 shows it)."
            )
        } else if errors > 0 {
            format!(
                "Template {short}: {errors} problem{} (F7 lists them); the valid parts are in the form.",
                if errors == 1 { "" } else { "s" }
            )
        } else if self.rules.is_empty() {
            format!("Template {short} loaded.")
        } else {
            format!("Template {short}: loaded with team rules (F7 shows them).")
        });
        if report.worth_showing() && self.overlay.is_none() {
            self.overlay = Some(Overlay::Template);
        }
        self.template = Some(report);
        self.dirty = true;
    }

    /// Whether the status line holds a problem with the config file (see `config::Config`),
    /// which a template arriving later must not hide.
    fn status_is_config_problem(&self) -> bool {
        self.status.as_deref().is_some_and(|s| {
            s.starts_with("config file ") || s.starts_with("cannot read config file ")
        })
    }

    /// The team rules the form breaks now: `Some(message)` for the status line (naming the
    /// first rule and its fix), after focusing the field to change. `None` when all is allowed.
    pub fn rule_block(&mut self) -> Option<String> {
        let violations = if self.editing() {
            self.rules.check_spec(&self.form.spec())
        } else {
            self.rules
                .check(self.form.name.value(), &self.form.spec(), &self.form.tags)
        };
        let first = violations.first()?;
        self.form.focus = match first.field {
            RuleField::MeshName => Field::Name,
            RuleField::EgressFilter => Field::Egress,
            RuleField::IpPreference => Field::IpPreference,
            RuleField::Tag(_) => Field::TagKey,
        };
        let more = match violations.len() {
            1 => String::new(),
            n => format!(
                " ({} more rule{} broken)",
                n - 1,
                if n == 2 { "" } else { "s" }
            ),
        };
        Some(format!("Not sent: team rule: {}{more}.", first.message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{Effect, Msg};
    use crate::model::{EgressFilter, IpPreference, Tag};
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn ctrl_s(app: &mut App) -> Vec<Effect> {
        app.update(Msg::Key(KeyEvent::new(
            KeyCode::Char('s'),
            KeyModifiers::CONTROL,
        )))
    }

    fn team_dev() -> App {
        let mut app = App::new((80, 24));
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/templates/team-dev.json");
        app.load_template(&path);
        app
    }

    #[test]
    fn template_prefills_the_form_and_keeps_the_rules() {
        let app = team_dev();
        assert_eq!(app.form.name.value(), "payments-dev");
        assert_eq!(app.form.egress_filter(), EgressFilter::DropAll);
        assert_eq!(app.form.ip_pref(), Some(IpPreference::Ipv4Preferred));
        assert_eq!(
            app.form.tags,
            [Tag::new("team", "payments"), Tag::new("env", "dev")]
        );
        assert_eq!(app.rules.required_tag_keys, ["team", "env"]);
        assert_eq!(app.overlay, None, "a clean template opens no window");
        assert!(app.status.as_deref().unwrap().contains("team rules"));
    }

    #[test]
    fn rules_block_submit_until_fixed() {
        let mut app = team_dev();
        app.form.tags.retain(|t| t.key != "env");
        app.form.egress = 1;
        assert_eq!(ctrl_s(&mut app), Vec::new(), "nothing is sent");
        assert_eq!(app.in_flight, None);
        let status = app.status.clone().unwrap();
        assert!(
            status.starts_with("Not sent: team rule: egress filter `ALLOW_ALL`")
                && status.contains("1 more rule"),
            "{status}"
        );
        assert_eq!(app.form.focus, Field::Egress);

        app.form.egress = 0;
        assert_eq!(ctrl_s(&mut app), Vec::new());
        assert!(
            app.status
                .clone()
                .unwrap()
                .contains("tag `env` is required")
        );
        assert_eq!(app.form.focus, Field::TagKey);

        app.form.tags.push(Tag::new("env", "prod"));
        let effects = ctrl_s(&mut app);
        assert!(
            matches!(effects.as_slice(), [Effect::Call { .. }]),
            "{effects:?}"
        );
    }

    #[test]
    fn broken_template_reports_paths_and_opens_with_the_rest() {
        let mut app = App::new((80, 24));
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/templates/broken.json");
        app.load_template(&path);
        assert_eq!(app.overlay, Some(Overlay::Template));
        let report = app.template.clone().unwrap();
        assert!(report.fatal.is_none());
        assert!(
            report
                .problems
                .iter()
                .any(|(e, p)| *e && p.starts_with("$.tags[1].key")),
            "{report:?}"
        );
        // The keyless tag is left out; `replicas` keeps its key (its number value was dropped).
        assert_eq!(
            app.form.tags,
            [Tag::new("team", "payments"), Tag::new("replicas", "")]
        );
    }

    #[test]
    fn a_template_arriving_after_typing_keeps_the_input_and_brings_the_rules() {
        let mut app = App::new((80, 24));
        for c in "mine".chars() {
            app.update(Msg::Key(KeyEvent::new(
                KeyCode::Char(c),
                KeyModifiers::NONE,
            )));
        }
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/templates/team-dev.json");
        let result = Template::load(&path).map_err(|e| e.to_string());
        app.update(Msg::TemplateLoaded {
            file: path.display().to_string(),
            result,
        });
        assert_eq!(app.form.name.value(), "mine", "typed input is kept");
        assert!(app.form.tags.is_empty());
        assert_eq!(app.rules.required_tag_keys, ["team", "env"]);
        assert!(app.status.clone().unwrap().contains("keeps your input"));
    }

    #[test]
    fn a_config_problem_stays_on_the_status_line_when_the_template_arrives() {
        let mut app = App::new((80, 24));
        app.status = Some("config file /c/config.toml:2: unknown field `them`".into());
        app.update(Msg::TemplateLoaded {
            file: "missing.json".into(),
            result: Err("template missing.json does not exist".into()),
        });
        assert!(app.status.clone().unwrap().starts_with("config file"));
        assert_eq!(app.overlay, Some(Overlay::Template));
        assert!(app.template.clone().unwrap().fatal.is_some());
    }

    #[test]
    fn unreadable_template_still_opens_empty_and_names_the_file() {
        let mut app = App::new((80, 24));
        app.load_template(Path::new("/nonexistent/team.json"));
        assert_eq!(app.overlay, Some(Overlay::Template));
        assert!(!app.form.has_input());
        let fatal = app.template.clone().unwrap().fatal.unwrap();
        assert!(fatal.contains("/nonexistent/team.json"), "{fatal}");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.json");
        std::fs::write(&p, "{ not json").unwrap();
        let mut app = App::new((80, 24));
        app.load_template(&p);
        assert!(app.status.clone().unwrap().contains("not valid JSON"));
    }
}
