//! Terraform: `aws_appmesh_*` resources of the AWS provider, written as HCL and read from HCL
//! (see [`super::import`] for reading).
//!
//! A resource has `name`, `mesh_name`, the parent's name (`virtual_router_name`,
//! `virtual_gateway_name`), a `spec` block and a `tags` map. `import` blocks (Terraform 1.5+)
//! use the provider's import IDs: a mesh's name; `mesh/name`; for routes and gateway routes
//! `mesh/parent/name`.

use super::convert::{RefOut, export_spec};
use super::ident::Idents;
use super::names::{TERRAFORM, snake};
use super::tree::{Node, hcl_body};
use super::{ExportOptions, Exported, exists, loss_notes, spec_refs};
use crate::export::{comment_safe, hcl_quote};
use crate::kind::{Key, Kind};
use crate::mesh::MeshModel;

/// `aws_appmesh_virtual_node`.
pub fn resource_type(kind: Kind) -> String {
    format!("aws_appmesh_{}", snake(kind.info().name))
}

/// The attribute holding a kind's name when another resource names it:
/// `virtual_router_name`. A resource's own name is `name`.
pub fn name_attribute(kind: Kind) -> String {
    snake(kind.info().name_member)
}

/// The provider's import ID of a resource.
pub fn import_id(key: &Key) -> String {
    match (key.kind, key.kind.info().parent) {
        (Kind::Mesh, _) => key.name.to_string(),
        (_, Some(_)) => format!("{}/{}/{}", key.mesh, key.parent, key.name),
        _ => format!("{}/{}", key.mesh, key.name),
    }
}

/// A file with every resource of `mesh`. References to resources of the file are attribute
/// references (`aws_appmesh_virtual_node.web.name`); existing resources get `import` blocks.
pub fn export(mesh: &MeshModel, opts: &ExportOptions) -> Exported {
    let ids = Idents::terraform(mesh);
    let mut notes = Vec::new();
    let mut h = String::from(
        "# App Mesh resources, exported by appmesh-tui, for the hashicorp/aws provider\n\
         # (the aws_appmesh_* schemas of version 6.19.0).\n",
    );
    let reference = |key: &Key| -> Option<Node> {
        ids.get(key)
            .map(|id| Node::Raw(format!("{}.{id}.name", resource_type(key.kind))))
    };
    for key in mesh.create_order() {
        let item = &mesh.items[&key];
        let id = ids.get(&key).unwrap_or_default();
        let ty = resource_type(key.kind);
        if exists(item, opts) {
            if key.mesh.contains('/') || key.parent.contains('/') || key.name.contains('/') {
                notes.push(format!(
                    "{}: a name holds \"/\", which the provider's import ID cannot carry; \
                     import it by hand",
                    super::who(&key)
                ));
            }
            if let Some(meta) = &item.meta {
                h.push_str(&format!("\n# Existing {}\n", comment_safe(&meta.arn)));
            } else {
                h.push('\n');
            }
            h.push_str(&format!(
                "import {{\n  to = {ty}.{id}\n  id = {}\n}}\n",
                hcl_quote(&import_id(&key))
            ));
        }
        let mut body: Vec<(String, Node)> = vec![("name".into(), Node::str(key.name.as_str()))];
        if key.kind != Kind::Mesh {
            let mesh_key = Key::mesh(&key.mesh);
            body.push((
                "mesh_name".into(),
                reference(&mesh_key).unwrap_or_else(|| Node::str(key.mesh.as_str())),
            ));
        }
        if let Some(container) = key.container().filter(|c| c.kind != Kind::Mesh) {
            body.push((
                name_attribute(container.kind),
                reference(&container).unwrap_or_else(|| Node::str(key.parent.as_str())),
            ));
        }
        let spec_value = item.spec.value();
        let refs = spec_refs(mesh, &key, &spec_value, false);
        let mut losses = Vec::new();
        let spec = export_spec(
            &TERRAFORM,
            key.kind.info().spec_shape,
            &spec_value,
            &mut |path: &str, name: &str| {
                let to = refs.get(path)?;
                Some(RefOut {
                    member: name.to_string(),
                    node: reference(to)?,
                })
            },
            &mut losses,
        );
        loss_notes(&key, losses, &mut notes);
        let spec = drop_empty_block_lists(spec);
        let empty = matches!(&spec, Node::Obj(p) if p.is_empty());
        // The spec block is required, except on a mesh.
        if key.kind != Kind::Mesh || !empty {
            body.push(("spec".into(), spec));
        }
        if !item.tags.is_empty() {
            body.push((
                "tags".into(),
                Node::Map(
                    item.tags
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                ),
            ));
        }
        h.push_str(&format!(
            "\nresource {} {} {{\n",
            hcl_quote(&ty),
            hcl_quote(id)
        ));
        hcl_body(&body, 2, &mut h);
        h.push_str("}\n");
    }
    Exported { text: h, notes }
}

/// An empty list of structures is no blocks at all in HCL (`listener = []` would assign to a
/// block type).
fn drop_empty_block_lists(n: Node) -> Node {
    match n {
        Node::Obj(pairs) => Node::Obj(
            pairs
                .into_iter()
                .filter(|(_, v)| !matches!(v, Node::List(l) if l.is_empty()))
                .map(|(k, v)| (k, drop_empty_block_lists(v)))
                .collect(),
        ),
        Node::List(items) => Node::List(items.into_iter().map(drop_empty_block_lists).collect()),
        other => other,
    }
}

// ---------------------------------------------------------------------------------------------
// Reading HCL

use std::collections::{BTreeMap, BTreeSet};

use hcl::edit::Span;
use hcl::edit::expr::{Expression as EExpr, TraversalOperator};
use hcl::edit::structure::{Block, BlockLabel, Body, Structure};
use hcl::edit::visit::{self, Visit};
use hcl::eval::{Context, Evaluate};
use serde_json::{Map, Value};

use super::ImportOptions;
use super::import::{Collector, report_issues, spec_format_path};
use crate::mesh::Item;

/// Byte offset → 1-based line, for one file.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines(starts)
    }
    fn of(&self, span: Option<std::ops::Range<usize>>) -> Option<usize> {
        let at = span?.start;
        Some(match self.0.binary_search(&at) {
            Ok(i) => i + 1,
            Err(i) => i,
        })
    }
}

/// What a file declares that others may refer to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Entity {
    Local(String),
    Resource(String, String),
}

impl Entity {
    fn address(&self) -> String {
        match self {
            Entity::Local(n) => format!("local.{n}"),
            Entity::Resource(t, n) => format!("{t}.{n}"),
        }
    }
}

/// A reference found in an expression: `var.x`, `aws_appmesh_mesh.m.name`, …
struct Found {
    root: String,
    attrs: Vec<String>,
    line: Option<usize>,
}

/// Collects the references and function calls of expressions.
struct Refs<'a> {
    lines: &'a Lines,
    found: Vec<Found>,
    funcs: Vec<(String, Option<usize>)>,
    /// Names bound by `for` expressions around the current one.
    bound: Vec<String>,
    /// Lines of `for` expressions and `%{ for }` directives.
    fors: Vec<Option<usize>>,
}

/// The most references one resource or local value may make.
const MAX_REFERENCES: usize = 256;
/// The largest value a variable or local value may hold (as JSON).
const MAX_VALUE_BYTES: usize = 64 * 1024;
/// The longest chain of references (a local naming a local naming a local …).
const MAX_CHAIN: usize = 64;

impl Visit for Refs<'_> {
    fn visit_expr(&mut self, node: &EExpr) {
        match node {
            EExpr::Variable(v) => {
                if !self.bound.iter().any(|b| b == v.as_str()) {
                    self.found.push(Found {
                        root: v.as_str().to_string(),
                        attrs: Vec::new(),
                        line: self.lines.of(node.span()),
                    });
                }
            }
            EExpr::Traversal(t) => {
                if let EExpr::Variable(root) = &t.expr {
                    if !self.bound.iter().any(|b| b == root.as_str()) {
                        let attrs = t
                            .operators
                            .iter()
                            .map_while(|op| match &**op {
                                TraversalOperator::GetAttr(a) => Some(a.as_str().to_string()),
                                _ => None,
                            })
                            .collect();
                        self.found.push(Found {
                            root: root.as_str().to_string(),
                            attrs,
                            line: self.lines.of(t.span()),
                        });
                    }
                } else {
                    self.visit_expr(&t.expr);
                }
                for op in &t.operators {
                    if let TraversalOperator::Index(e) = &**op {
                        self.visit_expr(e);
                    }
                }
            }
            EExpr::FuncCall(f) => {
                self.funcs
                    .push((f.name.name.as_str().to_string(), self.lines.of(node.span())));
                visit::visit_func_call(self, f);
            }
            EExpr::ForExpr(f) => {
                self.fors.push(self.lines.of(node.span()));
                let mut names = vec![f.intro.value_var.as_str().to_string()];
                if let Some(k) = &f.intro.key_var {
                    names.push(k.as_str().to_string());
                }
                let n = names.len();
                self.visit_expr(&f.intro.collection_expr);
                self.bound.extend(names);
                if let Some(k) = &f.key_expr {
                    self.visit_expr(k);
                }
                self.visit_expr(&f.value_expr);
                if let Some(c) = &f.cond {
                    self.visit_expr(&c.expr);
                }
                self.bound.truncate(self.bound.len() - n);
            }
            other => visit::visit_expr(self, other),
        }
    }

    fn visit_for_directive(&mut self, node: &hcl::edit::template::ForDirective) {
        self.fors.push(self.lines.of(node.span()));
        visit::visit_for_directive(self, node);
    }
}

fn label(l: &BlockLabel) -> &str {
    match l {
        BlockLabel::Ident(i) => i.as_str(),
        BlockLabel::String(s) => s.as_str(),
    }
}

/// One `aws_appmesh_*` resource block.
struct Res<'a> {
    file: usize,
    kind: Kind,
    ty: String,
    name: String,
    block: &'a Block,
}

struct Var {
    value: Option<Value>,
}

struct Module<'a> {
    files: &'a [(&'a str, &'a str)],
    lines: Vec<Lines>,
    vars: BTreeMap<String, Var>,
    locals: BTreeMap<String, (usize, &'a hcl::edit::structure::Attribute)>,
    resources: BTreeMap<(String, String), Res<'a>>,
    /// `None` while being read (a second visit is a cycle); `Some(None)` when it failed.
    done: BTreeMap<Entity, Option<Option<Value>>>,
    stack: Vec<Entity>,
}

/// The attributes of a resource that are known before it is created.
fn known_attrs(kind: Kind) -> Vec<String> {
    let mut v = vec!["name".to_string()];
    if kind == Kind::Mesh {
        v.push("id".into());
    } else {
        v.push("mesh_name".into());
    }
    if let Some(p) = kind.info().parent {
        v.push(name_attribute(p));
    }
    v
}

/// About how many bytes a value holds.
fn json_size(v: &Value) -> usize {
    match v {
        Value::String(s) => s.len() + 8,
        Value::Array(a) => 8 + a.iter().map(json_size).sum::<usize>(),
        Value::Object(o) => 8 + o.iter().map(|(k, v)| k.len() + json_size(v)).sum::<usize>(),
        _ => 8,
    }
}

fn hcl_to_json(v: hcl::Value) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

impl<'a> Module<'a> {
    fn file(&self, i: usize) -> &'a str {
        self.files[i].0
    }

    /// Checks the references and calls of expressions; what is wrong goes to `out`.
    /// Returns the entities they depend on, or `None` when any is wrong.
    fn deps(
        &self,
        file: usize,
        exprs: &[&EExpr],
        what: &str,
        out: &mut Collector,
    ) -> Option<BTreeSet<Entity>> {
        let mut r = Refs {
            lines: &self.lines[file],
            found: Vec::new(),
            funcs: Vec::new(),
            bound: Vec::new(),
            fors: Vec::new(),
        };
        for e in exprs {
            r.visit_expr(e);
        }
        let f = self.file(file);
        let mut ok = true;
        // A `for` multiplies what it names; the import reads written-out values only, which
        // bounds what an expression can produce.
        for line in r.fors {
            out.error(
                f,
                line,
                format!("{what}: for expressions are not read by the import; write the values out"),
            );
            ok = false;
        }
        if r.found.len() > MAX_REFERENCES {
            out.error(f, r.found[MAX_REFERENCES].line, format!(
                "{what}: more than {MAX_REFERENCES} references; the import reads App Mesh definitions, which need far fewer"
            ));
            return None;
        }
        for (name, line) in r.funcs {
            out.error(f, line, format!(
                "{what}: the function {name}() is not evaluated by the import; put its result in the file"
            ));
            ok = false;
        }
        let mut deps = BTreeSet::new();
        for found in r.found {
            let first = found.attrs.first().cloned();
            let line = found.line;
            match (found.root.as_str(), first) {
                ("var", Some(n)) => match self.vars.get(&n) {
                    Some(Var { value: Some(_) }) => {}
                    Some(Var { value: None }) => {
                        out.error(f, line, format!(
                            "{what}: variable {n} has no value: give it with --var {n}=VALUE or give it a default"
                        ));
                        ok = false;
                    }
                    None => {
                        out.error(
                            f,
                            line,
                            format!("{what}: var.{n}: no variable {n} is declared"),
                        );
                        ok = false;
                    }
                },
                ("local", Some(n)) => {
                    if self.locals.contains_key(&n) {
                        deps.insert(Entity::Local(n));
                    } else {
                        out.error(
                            f,
                            line,
                            format!("{what}: local.{n}: no local value {n} is declared"),
                        );
                        ok = false;
                    }
                }
                (ty, Some(n)) if ty.starts_with("aws_appmesh_") => {
                    match self.resources.get(&(ty.to_string(), n.clone())) {
                        Some(res) => {
                            let attr = found.attrs.get(1);
                            let known = known_attrs(res.kind);
                            match attr {
                                Some(a) if known.contains(a) => {
                                    deps.insert(Entity::Resource(ty.to_string(), n));
                                }
                                Some(a) => {
                                    out.error(f, line, format!(
                                        "{what}: {ty}.{n}.{a} is known only after apply (the import knows {})",
                                        known.join(", ")
                                    ));
                                    ok = false;
                                }
                                None => {
                                    out.error(f, line, format!(
                                        "{what}: {ty}.{n} refers to the whole resource; name one attribute ({})",
                                        known.join(", ")
                                    ));
                                    ok = false;
                                }
                            }
                        }
                        None => {
                            out.error(
                                f,
                                line,
                                format!("{what}: refers to {ty}.{n}, which is not in the files"),
                            );
                            ok = false;
                        }
                    }
                }
                (
                    root @ ("data" | "module" | "each" | "count" | "self" | "path" | "terraform"),
                    _,
                ) => {
                    out.error(f, line, format!(
                        "{what}: {root}.… is not known to the import; put the value in the file or in a variable"
                    ));
                    ok = false;
                }
                (ty, Some(n)) => {
                    out.error(f, line, format!(
                        "{what}: refers to {ty}.{n}, which is not an App Mesh resource: its attributes are not known here"
                    ));
                    ok = false;
                }
                (root, None) => {
                    out.error(
                        f,
                        line,
                        format!("{what}: {root} is not a value the import knows"),
                    );
                    ok = false;
                }
            }
        }
        ok.then_some(deps)
    }

    /// The evaluation context holding every variable, and the locals and resources read so
    /// far.
    fn context(&self) -> Context<'static> {
        let mut ctx = Context::new();
        let vars: Map<String, Value> = self
            .vars
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.value.clone()?)))
            .collect();
        ctx.declare_var(
            "var",
            hcl::to_value(Value::Object(vars)).unwrap_or(hcl::Value::Null),
        );
        let mut locals = Map::new();
        let mut types: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
        for (e, state) in &self.done {
            if let Some(Some(v)) = state {
                match e {
                    Entity::Local(n) => {
                        locals.insert(n.clone(), v.clone());
                    }
                    Entity::Resource(t, n) => {
                        types
                            .entry(t.clone())
                            .or_default()
                            .insert(n.clone(), v.clone());
                    }
                }
            }
        }
        ctx.declare_var(
            "local",
            hcl::to_value(Value::Object(locals)).unwrap_or(hcl::Value::Null),
        );
        for (t, m) in types {
            ctx.declare_var(
                t,
                hcl::to_value(Value::Object(m)).unwrap_or(hcl::Value::Null),
            );
        }
        ctx
    }

    fn eval(&self, e: &EExpr, ctx: &Context) -> Result<Value, String> {
        let expr: hcl::Expression = e.clone().into();
        expr.evaluate(ctx)
            .map(hcl_to_json)
            .map_err(|err| err.to_string())
    }

    /// Reads `e` (a local or a resource) after what it depends on. Returns its value (a local's
    /// value, a resource's known attributes), or `None` when it could not be read.
    fn visit(&mut self, e: &Entity, out: &mut Collector) -> Option<Value> {
        match self.done.get(e) {
            Some(Some(v)) => return v.clone(),
            Some(None) => {
                // Being read: a cycle. Name it where it closes.
                let pos = self.stack.iter().position(|s| s == e).unwrap_or(0);
                let mut cycle: Vec<String> =
                    self.stack[pos..].iter().map(Entity::address).collect();
                cycle.push(e.address());
                let (file, line) = self.where_is(e);
                out.error(
                    self.file(file),
                    line,
                    format!("reference cycle: {}", cycle.join(" → ")),
                );
                return None;
            }
            None => {}
        }
        if self.stack.len() > MAX_CHAIN {
            let (file, line) = self.where_is(e);
            out.error(
                self.file(file),
                line,
                format!(
                    "{}: references nested more than {MAX_CHAIN} deep",
                    e.address()
                ),
            );
            return None;
        }
        self.done.insert(e.clone(), None);
        self.stack.push(e.clone());
        let v = match e {
            Entity::Local(n) => self.read_local(n, out),
            Entity::Resource(t, n) => self.read_resource(t, n, out),
        };
        self.stack.pop();
        self.done.insert(e.clone(), Some(v.clone()));
        v
    }

    fn where_is(&self, e: &Entity) -> (usize, Option<usize>) {
        match e {
            Entity::Local(n) => match self.locals.get(n) {
                Some((f, a)) => (*f, self.lines[*f].of(a.span())),
                None => (0, None),
            },
            Entity::Resource(t, n) => match self.resources.get(&(t.clone(), n.clone())) {
                Some(r) => (r.file, self.lines[r.file].of(r.block.span())),
                None => (0, None),
            },
        }
    }

    fn read_deps(
        &mut self,
        deps: BTreeSet<Entity>,
        what: &str,
        file: usize,
        line: Option<usize>,
        out: &mut Collector,
    ) -> bool {
        let mut ok = true;
        for d in deps {
            if self.visit(&d, out).is_none() {
                out.error(
                    self.file(file),
                    line,
                    format!(
                        "{what} is left out: it refers to {}, which could not be read",
                        d.address()
                    ),
                );
                ok = false;
            }
        }
        ok
    }

    fn read_local(&mut self, n: &str, out: &mut Collector) -> Option<Value> {
        let (file, attr) = *self.locals.get(n)?;
        let what = format!("local.{n}");
        let deps = self.deps(file, &[&attr.value], &what, out)?;
        let line = self.lines[file].of(attr.span());
        if !self.read_deps(deps, &what, file, line, out) {
            return None;
        }
        match self.eval(&attr.value, &self.context()) {
            Ok(v) if json_size(&v) > MAX_VALUE_BYTES => {
                out.error(self.file(file), line, format!(
                    "{what} is larger than {} KiB; the import reads App Mesh definitions, whose values are far smaller",
                    MAX_VALUE_BYTES / 1024
                ));
                None
            }
            Ok(v) => Some(v),
            Err(e) => {
                out.error(self.file(file), line, format!("{what}: {e}"));
                None
            }
        }
    }

    /// A block body as JSON: attributes evaluated, nested blocks as lists of bodies. Records
    /// each member's line under its path.
    fn body_json(
        &self,
        file: usize,
        body: &Body,
        path: &str,
        ctx: &Context,
        lines: &mut BTreeMap<String, usize>,
        errors: &mut Vec<(Option<usize>, String)>,
    ) -> Map<String, Value> {
        let mut m = Map::new();
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => {
                    let k = a.key.as_str().to_string();
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    let line = self.lines[file].of(a.span());
                    if let Some(l) = line {
                        lines.insert(p.clone(), l);
                    }
                    if m.contains_key(&k) {
                        errors.push((line, format!("{p} is set twice")));
                        continue;
                    }
                    match self.eval(&a.value, ctx) {
                        Ok(v) => {
                            m.insert(k, v);
                        }
                        Err(e) => errors.push((line, format!("{p}: {e}"))),
                    }
                }
                Structure::Block(b) => {
                    let k = b.ident.as_str().to_string();
                    let line = self.lines[file].of(b.span());
                    if k == "dynamic" {
                        errors.push((line, format!(
                            "dynamic blocks are not read by the import; write the blocks out ({})",
                            if path.is_empty() { "at the top" } else { path }
                        )));
                        continue;
                    }
                    if !b.labels.is_empty() {
                        errors.push((line, format!("the {k} block takes no labels")));
                        continue;
                    }
                    let entry = m
                        .entry(k.clone())
                        .or_insert_with(|| Value::Array(Vec::new()));
                    let Value::Array(list) = entry else {
                        errors.push((line, format!("{k} is both an attribute and a block")));
                        continue;
                    };
                    let p = format!(
                        "{}{k}[{}]",
                        if path.is_empty() {
                            String::new()
                        } else {
                            format!("{path}.")
                        },
                        list.len()
                    );
                    if let Some(l) = line {
                        lines.insert(p.clone(), l);
                    }
                    let inner = self.body_json(file, &b.body, &p, ctx, lines, errors);
                    if let Some(Value::Array(list)) = m.get_mut(&k) {
                        list.push(Value::Object(inner));
                    }
                }
            }
        }
        m
    }

    fn read_resource(&mut self, ty: &str, n: &str, out: &mut Collector) -> Option<Value> {
        let res = self.resources.get(&(ty.to_string(), n.to_string()))?;
        let (file, kind, block) = (res.file, res.kind, res.block);
        let f = self.file(file);
        let lines = &self.lines[file];
        let line = lines.of(block.span());
        let what = format!("{ty}.{n}");
        // Every expression of the block, for its references.
        struct All<'e>(Vec<&'e EExpr>);
        impl<'e> All<'e> {
            fn body(&mut self, b: &'e Body) {
                for s in b.iter() {
                    match s {
                        Structure::Attribute(a) => self.0.push(&a.value),
                        Structure::Block(bl) => self.body(&bl.body),
                    }
                }
            }
        }
        let mut all = All(Vec::new());
        all.body(&block.body);
        let deps = self.deps(file, &all.0, &what, out);
        let Some(deps) = deps else {
            out.error(f, line, format!("{what} is left out (see above)"));
            return None;
        };
        if !self.read_deps(deps, &what, file, line, out) {
            return None;
        }
        let ctx = self.context();
        let mut lines_of: BTreeMap<String, usize> = BTreeMap::new();
        let mut errors = Vec::new();
        let mut top = self.body_json(file, &block.body, "", &ctx, &mut lines_of, &mut errors);
        let mut bad = false;
        for (l, e) in errors {
            out.error(f, l, format!("{what}: {e}"));
            bad = true;
        }
        let at = |p: &str| lines_of.get(p).copied().or(line);
        let text = |top: &mut Map<String, Value>,
                    k: &str,
                    out: &mut Collector,
                    bad: &mut bool|
         -> Option<String> {
            match top.remove(k) {
                Some(Value::String(s)) => Some(s),
                Some(other) => {
                    out.error(
                        f,
                        at(k),
                        format!(
                            "{what}: {k} must be a string, not {}",
                            super::import::quote(&other)
                        ),
                    );
                    *bad = true;
                    None
                }
                None => {
                    out.error(f, line, format!("{what}: {k} is missing"));
                    *bad = true;
                    None
                }
            }
        };
        let name = text(&mut top, "name", out, &mut bad);
        let mesh = if kind == Kind::Mesh {
            name.clone()
        } else {
            text(&mut top, "mesh_name", out, &mut bad)
        };
        let parent = match kind.info().parent {
            Some(p) => text(&mut top, &name_attribute(p), out, &mut bad),
            None => Some(String::new()),
        };
        let spec_src = top.remove("spec");
        let mut tags = BTreeMap::new();
        match top.remove("tags") {
            Some(Value::Object(t)) => {
                for (k, v) in t {
                    tags.insert(
                        k,
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string()),
                    );
                }
            }
            Some(Value::Null) | None => {}
            Some(_) => {
                out.error(
                    f,
                    at("tags"),
                    format!("{what}: tags must be a map of strings"),
                );
                bad = true;
            }
        }
        for (k, v) in &top {
            match k.as_str() {
                "depends_on" | "provider" | "lifecycle" => {}
                "count" | "for_each" => {
                    out.error(
                        f,
                        at(k),
                        format!("{what}: {k} is not read by the import; write each resource out"),
                    );
                    bad = true;
                }
                "mesh_owner" | "region" => out.note(
                    f,
                    at(k),
                    format!(
                        "{what}: {k} {} is not carried over",
                        super::import::quote(v)
                    ),
                ),
                "tags_all" | "arn" | "id" | "created_date" | "last_updated_date"
                | "resource_owner" => {
                    out.error(
                        f,
                        at(k),
                        format!("{what}: {k} is set by the provider, not in the configuration"),
                    );
                    bad = true;
                }
                _ => {
                    out.error(f, at(k), format!("{what}: {ty} has no argument {k}"));
                    bad = true;
                }
            }
        }
        let mut issues = Vec::new();
        let wire = match spec_src {
            Some(s) => super::convert::import_spec(
                &TERRAFORM,
                kind.info().spec_shape,
                // The spec block's bodies; the conversion unwraps the one block.
                &s,
                &mut |_: &str, _: &Value, _: &str| Err("not a Terraform argument".into()),
                &mut issues,
            ),
            None if kind == Kind::Mesh => Value::Object(Map::new()),
            None => {
                out.error(f, line, format!("{what}: the spec block is missing"));
                bad = true;
                Value::Object(Map::new())
            }
        };
        // Issue paths start inside the spec block (`listener[0]…`); lines are recorded from
        // the resource body (`spec[0].listener[0]…`).
        bad |= report_issues(out, f, &what, "spec", &issues, &mut |p| {
            let at = format!("spec[0].{p}");
            lines_of
                .get(&at)
                .or_else(|| lines_of.get(&format!("{at}[0]")))
                .copied()
                .or(line)
        });
        let (Some(name), Some(mesh), Some(parent)) = (name, mesh, parent) else {
            out.error(f, line, format!("{what} is left out (see above)"));
            return None;
        };
        if bad {
            out.error(f, line, format!("{what} is left out (see above)"));
            return None;
        }
        let key = Key::new(kind, mesh.clone(), parent.clone(), name.clone());
        let mut known = Map::new();
        known.insert("name".into(), Value::String(name.clone()));
        if kind == Kind::Mesh {
            known.insert("id".into(), Value::String(name));
        } else {
            known.insert("mesh_name".into(), Value::String(mesh));
        }
        if let Some(p) = kind.info().parent {
            known.insert(name_attribute(p), Value::String(parent));
        }
        let added = out.add(
            f,
            line,
            key,
            Item {
                spec: wire.into(),
                tags,
                meta: None,
            },
            &mut |wp| {
                let fp = spec_format_path(&TERRAFORM, kind, wp);
                lines_of.get(&format!("spec[0].{fp}")).copied()
            },
        );
        added.then_some(Value::Object(known))
    }
}

/// A `--var` value: text, or an HCL value when the variable's type is not `string`.
fn var_value(given: &str, ty: Option<&EExpr>) -> Result<Value, String> {
    let is_string = match ty {
        None => true,
        Some(EExpr::Variable(v)) => v.as_str() == "string",
        Some(_) => false,
    };
    if is_string {
        return Ok(Value::String(given.to_string()));
    }
    let expr: hcl::Expression = given.parse().map_err(|e: hcl::Error| e.to_string())?;
    expr.evaluate(&Context::new())
        .map(hcl_to_json)
        .map_err(|e| e.to_string())
}

/// Reads the `aws_appmesh_*` resources of Terraform files, as one module.
pub(crate) fn read(files: &[(&str, &str)], opts: &ImportOptions, out: &mut Collector) {
    let mut bodies = Vec::new();
    let mut lines = Vec::new();
    for (name, text) in files {
        lines.push(Lines::new(text));
        match hcl::edit::parser::parse_body(text) {
            Ok(b) => bodies.push(Some(b)),
            Err(e) => {
                let loc = e.location();
                out.error(
                    name,
                    Some(loc.line()),
                    format!(
                        "invalid HCL (column {}): {}",
                        loc.column(),
                        e.message().lines().next().unwrap_or("syntax error")
                    ),
                );
                bodies.push(None);
            }
        }
    }
    let mut m = Module {
        files,
        lines,
        vars: BTreeMap::new(),
        locals: BTreeMap::new(),
        resources: BTreeMap::new(),
        done: BTreeMap::new(),
        stack: Vec::new(),
    };
    let mut var_types: BTreeMap<String, Option<&EExpr>> = BTreeMap::new();
    for (fi, body) in bodies.iter().enumerate() {
        let Some(body) = body else { continue };
        let f = files[fi].0;
        for s in body.iter() {
            let Structure::Block(b) = s else {
                if let Structure::Attribute(a) = s {
                    out.error(
                        f,
                        m.lines[fi].of(a.span()),
                        format!(
                            "{} = … at the top of the file: Terraform allows only blocks here",
                            a.key.as_str()
                        ),
                    );
                }
                continue;
            };
            let line = m.lines[fi].of(b.span());
            let labels: Vec<&str> = b.labels.iter().map(label).collect();
            match (b.ident.as_str(), labels.as_slice()) {
                ("variable", [name]) => {
                    let default = b.body.get_attribute("default").map(|a| &a.value);
                    var_types.insert(
                        name.to_string(),
                        b.body.get_attribute("type").map(|a| &a.value),
                    );
                    let value = match opts.vars.get(*name) {
                        Some(given) => {
                            match var_value(given, b.body.get_attribute("type").map(|a| &a.value)) {
                                Ok(v) => Some(v),
                                Err(e) => {
                                    out.error(f, line, format!("--var {name}: {e}"));
                                    None
                                }
                            }
                        }
                        None => match default {
                            Some(d) => match m.eval(d, &Context::new()) {
                                Ok(v) => Some(v),
                                Err(e) => {
                                    out.error(
                                        f,
                                        m.lines[fi].of(d.span()),
                                        format!("variable {name}: its default: {e}"),
                                    );
                                    None
                                }
                            },
                            None => None,
                        },
                    };
                    let value = match value {
                        Some(v) if json_size(&v) > MAX_VALUE_BYTES => {
                            out.error(
                                f,
                                line,
                                format!(
                                    "variable {name}: its value is larger than {} KiB",
                                    MAX_VALUE_BYTES / 1024
                                ),
                            );
                            None
                        }
                        other => other,
                    };
                    if m.vars.insert(name.to_string(), Var { value }).is_some() {
                        out.error(f, line, format!("variable {name} is declared twice"));
                    }
                }
                ("locals", []) => {
                    for s in b.body.iter() {
                        if let Structure::Attribute(a) = s {
                            let n = a.key.as_str().to_string();
                            if m.locals.insert(n.clone(), (fi, a)).is_some() {
                                out.error(
                                    f,
                                    m.lines[fi].of(a.span()),
                                    format!("local value {n} is declared twice"),
                                );
                            }
                        }
                    }
                }
                ("resource", [ty, name]) if ty.starts_with("aws_appmesh_") => {
                    let Some(kind) = Kind::ALL.into_iter().find(|k| resource_type(*k) == *ty)
                    else {
                        out.error(
                            f,
                            line,
                            format!(
                                "unknown resource type {ty} (App Mesh has {})",
                                Kind::ALL
                                    .iter()
                                    .map(|k| resource_type(*k))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        );
                        continue;
                    };
                    let key = (ty.to_string(), name.to_string());
                    if m.resources.contains_key(&key) {
                        out.error(f, line, format!("resource {ty}.{name} is declared twice"));
                        continue;
                    }
                    m.resources.insert(
                        key,
                        Res {
                            file: fi,
                            kind,
                            ty: ty.to_string(),
                            name: name.to_string(),
                            block: b,
                        },
                    );
                }
                ("resource", [ty, name]) => {
                    out.note(
                        f,
                        line,
                        format!("resource {ty}.{name} skipped: not an App Mesh resource"),
                    );
                }
                ("data", [ty, name]) => {
                    out.note(
                        f,
                        line,
                        format!("data source {ty}.{name} skipped: the import reads resources"),
                    );
                }
                ("module", [name]) => {
                    out.note(f, line, format!("module {name} skipped: the import does not follow modules; import its files"));
                }
                (
                    "terraform" | "provider" | "output" | "import" | "moved" | "removed" | "check",
                    _,
                ) => {}
                (other, _) => {
                    out.error(
                        f,
                        line,
                        format!("unexpected block {other} {}", labels.join(" ")),
                    );
                }
            }
        }
    }
    for name in opts.vars.keys() {
        if !m.vars.contains_key(name) {
            out.note(
                files.first().map(|f| f.0).unwrap_or_default(),
                None,
                format!("--var {name}: no variable {name} is declared"),
            );
        }
    }
    if m.resources.is_empty() {
        for (fi, body) in bodies.iter().enumerate() {
            if body.is_some() {
                out.note(
                    files[fi].0,
                    None,
                    "the Terraform files hold no aws_appmesh_* resource",
                );
            }
        }
    }
    let all: Vec<Entity> = m
        .resources
        .values()
        .map(|r| Entity::Resource(r.ty.clone(), r.name.clone()))
        .collect();
    for e in all {
        if out.full() {
            break;
        }
        m.visit(&e, out);
    }
}
