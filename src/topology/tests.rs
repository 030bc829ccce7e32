use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

use super::fixtures::{large, onboarding, problems};
use super::layout::Layout;
use super::view::{Topology, TopologyOutcome};
use super::*;
use crate::mesh::Item;

fn find(g: &Graph, column: Column, name: &str) -> usize {
    g.nodes
        .iter()
        .position(|n| n.column == column && n.key.name == name)
        .unwrap_or_else(|| panic!("no {name} in {column:?}"))
}

fn edge(g: &Graph, from: usize, to: usize) -> &Edge {
    g.edges
        .iter()
        .find(|e| e.from == from && e.to == to)
        .unwrap_or_else(|| {
            panic!(
                "no edge {} -> {}",
                g.nodes[from].key.name, g.nodes[to].key.name
            )
        })
}

#[test]
fn the_onboarding_mesh_is_one_box_per_resource_with_weights_and_prefixes() {
    let g = Graph::from_mesh(&onboarding());
    // 9 resources, and api.payments.local again as the web nodes' backend.
    assert_eq!(g.nodes.len(), 10);
    assert!(g.nodes.iter().all(|n| !n.marked() && !n.missing));
    let gw = find(&g, Column::Gateways, "ingress");
    let gr = find(&g, Column::GatewayRoutes, "web");
    let web = find(&g, Column::Services, "web.payments.local");
    let api_svc = find(&g, Column::Services, "api.payments.local");
    let router = find(&g, Column::Routers, "web-router");
    let canary = find(&g, Column::Routes, "canary");
    let v1 = find(&g, Column::Nodes, "web-v1");
    let v2 = find(&g, Column::Nodes, "web-v2");
    let api = find(&g, Column::Nodes, "api");
    let backend = find(&g, Column::Backends, "api.payments.local");
    assert_eq!(edge(&g, gw, gr).role, Role::Contains);
    assert_eq!(edge(&g, gr, web).label, "/");
    assert_eq!(edge(&g, web, router).role, Role::Provider);
    assert_eq!(edge(&g, api_svc, api).role, Role::Provider);
    assert_eq!(edge(&g, router, canary).label, "/");
    assert_eq!(edge(&g, canary, v1).label, "90%");
    assert_eq!(edge(&g, canary, v2).label, "10%");
    assert_eq!(edge(&g, v1, backend).role, Role::Backend);
    assert_eq!(edge(&g, v2, backend).role, Role::Backend);
    assert_eq!(g.edges.len(), 9);
    assert_eq!(g.nodes[api].detail, "api.payments.local");
    assert_eq!(g.nodes[gw].detail, "http:8080");
    assert!(g.problems().is_empty());
    let l = Layout::new(g);
    assert_eq!(l.crossings, 0);
    assert_eq!(l.columns.len(), 7);
}

#[test]
fn every_kind_of_problem_is_marked_where_it_is() {
    let g = Graph::from_mesh(&problems());
    let marks = |c, name| g.nodes[find(&g, c, name)].marks.clone();
    // Missing targets get a box of their own, in the column they would stand in.
    for (c, name) in [
        (Column::Services, "checkout.payments.local"),
        (Column::Nodes, "web-v3"),
        (Column::Routers, "search-router"),
        (Column::Routers, "old-router"),
        (Column::Backends, "ledger.payments.local"),
    ] {
        let n = &g.nodes[find(&g, c, name)];
        assert!(n.missing, "{name}");
        assert_eq!(n.marks, [Mark::Missing], "{name}");
    }
    assert!(
        matches!(&marks(Column::GatewayRoutes, "checkout")[..], [Mark::NamesMissing { to, .. }] if to.name == "checkout.payments.local")
    );
    assert!(
        matches!(&marks(Column::Routes, "beta")[..], [Mark::NamesMissing { to, .. }] if to.name == "web-v3")
    );
    assert!(
        matches!(&marks(Column::Routes, "orphan")[..], [Mark::NamesMissing { to, .. }] if to.name == "old-router")
    );
    assert!(
        matches!(&marks(Column::Services, "search.payments.local")[..], [Mark::NamesMissing { to, .. }] if to.name == "search-router")
    );
    assert_eq!(
        marks(Column::Services, "legacy.payments.local"),
        [Mark::NoProvider]
    );
    assert_eq!(marks(Column::Nodes, "web-v1"), [Mark::Unreached]);
    let batch = marks(Column::Nodes, "batch-worker");
    assert!(batch.contains(&Mark::Unreached), "{batch:?}");
    assert!(
        batch.iter().any(
            |m| matches!(m, Mark::NamesMissing { to, .. } if to.name == "ledger.payments.local")
        )
    );
    assert_eq!(
        marks(Column::Routes, "canary"),
        [Mark::ZeroWeight {
            node: "web-v1".into()
        }]
    );
    // The edges that carry nothing or lead nowhere are problems; the healthy ones are not.
    let canary = find(&g, Column::Routes, "canary");
    let v1 = find(&g, Column::Nodes, "web-v1");
    let v2 = find(&g, Column::Nodes, "web-v2");
    assert!(edge(&g, canary, v1).problem);
    assert_eq!(edge(&g, canary, v1).label, "0%");
    assert!(!edge(&g, canary, v2).problem);
    assert_eq!(edge(&g, canary, v2).label, "100%");
    let problems = g.problems();
    assert!(
        problems
            .iter()
            .any(|(_, p)| p.contains("\"legacy.payments.local\" has no provider")),
        "{problems:#?}"
    );
}

#[test]
fn weights_are_shares_of_the_route_total() {
    let mut m = MeshModel::new("m");
    m.items.insert(
        Key::new(Kind::Route, "m", "r", "x"),
        Item::new(json!({"tcpRoute": {"action": {"weightedTargets": [
            {"virtualNode": "a", "weight": 1}, {"virtualNode": "b", "weight": 2}]}}})),
    );
    let g = Graph::from_mesh(&m);
    let labels: Vec<&str> = g
        .edges
        .iter()
        .filter(|e| e.role == Role::Weighted)
        .map(|e| e.label.as_str())
        .collect();
    assert_eq!(labels, ["33%", "67%"]);
}

#[test]
fn matches_read_short() {
    let gr =
        json!({"httpRoute": {"match": {"prefix": "/api", "hostname": {"suffix": "example.com"}}}});
    assert_eq!(route_match(&gr, true), "*.example.com/api");
    let r = json!({"http2Route": {"match": {"path": {"exact": "/x"}, "method": "GET"}}});
    assert_eq!(route_match(&r, false), "GET =/x");
    let g =
        json!({"grpcRoute": {"match": {"serviceName": "pay.Svc", "methodName": "Get", "port": 9}}});
    assert_eq!(route_match(&g, false), "pay.Svc/Get:9");
    assert_eq!(route_match(&json!({"tcpRoute": {}}), false), "");
}

pub fn check_layout(l: &Layout) {
    let v = l.violations();
    assert!(v.is_empty(), "{v:#?}");
}

#[test]
fn layouts_hold_their_invariants() {
    for m in [onboarding(), problems(), large(500)] {
        let l = Layout::new(Graph::from_mesh(&m));
        check_layout(&l);
    }
}

#[test]
fn barycenter_ordering_removes_crossings_the_name_order_has() {
    // Routers named in the opposite order of the services that use them.
    let mut m = MeshModel::new("m");
    for i in 0..6 {
        m.items.insert(
            Key::new(Kind::VirtualService, "m", "", format!("s{i}")),
            Item::new(json!({"provider": {"virtualRouter": {"virtualRouterName": format!("r{}", 5 - i)}}})),
        );
        m.items.insert(
            Key::new(Kind::VirtualRouter, "m", "", format!("r{i}")),
            Item::new(json!({})),
        );
    }
    let l = Layout::new(Graph::from_mesh(&m));
    assert_eq!(l.crossings, 0);
    check_layout(&l);
}

fn press(t: &mut Topology, code: KeyCode) -> TopologyOutcome {
    t.handle_key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn selected_name(t: &Topology) -> String {
    t.selected_key().unwrap().name.to_string()
}

#[test]
fn arrows_walk_the_onboarding_mesh_and_enter_describes() {
    let mut t = Topology::new(&onboarding());
    t.set_size(120, 40);
    assert_eq!(selected_name(&t), "ingress");
    let mut walk = vec![selected_name(&t)];
    for _ in 0..6 {
        assert_eq!(press(&mut t, KeyCode::Right), TopologyOutcome::Handled);
        walk.push(selected_name(&t));
    }
    assert_eq!(
        walk,
        [
            "ingress",
            "web",
            "web.payments.local",
            "web-router",
            "canary",
            "web-v1",
            "api.payments.local"
        ]
    );
    press(&mut t, KeyCode::Left);
    assert_eq!(t.selected_key().unwrap().kind, Kind::VirtualNode);
    press(&mut t, KeyCode::Home);
    assert_eq!(selected_name(&t), "web-v1");
    press(&mut t, KeyCode::Down);
    assert_eq!(selected_name(&t), "web-v2");
    press(&mut t, KeyCode::End);
    assert_eq!(selected_name(&t), "api");
    press(&mut t, KeyCode::Down);
    assert_eq!(selected_name(&t), "api");
    press(&mut t, KeyCode::Up);
    press(&mut t, KeyCode::Up);
    assert_eq!(selected_name(&t), "web-v1");
    assert_eq!(
        press(&mut t, KeyCode::Enter),
        TopologyOutcome::Describe(Key::new(Kind::VirtualNode, "payments", "", "web-v1"))
    );
    assert_eq!(press(&mut t, KeyCode::Char('x')), TopologyOutcome::Ignored);
    assert_eq!(press(&mut t, KeyCode::Esc), TopologyOutcome::Close);
    assert_eq!(press(&mut t, KeyCode::Char('g')), TopologyOutcome::Close);
    assert!(t.note.is_none());
    press(&mut t, KeyCode::Char('n'));
    assert!(t.note.as_deref().unwrap().contains("no problems"));
}

#[test]
fn marks_are_visited_in_order_and_missing_boxes_explain_themselves() {
    let mut t = Topology::new(&problems());
    t.set_size(80, 24);
    let mut seen = Vec::new();
    for _ in 0..40 {
        press(&mut t, KeyCode::Char('n'));
        let s = t.selected().unwrap();
        if seen.contains(&s) {
            break;
        }
        seen.push(s);
    }
    let g = &t.layout().graph;
    let marked = g.nodes.iter().filter(|n| n.marked()).count();
    assert_eq!(seen.len(), marked);
    // Every box visited is on screen.
    let ghost = g.nodes.iter().position(|n| n.key.name == "web-v3").unwrap();
    while t.selected() != Some(ghost) {
        press(&mut t, KeyCode::Char('N'));
    }
    let b = &t.layout().boxes[ghost];
    let (w, h) = t.viewport();
    assert!(b.x >= t.offset.0 && b.x + b.w <= t.offset.0 + w);
    assert!(b.y >= t.offset.1 && b.bottom() <= t.offset.1 + h);
    assert_eq!(press(&mut t, KeyCode::Enter), TopologyOutcome::Handled);
    let note = t.status();
    assert!(
        note.contains("virtual node \"web-v3\" does not exist; named by route \"beta\""),
        "{note}"
    );
}

#[test]
fn update_keeps_the_selection_on_the_same_resource() {
    let mut m = onboarding();
    let mut t = Topology::new(&m);
    t.set_size(80, 24);
    for _ in 0..5 {
        press(&mut t, KeyCode::Right);
    }
    press(&mut t, KeyCode::Down);
    assert_eq!(selected_name(&t), "web-v2");
    m.items.insert(
        Key::new(Kind::VirtualNode, "payments", "", "aaa-first"),
        Item::new(json!({})),
    );
    t.update(&m);
    assert_eq!(selected_name(&t), "web-v2");
    // Gone: the nearest box of the same column.
    m.items
        .remove(&Key::new(Kind::VirtualNode, "payments", "", "web-v2"));
    t.update(&m);
    assert_eq!(t.selected_key().unwrap().kind, Kind::VirtualNode);
    // Everything gone: nothing selected, Enter says so.
    t.update(&MeshModel::new("payments"));
    assert_eq!(t.selected(), None);
    assert_eq!(press(&mut t, KeyCode::Enter), TopologyOutcome::Handled);
    assert!(t.status().contains("nothing to describe"));
}

#[test]
fn panning_and_paging_stay_inside_the_drawing() {
    let mut t = Topology::new(&large(500));
    t.set_size(80, 24);
    for _ in 0..1000 {
        press(&mut t, KeyCode::Char('l'));
        press(&mut t, KeyCode::Char('j'));
    }
    let (w, h) = t.viewport();
    let l = t.layout();
    assert_eq!(t.offset, (l.width - w, l.height - h));
    let first = t.selected().unwrap();
    press(&mut t, KeyCode::PageDown);
    let after = t.selected().unwrap();
    assert!(t.layout().boxes[after].y > t.layout().boxes[first].y);
    for _ in 0..1000 {
        press(&mut t, KeyCode::PageUp);
    }
    assert_eq!(t.offset.1, 0);
}
