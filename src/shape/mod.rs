//! The App Mesh service model, and the one shape layer every kind goes through.
//!
//! The model (`assets/model/appmesh-2019-01-25.service-2.json`, the file AWS publishes for its
//! SDKs) is compiled into the binary and parsed once, on first use. Everything that has to know
//! what a spec may hold walks the model's shapes here instead of naming fields in code:
//! structure → members, union → exactly one member, list → items, enum → allowed values,
//! string/number → lengths, patterns and ranges.
//!
//! - [`model`]: the parsed model (shapes and operations).
//! - [`validate`]: every rule the model states, with the JSON path of each problem.
//! - [`prune`]: a value reduced to the members the model knows (what the service keeps).
//!
//! Values are `serde_json::Value`s in the wire form (the member names of the model), so the
//! sandbox, the app's describe tree, the spec editor and the exports share one representation.

mod load;
mod validate;

pub use load::{Location, Member, Model, Operation, Shape, Structure, model};
pub use validate::{Problem, problems_message, prune, validate};

#[cfg(test)]
mod tests;
