//! The text the spec editor hands to a person, and reading it back: a YAML document under a
//! comment header, problems written back as comments at their lines.
//!
//! Pure functions on strings, so the external editor ([`super::terminal`]) and the in-app one
//! ([`super::component`]) behave the same.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Number, Value};

use crate::kind::Kind;
use crate::shape::{self, Model, Shape};

/// Every problem comment starts with this (after the line's indentation). [`annotate`] and
/// [`read_buffer`] drop such lines before anything else, so problems never stack up and never
/// become part of the spec.
pub const PROBLEM_MARK: &str = "#! ";

/// The most text the editor reads back (a real spec is a few kilobytes).
pub const MAX_BUFFER_BYTES: usize = 1024 * 1024;

/// The most values (mappings, lists, scalars) a buffer may hold.
pub const MAX_VALUES: usize = 100_000;

/// Nesting deeper than any App Mesh spec (a virtual node is 8 deep).
pub const MAX_DEPTH: usize = 64;

/// One problem and the line it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProblemAt {
    /// 1-based, counted in the text without problem comments (lines starting with
    /// [`PROBLEM_MARK`]); 0 when it belongs to no line (it goes on top).
    pub line: usize,
    /// The JSON path in the spec (`listeners[0].portMapping.port`); empty for the whole
    /// document (a YAML syntax error).
    pub path: String,
    pub rule: String,
}

impl fmt::Display for ProblemAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.path.is_empty()) {
            (0, true) => f.write_str(&self.rule),
            (0, false) => write!(f, "{}: {}", self.path, self.rule),
            (l, true) => write!(f, "line {l}: {}", self.rule),
            (l, false) => write!(f, "line {l}: {}: {}", self.path, self.rule),
        }
    }
}

/// Why a buffer gave no spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unread {
    /// Nothing but comments and blank lines: the person cancelled.
    Cancelled,
    /// The text is not a valid spec; each problem names its line.
    Problems(Vec<ProblemAt>),
}

/// The spec of a `kind` as the editor shows it: a comment header (what to do, the allowed
/// values of the enums present, which members choose one of several), then the spec as YAML.
pub fn render_buffer(kind: Kind, spec: &Value) -> String {
    let info = kind.info();
    let mut out = String::new();
    out.push_str(&format!(
        "# The spec of a {} ({}).\n",
        info.singular, info.spec_shape
    ));
    out.push_str("# Save and close to check it against the service model and send it;\n");
    out.push_str("# problems come back as #! comments at their lines.\n");
    out.push_str("# Empty the file (or leave only comments) to cancel.\n");
    let hints = hints(shape::model(), info.spec_shape, spec);
    if !hints.is_empty() {
        out.push_str("#\n");
        for h in hints {
            out.push_str(&format!("# {h}\n"));
        }
    }
    out.push_str("#\n");
    out.push_str(&to_yaml(spec));
    out
}

/// `spec` as block YAML (`{}` for an empty object).
fn to_yaml(spec: &Value) -> String {
    match serde_norway::to_string(spec) {
        Ok(s) => s,
        // A serde_json value always serializes; should it not, JSON is YAML too.
        Err(_) => serde_json::to_string_pretty(spec).unwrap_or_default() + "\n",
    }
}

/// What the header says about the members present: allowed values of enums, and the members
/// of unions (one of them may be set). Paths use `[]` for every list item.
fn hints(model: &Model, spec_shape: &str, spec: &Value) -> Vec<String> {
    let mut enums: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut unions: BTreeMap<String, Vec<String>> = BTreeMap::new();
    collect_hints(model, spec_shape, spec, "", &mut enums, &mut unions, 0);
    let mut out = Vec::new();
    if !enums.is_empty() {
        out.push("Allowed values:".to_string());
        for (path, values) in enums {
            out.push(format!("  {path}: {}", values.join(" | ")));
        }
    }
    if !unions.is_empty() {
        out.push("Exactly one of:".to_string());
        for (path, members) in unions {
            let at = if path.is_empty() {
                "(top level)"
            } else {
                &path
            };
            out.push(format!("  {at}: {}", members.join(" | ")));
        }
    }
    out
}

fn join(path: &str, member: &str) -> String {
    if path.is_empty() {
        member.to_string()
    } else {
        format!("{path}.{member}")
    }
}

#[allow(clippy::too_many_arguments)]
fn collect_hints(
    model: &Model,
    shape_name: &str,
    value: &Value,
    path: &str,
    enums: &mut BTreeMap<String, Vec<String>>,
    unions: &mut BTreeMap<String, Vec<String>>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    match (model.shape(shape_name), value) {
        (Some(Shape::Structure(s)), Value::Object(obj)) => {
            if s.union {
                unions.insert(
                    path.to_string(),
                    s.members.iter().map(|m| m.name.clone()).collect(),
                );
            }
            for m in &s.members {
                if let Some(v) = obj.get(&m.name) {
                    let p = join(path, &m.name);
                    collect_hints(model, &m.shape, v, &p, enums, unions, depth + 1);
                }
            }
        }
        (Some(Shape::List { member, .. }), Value::Array(items)) => {
            let p = format!("{path}[]");
            for item in items {
                collect_hints(model, member, item, &p, enums, unions, depth + 1);
            }
        }
        (Some(Shape::Map { value: v, .. }), Value::Object(obj)) => {
            for (k, item) in obj {
                collect_hints(model, v, item, &join(path, k), enums, unions, depth + 1);
            }
        }
        (Some(Shape::String { values, .. }), _) if !values.is_empty() => {
            enums.insert(path.to_string(), values.clone());
        }
        _ => {}
    }
}

/// Whether a line is a problem comment [`annotate`] wrote.
fn is_problem_line(line: &str) -> bool {
    line.trim_start().starts_with(PROBLEM_MARK) || line.trim() == PROBLEM_MARK.trim_end()
}

/// The text without problem comments, as lines.
fn clean_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !is_problem_line(l)).collect()
}

/// Reads an edited buffer back: the spec, or why there is none. Problem comments from an
/// earlier round are ignored; line numbers count the text without them (as [`annotate`] does).
/// The spec comes back pruned of `null`s (an empty `key:` means "not set").
pub fn read_buffer(kind: Kind, text: &str) -> Result<Value, Unread> {
    let lines = clean_lines(text);
    if lines.iter().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#')
    }) {
        return Err(Unread::Cancelled);
    }
    if text.len() > MAX_BUFFER_BYTES {
        return Err(Unread::Problems(vec![ProblemAt {
            line: 0,
            path: String::new(),
            rule: format!(
                "the text is larger than {} KiB, more than any App Mesh spec; remove what does not belong to the spec",
                MAX_BUFFER_BYTES / 1024
            ),
        }]));
    }
    let clean = lines.join("\n") + "\n";
    let yaml: serde_norway::Value = match serde_norway::from_str(&clean) {
        Ok(v) => v,
        Err(e) => {
            let line = e.location().map_or(0, |l| l.line().min(lines.len()));
            let mut rule = e.to_string();
            // The line is where the comment goes; the message need not say it again.
            if let Some(i) = rule.find(" at line ") {
                rule.truncate(i);
            }
            return Err(Unread::Problems(vec![ProblemAt {
                line,
                path: String::new(),
                rule: format!("not valid YAML: {rule}"),
            }]));
        }
    };
    let index = LineIndex::new(&lines);
    let mut problems = Vec::new();
    let mut count = 0usize;
    let json = to_json(&yaml, "", 0, &mut count, &mut problems);
    let model = shape::model();
    let spec_shape = kind.info().spec_shape;
    if problems.is_empty() {
        problems.extend(shape::validate(model, spec_shape, &json, ""));
        unknown_members(model, spec_shape, &json, "", &mut problems, 0);
    }
    if problems.is_empty() {
        return Ok(shape::prune(model, spec_shape, &json));
    }
    let mut at: Vec<ProblemAt> = problems
        .into_iter()
        .map(|p| ProblemAt {
            line: index.locate(&p.path),
            path: p.path,
            rule: p.rule,
        })
        .collect();
    at.sort_by_key(|p| p.line);
    Err(Unread::Problems(at))
}

/// A YAML value in the wire form, with a problem for what JSON cannot hold.
fn to_json(
    v: &serde_norway::Value,
    path: &str,
    depth: usize,
    count: &mut usize,
    problems: &mut Vec<shape::Problem>,
) -> Value {
    use serde_norway::Value as Y;
    *count += 1;
    if *count > MAX_VALUES {
        if *count == MAX_VALUES + 1 {
            problems.push(shape::Problem::new(
                path,
                format!(
                    "the document holds more than {MAX_VALUES} values, more than any App Mesh spec"
                ),
            ));
        }
        return Value::Null;
    }
    if depth > MAX_DEPTH {
        problems.push(shape::Problem::new(
            path,
            format!("is nested more than {MAX_DEPTH} deep, deeper than any App Mesh spec"),
        ));
        return Value::Null;
    }
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(*b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                match n.as_f64().and_then(Number::from_f64) {
                    Some(f) => Value::Number(f),
                    None => {
                        problems.push(shape::Problem::new(
                            path,
                            format!("{n} is not a number JSON can hold"),
                        ));
                        Value::Null
                    }
                }
            }
        }
        Y::String(s) => Value::String(s.clone()),
        Y::Sequence(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| to_json(item, &format!("{path}[{i}]"), depth + 1, count, problems))
                .collect(),
        ),
        Y::Mapping(m) => {
            let mut out = Map::new();
            for (k, item) in m {
                let key = match k {
                    Y::String(s) => s.clone(),
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    _ => {
                        problems.push(shape::Problem::new(
                            path,
                            "has a key that is not a name (a list or a mapping used as a key)",
                        ));
                        continue;
                    }
                };
                let p = join(path, &key);
                let value = to_json(item, &p, depth + 1, count, problems);
                out.insert(key, value);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => {
            problems.push(shape::Problem::new(
                path,
                format!(
                    "has the YAML tag {}; a spec holds plain values (remove the tag)",
                    t.tag
                ),
            ));
            Value::Null
        }
    }
}

/// The member name a typo most likely meant: the most similar one (Jaro-Winkler, ignoring
/// case, as clap suggests a mistyped flag), when it is similar enough.
fn closest<'a>(typed: &str, names: &[&'a str]) -> Option<&'a str> {
    let typed = typed.to_lowercase();
    names
        .iter()
        .map(|n| (strsim::jaro_winkler(&typed, &n.to_lowercase()), *n))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n)
}

/// Members the model does not know: the service would drop them silently, so in an editor they
/// are most likely typos.
fn unknown_members(
    model: &Model,
    shape_name: &str,
    value: &Value,
    path: &str,
    out: &mut Vec<shape::Problem>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    match (model.shape(shape_name), value) {
        (Some(Shape::Structure(s)), Value::Object(obj)) => {
            for (k, v) in obj {
                match s.member(k) {
                    Some(m) => unknown_members(model, &m.shape, v, &join(path, k), out, depth + 1),
                    None => {
                        let names: Vec<&str> = s.members.iter().map(|m| m.name.as_str()).collect();
                        let guess = match closest(k, &names) {
                            Some(n) => format!("did you mean {n}? "),
                            None => String::new(),
                        };
                        out.push(shape::Problem::new(
                            join(path, k),
                            format!(
                                "is not a member the service knows; {guess}here it knows {}",
                                names.join(", ")
                            ),
                        ));
                    }
                }
            }
        }
        (Some(Shape::List { member, .. }), Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                unknown_members(model, member, item, &format!("{path}[{i}]"), out, depth + 1);
            }
        }
        (Some(Shape::Map { value: v, .. }), Value::Object(obj)) => {
            for (k, item) in obj {
                unknown_members(model, v, item, &join(path, k), out, depth + 1);
            }
        }
        _ => {}
    }
}

/// `text` with each problem as a comment above its line (indented like it), and a summary on
/// top. Problem comments already in `text` are replaced, so annotating again with the same
/// problems gives the same text. Every other line is kept as it is.
pub fn annotate(text: &str, problems: &[ProblemAt]) -> String {
    // Every line kept byte for byte, its own line end included (a Windows `\r\n`, or a last
    // line with none), so a round of problems never changes what the user wrote.
    let lines: Vec<&str> = text
        .split_inclusive('\n')
        .filter(|l| !is_problem_line(l.trim_end_matches(['\n', '\r'])))
        .collect();
    let mut out = String::with_capacity(text.len() + problems.len() * 80);
    if !problems.is_empty() {
        let n = problems.len();
        out.push_str(&format!(
            "{PROBLEM_MARK}{n} problem{} to fix (#! comments); save again, or empty the file to cancel.\n",
            if n == 1 { "" } else { "s" }
        ));
        for p in problems
            .iter()
            .filter(|p| p.line == 0 || p.line > lines.len())
        {
            out.push_str(&format!("{PROBLEM_MARK}{}\n", one_line(&problem_text(p))));
        }
    }
    for (i, line) in lines.iter().enumerate() {
        let indent: String = line.chars().take_while(|c| *c == ' ').collect();
        for p in problems.iter().filter(|p| p.line == i + 1) {
            out.push_str(&format!(
                "{indent}{PROBLEM_MARK}{}\n",
                one_line(&problem_text(p))
            ));
        }
        out.push_str(line);
        // A last line without a line end gets one, unless it ends in a lone `\r`: adding `\n`
        // would make that `\r` part of a `\r\n` line end, and it would be lost.
        if !line.ends_with('\n') && !line.ends_with('\r') {
            out.push('\n');
        }
    }
    out
}

fn problem_text(p: &ProblemAt) -> String {
    if p.path.is_empty() {
        p.rule.clone()
    } else {
        format!("{}: {}", p.path, p.rule)
    }
}

/// A comment must stay one line.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Which line of a block-style YAML text holds each JSON path: the lines the editor wrote and
/// people edit (`key: value`, `- item`, nested by indentation). A path whose own line cannot be
/// found (a member that is missing, a flow-style `{a: 1}`) goes to its nearest ancestor's line.
struct LineIndex {
    paths: BTreeMap<String, usize>,
    first: usize,
}

struct Frame {
    col: usize,
    path: String,
    item: bool,
    next_index: usize,
}

impl LineIndex {
    fn new(lines: &[&str]) -> LineIndex {
        let mut paths = BTreeMap::new();
        let mut first = 0;
        let mut stack: Vec<Frame> = Vec::new();
        // Inside a block scalar (`key: |`): lines indented more than this column are text.
        let mut block_scalar: Option<usize> = None;
        for (i, raw) in lines.iter().enumerate() {
            let line_no = i + 1;
            let trimmed = raw.trim_start_matches(' ');
            let col = raw.len() - trimmed.len();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if let Some(c) = block_scalar {
                if col > c {
                    continue;
                }
                block_scalar = None;
            }
            if trimmed == "---" || trimmed.starts_with("--- ") {
                continue;
            }
            if first == 0 {
                first = line_no;
            }
            let mut col = col;
            let mut rest = trimmed;
            // `- ` items, perhaps several on one line (`- - a`).
            while rest == "-" || rest.starts_with("- ") {
                while stack
                    .last()
                    .is_some_and(|f| f.col > col || (f.col == col && f.item))
                {
                    stack.pop();
                }
                let parent = stack.last_mut();
                let (parent_path, index) = match parent {
                    Some(f) => {
                        let i = f.next_index;
                        f.next_index += 1;
                        (f.path.clone(), i)
                    }
                    None => (String::new(), 0),
                };
                let path = format!("{parent_path}[{index}]");
                paths.entry(path.clone()).or_insert(line_no);
                stack.push(Frame {
                    col,
                    path,
                    item: true,
                    next_index: 0,
                });
                let after = rest[1..].trim_start_matches(' ');
                col += rest.len() - after.len();
                rest = after;
            }
            if rest.is_empty() {
                continue;
            }
            let Some((key, value)) = split_key(rest) else {
                continue;
            };
            while stack.last().is_some_and(|f| f.col >= col) {
                stack.pop();
            }
            let parent = stack.last().map_or("", |f| f.path.as_str());
            let path = join(parent, &key);
            paths.entry(path.clone()).or_insert(line_no);
            let v = value.trim();
            if v.starts_with('|') || v.starts_with('>') {
                block_scalar = Some(col);
            }
            stack.push(Frame {
                col,
                path,
                item: false,
                next_index: 0,
            });
        }
        LineIndex { paths, first }
    }

    /// The line for `path`, or its nearest ancestor's, or the first line of the document.
    fn locate(&self, path: &str) -> usize {
        let mut p = path;
        loop {
            if let Some(l) = self.paths.get(p) {
                return *l;
            }
            // Cut the last segment: `.member`, `[i]` or `{key "k"}`.
            match p.rfind(['.', '[', '{']) {
                Some(i) if i > 0 => p = &p[..i],
                _ => return self.first.max(1),
            }
        }
    }
}

/// `key: value` or `key:` → the key (unquoted) and what follows the colon.
fn split_key(s: &str) -> Option<(String, &str)> {
    if let Some(q) = s.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let end = s[1..].find(q)? + 1;
        let key = s[1..end].to_string();
        let after = s[end + 1..].trim_start_matches(' ');
        let value = after.strip_prefix(':')?;
        if !(value.is_empty() || value.starts_with(' ')) {
            return None;
        }
        return Some((key, value));
    }
    if s.starts_with(['{', '[', '&', '*', '!', '|', '>']) {
        return None;
    }
    let bytes = s.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'#' && i > 0 && bytes[i - 1] == b' ' {
            return None;
        }
        if *b == b':' && (i + 1 == bytes.len() || bytes[i + 1] == b' ') {
            return Some((s[..i].trim_end().to_string(), &s[i + 1..]));
        }
    }
    None
}
