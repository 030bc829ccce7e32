//! Mesh files: a whole mesh as code (issue 14), and the commands around them.
//!
//! A mesh file is YAML, one document per mesh, in the versioned format `appmesh-tui/v1`
//! (README, "Mesh files"): the mesh's name, spec and tags, then its virtual services, virtual
//! nodes, virtual routers (each with its routes) and virtual gateways (each with its gateway
//! routes), every one with its name, its spec in the App Mesh API's JSON form and its tags.
//!
//! - [`format`]: reading a file into [`MeshModel`]s, with every problem named by line, column
//!   and field (specs are checked against the service model: its rules, and members it does
//!   not have), and writing models as a file, stably (the same mesh gives the same bytes).
//! - [`plan`]: the diff of what a file wants and what the mesh holds, as steps the service
//!   accepts in order, with field-level changes.
//!
//! [`MeshModel`]: crate::mesh::MeshModel

pub mod cli;
pub mod format;
pub mod plan;
pub mod remote;
pub mod replay;
mod yaml;

pub use format::{API_VERSION, FileError, FileProblem, MeshFile, parse, to_yaml};
pub use plan::{Change, Dangling, Op, Plan, Step};
