//! The runtime: terminal set-up and restore, the event loop, and carrying out [`Effect`]s.
//!
//! One loop `select!`s over terminal events, results from background tasks and signals;
//! it updates the [`App`] and draws only when something changed. A timer runs only while
//! something animates.

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use futures_util::StreamExt;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event,
    EventStream,
};
use ratatui::crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::crossterm::{cursor, execute, queue};
use ratatui::{DefaultTerminal, Terminal, backend::CrosstermBackend};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::{Mutex, OnceCell, mpsc};
use tokio::task::AbortHandle;

use crate::app::{Action, App, Call, CallResult, Effect, MeshResult, Msg, SandboxInfo};
use crate::aws::{self, Api, ApiError, ErrorKind, Settings, Target};
use crate::cli::Cli;
use crate::explore::describe::Described;
use crate::sandbox::{self, Sandbox, StateLocation};
use crate::transcript::Transcript;

/// How the app reaches App Mesh, decided from the command line.
pub struct Plan {
    pub settings: Settings,
    /// Start the built-in sandbox first and point the client at it.
    pub sandbox: Option<sandbox::Config>,
}

impl Plan {
    /// Flags win over the environment, which wins over the config file.
    pub fn from_cli(cli: &Cli, config: &crate::config::Config) -> Result<Plan, String> {
        let env_set = |names: &[&str]| {
            names
                .iter()
                .any(|n| std::env::var_os(n).is_some_and(|v| !v.is_empty()))
        };
        if let Some(url) = &cli.endpoint_url
            && let Some(problem) = aws::endpoint_url_problem(url)
        {
            return Err(format!("--endpoint-url {problem}"));
        }
        let timeouts = aws::Timeouts {
            connect: crate::cli::seconds("connect-timeout", cli.connect_timeout)?,
            attempt: crate::cli::seconds("attempt-timeout", cli.attempt_timeout)?,
            total: crate::cli::seconds("call-timeout", cli.call_timeout)?,
        };
        let mut settings = Settings {
            profile: cli.profile.clone().or_else(|| {
                config
                    .profile
                    .clone()
                    .filter(|_| !env_set(&["AWS_PROFILE"]))
            }),
            region: cli.region.clone().or_else(|| {
                config
                    .region
                    .clone()
                    .filter(|_| !env_set(&["AWS_REGION", "AWS_DEFAULT_REGION"]))
            }),
            endpoint_url: cli.endpoint_url.clone().or_else(|| {
                config.endpoint_url.clone().filter(|_| {
                    !cli.sandbox && !env_set(&["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_APP_MESH"])
                })
            }),
            static_credentials: None,
            timeouts,
            region_lookup_limit: None,
            isolated: false,
        };
        let sandbox = if cli.sandbox {
            let region = sandbox::cli::default_region(
                settings.region.as_deref(),
                settings.profile.as_deref(),
            );
            settings.region = Some(region.clone());
            settings.static_credentials = Some(aws::fixed_credentials(
                sandbox::ACCESS_KEY_ID,
                sandbox::SECRET_ACCESS_KEY,
            ));
            settings.isolated = true;
            let state = if cli.ephemeral {
                StateLocation::Ephemeral
            } else if let Some(p) = &cli.state {
                StateLocation::File(p.clone())
            } else {
                StateLocation::File(sandbox::default_state_path().ok_or(
                    "cannot find a data directory for the sandbox state (is HOME set?); pass --state PATH or --ephemeral",
                )?)
            };
            let mut config = sandbox::Config::new(region, state);
            config.quotas = cli.quotas.quotas()?;
            Some(config)
        } else {
            if !cli.quotas.quota.is_empty() || cli.quotas.no_quotas {
                return Err(
                    "--quota and --no-quotas set the built-in sandbox's quotas: add --sandbox (or pass them to `appmesh-tui sandbox serve`)".into(),
                );
            }
            None
        };
        Ok(Plan { settings, sandbox })
    }

    /// Where requests go, in words (for the transcript and the log), credentials in the
    /// endpoint URL hidden.
    pub fn describe(&self) -> String {
        crate::redact::redact(&self.describe_raw()).into_owned()
    }

    fn describe_raw(&self) -> String {
        match self.sandbox_info() {
            Some(sb) => format!("the built-in SANDBOX (state: {})", sb.state),
            None => format!(
                "profile {}, region {}, {}",
                self.settings.profile.as_deref().unwrap_or("default"),
                self.settings
                    .region
                    .as_deref()
                    .unwrap_or("from the AWS configuration"),
                self.settings
                    .endpoint_url
                    .as_deref()
                    .map_or("the default AWS endpoint".to_string(), |e| format!(
                        "endpoint {e}"
                    ))
            ),
        }
    }

    pub fn sandbox_info(&self) -> Option<SandboxInfo> {
        self.sandbox.as_ref().map(|c| SandboxInfo {
            state: match &c.state {
                StateLocation::File(p) => p.display().to_string(),
                StateLocation::Ephemeral => "memory only (--ephemeral)".into(),
            },
        })
    }
}

type Connection = Result<(Api, Target), ApiError>;

/// Everything the background tasks share.
struct Shared {
    plan: Plan,
    connection: OnceCell<Connection>,
    sandbox: Mutex<Option<Sandbox>>,
}

impl Shared {
    /// The client, connecting on first use (the start-up task usually got there first).
    async fn connection(&self) -> &Connection {
        self.connection
            .get_or_init(|| async {
                let mut settings = self.plan.settings.clone();
                if let Some(cfg) = &self.plan.sandbox {
                    match Sandbox::start(cfg.clone()).await {
                        Ok(sb) => {
                            settings.endpoint_url = Some(sb.endpoint());
                            *self.sandbox.lock().await = Some(sb);
                        }
                        Err(e) => {
                            return Err(ApiError {
                                kind: ErrorKind::Request,
                                code: Some("SandboxNotStarted".into()),
                                message: e.to_string(),
                                http_status: None,
                                request_id: None,
                            });
                        }
                    }
                }
                aws::connect(&settings).await
            })
            .await
    }
}

/// Whether the app's screen (the alternate screen) is up, for [`restore_terminal`].
static ON_APP_SCREEN: AtomicBool = AtomicBool::new(false);

/// Enters the app's screen: the alternate screen, mouse and bracketed paste.
fn enter_app_screen(out: &mut impl Write) -> io::Result<()> {
    execute!(
        out,
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    )?;
    ON_APP_SCREEN.store(true, Ordering::SeqCst);
    Ok(())
}

/// Puts the terminal into the app's mode: raw, alternate screen, mouse and bracketed paste.
fn enter_terminal() -> io::Result<DefaultTerminal> {
    enable_raw_mode()?;
    enter_app_screen(&mut io::stdout())?;
    Terminal::new(CrosstermBackend::new(io::stdout()))
}

/// Leaves the app's screen: bracketed paste and mouse off, the app's screen cleared (when it
/// is up) and left, cursor shown. The clear matters in tmux (3.3a): after the pane was
/// resized while the app's screen was up, leaving it without a clear leaves rows of the app's
/// last frame on the main screen, above the shell prompt.
fn leave_app_screen(out: &mut impl Write) -> io::Result<()> {
    if ON_APP_SCREEN.swap(false, Ordering::SeqCst) {
        queue!(
            out,
            DisableBracketedPaste,
            DisableMouseCapture,
            Clear(ClearType::All)
        )?;
    } else {
        queue!(out, DisableBracketedPaste, DisableMouseCapture)?;
    }
    execute!(out, LeaveAlternateScreen, cursor::Show)
}

/// Gives the terminal back as it was: cooked mode, main screen, cursor shown, mouse and
/// bracketed paste off. Safe to call more than once and from the panic hook.
pub fn restore_terminal() {
    let mut out = io::stdout();
    let _ = leave_app_screen(&mut out);
    let _ = disable_raw_mode();
    let _ = out.flush();
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
}

/// The terminal handed to the spec editor (`E`) and taken back, from the blocking task that
/// runs the editor. The event loop has dropped its event stream first, so no key meant for the
/// editor is read by the app, and does not draw until the editor is done.
struct Handover;

impl crate::spec_edit::TerminalHandover for Handover {
    fn leave(&mut self) -> io::Result<()> {
        restore_terminal();
        Ok(())
    }

    fn restore(&mut self) -> io::Result<()> {
        enable_raw_mode()?;
        enter_app_screen(&mut io::stdout())
    }
}

/// The next terminal event, or never while the terminal is handed over (`None`).
async fn next_event(events: &mut Option<EventStream>) -> Option<io::Result<Event>> {
    match events {
        Some(e) => e.next().await,
        None => std::future::pending().await,
    }
}

/// Stops the process with SIGTSTP after giving the terminal back; returns after `fg`.
fn suspend() {
    restore_terminal();
    // SAFETY: raise only sends a signal to this process; the default SIGTSTP action stops it
    // until SIGCONT, after which raise returns.
    unsafe {
        libc::raise(libc::SIGTSTP);
    }
}

async fn perform(api: &Api, call: Call) -> CallResult {
    match call {
        Call::Create(req) => {
            let result = match api.create_mesh(&req).await {
                Ok(reply) => {
                    let tags = api
                        .list_tags(&reply.value.metadata.arn)
                        .await
                        .map(|r| r.value);
                    Ok(MeshResult {
                        action: Action::Create,
                        mesh: reply.value,
                        tags,
                        request_id: reply.request_id,
                    })
                }
                Err(e) => Err(e),
            };
            CallResult::Mesh(result)
        }
        Call::List {
            scope,
            generation,
            next_token,
        } => {
            let result = api
                .list_page(
                    scope.kind,
                    &scope.mesh,
                    &scope.parent,
                    next_token,
                    Some(crate::browser::PAGE_LIMIT),
                )
                .await
                .map(|r| r.value);
            CallResult::Page {
                scope,
                generation,
                result,
            }
        }
        Call::Update {
            name,
            spec,
            client_token,
        } => CallResult::Mesh(
            with_tags(
                api,
                Action::Update,
                api.update_mesh(&name, &spec, &client_token).await,
            )
            .await,
        ),
        Call::Get { key, tags } => {
            let result = match api.describe(&key).await {
                Ok(reply) => {
                    let tags = if tags {
                        api.list_tags(&reply.value.meta.arn).await.map(|r| r.value)
                    } else {
                        Ok(Vec::new())
                    };
                    Ok(Described {
                        verb: Action::Describe.verb_of(key.kind),
                        resource: reply.value,
                        tags,
                        request_id: reply.request_id,
                    })
                }
                Err(e) => Err(e),
            };
            CallResult::Resource { key, result }
        }
        Call::Remove { key } => {
            let result = api.delete(&key).await.map(|reply| Described {
                verb: Action::Delete.verb_of(key.kind),
                resource: reply.value,
                // The tags went with the resource.
                tags: Ok(Vec::new()),
                request_id: reply.request_id,
            });
            CallResult::Resource { key, result }
        }
        Call::Tag {
            key,
            arn,
            tag,
            untag,
        } => {
            let result = async {
                let mut request_id = None;
                if !tag.is_empty() {
                    request_id = api.tag_resource(&arn, &tag).await?.request_id;
                }
                if !untag.is_empty() {
                    request_id = api
                        .untag_resource(&arn, &untag)
                        .await?
                        .request_id
                        .or(request_id);
                }
                // What the service holds now, not what was sent.
                let resource = api.describe(&key).await?.value;
                let tags = api.list_tags(&arn).await.map(|r| r.value);
                Ok(Described {
                    verb: "TagResource".into(),
                    resource,
                    tags,
                    request_id,
                })
            }
            .await;
            CallResult::Resource { key, result }
        }
        Call::Write {
            key,
            create,
            spec,
            tags,
            client_token,
        } => {
            let result = async {
                let reply = if create {
                    api.create(&key, &spec, &tags, &client_token).await?
                } else {
                    api.update(&key, &spec, &client_token).await?
                };
                let tags = api.list_tags(&reply.value.meta.arn).await.map(|r| r.value);
                let action = if create {
                    Action::Create
                } else {
                    Action::Update
                };
                Ok(Described {
                    verb: action.verb_of(key.kind),
                    resource: reply.value,
                    tags,
                    request_id: reply.request_id,
                })
            }
            .await;
            CallResult::Resource { key, result }
        }
    }
}

/// A mesh call's result with the mesh's tags read afterwards.
async fn with_tags(
    api: &Api,
    action: Action,
    reply: Result<aws::Reply<crate::model::Mesh>, ApiError>,
) -> Result<MeshResult, ApiError> {
    let reply = reply?;
    let tags = api
        .list_tags(&reply.value.metadata.arn)
        .await
        .map(|r| r.value);
    Ok(MeshResult {
        action,
        mesh: reply.value,
        tags,
        request_id: reply.request_id,
    })
}

fn failed(call: &Call, error: ApiError) -> CallResult {
    match call {
        Call::List {
            scope, generation, ..
        } => CallResult::Page {
            scope: scope.clone(),
            generation: *generation,
            result: Err(error),
        },
        Call::Get { key, .. }
        | Call::Remove { key }
        | Call::Tag { key, .. }
        | Call::Write { key, .. } => CallResult::Resource {
            key: key.clone(),
            result: Err(error),
        },
        Call::Create(_) | Call::Update { .. } => CallResult::Mesh(Err(error)),
    }
}

/// Writes to the transcript, if any; a failed write is shown once and recording stops, so a
/// full disk never interrupts the session.
fn record(
    transcript: &mut Option<Transcript>,
    app: &mut App,
    f: impl FnOnce(&mut Transcript) -> Result<(), String>,
) {
    if let Some(t) = transcript
        && let Err(e) = f(t)
    {
        app.status = Some(format!("{e}; the transcript stops here."));
        app.dirty = true;
        *transcript = None;
    }
}

/// The signals that end the app cleanly: SIGTERM, SIGHUP (the terminal went away) and
/// SIGINT (from outside: in raw mode Ctrl-C arrives as a key).
struct Signals {
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> io::Result<Signals> {
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
            int: signal(SignalKind::interrupt())?,
        })
    }
}

/// A credential helper that may talk to the terminal (credential_process prompting for an
/// MFA code, an SSO login) runs while the UI does not own the screen, so its prompt is seen
/// and answered as usual instead of garbling the form. Returns whether it ran.
async fn resolve_prompting_credentials(settings: &mut Settings) -> bool {
    if settings.static_credentials.is_some() {
        return false;
    }
    let Some(how) = aws::credentials_need_terminal(settings.profile.as_deref()) else {
        return false;
    };
    let profile = settings
        .profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok());
    eprintln!(
        "appmesh-tui: getting credentials for profile {} ({how}); answer any prompt below…",
        profile.as_deref().unwrap_or("default")
    );
    match aws::resolve_credentials(settings).await {
        Ok(creds) => settings.static_credentials = Some(creds),
        Err(e) => eprintln!("appmesh-tui: {e}; continuing: requests will say what is missing"),
    }
    true
}

/// Connects in the background and tells the loop how it went.
fn spawn_connect(shared: Arc<Shared>, tx: mpsc::UnboundedSender<Msg>) {
    tokio::spawn(async move {
        match shared.connection().await {
            Ok((_, target)) => {
                crate::log::line(&format!(
                    "connected: profile {}, region {}, endpoint {}",
                    target.profile.as_deref().unwrap_or("default"),
                    target.region,
                    target.endpoint.as_deref().unwrap_or("default AWS endpoint")
                ));
                let _ = tx.send(Msg::Connected(target.clone()));
            }
            Err(e) => {
                crate::log::line(&format!("not connected: {}: {}", e.title(), e.message));
                let _ = tx.send(Msg::ConnectFailed(e.clone()));
            }
        }
    });
}

/// Why the UI cannot run here: standard input or output is not a terminal. Checked before
/// anything is written, so a redirected run gets the message alone, no terminal sequences.
fn not_a_terminal() -> Option<&'static str> {
    use std::io::IsTerminal;
    if !io::stdout().is_terminal() {
        Some("standard output is not a terminal (it is redirected to a file or a pipe)")
    } else if !io::stdin().is_terminal() {
        Some("standard input is not a terminal (it is redirected from a file or a pipe)")
    } else {
        None
    }
}

/// Runs the UI until the user quits. Returns the process exit code.
pub async fn run_tui(cli: Cli) -> Result<(), String> {
    let (config, config_problem) =
        crate::config::Config::load_from(crate::config::path().as_deref());
    // Flag mistakes first (they say exactly what to fix), then the terminal.
    let mut plan = Plan::from_cli(&cli, &config)?;
    if let Some(why) = not_a_terminal() {
        return Err(format!(
            "appmesh-tui needs an interactive terminal: {why}. Run it in a terminal; for \
             scripts, `appmesh-tui sandbox serve` runs the sandbox alone and the AWS CLI talks to it."
        ));
    }
    if plan.sandbox.is_none() {
        resolve_prompting_credentials(&mut plan.settings).await;
    }
    let (w, h) = ratatui::crossterm::terminal::size().unwrap_or((80, 24));
    let mut app = App::new((w, h));
    app.read_only = cli.read_only;
    app.sandbox = plan.sandbox_info();
    match cli.walkthrough {
        Some(crate::cli::Walkthrough::Mesh) => app.open_walkthrough(),
        Some(crate::cli::Walkthrough::Service) => {
            app.status = Some(
                "Onboard a service: F3 lists the meshes; open one (Enter), then F6 starts it."
                    .into(),
            )
        }
        None => {}
    }
    // The template is read on a task after the first frame (Msg::TemplateLoaded); until then
    // the status line says it is coming.
    if let Some(path) = &cli.template {
        app.status = Some(format!("Loading template {}…", path.display()));
    }
    app.theme = crate::ui::theme::Theme::new(cli.theme.unwrap_or(config.theme), config.key_hints);
    // A broken config file never stops the app: it runs on the defaults and says what to fix.
    // (It stays on the status line when the template arrives; the template window says what
    // the template held. Without one, the status says the template is loading.)
    if config_problem.is_some() {
        app.status = config_problem;
    }

    if let Some(path) = &cli.log_file {
        crate::log::open(path)?;
        crate::log::line(&format!("requests go to {}", plan.describe()));
    }
    let transcript = match &cli.transcript {
        Some(path) => Some(Transcript::open(path, &plan.describe())?),
        None => None,
    };
    // Signal handlers first: a SIGTERM or SIGHUP that arrives once the terminal is in raw
    // mode must end the loop (which restores the terminal), never kill the process outright.
    let signals = Signals::new().map_err(|e| format!("cannot install signal handlers: {e}"))?;
    install_panic_hook();
    let mut terminal = enter_terminal().map_err(|e| {
        restore_terminal();
        format!("cannot set up the terminal: {e} (appmesh-tui needs an interactive terminal)")
    })?;
    let template = cli.template.clone().map(|p| (p, cli.max_template_size));
    let result = event_loop(&mut terminal, &mut app, plan, signals, transcript, template).await;
    restore_terminal();
    result
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    plan: Plan,
    mut signals: Signals,
    mut transcript: Option<Transcript>,
    template: Option<(std::path::PathBuf, u64)>,
) -> Result<(), String> {
    let draw = |terminal: &mut DefaultTerminal, app: &mut App| -> Result<(), String> {
        app.now = SystemTime::now();
        // ratatui draws at the size the terminal has now; a resize the event stream has not
        // reported (yet, or ever: a SIGWINCH can be coalesced with another) is taken in first,
        // so what the app lays out (which panes show, how many rows fit) is what is drawn.
        if let Ok(s) = terminal.size()
            && (s.width, s.height) != app.size
        {
            app.update(Msg::Resize(s.width, s.height));
        }
        terminal
            .draw(|f| crate::ui::render(app, f))
            .map_err(|e| format!("cannot draw to the terminal: {e}"))?;
        app.dirty = false;
        Ok(())
    };
    // First frame before anything slow: the AWS configuration loads in the background.
    draw(terminal, app)?;

    let mut shared = Arc::new(Shared {
        plan,
        connection: OnceCell::new(),
        sandbox: Mutex::new(None),
    });
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    spawn_connect(shared.clone(), tx.clone());
    if let Some((path, max_bytes)) = template {
        // Off the UI thread: the read is bounded and never opens a FIFO or a device, but a slow
        // disk still never holds up a frame.
        let tx = tx.clone();
        tokio::task::spawn_blocking(move || {
            let file = path.display().to_string();
            let result =
                crate::template::Template::load_capped(&path, max_bytes).map_err(|e| e.to_string());
            let _ = tx.send(Msg::TemplateLoaded { file, result });
        });
    }

    // `None` while the spec editor has the terminal.
    let mut events = Some(EventStream::new());
    let mut tick = tokio::time::interval(Duration::from_millis(80));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut tasks: HashMap<u64, AbortHandle> = HashMap::new();

    loop {
        let msg = tokio::select! {
            ev = next_event(&mut events) => match ev {
                Some(Ok(Event::Key(k))) => Msg::Key(k),
                Some(Ok(Event::Mouse(m))) => Msg::Mouse(m),
                Some(Ok(Event::Paste(p))) => Msg::Paste(p),
                Some(Ok(Event::Resize(w, h))) => Msg::Resize(w, h),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(format!("cannot read the terminal: {e}")),
                None => break,
            },
            Some(m) = rx.recv() => m,
            _ = tick.tick(), if app.animating() => Msg::Tick,
            _ = signals.term.recv() => break,
            _ = signals.hup.recv() => break,
            // While an editor runs, Ctrl-C is the editor's (as git ignores SIGINT then).
            _ = signals.int.recv() => if events.is_none() { continue } else { break },
        };
        if matches!(msg, Msg::SpecEdited { .. }) && events.is_none() {
            // The editor is done: the terminal is the app's again, redrawn from scratch. (A
            // fresh Terminal rather than `clear()`, which asks the terminal for the cursor
            // position and can time out right after the hand-back.)
            let _ = execute!(io::stdout(), Clear(ClearType::All));
            *terminal = Terminal::new(CrosstermBackend::new(io::stdout()))
                .map_err(|e| format!("cannot set up the terminal again: {e}"))?;
            events = Some(EventStream::new());
            app.dirty = true;
        }
        if let Msg::Done { id, result } = &msg {
            // A cancelled call's late answer was already recorded as cancelled.
            if tasks.remove(id).is_some() {
                crate::log::line(&format!(
                    "call {id} {}",
                    crate::transcript::result_summary(result)
                ));
                if *id < crate::explore::BG_BASE {
                    record(&mut transcript, app, |t| t.result(*id, result));
                }
            }
        }
        for effect in app.update(msg) {
            match effect {
                Effect::Quit => {}
                Effect::Suspend => {
                    suspend();
                    *terminal = enter_terminal()
                        .map_err(|e| format!("cannot set up the terminal again: {e}"))?;
                    terminal.clear().map_err(|e| e.to_string())?;
                    app.dirty = true;
                }
                Effect::Reconnect { profile, region } => {
                    // Calls already on their way finish with the old client; new ones wait
                    // for the new connection.
                    let mut settings = shared.plan.settings.clone();
                    settings.profile = Some(profile);
                    settings.region = Some(region);
                    settings.static_credentials = None;
                    if aws::credentials_need_terminal(settings.profile.as_deref()).is_some() {
                        restore_terminal();
                        resolve_prompting_credentials(&mut settings).await;
                        *terminal = enter_terminal()
                            .map_err(|e| format!("cannot set up the terminal again: {e}"))?;
                        terminal.clear().map_err(|e| e.to_string())?;
                    }
                    crate::log::line(&format!(
                        "switching to profile {}, region {}",
                        settings.profile.as_deref().unwrap_or("default"),
                        settings.region.as_deref().unwrap_or("-")
                    ));
                    shared = Arc::new(Shared {
                        plan: Plan {
                            settings,
                            sandbox: None,
                        },
                        connection: OnceCell::new(),
                        sandbox: Mutex::new(None),
                    });
                    spawn_connect(shared.clone(), tx.clone());
                    app.dirty = true;
                }
                Effect::EditSpec { key, spec } => {
                    // Stop reading the terminal, then run the editor (which may reopen with
                    // problems several times) on a blocking task; the loop goes on with the
                    // results of calls meanwhile and draws again when it answers.
                    events = None;
                    let tx = tx.clone();
                    tokio::task::spawn_blocking(move || {
                        let result = crate::spec_edit::Editor::from_env().map(|editor| {
                            crate::spec_edit::edit_in_terminal(
                                key.kind,
                                crate::spec_edit::render_buffer(key.kind, &spec),
                                &editor,
                                &mut Handover,
                            )
                        });
                        let _ = tx.send(Msg::SpecEdited {
                            key,
                            original: spec,
                            result,
                        });
                    });
                }
                Effect::WriteFile {
                    to,
                    path,
                    contents,
                    existing,
                } => {
                    // A small local file; `fileio` refuses a FIFO or a device before opening
                    // it. Still off the loop: a slow disk must not hold a frame.
                    let tx = tx.clone();
                    tokio::task::spawn_blocking(move || {
                        let _ = tx.send(crate::app::write_file(to, path, &contents, existing));
                    });
                }
                Effect::Copy(text) => {
                    let mut out = io::stdout();
                    let _ = out.write_all(crate::export::osc52_copy(&text).as_bytes());
                    let _ = out.flush();
                }
                Effect::Cancel(id) => {
                    if let Some(h) = tasks.remove(&id) {
                        h.abort();
                        crate::log::line(&format!("call {id} cancelled"));
                        if id < crate::explore::BG_BASE {
                            record(&mut transcript, app, |t| t.cancelled(id));
                        }
                    }
                }
                Effect::Call { id, call } => {
                    crate::log::line(&format!(
                        "call {id} {}",
                        crate::transcript::call_summary(&call)
                    ));
                    // The transcript records what the user did; the lists and describes that
                    // fill the Meshes view in the background only go to the log.
                    if id < crate::explore::BG_BASE {
                        record(&mut transcript, app, |t| t.call(id, &call));
                    }
                    let shared = shared.clone();
                    let tx = tx.clone();
                    let handle = tokio::spawn(async move {
                        let attempts = tx.clone();
                        let report = move |attempt| {
                            let _ = attempts.send(Msg::Attempt { id, attempt });
                        };
                        let result = match shared.connection().await {
                            Ok((api, _)) => aws::report_attempts(report, perform(api, call)).await,
                            Err(e) => failed(&call, e.clone()),
                        };
                        let _ = tx.send(Msg::Done { id, result });
                    });
                    tasks.insert(id, handle.abort_handle());
                }
            }
        }
        if app.quit {
            break;
        }
        if app.dirty && events.is_some() {
            draw(terminal, app)?;
        }
    }
    for h in tasks.values() {
        h.abort();
    }
    if let Some(sb) = shared.sandbox.lock().await.take() {
        // Acknowledged changes are already on disk (in the journal); this closes the listener
        // and folds the journal into the state file. Cut short, the next start folds it.
        let _ = tokio::time::timeout(Duration::from_secs(2), sb.shutdown()).await;
    }
    Ok(())
}
