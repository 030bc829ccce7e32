//! Drive a program in a pseudo-terminal and read its screen.
//!
//! ```ignore
//! let tui = Tui::spawn(&["--endpoint-url", &moto.endpoint()], &[("AWS_REGION", "us-east-1")], 100, 30);
//! tui.wait_for("Meshes");
//! tui.key(Key::Tab);
//! tui.type_text("my-mesh");
//! tui.key(Key::Enter);
//! tui.wait_until("mesh listed", |s| s.contains("my-mesh"));
//! let (row, col) = tui.find("my-mesh").unwrap();
//! assert_eq!(tui.cell_fg(row, col), Color::Idx(2));
//! tui.key(Key::Char('q'));
//! assert!(tui.wait_exit().success());
//! assert!(tui.raw_contains(b"\x1b[?1049l"));
//! ```
//!
//! A reader thread feeds everything the program writes into a
//! [`vt100::Parser`] behind a mutex; every chunk wakes the waiters through a
//! condvar, so waits return as soon as the screen matches and panic with the
//! screen after [`DEADLINE`](super::DEADLINE).
//!
//! The emulated terminal answers the queries crossterm may send (cursor
//! position `CSI 6 n`, primary device attributes `CSI c`), and records
//! window-title (OSC 0/2) and clipboard (OSC 52) requests so tests can assert
//! that hostile data never turned into such a request.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use portable_pty::{ChildKiller, CommandBuilder, MasterPty, PtySize, native_pty_system};

pub use portable_pty::ExitStatus;
pub use vt100::Color;

use super::DEADLINE;

/// A key to send with [`Tui::key`], encoded as xterm sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Tab,
    /// Shift+Tab: `ESC [ Z`.
    BackTab,
    Enter,
    Esc,
    Up,
    Down,
    Left,
    Right,
    Backspace,
    Delete,
    Insert,
    Home,
    End,
    PageUp,
    PageDown,
    /// F1 to F12.
    F(u8),
    /// Ctrl plus a letter (or one of `@[\]^_`), e.g. `Ctrl('c')`.
    Ctrl(char),
    /// Alt plus a character: `ESC` then the character.
    Alt(char),
    /// A plain character.
    Char(char),
}

impl Key {
    /// The bytes a terminal sends for this key. `app_cursor` is the DECCKM
    /// mode (arrows as `ESC O A` instead of `ESC [ A`).
    pub fn bytes(self, app_cursor: bool) -> Vec<u8> {
        let arrow = |c: char| {
            if app_cursor {
                format!("\x1bO{c}").into_bytes()
            } else {
                format!("\x1b[{c}").into_bytes()
            }
        };
        match self {
            Key::Tab => b"\t".to_vec(),
            Key::BackTab => b"\x1b[Z".to_vec(),
            Key::Enter => b"\r".to_vec(),
            Key::Esc => b"\x1b".to_vec(),
            Key::Up => arrow('A'),
            Key::Down => arrow('B'),
            Key::Right => arrow('C'),
            Key::Left => arrow('D'),
            Key::Home => arrow('H'),
            Key::End => arrow('F'),
            Key::Backspace => b"\x7f".to_vec(),
            Key::Delete => b"\x1b[3~".to_vec(),
            Key::Insert => b"\x1b[2~".to_vec(),
            Key::PageUp => b"\x1b[5~".to_vec(),
            Key::PageDown => b"\x1b[6~".to_vec(),
            Key::F(n) => match n {
                1 => b"\x1bOP".to_vec(),
                2 => b"\x1bOQ".to_vec(),
                3 => b"\x1bOR".to_vec(),
                4 => b"\x1bOS".to_vec(),
                5 => b"\x1b[15~".to_vec(),
                6 => b"\x1b[17~".to_vec(),
                7 => b"\x1b[18~".to_vec(),
                8 => b"\x1b[19~".to_vec(),
                9 => b"\x1b[20~".to_vec(),
                10 => b"\x1b[21~".to_vec(),
                11 => b"\x1b[23~".to_vec(),
                12 => b"\x1b[24~".to_vec(),
                _ => panic!("no such function key F{n}"),
            },
            Key::Ctrl(c) => {
                let c = c.to_ascii_lowercase();
                let b = match c {
                    'a'..='z' => c as u8 - b'a' + 1,
                    '@' | ' ' => 0,
                    '[' => 0x1b,
                    '\\' => 0x1c,
                    ']' => 0x1d,
                    '^' => 0x1e,
                    '_' => 0x1f,
                    _ => panic!("no Ctrl code for {c:?}"),
                };
                vec![b]
            }
            Key::Alt(c) => {
                let mut v = b"\x1b".to_vec();
                v.extend(c.to_string().as_bytes());
                v
            }
            Key::Char(c) => c.to_string().into_bytes(),
        }
    }
}

/// One cell of the screen, copied out of the emulator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    pub contents: String,
    pub fg: Color,
    pub bg: Color,
    pub bold: bool,
    pub dim: bool,
    pub italic: bool,
    pub underline: bool,
    pub inverse: bool,
}

/// Terminal requests seen in the output, and replies owed to the program.
#[derive(Default)]
struct Term {
    titles: Vec<String>,
    icon_names: Vec<String>,
    clipboard: Vec<(Vec<u8>, Vec<u8>)>,
    bells: usize,
    replies: Vec<u8>,
}

impl vt100::Callbacks for Term {
    fn audible_bell(&mut self, _: &mut vt100::Screen) {
        self.bells += 1;
    }
    fn set_window_title(&mut self, _: &mut vt100::Screen, title: &[u8]) {
        self.titles
            .push(String::from_utf8_lossy(title).into_owned());
    }
    fn set_window_icon_name(&mut self, _: &mut vt100::Screen, name: &[u8]) {
        self.icon_names
            .push(String::from_utf8_lossy(name).into_owned());
    }
    fn copy_to_clipboard(&mut self, _: &mut vt100::Screen, ty: &[u8], data: &[u8]) {
        self.clipboard.push((ty.to_vec(), data.to_vec()));
    }
    fn unhandled_csi(
        &mut self,
        screen: &mut vt100::Screen,
        i1: Option<u8>,
        _i2: Option<u8>,
        params: &[&[u16]],
        c: char,
    ) {
        let first = params.first().and_then(|p| p.first()).copied().unwrap_or(0);
        match (i1, c, first) {
            // Device status report: cursor position.
            (None, 'n', 6) => {
                let (row, col) = screen.cursor_position();
                self.replies
                    .extend(format!("\x1b[{};{}R", row + 1, col + 1).into_bytes());
            }
            // Device status report: "terminal OK".
            (None, 'n', 5) => self.replies.extend(b"\x1b[0n"),
            // Primary device attributes: a VT220 with ANSI colour.
            (None, 'c', 0) => self.replies.extend(b"\x1b[?62;22c"),
            _ => {}
        }
    }
}

struct State {
    parser: vt100::Parser<Term>,
    raw: Vec<u8>,
    eof: bool,
    exit: Option<ExitStatus>,
}

struct Shared {
    state: Mutex<State>,
    cond: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// How to start a program in the pty; [`Tui::spawn`] and
/// [`Tui::spawn_program`] cover the usual cases.
///
/// ```ignore
/// let tui = Spawn::app()
///     .args(&["--region", "eu-west-1"])
///     .env("AWS_PROFILE", "dev")
///     .aws_config("[profile dev]\nregion = eu-west-1\n")
///     .aws_credentials("[dev]\naws_access_key_id = a\naws_secret_access_key = b\n")
///     .size(120, 40)
///     .spawn();
/// ```
#[derive(Clone, Debug)]
pub struct Spawn {
    program: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    cols: u16,
    rows: u16,
    aws_config: String,
    aws_credentials: String,
    files: Vec<(PathBuf, String)>,
    cwd: Option<PathBuf>,
}

impl Spawn {
    /// The `appmesh-tui` binary built for this test run.
    pub fn app() -> Spawn {
        Spawn::program(env!("CARGO_BIN_EXE_appmesh-tui"))
    }

    /// Any program, looked up in `PATH` when not a path.
    pub fn program(program: &str) -> Spawn {
        Spawn {
            program: program.to_string(),
            args: Vec::new(),
            env: Vec::new(),
            cols: 80,
            rows: 24,
            aws_config: String::new(),
            aws_credentials: String::new(),
            files: Vec::new(),
            cwd: None,
        }
    }

    pub fn args(mut self, args: &[&str]) -> Spawn {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    /// Set a variable; applied after the defaults, so it can replace them.
    pub fn env(mut self, key: &str, value: &str) -> Spawn {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    pub fn envs(mut self, env: &[(&str, &str)]) -> Spawn {
        self.env
            .extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        self
    }

    pub fn size(mut self, cols: u16, rows: u16) -> Spawn {
        self.cols = cols;
        self.rows = rows;
        self
    }

    /// Contents of `$AWS_CONFIG_FILE` (empty by default).
    pub fn aws_config(mut self, text: &str) -> Spawn {
        self.aws_config = text.to_string();
        self
    }

    /// Contents of `$AWS_SHARED_CREDENTIALS_FILE` (empty by default).
    pub fn aws_credentials(mut self, text: &str) -> Spawn {
        self.aws_credentials = text.to_string();
        self
    }

    /// Write a file under the temporary `$HOME` before starting, e.g.
    /// `.file(".config/appmesh-tui/config.toml", "...")`.
    pub fn file(mut self, relative: &str, contents: &str) -> Spawn {
        self.files
            .push((PathBuf::from(relative), contents.to_string()));
        self
    }

    /// Working directory (default: the temporary `$HOME`).
    pub fn cwd(mut self, dir: &Path) -> Spawn {
        self.cwd = Some(dir.to_path_buf());
        self
    }

    pub fn spawn(self) -> Tui {
        Tui::start(self)
    }
}

/// A program running in a pseudo-terminal. Dropping it kills the program.
pub struct Tui {
    shared: Arc<Shared>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    master: Mutex<Box<dyn MasterPty + Send>>,
    killer: Mutex<Box<dyn ChildKiller + Send + Sync>>,
    pid: Option<u32>,
    home: tempfile::TempDir,
    description: String,
}

impl Tui {
    /// Run `appmesh-tui` with `args` in a `cols`×`rows` terminal. The
    /// environment is clean: see [`Tui::env_defaults`]; `env` is added last.
    pub fn spawn(args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> Tui {
        Spawn::app().args(args).envs(env).size(cols, rows).spawn()
    }

    /// Run any program (e.g. `sh`) the same way.
    pub fn spawn_program(
        program: &str,
        args: &[&str],
        env: &[(&str, &str)],
        cols: u16,
        rows: u16,
    ) -> Tui {
        Spawn::program(program)
            .args(args)
            .envs(env)
            .size(cols, rows)
            .spawn()
    }

    /// The variables every program starts with, given its `$HOME`:
    /// `PATH` (inherited), `HOME`, `XDG_{CONFIG,DATA,CACHE,STATE}_HOME`,
    /// `XDG_RUNTIME_DIR`, `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE`
    /// (files in `$HOME/.aws`, empty unless [`Spawn::aws_config`] /
    /// [`Spawn::aws_credentials`]), `AWS_EC2_METADATA_DISABLED=true` (so a
    /// credential chain that finds nothing never reaches for the instance
    /// metadata address, which is off-limits here), `TERM=xterm-256color`,
    /// `LANG=C.UTF-8`, `TZ=UTC`. Nothing else is inherited: no `AWS_*`, no
    /// `NO_COLOR`, no `RUST_LOG`.
    pub fn env_defaults(home: &Path) -> Vec<(String, String)> {
        let h = |rel: &str| home.join(rel).display().to_string();
        let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".to_string());
        vec![
            ("PATH".into(), path),
            ("HOME".into(), home.display().to_string()),
            ("XDG_CONFIG_HOME".into(), h(".config")),
            ("XDG_DATA_HOME".into(), h(".local/share")),
            ("XDG_CACHE_HOME".into(), h(".cache")),
            ("XDG_STATE_HOME".into(), h(".local/state")),
            ("XDG_RUNTIME_DIR".into(), h(".runtime")),
            ("AWS_CONFIG_FILE".into(), h(".aws/config")),
            ("AWS_SHARED_CREDENTIALS_FILE".into(), h(".aws/credentials")),
            ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
            ("TERM".into(), "xterm-256color".into()),
            ("LANG".into(), "C.UTF-8".into()),
            ("TZ".into(), "UTC".into()),
        ]
    }

    fn start(spec: Spawn) -> Tui {
        let home = tempfile::Builder::new()
            .prefix("tui-home-")
            .tempdir()
            .expect("temp HOME");
        for dir in [
            ".config",
            ".local/share",
            ".cache",
            ".local/state",
            ".runtime",
            ".aws",
        ] {
            std::fs::create_dir_all(home.path().join(dir)).expect("create dir in temp HOME");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(
                home.path().join(".runtime"),
                std::fs::Permissions::from_mode(0o700),
            );
        }
        std::fs::write(home.path().join(".aws/config"), &spec.aws_config).unwrap();
        std::fs::write(home.path().join(".aws/credentials"), &spec.aws_credentials).unwrap();
        for (rel, contents) in &spec.files {
            let path = home.path().join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).unwrap();
            }
            std::fs::write(path, contents).unwrap();
        }

        let mut cmd = CommandBuilder::new(&spec.program);
        cmd.args(&spec.args);
        cmd.env_clear();
        for (k, v) in Tui::env_defaults(home.path()) {
            cmd.env(k, v);
        }
        for (k, v) in &spec.env {
            cmd.env(k, v);
        }
        cmd.cwd(
            spec.cwd
                .clone()
                .unwrap_or_else(|| home.path().to_path_buf()),
        );

        let pair = native_pty_system()
            .openpty(PtySize {
                rows: spec.rows,
                cols: spec.cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut child = pair
            .slave
            .spawn_command(cmd)
            .unwrap_or_else(|e| panic!("spawn {:?}: {e:#}", spec.program));
        // Only the child keeps the slave side open, so reads end when it exits.
        drop(pair.slave);
        let pid = child.process_id();
        let killer = child.clone_killer();
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer: Arc<Mutex<Box<dyn Write + Send>>> =
            Arc::new(Mutex::new(pair.master.take_writer().expect("pty writer")));

        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                parser: vt100::Parser::new_with_callbacks(
                    nz(spec.rows),
                    nz(spec.cols),
                    0,
                    Term::default(),
                ),
                raw: Vec::new(),
                eof: false,
                exit: None,
            }),
            cond: Condvar::new(),
        });

        {
            let shared = shared.clone();
            let writer = writer.clone();
            std::thread::Builder::new()
                .name("pty-reader".into())
                .spawn(move || {
                    let mut buf = vec![0u8; 64 * 1024];
                    loop {
                        let n = match reader.read(&mut buf) {
                            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                            // EIO once the child side is closed: the end.
                            Ok(0) | Err(_) => 0,
                            Ok(n) => n,
                        };
                        let mut st = shared.lock();
                        if n == 0 {
                            st.eof = true;
                            drop(st);
                            shared.cond.notify_all();
                            return;
                        }
                        st.raw.extend_from_slice(&buf[..n]);
                        st.parser.process(&buf[..n]);
                        let replies = std::mem::take(&mut st.parser.callbacks_mut().replies);
                        drop(st);
                        shared.cond.notify_all();
                        if !replies.is_empty() {
                            let mut w = writer.lock().unwrap_or_else(|e| e.into_inner());
                            let _ = w.write_all(&replies);
                            let _ = w.flush();
                        }
                    }
                })
                .expect("spawn reader thread");
        }
        {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("pty-waiter".into())
                .spawn(move || {
                    let status = child
                        .wait()
                        .unwrap_or_else(|e| panic!("waiting for child: {e}"));
                    shared.lock().exit = Some(status);
                    shared.cond.notify_all();
                })
                .expect("spawn waiter thread");
        }

        let description = std::iter::once(spec.program.as_str())
            .chain(spec.args.iter().map(|s| s.as_str()))
            .collect::<Vec<_>>()
            .join(" ");
        Tui {
            shared,
            writer,
            master: Mutex::new(pair.master),
            killer: Mutex::new(killer),
            pid,
            home,
            description,
        }
    }

    // ------------------------------------------------------------- reading

    /// The screen: every row, trailing spaces trimmed, joined by `\n`.
    pub fn screen(&self) -> String {
        screen_text(self.shared.lock().parser.screen())
    }

    /// The screen with row numbers, as the wait functions print it.
    pub fn dump(&self) -> String {
        let st = self.shared.lock();
        self.describe(&st)
    }

    fn describe(&self, st: &State) -> String {
        let screen = st.parser.screen();
        let (rows, cols) = screen.size();
        let mut out = format!(
            "`{}` ({}x{}; cursor {:?}{}; alternate screen {}; exit {:?}; output closed {})\n",
            self.description,
            cols,
            rows,
            screen.cursor_position(),
            if screen.hide_cursor() { " hidden" } else { "" },
            screen.alternate_screen(),
            st.exit,
            st.eof,
        );
        let border = "-".repeat(cols.get() as usize);
        out.push_str(&format!("   +{border}+\n"));
        for (i, row) in screen.rows(0, cols.get()).enumerate() {
            let row = row.trim_end();
            out.push_str(&format!("{i:>3}|{row}\n"));
        }
        out.push_str(&format!("   +{border}+"));
        out
    }

    /// Wait until the screen contains `needle`; returns that screen.
    pub fn wait_for(&self, needle: &str) -> String {
        self.wait_until(&format!("screen to contain {needle:?}"), |s| {
            s.contains(needle)
        })
    }

    /// Wait until the screen no longer contains `needle`.
    pub fn wait_gone(&self, needle: &str) -> String {
        self.wait_until(&format!("screen to no longer contain {needle:?}"), |s| {
            !s.contains(needle)
        })
    }

    /// Wait until `pred(screen text)` holds; returns that screen. Panics with
    /// the screen after the deadline, or as soon as the program has exited
    /// and its output is drained without the predicate holding.
    pub fn wait_until(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let mut found = String::new();
        self.wait_screen(what, |screen| {
            let text = screen_text(screen);
            if pred(&text) {
                found = text;
                true
            } else {
                false
            }
        });
        found
    }

    /// Like [`Tui::wait_until`] with the emulator's screen, for colours,
    /// cursor, modes: `tui.wait_screen("cursor hidden", |s| s.hide_cursor())`.
    pub fn wait_screen(&self, what: &str, mut pred: impl FnMut(&vt100::Screen) -> bool) {
        self.wait_state(what, |st| pred(st.parser.screen()));
    }

    /// Wait until the raw output contains `needle`.
    pub fn wait_raw(&self, needle: &[u8]) {
        self.wait_state(
            &format!(
                "raw output to contain {:?}",
                String::from_utf8_lossy(needle)
            ),
            |st| contains(&st.raw, needle),
        );
    }

    fn wait_state(&self, what: &str, mut pred: impl FnMut(&State) -> bool) {
        let deadline = Instant::now() + DEADLINE;
        let mut st = self.shared.lock();
        loop {
            if pred(&st) {
                return;
            }
            if st.eof && st.exit.is_some() {
                panic!(
                    "waiting for {what}: the program exited first\n{}",
                    self.describe(&st)
                );
            }
            let now = Instant::now();
            if now >= deadline {
                panic!(
                    "waiting for {what}: nothing matched within {:?}\n{}",
                    DEADLINE,
                    self.describe(&st)
                );
            }
            st = self
                .shared
                .cond
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Everything the program wrote so far, escape sequences included.
    pub fn raw_output(&self) -> Vec<u8> {
        self.shared.lock().raw.clone()
    }

    /// How many bytes the program wrote so far; use with
    /// [`Tui::raw_output_since`] to look at what one action produced.
    pub fn output_len(&self) -> usize {
        self.shared.lock().raw.len()
    }

    pub fn raw_output_since(&self, offset: usize) -> Vec<u8> {
        let st = self.shared.lock();
        st.raw[offset.min(st.raw.len())..].to_vec()
    }

    pub fn raw_contains(&self, needle: &[u8]) -> bool {
        contains(&self.shared.lock().raw, needle)
    }

    /// One cell, or None outside the screen.
    pub fn cell(&self, row: u16, col: u16) -> Option<Cell> {
        let st = self.shared.lock();
        st.parser.screen().cell(row, col).map(|c| Cell {
            contents: c.contents().to_string(),
            fg: c.fgcolor(),
            bg: c.bgcolor(),
            bold: c.bold(),
            dim: c.dim(),
            italic: c.italic(),
            underline: c.underline(),
            inverse: c.inverse(),
        })
    }

    pub fn cell_fg(&self, row: u16, col: u16) -> Color {
        self.cell(row, col)
            .unwrap_or_else(|| panic!("no cell at {row},{col}\n{}", self.dump()))
            .fg
    }

    pub fn cell_bg(&self, row: u16, col: u16) -> Color {
        self.cell(row, col)
            .unwrap_or_else(|| panic!("no cell at {row},{col}\n{}", self.dump()))
            .bg
    }

    /// Where `needle` first appears on the screen, as (row, column) in
    /// cells (wide characters count two columns).
    pub fn find(&self, needle: &str) -> Option<(u16, u16)> {
        let st = self.shared.lock();
        find_in(st.parser.screen(), needle)
    }

    /// (row, col) of the cursor.
    pub fn cursor(&self) -> (u16, u16) {
        self.shared.lock().parser.screen().cursor_position()
    }

    pub fn cursor_visible(&self) -> bool {
        !self.shared.lock().parser.screen().hide_cursor()
    }

    pub fn alternate_screen(&self) -> bool {
        self.shared.lock().parser.screen().alternate_screen()
    }

    /// Asserts that the program put the terminal back: it left the alternate screen, showed the
    /// cursor, and turned bracketed paste and mouse reporting off.
    pub fn assert_restored(&self) {
        for seq in [
            &b"\x1b[?1049l"[..],
            b"\x1b[?25h",
            b"\x1b[?2004l",
            b"\x1b[?1000l",
        ] {
            assert!(
                self.raw_contains(seq),
                "missing {:?}",
                String::from_utf8_lossy(seq)
            );
        }
        assert!(!self.alternate_screen(), "back on the main screen");
    }

    pub fn bracketed_paste(&self) -> bool {
        self.shared.lock().parser.screen().bracketed_paste()
    }

    pub fn mouse_mode(&self) -> vt100::MouseProtocolMode {
        self.shared.lock().parser.screen().mouse_protocol_mode()
    }

    /// Window titles the program set (OSC 0 / OSC 2), oldest first.
    pub fn titles(&self) -> Vec<String> {
        self.shared.lock().parser.callbacks().titles.clone()
    }

    /// Clipboard writes the program asked for (OSC 52): (selection, data).
    pub fn clipboard_writes(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.shared.lock().parser.callbacks().clipboard.clone()
    }

    /// How many times the program rang the bell.
    pub fn bells(&self) -> usize {
        self.shared.lock().parser.callbacks().bells
    }

    /// Run `f` on the emulator's screen.
    pub fn with_screen<T>(&self, f: impl FnOnce(&vt100::Screen) -> T) -> T {
        f(self.shared.lock().parser.screen())
    }

    /// The temporary `$HOME` (it lives as long as this `Tui`).
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// The program's peak resident memory so far (`VmHWM` in `/proc/PID/status`), in bytes.
    /// Panics when the program has exited (read it before quitting).
    pub fn peak_rss(&self) -> u64 {
        let pid = self.pid.expect("the program has a pid");
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .unwrap_or_else(|e| panic!("reading /proc/{pid}/status: {e}\n{}", self.dump()));
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no VmHWM in /proc/{pid}/status"));
        kib * 1024
    }

    /// Asserts that the program's peak resident memory stayed under `limit` bytes.
    pub fn assert_peak_rss_under(&self, limit: u64) {
        let peak = self.peak_rss();
        eprintln!(
            "peak RSS of `{}`: {:.1} MiB",
            self.description,
            peak as f64 / 1048576.0
        );
        assert!(
            peak < limit,
            "peak RSS {} MiB is over {} MiB\n{}",
            peak >> 20,
            limit >> 20,
            self.dump()
        );
    }

    // ------------------------------------------------------------- writing

    pub fn send(&self, bytes: impl AsRef<[u8]>) {
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        w.write_all(bytes.as_ref()).expect("write to pty");
        w.flush().expect("flush pty");
    }

    /// Type text as keystrokes (one write; `\n` is not translated).
    pub fn type_text(&self, text: &str) {
        self.send(text.as_bytes());
    }

    /// Press one key. Arrows follow the program's cursor-key mode. Note that
    /// a lone `Esc` followed at once by more input can be read as Alt+key:
    /// wait for the screen to react before sending the next key.
    pub fn key(&self, key: Key) {
        let app_cursor = self.shared.lock().parser.screen().application_cursor();
        self.send(key.bytes(app_cursor));
    }

    pub fn keys(&self, keys: &[Key]) {
        for k in keys {
            self.key(*k);
        }
    }

    /// Paste text the way a terminal does with bracketed paste on.
    pub fn paste(&self, text: &str) {
        let mut v = b"\x1b[200~".to_vec();
        v.extend(text.as_bytes());
        v.extend(b"\x1b[201~");
        self.send(v);
    }

    /// Left click at a 0-based cell (SGR mouse encoding), press and release.
    pub fn click(&self, row: u16, col: u16) {
        self.send(format!(
            "\x1b[<0;{};{}M\x1b[<0;{};{}m",
            col + 1,
            row + 1,
            col + 1,
            row + 1
        ));
    }

    /// Scroll the wheel at a cell: `up` or down.
    pub fn scroll(&self, row: u16, col: u16, up: bool) {
        let b = if up { 64 } else { 65 };
        self.send(format!("\x1b[<{b};{};{}M", col + 1, row + 1));
    }

    /// Resize the terminal; the program gets SIGWINCH.
    pub fn resize(&self, cols: u16, rows: u16) {
        self.shared.lock().parser.set_size(nz(rows), nz(cols));
        self.master
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize pty");
    }

    // ------------------------------------------------------------- ending

    /// The exit status if the program has exited.
    pub fn try_exit(&self) -> Option<ExitStatus> {
        self.shared.lock().exit.clone()
    }

    /// Wait until the program exits and its output is drained; panics with
    /// the screen after the deadline.
    pub fn wait_exit(&self) -> ExitStatus {
        self.wait_state("the program to exit", |st| st.exit.is_some() && st.eof);
        self.try_exit().unwrap()
    }

    /// Hang up (SIGHUP), then SIGKILL the process group if it is still
    /// there after a few seconds; returns the exit status.
    pub fn kill(&self) -> ExitStatus {
        let _ = self.killer.lock().unwrap_or_else(|e| e.into_inner()).kill();
        if !self.wait_exit_within(Duration::from_secs(3)) {
            self.sigkill();
        }
        self.wait_exit()
    }

    fn sigkill(&self) {
        if let Some(pid) = self.pid {
            // The child is a session (and process group) leader: take its
            // whole group, then the process itself.
            unsafe {
                libc::kill(-(pid as i32), libc::SIGKILL);
                libc::kill(pid as i32, libc::SIGKILL);
            }
        }
    }

    fn wait_exit_within(&self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        let mut st = self.shared.lock();
        while st.exit.is_none() {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            st = self
                .shared
                .cond
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        true
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        if self.try_exit().is_none() {
            let _ = self.killer.lock().unwrap_or_else(|e| e.into_inner()).kill();
            if !self.wait_exit_within(Duration::from_secs(2)) {
                self.sigkill();
                self.wait_exit_within(Duration::from_secs(5));
            }
        }
    }
}

fn nz(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).expect("terminal size must not be zero")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

fn screen_text(screen: &vt100::Screen) -> String {
    let (_, cols) = screen.size();
    screen
        .rows(0, cols.get())
        .map(|r| r.trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn find_in(screen: &vt100::Screen, needle: &str) -> Option<(u16, u16)> {
    if needle.is_empty() {
        return Some((0, 0));
    }
    let (rows, cols) = screen.size();
    for row in 0..rows.get() {
        // The row's text with the column each char starts at.
        let mut text = String::new();
        let mut starts = Vec::new();
        for col in 0..cols.get() {
            let Some(cell) = screen.cell(row, col) else {
                continue;
            };
            if cell.is_wide_continuation() {
                continue;
            }
            let s = if cell.has_contents() {
                cell.contents()
            } else {
                " "
            };
            for _ in s.char_indices() {
                starts.push(col);
            }
            text.push_str(s);
        }
        if let Some(byte) = text.find(needle) {
            let idx = text[..byte].chars().count();
            return Some((row, starts[idx]));
        }
    }
    None
}
