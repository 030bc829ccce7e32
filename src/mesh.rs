//! A whole mesh as data: every resource's key, spec and tags. What the app learned by listing
//! and describing, what a mesh file holds, what an import read from infrastructure code, all
//! become a [`MeshModel`]; references between its resources ("used by", links, the topology,
//! what is wrong) and the order in which the service lets them be created and deleted are
//! derived here, from the kind registry's reference paths, for every kind alike.

use std::collections::{BTreeMap, BTreeSet};

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use serde_json::Value;

use crate::kind::{Key, Kind, Name, Reference, references};
use crate::resource::{Meta, Resource};

/// Everything in a mesh as an endpoint holds it now (every kind listed and described, with
/// tags, at most 16 calls in flight): `fetch(&api, "payments").await`. A missing mesh is the
/// service's `NotFoundException`; [`fetch_or_empty`] gives an empty model instead. Defined in
/// [`crate::meshfile::remote`].
pub use crate::meshfile::remote::{fetch, fetch_or_empty};

/// One resource of the mesh.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// The spec in the wire form, kept compact (see [`Spec`]).
    pub spec: Spec,
    pub tags: BTreeMap<String, String>,
    /// What the service said of it, when it came from the service (boxed: most items of a
    /// mesh file or an explorer's mesh have none, and a `Meta` is a dozen words).
    pub meta: Option<Box<Meta>>,
}

impl Item {
    pub fn new(spec: impl Into<Spec>) -> Item {
        Item {
            spec: spec.into(),
            tags: BTreeMap::new(),
            meta: None,
        }
    }

    /// A resource as the service returned it, with its tags.
    pub fn of_resource(r: &Resource, tags: BTreeMap<String, String>) -> Item {
        Item {
            spec: Spec::new(&r.spec),
            tags,
            meta: Some(Box::new(r.meta.clone())),
        }
    }
}

/// A spec as a mesh keeps it: its compact JSON text, one allocation.
///
/// A mesh holds thousands of specs and reads each one now and then (a describe, a list row on
/// screen, an export, a plan), so they are kept as text and read into a [`Value`] when asked:
/// a `Value` spends a map node of about 600 bytes on every JSON object, and a virtual node's
/// spec has half a dozen, where its text is a few hundred bytes. Two specs are equal when
/// their values are (`serde_json` writes an object's members in key order, so equal values
/// have equal text).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Spec(Box<str>);

impl Spec {
    pub fn new(value: &Value) -> Spec {
        // A `Value` always serializes (its keys are strings, its numbers finite).
        Spec(
            serde_json::to_string(value)
                .unwrap_or_default()
                .into_boxed_str(),
        )
    }

    /// The spec as a value, read from its text.
    pub fn value(&self) -> Value {
        // The text was written from a `Value` by `Spec::new`, so it reads back.
        serde_json::from_str(&self.0).unwrap_or(Value::Null)
    }

    /// The compact JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// No spec at all (JSON `null`).
    pub fn is_null(&self) -> bool {
        &*self.0 == "null"
    }

    /// Changes the spec through its value.
    pub fn edit(&mut self, change: impl FnOnce(&mut Value)) {
        let mut v = self.value();
        change(&mut v);
        *self = Spec::new(&v);
    }
}

impl PartialEq<Value> for Spec {
    fn eq(&self, other: &Value) -> bool {
        self.value() == *other
    }
}

impl PartialEq<Spec> for Value {
    fn eq(&self, other: &Spec) -> bool {
        other == self
    }
}

/// A spec is found by its text in a map keyed by specs (its hash is its text's).
impl std::borrow::Borrow<str> for Spec {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl Default for Spec {
    fn default() -> Spec {
        Spec::new(&Value::Null)
    }
}

impl From<Value> for Spec {
    fn from(value: Value) -> Spec {
        Spec::new(&value)
    }
}

impl From<&Value> for Spec {
    fn from(value: &Value) -> Spec {
        Spec::new(value)
    }
}

impl std::fmt::Debug for Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A mesh and everything in it. The mesh itself is an item too, at `Key::mesh(name)`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MeshModel {
    pub name: String,
    pub items: BTreeMap<Key, Item>,
}

/// One reference from a resource, resolved in the mesh.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub from: Key,
    pub to: Key,
    pub reference: Reference,
    /// The resource named exists in the mesh.
    pub exists: bool,
}

/// Something worth a mark in the topology and the describe pane.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Finding {
    /// `from` names `to`, which the mesh does not hold.
    Missing { from: Key, to: Key, at: String },
    /// No virtual service reaches this virtual node (not a provider, not a route target of a
    /// router that provides a service).
    Unreached(Key),
    /// A virtual service without a provider.
    NoProvider(Key),
    /// A route sends no traffic (weight 0) to this target.
    ZeroWeight { route: Key, node: String },
}

impl Finding {
    /// The resource the finding is about.
    pub fn key(&self) -> &Key {
        match self {
            Finding::Missing { from, .. } => from,
            Finding::Unreached(k) | Finding::NoProvider(k) => k,
            Finding::ZeroWeight { route, .. } => route,
        }
    }

    /// In words, for the describe pane and reports.
    pub fn describe(&self) -> String {
        match self {
            Finding::Missing { to, at, .. } => {
                format!(
                    "spec.{at} names {} {:?}, which does not exist",
                    to.kind, to.name
                )
            }
            Finding::Unreached(k) => format!(
                "no virtual service reaches virtual node {:?}: it is no service's provider and no route of a providing router targets it",
                k.name
            ),
            Finding::NoProvider(k) => format!(
                "virtual service {:?} has no provider: requests to it go nowhere",
                k.name
            ),
            Finding::ZeroWeight { route, node } => format!(
                "route {:?} gives virtual node {node:?} weight 0: it gets no traffic",
                route.name
            ),
        }
    }
}

impl MeshModel {
    pub fn new(name: impl Into<String>) -> MeshModel {
        MeshModel {
            name: name.into(),
            items: BTreeMap::new(),
        }
    }

    /// Puts a resource as the service returned it.
    pub fn put_resource(&mut self, r: &Resource, tags: BTreeMap<String, String>) {
        self.items.insert(r.key.clone(), Item::of_resource(r, tags));
    }

    pub fn get(&self, key: &Key) -> Option<&Item> {
        self.items.get(key)
    }

    /// The resources of `kind`, in name order (routes by router, then name).
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = (&Key, &Item)> {
        self.items.iter().filter(move |(k, _)| k.kind == kind)
    }

    /// The key a reference of `from` names: the same mesh, a top-level kind.
    pub fn target(&self, r: &Reference) -> Key {
        Key::new(r.to, self.name.clone(), "", r.name.clone())
    }

    /// What `key`'s spec names, each resolved.
    pub fn links_from(&self, key: &Key) -> Vec<Link> {
        match self.items.get(key) {
            Some(item) => self.links_of(key, &item.spec.value(), |to| self.items.contains_key(to)),
            None => Vec::new(),
        }
    }

    fn links_of(&self, key: &Key, spec: &Value, exists: impl Fn(&Key) -> bool) -> Vec<Link> {
        references(key.kind, spec)
            .into_iter()
            .map(|reference| {
                let to = self.target(&reference);
                Link {
                    exists: exists(&to),
                    from: key.clone(),
                    to,
                    reference,
                }
            })
            .collect()
    }

    /// Every spec of the mesh read from its text once, in key order: for a walk of the whole
    /// mesh that looks at specs more than once (with [`MeshModel::links_in`]).
    pub fn values(&self) -> BTreeMap<&Key, Value> {
        self.items
            .iter()
            .map(|(k, i)| (k, i.spec.value()))
            .collect()
    }

    /// Every reference in the mesh, in key order.
    pub fn links(&self) -> Vec<Link> {
        self.links_in(&self.values())
    }

    /// [`MeshModel::links`] from the specs [`MeshModel::values`] read.
    pub fn links_in(&self, values: &BTreeMap<&Key, Value>) -> Vec<Link> {
        // References name top-level resources of this mesh: a hashed set of (kind, name)
        // answers "does it exist" faster than the ordered map, for meshes of thousands.
        let top: HashSet<(Kind, &str)> = self
            .items
            .keys()
            .filter(|k| k.parent.is_empty() && k.mesh == self.name)
            .map(|k| (k.kind, k.name.as_str()))
            .collect();
        let exists = |to: &Key| to.mesh == self.name && top.contains(&(to.kind, to.name.as_str()));
        values
            .iter()
            .flat_map(|(k, spec)| self.links_of(k, spec, exists))
            .collect()
    }

    /// What refers to `key`: each resource whose spec names it, with how.
    pub fn used_by(&self, key: &Key) -> Vec<Link> {
        self.links().into_iter().filter(|l| &l.to == key).collect()
    }

    /// The resources directly inside `key` (a mesh's top-level resources, a router's routes,
    /// a gateway's gateway routes).
    pub fn children(&self, key: &Key) -> Vec<&Key> {
        self.items
            .keys()
            .filter(|k| k.container().as_ref() == Some(key))
            .collect()
    }

    /// Everything that deserves a mark, in a stable order.
    pub fn findings(&self) -> Vec<Finding> {
        self.findings_in(&self.links())
    }

    /// [`MeshModel::findings`] from the mesh's [`MeshModel::links`], for a caller that has
    /// them already.
    pub fn findings_in(&self, links: &[Link]) -> Vec<Finding> {
        let mut out = BTreeSet::new();
        for l in links {
            link_findings(l, &mut out);
        }
        // Indexed once, so a mesh of thousands of resources takes milliseconds, not seconds:
        // what names each resource, and which services name a provider.
        let mut referrers: HashMap<(Kind, &str), Vec<Referrer>> = HashMap::new();
        let mut provided: HashSet<&Key> = HashSet::new();
        for l in links.iter().filter(|l| l.to.mesh == self.name) {
            referrers
                .entry((l.to.kind, l.to.name.as_str()))
                .or_default()
                .push(Referrer {
                    kind: l.from.kind,
                    parent: &l.from.parent,
                    role: l.reference.role,
                    weight: l.reference.weight,
                });
            if l.from.kind == Kind::VirtualService && l.reference.role == "provider" {
                provided.insert(&l.from);
            }
        }
        for (svc, _) in self.of_kind(Kind::VirtualService) {
            if !provided.contains(svc) {
                out.insert(Finding::NoProvider(svc.clone()));
            }
        }
        for (node, _) in self.of_kind(Kind::VirtualNode) {
            if !reached(&node.name, |kind, name| {
                referrers.get(&(kind, name)).into_iter().flatten().copied()
            }) {
                out.insert(Finding::Unreached(node.clone()));
            }
        }
        out.into_iter().collect()
    }

    /// The keys in an order the service accepts for creating them: the mesh, nodes, routers,
    /// gateways, then what names them (services, routes, gateway routes).
    pub fn create_order(&self) -> Vec<Key> {
        let mut keys: Vec<Key> = Vec::with_capacity(self.items.len());
        for kind in Kind::DELETE_ORDER.iter().rev() {
            keys.extend(self.items.keys().filter(|k| k.kind == *kind).cloned());
        }
        keys
    }

    /// The keys in an order the service accepts for deleting them: what refers to something
    /// before it, the mesh last.
    pub fn delete_order(&self) -> Vec<Key> {
        let mut keys = self.create_order();
        keys.reverse();
        keys
    }

    /// How many resources of each kind, the mesh itself left out.
    pub fn counts(&self) -> BTreeMap<Kind, usize> {
        let mut out = BTreeMap::new();
        for k in self.items.keys().filter(|k| k.kind != Kind::Mesh) {
            *out.entry(k.kind).or_insert(0) += 1;
        }
        out
    }
}

/// One resource that names another, as the reachability rule needs it.
#[derive(Clone, Copy)]
struct Referrer<'a> {
    kind: Kind,
    /// Its router, for a route.
    parent: &'a str,
    role: &'static str,
    weight: Option<i64>,
}

/// The reachability rule, for the whole mesh ([`MeshModel::findings_in`]) and for one node
/// ([`IndexedMesh::findings_of`]) alike: virtual node `node` is reached when a virtual
/// service names it as provider, or a route that sends it traffic (no weight, or above 0)
/// belongs to a router a virtual service names as provider. `referrers(kind, name)` lists
/// what names the top-level resource `kind` `name` of the mesh.
fn reached<'a, I: Iterator<Item = Referrer<'a>>>(
    node: &'a str,
    referrers: impl Fn(Kind, &'a str) -> I,
) -> bool {
    let provides = |r: &Referrer| r.kind == Kind::VirtualService && r.role == "provider";
    referrers(Kind::VirtualNode, node).any(|r| match r.kind {
        Kind::VirtualService => provides(&r),
        Kind::Route => {
            r.weight.is_none_or(|w| w > 0)
                && referrers(Kind::VirtualRouter, r.parent).any(|p| provides(&p))
        }
        _ => false,
    })
}

/// What one link deserves a mark for: naming nothing, or sending no traffic.
fn link_findings(l: &Link, out: &mut BTreeSet<Finding>) {
    if !l.exists {
        out.insert(Finding::Missing {
            from: l.from.clone(),
            to: l.to.clone(),
            at: l.reference.at.clone(),
        });
    }
    if l.reference.weight == Some(0) {
        out.insert(Finding::ZeroWeight {
            route: l.from.clone(),
            node: l.to.name.to_string(),
        });
    }
}

/// A mesh with an index of who refers to whom, kept current as resources arrive and go.
///
/// "Used by" and one resource's findings then cost what that resource's neighbours cost, not
/// a walk of the whole mesh: the explorer asks them on every frame of a describe, in meshes
/// of thousands of resources. Read it as a [`MeshModel`] (it derefs to one); change it only
/// through [`IndexedMesh::put_resource`] and [`IndexedMesh::remove`] so the index follows.
#[derive(Clone, Debug, Default)]
pub struct IndexedMesh {
    model: MeshModel,
    /// Target → the references to it, by the resource that makes them (in key order), then
    /// in spec order. References name top-level resources of the mesh, so a target is a kind
    /// and a name.
    used: HashMap<(Kind, Name), Vec<Edge>>,
}

/// One reference to an indexed target, kept small: a mesh of thousands of resources holds
/// thousands of them. The mesh is the model's, the target the index's key.
#[derive(Clone, Debug, PartialEq)]
struct Edge {
    /// The resource that makes it: kind, parent, name.
    from: (Kind, Name, Name),
    role: &'static str,
    must_exist: bool,
    blocks_delete: bool,
    at: Box<str>,
    weight: Option<i64>,
}

impl Edge {
    fn new(from: &Key, r: Reference) -> Edge {
        Edge {
            from: (from.kind, from.parent.clone(), from.name.clone()),
            role: r.role,
            must_exist: r.must_exist,
            blocks_delete: r.blocks_delete,
            at: r.at.into_boxed_str(),
            weight: r.weight,
        }
    }

    fn is_from(&self, key: &Key) -> bool {
        self.from.0 == key.kind && *self.from.1 == *key.parent && *self.from.2 == *key.name
    }

    fn source_key(&self, mesh: &str) -> Key {
        Key::new(self.from.0, mesh, &*self.from.1, &*self.from.2)
    }

    fn reference(&self, to: &Key) -> Reference {
        Reference {
            to: to.kind,
            name: to.name.to_string(),
            role: self.role,
            must_exist: self.must_exist,
            blocks_delete: self.blocks_delete,
            at: self.at.to_string(),
            weight: self.weight,
        }
    }

    fn referrer(&self) -> Referrer<'_> {
        Referrer {
            kind: self.from.0,
            parent: &self.from.1,
            role: self.role,
            weight: self.weight,
        }
    }
}

impl std::ops::Deref for IndexedMesh {
    type Target = MeshModel;

    fn deref(&self) -> &MeshModel {
        &self.model
    }
}

impl From<MeshModel> for IndexedMesh {
    fn from(model: MeshModel) -> IndexedMesh {
        let mut out = IndexedMesh {
            model: MeshModel::new(model.name.clone()),
            used: HashMap::new(),
        };
        for (key, item) in model.items {
            out.put(key, item);
        }
        out
    }
}

impl IndexedMesh {
    pub fn new(name: impl Into<String>) -> IndexedMesh {
        IndexedMesh::from(MeshModel::new(name))
    }

    /// Puts a resource as the service returned it.
    pub fn put_resource(&mut self, r: &Resource, tags: BTreeMap<String, String>) {
        let item = Item::of_resource(r, tags);
        self.put_with(r.key.clone(), item, references(r.key.kind, &r.spec));
    }

    /// Puts a resource's spec and tags, not its metadata: for a holder that keeps that
    /// elsewhere (the explorer's list rows and describe pane), in a mesh of thousands.
    pub fn put_described(&mut self, r: &Resource, tags: BTreeMap<String, String>) {
        let item = Item {
            spec: Spec::new(&r.spec),
            tags,
            meta: None,
        };
        self.put_with(r.key.clone(), item, references(r.key.kind, &r.spec));
    }

    /// Puts an item at `key`, replacing what was there and its references.
    pub fn put(&mut self, key: Key, item: Item) {
        let refs = references(key.kind, &item.spec.value());
        self.put_with(key, item, refs);
    }

    fn put_with(&mut self, key: Key, item: Item, refs: Vec<Reference>) {
        self.unindex(&key);
        for r in refs {
            let edges = self.used.entry((r.to, r.name.as_str().into())).or_default();
            // Most targets have one or two referrers: grow one by one, not by doubling
            // from four (an edge is a dozen words).
            edges.reserve_exact(1);
            // After the references of resources that sort before `key` (and its own
            // references made earlier in its spec).
            let at = edges.partition_point(|e| {
                (e.from.0, &*e.from.1, &*e.from.2)
                    <= (key.kind, key.parent.as_str(), key.name.as_str())
            });
            edges.insert(at, Edge::new(&key, r));
        }
        self.model.items.insert(key, item);
    }

    pub fn remove(&mut self, key: &Key) -> Option<Item> {
        self.unindex(key);
        self.model.items.remove(key)
    }

    fn unindex(&mut self, key: &Key) {
        let Some(old) = self.model.items.get(key) else {
            return;
        };
        for r in references(key.kind, &old.spec.value()) {
            let target = (r.to, Name::new(&r.name));
            if let Some(edges) = self.used.get_mut(&target) {
                edges.retain(|e| !e.is_from(key));
                if edges.is_empty() {
                    self.used.remove(&target);
                }
            }
        }
    }

    pub fn model(&self) -> &MeshModel {
        &self.model
    }

    fn edges_to(&self, key: &Key) -> &[Edge] {
        if key.mesh != self.model.name || !key.parent.is_empty() {
            return &[];
        }
        self.edges_named(key.kind, &key.name)
    }

    /// What names the top-level resource `kind` `name` of this mesh.
    fn edges_named(&self, kind: Kind, name: &str) -> &[Edge] {
        self.used
            .get(&(kind, Name::new(name)))
            .map_or(&[], Vec::as_slice)
    }

    /// What refers to `key`, as [`MeshModel::used_by`] says it.
    pub fn used_by(&self, key: &Key) -> Vec<Link> {
        let exists = self.model.items.contains_key(key);
        self.edges_to(key)
            .iter()
            .map(|e| Link {
                from: e.source_key(&self.model.name),
                to: key.clone(),
                reference: e.reference(key),
                exists,
            })
            .collect()
    }

    /// The findings about `key`: the ones [`MeshModel::findings`] lists for it.
    pub fn findings_of(&self, key: &Key) -> Vec<Finding> {
        let mut out = BTreeSet::new();
        if !self.model.items.contains_key(key) {
            return Vec::new();
        }
        let from = self.model.links_from(key);
        for l in &from {
            link_findings(l, &mut out);
        }
        match key.kind {
            Kind::VirtualService if !from.iter().any(|l| l.reference.role == "provider") => {
                out.insert(Finding::NoProvider(key.clone()));
            }
            Kind::VirtualNode
                if !reached(&key.name, |kind, name| {
                    self.edges_named(kind, name).iter().map(Edge::referrer)
                }) =>
            {
                out.insert(Finding::Unreached(key.clone()));
            }
            _ => {}
        }
        out.into_iter().collect()
    }
}
#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_spec_keeps_its_value_as_compact_text() {
        let v = json!({"listeners": [{"portMapping": {"port": 8080, "protocol": "http"}}],
            "serviceDiscovery": {"dns": {"hostname": "a.local"}}, "weight": 1.5, "n": -3});
        let s = Spec::new(&v);
        assert_eq!(s.value(), v);
        assert_eq!(
            s.as_str(),
            r#"{"listeners":[{"portMapping":{"port":8080,"protocol":"http"}}],"n":-3,"serviceDiscovery":{"dns":{"hostname":"a.local"}},"weight":1.5}"#
        );
        // Equal values, equal specs, whatever order the members came in.
        let reordered: Value = serde_json::from_str(
            r#"{"weight":1.5,"n":-3,"serviceDiscovery":{"dns":{"hostname":"a.local"}},"listeners":[{"portMapping":{"protocol":"http","port":8080}}]}"#,
        )
        .unwrap();
        assert_eq!(Spec::new(&reordered), s);
        assert_eq!(s, v);
        assert_ne!(Spec::new(&json!({"n": 1})), Spec::new(&json!({"n": 1.0})));
        assert!(Spec::default().is_null());
        assert_eq!(Spec::default().value(), Value::Null);
        let mut e = s.clone();
        e.edit(|v| v["n"] = json!(4));
        assert_eq!(e.value()["n"], 4);
        assert_eq!(s.value()["n"], -3, "the original is untouched");
    }

    #[test]
    fn put_described_keeps_spec_and_tags_not_metadata() {
        let mut m = IndexedMesh::new("m");
        let r = Resource {
            key: Key::new(Kind::VirtualService, "m", "", "web"),
            meta: Meta {
                arn: "arn:aws:appmesh:us-east-1:1:mesh/m/virtualService/web".into(),
                uid: "u".into(),
                version: 2,
                created_at: std::time::SystemTime::UNIX_EPOCH,
                last_updated_at: std::time::SystemTime::UNIX_EPOCH,
                mesh_owner: "1".into(),
                resource_owner: "1".into(),
            },
            status: "ACTIVE".into(),
            spec: json!({"provider": {"virtualNode": {"virtualNodeName": "v1"}}}),
        };
        let tags = BTreeMap::from([("team".to_string(), "a".to_string())]);
        m.put_described(&r, tags.clone());
        let item = m.get(&r.key).unwrap();
        assert_eq!(item.spec, r.spec);
        assert_eq!(item.tags, tags);
        assert_eq!(item.meta, None);
        let v1 = Key::new(Kind::VirtualNode, "m", "", "v1");
        assert_eq!(m.used_by(&v1), m.model().used_by(&v1));
        assert_eq!(m.used_by(&v1).len(), 1);
        m.put_resource(&r, BTreeMap::new());
        assert_eq!(m.get(&r.key).unwrap().meta.as_deref(), Some(&r.meta));
        assert_eq!(m.used_by(&v1).len(), 1, "put again, indexed once");
    }

    fn node() -> Item {
        Item::new(json!({"serviceDiscovery": {"dns": {"hostname": "h"}}}))
    }

    /// The onboarding shape: nodes v1, v2, api; router r with route canary v1 90 / v2 10;
    /// services web (router r) and api.local (node api); gateway g with route gr to web.
    pub fn onboarding() -> MeshModel {
        let mut m = MeshModel::new("m");
        let k = |kind, parent: &str, name: &str| Key::new(kind, "m", parent, name);
        m.items.insert(Key::mesh("m"), Item::new(json!({})));
        for n in ["v1", "v2", "api"] {
            m.items.insert(k(Kind::VirtualNode, "", n), node());
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
        m.items.insert(
            k(Kind::VirtualService, "", "api.local"),
            Item::new(json!({"provider": {"virtualNode": {"virtualNodeName": "api"}}})),
        );
        m.items
            .insert(k(Kind::VirtualGateway, "", "g"), Item::new(json!({})));
        m.items.insert(
            k(Kind::GatewayRoute, "g", "gr"),
            Item::new(json!({"httpRoute": {"match": {"prefix": "/"}, "action": {"target": {"virtualService": {"virtualServiceName": "web"}}}}})),
        );
        m
    }

    #[test]
    fn links_used_by_and_children() {
        let m = onboarding();
        let v1 = Key::new(Kind::VirtualNode, "m", "", "v1");
        let used = m.used_by(&v1);
        assert_eq!(used.len(), 1);
        assert_eq!(used[0].from, Key::new(Kind::Route, "m", "r", "canary"));
        assert_eq!(used[0].reference.weight, Some(90));
        let web = Key::new(Kind::VirtualService, "m", "", "web");
        assert_eq!(m.used_by(&web)[0].from.kind, Kind::GatewayRoute);
        let from_web = m.links_from(&web);
        assert_eq!(from_web[0].to, Key::new(Kind::VirtualRouter, "m", "", "r"));
        assert!(from_web[0].exists);
        let r = Key::new(Kind::VirtualRouter, "m", "", "r");
        assert_eq!(m.children(&r), [&Key::new(Kind::Route, "m", "r", "canary")]);
        assert_eq!(m.children(&Key::mesh("m")).len(), 7);
        assert_eq!(m.counts()[&Kind::VirtualNode], 3);
    }

    #[test]
    fn a_healthy_mesh_has_no_findings_and_each_problem_is_found() {
        let mut m = onboarding();
        assert_eq!(m.findings(), Vec::<Finding>::new());
        // A node nothing reaches, a service without provider, a zero weight, a missing target.
        m.items
            .insert(Key::new(Kind::VirtualNode, "m", "", "lonely"), node());
        m.items.insert(
            Key::new(Kind::VirtualService, "m", "", "empty"),
            Item::new(json!({})),
        );
        m.items.insert(
            Key::new(Kind::Route, "m", "r", "dark"),
            Item::new(json!({"tcpRoute": {"action": {"weightedTargets": [
                {"virtualNode": "v1", "weight": 0}, {"virtualNode": "ghost", "weight": 5}]}}})),
        );
        let f = m.findings();
        let text: Vec<String> = f.iter().map(Finding::describe).collect();
        assert!(
            f.contains(&Finding::Unreached(Key::new(
                Kind::VirtualNode,
                "m",
                "",
                "lonely"
            ))),
            "{text:#?}"
        );
        assert!(f.contains(&Finding::NoProvider(Key::new(
            Kind::VirtualService,
            "m",
            "",
            "empty"
        ))));
        assert!(f.contains(&Finding::ZeroWeight {
            route: Key::new(Kind::Route, "m", "r", "dark"),
            node: "v1".into()
        }));
        assert!(text.iter().any(|t| t == "spec.tcpRoute.action.weightedTargets[1].virtualNode names virtual node \"ghost\", which does not exist"), "{text:#?}");
        assert_eq!(f.len(), 4, "{text:#?}");
    }

    #[test]
    fn orders_put_what_is_named_first() {
        let m = onboarding();
        let order = m.create_order();
        let pos = |k: &Key| order.iter().position(|x| x == k).unwrap();
        for l in m.links() {
            if l.reference.must_exist {
                assert!(pos(&l.to) < pos(&l.from), "{:?} before {:?}", l.to, l.from);
            }
        }
        for k in m.items.keys() {
            if let Some(c) = k.container() {
                assert!(pos(&c) < pos(k));
            }
        }
        assert_eq!(order[0], Key::mesh("m"));
        let del = m.delete_order();
        assert_eq!(del.last(), Some(&Key::mesh("m")));
        assert_eq!(del[0].kind, Kind::GatewayRoute);
    }

    mod indexed {
        use proptest::prelude::*;
        use serde_json::{Value, json};

        use super::super::*;

        /// One change to a small mesh whose names collide often: a resource put (with
        /// references to others that may or may not exist) or removed.
        #[derive(Clone, Debug)]
        enum Change {
            Put(Key, Value),
            Remove(Key),
        }

        fn key(kind: Kind, parent: u8, name: u8) -> Key {
            let name = format!(
                "{}{name}",
                kind.info().singular.split(' ').next_back().unwrap_or("x")
            );
            match kind {
                Kind::Route => Key::new(kind, "m", format!("router{parent}"), name),
                Kind::GatewayRoute => Key::new(kind, "m", format!("gateway{parent}"), name),
                _ => Key::new(kind, "m", "", name),
            }
        }

        fn change() -> impl Strategy<Value = Change> {
            let kind = prop::sample::select(vec![
                Kind::VirtualNode,
                Kind::VirtualService,
                Kind::VirtualRouter,
                Kind::Route,
                Kind::VirtualGateway,
                Kind::GatewayRoute,
            ]);
            (
                kind,
                0u8..2,
                0u8..3,
                0u8..3,
                0u8..3,
                0u8..3,
                any::<bool>(),
                any::<bool>(),
            )
                .prop_map(|(kind, parent, name, a, b, w, provider_is_node, remove)| {
                    let k = match kind {
                        Kind::VirtualRouter => key(kind, 0, parent),
                        _ => key(kind, parent, name),
                    };
                    if remove {
                        return Change::Remove(k);
                    }
                    let spec = match kind {
                        Kind::VirtualNode => json!({"backends": [
                            {"virtualService": {"virtualServiceName": format!("service{a}")}}]}),
                        Kind::VirtualService if provider_is_node => json!({"provider":
                            {"virtualNode": {"virtualNodeName": format!("node{a}")}}}),
                        Kind::VirtualService if a == 2 => json!({}),
                        Kind::VirtualService => json!({"provider":
                            {"virtualRouter": {"virtualRouterName": format!("router{b}")}}}),
                        Kind::Route => json!({"httpRoute": {"match": {"prefix": "/"},
                            "action": {"weightedTargets": [
                                {"virtualNode": format!("node{a}"), "weight": w},
                                {"virtualNode": format!("node{b}"), "weight": 1}]}}}),
                        Kind::GatewayRoute => json!({"httpRoute": {"match": {"prefix": "/"},
                            "action": {"target": {"virtualService":
                                {"virtualServiceName": format!("service{a}")}}}}}),
                        _ => json!({}),
                    };
                    Change::Put(k, spec)
                })
        }

        proptest! {
            /// After any sequence of puts and removes, the index answers "used by" and each
            /// resource's findings exactly as a walk of the whole mesh does.
            #[test]
            fn the_index_agrees_with_the_whole_mesh(changes in prop::collection::vec(change(), 0..40)) {
                let mut indexed = IndexedMesh::new("m");
                for c in changes {
                    match c {
                        Change::Put(k, spec) => indexed.put(k, Item::new(spec)),
                        Change::Remove(k) => {
                            indexed.remove(&k);
                        }
                    }
                }
                let whole = indexed.model().clone();
                let all = whole.findings();
                let mut keys: Vec<Key> = whole.items.keys().cloned().collect();
                keys.extend(whole.links().into_iter().map(|l| l.to));
                for k in keys {
                    prop_assert_eq!(indexed.used_by(&k), whole.used_by(&k), "used by {:?}", k);
                    let expected: Vec<Finding> =
                        all.iter().filter(|f| f.key() == &k).cloned().collect();
                    prop_assert_eq!(indexed.findings_of(&k), expected, "findings of {:?}", k);
                }
                prop_assert_eq!(IndexedMesh::from(whole.clone()).used, indexed.used.clone());
            }
        }
    }
}
