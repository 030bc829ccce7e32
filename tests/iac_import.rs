//! `iac::import`: structures like AWS's public App Mesh examples read into meshes, and broken
//! inputs each named by file, line and reason.

use std::collections::BTreeMap;
use std::path::PathBuf;

use appmesh_tui::iac::{self, ImportOptions, ImportResult, Severity};
use appmesh_tui::kind::{Key, Kind};
use serde_json::json;

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/iac/examples")
}

fn opts(params: &[(&str, &str)], vars: &[(&str, &str)]) -> ImportOptions {
    ImportOptions {
        parameters: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        vars: vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..ImportOptions::default()
    }
}

fn text(name: &str, body: &str, o: &ImportOptions) -> ImportResult {
    iac::import::read_texts(&[(name.to_string(), body.to_string())], o)
}

/// The one error whose message holds `needle`: its file and line.
fn error_at(r: &ImportResult, needle: &str) -> (String, Option<usize>) {
    let hits: Vec<_> = r
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error && p.message.contains(needle))
        .collect();
    assert!(
        !hits.is_empty(),
        "no error containing {needle:?} in {:#?}",
        r.problems
    );
    (hits[0].file.clone(), hits[0].line)
}

/// The 1-based line of the first line of `file` holding `needle`.
fn line_of(file: &str, needle: &str) -> usize {
    let text = std::fs::read_to_string(examples().join(file)).unwrap();
    text.lines().position(|l| l.contains(needle)).expect(needle) + 1
}

fn key(kind: Kind, mesh: &str, parent: &str, name: &str) -> Key {
    Key::new(kind, mesh, parent, name)
}

// ---------------------------------------------------------------------------------------------
// Structures like AWS's examples

#[test]
fn a_cloudformation_stack_like_the_colorapp_example() {
    let path = examples().join("shop-cloudformation.yaml");
    // The mesh name has no default: without it, every resource is named as missing it.
    let r = iac::read(std::slice::from_ref(&path), &ImportOptions::default());
    assert!(r.meshes.is_empty(), "{:?}", r.meshes);
    let (_, line) = error_at(&r, "parameter AppMeshMeshName has no value");
    assert_eq!(
        line,
        Some(line_of(
            "shop-cloudformation.yaml",
            "MeshName: !Ref AppMeshMeshName"
        )),
        "the first use, Mesh's MeshName: {:#?}",
        r.problems
    );

    let r = iac::read(
        &[path],
        &opts(
            &[("AppMeshMeshName", "shop"), ("EnvironmentName", "prod")],
            &[],
        ),
    );
    let errors: Vec<String> = r.errors().map(ToString::to_string).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let m = r.mesh("shop").expect("mesh shop");
    assert_eq!(m.items.len(), 7);
    let mesh = m.get(&Key::mesh("shop")).unwrap();
    assert_eq!(mesh.spec, json!({"egressFilter": {"type": "DROP_ALL"}}));
    assert_eq!(mesh.tags["environment"], "prod");
    let v2 = m
        .get(&key(Kind::VirtualNode, "shop", "", "catalog-v2-vn"))
        .unwrap();
    // "8080" as a string, as CloudFormation accepts it; the Sub with a variable map.
    assert_eq!(
        v2.spec,
        json!({"listeners": [{"portMapping": {"port": 8080, "protocol": "http"}}],
            "serviceDiscovery": {"dns": {"hostname": "catalog-v2.shop.local"}}})
    );
    let route = m
        .get(&key(Kind::Route, "shop", "catalog-vr", "catalog-route"))
        .unwrap();
    assert_eq!(
        route.spec.value()["httpRoute"]["action"]["weightedTargets"],
        json!([{"virtualNode": "catalog-v1-vn", "weight": 9}, {"virtualNode": "catalog-v2-vn", "weight": 1}])
    );
    assert_eq!(
        route.spec.value()["httpRoute"]["retryPolicy"]["httpRetryEvents"],
        json!(["server-error", "gateway-error"])
    );
    let svc = m
        .get(&key(Kind::VirtualService, "shop", "", "catalog.shop.local"))
        .unwrap();
    assert_eq!(
        svc.spec,
        json!({"provider": {"virtualRouter": {"virtualRouterName": "catalog-vr"}}})
    );
    let front = m
        .get(&key(Kind::VirtualNode, "shop", "", "frontend-vn"))
        .unwrap();
    assert_eq!(
        front.spec.value()["serviceDiscovery"]["dns"]["hostname"],
        "frontend.shop.local"
    );
    assert_eq!(front.spec.value()["backends"].as_array().unwrap().len(), 2);
    // The log group is named as skipped, not dropped silently.
    assert!(
        r.problems.iter().any(|p| p.severity == Severity::Note
            && p.message
                .contains("FrontendLogGroup skipped: AWS::Logs::LogGroup")
            && p.line.is_some()),
        "{:#?}",
        r.problems
    );
}

#[test]
fn a_json_template_with_defaults_and_joins() {
    let r = iac::read(
        &[examples().join("shop-cloudformation.json")],
        &ImportOptions::default(),
    );
    let errors: Vec<String> = r.errors().map(ToString::to_string).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let m = r.mesh("shop").unwrap();
    let gw = m
        .get(&key(Kind::VirtualGateway, "shop", "", "ingress-gw"))
        .unwrap();
    assert_eq!(gw.spec.value()["listeners"][0]["portMapping"]["port"], 8443);
    assert_eq!(gw.tags["tier"], "edge");
    let gr = m
        .get(&key(Kind::GatewayRoute, "shop", "ingress-gw", "catalog-gr"))
        .unwrap();
    assert_eq!(
        gr.spec.value()["httpRoute"]["action"],
        json!({"target": {"virtualService": {"virtualServiceName": "catalog.shop.local"}},
            "rewrite": {"prefix": {"defaultPrefix": "DISABLED", "value": "/"}}})
    );
    // The mesh itself is not in this template: said once.
    assert!(
        r.problems
            .iter()
            .any(|p| p.message.contains("the files define no mesh \"shop\""))
    );
}

#[test]
fn terraform_like_the_provider_examples() {
    let path = examples().join("shop.tf");
    let r = iac::read(std::slice::from_ref(&path), &ImportOptions::default());
    // canary_weight has no default: the route that uses it is named, with its line.
    let (_, line) = error_at(&r, "variable canary_weight has no value");
    assert_eq!(
        line,
        Some(line_of("shop.tf", "weight       = 100 - var.canary_weight")),
        "{:#?}",
        r.problems
    );
    assert!(
        r.mesh("shop-tf")
            .unwrap()
            .get(&key(Kind::Route, "shop-tf", "catalog-vr", "catalog-route"))
            .is_none()
    );

    let r = iac::read(&[path], &opts(&[], &[("canary_weight", "10")]));
    let errors: Vec<String> = r.errors().map(ToString::to_string).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let m = r.mesh("shop-tf").unwrap();
    assert_eq!(m.items.len(), 6);
    let route = m
        .get(&key(Kind::Route, "shop-tf", "catalog-vr", "catalog-route"))
        .unwrap();
    assert_eq!(
        route.spec,
        json!({"httpRoute": {
            "match": {"prefix": "/", "headers": [{"name": "x-canary", "match": {"exact": "yes"}}]},
            "action": {"weightedTargets": [
                {"virtualNode": "catalog-v1", "weight": 90},
                {"virtualNode": "catalog-v2", "weight": 10}]}}})
    );
    let v1 = m
        .get(&key(Kind::VirtualNode, "shop-tf", "", "catalog-v1"))
        .unwrap();
    assert_eq!(
        v1.spec.value()["serviceDiscovery"]["awsCloudMap"]["attributes"],
        json!([{"key": "version", "value": "v1"}])
    );
    assert_eq!(v1.tags["team"], "catalog");
    assert!(
        m.get(&key(
            Kind::VirtualService,
            "shop-tf",
            "",
            "catalog.shop.local"
        ))
        .is_some()
    );
    assert!(r.problems.iter().any(|p| {
        p.severity == Severity::Note
            && p.message
                .contains("aws_service_discovery_http_namespace.shop skipped")
    }));
}

#[test]
fn kubernetes_manifests_like_the_controller_walkthroughs() {
    let r = iac::read(
        &[examples().join("shop-k8s.yaml")],
        &ImportOptions::default(),
    );
    let errors: Vec<String> = r.errors().map(ToString::to_string).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let m = r.mesh("shop-k8s").unwrap();
    // awsName defaults as the controller's webhooks set them: NAME_NAMESPACE.
    let names: Vec<(Kind, String, String)> = m
        .items
        .keys()
        .map(|k| (k.kind, k.parent.to_string(), k.name.to_string()))
        .collect();
    assert_eq!(
        names,
        [
            (Kind::Mesh, String::new(), "shop-k8s".to_string()),
            (
                Kind::VirtualService,
                String::new(),
                "catalog.shop.svc.cluster.local".into()
            ),
            (Kind::VirtualNode, String::new(), "catalog-v1_shop".into()),
            (Kind::VirtualNode, String::new(), "catalog-v2_shop".into()),
            (Kind::VirtualNode, String::new(), "frontend_shop".into()),
            (
                Kind::VirtualRouter,
                String::new(),
                "catalog-router_shop".into()
            ),
            (Kind::Route, "catalog-router_shop".into(), "canary".into()),
            (Kind::Route, "catalog-router_shop".into(), "default".into()),
        ]
    );
    let canary = m
        .get(&key(
            Kind::Route,
            "shop-k8s",
            "catalog-router_shop",
            "canary",
        ))
        .unwrap();
    assert_eq!(
        canary.spec,
        json!({"priority": 10, "httpRoute": {
            "match": {"prefix": "/", "headers": [{"name": "x-canary", "match": {"exact": "yes"}}]},
            "action": {"weightedTargets": [{"virtualNode": "catalog-v2_shop", "weight": 1}]}}})
    );
    let front = m
        .get(&key(Kind::VirtualNode, "shop-k8s", "", "frontend_shop"))
        .unwrap();
    assert_eq!(
        front.spec.value()["backends"],
        json!([{"virtualService": {"virtualServiceName": "catalog.shop.svc.cluster.local"}}])
    );
    // podSelector and the Deployment are named, with lines.
    let notes: Vec<String> = r
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Note)
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        notes
            .iter()
            .filter(|n| n.contains("podSelector ignored"))
            .count(),
        3,
        "{notes:#?}"
    );
    let at = line_of("shop-k8s.yaml", "kind: Deployment");
    assert!(
        notes
            .iter()
            .any(|n| n.contains(&format!(":{at}: note: Deployment \"catalog-v1\" skipped"))),
        "{notes:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Broken inputs

const NODE: &str = "  Node:\n    Type: AWS::AppMesh::VirtualNode\n    Properties:\n      MeshName: m\n      VirtualNodeName: n\n      Spec: {}\n";

#[test]
fn cloudformation_problems_name_file_line_and_reason() {
    let o = ImportOptions::default();
    // Unknown resource type.
    let r = text(
        "t.yaml",
        "Resources:\n  Thing:\n    Type: AWS::AppMesh::VirtualThing\n    Properties: {}\n",
        &o,
    );
    assert_eq!(
        error_at(&r, "unknown resource type AWS::AppMesh::VirtualThing"),
        ("t.yaml".into(), Some(3))
    );
    // A Ref to nothing.
    let r = text(
        "t.yaml",
        &format!(
            "Resources:\n{NODE}  Svc:\n    Type: AWS::AppMesh::VirtualService\n    Properties:\n      MeshName: m\n      VirtualServiceName: s\n      Spec:\n        Provider:\n          VirtualNode:\n            VirtualNodeName: !Ref Nobody\n"
        ),
        &o,
    );
    assert_eq!(
        error_at(
            &r,
            "Ref Nobody: the template has no parameter or resource of that name"
        ),
        ("t.yaml".into(), Some(16))
    );
    assert_eq!(
        r.mesh("m").unwrap().items.len(),
        1,
        "the node is read, the service is not"
    );
    // A reference cycle.
    let r = text(
        "t.yaml",
        "Resources:\n  A:\n    Type: AWS::AppMesh::VirtualNode\n    Properties:\n      MeshName: m\n      VirtualNodeName: !GetAtt B.VirtualNodeName\n  B:\n    Type: AWS::AppMesh::VirtualNode\n    Properties:\n      MeshName: m\n      VirtualNodeName: !GetAtt A.VirtualNodeName\n",
        &o,
    );
    let (_, line) = error_at(&r, "reference cycle: A → B → A");
    assert!(line == Some(6) || line == Some(11), "{line:?}");
    assert!(r.meshes.is_empty());
    // Invalid YAML.
    let r = text("t.yaml", "Resources:\n  A: [1, 2\n  B: x\n", &o);
    let (_, line) = error_at(&r, "invalid YAML");
    assert!(line.is_some_and(|l| l >= 2), "{line:?}");
    // Invalid JSON.
    let r = text("t.json", "{\"Resources\": {\n  \"A\": \n}\n", &o);
    let (_, line) = error_at(&r, "invalid JSON");
    assert_eq!(line, Some(3));
    // A value the model refuses, at the line of the value.
    let r = text(
        "t.yaml",
        "Resources:\n  Node:\n    Type: AWS::AppMesh::VirtualNode\n    Properties:\n      MeshName: m\n      VirtualNodeName: n\n      Spec:\n        Listeners:\n          - PortMapping:\n              Port: 70000\n              Protocol: http\n",
        &o,
    );
    assert_eq!(
        error_at(
            &r,
            "spec.listeners[0].portMapping.port: must be between 1 and 65535"
        ),
        ("t.yaml".into(), Some(10))
    );
    assert!(r.meshes.is_empty());
    // A member CloudFormation does not have.
    let r = text(
        "t.yaml",
        "Resources:\n  Node:\n    Type: AWS::AppMesh::VirtualNode\n    Properties:\n      MeshName: m\n      VirtualNodeName: n\n      Spec:\n        Listners: []\n",
        &o,
    );
    let (_, line) = error_at(&r, "unknown member \"Listners\"");
    assert_eq!(line, Some(8));
    // An intrinsic the import does not evaluate.
    let r = text(
        "t.yaml",
        "Resources:\n  Node:\n    Type: AWS::AppMesh::VirtualNode\n    Properties:\n      MeshName: !ImportValue shared-mesh\n      VirtualNodeName: n\n",
        &o,
    );
    assert_eq!(
        error_at(&r, "Fn::ImportValue is not read by the import").1,
        Some(5)
    );
    // A name CloudFormation would make up.
    let r = text(
        "t.yaml",
        "Resources:\n  Node:\n    Type: AWS::AppMesh::VirtualNode\n    Properties:\n      MeshName: m\n",
        &o,
    );
    error_at(&r, "Node has no VirtualNodeName");
}

#[test]
fn terraform_problems_name_file_line_and_reason() {
    let o = ImportOptions::default();
    let mesh = "resource \"aws_appmesh_mesh\" \"m\" {\n  name = \"m\"\n}\n";
    let r = text(
        "a.tf",
        &format!("{mesh}resource \"aws_appmesh_virtual_thing\" \"x\" {{\n  name = \"x\"\n}}\n"),
        &o,
    );
    assert_eq!(
        error_at(&r, "unknown resource type aws_appmesh_virtual_thing"),
        ("a.tf".into(), Some(4))
    );
    // A reference to nothing.
    let r = text(
        "a.tf",
        &format!(
            "{mesh}resource \"aws_appmesh_virtual_node\" \"n\" {{\n  name = \"n\"\n  mesh_name = aws_appmesh_mesh.other.name\n  spec {{}}\n}}\n"
        ),
        &o,
    );
    assert_eq!(
        error_at(
            &r,
            "refers to aws_appmesh_mesh.other, which is not in the files"
        ),
        ("a.tf".into(), Some(6))
    );
    // A cycle.
    let r = text(
        "a.tf",
        &format!(
            "{mesh}resource \"aws_appmesh_virtual_node\" \"a\" {{\n  name = aws_appmesh_virtual_node.b.name\n  mesh_name = \"m\"\n  spec {{}}\n}}\nresource \"aws_appmesh_virtual_node\" \"b\" {{\n  name = aws_appmesh_virtual_node.a.name\n  mesh_name = \"m\"\n  spec {{}}\n}}\n"
        ),
        &o,
    );
    error_at(
        &r,
        "reference cycle: aws_appmesh_virtual_node.a → aws_appmesh_virtual_node.b → aws_appmesh_virtual_node.a",
    );
    assert_eq!(r.mesh("m").unwrap().items.len(), 1, "only the mesh");
    // A variable without a value; then given.
    let src = format!(
        "variable \"port\" {{\n  type = number\n}}\n{mesh}resource \"aws_appmesh_virtual_router\" \"r\" {{\n  name = \"r\"\n  mesh_name = aws_appmesh_mesh.m.name\n  spec {{\n    listener {{\n      port_mapping {{\n        port = var.port\n        protocol = \"http\"\n      }}\n    }}\n  }}\n}}\n"
    );
    let r = text("a.tf", &src, &o);
    assert_eq!(
        error_at(&r, "variable port has no value"),
        ("a.tf".into(), Some(13))
    );
    let r = text("a.tf", &src, &opts(&[], &[("port", "8080")]));
    assert!(r.errors().next().is_none(), "{:#?}", r.problems);
    assert_eq!(
        r.mesh("m")
            .unwrap()
            .get(&key(Kind::VirtualRouter, "m", "", "r"))
            .unwrap()
            .spec,
        json!({"listeners": [{"portMapping": {"port": 8080, "protocol": "http"}}]})
    );
    // Invalid HCL.
    let r = text(
        "a.tf",
        "resource \"aws_appmesh_mesh\" \"m\" {\n  name = \n}\n",
        &o,
    );
    let (_, line) = error_at(&r, "invalid HCL");
    assert!(line.is_some_and(|l| (2..=3).contains(&l)), "{line:?}");
    // A value the model refuses.
    let r = text(
        "a.tf",
        &format!(
            "{mesh}resource \"aws_appmesh_virtual_router\" \"r\" {{\n  name = \"r\"\n  mesh_name = \"m\"\n  spec {{\n    listener {{\n      port_mapping {{\n        port = 0\n        protocol = \"http\"\n      }}\n    }}\n  }}\n}}\n"
        ),
        &o,
    );
    assert_eq!(
        error_at(
            &r,
            "spec.listeners[0].portMapping.port: must be between 1 and 65535"
        ),
        ("a.tf".into(), Some(10))
    );
    // An argument the provider does not have; a function; count.
    let r = text(
        "a.tf",
        "resource \"aws_appmesh_mesh\" \"m\" {\n  name = upper(\"m\")\n  count = 2\n  colour = \"red\"\n}\n",
        &o,
    );
    assert_eq!(
        error_at(&r, "the function upper() is not evaluated").1,
        Some(2)
    );
    // Two blocks where one is allowed.
    let r = text(
        "a.tf",
        &format!(
            "{mesh}resource \"aws_appmesh_virtual_node\" \"n\" {{\n  name = \"n\"\n  mesh_name = \"m\"\n  spec {{\n    logging {{}}\n    logging {{}}\n  }}\n}}\n"
        ),
        &o,
    );
    assert_eq!(
        error_at(&r, "spec.logging: at most one block here (there are 2)").1,
        Some(8)
    );
}

#[test]
fn kubernetes_problems_name_file_line_and_reason() {
    let o = ImportOptions::default();
    let head = "apiVersion: appmesh.k8s.aws/v1beta2\nkind: Mesh\nmetadata:\n  name: m\nspec:\n  namespaceSelector: {}\n---\n";
    // Unknown kind.
    let r = text(
        "k.yaml",
        &format!(
            "{head}apiVersion: appmesh.k8s.aws/v1beta2\nkind: VirtualThing\nmetadata:\n  name: x\n"
        ),
        &o,
    );
    assert_eq!(
        error_at(&r, "unknown resource type VirtualThing"),
        ("k.yaml".into(), Some(9))
    );
    // A reference to nothing.
    let r = text(
        "k.yaml",
        &format!(
            "{head}apiVersion: appmesh.k8s.aws/v1beta2\nkind: VirtualService\nmetadata:\n  name: s\n  namespace: ns\nspec:\n  provider:\n    virtualNode:\n      virtualNodeRef:\n        name: ghost\n"
        ),
        &o,
    );
    assert_eq!(
        error_at(
            &r,
            "virtualNodeRef names VirtualNode ns/ghost, which is not in the files"
        ),
        ("k.yaml".into(), Some(16))
    );
    // An old API version.
    let r = text(
        "k.yaml",
        "apiVersion: appmesh.k8s.aws/v1beta1\nkind: Mesh\nmetadata:\n  name: m\n",
        &o,
    );
    assert_eq!(
        error_at(&r, "apiVersion appmesh.k8s.aws/v1beta1 is not read").1,
        Some(1)
    );
    // Two meshes selecting one namespace.
    let r = text(
        "k.yaml",
        &format!(
            "{head}apiVersion: appmesh.k8s.aws/v1beta2\nkind: Mesh\nmetadata:\n  name: m2\nspec:\n  namespaceSelector: {{}}\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n---\napiVersion: appmesh.k8s.aws/v1beta2\nkind: VirtualNode\nmetadata:\n  name: n\n  namespace: ns\n"
        ),
        &o,
    );
    error_at(&r, "matches the namespaceSelector of 2 meshes");
    // A value the model refuses.
    let r = text(
        "k.yaml",
        &format!(
            "{head}apiVersion: appmesh.k8s.aws/v1beta2\nkind: VirtualNode\nmetadata:\n  name: n\nspec:\n  listeners:\n    - portMapping:\n        port: 8080\n        protocol: smtp\n"
        ),
        &o,
    );
    let (_, line) = error_at(&r, "spec.listeners[0].portMapping.protocol: must be one of");
    assert_eq!(line, Some(16));
    // Not YAML at all.
    let r = text("k.yaml", "apiVersion: v1\nkind: [\n", &o);
    error_at(&r, "invalid YAML");
}

#[test]
fn bounds_hold_for_hostile_files() {
    let o = ImportOptions::default();
    // A flat alias bomb: a 2,000-item anchor named 2,000 times.
    let mut y = String::from("Resources:\n  Big: &big [");
    y.push_str(&vec!["x"; 2000].join(", "));
    y.push_str("]\n  Many:\n");
    for _ in 0..2000 {
        y.push_str("    - *big\n");
    }
    let r = text("bomb.yaml", &y, &o);
    error_at(&r, "more than 1000000 values");
    // Nested too deep.
    let r = text("deep.json", &"[".repeat(100_000), &o);
    error_at(&r, "invalid JSON");
    let r = text(
        "deep.tf",
        &format!(
            "locals {{\n  x = {}1{}\n}}\n",
            "[".repeat(1000),
            "]".repeat(1000)
        ),
        &o,
    );
    error_at(&r, "invalid HCL");
    // A file over the cap, a directory without files, a FIFO, a missing file.
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.yaml");
    std::fs::write(&big, "a: 1\n".repeat(100)).unwrap();
    let small = ImportOptions {
        max_file_bytes: 100,
        ..ImportOptions::default()
    };
    let r = iac::read(&[big], &small);
    error_at(&r, "is larger than 100 bytes, the cap for import files");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let r = iac::read(&[empty], &o);
    error_at(&r, "the directory holds no .tf, .yaml, .yml or .json file");
    let fifo = dir.path().join("fifo.yaml");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let r = iac::read(&[fifo], &o);
    error_at(&r, "not a regular file");
    let r = iac::read(&[dir.path().join("nope.tf")], &o);
    error_at(&r, "does not exist");
}

#[test]
fn several_files_of_one_mesh_merge_and_a_duplicate_is_named() {
    let o = ImportOptions::default();
    let a = ("a.yaml".to_string(), format!("Resources:\n{NODE}"));
    let b = ("b.yaml".to_string(), format!("Resources:\n{NODE}"));
    let r = iac::import::read_texts(&[a, b], &o);
    let (file, line) = error_at(
        &r,
        "virtual node \"n\" is defined twice; the one at a.yaml:2 is kept",
    );
    assert_eq!((file.as_str(), line), ("b.yaml", Some(2)));
    assert_eq!(r.mesh("m").unwrap().items.len(), 1);
    // Unrecognised content says what it expected.
    let r = text("x.yaml", "just: a mapping\n", &o);
    error_at(&r, "not a CloudFormation template");
    let _ = BTreeMap::<String, String>::new();
}

#[test]
fn a_mesh_file_reader_plugs_in_and_its_resources_are_checked() {
    fn reader(
        file: &str,
        text: &str,
    ) -> Result<Vec<appmesh_tui::mesh::MeshModel>, Vec<(Option<usize>, String)>> {
        assert_eq!(file, "mesh.yaml");
        if text.contains("broken") {
            return Err(vec![(Some(2), "not a mesh file".into())]);
        }
        let mut m = appmesh_tui::mesh::MeshModel::new("mf");
        m.items
            .insert(Key::mesh("mf"), appmesh_tui::mesh::Item::new(json!({})));
        m.items.insert(
            key(Kind::VirtualRouter, "mf", "", "r"),
            appmesh_tui::mesh::Item::new(
                json!({"listeners": [{"portMapping": {"port": 0, "protocol": "http"}}]}),
            ),
        );
        Ok(vec![m])
    }
    let o = ImportOptions {
        mesh_file: Some(reader),
        ..ImportOptions::default()
    };
    let r = text(
        "mesh.yaml",
        "mesh: mf
",
        &o,
    );
    assert_eq!(
        r.mesh("mf").unwrap().items.len(),
        1,
        "the router breaks the model"
    );
    error_at(
        &r,
        "spec.listeners[0].portMapping.port: must be between 1 and 65535",
    );
    let r = text(
        "mesh.yaml",
        "mesh: broken
",
        &o,
    );
    assert_eq!(
        error_at(&r, "not a mesh file"),
        ("mesh.yaml".into(), Some(2))
    );
    // Without a reader, the file is named as not recognised.
    let r = text("mesh.yaml", "mesh: mf\n", &ImportOptions::default());
    error_at(&r, "or mesh file");
}

#[test]
fn values_that_grow_by_reference_are_stopped() {
    let o = ImportOptions::default();
    // Terraform: each local doubles the last; 30 of them would be a gigabyte.
    let mut tf = String::from("locals {\n  l0 = \"0123456789abcdef\"\n");
    for i in 1..30 {
        tf.push_str(&format!(
            "  l{i} = \"${{local.l{}}}${{local.l{}}}\"\n",
            i - 1,
            i - 1
        ));
    }
    tf.push_str("}\nresource \"aws_appmesh_mesh\" \"m\" {\n  name = local.l29\n}\n");
    let r = text("grow.tf", &tf, &o);
    error_at(&r, "is larger than 64 KiB");
    assert!(r.meshes.is_empty());
    // A for expression multiplies what it names.
    let r = text(
        "for.tf",
        "resource \"aws_appmesh_mesh\" \"m\" {\n  name = join(\"\", [for i in [1, 2] : \"x\"])\n}\n",
        &o,
    );
    assert_eq!(error_at(&r, "for expressions are not read").1, Some(2));
    // A long chain of locals.
    let mut chain = String::from("locals {\n  c0 = \"m\"\n");
    for i in 1..100 {
        chain.push_str(&format!("  c{i} = local.c{}\n", i - 1));
    }
    chain.push_str("}\nresource \"aws_appmesh_mesh\" \"m\" {\n  name = local.c99\n}\n");
    let r = text("chain.tf", &chain, &o);
    error_at(&r, "references nested more than 64 deep");
    // CloudFormation: a parameter joined into itself, over and over.
    let mut y = String::from("Parameters:\n  P:\n    Type: String\n    Default: ");
    y.push_str(&"x".repeat(60_000));
    y.push_str("\nResources:\n");
    for i in 0..120 {
        y.push_str(&format!(
            "  N{i}:\n    Type: AWS::AppMesh::VirtualNode\n    Properties:\n      MeshName: m\n      VirtualNodeName: !Join [\"\", [!Ref P, !Ref P, !Ref P]]\n"
        ));
    }
    let r = text("grow.yaml", &y, &o);
    error_at(&r, "produce more than 16 MiB");
}
