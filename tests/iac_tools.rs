//! The infrastructure-code exports of every kind, checked by tools we did not write:
//! - every CloudFormation template passes `cfn-lint` (only W3696, "from a service that will be
//!   shut down", is ignored: App Mesh ends on 2026-09-30);
//! - every Terraform file parses with python-hcl2, holds the expected resource types, names,
//!   references and `import` blocks, and every member is one of the AWS provider's schema
//!   (`tests/fixtures/iac/terraform-aws-appmesh.txt`);
//! - every Kubernetes manifest parses with PyYAML and every member and enum value is one of the
//!   App Mesh controller's CRDs (`tests/fixtures/iac/appmesh-controller-v1beta2.txt`);
//! - the AWS CLI command and the `--cli-input-json` document of every fixture recreate it on the
//!   sandbox (`appmesh-tui sandbox serve --ephemeral`), run through `sh` and the real AWS CLI,
//!   and `describe-…` shows the identical spec and `list-tags-for-resource` the tags.
//!
//! Needs python3 with cfn-lint, PyYAML, python-hcl2 and the AWS CLI (tests/requirements.txt;
//! `scripts/test` installs them).

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use appmesh_tui::iac::{self, ExportOptions, Format};
use appmesh_tui::kind::{Key, Kind};
use appmesh_tui::mesh::{Item, MeshModel};
use serde_json::{Value, json};
use support::fixtures;
use support::serve::Serve;

fn python() -> std::path::PathBuf {
    support::moto::python_bin_dir().join("python3")
}

/// Runs a Python script with `input` on stdin; its stdout is JSON.
fn run_python(script: &str, args: &[&str], input: &str) -> Value {
    let mut child = Command::new(python())
        .arg("-c")
        .arg(script)
        .args(args)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 is needed for this test");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("ModuleNotFoundError"),
        "a Python module is missing; run `python3 -m pip install -r tests/requirements.txt`:\n{stderr}"
    );
    assert!(out.status.success(), "python failed:\n{stderr}");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{stderr}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// Every fixture mesh as a MeshModel (the first holds every other fixture), with tags.
fn meshes() -> Vec<MeshModel> {
    let container = fixtures::container_mesh();
    let mut out: BTreeMap<String, MeshModel> = BTreeMap::new();
    for (i, f) in fixtures::all().into_iter().enumerate() {
        let mesh = if f.kind == Kind::Mesh {
            f.name.clone()
        } else {
            container.clone()
        };
        let mut item = Item::new(f.expected_spec());
        if i % 3 == 0 {
            item.tags
                .insert("team".into(), "it's \"q\" ${x} %{y}".into());
            item.tags.insert("empty".into(), String::new());
        }
        out.entry(mesh.clone())
            .or_insert_with(|| MeshModel::new(mesh))
            .items
            .insert(f.key(&container_or(&f.kind, &f.name, &container)), item);
    }
    out.into_values().collect()
}

fn container_or(kind: &Kind, name: &str, container: &str) -> String {
    if *kind == Kind::Mesh {
        name.to_string()
    } else {
        container.to_string()
    }
}

/// The exports a test checks: every whole mesh (new and existing) and every resource alone.
fn exports(format: Format) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let existing = ExportOptions {
        existing: Some(true),
        ..ExportOptions::default()
    };
    for (i, m) in meshes().iter().enumerate() {
        out.push((
            format!("mesh-{i}"),
            iac::export_mesh(format, m, &ExportOptions::default()).text,
        ));
        out.push((
            format!("mesh-{i}-existing"),
            iac::export_mesh(format, m, &existing).text,
        ));
    }
    for (j, (key, item)) in meshes()[0].items.iter().enumerate() {
        if format == Format::Kubernetes && key.kind == Kind::Route {
            continue; // a fragment of its router, not a manifest
        }
        out.push((
            format!("resource-{j}"),
            iac::export_resource(format, key, item, &ExportOptions::default()).text,
        ));
    }
    out
}

fn write_all(dir: &Path, files: &[(String, String)], ext: &str) -> Vec<String> {
    files
        .iter()
        .map(|(name, text)| {
            let p = dir.join(format!("{name}.{ext}"));
            std::fs::write(&p, text).unwrap();
            p.to_string_lossy().into_owned()
        })
        .collect()
}

#[test]
fn cloudformation_templates_pass_cfn_lint() {
    let dir = tempfile::tempdir().unwrap();
    let files = write_all(dir.path(), &exports(Format::CloudFormation), "yaml");
    let cfn_lint = support::moto::python_bin_dir().join("cfn-lint");
    let out = Command::new(if cfn_lint.exists() {
        cfn_lint
    } else {
        "cfn-lint".into()
    })
    // W3696: "Resource type 'AWS::AppMesh::…' is from a service that will be shut down".
    .args(["--ignore-checks", "W3696", "--format", "parseable", "--"])
    .args(&files)
    .output()
    .expect("cfn-lint is needed: python3 -m pip install -r tests/requirements.txt");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.trim().is_empty(),
        "cfn-lint found problems:\n{stdout}\n{stderr}"
    );
    assert!(files.len() > 50, "{}", files.len());
}

/// Undoes HCL's quoting of a string as python-hcl2 leaves it (quotes stripped, escapes kept).
fn hcl_unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('u') => {
                    let hex: String = (0..4).filter_map(|_| chars.next()).collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
                }
                Some(other) => out.push(other),
                None => {}
            },
            '$' | '%' if chars.peek() == Some(&c) => {
                chars.next();
                if chars.peek() == Some(&'{') {
                    out.push(c);
                } else {
                    out.push(c);
                    out.push(c);
                }
            }
            c => out.push(c),
        }
    }
    out
}

const HCL_TO_JSON: &str = r#"
import sys, json, hcl2
from hcl2.utils import SerializationOptions
opts = SerializationOptions(strip_string_quotes=True, explicit_blocks=True, with_comments=False)
out = []
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        out.append(hcl2.load(f, serialization_options=opts))
print(json.dumps(out))
"#;

/// Every `path type` line of a schema extract, by resource.
fn extract(text: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let mut parts = line.splitn(3, ' ');
        let (res, path, ty) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        out.entry(res.to_string())
            .or_default()
            .insert(path.to_string(), ty.to_string());
    }
    out
}

/// Checks a python-hcl2 body against the provider's schema; returns the problems.
fn check_tf_body(
    schema: &BTreeMap<String, String>,
    body: &serde_json::Map<String, Value>,
    path: &str,
    out: &mut Vec<String>,
) {
    for (k, v) in body {
        if k == "__is_block__" {
            continue;
        }
        let p = format!("{path}{k}");
        let Some(ty) = schema.get(&p) else {
            out.push(format!("{p}: not in the provider's schema"));
            continue;
        };
        let is_block = ty.starts_with("block");
        match v {
            Value::Array(items)
                if items.iter().all(|i| i.get("__is_block__").is_some()) && !items.is_empty() =>
            {
                if !is_block {
                    out.push(format!("{p}: written as a block, but the schema has {ty}"));
                }
                if ty.split(' ').any(|p| p == "max=1") && items.len() > 1 {
                    out.push(format!("{p}: {} blocks, at most 1 allowed", items.len()));
                }
                for i in items {
                    check_tf_body(schema, i.as_object().unwrap(), &format!("{p}."), out);
                }
            }
            _ if is_block => out.push(format!("{p}: written as an attribute, but it is a block")),
            Value::Array(_) if !(ty.starts_with("list(") || ty.starts_with("set(")) => {
                out.push(format!("{p}: a list, but the schema has {ty}"))
            }
            Value::Object(_) if !ty.starts_with("map(") => {
                out.push(format!("{p}: a map, but the schema has {ty}"))
            }
            Value::Number(_) if ty != "number" => out.push(format!("{p}: a number, but {ty}")),
            Value::Bool(_) if ty != "bool" => out.push(format!("{p}: a boolean, but {ty}")),
            _ => {}
        }
    }
}

/// A resource's body as python-hcl2 reads it.
type Body = serde_json::Map<String, Value>;

#[test]
fn terraform_files_parse_with_python_hcl2_and_fit_the_provider_schema() {
    let dir = tempfile::tempdir().unwrap();
    let exports = exports(Format::Terraform);
    let files = write_all(dir.path(), &exports, "tf");
    let args: Vec<&str> = files.iter().map(String::as_str).collect();
    let parsed = run_python(HCL_TO_JSON, &args, "");
    let schema = extract(include_str!("fixtures/iac/terraform-aws-appmesh.txt"));
    let meshes = meshes();
    let mut problems = Vec::new();
    for ((name, _), doc) in exports.iter().zip(parsed.as_array().unwrap()) {
        let mut seen: BTreeMap<String, Vec<(String, Body)>> = BTreeMap::new();
        for block in doc["resource"].as_array().unwrap() {
            for (ty, by_name) in block.as_object().unwrap() {
                for (id, body) in by_name.as_object().unwrap() {
                    let body = body.as_object().unwrap().clone();
                    check_tf_body(&schema[ty], &body, "", &mut problems);
                    seen.entry(ty.clone()).or_default().push((id.clone(), body));
                }
            }
        }
        let imports = doc
            .get("import")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if let Some(i) = name.strip_prefix("mesh-") {
            let existing = i.ends_with("-existing");
            let mesh = &meshes[i.trim_end_matches("-existing").parse::<usize>().unwrap()];
            // One resource per item, of its type, with its name.
            for kind in Kind::ALL {
                let want: BTreeSet<String> = mesh
                    .of_kind(kind)
                    .map(|(k, _)| k.name.to_string())
                    .collect();
                let ty = format!("aws_appmesh_{}", snake(kind.info().name));
                let got: BTreeSet<String> = seen
                    .get(&ty)
                    .into_iter()
                    .flatten()
                    .map(|(_, b)| hcl_unescape(b["name"].as_str().unwrap()))
                    .collect();
                assert_eq!(got, want, "{name}: {ty}");
                for (id, b) in seen.get(&ty).into_iter().flatten() {
                    if kind != Kind::Mesh {
                        // The mesh by reference, not by its copied name.
                        assert_eq!(
                            b["mesh_name"],
                            json!(format!("${{aws_appmesh_mesh.{}.name}}", "fixtures")),
                            "{name}: {ty}.{id}"
                        );
                    }
                    assert!(
                        b.contains_key("spec") || kind == Kind::Mesh,
                        "{name}: {ty}.{id}"
                    );
                }
            }
            assert_eq!(
                imports,
                if existing { mesh.items.len() } else { 0 },
                "{name}"
            );
        }
        if let Some(list) = doc.get("import").and_then(Value::as_array) {
            for imp in list {
                let to = imp["to"].as_str().unwrap();
                assert!(to.starts_with("${aws_appmesh_"), "{to}");
                let id = hcl_unescape(imp["id"].as_str().unwrap());
                // The provider's import IDs: a mesh's name; mesh/name; mesh/parent/name.
                let slashes = id.matches('/').count();
                let expect = if to.contains("aws_appmesh_mesh.") {
                    0
                } else if to.contains("_route.") {
                    2
                } else {
                    1
                };
                assert_eq!(slashes, expect, "{to} {id}");
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

fn snake(s: &str) -> String {
    appmesh_tui::iac::names::snake(s)
}

const YAML_TO_JSON: &str = r#"
import sys, json, yaml
out = []
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        out.append([d for d in yaml.safe_load_all(f) if d is not None])
print(json.dumps(out))
"#;

fn check_k8s(schema: &BTreeMap<String, String>, v: &Value, path: &str, out: &mut Vec<String>) {
    let Some(ty) = schema.get(path) else {
        // An object: its members must be known.
        if let Value::Object(o) = v {
            if !schema.keys().any(|k| k.starts_with(&format!("{path}."))) {
                out.push(format!("{path}: not in the CRD"));
                return;
            }
            for (k, child) in o {
                check_k8s(schema, child, &format!("{path}.{k}"), out);
            }
        } else {
            out.push(format!("{path}: not in the CRD"));
        }
        return;
    };
    match (ty.as_str(), v) {
        ("list", Value::Array(items)) => {
            for i in items {
                check_k8s(schema, i, &format!("{path}[]"), out);
            }
        }
        (t, Value::Array(_)) if t.starts_with("list(") => {}
        ("object", Value::Object(_)) => {}
        ("integer", Value::Number(n)) if n.is_i64() => {}
        ("boolean", Value::Bool(_)) => {}
        (t, Value::String(s)) if t.starts_with("string") => {
            if let Some(e) = t.strip_prefix("string enum=")
                && !e.split('|').any(|x| x == s)
            {
                out.push(format!("{path}: {s:?} is not one of {e}"));
            }
        }
        (t, other) => out.push(format!("{path}: {other} does not fit {t}")),
    }
}

#[test]
fn kubernetes_manifests_fit_the_controller_crds() {
    let dir = tempfile::tempdir().unwrap();
    let exports = exports(Format::Kubernetes);
    let files = write_all(dir.path(), &exports, "yaml");
    let args: Vec<&str> = files.iter().map(String::as_str).collect();
    let parsed = run_python(YAML_TO_JSON, &args, "");
    let schema = extract(include_str!("fixtures/iac/appmesh-controller-v1beta2.txt"));
    let mut problems = Vec::new();
    let mut kinds = BTreeSet::new();
    for docs in parsed.as_array().unwrap() {
        for d in docs.as_array().unwrap() {
            let kind = d["kind"].as_str().unwrap();
            kinds.insert(kind.to_string());
            if kind == "Namespace" {
                assert_eq!(d["apiVersion"], "v1");
                continue;
            }
            assert_eq!(d["apiVersion"], "appmesh.k8s.aws/v1beta2");
            let name = d["metadata"]["name"].as_str().unwrap();
            assert!(
                name.len() <= 63
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{name}"
            );
            check_k8s(&schema[kind], &d["spec"], "spec", &mut problems);
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    for k in [
        "Namespace",
        "Mesh",
        "VirtualNode",
        "VirtualService",
        "VirtualRouter",
        "VirtualGateway",
        "GatewayRoute",
    ] {
        assert!(kinds.contains(k), "{k}");
    }
}

/// Runs AWS CLI argument lists in one Python process (the CLI's own driver, in-process), each
/// with the sandbox's test credentials; returns `[{rc, out, err}]`.
const CLI_DRIVER: &str = r#"
import sys, json, io, os, contextlib
os.environ.update(AWS_ACCESS_KEY_ID="AKIAIOSFODNN7SANDBOX", AWS_SECRET_ACCESS_KEY="x",
    AWS_DEFAULT_REGION="us-east-1", AWS_REGION="us-east-1", AWS_CONFIG_FILE="/nonexistent",
    AWS_SHARED_CREDENTIALS_FILE="/nonexistent", AWS_PAGER="", AWS_MAX_ATTEMPTS="1")
from awscli.clidriver import create_clidriver
driver = create_clidriver()
results = []
for args in json.load(sys.stdin):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = driver.main(args)
        except SystemExit as e:
            rc = e.code
    results.append({"rc": rc, "out": out.getvalue(), "err": err.getvalue()})
print(json.dumps(results))
"#;

fn run_cli(argvs: &[Vec<String>]) -> Vec<Value> {
    let r = run_python(CLI_DRIVER, &[], &serde_json::to_string(argvs).unwrap());
    r.as_array().unwrap().clone()
}

/// The argument lists a shell script's `aws …` commands run with, split by a real `sh`.
fn argv_of_script(script: &str) -> Vec<Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("argv");
    let full = format!("aws() {{ printf '%s\\0' \"$#\" \"$@\" >> \"$ARGV_OUT\"; }}\n{script}\n");
    let status = Command::new("sh")
        .arg("-c")
        .arg(&full)
        .env("ARGV_OUT", &out)
        .status()
        .unwrap();
    assert!(status.success(), "{script}");
    let bytes = std::fs::read(&out).unwrap_or_default();
    let text = String::from_utf8(bytes).unwrap();
    let mut parts = text.split('\0');
    let mut argvs = Vec::new();
    while let Some(n) = parts.next() {
        if n.is_empty() {
            break;
        }
        let n: usize = n.parse().unwrap();
        argvs.push((0..n).map(|_| parts.next().unwrap().to_string()).collect());
    }
    argvs
}

/// `describe-…` of a resource; the names go in `--cli-input-json`, where a name such as
/// `file://…` is not taken for a file.
fn describe_args(key: &Key, endpoint: &str) -> Vec<String> {
    let info = key.kind.info();
    let mut input = serde_json::Map::new();
    input.insert("meshName".into(), json!(key.mesh));
    if let Some(p) = info.parent {
        input.insert(p.info().name_member.into(), json!(key.parent));
    }
    if key.kind != Kind::Mesh {
        input.insert(info.name_member.into(), json!(key.name));
    }
    vec![
        "appmesh".to_string(),
        format!("describe-{}", snake(info.name).replace('_', "-")),
        "--endpoint-url".into(),
        endpoint.into(),
        "--cli-input-json".into(),
        Value::Object(input).to_string(),
    ]
}

/// A mesh whose names break naive quoting, with tags.
fn awkward() -> MeshModel {
    let mesh = "it's a \"mesh\" $(id) ${x}";
    let node = "-node\twith tab & ;";
    let router = "router `id` *";
    let mut m = MeshModel::new(mesh);
    let k = |kind, parent: &str, name: &str| Key::new(kind, mesh, parent, name);
    let mut mesh_item = Item::new(json!({"egressFilter": {"type": "ALLOW_ALL"}}));
    mesh_item.tags.insert("k'1".into(), "v \"2\" \\n".into());
    m.items.insert(Key::mesh(mesh), mesh_item);
    m.items.insert(
        k(Kind::VirtualNode, "", node),
        Item::new(json!({"listeners": [{"portMapping": {"port": 80, "protocol": "http"}}]})),
    );
    m.items.insert(
        k(Kind::VirtualRouter, "", router),
        Item::new(json!({"listeners": [{"portMapping": {"port": 80, "protocol": "http"}}]})),
    );
    m.items.insert(
        k(Kind::Route, router, "file://etc/passwd"),
        Item::new(json!({"httpRoute": {"match": {"prefix": "/"},
            "action": {"weightedTargets": [{"virtualNode": node, "weight": 1}]}}})),
    );
    m
}

/// Creates `meshes` on a fresh sandbox with `form` (the command, or --cli-input-json files),
/// then checks every resource's spec and tags through the AWS CLI.
fn recreate(form: Format, meshes: &[MeshModel]) {
    let serve = Serve::ephemeral();
    let opts = ExportOptions {
        cli: iac::cli::CliTarget {
            region: Some("us-east-1".into()),
            endpoint_url: Some(serve.endpoint.clone()),
        },
        ..ExportOptions::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let mut argvs = Vec::new();
    let mut order = Vec::new();
    for m in meshes {
        for key in m.create_order() {
            let item = &m.items[&key];
            match form {
                Format::AwsCli => {
                    let cmd = iac::export_resource(form, &key, item, &opts).text;
                    let mut a = argv_of_script(&cmd);
                    assert_eq!(a.len(), 1, "{cmd}");
                    argvs.push(a.remove(0));
                }
                _ => {
                    let doc = iac::export_resource(Format::CliInputJson, &key, item, &opts).text;
                    let p = dir.path().join(format!("{}.json", argvs.len()));
                    std::fs::write(&p, doc).unwrap();
                    let kebab = snake(key.kind.info().name).replace('_', "-");
                    argvs.push(vec![
                        "appmesh".into(),
                        format!("create-{kebab}"),
                        "--endpoint-url".into(),
                        serve.endpoint.clone(),
                        "--cli-input-json".into(),
                        format!("file://{}", p.display()),
                    ]);
                }
            }
            order.push((key.clone(), item.clone()));
        }
    }
    let created = run_cli(&argvs);
    for ((key, _), r) in order.iter().zip(&created) {
        assert_eq!(r["rc"], 0, "{form:?} {key:?}: {}", r["err"]);
    }
    let describes: Vec<Vec<String>> = order
        .iter()
        .map(|(k, _)| describe_args(k, &serve.endpoint))
        .collect();
    let described = run_cli(&describes);
    let mut tag_args = Vec::new();
    for ((key, item), r) in order.iter().zip(&described) {
        assert_eq!(r["rc"], 0, "{key:?}: {}", r["err"]);
        let v: Value = serde_json::from_str(r["out"].as_str().unwrap()).unwrap();
        let data = &v[key.kind.info().output_member];
        assert_eq!(data["spec"], item.spec, "{form:?}: spec of {key:?}");
        tag_args.push(vec![
            "appmesh".to_string(),
            "list-tags-for-resource".into(),
            "--endpoint-url".into(),
            serve.endpoint.clone(),
            "--resource-arn".into(),
            data["metadata"]["arn"].as_str().unwrap().to_string(),
        ]);
    }
    for ((key, item), r) in order.iter().zip(run_cli(&tag_args)) {
        let v: Value = serde_json::from_str(r["out"].as_str().unwrap()).unwrap();
        let got: BTreeMap<String, String> = v["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["key"].as_str().unwrap().to_string(),
                    t["value"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(got, item.tags, "{form:?}: tags of {key:?}");
    }
}

#[test]
fn cli_commands_recreate_every_resource_on_the_sandbox() {
    let mut all = meshes();
    all.push(awkward());
    recreate(Format::AwsCli, &all);
}

#[test]
fn cli_input_json_documents_recreate_every_resource_on_the_sandbox() {
    let mut all = meshes();
    all.push(awkward());
    recreate(Format::CliInputJson, &all);
}

#[test]
fn a_whole_mesh_script_runs_in_order() {
    // The whole-mesh AWS CLI export is a script whose commands run in an order the sandbox
    // accepts (what a route or service names exists before it).
    let serve = Serve::ephemeral();
    let opts = ExportOptions {
        cli: iac::cli::CliTarget {
            region: None,
            endpoint_url: Some(serve.endpoint.clone()),
        },
        ..ExportOptions::default()
    };
    let mesh = &meshes()[0];
    let script = iac::export_mesh(Format::AwsCli, mesh, &opts).text;
    assert!(script.starts_with("#!/bin/sh\n"));
    let argvs = argv_of_script(&script);
    assert_eq!(argvs.len(), mesh.items.len());
    for (r, a) in run_cli(&argvs).iter().zip(&argvs) {
        assert_eq!(r["rc"], 0, "{a:?}: {}", r["err"]);
    }
}
