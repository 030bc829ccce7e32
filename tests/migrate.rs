//! Migration output checked by tools we did not write: cfn-lint on every CloudFormation
//! template, python-hcl2 on every Terraform file (resource types and key attributes checked),
//! the Gateway API YAML parsed (serde_norway) with its kinds and versions, the VPC Lattice plan
//! applied with boto3 against moto's VPC Lattice and read back; golden reports of the three
//! fixture meshes; the Migrate view drawn at 120×40 and 80×24; a property test that any mesh
//! converts without panicking into outputs that parse; and the `migrate` command on the
//! sandbox, with `mesh::fetch` reading back every fixture of every kind.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use appmesh_tui::kind::{Key, Kind};
use appmesh_tui::mesh::{Item, MeshModel};
use appmesh_tui::migrate::{Format, MigrateView, Target, migrate};
use proptest::prelude::*;
use serde_json::{Value, json};
use support::meshes;
use support::moto::python_bin_dir;

fn tool(name: &str) -> PathBuf {
    let p = python_bin_dir().join(name);
    if p.exists() { p } else { PathBuf::from(name) }
}

fn run(cmd: &mut Command) -> (bool, String, String) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A mesh whose names and tags hold what HCL, YAML and Markdown treat specially.
fn hostile() -> MeshModel {
    let name = "ho$tile \"mesh\"";
    let mut m = MeshModel::new(name);
    let k = |kind, parent: &str, n: &str| Key::new(kind, name, parent, n);
    let mut mesh = Item::new(json!({}));
    mesh.tags = BTreeMap::from([
        (
            "interp".to_string(),
            "${var.secret} %{ if true }x%{ endif }".to_string(),
        ),
        (
            "quote\"key".to_string(),
            "back\\slash \"q\" \n new line".to_string(),
        ),
        (
            "yaml".to_string(),
            "- not: a list\n---\n!!python/object x".to_string(),
        ),
    ]);
    m.items.insert(Key::mesh(name), mesh);
    m.items.insert(
        k(Kind::VirtualNode, "", "svc-${x}\n#node"),
        Item::new(
            json!({"listeners": [{"portMapping": {"port": 80, "protocol": "http"},
            "healthCheck": {"protocol": "http", "path": "/he alth\"${x}", "intervalMillis": 5000,
                "timeoutMillis": 2000, "healthyThreshold": 2, "unhealthyThreshold": 2}}]}),
        ),
    );
    m.items.insert(
        k(Kind::VirtualRouter, "", "r|*_`"),
        Item::new(json!({"listeners": [{"portMapping": {"port": 80, "protocol": "http"}}]})),
    );
    m.items.insert(
        k(Kind::Route, "r|*_`", "route ${x}"),
        Item::new(
            json!({"httpRoute": {"match": {"prefix": "/a b/ü", "headers": [
            {"name": "x-${h}", "match": {"prefix": "\"v\n"}}]},
            "action": {"weightedTargets": [{"virtualNode": "svc-${x}\n#node", "weight": 1}]}}}),
        ),
    );
    m.items.insert(
        k(Kind::VirtualService, "", "<b>web</b>.local"),
        Item::new(json!({"provider": {"virtualRouter": {"virtualRouterName": "r|*_`"}}})),
    );
    m
}

fn all_meshes() -> Vec<(&'static str, MeshModel)> {
    let mut v = meshes::all();
    v.push(("hostile", hostile()));
    v
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write a temp file");
    p
}

// ---------------------------------------------------------------------------------------------
// CloudFormation

#[test]
fn cfn_lint_passes_every_cloudformation_template() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, m) in all_meshes() {
        for t in Target::ALL {
            let text = migrate(&m, t).render(Format::Cloudformation).unwrap();
            let doc: Value = serde_norway::from_str(&text).expect("the template is YAML");
            let types: Vec<&str> = doc["Resources"]
                .as_object()
                .unwrap()
                .values()
                .map(|r| r["Type"].as_str().unwrap())
                .collect();
            match t {
                Target::Lattice => {
                    assert!(types.contains(&"AWS::VpcLattice::ServiceNetwork"), "{name}");
                    let svcs = m.of_kind(Kind::VirtualService).count();
                    assert_eq!(
                        types
                            .iter()
                            .filter(|t| **t == "AWS::VpcLattice::Service")
                            .count(),
                        svcs,
                        "{name}"
                    );
                }
                Target::LatticeGatewayApi => assert_eq!(
                    types,
                    [
                        "AWS::VpcLattice::ServiceNetwork",
                        "AWS::VpcLattice::ServiceNetworkVpcAssociation"
                    ]
                ),
                Target::ServiceConnect => {
                    assert!(types.contains(&"AWS::ServiceDiscovery::HttpNamespace"));
                    let nodes = m.of_kind(Kind::VirtualNode).count();
                    assert_eq!(
                        types.iter().filter(|t| **t == "AWS::ECS::Service").count(),
                        nodes,
                        "{name}"
                    );
                }
            }
            files.push(write(
                dir.path(),
                &format!("{name}-{}.yaml", t.flag()),
                &text,
            ));
        }
    }
    let (ok, out, err) = run(Command::new(tool("cfn-lint")).args(&files));
    assert!(ok, "cfn-lint found problems:\n{out}\n{err}");
    // cfn-lint does catch a broken template (so the check above can fail): a rule without its
    // priority and a listener with a protocol Lattice does not have.
    let good = migrate(&meshes::canary(), Target::Lattice)
        .render(Format::Cloudformation)
        .unwrap();
    let mut doc: Value = serde_norway::from_str(&good).unwrap();
    for r in doc["Resources"].as_object_mut().unwrap().values_mut() {
        match r["Type"].as_str().unwrap() {
            "AWS::VpcLattice::Rule" => {
                r["Properties"].as_object_mut().unwrap().remove("Priority");
            }
            "AWS::VpcLattice::Listener" => r["Properties"]["Protocol"] = json!("UDP"),
            _ => {}
        }
    }
    let bad = write(
        dir.path(),
        "bad.yaml",
        &serde_norway::to_string(&doc).unwrap(),
    );
    let (ok, out, _) = run(Command::new(tool("cfn-lint")).arg(&bad));
    assert!(
        !ok && out.contains("Priority") && out.contains("UDP"),
        "{out}"
    );
}

// ---------------------------------------------------------------------------------------------
// Terraform

fn hcl2(files: &[PathBuf]) -> Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/migrate/check_hcl.py");
    let (ok, out, err) = run(Command::new(tool("python3")).arg(script).args(files));
    assert!(ok, "python-hcl2 could not parse: {err}");
    serde_json::from_str(&out).expect("check_hcl.py prints JSON")
}

/// The resources of one parsed file: type -> name -> body.
fn resources(parsed: &Value, file: &Path) -> BTreeMap<String, BTreeMap<String, Value>> {
    let mut out: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
    for r in parsed[file.to_str().unwrap()]["resource"]
        .as_array()
        .unwrap()
    {
        out.entry(r[0].as_str().unwrap().to_string())
            .or_default()
            .insert(r[1].as_str().unwrap().to_string(), r[2].clone());
    }
    out
}

#[test]
fn python_hcl2_parses_every_terraform_file_with_the_right_resources() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = BTreeMap::new();
    for (name, m) in all_meshes() {
        for t in Target::ALL {
            let text = migrate(&m, t).render(Format::Terraform).unwrap();
            files.insert(
                (name, t),
                write(dir.path(), &format!("{name}-{}.tf", t.flag()), &text),
            );
        }
    }
    let parsed = hcl2(&files.values().cloned().collect::<Vec<_>>());
    for ((name, t), f) in &files {
        let r = resources(&parsed, f);
        let m = all_meshes().into_iter().find(|(n, _)| n == name).unwrap().1;
        match t {
            Target::Lattice => {
                assert_eq!(r["aws_vpclattice_service_network"].len(), 1, "{name}");
                assert_eq!(
                    r.get("aws_vpclattice_service").map_or(0, |s| s.len()),
                    m.of_kind(Kind::VirtualService).count(),
                    "{name}"
                );
                for (rn, body) in r.get("aws_vpclattice_listener_rule").into_iter().flatten() {
                    let p = body["priority"].as_i64().unwrap();
                    assert!((1..=100).contains(&p), "{name} {rn}");
                    assert!(
                        body["listener_identifier"]
                            .as_str()
                            .unwrap()
                            .contains("aws_vpclattice_listener."),
                        "{name} {rn}"
                    );
                }
            }
            Target::LatticeGatewayApi => {
                assert_eq!(
                    r.keys().collect::<Vec<_>>(),
                    [
                        "aws_vpclattice_service_network",
                        "aws_vpclattice_service_network_vpc_association"
                    ]
                );
            }
            Target::ServiceConnect => {
                assert_eq!(r["aws_service_discovery_http_namespace"].len(), 1);
                assert_eq!(
                    r.get("aws_ecs_service").map_or(0, |s| s.len()),
                    m.of_kind(Kind::VirtualNode).count(),
                    "{name}"
                );
            }
        }
    }
    // Key attributes, canary: the 90/10 split and the header rule before it.
    let lat = resources(&parsed, &files[&("canary", Target::Lattice)]);
    let rules = &lat["aws_vpclattice_listener_rule"];
    let canary = rules.values().find(|b| b["name"] == "canary").unwrap();
    assert_eq!(canary["priority"], 2);
    let tgs = &canary["action"][0]["forward"][0]["target_groups"];
    let weights: Vec<i64> = tgs
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["weight"].as_i64().unwrap())
        .collect();
    assert_eq!(weights, [90, 10]);
    assert_eq!(
        tgs[0]["target_group_identifier"],
        "${aws_vpclattice_target_group.tg_web_v1.id}"
    );
    let beta = rules.values().find(|b| b["name"] == "beta-header").unwrap();
    assert_eq!(beta["priority"], 1);
    let hm = &beta["match"][0]["http_match"][0]["header_matches"][0];
    assert_eq!(
        (hm["name"].as_str(), hm["match"][0]["exact"].as_str()),
        (Some("x-beta"), Some("1"))
    );
    let tg = &lat["aws_vpclattice_target_group"]["tg_web_v1"]["config"][0];
    assert_eq!(tg["port"], 9080);
    assert_eq!(tg["health_check"][0]["path"], "/ping");
    assert_eq!(tg["health_check"][0]["health_check_interval_seconds"], 5);
    // Service Connect: the client alias of the routed service sits on web-v1 (90 %).
    let sc = resources(&parsed, &files[&("canary", Target::ServiceConnect)]);
    let v1 = &sc["aws_ecs_service"]["svc_web_v1"]["service_connect_configuration"][0]["service"][0];
    assert_eq!(v1["client_alias"][0]["dns_name"], "web.prod.local");
    assert_eq!(v1["port_name"], "http-9080");
    assert_eq!(v1["timeout"][0]["per_request_timeout_seconds"], 15);
    // Hostile strings come back exactly as the mesh had them (HCL escaping, `$${`, `%%{`).
    let hos = resources(&parsed, &files[&("hostile", Target::Lattice)]);
    let tags = &hos["aws_vpclattice_service_network"]["mesh"]["tags"];
    assert_eq!(tags["interp"], "${var.secret} %{ if true }x%{ endif }");
    assert_eq!(tags["quote\"key"], "back\\slash \"q\" \n new line");
}

// ---------------------------------------------------------------------------------------------
// Gateway API YAML

fn yaml_docs(text: &str) -> Vec<Value> {
    use serde::Deserialize;
    serde_norway::Deserializer::from_str(text)
        .map(|d| Value::deserialize(d).expect("every document parses"))
        .collect()
}

#[test]
fn gateway_api_yaml_parses_and_names_the_right_kinds_and_versions() {
    for (name, m) in all_meshes() {
        let text = migrate(&m, Target::LatticeGatewayApi)
            .render(Format::Yaml)
            .unwrap();
        let docs = yaml_docs(&text);
        for d in &docs {
            let kind = d["kind"].as_str().unwrap();
            let want = match kind {
                "Gateway" | "HTTPRoute" | "GRPCRoute" => "gateway.networking.k8s.io/v1",
                "TargetGroupPolicy" => "application-networking.k8s.aws/v1alpha1",
                other => panic!("{name}: unexpected kind {other}"),
            };
            assert_eq!(d["apiVersion"], want, "{name} {kind}");
            let n = d["metadata"]["name"].as_str().unwrap();
            assert!(
                !n.is_empty()
                    && n.len() <= 63
                    && n.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{name}: {kind} name {n:?} is not a DNS label"
            );
        }
        assert_eq!(docs[0]["kind"], "Gateway");
        assert_eq!(docs[0]["spec"]["gatewayClassName"], "amazon-vpc-lattice");
        let routes = docs
            .iter()
            .filter(|d| d["kind"] == "HTTPRoute" || d["kind"] == "GRPCRoute")
            .count();
        assert!(
            routes
                >= m.of_kind(Kind::VirtualService)
                    .filter(|(_, i)| i.spec.value().get("provider").is_some())
                    .count()
                    .min(1),
            "{name}"
        );
    }
    let docs = yaml_docs(
        &migrate(&meshes::canary(), Target::LatticeGatewayApi)
            .render(Format::Yaml)
            .unwrap(),
    );
    let web = docs
        .iter()
        .find(|d| d["kind"] == "HTTPRoute" && d["metadata"]["name"] == "web-prod-local")
        .unwrap();
    assert_eq!(
        web["spec"]["parentRefs"][0],
        json!({"name": "canary", "sectionName": "http"})
    );
    let split: Vec<(String, i64)> = web["spec"]["rules"][1]["backendRefs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["name"].as_str().unwrap().to_string(),
                b["weight"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(split, [("web-v1".into(), 90), ("web-v2".into(), 10)]);
    let grpc = docs.iter().find(|d| d["kind"] == "GRPCRoute").unwrap();
    assert_eq!(grpc["spec"]["parentRefs"][0]["sectionName"], "https");
    let tgp = docs
        .iter()
        .find(|d| d["kind"] == "TargetGroupPolicy" && d["spec"]["targetRef"]["name"] == "web-v1")
        .unwrap();
    assert_eq!(tgp["metadata"]["namespace"], "prod");
    assert_eq!(tgp["spec"]["healthCheck"]["path"], "/ping");
    assert_eq!(tgp["spec"]["healthCheck"]["intervalSeconds"], 5);
}

// ---------------------------------------------------------------------------------------------
// The VPC Lattice plan through boto3 against moto

/// `{ref: X}` as the apply script writes ids back: `ref:X`; `{param: VpcId}` as the VPC.
fn expected(v: &Value, vpc: &str) -> Value {
    match v {
        Value::Object(o) if o.len() == 1 && o.contains_key("ref") => {
            json!(format!("ref:{}", o["ref"].as_str().unwrap()))
        }
        Value::Object(o) if o.len() == 1 && o.contains_key("param") => json!(vpc),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), expected(x, vpc)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|x| expected(x, vpc)).collect()),
        other => other.clone(),
    }
}

#[test]
fn the_lattice_plan_applied_with_boto3_against_moto_is_what_moto_holds() {
    let vpc = "vpc-0123456789abcdef0";
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/migrate/apply_lattice.py"
    );
    let dir = tempfile::tempdir().unwrap();
    let moto = support::moto::Moto::start();
    for (name, m) in all_meshes() {
        moto.reset();
        let text = migrate(&m, Target::Lattice).render(Format::Yaml).unwrap();
        let plan: Value = serde_norway::from_str(&text).unwrap();
        let file = write(dir.path(), &format!("{name}.plan.yaml"), &text);
        let (ok, out, err) = run(Command::new(tool("python3"))
            .arg(script)
            .arg(moto.moto_endpoint())
            .arg(&file)
            .arg(vpc));
        assert!(
            ok,
            "{name}: applying the plan failed:\n{err}\n{}",
            moto.logs()
        );
        let got: Value = serde_json::from_str(&out).unwrap();
        let steps = plan["steps"].as_array().unwrap();
        let mut want: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
        for s in steps {
            let r = s["ref"].as_str().unwrap();
            let i = expected(&s["input"], vpc);
            let (list, item) = match s["op"].as_str().unwrap() {
                "CreateServiceNetwork" => ("serviceNetworks", json!({"ref": r, "name": i["name"]})),
                "CreateService" => (
                    "services",
                    json!({"ref": r, "name": i["name"], "authType": i["authType"]}),
                ),
                "CreateServiceNetworkServiceAssociation" => (
                    "associations",
                    json!({"serviceNetwork": i["serviceNetworkIdentifier"], "service": i["serviceIdentifier"]}),
                ),
                "CreateListener" => (
                    "listeners",
                    json!({"ref": r, "service": i["serviceIdentifier"], "name": i["name"], "protocol": i["protocol"], "port": i["port"], "defaultAction": i["defaultAction"]}),
                ),
                "CreateTargetGroup" => (
                    "targetGroups",
                    json!({"ref": r, "name": i["name"], "type": i["type"], "config": i["config"]}),
                ),
                "CreateRule" => (
                    "rules",
                    json!({"ref": r, "service": i["serviceIdentifier"], "listener": i["listenerIdentifier"], "name": i["name"], "priority": i["priority"], "match": i["match"], "action": i["action"]}),
                ),
                "CreateServiceNetworkVpcAssociation" => continue,
                op => panic!("unexpected step {op}"),
            };
            want.entry(list).or_default().push(item);
            if let Some(tags) = s["input"].get("tags") {
                assert_eq!(&got["tags"][r], tags, "{name}: tags of {r}");
            }
        }
        for (list, items) in &want {
            let mut have = got[*list].as_array().unwrap().clone();
            let mut items = items.clone();
            let key = |v: &Value| v.to_string();
            have.sort_by_key(key);
            items.sort_by_key(key);
            assert_eq!(
                have, items,
                "{name}: {list} read back from moto differ from the plan"
            );
        }
        // The plan holds what the mesh has: for canary, one rule per route and the 90/10 split.
        if name == "canary" {
            assert_eq!(want["rules"].len(), 2);
            assert_eq!(want["targetGroups"].len(), 3);
            let canary = want["rules"]
                .iter()
                .find(|r| r["name"] == "canary")
                .unwrap();
            assert_eq!(canary["action"]["forward"]["targetGroups"][1]["weight"], 10);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Golden reports

#[test]
fn golden_reports() {
    for (name, m) in meshes::all() {
        for t in Target::ALL {
            let report = migrate(&m, t).render(Format::Report).unwrap();
            insta::assert_snapshot!(format!("report_{name}_{}", t.flag()), report);
        }
    }
}

#[test]
fn output_is_deterministic() {
    for (_, m) in all_meshes() {
        for t in Target::ALL {
            for f in Format::ALL {
                assert_eq!(migrate(&m, t).render(f), migrate(&m.clone(), t).render(f));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The Migrate view

fn draw_view(view: &MigrateView, w: u16, h: u16) -> String {
    use ratatui::{Terminal, backend::TestBackend};
    let theme = appmesh_tui::ui::theme::Theme::new(appmesh_tui::config::ThemeName::Mono, false);
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| appmesh_tui::ui::migrate::render(view, &theme, f, f.area()))
        .unwrap();
    term.backend().to_string()
}

#[test]
fn the_migrate_view_at_120x40_and_80x24() {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
    let mut v = MigrateView::new(&meshes::canary());
    insta::assert_snapshot!("view_lattice_120x40", draw_view(&v, 120, 40));
    v.handle_key(key(KeyCode::Char('3')));
    v.handle_key(key(KeyCode::End));
    insta::assert_snapshot!("view_service_connect_end_80x24", draw_view(&v, 80, 24));
    v.handle_key(key(KeyCode::Char('2')));
    v.handle_key(key(KeyCode::Char('w')));
    v.handle_key(key(KeyCode::Char('y')));
    insta::assert_snapshot!("view_gateway_api_writing_80x24", draw_view(&v, 80, 24));
    // Any size, however small, draws without panicking.
    for (w, h) in [(1, 1), (20, 5), (30, 8), (300, 100)] {
        draw_view(&v, w, h);
    }
}

// ---------------------------------------------------------------------------------------------
// Any mesh converts

fn name_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9-]{0,12}",
        "[ -~]{1,20}",
        any::<String>().prop_filter("1-255 chars", |s| !s.is_empty() && s.chars().count() <= 255),
        Just("svc-x".to_string()),
        Just("a".repeat(255)),
    ]
}

/// A mesh built from the fixture specs of every kind, renamed at random, its references
/// pointing at random names (some existing, some not), with random tags.
fn mesh_strategy() -> impl Strategy<Value = MeshModel> {
    let specs: Vec<(Kind, Value)> = meshes::everything()
        .items
        .iter()
        .filter(|(k, _)| k.kind != Kind::Mesh)
        .map(|(k, i)| (k.kind, i.spec.value()))
        .collect();
    let n = specs.len();
    (
        name_strategy(),
        proptest::collection::vec((0..n, name_strategy(), 0usize..4), 0..30),
        proptest::collection::vec(name_strategy(), 1..6),
        proptest::collection::btree_map("[ -~]{1,10}", "[ -~\\n]{0,10}", 0..3),
    )
        .prop_map(move |(mesh, picks, pool, tags)| {
            let mut m = MeshModel::new(mesh.clone());
            let mut root = Item::new(json!({"serviceDiscovery": {"ipPreference": "IPv6_ONLY"}}));
            root.tags = tags.clone();
            m.items.insert(Key::mesh(&mesh), root);
            for (i, name, parent) in picks {
                let (kind, spec) = specs[i].clone();
                let text = spec.to_string();
                // Point every reference at a name of the pool.
                let mut spec: Value = serde_json::from_str(&text).unwrap();
                retarget(&mut spec, &pool);
                let parent = match kind.info().parent {
                    Some(_) => pool[parent % pool.len()].clone(),
                    None => String::new(),
                };
                let mut item = Item::new(spec);
                item.tags = tags.clone();
                m.items.insert(Key::new(kind, &mesh, parent, name), item);
            }
            m
        })
}

fn retarget(v: &mut Value, pool: &[String]) {
    match v {
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                if matches!(
                    k.as_str(),
                    "virtualNode" | "virtualNodeName" | "virtualRouterName" | "virtualServiceName"
                ) && x.is_string()
                {
                    let i = x.as_str().unwrap().len() % pool.len();
                    *x = json!(pool[i]);
                } else {
                    retarget(x, pool);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| retarget(x, pool)),
        _ => {}
    }
}

fn lattice_name_ok(n: &str, max: usize) -> bool {
    (3..=max).contains(&n.len())
        && n.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !n.starts_with('-')
        && !n.ends_with('-')
        && !n.contains("--")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_mesh_converts_into_outputs_that_parse(m in mesh_strategy()) {
        for t in Target::ALL {
            let mig = migrate(&m, t);
            prop_assert_eq!(mig.rows.len(), m.items.len());
            for f in Format::ALL {
                let text = mig.render(f).expect("every output renders");
                match f {
                    Format::Terraform => { hcl::parse(&text).expect("the Terraform parses"); }
                    Format::Cloudformation => {
                        let doc: Value = serde_norway::from_str(&text).expect("the template parses");
                        for r in doc["Resources"].as_object().unwrap().values() {
                            if let Some(n) = r["Properties"]["Name"].as_str()
                                && r["Type"].as_str().unwrap().starts_with("AWS::VpcLattice::")
                            {
                                prop_assert!(lattice_name_ok(n, 128), "{n:?}");
                            }
                        }
                    }
                    Format::Yaml => { prop_assert!(!yaml_docs(&text).is_empty()); }
                    Format::Report => prop_assert!(text.starts_with("# Migrating App Mesh mesh")),
                }
            }
        }
    }

    #[test]
    fn arbitrary_specs_do_not_panic(kinds in proptest::collection::vec((0usize..7, "[a-z]{1,3}", arb_json()), 0..12)) {
        let mut m = MeshModel::new("m");
        for (k, name, spec) in kinds {
            let kind = Kind::ALL[k];
            m.items.insert(Key::new(kind, "m", "p", name), Item::new(spec));
        }
        for t in Target::ALL {
            for f in Format::ALL {
                migrate(&m, t).render(f).expect("renders");
            }
        }
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[a-zA-Z/ ]{0,8}".prop_map(Value::from),
        prop_oneof![
            Just("http"),
            Just("grpc"),
            Just("tcp"),
            Just("http2"),
            Just("STRICT")
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("listeners".to_string()),
                    Just("portMapping".to_string()),
                    Just("port".to_string()),
                    Just("protocol".to_string()),
                    Just("httpRoute".to_string()),
                    Just("grpcRoute".to_string()),
                    Just("match".to_string()),
                    Just("action".to_string()),
                    Just("weightedTargets".to_string()),
                    Just("virtualNode".to_string()),
                    Just("weight".to_string()),
                    Just("provider".to_string()),
                    Just("healthCheck".to_string()),
                    Just("headers".to_string()),
                    Just("timeout".to_string()),
                    "[a-z]{1,6}",
                ],
                inner,
                0..5,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

// ---------------------------------------------------------------------------------------------
// The command and mesh::fetch, on the sandbox

#[tokio::test]
async fn fetch_reads_back_every_fixture_and_migrate_runs_on_the_sandbox() {
    use appmesh_tui::aws::{self, Settings};
    use appmesh_tui::model::Tag;
    use appmesh_tui::sandbox::{ACCESS_KEY_ID, Config, SECRET_ACCESS_KEY, Sandbox, StateLocation};
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let sb = Sandbox::start(Config::new("us-east-1", StateLocation::File(state.clone())))
        .await
        .expect("sandbox");
    let settings = Settings {
        region: Some("us-east-1".into()),
        endpoint_url: Some(sb.endpoint()),
        static_credentials: Some(aws::fixed_credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY)),
        ..Settings::default()
    };
    let (api, _) = aws::connect(&settings)
        .await
        .expect("a connection to the sandbox");
    let want = meshes::everything();
    let mut tagged = want.clone();
    for (i, key) in want.create_order().into_iter().enumerate() {
        let item = &want.items[&key];
        let tags = [Tag::new("from", key.name.as_str())];
        api.create(&key, &item.spec.value(), &tags, &format!("t{i}"))
            .await
            .unwrap_or_else(|e| panic!("create {key:?}: {e:?}"));
        tagged.items.get_mut(&key).unwrap().tags =
            BTreeMap::from([("from".to_string(), key.name.to_string())]);
    }
    let got = appmesh_tui::mesh::fetch(&api, &want.name)
        .await
        .expect("fetch");
    assert_eq!(
        got.items.keys().collect::<Vec<_>>(),
        tagged.items.keys().collect::<Vec<_>>()
    );
    for (k, item) in &tagged.items {
        assert_eq!(got.items[k].spec, item.spec, "{k:?}");
        assert_eq!(got.items[k].tags, item.tags, "{k:?}");
    }
    let err = appmesh_tui::mesh::fetch(&api, "nope").await.unwrap_err();
    assert_eq!(err.code.as_deref(), Some("NotFoundException"));
    sb.shutdown().await;

    // The command on the same state file, in-process sandbox: report to stdout, a file with -o.
    let bin = env!("CARGO_BIN_EXE_appmesh-tui");
    let base = |args: &[&str]| {
        let mut c = Command::new(bin);
        c.args(["--sandbox", "--state", state.to_str().unwrap(), "migrate"])
            .args(args)
            .env("XDG_CONFIG_HOME", dir.path())
            .env_remove("AWS_PROFILE");
        c
    };
    let (ok, out, err) = run(&mut base(&["--mesh", &want.name, "--to", "lattice"]));
    assert!(ok, "{err}");
    assert_eq!(
        out,
        migrate(&tagged, Target::Lattice)
            .render(Format::Report)
            .unwrap()
    );
    let file = dir.path().join("sc.tf");
    let (ok, _, err) = run(&mut base(&[
        "--mesh",
        &want.name,
        "--to",
        "service-connect",
        "--format",
        "terraform",
        "-o",
        file.to_str().unwrap(),
    ]));
    assert!(ok, "{err}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        migrate(&tagged, Target::ServiceConnect)
            .render(Format::Terraform)
            .unwrap()
    );
    let (ok, _, err) = run(&mut base(&[
        "--mesh",
        &want.name,
        "--to",
        "service-connect",
        "--format",
        "terraform",
        "-o",
        file.to_str().unwrap(),
    ]));
    assert!(
        !ok && err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    let (ok, _, err) = run(&mut base(&["--mesh", "missing", "--to", "lattice"]));
    assert!(
        !ok && err.contains("cannot read mesh \"missing\"") && err.contains("NotFoundException"),
        "{err}"
    );
    let (ok, _, err) = run(&mut base(&["--mesh", "x", "--to", "istio"]));
    assert!(!ok && err.contains("lattice-gateway-api"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// The README's copy of the mapping table

#[test]
fn the_readme_shows_the_mapping_table_of_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let (start, end) = (
        "<!-- migrate-table:start -->\n",
        "<!-- migrate-table:end -->",
    );
    let a = readme
        .find(start)
        .expect("README has the migrate-table:start marker")
        + start.len();
    let b = readme
        .find(end)
        .expect("README has the migrate-table:end marker");
    let want = appmesh_tui::migrate::table::markdown_summary();
    if std::env::var_os("UPDATE_README").is_some() {
        std::fs::write(path, format!("{}{want}{}", &readme[..a], &readme[b..])).unwrap();
        return;
    }
    assert!(
        readme[a..b] == want,
        "README.md's mapping table differs from src/migrate/table.rs: run UPDATE_README=1 cargo test --test migrate the_readme"
    );
}
