//! Exports of a mesh definition: AWS CLI command, `--cli-input-json` document, CloudFormation
//! YAML, Terraform HCL; OSC 52 clipboard sequences. Files are written by
//! [`crate::fileio::write_file`].
//!
//! Everything here is pure string building, so the screens can call it on every keystroke. Property names follow the official references:
//! - CLI / JSON: the service model's `CreateMeshInput` (`meshName`, `spec.egressFilter.type`,
//!   `spec.serviceDiscovery.ipPreference`, `tags[].key/value`), the same key set that
//!   `aws appmesh create-mesh --generate-cli-skeleton` prints, less `clientToken`.
//! - CloudFormation: `AWS::AppMesh::Mesh` (`MeshName`, `Spec.EgressFilter.Type`,
//!   `Spec.ServiceDiscovery.IpPreference`, `Tags[].Key/Value`); `Ref` returns the ARN;
//!   `Fn::GetAtt` offers `Arn`, `MeshName`, `MeshOwner`, `ResourceOwner`, `Uid`.
//! - Terraform: `aws_appmesh_mesh` (`name`, `spec { egress_filter { type } service_discovery
//!   { ip_preference } }`, `tags` map); meshes are imported by their name.

use std::fmt;

use serde_json::{Map, Value, json};

use crate::model::{MeshSpec, Tag};

/// What to export: a mesh definition, and optionally the mesh it was read from.
#[derive(Clone, Copy, Debug)]
pub struct ExportInput<'a> {
    pub name: &'a str,
    pub spec: &'a MeshSpec,
    pub tags: &'a [Tag],
    /// ARN of an existing mesh this definition describes (an import). Terraform gets an
    /// `import` block; CloudFormation and the CLI command get a comment naming it.
    pub existing_arn: Option<&'a str>,
}

impl<'a> ExportInput<'a> {
    pub fn new(name: &'a str, spec: &'a MeshSpec, tags: &'a [Tag]) -> Self {
        ExportInput {
            name,
            spec,
            tags,
            existing_arn: None,
        }
    }

    pub fn with_existing_arn(mut self, arn: &'a str) -> Self {
        self.existing_arn = Some(arn);
        self
    }
}

/// Where the exported CLI command should send its request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportTarget {
    /// Adds `--region R`.
    pub region: Option<String>,
    /// Adds `--endpoint-url URL` (the sandbox, for instance).
    pub endpoint_url: Option<String>,
}

/// The export formats, in the order a menu lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    AwsCli,
    CliInputJson,
    CloudFormation,
    Terraform,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 4] = [
        ExportFormat::AwsCli,
        ExportFormat::CliInputJson,
        ExportFormat::CloudFormation,
        ExportFormat::Terraform,
    ];

    /// Menu label.
    pub fn label(self) -> &'static str {
        match self {
            ExportFormat::AwsCli => "AWS CLI command",
            ExportFormat::CliInputJson => "AWS CLI --cli-input-json",
            ExportFormat::CloudFormation => "CloudFormation (YAML)",
            ExportFormat::Terraform => "Terraform (HCL)",
        }
    }

    /// File extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::AwsCli => "sh",
            ExportFormat::CliInputJson => "json",
            ExportFormat::CloudFormation => "yaml",
            ExportFormat::Terraform => "tf",
        }
    }

    /// A file name to suggest: the mesh name made file-name safe, plus the extension.
    pub fn default_file_name(self, mesh_name: &str) -> String {
        let stem = file_stem(mesh_name, '_', "mesh");
        let suffix = match self {
            ExportFormat::CliInputJson => ".create-mesh",
            _ => "",
        };
        format!("{stem}{suffix}.{}", self.extension())
    }

    /// The export's text. `target` is used by [`ExportFormat::AwsCli`] only.
    pub fn render(self, input: &ExportInput<'_>, target: &ExportTarget) -> String {
        match self {
            ExportFormat::AwsCli => aws_cli_command(input, target),
            ExportFormat::CliInputJson => cli_input_json(input.name, input.spec, input.tags),
            ExportFormat::CloudFormation => cloudformation_yaml(input),
            ExportFormat::Terraform => terraform_hcl(input),
        }
    }
}

impl fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

// ---------------------------------------------------------------------------------------------
// AWS CLI

/// The CreateMesh `spec` in the wire/CLI shape, or `None` when nothing is set.
pub fn spec_json(spec: &MeshSpec) -> Option<Value> {
    let mut m = Map::new();
    if let Some(e) = spec.egress_filter {
        m.insert("egressFilter".into(), json!({ "type": e.as_str() }));
    }
    if let Some(p) = spec.ip_preference {
        m.insert(
            "serviceDiscovery".into(),
            json!({ "ipPreference": p.as_str() }),
        );
    }
    (!m.is_empty()).then_some(Value::Object(m))
}

/// The CreateMesh `tags` in the wire/CLI shape.
pub fn tags_json(tags: &[Tag]) -> Value {
    Value::Array(
        tags.iter()
            .map(|t| json!({ "key": t.key, "value": t.value }))
            .collect(),
    )
}

fn cli_input_value(name: &str, spec: &MeshSpec, tags: &[Tag]) -> Value {
    // Inserted in the skeleton's order, which is also sorted order, so the output is the same
    // whether or not serde_json's `preserve_order` feature is on somewhere in the tree.
    let mut m = Map::new();
    m.insert("meshName".into(), Value::String(name.to_string()));
    if let Some(s) = spec_json(spec) {
        m.insert("spec".into(), s);
    }
    if !tags.is_empty() {
        m.insert("tags".into(), tags_json(tags));
    }
    Value::Object(m)
}

/// The `--cli-input-json` document for `aws appmesh create-mesh`: the key set of
/// `--generate-cli-skeleton` without `clientToken` (the CLI fills it in), unset parts omitted.
/// Pretty-printed like the skeleton (four-space indent), with a trailing newline.
pub fn cli_input_json(name: &str, spec: &MeshSpec, tags: &[Tag]) -> String {
    use serde::Serialize;
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut buf,
        serde_json::ser::PrettyFormatter::with_indent(b"    "),
    );
    cli_input_value(name, spec, tags)
        .serialize(&mut ser)
        .expect("a JSON value always serializes");
    let mut s = String::from_utf8(buf).expect("serde_json writes UTF-8");
    s.push('\n');
    s
}

/// Quotes one word for a POSIX shell: bare when it only has characters no shell treats
/// specially, otherwise in single quotes (a `'` inside becomes `'\''`). Safe for any content,
/// newlines and non-ASCII included.
pub fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'_' | b'-' | b'.' | b'/' | b':' | b',' | b'+' | b'@' | b'%'
                )
        })
        && !s.starts_with('-');
    if plain {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// Value prefixes for which the AWS CLI reads the parameter from a file or URL instead.
pub(crate) const CLI_PARAMFILE_PREFIXES: [&str; 4] = ["file://", "fileb://", "http://", "https://"];

/// One `--option value` pair, in the form the AWS CLI reads back verbatim.
pub(crate) fn cli_option(option: &str, value: &str) -> String {
    if value.starts_with('-') {
        // `--opt -x` would make argparse take `-x` for an option.
        format!("{option}={}", shell_quote(value))
    } else {
        format!("{option} {}", shell_quote(value))
    }
}

/// Commands longer than this on one line are split with ` \` continuations.
pub const CLI_LINE_WIDTH: usize = 80;

/// The `aws appmesh create-mesh` command that creates this mesh, quoted for a POSIX shell.
///
/// `--spec` and `--tags` are passed as compact JSON. A mesh name that the AWS CLI would take for
/// a file or URL reference (`file://…`, `fileb://…`, `http://…`, `https://…`) is passed inside
/// `--cli-input-json` instead, where the CLI does not follow it.
pub fn aws_cli_command(input: &ExportInput<'_>, target: &ExportTarget) -> String {
    // The general command of every kind (`iac::cli`), for a mesh.
    let key = crate::kind::Key::mesh(input.name);
    let spec = spec_json(input.spec);
    let tags: Vec<(&str, &str)> = input
        .tags
        .iter()
        .map(|t| (t.key.as_str(), t.value.as_str()))
        .collect();
    crate::iac::cli::command(
        &crate::iac::cli::CreateInput {
            key: &key,
            spec: spec.as_ref(),
            tags: &tags,
            existing_arn: input.existing_arn,
        },
        &crate::iac::cli::CliTarget {
            region: target.region.clone(),
            endpoint_url: target.endpoint_url.clone(),
        },
    )
}

/// Text for a `#` comment line: control characters (line breaks included) shown escaped.
pub(crate) fn comment_safe(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// CloudFormation

/// A YAML double-quoted scalar for any string: `\` and `"` escaped, and every character that
/// YAML does not allow literally or that it would fold as a line break (C0/C1 controls, DEL,
/// NEL, U+2028, U+2029, U+FFFE, U+FFFF) written as an escape.
pub fn yaml_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20
                || ('\u{7f}'..='\u{9f}').contains(&c)
                || c == '\u{2028}'
                || c == '\u{2029}'
                || c == '\u{fffe}'
                || c == '\u{ffff}' =>
            {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Logical ID of the mesh resource in the CloudFormation template.
pub const CFN_LOGICAL_ID: &str = "Mesh";

/// A CloudFormation template (YAML) with one `AWS::AppMesh::Mesh` and outputs for its ARN
/// (`!Ref`), `Uid` and `MeshName`. All strings are double-quoted YAML scalars.
///
/// With an existing ARN, the resource gets `DeletionPolicy: Retain` and
/// `UpdateReplacePolicy: Retain` (CloudFormation requires a `DeletionPolicy` on resources being
/// imported) and a comment on how to import it.
pub fn cloudformation_yaml(input: &ExportInput<'_>) -> String {
    let mut y = String::new();
    y.push_str("AWSTemplateFormatVersion: \"2010-09-09\"\n");
    // Not the mesh name: a description may have 1,024 bytes at most, and a 255-character
    // name can take 1,020.
    y.push_str("Description: \"App Mesh service mesh, exported by appmesh-tui\"\n");
    if let Some(arn) = input.existing_arn {
        y.push_str(&format!(
            "# Describes the existing mesh {}.\n# To bring it under this stack, create a change \
             set of type IMPORT with logical ID {CFN_LOGICAL_ID}.\n",
            yaml_quote(arn)
        ));
    }
    y.push_str("Resources:\n");
    y.push_str(&format!("  {CFN_LOGICAL_ID}:\n"));
    y.push_str("    Type: \"AWS::AppMesh::Mesh\"\n");
    if input.existing_arn.is_some() {
        y.push_str("    DeletionPolicy: \"Retain\"\n");
        y.push_str("    UpdateReplacePolicy: \"Retain\"\n");
    }
    y.push_str("    Properties:\n");
    y.push_str(&format!("      MeshName: {}\n", yaml_quote(input.name)));
    if input.spec.egress_filter.is_some() || input.spec.ip_preference.is_some() {
        y.push_str("      Spec:\n");
        if let Some(e) = input.spec.egress_filter {
            y.push_str("        EgressFilter:\n");
            y.push_str(&format!("          Type: {}\n", yaml_quote(e.as_str())));
        }
        if let Some(p) = input.spec.ip_preference {
            y.push_str("        ServiceDiscovery:\n");
            y.push_str(&format!(
                "          IpPreference: {}\n",
                yaml_quote(p.as_str())
            ));
        }
    }
    if !input.tags.is_empty() {
        y.push_str("      Tags:\n");
        for t in input.tags {
            y.push_str(&format!("        - Key: {}\n", yaml_quote(&t.key)));
            y.push_str(&format!("          Value: {}\n", yaml_quote(&t.value)));
        }
    }
    y.push_str("Outputs:\n");
    y.push_str("  MeshArn:\n");
    y.push_str("    Description: \"ARN of the mesh\"\n");
    y.push_str(&format!("    Value: !Ref {CFN_LOGICAL_ID}\n"));
    y.push_str("  MeshUid:\n");
    y.push_str("    Description: \"Unique ID of the mesh\"\n");
    y.push_str(&format!("    Value: !GetAtt {CFN_LOGICAL_ID}.Uid\n"));
    y.push_str("  MeshName:\n");
    y.push_str("    Description: \"Name of the mesh\"\n");
    y.push_str(&format!("    Value: !GetAtt {CFN_LOGICAL_ID}.MeshName\n"));
    y
}

// ---------------------------------------------------------------------------------------------
// Terraform

/// An HCL quoted template string for any string: `\`, `"` and control characters escaped, and
/// the template introducers `${` and `%{` doubled (`$${`, `%%{`) so they stay literal.
pub fn hcl_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Terraform resource name derived from the mesh name: lower-case ASCII letters, digits and
/// `_` (anything else becomes `_`), starting with a letter or `_` (`mesh_` is put in front
/// otherwise). Never empty.
pub fn terraform_ident(mesh_name: &str) -> String {
    let mut id: String = mesh_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if id.chars().all(|c| c == '_') {
        // Nothing of the name survived; a plain name reads better than a row of underscores.
        return "mesh".into();
    }
    if !id.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        id.insert_str(0, "mesh_");
    }
    id
}

/// A Terraform configuration with one `aws_appmesh_mesh` resource and, when the definition is
/// of an existing mesh, an `import` block (Terraform 1.5+) that imports it by name.
pub fn terraform_hcl(input: &ExportInput<'_>) -> String {
    let ident = terraform_ident(input.name);
    let mut h = String::new();
    if let Some(arn) = input.existing_arn {
        h.push_str(&format!("# Existing mesh {}\n", comment_safe(arn)));
        h.push_str("import {\n");
        h.push_str(&format!("  to = aws_appmesh_mesh.{ident}\n"));
        h.push_str(&format!("  id = {}\n", hcl_quote(input.name)));
        h.push_str("}\n\n");
    }
    h.push_str(&format!("resource \"aws_appmesh_mesh\" \"{ident}\" {{\n"));
    h.push_str(&format!("  name = {}\n", hcl_quote(input.name)));
    if input.spec.egress_filter.is_some() || input.spec.ip_preference.is_some() {
        h.push_str("\n  spec {\n");
        if let Some(e) = input.spec.egress_filter {
            h.push_str("    egress_filter {\n");
            h.push_str(&format!("      type = {}\n", hcl_quote(e.as_str())));
            h.push_str("    }\n");
        }
        if let Some(p) = input.spec.ip_preference {
            h.push_str("    service_discovery {\n");
            h.push_str(&format!(
                "      ip_preference = {}\n",
                hcl_quote(p.as_str())
            ));
            h.push_str("    }\n");
        }
        h.push_str("  }\n");
    }
    if !input.tags.is_empty() {
        h.push_str("\n  tags = {\n");
        for t in input.tags {
            h.push_str(&format!(
                "    {} = {}\n",
                hcl_quote(&t.key),
                hcl_quote(&t.value)
            ));
        }
        h.push_str("  }\n");
    }
    h.push_str("}\n");
    h
}

// ---------------------------------------------------------------------------------------------
// Clipboard

/// Standard base64 (RFC 4648, with `=` padding).
pub fn base64_encode(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The OSC 52 escape sequence that asks the terminal to put `text` on the clipboard:
/// `ESC ] 52 ; c ; <base64> BEL`. Write it to the terminal as is. Terminals may cap the size
/// (often around 100 kB of base64) or have OSC 52 turned off; there is no reply either way.
pub fn osc52_copy(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64_encode(text.as_bytes()))
}

/// A resource's name made safe as a file name in the current directory: characters other than
/// ASCII letters, digits, `-`, `_` and `.` become `replacement`, leading dots go (no hidden
/// file, no `..`), and `fallback` stands in for what is left empty.
pub(crate) fn file_stem(name: &str, replacement: char, fallback: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                replacement
            }
        })
        .collect();
    let stem = stem.trim_start_matches('.');
    if stem.is_empty() {
        fallback.to_string()
    } else {
        stem.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EgressFilter, IpPreference};

    fn full_spec() -> MeshSpec {
        MeshSpec {
            egress_filter: Some(EgressFilter::AllowAll),
            ip_preference: Some(IpPreference::Ipv4Preferred),
        }
    }

    /// Runs `sh -c 'printf %s <word>'` and returns what the shell made of the word.
    fn through_sh(word: &str) -> String {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("printf %s {word}"))
            .output()
            .expect("sh runs");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    }

    const NASTY: [&str; 12] = [
        "",
        "plain-name_1.2",
        "it's",
        "'",
        "''",
        "$(touch /tmp/pwned) `id` ${HOME} $HOME",
        "line1\nline2\n",
        "tab\there \\ back\\slash \"dq\"",
        "ünïcødé 🦀 网格",
        "-starts-with-dash",
        "* ? [a] ~ # ; & | < > ( ) !",
        "  spaces  ",
    ];

    #[test]
    fn shell_quote_survives_a_real_shell() {
        for s in NASTY {
            assert_eq!(through_sh(&shell_quote(s)), s, "quoted: {}", shell_quote(s));
        }
    }

    #[test]
    fn shell_quote_forms() {
        assert_eq!(shell_quote("abc-1.2"), "abc-1.2");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("-x"), "'-x'");
    }

    #[test]
    fn cli_command_minimal_one_line() {
        let spec = MeshSpec::default();
        let cmd = aws_cli_command(
            &ExportInput::new("my-mesh", &spec, &[]),
            &ExportTarget::default(),
        );
        assert_eq!(cmd, "aws appmesh create-mesh --mesh-name my-mesh\n");
    }

    #[test]
    fn cli_command_full_is_split_and_complete() {
        let spec = full_spec();
        let tags = [Tag::new("team", "it's $(x)"), Tag::new("env", "")];
        let target = ExportTarget {
            region: Some("eu-west-1".into()),
            endpoint_url: Some("http://127.0.0.1:4566".into()),
        };
        let cmd = aws_cli_command(&ExportInput::new("mesh one", &spec, &tags), &target);
        let expected = "aws appmesh create-mesh \\\n  --mesh-name 'mesh one' \\\n  --spec \
            '{\"egressFilter\":{\"type\":\"ALLOW_ALL\"},\"serviceDiscovery\":{\"ipPreference\":\"IPv4_PREFERRED\"}}' \\\n  \
            --tags '[{\"key\":\"team\",\"value\":\"it'\\''s $(x)\"},{\"key\":\"env\",\"value\":\"\"}]' \\\n  \
            --region eu-west-1 \\\n  --endpoint-url http://127.0.0.1:4566\n";
        assert_eq!(cmd, expected);
    }

    /// The command's words, as a shell splits them (printed NUL-separated by printf).
    fn argv_of(cmd: &str) -> Vec<String> {
        let script = cmd.replacen("aws ", "printf '%s\\0' aws ", 1);
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(&script)
            .output()
            .expect("sh runs");
        assert!(out.status.success(), "{script}: {out:?}");
        let s = String::from_utf8(out.stdout).unwrap();
        s.split_terminator('\0').map(str::to_string).collect()
    }

    #[test]
    fn cli_command_words_round_trip_through_sh() {
        let spec = full_spec();
        for name in NASTY {
            let tags = [Tag::new(name, name)];
            let cmd = aws_cli_command(
                &ExportInput::new(name, &spec, &tags),
                &ExportTarget::default(),
            );
            let argv = argv_of(&cmd);
            let name_arg = if name.starts_with('-') {
                argv.iter()
                    .find_map(|a| a.strip_prefix("--mesh-name="))
                    .map(str::to_string)
            } else {
                argv.iter()
                    .position(|a| a == "--mesh-name")
                    .map(|i| argv[i + 1].clone())
            };
            assert_eq!(name_arg.as_deref(), Some(name), "{cmd}");
            let tags_arg = &argv[argv.iter().position(|a| a == "--tags").unwrap() + 1];
            let parsed: Value = serde_json::from_str(tags_arg).unwrap();
            assert_eq!(parsed, json!([{ "key": name, "value": name }]));
        }
    }

    #[test]
    fn cli_command_avoids_paramfile_prefixes() {
        let spec = MeshSpec::default();
        for name in ["file://etc/passwd", "https://example.com/x", "fileb://y"] {
            let cmd = aws_cli_command(
                &ExportInput::new(name, &spec, &[]),
                &ExportTarget::default(),
            );
            let argv = argv_of(&cmd);
            assert!(!argv.iter().any(|a| a == "--mesh-name"), "{cmd}");
            let doc = &argv[argv.iter().position(|a| a == "--cli-input-json").unwrap() + 1];
            let v: Value = serde_json::from_str(doc).unwrap();
            assert_eq!(v, json!({ "meshName": name }));
        }
    }

    #[test]
    fn cli_command_with_existing_arn_has_a_safe_comment() {
        let spec = MeshSpec::default();
        let cmd = aws_cli_command(
            &ExportInput::new("m", &spec, &[]).with_existing_arn("arn:x\nrm -rf /"),
            &ExportTarget::default(),
        );
        assert_eq!(
            cmd,
            "# Recreates the existing mesh arn:x\\nrm -rf /\naws appmesh create-mesh --mesh-name m\n"
        );
    }

    #[test]
    fn cli_input_json_shapes() {
        let spec = MeshSpec::default();
        assert_eq!(
            cli_input_json("m", &spec, &[]),
            "{\n    \"meshName\": \"m\"\n}\n"
        );
        let spec = MeshSpec {
            egress_filter: Some(EgressFilter::DropAll),
            ip_preference: None,
        };
        let v: Value = serde_json::from_str(&cli_input_json("m", &spec, &[])).unwrap();
        assert_eq!(
            v,
            json!({ "meshName": "m", "spec": { "egressFilter": { "type": "DROP_ALL" } } })
        );
        let spec = MeshSpec {
            egress_filter: None,
            ip_preference: Some(IpPreference::Ipv6Only),
        };
        let tags = [Tag::new("k", "v")];
        let text = cli_input_json("m", &spec, &tags);
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            v,
            json!({
                "meshName": "m",
                "spec": { "serviceDiscovery": { "ipPreference": "IPv6_ONLY" } },
                "tags": [{ "key": "k", "value": "v" }]
            })
        );
        // The skeleton's key order.
        let (a, b, c) = (
            text.find("meshName").unwrap(),
            text.find("spec").unwrap(),
            text.find("tags").unwrap(),
        );
        assert!(a < b && b < c, "{text}");
        assert!(!text.contains("clientToken"));
    }

    #[test]
    fn yaml_quote_escapes() {
        assert_eq!(yaml_quote(""), "\"\"");
        assert_eq!(yaml_quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(yaml_quote("l1\nl2\tx\r"), r#""l1\nl2\tx\r""#);
        assert_eq!(
            yaml_quote("\u{0}\u{1b}\u{7f}\u{85}"),
            r#""\u0000\u001B\u007F\u0085""#
        );
        assert_eq!(yaml_quote("a\u{2028}b"), r#""a\u2028b""#);
        assert_eq!(
            yaml_quote("ü 🦀 #: - ? !Ref *x &y"),
            "\"ü 🦀 #: - ? !Ref *x &y\""
        );
    }

    #[test]
    fn hcl_quote_escapes() {
        assert_eq!(hcl_quote(""), "\"\"");
        assert_eq!(hcl_quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(hcl_quote("${var.x} %{if y}"), r#""$${var.x} %%{if y}""#);
        assert_eq!(hcl_quote("$ % $x %y {}"), r#""$ % $x %y {}""#);
        assert_eq!(hcl_quote("$${x}"), r#""$$${x}""#);
        assert_eq!(hcl_quote("l1\nl2\t\r\u{1}"), r#""l1\nl2\t\r\u0001""#);
        assert_eq!(hcl_quote("ü 🦀"), "\"ü 🦀\"");
    }

    #[test]
    fn terraform_idents() {
        assert_eq!(terraform_ident("my-mesh"), "my_mesh");
        assert_eq!(terraform_ident("Prod.Mesh"), "prod_mesh");
        assert_eq!(terraform_ident("1st"), "mesh_1st");
        assert_eq!(terraform_ident("_x"), "_x");
        assert_eq!(terraform_ident(""), "mesh");
        assert_eq!(terraform_ident("网格"), "mesh");
        assert_eq!(terraform_ident("a网b"), "a_b");
    }

    #[test]
    fn cloudformation_full() {
        let spec = full_spec();
        let tags = [Tag::new("team", "a\"b"), Tag::new("empty", "")];
        let y = cloudformation_yaml(&ExportInput::new("m: x", &spec, &tags));
        let expected = "\
AWSTemplateFormatVersion: \"2010-09-09\"
Description: \"App Mesh service mesh, exported by appmesh-tui\"
Resources:
  Mesh:
    Type: \"AWS::AppMesh::Mesh\"
    Properties:
      MeshName: \"m: x\"
      Spec:
        EgressFilter:
          Type: \"ALLOW_ALL\"
        ServiceDiscovery:
          IpPreference: \"IPv4_PREFERRED\"
      Tags:
        - Key: \"team\"
          Value: \"a\\\"b\"
        - Key: \"empty\"
          Value: \"\"
Outputs:
  MeshArn:
    Description: \"ARN of the mesh\"
    Value: !Ref Mesh
  MeshUid:
    Description: \"Unique ID of the mesh\"
    Value: !GetAtt Mesh.Uid
  MeshName:
    Description: \"Name of the mesh\"
    Value: !GetAtt Mesh.MeshName
";
        assert_eq!(y, expected);
    }

    #[test]
    fn cloudformation_minimal_and_import() {
        let spec = MeshSpec::default();
        let y = cloudformation_yaml(&ExportInput::new("m", &spec, &[]));
        assert!(!y.contains("Spec:") && !y.contains("Tags:") && !y.contains("Retain"));
        let y = cloudformation_yaml(
            &ExportInput::new("m", &spec, &[]).with_existing_arn("arn:aws:appmesh:x:1:mesh/m"),
        );
        assert!(y.contains("    DeletionPolicy: \"Retain\"\n"), "{y}");
        assert!(y.contains("# Describes the existing mesh \"arn:aws:appmesh:x:1:mesh/m\"."));
        // Only the two comment lines carry the ARN; a newline in it cannot break out.
        let y =
            cloudformation_yaml(&ExportInput::new("m", &spec, &[]).with_existing_arn("a\nb: c"));
        assert!(y.contains("\"a\\nb: c\""), "{y}");
        assert!(!y.lines().any(|l| l.starts_with("b: c")));
    }

    #[test]
    fn terraform_full() {
        let spec = full_spec();
        let tags = [Tag::new("team", "${oops}"), Tag::new("e\"k", "")];
        let h = terraform_hcl(&ExportInput::new("my-mesh", &spec, &tags));
        let expected = "\
resource \"aws_appmesh_mesh\" \"my_mesh\" {
  name = \"my-mesh\"

  spec {
    egress_filter {
      type = \"ALLOW_ALL\"
    }
    service_discovery {
      ip_preference = \"IPv4_PREFERRED\"
    }
  }

  tags = {
    \"team\" = \"$${oops}\"
    \"e\\\"k\" = \"\"
  }
}
";
        assert_eq!(h, expected);
    }

    #[test]
    fn terraform_minimal_and_import() {
        let spec = MeshSpec::default();
        let h = terraform_hcl(&ExportInput::new("m", &spec, &[]));
        assert_eq!(
            h,
            "resource \"aws_appmesh_mesh\" \"m\" {\n  name = \"m\"\n}\n"
        );
        let spec = MeshSpec {
            egress_filter: None,
            ip_preference: Some(IpPreference::Ipv6Preferred),
        };
        let h = terraform_hcl(
            &ExportInput::new("Prod Mesh", &spec, &[])
                .with_existing_arn("arn:aws:appmesh:r:1:mesh/Prod Mesh"),
        );
        assert!(h.starts_with(
            "# Existing mesh arn:aws:appmesh:r:1:mesh/Prod Mesh\nimport {\n  to = aws_appmesh_mesh.prod_mesh\n  id = \"Prod Mesh\"\n}\n\nresource \"aws_appmesh_mesh\" \"prod_mesh\" {\n"
        ), "{h}");
        assert!(!h.contains("egress_filter"));
        assert!(h.contains(
            "    service_discovery {\n      ip_preference = \"IPv6_PREFERRED\"\n    }\n"
        ));
    }

    #[test]
    fn formats_list_and_render() {
        let spec = MeshSpec::default();
        let input = ExportInput::new("m", &spec, &[]);
        let t = ExportTarget::default();
        let mut exts = Vec::new();
        for f in ExportFormat::ALL {
            assert!(!f.label().is_empty());
            exts.push(f.extension());
            assert!(!f.render(&input, &t).is_empty());
        }
        assert_eq!(exts, ["sh", "json", "yaml", "tf"]);
        assert_eq!(
            ExportFormat::Terraform.render(&input, &t),
            terraform_hcl(&input)
        );
        assert_eq!(
            ExportFormat::Terraform.default_file_name("my mesh"),
            "my_mesh.tf"
        );
        assert_eq!(
            ExportFormat::CliInputJson.default_file_name("../x"),
            "_x.create-mesh.json"
        );
        assert_eq!(ExportFormat::AwsCli.default_file_name(""), "mesh.sh");
    }

    #[test]
    fn base64_rfc4648_vectors() {
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64_encode(plain.as_bytes()), enc);
        }
        assert_eq!(base64_encode(&[0xff, 0xfe, 0xfd]), "//79");
    }

    #[test]
    fn osc52_sequence() {
        assert_eq!(osc52_copy("foobar"), "\x1b]52;c;Zm9vYmFy\x07");
        assert_eq!(osc52_copy("ü"), "\x1b]52;c;w7w=\x07");
    }
}
