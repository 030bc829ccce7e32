//! CloudFormation: `AWS::AppMesh::*` resources, written as a YAML template and read from YAML
//! or JSON templates (see [`super::import`] for reading).
//!
//! A resource's properties are `MeshName`, the parent's name (`VirtualRouterName`,
//! `VirtualGatewayName`), its own name (`VirtualNodeName`, …), `Spec` and `Tags`
//! (`[{Key, Value}]`). `Fn::GetAtt` offers each name (`MeshName`, `VirtualNodeName`, …), `Arn`,
//! `Uid`, `MeshOwner`, `ResourceOwner`; `Ref` returns the ARN.

use serde_json::Value;

use super::convert::{RefOut, export_spec};
use super::ident::Idents;
use super::names::CLOUDFORMATION;
use super::tree::{Node, yaml};
use super::{ExportOptions, Exported, exists, loss_notes, spec_refs, who};
use crate::kind::{Key, Kind};
use crate::mesh::MeshModel;

/// `AWS::AppMesh::VirtualNode`.
pub fn resource_type(kind: Kind) -> String {
    format!("AWS::AppMesh::{}", kind.info().name)
}

/// The property (and `Fn::GetAtt` attribute) holding a kind's name: `VirtualNodeName`.
pub fn name_property(kind: Kind) -> String {
    super::names::pascal(kind.info().name_member)
}

/// A template with every resource of `mesh`, in an order the service accepts. References to
/// resources of the template are `!GetAtt` (which also orders their creation and deletion).
pub fn export(mesh: &MeshModel, opts: &ExportOptions) -> Exported {
    let ids = Idents::cloudformation(mesh);
    let mut notes = Vec::new();
    let mut resources = Vec::new();
    let mut existing = Vec::new();
    let get_att = |key: &Key| -> Option<Node> {
        ids.get(key)
            .map(|id| Node::Raw(format!("!GetAtt {id}.{}", name_property(key.kind))))
    };
    for key in mesh.create_order() {
        let item = &mesh.items[&key];
        let id = ids.get(&key).unwrap_or_default().to_string();
        let mut props: Vec<(String, Node)> = Vec::new();
        let mesh_key = Key::mesh(&key.mesh);
        let mesh_name = match (key.kind, mesh.items.contains_key(&mesh_key)) {
            (Kind::Mesh, _) | (_, false) => Node::str(key.mesh.as_str()),
            (_, true) => get_att(&mesh_key).unwrap_or_else(|| Node::str(key.mesh.as_str())),
        };
        props.push(("MeshName".into(), mesh_name));
        if let Some(container) = key.container().filter(|c| c.kind != Kind::Mesh) {
            let n = get_att(&container).unwrap_or_else(|| Node::str(key.parent.as_str()));
            props.push((name_property(container.kind), n));
        }
        if key.kind != Kind::Mesh {
            props.push((name_property(key.kind), Node::str(key.name.as_str())));
        }
        let spec_value = item.spec.value();
        let refs = spec_refs(mesh, &key, &spec_value, false);
        let mut losses = Vec::new();
        let mut spec = export_spec(
            &CLOUDFORMATION,
            key.kind.info().spec_shape,
            &spec_value,
            &mut |path: &str, name: &str| {
                let to = refs.get(path)?;
                Some(RefOut {
                    member: name.to_string(),
                    node: get_att(to)?,
                })
            },
            &mut losses,
        );
        loss_notes(&key, losses, &mut notes);
        // The schema requires Listeners on a router, which the API does not.
        if key.kind == Kind::VirtualRouter
            && let Node::Obj(pairs) = &mut spec
            && !pairs.iter().any(|(k, _)| k == "Listeners")
        {
            pairs.push(("Listeners".into(), Node::List(Vec::new())));
            notes.push(format!(
                "{}: written with Listeners: [] (AWS::AppMesh::VirtualRouter requires \
                 Listeners; the API does not)",
                who(&key)
            ));
        }
        let empty = matches!(&spec, Node::Obj(p) if p.is_empty());
        // Spec is required, except on a mesh.
        if key.kind != Kind::Mesh || !empty {
            props.push(("Spec".into(), spec));
        }
        if !item.tags.is_empty() {
            props.push((
                "Tags".into(),
                Node::List(
                    item.tags
                        .iter()
                        .map(|(k, v)| {
                            Node::obj(vec![("Key", Node::str(k)), ("Value", Node::str(v))])
                        })
                        .collect(),
                ),
            ));
        }
        let mut res = vec![("Type".to_string(), Node::str(resource_type(key.kind)))];
        if exists(item, opts) {
            res.push(("DeletionPolicy".into(), Node::str("Retain")));
            res.push(("UpdateReplacePolicy".into(), Node::str("Retain")));
            existing.push((id.clone(), key.clone()));
        }
        res.push(("Properties".into(), Node::Obj(props)));
        resources.push((id, Node::Obj(res)));
    }
    let mut y = String::new();
    y.push_str("AWSTemplateFormatVersion: \"2010-09-09\"\n");
    // Not the mesh name: a description may have 1,024 bytes at most.
    y.push_str("Description: \"App Mesh resources, exported by appmesh-tui\"\n");
    if !existing.is_empty() {
        y.push_str(
            "# These resources exist already. To bring them under a stack, create a change set\n\
             # of type IMPORT with their logical IDs (they keep DeletionPolicy: Retain):\n",
        );
        for (id, key) in &existing {
            y.push_str(&format!(
                "#   {id}: {}\n",
                crate::export::comment_safe(&who(key))
            ));
        }
    }
    y.push_str("Resources:");
    if resources.is_empty() {
        y.push_str(" {}\n");
    } else {
        y.push('\n');
        yaml(&Node::Obj(resources), 2, &mut y);
    }
    let mesh_key = Key::mesh(&mesh.name);
    if let Some(id) = ids.get(&mesh_key) {
        y.push_str("Outputs:\n");
        yaml(
            &Node::obj(vec![(
                "MeshArn",
                Node::obj(vec![
                    ("Description", Node::str("ARN of the mesh")),
                    ("Value", Node::Raw(format!("!Ref {id}"))),
                ]),
            )]),
            2,
            &mut y,
        );
    }
    Exported { text: y, notes }
}

/// Reads a resource's wire spec from a template's `Spec` (after its intrinsic functions were
/// resolved).
pub(crate) fn spec_from(
    kind: Kind,
    spec: &Value,
    issues: &mut Vec<super::convert::Issue>,
) -> Value {
    super::convert::import_spec(
        &CLOUDFORMATION,
        kind.info().spec_shape,
        spec,
        &mut |_: &str, _: &Value, _: &str| Err("not a CloudFormation member".into()),
        issues,
    )
}

// ---------------------------------------------------------------------------------------------
// Reading templates

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde_json::Map;

use super::ImportOptions;
use super::import::{Collector, Source, quote, report_issues, spec_format_path};
use crate::mesh::Item;

/// Pseudo parameters with a value everywhere; the others need `--parameter`.
const FIXED_PSEUDO: [(&str, &str); 2] = [
    ("AWS::Partition", "aws"),
    ("AWS::URLSuffix", "amazonaws.com"),
];
const PSEUDO: [&str; 7] = [
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
];

/// Why a value could not be resolved, and where (a path in the template).
struct Unresolved {
    path: String,
    message: String,
}

fn fail<T>(path: &str, message: impl Into<String>) -> Result<T, Unresolved> {
    Err(Unresolved {
        path: path.to_string(),
        message: message.into(),
    })
}

/// An intrinsic function: a one-member mapping whose key is `Ref`, `Fn::X`, `Condition`, or
/// the YAML short form `!Ref`, `!X`. Returns the long name and the argument.
fn intrinsic(v: &Value) -> Option<(String, &Value)> {
    let o = v.as_object()?;
    if o.len() != 1 {
        return None;
    }
    let (k, arg) = o.iter().next()?;
    let name = match k.strip_prefix('!') {
        Some("Ref") => "Ref".to_string(),
        Some("Condition") => "Condition".to_string(),
        Some(short) => format!("Fn::{short}"),
        None if k == "Ref" || k == "Condition" || k.starts_with("Fn::") => k.clone(),
        None => return None,
    };
    Some((name, arg))
}

struct Template<'a> {
    params: BTreeMap<String, Option<Value>>,
    resources: &'a Map<String, Value>,
    opts: &'a ImportOptions,
    /// The logical IDs whose names are being resolved, for cycles.
    stack: RefCell<Vec<String>>,
    /// Bytes the intrinsic functions have produced so far (see [`MAX_RESOLVED_BYTES`]).
    produced: std::cell::Cell<usize>,
}

/// The most bytes a template's intrinsic functions may produce in all: a parameter named many
/// times, joined and substituted into itself, must not grow without end.
const MAX_RESOLVED_BYTES: usize = 16 * 1024 * 1024;

/// About how many bytes a value holds.
fn size_of(v: &Value) -> usize {
    match v {
        Value::String(s) => s.len() + 8,
        Value::Array(a) => 8 + a.iter().map(size_of).sum::<usize>(),
        Value::Object(o) => 8 + o.iter().map(|(k, v)| k.len() + size_of(v)).sum::<usize>(),
        _ => 8,
    }
}

fn kind_of_type(ty: &str) -> Option<Kind> {
    let name = ty.strip_prefix("AWS::AppMesh::")?;
    Kind::ALL.into_iter().find(|k| k.info().name == name)
}

impl Template<'_> {
    fn resource_type(&self, id: &str) -> Option<&str> {
        self.resources.get(id)?.get("Type")?.as_str()
    }

    fn pseudo(&self, name: &str, path: &str) -> Result<Option<Value>, Unresolved> {
        if name == "AWS::NoValue" {
            return Ok(None);
        }
        if let Some(v) = self.opts.parameters.get(name) {
            return Ok(Some(Value::String(v.clone())));
        }
        if let Some((_, v)) = FIXED_PSEUDO.iter().find(|(n, _)| *n == name) {
            return Ok(Some(Value::String((*v).to_string())));
        }
        fail(
            path,
            format!("{name} has no value here: give it with --parameter {name}=VALUE"),
        )
    }

    /// `Ref` to a name.
    fn reference(&self, name: &str, path: &str) -> Result<Option<Value>, Unresolved> {
        if PSEUDO.contains(&name) {
            return self.pseudo(name, path);
        }
        if let Some(p) = self.params.get(name) {
            return match p {
                Some(v) => Ok(Some(v.clone())),
                None => fail(
                    path,
                    format!(
                        "parameter {name} has no value: give it with --parameter {name}=VALUE \
                         or give the parameter a Default"
                    ),
                ),
            };
        }
        match self.resource_type(name) {
            Some(ty) if kind_of_type(ty).is_some() => {
                let kind = kind_of_type(ty).unwrap_or(Kind::Mesh);
                let key = self.key_of(name, path)?;
                match (
                    self.opts.parameters.get("AWS::Region"),
                    self.opts.parameters.get("AWS::AccountId"),
                ) {
                    (Some(r), Some(a)) => Ok(Some(Value::String(key.arn(r, a)))),
                    _ => fail(
                        path,
                        format!(
                            "Ref {name} is the ARN of the {}, which needs AWS::Region and \
                             AWS::AccountId (give them with --parameter); for its name use \
                             !GetAtt {name}.{}",
                            kind,
                            name_property(kind)
                        ),
                    ),
                }
            }
            Some(ty) => fail(
                path,
                format!(
                    "Ref {name} names a {ty}, which is not an App Mesh resource: its value is not known here"
                ),
            ),
            None => fail(
                path,
                format!("Ref {name}: the template has no parameter or resource of that name"),
            ),
        }
    }

    /// The resolved string property `prop` of App Mesh resource `id`, following references
    /// (and refusing a cycle).
    fn property_text(&self, id: &str, prop: &str, path: &str) -> Result<String, Unresolved> {
        {
            let stack = self.stack.borrow();
            if let Some(pos) = stack.iter().position(|s| s == id) {
                let mut cycle: Vec<String> = stack[pos..].to_vec();
                cycle.push(id.to_string());
                return fail(path, format!("reference cycle: {}", cycle.join(" → ")));
            }
            if stack.len() > 64 {
                return fail(path, "references nested more than 64 deep");
            }
        }
        let rpath = format!("Resources.{id}.Properties.{prop}");
        let Some(v) = self
            .resources
            .get(id)
            .and_then(|r| r.get("Properties"))
            .and_then(|p| p.get(prop))
        else {
            return fail(
                path,
                format!("{id} has no {prop}: set it, so the name is known before creation"),
            );
        };
        self.stack.borrow_mut().push(id.to_string());
        let r = self.resolve(v, &rpath);
        self.stack.borrow_mut().pop();
        match r? {
            Some(Value::String(s)) => Ok(s),
            Some(other) => fail(&rpath, format!("must be a string, not {}", quote(&other))),
            None => fail(&rpath, "is AWS::NoValue"),
        }
    }

    /// The key of App Mesh resource `id`.
    fn key_of(&self, id: &str, path: &str) -> Result<Key, Unresolved> {
        let Some(kind) = self.resource_type(id).and_then(kind_of_type) else {
            return fail(path, format!("{id} is not an App Mesh resource"));
        };
        let mesh = self.property_text(id, "MeshName", path)?;
        let parent = match kind.info().parent {
            Some(p) => self.property_text(id, &name_property(p), path)?,
            None => String::new(),
        };
        let name = if kind == Kind::Mesh {
            mesh.clone()
        } else {
            self.property_text(id, &name_property(kind), path)?
        };
        Ok(Key::new(kind, mesh, parent, name))
    }

    fn get_att(&self, id: &str, attr: &str, path: &str) -> Result<Option<Value>, Unresolved> {
        let Some(ty) = self.resource_type(id) else {
            return fail(
                path,
                format!("GetAtt {id}.{attr}: the template has no resource {id}"),
            );
        };
        let Some(kind) = kind_of_type(ty) else {
            return fail(
                path,
                format!(
                    "GetAtt {id}.{attr}: {id} is a {ty}, which is not an App Mesh resource: its attributes are not known here"
                ),
            );
        };
        let mut names = vec!["MeshName".to_string(), name_property(kind)];
        if let Some(p) = kind.info().parent {
            names.push(name_property(p));
        }
        if names.iter().any(|n| n == attr) {
            return self
                .property_text(id, attr, path)
                .map(|s| Some(Value::String(s)));
        }
        match attr {
            "Arn" => self.reference(id, path),
            "Uid" | "Id" | "MeshOwner" | "ResourceOwner" => fail(
                path,
                format!("GetAtt {id}.{attr} is known only once the resource exists"),
            ),
            _ => fail(
                path,
                format!(
                    "GetAtt {id}.{attr}: {ty} has no attribute {attr} (it has {}, Arn, Uid, MeshOwner, ResourceOwner)",
                    names.join(", ")
                ),
            ),
        }
    }

    fn sub(&self, text: &str, vars: &Map<String, Value>, path: &str) -> Result<String, Unresolved> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let Some(end) = after.find('}') else {
                return fail(path, "Fn::Sub: a ${ without its }");
            };
            let name = &after[..end];
            rest = &after[end + 1..];
            if let Some(lit) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(lit);
                out.push('}');
                continue;
            }
            let value = if let Some(v) = vars.get(name) {
                self.resolve(v, path)?
            } else if let Some((id, attr)) = name.split_once('.')
                && !PSEUDO.contains(&name)
            {
                self.get_att(id, attr, path)?
            } else {
                self.reference(name, path)?
            };
            match value {
                Some(Value::String(s)) => out.push_str(&s),
                Some(Value::Number(n)) => out.push_str(&n.to_string()),
                Some(other) => {
                    return fail(
                        path,
                        format!("Fn::Sub: ${{{name}}} is {}, not a string", quote(&other)),
                    );
                }
                None => {}
            }
        }
        out.push_str(rest);
        Ok(out)
    }

    /// A value with every intrinsic function replaced by its result; `None` for
    /// `AWS::NoValue`.
    fn resolve(&self, v: &Value, path: &str) -> Result<Option<Value>, Unresolved> {
        if intrinsic(v).is_some() {
            let r = self.intrinsic(v, path)?;
            let n = self.produced.get() + r.as_ref().map_or(0, size_of);
            self.produced.set(n);
            if n > MAX_RESOLVED_BYTES {
                return fail(
                    path,
                    format!(
                        "the template's intrinsic functions produce more than {} MiB; it is not an App Mesh definition",
                        MAX_RESOLVED_BYTES / 1024 / 1024
                    ),
                );
            }
            return Ok(r);
        }
        self.plain(v, path)
    }

    fn intrinsic(&self, v: &Value, path: &str) -> Result<Option<Value>, Unresolved> {
        if let Some((f, arg)) = intrinsic(v) {
            let fpath = format!(
                "{path}.{}",
                v.as_object()
                    .and_then(|o| o.keys().next())
                    .map(String::as_str)
                    .unwrap_or("")
            );
            return match f.as_str() {
                "Ref" => match arg.as_str() {
                    Some(name) => self.reference(name, &fpath),
                    None => fail(&fpath, "Ref takes a name"),
                },
                "Fn::GetAtt" => {
                    let (id, attr) = match arg {
                        Value::String(s) => match s.split_once('.') {
                            Some((a, b)) => (a.to_string(), b.to_string()),
                            None => return fail(&fpath, "Fn::GetAtt takes RESOURCE.ATTRIBUTE"),
                        },
                        Value::Array(a) if a.len() == 2 => {
                            let attr = match self.resolve(&a[1], &fpath)? {
                                Some(Value::String(s)) => s,
                                _ => {
                                    return fail(&fpath, "Fn::GetAtt's attribute must be a string");
                                }
                            };
                            match a[0].as_str() {
                                Some(id) => (id.to_string(), attr),
                                None => {
                                    return fail(&fpath, "Fn::GetAtt's resource must be a name");
                                }
                            }
                        }
                        _ => return fail(&fpath, "Fn::GetAtt takes [RESOURCE, ATTRIBUTE]"),
                    };
                    self.get_att(&id, &attr, &fpath)
                }
                "Fn::Sub" => {
                    let (text, vars) = match arg {
                        Value::String(s) => (s.as_str(), Map::new()),
                        Value::Array(a) if a.len() == 2 && a[0].is_string() && a[1].is_object() => {
                            (
                                a[0].as_str().unwrap_or_default(),
                                a[1].as_object().cloned().unwrap_or_default(),
                            )
                        }
                        _ => {
                            return fail(
                                &fpath,
                                "Fn::Sub takes a string, or [string, {variables}]",
                            );
                        }
                    };
                    self.sub(text, &vars, &fpath)
                        .map(|s| Some(Value::String(s)))
                }
                "Fn::Join" => {
                    let Some([delim, list]) = arg
                        .as_array()
                        .map(Vec::as_slice)
                        .and_then(|a| <&[Value; 2]>::try_from(a).ok())
                    else {
                        return fail(&fpath, "Fn::Join takes [delimiter, [values]]");
                    };
                    let Some(delim) = delim.as_str() else {
                        return fail(&fpath, "Fn::Join's delimiter must be a string");
                    };
                    let items = match self.resolve(list, &fpath)? {
                        Some(Value::Array(items)) => items,
                        _ => return fail(&fpath, "Fn::Join's values must be a list"),
                    };
                    let mut parts = Vec::new();
                    for i in items {
                        match i {
                            Value::String(s) => parts.push(s),
                            Value::Number(n) => parts.push(n.to_string()),
                            other => {
                                return fail(
                                    &fpath,
                                    format!("Fn::Join: {} is not a string", quote(&other)),
                                );
                            }
                        }
                    }
                    Ok(Some(Value::String(parts.join(delim))))
                }
                "Fn::Select" => {
                    let Some([idx, list]) = arg
                        .as_array()
                        .map(Vec::as_slice)
                        .and_then(|a| <&[Value; 2]>::try_from(a).ok())
                    else {
                        return fail(&fpath, "Fn::Select takes [index, [values]]");
                    };
                    let idx = match self.resolve(idx, &fpath)? {
                        Some(Value::Number(n)) => n.as_u64(),
                        Some(Value::String(s)) => s.parse().ok(),
                        _ => None,
                    };
                    let items = match self.resolve(list, &fpath)? {
                        Some(Value::Array(items)) => items,
                        _ => return fail(&fpath, "Fn::Select's values must be a list"),
                    };
                    match idx.and_then(|i| items.get(i as usize)) {
                        Some(v) => Ok(Some(v.clone())),
                        None => fail(
                            &fpath,
                            format!("Fn::Select: no item {idx:?} in a list of {}", items.len()),
                        ),
                    }
                }
                "Fn::Split" => {
                    let Some([delim, s]) = arg
                        .as_array()
                        .map(Vec::as_slice)
                        .and_then(|a| <&[Value; 2]>::try_from(a).ok())
                    else {
                        return fail(&fpath, "Fn::Split takes [delimiter, string]");
                    };
                    let (Some(delim), Some(Value::String(s))) =
                        (delim.as_str(), self.resolve(s, &fpath)?)
                    else {
                        return fail(&fpath, "Fn::Split takes [delimiter, string]");
                    };
                    if delim.is_empty() {
                        return fail(&fpath, "Fn::Split's delimiter is empty");
                    }
                    Ok(Some(Value::Array(
                        s.split(delim)
                            .map(|p| Value::String(p.to_string()))
                            .collect(),
                    )))
                }
                other => fail(
                    &fpath,
                    format!(
                        "{other} is not read by the import (Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select and Fn::Split are); put its result in the template"
                    ),
                ),
            };
        }
        self.plain(v, path)
    }

    /// A value that is not a function call: its members resolved.
    fn plain(&self, v: &Value, path: &str) -> Result<Option<Value>, Unresolved> {
        match v {
            Value::Object(o) => {
                let mut out = Map::new();
                for (k, child) in o {
                    if let Some(r) = self.resolve(child, &format!("{path}.{k}"))? {
                        out.insert(k.clone(), r);
                    }
                }
                Ok(Some(Value::Object(out)))
            }
            Value::Array(items) => {
                let mut out = Vec::new();
                for (i, child) in items.iter().enumerate() {
                    if let Some(r) = self.resolve(child, &format!("{path}[{i}]"))? {
                        out.push(r);
                    }
                }
                Ok(Some(Value::Array(out)))
            }
            other => Ok(Some(other.clone())),
        }
    }
}

/// The value of a parameter: `--parameter`, else its Default (a list type splits on commas).
fn parameter_value(name: &str, decl: &Value, opts: &ImportOptions) -> Option<Value> {
    let given = opts
        .parameters
        .get(name)
        .map(|s| Value::String(s.clone()))
        .or_else(|| decl.get("Default").cloned())?;
    let ty = decl.get("Type").and_then(Value::as_str).unwrap_or("String");
    Some(match (&given, ty) {
        (Value::String(s), t) if t.starts_with("List<") || t == "CommaDelimitedList" => {
            Value::Array(
                s.split(',')
                    .map(|p| Value::String(p.trim().to_string()))
                    .collect(),
            )
        }
        _ => given,
    })
}

/// Reads the App Mesh resources of one template.
pub(crate) fn read(src: &Source<'_>, doc: Value, opts: &ImportOptions, out: &mut Collector) {
    let file = src.file;
    let line = |path: &str| src.line(0, path);
    let Some(resources) = doc.get("Resources").and_then(Value::as_object) else {
        out.error(
            file,
            line("Resources"),
            "the template has no Resources mapping",
        );
        return;
    };
    let mut params = BTreeMap::new();
    if let Some(ps) = doc.get("Parameters") {
        match ps.as_object() {
            Some(ps) => {
                for (name, decl) in ps {
                    params.insert(name.clone(), parameter_value(name, decl, opts));
                }
            }
            None => out.error(file, line("Parameters"), "Parameters must be a mapping"),
        }
    }
    for name in opts.parameters.keys() {
        if !params.contains_key(name) && !PSEUDO.contains(&name.as_str()) {
            out.note(
                file,
                None,
                format!("--parameter {name}: the template has no such parameter"),
            );
        }
    }
    let t = Template {
        params,
        resources,
        opts,
        stack: RefCell::new(Vec::new()),
        produced: std::cell::Cell::new(0),
    };
    if !resources.values().any(|r| {
        r.get("Type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.starts_with("AWS::AppMesh::"))
    }) {
        out.note(
            file,
            line("Resources"),
            "the template holds no App Mesh resource",
        );
    }
    for (id, res) in resources {
        if out.full() {
            out.error(
                file,
                line(&format!("Resources.{id}")),
                "not read: too many resources in one import",
            );
            return;
        }
        let rpath = format!("Resources.{id}");
        let Some(ty) = res.get("Type").and_then(Value::as_str) else {
            out.error(file, line(&rpath), format!("resource {id} has no Type"));
            continue;
        };
        let Some(kind) = kind_of_type(ty) else {
            if ty.starts_with("AWS::AppMesh::") {
                out.error(
                    file,
                    line(&format!("{rpath}.Type")),
                    format!(
                        "resource {id}: unknown resource type {ty} (App Mesh has {})",
                        Kind::ALL
                            .iter()
                            .map(|k| resource_type(*k))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            } else {
                out.note(
                    file,
                    line(&format!("{rpath}.Type")),
                    format!("resource {id} skipped: {ty} is not an App Mesh resource"),
                );
            }
            continue;
        };
        for dep in match res.get("DependsOn") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|d| d.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        } {
            if !resources.contains_key(&dep) {
                out.error(file, line(&format!("{rpath}.DependsOn")), format!(
                    "resource {id}: DependsOn names {dep}, which is not a resource of this template"
                ));
            }
        }
        if let Some(c) = res.get("Condition") {
            out.note(file, line(&format!("{rpath}.Condition")), format!(
                "resource {id} is created only when condition {} holds; it is read as if it does",
                quote(c)
            ));
        }
        let props = match res.get("Properties") {
            Some(Value::Object(p)) => p.clone(),
            None => Map::new(),
            Some(_) => {
                out.error(
                    file,
                    line(&format!("{rpath}.Properties")),
                    format!("resource {id}: Properties must be a mapping"),
                );
                continue;
            }
        };
        let mut known = vec![
            "MeshName".to_string(),
            "MeshOwner".into(),
            "Spec".into(),
            "Tags".into(),
        ];
        if kind != Kind::Mesh {
            known.push(name_property(kind));
        }
        if let Some(p) = kind.info().parent {
            known.push(name_property(p));
        }
        let mut bad = false;
        for k in props.keys() {
            if !known.contains(k) {
                out.error(
                    file,
                    line(&format!("{rpath}.Properties.{k}")),
                    format!(
                        "resource {id}: {ty} has no property {k} (it has {})",
                        known.join(", ")
                    ),
                );
                bad = true;
            }
        }
        let key = match t.key_of(id, &rpath) {
            Ok(k) => k,
            Err(u) => {
                out.error(file, line(&u.path), format!("resource {id}: {}", u.message));
                continue;
            }
        };
        let what = format!("resource {id} ({})", super::who(&key));
        if let Some(owner) = props.get("MeshOwner") {
            out.note(file, line(&format!("{rpath}.Properties.MeshOwner")), format!(
                "{what}: MeshOwner {} is not carried over: the resource is read into the mesh of that name",
                quote(owner)
            ));
        }
        let spec_path = format!("{rpath}.Properties.Spec");
        let spec = match props.get("Spec") {
            None => Value::Object(Map::new()),
            Some(s) => match t.resolve(s, &spec_path) {
                Ok(v) => v.unwrap_or(Value::Object(Map::new())),
                Err(u) => {
                    out.error(file, line(&u.path), format!("{what}: {}", u.message));
                    continue;
                }
            },
        };
        let mut issues = Vec::new();
        let wire = spec_from(kind, &spec, &mut issues);
        bad |= report_issues(out, file, &what, "Spec", &issues, &mut |p| {
            line(&format!("{spec_path}.{p}"))
        });
        let mut tags = BTreeMap::new();
        if let Some(tv) = props.get("Tags") {
            let tpath = format!("{rpath}.Properties.Tags");
            match t.resolve(tv, &tpath) {
                Ok(Some(Value::Array(list))) => {
                    for (i, tag) in list.iter().enumerate() {
                        match (tag.get("Key"), tag.get("Value")) {
                            (Some(k), Some(v))
                                if !k.is_array()
                                    && !k.is_object()
                                    && !v.is_array()
                                    && !v.is_object() =>
                            {
                                let text = |x: &Value| {
                                    x.as_str()
                                        .map(str::to_string)
                                        .unwrap_or_else(|| x.to_string())
                                };
                                tags.insert(text(k), text(v));
                            }
                            _ => {
                                out.error(
                                    file,
                                    line(&format!("{tpath}[{i}]")),
                                    format!("{what}: Tags[{i}] must be {{Key, Value}}"),
                                );
                                bad = true;
                            }
                        }
                    }
                }
                Ok(_) => {
                    out.error(
                        file,
                        line(&tpath),
                        format!("{what}: Tags must be a list of {{Key, Value}}"),
                    );
                    bad = true;
                }
                Err(u) => {
                    out.error(file, line(&u.path), format!("{what}: {}", u.message));
                    bad = true;
                }
            }
        }
        if bad {
            out.error(
                file,
                line(&rpath),
                format!("{what} is left out (see above)"),
            );
            continue;
        }
        let item = Item {
            spec: wire.into(),
            tags,
            meta: None,
        };
        out.add(file, line(&rpath), key, item, &mut |wire_path| {
            let fp = spec_format_path(&CLOUDFORMATION, kind, wire_path);
            line(&format!("{spec_path}.{fp}"))
        });
    }
}
