//! The mesh-file commands: `export`, `plan`, `apply`, `import`, `replay`. They take the app's
//! connection flags (`--endpoint-url`, `--profile`, `--region`, `--sandbox [--state]`, given
//! before the command) through [`crate::headless::connect`]. Plans go to standard output;
//! progress, notes and questions to standard error.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, Subcommand};

use super::format::{self, FileError, FileProblem, MeshFile};
use super::plan::{self, Op, Plan, what};
use super::remote::{self, Event, Outcome};
use super::replay;
use crate::aws::ApiError;
use crate::cli::Cli;
use crate::fileio::{self, Cap, Existing};
use crate::headless::{self, Connection};
use crate::kind::Key;
use crate::mesh::MeshModel;

/// Mesh files and transcripts are read up to this size (a mesh at every default quota is
/// about 7 MB).
pub const MAX_FILE_BYTES: u64 = 32 << 20;

const MESH_FILE: Cap = Cap {
    what: "mesh file",
    bytes: MAX_FILE_BYTES,
    raise: None,
};

const TRANSCRIPT: Cap = Cap {
    what: "transcript",
    bytes: 2 * MAX_FILE_BYTES,
    raise: None,
};

/// At most this many steps are listed as not done when an apply stops.
const LISTED: usize = 50;

#[derive(Debug, Subcommand)]
pub enum MeshCommand {
    /// Write whole meshes (every resource with its spec and tags) as a mesh file.
    Export(ExportArgs),
    /// Show what applying a mesh file would change, resource by resource, field by field.
    Plan(PlanArgs),
    /// Make the meshes match a mesh file (asks first; --yes applies without asking).
    Apply(ApplyArgs),
    /// Build the meshes that files describe, in the sandbox or at any endpoint.
    Import(ImportArgs),
    /// Turn a --transcript record into the mesh file the session built.
    Replay(ReplayArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The mesh to export; repeat for several (one YAML document each).
    #[arg(long = "mesh", value_name = "NAME", required = true)]
    pub meshes: Vec<String>,
    /// Write to FILE (replaced if it exists) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// What to write: the mesh file (the default), or infrastructure code that builds the
    /// same mesh (Terraform and CloudFormation adopt the existing resources: import blocks,
    /// DeletionPolicy: Retain).
    #[arg(long, value_enum, default_value_t = ExportFormat::MeshFile)]
    pub format: ExportFormat,
}

/// `export --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    MeshFile,
    Cloudformation,
    Terraform,
    Kubernetes,
    /// A `sh` script of `aws appmesh create-…` commands in an order the service accepts.
    Cli,
    /// A JSON list of `{command, input}` for `aws … --cli-input-json`, in that order.
    CliInputJson,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The mesh file; `-` reads standard input.
    #[arg(short, long, value_name = "FILE")]
    pub file: PathBuf,
    /// Also delete what the meshes hold and the file does not (never the meshes themselves).
    #[arg(long)]
    pub prune: bool,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The mesh file; `-` reads standard input (then --yes is needed).
    #[arg(short, long, value_name = "FILE")]
    pub file: PathBuf,
    /// Also delete what the meshes hold and the file does not (never the meshes themselves).
    #[arg(long)]
    pub prune: bool,
    /// Apply without asking. Without a terminal to ask at, apply refuses unless this is given.
    #[arg(short, long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files to import: mesh files (CloudFormation templates, Terraform and Kubernetes
    /// manifests: see README, "Import").
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// A CloudFormation template parameter: KEY=VALUE, repeatable.
    #[arg(long = "parameter", value_name = "KEY=VALUE")]
    pub parameters: Vec<String>,
    /// A Terraform variable: KEY=VALUE, repeatable.
    #[arg(long = "var", value_name = "KEY=VALUE")]
    pub vars: Vec<String>,
    /// Import without asking. Without a terminal to ask at, import refuses unless this is given.
    #[arg(short, long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The transcript (`--transcript FILE` of an earlier session).
    #[arg(value_name = "TRANSCRIPT")]
    pub transcript: PathBuf,
    /// Write the mesh file to FILE (replaced if it exists) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Runs one of the commands.
pub async fn run(cli: &Cli, cmd: &MeshCommand) -> Result<(), String> {
    let (file, prune, apply_yes) = match cmd {
        MeshCommand::Export(a) => return export(cli, a).await,
        MeshCommand::Replay(a) => return replay_cmd(a),
        MeshCommand::Plan(a) => (read_mesh_file(&a.file)?, a.prune, None),
        MeshCommand::Apply(a) => (read_mesh_file(&a.file)?, a.prune, Some(a.yes)),
        MeshCommand::Import(a) => (import_files(a)?, false, Some(a.yes)),
    };
    let conn = headless::connect(cli).await?;
    let result = async {
        let plan = plan_for(&conn, &file, prune).await?;
        print_plan(&plan)?;
        match apply_yes {
            Some(yes) => carry_out(&conn, &plan, yes).await,
            None => Ok(()),
        }
    }
    .await;
    // Always: the in-process sandbox saves its state here.
    conn.close().await;
    result
}

/// A file's text: a path through [`fileio`] (regular files only, at most `cap`), or `-` for
/// standard input (at most `cap` too).
fn read_input(path: &Path, cap: &Cap) -> Result<String, String> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(cap.bytes + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        if bytes.len() as u64 > cap.bytes {
            return Err(format!(
                "standard input is larger than {}, the cap for {}s",
                fileio::human_size(cap.bytes),
                cap.what
            ));
        }
        return String::from_utf8(bytes).map_err(|e| {
            format!(
                "standard input is not UTF-8 text (byte {} is not valid UTF-8)",
                e.utf8_error().valid_up_to()
            )
        });
    }
    fileio::read_text(path, cap).map_err(|e| e.to_string())
}

fn display_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "(standard input)".to_string()
    } else {
        path.display().to_string()
    }
}

/// Reads and checks a mesh file; the error names every problem with its line.
pub fn read_mesh_file(path: &Path) -> Result<MeshFile, String> {
    let text = read_input(path, &MESH_FILE)?;
    format::parse(&display_name(path), &text).map_err(|e| e.to_string())
}

/// Writes `text` to `output`, or to standard output.
fn emit(text: &str, output: Option<&Path>, what: &str) -> Result<(), String> {
    match output {
        Some(path) => {
            let w = fileio::write_file(path, text.as_bytes(), Existing::Replace)
                .map_err(|e| format!("cannot write the {what}: {e}"))?;
            eprintln!("Wrote {} ({} bytes).", w.file.display(), text.len());
            Ok(())
        }
        None => stdout_write(text),
    }
}

/// Standard output; a reader that went away (`| head`) is not an error.
fn stdout_write(text: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write to standard output: {e}"))
        }
        _ => Ok(()),
    }
}

fn api_error(e: &ApiError) -> String {
    let status = e
        .http_status
        .map(|s| format!(" (HTTP {s})"))
        .unwrap_or_default();
    let msg = crate::ui::text::clean(&e.message);
    if msg.is_empty() {
        format!("{}{status}", e.title())
    } else {
        format!("{}{status}: {msg}", e.title())
    }
}

async fn export(cli: &Cli, a: &ExportArgs) -> Result<(), String> {
    let conn = headless::connect(cli).await?;
    let target = conn.target.clone();
    eprintln!("Reading {} from {}…", names(&a.meshes), conn.describe());
    let mut meshes = Vec::new();
    let mut failed = None;
    for name in &a.meshes {
        match remote::fetch_report(&conn.api, name).await {
            Ok(f) => {
                note_unserved(&conn, &f.unserved);
                meshes.push(f.model);
            }
            Err(e) => {
                failed = Some(if remote::is_not_found(&e) {
                    format!(
                        "mesh {name:?} does not exist at {} ({})",
                        conn.describe(),
                        api_error(&e)
                    )
                } else {
                    format!("cannot read mesh {name:?}: {}", api_error(&e))
                });
                break;
            }
        }
    }
    conn.close().await;
    if let Some(e) = failed {
        return Err(e);
    }
    let iac_format = match a.format {
        ExportFormat::MeshFile => None,
        ExportFormat::Cloudformation => Some(crate::iac::Format::CloudFormation),
        ExportFormat::Terraform => Some(crate::iac::Format::Terraform),
        ExportFormat::Kubernetes => Some(crate::iac::Format::Kubernetes),
        ExportFormat::Cli => Some(crate::iac::Format::AwsCli),
        ExportFormat::CliInputJson => Some(crate::iac::Format::CliInputJson),
    };
    let (text, what) = match iac_format {
        None => (format::to_yaml(&meshes), "mesh file"),
        Some(f) => {
            let opts = crate::iac::ExportOptions {
                cli: crate::iac::cli::CliTarget {
                    region: Some(target.region.clone()),
                    endpoint_url: target
                        .endpoint
                        .as_deref()
                        .map(|e| crate::redact::redact(e).into_owned()),
                },
                ..Default::default()
            };
            let mut text = String::new();
            for m in &meshes {
                let out = crate::iac::export_mesh(f, m, &opts);
                for note in &out.notes {
                    eprintln!("note: {}", crate::ui::text::clean(note));
                }
                text.push_str(&out.text);
            }
            (text, f.label())
        }
    };
    emit(&text, a.output.as_deref(), what)?;
    let count: usize = meshes.iter().map(|m| m.items.len()).sum();
    eprintln!(
        "Exported {} ({count} resource{}, the mesh{} included).",
        names(&a.meshes),
        if count == 1 { "" } else { "s" },
        if a.meshes.len() == 1 { "" } else { "es" }
    );
    Ok(())
}

/// Says which kinds the endpoint does not serve (once per kind and run).
fn note_unserved(conn: &Connection, kinds: &[crate::kind::Kind]) {
    use std::sync::Mutex;
    static SAID: Mutex<Vec<crate::kind::Kind>> = Mutex::new(Vec::new());
    let mut said = SAID.lock().unwrap_or_else(|e| e.into_inner());
    for k in kinds {
        if !said.contains(k) {
            said.push(*k);
            eprintln!(
                "note: {} answers List{}s with HTTP 404 and no App Mesh error, so it does not serve {}; they are counted as none",
                conn.describe(),
                k.info().name,
                k.info().plural
            );
        }
    }
}

fn names(meshes: &[String]) -> String {
    match meshes {
        [one] => format!("mesh {one:?}"),
        many => format!(
            "meshes {}",
            many.iter()
                .map(|m| format!("{m:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Fetches what the endpoint holds of every mesh in the file, checks that the references the
/// file makes will hold, and plans.
pub async fn plan_for(conn: &Connection, file: &MeshFile, prune: bool) -> Result<Plan, String> {
    let started = Instant::now();
    let mesh_names: Vec<String> = file.meshes.iter().map(|m| m.name.clone()).collect();
    eprintln!("Reading {} from {}…", names(&mesh_names), conn.describe());
    let mut plan = Plan::default();
    let mut problems: Vec<FileProblem> = Vec::new();
    for desired in &file.meshes {
        let fetched = remote::fetch_or_empty_report(&conn.api, &desired.name)
            .await
            .map_err(|e| format!("cannot read mesh {:?}: {}", desired.name, api_error(&e)))?;
        note_unserved(conn, &fetched.unserved);
        for kind in &fetched.unserved {
            if let Some((k, _)) = desired.of_kind(*kind).next() {
                problems.push(file.problem(
                    k,
                    "",
                    format!(
                        "{} does not serve {} (it answers their List with HTTP 404), so the file cannot be applied there; leave them out for this endpoint",
                        conn.describe(),
                        kind.info().plural
                    ),
                ));
            }
        }
        let current = fetched.model;
        for d in plan::dangling(desired, &current, prune) {
            problems.push(file.problem(&d.from, &d.at, d.message()));
        }
        plan.add(desired, &current, prune);
    }
    if !problems.is_empty() {
        let more = problems.len().saturating_sub(format::NAMED_PROBLEMS);
        problems.truncate(format::NAMED_PROBLEMS);
        return Err(FileError {
            file: file.file.clone(),
            problems,
            more,
        }
        .to_string());
    }
    eprintln!("Planned in {:.2} s.", started.elapsed().as_secs_f64());
    Ok(plan)
}

fn color_for(stream_is_terminal: bool) -> bool {
    stream_is_terminal
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

fn print_plan(plan: &Plan) -> Result<(), String> {
    stdout_write(&plan.render(color_for(std::io::stdout().is_terminal())))
}

/// Asks (at a terminal) or checks `--yes`, then applies with progress on standard error.
async fn carry_out(conn: &Connection, plan: &Plan, yes: bool) -> Result<(), String> {
    if plan.is_empty() {
        eprintln!("Nothing to do.");
        return Ok(());
    }
    let n = plan.steps.len();
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(format!(
                "not applied: standard input is not a terminal, so there is no one to ask; run again with --yes to apply these {n} change{} without asking. Nothing was changed.",
                if n == 1 { "" } else { "s" }
            ));
        }
        eprint!(
            "Apply these {n} change{} to {}? Only \"yes\" applies: ",
            if n == 1 { "" } else { "s" },
            conn.describe()
        );
        let answer = tokio::task::spawn_blocking(|| {
            let mut line = String::new();
            let mut stdin = std::io::stdin().lock().take(4096);
            let mut byte = [0u8; 1];
            while let Ok(1) = stdin.read(&mut byte) {
                if byte[0] == b'\n' {
                    break;
                }
                line.push(byte[0] as char);
            }
            line
        })
        .await
        .unwrap_or_default();
        if answer.trim() != "yes" {
            return Err(format!(
                "not applied: the answer was {:?}, not \"yes\". Nothing was changed.",
                crate::ui::text::clean(answer.trim())
            ));
        }
    }
    let started = Instant::now();
    let err_color = color_for(std::io::stderr().is_terminal());
    let outcome = remote::apply(&conn.api, plan, interrupted(), |e| progress(e, err_color)).await;
    let text = outcome_text(plan, &outcome, started.elapsed().as_secs_f64());
    if let Some(stopped) = &outcome.stopped {
        // Ends the progress line of the step that stopped.
        let word = if stopped.error.is_some() {
            "failed"
        } else {
            "interrupted"
        };
        if err_color {
            eprintln!(" \u{1b}[31m{word}\u{1b}[0m");
        } else {
            eprintln!(" {word}");
        }
    }
    if outcome.complete() {
        eprintln!("{text}");
        Ok(())
    } else {
        Err(text)
    }
}

/// Completes on Ctrl-C or SIGTERM.
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn verb(op: Op) -> &'static str {
    match op {
        Op::Create => "create",
        Op::Update => "update",
        Op::Delete => "delete",
    }
}

fn progress(e: Event<'_>, color: bool) {
    let mut err = std::io::stderr().lock();
    let _ = match e {
        Event::Start { index, total, step } => write!(
            err,
            "[{}/{total}] {} {} …",
            index + 1,
            verb(step.op),
            what(&step.key)
        ),
        Event::Done { took, .. } => {
            let ms = took.as_secs_f64() * 1000.0;
            if color {
                writeln!(err, " \u{1b}[32mok\u{1b}[0m ({ms:.0} ms)")
            } else {
                writeln!(err, " ok ({ms:.0} ms)")
            }
        }
    };
    let _ = err.flush();
}

/// What was done and what was not, in words.
pub fn outcome_text(plan: &Plan, outcome: &Outcome, secs: f64) -> String {
    let total = plan.steps.len();
    let done = &plan.steps[..outcome.done];
    let count = |op: Op| done.iter().filter(|s| s.op == op).count();
    let done_summary = format!(
        "{} created, {} updated, {} deleted",
        count(Op::Create),
        count(Op::Update),
        count(Op::Delete)
    );
    let Some(stopped) = &outcome.stopped else {
        let all = if total == 1 {
            "the 1 change".to_string()
        } else {
            format!("all {total} changes")
        };
        return format!("Applied {all} in {secs:.1} s: {done_summary}.");
    };
    let step = &plan.steps[outcome.done];
    let here = format!(
        "step {} of {total} ({} {})",
        outcome.done + 1,
        verb(step.op),
        what(&step.key)
    );
    let mut s = match &stopped.error {
        Some(e) => format!("Stopped at {here}: {}.", api_error(e).trim_end_matches('.')),
        None => {
            format!("Interrupted at {here}: whether that request reached the service is unknown.")
        }
    };
    if let Some(p) = &stopped.partly {
        s.push_str(&format!(" Of that step, {p}."));
    } else if stopped.error.is_some() {
        s.push_str(" Nothing of that step was applied.");
    }
    s.push_str(&format!(
        "\nDone: {} of {total} steps (those marked ok above): {done_summary}.",
        outcome.done
    ));
    let rest = &plan.steps[outcome.done + 1..];
    if rest.is_empty() {
        s.push_str("\nNot done: nothing else; the plan ended with that step.");
    } else {
        s.push_str(&format!(
            "\nNot started: {} step{}:",
            rest.len(),
            if rest.len() == 1 { "" } else { "s" }
        ));
        for st in rest.iter().take(LISTED) {
            s.push_str(&format!("\n  {} {}", verb(st.op), what(&st.key)));
        }
        if rest.len() > LISTED {
            s.push_str(&format!("\n  … and {} more", rest.len() - LISTED));
        }
    }
    s.push_str(
        "\nRunning the same apply again plans from what the meshes hold now, so it does only what is still missing.",
    );
    s
}

// ---- import ---------------------------------------------------------------------------------

/// What a file given to `import` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    MeshFile,
    CloudFormation,
    Terraform,
    Kubernetes,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::MeshFile => "mesh file",
            Source::CloudFormation => "CloudFormation template",
            Source::Terraform => "Terraform configuration",
            Source::Kubernetes => "Kubernetes manifest",
        }
    }
}

/// Tells what a file is from its name and its first lines.
pub fn detect(path: &Path, text: &str) -> Option<Source> {
    let name = path.to_string_lossy();
    if name.ends_with(".tf") || name.ends_with(".tf.json") {
        return Some(Source::Terraform);
    }
    for line in text.lines().take(2_000) {
        let l = line.trim_start_matches(['-', ' ', '\t']).trim();
        if let Some(v) = l
            .strip_prefix("apiVersion:")
            .or_else(|| l.strip_prefix("\"apiVersion\":"))
        {
            let v = v.trim().trim_matches(['"', '\'', ',']);
            if v.starts_with("appmesh-tui/") {
                return Some(Source::MeshFile);
            }
            if v.starts_with("appmesh.k8s.aws/") {
                return Some(Source::Kubernetes);
            }
        }
        if l.contains("AWSTemplateFormatVersion") || l.contains("AWS::AppMesh::") {
            return Some(Source::CloudFormation);
        }
        if l.starts_with("resource \"aws_appmesh_") {
            return Some(Source::Terraform);
        }
    }
    None
}

/// Reads every file into one set of meshes; the same resource in two files must be the same.
fn import_files(a: &ImportArgs) -> Result<MeshFile, String> {
    let mut meshes: BTreeMap<String, MeshModel> = BTreeMap::new();
    let mut from: BTreeMap<Key, (String, Option<usize>)> = BTreeMap::new();
    let mut first: Option<MeshFile> = None;
    let mut kinds = Vec::new();
    for path in &a.files {
        let text = read_input(path, &MESH_FILE)?;
        let shown = display_name(path);
        let source = detect(path, &text).ok_or_else(|| {
            format!(
                "cannot tell what {shown} is: import reads mesh files (apiVersion: appmesh-tui/v1), CloudFormation templates, Terraform configurations (.tf) and Kubernetes manifests (apiVersion: appmesh.k8s.aws/…)"
            )
        })?;
        kinds.push(source);
        if source != Source::MeshFile {
            continue;
        }
        let file = format::parse(&shown, &text).map_err(|e| e.to_string())?;
        for m in &file.meshes {
            let into = meshes
                .entry(m.name.clone())
                .or_insert_with(|| MeshModel::new(m.name.clone()));
            for (k, item) in &m.items {
                if let Some(have) = into.items.get(k) {
                    if have.spec != item.spec || have.tags != item.tags {
                        let (other, line) = &from[k];
                        let at = |f: &str, l: &Option<usize>| match l {
                            Some(l) => format!("{f}:{l}"),
                            None => f.to_string(),
                        };
                        return Err(format!(
                            "{} is in {} and in {}, differently; keep one of them",
                            what(k),
                            at(other, line),
                            at(&shown, &file.line_of(k))
                        ));
                    }
                    continue;
                }
                from.insert(k.clone(), (shown.clone(), file.line_of(k)));
                into.items.insert(k.clone(), item.clone());
            }
        }
        if first.is_none() {
            first = Some(file);
        }
    }
    if !a.parameters.is_empty() && !kinds.contains(&Source::CloudFormation) {
        return Err("--parameter sets CloudFormation template parameters, and none of the files is a CloudFormation template".into());
    }
    if !a.vars.is_empty() && !kinds.contains(&Source::Terraform) {
        return Err(
            "--var sets Terraform variables, and none of the files is a Terraform configuration"
                .into(),
        );
    }
    if kinds.iter().any(|k| *k != Source::MeshFile) {
        return import_code(a);
    }
    let meshes: Vec<MeshModel> = meshes.into_values().collect();
    // One file: keep it, so problems found later name its lines.
    Ok(match first {
        Some(f) if a.files.len() == 1 => f,
        _ => MeshFile::from_models("the imported files", meshes),
    })
}

/// Infrastructure code among the files: every file (mesh files too) goes through
/// `iac::read`, which checks each resource against the model and the references between
/// files. Notes go to standard error; any error refuses the import, listing them.
fn import_code(a: &ImportArgs) -> Result<MeshFile, String> {
    let pairs = |list: &[String], flag: &str| -> Result<BTreeMap<String, String>, String> {
        list.iter()
            .map(|kv| {
                kv.split_once('=')
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .ok_or_else(|| format!("{flag} {kv:?}: write it as KEY=VALUE"))
            })
            .collect()
    };
    let opts = crate::iac::import::ImportOptions {
        parameters: pairs(&a.parameters, "--parameter")?,
        vars: pairs(&a.vars, "--var")?,
        mesh_file: Some(format::read_for_import),
        ..Default::default()
    };
    let result = crate::iac::import::read(&a.files, &opts);
    let clean = crate::ui::text::clean;
    for p in result
        .problems
        .iter()
        .filter(|p| p.severity == crate::iac::import::Severity::Note)
    {
        eprintln!("{}", clean(&p.to_string()));
    }
    let errors: Vec<String> = result
        .errors()
        .map(|p| clean(&p.to_string()).into_owned())
        .collect();
    if !errors.is_empty() {
        const SHOWN: usize = 20;
        let mut msg = format!(
            "the files were not imported: {} problem{} (fix them, or leave the file out):",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" }
        );
        for e in errors.iter().take(SHOWN) {
            msg.push_str("\n  ");
            msg.push_str(e);
        }
        if errors.len() > SHOWN {
            msg.push_str(&format!("\n  … and {} more", errors.len() - SHOWN));
        }
        return Err(msg);
    }
    if result.meshes.is_empty() {
        return Err("the files hold no App Mesh resource (AWS::AppMesh::*, aws_appmesh_*, appmesh.k8s.aws/v1beta2, or a mesh file)".into());
    }
    Ok(MeshFile::from_models("the imported files", result.meshes))
}

// ---- replay ---------------------------------------------------------------------------------

fn replay_cmd(a: &ReplayArgs) -> Result<(), String> {
    let text = read_input(&a.transcript, &TRANSCRIPT)?;
    let r = replay::replay(&text);
    for note in &r.notes {
        eprintln!("note: {}", crate::ui::text::clean(note));
    }
    if r.meshes.is_empty() {
        return Err(format!(
            "{} built no mesh that still exists at its end: no successful CreateMesh, UpdateMesh or tag change of a mesh it did not delete again",
            display_name(&a.transcript)
        ));
    }
    let yaml = format::to_yaml(&r.meshes);
    // What replay writes must read back as a mesh file.
    format::parse("the replayed file", &yaml).map_err(|e| {
        format!(
            "the transcript holds a mesh App Mesh would not accept, so no file was written:\n{e}"
        )
    })?;
    emit(&yaml, a.output.as_deref(), "mesh file")?;
    eprintln!(
        "Replayed {} from {}.",
        names(&r.meshes.iter().map(|m| m.name.clone()).collect::<Vec<_>>()),
        display_name(&a.transcript)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_told_apart() {
        let p = Path::new;
        assert_eq!(
            detect(p("a.yaml"), "# x\napiVersion: appmesh-tui/v1\n"),
            Some(Source::MeshFile)
        );
        assert_eq!(
            detect(
                p("a.yaml"),
                "apiVersion: appmesh.k8s.aws/v1beta2\nkind: Mesh\n"
            ),
            Some(Source::Kubernetes)
        );
        assert_eq!(
            detect(p("a.yaml"), "AWSTemplateFormatVersion: '2010-09-09'\n"),
            Some(Source::CloudFormation)
        );
        assert_eq!(
            detect(
                p("a.json"),
                "{\"Resources\": {\"M\": {\"Type\": \"AWS::AppMesh::Mesh\"}}}"
            ),
            Some(Source::CloudFormation)
        );
        assert_eq!(detect(p("main.tf"), ""), Some(Source::Terraform));
        assert_eq!(
            detect(p("x"), "resource \"aws_appmesh_mesh\" \"m\" {\n"),
            Some(Source::Terraform)
        );
        assert_eq!(detect(p("x"), "hello"), None);
    }

    #[test]
    fn an_outcome_says_what_was_and_was_not_done() {
        let m = format::parse("f", format::tests::EXAMPLE)
            .unwrap()
            .meshes
            .remove(0);
        let plan = Plan::new(&m, &MeshModel::new("shop"), false);
        let out = Outcome {
            done: 2,
            stopped: Some(remote::Stopped {
                error: Some(ApiError {
                    kind: crate::aws::ErrorKind::Service,
                    code: Some("LimitExceededException".into()),
                    message: "too many".into(),
                    http_status: Some(400),
                    request_id: None,
                }),
                partly: None,
            }),
        };
        let text = outcome_text(&plan, &out, 1.0);
        assert!(text.contains("Stopped at step 3 of 8 (create virtual node \"web-v2\"): LimitExceededException (HTTP 400): too many. Nothing of that step was applied."), "{text}");
        assert!(
            text.contains(
                "Done: 2 of 8 steps (those marked ok above): 2 created, 0 updated, 0 deleted."
            ),
            "{text}"
        );
        assert!(
            text.contains("Not started: 5 steps:\n  create virtual router \"web\""),
            "{text}"
        );
        let out = Outcome {
            done: 8,
            stopped: None,
        };
        assert!(outcome_text(&plan, &out, 1.0).starts_with("Applied all 8 changes"));
    }
}
