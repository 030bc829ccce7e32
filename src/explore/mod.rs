//! Browsing a whole App Mesh account: meshes, and inside a mesh every kind, with the facts that
//! matter per kind, describe panes with links, deletes and tags. Kinds are data (the registry
//! in `crate::kind` and the column tables in [`facts`]); nothing here is written per kind.

pub mod describe;
pub mod facts;
