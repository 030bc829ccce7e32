//! The meshes the topology's tests and benches draw: the onboarding shape, a mesh with every
//! kind of problem, and a generated mesh of any size. Not part of the app's interface.

use serde_json::{Value, json};

use crate::kind::{Key, Kind};
use crate::mesh::{Item, MeshModel};

fn put(m: &mut MeshModel, kind: Kind, parent: &str, name: &str, spec: Value) {
    let key = Key::new(kind, m.name.clone(), parent, name);
    m.items.insert(key, Item::new(spec));
}

fn listener() -> Value {
    json!([{"portMapping": {"port": 8080, "protocol": "http"}}])
}

fn node(host: &str, backends: &[&str]) -> Value {
    let mut spec =
        json!({"listeners": listener(), "serviceDiscovery": {"dns": {"hostname": host}}});
    if !backends.is_empty() {
        spec["backends"] = backends
            .iter()
            .map(|b| json!({"virtualService": {"virtualServiceName": b}}))
            .collect();
    }
    spec
}

fn route(prefix: &str, targets: &[(&str, i64)]) -> Value {
    let t: Vec<Value> = targets
        .iter()
        .map(|(n, w)| json!({"virtualNode": n, "weight": w}))
        .collect();
    json!({"httpRoute": {"match": {"prefix": prefix}, "action": {"weightedTargets": t}}})
}

fn gateway_route(prefix: &str, service: &str) -> Value {
    json!({"httpRoute": {"match": {"prefix": prefix}, "action": {"target": {"virtualService": {"virtualServiceName": service}}}}})
}

fn mesh(name: &str) -> MeshModel {
    let mut m = MeshModel::new(name);
    m.items.insert(
        Key::mesh(name),
        Item::new(json!({"egressFilter": {"type": "DROP_ALL"}})),
    );
    m
}

/// The onboarding shape (as `sandbox seed --shape realistic` makes it): two services, a router
/// with a 90/10 canary route, three nodes, a gateway with a gateway route.
pub fn onboarding() -> MeshModel {
    let mut m = mesh("payments");
    put(
        &mut m,
        Kind::VirtualNode,
        "",
        "web-v1",
        node("web-v1.payments.local", &["api.payments.local"]),
    );
    put(
        &mut m,
        Kind::VirtualNode,
        "",
        "web-v2",
        node("web-v2.payments.local", &["api.payments.local"]),
    );
    put(
        &mut m,
        Kind::VirtualNode,
        "",
        "api",
        node("api.payments.local", &[]),
    );
    put(
        &mut m,
        Kind::VirtualRouter,
        "",
        "web-router",
        json!({"listeners": listener()}),
    );
    put(
        &mut m,
        Kind::Route,
        "web-router",
        "canary",
        route("/", &[("web-v1", 90), ("web-v2", 10)]),
    );
    put(
        &mut m,
        Kind::VirtualService,
        "",
        "web.payments.local",
        json!({"provider": {"virtualRouter": {"virtualRouterName": "web-router"}}}),
    );
    put(
        &mut m,
        Kind::VirtualService,
        "",
        "api.payments.local",
        json!({"provider": {"virtualNode": {"virtualNodeName": "api"}}}),
    );
    put(
        &mut m,
        Kind::VirtualGateway,
        "",
        "ingress",
        json!({"listeners": listener()}),
    );
    put(
        &mut m,
        Kind::GatewayRoute,
        "ingress",
        "web",
        gateway_route("/", "web.payments.local"),
    );
    m
}

/// Every kind of problem the topology marks: a gateway route to a missing service, a route
/// to a missing node, a route whose router is missing, a weight of 0, a service without a
/// provider, a service whose provider router is missing, a node no service reaches, a backend
/// that does not exist.
pub fn problems() -> MeshModel {
    let mut m = onboarding();
    m.name = "broken".into();
    let items = std::mem::take(&mut m.items);
    for (k, v) in items {
        let k = if k.kind == Kind::Mesh {
            Key::mesh("broken")
        } else {
            Key::new(k.kind, "broken", k.parent, k.name)
        };
        m.items.insert(k, v);
    }
    // The canary finished: v2 takes everything, v1 is left at 0.
    put(
        &mut m,
        Kind::Route,
        "web-router",
        "canary",
        route("/", &[("web-v1", 0), ("web-v2", 100)]),
    );
    put(
        &mut m,
        Kind::Route,
        "web-router",
        "beta",
        route("/beta", &[("web-v3", 100)]),
    );
    put(
        &mut m,
        Kind::GatewayRoute,
        "ingress",
        "checkout",
        gateway_route("/checkout", "checkout.payments.local"),
    );
    put(
        &mut m,
        Kind::VirtualService,
        "",
        "legacy.payments.local",
        json!({}),
    );
    put(
        &mut m,
        Kind::VirtualService,
        "",
        "search.payments.local",
        json!({"provider": {"virtualRouter": {"virtualRouterName": "search-router"}}}),
    );
    put(
        &mut m,
        Kind::VirtualNode,
        "",
        "batch-worker",
        node("batch.payments.local", &["ledger.payments.local"]),
    );
    put(
        &mut m,
        Kind::Route,
        "old-router",
        "orphan",
        route("/old", &[("api", 100)]),
    );
    m
}

/// A mesh of exactly `n` resources (the mesh itself not counted), shaped like a real one:
/// gateways with three gateway routes each, services provided by routers (each with two
/// canary routes) or by nodes, nodes with backends. Every node is reached; nothing is missing.
pub fn large(n: usize) -> MeshModel {
    let mut m = mesh(&format!("large-{n}"));
    let k = (n / 84).max(1);
    let (gateways, services, routers) = (k, 20 * k, 10 * k);
    let nodes = 2 * routers + 1 + (services - routers);
    let node_name = |i: usize| format!("node-{:05}", i % nodes);
    let svc_name = |i: usize| format!("svc-{:05}.local", i % services);
    for j in 0..nodes {
        let mut backends = vec![svc_name(j * 13 + 1)];
        if j % 3 == 0 {
            backends.push(svc_name(j * 29 + 5));
        }
        let b: Vec<&str> = backends.iter().map(String::as_str).collect();
        put(
            &mut m,
            Kind::VirtualNode,
            "",
            &node_name(j),
            node(&format!("{}.local", node_name(j)), &b),
        );
    }
    for r in 0..routers {
        let router = format!("router-{r:04}");
        put(
            &mut m,
            Kind::VirtualRouter,
            "",
            &router,
            json!({"listeners": listener()}),
        );
        for x in 0..2 {
            let (a, b) = (node_name(2 * r + x), node_name(2 * r + x + 1));
            put(
                &mut m,
                Kind::Route,
                &router,
                &format!("route-{x}"),
                route(&format!("/r{x}"), &[(&a, 90), (&b, 10)]),
            );
        }
    }
    for s in 0..services {
        let spec = if s < routers {
            json!({"provider": {"virtualRouter": {"virtualRouterName": format!("router-{s:04}")}}})
        } else {
            json!({"provider": {"virtualNode": {"virtualNodeName": node_name(2 * routers + 1 + (s - routers))}}})
        };
        put(&mut m, Kind::VirtualService, "", &svc_name(s), spec);
    }
    for g in 0..gateways {
        let gw = format!("gateway-{g:03}");
        put(
            &mut m,
            Kind::VirtualGateway,
            "",
            &gw,
            json!({"listeners": listener()}),
        );
        for x in 0..3 {
            put(
                &mut m,
                Kind::GatewayRoute,
                &gw,
                &format!("gr-{x}"),
                gateway_route(&format!("/g{x}"), &svc_name(g * 7 + x * 3)),
            );
        }
    }
    // Fill up to exactly n with services provided by existing nodes.
    let mut extra = 0;
    while m.items.len() - 1 < n {
        put(
            &mut m,
            Kind::VirtualService,
            "",
            &format!("extra-{extra:05}.local"),
            json!({"provider": {"virtualNode": {"virtualNodeName": node_name(extra * 11)}}}),
        );
        extra += 1;
    }
    m
}
