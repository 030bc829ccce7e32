//! appmesh-tui: a terminal UI for AWS App Mesh, with a built-in App Mesh-compatible sandbox.
//!
//! The crate is split so that state and its updates are pure and testable apart from I/O:
//! - [`model`]: the project's own App Mesh types, limits and validation (no SDK types).
//! - [`kind`]: the seven resource kinds as data, checked against the service model.
//! - [`shape`]: the service model and the one shape layer (validation, pruning) every kind uses.
//! - [`sandbox`]: the embedded App Mesh-compatible HTTP endpoint.

pub mod app;
pub mod app_template;
pub mod app_views;
pub mod app_write;
pub mod aws;
pub mod browser;
pub mod canary;
pub mod cli;
pub mod config;
pub mod explore;
pub mod export;
pub mod export_menu;
pub mod fileio;
pub mod form;
pub mod headless;
pub mod iac;
pub mod kind;
pub mod kind_form;
pub mod log;
pub mod mesh;
pub mod meshfile;
pub mod migrate;
pub mod model;
pub mod onboard;
pub mod picker;
pub mod redact;
pub mod resource;
pub mod run;
pub mod sandbox;
pub mod shape;
pub mod spec_edit;
pub mod tag_editor;
pub mod template;
#[doc(hidden)]
pub mod testing;
pub mod topology;
pub mod transcript;
pub mod ui;
pub mod walkthrough;
