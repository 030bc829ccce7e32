//! The create-mesh form: its fields, focus, validation and the request it builds.
//!
//! Pure state: no terminal, no network. Keys arrive already decoded; the app decides which
//! keys are global (quit, submit, help) before handing the rest to [`Form::handle_key`].

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::aws::CreateMeshRequest;
use crate::model::{
    self, EgressFilter, IpPreference, MeshSpec, TAG_KEY_MAX, TAG_VALUE_MAX, TAGS_MAX, Tag,
};

/// The focusable parts of the form, in Tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    Egress,
    IpPreference,
    TagKey,
    TagValue,
    Tags,
    Create,
}

impl Field {
    pub const ALL: [Field; 7] = [
        Field::Name,
        Field::Egress,
        Field::IpPreference,
        Field::TagKey,
        Field::TagValue,
        Field::Tags,
        Field::Create,
    ];

    fn index(self) -> usize {
        Self::ALL.iter().position(|f| *f == self).unwrap_or(0)
    }

    pub fn next(self) -> Field {
        Self::ALL[(self.index() + 1) % Self::ALL.len()]
    }

    pub fn prev(self) -> Field {
        Self::ALL[(self.index() + Self::ALL.len() - 1) % Self::ALL.len()]
    }

    /// Text inputs take printable keys (so `?`, `j`, `k`, `d` are text there).
    pub fn is_text(self) -> bool {
        matches!(self, Field::Name | Field::TagKey | Field::TagValue)
    }

    pub fn label(self) -> &'static str {
        match self {
            Field::Name => "Mesh name",
            Field::Egress => "Egress filter",
            Field::IpPreference => "IP preference",
            Field::TagKey => "Tag key",
            Field::TagValue => "Tag value",
            Field::Tags => "Tags",
            Field::Create => "Create",
        }
    }

    /// One line of context help: what the field means and what its options do.
    pub fn help(self) -> &'static str {
        match self {
            Field::Name => {
                "The mesh's name, unique in the account and region: 1-255 characters. It cannot be changed later."
            }
            Field::Egress => {
                "DROP_ALL: only traffic to mesh resources (and *.amazonaws.com) leaves. ALLOW_ALL: traffic to any endpoint leaves."
            }
            Field::IpPreference => {
                "How Envoy resolves and reaches endpoints: IPv6/IPv4 preferred falls back to the other family; _ONLY uses just one."
            }
            Field::TagKey => {
                "Tag key, 1-128 characters. Enter adds the tag; an existing key gets the new value."
            }
            Field::TagValue => "Tag value, 0-256 characters. Enter adds the tag.",
            Field::Tags => {
                "The tags the mesh is created with (at most 50). Delete, Backspace or d removes the selected tag."
            }
            Field::Create => {
                "Sends CreateMesh with the values above. Ctrl-S does the same from anywhere."
            }
        }
    }
}

/// The IP preference list: "not set" first, then the service model's values.
pub const IP_CHOICES: usize = 1 + IpPreference::ALL.len();

pub fn ip_choice_label(index: usize) -> &'static str {
    match index {
        0 => "Not set (service default)",
        i => IpPreference::ALL
            .get(i - 1)
            .map(|p| p.as_str())
            .unwrap_or("?"),
    }
}

/// What a key did to the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormOutcome {
    /// The key changed nothing the form knows about.
    Ignored,
    /// The key was used.
    Handled,
    /// Enter on Create: the user wants to submit.
    Submit,
}

/// Problems that stop the form from being sent, per field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Problems {
    pub name: Option<String>,
    pub tags: Option<String>,
}

impl Problems {
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.tags.is_none()
    }
}

#[derive(Clone, Debug)]
pub struct Form {
    pub name: Input,
    /// When set, the name cannot be edited (updating an existing mesh).
    pub name_locked: bool,
    /// Index into [`EgressFilter::ALL`].
    pub egress: usize,
    /// Index into the IP choices: 0 is "not set".
    pub ip_preference: usize,
    pub tag_key: Input,
    pub tag_value: Input,
    pub tags: Vec<Tag>,
    /// Selected row of the tags list.
    pub tag_selected: usize,
    pub focus: Field,
    /// Problems with the tag being added (shown under the tag inputs).
    pub tag_problem: Option<String>,
    /// A one-off remark about the last action ("replaced the value of tag env").
    pub notice: Option<String>,
    /// Whether the user tried to submit: from then on every problem is shown.
    pub submit_attempted: bool,
    /// The clientToken of the last submitted request and the fingerprint it was made for.
    token: Option<(u64, String)>,
}

impl Default for Form {
    fn default() -> Self {
        Form {
            name: Input::default(),
            name_locked: false,
            egress: 0,
            ip_preference: 0,
            tag_key: Input::default(),
            tag_value: Input::default(),
            tags: Vec::new(),
            tag_selected: 0,
            focus: Field::Name,
            tag_problem: None,
            notice: None,
            submit_attempted: false,
            token: None,
        }
    }
}

/// Replaces control characters (including newlines and tabs) with spaces so a paste or a
/// template can never put them into a field.
fn clean_text(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

impl Form {
    pub fn egress_filter(&self) -> EgressFilter {
        EgressFilter::ALL[self.egress.min(EgressFilter::ALL.len() - 1)]
    }

    pub fn ip_pref(&self) -> Option<IpPreference> {
        self.ip_preference
            .checked_sub(1)
            .and_then(|i| IpPreference::ALL.get(i).copied())
    }

    pub fn set_spec(&mut self, spec: &MeshSpec) {
        self.egress = spec
            .egress_filter
            .and_then(|e| EgressFilter::ALL.iter().position(|x| *x == e))
            .unwrap_or(0);
        self.ip_preference = spec
            .ip_preference
            .and_then(|p| IpPreference::ALL.iter().position(|x| *x == p))
            .map_or(0, |i| i + 1);
    }

    pub fn spec(&self) -> MeshSpec {
        MeshSpec {
            // Always sent: the selected item is the value, and DROP_ALL is the default anyway.
            egress_filter: Some(self.egress_filter()),
            ip_preference: self.ip_pref(),
        }
    }

    /// True when the user typed or chose anything (so quitting asks first).
    pub fn has_input(&self) -> bool {
        !self.name_locked && !self.name.value().is_empty()
            || !self.tag_key.value().is_empty()
            || !self.tag_value.value().is_empty()
            || !self.tags.is_empty()
            || self.egress != 0
            || self.ip_preference != 0
    }

    /// Problems with what would be sent now.
    pub fn problems(&self) -> Problems {
        Problems {
            name: model::mesh_name_problem(self.name.value()),
            tags: (self.tags.len() > TAGS_MAX).then(|| {
                format!(
                    "{} tags; the service allows at most {TAGS_MAX}.",
                    self.tags.len()
                )
            }),
        }
    }

    /// The name problem to show now: as the user types (once there is text) or after a
    /// submit attempt (also for an empty name).
    pub fn visible_name_problem(&self) -> Option<String> {
        // An existing mesh's name (an edit) is what the service holds, whatever it is.
        if self.name_locked || self.name.value().is_empty() && !self.submit_attempted {
            return None;
        }
        model::mesh_name_problem(self.name.value())
    }

    fn fingerprint(&self) -> u64 {
        let mut h = DefaultHasher::new();
        self.name.value().hash(&mut h);
        self.spec().hash(&mut h);
        self.tags.hash(&mut h);
        h.finish()
    }

    /// Validates and builds the request. Reuses the last clientToken when the form is
    /// unchanged since the last submit, so a retry is not applied twice.
    pub fn build_request(&mut self) -> Result<CreateMeshRequest, Problems> {
        self.submit_attempted = true;
        let problems = self.problems();
        if !problems.is_empty() {
            return Err(problems);
        }
        let fp = self.fingerprint();
        let token = match &self.token {
            Some((f, t)) if *f == fp => t.clone(),
            _ => {
                let t = uuid::Uuid::new_v4().to_string();
                self.token = Some((fp, t.clone()));
                t
            }
        };
        Ok(CreateMeshRequest {
            name: self.name.value().to_string(),
            spec: self.spec(),
            tags: self.tags.clone(),
            client_token: token,
        })
    }

    /// The clientToken for an unchanged spec update (same rule as create).
    pub fn token_for_update(&mut self) -> String {
        let fp = self.fingerprint();
        match &self.token {
            Some((f, t)) if *f == fp => t.clone(),
            _ => {
                let t = uuid::Uuid::new_v4().to_string();
                self.token = Some((fp, t.clone()));
                t
            }
        }
    }

    /// Adds the tag in the Tag key / Tag value inputs. Returns false (and says why) when
    /// it cannot be added.
    pub fn add_tag(&mut self) -> bool {
        let key = self.tag_key.value().to_string();
        let value = self.tag_value.value().to_string();
        if let Some(p) = model::tag_key_problem(&key).or_else(|| model::tag_value_problem(&value)) {
            self.tag_problem = Some(p);
            return false;
        }
        if let Some(i) = self.tags.iter().position(|t| t.key == key) {
            let old = std::mem::replace(&mut self.tags[i].value, value);
            self.tag_selected = i;
            self.notice = Some(format!(
                "Tag {key}: replaced value {old:?} with {:?}.",
                self.tags[i].value
            ));
        } else {
            if self.tags.len() >= TAGS_MAX {
                self.tag_problem = Some(format!(
                    "A mesh can have at most {TAGS_MAX} tags; remove one first."
                ));
                return false;
            }
            self.tags.push(Tag::new(key.clone(), value));
            self.tag_selected = self.tags.len() - 1;
            self.notice = Some(format!("Added tag {key}."));
        }
        self.tag_problem = None;
        self.tag_key.reset();
        self.tag_value.reset();
        self.focus = Field::TagKey;
        true
    }

    pub fn remove_selected_tag(&mut self) {
        if self.tag_selected < self.tags.len() {
            let t = self.tags.remove(self.tag_selected);
            self.notice = Some(format!("Removed tag {}.", t.key));
            if self.tag_selected >= self.tags.len() {
                self.tag_selected = self.tags.len().saturating_sub(1);
            }
        }
    }

    fn focused_input(&mut self) -> Option<&mut Input> {
        match self.focus {
            Field::Name if !self.name_locked => Some(&mut self.name),
            Field::TagKey => Some(&mut self.tag_key),
            Field::TagValue => Some(&mut self.tag_value),
            _ => None,
        }
    }

    fn input_limit(field: Field) -> usize {
        match field {
            Field::Name => model::MESH_NAME_MAX,
            Field::TagKey => TAG_KEY_MAX,
            _ => TAG_VALUE_MAX,
        }
    }

    /// Inserts pasted text into the focused text field: control characters and line breaks
    /// become spaces and the text is clipped to the field's limit. Returns what was done.
    pub fn paste(&mut self, text: &str) -> Option<String> {
        let field = self.focus;
        let limit = Self::input_limit(field);
        let cleaned = clean_text(text);
        let input = self.focused_input()?;
        let room = limit.saturating_sub(model::char_len(input.value()));
        let mut inserted = 0;
        for c in cleaned.chars().take(room) {
            input.handle(tui_input::InputRequest::InsertChar(c));
            inserted += 1;
        }
        let total = model::char_len(&cleaned);
        let mut notes = Vec::new();
        if cleaned != text {
            notes.push("line breaks and control characters became spaces".to_string());
        }
        if inserted < total {
            notes.push(format!(
                "clipped to the {} limit of {limit} characters ({} of {total} pasted)",
                field.label(),
                inserted
            ));
        }
        let note = (!notes.is_empty()).then(|| format!("Paste: {}.", notes.join("; ")));
        self.notice = note.clone();
        note
    }

    /// Handles a key that is not global. Printable characters go to text fields; lists use
    /// Up/Down and j/k.
    pub fn handle_key(&mut self, key: KeyEvent) -> FormOutcome {
        let plain = key.modifiers.difference(KeyModifiers::SHIFT).is_empty();
        match self.focus {
            Field::Name | Field::TagKey | Field::TagValue => {
                if key.code == KeyCode::Enter && plain {
                    return match self.focus {
                        Field::Name => {
                            self.focus = self.focus.next();
                            FormOutcome::Handled
                        }
                        _ => {
                            self.add_tag();
                            FormOutcome::Handled
                        }
                    };
                }
                if self.focus == Field::Name && self.name_locked {
                    return FormOutcome::Ignored;
                }
                let changed = self
                    .focused_input()
                    .and_then(|i| i.handle_event(&Event::Key(key)));
                if changed.is_some_and(|c| c.value)
                    && matches!(self.focus, Field::TagKey | Field::TagValue)
                {
                    self.tag_problem = None;
                }
                if changed.is_some() {
                    FormOutcome::Handled
                } else {
                    FormOutcome::Ignored
                }
            }
            Field::Egress => list_key(key, &mut self.egress, EgressFilter::ALL.len()),
            Field::IpPreference => list_key(key, &mut self.ip_preference, IP_CHOICES),
            Field::Tags => match key.code {
                KeyCode::Delete | KeyCode::Backspace | KeyCode::Char('d') if plain => {
                    self.remove_selected_tag();
                    FormOutcome::Handled
                }
                _ => {
                    let n = self.tags.len().max(1);
                    list_key(key, &mut self.tag_selected, n)
                }
            },
            Field::Create => match key.code {
                KeyCode::Enter | KeyCode::Char(' ') if plain => FormOutcome::Submit,
                _ => FormOutcome::Ignored,
            },
        }
    }
}

/// Up/Down, k/j, Home/End on a list of `len` items.
fn list_key(key: KeyEvent, selected: &mut usize, len: usize) -> FormOutcome {
    if !key.modifiers.difference(KeyModifiers::SHIFT).is_empty() {
        return FormOutcome::Ignored;
    }
    match key.code {
        KeyCode::Up | KeyCode::Char('k') => *selected = selected.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => *selected = (*selected + 1).min(len - 1),
        KeyCode::Home | KeyCode::Char('g') => *selected = 0,
        KeyCode::End | KeyCode::Char('G') => *selected = len - 1,
        _ => return FormOutcome::Ignored,
    }
    // At an end of the list the key is still consumed, so it does nothing else.
    FormOutcome::Handled
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn type_into(form: &mut Form, s: &str) {
        for c in s.chars() {
            form.handle_key(key(KeyCode::Char(c)));
        }
    }

    #[test]
    fn defaults_match_the_service_defaults() {
        let f = Form::default();
        assert_eq!(f.egress_filter(), EgressFilter::DropAll);
        assert_eq!(f.ip_pref(), None);
        assert_eq!(ip_choice_label(0), "Not set (service default)");
        assert_eq!(
            (1..IP_CHOICES).map(ip_choice_label).collect::<Vec<_>>(),
            ["IPv6_PREFERRED", "IPv4_PREFERRED", "IPv4_ONLY", "IPv6_ONLY"]
        );
        assert!(!f.has_input());
    }

    #[test]
    fn focus_cycles_in_the_documented_order() {
        let mut f = Field::Name;
        let mut seen = vec![f];
        for _ in 0..6 {
            f = f.next();
            seen.push(f);
        }
        assert_eq!(seen, Field::ALL);
        assert_eq!(Field::Create.next(), Field::Name);
        assert_eq!(Field::Name.prev(), Field::Create);
    }

    #[test]
    fn name_edges_and_request_building() {
        let mut f = Form::default();
        assert_eq!(
            f.build_request().unwrap_err().name.as_deref(),
            Some("Mesh name is required (1-255 characters).")
        );
        type_into(&mut f, &"n".repeat(255));
        let req = f.build_request().unwrap();
        assert_eq!(req.name.len(), 255);
        assert_eq!(req.spec.egress_filter, Some(EgressFilter::DropAll));
        assert_eq!(req.spec.ip_preference, None);
        type_into(&mut f, "x");
        assert!(f.build_request().unwrap_err().name.unwrap().contains("256"));
    }

    #[test]
    fn lists_move_with_arrows_and_vim_keys() {
        let mut f = Form {
            focus: Field::Egress,
            ..Form::default()
        };
        f.handle_key(key(KeyCode::Char('j')));
        assert_eq!(f.egress_filter(), EgressFilter::AllowAll);
        f.handle_key(key(KeyCode::Down));
        assert_eq!(
            f.egress_filter(),
            EgressFilter::AllowAll,
            "stays at the end"
        );
        f.focus = Field::IpPreference;
        f.handle_key(key(KeyCode::Down));
        f.handle_key(key(KeyCode::Down));
        assert_eq!(f.ip_pref(), Some(IpPreference::Ipv4Preferred));
        f.handle_key(key(KeyCode::Char('k')));
        assert_eq!(f.ip_pref(), Some(IpPreference::Ipv6Preferred));
    }

    #[test]
    fn tags_add_replace_remove_and_limit() {
        let mut f = Form {
            focus: Field::TagKey,
            ..Form::default()
        };
        type_into(&mut f, "env");
        f.focus = Field::TagValue;
        type_into(&mut f, "dev");
        f.handle_key(key(KeyCode::Enter));
        assert_eq!(f.tags, vec![Tag::new("env", "dev")]);
        assert_eq!(f.focus, Field::TagKey, "Enter returns to Tag key");
        assert!(f.tag_key.value().is_empty() && f.tag_value.value().is_empty());

        type_into(&mut f, "env");
        f.focus = Field::TagValue;
        type_into(&mut f, "prod");
        f.handle_key(key(KeyCode::Enter));
        assert_eq!(f.tags, vec![Tag::new("env", "prod")]);
        assert!(f.notice.as_deref().unwrap().contains("replaced"));

        // Empty key is refused with a message, nothing is lost.
        f.focus = Field::TagValue;
        type_into(&mut f, "v");
        f.handle_key(key(KeyCode::Enter));
        assert!(f.tag_problem.as_deref().unwrap().contains("required"));
        assert_eq!(f.tag_value.value(), "v");

        f.tag_value.reset();
        for i in 1..50 {
            f.tag_key = Input::new(format!("k{i}"));
            assert!(f.add_tag());
        }
        assert_eq!(f.tags.len(), 50);
        f.tag_key = Input::new("one-too-many".into());
        assert!(!f.add_tag());
        assert!(f.tag_problem.as_deref().unwrap().contains("at most 50"));
        assert_eq!(f.tags.len(), 50);

        f.focus = Field::Tags;
        f.tag_selected = 0;
        f.handle_key(key(KeyCode::Char('d')));
        assert_eq!(f.tags.len(), 49);
        assert!(!f.tags.iter().any(|t| t.key == "env"));
    }

    #[test]
    fn tag_key_and_value_edges() {
        let mut f = Form {
            tag_key: Input::new("k".repeat(128)),
            tag_value: Input::new("v".repeat(256)),
            ..Form::default()
        };
        assert!(f.add_tag());
        f.tag_key = Input::new("k".repeat(129));
        assert!(!f.add_tag());
        f.tag_key = Input::new("k".into());
        f.tag_value = Input::new("v".repeat(257));
        assert!(!f.add_tag());
        assert!(f.tag_problem.as_deref().unwrap().contains("257"));
    }

    #[test]
    fn client_token_is_reused_until_the_form_changes() {
        let mut f = Form::default();
        type_into(&mut f, "mesh");
        let a = f.build_request().unwrap().client_token;
        let b = f.build_request().unwrap().client_token;
        assert_eq!(a, b);
        assert!(model::client_token_is_valid(&a));
        f.egress = 1;
        let c = f.build_request().unwrap().client_token;
        assert_ne!(a, c);
    }

    #[test]
    fn paste_cleans_and_clips() {
        let mut f = Form::default();
        let note = f.paste("line1\nline2\x1b[2J").unwrap();
        assert_eq!(f.name.value(), "line1 line2 [2J");
        assert!(note.contains("spaces"));
        let note = f.paste(&"x".repeat(400)).unwrap();
        assert_eq!(model::char_len(f.name.value()), 255);
        assert!(note.contains("clipped"), "{note}");
        f.focus = Field::Egress;
        assert!(f.paste("zzz").is_none(), "lists take no paste");
    }

    #[test]
    fn locked_name_ignores_typing() {
        let mut f = Form {
            name: Input::new("fixed".into()),
            name_locked: true,
            ..Form::default()
        };
        type_into(&mut f, "abc");
        assert_eq!(f.name.value(), "fixed");
        assert!(!f.has_input());
    }
}
