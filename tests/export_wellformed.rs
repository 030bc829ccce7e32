//! The exports, checked with tools we did not write:
//! - CloudFormation YAML parsed by PyYAML (with a loader that accepts `!Ref` / `!GetAtt`),
//! - Terraform HCL parsed by python-hcl2,
//! - the `--cli-input-json` key set against `aws appmesh create-mesh --generate-cli-skeleton`,
//! - the generated `aws appmesh create-mesh` commands and `--cli-input-json` documents run with
//!   `sh -c` against `moto_server`, and the result read back with `describe-mesh` and
//!   `list-tags-for-resource`.
//!
//! Needs `python3` with PyYAML and python-hcl2 (`python3 -m pip install PyYAML python-hcl2`),
//! the AWS CLI and `moto_server` (`python3 -m pip install 'moto[server]'`). A missing tool fails
//! the test with a message saying what to install.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use appmesh_tui::export::{
    ExportInput, ExportTarget, aws_cli_command, cli_input_json, cloudformation_yaml, terraform_hcl,
    terraform_ident,
};
use appmesh_tui::model::{EgressFilter, IpPreference, MeshSpec, Tag};
use appmesh_tui::sandbox::{self, Config, Sandbox, StateLocation};
use appmesh_tui::template::Template;
use serde_json::{Value, json};

/// Names and values that break naive quoting in one format or another.
const AWKWARD: [&str; 9] = [
    "plain-mesh",
    "it's a \"mesh\"",
    "$(touch x) `id` ${HOME} $$${x} %{if y} %%{z}",
    "back\\slash \\n not-a-newline",
    "ünïcødé 🦀 网格",
    "-starts-with-dash",
    "yaml: [flow] {map} & *alias ! # comment ? | >",
    "true",
    "0123",
];

fn specs() -> [MeshSpec; 3] {
    [
        MeshSpec::default(),
        MeshSpec {
            egress_filter: Some(EgressFilter::AllowAll),
            ip_preference: Some(IpPreference::Ipv6Preferred),
        },
        MeshSpec {
            egress_filter: Some(EgressFilter::DropAll),
            ip_preference: None,
        },
    ]
}

/// Runs a Python script with `input` on stdin; its stdout is JSON.
fn python(script: &str, input: &str) -> Value {
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(script)
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
        "a Python module is missing; run `python3 -m pip install PyYAML python-hcl2`:\n{stderr}"
    );
    assert!(
        out.status.success(),
        "python failed on:\n{input}\n---\n{stderr}"
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Parses each document with `parse(text)` (Python, defined by `script`) in one python3 run;
/// any parse error fails the test, naming the document.
fn parse_all(script: &str, docs: &[String]) -> Vec<Value> {
    let driver = format!(
        "{script}\nimport sys, json\nout = []\nfor i, text in enumerate(json.loads(sys.stdin.buffer.read().decode('utf-8'))):\n    try:\n        out.append(parse(text))\n    except Exception as e:\n        sys.stderr.write('document %d: %r\\n' % (i, e))\n        sys.exit(1)\nprint(json.dumps(out))\n"
    );
    let input = serde_json::to_string(docs).unwrap();
    let parsed = python(&driver, &input);
    let parsed = parsed.as_array().unwrap().clone();
    assert_eq!(parsed.len(), docs.len());
    parsed
}

fn parse_one(script: &str, doc: String) -> Value {
    parse_all(script, &[doc]).remove(0)
}

const YAML_TO_JSON: &str = r#"
import yaml
class Loader(yaml.SafeLoader):
    pass
# CloudFormation's short forms: !Ref X -> {"Ref": "X"}, !GetAtt X.Y -> {"GetAtt": "X.Y"}.
Loader.add_multi_constructor("!", lambda loader, suffix, node: {suffix: loader.construct_scalar(node)})
def parse(text):
    return yaml.load(text, Loader=Loader)
"#;

const HCL_TO_JSON: &str = r#"
import sys, hcl2
try:
    from hcl2.utils import SerializationOptions
except ImportError:
    sys.exit("python-hcl2 8 or later is needed: python3 -m pip install 'python-hcl2>=8'")
opts = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)
def parse(text):
    return hcl2.loads(text, serialization_options=opts)
"#;

#[test]
fn cloudformation_parses_as_yaml_with_the_right_properties() {
    let mut cases = Vec::new();
    for spec in specs() {
        for s in AWKWARD {
            for arn in [
                None,
                Some("arn:aws:appmesh:us-east-1:123456789012:mesh/x\n: y"),
            ] {
                cases.push((spec.clone(), s, arn));
            }
        }
    }
    let docs: Vec<String> = cases
        .iter()
        .map(|(spec, s, arn)| {
            let tags = [Tag::new(*s, *s), Tag::new("empty", "")];
            let mut input = ExportInput::new(s, spec, &tags);
            input.existing_arn = *arn;
            cloudformation_yaml(&input)
        })
        .collect();
    let parsed = parse_all(YAML_TO_JSON, &docs);
    for (((spec, s, arn), yaml), doc) in cases.iter().zip(&docs).zip(&parsed) {
        let (s, arn) = (*s, *arn);
        assert_eq!(doc["AWSTemplateFormatVersion"], "2010-09-09", "{yaml}");
        let mesh = &doc["Resources"]["Mesh"];
        assert_eq!(mesh["Type"], "AWS::AppMesh::Mesh");
        let props = &mesh["Properties"];
        assert_eq!(props["MeshName"], s, "{yaml}");
        let mut expected_spec = serde_json::Map::new();
        if let Some(e) = spec.egress_filter {
            expected_spec.insert("EgressFilter".into(), json!({ "Type": e.as_str() }));
        }
        if let Some(p) = spec.ip_preference {
            expected_spec.insert(
                "ServiceDiscovery".into(),
                json!({ "IpPreference": p.as_str() }),
            );
        }
        if expected_spec.is_empty() {
            assert!(props.get("Spec").is_none(), "{yaml}");
        } else {
            assert_eq!(props["Spec"], Value::Object(expected_spec), "{yaml}");
        }
        assert_eq!(
            props["Tags"],
            json!([{ "Key": s, "Value": s }, { "Key": "empty", "Value": "" }]),
            "{yaml}"
        );
        let mut prop_keys: Vec<&str> = props
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        prop_keys.retain(|k| !["MeshName", "Spec", "Tags"].contains(k));
        assert!(prop_keys.is_empty(), "unexpected properties {prop_keys:?}");
        assert_eq!(doc["Outputs"]["MeshArn"]["Value"], json!({ "Ref": "Mesh" }));
        assert_eq!(
            doc["Outputs"]["MeshUid"]["Value"],
            json!({ "GetAtt": "Mesh.Uid" })
        );
        assert_eq!(
            doc["Outputs"]["MeshName"]["Value"],
            json!({ "GetAtt": "Mesh.MeshName" })
        );
        let retain = if arn.is_some() {
            json!("Retain")
        } else {
            Value::Null
        };
        assert_eq!(mesh["DeletionPolicy"], retain, "{yaml}");
    }
}

#[test]
fn yaml_quoting_survives_every_awkward_character() {
    // One scalar with every C0 control, DEL, C1 controls, line/paragraph separators, a BOM,
    // non-BMP characters, quotes and backslashes.
    let mut s: String = (0u32..0x20).filter_map(char::from_u32).collect();
    s.push_str("\u{7f}\u{80}\u{85}\u{9f}\u{a0}\u{2028}\u{2029}\u{feff}\u{fffd}🦀\"'\\ :#");
    let spec = MeshSpec::default();
    let tags = [Tag::new("k", s.as_str())];
    let doc = parse_one(
        YAML_TO_JSON,
        cloudformation_yaml(&ExportInput::new(&s, &spec, &tags)),
    );
    assert_eq!(
        doc["Resources"]["Mesh"]["Properties"]["MeshName"],
        s.as_str()
    );
    assert_eq!(
        doc["Resources"]["Mesh"]["Properties"]["Tags"][0]["Value"],
        s.as_str()
    );
}

/// HCL template escapes python-hcl2 leaves in place (`$${` and `%%{` are literal `${`, `%{`).
fn hcl_literal(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v}"))
        .replace("$${", "${")
        .replace("%%{", "%{")
}

#[test]
fn terraform_parses_as_hcl_with_the_right_attributes() {
    let cases: Vec<(MeshSpec, &str)> = specs()
        .into_iter()
        .flat_map(|spec| AWKWARD.map(|s| (spec.clone(), s)))
        .collect();
    let docs: Vec<String> = cases
        .iter()
        .map(|(spec, s)| {
            let tags = [Tag::new(*s, *s), Tag::new("empty", "")];
            terraform_hcl(&ExportInput::new(s, spec, &tags).with_existing_arn("arn:x"))
        })
        .collect();
    let parsed = parse_all(HCL_TO_JSON, &docs);
    for (((spec, s), hcl), doc) in cases.iter().zip(&docs).zip(&parsed) {
        let s = *s;
        let ident = terraform_ident(s);
        let imports = doc["import"].as_array().expect("one import block");
        assert_eq!(imports.len(), 1, "{hcl}");
        assert_eq!(hcl_literal(&imports[0]["id"]), s, "{hcl}");
        assert_eq!(
            imports[0]["to"],
            format!("${{aws_appmesh_mesh.{ident}}}"),
            "{hcl}"
        );
        let resources = doc["resource"].as_array().unwrap();
        assert_eq!(resources.len(), 1);
        let mesh = &resources[0]["aws_appmesh_mesh"][&ident];
        assert!(mesh.is_object(), "no aws_appmesh_mesh.{ident} in {doc}");
        assert_eq!(hcl_literal(&mesh["name"]), s, "{hcl}");
        let tag_map = mesh["tags"].as_object().unwrap();
        let got: Vec<(String, String)> = tag_map
            .iter()
            .map(|(k, v)| (hcl_literal(&Value::String(k.clone())), hcl_literal(v)))
            .collect();
        let mut want = vec![
            (s.to_string(), s.to_string()),
            ("empty".to_string(), String::new()),
        ];
        let mut got = got;
        got.sort();
        want.sort();
        assert_eq!(got, want, "{hcl}");
        if *spec == MeshSpec::default() {
            assert!(mesh.get("spec").is_none(), "{hcl}");
        } else {
            let spec_block = &mesh["spec"][0];
            match spec.egress_filter {
                Some(e) => assert_eq!(spec_block["egress_filter"][0]["type"], e.as_str()),
                None => assert!(spec_block.get("egress_filter").is_none()),
            }
            match spec.ip_preference {
                Some(p) => assert_eq!(
                    spec_block["service_discovery"][0]["ip_preference"],
                    p.as_str()
                ),
                None => assert!(spec_block.get("service_discovery").is_none()),
            }
        }
    }
}

#[test]
fn hcl_quoting_survives_control_characters() {
    let mut s: String = (1u32..0x20).filter_map(char::from_u32).collect();
    s.push_str("\u{7f}\u{85}\u{2028}\"\\🦀 ${a} %{b} $${c} $");
    let spec = MeshSpec::default();
    let doc = parse_one(
        HCL_TO_JSON,
        terraform_hcl(&ExportInput::new(&s, &spec, &[])),
    );
    let name = &doc["resource"][0]["aws_appmesh_mesh"][&terraform_ident(&s)]["name"];
    assert_eq!(hcl_literal(name), s);
}

// ---------------------------------------------------------------------------------------------
// AWS CLI

fn aws(args: &[&str]) -> std::process::Output {
    Command::new("aws")
        .args(args)
        .envs(cli_env())
        .output()
        .expect("the AWS CLI (`aws`) is needed for this test")
}

/// Credentials and config that keep the CLI away from any real account and local profile.
fn cli_env() -> Vec<(&'static str, &'static str)> {
    vec![
        // The sandbox checks for its own key pair; moto takes anything.
        ("AWS_ACCESS_KEY_ID", sandbox::ACCESS_KEY_ID),
        ("AWS_SECRET_ACCESS_KEY", sandbox::SECRET_ACCESS_KEY),
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("AWS_CONFIG_FILE", "/dev/null"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
        ("AWS_PAGER", ""),
        ("AWS_DEFAULT_OUTPUT", "json"),
    ]
}

/// Every key path in a JSON document (array items merged under `[]`), sorted.
fn key_paths(v: &Value, prefix: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let p = format!("{prefix}.{k}");
                out.push(p.clone());
                key_paths(v, &p, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                key_paths(item, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn cli_input_json_has_the_skeleton_key_set() {
    let out = aws(&["appmesh", "create-mesh", "--generate-cli-skeleton"]);
    assert!(out.status.success(), "{out:?}");
    let skeleton: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut want = Vec::new();
    key_paths(&skeleton, "$", &mut want);
    want.retain(|p| p != "$.clientToken");
    want.sort();
    want.dedup();

    let spec = MeshSpec {
        egress_filter: Some(EgressFilter::AllowAll),
        ip_preference: Some(IpPreference::Ipv4Only),
    };
    let ours: Value =
        serde_json::from_str(&cli_input_json("m", &spec, &[Tag::new("k", "v")])).unwrap();
    let mut got = Vec::new();
    key_paths(&ours, "$", &mut got);
    got.sort();
    got.dedup();
    assert_eq!(got, want);
}

/// A `moto_server` on a free port, stopped on drop.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Moto {
    fn start() -> Moto {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("moto_server is needed for this test (python3 -m pip install 'moto[server]')");
        // Werkzeug announces "Running on http://…" once it listens; keep draining both pipes
        // afterwards so that request logging never blocks the server.
        let (tx, rx) = mpsc::channel::<String>();
        for pipe in [
            Box::new(child.stderr.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stdout.take().unwrap()),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        drop(tx);
        let mut seen = Vec::new();
        loop {
            match rx.recv_timeout(Duration::from_secs(60)) {
                Ok(line) if line.contains("Running on") => break,
                Ok(line) => seen.push(line),
                Err(e) => {
                    let _ = child.kill();
                    panic!(
                        "moto_server did not start ({e}); it said:\n{}",
                        seen.join("\n")
                    );
                }
            }
        }
        std::thread::spawn(move || for _ in rx {});
        Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The mesh as `describe-mesh` returns it (`None` for names with `/`, which moto cannot route
/// in a URL path), and its tags from `list-tags-for-resource`.
fn read_back(endpoint: &str, name: &str, arn: &str) -> (Option<Value>, Value) {
    let mesh = (!name.contains('/')).then(|| {
        // Through --cli-input-json, so that no name is taken for a file:// reference.
        let doc = json!({ "meshName": name }).to_string();
        let out = aws(&[
            "appmesh",
            "describe-mesh",
            "--cli-input-json",
            &doc,
            "--endpoint-url",
            endpoint,
            "--output",
            "json",
        ]);
        assert!(out.status.success(), "describe-mesh {name:?}: {out:?}");
        let mesh: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(mesh["mesh"]["metadata"]["arn"], arn);
        mesh["mesh"].clone()
    });
    let out = aws(&[
        "appmesh",
        "list-tags-for-resource",
        "--resource-arn",
        arn,
        "--endpoint-url",
        endpoint,
        "--output",
        "json",
    ]);
    assert!(
        out.status.success(),
        "list-tags-for-resource {arn}: {out:?}"
    );
    let tags: Value = serde_json::from_slice(&out.stdout).unwrap();
    (mesh, tags["tags"].clone())
}

/// Checks a mesh that create-mesh printed (`created`, the CLI's JSON output), and reads it back
/// with describe-mesh and list-tags-for-resource.
fn check_created(endpoint: &str, created: &[u8], name: &str, spec: &MeshSpec, tags: &[Tag]) {
    let created: Value = serde_json::from_slice(created)
        .unwrap_or_else(|e| panic!("create-mesh printed no JSON ({e})"));
    let created = &created["mesh"];
    let arn = created["metadata"]["arn"]
        .as_str()
        .expect("an ARN")
        .to_string();
    let (described, got_tags) = read_back(endpoint, name, &arn);
    for mesh in [Some(created.clone()), described].into_iter().flatten() {
        assert_eq!(mesh["meshName"], name);
        if let Some(e) = spec.egress_filter {
            assert_eq!(mesh["spec"]["egressFilter"]["type"], e.as_str(), "{mesh}");
        }
        match spec.ip_preference {
            Some(p) => assert_eq!(
                mesh["spec"]["serviceDiscovery"]["ipPreference"],
                p.as_str(),
                "{mesh}"
            ),
            None => assert!(
                mesh["spec"]["serviceDiscovery"]["ipPreference"].is_null(),
                "{mesh}"
            ),
        }
    }
    let mut got: Vec<(String, String)> = got_tags
        .as_array()
        .map(|a| {
            a.iter()
                .map(|t| {
                    (
                        t["key"].as_str().unwrap().to_string(),
                        t["value"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut want: Vec<(String, String)> = tags
        .iter()
        .map(|t| (t.key.clone(), t.value.clone()))
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want, "tags of {name:?}");
}

/// Names the CLI round trip uses: the awkward ones plus names the AWS CLI would otherwise
/// take for file or URL references.
fn round_trip_names() -> Vec<String> {
    let mut names: Vec<String> = AWKWARD.iter().map(|s| s.to_string()).collect();
    names.push("file://etc/passwd".into());
    names.push("https://example.invalid/x".into());
    names.push("a\nmulti-line\tname".into());
    names
}

#[test]
fn generated_commands_and_documents_work_with_the_aws_cli_against_moto() {
    let moto = Moto::start();
    cli_round_trip(&moto.endpoint);
}

#[test]
fn generated_commands_and_documents_work_with_the_aws_cli_against_the_sandbox() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sb = rt
        .block_on(Sandbox::start(Config::new(
            "us-east-1",
            StateLocation::Ephemeral,
        )))
        .expect("sandbox starts");
    // The CLI runs on this thread; the sandbox serves on the runtime's worker threads.
    cli_round_trip(&sb.endpoint());
    rt.block_on(sb.shutdown());
}

/// Runs every generated command with `sh -c`, and the `--cli-input-json` documents with the
/// CLI, against `endpoint`, and checks each mesh the way the CLI reads it back.
fn cli_round_trip(endpoint: &str) {
    let target = ExportTarget {
        region: Some("us-east-1".into()),
        endpoint_url: Some(endpoint.to_string()),
    };
    let specs = specs();
    for (i, name) in round_trip_names().iter().enumerate() {
        let spec = &specs[i % specs.len()];
        let tags = [Tag::new("team", name.as_str()), Tag::new(name.as_str(), "")];
        let cmd = aws_cli_command(&ExportInput::new(name, spec, &tags), &target);
        let out = Command::new("sh")
            .arg("-c")
            .arg(&cmd)
            .envs(cli_env())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "command failed:\n{cmd}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        check_created(endpoint, &out.stdout, name, spec, &tags);
    }

    // The --cli-input-json document, from a file, for another mesh.
    let dir = tempfile::tempdir().unwrap();
    let spec = &specs[1];
    let tags = [Tag::new("env", "it's \"dev\"")];
    let doc_path = dir.path().join("create-mesh.json");
    std::fs::write(&doc_path, cli_input_json("from-json", spec, &tags)).unwrap();
    let file_arg = format!("file://{}", doc_path.display());
    let out = aws(&[
        "appmesh",
        "create-mesh",
        "--cli-input-json",
        &file_arg,
        "--endpoint-url",
        endpoint,
    ]);
    assert!(out.status.success(), "{out:?}");
    check_created(endpoint, &out.stdout, "from-json", spec, &tags);

    // The team-dev example: the CLI rejects the template file itself (the rules section is
    // appmesh-tui's own) and accepts Template::cli_input_json().
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/templates/team-dev.json");
    let out = aws(&[
        "appmesh",
        "create-mesh",
        "--cli-input-json",
        &format!("file://{}", example.display()),
        "--endpoint-url",
        endpoint,
    ]);
    assert!(!out.status.success(), "the CLI accepted the rules section");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("x-appmesh-tui-rules"),
        "{out:?}"
    );
    let t = Template::load(&example).unwrap();
    let stripped = dir.path().join("team-dev.cli.json");
    std::fs::write(&stripped, t.cli_input_json()).unwrap();
    let out = aws(&[
        "appmesh",
        "create-mesh",
        "--cli-input-json",
        &format!("file://{}", stripped.display()),
        "--endpoint-url",
        endpoint,
    ]);
    assert!(out.status.success(), "{out:?}");
    check_created(
        endpoint,
        &out.stdout,
        t.mesh_name.as_deref().unwrap(),
        &t.spec,
        &t.tags,
    );
}
