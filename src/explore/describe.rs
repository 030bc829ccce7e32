//! The describe pane's content for any kind: the key facts first, then what the resource names
//! and what names it (each a link), what is wrong with it, the whole spec as a tree folded
//! where the user folds it (every member the service returned, in the model's order), tags,
//! metadata and the request ID. Pure: a list of lines the pane draws and the keys move over.

use std::collections::BTreeSet;
use std::time::SystemTime;

use serde_json::Value;

use super::facts;
use crate::aws::ApiError;
use crate::kind::{Key, Kind};
use crate::mesh::{IndexedMesh, Link, MeshModel};
use crate::model::Tag;
use crate::resource::Resource;
use crate::shape::{self, Shape};

/// What a line is, for its style and what Enter does on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// A section title.
    Heading,
    /// `label  value`.
    Field,
    /// A reference: Enter opens `key`. `exists` is false for a name the mesh does not hold.
    Link { key: Key, exists: bool },
    /// Something wrong.
    Warning,
    /// A node of the spec tree that folds (`path` is its JSON path).
    Branch { path: String, folded: bool },
}

/// One line of the pane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DetailLine {
    pub indent: u16,
    pub label: String,
    pub value: String,
    pub kind: LineKind,
}

impl DetailLine {
    fn new(
        indent: u16,
        label: impl Into<String>,
        value: impl Into<String>,
        kind: LineKind,
    ) -> Self {
        DetailLine {
            indent,
            label: label.into(),
            value: value.into(),
            kind,
        }
    }

    /// Lines the cursor stops at: links and foldable branches.
    pub fn is_stop(&self) -> bool {
        matches!(self.kind, LineKind::Link { .. } | LineKind::Branch { .. })
    }
}

/// A described resource, as the pane holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Described {
    pub resource: Resource,
    /// `Err` when the describe worked but ListTagsForResource did not.
    pub tags: Result<Vec<Tag>, ApiError>,
    pub request_id: Option<String>,
    /// The verb of the call that returned it (`DescribeVirtualNode`, `DeleteRoute`, …).
    pub verb: String,
}

fn link_label(l: &Link, toward: bool) -> String {
    let k = if toward { &l.to } else { &l.from };
    let what = match k.kind.info().parent {
        Some(p) => format!("{} {} ({} {})", k.kind, k.name, p, k.parent),
        None => format!("{} {}", k.kind, k.name),
    };
    let weight = l
        .reference
        .weight
        .map(|w| format!(" · weight {w}"))
        .unwrap_or_default();
    format!("{what}{weight}")
}

/// Relative time for the metadata: `2026-11-30 10:12:03 UTC`.
fn when(t: SystemTime) -> String {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|d| {
            d.format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
            ))
            .ok()
        })
        .unwrap_or_else(|| secs.to_string())
}

/// The pane's lines for `d`, with what `model` (the mesh as known so far) says about links.
pub fn lines(
    d: &Described,
    model: Option<&IndexedMesh>,
    folded: &BTreeSet<String>,
) -> Vec<DetailLine> {
    let r = &d.resource;
    let k = &r.key;
    let mut out = Vec::new();
    let title = match k.kind.info().parent {
        Some(p) => format!("{} {} ({} {})", k.kind, k.name, p, k.parent),
        None => format!("{} {}", k.kind, k.name),
    };
    out.push(DetailLine::new(
        0,
        title,
        format!("{} · version {}", r.status, r.meta.version),
        LineKind::Heading,
    ));
    for (label, value) in facts::key_facts(k.kind, &r.spec) {
        out.push(DetailLine::new(1, label, value, LineKind::Field));
    }
    if k.kind != Kind::Mesh {
        out.push(DetailLine::new(
            1,
            "mesh",
            k.mesh.clone(),
            LineKind::Link {
                key: Key::mesh(&k.mesh),
                exists: true,
            },
        ));
    }
    if let Some(container) = k.container().filter(|c| c.kind != Kind::Mesh) {
        out.push(DetailLine::new(
            1,
            container.kind.info().singular,
            container.name.clone(),
            LineKind::Link {
                key: container,
                exists: true,
            },
        ));
    }
    if let Some(m) = model {
        let from = m.links_from(k);
        let resolved: Vec<Link> = if from.is_empty() {
            // The model may not hold this resource's spec yet: resolve from the spec shown.
            let mut tmp = MeshModel::new(k.mesh.clone());
            tmp.items
                .insert(k.clone(), crate::mesh::Item::new(r.spec.clone()));
            tmp.links_from(k)
                .into_iter()
                .map(|mut l| {
                    l.exists = m.items.contains_key(&l.to);
                    l
                })
                .collect()
        } else {
            from
        };
        if !resolved.is_empty() {
            out.push(DetailLine::new(0, "refers to", "", LineKind::Heading));
            for l in resolved {
                let mut value = link_label(&l, true);
                if !l.exists {
                    value.push_str("  — does not exist");
                }
                out.push(DetailLine::new(
                    1,
                    l.reference.role,
                    value,
                    LineKind::Link {
                        key: l.to.clone(),
                        exists: l.exists,
                    },
                ));
            }
        }
        let used = m.used_by(k);
        if k.kind != Kind::Mesh {
            out.push(DetailLine::new(
                0,
                "used by",
                if used.is_empty() {
                    "nothing refers to it"
                } else {
                    ""
                },
                LineKind::Heading,
            ));
            for l in used {
                out.push(DetailLine::new(
                    1,
                    l.reference.role,
                    link_label(&l, false),
                    LineKind::Link {
                        key: l.from.clone(),
                        exists: true,
                    },
                ));
            }
        }
        for f in m.findings_of(k) {
            out.push(DetailLine::new(1, "⚠", f.describe(), LineKind::Warning));
        }
    }
    out.push(DetailLine::new(
        0,
        "spec",
        if r.spec.as_object().is_some_and(|o| o.is_empty()) {
            "{} (nothing set; the service's defaults apply)"
        } else {
            ""
        },
        LineKind::Heading,
    ));
    spec_tree(
        &r.spec,
        k.kind.info().spec_shape,
        "spec",
        1,
        folded,
        &mut out,
    );
    match &d.tags {
        Ok(tags) => {
            out.push(DetailLine::new(
                0,
                "tags",
                if tags.is_empty() {
                    "none".to_string()
                } else {
                    tags.len().to_string()
                },
                LineKind::Heading,
            ));
            for t in tags {
                out.push(DetailLine::new(
                    1,
                    t.key.clone(),
                    t.value.clone(),
                    LineKind::Field,
                ));
            }
        }
        Err(e) => out.push(DetailLine::new(
            0,
            "tags",
            format!("could not be read: {} — {}", e.title(), e.message),
            LineKind::Warning,
        )),
    }
    out.push(DetailLine::new(0, "metadata", "", LineKind::Heading));
    let meta = &r.meta;
    for (label, value) in [
        ("ARN", meta.arn.clone()),
        ("UID", meta.uid.clone()),
        ("created", when(meta.created_at)),
        ("last updated", when(meta.last_updated_at)),
        ("mesh owner", meta.mesh_owner.to_string()),
        ("resource owner", meta.resource_owner.to_string()),
    ] {
        if !value.is_empty() {
            out.push(DetailLine::new(1, label, value, LineKind::Field));
        }
    }
    out.push(DetailLine::new(
        1,
        "request ID",
        d.request_id.clone().unwrap_or_else(|| "—".into()),
        LineKind::Field,
    ));
    out
}

/// The member order of `shape` (the model's), then any member the model does not know.
fn members_in_order<'a>(
    shape: &str,
    obj: &'a serde_json::Map<String, Value>,
) -> Vec<(&'a String, &'a Value, Option<String>)> {
    let model = shape::model();
    let mut out = Vec::new();
    if let Some(s) = model.structure(shape) {
        for m in &s.members {
            if let Some((k, v)) = obj.get_key_value(&m.name) {
                out.push((k, v, Some(m.shape.clone())));
            }
        }
    }
    for (k, v) in obj {
        if !out.iter().any(|(n, _, _)| *n == k) {
            out.push((k, v, None));
        }
    }
    out
}

fn list_member(shape: Option<&str>) -> Option<String> {
    match shape.and_then(|s| shape::model().shape(s)) {
        Some(Shape::List { member, .. }) => Some(member.clone()),
        _ => None,
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The spec as a tree: every member, objects and lists as foldable branches.
fn spec_tree(
    v: &Value,
    shape: &str,
    path: &str,
    indent: u16,
    folded: &BTreeSet<String>,
    out: &mut Vec<DetailLine>,
) {
    let Value::Object(obj) = v else { return };
    for (name, value, member_shape) in members_in_order(shape, obj) {
        let p = format!("{path}.{name}");
        node(
            name,
            value,
            member_shape.as_deref(),
            &p,
            indent,
            folded,
            out,
        );
    }
}

fn node(
    label: &str,
    value: &Value,
    shape: Option<&str>,
    path: &str,
    indent: u16,
    folded: &BTreeSet<String>,
    out: &mut Vec<DetailLine>,
) {
    match value {
        Value::Object(o) => {
            let is_folded = folded.contains(path);
            // A one-member object reads as `label › member` on one line when that member is
            // a value: `egressFilter › type  ALLOW_ALL`.
            out.push(DetailLine::new(
                indent,
                label,
                if is_folded {
                    format!(
                        "{{…{} member{}}}",
                        o.len(),
                        if o.len() == 1 { "" } else { "s" }
                    )
                } else {
                    String::new()
                },
                LineKind::Branch {
                    path: path.to_string(),
                    folded: is_folded,
                },
            ));
            if !is_folded {
                spec_tree(value, shape.unwrap_or(""), path, indent + 1, folded, out);
            }
        }
        Value::Array(items) => {
            let is_folded = folded.contains(path);
            out.push(DetailLine::new(
                indent,
                label,
                if is_folded {
                    format!(
                        "[…{} item{}]",
                        items.len(),
                        if items.len() == 1 { "" } else { "s" }
                    )
                } else {
                    format!(
                        "{} item{}",
                        items.len(),
                        if items.len() == 1 { "" } else { "s" }
                    )
                },
                LineKind::Branch {
                    path: path.to_string(),
                    folded: is_folded,
                },
            ));
            if !is_folded {
                let member = list_member(shape);
                for (i, item) in items.iter().enumerate() {
                    node(
                        &format!("[{i}]"),
                        item,
                        member.as_deref(),
                        &format!("{path}[{i}]"),
                        indent + 1,
                        folded,
                        out,
                    );
                }
            }
        }
        other => out.push(DetailLine::new(
            indent,
            label,
            scalar(other),
            LineKind::Field,
        )),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::mesh::Item;
    use crate::resource::Meta;

    fn resource(kind: Kind, parent: &str, name: &str, spec: Value) -> Resource {
        Resource {
            key: Key::new(kind, "m", parent, name),
            meta: Meta {
                arn: format!("arn:aws:appmesh:us-east-1:111122223333:mesh/m/{name}"),
                uid: "uid-1".into(),
                version: 2,
                created_at: SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000),
                last_updated_at: SystemTime::UNIX_EPOCH
                    + std::time::Duration::from_secs(1_800_000_100),
                mesh_owner: "111122223333".into(),
                resource_owner: "111122223333".into(),
            },
            status: "ACTIVE".into(),
            spec,
        }
    }

    fn described(r: Resource) -> Described {
        Described {
            resource: r,
            tags: Ok(vec![Tag::new("team", "web")]),
            request_id: Some("req-1".into()),
            verb: "DescribeRoute".into(),
        }
    }

    #[test]
    fn a_route_shows_its_targets_as_links_and_its_whole_spec() {
        let spec = json!({"httpRoute": {"match": {"prefix": "/"}, "action": {"weightedTargets": [
            {"virtualNode": "v1", "weight": 90}, {"virtualNode": "gone", "weight": 10}]}}});
        let mut m = MeshModel::new("m");
        m.items.insert(
            Key::new(Kind::VirtualNode, "m", "", "v1"),
            Item::new(json!({})),
        );
        m.items.insert(
            Key::new(Kind::Route, "m", "r", "canary"),
            Item::new(spec.clone()),
        );
        let d = described(resource(Kind::Route, "r", "canary", spec));
        let l = lines(&d, Some(&IndexedMesh::from(m.clone())), &BTreeSet::new());
        let text: Vec<String> = l
            .iter()
            .map(|l| format!("{}{} = {}", " ".repeat(l.indent as usize), l.label, l.value))
            .collect();
        assert_eq!(
            text[0],
            "route canary (virtual router r) = ACTIVE · version 2"
        );
        assert!(
            text.contains(&" targets = v1 90% · gone 10%".to_string()),
            "{text:#?}"
        );
        let links: Vec<(&Key, bool)> = l
            .iter()
            .filter_map(|l| match &l.kind {
                LineKind::Link { key, exists } => Some((key, *exists)),
                _ => None,
            })
            .collect();
        assert!(links.contains(&(&Key::new(Kind::VirtualNode, "m", "", "v1"), true)));
        assert!(links.contains(&(&Key::new(Kind::VirtualNode, "m", "", "gone"), false)));
        assert!(links.contains(&(&Key::new(Kind::VirtualRouter, "m", "", "r"), true)));
        assert!(
            text.iter().any(|t| t.contains("does not exist")),
            "{text:#?}"
        );
        // The whole spec, in the model's order, every value.
        assert!(
            text.contains(&"   weightedTargets = 2 items".to_string()),
            "{text:#?}"
        );
        assert!(
            text.contains(&"     virtualNode = gone".to_string()),
            "{text:#?}"
        );
        assert!(text.contains(&"     weight = 10".to_string()), "{text:#?}");
        assert!(text.contains(&" team = web".to_string()));
        assert!(text.contains(&" request ID = req-1".to_string()));
        assert!(
            text.contains(&" created = 2027-01-15 08:00:00 UTC".to_string()),
            "{text:#?}"
        );
    }

    #[test]
    fn folding_hides_a_branch_and_used_by_lists_the_holders() {
        let route = json!({"tcpRoute": {"action": {"weightedTargets": [{"virtualNode": "v1", "weight": 1}]}}});
        let mut m = MeshModel::new("m");
        m.items.insert(
            Key::new(Kind::VirtualNode, "m", "", "v1"),
            Item::new(json!({})),
        );
        m.items.insert(
            Key::new(Kind::Route, "m", "r", "x"),
            Item::new(route.clone()),
        );
        let d = described(resource(Kind::Route, "r", "x", route));
        let mut folded = BTreeSet::new();
        folded.insert("spec.tcpRoute".to_string());
        let l = lines(&d, Some(&IndexedMesh::from(m.clone())), &folded);
        assert!(
            l.iter()
                .any(|l| l.label == "tcpRoute" && l.value == "{…1 member}")
        );
        assert!(!l.iter().any(|l| l.label == "weightedTargets"));
        let node = described(resource(Kind::VirtualNode, "", "v1", json!({})));
        let l = lines(&node, Some(&IndexedMesh::from(m.clone())), &BTreeSet::new());
        let used: Vec<&DetailLine> = l.iter().filter(|l| l.label == "weighted target").collect();
        assert_eq!(used.len(), 1);
        assert_eq!(used[0].value, "route x (virtual router r) · weight 1");
        assert!(
            l.iter()
                .any(|l| l.kind == LineKind::Warning
                    && l.value.contains("no virtual service reaches"))
        );
        assert!(
            l.iter()
                .any(|l| l.value == "{} (nothing set; the service's defaults apply)")
        );
    }
}
