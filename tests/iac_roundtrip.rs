//! Export → import round trips for CloudFormation, Terraform and Kubernetes, over meshes that
//! hold every kind, member, union branch and enum value (`tests/fixtures/specs/all-kinds.json`)
//! plus awkward names and tags. What comes back must be the same `MeshModel`, except what each
//! format cannot hold, listed here with its source; each of those must be named in the
//! export's notes.

mod support;

use std::collections::BTreeMap;

use appmesh_tui::iac::{self, ExportOptions, Format, ImportOptions, Severity};
use appmesh_tui::kind::{Key, Kind};
use appmesh_tui::mesh::{Item, MeshModel};
use serde_json::{Value, json};
use support::fixtures;

/// Tags with characters that break naive quoting in YAML, HCL and shells.
fn awkward_tags(i: usize) -> BTreeMap<String, String> {
    let mut t = BTreeMap::new();
    if i.is_multiple_of(2) {
        t.insert(
            "team".to_string(),
            "it's \"q\" ${x} %{y} #z: [a]".to_string(),
        );
        t.insert("empty".to_string(), String::new());
        t.insert("ünï 🦀".to_string(), "yes".to_string());
    }
    t
}

/// Every fixture mesh as a MeshModel; the first holds every other fixture.
fn fixture_meshes() -> Vec<MeshModel> {
    let all = fixtures::all();
    let container = fixtures::container_mesh();
    let mut meshes: BTreeMap<String, MeshModel> = BTreeMap::new();
    for (i, f) in all.iter().enumerate() {
        let mesh_name = if f.kind == Kind::Mesh {
            f.name.clone()
        } else {
            container.clone()
        };
        let key = f.key(&mesh_name);
        let item = Item {
            spec: f.expected_spec().into(),
            tags: awkward_tags(i),
            meta: None,
        };
        meshes
            .entry(mesh_name.clone())
            .or_insert_with(|| MeshModel::new(mesh_name))
            .items
            .insert(key, item);
    }
    let mut out: Vec<MeshModel> = meshes.into_values().collect();
    out.push(awkward_mesh());
    out
}

/// Names that break naive quoting, referring to each other.
fn awkward_mesh() -> MeshModel {
    let mesh = "it's a \"mesh\" ${x}";
    let node = "node: [1] #2 %{y}";
    let router = "-router\twith tab";
    let mut m = MeshModel::new(mesh);
    let k = |kind, parent: &str, name: &str| Key::new(kind, mesh, parent, name);
    m.items.insert(Key::mesh(mesh), Item::new(json!({})));
    m.items.insert(
        k(Kind::VirtualNode, "", node),
        Item::new(json!({"serviceDiscovery": {"dns": {"hostname": "a.local"}},
            "listeners": [{"portMapping": {"port": 80, "protocol": "http"}}]})),
    );
    m.items.insert(
        k(Kind::VirtualRouter, "", router),
        Item::new(json!({"listeners": [{"portMapping": {"port": 80, "protocol": "http"}}]})),
    );
    m.items.insert(
        k(Kind::Route, router, "r'1"),
        Item::new(json!({"httpRoute": {"match": {"prefix": "/"},
            "action": {"weightedTargets": [{"virtualNode": node, "weight": 1}]}}})),
    );
    m.items.insert(
        k(Kind::VirtualService, "", "svc.\"local\""),
        Item::new(json!({"provider": {"virtualRouter": {"virtualRouterName": router}}})),
    );
    m
}

/// Removes the member at `path` (`*` matches any member, `[]` every item) from a spec.
fn remove(v: &mut Value, path: &[&str]) {
    let Some((seg, rest)) = path.split_first() else {
        return;
    };
    let (name, each) = match seg.strip_suffix("[]") {
        Some(n) => (n, true),
        None => (*seg, false),
    };
    let Value::Object(o) = v else { return };
    if rest.is_empty() && !each {
        o.remove(name);
        return;
    }
    let keys: Vec<String> = if name == "*" {
        o.keys().cloned().collect()
    } else {
        vec![name.to_string()]
    };
    for k in keys {
        match o.get_mut(&k) {
            Some(Value::Array(items)) if each => {
                for i in items {
                    remove(i, rest);
                }
            }
            Some(child) if !each => remove(child, rest),
            _ => {}
        }
    }
}

fn drop_empty_lists(v: &mut Value) {
    match v {
        Value::Object(o) => {
            o.retain(|_, c| !matches!(c, Value::Array(a) if a.is_empty()));
            o.values_mut().for_each(drop_empty_lists);
        }
        Value::Array(a) => a.iter_mut().for_each(drop_empty_lists),
        _ => {}
    }
}

struct Loss {
    kind: Kind,
    path: &'static str,
    /// The text a note must hold.
    note: &'static str,
}

/// What Terraform cannot hold (the aws_appmesh_* schemas of provider 6.19.0).
const TERRAFORM_LOSSES: &[Loss] = &[
    Loss {
        kind: Kind::VirtualNode,
        path: "serviceDiscovery.awsCloudMap.ipPreference",
        note: "serviceDiscovery.awsCloudMap.ipPreference left out",
    },
    Loss {
        kind: Kind::GatewayRoute,
        path: "grpcRoute.action.rewrite",
        note: "grpcRoute.action.rewrite left out",
    },
    Loss {
        kind: Kind::GatewayRoute,
        path: "grpcRoute.match.hostname",
        note: "grpcRoute.match.hostname left out",
    },
    Loss {
        kind: Kind::GatewayRoute,
        path: "grpcRoute.match.metadata",
        note: "grpcRoute.match.metadata left out",
    },
    Loss {
        kind: Kind::GatewayRoute,
        path: "httpRoute.match.method",
        note: "httpRoute.match.method left out",
    },
    Loss {
        kind: Kind::GatewayRoute,
        path: "http2Route.match.method",
        note: "http2Route.match.method left out",
    },
];

/// What the App Mesh controller's CRDs cannot hold (appmesh.k8s.aws/v1beta2).
const KUBERNETES_LOSSES: &[Loss] = &[
    Loss {
        kind: Kind::VirtualNode,
        path: "serviceDiscovery.awsCloudMap.ipPreference",
        note: "serviceDiscovery.awsCloudMap.ipPreference left out",
    },
    Loss {
        kind: Kind::VirtualNode,
        path: "serviceDiscovery.dns.ipPreference",
        note: "serviceDiscovery.dns.ipPreference left out",
    },
];

/// The MeshModel `format` is expected to give back for `mesh`.
fn expected(format: Format, mesh: &MeshModel) -> MeshModel {
    let mut m = mesh.clone();
    for (key, item) in m.items.iter_mut() {
        let mut spec = item.spec.value();
        let losses = match format {
            Format::Terraform => TERRAFORM_LOSSES,
            Format::Kubernetes => KUBERNETES_LOSSES,
            _ => &[],
        };
        for l in losses.iter().filter(|l| l.kind == key.kind) {
            remove(&mut spec, &l.path.split('.').collect::<Vec<_>>());
        }
        match format {
            // AWS::AppMesh::VirtualRouter requires Listeners.
            Format::CloudFormation
                if key.kind == Kind::VirtualRouter && spec.get("listeners").is_none() =>
            {
                spec["listeners"] = json!([]);
            }
            // A Terraform map has no order: Cloud Map attributes come back sorted by key; an
            // empty list is no blocks at all.
            Format::Terraform => {
                drop_empty_lists(&mut spec);
                if let Some(Value::Array(attrs)) =
                    spec.pointer_mut("/serviceDiscovery/awsCloudMap/attributes")
                {
                    attrs.sort_by(|a, b| a["key"].as_str().cmp(&b["key"].as_str()));
                }
            }
            Format::Kubernetes => {
                // The CRDs have no tags, and the Mesh accepts only the *_ONLY preferences.
                item.tags.clear();
                if key.kind == Kind::Mesh
                    && let Some(p) = spec.pointer("/serviceDiscovery/ipPreference")
                    && !matches!(p.as_str(), Some("IPv4_ONLY" | "IPv6_ONLY"))
                {
                    remove(&mut spec, &["serviceDiscovery", "ipPreference"]);
                    if spec["serviceDiscovery"] == json!({}) {
                        remove(&mut spec, &["serviceDiscovery"]);
                    }
                }
            }
            _ => {}
        }
        item.spec = spec.into();
    }
    m
}

fn file_name(format: Format) -> &'static str {
    match format {
        Format::CloudFormation => "mesh.yaml",
        Format::Terraform => "mesh.tf",
        Format::Kubernetes => "mesh.k8s.yaml",
        _ => unreachable!(),
    }
}

fn round_trip(format: Format, mesh: &MeshModel) -> (MeshModel, Vec<String>) {
    let out = iac::export_mesh(format, mesh, &ExportOptions::default());
    let res = iac::import::read_texts(
        &[(file_name(format).to_string(), out.text.clone())],
        &ImportOptions::default(),
    );
    let errors: Vec<String> = res.errors().map(|p| p.to_string()).collect();
    assert!(
        errors.is_empty(),
        "{format:?} of {:?}: {errors:#?}\n{}",
        mesh.name,
        out.text
    );
    assert_eq!(res.meshes.len(), 1, "{format:?}: {:?}", res.meshes);
    (res.meshes[0].clone(), out.notes)
}

fn assert_same(format: Format, mesh: &MeshModel, got: &MeshModel) {
    let want = expected(format, mesh);
    assert_eq!(got.name, want.name);
    let keys = |m: &MeshModel| m.items.keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(got), keys(&want), "{format:?}: resources");
    for (key, w) in &want.items {
        let g = &got.items[key];
        assert_eq!(g.spec, w.spec, "{format:?}: spec of {key:?}");
        assert_eq!(g.tags, w.tags, "{format:?}: tags of {key:?}");
    }
}

#[test]
fn every_kind_and_branch_survives_each_format() {
    for format in [
        Format::CloudFormation,
        Format::Terraform,
        Format::Kubernetes,
    ] {
        for mesh in fixture_meshes() {
            let (got, notes) = round_trip(format, &mesh);
            assert_same(format, &mesh, &got);
            // Each loss that applied is named in the notes.
            let losses = match format {
                Format::Terraform => TERRAFORM_LOSSES,
                Format::Kubernetes => KUBERNETES_LOSSES,
                _ => &[],
            };
            for l in losses {
                let applies = mesh.of_kind(l.kind).any(|(_, item)| {
                    let mut s = item.spec.value();
                    remove(&mut s, &l.path.split('.').collect::<Vec<_>>());
                    s != item.spec
                });
                if applies {
                    assert!(
                        notes.iter().any(|n| n.contains(l.note)),
                        "{format:?}: no note for {}: {notes:#?}",
                        l.path
                    );
                }
            }
        }
    }
}

#[test]
fn single_resources_survive_cloudformation_and_terraform() {
    // One resource on its own: references stay names, and it still reads back.
    let mesh = &fixture_meshes()[0];
    for format in [Format::CloudFormation, Format::Terraform] {
        for (key, item) in &mesh.items {
            let out = iac::export_resource(format, key, item, &ExportOptions::default());
            let res = iac::import::read_texts(
                &[(file_name(format).to_string(), out.text.clone())],
                &ImportOptions::default(),
            );
            let errors: Vec<String> = res.errors().map(|p| p.to_string()).collect();
            assert!(
                errors.is_empty(),
                "{format:?} {key:?}: {errors:#?}\n{}",
                out.text
            );
            let got = res
                .mesh(&key.mesh)
                .expect("the mesh")
                .get(key)
                .expect("the resource");
            let one = MeshModel {
                name: mesh.name.clone(),
                items: [(key.clone(), item.clone())].into_iter().collect(),
            };
            let want = &expected(format, &one).items[key];
            assert_eq!(&got.spec, &want.spec, "{format:?} {key:?}");
            assert_eq!(&got.tags, &want.tags, "{format:?} {key:?}");
        }
    }
}

#[test]
fn whole_mesh_exports_refer_instead_of_copying_names() {
    let mesh = &fixture_meshes()[0];
    let cfn = iac::export_mesh(Format::CloudFormation, mesh, &ExportOptions::default()).text;
    let tf = iac::export_mesh(Format::Terraform, mesh, &ExportOptions::default()).text;
    // Every resource but the mesh names its mesh by reference.
    let children = mesh.items.keys().filter(|k| k.kind != Kind::Mesh).count();
    assert_eq!(
        cfn.matches("MeshName: !GetAtt MeshFixtures.MeshName")
            .count(),
        children,
        "{cfn}"
    );
    assert_eq!(
        tf.matches("mesh_name = aws_appmesh_mesh.fixtures.name")
            .count(),
        children
    );
    // A name is written as a string only where the resource itself is defined, and in
    // backends (which need not exist first, and would make cycles as references).
    let count = |k: Kind| mesh.of_kind(k).count();
    let backends: usize = mesh
        .links()
        .iter()
        .filter(|l| l.reference.role == "backend")
        .count();
    let quoted = |prop: &str| cfn.matches(&format!("{prop}: \"")).count();
    assert_eq!(quoted("VirtualNodeName"), count(Kind::VirtualNode), "{cfn}");
    assert_eq!(quoted("VirtualRouterName"), count(Kind::VirtualRouter));
    assert_eq!(quoted("VirtualGatewayName"), count(Kind::VirtualGateway));
    assert_eq!(
        quoted("VirtualServiceName"),
        count(Kind::VirtualService) + backends
    );
    // Weighted targets, providers and gateway route targets that exist are references.
    let targets = mesh
        .links()
        .iter()
        .filter(|l| l.reference.must_exist && l.exists)
        .count();
    let refs = [
        "VirtualNode",
        "VirtualNodeName",
        "VirtualRouterName",
        "VirtualServiceName",
    ]
    .iter()
    .map(|p| cfn.matches(&format!("{p}: !GetAtt ")).count())
    .sum::<usize>();
    let parents = count(Kind::Route) + count(Kind::GatewayRoute);
    assert_eq!(refs, targets + count(Kind::Route), "{cfn}");
    assert_eq!(
        cfn.matches("VirtualGatewayName: !GetAtt ").count(),
        count(Kind::GatewayRoute)
    );
    assert!(parents > 0 && targets > 0);
    let tf_refs = tf.matches("_name = aws_appmesh_").count()
        + tf.matches("virtual_node = aws_appmesh_").count();
    assert_eq!(tf_refs, children + targets + parents, "{tf}");
}

#[test]
fn kubernetes_round_trip_reads_notes_not_errors() {
    let mesh = &fixture_meshes()[0];
    let out = iac::export_mesh(Format::Kubernetes, mesh, &ExportOptions::default());
    assert!(out.text.contains("kind: \"Namespace\""));
    assert!(
        !out.text.contains("meshRef"),
        "meshRef is read-only in the controller"
    );
    assert!(!out.text.contains("virtualGatewayRef"));
    let res = iac::import::read_texts(
        &[("m.yaml".to_string(), out.text)],
        &ImportOptions::default(),
    );
    assert!(
        res.problems.iter().all(|p| p.severity == Severity::Note),
        "{:#?}",
        res.problems
    );
}

#[test]
fn exports_of_existing_resources_read_back_too() {
    // Import blocks, DeletionPolicy: Retain and the comments naming the resources are read past.
    let opts = ExportOptions {
        existing: Some(true),
        ..ExportOptions::default()
    };
    for mesh in fixture_meshes() {
        for format in [Format::CloudFormation, Format::Terraform] {
            let out = iac::export_mesh(format, &mesh, &opts);
            assert!(
                out.text.contains("DeletionPolicy: \"Retain\"") || out.text.contains("import {"),
                "{format:?}"
            );
            let res = iac::import::read_texts(
                &[(file_name(format).to_string(), out.text)],
                &ImportOptions::default(),
            );
            assert!(
                res.errors().next().is_none(),
                "{format:?}: {:#?}",
                res.problems
            );
            assert_same(format, &mesh, &res.meshes[0]);
        }
    }
}
