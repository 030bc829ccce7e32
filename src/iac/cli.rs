//! The AWS CLI forms of creating any resource: the `aws appmesh create-…` command line, quoted
//! for a POSIX shell, and the `--cli-input-json` document.
//!
//! The option and key names come from the kind registry and the model's Create operation
//! (`meshName` → `--mesh-name`, `virtualRouterName` → `--virtual-router-name`); the values are
//! the wire form, which is also what the CLI reads. This is the mesh command of
//! [`crate::export`] made general: the mesh export calls it, and its tests (hostile names
//! through a real `sh`) hold for every kind.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::export::{CLI_LINE_WIDTH, CLI_PARAMFILE_PREFIXES, cli_option, comment_safe};
use crate::kind::{Key, Kind};

/// What a create command sends.
#[derive(Clone, Copy, Debug)]
pub struct CreateInput<'a> {
    pub key: &'a Key,
    /// The spec in the wire form. A mesh without one (or with an empty one) is created without
    /// `--spec`; every other kind sends it (`{}` when `None`), as the model requires.
    pub spec: Option<&'a Value>,
    /// In the order given.
    pub tags: &'a [(&'a str, &'a str)],
    /// ARN of the resource this definition was read from: the command gets a comment naming
    /// it.
    pub existing_arn: Option<&'a str>,
}

/// Where the command sends its request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CliTarget {
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

/// `VirtualNode` → `virtual-node`, `meshName` → `mesh-name`.
pub fn kebab(camel: &str) -> String {
    super::names::snake(camel).replace('_', "-")
}

/// The CLI subcommand: `create-virtual-node`.
pub fn create_subcommand(kind: Kind) -> String {
    format!("create-{}", kebab(kind.info().name))
}

/// The name members of a Create request and their values, in the order the CLI documents
/// them: mesh, parent (router or gateway), the resource's own name.
fn name_members(key: &Key) -> Vec<(&'static str, &str)> {
    let info = key.kind.info();
    let mut out = vec![("meshName", key.mesh.as_str())];
    if let Some(p) = info.parent {
        out.push((p.info().name_member, key.parent.as_str()));
    }
    if key.kind != Kind::Mesh {
        out.push((info.name_member, key.name.as_str()));
    }
    out
}

fn spec_to_send(input: &CreateInput<'_>) -> Option<Value> {
    match (input.key.kind, input.spec) {
        (Kind::Mesh, None) => None,
        (Kind::Mesh, Some(Value::Object(o))) if o.is_empty() => None,
        (_, Some(s)) => Some(s.clone()),
        (_, None) => Some(Value::Object(Map::new())),
    }
}

fn tags_value(tags: &[(&str, &str)]) -> Value {
    Value::Array(
        tags.iter()
            .map(|(k, v)| serde_json::json!({ "key": k, "value": v }))
            .collect(),
    )
}

/// The `--cli-input-json` document as a value: the Create input's members without
/// `clientToken` (the CLI fills it in) and `meshOwner`.
pub fn input_value(input: &CreateInput<'_>) -> Value {
    // Inserted in sorted order, the order `--generate-cli-skeleton` uses too, so the output
    // is the same whether or not serde_json's `preserve_order` is on somewhere in the tree.
    let mut pairs: Vec<(String, Value)> = name_members(input.key)
        .into_iter()
        .map(|(m, v)| (m.to_string(), Value::String(v.to_string())))
        .collect();
    if let Some(s) = spec_to_send(input) {
        pairs.push(("spec".into(), s));
    }
    if !input.tags.is_empty() {
        pairs.push(("tags".into(), tags_value(input.tags)));
    }
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    Value::Object(pairs.into_iter().collect())
}

/// The `--cli-input-json` document, pretty-printed like the skeleton (four-space indent), with
/// a trailing newline.
pub fn input_json(input: &CreateInput<'_>) -> String {
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut buf,
        serde_json::ser::PrettyFormatter::with_indent(b"    "),
    );
    input_value(input)
        .serialize(&mut ser)
        .expect("a JSON value always serializes");
    let mut s = String::from_utf8(buf).expect("serde_json writes UTF-8");
    s.push('\n');
    s
}

/// The `aws appmesh create-…` command that creates this resource, quoted for a POSIX shell.
///
/// `--spec` and `--tags` are compact JSON. When a name would be taken by the AWS CLI for a
/// file or URL reference (`file://…`, `fileb://…`, `http://…`, `https://…`), the whole request
/// goes in `--cli-input-json` instead, where the CLI does not follow it.
pub fn command(input: &CreateInput<'_>, target: &CliTarget) -> String {
    let mut words: Vec<String> = vec![format!("aws appmesh {}", create_subcommand(input.key.kind))];
    let names = name_members(input.key);
    if names
        .iter()
        .any(|(_, v)| CLI_PARAMFILE_PREFIXES.iter().any(|p| v.starts_with(p)))
    {
        let doc = serde_json::to_string(&input_value(input)).expect("a JSON value serializes");
        words.push(cli_option("--cli-input-json", &doc));
    } else {
        for (member, value) in names {
            words.push(cli_option(&format!("--{}", kebab(member)), value));
        }
        if let Some(spec) = spec_to_send(input) {
            words.push(cli_option("--spec", &spec.to_string()));
        }
        if !input.tags.is_empty() {
            words.push(cli_option("--tags", &tags_value(input.tags).to_string()));
        }
    }
    if let Some(r) = &target.region {
        words.push(cli_option("--region", r));
    }
    if let Some(u) = &target.endpoint_url {
        // A password in the URL never goes into an export.
        words.push(cli_option("--endpoint-url", &crate::redact::redact(u)));
    }
    let one_line = words.join(" ");
    let mut out = String::new();
    if let Some(arn) = input.existing_arn {
        out.push_str(&format!(
            "# Recreates the existing {} {}\n",
            input.key.kind,
            comment_safe(arn)
        ));
    }
    if one_line.chars().count() <= CLI_LINE_WIDTH && !one_line.contains('\n') {
        out.push_str(&one_line);
    } else {
        out.push_str(&words.join(" \\\n  "));
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn subcommands_and_options() {
        assert_eq!(create_subcommand(Kind::VirtualNode), "create-virtual-node");
        assert_eq!(
            create_subcommand(Kind::GatewayRoute),
            "create-gateway-route"
        );
        assert_eq!(kebab("virtualRouterName"), "virtual-router-name");
        let key = Key::new(Kind::Route, "m", "r", "x");
        let spec = json!({"tcpRoute": {"action": {"weightedTargets": [{"virtualNode": "n", "weight": 1}]}}});
        let cmd = command(
            &CreateInput {
                key: &key,
                spec: Some(&spec),
                tags: &[],
                existing_arn: None,
            },
            &CliTarget::default(),
        );
        assert!(
            cmd.starts_with(
                "aws appmesh create-route \\\n  --mesh-name m \\\n  --virtual-router-name r \\\n  --route-name x \\\n  --spec '"
            ),
            "{cmd}"
        );
        let doc: Value = serde_json::from_str(&input_json(&CreateInput {
            key: &key,
            spec: Some(&spec),
            tags: &[("k", "v")],
            existing_arn: None,
        }))
        .unwrap();
        assert_eq!(
            doc,
            json!({"meshName": "m", "virtualRouterName": "r", "routeName": "x", "spec": spec,
                "tags": [{"key": "k", "value": "v"}]})
        );
    }

    #[test]
    fn kinds_other_than_mesh_always_send_a_spec() {
        let key = Key::new(Kind::VirtualRouter, "m", "", "r");
        let cmd = command(
            &CreateInput {
                key: &key,
                spec: None,
                tags: &[],
                existing_arn: None,
            },
            &CliTarget::default(),
        );
        assert_eq!(
            cmd,
            "aws appmesh create-virtual-router \\\n  --mesh-name m \\\n  --virtual-router-name r \\\n  --spec '{}'\n"
        );
        let mesh = Key::mesh("m");
        let cmd = command(
            &CreateInput {
                key: &mesh,
                spec: Some(&json!({})),
                tags: &[],
                existing_arn: None,
            },
            &CliTarget::default(),
        );
        assert_eq!(cmd, "aws appmesh create-mesh --mesh-name m\n");
    }

    #[test]
    fn a_parent_name_that_looks_like_a_url_goes_in_the_json_document() {
        let key = Key::new(Kind::GatewayRoute, "m", "https://gw", "x");
        let cmd = command(
            &CreateInput {
                key: &key,
                spec: None,
                tags: &[],
                existing_arn: None,
            },
            &CliTarget::default(),
        );
        assert!(!cmd.contains("--virtual-gateway-name"), "{cmd}");
        assert!(cmd.contains("--cli-input-json"), "{cmd}");
    }
}
