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
}
