//! Properties of mesh files and plans: any mesh written reads back as the same mesh; any text,
//! and any damage to a real file, reads without a panic and with problems that point inside
//! the file; and the plan between any two meshes, carried out against an in-memory service
//! that keeps App Mesh's rules between resources, is accepted step by step and ends with the
//! mesh the file describes.

use std::collections::BTreeMap;

use appmesh_tui::kind::{Key, Kind, references};
use appmesh_tui::mesh::{Item, MeshModel};
use appmesh_tui::meshfile::{self, Op, Plan};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Text as names and tags may hold it: plain, YAML look-alikes, any character.
fn text(min: usize, max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::string::string_regex(&format!("[a-z0-9.-]{{{min},{max}}}")).unwrap(),
        2 => prop::sample::select(vec![
            "true", "null", "~", "1.0", "0x1F", "-", "- x", "? k", "a: b", "# c", "&a", "*a",
            "!tag", "%x", "@x", "`x`", "'q'", "\"q\"", "[x]", "{x}", " lead", "trail ", "a\nb",
            "tab\tx", "\u{1b}[2J", "\u{feff}bom", "\u{85}nel", "\u{2028}ls", "ü→✓", "yes", "no",
            "on", "1e3", ".inf", ".nan", "010", "+1", "2026-01-01",
        ])
        .prop_filter("length", move |s| (min..=max).contains(&s.chars().count()))
        .prop_map(str::to_string),
        2 => prop::collection::vec(any::<char>(), min..=max).prop_map(|c| c.into_iter().collect()),
    ]
}

fn tags() -> impl Strategy<Value = BTreeMap<String, String>> {
    prop::collection::btree_map(text(1, 30), text(0, 40), 0..4)
}

fn node_spec(port: u16, host: String) -> Value {
    json!({"listeners": [{"portMapping": {"port": port, "protocol": "http"}}],
           "serviceDiscovery": {"dns": {"hostname": host}}})
}

/// A mesh with nodes, a router with routes, a service and a gateway with a gateway route,
/// named and tagged with arbitrary text.
fn any_mesh() -> impl Strategy<Value = MeshModel> {
    (
        text(1, 40),
        tags(),
        prop::collection::btree_map(text(1, 40), (1u16..=65535, text(1, 30), tags()), 1..4),
        text(1, 40),
        prop::collection::btree_map(text(1, 40), (0u8..=100, tags()), 0..3),
        text(1, 40),
        tags(),
    )
        .prop_map(
            |(mesh, mesh_tags, nodes, router, routes, service, svc_tags)| {
                let mut m = MeshModel::new(mesh.clone());
                let k = |kind, parent: &str, name: &str| Key::new(kind, mesh.clone(), parent, name);
                m.items.insert(
                    Key::mesh(&mesh),
                    Item {
                        spec: json!({"egressFilter": {"type": "ALLOW_ALL"}}).into(),
                        tags: mesh_tags,
                        meta: None,
                    },
                );
                let first = nodes.keys().next().unwrap().clone();
                for (name, (port, host, tags)) in nodes {
                    m.items.insert(
                        k(Kind::VirtualNode, "", &name),
                        Item {
                            spec: node_spec(port, host).into(),
                            tags,
                            meta: None,
                        },
                    );
                }
                m.items.insert(
                    k(Kind::VirtualRouter, "", &router),
                    Item::new(
                        json!({"listeners": [{"portMapping": {"port": 8080, "protocol": "http"}}]}),
                    ),
                );
                for (name, (weight, tags)) in routes {
                    m.items.insert(
                        k(Kind::Route, &router, &name),
                        Item {
                            spec: json!({"httpRoute": {"match": {"prefix": "/"}, "action": {
                            "weightedTargets": [{"virtualNode": first, "weight": weight}]}}})
                            .into(),
                            tags,
                            meta: None,
                        },
                    );
                }
                m.items.insert(
                    k(Kind::VirtualService, "", &service),
                    Item {
                        spec: json!({"provider": {"virtualRouter": {"virtualRouterName": router}}})
                            .into(),
                        tags: svc_tags,
                        meta: None,
                    },
                );
                m
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_mesh_written_reads_back_the_same(m in any_mesh(), other in any_mesh()) {
        let meshes = if m.name == other.name { vec![m] } else { vec![m, other] };
        let text = meshfile::to_yaml(&meshes);
        let back = meshfile::parse("f", &text)
            .unwrap_or_else(|e| panic!("{e}\n---\n{text}"));
        let mut want = meshes.clone();
        want.sort_by(|a, b| a.name.cmp(&b.name));
        let mut got = back.meshes;
        got.sort_by(|a, b| a.name.cmp(&b.name));
        prop_assert_eq!(&got, &want);
        // Writing what was read gives the same bytes.
        prop_assert_eq!(meshfile::to_yaml(&got), text);
    }

    #[test]
    fn any_text_reads_without_panic_and_problems_point_inside_it(
        text in prop_oneof![
            prop::collection::vec(any::<char>(), 0..400).prop_map(|c| c.into_iter().collect::<String>()),
            prop::collection::vec(prop::sample::select(vec![
                "apiVersion: appmesh-tui/v1\n", "kind: Mesh\n", "name: m\n", "spec:\n", "  ", "- ",
                "virtualNodes:\n", "virtualRouters:\n", "routes:\n", "tags:\n", "  a: b\n", "&x ",
                "*x\n", "{", "}", "[", "]", ": ", "\n", "---\n", "!!str ", "~\n", "1\n", "'", "\"",
                "name: n\n", "listeners:\n", "portMapping: {port: 1, protocol: http}\n",
            ]), 0..60).prop_map(|parts| parts.concat()),
        ]
    ) {
        let lines = text.lines().count() + 1;
        if let Err(e) = meshfile::parse("f", &text) {
            prop_assert!(!e.problems.is_empty());
            for p in &e.problems {
                if let Some(l) = p.line {
                    prop_assert!(l >= 1 && l <= lines, "line {} of {}: {}", l, lines, e);
                }
                prop_assert!(!p.message.contains('\u{0}'), "{}", e);
            }
        }
    }

    #[test]
    fn a_damaged_file_reads_without_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, any::<char>()), 1..6),
    ) {
        let mut text: Vec<char> = EXAMPLE.chars().collect();
        for (at, what, c) in edits {
            let i = at.index(text.len() + 1);
            match what {
                0 if i < text.len() => { text.remove(i); }
                1 => text.insert(i, c),
                _ if i < text.len() => text[i] = c,
                _ => {}
            }
        }
        let text: String = text.into_iter().collect();
        let lines = text.lines().count() + 1;
        if let Err(e) = meshfile::parse("f", &text) {
            for p in &e.problems {
                if let Some(l) = p.line {
                    prop_assert!(l >= 1 && l <= lines, "line {} of {}: {}", l, lines, e);
                }
            }
        }
    }

    #[test]
    fn a_plan_is_accepted_step_by_step_and_builds_the_file(
        desired in small_mesh(), current in small_mesh(), prune in any::<bool>(),
    ) {
        let plan = Plan::new(&desired, &current, prune);
        let mut st = Service { items: current.items.clone() };
        for (i, step) in plan.steps.iter().enumerate() {
            if let Err(e) = st.run(step, &desired) {
                prop_assert!(false, "step {} ({:?} {:?}) refused: {}\n{}", i, step.op, step.key, e, plan.render(false));
            }
        }
        let mut want = desired.items.clone();
        if !prune {
            for (k, v) in &current.items {
                want.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        prop_assert_eq!(&st.items, &want);
        // And nothing is left to do.
        let mut now = MeshModel::new("m");
        now.items = st.items.clone();
        prop_assert!(Plan::new(&desired, &now, prune).is_empty());
    }
}

const EXAMPLE: &str = "\
apiVersion: appmesh-tui/v1
kind: Mesh
name: shop
spec:
  egressFilter: {type: DROP_ALL}
tags: {team: payments}
virtualServices:
  - name: web.shop.local
    spec:
      provider:
        virtualRouter: {virtualRouterName: web}
virtualNodes:
  - name: web-v1
    spec:
      listeners:
        - portMapping: {port: 8080, protocol: http}
      serviceDiscovery:
        dns: {hostname: web-v1.shop.local}
virtualRouters:
  - name: web
    spec:
      listeners:
        - portMapping: {port: 8080, protocol: http}
    routes:
      - name: canary
        spec:
          httpRoute:
            match: {prefix: /}
            action:
              weightedTargets:
                - {virtualNode: web-v1, weight: 90}
virtualGateways:
  - name: ingress
    spec:
      listeners:
        - portMapping: {port: 443, protocol: http}
    gatewayRoutes:
      - name: to-web
        spec:
          httpRoute:
            match: {prefix: /}
            action:
              target:
                virtualService: {virtualServiceName: web.shop.local}
";

/// Mesh `m` with resources named from a small pool, so two of them overlap: what one has the
/// other may lack, hold with another spec, or hold the same. Every reference holds inside it.
fn small_mesh() -> impl Strategy<Value = MeshModel> {
    let names = || prop::collection::btree_set(prop::sample::select(vec!["a", "b", "c"]), 0..3);
    (
        names(),
        prop::collection::vec(any::<bool>(), 20),
        names(),
        names(),
        names(),
        prop::sample::select(vec![80u16, 8080]),
        any::<bool>(),
    )
        .prop_map(|(nodes, flips, routers, services, gateways, port, tagged)| {
            let mut m = MeshModel::new("m");
            let k = |kind, parent: &str, name: &str| Key::new(kind, "m", parent, name);
            let tags = |on: bool| {
                if on {
                    BTreeMap::from([("t".to_string(), port.to_string())])
                } else {
                    BTreeMap::new()
                }
            };
            m.items.insert(Key::mesh("m"), Item { spec: json!({}).into(), tags: tags(tagged), meta: None });
            let nodes: Vec<&str> = nodes.into_iter().collect();
            for (i, n) in nodes.iter().enumerate() {
                m.items.insert(
                    k(Kind::VirtualNode, "", n),
                    Item { spec: node_spec(port, format!("{n}.local")).into(), tags: tags(flips[i]), meta: None },
                );
            }
            let routers: Vec<&str> = routers.into_iter().collect();
            for (i, r) in routers.iter().enumerate() {
                m.items.insert(k(Kind::VirtualRouter, "", r), Item::new(json!({})));
                // A route to each node, its weight moved by the port.
                if let Some(target) = nodes.get(i % nodes.len().max(1)) {
                    m.items.insert(
                        k(Kind::Route, r, "rt"),
                        Item::new(json!({"tcpRoute": {"action": {"weightedTargets": [
                            {"virtualNode": target, "weight": port % 7}]}}})),
                    );
                }
            }
            let services: Vec<&str> = services.into_iter().collect();
            for (i, s) in services.iter().enumerate() {
                let provider = if flips[10 + i] {
                    routers.get(i % routers.len().max(1)).map(|r| json!({"virtualRouter": {"virtualRouterName": r}}))
                } else {
                    nodes.get(i % nodes.len().max(1)).map(|n| json!({"virtualNode": {"virtualNodeName": n}}))
                };
                let spec = match provider {
                    Some(p) => json!({"provider": p}),
                    None => json!({}),
                };
                m.items.insert(k(Kind::VirtualService, "", &format!("{s}.svc")), Item::new(spec));
            }
            for (i, g) in gateways.into_iter().enumerate() {
                m.items.insert(k(Kind::VirtualGateway, "", g), Item::new(json!({})));
                if let Some(s) = services.get(i % services.len().max(1)) {
                    m.items.insert(
                        k(Kind::GatewayRoute, g, "gr"),
                        Item::new(json!({"httpRoute": {"match": {"prefix": "/"}, "action": {
                            "target": {"virtualService": {"virtualServiceName": format!("{s}.svc")}}}}})),
                    );
                }
            }
            m
        })
}

/// The service's rules between resources, in memory.
struct Service {
    items: BTreeMap<Key, Item>,
}

impl Service {
    fn model(&self) -> MeshModel {
        let mut m = MeshModel::new("m");
        m.items = self.items.clone();
        m
    }

    fn refs_hold(&self, key: &Key, spec: &Value) -> Result<(), String> {
        if let Some(c) = key.container()
            && !self.items.contains_key(&c)
        {
            return Err(format!("{c:?} does not exist"));
        }
        for r in references(key.kind, spec) {
            let to = Key::new(r.to, "m", "", &r.name);
            if r.must_exist && !self.items.contains_key(&to) {
                return Err(format!("{to:?} does not exist"));
            }
        }
        Ok(())
    }

    fn run(&mut self, step: &meshfile::Step, desired: &MeshModel) -> Result<(), String> {
        let key = &step.key;
        match step.op {
            Op::Create => {
                if self.items.contains_key(key) {
                    return Err("ConflictException".into());
                }
                self.refs_hold(key, &step.spec)?;
                self.items.insert(
                    key.clone(),
                    Item {
                        spec: step.spec.clone().into(),
                        tags: step.tags.clone(),
                        meta: None,
                    },
                );
            }
            Op::Update => {
                if !self.items.contains_key(key) {
                    return Err("NotFoundException".into());
                }
                if step.spec_changed {
                    self.refs_hold(key, &step.spec)?;
                    self.items.get_mut(key).unwrap().spec = step.spec.clone().into();
                }
                let item = self.items.get_mut(key).unwrap();
                item.tags.extend(step.tags.clone());
                for k in &step.untag {
                    item.tags.remove(k);
                }
                assert_eq!(item, &desired.items[key]);
            }
            Op::Delete => {
                let m = self.model();
                if !m.children(key).is_empty() {
                    return Err(format!("ResourceInUseException: {key:?} holds children"));
                }
                if let Some(l) = m
                    .used_by(key)
                    .into_iter()
                    .find(|l| l.reference.blocks_delete)
                {
                    return Err(format!(
                        "ResourceInUseException: {:?} names {key:?}",
                        l.from
                    ));
                }
                self.items.remove(key);
            }
        }
        Ok(())
    }
}
