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

/// `graph`'s flags.
#[derive(Debug, Clone, clap::Args)]
pub struct GraphArgs {
    /// The mesh to draw.
    #[arg(long, value_name = "NAME")]
    pub mesh: String,
    /// What to write: the terminal drawing, Graphviz DOT, a Mermaid flowchart or SVG.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write to FILE instead of standard output (an existing file is replaced; never a device).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

/// The most resources `graph` reads from one mesh (the service's quotas allow far fewer; a
/// server that keeps answering pages is stopped here).
pub const FETCH_MAX: usize = 100_000;
/// Describe calls in flight at once.
const FETCH_PARALLEL: usize = 8;

fn call_error(what: &str, e: &crate::aws::error::ApiError) -> String {
    format!(
        "{what}: {}: {} ({})",
        e.title(),
        crate::ui::text::clean(&e.message),
        e.hint_for(crate::aws::error::CallKind::Read)
    )
}

/// Every page of List for `kind` in `mesh` (of `parent` for routes and gateway routes).
async fn list_all(
    api: &crate::aws::Api,
    kind: crate::kind::Kind,
    mesh: &str,
    parent: &str,
    budget: &mut usize,
) -> Result<Vec<crate::kind::Key>, String> {
    let mut keys = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = api
            .list_page(kind, mesh, parent, token.take(), Some(100))
            .await
            .map_err(|e| {
                call_error(
                    &format!("listing the {} of mesh {mesh:?}", kind.info().plural),
                    &e,
                )
            })?
            .value;
        for s in page.items {
            if *budget == 0 {
                return Err(format!(
                    "mesh {mesh:?} holds more than {FETCH_MAX} resources (or the server keeps answering pages): not drawn"
                ));
            }
            *budget -= 1;
            keys.push(s.key);
        }
        match page.next_token {
            Some(t) if !t.is_empty() => token = Some(t),
            _ => return Ok(keys),
        }
    }
}

/// The whole mesh: List of every kind (routes of each router, gateway routes of each gateway),
/// then Describe of each resource, a few at a time.
pub async fn fetch(api: &crate::aws::Api, mesh: &str) -> Result<MeshModel, String> {
    use crate::kind::{Key, Kind};
    let mut model = MeshModel::new(mesh);
    let root = api
        .describe(&Key::mesh(mesh))
        .await
        .map_err(|e| call_error(&format!("describing mesh {mesh:?}"), &e))?
        .value;
    model.put_resource(&root, Default::default());
    let mut budget = FETCH_MAX;
    let mut keys = Vec::new();
    for kind in Kind::Mesh.children() {
        let top = list_all(api, kind, mesh, "", &mut budget).await?;
        for child in kind.children() {
            for parent in &top {
                keys.extend(list_all(api, child, mesh, &parent.name, &mut budget).await?);
            }
        }
        keys.extend(top);
    }
    let mut set = tokio::task::JoinSet::new();
    let mut pending = keys.into_iter();
    let spawn = |set: &mut tokio::task::JoinSet<_>, key: Option<Key>| {
        if let Some(key) = key {
            let api = api.clone();
            set.spawn(async move {
                let r = api.describe(&key).await;
                (key, r)
            });
        }
    };
    for _ in 0..FETCH_PARALLEL {
        spawn(&mut set, pending.next());
    }
    while let Some(done) = set.join_next().await {
        let (key, result) = done.map_err(|e| format!("a describe call failed to finish: {e}"))?;
        match result {
            Ok(reply) => model.put_resource(&reply.value, Default::default()),
            // Deleted between List and Describe: the mesh changed; draw what is there.
            Err(e) if e.code.as_deref() == Some("NotFoundException") => {}
            Err(e) => return Err(call_error(&format!("describing {}", key.describe()), &e)),
        }
        spawn(&mut set, pending.next());
    }
    Ok(model)
}

/// `appmesh-tui graph`: connects as the command line says, reads the mesh, writes the graph.
pub async fn run(cli: &crate::cli::Cli, args: &GraphArgs) -> Result<(), String> {
    let conn = crate::headless::connect(cli).await?;
    let fetched = fetch(&conn.api, &args.mesh).await;
    conn.close().await;
    let model = fetched?;
    let text = render(&model, args.format);
    match &args.output {
        Some(path) => {
            crate::fileio::write_file(path, text.as_bytes(), crate::fileio::Existing::Replace)
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|_| out.flush())
                .map_err(|e| format!("cannot write the graph: {e}"))
        }
    }
}
