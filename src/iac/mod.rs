//! Infrastructure code for every App Mesh kind, both ways.
//!
//! **Export** (issues 13, 14): one resource or a whole [`MeshModel`] as
//! - the `aws appmesh create-…` command ([`Format::AwsCli`]; a whole mesh is a script of them
//!   in creation order) and its `--cli-input-json` document ([`Format::CliInputJson`]),
//! - a CloudFormation template ([`Format::CloudFormation`], `AWS::AppMesh::*`),
//! - a Terraform file ([`Format::Terraform`], `aws_appmesh_*`, with `import` blocks for
//!   resources that exist),
//! - Kubernetes manifests for the App Mesh controller ([`Format::Kubernetes`],
//!   `appmesh.k8s.aws/v1beta2`).
//!
//! In a whole-mesh export, a resource that names another one of the mesh refers to it
//! (`!GetAtt VirtualRouterWeb.VirtualRouterName`, `aws_appmesh_virtual_router.web.name`,
//! `virtualRouterRef: {name: web}`), so the tools order the creation themselves. A node's
//! backends stay plain names in CloudFormation and Terraform: a backend may name a service that
//! does not exist yet, and nodes and services often name each other in a circle, which a
//! reference would turn into a dependency cycle.
//!
//! ```
//! use appmesh_tui::iac::{self, ExportOptions, Format};
//! # let mesh = appmesh_tui::mesh::MeshModel::new("shop");
//! let out = iac::export_mesh(Format::Terraform, &mesh, &ExportOptions::default());
//! // out.text is the file; out.notes says what did not carry over.
//! ```
//!
//! **Import** (issue 15): [`import::read`] reads CloudFormation (YAML/JSON), Terraform and
//! Kubernetes files into [`MeshModel`]s, with every problem named by file, line and reason.
//!
//! How the API's member names map to each format is in [`names`] (one table per format, with
//! its sources); the conversion walks the service model ([`convert`]).

pub mod cfn;
pub mod cli;
pub mod convert;
mod ident;
pub mod import;
pub mod k8s;
pub mod names;
pub mod tf;
pub mod tree;
mod yaml;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::kind::{Key, Kind, references};
use crate::mesh::{Item, MeshModel};

pub use ident::k8s_label;
pub use import::{ImportOptions, ImportProblem, ImportResult, Severity, read};

/// The export formats, in the order a menu lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    AwsCli,
    CliInputJson,
    CloudFormation,
    Terraform,
    Kubernetes,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::AwsCli,
        Format::CliInputJson,
        Format::CloudFormation,
        Format::Terraform,
        Format::Kubernetes,
    ];

    /// Menu label.
    pub fn label(self) -> &'static str {
        match self {
            Format::AwsCli => "AWS CLI command",
            Format::CliInputJson => "AWS CLI --cli-input-json",
            Format::CloudFormation => "CloudFormation (YAML)",
            Format::Terraform => "Terraform (HCL)",
            Format::Kubernetes => "Kubernetes (App Mesh controller)",
        }
    }

    /// File extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::AwsCli => "sh",
            Format::CliInputJson => "json",
            Format::CloudFormation => "yaml",
            Format::Terraform => "tf",
            Format::Kubernetes => "k8s.yaml",
        }
    }
}

/// Settings of an export.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// Where the AWS CLI form sends its requests (`--region`, `--endpoint-url`).
    pub cli: cli::CliTarget,
    /// The Kubernetes namespace of the objects (default: the mesh's name made a valid name).
    pub namespace: Option<String>,
    /// Whether the resources exist already (Terraform `import` blocks, CloudFormation
    /// `DeletionPolicy: Retain`, a comment on the CLI command). `None`: a resource exists when
    /// its item carries the service's metadata.
    pub existing: Option<bool>,
}

/// An export's text and what did not carry over.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exported {
    pub text: String,
    /// One sentence each: `virtual node "web": spec.serviceDiscovery.dns.ipPreference left out
    /// (…why…)`.
    pub notes: Vec<String>,
}

/// One resource, on its own: references to other resources stay names.
pub fn export_resource(format: Format, key: &Key, item: &Item, opts: &ExportOptions) -> Exported {
    let mut mesh = MeshModel::new(key.mesh.clone());
    mesh.items.insert(key.clone(), item.clone());
    match format {
        Format::AwsCli => Exported {
            text: cli_command(key, item, opts),
            notes: Vec::new(),
        },
        Format::CliInputJson => Exported {
            text: cli::input_json(&cli_input(
                key,
                &item.spec.value(),
                item,
                &tag_pairs(item),
                opts,
            )),
            notes: Vec::new(),
        },
        Format::CloudFormation => cfn::export(&mesh, opts),
        Format::Terraform => tf::export(&mesh, opts),
        Format::Kubernetes => k8s::export_resource(key, item, opts),
    }
}

/// A whole mesh. The AWS CLI form is a `sh` script of create commands in an order the service
/// accepts; the `--cli-input-json` form is a JSON list of `{"command", "input"}` in that order.
pub fn export_mesh(format: Format, mesh: &MeshModel, opts: &ExportOptions) -> Exported {
    match format {
        Format::AwsCli => {
            let mut text = String::from(
                "#!/bin/sh\n# App Mesh resources, exported by appmesh-tui, in an order the service \
                 accepts.\nset -eu\n\n",
            );
            for key in mesh.create_order() {
                let item = &mesh.items[&key];
                text.push_str(&cli_command(&key, item, opts));
                text.push('\n');
            }
            Exported {
                text,
                notes: Vec::new(),
            }
        }
        Format::CliInputJson => {
            let docs: Vec<Value> = mesh
                .create_order()
                .iter()
                .map(|key| {
                    let item = &mesh.items[key];
                    serde_json::json!({
                        "command": cli::create_subcommand(key.kind),
                        "input": cli::input_value(&cli_input(
                            key,
                            &item.spec.value(),
                            item,
                            &tag_pairs(item),
                            opts,
                        )),
                    })
                })
                .collect();
            let mut text =
                serde_json::to_string_pretty(&Value::Array(docs)).expect("JSON serializes");
            text.push('\n');
            Exported {
                text,
                notes: Vec::new(),
            }
        }
        Format::CloudFormation => cfn::export(mesh, opts),
        Format::Terraform => tf::export(mesh, opts),
        Format::Kubernetes => k8s::export(mesh, opts),
    }
}

fn tag_pairs(item: &Item) -> Vec<(&str, &str)> {
    item.tags
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn exists(item: &Item, opts: &ExportOptions) -> bool {
    opts.existing.unwrap_or(item.meta.is_some())
}

fn cli_input<'a>(
    key: &'a Key,
    spec: &'a Value,
    item: &'a Item,
    tags: &'a [(&'a str, &'a str)],
    opts: &ExportOptions,
) -> cli::CreateInput<'a> {
    cli::CreateInput {
        key,
        spec: Some(spec),
        tags,
        existing_arn: if exists(item, opts) {
            item.meta.as_ref().map(|m| m.arn.as_str())
        } else {
            None
        },
    }
}

fn cli_command(key: &Key, item: &Item, opts: &ExportOptions) -> String {
    let tags = tag_pairs(item);
    let spec = item.spec.value();
    cli::command(&cli_input(key, &spec, item, &tags, opts), &opts.cli)
}

/// The references of `key`'s spec that a whole-mesh export writes as references: wire path
/// (relative to the spec) → the resource named, for targets the mesh holds. With
/// `backends: false`, references that need not exist first (a node's backends) are left out.
fn spec_refs(mesh: &MeshModel, key: &Key, spec: &Value, backends: bool) -> BTreeMap<String, Key> {
    references(key.kind, spec)
        .into_iter()
        .filter(|r| backends || r.must_exist)
        .filter_map(|r| {
            let to = Key::new(r.to, key.mesh.clone(), "", r.name.clone());
            mesh.items.contains_key(&to).then_some((r.at, to))
        })
        .collect()
}

/// `virtual node "web"` / `route "canary" of virtual router "web"`: how notes name a resource.
fn who(key: &Key) -> String {
    match (key.kind, key.kind.info().parent) {
        (Kind::Mesh, _) => format!("mesh {:?}", key.name),
        (_, Some(p)) => format!("{} {:?} of {} {:?}", key.kind, key.name, p, key.parent),
        _ => format!("{} {:?}", key.kind, key.name),
    }
}

fn loss_notes(key: &Key, losses: Vec<convert::Loss>, notes: &mut Vec<String>) {
    for l in losses {
        notes.push(format!("{}: spec.{} left out: {}", who(key), l.path, l.why));
    }
}
