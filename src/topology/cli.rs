//! `appmesh-tui graph --mesh NAME [--format dot|mermaid|svg|text] [-o FILE]`: the topology for
//! documents and tickets, in the formats of [`Format`], all drawn from one graph.

use super::Graph;
use super::layout::Layout;
use crate::mesh::MeshModel;

/// What `graph` writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The terminal drawing (box-drawing characters), the problems in words, what marks mean.
    #[default]
    Text,
    /// Graphviz DOT (`dot -Tpng`), one rank per column.
    Dot,
    /// A Mermaid flowchart (`flowchart LR`), for Markdown documents.
    Mermaid,
    /// An SVG picture drawn by appmesh-tui itself.
    Svg,
}

/// The topology of `mesh` in `format`.
pub fn render(mesh: &MeshModel, format: Format) -> String {
    let graph = Graph::from_mesh(mesh);
    match format {
        Format::Dot => super::dot::render(&graph),
        Format::Mermaid => super::mermaid::render(&graph),
        Format::Text => super::paint::to_text(&Layout::new(graph)),
        Format::Svg => super::svg::render(&Layout::new(graph)),
    }
}
