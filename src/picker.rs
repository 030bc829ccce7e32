//! The profile and region picker (F8): the profiles of the user's AWS config and credentials
//! files, and a region to type. Choosing reconnects with them; nothing else is lost.

use std::path::PathBuf;

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

/// What a key did in the picker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PickerOutcome {
    Stay,
    Close,
    /// Reconnect with this profile and region.
    Apply {
        profile: String,
        region: String,
    },
}

#[derive(Clone, Debug, Default)]
pub struct Picker {
    pub profiles: Vec<String>,
    pub selected: usize,
    pub current_profile: String,
    pub region: Input,
    /// The region input has the keyboard (Tab switches).
    pub on_region: bool,
    /// Why the choice can't be applied yet.
    pub problem: Option<String>,
}

/// Profile names in an AWS config file (`[default]`, `[profile NAME]`) and a credentials
/// file (`[NAME]`): `default` first, then the rest sorted, each once.
pub fn parse_profiles(config: &str, credentials: &str) -> Vec<String> {
    let header = |line: &str| -> Option<String> {
        let inner = line.trim().strip_prefix('[')?.strip_suffix(']')?.trim();
        // `[]` names no profile.
        (!inner.is_empty()).then(|| inner.to_string())
    };
    let mut names: Vec<String> = Vec::new();
    for line in config.lines() {
        if let Some(h) = header(line) {
            let name = match h.split_whitespace().collect::<Vec<_>>().as_slice() {
                ["default"] => "default".to_string(),
                ["profile", name] => name.to_string(),
                _ => continue, // [sso-session x], [services x], ...
            };
            names.push(name);
        }
    }
    for line in credentials.lines() {
        if let Some(h) = header(line) {
            names.push(h);
        }
    }
    names.sort_by(|a, b| (a != "default", a).cmp(&(b != "default", b)));
    names.dedup();
    names
}

/// The profiles this user has, read from the usual files (missing files count as empty; a file
/// that is not a regular file, or over [`crate::aws::AWS_FILE_CAP`], counts as empty too).
pub fn aws_profiles() -> Vec<String> {
    let (config, credentials) = crate::aws::aws_file_paths();
    let read = |p: Option<PathBuf>| {
        p.and_then(|p| crate::aws::read_aws_file(&p).ok().flatten())
            .unwrap_or_default()
    };
    parse_profiles(&read(config), &read(credentials))
}

/// A region name as AWS spells them: lowercase letters, digits and dashes, e.g. `eu-west-1`.
pub fn region_problem(region: &str) -> Option<String> {
    let ok = !region.is_empty()
        && region.len() <= 32
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && region.contains('-');
    (!ok).then(|| format!("{region:?} is not a region name (like us-east-1 or eu-west-1)."))
}

impl Picker {
    pub fn new(profiles: Vec<String>, current_profile: &str, current_region: &str) -> Picker {
        let mut profiles = profiles;
        if !profiles.iter().any(|p| p == current_profile) {
            profiles.insert(0, current_profile.to_string());
        }
        let selected = profiles
            .iter()
            .position(|p| p == current_profile)
            .unwrap_or(0);
        Picker {
            profiles,
            selected,
            current_profile: current_profile.to_string(),
            region: Input::new(current_region.to_string()),
            on_region: false,
            problem: None,
        }
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> PickerOutcome {
        match key.code {
            KeyCode::Esc => return PickerOutcome::Close,
            KeyCode::Tab | KeyCode::BackTab => {
                self.on_region = !self.on_region;
                return PickerOutcome::Stay;
            }
            KeyCode::Enter => {
                let region = self.region.value().trim().to_string();
                if let Some(p) = region_problem(&region) {
                    self.problem = Some(p);
                    self.on_region = true;
                    return PickerOutcome::Stay;
                }
                return match self.profiles.get(self.selected) {
                    Some(profile) => PickerOutcome::Apply {
                        profile: profile.clone(),
                        region,
                    },
                    None => PickerOutcome::Close,
                };
            }
            _ => {}
        }
        if self.on_region {
            if self.region.handle_event(&Event::Key(key)).is_some() {
                self.problem = None;
            }
            return PickerOutcome::Stay;
        }
        if !key.modifiers.difference(KeyModifiers::SHIFT).is_empty() {
            return PickerOutcome::Stay;
        }
        let last = self.profiles.len().saturating_sub(1);
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => self.selected = (self.selected + 1).min(last),
            KeyCode::Home | KeyCode::Char('g') => self.selected = 0,
            KeyCode::End | KeyCode::Char('G') => self.selected = last,
            _ => {}
        }
        PickerOutcome::Stay
    }

    pub fn paste(&mut self, text: &str) {
        if self.on_region {
            for c in text.chars().filter(|c| !c.is_control()) {
                self.region.handle(tui_input::InputRequest::InsertChar(c));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn profiles_come_from_both_files_default_first() {
        let config = "[default]\nregion=us-east-1\n[profile prod]\n[profile  dev ]\n[sso-session corp]\n[services x]\n";
        let creds = "[ci]\naws_access_key_id=x\n[prod]\n";
        assert_eq!(
            parse_profiles(config, creds),
            ["default", "ci", "dev", "prod"]
        );
        assert!(parse_profiles("", "").is_empty());
        assert!(parse_profiles("[ ]\n[]", "[]\n[  ]").is_empty());
    }

    #[test]
    fn choosing_a_profile_and_region() {
        let mut p = Picker::new(
            vec!["default".into(), "dev".into(), "prod".into()],
            "default",
            "us-east-1",
        );
        assert_eq!(p.selected, 0);
        p.handle_key(key(KeyCode::Down));
        p.handle_key(key(KeyCode::Char('j')));
        p.handle_key(key(KeyCode::Tab));
        for _ in 0..9 {
            p.handle_key(key(KeyCode::Backspace));
        }
        for c in "eu-west-1".chars() {
            p.handle_key(key(KeyCode::Char(c)));
        }
        assert_eq!(
            p.handle_key(key(KeyCode::Enter)),
            PickerOutcome::Apply {
                profile: "prod".into(),
                region: "eu-west-1".into()
            }
        );
        assert_eq!(p.handle_key(key(KeyCode::Esc)), PickerOutcome::Close);
    }

    #[test]
    fn a_bad_region_is_refused_with_a_reason() {
        let mut p = Picker::new(vec![], "default", "us-east-1");
        p.handle_key(key(KeyCode::Tab));
        p.handle_key(key(KeyCode::Char('X')));
        assert_eq!(p.handle_key(key(KeyCode::Enter)), PickerOutcome::Stay);
        assert!(p.problem.as_deref().unwrap().contains("not a region name"));
        assert!(region_problem("ap-southeast-2").is_none());
        assert!(region_problem("").is_some());
    }

    #[test]
    fn the_current_profile_is_listed_even_when_not_in_the_files() {
        let p = Picker::new(vec!["a".into()], "from-env", "us-east-1");
        assert_eq!(p.profiles[p.selected], "from-env");
    }
}
