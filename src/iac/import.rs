//! Reading App Mesh resources from infrastructure code (issue 15).
//!
//! [`read`] takes files (or directories: their `*.tf`, `*.yaml`, `*.yml` and `*.json` files)
//! and returns one [`MeshModel`] per mesh name found, plus every problem with its file, line
//! and reason ([`ImportProblem`]). It reads:
//! - **CloudFormation** templates, YAML or JSON (`AWS::AppMesh::*`): `Ref`, `Fn::GetAtt`,
//!   `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split` between resources and parameters
//!   ([`ImportOptions::parameters`], else the parameter's `Default`; pseudo parameters such as
//!   `AWS::Region` may be given the same way). Each template stands alone.
//! - **Terraform** files (`aws_appmesh_*`): references between resources, `var.*`
//!   ([`ImportOptions::vars`], else the variable's `default`) and `local.*`, string templates.
//!   All `.tf` files of one call form one module, as Terraform reads a directory.
//! - **Kubernetes** manifests of the App Mesh controller (`appmesh.k8s.aws/v1beta2`): Mesh,
//!   VirtualNode, VirtualService, VirtualRouter with its inline routes, VirtualGateway,
//!   GatewayRoute, with Namespaces for mesh membership. All manifests of one call form one
//!   cluster.
//! - the project's **mesh file**, through the reader in [`ImportOptions::mesh_file`] (the
//!   mesh-file module provides it), for YAML or JSON that is none of the above.
//!
//! What is read is checked as the service would (`shape::validate`); a resource with any
//! error is left out, so every mesh returned holds only resources that can be created.
//! Problems are [`Severity::Error`] (something was not read) or [`Severity::Note`] (read, but
//! something does not carry over, or was deliberately skipped, such as a resource of another
//! AWS service).
//!
//! Bounds: files are read through [`crate::fileio`] with a size cap
//! ([`ImportOptions::max_file_bytes`]), only regular files (a FIFO or device is refused
//! unopened); YAML and JSON go through the bounded loader (nesting, value count, alias bombs); HCL
//! is parsed only after the same size check, and its nesting is bounded before evaluation.
//! At most [`MAX_PROBLEMS`] problems are listed per call.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::convert::{Issue, format_path};
use super::names::Rules;
use super::yaml;
use crate::kind::Key;
use crate::mesh::{Item, MeshModel};
use crate::shape::{self, model};

/// The most bytes read from one file unless [`ImportOptions::max_file_bytes`] says otherwise.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;
/// The most problems one call lists (the rest are counted in a last one).
pub const MAX_PROBLEMS: usize = 1000;
/// The most files one call reads (directories included).
pub const MAX_FILES: usize = 10_000;
/// The most resources one call reads.
pub const MAX_RESOURCES: usize = 100_000;

/// Settings of an import.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// CloudFormation parameter values (`--parameter K=V`), pseudo parameters included
    /// (`AWS::Region`, `AWS::AccountId`, `AWS::StackName`).
    pub parameters: BTreeMap<String, String>,
    /// Terraform variable values (`--var K=V`).
    pub vars: BTreeMap<String, String>,
    /// The largest file read, in bytes.
    pub max_file_bytes: u64,
    /// How the user raises [`ImportOptions::max_file_bytes`] (a flag), for the message about a
    /// larger file.
    pub raise_cap: Option<&'static str>,
    /// The reader of the project's own mesh file, tried on a YAML or JSON file that is neither
    /// a CloudFormation template nor Kubernetes manifests. What it returns goes through the
    /// same checks as every other resource.
    pub mesh_file: Option<MeshFileReader>,
}

/// Reads a mesh file: `(file name, text)` → its meshes, or its problems as `(line, reason)`.
pub type MeshFileReader = fn(&str, &str) -> Result<Vec<MeshModel>, Vec<(Option<usize>, String)>>;

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            parameters: BTreeMap::new(),
            vars: BTreeMap::new(),
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            raise_cap: None,
            mesh_file: None,
        }
    }
}

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Something was not read: a resource (or a whole file) is missing from the result.
    Error,
    /// Read, but something does not carry over or was skipped on purpose.
    Note,
}

/// One problem, at a place in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportProblem {
    pub file: String,
    /// 1-based, when known.
    pub line: Option<usize>,
    pub severity: Severity,
    pub message: String,
}

impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: ", self.file)?,
            None => write!(f, "{}: ", self.file)?,
        }
        if self.severity == Severity::Note {
            f.write_str("note: ")?;
        }
        f.write_str(&self.message)
    }
}

/// What an import found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportResult {
    /// One per mesh name, in name order. A mesh whose own resource is not in the files holds
    /// only its other resources.
    pub meshes: Vec<MeshModel>,
    /// In the order found: file by file, and within a file resource by resource (a
    /// resource's problems, then the line saying it was left out).
    pub problems: Vec<ImportProblem>,
}

impl ImportResult {
    pub fn errors(&self) -> impl Iterator<Item = &ImportProblem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
    }

    pub fn mesh(&self, name: &str) -> Option<&MeshModel> {
        self.meshes.iter().find(|m| m.name == name)
    }
}

/// The formats [`read`] recognises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceFormat {
    CloudFormation,
    Terraform,
    Kubernetes,
}

/// Collects problems and resources across files.
pub(crate) struct Collector {
    meshes: BTreeMap<String, MeshModel>,
    origin: BTreeMap<Key, (String, Option<usize>)>,
    problems: Vec<ImportProblem>,
    dropped: usize,
    resources: usize,
}

impl Collector {
    fn new() -> Collector {
        Collector {
            meshes: BTreeMap::new(),
            origin: BTreeMap::new(),
            problems: Vec::new(),
            dropped: 0,
            resources: 0,
        }
    }

    pub(crate) fn problem(
        &mut self,
        file: &str,
        line: Option<usize>,
        severity: Severity,
        message: impl Into<String>,
    ) {
        if self.problems.len() >= MAX_PROBLEMS {
            self.dropped += 1;
            return;
        }
        self.problems.push(ImportProblem {
            file: file.to_string(),
            line,
            severity,
            message: message.into(),
        });
    }

    pub(crate) fn error(&mut self, file: &str, line: Option<usize>, message: impl Into<String>) {
        self.problem(file, line, Severity::Error, message);
    }

    pub(crate) fn note(&mut self, file: &str, line: Option<usize>, message: impl Into<String>) {
        self.problem(file, line, Severity::Note, message);
    }

    /// Whether the resource cap is reached (the caller stops reading).
    pub(crate) fn full(&self) -> bool {
        self.resources >= MAX_RESOURCES
    }

    /// Adds a resource after checking its names, spec and tags against the model.
    /// `spec_line(wire path)` finds the line of a spec member; `line` is the resource's.
    /// Returns whether it was added.
    pub(crate) fn add(
        &mut self,
        file: &str,
        line: Option<usize>,
        key: Key,
        item: Item,
        spec_line: &mut dyn FnMut(&str) -> Option<usize>,
    ) -> bool {
        self.resources += 1;
        let m = model();
        let info = key.kind.info();
        let what = super::who(&key);
        let mut bad = false;
        let mut names = vec![("meshName", key.mesh.to_string())];
        if let Some(p) = info.parent {
            names.push((p.info().name_member, key.parent.to_string()));
        }
        names.push((info.name_member, key.name.to_string()));
        for (member, value) in names {
            for p in shape::validate(m, "ResourceName", &Value::String(value), member) {
                self.error(file, line, format!("{what}: {p}"));
                bad = true;
            }
        }
        for p in shape::validate(m, info.spec_shape, &item.spec.value(), "") {
            let l = spec_line(&p.path).or(line);
            let path = if p.path.is_empty() {
                "spec".to_string()
            } else {
                format!("spec.{}", p.path)
            };
            self.error(file, l, format!("{what}: {path}: {}", p.rule));
            bad = true;
        }
        let tags = Value::Array(
            item.tags
                .iter()
                .map(|(k, v)| serde_json::json!({"key": k, "value": v}))
                .collect(),
        );
        for p in shape::validate(m, "TagList", &tags, "tags") {
            self.error(file, line, format!("{what}: {p}"));
            bad = true;
        }
        if bad {
            self.error(
                file,
                line,
                format!("{what} is left out: the App Mesh API would refuse it (see above)"),
            );
            return false;
        }
        if let Some((f, l)) = self.origin.get(&key) {
            let at = match l {
                Some(l) => format!("{f}:{l}"),
                None => f.clone(),
            };
            let msg = format!("{what} is defined twice; the one at {at} is kept");
            self.error(file, line, msg);
            return false;
        }
        self.origin.insert(key.clone(), (file.to_string(), line));
        self.meshes
            .entry(key.mesh.to_string())
            .or_insert_with(|| MeshModel::new(key.mesh.clone()))
            .items
            .insert(key, item);
        true
    }

    fn finish(mut self) -> ImportResult {
        if self.dropped > 0 {
            let n = self.dropped;
            self.problems.push(ImportProblem {
                file: String::new(),
                line: None,
                severity: Severity::Error,
                message: format!(
                    "and {n} more problems (only the first {MAX_PROBLEMS} are listed)"
                ),
            });
        }
        // Every resource of a mesh that the files do not define: say so once per mesh.
        for (name, mesh) in &self.meshes {
            if !mesh.items.contains_key(&Key::mesh(name)) {
                let first = mesh.items.keys().next().and_then(|k| self.origin.get(k));
                if let Some((f, l)) = first {
                    self.problems.push(ImportProblem {
                        file: f.clone(),
                        line: *l,
                        severity: Severity::Note,
                        message: format!(
                            "the files define no mesh {name:?}; its resources are read into a \
                             mesh of that name, which must exist"
                        ),
                    });
                }
            }
        }
        ImportResult {
            meshes: self.meshes.into_values().collect(),
            problems: self.problems,
        }
    }
}

/// A YAML or JSON source: its text, for finding the line of a problem.
pub(crate) struct Source<'a> {
    pub file: &'a str,
    pub text: &'a str,
    pub json: bool,
    located: std::cell::Cell<usize>,
}

/// Lines are found for at most this many problems of a file (each costs a parse).
const MAX_LOCATED: usize = 200;

impl<'a> Source<'a> {
    pub(crate) fn new(file: &'a str, text: &'a str, json: bool) -> Source<'a> {
        Source {
            file,
            text,
            json,
            located: std::cell::Cell::new(0),
        }
    }

    /// The line of the value at `path` (`Resources.Node.Properties.Spec`) in document `doc`.
    pub(crate) fn line(&self, doc: usize, path: &str) -> Option<usize> {
        if self.located.get() >= MAX_LOCATED {
            return None;
        }
        self.located.set(self.located.get() + 1);
        yaml::locate(self.text, self.json, doc, &yaml::segs(path))
    }
}

/// Reports an [`Issue`] list from a spec conversion, each at its line.
pub(crate) fn report_issues(
    out: &mut Collector,
    file: &str,
    what: &str,
    spec_prefix: &str,
    issues: &[Issue],
    line_of: &mut dyn FnMut(&str) -> Option<usize>,
) -> bool {
    let mut bad = false;
    for i in issues {
        let at = if i.path.is_empty() {
            spec_prefix.to_string()
        } else {
            format!("{spec_prefix}.{}", i.path)
        };
        let l = line_of(&i.path);
        let severity = if i.error {
            bad = true;
            Severity::Error
        } else {
            Severity::Note
        };
        out.problem(file, l, severity, format!("{what}: {at}: {}", i.message));
    }
    bad
}

/// The format path (relative to the spec) of a wire path that `shape::validate` reported.
pub(crate) fn spec_format_path(rules: &Rules, kind: crate::kind::Kind, wire: &str) -> String {
    format_path(rules, kind.info().spec_shape, wire)
}

/// Why a text is not one of the formats read here.
enum Unrecognised {
    /// It cannot be read at all (not YAML or JSON, empty, Terraform JSON).
    NotRead(String),
    /// YAML or JSON of another kind: perhaps the project's mesh file.
    Other(String),
}

/// Which format a text is, from its name and content.
fn detect(
    name: &str,
    text: &str,
) -> Result<(SourceFormat, Option<Vec<Value>>, bool), Unrecognised> {
    use Unrecognised::{NotRead, Other};
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".tf.json") {
        return Err(NotRead(
            "Terraform's JSON syntax is not read; write the resources in HCL (.tf)".into(),
        ));
    }
    if lower.ends_with(".tf") {
        return Ok((SourceFormat::Terraform, None, false));
    }
    let json = lower.ends_with(".json")
        || (!lower.ends_with(".yaml")
            && !lower.ends_with(".yml")
            && text.trim_start().starts_with('{'));
    let docs = if json {
        vec![yaml::load_json(text).map_err(|e| NotRead(load_message(&e, "JSON")))?]
    } else {
        yaml::load_yaml(text).map_err(|e| NotRead(load_message(&e, "YAML")))?
    };
    let is_cfn =
        |v: &Value| v.get("Resources").is_some() || v.get("AWSTemplateFormatVersion").is_some();
    let is_k8s = |v: &Value| v.get("apiVersion").is_some() && v.get("kind").is_some();
    let real: Vec<&Value> = docs.iter().filter(|d| !d.is_null()).collect();
    if real.len() == 1 && is_cfn(real[0]) {
        return Ok((SourceFormat::CloudFormation, Some(docs), json));
    }
    if !real.is_empty() && real.iter().any(|d| is_k8s(d)) {
        return Ok((SourceFormat::Kubernetes, Some(docs), json));
    }
    if real.is_empty() {
        return Err(NotRead("the file is empty".into()));
    }
    Err(Other(
        "not a CloudFormation template (no Resources), Kubernetes manifest (no apiVersion and \
         kind), Terraform file (.tf) or mesh file"
            .into(),
    ))
}

fn load_message(e: &yaml::LoadError, what: &str) -> String {
    match e.column {
        Some(c) => format!("invalid {what} (column {c}): {}", e.message),
        None => format!("invalid {what}: {}", e.message),
    }
}

/// Imports texts already in memory: `(file name, text)`. The name decides the format with the
/// content (see the module docs) and names the file in problems.
pub fn read_texts(files: &[(String, String)], opts: &ImportOptions) -> ImportResult {
    let mut out = Collector::new();
    let mut tf = Vec::new();
    let mut k8s = Vec::new();
    for (name, text) in files {
        match detect(name, text) {
            Ok((SourceFormat::Terraform, _, _)) => tf.push((name.as_str(), text.as_str())),
            Ok((SourceFormat::CloudFormation, Some(docs), json)) => {
                let src = Source::new(name, text, json);
                if let Some(doc) = docs.into_iter().find(|d| !d.is_null()) {
                    super::cfn::read(&src, doc, opts, &mut out);
                }
            }
            Ok((SourceFormat::Kubernetes, Some(docs), json)) => k8s.push((name, text, json, docs)),
            Ok((_, None, _)) => {}
            Err(Unrecognised::NotRead(message)) => {
                out.error(name, yaml_line(name, text), message);
            }
            Err(Unrecognised::Other(message)) => match opts.mesh_file {
                Some(reader) => match reader(name, text) {
                    Ok(meshes) => {
                        for mesh in meshes {
                            for (key, item) in mesh.items {
                                out.add(name, None, key, item, &mut |_| None);
                            }
                        }
                    }
                    Err(problems) => {
                        for (line, why) in problems {
                            out.error(name, line, why);
                        }
                    }
                },
                None => out.error(name, None, message),
            },
        }
    }
    if !tf.is_empty() {
        super::tf::read(&tf, opts, &mut out);
    }
    if !k8s.is_empty() {
        let sources: Vec<(Source<'_>, Vec<Value>)> = k8s
            .iter()
            .map(|(name, text, json, docs)| (Source::new(name, text, *json), docs.clone()))
            .collect();
        super::k8s::read(&sources, &mut out);
    }
    out.finish()
}

/// The line a YAML or JSON syntax error points at, for the detection's message.
fn yaml_line(name: &str, text: &str) -> Option<usize> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".tf") {
        return None;
    }
    let json = lower.ends_with(".json") || text.trim_start().starts_with('{');
    let err = if json {
        yaml::load_json(text).err()
    } else {
        yaml::load_yaml(text).err()
    };
    err.and_then(|e| e.line)
}

/// A file to import, through `fileio`: a regular file only, at most the cap.
fn read_file(path: &Path, opts: &ImportOptions) -> Result<String, String> {
    let cap = crate::fileio::Cap {
        what: "import file",
        bytes: opts.max_file_bytes,
        raise: opts.raise_cap,
    };
    crate::fileio::read_text(path, &cap).map_err(|e| e.to_string())
}

fn wanted(p: &Path) -> bool {
    let n = p
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    [".tf", ".yaml", ".yml", ".json"]
        .iter()
        .any(|e| n.ends_with(e))
        && !n.starts_with('.')
}

/// Reads files and directories (a directory's `*.tf`, `*.yaml`, `*.yml`, `*.json` files, not
/// its subdirectories).
pub fn read(paths: &[PathBuf], opts: &ImportOptions) -> ImportResult {
    let mut texts = Vec::new();
    let mut early: Vec<ImportProblem> = Vec::new();
    let mut files: Vec<PathBuf> = Vec::new();
    let mut seen = BTreeSet::new();
    for p in paths {
        if p.is_dir() {
            match std::fs::read_dir(p) {
                Ok(entries) => {
                    let mut inside: Vec<PathBuf> = entries
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|f| f.is_file() && wanted(f))
                        .collect();
                    inside.sort();
                    if inside.is_empty() {
                        early.push(ImportProblem {
                            file: p.display().to_string(),
                            line: None,
                            severity: Severity::Error,
                            message: "the directory holds no .tf, .yaml, .yml or .json file".into(),
                        });
                    }
                    files.extend(inside);
                }
                Err(e) => early.push(ImportProblem {
                    file: p.display().to_string(),
                    line: None,
                    severity: Severity::Error,
                    message: format!("cannot list the directory: {e}"),
                }),
            }
        } else {
            files.push(p.clone());
        }
    }
    for f in files {
        if texts.len() >= MAX_FILES {
            early.push(ImportProblem {
                file: f.display().to_string(),
                line: None,
                severity: Severity::Error,
                message: format!("not read: an import reads at most {MAX_FILES} files"),
            });
            break;
        }
        if !seen.insert(f.clone()) {
            continue;
        }
        match read_file(&f, opts) {
            Ok(t) => texts.push((f.display().to_string(), t)),
            Err(why) => early.push(ImportProblem {
                file: f.display().to_string(),
                line: None,
                severity: Severity::Error,
                message: format!("not read: {why}"),
            }),
        }
    }
    let mut result = read_texts(&texts, opts);
    early.append(&mut result.problems);
    result.problems = early;
    result
}

/// A value as a problem message quotes it.
pub(crate) fn quote(v: &Value) -> String {
    let s = match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s
    }
}
