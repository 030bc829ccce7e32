//! The Meshes list: what ListMeshes returned, filtered and sorted, the selection, and the
//! page-by-page loading.
//!
//! Pure state: the app feeds it pages, keys and the results of its own changes; `ui::browser`
//! draws it. The list holds every mesh once; the filter and the sort only produce a vector of
//! indices (`rows`), and drawing slices that vector to the rows on screen, so 10,000 meshes
//! cost one `Summary` each plus one index. The same list serves every kind (`kind` words
//! its messages).
//!
//! Loading: [`Browser::start_load`] begins a run with a new generation; each page comes back
//! through [`Browser::on_page`], which says whether to ask for the next one. Pages of an older
//! generation (a refresh started meanwhile) are dropped. The first run shows meshes as they
//! arrive; a refresh collects the pages aside and swaps them in at the end, so the list the
//! user is looking at does not empty and refill.
//!
//! Bounds: a run stops, keeping what arrived and saying why ([`PageOutcome::Stopped`]), when the
//! server sends a page token it sent before (it would page forever) or when more than
//! [`MAX_LISTED`] meshes or [`MAX_PAGES`] pages arrived.

use std::cmp::Ordering;

use ratatui::crossterm::event::{Event, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::aws::{ApiError, Page};
use crate::kind::{Key, Kind};
use crate::model::Mesh;
use crate::resource::{Meta, Summary};

/// Meshes asked for per ListMeshes call (the service's maximum).
pub const PAGE_LIMIT: i32 = 100;

/// The most meshes one list holds. App Mesh's default quota is 15 meshes per account and
/// Region; the list stays smooth with 10,000.
pub const MAX_LISTED: usize = 50_000;

/// The most ListMeshes pages one run asks for (full pages reach [`MAX_LISTED`] in 500).
pub const MAX_PAGES: u32 = 1_000;

/// The list's order, cycled with `s`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    /// A to Z.
    #[default]
    Name,
    /// Newest first.
    Created,
    /// Most recently changed first.
    Updated,
}

impl SortKey {
    pub fn next(self) -> SortKey {
        match self {
            SortKey::Name => SortKey::Created,
            SortKey::Created => SortKey::Updated,
            SortKey::Updated => SortKey::Name,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Created => "created, newest first",
            SortKey::Updated => "last updated, newest first",
        }
    }

    fn compare(self, a: &Summary, b: &Summary) -> Ordering {
        let by_name = a.key.name.cmp(&b.key.name);
        match self {
            SortKey::Name => by_name,
            SortKey::Created => b.meta.created_at.cmp(&a.meta.created_at).then(by_name),
            SortKey::Updated => b
                .meta
                .last_updated_at
                .cmp(&a.meta.last_updated_at)
                .then(by_name),
        }
    }
}

/// A ListMeshes run in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Load {
    pub generation: u64,
    /// Pages received so far.
    pub pages: u32,
    /// Meshes received so far.
    pub received: usize,
    /// A refresh collects its pages here and swaps them in at the end; `None` for the first
    /// run, whose pages go straight into the list.
    staged: Option<Vec<Summary>>,
    /// Meshes the app created, updated or deleted while this run is going: what the app
    /// learned from that call is newer than what the pages say, so pages skip these names.
    touched: Vec<String>,
    /// Every page token this run asked with: one that comes back means the server would page
    /// forever. (At most [`MAX_PAGES`].)
    tokens: std::collections::HashSet<String>,
}

/// What to do after a page arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PageOutcome {
    /// The page belongs to an older run: ignored.
    Stale,
    /// Ask for the page after this token.
    More(String),
    /// The list is complete.
    Done,
    /// The call failed; the list keeps what it had.
    Failed,
    /// The run ended before the server's last page: it repeated a page token, or sent more
    /// than the list holds. What arrived is kept; the message says why.
    Stopped(String),
}

/// The Meshes list.
#[derive(Clone, Debug, Default)]
pub struct Browser {
    /// Every mesh held, in arrival order.
    pub items: Vec<Summary>,
    /// Every index into `meshes`, in sort order (sorted when the meshes or the order change,
    /// so typing in the filter only scans).
    sorted: Vec<usize>,
    /// The indices of `sorted` that pass the filter: the list's rows.
    pub rows: Vec<usize>,
    /// Position in `rows` of the selected row.
    pub selected: usize,
    /// The first row on screen.
    pub offset: usize,
    /// How many rows fit on screen (set by the app from the layout).
    pub height: usize,
    pub sort: SortKey,
    /// Case-insensitive part of the name.
    pub filter: Input,
    /// The filter input has the keyboard.
    pub filtering: bool,
    pub load: Option<Load>,
    /// A complete list arrived at least once.
    pub loaded: bool,
    /// Why the last run stopped early.
    pub error: Option<ApiError>,
    /// Why the last run stopped before the server's last page (see [`PageOutcome::Stopped`]).
    pub stopped: Option<String>,
    /// A mesh to select as soon as it is in the list (the one just created).
    pub want: Option<String>,
    /// What the list holds (for its messages).
    pub kind: Kind,
    generation: u64,
}

/// The list row for a mesh the service returned in full.
pub fn summary_of(mesh: &Mesh) -> Summary {
    let md = &mesh.metadata;
    Summary {
        key: Key::mesh(mesh.name.clone()),
        meta: Meta {
            arn: md.arn.clone(),
            uid: String::new(),
            version: md.version,
            created_at: md.created_at,
            last_updated_at: md.last_updated_at,
            mesh_owner: md.mesh_owner.as_str().into(),
            resource_owner: md.resource_owner.as_str().into(),
        },
    }
}

impl Browser {
    /// An empty list of `kind`.
    pub fn of(kind: Kind) -> Self {
        Browser {
            kind,
            ..Browser::default()
        }
    }

    /// True while pages are arriving.
    pub fn loading(&self) -> bool {
        self.load.is_some()
    }

    pub fn selected_item(&self) -> Option<&Summary> {
        self.rows.get(self.selected).map(|&i| &self.items[i])
    }

    fn selected_name(&self) -> Option<String> {
        self.selected_item().map(|m| m.key.name.to_string())
    }

    /// Starts a run (a first load or a refresh) and returns its generation; any run in
    /// progress is abandoned (its pages will be [`PageOutcome::Stale`]).
    pub fn start_load(&mut self) -> u64 {
        self.generation += 1;
        self.error = None;
        self.stopped = None;
        let staged = if self.loaded {
            Some(Vec::new())
        } else {
            // A first run that failed part-way starts again from nothing.
            if self.want.is_none() {
                self.want = self.selected_name();
            }
            self.items.clear();
            self.resort();
            self.rebuild(None);
            None
        };
        self.load = Some(Load {
            generation: self.generation,
            pages: 0,
            received: 0,
            staged,
            touched: Vec::new(),
            tokens: std::collections::HashSet::new(),
        });
        self.generation
    }

    /// Takes one page of the run `generation`.
    pub fn on_page(&mut self, generation: u64, result: Result<Page, ApiError>) -> PageOutcome {
        let mut load = match self.load.take() {
            Some(l) if l.generation == generation => l,
            other => {
                self.load = other;
                return PageOutcome::Stale;
            }
        };
        let page = match result {
            Ok(p) => p,
            Err(e) => {
                // A refresh that failed keeps the list as it was; a first run keeps what came.
                self.error = Some(e);
                return PageOutcome::Failed;
            }
        };
        load.pages += 1;
        load.received += page.items.len();
        let next = page.next_token.filter(|t| !t.is_empty());
        let repeated = next.as_ref().is_some_and(|t| load.tokens.contains(t));
        let mut meshes = page.items;
        if repeated {
            // Most likely a page already taken: keep only meshes not in the list yet.
            let held = load.staged.as_ref().unwrap_or(&self.items);
            let names: std::collections::HashSet<&str> =
                held.iter().map(|m| m.key.name.as_str()).collect();
            meshes.retain(|m| !names.contains(m.key.name.as_str()));
        }
        let room = MAX_LISTED.saturating_sub(load.staged.as_ref().unwrap_or(&self.items).len());
        let over = meshes.len() > room;
        meshes.truncate(room);
        let touched = &load.touched;
        let fresh = meshes
            .into_iter()
            .filter(|m| !touched.iter().any(|t| *t == m.key.name));
        match &mut load.staged {
            Some(staged) => staged.extend(fresh),
            None => {
                let keep = self.selected_name();
                self.items.extend(fresh);
                self.resort();
                self.rebuild(keep);
            }
        }
        let stop = if repeated {
            Some(format!(
                "Listing stopped: the server sent a page token it had sent before (after {} pages), so it would page forever; the {} {} received are shown. Check that --endpoint-url is an App Mesh endpoint.",
                load.pages,
                crate::fileio::thousands(load.staged.as_ref().unwrap_or(&self.items).len() as u64),
                self.kind.info().plural
            ))
        } else if next.is_some() && (over || load.received >= MAX_LISTED) {
            Some(format!(
                "Listing stopped at {} {}, the most the list holds; the server has more. Filter by name (/) to find one.",
                crate::fileio::thousands(MAX_LISTED as u64),
                self.kind.info().plural
            ))
        } else if next.is_some() && load.pages >= MAX_PAGES {
            Some(format!(
                "Listing stopped after {} pages ({} {}); the server kept sending more pages.",
                crate::fileio::thousands(u64::from(MAX_PAGES)),
                crate::fileio::thousands(load.received as u64),
                self.kind.info().plural
            ))
        } else {
            None
        };
        if stop.is_none()
            && let Some(token) = next
        {
            load.tokens.insert(token.clone());
            self.load = Some(load);
            return PageOutcome::More(token);
        }
        if let Some(mut staged) = load.staged {
            // What the app changed meanwhile stands as the app last saw it, also over pages
            // that arrived before the change.
            staged.retain(|m| !load.touched.iter().any(|t| *t == m.key.name));
            for name in &load.touched {
                if let Some(m) = self.items.iter().find(|m| m.key.name == name) {
                    staged.push(m.clone());
                }
            }
            let keep = self.selected_name();
            self.items = staged;
            self.resort();
            self.rebuild(keep);
        }
        self.loaded = true;
        // The pages grew the lists by doubling: a mesh's lists hold thousands of rows for as
        // long as it is open, so give back what they will not use.
        self.items.shrink_to_fit();
        self.sorted.shrink_to_fit();
        self.rows.shrink_to_fit();
        match stop {
            Some(why) => {
                self.stopped = Some(why.clone());
                PageOutcome::Stopped(why)
            }
            None => PageOutcome::Done,
        }
    }

    fn touch(&mut self, name: &str) {
        if let Some(load) = &mut self.load
            && !load.touched.iter().any(|n| n == name)
        {
            load.touched.push(name.to_string());
        }
    }

    /// A mesh the app just created or updated: added or replaced, and selected.
    pub fn upsert(&mut self, mesh: Summary) {
        let name = mesh.key.name.to_string();
        if !self.loaded && self.load.is_none() {
            // Not listed yet: the first run will bring it.
            self.want = Some(name);
            return;
        }
        self.touch(&name);
        match self.items.iter().position(|m| m.key.name == name) {
            Some(i) => self.items[i] = mesh,
            None => self.items.push(mesh),
        }
        self.want = None;
        self.resort();
        self.rebuild(Some(name));
    }

    /// A row the app learned more about (a describe): replaced in place when the list holds
    /// it, nothing else moves.
    pub fn refresh_row(&mut self, row: Summary) {
        let Some(i) = self.items.iter().position(|m| m.key.name == row.key.name) else {
            return;
        };
        if self.items[i] == row {
            return;
        }
        let resort = self.sort != SortKey::Name
            && (self.items[i].meta.created_at != row.meta.created_at
                || self.items[i].meta.last_updated_at != row.meta.last_updated_at);
        self.items[i] = row;
        if resort {
            let keep = self.selected_name();
            self.resort();
            self.rebuild(keep);
        }
    }

    /// A mesh the app just deleted: it leaves the list and the selection stays in place.
    pub fn remove(&mut self, name: &str) {
        self.touch(name);
        let Some(i) = self.items.iter().position(|m| m.key.name == name) else {
            return;
        };
        let at = self.selected;
        let keep = self.selected_name().filter(|n| n != name);
        self.items.remove(i);
        if keep.is_some() {
            self.resort();
            self.rebuild(keep);
        } else {
            self.resort();
            self.rebuild(None);
            self.selected = at.min(self.rows.len().saturating_sub(1));
            self.scroll_into_view();
        }
    }

    /// Puts every mesh in sort order; call [`Browser::rebuild`] after.
    fn resort(&mut self) {
        let (meshes, sort) = (&self.items, self.sort);
        self.sorted.clear();
        self.sorted.extend(0..meshes.len());
        self.sorted
            .sort_unstable_by(|&a, &b| sort.compare(&meshes[a], &meshes[b]));
    }

    /// Recomputes the rows from the filter, keeping `keep` (or the wanted mesh) selected when
    /// it is still shown.
    fn rebuild(&mut self, keep: Option<String>) {
        let needle = self.filter.value().to_lowercase();
        let meshes = &self.items;
        self.rows.clear();
        self.rows.extend(
            self.sorted.iter().copied().filter(|&i| {
                needle.is_empty() || contains_ignore_case(&meshes[i].key.name, &needle)
            }),
        );
        let wanted = self
            .want
            .clone()
            .and_then(|w| self.position_of(&w).map(|p| (w, p)));
        if let Some((_, p)) = wanted {
            self.selected = p;
            self.want = None;
        } else if let Some(k) = keep {
            match self.position_of(&k) {
                Some(p) => self.selected = p,
                // Hidden by the filter: selected again when it shows, unless the user moves.
                None if self.want.is_none() => self.want = Some(k),
                None => {}
            }
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        self.scroll_into_view();
    }

    fn position_of(&self, name: &str) -> Option<usize> {
        self.rows
            .iter()
            .position(|&i| self.items[i].key.name == name)
    }

    /// Selects the named mesh if the list shows it.
    pub fn select_name(&mut self, name: &str) -> bool {
        match self.position_of(name) {
            Some(p) => {
                self.selected = p;
                self.scroll_into_view();
                true
            }
            None => false,
        }
    }

    /// Moves the selection by `delta` rows, stopping at the ends.
    pub fn move_by(&mut self, delta: isize) {
        if self.rows.is_empty() {
            return;
        }
        self.want = None;
        let last = self.rows.len() - 1;
        self.selected = self.selected.saturating_add_signed(delta).min(last);
        self.scroll_into_view();
    }

    pub fn page(&self) -> isize {
        self.height.max(2) as isize - 1
    }

    pub fn home(&mut self) {
        self.move_by(isize::MIN);
    }

    pub fn end(&mut self) {
        self.move_by(isize::MAX);
    }

    /// Keeps the selected row on screen and no space left empty below the last row.
    pub fn scroll_into_view(&mut self) {
        let h = self.height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + h {
            self.offset = self.selected + 1 - h;
        }
        self.offset = self.offset.min(self.rows.len().saturating_sub(h));
    }

    /// The rows on screen: positions in `rows` and the meshes.
    pub fn visible(&self) -> impl Iterator<Item = (usize, &Summary)> {
        let end = (self.offset + self.height).min(self.rows.len());
        let start = self.offset.min(end);
        (start..end).map(|p| (p, &self.items[self.rows[p]]))
    }

    pub fn cycle_sort(&mut self) {
        self.sort = self.sort.next();
        let keep = self.selected_name();
        self.resort();
        self.rebuild(keep);
    }

    /// An edit of the filter text; the selection stays on the same mesh while it still
    /// matches. Returns true when the key was used.
    pub fn filter_key(&mut self, key: KeyEvent) -> bool {
        let keep = self.selected_name();
        match self.filter.handle_event(&Event::Key(key)) {
            Some(change) => {
                if change.value {
                    self.rebuild(keep);
                }
                true
            }
            None => false,
        }
    }

    /// Adds pasted text to the filter (line breaks become spaces).
    pub fn filter_paste(&mut self, text: &str) {
        let keep = self.selected_name();
        for c in text.chars() {
            let c = if c.is_control() { ' ' } else { c };
            self.filter.handle(tui_input::InputRequest::InsertChar(c));
        }
        self.rebuild(keep);
    }

    /// Empties the filter and closes its input.
    pub fn clear_filter(&mut self) {
        let keep = self.selected_name();
        self.filter.reset();
        self.filtering = false;
        self.rebuild(keep);
    }
}

/// `needle` must already be lower case.
fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    if haystack.is_ascii() && needle.is_ascii() {
        haystack
            .as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
    } else {
        haystack.to_lowercase().contains(needle)
    }
}

/// The delete confirmation: the user types the resource's name.
#[derive(Clone, Debug)]
pub struct DeleteConfirm {
    pub key: Key,
    pub name: String,
    pub input: Input,
    /// Set when Enter was pressed with a name that does not match.
    pub problem: Option<String>,
}

impl DeleteConfirm {
    pub fn for_key(key: &Key) -> Self {
        DeleteConfirm {
            key: key.clone(),
            name: key.name.to_string(),
            input: Input::default(),
            problem: None,
        }
    }

    /// What confirms the delete: the name, with `?` for each character that cannot be typed
    /// (a control character, see [`crate::model::forbidden_char`]; another client may have
    /// made such a name).
    pub fn expected(&self) -> String {
        self.name
            .chars()
            .map(|c| {
                if crate::model::is_forbidden_char(c) {
                    '?'
                } else {
                    c
                }
            })
            .collect()
    }

    /// The first character of the name that cannot be typed, with its position (1-based).
    pub fn untypeable(&self) -> Option<(usize, char)> {
        crate::model::forbidden_char(&self.name)
    }

    /// Exact match with [`DeleteConfirm::expected`]: case and spaces count.
    pub fn matches(&self) -> bool {
        self.input.value() == self.expected()
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    use super::*;
    use crate::aws::ErrorKind;

    fn mesh(name: &str, created: u64, updated: u64) -> Summary {
        let t = |s| SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + s);
        Summary {
            key: Key::mesh(name),
            meta: Meta {
                arn: format!("arn:aws:appmesh:us-east-1:111122223333:mesh/{name}"),
                uid: String::new(),
                version: 1,
                created_at: t(created),
                last_updated_at: t(updated),
                mesh_owner: "111122223333".into(),
                resource_owner: "111122223333".into(),
            },
        }
    }

    fn page(names: &[&str], next: Option<&str>) -> Result<Page, ApiError> {
        Ok(Page {
            items: names.iter().map(|n| mesh(n, 0, 0)).collect(),
            next_token: next.map(str::to_string),
        })
    }

    fn shown(b: &Browser) -> Vec<&str> {
        b.rows
            .iter()
            .map(|&i| b.items[i].key.name.as_str())
            .collect()
    }

    fn type_filter(b: &mut Browser, s: &str) {
        for c in s.chars() {
            b.filter_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }

    fn loaded(names: &[&str]) -> Browser {
        let mut b = Browser {
            height: 10,
            ..Browser::default()
        };
        let g = b.start_load();
        assert_eq!(b.on_page(g, page(names, None)), PageOutcome::Done);
        b
    }

    fn error() -> ApiError {
        ApiError {
            kind: ErrorKind::Service,
            code: Some("ThrottlingException".into()),
            message: "slow down".into(),
            http_status: Some(429),
            request_id: None,
        }
    }

    #[test]
    fn first_load_appends_page_by_page_and_asks_for_more() {
        let mut b = Browser::default();
        let g = b.start_load();
        assert!(b.loading());
        assert_eq!(
            b.on_page(g, page(&["c", "a"], Some("t1"))),
            PageOutcome::More("t1".into())
        );
        assert_eq!(shown(&b), ["a", "c"], "rows show while loading");
        assert_eq!(b.load.as_ref().unwrap().pages, 1);
        assert_eq!(b.on_page(g, page(&["b"], None)), PageOutcome::Done);
        assert_eq!(shown(&b), ["a", "b", "c"]);
        assert!(!b.loading() && b.loaded);
    }

    #[test]
    fn a_repeated_page_token_stops_the_run_without_duplicates() {
        let mut b = Browser::default();
        let g = b.start_load();
        assert_eq!(
            b.on_page(g, page(&["a", "b"], Some("same"))),
            PageOutcome::More("same".into())
        );
        // The server answers the same page with the same token again.
        let PageOutcome::Stopped(why) = b.on_page(g, page(&["a", "b"], Some("same"))) else {
            panic!("the run goes on");
        };
        assert!(
            why.contains("page token it had sent before") && why.contains("2 meshes"),
            "{why}"
        );
        assert_eq!(shown(&b), ["a", "b"], "no duplicates");
        assert!(!b.loading() && b.loaded);
        assert_eq!(b.stopped.as_deref(), Some(why.as_str()));
        // A refresh that repeats a token also stops, and shows what it collected.
        let g = b.start_load();
        assert!(b.stopped.is_none());
        b.on_page(g, page(&["a", "c"], Some("t1")));
        b.on_page(g, page(&["d"], Some("t2")));
        assert!(matches!(
            b.on_page(g, page(&["d", "e"], Some("t1"))),
            PageOutcome::Stopped(_)
        ));
        assert_eq!(shown(&b), ["a", "c", "d", "e"]);
    }

    #[test]
    fn a_run_stops_at_the_list_bound() {
        let mut b = Browser::default();
        let g = b.start_load();
        let mut n = 0;
        let outcome = loop {
            let names: Vec<String> = (n..n + 100).map(|i| format!("m{i:06}")).collect();
            n += 100;
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            match b.on_page(g, page(&refs, Some(&format!("t{n}")))) {
                PageOutcome::More(_) => continue,
                other => break other,
            }
        };
        let PageOutcome::Stopped(why) = outcome else {
            panic!("{outcome:?}");
        };
        assert!(why.contains("50,000 meshes"), "{why}");
        assert_eq!(b.items.len(), MAX_LISTED);
        // Empty pages with new tokens end at the page bound.
        let mut b = Browser::default();
        let g = b.start_load();
        let mut pages = 0;
        let outcome = loop {
            pages += 1;
            match b.on_page(g, page(&[], Some(&format!("t{pages}")))) {
                PageOutcome::More(_) => continue,
                other => break other,
            }
        };
        assert!(
            matches!(&outcome, PageOutcome::Stopped(w) if w.contains("1,000 pages")),
            "{outcome:?}"
        );
        assert_eq!(pages, MAX_PAGES);
    }

    #[test]
    fn a_name_with_a_line_break_is_confirmed_with_a_question_mark_in_its_place() {
        let mut d = DeleteConfirm::for_key(&Key::mesh("bad\nname\u{202e}"));
        assert_eq!(d.expected(), "bad?name?");
        assert_eq!(d.untypeable(), Some((4, '\n')));
        d.input = Input::new("bad name ".into());
        assert!(!d.matches());
        d.input = Input::new("bad?name?".into());
        assert!(d.matches());
        let plain = DeleteConfirm::for_key(&Key::mesh("plain"));
        assert_eq!(plain.expected(), "plain");
        assert_eq!(plain.untypeable(), None);
    }

    #[test]
    fn empty_next_token_ends_the_list() {
        let mut b = Browser::default();
        let g = b.start_load();
        assert_eq!(b.on_page(g, page(&["a"], Some(""))), PageOutcome::Done);
    }

    #[test]
    fn a_refresh_discards_pages_of_the_older_run() {
        let mut b = Browser::default();
        let old = b.start_load();
        b.on_page(old, page(&["a"], Some("t")));
        let new = b.start_load();
        assert_ne!(old, new);
        assert_eq!(b.on_page(old, page(&["stale"], None)), PageOutcome::Stale);
        assert!(!b.items.iter().any(|m| m.key.name == "stale"));
        assert_eq!(b.on_page(new, page(&["a", "b"], None)), PageOutcome::Done);
        assert_eq!(shown(&b), ["a", "b"]);
        // After the run ended, late pages of any generation change nothing.
        assert_eq!(b.on_page(new, page(&["x"], None)), PageOutcome::Stale);
    }

    #[test]
    fn refresh_keeps_the_old_list_until_the_end_and_keeps_the_selection() {
        let mut b = loaded(&["a", "b", "c", "d"]);
        assert!(b.select_name("c"));
        let g = b.start_load();
        b.on_page(g, page(&["a", "c2"], Some("t")));
        assert_eq!(shown(&b), ["a", "b", "c", "d"], "old list stays up");
        assert_eq!(b.selected_item().unwrap().key.name, "c");
        b.on_page(g, page(&["c", "e"], None));
        assert_eq!(shown(&b), ["a", "c", "c2", "e"]);
        assert_eq!(
            b.selected_item().unwrap().key.name,
            "c",
            "selection kept by name"
        );
    }

    #[test]
    fn a_failed_refresh_keeps_the_list_and_says_why() {
        let mut b = loaded(&["a", "b"]);
        let g = b.start_load();
        b.on_page(g, page(&["a"], Some("t")));
        assert_eq!(b.on_page(g, Err(error())), PageOutcome::Failed);
        assert_eq!(shown(&b), ["a", "b"]);
        assert!(!b.loading());
        assert_eq!(b.error.as_ref().unwrap().title(), "ThrottlingException");
        b.start_load();
        assert!(b.error.is_none(), "a new run clears the error");
    }

    #[test]
    fn changes_to_meshes_of_pages_already_received_survive_a_refresh() {
        let mut b = loaded(&["a", "b", "c"]);
        let g = b.start_load();
        b.on_page(g, page(&["a", "b", "c"], Some("t")));
        b.remove("a");
        let mut newer = mesh("b", 0, 50);
        newer.meta.version = 2;
        b.upsert(newer);
        b.on_page(g, page(&["d"], None));
        assert_eq!(
            shown(&b),
            ["b", "c", "d"],
            "a stays deleted, b is not doubled"
        );
        assert_eq!(b.items[b.rows[0]].meta.version, 2);
    }

    #[test]
    fn changes_made_during_a_refresh_survive_it() {
        let mut b = loaded(&["a", "b", "gone"]);
        let g = b.start_load();
        b.on_page(g, page(&["a"], Some("t")));
        let mut newer = mesh("b", 0, 50);
        newer.meta.version = 2;
        b.upsert(newer);
        b.upsert(mesh("new", 0, 0));
        b.remove("gone");
        // The last page still has the old b and the deleted mesh, but not the new one.
        b.on_page(
            g,
            Ok(Page {
                items: vec![mesh("b", 0, 0), mesh("gone", 0, 0)],
                next_token: None,
            }),
        );
        assert_eq!(shown(&b), ["a", "b", "new"]);
        let bm = &b.items[b.rows[1]];
        assert_eq!(bm.meta.version, 2, "the app's copy wins");
    }

    #[test]
    fn created_mesh_is_selected_once_listed() {
        let mut b = Browser {
            height: 10,
            ..Browser::default()
        };
        b.upsert(mesh("fresh", 0, 0));
        assert!(b.items.is_empty(), "not listed yet: nothing invented");
        let g = b.start_load();
        b.on_page(g, page(&["a", "b"], Some("t")));
        b.on_page(g, page(&["fresh", "z"], None));
        assert_eq!(b.selected_item().unwrap().key.name, "fresh");

        let mut b = loaded(&["a", "b"]);
        b.upsert(mesh("c", 0, 0));
        assert_eq!(b.selected_item().unwrap().key.name, "c");
    }

    #[test]
    fn filter_is_case_insensitive_and_keeps_the_selection() {
        let mut b = loaded(&["alpha", "Beta", "gamma", "ALPINE", "café"]);
        b.select_name("ALPINE");
        type_filter(&mut b, "al");
        assert_eq!(shown(&b), ["ALPINE", "alpha"]);
        assert_eq!(b.selected_item().unwrap().key.name, "ALPINE");
        type_filter(&mut b, "x");
        assert!(b.rows.is_empty());
        assert!(b.selected_item().is_none());
        b.clear_filter();
        assert_eq!(b.rows.len(), 5);
        type_filter(&mut b, "CAF");
        assert_eq!(shown(&b), ["café"]);
        b.clear_filter();
        b.filter_paste("É\n");
        assert!(b.rows.is_empty(), "pasted line break becomes a space");
        b.filter.reset();
        b.filter_paste("É");
        assert_eq!(shown(&b), ["café"]);
    }

    #[test]
    fn sort_cycles_name_created_updated() {
        let mut b = Browser {
            height: 10,
            ..Browser::default()
        };
        let g = b.start_load();
        b.on_page(
            g,
            Ok(Page {
                items: vec![mesh("b", 30, 10), mesh("a", 10, 40), mesh("c", 20, 20)],
                next_token: None,
            }),
        );
        b.select_name("c");
        assert_eq!(shown(&b), ["a", "b", "c"]);
        b.cycle_sort();
        assert_eq!(b.sort, SortKey::Created);
        assert_eq!(shown(&b), ["b", "c", "a"]);
        b.cycle_sort();
        assert_eq!(shown(&b), ["a", "c", "b"]);
        b.cycle_sort();
        assert_eq!(b.sort, SortKey::Name);
        assert_eq!(
            b.selected_item().unwrap().key.name,
            "c",
            "selection follows the mesh"
        );
    }

    #[test]
    fn moving_and_scrolling_stay_in_bounds() {
        let names: Vec<String> = (0..100).map(|i| format!("m{i:03}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut b = loaded(&refs);
        b.height = 10;
        b.move_by(-1);
        assert_eq!(b.selected, 0);
        b.move_by(b.page());
        assert_eq!((b.selected, b.offset), (9, 0));
        b.move_by(1);
        assert_eq!((b.selected, b.offset), (10, 1));
        b.end();
        assert_eq!((b.selected, b.offset), (99, 90));
        assert_eq!(b.visible().count(), 10);
        assert_eq!(b.visible().last().unwrap().1.key.name, "m099");
        b.home();
        assert_eq!((b.selected, b.offset), (0, 0));
        // Filtering down to fewer rows than the screen pulls the offset back.
        b.end();
        type_filter(&mut b, "m09");
        assert_eq!(b.rows.len(), 10);
        assert_eq!(b.offset, 0);
        assert_eq!(b.selected_item().unwrap().key.name, "m099");
    }

    #[test]
    fn delete_removes_and_selects_the_next_row() {
        let mut b = loaded(&["a", "b", "c"]);
        b.select_name("b");
        b.remove("b");
        assert_eq!(shown(&b), ["a", "c"]);
        assert_eq!(b.selected_item().unwrap().key.name, "c");
        b.remove("c");
        assert_eq!(b.selected_item().unwrap().key.name, "a");
        b.remove("a");
        assert!(b.selected_item().is_none());
        b.remove("never-there");
    }

    #[test]
    fn delete_confirmation_needs_the_exact_name() {
        let mut d = DeleteConfirm::for_key(&Key::mesh("prod-mesh"));
        assert!(!d.matches());
        d.input = Input::new("prod-mes".into());
        assert!(!d.matches());
        d.input = Input::new("Prod-mesh".into());
        assert!(!d.matches(), "case counts");
        d.input = Input::new("prod-mesh ".into());
        assert!(!d.matches(), "spaces count");
        d.input = Input::new("prod-mesh".into());
        assert!(d.matches());
    }

    #[test]
    fn ten_thousand_meshes_hold_one_index_each() {
        let mut b = Browser {
            height: 30,
            ..Browser::default()
        };
        let g = b.start_load();
        for p in 0..100 {
            let meshes = (0..100)
                .map(|i| mesh(&format!("seed-{:05}", p * 100 + i), 0, 0))
                .collect();
            let next = (p < 99).then(|| format!("t{p}"));
            b.on_page(
                g,
                Ok(Page {
                    items: meshes,
                    next_token: next,
                }),
            );
        }
        assert_eq!(b.rows.len(), 10_000);
        assert_eq!(b.visible().count(), 30);
        type_filter(&mut b, "0999");
        assert_eq!(
            shown(&b),
            [
                "seed-00999",
                "seed-09990",
                "seed-09991",
                "seed-09992",
                "seed-09993",
                "seed-09994",
                "seed-09995",
                "seed-09996",
                "seed-09997",
                "seed-09998",
                "seed-09999"
            ]
        );
    }
}
