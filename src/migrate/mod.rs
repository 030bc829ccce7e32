//! Migration off App Mesh: a whole mesh ([`MeshModel`]) converted for one target — VPC Lattice,
//! VPC Lattice through the Kubernetes Gateway API (EKS with the AWS Gateway API controller), or
//! ECS Service Connect — and written as CloudFormation, Terraform, YAML (Gateway API manifests,
//! or a plain plan of API calls) or a Markdown report of every App Mesh field the mesh uses and
//! what becomes of it.
//!
//! One table ([`table::TABLE`]) says, for every App Mesh field and target, whether it is mapped,
//! approximated (and how) or lost (and what to do instead), with its source; the report and the
//! Migrate view read it. Output is deterministic (same mesh, same bytes), and every name from
//! the mesh is made valid for the target ([`names`]) and quoted by the YAML and HCL writers
//! (serde_norway, hcl-rs), never spliced into text by hand.

pub mod cli;
pub mod ecs;
pub mod lattice;
pub mod names;
pub mod report;
pub mod table;
pub mod view;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::kind::{Key, Kind};
use crate::mesh::MeshModel;

pub use view::{MigrateView, Outcome};

/// Where to migrate to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Target {
    /// Amazon VPC Lattice (service network, services, listeners, rules, target groups).
    #[value(name = "lattice")]
    Lattice,
    /// VPC Lattice on EKS through the AWS Gateway API controller (Gateway, HTTPRoute,
    /// GRPCRoute, TargetGroupPolicy).
    #[value(name = "lattice-gateway-api")]
    LatticeGatewayApi,
    /// Amazon ECS Service Connect (Cloud Map namespace, Service Connect configuration).
    #[value(name = "service-connect")]
    ServiceConnect,
}

impl Target {
    pub const ALL: [Target; 3] = [
        Target::Lattice,
        Target::LatticeGatewayApi,
        Target::ServiceConnect,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Target::Lattice => "VPC Lattice",
            Target::LatticeGatewayApi => "VPC Lattice with the Kubernetes Gateway API",
            Target::ServiceConnect => "ECS Service Connect",
        }
    }

    /// As the command line spells it.
    pub fn flag(self) -> &'static str {
        match self {
            Target::Lattice => "lattice",
            Target::LatticeGatewayApi => "lattice-gateway-api",
            Target::ServiceConnect => "service-connect",
        }
    }
}

/// What to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Format {
    /// A CloudFormation template (YAML).
    Cloudformation,
    /// Terraform (HCL) for the AWS provider.
    Terraform,
    /// YAML: Kubernetes manifests for lattice-gateway-api, a plan of API calls otherwise.
    Yaml,
    /// A Markdown report: every App Mesh field the mesh uses, mapped, approximated or lost.
    Report,
}

impl Format {
    pub const ALL: [Format; 4] = [
        Format::Cloudformation,
        Format::Terraform,
        Format::Yaml,
        Format::Report,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Format::Cloudformation => "CloudFormation",
            Format::Terraform => "Terraform",
            Format::Yaml => "YAML",
            Format::Report => "report (Markdown)",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Cloudformation | Format::Yaml => "yaml",
            Format::Terraform => "tf",
            Format::Report => "md",
        }
    }

    /// `payments-lattice.cfn.yaml` and the like, from a mesh name made safe for a file name.
    pub fn default_file_name(self, mesh: &str, target: Target) -> String {
        let base = names::fit(mesh, names::K8S_LABEL);
        let kind = match self {
            Format::Cloudformation => "cfn.",
            Format::Yaml => "plan.",
            Format::Terraform | Format::Report => "",
        };
        format!("{base}-{}.{kind}{}", target.flag(), self.extension())
    }
}

/// What the converters learn per App Mesh resource: what it becomes, what does not carry over.
#[derive(Clone, Debug, Default)]
pub struct Notes {
    map: BTreeMap<Key, (Vec<String>, Vec<String>)>,
}

impl Notes {
    pub fn becomes(&mut self, key: &Key, what: String) {
        let e = &mut self.map.entry(key.clone()).or_default().0;
        if !e.contains(&what) {
            e.push(what);
        }
    }

    pub fn lost(&mut self, key: &Key, what: String) {
        let e = &mut self.map.entry(key.clone()).or_default().1;
        if !e.contains(&what) {
            e.push(what);
        }
    }
}

/// One App Mesh resource in the migration: the three columns of the Migrate view.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub key: Key,
    pub becomes: Vec<String>,
    /// What does not carry over, and what to do instead.
    pub lost: Vec<String>,
}

/// One line of the mapping table as this mesh uses it.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldUse {
    /// Index into [`table::TABLE`].
    pub row: usize,
    /// The fields under it that the mesh sets (normalized paths; "" the resource, "tags").
    pub fields: BTreeSet<String>,
    /// How many resources use it.
    pub resources: usize,
    /// How many values (leaves of the spec, tags) it covers.
    pub values: usize,
}

impl FieldUse {
    pub fn mapping(&self) -> &'static table::Mapping {
        &table::TABLE[self.row]
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Output {
    Lattice(lattice::Plan),
    ServiceConnect(ecs::Plan),
}

/// A mesh converted for one target.
#[derive(Clone, Debug, PartialEq)]
pub struct Migration {
    pub mesh: String,
    pub target: Target,
    pub rows: Vec<Row>,
    pub uses: Vec<FieldUse>,
    /// What is already wrong in the mesh (missing targets, services without provider, …).
    pub findings: Vec<String>,
    pub counts: BTreeMap<Kind, usize>,
    output: Output,
}

/// The fields a spec sets: normalized paths (`listeners[].healthCheck.path`) of its leaves, with
/// how many values each has.
pub fn fields(spec: &Value) -> BTreeMap<String, usize> {
    fn walk(v: &Value, path: &str, out: &mut BTreeMap<String, usize>) {
        match v {
            Value::Object(m) => {
                for (k, c) in m {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(c, &p, out);
                }
            }
            Value::Array(a) => {
                for c in a {
                    walk(c, &format!("{path}[]"), out);
                }
            }
            _ if path.is_empty() => {}
            _ => *out.entry(path.to_string()).or_insert(0) += 1,
        }
    }
    let mut out = BTreeMap::new();
    walk(spec, "", &mut out);
    out
}

pub(crate) fn str_get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str()
}

pub(crate) fn num(v: &Value, path: &[&str]) -> Option<i64> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_i64()
}

/// A name from the mesh on one line, quoted, with control characters escaped.
pub fn one_line(s: &str) -> String {
    format!("{s:?}")
}

/// Converts `model` for `target`.
pub fn migrate(model: &MeshModel, target: Target) -> Migration {
    let mut notes = Notes::default();
    let output = match target {
        Target::Lattice | Target::LatticeGatewayApi => {
            Output::Lattice(lattice::build(model, &mut notes))
        }
        Target::ServiceConnect => Output::ServiceConnect(ecs::build(model, &mut notes)),
    };
    // Every field each resource uses, looked up in the table.
    let mut uses: BTreeMap<usize, FieldUse> = BTreeMap::new();
    let mut rows = Vec::new();
    for key in model.create_order() {
        let Some(item) = model.get(&key) else {
            continue;
        };
        let mut used = fields(&item.spec.value());
        used.insert(String::new(), 1);
        if !item.tags.is_empty() {
            used.insert("tags".into(), item.tags.len());
        }
        let mut rows_here = BTreeSet::new();
        let (becomes, mut lost) = notes.map.remove(&key).unwrap_or_default();
        // (how, status) -> the fields it is said of, so one piece of advice is given once.
        let mut said: Vec<(String, table::Status, Vec<String>)> = Vec::new();
        for (field, n) in &used {
            let i = table::lookup_index(key.kind, field);
            let m = &table::TABLE[i];
            let u = uses.entry(i).or_insert_with(|| FieldUse {
                row: i,
                fields: BTreeSet::new(),
                resources: 0,
                values: 0,
            });
            u.fields.insert(field.clone());
            u.values += n;
            if rows_here.insert(i) {
                u.resources += 1;
                let fate = m.fate(target);
                if fate.status != table::Status::Mapped {
                    let what = if m.field.is_empty() {
                        "it".to_string()
                    } else {
                        m.field.to_string()
                    };
                    match said
                        .iter_mut()
                        .find(|(h, st, _)| h == fate.how && *st == fate.status)
                    {
                        Some((_, _, fields)) => fields.push(what),
                        None => said.push((fate.how.to_string(), fate.status, vec![what])),
                    }
                }
            }
        }
        let mut said: Vec<String> = said
            .into_iter()
            .map(|(how, st, fields)| format!("{} ({}): {how}", fields.join(", "), st.word()))
            .collect();
        said.append(&mut lost);
        lost = said;
        // What the converter made is the only claim made here: the table's general line is
        // not repeated for a resource that produced nothing (the last column says why).
        let becomes = if becomes.is_empty() {
            vec!["nothing".to_string()]
        } else {
            becomes
        };
        rows.push(Row { key, becomes, lost });
    }
    Migration {
        mesh: model.name.clone(),
        target,
        rows,
        uses: uses.into_values().collect(),
        findings: model.findings().iter().map(|f| f.describe()).collect(),
        counts: model.counts(),
        output,
    }
}

/// The header comment of YAML and HCL outputs (`#` works in both).
fn header(m: &Migration, what: &str) -> String {
    format!(
        "# {what} for {}, migrated from App Mesh mesh {} by appmesh-tui.\n# Review it before use: the report (--format report) lists what did not carry over.\n",
        m.target.label(),
        one_line(&m.mesh)
    )
}

fn yaml(v: &Value) -> Result<String, String> {
    serde_norway::to_string(v).map_err(|e| format!("cannot write YAML: {e}"))
}

impl Migration {
    /// How many table lines this mesh uses per status.
    pub fn status_counts(&self) -> BTreeMap<table::Status, usize> {
        let mut out = BTreeMap::new();
        for u in &self.uses {
            *out.entry(u.mapping().fate(self.target).status).or_insert(0) += 1;
        }
        out
    }

    /// The output in `format`.
    pub fn render(&self, format: Format) -> Result<String, String> {
        match (format, &self.output) {
            (Format::Report, _) => Ok(report::markdown(self)),
            (Format::Cloudformation, Output::Lattice(p)) => {
                let only = self.target == Target::LatticeGatewayApi;
                let what = if only {
                    "CloudFormation: the service network the Gateway names"
                } else {
                    "CloudFormation template"
                };
                Ok(header(self, what) + &yaml(&lattice::cloudformation(p, &self.mesh, only))?)
            }
            (Format::Cloudformation, Output::ServiceConnect(p)) => {
                Ok(header(self, "CloudFormation template")
                    + &yaml(&ecs::cloudformation(p, &self.mesh))?)
            }
            (Format::Terraform, Output::Lattice(p)) => {
                let only = self.target == Target::LatticeGatewayApi;
                let body = lattice::terraform(p, only);
                Ok(header(self, "Terraform")
                    + &hcl::to_string(&body).map_err(|e| format!("cannot write HCL: {e}"))?)
            }
            (Format::Terraform, Output::ServiceConnect(p)) => Ok(header(self, "Terraform")
                + &hcl::to_string(&ecs::terraform(p))
                    .map_err(|e| format!("cannot write HCL: {e}"))?),
            (Format::Yaml, Output::Lattice(p)) if self.target == Target::LatticeGatewayApi => {
                let mut out = header(self, "Kubernetes Gateway API manifests");
                for (i, doc) in lattice::gateway_api(p).iter().enumerate() {
                    if i > 0 {
                        out.push_str("---\n");
                    }
                    out.push_str(&yaml(doc)?);
                }
                Ok(out)
            }
            (Format::Yaml, Output::Lattice(p)) => {
                Ok(header(self, "A plan of VPC Lattice API calls")
                    + &yaml(&json!({
                        "about": "VPC Lattice API calls in order. {ref: X} is the id returned by the step whose ref is X; {param: VpcId} is yours to give.",
                        "params": ["VpcId"],
                        "steps": lattice::api_steps(p),
                    }))?)
            }
            (Format::Yaml, Output::ServiceConnect(p)) => {
                Ok(header(self, "A plan in ECS API terms") + &yaml(&ecs::api_plan(p))?)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_normalized_paths_with_counts() {
        let spec = json!({"listeners": [{"portMapping": {"port": 1, "protocol": "http"}}, {"portMapping": {"port": 2, "protocol": "http"}}],
            "backends": [], "logging": {}});
        let f = fields(&spec);
        assert_eq!(f.get("listeners[].portMapping.port"), Some(&2));
        assert_eq!(f.len(), 2);
        assert!(fields(&json!({})).is_empty());
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(
            Format::Terraform.default_file_name("payments", Target::Lattice),
            "payments-lattice.tf"
        );
        let n = Format::Report.default_file_name("../../etc/passwd", Target::ServiceConnect);
        assert!(!n.contains('/') && n.ends_with(".md"), "{n}");
    }
}
