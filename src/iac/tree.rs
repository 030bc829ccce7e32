//! The tree an export builds before it is written out, and the two writers: block-style YAML
//! (CloudFormation, Kubernetes) and HCL (Terraform). Both quote every string they write with
//! the escapers the mesh exports have always used ([`crate::export::yaml_quote`],
//! [`crate::export::hcl_quote`]), so no name or value can break out of its place.

use serde_json::Number;

use crate::export::{hcl_quote, yaml_quote};

/// One value of an exported document.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Str(String),
    Num(Number),
    Bool(bool),
    List(Vec<Node>),
    /// A structure: a YAML mapping, a Terraform block (a list of these is a repeated block).
    Obj(Vec<(String, Node)>),
    /// A map of strings: a YAML mapping, a Terraform map attribute (`tags = { … }`).
    Map(Vec<(String, String)>),
    /// Written as it is: a reference the exporter built from identifiers it made itself
    /// (`!GetAtt VirtualNodeWeb.VirtualNodeName`, `aws_appmesh_mesh.shop.name`).
    Raw(String),
}

impl Node {
    pub fn str(s: impl Into<String>) -> Node {
        Node::Str(s.into())
    }

    pub fn obj(pairs: Vec<(&str, Node)>) -> Node {
        Node::Obj(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    /// The value of `key` in an [`Node::Obj`].
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Obj(pairs) => pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// YAML

/// A mapping key: bare when it is an identifier-like word no YAML reader takes for anything
/// else, double-quoted otherwise.
fn yaml_key(k: &str) -> String {
    let plain = !k.is_empty()
        && k.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
        && !matches!(
            k.to_ascii_lowercase().as_str(),
            "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
        );
    if plain { k.to_string() } else { yaml_quote(k) }
}

fn yaml_scalar(n: &Node) -> Option<String> {
    Some(match n {
        Node::Str(s) => yaml_quote(s),
        Node::Num(x) => x.to_string(),
        Node::Bool(b) => b.to_string(),
        Node::Raw(r) => r.clone(),
        Node::List(l) if l.is_empty() => "[]".into(),
        Node::Obj(o) if o.is_empty() => "{}".into(),
        Node::Map(m) if m.is_empty() => "{}".into(),
        _ => return None,
    })
}

/// Writes `node` as block-style YAML at `indent` spaces. A mapping's entries each go on a line;
/// a sequence's items start with `- `.
pub fn yaml(node: &Node, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match node {
        Node::Obj(pairs) if !pairs.is_empty() => {
            for (k, v) in pairs {
                yaml_entry(&pad, &yaml_key(k), v, indent, out);
            }
        }
        Node::Map(pairs) if !pairs.is_empty() => {
            for (k, v) in pairs {
                out.push_str(&format!("{pad}{}: {}\n", yaml_key(k), yaml_quote(v)));
            }
        }
        Node::List(items) if !items.is_empty() => {
            for item in items {
                match yaml_scalar(item) {
                    Some(s) => out.push_str(&format!("{pad}- {s}\n")),
                    None => {
                        // The item's first line follows the dash; the rest align under it.
                        let mut inner = String::new();
                        yaml(item, indent + 2, &mut inner);
                        let first = inner.get(indent + 2..).unwrap_or_default();
                        out.push_str(&format!("{pad}- {first}"));
                    }
                }
            }
        }
        other => {
            if let Some(s) = yaml_scalar(other) {
                out.push_str(&format!("{pad}{s}\n"));
            }
        }
    }
}

fn yaml_entry(pad: &str, key: &str, v: &Node, indent: usize, out: &mut String) {
    match yaml_scalar(v) {
        Some(s) => out.push_str(&format!("{pad}{key}: {s}\n")),
        None => {
            out.push_str(&format!("{pad}{key}:\n"));
            // A sequence under a key is indented too, which every reader accepts.
            yaml(v, indent + 2, out);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// HCL

/// An attribute or block name: the exporters only write identifiers of the provider's schema,
/// which are always bare words.
fn hcl_ident(k: &str) -> &str {
    debug_assert!(
        k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
        "{k}"
    );
    k
}

fn hcl_value(n: &Node, indent: usize) -> String {
    match n {
        Node::Str(s) => hcl_quote(s),
        Node::Num(x) => x.to_string(),
        Node::Bool(b) => b.to_string(),
        Node::Raw(r) => r.clone(),
        Node::List(items) => {
            let parts: Vec<String> = items.iter().map(|i| hcl_value(i, indent)).collect();
            format!("[{}]", parts.join(", "))
        }
        Node::Map(pairs) if pairs.is_empty() => "{}".into(),
        Node::Map(pairs) => {
            let pad = " ".repeat(indent + 2);
            let mut s = String::from("{\n");
            for (k, v) in pairs {
                s.push_str(&format!("{pad}{} = {}\n", hcl_quote(k), hcl_quote(v)));
            }
            s.push_str(&" ".repeat(indent));
            s.push('}');
            s
        }
        // An object as a value (not a block): not written by the exporters.
        Node::Obj(pairs) => {
            let pad = " ".repeat(indent + 2);
            let mut s = String::from("{\n");
            for (k, v) in pairs {
                s.push_str(&format!(
                    "{pad}{} = {}\n",
                    hcl_quote(k),
                    hcl_value(v, indent + 2)
                ));
            }
            s.push_str(&" ".repeat(indent));
            s.push('}');
            s
        }
    }
}

/// Writes the members of a block body: scalars, lists of scalars and maps as attributes;
/// structures as nested blocks; lists of structures as repeated blocks.
pub fn hcl_body(pairs: &[(String, Node)], indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    for (k, v) in pairs {
        match v {
            Node::Obj(inner) => {
                out.push_str(&format!("{pad}{} {{\n", hcl_ident(k)));
                hcl_body(inner, indent + 2, out);
                out.push_str(&format!("{pad}}}\n"));
            }
            Node::List(items)
                if !items.is_empty() && items.iter().all(|i| matches!(i, Node::Obj(_))) =>
            {
                for item in items {
                    if let Node::Obj(inner) = item {
                        out.push_str(&format!("{pad}{} {{\n", hcl_ident(k)));
                        hcl_body(inner, indent + 2, out);
                        out.push_str(&format!("{pad}}}\n"));
                    }
                }
            }
            other => out.push_str(&format!(
                "{pad}{} = {}\n",
                hcl_ident(k),
                hcl_value(other, indent)
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_blocks_lists_and_quoting() {
        let n = Node::obj(vec![
            ("Name", Node::str("a: b")),
            ("Empty", Node::Obj(vec![])),
            (
                "List",
                Node::List(vec![
                    Node::obj(vec![
                        ("Key", Node::str("k")),
                        ("Value", Node::Num(5.into())),
                    ]),
                    Node::str("x"),
                ]),
            ),
            ("yes", Node::Bool(true)),
            ("Ref", Node::Raw("!GetAtt A.B".into())),
        ]);
        let mut out = String::new();
        yaml(&n, 0, &mut out);
        assert_eq!(
            out,
            "Name: \"a: b\"\nEmpty: {}\nList:\n  - Key: \"k\"\n    Value: 5\n  - \"x\"\n\"yes\": true\nRef: !GetAtt A.B\n"
        );
    }

    #[test]
    fn hcl_blocks_and_attributes() {
        let body = vec![
            ("name".to_string(), Node::str("${x}")),
            (
                "spec".to_string(),
                Node::obj(vec![(
                    "listener",
                    Node::List(vec![
                        Node::obj(vec![("port", Node::Num(1.into()))]),
                        Node::obj(vec![("port", Node::Num(2.into()))]),
                    ]),
                )]),
            ),
            ("ports".to_string(), Node::List(vec![Node::Num(1.into())])),
            (
                "tags".to_string(),
                Node::Map(vec![("k".into(), "v".into())]),
            ),
        ];
        let mut out = String::new();
        hcl_body(&body, 2, &mut out);
        assert_eq!(
            out,
            "  name = \"$${x}\"\n  spec {\n    listener {\n      port = 1\n    }\n    listener {\n      port = 2\n    }\n  }\n  ports = [1]\n  tags = {\n    \"k\" = \"v\"\n  }\n"
        );
    }
}
