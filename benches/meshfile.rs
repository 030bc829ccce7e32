//! The parts of `plan -f FILE` that need no network, on a 5,041-resource mesh (1,500 nodes,
//! 1,500 services, 40 routers with 25 routes each, 40 gateways with 24 gateway routes each,
//! the shape `scripts/measure meshplan` seeds): reading and checking the file, writing it, and
//! the diff against an identical mesh. The whole command against a sandbox holding the mesh is
//! measured by `scripts/measure meshplan` (README, "Performance").
//!
//! Run: `cargo bench --bench meshfile -- --warm-up-time 1 --measurement-time 3`

use std::collections::BTreeMap;
use std::hint::black_box;

use appmesh_tui::kind::{Key, Kind};
use appmesh_tui::mesh::{Item, MeshModel};
use appmesh_tui::meshfile::{self, Plan};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;

fn big() -> MeshModel {
    let mut m = MeshModel::new("plan-00001");
    let k = |kind, parent: &str, name: &str| Key::new(kind, "plan-00001", parent, name);
    let tags = BTreeMap::from([("team".to_string(), "payments".to_string())]);
    m.items.insert(
        Key::mesh("plan-00001"),
        Item {
            spec: json!({"egressFilter": {"type": "DROP_ALL"}}).into(),
            tags: tags.clone(),
            meta: None,
        },
    );
    let listener = json!([{"portMapping": {"port": 8080, "protocol": "http"}}]);
    for i in 0..1500 {
        m.items.insert(
            k(Kind::VirtualNode, "", &format!("node-{i:04}")),
            Item {
                spec: json!({"listeners": listener, "serviceDiscovery": {"dns": {"hostname": format!("node-{i:04}.local")}},
                    "backends": [{"virtualService": {"virtualServiceName": format!("svc-{:04}.local", (i + 1) % 1500)}}]}).into(),
                tags: tags.clone(),
                meta: None,
            },
        );
        m.items.insert(
            k(Kind::VirtualService, "", &format!("svc-{i:04}.local")),
            Item::new(
                json!({"provider": {"virtualNode": {"virtualNodeName": format!("node-{i:04}")}}}),
            ),
        );
    }
    for r in 0..40 {
        let router = format!("router-{r:02}");
        m.items.insert(
            k(Kind::VirtualRouter, "", &router),
            Item::new(json!({"listeners": listener})),
        );
        for x in 0..25 {
            m.items.insert(
                k(Kind::Route, &router, &format!("route-{x:02}")),
                Item::new(json!({"httpRoute": {"match": {"prefix": format!("/{x}")}, "action": {"weightedTargets": [
                    {"virtualNode": format!("node-{:04}", (r * 25 + x) % 1500), "weight": 90},
                    {"virtualNode": format!("node-{:04}", (r * 25 + x + 1) % 1500), "weight": 10}]}}})),
            );
        }
        let gateway = format!("gateway-{r:02}");
        m.items.insert(
            k(Kind::VirtualGateway, "", &gateway),
            Item::new(json!({"listeners": listener})),
        );
        for x in 0..24 {
            m.items.insert(
                k(Kind::GatewayRoute, &gateway, &format!("gr-{x:02}")),
                Item::new(json!({"httpRoute": {"match": {"prefix": format!("/{x}")}, "action": {
                    "target": {"virtualService": {"virtualServiceName": format!("svc-{:04}.local", (r * 24 + x) % 1500)}}}}})),
            );
        }
    }
    m
}

fn bench(c: &mut Criterion) {
    let m = big();
    assert_eq!(m.items.len(), 5041);
    let text = meshfile::to_yaml(std::slice::from_ref(&m));
    let mut g = c.benchmark_group("meshfile");
    g.sample_size(10);
    g.bench_function("parse_5041", |b| {
        b.iter(|| meshfile::parse("bench.yaml", black_box(&text)).unwrap())
    });
    g.bench_function("write_5041", |b| {
        b.iter(|| meshfile::to_yaml(black_box(std::slice::from_ref(&m))))
    });
    g.bench_function("plan_5041_unchanged", |b| {
        b.iter(|| {
            let p = Plan::new(black_box(&m), black_box(&m), true);
            assert!(p.is_empty());
            p
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
