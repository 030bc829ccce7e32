//! The topology of a mesh (issue 14): every resource as a box in columns from left to right —
//! virtual gateways → gateway routes → virtual services → virtual routers → routes → virtual
//! nodes → their backends (virtual services again) — joined by labelled edges (weights in %,
//! match prefixes and host names), with marks for what is wrong (a reference to something the
//! mesh does not hold, a node no service reaches, a service without a provider, a weight of 0).
//!
//! [`Graph::from_mesh`] builds the graph from a [`MeshModel`] (its links and findings);
//! [`layout::Layout`] places it on a grid of terminal cells; every renderer draws that one
//! layout: [`paint`] (the terminal text, for the TUI widget and `--format text`), [`svg`],
//! and, from the same nodes and edges, [`dot`] and [`mermaid`]. [`view::Topology`] is the
//! component the app shows on `g`.

pub mod cli;
pub mod dot;
#[doc(hidden)]
pub mod fixtures;
pub mod layout;
pub mod mermaid;
pub mod paint;
pub mod svg;
pub mod view;

use foldhash::{HashMap, HashMapExt};

use serde_json::Value;

use crate::kind::{Key, Kind};
use crate::mesh::{Finding, MeshModel};
use crate::ui::text::clean;

/// The columns, left to right.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Column {
    Gateways,
    GatewayRoutes,
    Services,
    Routers,
    Routes,
    Nodes,
    /// The virtual services the nodes name as backends (the services again, once per name).
    Backends,
}

impl Column {
    pub const ALL: [Column; 7] = [
        Column::Gateways,
        Column::GatewayRoutes,
        Column::Services,
        Column::Routers,
        Column::Routes,
        Column::Nodes,
        Column::Backends,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Column::Gateways => "virtual gateways",
            Column::GatewayRoutes => "gateway routes",
            Column::Services => "virtual services",
            Column::Routers => "virtual routers",
            Column::Routes => "routes",
            Column::Nodes => "virtual nodes",
            Column::Backends => "backends",
        }
    }

    /// The title when the full one does not fit.
    pub fn short_title(self) -> &'static str {
        match self {
            Column::Gateways => "gateways",
            Column::GatewayRoutes => "gw routes",
            Column::Services => "services",
            Column::Routers => "routers",
            Column::Routes => "routes",
            Column::Nodes => "nodes",
            Column::Backends => "backends",
        }
    }

    /// Where a resource of `kind` stands (backends are placed by the edge that names them).
    fn of_kind(kind: Kind) -> Option<Column> {
        Some(match kind {
            Kind::Mesh => return None,
            Kind::VirtualGateway => Column::Gateways,
            Kind::GatewayRoute => Column::GatewayRoutes,
            Kind::VirtualService => Column::Services,
            Kind::VirtualRouter => Column::Routers,
            Kind::Route => Column::Routes,
            Kind::VirtualNode => Column::Nodes,
        })
    }
}

/// What is wrong with a box.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mark {
    /// The mesh does not hold this resource; something names it.
    Missing,
    /// This resource names `to`, which the mesh does not hold (at `at` in its spec).
    NamesMissing { to: Key, at: String },
    /// A virtual node no virtual service reaches.
    Unreached,
    /// A virtual service without a provider.
    NoProvider,
    /// A route gives this virtual node weight 0.
    ZeroWeight { node: String },
}

impl Mark {
    /// An error (something missing) rather than a warning.
    pub fn is_error(&self) -> bool {
        matches!(self, Mark::Missing | Mark::NamesMissing { .. })
    }

    /// The symbol: `✗` for errors, `⚠` for warnings.
    pub fn symbol(&self) -> char {
        if self.is_error() { '✗' } else { '⚠' }
    }

    /// The few words inside a box (the edge beside it says to what).
    pub fn short(&self) -> &'static str {
        match self {
            Mark::Missing => "✗ missing",
            Mark::NamesMissing { .. } => "✗ names missing",
            Mark::Unreached => "⚠ unreached",
            Mark::NoProvider => "⚠ no provider",
            Mark::ZeroWeight { .. } => "⚠ weight 0",
        }
    }

    /// A sentence, for the status line and the documents.
    pub fn describe(&self, key: &Key) -> String {
        let name = clean(&key.name);
        match self {
            Mark::Missing => format!(
                "{} {name:?} does not exist, but is named by another resource",
                key.kind
            ),
            Mark::NamesMissing { to, at } if at.is_empty() => format!(
                "{} {name:?} belongs to {} {:?}, which does not exist",
                key.kind,
                to.kind,
                clean(&to.name)
            ),
            Mark::NamesMissing { to, at } => format!(
                "{} {name:?} names {} {:?} (spec.{}), which does not exist",
                key.kind,
                to.kind,
                clean(&to.name),
                clean(at)
            ),
            Mark::Unreached => format!(
                "no virtual service reaches virtual node {name:?}: it is no service's provider and no route of a providing router sends it traffic"
            ),
            Mark::NoProvider => {
                format!("virtual service {name:?} has no provider: requests to it go nowhere")
            }
            Mark::ZeroWeight { node } => format!(
                "route {name:?} gives virtual node {:?} weight 0: it gets no traffic",
                clean(node)
            ),
        }
    }
}

/// One box: a resource (or a resource something names that the mesh lacks).
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub key: Key,
    pub column: Column,
    /// Only named: the mesh does not hold it.
    pub missing: bool,
    /// One line under the name: listeners, protocol, service discovery (may be empty).
    pub detail: String,
    pub marks: Vec<Mark>,
}

impl Node {
    /// The name as drawn (control characters made visible).
    pub fn name(&self) -> String {
        clean(&self.key.name).into_owned()
    }

    /// Has a warning or an error.
    pub fn marked(&self) -> bool {
        !self.marks.is_empty()
    }
}

/// How one box leads to the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A gateway's gateway route, a router's route.
    Contains,
    /// A gateway route's target service.
    Target,
    /// A service's provider (a router or a node).
    Provider,
    /// A route's weighted target.
    Weighted,
    /// A node's backend service.
    Backend,
}

impl Role {
    pub fn word(self) -> &'static str {
        match self {
            Role::Contains => "contains",
            Role::Target => "target",
            Role::Provider => "provider",
            Role::Weighted => "weighted target",
            Role::Backend => "backend",
        }
    }
}

/// One edge, always from a column to one further right.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub role: Role,
    /// `90%`, `/api`, `*.example.com/` (may be empty).
    pub label: String,
    /// Leads to something missing, or carries no traffic (weight 0).
    pub problem: bool,
}

/// The mesh as boxes and edges.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Graph {
    pub mesh: String,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

/// Longest label drawn on an edge, in columns.
pub const LABEL_MAX: usize = 16;

impl Graph {
    /// The graph of `mesh`: one box per resource (the mesh itself left out), one per missing
    /// resource something names, and each backend service again in the last column.
    pub fn from_mesh(mesh: &MeshModel) -> Graph {
        // Everything the boxes are looked up by lives as long as the builder (no key clones).
        // Each spec read from its text once.
        let values = mesh.values();
        let links = mesh.links_in(&values);
        let findings = mesh.findings_in(&links);
        let containers: Vec<(&Key, &Value, Key)> = values
            .iter()
            .filter_map(|(k, spec)| {
                let c = k.container().filter(|c| c.kind != Kind::Mesh)?;
                Some((*k, spec, c))
            })
            .collect();
        let mut b = Builder {
            graph: Graph {
                mesh: mesh.name.clone(),
                ..Graph::default()
            },
            index: HashMap::with_capacity(mesh.items.len() * 2),
        };
        for (key, spec) in &values {
            let Some(column) = Column::of_kind(key.kind) else {
                continue;
            };
            let i = b.node(key, column, false);
            b.graph.nodes[i].detail = detail(key.kind, spec);
        }
        // What holds routes and gateway routes.
        for (key, spec, container) in &containers {
            let (Some(child_col), Some(parent_col)) =
                (Column::of_kind(key.kind), Column::of_kind(container.kind))
            else {
                continue;
            };
            let child = b.index[&(child_col, *key)];
            let exists = mesh.items.contains_key(container);
            let parent = b.node(container, parent_col, !exists);
            let label = if key.kind == Kind::Route {
                route_match(spec, false)
            } else {
                String::new()
            };
            b.graph.edges.push(Edge {
                from: parent,
                to: child,
                role: Role::Contains,
                label,
                problem: !exists,
            });
            if !exists {
                b.mark(
                    child,
                    Mark::NamesMissing {
                        to: container.clone(),
                        at: String::new(),
                    },
                );
            }
        }
        // References, with their weights in % of the route's total.
        let mut totals: HashMap<&Key, i64> = HashMap::with_capacity(links.len());
        for l in &links {
            if let Some(w) = l.reference.weight {
                *totals.entry(&l.from).or_insert(0) += w.max(0);
            }
        }
        for l in &links {
            let Some(from_col) = Column::of_kind(l.from.kind) else {
                continue;
            };
            let from = b.index[&(from_col, &l.from)];
            let (role, to_col) = match (l.from.kind, l.to.kind) {
                (Kind::GatewayRoute, _) => (Role::Target, Column::Services),
                (Kind::VirtualService, Kind::VirtualRouter) => (Role::Provider, Column::Routers),
                (Kind::VirtualService, _) => (Role::Provider, Column::Nodes),
                (Kind::Route, _) => (Role::Weighted, Column::Nodes),
                (Kind::VirtualNode, _) => (Role::Backend, Column::Backends),
                _ => continue,
            };
            let to = b.node(&l.to, to_col, !l.exists);
            let label = match role {
                Role::Weighted => {
                    let w = l.reference.weight.unwrap_or(0).max(0);
                    let total = totals.get(&l.from).copied().unwrap_or(0);
                    let pct = if total > 0 {
                        (w * 100 + total / 2) / total
                    } else {
                        0
                    };
                    format!("{pct}%")
                }
                Role::Target => values
                    .get(&l.from)
                    .map(|spec| route_match(spec, true))
                    .unwrap_or_default(),
                _ => String::new(),
            };
            let zero = l.reference.weight == Some(0);
            b.graph.edges.push(Edge {
                from,
                to,
                role,
                label,
                problem: !l.exists || zero,
            });
        }
        for f in &findings {
            match f {
                Finding::Missing { from, to, at } => {
                    if let Some(&i) =
                        Column::of_kind(from.kind).and_then(|c| b.index.get(&(c, from)))
                    {
                        b.mark(
                            i,
                            Mark::NamesMissing {
                                to: to.clone(),
                                at: at.clone(),
                            },
                        );
                    }
                }
                Finding::Unreached(k) => {
                    if let Some(&i) = b.index.get(&(Column::Nodes, k)) {
                        b.mark(i, Mark::Unreached);
                    }
                }
                Finding::NoProvider(k) => {
                    for c in [Column::Services, Column::Backends] {
                        if let Some(&i) = b.index.get(&(c, k)) {
                            b.mark(i, Mark::NoProvider);
                        }
                    }
                }
                Finding::ZeroWeight { route, node } => {
                    if let Some(&i) = b.index.get(&(Column::Routes, route)) {
                        b.mark(i, Mark::ZeroWeight { node: node.clone() });
                    }
                }
            }
        }
        for n in &mut b.graph.nodes {
            if n.marks.len() > 1 {
                n.marks.sort();
                n.marks.dedup();
            }
        }
        b.graph
    }

    /// Every finding of the graph as a sentence, column by column (for documents and reports).
    /// A missing resource is told by the one that names it; a backend box repeats its
    /// service's marks, told once.
    pub fn problems(&self) -> Vec<(usize, String)> {
        let mut order: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| self.nodes[i].column != Column::Backends || self.nodes[i].missing)
            .collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (&self.nodes[a], &self.nodes[b]);
            (a.column, &a.key).cmp(&(b.column, &b.key))
        });
        let mut out = Vec::new();
        for i in order {
            let n = &self.nodes[i];
            for m in &n.marks {
                if *m != Mark::Missing {
                    out.push((i, m.describe(&n.key)));
                }
            }
        }
        out
    }
}

struct Builder<'a> {
    graph: Graph,
    index: HashMap<(Column, &'a Key), usize>,
}

impl<'a> Builder<'a> {
    /// The box of `key` in `column`, added when new (marked missing when `missing`).
    fn node(&mut self, key: &'a Key, column: Column, missing: bool) -> usize {
        if let Some(&i) = self.index.get(&(column, key)) {
            return i;
        }
        let i = self.graph.nodes.len();
        self.graph.nodes.push(Node {
            key: key.clone(),
            column,
            missing,
            detail: String::new(),
            marks: if missing { vec![Mark::Missing] } else { vec![] },
        });
        self.index.insert((column, key), i);
        i
    }

    fn mark(&mut self, i: usize, m: Mark) {
        self.graph.nodes[i].marks.push(m);
    }
}

/// The protocol member of a route or gateway route spec (`httpRoute` …) and its value.
fn protocol(spec: &Value) -> Option<(&'static str, &Value)> {
    for (member, word) in [
        ("httpRoute", "http"),
        ("http2Route", "http2"),
        ("grpcRoute", "grpc"),
        ("tcpRoute", "tcp"),
    ] {
        if let Some(v) = spec.get(member) {
            return Some((word, v));
        }
    }
    None
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut v = v;
    for p in path {
        v = v.get(p)?;
    }
    v.as_str()
}

/// A route's or gateway route's match in a few characters: `/api`, `=/exact`, `~regex`,
/// `GET /`, `svc/Method`, `:8080`; with the host name first for gateway routes
/// (`api.example.com/`, `*.example.com/`).
pub fn route_match(spec: &Value, gateway: bool) -> String {
    let Some((proto, r)) = protocol(spec) else {
        return String::new();
    };
    let Some(m) = r.get("match") else {
        return String::new();
    };
    let mut out = String::new();
    if gateway {
        if let Some(h) = str_at(m, &["hostname", "exact"]) {
            out.push_str(h);
        } else if let Some(h) = str_at(m, &["hostname", "suffix"]) {
            out.push('*');
            if !h.starts_with('.') {
                out.push('.');
            }
            out.push_str(h);
        }
    }
    if proto == "grpc" {
        if let Some(s) = str_at(m, &["serviceName"]) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(s);
            if let Some(meth) = str_at(m, &["methodName"]) {
                out.push('/');
                out.push_str(meth);
            }
        }
    } else {
        if let Some(meth) = str_at(m, &["method"]) {
            out = format!("{meth} {out}");
        }
        if let Some(p) = str_at(m, &["prefix"]) {
            out.push_str(p);
        } else if let Some(p) = str_at(m, &["path", "exact"]) {
            out.push('=');
            out.push_str(p);
        } else if let Some(p) = str_at(m, &["path", "regex"]) {
            out.push('~');
            out.push_str(p);
        }
    }
    if let Some(port) = m.get("port").and_then(Value::as_i64) {
        out.push_str(&format!(":{port}"));
    }
    clean(out.trim()).into_owned()
}

/// The line under a box's name.
fn detail(kind: Kind, spec: &Value) -> String {
    let listener = |spec: &Value| -> String {
        let Some(ls) = spec.get("listeners").and_then(Value::as_array) else {
            return String::new();
        };
        let Some(first) = ls.first() else {
            return String::new();
        };
        let pm = first.get("portMapping");
        let proto = pm
            .and_then(|p| p.get("protocol"))
            .and_then(Value::as_str)
            .unwrap_or("?");
        let port = pm
            .and_then(|p| p.get("port"))
            .and_then(Value::as_i64)
            .map(|p| p.to_string())
            .unwrap_or_else(|| "?".into());
        let more = if ls.len() > 1 {
            format!(" +{}", ls.len() - 1)
        } else {
            String::new()
        };
        format!("{proto}:{port}{more}")
    };
    let text = match kind {
        Kind::VirtualGateway | Kind::VirtualRouter => listener(spec),
        Kind::VirtualNode => {
            let sd = spec.get("serviceDiscovery");
            if let Some(h) = sd.and_then(|s| str_at(s, &["dns", "hostname"])) {
                h.to_string()
            } else if let Some(ns) = sd.and_then(|s| str_at(s, &["awsCloudMap", "namespaceName"])) {
                let svc = sd
                    .and_then(|s| str_at(s, &["awsCloudMap", "serviceName"]))
                    .unwrap_or("?");
                format!("cloud map {ns}/{svc}")
            } else {
                listener(spec)
            }
        }
        Kind::Route | Kind::GatewayRoute => {
            let mut s = protocol(spec)
                .map(|(p, _)| p.to_string())
                .unwrap_or_default();
            if let Some(p) = spec.get("priority").and_then(Value::as_i64) {
                s.push_str(&format!(" priority {p}"));
            }
            s
        }
        Kind::Mesh | Kind::VirtualService => String::new(),
    };
    clean(&text).into_owned()
}

#[cfg(test)]
mod tests;
