//! What applying a mesh file would change: a diff of two [`MeshModel`]s (what the file wants,
//! what the mesh holds) into steps the service accepts in that order, with field-level
//! changes of specs and tags. Pure: the command line prints it, the TUI shows it, [`super::apply`]
//! carries it out.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::Value;

use crate::kind::{Key, Kind};
use crate::mesh::MeshModel;
use crate::ui::text::clean;

/// One changed field: `spec.listeners[0].portMapping.port` or `tags.team`, what it was
/// (`None`: absent) and what it becomes (`None`: removed).
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub path: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// What a step does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Op {
    /// Create with the spec and all the tags.
    Create,
    /// Update the spec (when it changed) and tag / untag (when the tags changed).
    Update,
    /// Delete (only with `--prune`).
    Delete,
}

/// One resource's change.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub key: Key,
    pub op: Op,
    /// The spec to send: the whole desired spec (Create, and Update when it changed).
    pub spec: Value,
    /// Update: whether the spec changed (else only the tags did).
    pub spec_changed: bool,
    /// Create: all tags. Update: the tags to add or change (TagResource).
    pub tags: BTreeMap<String, String>,
    /// Update: the tag keys to remove (UntagResource).
    pub untag: Vec<String>,
    /// Update: every changed field of the spec and the tags, in path order.
    pub changes: Vec<Change>,
    /// The resource's ARN, when the mesh holds it (Update, Delete).
    pub arn: Option<String>,
    /// Sent with Create and Update, so a retry of this step (the SDK's, or running the same
    /// plan again) is not applied twice.
    pub client_token: String,
}

/// Everything applying a file would change, in an order the service accepts: creates and
/// updates kind by kind in [`MeshModel::create_order`] (what is named before what names it,
/// and every update, which may drop a reference, before any delete), then deletes in
/// [`MeshModel::delete_order`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    pub steps: Vec<Step>,
    /// Resources the file and the mesh hold alike.
    pub unchanged: usize,
    /// Resources the mesh holds and the file does not, left alone (no `--prune`).
    pub kept: Vec<Key>,
    /// The meshes the plan covers, and whether each exists already.
    pub meshes: Vec<(String, bool)>,
}

/// A reference in the file to a resource that will not exist when it is needed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dangling {
    pub from: Key,
    /// Where in the spec: `httpRoute.action.weightedTargets[0].virtualNode`.
    pub at: String,
    pub to: Key,
    /// Why: "neither the file nor the mesh holds it", "--prune deletes it".
    pub why: &'static str,
}

impl Dangling {
    pub fn message(&self) -> String {
        format!(
            "names {} {:?}, which {}; add it to the file{}",
            self.to.kind,
            self.to.name,
            self.why,
            if self.why.contains("prune") {
                " or run without --prune"
            } else {
                " or create it first"
            }
        )
    }
}

/// `v` without `null`s (the service treats them as absent), for comparing.
pub fn normalize(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), normalize(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(normalize).collect()),
        other => other.clone(),
    }
}

/// The field-level differences from `before` to `after`, under `path`: members by name, list
/// items by position.
pub fn diff(before: &Value, after: &Value, path: &str, out: &mut Vec<Change>) {
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
            for k in keys {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match (b.get(k), a.get(k)) {
                    (Some(x), Some(y)) => diff(x, y, &p, out),
                    (x, y) => out.push(Change {
                        path: p,
                        before: x.cloned(),
                        after: y.cloned(),
                    }),
                }
            }
        }
        (Value::Array(b), Value::Array(a)) => {
            for i in 0..b.len().max(a.len()) {
                let p = format!("{path}[{i}]");
                match (b.get(i), a.get(i)) {
                    (Some(x), Some(y)) => diff(x, y, &p, out),
                    (x, y) => out.push(Change {
                        path: p,
                        before: x.cloned(),
                        after: y.cloned(),
                    }),
                }
            }
        }
        (b, a) if b != a => out.push(Change {
            path: path.to_string(),
            before: Some(b.clone()),
            after: Some(a.clone()),
        }),
        _ => {}
    }
}

fn token() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The references of `desired` that must exist (a route's targets, a service's provider, a
/// gateway route's target) and will not: neither the file nor the mesh holds the resource, or
/// `--prune` deletes it.
pub fn dangling(desired: &MeshModel, current: &MeshModel, prune: bool) -> Vec<Dangling> {
    let mut out = Vec::new();
    for link in desired.links() {
        if !link.reference.must_exist || desired.items.contains_key(&link.to) {
            continue;
        }
        let why = if !current.items.contains_key(&link.to) {
            "neither the file nor the mesh holds"
        } else if prune {
            "is not in the file, so --prune deletes it"
        } else {
            continue;
        };
        out.push(Dangling {
            from: link.from,
            at: link.reference.at,
            to: link.to,
            why,
        });
    }
    out
}

impl Plan {
    /// The plan that makes `current` (what the endpoint holds of the mesh; empty when the mesh
    /// does not exist) match `desired` (the file). Without `prune` nothing is deleted.
    pub fn new(desired: &MeshModel, current: &MeshModel, prune: bool) -> Plan {
        let mut plan = Plan::default();
        plan.add(desired, current, prune);
        plan
    }

    /// Adds the steps of one more mesh (a file may hold several).
    pub fn add(&mut self, desired: &MeshModel, current: &MeshModel, prune: bool) {
        self.meshes.push((
            desired.name.clone(),
            current.items.contains_key(&Key::mesh(&desired.name)),
        ));
        for key in desired.create_order() {
            let want = &desired.items[&key];
            let Some(have) = current.items.get(&key) else {
                self.steps.push(Step {
                    key,
                    op: Op::Create,
                    spec: want.spec.value(),
                    spec_changed: true,
                    tags: want.tags.clone(),
                    untag: Vec::new(),
                    changes: Vec::new(),
                    arn: None,
                    client_token: token(),
                });
                continue;
            };
            let mut changes = Vec::new();
            diff(
                &normalize(&have.spec.value()),
                &normalize(&want.spec.value()),
                "spec",
                &mut changes,
            );
            let spec_changed = !changes.is_empty();
            let mut tags = BTreeMap::new();
            let mut untag = Vec::new();
            let keys: BTreeSet<&String> = have.tags.keys().chain(want.tags.keys()).collect();
            for k in keys {
                let (b, a) = (have.tags.get(k), want.tags.get(k));
                if b == a {
                    continue;
                }
                match a {
                    Some(v) => {
                        tags.insert(k.clone(), v.clone());
                    }
                    None => untag.push(k.clone()),
                }
                changes.push(Change {
                    path: format!("tags.{k}"),
                    before: b.map(|s| Value::String(s.clone())),
                    after: a.map(|s| Value::String(s.clone())),
                });
            }
            if changes.is_empty() {
                self.unchanged += 1;
                continue;
            }
            self.steps.push(Step {
                key,
                op: Op::Update,
                spec: want.spec.value(),
                spec_changed,
                tags,
                untag,
                changes,
                arn: have.meta.as_ref().map(|m| m.arn.clone()),
                client_token: token(),
            });
        }
        for key in current.delete_order() {
            if desired.items.contains_key(&key) || key.kind == Kind::Mesh {
                continue;
            }
            if !prune {
                self.kept.push(key);
                continue;
            }
            let have = &current.items[&key];
            self.steps.push(Step {
                key,
                op: Op::Delete,
                spec: Value::Null,
                spec_changed: false,
                tags: BTreeMap::new(),
                untag: Vec::new(),
                changes: Vec::new(),
                arn: have.meta.as_ref().map(|m| m.arn.clone()),
                client_token: String::new(),
            });
        }
        self.kept.sort();
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// How many steps of `op`.
    pub fn count(&self, op: Op) -> usize {
        self.steps.iter().filter(|s| s.op == op).count()
    }

    /// `2 to create, 1 to update, 0 to delete; 12 unchanged`.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} to create, {} to update, {} to delete; {} unchanged",
            self.count(Op::Create),
            self.count(Op::Update),
            self.count(Op::Delete),
            self.unchanged
        );
        if !self.kept.is_empty() {
            let _ = write!(
                s,
                "; {} not in the file, kept (--prune deletes them)",
                self.kept.len()
            );
        }
        s
    }

    /// The plan as lines of text, each with what it is (for colour, or the TUI's styles).
    /// Everything from outside (names, values) is made safe to print.
    pub fn lines(&self) -> Vec<Line> {
        let mut out = Vec::new();
        let mut steps = self.steps.iter().peekable();
        for (mesh, exists) in &self.meshes {
            out.push(Line::new(
                LineKind::Heading,
                format!(
                    "mesh {:?}{}",
                    clean(mesh),
                    if *exists { "" } else { " (new)" }
                ),
            ));
            let before = out.len();
            while let Some(step) = steps.next_if(|s| s.key.mesh == mesh) {
                step_lines(step, &mut out);
            }
            let kept = self.kept.iter().filter(|k| k.mesh == mesh).count();
            if kept > 0 {
                out.push(Line::new(
                    LineKind::Note,
                    format!(
                        "  {kept} resource{} in the mesh but not in the file: kept (--prune deletes {})",
                        if kept == 1 { " is" } else { "s are" },
                        if kept == 1 { "it" } else { "them" }
                    ),
                ));
            }
            if out.len() == before {
                out.push(Line::new(
                    LineKind::Note,
                    "  no changes: the mesh matches the file".to_string(),
                ));
            }
        }
        out.push(Line::new(
            LineKind::Summary,
            format!("Plan: {}.", self.summary()),
        ));
        out
    }

    /// The plan as text, coloured with ANSI escapes when `color` (a terminal without
    /// `NO_COLOR`).
    pub fn render(&self, color: bool) -> String {
        let mut s = String::new();
        for line in self.lines() {
            if color {
                let code = match line.kind {
                    LineKind::Heading | LineKind::Summary => "1",
                    LineKind::Create => "32",
                    LineKind::Update => "33",
                    LineKind::Delete => "31",
                    LineKind::Detail | LineKind::Note => "2",
                };
                let _ = writeln!(s, "\u{1b}[{code}m{}\u{1b}[0m", line.text);
            } else {
                let _ = writeln!(s, "{}", line.text);
            }
        }
        s
    }
}

/// What a line of the printed plan is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    Heading,
    Create,
    Update,
    Delete,
    /// A changed field under an update.
    Detail,
    Note,
    Summary,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub kind: LineKind,
    pub text: String,
}

impl Line {
    fn new(kind: LineKind, text: String) -> Line {
        Line { kind, text }
    }
}

/// A resource within its mesh, for people: `virtual node "api"`, `route "canary" of virtual
/// router "web"`.
pub fn what(key: &Key) -> String {
    match key.kind.info().parent {
        _ if key.kind == Kind::Mesh => format!("mesh {:?}", clean(&key.name)),
        Some(p) => format!(
            "{} {:?} of {p} {:?}",
            key.kind,
            clean(&key.name),
            clean(&key.parent)
        ),
        None => format!("{} {:?}", key.kind, clean(&key.name)),
    }
}

/// A value in a plan line: compact JSON, made safe to print.
pub fn shown(v: &Value) -> String {
    clean(&serde_json::to_string(v).unwrap_or_default()).into_owned()
}

fn step_lines(step: &Step, out: &mut Vec<Line>) {
    match step.op {
        Op::Create => out.push(Line::new(
            LineKind::Create,
            format!("  + create {}", what(&step.key)),
        )),
        Op::Delete => out.push(Line::new(
            LineKind::Delete,
            format!("  - delete {}", what(&step.key)),
        )),
        Op::Update => {
            out.push(Line::new(
                LineKind::Update,
                format!("  ~ update {}", what(&step.key)),
            ));
            for c in &step.changes {
                let path = clean(&c.path);
                let text = match (&c.before, &c.after) {
                    (Some(b), Some(a)) => format!("      ~ {path}: {} → {}", shown(b), shown(a)),
                    (None, Some(a)) => format!("      + {path}: {}", shown(a)),
                    (Some(b), None) => format!("      - {path}: {}", shown(b)),
                    (None, None) => continue,
                };
                out.push(Line::new(LineKind::Detail, text));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::mesh::Item;

    fn k(kind: Kind, parent: &str, name: &str) -> Key {
        Key::new(kind, "m", parent, name)
    }

    fn onboarding() -> MeshModel {
        let mut m = MeshModel::new("m");
        m.items.insert(Key::mesh("m"), Item::new(json!({})));
        for n in ["v1", "v2"] {
            m.items.insert(
                k(Kind::VirtualNode, "", n),
                Item::new(json!({"serviceDiscovery": {"dns": {"hostname": n}}})),
            );
        }
        m.items
            .insert(k(Kind::VirtualRouter, "", "r"), Item::new(json!({})));
        m.items.insert(
            k(Kind::Route, "r", "canary"),
            Item::new(
                json!({"httpRoute": {"match": {"prefix": "/"}, "action": {"weightedTargets": [
                {"virtualNode": "v1", "weight": 90}, {"virtualNode": "v2", "weight": 10}]}}}),
            ),
        );
        m.items.insert(
            k(Kind::VirtualService, "", "web"),
            Item::new(json!({"provider": {"virtualRouter": {"virtualRouterName": "r"}}})),
        );
        m
    }

    #[test]
    fn the_same_model_plans_nothing() {
        let m = onboarding();
        let p = Plan::new(&m, &m, true);
        assert!(p.is_empty());
        assert_eq!(p.unchanged, m.items.len());
        assert!(
            p.render(false)
                .contains("no changes: the mesh matches the file")
        );
    }

    #[test]
    fn an_empty_endpoint_gets_everything_in_create_order() {
        let m = onboarding();
        let p = Plan::new(&m, &MeshModel::new("m"), false);
        assert_eq!(p.count(Op::Create), m.items.len());
        let keys: Vec<&Key> = p.steps.iter().map(|s| &s.key).collect();
        let pos = |k: &Key| keys.iter().position(|x| *x == k).unwrap();
        for l in m.links() {
            assert!(pos(&l.to) < pos(&l.from), "{:?} before {:?}", l.to, l.from);
        }
        assert_eq!(p.meshes, [("m".to_string(), false)]);
        assert!(
            p.render(false)
                .starts_with("mesh \"m\" (new)\n  + create mesh \"m\"\n")
        );
        // Every create carries its own token.
        let tokens: BTreeSet<&String> = p.steps.iter().map(|s| &s.client_token).collect();
        assert_eq!(tokens.len(), p.steps.len());
    }

    #[test]
    fn updates_name_each_changed_field_and_tag() {
        let current = onboarding();
        let mut desired = onboarding();
        let canary = k(Kind::Route, "r", "canary");
        desired.items.get_mut(&canary).unwrap().spec.edit(|spec| {
            spec["httpRoute"]["action"]["weightedTargets"][0]["weight"] = json!(50);
            spec["httpRoute"]["action"]["weightedTargets"][1]["weight"] = json!(50);
            spec["httpRoute"]["timeout"] = json!({"idle": {"unit": "s", "value": 5}});
        });
        let web = k(Kind::VirtualService, "", "web");
        desired.items.get_mut(&web).unwrap().tags =
            BTreeMap::from([("team".to_string(), "b".to_string())]);
        let mut current = current;
        current.items.get_mut(&web).unwrap().tags = BTreeMap::from([
            ("team".to_string(), "a".to_string()),
            ("old".to_string(), "x".to_string()),
        ]);
        let p = Plan::new(&desired, &current, false);
        assert_eq!(p.count(Op::Update), 2);
        assert_eq!(p.unchanged, current.items.len() - 2);
        let route = p.steps.iter().find(|s| s.key == canary).unwrap();
        assert!(route.spec_changed);
        assert_eq!(
            route
                .changes
                .iter()
                .map(|c| c.path.as_str())
                .collect::<Vec<_>>(),
            [
                "spec.httpRoute.action.weightedTargets[0].weight",
                "spec.httpRoute.action.weightedTargets[1].weight",
                "spec.httpRoute.timeout"
            ]
        );
        let svc = p.steps.iter().find(|s| s.key == web).unwrap();
        assert!(!svc.spec_changed);
        assert_eq!(svc.tags, BTreeMap::from([("team".into(), "b".into())]));
        assert_eq!(svc.untag, ["old"]);
        let text = p.render(false);
        for line in [
            "  ~ update route \"canary\" of virtual router \"r\"",
            "      ~ spec.httpRoute.action.weightedTargets[0].weight: 90 → 50",
            "      + spec.httpRoute.timeout: {\"idle\":{\"unit\":\"s\",\"value\":5}}",
            "      - tags.old: \"x\"",
            "      ~ tags.team: \"a\" → \"b\"",
            "Plan: 0 to create, 2 to update, 0 to delete; 4 unchanged.",
        ] {
            assert!(text.contains(line), "{line:?} missing from\n{text}");
        }
        // Services come after routes in the create order, but both are updates before any
        // delete.
        assert!(p.render(true).contains("\u{1b}[33m  ~ update"));
    }

    #[test]
    fn deletes_only_with_prune_and_after_the_updates_that_free_them() {
        let current = onboarding();
        let mut desired = onboarding();
        // v2 leaves: the route drops it, and the node goes.
        let canary = k(Kind::Route, "r", "canary");
        desired.items.get_mut(&canary).unwrap().spec =
            json!({"httpRoute": {"match": {"prefix": "/"},
            "action": {"weightedTargets": [{"virtualNode": "v1", "weight": 100}]}}})
            .into();
        let v2 = k(Kind::VirtualNode, "", "v2");
        desired.items.remove(&v2);
        let kept = Plan::new(&desired, &current, false);
        assert_eq!(kept.count(Op::Delete), 0);
        assert_eq!(kept.kept, std::slice::from_ref(&v2));
        assert!(
            kept.render(false).contains(
                "1 resource is in the mesh but not in the file: kept (--prune deletes it)"
            )
        );
        let p = Plan::new(&desired, &current, true);
        assert_eq!(p.count(Op::Delete), 1);
        let update = p.steps.iter().position(|s| s.key == canary).unwrap();
        let delete = p.steps.iter().position(|s| s.key == v2).unwrap();
        assert!(update < delete);
        assert!(p.render(false).contains("  - delete virtual node \"v2\""));
        // The mesh itself is never deleted by a plan.
        let mut none = MeshModel::new("m");
        none.items.insert(Key::mesh("m"), Item::new(json!({})));
        let p = Plan::new(&none, &current, true);
        assert_eq!(p.count(Op::Delete), current.items.len() - 1);
        assert_eq!(p.steps.last().unwrap().key.kind, Kind::VirtualNode);
        assert!(p.steps.iter().all(|s| s.key.kind != Kind::Mesh));
        let order: Vec<Kind> = p.steps.iter().map(|s| s.key.kind).collect();
        assert_eq!(
            order,
            [
                Kind::Route,
                Kind::VirtualService,
                Kind::VirtualRouter,
                Kind::VirtualNode,
                Kind::VirtualNode
            ]
        );
    }

    #[test]
    fn references_that_will_not_exist_are_found() {
        let current = onboarding();
        let mut desired = onboarding();
        desired.items.insert(
            k(Kind::Route, "r", "ghostly"),
            Item::new(json!({"tcpRoute": {"action": {"weightedTargets": [{"virtualNode": "ghost", "weight": 1}]}}})),
        );
        desired.items.remove(&k(Kind::VirtualNode, "", "v1"));
        let d = dangling(&desired, &current, false);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].to.name, "ghost");
        assert_eq!(d[0].at, "tcpRoute.action.weightedTargets[0].virtualNode");
        assert!(
            d[0].message()
                .contains("neither the file nor the mesh holds")
        );
        let d = dangling(&desired, &current, true);
        assert_eq!(d.len(), 2);
        assert!(
            d.iter()
                .any(|x| x.to.name == "v1" && x.message().contains("--prune"))
        );
    }

    #[test]
    fn nulls_are_no_changes_and_names_are_made_safe() {
        let mut current = onboarding();
        let mut desired = onboarding();
        let v1 = k(Kind::VirtualNode, "", "v1");
        desired
            .items
            .get_mut(&v1)
            .unwrap()
            .spec
            .edit(|s| s["backends"] = Value::Null);
        assert!(Plan::new(&desired, &current, false).is_empty());
        let evil = k(Kind::VirtualNode, "", "a\u{1b}[2Jb");
        current.items.remove(&evil);
        desired.items.insert(evil, Item::new(json!({})));
        let text = Plan::new(&desired, &current, false).render(false);
        assert!(!text.contains('\u{1b}'), "{text:?}");
    }
}
