//! `--template FILE`: prefill the create-mesh form from a JSON document, and team rules.
//!
//! # The template format
//!
//! A template is the document that `aws appmesh create-mesh --cli-input-json` reads (the shape
//! `aws appmesh create-mesh --generate-cli-skeleton` prints), every part optional:
//!
//! ```json
//! {
//!   "meshName": "payments-dev",
//!   "spec": {
//!     "egressFilter": { "type": "DROP_ALL" },
//!     "serviceDiscovery": { "ipPreference": "IPv4_PREFERRED" }
//!   },
//!   "tags": [ { "key": "team", "value": "payments" } ],
//!   "x-appmesh-tui-rules": { "requiredTagKeys": ["team", "env"] }
//! }
//! ```
//!
//! `clientToken` is accepted and ignored (with a note): appmesh-tui sends a fresh token with each
//! create. Parsing is lenient: every problem is reported with its JSON path
//! (`$.tags[3].key: must be 1-128 characters, got 0`) and everything usable is kept, so the app
//! still opens with the rest. Strings of the right type are kept even when they break a service
//! limit (the form shows the same problem and the user can fix it); values of the wrong type,
//! unknown enum values and tags without a usable key are dropped. A file that is not JSON at all
//! is an error naming the file, line and column.
//!
//! # Limits
//!
//! A template is read through [`crate::fileio`]: a regular file only (a FIFO or `/dev/zero` is
//! refused before it is opened) of at most [`TEMPLATE_MAX_BYTES`] (1 MiB; `--max-template-size`
//! raises it), nested at most [`TEMPLATE_JSON_LIMITS`]`.max_depth` levels and holding at most
//! `max_values` JSON values. At most [`MAX_PROBLEMS`] problems are listed, then one line says how
//! many more there are. Names, tag keys and tag values are checked as strictly as typed input:
//! one holding a control character (see [`crate::model::forbidden_char`]) is refused with its
//! path and the character named, and left out of the form.
//!
//! # Team rules: `"x-appmesh-tui-rules"`
//!
//! This top-level section is appmesh-tui's own: the AWS CLI rejects unknown keys, so pass the
//! document from [`Template::cli_input_json`] to the CLI, not the template file itself. All
//! keys are optional:
//!
//! | key | value | rule |
//! | --- | --- | --- |
//! | `description` | string | shown to the user with the rules |
//! | `requiredTagKeys` | array of tag keys | each must be present with a non-empty value |
//! | `allowedTagValues` | object: tag key → array of strings | when the tag is present, its value must be one of these |
//! | `allowedEgressFilters` | array of `DROP_ALL`, `ALLOW_ALL` | the egress filter must be one of these; unset counts as `DROP_ALL`, the service default |
//! | `allowedIpPreferences` | array of `IPv6_PREFERRED`, `IPv4_PREFERRED`, `IPv4_ONLY`, `IPv6_ONLY` | an IP preference must be chosen, and be one of these |
//! | `meshNamePrefix` | string | the mesh name must start with it |
//! | `meshNameMaxLength` | integer ≥ 1 | the mesh name may have at most this many characters |
//! | `lowercaseMeshName` | boolean | when `true`, the mesh name may not contain upper-case letters |
//! | `allowedListenerProtocols` | array of `http`, `tcp`, `http2`, `grpc` | listeners of virtual nodes, routers and gateways must use one of these |
//!
//! [`Rules::check`] returns what a mesh definition breaks, each with a message that says what
//! to change.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::export;
use crate::fileio::{self, Cap, JsonLimits, ReadError, ShapeError};
use crate::model::{
    EgressFilter, IpPreference, MESH_NAME_MAX, MeshSpec, TAG_KEY_MAX, TAG_VALUE_MAX, TAGS_MAX, Tag,
    char_len, char_name, forbidden_char,
};

/// The top-level key of the team rules section.
pub const RULES_KEY: &str = "x-appmesh-tui-rules";

/// The largest template read by default: a template with 50 tags at their longest and long
/// rules is well under 100 KB. `--max-template-size` raises it.
pub const TEMPLATE_MAX_BYTES: u64 = 1 << 20;

/// The shape a template may have: it needs 4 levels
/// (`$.x-appmesh-tui-rules.allowedTagValues.env[0]`) and a few hundred values.
pub const TEMPLATE_JSON_LIMITS: JsonLimits = JsonLimits {
    max_depth: 32,
    max_values: 20_000,
};

/// Problems listed at most; the rest are counted in one last line.
pub const MAX_PROBLEMS: usize = 100;

/// The read cap for templates of at most `bytes`.
pub fn template_cap(bytes: u64) -> Cap {
    Cap {
        what: "template",
        bytes,
        raise: Some("raise the cap with --max-template-size BYTES"),
    }
}

/// How serious a [`Problem`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Severity {
    /// Something in the file was wrong and was dropped or needs fixing.
    Error,
    /// Something was accepted but ignored (such as `clientToken`).
    Note,
}

/// One thing wrong with (or ignored in) a template, at a JSON path such as `$.tags[3].key`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub message: String,
    pub severity: Severity,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// A template file that could not be used at all.
#[derive(Debug)]
pub enum TemplateError {
    /// Missing, not a regular file, over the size cap, not UTF-8, or unreadable.
    Read { source: ReadError },
    /// Nested too deep or too many values (before it was parsed).
    TooComplex { path: PathBuf, error: ShapeError },
    NotJson {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateError::Read { source } if source.is_not_found() => {
                write!(f, "template {source}; check the path given to --template")
            }
            TemplateError::Read { source } => write!(f, "template {source}"),
            TemplateError::TooComplex { path, error } => write!(
                f,
                "template {} {error}, far more than a template needs; check that it is the right file",
                path.display()
            ),
            TemplateError::NotJson {
                path,
                line,
                column,
                message,
            } => write!(
                f,
                "template {} is not valid JSON: line {line}, column {column}: {message}",
                path.display()
            ),
        }
    }
}

impl std::error::Error for TemplateError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TemplateError::Read { source } => Some(source),
            TemplateError::TooComplex { .. } | TemplateError::NotJson { .. } => None,
        }
    }
}

/// A parsed template: the form's prefill, the team rules and what was wrong with the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Template {
    pub mesh_name: Option<String>,
    pub spec: MeshSpec,
    pub tags: Vec<Tag>,
    pub rules: Rules,
    /// Ordered by place: object keys in sorted order, array items by index.
    pub problems: Vec<Problem>,
}

impl Template {
    /// Reads and parses a template file of at most [`TEMPLATE_MAX_BYTES`].
    pub fn load(path: &Path) -> Result<Template, TemplateError> {
        Template::load_capped(path, TEMPLATE_MAX_BYTES)
    }

    /// Reads and parses a template file of at most `max_bytes` (a regular file only: see the
    /// module docs).
    pub fn load_capped(path: &Path, max_bytes: u64) -> Result<Template, TemplateError> {
        let text = fileio::read_text(path, &template_cap(max_bytes))
            .map_err(|source| TemplateError::Read { source })?;
        Template::parse(&text, path)
    }

    /// Parses template text; `source` names the file in errors. The text's shape is checked
    /// against [`TEMPLATE_JSON_LIMITS`] first.
    pub fn parse(text: &str, source: &Path) -> Result<Template, TemplateError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        fileio::check_json_shape(text, TEMPLATE_JSON_LIMITS).map_err(|error| {
            TemplateError::TooComplex {
                path: source.to_path_buf(),
                error,
            }
        })?;
        let value: Value = serde_json::from_str(text).map_err(|e| {
            let full = e.to_string();
            let suffix = format!(" at line {} column {}", e.line(), e.column());
            let message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
            TemplateError::NotJson {
                path: source.to_path_buf(),
                line: e.line(),
                column: e.column(),
                message,
            }
        })?;
        Ok(Template::from_value(&value))
    }

    /// Reads a template from an already parsed JSON value.
    pub fn from_value(value: &Value) -> Template {
        let mut t = Template::default();
        let mut p = Problems::default();
        let Some(obj) = expect_object(value, "$", &mut p) else {
            t.problems = p.finish();
            return t;
        };
        for (key, v) in sorted(obj) {
            let path = child("$", key);
            match key.as_str() {
                "meshName" => {
                    if let Some(s) = expect_string(v, &path, &mut p) {
                        let n = char_len(s);
                        if n == 0 || n > MESH_NAME_MAX {
                            p.error(
                                &path,
                                format!("must be 1-{MESH_NAME_MAX} characters, got {n}"),
                            );
                        }
                        if no_control_chars(
                            s,
                            &path,
                            "a mesh name",
                            "the name was not used",
                            &mut p,
                        ) {
                            t.mesh_name = Some(s.to_string());
                        }
                    }
                }
                "spec" => t.spec = read_spec(v, &path, &mut p),
                "tags" => t.tags = read_tags(v, &path, &mut p),
                "clientToken" => p.note(
                    &path,
                    "ignored; appmesh-tui sends a fresh client token with each create".into(),
                ),
                RULES_KEY => t.rules = Rules::from_value(v, &path, &mut p),
                _ => p.unknown_key(&path),
            }
        }
        t.problems = p.finish();
        t
    }

    /// The `--cli-input-json` document for `aws appmesh create-mesh`: this template without the
    /// rules section (which the AWS CLI would reject) and without `clientToken`.
    pub fn cli_input_json(&self) -> String {
        export::cli_input_json(
            self.mesh_name.as_deref().unwrap_or(""),
            &self.spec,
            &self.tags,
        )
    }

    /// Whether any problem is an error (not only notes).
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }

    /// What the template's own values break of its rules.
    pub fn rule_violations(&self) -> Vec<RuleViolation> {
        self.rules.check(
            self.mesh_name.as_deref().unwrap_or(""),
            &self.spec,
            &self.tags,
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Team rules

/// Team rules from a template's `"x-appmesh-tui-rules"` section (see the module docs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rules {
    pub description: Option<String>,
    /// Tags that must be present with a non-empty value.
    pub required_tag_keys: Vec<String>,
    /// For these tag keys, when present, the only values allowed.
    pub allowed_tag_values: BTreeMap<String, Vec<String>>,
    /// `None`: any. An unset egress filter counts as `DROP_ALL` (the service default).
    pub allowed_egress_filters: Option<Vec<EgressFilter>>,
    /// `None`: any, or unset. `Some`: one of these must be chosen.
    pub allowed_ip_preferences: Option<Vec<IpPreference>>,
    pub mesh_name_prefix: Option<String>,
    pub mesh_name_max_length: Option<usize>,
    pub lowercase_mesh_name: bool,
    /// `None`: any. The protocols listeners of nodes, routers and gateways may use (values of
    /// the model's `PortProtocol`).
    pub allowed_listener_protocols: Option<Vec<String>>,
}

/// The part of the form a [`RuleViolation`] is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RuleField {
    MeshName,
    EgressFilter,
    IpPreference,
    /// The tag with this key.
    Tag(String),
}

/// A rule that a mesh definition breaks, with a message that says what to change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleViolation {
    pub field: RuleField,
    pub message: String,
}

impl fmt::Display for RuleViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn list<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Rules {
    /// Whether there are no rules at all.
    pub fn is_empty(&self) -> bool {
        self.required_tag_keys.is_empty()
            && self.allowed_tag_values.is_empty()
            && self.allowed_egress_filters.is_none()
            && self.allowed_ip_preferences.is_none()
            && self.mesh_name_prefix.is_none()
            && self.mesh_name_max_length.is_none()
            && !self.lowercase_mesh_name
            && self.allowed_listener_protocols.is_none()
    }

    /// The rules in words, one line each, for showing them beside the form (the description
    /// first when there is one). Empty when there are no rules.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(d) = &self.description {
            lines.push(d.clone());
        }
        if let Some(prefix) = &self.mesh_name_prefix {
            lines.push(format!("Mesh name starts with `{prefix}`"));
        }
        if let Some(max) = self.mesh_name_max_length {
            lines.push(format!("Mesh name has at most {max} characters"));
        }
        if self.lowercase_mesh_name {
            lines.push("Mesh name has no upper-case letters".into());
        }
        if let Some(allowed) = &self.allowed_egress_filters {
            lines.push(format!("Egress filter: {}", list(allowed)));
        }
        if let Some(allowed) = &self.allowed_ip_preferences {
            lines.push(format!("IP preference: {}", list(allowed)));
        }
        if let Some(allowed) = &self.allowed_listener_protocols {
            lines.push(format!("Listener protocols: {}", list(allowed)));
        }
        if !self.required_tag_keys.is_empty() {
            lines.push(format!("Required tags: {}", list(&self.required_tag_keys)));
        }
        for (key, allowed) in &self.allowed_tag_values {
            lines.push(format!("Tag `{key}`: {}", list(allowed)));
        }
        lines
    }

    /// What `name`, `spec` and `tags` break of these rules, in the form's order (name, egress
    /// filter, IP preference, tags). Empty when everything is allowed.
    pub fn check(&self, name: &str, spec: &MeshSpec, tags: &[Tag]) -> Vec<RuleViolation> {
        let mut v = Vec::new();
        let mut add = |field: RuleField, message: String| v.push(RuleViolation { field, message });
        if let Some(prefix) = &self.mesh_name_prefix
            && !name.starts_with(prefix.as_str())
        {
            add(
                RuleField::MeshName,
                format!("mesh name must start with `{prefix}` (the template's rules)"),
            );
        }
        if let Some(max) = self.mesh_name_max_length {
            let n = char_len(name);
            if n > max {
                add(
                    RuleField::MeshName,
                    format!(
                        "mesh name is {n} characters; the template's rules allow at most {max}"
                    ),
                );
            }
        }
        if self.lowercase_mesh_name && name.chars().any(char::is_uppercase) {
            add(
                RuleField::MeshName,
                "mesh name has upper-case letters; the template's rules allow lower case only"
                    .into(),
            );
        }
        if let Some(allowed) = &self.allowed_egress_filters {
            match spec.egress_filter {
                Some(e) if !allowed.contains(&e) => add(
                    RuleField::EgressFilter,
                    format!(
                        "egress filter `{e}` is not allowed by the template's rules; choose {}",
                        list(allowed)
                    ),
                ),
                None if !allowed.contains(&EgressFilter::DropAll) => add(
                    RuleField::EgressFilter,
                    format!(
                        "egress filter is not set, which means `DROP_ALL` (the service default), \
                         and the template's rules do not allow it; choose {}",
                        list(allowed)
                    ),
                ),
                _ => {}
            }
        }
        if let Some(allowed) = &self.allowed_ip_preferences {
            match spec.ip_preference {
                Some(p) if !allowed.contains(&p) => add(
                    RuleField::IpPreference,
                    format!(
                        "IP preference `{p}` is not allowed by the template's rules; choose {}",
                        list(allowed)
                    ),
                ),
                None => add(
                    RuleField::IpPreference,
                    format!(
                        "IP preference is required by the template's rules; choose {}",
                        list(allowed)
                    ),
                ),
                _ => {}
            }
        }
        for key in &self.required_tag_keys {
            match tags.iter().find(|t| &t.key == key) {
                None => add(
                    RuleField::Tag(key.clone()),
                    format!("tag `{key}` is required by the template's rules; add it in Tags"),
                ),
                Some(t) if t.value.is_empty() => add(
                    RuleField::Tag(key.clone()),
                    format!("tag `{key}` needs a value (the template's rules); set it in Tags"),
                ),
                _ => {}
            }
        }
        for (key, allowed) in &self.allowed_tag_values {
            for t in tags.iter().filter(|t| &t.key == key) {
                if !allowed.contains(&t.value) {
                    add(
                        RuleField::Tag(key.clone()),
                        format!(
                            "tag `{key}` is `{}`; the template's rules allow only {}; change it in Tags",
                            t.value,
                            list(allowed)
                        ),
                    );
                }
            }
        }
        v
    }

    /// What an UpdateMesh to `spec` breaks: the rules on the spec only (the name of an existing
    /// mesh cannot change, and its tags are edited on their own).
    pub fn check_spec(&self, spec: &MeshSpec) -> Vec<RuleViolation> {
        self.check("", spec, &[])
            .into_iter()
            .filter(|v| matches!(v.field, RuleField::EgressFilter | RuleField::IpPreference))
            .collect()
    }

    /// What changing a mesh's tags from `before` to `after` breaks that `before` did not: the
    /// tag rules only, so that an edit is refused for making things worse, not for what a mesh
    /// made before the rules already breaks.
    pub fn check_tag_change(&self, before: &[Tag], after: &[Tag]) -> Vec<RuleViolation> {
        let tag_rules = |tags: &[Tag]| -> Vec<RuleViolation> {
            self.check("", &MeshSpec::default(), tags)
                .into_iter()
                .filter(|v| matches!(v.field, RuleField::Tag(_)))
                .collect()
        };
        let old = tag_rules(before);
        tag_rules(after)
            .into_iter()
            .filter(|v| !old.contains(v))
            .collect()
    }

    /// The team rules a tag edit would newly break, as a message for the tag editor: `None`
    /// when the edit is allowed.
    pub fn tag_block(&self, before: &[Tag], after: &[Tag]) -> Option<String> {
        let violations = self.check_tag_change(before, after);
        let first = violations.first()?;
        let more = match violations.len() {
            1 => String::new(),
            n => format!(" ({} more)", n - 1),
        };
        Some(format!("Not sent: team rule: {}{more}.", first.message))
    }

    fn from_value(value: &Value, path: &str, p: &mut Problems) -> Rules {
        let mut r = Rules::default();
        let Some(obj) = expect_object(value, path, p) else {
            return r;
        };
        for (key, v) in sorted(obj) {
            let path = child(path, key);
            match key.as_str() {
                "description" => r.description = expect_string(v, &path, p).map(str::to_string),
                "requiredTagKeys" => {
                    if let Some(keys) = string_list(v, &path, p) {
                        for (i, k) in keys {
                            let n = char_len(&k);
                            let at = index(&path, i);
                            if n == 0 || n > TAG_KEY_MAX {
                                p.error(
                                    &at,
                                    format!("must be 1-{TAG_KEY_MAX} characters, got {n}"),
                                );
                                continue;
                            }
                            let usable =
                                no_control_chars(&k, &at, "a tag key", "the rule leaves it out", p);
                            if usable && !r.required_tag_keys.contains(&k) {
                                r.required_tag_keys.push(k);
                            }
                        }
                    }
                }
                "allowedTagValues" => {
                    if let Some(m) = expect_object(v, &path, p) {
                        for (k, vals) in sorted(m) {
                            let path = child(&path, k);
                            if !no_control_chars(k, &path, "a tag key", "the rule leaves it out", p)
                            {
                                continue;
                            }
                            if let Some(vals) = string_list(vals, &path, p) {
                                let vals: Vec<String> = vals
                                    .into_iter()
                                    .filter(|(i, s)| {
                                        no_control_chars(
                                            s,
                                            &index(&path, *i),
                                            "a tag value",
                                            "the rule leaves it out",
                                            p,
                                        )
                                    })
                                    .map(|(_, s)| s)
                                    .collect();
                                if vals.is_empty() {
                                    p.error(&path, "empty list would allow no value; remove the key to allow any value".into());
                                } else {
                                    r.allowed_tag_values.insert(k.clone(), vals);
                                }
                            }
                        }
                    }
                }
                "allowedEgressFilters" => {
                    r.allowed_egress_filters =
                        enum_list(v, &path, p, &EgressFilter::ALL, EgressFilter::as_str)
                }
                "allowedIpPreferences" => {
                    r.allowed_ip_preferences =
                        enum_list(v, &path, p, &IpPreference::ALL, IpPreference::as_str)
                }
                "allowedListenerProtocols" => {
                    let known = crate::shape::model().enum_values("PortProtocol");
                    if let Some(items) = string_list(v, &path, p) {
                        let mut out: Vec<String> = Vec::new();
                        for (i, s) in items {
                            if !known.contains(&s) {
                                p.error(
                                    &index(&path, i),
                                    format!(
                                        "{s:?} is not a listener protocol; use one of {}",
                                        known.join(", ")
                                    ),
                                );
                            } else if !out.contains(&s) {
                                out.push(s);
                            }
                        }
                        if out.is_empty() {
                            p.error(
                                &path,
                                "no valid value, so the rule is ignored; list at least one allowed value".into(),
                            );
                        } else {
                            r.allowed_listener_protocols = Some(out);
                        }
                    }
                }
                "meshNamePrefix" => {
                    r.mesh_name_prefix = expect_string(v, &path, p)
                        .filter(|s| {
                            no_control_chars(s, &path, "a mesh name", "the rule is ignored", p)
                        })
                        .map(str::to_string)
                }
                "meshNameMaxLength" => match v.as_u64() {
                    Some(n) if n >= 1 => r.mesh_name_max_length = Some(n as usize),
                    _ => p.error(
                        &path,
                        format!("expected an integer of at least 1, got {}", show(v)),
                    ),
                },
                "lowercaseMeshName" => {
                    if let Some(b) = v.as_bool() {
                        r.lowercase_mesh_name = b;
                    } else {
                        p.error(&path, format!("expected a boolean, got {}", kind(v)));
                    }
                }
                "meshNamePattern" => p.error(
                    &path,
                    "patterns are not supported; use meshNamePrefix, meshNameMaxLength and \
                     lowercaseMeshName"
                        .into(),
                ),
                _ => p.unknown_key(&path),
            }
        }
        r
    }
}

// ---------------------------------------------------------------------------------------------
// Walking the JSON

/// The problems found so far: the first [`MAX_PROBLEMS`], and how many more.
#[derive(Default)]
struct Problems {
    listed: Vec<Problem>,
    more: usize,
}

impl Problems {
    fn push(&mut self, path: &str, message: String, severity: Severity) {
        if self.listed.len() < MAX_PROBLEMS {
            self.listed.push(Problem {
                path: path.to_string(),
                message,
                severity,
            });
        } else {
            self.more += 1;
        }
    }

    fn error(&mut self, path: &str, message: String) {
        self.push(path, message, Severity::Error);
    }

    fn note(&mut self, path: &str, message: String) {
        self.push(path, message, Severity::Note);
    }

    /// The listed problems, and a last one that counts the rest.
    fn finish(mut self) -> Vec<Problem> {
        if self.more > 0 {
            self.listed.push(Problem {
                path: "$".into(),
                message: format!(
                    "{} more problem{} not listed (only the first {MAX_PROBLEMS} are); fix these and load it again",
                    fileio::thousands(self.more as u64),
                    if self.more == 1 { "" } else { "s" }
                ),
                severity: Severity::Error,
            });
        }
        self.listed
    }

    fn unknown_key(&mut self, path: &str) {
        self.error(path, "unknown key".into());
    }
}

/// `parent.key`, or `parent["key"]` when the key is not a plain identifier.
fn child(parent: &str, key: &str) -> String {
    let plain = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        format!("{parent}.{key}")
    } else {
        format!("{parent}[{}]", Value::String(key.to_string()))
    }
}

fn index(parent: &str, i: usize) -> String {
    format!("{parent}[{i}]")
}

/// An object's entries by key, whatever serde_json's `preserve_order` feature says, so that
/// problems come out in the same order everywhere.
fn sorted(m: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut v: Vec<_> = m.iter().collect();
    v.sort_by(|a, b| a.0.cmp(b.0));
    v
}

/// "a string", "an array", … for messages.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A value as JSON for messages, shortened when long.
fn show(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        let head: String = s.chars().take(57).collect();
        format!("{head}...")
    } else {
        s
    }
}

fn expect_object<'v>(v: &'v Value, path: &str, p: &mut Problems) -> Option<&'v Map<String, Value>> {
    match v {
        Value::Object(m) => Some(m),
        other => {
            p.error(path, format!("expected an object, got {}", kind(other)));
            None
        }
    }
}

fn expect_string<'v>(v: &'v Value, path: &str, p: &mut Problems) -> Option<&'v str> {
    match v {
        Value::String(s) => Some(s),
        other => {
            p.error(path, format!("expected a string, got {}", kind(other)));
            None
        }
    }
}

/// True when `s` holds no control character; else reports the first one (its position and
/// name) at `path` and returns false. `what` is "a mesh name", `consequence` what happens to
/// the value.
fn no_control_chars(s: &str, path: &str, what: &str, consequence: &str, p: &mut Problems) -> bool {
    match forbidden_char(s) {
        None => true,
        Some((at, c)) => {
            p.error(
                path,
                format!(
                    "character {at} is {}, a control character, which {what} may not hold; {consequence}",
                    char_name(c)
                ),
            );
            false
        }
    }
}

/// The strings of an array, with their indexes; non-strings are reported and skipped.
fn string_list(v: &Value, path: &str, p: &mut Problems) -> Option<Vec<(usize, String)>> {
    let Value::Array(items) = v else {
        p.error(path, format!("expected an array, got {}", kind(v)));
        return None;
    };
    Some(
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| {
                expect_string(item, &index(path, i), p).map(|s| (i, s.to_string()))
            })
            .collect(),
    )
}

fn one_of_message<T: Copy>(s: &str, all: &[T], as_str: fn(T) -> &'static str) -> String {
    let names: Vec<&str> = all.iter().map(|&v| as_str(v)).collect();
    format!(
        "{} is not one of {}",
        Value::String(s.to_string()),
        names.join(", ")
    )
}

fn enum_value<T: Copy>(
    v: &Value,
    path: &str,
    p: &mut Problems,
    all: &[T],
    as_str: fn(T) -> &'static str,
) -> Option<T> {
    let s = expect_string(v, path, p)?;
    let found = all.iter().copied().find(|&e| as_str(e) == s);
    if found.is_none() {
        p.error(path, one_of_message(s, all, as_str));
    }
    found
}

fn enum_list<T: Copy + PartialEq>(
    v: &Value,
    path: &str,
    p: &mut Problems,
    all: &[T],
    as_str: fn(T) -> &'static str,
) -> Option<Vec<T>> {
    let Value::Array(items) = v else {
        p.error(path, format!("expected an array, got {}", kind(v)));
        return None;
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if let Some(e) = enum_value(item, &index(path, i), p, all, as_str)
            && !out.contains(&e)
        {
            out.push(e);
        }
    }
    if out.is_empty() {
        p.error(
            path,
            "no valid value, so the rule is ignored; list at least one allowed value".into(),
        );
        return None;
    }
    Some(out)
}

fn read_spec(v: &Value, path: &str, p: &mut Problems) -> MeshSpec {
    let mut spec = MeshSpec::default();
    let Some(obj) = expect_object(v, path, p) else {
        return spec;
    };
    for (key, v) in sorted(obj) {
        let path = child(path, key);
        match key.as_str() {
            "egressFilter" => {
                if let Some(ef) = expect_object(v, &path, p) {
                    let mut seen_type = false;
                    for (k, v) in sorted(ef) {
                        let path = child(&path, k);
                        if k == "type" {
                            seen_type = true;
                            spec.egress_filter =
                                enum_value(v, &path, p, &EgressFilter::ALL, EgressFilter::as_str);
                        } else {
                            p.unknown_key(&path);
                        }
                    }
                    if !seen_type {
                        p.error(
                            &child(&path, "type"),
                            "missing; it is required in egressFilter (DROP_ALL or ALLOW_ALL)"
                                .into(),
                        );
                    }
                }
            }
            "serviceDiscovery" => {
                if let Some(sd) = expect_object(v, &path, p) {
                    for (k, v) in sorted(sd) {
                        let path = child(&path, k);
                        if k == "ipPreference" {
                            spec.ip_preference =
                                enum_value(v, &path, p, &IpPreference::ALL, IpPreference::as_str);
                        } else {
                            p.unknown_key(&path);
                        }
                    }
                }
            }
            _ => p.unknown_key(&path),
        }
    }
    spec
}

fn read_tags(v: &Value, path: &str, p: &mut Problems) -> Vec<Tag> {
    let Value::Array(items) = v else {
        p.error(path, format!("expected an array, got {}", kind(v)));
        return Vec::new();
    };
    if items.len() > TAGS_MAX {
        p.error(
            path,
            format!(
                "{} tags; the service allows at most {TAGS_MAX}",
                items.len()
            ),
        );
    }
    let mut tags: Vec<Tag> = Vec::new();
    let mut first_index: BTreeMap<String, usize> = BTreeMap::new();
    let tags_path = path;
    for (i, item) in items.iter().enumerate() {
        let path = index(tags_path, i);
        let Some(obj) = expect_object(item, &path, p) else {
            continue;
        };
        let mut key = None;
        let mut value = None;
        // A key or value with a control character: the whole tag is dropped.
        let mut refused = false;
        for (k, v) in sorted(obj) {
            let kpath = child(&path, k);
            match k.as_str() {
                "key" => {
                    if let Some(s) = expect_string(v, &kpath, p) {
                        let n = char_len(s);
                        if n == 0 || n > TAG_KEY_MAX {
                            p.error(
                                &kpath,
                                format!("must be 1-{TAG_KEY_MAX} characters, got {n}"),
                            );
                        }
                        if no_control_chars(s, &kpath, "a tag key", "the tag was dropped", p) {
                            key = Some(s.to_string());
                        } else {
                            refused = true;
                        }
                    }
                }
                "value" => {
                    if let Some(s) = expect_string(v, &kpath, p) {
                        let n = char_len(s);
                        if n > TAG_VALUE_MAX {
                            p.error(
                                &kpath,
                                format!("must be at most {TAG_VALUE_MAX} characters, got {n}"),
                            );
                        }
                        if no_control_chars(s, &kpath, "a tag value", "the tag was dropped", p) {
                            value = Some(s.to_string());
                        } else {
                            refused = true;
                        }
                    }
                }
                _ => p.unknown_key(&kpath),
            }
        }
        if refused {
            continue;
        }
        let Some(key) = key else {
            if !obj.contains_key("key") {
                p.error(&child(&path, "key"), "missing; the tag was dropped".into());
            }
            continue;
        };
        let value = match value {
            Some(v) => v,
            None => {
                if !obj.contains_key("value") {
                    p.error(
                        &child(&path, "value"),
                        "missing; the service requires it (use \"\" for no value)".into(),
                    );
                }
                String::new()
            }
        };
        if let Some(&first) = first_index.get(&key) {
            p.error(
                &child(&path, "key"),
                format!(
                    "{} is already the key of {}",
                    Value::String(key.clone()),
                    index(tags_path, first)
                ),
            );
        } else {
            first_index.insert(key.clone(), i);
        }
        tags.push(Tag { key, value });
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(t: &Template) -> Vec<String> {
        t.problems.iter().map(|p| p.to_string()).collect()
    }

    fn parse(text: &str) -> Template {
        Template::parse(text, Path::new("t.json")).unwrap()
    }

    #[test]
    fn full_valid_template() {
        let t = Template::from_value(&json!({
            "meshName": "payments",
            "spec": {
                "egressFilter": { "type": "ALLOW_ALL" },
                "serviceDiscovery": { "ipPreference": "IPv6_ONLY" }
            },
            "tags": [{ "key": "team", "value": "pay" }, { "key": "env", "value": "" }]
        }));
        assert_eq!(t.problems, []);
        assert_eq!(t.mesh_name.as_deref(), Some("payments"));
        assert_eq!(t.spec.egress_filter, Some(EgressFilter::AllowAll));
        assert_eq!(t.spec.ip_preference, Some(IpPreference::Ipv6Only));
        assert_eq!(t.tags, [Tag::new("team", "pay"), Tag::new("env", "")]);
        assert!(t.rules.is_empty());
    }

    #[test]
    fn empty_object_is_fine() {
        let t = parse("{}");
        assert_eq!(t, Template::default());
    }

    #[test]
    fn problems_have_exact_paths_and_valid_parts_are_kept() {
        let t = Template::from_value(&json!({
            "meshName": "ok",
            "foo": 1,
            "spec": {
                "egressFilter": { "type": "DENY", "extra": true },
                "serviceDiscovery": { "ipPreference": "IPv4_PREFERRED" }
            },
            "tags": [
                { "key": "a", "value": "1" },
                "not-an-object",
                { "key": 5, "value": "x" },
                { "key": "", "value": "y" },
                { "key": "b" },
                { "key": "a", "value": "2" }
            ]
        }));
        assert_eq!(
            paths(&t),
            [
                "$.foo: unknown key",
                "$.spec.egressFilter.extra: unknown key",
                "$.spec.egressFilter.type: \"DENY\" is not one of DROP_ALL, ALLOW_ALL",
                "$.tags[1]: expected an object, got a string",
                "$.tags[2].key: expected a string, got a number",
                "$.tags[3].key: must be 1-128 characters, got 0",
                "$.tags[4].value: missing; the service requires it (use \"\" for no value)",
                "$.tags[5].key: \"a\" is already the key of $.tags[0]",
            ]
        );
        assert_eq!(t.mesh_name.as_deref(), Some("ok"));
        assert_eq!(t.spec.egress_filter, None);
        assert_eq!(t.spec.ip_preference, Some(IpPreference::Ipv4Preferred));
        assert_eq!(
            t.tags,
            [
                Tag::new("a", "1"),
                Tag::new("", "y"),
                Tag::new("b", ""),
                Tag::new("a", "2")
            ]
        );
        assert!(t.has_errors());
    }

    #[test]
    fn wrong_types_at_top_level() {
        let t = Template::from_value(&json!({ "meshName": 3, "spec": [], "tags": "t" }));
        assert_eq!(
            paths(&t),
            [
                "$.meshName: expected a string, got a number",
                "$.spec: expected an object, got an array",
                "$.tags: expected an array, got a string",
            ]
        );
        let t = Template::from_value(&json!([1]));
        assert_eq!(paths(&t), ["$: expected an object, got an array"]);
        let t = Template::from_value(&json!({ "spec": { "egressFilter": {} } }));
        assert_eq!(
            paths(&t),
            [
                "$.spec.egressFilter.type: missing; it is required in egressFilter (DROP_ALL or ALLOW_ALL)"
            ]
        );
    }

    #[test]
    fn limits() {
        let tags: Vec<Value> = (0..53)
            .map(|i| json!({ "key": format!("k{i}"), "value": "v" }))
            .collect();
        let t = Template::from_value(&json!({
            "meshName": "x".repeat(256),
            "tags": tags,
        }));
        assert_eq!(
            paths(&t),
            [
                "$.meshName: must be 1-255 characters, got 256",
                "$.tags: 53 tags; the service allows at most 50",
            ]
        );
        assert_eq!(t.tags.len(), 53);
        assert_eq!(t.mesh_name.as_ref().map(String::len), Some(256));
        let t = Template::from_value(&json!({
            "meshName": "",
            "tags": [{ "key": "k".repeat(129), "value": "v".repeat(257) }]
        }));
        assert_eq!(
            paths(&t),
            [
                "$.meshName: must be 1-255 characters, got 0",
                "$.tags[0].key: must be 1-128 characters, got 129",
                "$.tags[0].value: must be at most 256 characters, got 257",
            ]
        );
    }

    #[test]
    fn client_token_is_a_note() {
        let t = Template::from_value(&json!({ "clientToken": "", "meshName": "m" }));
        assert_eq!(t.problems.len(), 1);
        assert_eq!(t.problems[0].severity, Severity::Note);
        assert_eq!(t.problems[0].path, "$.clientToken");
        assert!(!t.has_errors());
    }

    #[test]
    fn not_json_names_file_line_and_column() {
        let err = Template::parse(
            "{\n  \"meshName\": \"m\",\n  oops\n}",
            Path::new("dir/t.json"),
        )
        .unwrap_err();
        let TemplateError::NotJson { line, column, .. } = &err else {
            panic!("{err:?}");
        };
        assert_eq!((*line, *column), (3, 3));
        let msg = err.to_string();
        assert!(
            msg.starts_with("template dir/t.json is not valid JSON: line 3, column 3: "),
            "{msg}"
        );
        assert!(!msg.contains("at line"), "{msg}");
        let err = Template::parse("", Path::new("e.json")).unwrap_err();
        assert!(err.to_string().contains("e.json"), "{err}");
        let err = Template::load(Path::new("/nonexistent/t.json")).unwrap_err();
        assert!(matches!(err, TemplateError::Read { .. }));
        assert!(err.to_string().contains("/nonexistent/t.json"), "{err}");
    }

    #[test]
    fn bom_is_accepted() {
        let t = parse("\u{feff}{\"meshName\":\"m\"}");
        assert_eq!(t.mesh_name.as_deref(), Some("m"));
    }

    #[test]
    fn round_trip_through_cli_input_json() {
        let cases = [
            (MeshSpec::default(), vec![]),
            (
                MeshSpec {
                    egress_filter: Some(EgressFilter::DropAll),
                    ip_preference: Some(IpPreference::Ipv4Only),
                },
                vec![Tag::new("team", "it's \"q\" $(x) \\"), Tag::new("ü🦀", "")],
            ),
            (
                MeshSpec {
                    egress_filter: None,
                    ip_preference: Some(IpPreference::Ipv6Preferred),
                },
                vec![Tag::new("a", "b")],
            ),
        ];
        for name in ["m", "weird name \"'\\ {}[]", "网格"] {
            for (spec, tags) in &cases {
                let text = export::cli_input_json(name, spec, tags);
                let t = parse(&text);
                assert_eq!(t.problems, [], "{text}");
                assert_eq!(t.mesh_name.as_deref(), Some(name));
                assert_eq!(&t.spec, spec);
                assert_eq!(&t.tags, tags);
                assert_eq!(t.cli_input_json(), text);
            }
        }
    }

    #[test]
    fn control_characters_from_a_template_are_refused_with_the_path_and_the_character() {
        let t = Template::from_value(&json!({
            "meshName": "prod\u{0}x",
            "tags": [
                { "key": "te\u{1b}[2Jam", "value": "ops" },
                { "key": "env", "value": "dev\u{202e}ved" },
                { "key": "ok", "value": "fine" }
            ],
            RULES_KEY: {
                "requiredTagKeys": ["team", "bad\nkey"],
                "allowedTagValues": { "env": ["dev", "p\u{7}rod"] },
                "meshNamePrefix": "\u{9b}x"
            }
        }));
        assert_eq!(t.mesh_name, None, "the name is not used");
        assert_eq!(t.tags, [Tag::new("ok", "fine")]);
        assert_eq!(t.rules.required_tag_keys, ["team"]);
        assert_eq!(t.rules.allowed_tag_values["env"], ["dev"]);
        assert_eq!(t.rules.mesh_name_prefix, None);
        let p = paths(&t);
        for expected in [
            "$.meshName: character 5 is U+0000 (NUL), a control character, which a mesh name may not hold; the name was not used",
            "$.tags[0].key: character 3 is U+001B (ESC), a control character, which a tag key may not hold; the tag was dropped",
            "$.tags[1].value: character 4 is U+202E (right-to-left override), a control character, which a tag value may not hold; the tag was dropped",
            "$[\"x-appmesh-tui-rules\"].requiredTagKeys[1]: character 4 is U+000A (line feed)",
            "$[\"x-appmesh-tui-rules\"].allowedTagValues.env[1]: character 2 is U+0007 (BEL)",
            "$[\"x-appmesh-tui-rules\"].meshNamePrefix: character 1 is U+009B (a C1 control)",
        ] {
            assert!(
                p.iter().any(|l| l.starts_with(expected)),
                "missing {expected:?} in {p:#?}"
            );
        }
    }

    #[test]
    fn deep_or_huge_documents_are_refused_before_parsing() {
        let deep = format!("{}{}", "[".repeat(40), "]".repeat(40));
        let e = Template::parse(&deep, Path::new("deep.json")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("template deep.json nested more than 32 levels deep"),
            "{e}"
        );
        let many = format!("[{}0]", "0,".repeat(30_000));
        let e = Template::parse(&many, Path::new("many.json")).unwrap_err();
        assert!(e.to_string().contains("more than 20,000 values"), "{e}");
    }

    #[test]
    fn problems_are_listed_up_to_the_limit_then_counted() {
        let mut obj = serde_json::Map::new();
        for i in 0..250 {
            obj.insert(format!("junk{i:03}"), json!(1));
        }
        let t = Template::from_value(&Value::Object(obj));
        assert_eq!(t.problems.len(), MAX_PROBLEMS + 1);
        let last = t.problems.last().unwrap().to_string();
        assert_eq!(
            last,
            "$: 150 more problems not listed (only the first 100 are); fix these and load it again"
        );
    }

    #[test]
    fn a_template_that_is_a_fifo_or_a_device_or_too_large_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("t.json");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid C string; mkfifo only creates a file.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = Template::load(&fifo).unwrap_err().to_string();
        assert!(e.contains("t.json is a FIFO (named pipe)"), "{e}");
        let e = Template::load(Path::new("/dev/zero"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("/dev/zero is a character device"), "{e}");
        let big = dir.path().join("big.json");
        std::fs::write(
            &big,
            format!("{{\"meshName\": \"{}\"}}", "x".repeat(2 << 20)),
        )
        .unwrap();
        let e = Template::load(&big).unwrap_err().to_string();
        assert!(
            e.contains("big.json is larger than 1 MiB") && e.contains("--max-template-size"),
            "{e}"
        );
        assert!(
            Template::load_capped(&big, 4 << 20).is_ok(),
            "a raised cap reads it"
        );
    }

    fn team_rules() -> Rules {
        Template::from_value(&json!({
            RULES_KEY: {
                "description": "Team defaults",
                "requiredTagKeys": ["team", "env", "team"],
                "allowedTagValues": { "env": ["dev", "prod"] },
                "allowedEgressFilters": ["DROP_ALL"],
                "allowedIpPreferences": ["IPv4_PREFERRED", "IPv4_ONLY"],
                "meshNamePrefix": "pay-",
                "meshNameMaxLength": 12,
                "lowercaseMeshName": true
            }
        }))
        .rules
    }

    #[test]
    fn rules_parse() {
        let r = team_rules();
        assert_eq!(r.description.as_deref(), Some("Team defaults"));
        assert_eq!(r.required_tag_keys, ["team", "env"]);
        assert_eq!(r.allowed_tag_values["env"], ["dev", "prod"]);
        assert_eq!(r.allowed_egress_filters, Some(vec![EgressFilter::DropAll]));
        assert_eq!(
            r.allowed_ip_preferences,
            Some(vec![IpPreference::Ipv4Preferred, IpPreference::Ipv4Only])
        );
        assert_eq!(r.mesh_name_prefix.as_deref(), Some("pay-"));
        assert_eq!(r.mesh_name_max_length, Some(12));
        assert!(r.lowercase_mesh_name);
        assert!(!r.is_empty());
    }

    #[test]
    fn rules_describe() {
        assert_eq!(Rules::default().describe(), Vec::<String>::new());
        assert_eq!(
            team_rules().describe(),
            [
                "Team defaults",
                "Mesh name starts with `pay-`",
                "Mesh name has at most 12 characters",
                "Mesh name has no upper-case letters",
                "Egress filter: `DROP_ALL`",
                "IP preference: `IPv4_PREFERRED`, `IPv4_ONLY`",
                "Required tags: `team`, `env`",
                "Tag `env`: `dev`, `prod`",
            ]
        );
    }

    #[test]
    fn rules_pass() {
        let r = team_rules();
        let spec = MeshSpec {
            egress_filter: None, // counts as DROP_ALL
            ip_preference: Some(IpPreference::Ipv4Only),
        };
        let tags = [Tag::new("team", "payments"), Tag::new("env", "dev")];
        assert_eq!(r.check("pay-api", &spec, &tags), []);
        assert_eq!(Rules::default().check("", &MeshSpec::default(), &[]), []);
    }

    #[test]
    fn rules_violations_say_what_to_do() {
        let r = team_rules();
        let spec = MeshSpec {
            egress_filter: Some(EgressFilter::AllowAll),
            ip_preference: None,
        };
        let tags = [Tag::new("env", "qa"), Tag::new("Team", "x")];
        let v = r.check("Payments-Mesh", &spec, &tags);
        let msgs: Vec<&str> = v.iter().map(|v| v.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "mesh name must start with `pay-` (the template's rules)",
                "mesh name is 13 characters; the template's rules allow at most 12",
                "mesh name has upper-case letters; the template's rules allow lower case only",
                "egress filter `ALLOW_ALL` is not allowed by the template's rules; choose `DROP_ALL`",
                "IP preference is required by the template's rules; choose `IPv4_PREFERRED`, `IPv4_ONLY`",
                "tag `team` is required by the template's rules; add it in Tags",
                "tag `env` is `qa`; the template's rules allow only `dev`, `prod`; change it in Tags",
            ]
        );
        assert_eq!(v[0].field, RuleField::MeshName);
        assert_eq!(v[3].field, RuleField::EgressFilter);
        assert_eq!(v[4].field, RuleField::IpPreference);
        assert_eq!(v[5].field, RuleField::Tag("team".into()));
        let v = r.check(
            "pay-x",
            &MeshSpec {
                egress_filter: None,
                ip_preference: Some(IpPreference::Ipv6Only),
            },
            &[Tag::new("team", ""), Tag::new("env", "prod")],
        );
        let msgs: Vec<&str> = v.iter().map(|v| v.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "IP preference `IPv6_ONLY` is not allowed by the template's rules; choose `IPv4_PREFERRED`, `IPv4_ONLY`",
                "tag `team` needs a value (the template's rules); set it in Tags",
            ]
        );
    }

    #[test]
    fn unset_egress_filter_counts_as_drop_all() {
        let r = Rules {
            allowed_egress_filters: Some(vec![EgressFilter::AllowAll]),
            ..Rules::default()
        };
        let v = r.check("m", &MeshSpec::default(), &[]);
        assert_eq!(v.len(), 1);
        assert!(
            v[0].message.contains("not set, which means `DROP_ALL`"),
            "{}",
            v[0]
        );
    }

    #[test]
    fn rules_problems() {
        let t = Template::from_value(&json!({
            RULES_KEY: {
                "requiredTagKeys": ["ok", 1, ""],
                "allowedTagValues": { "env": [], "x y": "dev" },
                "allowedEgressFilters": ["DENY"],
                "allowedIpPreferences": "IPv4_ONLY",
                "meshNameMaxLength": 0,
                "lowercaseMeshName": "yes",
                "meshNamePattern": "^a$",
                "bogus": null
            }
        }));
        assert_eq!(
            paths(&t),
            [
                "$[\"x-appmesh-tui-rules\"].allowedEgressFilters[0]: \"DENY\" is not one of DROP_ALL, ALLOW_ALL",
                "$[\"x-appmesh-tui-rules\"].allowedEgressFilters: no valid value, so the rule is ignored; list at least one allowed value",
                "$[\"x-appmesh-tui-rules\"].allowedIpPreferences: expected an array, got a string",
                "$[\"x-appmesh-tui-rules\"].allowedTagValues.env: empty list would allow no value; remove the key to allow any value",
                "$[\"x-appmesh-tui-rules\"].allowedTagValues[\"x y\"]: expected an array, got a string",
                "$[\"x-appmesh-tui-rules\"].bogus: unknown key",
                "$[\"x-appmesh-tui-rules\"].lowercaseMeshName: expected a boolean, got a string",
                "$[\"x-appmesh-tui-rules\"].meshNameMaxLength: expected an integer of at least 1, got 0",
                "$[\"x-appmesh-tui-rules\"].meshNamePattern: patterns are not supported; use meshNamePrefix, meshNameMaxLength and lowercaseMeshName",
                "$[\"x-appmesh-tui-rules\"].requiredTagKeys[1]: expected a string, got a number",
                "$[\"x-appmesh-tui-rules\"].requiredTagKeys[2]: must be 1-128 characters, got 0",
            ]
        );
        assert_eq!(t.rules.required_tag_keys, ["ok"]);
        assert!(t.rules.allowed_egress_filters.is_none());
    }

    #[test]
    fn listener_protocol_rules_take_the_models_values() {
        let t = Template::from_value(&json!({
            RULES_KEY: { "allowedListenerProtocols": ["http", "udp", "grpc", "http"] }
        }));
        assert_eq!(
            paths(&t),
            [
                "$[\"x-appmesh-tui-rules\"].allowedListenerProtocols[1]: \"udp\" is not a listener protocol; use one of http, tcp, http2, grpc"
            ]
        );
        assert_eq!(
            t.rules.allowed_listener_protocols.as_deref(),
            Some(&["http".to_string(), "grpc".to_string()][..])
        );
        assert!(!t.rules.is_empty());
        assert_eq!(t.rules.describe(), ["Listener protocols: `http`, `grpc`"]);
        let t =
            Template::from_value(&json!({ RULES_KEY: { "allowedListenerProtocols": ["udp"] } }));
        assert!(t.rules.allowed_listener_protocols.is_none());
    }

    #[test]
    fn cli_input_json_drops_rules_and_client_token() {
        let t = Template::from_value(&json!({
            "clientToken": "abc",
            "meshName": "m",
            RULES_KEY: { "requiredTagKeys": ["team"] }
        }));
        assert_eq!(t.cli_input_json(), "{\n    \"meshName\": \"m\"\n}\n");
        assert_eq!(t.rule_violations().len(), 1);
    }

    fn asset(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets/templates")
            .join(name)
    }

    #[test]
    fn example_minimal() {
        let t = Template::load(&asset("minimal.json")).unwrap();
        assert_eq!(t.problems, []);
        assert_eq!(t.mesh_name.as_deref(), Some("my-mesh"));
        assert_eq!(t.spec, MeshSpec::default());
        assert!(t.tags.is_empty() && t.rules.is_empty());
    }

    #[test]
    fn example_team_dev() {
        let t = Template::load(&asset("team-dev.json")).unwrap();
        assert_eq!(t.problems, []);
        assert_eq!(t.spec.egress_filter, Some(EgressFilter::DropAll));
        assert_eq!(t.spec.ip_preference, Some(IpPreference::Ipv4Preferred));
        assert_eq!(t.rules.required_tag_keys, ["team", "env"]);
        // The template satisfies its own rules...
        assert_eq!(t.rule_violations(), []);
        // ...and dropping a required tag breaks them.
        let tags: Vec<Tag> = t.tags.iter().filter(|t| t.key != "team").cloned().collect();
        let v = t
            .rules
            .check(t.mesh_name.as_deref().unwrap(), &t.spec, &tags);
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!(v[0].field, RuleField::Tag("team".into()));
    }

    #[test]
    fn example_broken() {
        let t = Template::load(&asset("broken.json")).unwrap();
        assert_eq!(
            paths(&t),
            [
                "$.clientToken: ignored; appmesh-tui sends a fresh client token with each create",
                "$.meshname: unknown key",
                "$.spec.egressFilter.type: \"DENY\" is not one of DROP_ALL, ALLOW_ALL",
                "$.spec.serviceDiscovery.ipPreference: \"IPV4_PREFERRED\" is not one of IPv6_PREFERRED, IPv4_PREFERRED, IPv4_ONLY, IPv6_ONLY",
                "$.tags[1].key: must be 1-128 characters, got 0",
                "$.tags[2].value: expected a string, got a number",
                "$.tags[3]: expected an object, got a string",
                "$[\"x-appmesh-tui-rules\"].requiredTagKey: unknown key",
            ]
        );
        // What is valid is still there.
        assert_eq!(t.tags[0], Tag::new("team", "payments"));
    }

    #[test]
    fn updates_check_the_spec_and_tag_edits_only_what_they_break_anew() {
        let rules = Rules {
            allowed_egress_filters: Some(vec![EgressFilter::DropAll]),
            allowed_ip_preferences: Some(vec![IpPreference::Ipv4Only]),
            required_tag_keys: vec!["team".into(), "owner".into()],
            allowed_tag_values: [("env".to_string(), vec!["dev".into()])].into(),
            mesh_name_prefix: Some("p-".into()),
            ..Rules::default()
        };
        let fields =
            |v: Vec<RuleViolation>| -> Vec<RuleField> { v.into_iter().map(|v| v.field).collect() };
        let spec = |e, p| MeshSpec {
            egress_filter: e,
            ip_preference: p,
        };
        assert_eq!(
            fields(rules.check_spec(&spec(Some(EgressFilter::AllowAll), None))),
            [RuleField::EgressFilter, RuleField::IpPreference]
        );
        assert_eq!(
            rules.check_spec(&spec(None, Some(IpPreference::Ipv4Only))),
            [],
            "unset egress is DROP_ALL; name and tag rules are not about updates"
        );

        let before = [Tag::new("team", "a"), Tag::new("env", "qa")];
        // `owner` was missing and env=qa broken before: unchanged, they do not block.
        assert_eq!(rules.check_tag_change(&before, &before), []);
        let added = [before.as_slice(), &[Tag::new("x", "1")]].concat();
        assert_eq!(rules.tag_block(&before, &added), None);
        // Removing `team` or another bad env value is new.
        assert_eq!(
            fields(rules.check_tag_change(&before, &[Tag::new("env", "qa")])),
            [RuleField::Tag("team".into())]
        );
        let msg = rules
            .tag_block(&before, &[Tag::new("env", "prod")])
            .unwrap();
        assert!(
            msg.starts_with("Not sent: team rule: tag `team` is required")
                && msg.ends_with("(1 more)."),
            "{msg}"
        );
    }
}
