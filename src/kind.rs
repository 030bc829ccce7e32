//! The seven App Mesh resource kinds as data: one table, checked against the service model in a
//! test, that the sandbox, the app and the exports read instead of naming a kind in code.
//!
//! A resource is found by one [`Key`]: kind, mesh, parent (the virtual router of a route, the
//! virtual gateway of a gateway route; empty otherwise) and name. For a mesh, `mesh` and `name`
//! are both its name.
//!
//! References between resources (a route's weighted targets, a virtual service's provider, a
//! node's backends, a gateway route's target) are data too: [`RefPath`]s into the spec, which
//! [`references`] follows. They drive the service's rules (what must exist, what blocks a
//! delete) in the sandbox, and the links, "used by" lists and topology in the app.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A resource kind. The order is the order the service needs for deleting a mesh's contents
/// reversed (see [`Kind::DELETE_ORDER`]); lists show kinds in [`Kind::ALL`] order.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum Kind {
    #[default]
    Mesh,
    VirtualService,
    VirtualNode,
    VirtualRouter,
    Route,
    VirtualGateway,
    GatewayRoute,
}

/// The verbs every kind has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verb {
    Create,
    Describe,
    Update,
    Delete,
    List,
}

impl Verb {
    pub const ALL: [Verb; 5] = [
        Verb::Create,
        Verb::Describe,
        Verb::Update,
        Verb::Delete,
        Verb::List,
    ];
}

/// Where a spec names another resource, and what the service does about it.
#[derive(Debug)]
pub struct RefPath {
    /// A path into the spec: members separated by `.`, `*` for any member of an object,
    /// `[]` after a member for each item of its list.
    pub path: &'static str,
    pub to: Kind,
    /// How the app says it: "weighted target", "provider", "backend", "target".
    pub role: &'static str,
    /// Creating or updating with a name that does not exist is NotFoundException.
    pub must_exist: bool,
    /// The named resource cannot be deleted while this reference holds it.
    pub blocks_delete: bool,
    /// A member beside the name holding its weight (route targets).
    pub weight: Option<&'static str>,
}

/// Everything about one kind.
#[derive(Debug)]
pub struct KindInfo {
    pub kind: Kind,
    /// As in operation and shape names: `VirtualNode`.
    pub name: &'static str,
    /// For people: `virtual node`, `virtual nodes`.
    pub singular: &'static str,
    pub plural: &'static str,
    /// What the jump prompt (`:`) accepts, besides the plural.
    pub aliases: &'static [&'static str],
    /// The kind whose resource holds this one inside a mesh (routes, gateway routes).
    pub parent: Option<Kind>,
    /// The input and output member holding the name: `virtualNodeName`.
    pub name_member: &'static str,
    /// The List output's member: `virtualNodes`.
    pub list_member: &'static str,
    /// The Create/Describe/Update/Delete output's member: `virtualNode`.
    pub output_member: &'static str,
    /// The ARN segment: `…:mesh/M/virtualNode/N`.
    pub arn_segment: &'static str,
    /// The URI collection segment: `virtualNodes`, `routes`.
    pub collection: &'static str,
    pub data_shape: &'static str,
    pub spec_shape: &'static str,
    pub ref_shape: &'static str,
    pub refs: &'static [RefPath],
}

const ROUTE_REFS: &[RefPath] = &[RefPath {
    path: "*.action.weightedTargets[].virtualNode",
    to: Kind::VirtualNode,
    role: "weighted target",
    must_exist: true,
    blocks_delete: true,
    weight: Some("weight"),
}];

const SERVICE_REFS: &[RefPath] = &[
    RefPath {
        path: "provider.virtualNode.virtualNodeName",
        to: Kind::VirtualNode,
        role: "provider",
        must_exist: true,
        blocks_delete: true,
        weight: None,
    },
    RefPath {
        path: "provider.virtualRouter.virtualRouterName",
        to: Kind::VirtualRouter,
        role: "provider",
        must_exist: true,
        blocks_delete: true,
        weight: None,
    },
];

const NODE_REFS: &[RefPath] = &[RefPath {
    path: "backends[].virtualService.virtualServiceName",
    to: Kind::VirtualService,
    role: "backend",
    // A backend may name a virtual service that does not exist yet (appmesh-facts.md).
    must_exist: false,
    blocks_delete: false,
    weight: None,
}];

const GATEWAY_ROUTE_REFS: &[RefPath] = &[RefPath {
    path: "*.action.target.virtualService.virtualServiceName",
    to: Kind::VirtualService,
    role: "target",
    must_exist: true,
    blocks_delete: true,
    weight: None,
}];

/// The registry, in [`Kind`] order.
pub const KINDS: [KindInfo; 7] = [
    KindInfo {
        kind: Kind::Mesh,
        name: "Mesh",
        singular: "mesh",
        plural: "meshes",
        aliases: &["mesh", "m"],
        parent: None,
        name_member: "meshName",
        list_member: "meshes",
        output_member: "mesh",
        arn_segment: "mesh",
        collection: "meshes",
        data_shape: "MeshData",
        spec_shape: "MeshSpec",
        ref_shape: "MeshRef",
        refs: &[],
    },
    KindInfo {
        kind: Kind::VirtualService,
        name: "VirtualService",
        singular: "virtual service",
        plural: "virtual services",
        aliases: &[
            "vs",
            "service",
            "services",
            "virtualservice",
            "virtualservices",
        ],
        parent: None,
        name_member: "virtualServiceName",
        list_member: "virtualServices",
        output_member: "virtualService",
        arn_segment: "virtualService",
        collection: "virtualServices",
        data_shape: "VirtualServiceData",
        spec_shape: "VirtualServiceSpec",
        ref_shape: "VirtualServiceRef",
        refs: SERVICE_REFS,
    },
    KindInfo {
        kind: Kind::VirtualNode,
        name: "VirtualNode",
        singular: "virtual node",
        plural: "virtual nodes",
        aliases: &["vn", "node", "nodes", "virtualnode", "virtualnodes"],
        parent: None,
        name_member: "virtualNodeName",
        list_member: "virtualNodes",
        output_member: "virtualNode",
        arn_segment: "virtualNode",
        collection: "virtualNodes",
        data_shape: "VirtualNodeData",
        spec_shape: "VirtualNodeSpec",
        ref_shape: "VirtualNodeRef",
        refs: NODE_REFS,
    },
    KindInfo {
        kind: Kind::VirtualRouter,
        name: "VirtualRouter",
        singular: "virtual router",
        plural: "virtual routers",
        aliases: &["vr", "router", "routers", "virtualrouter", "virtualrouters"],
        parent: None,
        name_member: "virtualRouterName",
        list_member: "virtualRouters",
        output_member: "virtualRouter",
        arn_segment: "virtualRouter",
        collection: "virtualRouters",
        data_shape: "VirtualRouterData",
        spec_shape: "VirtualRouterSpec",
        ref_shape: "VirtualRouterRef",
        refs: &[],
    },
    KindInfo {
        kind: Kind::Route,
        name: "Route",
        singular: "route",
        plural: "routes",
        aliases: &["route", "r", "rt"],
        parent: Some(Kind::VirtualRouter),
        name_member: "routeName",
        list_member: "routes",
        output_member: "route",
        arn_segment: "route",
        collection: "routes",
        data_shape: "RouteData",
        spec_shape: "RouteSpec",
        ref_shape: "RouteRef",
        refs: ROUTE_REFS,
    },
    KindInfo {
        kind: Kind::VirtualGateway,
        name: "VirtualGateway",
        singular: "virtual gateway",
        plural: "virtual gateways",
        aliases: &[
            "vg",
            "gateway",
            "gateways",
            "virtualgateway",
            "virtualgateways",
        ],
        parent: None,
        name_member: "virtualGatewayName",
        list_member: "virtualGateways",
        output_member: "virtualGateway",
        arn_segment: "virtualGateway",
        collection: "virtualGateways",
        data_shape: "VirtualGatewayData",
        spec_shape: "VirtualGatewaySpec",
        ref_shape: "VirtualGatewayRef",
        refs: &[],
    },
    KindInfo {
        kind: Kind::GatewayRoute,
        name: "GatewayRoute",
        singular: "gateway route",
        plural: "gateway routes",
        aliases: &["gr", "gatewayroute", "gatewayroutes"],
        parent: Some(Kind::VirtualGateway),
        name_member: "gatewayRouteName",
        list_member: "gatewayRoutes",
        output_member: "gatewayRoute",
        arn_segment: "gatewayRoute",
        collection: "gatewayRoutes",
        data_shape: "GatewayRouteData",
        spec_shape: "GatewayRouteSpec",
        ref_shape: "GatewayRouteRef",
        refs: GATEWAY_ROUTE_REFS,
    },
];

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Mesh,
        Kind::VirtualService,
        Kind::VirtualNode,
        Kind::VirtualRouter,
        Kind::Route,
        Kind::VirtualGateway,
        Kind::GatewayRoute,
    ];

    /// The kinds inside a mesh, in the order the app lists them.
    pub const IN_MESH: [Kind; 6] = [
        Kind::VirtualService,
        Kind::VirtualNode,
        Kind::VirtualRouter,
        Kind::Route,
        Kind::VirtualGateway,
        Kind::GatewayRoute,
    ];

    /// The order in which the service lets a mesh's contents be deleted: what refers to
    /// something goes before it (gateway routes → routes → services → gateways → routers →
    /// nodes), and the mesh last.
    pub const DELETE_ORDER: [Kind; 7] = [
        Kind::GatewayRoute,
        Kind::Route,
        Kind::VirtualService,
        Kind::VirtualGateway,
        Kind::VirtualRouter,
        Kind::VirtualNode,
        Kind::Mesh,
    ];

    pub fn info(self) -> &'static KindInfo {
        &KINDS[self as usize]
    }

    /// The operation name for `verb`: `CreateVirtualNode`, `ListMeshes`.
    pub fn operation(self, verb: Verb) -> String {
        let info = self.info();
        match verb {
            Verb::Create => format!("Create{}", info.name),
            Verb::Describe => format!("Describe{}", info.name),
            Verb::Update => format!("Update{}", info.name),
            Verb::Delete => format!("Delete{}", info.name),
            Verb::List => match self {
                Kind::Mesh => "ListMeshes".to_string(),
                _ => format!("List{}s", info.name),
            },
        }
    }

    /// The kind and verb of an operation name (`DeleteRoute` → route, delete).
    pub fn of_operation(op: &str) -> Option<(Kind, Verb)> {
        Kind::ALL.into_iter().find_map(|k| {
            Verb::ALL
                .into_iter()
                .find(|v| k.operation(*v) == op)
                .map(|v| (k, v))
        })
    }

    /// The kind a jump-prompt word names: a plural, an alias or the model's name, any case.
    pub fn from_word(word: &str) -> Option<Kind> {
        let w = word.trim().to_ascii_lowercase();
        Kind::ALL.into_iter().find(|k| {
            let i = k.info();
            i.plural.replace(' ', "") == w.replace(' ', "")
                || i.singular.replace(' ', "") == w.replace(' ', "")
                || i.aliases.contains(&w.as_str())
                || i.name.to_ascii_lowercase() == w
        })
    }

    /// The kinds whose resources this kind's resources hold directly (a mesh holds every
    /// top-level kind; a router its routes; a gateway its gateway routes).
    pub fn children(self) -> Vec<Kind> {
        match self {
            Kind::Mesh => Kind::IN_MESH
                .into_iter()
                .filter(|k| k.info().parent.is_none())
                .collect(),
            _ => Kind::ALL
                .into_iter()
                .filter(|k| k.info().parent == Some(self))
                .collect(),
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.info().singular)
    }
}

/// Names one resource. `parent` is empty unless the kind has a parent; for a mesh `mesh` and
/// `name` are the same. The derived order (kind, mesh, parent, name) keeps every list a
/// contiguous range.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Key {
    pub kind: Kind,
    pub mesh: Name,
    pub parent: Name,
    pub name: Name,
}

/// A resource's name as keys hold it: App Mesh names are mostly short, and up to 24 bytes
/// are kept inline, so a key of a mesh of thousands costs no allocation.
pub type Name = compact_str::CompactString;

impl Key {
    pub fn mesh(name: impl AsRef<str>) -> Key {
        let name = Name::new(name.as_ref());
        Key {
            kind: Kind::Mesh,
            mesh: name.clone(),
            parent: Name::default(),
            name,
        }
    }

    pub fn new(
        kind: Kind,
        mesh: impl AsRef<str>,
        parent: impl AsRef<str>,
        name: impl AsRef<str>,
    ) -> Key {
        if kind == Kind::Mesh {
            return Key::mesh(name);
        }
        Key {
            kind,
            mesh: Name::new(mesh.as_ref()),
            parent: Name::new(parent.as_ref()),
            name: Name::new(name.as_ref()),
        }
    }

    /// The key of the resource that holds this one (the router of a route, the mesh of a node);
    /// `None` for a mesh.
    pub fn container(&self) -> Option<Key> {
        match (self.kind, self.kind.info().parent) {
            (Kind::Mesh, _) => None,
            (_, Some(parent)) => Some(Key::new(parent, &self.mesh, "", &self.parent)),
            (_, None) => Some(Key::mesh(&self.mesh)),
        }
    }

    /// The ARN the service gives this resource.
    pub fn arn(&self, region: &str, account: &str) -> String {
        let i = self.kind.info();
        let base = format!("arn:aws:appmesh:{region}:{account}:mesh/{}", self.mesh);
        match (self.kind, i.parent) {
            (Kind::Mesh, _) => base,
            (_, Some(p)) => format!(
                "{base}/{}/{}/{}/{}",
                p.info().arn_segment,
                self.parent,
                i.arn_segment,
                self.name
            ),
            (_, None) => format!("{base}/{}/{}", i.arn_segment, self.name),
        }
    }

    /// Reads an App Mesh ARN: its region, account and key. `None` for anything else. A name
    /// holding `/` can make an ARN mean more than one key; this is the first of
    /// [`Key::arn_candidates`].
    pub fn from_arn(arn: &str) -> Option<(String, String, Key)> {
        let (region, account, mut keys) = Key::arn_candidates(arn)?;
        Some((region, account, keys.remove(0)))
    }

    /// Every key an App Mesh ARN can name, simplest first (names may hold `/`, so
    /// `mesh/a/virtualNode/b` is node `b` of mesh `a`, or mesh `a/virtualNode/b`). `None` when it
    /// is not an App Mesh ARN.
    pub fn arn_candidates(arn: &str) -> Option<(String, String, Vec<Key>)> {
        let rest = arn.strip_prefix("arn:")?;
        let mut parts = rest.splitn(5, ':');
        let _partition = parts.next()?;
        if parts.next()? != "appmesh" {
            return None;
        }
        let region = parts.next()?.to_string();
        let account = parts.next()?.to_string();
        let path = parts.next()?.strip_prefix("mesh/")?;
        // Every split of `path` at `/SEG/`: (before, after).
        let splits = |text: &str, seg: &str| -> Vec<(usize, usize)> {
            let needle = format!("/{seg}/");
            text.match_indices(&needle)
                .map(|(i, _)| (i, i + needle.len()))
                .collect()
        };
        let mut keys = Vec::new();
        if !path.is_empty() {
            keys.push(Key::mesh(path));
        }
        for k in Kind::ALL.into_iter().filter(|k| *k != Kind::Mesh) {
            let info = k.info();
            match info.parent {
                None => {
                    for (end, start) in splits(path, info.arn_segment) {
                        let (mesh, name) = (&path[..end], &path[start..]);
                        if !mesh.is_empty() && !name.is_empty() {
                            keys.push(Key::new(k, mesh, "", name));
                        }
                    }
                }
                Some(p) => {
                    for (pend, pstart) in splits(path, p.info().arn_segment) {
                        for (end, start) in splits(&path[pstart..], info.arn_segment) {
                            let mesh = &path[..pend];
                            let parent = &path[pstart..pstart + end];
                            let name = &path[pstart + start..];
                            if !mesh.is_empty() && !parent.is_empty() && !name.is_empty() {
                                keys.push(Key::new(k, mesh, parent, name));
                            }
                        }
                    }
                }
            }
        }
        // Simplest first: the fewest segments taken by names.
        keys.sort_by_key(|k| {
            let slashes = |s: &str| s.matches('/').count();
            slashes(&k.mesh) + slashes(&k.parent) + slashes(&k.name)
        });
        if keys.is_empty() {
            return None;
        }
        Some((region, account, keys))
    }

    /// `payments › virtual routers › web › routes › canary` style: where this resource is.
    pub fn describe(&self) -> String {
        match self.kind {
            Kind::Mesh => format!("mesh {:?}", self.name),
            _ => match self.kind.info().parent {
                Some(p) => format!(
                    "{} {:?} of {} {:?} in mesh {:?}",
                    self.kind, self.name, p, self.parent, self.mesh
                ),
                None => format!("{} {:?} in mesh {:?}", self.kind, self.name, self.mesh),
            },
        }
    }
}

/// One reference a spec makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub to: Kind,
    pub name: String,
    pub role: &'static str,
    pub must_exist: bool,
    pub blocks_delete: bool,
    /// Where in the spec: `httpRoute.action.weightedTargets[1].virtualNode`.
    pub at: String,
    pub weight: Option<i64>,
}

/// Every reference a `kind` spec makes, in spec order.
pub fn references(kind: Kind, spec: &Value) -> Vec<Reference> {
    let mut out = Vec::new();
    for r in kind.info().refs {
        let segs: Vec<&str> = r.path.split('.').collect();
        follow(spec, &segs, String::new(), None, r, &mut out);
    }
    out
}

fn follow(
    v: &Value,
    segs: &[&str],
    at: String,
    parent: Option<&Value>,
    r: &RefPath,
    out: &mut Vec<Reference>,
) {
    // Built with push_str, not format!: this runs for every reference of every resource when
    // a whole mesh is linked (the topology of thousands of resources).
    let dot = |at: &str, m: &str| {
        let mut s = String::with_capacity(at.len() + m.len() + 1);
        if !at.is_empty() {
            s.push_str(at);
            s.push('.');
        }
        s.push_str(m);
        s
    };
    let Some((seg, rest)) = segs.split_first() else {
        if let Value::String(name) = v {
            out.push(Reference {
                to: r.to,
                name: name.clone(),
                role: r.role,
                must_exist: r.must_exist,
                blocks_delete: r.blocks_delete,
                at,
                weight: r
                    .weight
                    .and_then(|w| parent.and_then(|p| p.get(w)).and_then(Value::as_i64)),
            });
        }
        return;
    };
    let Value::Object(obj) = v else { return };
    if *seg == "*" {
        for (k, child) in obj {
            follow(child, rest, dot(&at, k), Some(v), r, out);
        }
    } else if let Some(member) = seg.strip_suffix("[]") {
        if let Some(Value::Array(items)) = obj.get(member) {
            for (i, item) in items.iter().enumerate() {
                follow(
                    item,
                    rest,
                    {
                        let mut s = dot(&at, member);
                        s.push('[');
                        s.push_str(&i.to_string());
                        s.push(']');
                        s
                    },
                    Some(item),
                    r,
                    out,
                );
            }
        }
    } else if let Some(child) = obj.get(*seg) {
        follow(child, rest, dot(&at, seg), Some(v), r, out);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::shape::{Location, Shape, model};

    #[test]
    fn the_registry_matches_the_service_model() {
        let m = model();
        let mut ops_seen = 0;
        for (i, info) in KINDS.iter().enumerate() {
            assert_eq!(info.kind as usize, i, "{} out of order", info.name);
            let data = m.structure(info.data_shape).expect(info.data_shape);
            for member in [info.name_member, "meshName", "metadata", "spec", "status"] {
                assert!(
                    data.member(member).is_some(),
                    "{} lacks {member}",
                    info.data_shape
                );
            }
            assert_eq!(data.member("spec").unwrap().shape, info.spec_shape);
            let r = m.structure(info.ref_shape).expect(info.ref_shape);
            for member in [
                "arn",
                "createdAt",
                "lastUpdatedAt",
                "meshName",
                "meshOwner",
                "resourceOwner",
                "version",
                info.name_member,
            ] {
                assert!(
                    r.member(member).is_some(),
                    "{} lacks {member}",
                    info.ref_shape
                );
            }
            if let Some(p) = info.parent {
                assert!(data.member(p.info().name_member).is_some());
                assert!(r.member(p.info().name_member).is_some());
            }
            for verb in Verb::ALL {
                let name = info.kind.operation(verb);
                let op = m
                    .operation(&name)
                    .unwrap_or_else(|| panic!("no operation {name}"));
                ops_seen += 1;
                let method = match verb {
                    Verb::Create | Verb::Update => "PUT",
                    Verb::Describe | Verb::List => "GET",
                    Verb::Delete => "DELETE",
                };
                assert_eq!(op.method, method, "{name}");
                assert!(
                    op.uri.contains(&format!("/{}", info.collection)),
                    "{name}: {} lacks /{}",
                    op.uri,
                    info.collection
                );
                let output = m.structure(op.output.as_deref().unwrap()).unwrap();
                match verb {
                    Verb::List => {
                        assert!(output.member(info.list_member).is_some(), "{name}");
                        assert!(output.member("nextToken").is_some(), "{name}");
                    }
                    _ => assert_eq!(
                        output.payload.as_deref(),
                        Some(info.output_member),
                        "{name}"
                    ),
                }
                let input = m.structure(op.input.as_deref().unwrap()).unwrap();
                // The name travels in the URI except on Create (body) and List (none).
                let name_loc = input.member(info.name_member).map(|mm| mm.location);
                match verb {
                    Verb::List => assert_eq!(name_loc, None, "{name}"),
                    Verb::Create => assert_eq!(name_loc, Some(Location::Body), "{name}"),
                    _ => assert_eq!(name_loc, Some(Location::Uri), "{name}"),
                }
                if let Some(p) = info.parent {
                    assert_eq!(
                        input.member(p.info().name_member).map(|mm| mm.location),
                        Some(Location::Uri),
                        "{name}"
                    );
                }
                assert_eq!(Kind::of_operation(&name), Some((info.kind, verb)));
            }
            for r in info.refs {
                assert!(
                    ref_path_exists(info.spec_shape, r.path),
                    "{}: {}",
                    info.name,
                    r.path
                );
            }
        }
        // The five verbs of seven kinds, plus the three tag operations, are all 38.
        assert_eq!(ops_seen + 3, m.operations.len());
        for op in ["TagResource", "UntagResource", "ListTagsForResource"] {
            assert!(m.operation(op).is_some());
        }
    }

    /// Follows a [`RefPath`] through the model's shapes; true when it ends on a string.
    fn ref_path_exists(shape: &str, path: &str) -> bool {
        fn go(shape: &str, segs: &[&str]) -> bool {
            let m = model();
            let Some((seg, rest)) = segs.split_first() else {
                return matches!(m.shape(shape), Some(Shape::String { .. }));
            };
            let Some(s) = m.structure(shape) else {
                return false;
            };
            if *seg == "*" {
                return s
                    .members
                    .iter()
                    .filter(|mm| mm.name != "priority")
                    .all(|mm| go(&mm.shape, rest));
            }
            let (name, list) = match seg.strip_suffix("[]") {
                Some(n) => (n, true),
                None => (*seg, false),
            };
            let Some(member) = s.member(name) else {
                return false;
            };
            if list {
                match m.shape(&member.shape) {
                    Some(Shape::List { member, .. }) => go(member, rest),
                    _ => false,
                }
            } else {
                go(&member.shape, rest)
            }
        }
        go(shape, &path.split('.').collect::<Vec<_>>())
    }

    #[test]
    fn arns_round_trip() {
        let keys = [
            Key::mesh("m"),
            Key::new(Kind::VirtualNode, "m", "", "n"),
            Key::new(Kind::VirtualService, "m", "", "web.local"),
            Key::new(Kind::Route, "m", "r", "x"),
            Key::new(Kind::GatewayRoute, "m", "g", "x"),
        ];
        let arns = [
            "arn:aws:appmesh:eu-west-1:111122223333:mesh/m",
            "arn:aws:appmesh:eu-west-1:111122223333:mesh/m/virtualNode/n",
            "arn:aws:appmesh:eu-west-1:111122223333:mesh/m/virtualService/web.local",
            "arn:aws:appmesh:eu-west-1:111122223333:mesh/m/virtualRouter/r/route/x",
            "arn:aws:appmesh:eu-west-1:111122223333:mesh/m/virtualGateway/g/gatewayRoute/x",
        ];
        for (k, a) in keys.iter().zip(arns) {
            assert_eq!(k.arn("eu-west-1", "111122223333"), a);
            assert_eq!(
                Key::from_arn(a),
                Some(("eu-west-1".into(), "111122223333".into(), k.clone()))
            );
        }
        for bad in ["arn:aws:appmesh:r:a:mesh/", "arn:aws:s3:::bucket", "mesh/m"] {
            assert_eq!(Key::from_arn(bad), None, "{bad}");
        }
        // Names may hold slashes: every reading is offered, the simplest first.
        let (_, _, keys) =
            Key::arn_candidates("arn:aws:appmesh:r:a:mesh/file://etc/passwd").unwrap();
        assert_eq!(keys, [Key::mesh("file://etc/passwd")]);
        let (_, _, keys) =
            Key::arn_candidates("arn:aws:appmesh:r:a:mesh/m/virtualNode/a/virtualNode/b").unwrap();
        assert_eq!(
            keys,
            [
                Key::new(Kind::VirtualNode, "m", "", "a/virtualNode/b"),
                Key::new(Kind::VirtualNode, "m/virtualNode/a", "", "b"),
                Key::mesh("m/virtualNode/a/virtualNode/b"),
            ]
        );
        // A route segment without its router is only a mesh name (with slashes).
        let (_, _, keys) = Key::arn_candidates("arn:aws:appmesh:r:a:mesh/m/route/x").unwrap();
        assert_eq!(keys, [Key::mesh("m/route/x")]);
        assert_eq!(
            Key::new(Kind::Route, "m", "r", "x").container(),
            Some(Key::new(Kind::VirtualRouter, "m", "", "r"))
        );
        assert_eq!(
            Key::new(Kind::VirtualNode, "m", "", "n").container(),
            Some(Key::mesh("m"))
        );
        assert_eq!(Key::mesh("m").container(), None);
    }

    #[test]
    fn references_follow_the_spec() {
        let route = json!({"httpRoute": {"match": {"prefix": "/"}, "action": {"weightedTargets": [
            {"virtualNode": "blue", "weight": 90}, {"virtualNode": "green", "weight": 10}]}}});
        let refs = references(Kind::Route, &route);
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[0].name, "blue");
        assert_eq!(refs[0].weight, Some(90));
        assert_eq!(
            refs[1].at,
            "httpRoute.action.weightedTargets[1].virtualNode"
        );
        assert!(refs[1].blocks_delete && refs[1].must_exist);
        let svc = json!({"provider": {"virtualRouter": {"virtualRouterName": "r"}}});
        let refs = references(Kind::VirtualService, &svc);
        assert_eq!(
            (refs[0].to, refs[0].name.as_str()),
            (Kind::VirtualRouter, "r")
        );
        let node = json!({"backends": [{"virtualService": {"virtualServiceName": "a"}}, {"virtualService": {"virtualServiceName": "b"}}]});
        let refs = references(Kind::VirtualNode, &node);
        assert_eq!(
            refs.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert!(!refs[0].must_exist && !refs[0].blocks_delete);
        let gr = json!({"http2Route": {"match": {"prefix": "/"}, "action": {"target": {"virtualService": {"virtualServiceName": "s"}}}}});
        assert_eq!(references(Kind::GatewayRoute, &gr)[0].name, "s");
        assert!(references(Kind::Mesh, &json!({})).is_empty());
        assert!(references(Kind::Route, &json!({"httpRoute": 5})).is_empty());
    }

    #[test]
    fn words_operations_and_children() {
        assert_eq!(Kind::from_word("vn"), Some(Kind::VirtualNode));
        assert_eq!(
            Kind::from_word("Virtual Routers"),
            Some(Kind::VirtualRouter)
        );
        assert_eq!(Kind::from_word("routes"), Some(Kind::Route));
        assert_eq!(Kind::from_word("GR"), Some(Kind::GatewayRoute));
        assert_eq!(Kind::from_word("meshes"), Some(Kind::Mesh));
        assert_eq!(Kind::from_word("nope"), None);
        assert_eq!(Kind::Mesh.operation(Verb::List), "ListMeshes");
        assert_eq!(
            Kind::GatewayRoute.operation(Verb::List),
            "ListGatewayRoutes"
        );
        assert_eq!(
            Kind::of_operation("DeleteRoute"),
            Some((Kind::Route, Verb::Delete))
        );
        assert_eq!(Kind::of_operation("TagResource"), None);
        assert_eq!(
            Kind::Mesh.children(),
            [
                Kind::VirtualService,
                Kind::VirtualNode,
                Kind::VirtualRouter,
                Kind::VirtualGateway
            ]
        );
        assert_eq!(Kind::VirtualRouter.children(), [Kind::Route]);
        assert!(Kind::VirtualNode.children().is_empty());
    }
}
