//! Wire-form specs of every kind, from `tests/fixtures/specs/all-kinds.json`: valid per the
//! service model, together setting every member, union branch and enum value each kind's spec
//! can hold (`tests/sdk_convert.rs` checks both), in creation order (what a resource names
//! comes before it). Every resource but the meshes lives in the first mesh.

use appmesh_tui::kind::{Key, Kind};
use serde::Deserialize;
use serde_json::Value;

const ALL_KINDS: &str = include_str!("../fixtures/specs/all-kinds.json");

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    pub kind: Kind,
    pub name: String,
    /// The router of a route, the gateway of a gateway route; empty otherwise.
    #[serde(default)]
    pub parent: String,
    #[serde(default)]
    pub about: String,
    /// `None`: created without a spec member (meshes only).
    pub spec: Option<Value>,
}

impl Fixture {
    /// Its key, in `mesh` (the first mesh's name, see [`container_mesh`]).
    pub fn key(&self, mesh: &str) -> Key {
        Key::new(self.kind, mesh, self.parent.clone(), self.name.clone())
    }

    /// What Describe shows as its spec: the fixture's, or `{}` when it has none.
    pub fn expected_spec(&self) -> Value {
        self.spec.clone().unwrap_or_else(|| serde_json::json!({}))
    }
}

#[derive(Deserialize)]
struct File {
    #[allow(dead_code)]
    about: String,
    resources: Vec<Fixture>,
}

/// Every fixture, in creation order.
pub fn all() -> Vec<Fixture> {
    let file: File = serde_json::from_str(ALL_KINDS).expect("all-kinds.json parses");
    file.resources
}

/// The fixtures of one kind.
pub fn of(kind: Kind) -> Vec<Fixture> {
    all().into_iter().filter(|f| f.kind == kind).collect()
}

/// The mesh that holds every other fixture: the first one.
pub fn container_mesh() -> String {
    of(Kind::Mesh).first().expect("a mesh fixture").name.clone()
}
