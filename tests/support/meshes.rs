//! The three fixture meshes of the migration tests: `simple` (one service on one node, a client
//! node), `canary` (a router splitting 90/10 between two versions, a second service, a virtual
//! gateway with a gateway route) and `everything` (every fixture of
//! `tests/fixtures/specs/all-kinds.json`: every member, union branch and enum value App Mesh
//! can express).

use std::collections::BTreeMap;

use appmesh_tui::kind::{Key, Kind};
use appmesh_tui::mesh::{Item, MeshModel};
use serde_json::{Value, json};

use super::fixtures;

fn put(m: &mut MeshModel, kind: Kind, parent: &str, name: &str, spec: Value) {
    let key = Key::new(kind, m.name.clone(), parent, name);
    m.items.insert(key, Item::new(spec));
}

fn tag(m: &mut MeshModel, key: Key, tags: &[(&str, &str)]) {
    let item = m.items.get_mut(&key).expect("tagged item exists");
    item.tags = tags
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect::<BTreeMap<_, _>>();
}

pub fn simple() -> MeshModel {
    let mut m = MeshModel::new("simple");
    put(
        &mut m,
        Kind::Mesh,
        "",
        "simple",
        json!({"egressFilter": {"type": "DROP_ALL"}}),
    );
    put(
        &mut m,
        Kind::VirtualNode,
        "",
        "orders",
        json!({
        "listeners": [{"portMapping": {"port": 8080, "protocol": "http"},
            "healthCheck": {"protocol": "http", "path": "/health", "intervalMillis": 10000,
                "timeoutMillis": 2000, "healthyThreshold": 3, "unhealthyThreshold": 2}}],
        "serviceDiscovery": {"dns": {"hostname": "orders.shop.svc.cluster.local"}}}),
    );
    put(
        &mut m,
        Kind::VirtualNode,
        "",
        "frontend",
        json!({
        "backends": [{"virtualService": {"virtualServiceName": "orders.shop.svc.cluster.local"}}],
        "serviceDiscovery": {"dns": {"hostname": "frontend.shop.svc.cluster.local"}}}),
    );
    put(
        &mut m,
        Kind::VirtualService,
        "",
        "orders.shop.svc.cluster.local",
        json!({"provider": {"virtualNode": {"virtualNodeName": "orders"}}}),
    );
    tag(
        &mut m,
        Key::mesh("simple"),
        &[("team", "shop"), ("note", "")],
    );
    m
}

pub fn canary() -> MeshModel {
    let mut m = MeshModel::new("canary");
    put(&mut m, Kind::Mesh, "", "canary", json!({}));
    let node = |host: &str| {
        json!({
        "listeners": [{"portMapping": {"port": 9080, "protocol": "http"},
            "healthCheck": {"protocol": "http", "path": "/ping", "intervalMillis": 5000,
                "timeoutMillis": 2000, "healthyThreshold": 2, "unhealthyThreshold": 2},
            "timeout": {"http": {"perRequest": {"unit": "s", "value": 15}}}}],
        "serviceDiscovery": {"dns": {"hostname": host}}})
    };
    put(
        &mut m,
        Kind::VirtualNode,
        "",
        "web-v1",
        node("web-v1.prod.svc.cluster.local"),
    );
    put(
        &mut m,
        Kind::VirtualNode,
        "",
        "web-v2",
        node("web-v2.prod.svc.cluster.local"),
    );
    put(
        &mut m,
        Kind::VirtualNode,
        "",
        "api",
        json!({
        "listeners": [{"portMapping": {"port": 50051, "protocol": "grpc"}}],
        "serviceDiscovery": {"awsCloudMap": {"namespaceName": "prod.local", "serviceName": "api"}}}),
    );
    put(
        &mut m,
        Kind::VirtualRouter,
        "",
        "web",
        json!({"listeners": [{"portMapping": {"port": 9080, "protocol": "http"}}]}),
    );
    put(
        &mut m,
        Kind::Route,
        "web",
        "canary",
        json!({"priority": 10, "httpRoute": {
        "match": {"prefix": "/"},
        "action": {"weightedTargets": [{"virtualNode": "web-v1", "weight": 90}, {"virtualNode": "web-v2", "weight": 10}]},
        "retryPolicy": {"maxRetries": 2, "perRetryTimeout": {"unit": "ms", "value": 500}, "httpRetryEvents": ["server-error"]}}}),
    );
    put(
        &mut m,
        Kind::Route,
        "web",
        "beta-header",
        json!({"priority": 5, "httpRoute": {
        "match": {"prefix": "/", "headers": [{"name": "x-beta", "match": {"exact": "1"}}]},
        "action": {"weightedTargets": [{"virtualNode": "web-v2", "weight": 100}]}}}),
    );
    put(
        &mut m,
        Kind::VirtualService,
        "",
        "web.prod.local",
        json!({"provider": {"virtualRouter": {"virtualRouterName": "web"}}}),
    );
    put(
        &mut m,
        Kind::VirtualService,
        "",
        "api.prod.local",
        json!({"provider": {"virtualNode": {"virtualNodeName": "api"}}}),
    );
    put(
        &mut m,
        Kind::VirtualGateway,
        "",
        "ingress",
        json!({"listeners": [{"portMapping": {"port": 8443, "protocol": "http"}}]}),
    );
    put(
        &mut m,
        Kind::GatewayRoute,
        "ingress",
        "to-web",
        json!({"httpRoute": {"match": {"prefix": "/"},
        "action": {"target": {"virtualService": {"virtualServiceName": "web.prod.local"}}}}}),
    );
    m
}

/// Every fixture of all-kinds.json in its container mesh (the other meshes' specs left out).
pub fn everything() -> MeshModel {
    let mesh = fixtures::container_mesh();
    let mut m = MeshModel::new(mesh.clone());
    for f in fixtures::all() {
        if f.kind == Kind::Mesh && f.name != mesh {
            continue;
        }
        m.items.insert(f.key(&mesh), Item::new(f.expected_spec()));
    }
    m
}

pub fn all() -> Vec<(&'static str, MeshModel)> {
    vec![
        ("simple", simple()),
        ("canary", canary()),
        ("everything", everything()),
    ]
}
