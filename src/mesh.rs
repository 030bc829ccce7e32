//! A whole mesh as data: every resource's key, spec and tags. What the app learned by listing
//! and describing, what a mesh file holds, what an import read from infrastructure code, all
//! become a [`MeshModel`]; references between its resources ("used by", links, the topology,
//! what is wrong) and the order in which the service lets them be created and deleted are
//! derived here, from the kind registry's reference paths, for every kind alike.

use std::collections::{BTreeMap, BTreeSet};

use foldhash::{HashMap, HashMapExt, HashSet};

use serde_json::Value;

use crate::kind::{Key, Kind, Reference, references};
use crate::resource::{Meta, Resource};

/// Everything in a mesh as an endpoint holds it now (every kind listed and described, with
/// tags, at most 16 calls in flight): `fetch(&api, "payments").await`. A missing mesh is the
/// service's `NotFoundException`; [`fetch_or_empty`] gives an empty model instead. Defined in
/// [`crate::meshfile::remote`].
pub use crate::meshfile::remote::{fetch, fetch_or_empty};

/// One resource of the mesh.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// The spec in the wire form.
    pub spec: Value,
    pub tags: BTreeMap<String, String>,
    /// What the service said of it, when it came from the service.
    pub meta: Option<Meta>,
}

impl Item {
    pub fn new(spec: Value) -> Item {
        Item {
            spec,
            tags: BTreeMap::new(),
            meta: None,
        }
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
        self.items.insert(
            r.key.clone(),
            Item {
                spec: r.spec.clone(),
                tags,
                meta: Some(r.meta.clone()),
            },
        );
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
            Some(item) => self.links_of(key, item, |to| self.items.contains_key(to)),
            None => Vec::new(),
        }
    }

    fn links_of(&self, key: &Key, item: &Item, exists: impl Fn(&Key) -> bool) -> Vec<Link> {
        references(key.kind, &item.spec)
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

    /// Every reference in the mesh, in key order.
    pub fn links(&self) -> Vec<Link> {
        // References name top-level resources of this mesh: a hashed set of (kind, name)
        // answers "does it exist" faster than the ordered map, for meshes of thousands.
        let top: HashSet<(Kind, &str)> = self
            .items
            .keys()
            .filter(|k| k.parent.is_empty() && k.mesh == self.name)
            .map(|k| (k.kind, k.name.as_str()))
            .collect();
        let exists = |to: &Key| to.mesh == self.name && top.contains(&(to.kind, to.name.as_str()));
        self.items
            .iter()
            .flat_map(|(k, item)| self.links_of(k, item, exists))
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
        // each service's providers, and each router's route targets that carry traffic.
        let mut providers: HashMap<&Key, Vec<&Key>> = HashMap::new();
        let mut route_targets: HashMap<&str, Vec<&Key>> = HashMap::new();
        for l in links {
            if l.from.kind == Kind::VirtualService && l.reference.role == "provider" {
                providers.entry(&l.from).or_default().push(&l.to);
            }
            if l.from.kind == Kind::Route && l.reference.weight.is_none_or(|w| w > 0) {
                route_targets.entry(&l.from.parent).or_default().push(&l.to);
            }
        }
        let mut reached: BTreeSet<&Key> = BTreeSet::new();
        for (svc, _) in self.of_kind(Kind::VirtualService) {
            let Some(ps) = providers.get(svc) else {
                out.insert(Finding::NoProvider(svc.clone()));
                continue;
            };
            for p in ps {
                match p.kind {
                    Kind::VirtualNode => {
                        reached.insert(p);
                    }
                    Kind::VirtualRouter => {
                        reached.extend(route_targets.get(p.name.as_str()).into_iter().flatten());
                    }
                    _ => {}
                }
            }
        }
        for (node, _) in self.of_kind(Kind::VirtualNode) {
            if !reached.contains(node) {
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
            node: l.to.name.clone(),
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
    /// Target → (resource that names it → its references to it, in spec order).
    used: HashMap<Key, BTreeMap<Key, Vec<Reference>>>,
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
        self.put(
            r.key.clone(),
            Item {
                spec: r.spec.clone(),
                tags,
                meta: Some(r.meta.clone()),
            },
        );
    }

    /// Puts an item at `key`, replacing what was there and its references.
    pub fn put(&mut self, key: Key, item: Item) {
        self.unindex(&key);
        for r in references(key.kind, &item.spec) {
            let to = self.model.target(&r);
            self.used
                .entry(to)
                .or_default()
                .entry(key.clone())
                .or_default()
                .push(r);
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
        for r in references(key.kind, &old.spec) {
            let to = self.model.target(&r);
            if let Some(from) = self.used.get_mut(&to) {
                from.remove(key);
                if from.is_empty() {
                    self.used.remove(&to);
                }
            }
        }
    }

    pub fn model(&self) -> &MeshModel {
        &self.model
    }

    /// What refers to `key`, as [`MeshModel::used_by`] says it.
    pub fn used_by(&self, key: &Key) -> Vec<Link> {
        let exists = self.model.items.contains_key(key);
        self.used
            .get(key)
            .into_iter()
            .flatten()
            .flat_map(|(from, refs)| {
                refs.iter().map(move |r| Link {
                    from: from.clone(),
                    to: key.clone(),
                    reference: r.clone(),
                    exists,
                })
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
            Kind::VirtualNode if !self.reached(key) => {
                out.insert(Finding::Unreached(key.clone()));
            }
            _ => {}
        }
        out.into_iter().collect()
    }

    /// A service provides `key` directly, or a router that provides a service has a route
    /// that sends it traffic.
    fn reached(&self, node: &Key) -> bool {
        let provides = |from: &Key, refs: &Vec<Reference>| {
            from.kind == Kind::VirtualService && refs.iter().any(|r| r.role == "provider")
        };
        self.used
            .get(node)
            .into_iter()
            .flatten()
            .any(|(from, refs)| match from.kind {
                Kind::VirtualService => provides(from, refs),
                Kind::Route => {
                    refs.iter().any(|r| r.weight.is_none_or(|w| w > 0)) && {
                        let router = Key::new(
                            Kind::VirtualRouter,
                            self.model.name.clone(),
                            "",
                            from.parent.clone(),
                        );
                        self.used
                            .get(&router)
                            .into_iter()
                            .flatten()
                            .any(|(f, rs)| provides(f, rs))
                    }
                }
                _ => false,
            })
    }
}
#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

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
