//! Property tests of the infrastructure-code readers (CloudFormation YAML and JSON, Terraform,
//! Kubernetes manifests): on any text they return, never panic, list a bounded number of
//! problems, and only ever hand back resources the model accepts. The inputs are random text
//! made of each format's syntax characters, and valid exports cut, doubled and spliced.

use appmesh_tui::iac::{self, ExportOptions, Format, ImportOptions};
use appmesh_tui::kind::{Key, Kind};
use appmesh_tui::mesh::{Item, MeshModel};
use appmesh_tui::shape;
use proptest::prelude::*;
use serde_json::json;

fn sample_mesh() -> MeshModel {
    let mut m = MeshModel::new("shop");
    let k = |kind, parent: &str, name: &str| Key::new(kind, "shop", parent, name);
    m.items.insert(
        Key::mesh("shop"),
        Item::new(json!({"egressFilter": {"type": "ALLOW_ALL"}})),
    );
    let mut node = Item::new(json!({
        "serviceDiscovery": {"awsCloudMap": {"namespaceName": "n", "serviceName": "s",
            "attributes": [{"key": "a", "value": "b"}]}},
        "listeners": [{"portMapping": {"port": 80, "protocol": "http"},
            "tls": {"mode": "STRICT", "certificate": {"file": {"certificateChain": "c", "privateKey": "k"}}}}],
        "backends": [{"virtualService": {"virtualServiceName": "api"}}]}));
    node.tags.insert("team".into(), "it's ${x}".into());
    m.items.insert(k(Kind::VirtualNode, "", "web"), node);
    m.items.insert(
        k(Kind::VirtualRouter, "", "r"),
        Item::new(json!({"listeners": [{"portMapping": {"port": 80, "protocol": "http"}}]})),
    );
    m.items.insert(
        k(Kind::Route, "r", "canary"),
        Item::new(json!({"httpRoute": {"match": {"prefix": "/", "headers": [{"name": "h", "match": {"exact": "1"}}]},
            "action": {"weightedTargets": [{"virtualNode": "web", "weight": 1}]}}})),
    );
    m.items.insert(
        k(Kind::VirtualService, "", "api"),
        Item::new(json!({"provider": {"virtualRouter": {"virtualRouterName": "r"}}})),
    );
    m.items.insert(
        k(Kind::VirtualGateway, "", "gw"),
        Item::new(json!({"listeners": [{"portMapping": {"port": 80, "protocol": "http"}}]})),
    );
    m.items.insert(
        k(Kind::GatewayRoute, "gw", "gr"),
        Item::new(json!({"httpRoute": {"match": {"prefix": "/"},
            "action": {"target": {"virtualService": {"virtualServiceName": "api"}}}}})),
    );
    m
}

/// The file name each format is read under, and a valid text of it.
fn valid(format: Format) -> (&'static str, String) {
    let text = iac::export_mesh(format, &sample_mesh(), &ExportOptions::default()).text;
    match format {
        Format::CloudFormation => ("t.yaml", text),
        Format::Terraform => ("t.tf", text),
        _ => ("k.yaml", text),
    }
}

fn cfn_json() -> String {
    r#"{"Parameters": {"P": {"Type": "String", "Default": "shop"}}, "Resources": {
      "M": {"Type": "AWS::AppMesh::Mesh", "Properties": {"MeshName": {"Ref": "P"}}},
      "N": {"Type": "AWS::AppMesh::VirtualNode", "Properties": {"MeshName": {"Fn::GetAtt": ["M", "MeshName"]},
        "VirtualNodeName": {"Fn::Sub": "${P}-n"}, "Spec": {"Listeners": [{"PortMapping": {"Port": 80, "Protocol": "http"}}]}}}}}"#
        .to_string()
}

/// Checks the invariants of one import.
fn check(name: &str, text: &str) {
    let res = iac::import::read_texts(
        &[(name.to_string(), text.to_string())],
        &ImportOptions::default(),
    );
    assert!(res.problems.len() <= iac::import::MAX_PROBLEMS + 2);
    for p in &res.problems {
        assert!(!p.message.is_empty());
        if let Some(l) = p.line {
            assert!(
                l >= 1 && l <= text.lines().count().max(1) + 1,
                "{p} in {} lines",
                text.lines().count()
            );
        }
    }
    let m = shape::model();
    for mesh in &res.meshes {
        for (key, item) in &mesh.items {
            assert_eq!(key.mesh, mesh.name);
            let problems = shape::validate(m, key.kind.info().spec_shape, &item.spec.value(), "");
            assert!(problems.is_empty(), "{key:?}: {problems:?}");
        }
    }
}

/// A text edited: a range cut out, another doubled, a random string spliced in.
fn mutate(text: &str, cut: (usize, usize), dup: (usize, usize), at: usize, insert: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len().max(1);
    let (a, b) = (cut.0 % n, cut.1 % n);
    let (a, b) = (a.min(b), a.max(b).min(a + 40));
    let mut out: Vec<char> = chars[..a].iter().chain(&chars[b..]).copied().collect();
    let m = out.len().max(1);
    let (c, d) = (dup.0 % m, dup.1 % m);
    let (c, d) = (c.min(d), c.max(d).min(c + 200));
    let piece: Vec<char> = out[c..d.min(out.len())].to_vec();
    let pos = d.min(out.len());
    out.splice(pos..pos, piece);
    let at = at % (out.len() + 1);
    out.splice(at..at, insert.chars());
    out.into_iter().collect()
}

const SYNTAX: &str = "[a-zA-Z0-9 \\n\\t:{}\\[\\]\\-,\"'!&*#|>$%=.\\\\/<]{0,400}";

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_breaks_a_reader(text in SYNTAX, which in 0usize..4) {
        let name = ["t.yaml", "t.json", "t.tf", "k.yaml"][which];
        let text = if which == 3 { format!("apiVersion: appmesh.k8s.aws/v1beta2\nkind: Mesh\n{text}") } else { text };
        check(name, &text);
    }

    #[test]
    fn edited_exports_never_break_a_reader(
        which in 0usize..4,
        cut in (0usize..20_000, 0usize..20_000),
        dup in (0usize..20_000, 0usize..20_000),
        at in 0usize..20_000,
        insert in SYNTAX,
    ) {
        let (name, text) = match which {
            0 => valid(Format::CloudFormation),
            1 => valid(Format::Terraform),
            2 => valid(Format::Kubernetes),
            _ => ("t.json", cfn_json()),
        };
        check(name, &mutate(&text, cut, dup, at, &insert));
    }
}

#[test]
fn the_unedited_samples_read_without_errors() {
    for (name, text) in [
        valid(Format::CloudFormation),
        valid(Format::Terraform),
        valid(Format::Kubernetes),
        ("t.json", cfn_json()),
    ] {
        let res = iac::import::read_texts(
            &[(name.to_string(), text.clone())],
            &ImportOptions::default(),
        );
        let errors: Vec<String> = res.errors().map(ToString::to_string).collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}\n{text}");
        assert!(!res.meshes.is_empty());
    }
}
