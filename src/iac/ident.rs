//! The identifiers an export gives each resource: CloudFormation logical IDs, Terraform
//! resource names, Kubernetes object names. Each is derived from the resource's names, made
//! valid for the format, and unique within its scope (a number is added on a clash), so a
//! whole mesh's export always refers to the right resource.

use std::collections::{BTreeMap, HashSet};

use crate::kind::{Key, Kind};
use crate::mesh::MeshModel;

/// `web-v1.prod` → `WebV1Prod`: the ASCII letters and digits, each run capitalised.
fn pascal_words(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(super::names::pascal)
        .collect()
}

/// A CloudFormation logical ID for `key`: the kind, then the names (`VirtualNodeWebV1`,
/// `RouteRouterHttpCanary`). Alphanumeric, at most 255 characters.
fn cfn_base(key: &Key) -> String {
    let mut id = key.kind.info().name.to_string();
    if key.kind.info().parent.is_some() {
        id.push_str(&pascal_words(&key.parent));
    }
    id.push_str(&pascal_words(&key.name));
    id.truncate(240);
    id
}

/// A Terraform resource name: lower-case letters, digits and `_`, starting with a letter
/// (a route's name starts with its router's).
fn tf_base(key: &Key) -> String {
    let raw = match key.kind.info().parent {
        Some(_) => format!("{}_{}", key.parent, key.name),
        None => key.name.to_string(),
    };
    let mut id: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let trimmed = id.trim_matches('_');
    id = if trimmed.is_empty() {
        super::names::snake(key.kind.info().name)
    } else {
        trimmed.to_string()
    };
    if !id.starts_with(|c: char| c.is_ascii_alphabetic()) {
        id.insert_str(
            0,
            &format!("{}_", super::names::snake(key.kind.info().name)),
        );
    }
    id.truncate(200);
    id
}

/// A Kubernetes object name (an RFC 1123 label: lower-case letters, digits and `-`, at most 63
/// characters, starting and ending with a letter or digit), also fit for a label value.
pub fn k8s_label(s: &str, fallback: &str) -> String {
    let mapped: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let mut out = String::new();
    for c in mapped.chars() {
        if c == '-' && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        out.push(c);
    }
    let mut out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        out = fallback.to_string();
    }
    if out.len() > 63 {
        // Keep it unique: a checksum of the whole name replaces the end.
        let sum = format!("{:08x}", crc32fast::hash(s.as_bytes()));
        out.truncate(54);
        out = format!("{}-{sum}", out.trim_end_matches('-'));
    }
    out
}

fn k8s_base(key: &Key) -> String {
    let fallback = super::names::snake(key.kind.info().name).replace('_', "-");
    k8s_label(&key.name, &fallback)
}

/// Identifiers of every resource of a mesh in one format.
#[derive(Debug, Default)]
pub struct Idents {
    by_key: BTreeMap<Key, String>,
}

impl Idents {
    fn build(mesh: &MeshModel, base: fn(&Key) -> String, per_kind: bool) -> Idents {
        let mut taken: HashSet<(Option<Kind>, String)> = HashSet::new();
        let mut by_key = BTreeMap::new();
        for key in mesh.create_order() {
            // Routes live inside their router in Kubernetes; they need no object name.
            let b = base(&key);
            let scope = per_kind.then_some(key.kind);
            let mut id = b.clone();
            let mut n = 2;
            while !taken.insert((scope, id.clone())) {
                id = format!("{b}{}{n}", if per_kind { "-" } else { "" });
                n += 1;
            }
            by_key.insert(key, id);
        }
        Idents { by_key }
    }

    /// Logical IDs, unique in the template.
    pub fn cloudformation(mesh: &MeshModel) -> Idents {
        Idents::build(mesh, cfn_base, false)
    }

    /// Resource names, unique per resource type.
    pub fn terraform(mesh: &MeshModel) -> Idents {
        let mut ids = Idents::build(mesh, tf_base, true);
        // `name-2` is not a valid Terraform name; use `name_2`.
        for v in ids.by_key.values_mut() {
            *v = v.replace('-', "_");
        }
        ids
    }

    /// Object names, unique per kind (one namespace).
    pub fn kubernetes(mesh: &MeshModel) -> Idents {
        Idents::build(mesh, k8s_base, true)
    }

    pub fn get(&self, key: &Key) -> Option<&str> {
        self.by_key.get(key).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::mesh::Item;

    #[test]
    fn identifiers_are_valid_and_unique() {
        let mut m = MeshModel::new("shop");
        m.items.insert(Key::mesh("shop"), Item::new(json!({})));
        for n in ["web-v1", "web_v1", "WEB.V1", "1st", "网格", ""] {
            m.items.insert(
                Key::new(Kind::VirtualNode, "shop", "", n),
                Item::new(json!({})),
            );
        }
        m.items.insert(
            Key::new(Kind::Route, "shop", "r-1", "canary"),
            Item::new(json!({})),
        );
        let cfn = Idents::cloudformation(&m);
        let tf = Idents::terraform(&m);
        let k8s = Idents::kubernetes(&m);
        let mut seen = (HashSet::new(), HashSet::new(), HashSet::new());
        for key in m.items.keys() {
            let c = cfn.get(key).unwrap();
            assert!(
                !c.is_empty() && c.chars().all(|c| c.is_ascii_alphanumeric()),
                "{c}"
            );
            assert!(seen.0.insert(c.to_string()), "{c}");
            let t = tf.get(key).unwrap();
            assert!(t.starts_with(|c: char| c.is_ascii_alphabetic()), "{t}");
            assert!(
                t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "{t}"
            );
            assert!(seen.1.insert((key.kind, t.to_string())), "{t}");
            let k = k8s.get(key).unwrap();
            assert!(
                k.len() <= 63 && !k.starts_with('-') && !k.ends_with('-'),
                "{k}"
            );
            assert!(
                k.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{k}"
            );
            assert!(seen.2.insert((key.kind, k.to_string())), "{k}");
        }
        assert_eq!(
            cfn.get(&Key::new(Kind::Route, "shop", "r-1", "canary")),
            Some("RouteR1Canary")
        );
        assert_eq!(
            tf.get(&Key::new(Kind::VirtualNode, "shop", "", "1st")),
            Some("virtual_node_1st")
        );
        assert_eq!(k8s_label(&"a".repeat(100), "x").len(), 63);
    }
}
