//! The mesh file: reading (with every problem named by line and field) and writing (stable,
//! so the same mesh always gives the same bytes).

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::yaml::{self, Json, Seg, Tags, Text};
use crate::kind::{Key, Kind, Verb};
use crate::mesh::{Item, MeshModel};
use crate::shape::{self, Model, Problem, Shape};

/// The format's version, the file's `apiVersion`.
pub const API_VERSION: &str = "appmesh-tui/v1";
/// The file's `kind`.
pub const KIND: &str = "Mesh";

/// At most this many documents (meshes) in one file.
pub const MAX_DOCUMENTS: usize = 1_000;
/// At most this many problems are named (with their lines); the rest are counted.
pub const NAMED_PROBLEMS: usize = 20;

/// The comment at the top of every written file.
pub const HEADER: &str = "\
# appmesh-tui mesh file: a whole App Mesh mesh, every resource with its spec (the App Mesh
# API's JSON form, as YAML) and tags. `appmesh-tui plan -f FILE` shows what applying it would
# change; `appmesh-tui apply -f FILE` makes the mesh match it. Format: README, \"Mesh files\".
";

// ---- the document as read ---------------------------------------------------------------

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    rename_all = "camelCase",
    expecting = "a mesh: a map of apiVersion, kind, name, spec, tags and the resource lists"
)]
struct RawMesh {
    api_version: Text,
    kind: Text,
    name: Text,
    #[serde(default)]
    spec: Option<Json>,
    #[serde(default)]
    tags: Tags,
    #[serde(default)]
    virtual_services: Option<Vec<RawItem>>,
    #[serde(default)]
    virtual_nodes: Option<Vec<RawItem>>,
    #[serde(default)]
    virtual_routers: Option<Vec<RawRouter>>,
    #[serde(default)]
    virtual_gateways: Option<Vec<RawGateway>>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a resource: a map of name, spec and tags"
)]
struct RawItem {
    name: Text,
    #[serde(default)]
    spec: Option<Json>,
    #[serde(default)]
    tags: Tags,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a virtual router: a map of name, spec, tags and routes"
)]
struct RawRouter {
    name: Text,
    #[serde(default)]
    spec: Option<Json>,
    #[serde(default)]
    tags: Tags,
    #[serde(default)]
    routes: Option<Vec<RawItem>>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    rename_all = "camelCase",
    expecting = "a virtual gateway: a map of name, spec, tags and gatewayRoutes"
)]
struct RawGateway {
    name: Text,
    #[serde(default)]
    spec: Option<Json>,
    #[serde(default)]
    tags: Tags,
    #[serde(default)]
    gateway_routes: Option<Vec<RawItem>>,
}

/// What is read when the whole document is not: is it a mesh file of this version at all?
#[derive(Deserialize)]
struct RawHeader {
    #[serde(rename = "apiVersion")]
    api_version: Option<Json>,
}

// ---- problems ----------------------------------------------------------------------------

/// One thing wrong with a file: where (line and column, 1-based, when known; the field's path)
/// and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileProblem {
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// `virtualRouters[0].routes[1].spec.httpRoute.action`; empty for the file as a whole.
    pub path: String,
    pub message: String,
}

/// Everything wrong with a file, the first [`NAMED_PROBLEMS`] with their lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    /// The file as the user named it.
    pub file: String,
    pub problems: Vec<FileProblem>,
    /// Problems found beyond those named.
    pub more: usize,
}

impl FileError {
    pub fn whole(file: &str, message: impl Into<String>) -> FileError {
        FileError {
            file: file.to_string(),
            problems: vec![FileProblem {
                line: None,
                column: None,
                path: String::new(),
                message: message.into(),
            }],
            more: 0,
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.problems.len() + self.more;
        if total > 1 {
            writeln!(f, "{} has {total} problems:", self.file)?;
        }
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", self.file)?;
            if let Some(l) = p.line {
                write!(f, ":{l}")?;
                if let Some(c) = p.column {
                    write!(f, ":{c}")?;
                }
            }
            f.write_str(": ")?;
            if !p.path.is_empty() {
                write!(f, "{}: ", p.path)?;
            }
            f.write_str(&p.message)?;
        }
        if self.more > 0 {
            write!(f, "\n… and {} more", self.more)?;
        }
        Ok(())
    }
}

/// A problem before its line is looked up.
struct Pending {
    doc: usize,
    segs: Vec<Seg>,
    path: String,
    message: String,
}

/// Where a resource is in the file: its document and the path of its entry.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Origin {
    doc: usize,
    segs: Vec<Seg>,
    path: String,
}

// ---- the parsed file ---------------------------------------------------------------------

/// A mesh file read and checked: one [`MeshModel`] per document, in file order, and where each
/// resource is written, so later checks (a reference to a resource neither the file nor the
/// mesh holds) can name the line too.
#[derive(Clone, Debug)]
pub struct MeshFile {
    pub file: String,
    pub meshes: Vec<MeshModel>,
    text: String,
    origins: HashMap<Key, Origin>,
}

impl MeshFile {
    /// A problem with `key`'s entry, at `spec_at` inside its spec (`httpRoute.action…`) or at
    /// the entry itself when empty, with the line looked up.
    pub fn problem(&self, key: &Key, spec_at: &str, message: impl Into<String>) -> FileProblem {
        let message = message.into();
        let Some(o) = self.origins.get(key) else {
            return FileProblem {
                line: None,
                column: None,
                path: String::new(),
                message,
            };
        };
        let mut segs = o.segs.clone();
        let mut path = o.path.clone();
        if !spec_at.is_empty() {
            segs.push(Seg::Key("spec".into()));
            segs.extend(yaml::segments(spec_at));
            path = join(&path, &format!("spec.{spec_at}"));
        }
        let at = yaml::locate(&self.text, o.doc, &segs);
        FileProblem {
            line: at.map(|a| a.0),
            column: at.map(|a| a.1),
            path,
            message,
        }
    }

    /// The line of `key`'s entry.
    pub fn line_of(&self, key: &Key) -> Option<usize> {
        self.problem(key, "", "").line
    }

    /// A mesh file made from models (an import, a replay), with no text behind it.
    pub fn from_models(file: &str, meshes: Vec<MeshModel>) -> MeshFile {
        MeshFile {
            file: file.to_string(),
            meshes,
            text: String::new(),
            origins: HashMap::new(),
        }
    }
}

fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}.{b}"),
    }
}

/// Reads a mesh file's text. `file` names it in messages. Every problem is found (the first
/// [`NAMED_PROBLEMS`] with their line and column), not just the first: a YAML syntax error or a
/// field of the wrong type stops the reading of that document; a spec that breaks the service
/// model's rules, a member the model does not have, a bad name or tag, or a resource written
/// twice does not.
pub fn parse(file: &str, text: &str) -> Result<MeshFile, FileError> {
    // YAML counts a lone carriage return as a line break and most editors do not: the lines
    // the parser names would not be the ones the user sees. Refuse it first, at its line.
    if let Some(at) = text
        .char_indices()
        .find(|&(i, c)| c == '\r' && !text[i + 1..].starts_with('\n'))
        .map(|(i, _)| i)
    {
        let line = text[..at].matches('\n').count() + 1;
        return Err(FileError {
            file: file.to_string(),
            problems: vec![FileProblem {
                line: Some(line),
                column: None,
                path: String::new(),
                message: "a carriage return without a line feed (old Mac line ends): save the file with \\n or \\r\\n line ends".into(),
            }],
            more: 0,
        });
    }
    // Honest files stay far below this (about one value per two bytes, strings as long as the
    // text); aliases repeating large values do not.
    let values = (text.len() as u64 / 2).max(100_000);
    let bytes = (text.len() as u64 * 2).max(1 << 20);
    yaml::with_budget(values, bytes, || parse_inner(file, text))
}

fn parse_inner(file: &str, text: &str) -> Result<MeshFile, FileError> {
    let mut out = MeshFile {
        file: file.to_string(),
        meshes: Vec::new(),
        text: String::new(),
        origins: HashMap::new(),
    };
    let mut pending = Vec::new();
    let mut names: HashMap<String, usize> = HashMap::new();
    for (doc, de) in serde_norway::Deserializer::from_str(text).enumerate() {
        if doc >= MAX_DOCUMENTS {
            return Err(FileError::whole(
                file,
                format!("more than {MAX_DOCUMENTS} documents (meshes) in one file; split it"),
            ));
        }
        let raw = match Option::<RawMesh>::deserialize(de) {
            Ok(None) => continue,
            Ok(Some(raw)) => raw,
            Err(e) => return Err(syntax_error(file, text, doc, &e)),
        };
        if raw.api_version.0 != API_VERSION {
            return Err(version_error(
                file,
                text,
                doc,
                &Value::String(raw.api_version.0),
            ));
        }
        if raw.kind.0 != KIND {
            let at = yaml::locate(text, doc, &[Seg::Key("kind".into())]);
            return Err(one(
                file,
                at,
                "kind",
                format!(
                    "is {:?}; a mesh file's documents are of kind {KIND:?}",
                    raw.kind.0
                ),
            ));
        }
        if let Some(first) = names.insert(raw.name.0.clone(), doc) {
            pending.push(Pending {
                doc,
                segs: vec![Seg::Key("name".into())],
                path: "name".into(),
                message: format!(
                    "mesh {:?} is already in document {} of this file; each mesh is written once",
                    raw.name.0,
                    first + 1
                ),
            });
            continue;
        }
        let model = convert(raw, doc, &mut out.origins, &mut pending);
        out.meshes.push(model);
    }
    if out.meshes.is_empty() && pending.is_empty() {
        return Err(FileError::whole(
            file,
            format!(
                "holds no mesh: a mesh file starts with `apiVersion: {API_VERSION}`, `kind: {KIND}` and the mesh's `name` (see README, \"Mesh files\")"
            ),
        ));
    }
    if !pending.is_empty() {
        let more = pending.len().saturating_sub(NAMED_PROBLEMS);
        let problems = pending
            .into_iter()
            .take(NAMED_PROBLEMS)
            .map(|p| {
                let at = yaml::locate(text, p.doc, &p.segs);
                FileProblem {
                    line: at.map(|a| a.0),
                    column: at.map(|a| a.1),
                    path: p.path,
                    message: p.message,
                }
            })
            .collect();
        return Err(FileError {
            file: file.to_string(),
            problems,
            more,
        });
    }
    out.text = text.to_string();
    Ok(out)
}

/// [`parse`] in the shape `iac::ImportOptions::mesh_file` takes (branch `iac`): the file's
/// meshes, or its problems as (line, "path: reason"), so `iac::read` can take mesh files beside
/// CloudFormation, Terraform and Kubernetes files.
pub fn read_for_import(
    file: &str,
    text: &str,
) -> Result<Vec<MeshModel>, Vec<(Option<usize>, String)>> {
    parse(file, text).map(|f| f.meshes).map_err(|e| {
        let mut out: Vec<(Option<usize>, String)> = e
            .problems
            .into_iter()
            .map(|p| {
                let text = if p.path.is_empty() {
                    p.message
                } else {
                    format!("{}: {}", p.path, p.message)
                };
                (p.line, text)
            })
            .collect();
        if e.more > 0 {
            out.push((None, format!("… and {} more problems", e.more)));
        }
        out
    })
}

fn one(file: &str, at: Option<(usize, usize)>, path: &str, message: String) -> FileError {
    FileError {
        file: file.to_string(),
        problems: vec![FileProblem {
            line: at.map(|a| a.0),
            column: at.map(|a| a.1),
            path: path.to_string(),
            message,
        }],
        more: 0,
    }
}

fn version_error(file: &str, text: &str, doc: usize, got: &Value) -> FileError {
    let at = yaml::locate(text, doc, &[Seg::Key("apiVersion".into())]);
    let got = match got {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    one(
        file,
        at,
        "apiVersion",
        format!(
            "is {got}; this appmesh-tui reads mesh files of apiVersion {API_VERSION:?} (a newer appmesh-tui may read this one)"
        ),
    )
}

/// A document that could not be read at all: YAML syntax, a field of the wrong type, an
/// unknown field. When the header says it is no mesh file of this version, that is the
/// message instead.
fn syntax_error(file: &str, text: &str, doc: usize, e: &serde_norway::Error) -> FileError {
    if let Some(header) = serde_norway::Deserializer::from_str(text)
        .nth(doc)
        .and_then(|d| RawHeader::deserialize(d).ok())
    {
        match header.api_version {
            Some(Json(Value::String(v))) if v == API_VERSION => {}
            Some(Json(v)) => return version_error(file, text, doc, &v),
            None => {
                return one(
                    file,
                    None,
                    "",
                    format!(
                        "document {} has no apiVersion: a mesh file starts with `apiVersion: {API_VERSION}` and `kind: {KIND}` (see README, \"Mesh files\")",
                        doc + 1
                    ),
                );
            }
        }
    }
    let at = e.location().map(|l| (l.line(), l.column()));
    let message = yaml::message_of(e);
    // serde_norway writes `path: message`; split the path off when it is one.
    let (path, message) = match message.split_once(": ") {
        Some((p, m))
            if !p.contains(' ')
                && p.chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '.' | '[' | ']' | '_' | '-')) =>
        {
            (p.to_string(), m.to_string())
        }
        _ => (String::new(), message),
    };
    let message = message.replace("\u{0}", "");
    one(file, at, &path, message)
}

/// The model's facts a check needs about one kind.
struct Rules {
    name_shape: String,
    tag_max: Option<u64>,
    tag_key: String,
    tag_value: String,
}

fn rules(model: &Model, kind: Kind) -> Rules {
    let input = model
        .operation(&kind.operation(Verb::Create))
        .and_then(|op| op.input.as_deref())
        .and_then(|i| model.structure(i));
    let member = |name: &str| {
        input
            .and_then(|s| s.member(name))
            .map(|m| m.shape.clone())
            .unwrap_or_default()
    };
    let name_shape = member(kind.info().name_member);
    let (tag_max, tag_ref) = match model.shape(&member("tags")) {
        Some(Shape::List { member, max, .. }) => (*max, member.clone()),
        _ => (None, String::new()),
    };
    let tag = model.structure(&tag_ref);
    let tag_member = |n: &str| {
        tag.and_then(|s| s.member(n))
            .map(|m| m.shape.clone())
            .unwrap_or_default()
    };
    Rules {
        name_shape,
        tag_max,
        tag_key: tag_member("key"),
        tag_value: tag_member("value"),
    }
}

/// One entry to check and put in the model.
struct Entry<'a> {
    kind: Kind,
    parent: &'a str,
    segs: Vec<Seg>,
    path: String,
    name: Text,
    spec: Option<Json>,
    tags: Tags,
}

fn convert(
    raw: RawMesh,
    doc: usize,
    origins: &mut HashMap<Key, Origin>,
    pending: &mut Vec<Pending>,
) -> MeshModel {
    let model = shape::model();
    let mesh_name = raw.name.0.clone();
    let mut out = MeshModel::new(mesh_name.clone());
    let mut entries: Vec<Entry> = vec![Entry {
        kind: Kind::Mesh,
        parent: "",
        segs: Vec::new(),
        path: String::new(),
        name: raw.name,
        spec: raw.spec,
        tags: raw.tags,
    }];
    let list = |member: &str, i: usize| -> (Vec<Seg>, String) {
        (
            vec![Seg::Key(member.into()), Seg::Index(i)],
            format!("{member}[{i}]"),
        )
    };
    for (kind, items) in [
        (Kind::VirtualService, raw.virtual_services),
        (Kind::VirtualNode, raw.virtual_nodes),
    ] {
        for (i, item) in items.unwrap_or_default().into_iter().enumerate() {
            let (segs, path) = list(kind.info().list_member, i);
            entries.push(Entry {
                kind,
                parent: "",
                segs,
                path,
                name: item.name,
                spec: item.spec,
                tags: item.tags,
            });
        }
    }
    // Children are checked after their parents; their names are kept here meanwhile.
    let mut children: Vec<Entry> = Vec::new();
    // Routers with their routes, gateways with their gateway routes: (kind, child kind, each
    // parent as an item with its children).
    type Family = (Kind, Kind, Vec<(RawItem, Option<Vec<RawItem>>)>);
    let item = |name, spec, tags| RawItem { name, spec, tags };
    let families: [Family; 2] = [
        (
            Kind::VirtualRouter,
            Kind::Route,
            raw.virtual_routers
                .unwrap_or_default()
                .into_iter()
                .map(|r| (item(r.name, r.spec, r.tags), r.routes))
                .collect(),
        ),
        (
            Kind::VirtualGateway,
            Kind::GatewayRoute,
            raw.virtual_gateways
                .unwrap_or_default()
                .into_iter()
                .map(|g| (item(g.name, g.spec, g.tags), g.gateway_routes))
                .collect(),
        ),
    ];
    let parent_names: Vec<String> = families
        .iter()
        .flat_map(|(_, _, parents)| parents.iter().map(|(p, _)| p.name.0.clone()))
        .collect();
    let mut parent_names = parent_names.iter();
    for (kind, child_kind, parents) in families {
        let member = child_kind.info().list_member;
        for (i, (p, kids)) in parents.into_iter().enumerate() {
            let (segs, path) = list(kind.info().list_member, i);
            let pname = parent_names.next().map(String::as_str).unwrap_or("");
            for (j, child) in kids.unwrap_or_default().into_iter().enumerate() {
                let mut csegs = segs.clone();
                csegs.extend([Seg::Key(member.into()), Seg::Index(j)]);
                children.push(Entry {
                    kind: child_kind,
                    parent: pname,
                    segs: csegs,
                    path: format!("{path}.{member}[{j}]"),
                    name: child.name,
                    spec: child.spec,
                    tags: child.tags,
                });
            }
            entries.push(Entry {
                kind,
                parent: "",
                segs,
                path,
                name: p.name,
                spec: p.spec,
                tags: p.tags,
            });
        }
    }
    entries.extend(children);
    let mut seen: HashMap<Key, String> = HashMap::new();
    for e in entries {
        let rules = rules(model, e.kind);
        let problem = |segs: Vec<Seg>, path: String, message: String| Pending {
            doc,
            segs,
            path,
            message,
        };
        let at = |extra: &[Seg], rel: &str| {
            let mut s = e.segs.clone();
            s.extend_from_slice(extra);
            s.extend(yaml::segments(rel));
            s
        };
        let mut bad = false;
        let name_path = join(&e.path, "name");
        for p in shape::validate(
            model,
            &rules.name_shape,
            &Value::String(e.name.0.clone()),
            "",
        ) {
            bad = true;
            pending.push(problem(
                at(&[Seg::Key("name".into())], ""),
                name_path.clone(),
                p.rule,
            ));
        }
        let key = Key::new(e.kind, mesh_name.clone(), e.parent, e.name.0.clone());
        if let Some(first) = seen.get(&key) {
            pending.push(problem(
                at(&[Seg::Key("name".into())], ""),
                name_path.clone(),
                format!(
                    "a second {} named {:?}{} (the first is {first}); each resource is written once",
                    e.kind,
                    e.name.0,
                    match e.kind.info().parent {
                        Some(p) => format!(" in {p} {:?}", e.parent),
                        None => String::new(),
                    }
                ),
            ));
            continue;
        }
        seen.insert(
            key.clone(),
            if e.path.is_empty() {
                "the mesh".into()
            } else {
                e.path.clone()
            },
        );
        let spec_path = join(&e.path, "spec");
        let spec = match e.spec {
            Some(Json(v)) if !v.is_null() => {
                let mut problems = shape::validate(model, e.kind.info().spec_shape, &v, "");
                unknown_members(model, e.kind.info().spec_shape, &v, "", &mut problems);
                for p in problems {
                    bad = true;
                    pending.push(problem(
                        at(&[Seg::Key("spec".into())], &p.path),
                        join(&spec_path, &p.path),
                        p.rule,
                    ));
                }
                shape::prune(model, e.kind.info().spec_shape, &v)
            }
            _ if e.kind == Kind::Mesh => Value::Object(Map::new()),
            _ => {
                bad = true;
                pending.push(problem(
                    at(&[], ""),
                    spec_path.clone(),
                    format!(
                        "is required: a {} has a spec (the {} of the App Mesh API)",
                        e.kind,
                        e.kind.info().spec_shape
                    ),
                ));
                Value::Null
            }
        };
        let tags_path = join(&e.path, "tags");
        if let Some(max) = rules.tag_max
            && e.tags.0.len() as u64 > max
        {
            bad = true;
            pending.push(problem(
                at(&[Seg::Key("tags".into())], ""),
                tags_path.clone(),
                format!(
                    "must have at most {max} tags (has {}); App Mesh allows {max} per resource",
                    e.tags.0.len()
                ),
            ));
        }
        for (k, v) in &e.tags.0 {
            let segs = at(&[Seg::Key("tags".into()), Seg::Key(k.clone())], "");
            let path = format!("{tags_path}.{k}");
            for p in shape::validate(model, &rules.tag_key, &Value::String(k.clone()), "") {
                bad = true;
                pending.push(problem(
                    segs.clone(),
                    path.clone(),
                    format!("key {}", p.rule),
                ));
            }
            for p in shape::validate(model, &rules.tag_value, &Value::String(v.clone()), "") {
                bad = true;
                pending.push(problem(
                    segs.clone(),
                    path.clone(),
                    format!("value {}", p.rule),
                ));
            }
        }
        origins.insert(
            key.clone(),
            Origin {
                doc,
                segs: e.segs.clone(),
                path: e.path.clone(),
            },
        );
        if !bad {
            out.items.insert(
                key,
                Item {
                    spec: spec.into(),
                    tags: e.tags.0,
                    meta: None,
                },
            );
        }
    }
    out
}

/// Members `value` holds that `shape` does not have (the service would drop them silently;
/// in a file they are most likely typing mistakes), with the closest member the shape has.
pub fn unknown_members(
    model: &Model,
    shape: &str,
    value: &Value,
    path: &str,
    out: &mut Vec<Problem>,
) {
    match (model.shape(shape), value) {
        (Some(Shape::Structure(s)), Value::Object(obj)) => {
            for (k, v) in obj {
                match s.member(k) {
                    Some(m) => unknown_members(model, &m.shape, v, &join(path, k), out),
                    None => {
                        let names: Vec<&str> = s.members.iter().map(|m| m.name.as_str()).collect();
                        let hint = match closest(k, &names) {
                            Some(c) => format!("; did you mean {c:?}?"),
                            None => format!("; {shape} has: {}", names.join(", ")),
                        };
                        out.push(Problem::new(
                            join(path, k),
                            format!("{shape} has no member {k:?}{hint}"),
                        ));
                    }
                }
            }
        }
        (Some(Shape::List { member, .. }), Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                unknown_members(model, member, item, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// The name among `names` closest to `word` (case aside, or at most two edits away).
fn closest<'a>(word: &str, names: &[&'a str]) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    if let Some(n) = names.iter().find(|n| n.to_ascii_lowercase() == lower) {
        return Some(n);
    }
    names
        .iter()
        .map(|n| (edits(&lower, &n.to_ascii_lowercase()), *n))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, n)| n)
}

fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for j in 0..b.len() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != b[j]))
                .min(row[j] + 1)
                .min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

// ---- writing ------------------------------------------------------------------------------

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OutMesh<'a> {
    api_version: &'static str,
    kind: &'static str,
    name: &'a str,
    spec: Value,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    tags: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    virtual_services: Vec<OutItem<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    virtual_nodes: Vec<OutItem<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    virtual_routers: Vec<OutParent<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    virtual_gateways: Vec<OutParent<'a>>,
}

#[derive(Serialize)]
struct OutItem<'a> {
    name: &'a str,
    spec: Value,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    tags: &'a BTreeMap<String, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OutParent<'a> {
    name: &'a str,
    spec: Value,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    tags: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    routes: Vec<OutItem<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    gateway_routes: Vec<OutItem<'a>>,
}

/// `v` with every object's members in name order, whatever map serde_json was built with.
fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(o) => {
            let mut keys: Vec<&String> = o.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&o[k])))
                    .collect(),
            )
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

fn spec_of(item: &Item) -> Value {
    if item.spec.is_null() {
        Value::Object(Map::new())
    } else {
        sorted(&item.spec.value())
    }
}

/// One mesh as a YAML document (no header, no `---`). Resources are in name order (routes by
/// router), members of specs in name order, tags by key: the same mesh always gives the same
/// text.
pub fn to_document(m: &MeshModel) -> String {
    static EMPTY: BTreeMap<String, String> = BTreeMap::new();
    let mesh_item = m.items.get(&Key::mesh(&m.name));
    let items = |kind: Kind| -> Vec<OutItem<'_>> {
        m.of_kind(kind)
            .map(|(k, i)| OutItem {
                name: &k.name,
                spec: spec_of(i),
                tags: &i.tags,
            })
            .collect()
    };
    let parents = |kind: Kind, child: Kind| -> Vec<OutParent<'_>> {
        m.of_kind(kind)
            .map(|(k, i)| {
                let kids: Vec<OutItem<'_>> = m
                    .of_kind(child)
                    .filter(|(c, _)| c.parent == k.name)
                    .map(|(c, ci)| OutItem {
                        name: &c.name,
                        spec: spec_of(ci),
                        tags: &ci.tags,
                    })
                    .collect();
                let (routes, gateway_routes) = if child == Kind::Route {
                    (kids, Vec::new())
                } else {
                    (Vec::new(), kids)
                };
                OutParent {
                    name: &k.name,
                    spec: spec_of(i),
                    tags: &i.tags,
                    routes,
                    gateway_routes,
                }
            })
            .collect()
    };
    let doc = OutMesh {
        api_version: API_VERSION,
        kind: KIND,
        name: &m.name,
        spec: mesh_item
            .map(spec_of)
            .unwrap_or_else(|| Value::Object(Map::new())),
        tags: mesh_item.map(|i| &i.tags).unwrap_or(&EMPTY),
        virtual_services: items(Kind::VirtualService),
        virtual_nodes: items(Kind::VirtualNode),
        virtual_routers: parents(Kind::VirtualRouter, Kind::Route),
        virtual_gateways: parents(Kind::VirtualGateway, Kind::GatewayRoute),
    };
    // Serializing plain strings, numbers, maps and lists cannot fail.
    serde_norway::to_string(&doc).unwrap_or_default()
}

/// A whole mesh file: the header comment and one document per mesh, in name order.
pub fn to_yaml(meshes: &[MeshModel]) -> String {
    let mut sorted: Vec<&MeshModel> = meshes.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out = String::from(HEADER);
    for (i, m) in sorted.into_iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&to_document(m));
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use serde_json::json;

    use super::*;

    pub const EXAMPLE: &str = "\
apiVersion: appmesh-tui/v1
kind: Mesh
name: shop
spec:
  egressFilter:
    type: DROP_ALL
tags:
  team: payments
virtualServices:
  - name: web.shop.local
    spec:
      provider:
        virtualRouter:
          virtualRouterName: web
virtualNodes:
  - name: web-v1
    spec:
      listeners:
        - portMapping: {port: 8080, protocol: http}
      serviceDiscovery:
        dns: {hostname: web-v1.shop.local}
  - name: web-v2
    spec:
      listeners:
        - portMapping: {port: 8080, protocol: http}
      serviceDiscovery:
        dns: {hostname: web-v2.shop.local}
    tags:
      track: canary
virtualRouters:
  - name: web
    spec:
      listeners:
        - portMapping: {port: 8080, protocol: http}
    routes:
      - name: canary
        spec:
          httpRoute:
            match: {prefix: /}
            action:
              weightedTargets:
                - {virtualNode: web-v1, weight: 90}
                - {virtualNode: web-v2, weight: 10}
virtualGateways:
  - name: ingress
    spec:
      listeners:
        - portMapping: {port: 443, protocol: http}
    gatewayRoutes:
      - name: to-web
        spec:
          httpRoute:
            match: {prefix: /}
            action:
              target:
                virtualService: {virtualServiceName: web.shop.local}
";

    fn err(text: &str) -> FileError {
        parse("f.yaml", text).unwrap_err()
    }

    #[test]
    fn the_example_reads_and_writes_back_the_same() {
        let f = parse("f.yaml", EXAMPLE).unwrap();
        assert_eq!(f.meshes.len(), 1);
        let m = &f.meshes[0];
        assert_eq!(m.name, "shop");
        assert_eq!(m.items.len(), 8);
        assert_eq!(
            m.items[&Key::new(Kind::Route, "shop", "web", "canary")]
                .spec
                .value()["httpRoute"]["action"]["weightedTargets"][1],
            json!({"virtualNode": "web-v2", "weight": 10})
        );
        assert_eq!(m.items[&Key::mesh("shop")].tags["team"], "payments");
        assert_eq!(m.findings(), []);
        // Written, read again: the same model, and writing that gives the same text.
        let text = to_yaml(&f.meshes);
        assert!(text.starts_with(HEADER), "{text}");
        let again = parse("g.yaml", &text).unwrap();
        assert_eq!(again.meshes, f.meshes);
        assert_eq!(to_yaml(&again.meshes), text);
        // Where each resource is written is known.
        assert_eq!(
            f.line_of(&Key::new(Kind::VirtualNode, "shop", "", "web-v2")),
            Some(22)
        );
        let p = f.problem(
            &Key::new(Kind::Route, "shop", "web", "canary"),
            "httpRoute.action.weightedTargets[1].virtualNode",
            "x",
        );
        assert_eq!((p.line, p.column), (Some(43), Some(20)));
        assert_eq!(
            p.path,
            "virtualRouters[0].routes[0].spec.httpRoute.action.weightedTargets[1].virtualNode"
        );
    }

    #[test]
    fn the_list_names_are_the_registrys() {
        let text = to_yaml(&parse("f", EXAMPLE).unwrap().meshes);
        for kind in [
            Kind::VirtualService,
            Kind::VirtualNode,
            Kind::VirtualRouter,
            Kind::VirtualGateway,
        ] {
            assert!(text.contains(&format!("\n{}:\n", kind.info().list_member)));
        }
        assert!(text.contains(&format!("  {}:\n", Kind::Route.info().list_member)));
        assert!(text.contains(&format!("  {}:\n", Kind::GatewayRoute.info().list_member)));
    }

    #[test]
    fn a_bad_value_names_its_line_and_field() {
        let text = EXAMPLE.replace("port: 443", "port: 70000");
        let e = err(&text);
        assert_eq!(e.problems.len(), 1, "{e}");
        assert_eq!(
            e.to_string(),
            "f.yaml:48:25: virtualGateways[0].spec.listeners[0].portMapping.port: must be between 1 and 65535 (got 70000)"
        );
    }

    #[test]
    fn every_problem_is_named_not_just_the_first() {
        let text = EXAMPLE
            .replace("type: DROP_ALL", "type: DROP_SOME")
            .replace("egressFilter", "egresFilter")
            .replace("weight: 10}", "weight: 1000}")
            .replace("- name: web-v2", "- name: web-v1")
            .replace("track: canary", "track: 7")
            .replace("dns: {hostname: web-v1.shop.local}", "{}");
        let e = parse("f.yaml", &text);
        // A tag value that is a number stops the reading (it is a type error); fix it first.
        let e = e.unwrap_err();
        assert_eq!(e.problems.len(), 1);
        assert_eq!(e.problems[0].line, Some(29));
        assert!(
            e.problems[0].message.contains("put it in quotes (\"7\")"),
            "{e}"
        );
        let e = err(&text.replace("track: 7", "track: '7'"));
        let text = e.to_string();
        for expected in [
            "f.yaml has 4 problems:",
            "f.yaml:5:3: spec.egresFilter: MeshSpec has no member \"egresFilter\"; did you mean \"egressFilter\"?",
            "f.yaml:20:7: virtualNodes[0].spec.serviceDiscovery: must set exactly one of awsCloudMap, dns; none is set",
            "f.yaml:22:5: virtualNodes[1].name: a second virtual node named \"web-v1\" (the first is virtualNodes[0]); each resource is written once",
            "f.yaml:43:41: virtualRouters[0].routes[0].spec.httpRoute.action.weightedTargets[1].weight: must be between 0 and 100 (got 1000)",
        ] {
            assert!(text.contains(expected), "{expected:?} missing in\n{text}");
        }
    }

    #[test]
    fn the_shape_of_the_file_is_checked_first() {
        let e = err(&EXAMPLE.replace("apiVersion: appmesh-tui/v1", "apiVersion: appmesh-tui/v2"));
        assert_eq!(
            e.to_string(),
            "f.yaml:1:1: apiVersion: is \"appmesh-tui/v2\"; this appmesh-tui reads mesh files of apiVersion \"appmesh-tui/v1\" (a newer appmesh-tui may read this one)"
        );
        // A newer version's new field is reported as the version, not as an unknown field.
        let e = err(&EXAMPLE
            .replace("apiVersion: appmesh-tui/v1", "apiVersion: appmesh-tui/v2")
            .replace("kind: Mesh", "kind: Mesh\nnewThing: 1"));
        assert!(e.to_string().contains("is \"appmesh-tui/v2\""), "{e}");
        let e = err(&EXAMPLE.replace("virtualGateways:", "virtualGateway:"));
        assert_eq!(e.problems[0].line, Some(44));
        assert!(
            e.problems[0]
                .message
                .starts_with("unknown field `virtualGateway`, expected one of"),
            "{e}"
        );
        let e = err(&EXAMPLE.replace("    routes:\n", "    routs:\n"));
        assert_eq!(e.problems[0].line, Some(35));
        assert_eq!(e.problems[0].path, "virtualRouters[0]");
        let e = err(&EXAMPLE.replace("kind: Mesh", "kind: VirtualNode"));
        assert_eq!(e.problems[0].line, Some(2));
        let e = err("just: text\n");
        assert!(e.to_string().contains("has no apiVersion"), "{e}");
        let e = err("");
        assert!(e.to_string().contains("holds no mesh"), "{e}");
        let e = err(&EXAMPLE.replace("  - name: web-v1\n", "  - name: web-v1\n   bad: [\n"));
        assert_eq!(e.problems.len(), 1);
        assert!(e.problems[0].line.is_some(), "{e}");
        let e = err(&EXAMPLE.replace("name: canary", "name: ''"));
        assert_eq!(
            e.to_string(),
            "f.yaml:36:9: virtualRouters[0].routes[0].name: must not be empty"
        );
        let e = err(&EXAMPLE.replace("    spec:\n      provider:\n        virtualRouter:\n          virtualRouterName: web\n", ""));
        assert_eq!(
            e.to_string(),
            "f.yaml:10:5: virtualServices[0].spec: is required: a virtual service has a spec (the VirtualServiceSpec of the App Mesh API)"
        );
    }

    #[test]
    fn the_import_reader_gives_lines_and_paths() {
        assert_eq!(read_for_import("f", EXAMPLE).unwrap().len(), 1);
        let e = read_for_import("f", &EXAMPLE.replace("port: 443", "port: 0")).unwrap_err();
        assert_eq!(
            e,
            [(
                Some(48),
                "virtualGateways[0].spec.listeners[0].portMapping.port: must be between 1 and 65535 (got 0)"
                    .to_string()
            )]
        );
    }

    #[test]
    fn several_meshes_are_several_documents() {
        let two =
            format!("{EXAMPLE}---\napiVersion: appmesh-tui/v1\nkind: Mesh\nname: other\n---\n");
        let f = parse("f", &two).unwrap();
        assert_eq!(
            f.meshes.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
            ["shop", "other"]
        );
        assert_eq!(f.meshes[1].items.len(), 1);
        let out = to_yaml(&f.meshes);
        assert_eq!(out.matches("\n---\n").count(), 1);
        assert!(out.find("name: other").unwrap() < out.find("name: shop").unwrap());
        let e = err(&format!("{EXAMPLE}---\n{EXAMPLE}"));
        assert!(
            e.to_string()
                .contains(":60:1: name: mesh \"shop\" is already in document 1"),
            "{e}"
        );
    }

    #[test]
    fn tags_are_checked_against_the_model() {
        let many: String = (0..51).map(|i| format!("  k{i}: v\n")).collect();
        let e = err(&EXAMPLE.replace("tags:\n  team: payments\n", &format!("tags:\n{many}")));
        assert_eq!(e.problems[0].path, "tags");
        assert!(e.problems[0].message.contains("at most 50 tags (has 51)"));
        let long = "x".repeat(129);
        let e = err(&EXAMPLE.replace("track: canary", &format!("{long}: canary")));
        assert_eq!(
            e.problems[0].message,
            "key must be at most 128 characters (has 129)"
        );
        assert_eq!(e.problems[0].line, Some(29));
    }
}

#[cfg(test)]
mod line_ends {
    #[test]
    fn a_lone_carriage_return_is_refused_at_its_line() {
        let text = "apiVersion: appmesh-tui/v1\nkind: Mesh\nname: \"a\rb\"\n";
        let e = super::parse("f.yaml", text).unwrap_err();
        assert_eq!(e.problems[0].line, Some(3), "{e}");
        assert!(e.to_string().contains("carriage return"), "{e}");
        // Windows line ends are fine.
        assert!(
            super::parse(
                "f.yaml",
                "apiVersion: appmesh-tui/v1\r\nkind: Mesh\r\nname: a\r\n"
            )
            .is_ok()
        );
    }
}
