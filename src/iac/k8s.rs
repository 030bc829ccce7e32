//! Kubernetes: the App Mesh controller's custom resources (`appmesh.k8s.aws/v1beta2`), written
//! as manifests and read from them (see [`super::import`] for reading).
//!
//! How the controller ties objects to App Mesh (aws/aws-app-mesh-controller-for-k8s,
//! `webhooks/appmesh/*_mutator.go`, `pkg/mesh` and `pkg/virtualgateway` membership designators):
//! - An object's App Mesh name is `spec.awsName`; when it is empty the controller uses
//!   `NAME_NAMESPACE` (`NAME.NAMESPACE` for a VirtualService, `NAME` for a Mesh). The export
//!   always writes `awsName`.
//! - A Mesh (cluster-scoped) holds the objects of the namespaces its `namespaceSelector`
//!   matches; `spec.meshRef` is read-only (set by the controller). The export writes a
//!   Namespace labelled `mesh: NAME` and a selector for that label.
//! - A GatewayRoute belongs to the VirtualGateway whose `namespaceSelector` matches its
//!   namespace and whose `gatewayRouteSelector` matches its labels (`virtualGatewayRef` is
//!   read-only). The export labels each gateway route `gateway: NAME`.
//! - A VirtualRouter holds its routes in `spec.routes[]` (`name` is the route's App Mesh
//!   name).
//! - References to other objects are `…Ref: {name, namespace}` (or `…ARN`).
//!
//! Not carried over: tags (the CRDs have none), `podSelector` (which pods run a node or
//! gateway: the cluster's business, left for you to add), and the members in
//! [`super::names::KUBERNETES`]'s `absent` list.

use std::collections::BTreeMap;

use serde_json::Value;

use super::convert::{RefOut, export_spec};
use super::ident::{Idents, k8s_label};
use super::names::KUBERNETES;
use super::tree::{Node, yaml};
use super::{ExportOptions, Exported, loss_notes, who};
use crate::kind::{Key, Kind, references};
use crate::mesh::{Item, MeshModel};

pub const API_VERSION: &str = "appmesh.k8s.aws/v1beta2";

/// The label on the namespace that the mesh's `namespaceSelector` matches.
pub const MESH_LABEL: &str = "mesh";
/// The label on a gateway route that its gateway's `gatewayRouteSelector` matches.
pub const GATEWAY_LABEL: &str = "gateway";

/// `virtualNodeRef` for a reference to a virtual node.
fn ref_member(kind: Kind) -> String {
    let n = kind.info().name;
    format!("{}{}Ref", n[..1].to_ascii_lowercase(), &n[1..])
}

struct Names<'a> {
    ids: Option<&'a Idents>,
}

impl Names<'_> {
    /// The object name of a resource: its own in the export, or one made from its App Mesh
    /// name when the export does not hold it.
    fn of(&self, key: &Key) -> String {
        self.ids
            .and_then(|ids| ids.get(key))
            .map(str::to_string)
            .unwrap_or_else(|| k8s_label(&key.name, "unnamed"))
    }
}

fn spec_node(
    key: &Key,
    item: &Item,
    mesh: &MeshModel,
    names: &Names<'_>,
    notes: &mut Vec<String>,
) -> Node {
    let spec_value = item.spec.value();
    let refs: BTreeMap<String, Key> = references(key.kind, &spec_value)
        .into_iter()
        .map(|r| {
            let to = Key::new(r.to, key.mesh.clone(), "", r.name.clone());
            (r.at, to)
        })
        .collect();
    let mut losses = Vec::new();
    let mut missing = Vec::new();
    let node = export_spec(
        &KUBERNETES,
        key.kind.info().spec_shape,
        &spec_value,
        &mut |path: &str, _name: &str| {
            let to = refs.get(path)?;
            if !mesh.items.contains_key(to) {
                missing.push((path.to_string(), to.clone()));
            }
            Some(RefOut {
                member: ref_member(to.kind),
                node: Node::obj(vec![("name", Node::str(names.of(to)))]),
            })
        },
        &mut losses,
    );
    loss_notes(key, losses, notes);
    for (path, to) in missing {
        notes.push(format!(
            "{}: spec.{path} names {} {:?}, which this export does not hold: written as a \
             reference to an object named {:?}",
            who(key),
            to.kind,
            to.name,
            names.of(&to)
        ));
    }
    if !item.tags.is_empty() {
        notes.push(format!(
            "{}: its {} tag{} left out (the controller's objects have no tags)",
            who(key),
            item.tags.len(),
            if item.tags.len() == 1 { " is" } else { "s are" }
        ));
    }
    node
}

fn prepend(node: Node, first: Vec<(String, Node)>) -> Node {
    match node {
        Node::Obj(pairs) => Node::Obj(first.into_iter().chain(pairs).collect()),
        other => other,
    }
}

fn document(kind: &str, metadata: Node, spec: Node, out: &mut String) {
    out.push_str("---\n");
    yaml(
        &Node::obj(vec![
            ("apiVersion", Node::str(API_VERSION)),
            ("kind", Node::str(kind)),
            ("metadata", metadata),
            ("spec", spec),
        ]),
        0,
        out,
    );
}

/// The namespace of an export: the option, or the mesh's name made a valid name.
fn namespace(mesh_name: &str, opts: &ExportOptions) -> String {
    opts.namespace
        .clone()
        .unwrap_or_else(|| k8s_label(mesh_name, "appmesh"))
}

/// Manifests for the whole mesh: a Namespace, the Mesh, and every resource, routes inside
/// their VirtualRouter.
pub fn export(mesh: &MeshModel, opts: &ExportOptions) -> Exported {
    let ids = Idents::kubernetes(mesh);
    let names = Names { ids: Some(&ids) };
    let ns = namespace(&mesh.name, opts);
    let mesh_key = Key::mesh(&mesh.name);
    let mesh_obj = ids
        .get(&mesh_key)
        .map(str::to_string)
        .unwrap_or_else(|| k8s_label(&mesh.name, "mesh"));
    let mut notes = Vec::new();
    let mut out = String::from(
        "# App Mesh resources for the App Mesh controller (appmesh.k8s.aws/v1beta2), exported \
         by appmesh-tui.\n# Add a podSelector to each VirtualNode and VirtualGateway to tie \
         them to your pods.\n",
    );
    out.push_str("---\n");
    yaml(
        &Node::obj(vec![
            ("apiVersion", Node::str("v1")),
            ("kind", Node::str("Namespace")),
            (
                "metadata",
                Node::obj(vec![
                    ("name", Node::str(&ns)),
                    (
                        "labels",
                        Node::Map(vec![
                            (MESH_LABEL.into(), mesh_obj.clone()),
                            (
                                "appmesh.k8s.aws/sidecarInjectorWebhook".into(),
                                "enabled".into(),
                            ),
                        ]),
                    ),
                ]),
            ),
        ]),
        0,
        &mut out,
    );
    let order = [
        Kind::Mesh,
        Kind::VirtualNode,
        Kind::VirtualRouter,
        Kind::VirtualService,
        Kind::VirtualGateway,
        Kind::GatewayRoute,
    ];
    for kind in order {
        for (key, item) in mesh.of_kind(kind) {
            let name = names.of(key);
            let mut head = vec![("awsName".to_string(), Node::str(key.name.as_str()))];
            let spec = spec_node(key, item, mesh, &names, &mut notes);
            let metadata = match kind {
                Kind::Mesh => Node::obj(vec![("name", Node::str(&name))]),
                Kind::GatewayRoute => {
                    let gw = names.of(&key.container().unwrap_or_else(|| mesh_key.clone()));
                    Node::obj(vec![
                        ("name", Node::str(&name)),
                        ("namespace", Node::str(&ns)),
                        ("labels", Node::Map(vec![(GATEWAY_LABEL.into(), gw)])),
                    ])
                }
                _ => Node::obj(vec![
                    ("name", Node::str(&name)),
                    ("namespace", Node::str(&ns)),
                ]),
            };
            match kind {
                Kind::Mesh => head.push((
                    "namespaceSelector".into(),
                    Node::obj(vec![(
                        "matchLabels",
                        Node::Map(vec![(MESH_LABEL.into(), mesh_obj.clone())]),
                    )]),
                )),
                Kind::VirtualGateway => {
                    head.push((
                        "namespaceSelector".into(),
                        Node::obj(vec![(
                            "matchLabels",
                            Node::Map(vec![(MESH_LABEL.into(), mesh_obj.clone())]),
                        )]),
                    ));
                    head.push((
                        "gatewayRouteSelector".into(),
                        Node::obj(vec![(
                            "matchLabels",
                            Node::Map(vec![(GATEWAY_LABEL.into(), name.clone())]),
                        )]),
                    ));
                }
                _ => {}
            }
            let mut spec = prepend(spec, head);
            if kind == Kind::VirtualRouter {
                let routes: Vec<Node> = mesh
                    .of_kind(Kind::Route)
                    .filter(|(rk, _)| rk.parent == key.name)
                    .map(|(rk, ri)| {
                        let s = spec_node(rk, ri, mesh, &names, &mut notes);
                        prepend(s, vec![("name".into(), Node::str(rk.name.as_str()))])
                    })
                    .collect();
                if !routes.is_empty()
                    && let Node::Obj(pairs) = &mut spec
                {
                    pairs.push(("routes".into(), Node::List(routes)));
                }
            }
            document(kind.info().name, metadata, spec, &mut out);
        }
    }
    for (rk, _) in mesh.of_kind(Kind::Route) {
        let router = Key::new(Kind::VirtualRouter, &rk.mesh, "", &rk.parent);
        if !mesh.items.contains_key(&router) {
            notes.push(format!(
                "{}: left out: its virtual router is not in the export, and routes live inside \
                 their VirtualRouter",
                who(rk)
            ));
        }
    }
    Exported { text: out, notes }
}

/// One object on its own (no Namespace or Mesh). A route is written as the entry to add to
/// its VirtualRouter's `spec.routes` (applying a VirtualRouter with only that route would
/// delete the router's other routes).
pub fn export_resource(key: &Key, item: &Item, opts: &ExportOptions) -> Exported {
    let mut mesh = MeshModel::new(key.mesh.clone());
    mesh.items.insert(key.clone(), item.clone());
    let names = Names { ids: None };
    let mut notes = Vec::new();
    let spec = spec_node(key, item, &mesh, &names, &mut notes);
    let mut out = String::new();
    if key.kind == Kind::Route {
        out.push_str(&format!(
            "# An entry of spec.routes of the VirtualRouter whose awsName is {}.\n",
            crate::export::yaml_quote(&key.parent)
        ));
        let entry = prepend(spec, vec![("name".into(), Node::str(key.name.as_str()))]);
        yaml(&Node::List(vec![entry]), 0, &mut out);
        return Exported { text: out, notes };
    }
    let ns = namespace(&key.mesh, opts);
    let name = names.of(key);
    let metadata = if key.kind == Kind::Mesh {
        Node::obj(vec![("name", Node::str(&name))])
    } else {
        Node::obj(vec![
            ("name", Node::str(&name)),
            ("namespace", Node::str(&ns)),
        ])
    };
    out.push_str(&format!(
        "# Belongs to the mesh whose namespaceSelector matches namespace {}.\n",
        crate::export::yaml_quote(&ns)
    ));
    let spec = prepend(spec, vec![("awsName".into(), Node::str(key.name.as_str()))]);
    document(key.kind.info().name, metadata, spec, &mut out);
    Exported { text: out, notes }
}

/// The App Mesh name the controller gives an object without `spec.awsName`.
pub fn default_aws_name(kind: Kind, name: &str, namespace: &str) -> String {
    match kind {
        Kind::Mesh => name.to_string(),
        Kind::VirtualService => format!("{name}.{namespace}"),
        _ => format!("{name}_{namespace}"),
    }
}

/// A Kubernetes label selector (`matchLabels`, `matchExpressions` with `In`, `NotIn`,
/// `Exists`, `DoesNotExist`) against a set of labels. `None`: the selector is not one.
/// As the controller reads them: a missing selector matches nothing, an empty one everything.
pub fn selector_matches(
    selector: Option<&Value>,
    labels: &BTreeMap<String, String>,
) -> Option<bool> {
    let Some(sel) = selector else {
        return Some(false);
    };
    let sel = sel.as_object()?;
    if let Some(ml) = sel.get("matchLabels") {
        for (k, v) in ml.as_object()? {
            if labels.get(k).map(String::as_str) != Some(v.as_str()?) {
                return Some(false);
            }
        }
    }
    if let Some(exprs) = sel.get("matchExpressions") {
        for e in exprs.as_array()? {
            let key = e.get("key")?.as_str()?;
            let op = e.get("operator")?.as_str()?;
            let values: Vec<&str> = match e.get("values") {
                Some(v) => v.as_array()?.iter().filter_map(Value::as_str).collect(),
                None => Vec::new(),
            };
            let have = labels.get(key).map(String::as_str);
            let ok = match op {
                "In" => have.is_some_and(|h| values.contains(&h)),
                "NotIn" => have.is_none_or(|h| !values.contains(&h)),
                "Exists" => have.is_some(),
                "DoesNotExist" => have.is_none(),
                _ => return None,
            };
            if !ok {
                return Some(false);
            }
        }
    }
    Some(true)
}

// ---------------------------------------------------------------------------------------------
// Reading manifests

use super::import::{Collector, Source, quote, report_issues, spec_format_path};

/// One App Mesh object of the manifests.
struct Obj<'a> {
    src: usize,
    doc: usize,
    /// The object's path in its document (`` or `items[3]`), with a trailing `.` when set.
    at: String,
    kind: Kind,
    name: String,
    namespace: String,
    labels: BTreeMap<String, String>,
    spec: &'a Value,
    aws_name: String,
}

fn labels_of(v: &Value) -> BTreeMap<String, String> {
    v.get("metadata")
        .and_then(|m| m.get("labels"))
        .and_then(Value::as_object)
        .map(|l| {
            l.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string()),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Members of a spec that are the controller's own, not App Mesh's: how they are treated.
fn controller_member(kind: Kind, member: &str) -> Option<Option<&'static str>> {
    Some(match (kind, member) {
        (_, "awsName" | "meshRef") => None,
        (Kind::Mesh, "namespaceSelector") => None,
        (Kind::VirtualGateway, "namespaceSelector" | "gatewayRouteSelector") => None,
        (Kind::GatewayRoute, "virtualGatewayRef") => None,
        (Kind::VirtualRouter, "routes") => None,
        (Kind::VirtualNode | Kind::VirtualGateway, "podSelector") => {
            Some("podSelector ignored: which pods run it is the cluster's business, not App Mesh's")
        }
        (Kind::VirtualNode, "backendGroups") => {
            Some("backendGroups ignored: BackendGroups are the controller's own, not App Mesh's")
        }
        (Kind::Mesh, "meshOwner") => {
            Some("meshOwner ignored: the mesh is read as one of your own account")
        }
        _ => return None,
    })
}

/// Reads the App Mesh objects of every manifest given.
pub(crate) fn read(sources: &[(Source<'_>, Vec<Value>)], out: &mut Collector) {
    let mut objs: Vec<Obj<'_>> = Vec::new();
    let mut namespaces: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (si, (src, docs)) in sources.iter().enumerate() {
        for (di, doc) in docs.iter().enumerate() {
            let mut items: Vec<(String, &Value)> = vec![(String::new(), doc)];
            if doc
                .get("kind")
                .and_then(Value::as_str)
                .is_some_and(|k| k == "List" || k.ends_with("List"))
                && let Some(list) = doc.get("items").and_then(Value::as_array)
            {
                items = list
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (format!("items[{i}]."), v))
                    .collect();
            }
            for (at, v) in items {
                if v.is_null() {
                    continue;
                }
                let line = |p: &str| src.line(di, &format!("{at}{p}"));
                let (Some(api), Some(kind)) = (
                    v.get("apiVersion").and_then(Value::as_str),
                    v.get("kind").and_then(Value::as_str),
                ) else {
                    out.error(
                        src.file,
                        line(""),
                        "not a Kubernetes object: apiVersion and kind are missing",
                    );
                    continue;
                };
                let name = v
                    .get("metadata")
                    .and_then(|m| m.get("name"))
                    .and_then(Value::as_str);
                if api == "v1" && kind == "Namespace" {
                    if let Some(n) = name {
                        namespaces.insert(n.to_string(), labels_of(v));
                    }
                    continue;
                }
                if !api.starts_with("appmesh.k8s.aws/") {
                    out.note(
                        src.file,
                        line("kind"),
                        format!(
                            "{kind} {} skipped: not an App Mesh object",
                            name.map(|n| format!("{n:?}")).unwrap_or_default()
                        ),
                    );
                    continue;
                }
                if api != API_VERSION {
                    out.error(src.file, line("apiVersion"), format!(
                        "{kind}: apiVersion {api} is not read; the import reads {API_VERSION} (the controller converts older objects on upgrade)"
                    ));
                    continue;
                }
                let Some(k) = Kind::ALL
                    .into_iter()
                    .find(|k| k.info().name == kind && *k != Kind::Route)
                else {
                    if kind == "BackendGroup" {
                        out.note(
                            src.file,
                            line("kind"),
                            "BackendGroup skipped: it is the controller's own, not App Mesh's",
                        );
                    } else {
                        out.error(src.file, line("kind"), format!(
                            "unknown resource type {kind} (the controller's are Mesh, VirtualNode, VirtualService, VirtualRouter, VirtualGateway, GatewayRoute)"
                        ));
                    }
                    continue;
                };
                let Some(name) = name else {
                    out.error(
                        src.file,
                        line("metadata"),
                        format!("{kind} without metadata.name"),
                    );
                    continue;
                };
                let namespace = v
                    .get("metadata")
                    .and_then(|m| m.get("namespace"))
                    .and_then(Value::as_str)
                    .unwrap_or("default")
                    .to_string();
                let empty = &Value::Null;
                let spec = v.get("spec").unwrap_or(empty);
                let aws_name = match spec.get("awsName") {
                    Some(Value::String(s)) if !s.is_empty() => s.clone(),
                    _ => default_aws_name(k, name, &namespace),
                };
                objs.push(Obj {
                    src: si,
                    doc: di,
                    at,
                    kind: k,
                    name: name.to_string(),
                    namespace,
                    labels: labels_of(v),
                    spec,
                    aws_name,
                });
            }
        }
    }
    for (si, (src, _)) in sources.iter().enumerate() {
        if !objs.iter().any(|o| o.src == si) {
            out.note(src.file, None, "the manifests hold no App Mesh object");
        }
    }
    let meshes: Vec<&Obj<'_>> = objs.iter().filter(|o| o.kind == Kind::Mesh).collect();
    let find = |kind: Kind, ns: &str, name: &str| {
        objs.iter()
            .find(|o| o.kind == kind && o.name == name && (kind == Kind::Mesh || o.namespace == ns))
    };
    for o in &objs {
        if out.full() {
            return;
        }
        let src = &sources[o.src].0;
        let file = src.file;
        let line = |p: &str| src.line(o.doc, &format!("{}{p}", o.at));
        let what = format!("{} {}/{}", o.kind.info().name, o.namespace, o.name);
        // The mesh.
        let mesh_name = if o.kind == Kind::Mesh {
            o.aws_name.clone()
        } else if let Some(r) = o
            .spec
            .get("meshRef")
            .and_then(|r| r.get("name"))
            .and_then(Value::as_str)
        {
            match find(Kind::Mesh, "", r) {
                Some(m) => m.aws_name.clone(),
                None => {
                    out.error(
                        file,
                        line("spec.meshRef"),
                        format!("{what}: meshRef names Mesh {r:?}, which is not in the files"),
                    );
                    continue;
                }
            }
        } else {
            match namespaces.get(&o.namespace) {
                Some(labels) => {
                    let mut hits = Vec::new();
                    let mut bad_selector = false;
                    for m in &meshes {
                        match selector_matches(m.spec.get("namespaceSelector"), labels) {
                            Some(true) => hits.push(*m),
                            Some(false) => {}
                            None => bad_selector = true,
                        }
                    }
                    match hits.as_slice() {
                        [m] => m.aws_name.clone(),
                        [] => {
                            out.error(
                                file,
                                line("metadata"),
                                format!(
                                    "{what}: no Mesh's namespaceSelector matches namespace {:?}{}",
                                    o.namespace,
                                    if bad_selector {
                                        " (a selector could not be read)"
                                    } else {
                                        ""
                                    }
                                ),
                            );
                            continue;
                        }
                        many => {
                            out.error(file, line("metadata"), format!(
                                "{what}: namespace {:?} matches the namespaceSelector of {} meshes ({}); the controller refuses that",
                                o.namespace,
                                many.len(),
                                many.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", ")
                            ));
                            continue;
                        }
                    }
                }
                None if meshes.len() == 1 => {
                    out.note(file, line("metadata"), format!(
                        "{what}: namespace {:?} is not in the files, so its labels are unknown; read into the only mesh, {:?}",
                        o.namespace, meshes[0].aws_name
                    ));
                    meshes[0].aws_name.clone()
                }
                None => {
                    out.error(file, line("metadata"), format!(
                        "{what}: which mesh it belongs to is unknown: add the Namespace {:?} (with the labels a Mesh's namespaceSelector matches) to the files",
                        o.namespace
                    ));
                    continue;
                }
            }
        };
        // The parent of a gateway route.
        let parent = if o.kind == Kind::GatewayRoute {
            let by_ref = o.spec.get("virtualGatewayRef");
            if let Some(r) = by_ref {
                let n = r.get("name").and_then(Value::as_str).unwrap_or_default();
                let ns = r
                    .get("namespace")
                    .and_then(Value::as_str)
                    .unwrap_or(&o.namespace);
                match find(Kind::VirtualGateway, ns, n) {
                    Some(g) => g.aws_name.clone(),
                    None => {
                        out.error(file, line("spec.virtualGatewayRef"), format!(
                            "{what}: virtualGatewayRef names VirtualGateway {ns}/{n}, which is not in the files"
                        ));
                        continue;
                    }
                }
            } else {
                let ns_labels = namespaces.get(&o.namespace);
                if ns_labels.is_none() {
                    out.note(file, line("metadata"), format!(
                        "{what}: namespace {:?} is not in the files, so its labels are unknown; \
                         only gateways of the same namespace are taken to select it",
                        o.namespace
                    ));
                }
                let gateways: Vec<&Obj<'_>> = objs
                    .iter()
                    .filter(|g| g.kind == Kind::VirtualGateway)
                    .collect();
                let hits: Vec<&&Obj<'_>> = gateways
                    .iter()
                    .filter(|g| {
                        let ns_ok = match ns_labels {
                            Some(l) => {
                                selector_matches(g.spec.get("namespaceSelector"), l) == Some(true)
                            }
                            None => g.namespace == o.namespace,
                        };
                        let sel = g.spec.get("gatewayRouteSelector");
                        let gr_ok = sel.is_none() || selector_matches(sel, &o.labels) == Some(true);
                        ns_ok && gr_ok
                    })
                    .collect();
                match hits.as_slice() {
                    [g] => g.aws_name.clone(),
                    [] => {
                        out.error(file, line("metadata"), format!(
                            "{what}: no VirtualGateway selects it (by its namespaceSelector and gatewayRouteSelector)"
                        ));
                        continue;
                    }
                    many => {
                        out.error(file, line("metadata"), format!(
                            "{what}: {} VirtualGateways select it ({}); the controller refuses that",
                            many.len(),
                            many.iter().map(|g| g.name.as_str()).collect::<Vec<_>>().join(", ")
                        ));
                        continue;
                    }
                }
            }
        } else {
            String::new()
        };
        let key = Key::new(o.kind, mesh_name.clone(), parent, o.aws_name.clone());
        let Some(spec_obj) = o.spec.as_object() else {
            if !o.spec.is_null() {
                out.error(
                    file,
                    line("spec"),
                    format!("{what}: spec must be a mapping"),
                );
                continue;
            }
            let item = Item::new(Value::Object(serde_json::Map::new()));
            out.add(file, line(""), key, item, &mut |_| None);
            continue;
        };
        let mut app_spec = serde_json::Map::new();
        for (k, v) in spec_obj {
            match controller_member(o.kind, k) {
                Some(None) => {}
                Some(Some(why)) => {
                    out.note(file, line(&format!("spec.{k}")), format!("{what}: {why}"))
                }
                None => {
                    app_spec.insert(k.clone(), v.clone());
                }
            }
        }
        let mut ref_notes = Vec::new();
        let mut resolver = |key: &str, v: &Value, path: &str| -> Result<String, String> {
            let (name, note) = resolve_ref(key, v, o, &objs)?;
            if let Some(n) = note {
                ref_notes.push((path.to_string(), n));
            }
            Ok(name)
        };
        let mut issues = Vec::new();
        let wire = super::convert::import_spec(
            &KUBERNETES,
            o.kind.info().spec_shape,
            &Value::Object(app_spec),
            &mut resolver,
            &mut issues,
        );
        for (p, n) in ref_notes {
            out.note(
                file,
                line(&format!("spec.{p}")),
                format!("{what}: spec.{p}: {n}"),
            );
        }
        let bad = report_issues(out, file, &what, "spec", &issues, &mut |p| {
            line(&format!("spec.{p}"))
        });
        if bad {
            out.error(file, line(""), format!("{what} is left out (see above)"));
        } else {
            let kind = o.kind;
            out.add(file, line(""), key, Item::new(wire), &mut |wp| {
                line(&format!("spec.{}", spec_format_path(&KUBERNETES, kind, wp)))
            });
        }
        // A router's routes.
        if o.kind == Kind::VirtualRouter
            && let Some(routes) = o.spec.get("routes")
        {
            let Some(routes) = routes.as_array() else {
                out.error(
                    file,
                    line("spec.routes"),
                    format!("{what}: routes must be a list"),
                );
                continue;
            };
            for (i, r) in routes.iter().enumerate() {
                let rp = format!("spec.routes[{i}]");
                let Some(rname) = r.get("name").and_then(Value::as_str) else {
                    out.error(file, line(&rp), format!("{what}: routes[{i}] has no name"));
                    continue;
                };
                let rwhat = format!("{what} route {rname:?}");
                let mut rspec = r.as_object().cloned().unwrap_or_default();
                rspec.remove("name");
                let mut issues = Vec::new();
                let mut resolver =
                    |key: &str, v: &Value, _p: &str| resolve_ref(key, v, o, &objs).map(|(n, _)| n);
                let wire = super::convert::import_spec(
                    &KUBERNETES,
                    "RouteSpec",
                    &Value::Object(rspec),
                    &mut resolver,
                    &mut issues,
                );
                if report_issues(out, file, &rwhat, &rp, &issues, &mut |p| {
                    line(&format!("{rp}.{p}"))
                }) {
                    out.error(file, line(&rp), format!("{rwhat} is left out (see above)"));
                    continue;
                }
                let rkey = Key::new(Kind::Route, mesh_name.clone(), o.aws_name.clone(), rname);
                out.add(file, line(&rp), rkey, Item::new(wire), &mut |wp| {
                    line(&format!(
                        "{rp}.{}",
                        spec_format_path(&KUBERNETES, Kind::Route, wp)
                    ))
                });
            }
        }
    }
}

/// The App Mesh name a `…Ref` or `…ARN` member names, and a note when it is a guess.
fn resolve_ref(
    member: &str,
    v: &Value,
    from: &Obj<'_>,
    objs: &[Obj<'_>],
) -> Result<(String, Option<String>), String> {
    let target = if member.starts_with("virtualNode") {
        Kind::VirtualNode
    } else if member.starts_with("virtualService") {
        Kind::VirtualService
    } else {
        Kind::VirtualRouter
    };
    if member.ends_with("ARN") {
        let arn = v
            .as_str()
            .ok_or_else(|| format!("{member} must be an ARN string"))?;
        return match Key::from_arn(arn) {
            Some((_, _, k)) if k.kind == target => Ok((k.name.into(), None)),
            _ => Err(format!(
                "{member} {} is not the ARN of a {}",
                quote(v),
                target
            )),
        };
    }
    let name = v
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{member} needs a name"))?;
    let ns = v
        .get("namespace")
        .and_then(Value::as_str)
        .unwrap_or(&from.namespace);
    match objs
        .iter()
        .find(|o| o.kind == target && o.name == name && o.namespace == ns)
    {
        Some(o) => Ok((o.aws_name.clone(), None)),
        None if target == Kind::VirtualService && from.kind == Kind::VirtualNode => {
            // A backend may name a service that does not exist yet; its name would be the
            // controller's default.
            let guess = default_aws_name(target, name, ns);
            let note = format!(
                "VirtualService {ns}/{name} is not in the files; the backend is read as {guess:?}, \
                 the name the controller gives such an object without awsName"
            );
            Ok((guess, Some(note)))
        }
        None => Err(format!(
            "{member} names {} {ns}/{name}, which is not in the files",
            target.info().name
        )),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn selectors() {
        let labels: BTreeMap<String, String> = [("mesh".to_string(), "shop".to_string())]
            .into_iter()
            .collect();
        assert_eq!(selector_matches(None, &labels), Some(false));
        assert_eq!(selector_matches(Some(&json!({})), &labels), Some(true));
        assert_eq!(
            selector_matches(Some(&json!({"matchLabels": {"mesh": "shop"}})), &labels),
            Some(true)
        );
        assert_eq!(
            selector_matches(Some(&json!({"matchLabels": {"mesh": "x"}})), &labels),
            Some(false)
        );
        assert_eq!(
            selector_matches(
                Some(
                    &json!({"matchExpressions": [{"key": "mesh", "operator": "In", "values": ["a", "shop"]}]})
                ),
                &labels
            ),
            Some(true)
        );
        assert_eq!(
            selector_matches(
                Some(&json!({"matchExpressions": [{"key": "team", "operator": "Exists"}]})),
                &labels
            ),
            Some(false)
        );
        assert_eq!(
            selector_matches(
                Some(&json!({"matchExpressions": [{"key": "team", "operator": "Near"}]})),
                &labels
            ),
            None
        );
        assert_eq!(
            default_aws_name(Kind::VirtualService, "web", "prod"),
            "web.prod"
        );
        assert_eq!(
            default_aws_name(Kind::VirtualNode, "web", "prod"),
            "web_prod"
        );
    }
}
