//! Fixtures shared by the tests and benches: an app as it is once the AWS configuration has
//! loaded, keys as a user types them, and the screen drawn to a string. Not part of the
//! app's interface.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::{Terminal, backend::TestBackend};

use crate::app::{App, Effect, Msg, SandboxInfo};
use crate::aws::Target;
use crate::ui::{self, text::epoch_plus};

/// The fixed "now" of every fixture (2026-11-18T…Z), so relative times are stable.
pub const NOW: u64 = 1_795_000_000;
/// The endpoint the fixtures' sandbox listens on.
pub const ENDPOINT: &str = "http://127.0.0.1:41234";

/// An app of `w`×`h` on the sandbox (state kept in `sandbox_state`), connected, at [`NOW`].
pub fn connected_app(w: u16, h: u16, sandbox_state: &str) -> App {
    let mut app = App::new((w, h));
    app.now = epoch_plus(NOW);
    app.sandbox = Some(SandboxInfo {
        state: sandbox_state.into(),
    });
    app.update(Msg::Connected(Target {
        profile: None,
        region: "us-east-1".into(),
        region_note: None,
        endpoint: Some(ENDPOINT.into()),
    }));
    app
}

/// The whole screen as text, one quoted line per row (ratatui's `TestBackend`).
/// A UID that depends only on the ARN (the sandbox draws random ones), so that screens in
/// snapshots are the same on every run.
fn stable_uid(arn: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    arn.hash(&mut h);
    let a = h.finish();
    (arn, a).hash(&mut h);
    let b = h.finish();
    let hex = format!("{a:016x}{b:016x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

pub fn draw(app: &App) -> String {
    let mut terminal =
        Terminal::new(TestBackend::new(app.size.0, app.size.1)).expect("a test terminal");
    terminal
        .draw(|f| ui::render(app, f))
        .expect("drawing to a test terminal");
    terminal.backend().to_string()
}

pub fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub fn ctrl(app: &mut App, c: char) -> Vec<Effect> {
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )))
}

pub fn type_text(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// Fills the create form the way a user does: the name `orders-mesh`, ALLOW_ALL, IPv4_PREFERRED
/// (two down from "Not set"), and the tags team=payments and env=dev, each added with Enter.
pub fn fill_form(app: &mut App) {
    type_text(app, "orders-mesh");
    key(app, KeyCode::Tab);
    key(app, KeyCode::Down);
    key(app, KeyCode::Tab);
    key(app, KeyCode::Down);
    key(app, KeyCode::Down);
    key(app, KeyCode::Tab);
    for (k, v) in [("team", "payments"), ("env", "dev")] {
        type_text(app, k);
        key(app, KeyCode::Tab);
        type_text(app, v);
        key(app, KeyCode::Enter);
    }
}

/// An App Mesh for tests and benches, without a network: the sandbox's own state (every rule
/// between resources included) answering the app's calls as the runtime would.
pub struct Service {
    pub state: crate::sandbox::state::State,
    pub region: String,
    /// Page size of its lists (the service's is 100; small pages show paging).
    pub page: usize,
    now_ms: i64,
}

impl Default for Service {
    fn default() -> Self {
        Service::new()
    }
}

impl Service {
    /// An empty service, quotas off.
    pub fn new() -> Service {
        Service {
            state: crate::sandbox::state::State::new(
                crate::sandbox::state::Data::empty(),
                crate::sandbox::ACCOUNT_ID,
                crate::sandbox::quota::Quotas::none(),
            ),
            region: "us-east-1".into(),
            page: 100,
            now_ms: (NOW as i64 - 86_400) * 1000,
        }
    }

    /// A service holding what `sandbox seed` would add with `plan`.
    pub fn seeded(plan: &crate::sandbox::cli::SeedPlan) -> Service {
        let mut s = Service::new();
        let mut data = crate::sandbox::state::Data::empty();
        crate::sandbox::cli::seed_data(&mut data, plan, &s.region, s.now_ms)
            .expect("a valid seed plan");
        s.state = crate::sandbox::state::State::new(
            data,
            crate::sandbox::ACCOUNT_ID,
            crate::sandbox::quota::Quotas::none(),
        );
        s
    }

    /// Adds mesh `name`, with the realistic shape of `sandbox seed --shape realistic` inside
    /// when `realistic` (two services, a router with a 90/10 canary route, three nodes, a
    /// gateway with a gateway route).
    pub fn add_mesh(&mut self, name: &str, realistic: bool) -> &mut Service {
        let mut items = vec![(crate::kind::Key::mesh(name), serde_json::json!({}))];
        if realistic {
            let plan = crate::sandbox::cli::SeedPlan {
                realistic: true,
                ..Default::default()
            };
            items.extend(crate::sandbox::cli::mesh_contents(&plan, name));
        }
        for (key, spec) in items {
            self.now_ms += 60_000;
            let input = crate::sandbox::state::CreateInput {
                loc: self.loc(&key),
                spec,
                tags: Default::default(),
                client_token: None,
            };
            self.state
                .create(input, None, self.now_ms)
                .expect("fixture resources are valid");
        }
        self
    }

    /// Adds `key` with `spec` (its mesh, router or gateway must exist).
    pub fn add(&mut self, key: crate::kind::Key, spec: serde_json::Value) -> &mut Service {
        self.now_ms += 60_000;
        let input = crate::sandbox::state::CreateInput {
            loc: self.loc(&key),
            spec,
            tags: Default::default(),
            client_token: None,
        };
        self.state
            .create(input, None, self.now_ms)
            .expect("fixture resources are valid");
        self
    }

    /// CreateX of any kind, as the service answers it (the prune the HTTP layer does
    /// included): for components that produce requests without going through the app.
    pub fn create(
        &mut self,
        key: &crate::kind::Key,
        spec: &serde_json::Value,
        tags: &[crate::model::Tag],
        client_token: Option<&str>,
    ) -> Result<crate::resource::Resource, crate::aws::ApiError> {
        let shape = crate::kind::Kind::info(key.kind).spec_shape;
        let input = crate::sandbox::state::CreateInput {
            loc: self.loc(key),
            spec: crate::shape::prune(crate::shape::model(), shape, spec),
            tags: tags
                .iter()
                .map(|t| (t.key.clone(), t.value.clone()))
                .collect(),
            client_token: client_token.map(str::to_string),
        };
        self.now_ms += 1000;
        self.state
            .create(input, None, self.now_ms)
            .map(|(r, _)| self.resource(&r, "ACTIVE"))
            .map_err(Self::error)
    }

    /// Everything mesh `name` holds (of this service's region), as a [`crate::mesh::MeshModel`].
    pub fn mesh_model(&self, name: &str) -> crate::mesh::MeshModel {
        let mut m = crate::mesh::MeshModel::new(name);
        for (loc, rec) in &self.state.data().resources {
            if loc.region == self.region && loc.key.mesh == name {
                m.items
                    .insert(loc.key.clone(), crate::mesh::Item::new(rec.spec_value()));
            }
        }
        m
    }

    /// Whether the service holds `key`.
    pub fn holds(&self, key: &crate::kind::Key) -> bool {
        self.state.get(&self.loc(key)).is_some()
    }

    /// The spec the service holds for `key`.
    pub fn spec_of(&self, key: &crate::kind::Key) -> Option<serde_json::Value> {
        self.state
            .get(&self.loc(key))
            .and_then(|r| serde_json::from_str(r.spec.get()).ok())
    }

    /// The tags the service holds on `key`.
    pub fn tags_of(&self, key: &crate::kind::Key) -> Vec<crate::model::Tag> {
        self.tags(&key.arn(&self.region, self.state.account()))
    }

    fn loc(&self, key: &crate::kind::Key) -> crate::sandbox::state::Loc {
        crate::sandbox::state::Loc::new(self.region.clone(), key.clone())
    }

    fn wire(&self, r: &crate::sandbox::state::Record, status: &str) -> serde_json::Value {
        let account = self.state.account().to_string();
        let arn = self.state.arn(&r.loc);
        serde_json::from_slice(&crate::sandbox::wire::resource_body(
            r, &arn, &account, status,
        ))
        .expect("the sandbox writes JSON")
    }

    fn resource(
        &self,
        r: &crate::sandbox::state::Record,
        status: &str,
    ) -> crate::resource::Resource {
        let mut out = crate::resource::Resource::from_wire(r.loc.key.kind, &self.wire(r, status))
            .expect("the sandbox writes the model's shapes");
        out.meta.uid = stable_uid(&out.meta.arn);
        out
    }

    fn error(e: crate::sandbox::wire::ApiError) -> crate::aws::ApiError {
        crate::aws::ApiError {
            kind: crate::aws::ErrorKind::Service,
            code: Some(e.code.to_string()),
            message: e.message,
            http_status: Some(e.status),
            request_id: Some("req-test".into()),
        }
    }

    fn mesh_result(
        &self,
        action: crate::app::Action,
        r: &crate::sandbox::state::Record,
    ) -> crate::app::MeshResult {
        let resource = self.resource(r, "ACTIVE");
        crate::app::MeshResult {
            action,
            mesh: crate::model::Mesh::from_resource(&resource).expect("a mesh"),
            tags: Ok(self.tags(&resource.meta.arn)),
            request_id: Some("req-mesh".into()),
        }
    }

    fn tags(&self, arn: &str) -> Vec<crate::model::Tag> {
        self.state
            .list_tags(&self.region, arn, 100, None, 0)
            .map(|(t, _)| {
                t.into_iter()
                    .map(|(k, v)| crate::model::Tag::new(k, v))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Answers `call` as the runtime's `perform` would.
    pub fn answer(&mut self, call: &crate::app::Call) -> crate::app::CallResult {
        use crate::app::{Call, CallResult};
        use crate::explore::describe::Described;
        let now_secs = (self.now_ms / 1000) + 1;
        match call {
            Call::List {
                scope,
                generation,
                next_token,
            } => {
                let loc = self.loc(&crate::kind::Key::new(
                    scope.kind,
                    scope.mesh.clone(),
                    scope.parent.clone(),
                    "",
                ));
                let result = self
                    .state
                    .list(&loc, None, self.page, next_token.as_deref(), now_secs)
                    .map(|(page, next)| crate::aws::Page {
                        items: page
                            .iter()
                            .map(|r| self.resource(r, "ACTIVE").summary())
                            .collect(),
                        next_token: next,
                    })
                    .map_err(Self::error);
                CallResult::Page {
                    scope: scope.clone(),
                    generation: *generation,
                    result,
                }
            }
            Call::Get { key, tags } => {
                let result = self
                    .state
                    .describe(&self.loc(key), None)
                    .map(|r| {
                        let resource = self.resource(&r, "ACTIVE");
                        Described {
                            tags: Ok(if *tags {
                                self.tags(&resource.meta.arn)
                            } else {
                                Vec::new()
                            }),
                            verb: crate::app::Action::Describe.verb_of(key.kind),
                            resource,
                            request_id: Some("req-describe".into()),
                        }
                    })
                    .map_err(Self::error);
                CallResult::Resource {
                    key: key.clone(),
                    result,
                }
            }
            Call::Remove { key } => {
                let loc = self.loc(key);
                let result = self
                    .state
                    .delete(&loc, None)
                    .map(|r| Described {
                        resource: self.resource(&r, "DELETED"),
                        tags: Ok(Vec::new()),
                        request_id: Some("req-delete".into()),
                        verb: crate::app::Action::Delete.verb_of(key.kind),
                    })
                    .map_err(Self::error);
                CallResult::Resource {
                    key: key.clone(),
                    result,
                }
            }
            Call::Tag {
                key,
                arn,
                tag,
                untag,
            } => {
                let region = self.region.clone();
                let add: std::collections::BTreeMap<String, String> = tag
                    .iter()
                    .map(|t| (t.key.clone(), t.value.clone()))
                    .collect();
                let result = self
                    .state
                    .tag_resource(&region, arn, add)
                    .and_then(|_| self.state.untag_resource(&region, arn, untag))
                    .and_then(|_| self.state.describe(&self.loc(key), None))
                    .map(|r| Described {
                        resource: self.resource(&r, "ACTIVE"),
                        tags: Ok(self.tags(arn)),
                        request_id: Some("req-tag".into()),
                        verb: "TagResource".into(),
                    })
                    .map_err(Self::error);
                CallResult::Resource {
                    key: key.clone(),
                    result,
                }
            }
            Call::Create(req) => {
                let input = crate::sandbox::state::CreateInput {
                    loc: self.loc(&crate::kind::Key::mesh(req.name.clone())),
                    spec: crate::export::spec_json(&req.spec)
                        .unwrap_or_else(|| serde_json::json!({})),
                    tags: req
                        .tags
                        .iter()
                        .map(|t| (t.key.clone(), t.value.clone()))
                        .collect(),
                    client_token: Some(req.client_token.clone()),
                };
                self.now_ms += 1000;
                let result = self
                    .state
                    .create(input, None, self.now_ms)
                    .map(|(r, _)| self.mesh_result(crate::app::Action::Create, &r))
                    .map_err(Self::error);
                CallResult::Mesh(result)
            }
            Call::Update {
                name,
                spec,
                client_token,
            } => {
                let loc = self.loc(&crate::kind::Key::mesh(name.clone()));
                self.now_ms += 1000;
                let result = self
                    .state
                    .update(
                        &loc,
                        crate::export::spec_json(spec).unwrap_or_else(|| serde_json::json!({})),
                        Some(client_token.clone()),
                        None,
                        self.now_ms,
                    )
                    .map(|(r, _)| self.mesh_result(crate::app::Action::Update, &r))
                    .map_err(Self::error);
                CallResult::Mesh(result)
            }
            Call::Write {
                key,
                create,
                spec,
                tags,
                client_token,
            } => {
                let loc = self.loc(key);
                self.now_ms += 1000;
                let (action, result) = if *create {
                    let input = crate::sandbox::state::CreateInput {
                        loc,
                        spec: spec.clone(),
                        tags: tags
                            .iter()
                            .map(|t| (t.key.clone(), t.value.clone()))
                            .collect(),
                        client_token: Some(client_token.clone()),
                    };
                    (
                        crate::app::Action::Create,
                        self.state.create(input, None, self.now_ms),
                    )
                } else {
                    (
                        crate::app::Action::Update,
                        self.state.update(
                            &loc,
                            spec.clone(),
                            Some(client_token.clone()),
                            None,
                            self.now_ms,
                        ),
                    )
                };
                let result = result
                    .map(|(r, _)| {
                        let resource = self.resource(&r, "ACTIVE");
                        Described {
                            tags: Ok(self.tags(&resource.meta.arn)),
                            verb: action.verb_of(key.kind),
                            resource,
                            request_id: Some("req-write".into()),
                        }
                    })
                    .map_err(Self::error);
                CallResult::Resource {
                    key: key.clone(),
                    result,
                }
            }
        }
    }
}

/// Carries out `effects` against `svc` the way the runtime does, and every call their answers
/// start, until nothing is left in flight (at most `limit` calls). Returns how many calls ran.
pub fn settle(app: &mut App, effects: Vec<Effect>, svc: &mut Service, limit: usize) -> usize {
    let mut queue: std::collections::VecDeque<Effect> = effects.into();
    let mut n = 0;
    while let Some(e) = queue.pop_front() {
        match e {
            Effect::Call { id, call } => {
                n += 1;
                if n > limit {
                    break;
                }
                let result = svc.answer(&call);
                queue.extend(app.update(Msg::Done { id, result }));
            }
            e @ Effect::WriteFile { .. } => queue.extend(write_files(app, vec![e])),
            // The rest (copy, cancel, quit, …) has nothing to answer.
            _ => {}
        }
    }
    n
}

/// Carries out the file writes among `effects` (as the runtime does, but in place) and feeds
/// their answers back; returns the other effects, and those the answers asked for.
pub fn write_files(app: &mut App, effects: Vec<Effect>) -> Vec<Effect> {
    let mut rest = Vec::new();
    let mut queue: std::collections::VecDeque<Effect> = effects.into();
    while let Some(e) = queue.pop_front() {
        match e {
            Effect::WriteFile {
                to,
                path,
                contents,
                existing,
            } => queue.extend(app.update(crate::app::write_file(to, path, &contents, existing))),
            other => rest.push(other),
        }
    }
    rest
}

/// Adds the calls among `effects` to `pending`, for a test that answers them in an order of its
/// own (late, out of order, one at a time).
pub fn push_calls(effects: Vec<Effect>, pending: &mut Vec<(u64, crate::app::Call)>) {
    pending.extend(effects.into_iter().filter_map(|e| match e {
        Effect::Call { id, call } => Some((id, call)),
        _ => None,
    }));
}

/// Presses `code` and settles what it starts.
pub fn press(app: &mut App, code: KeyCode, svc: &mut Service) {
    let effects = key(app, code);
    settle(app, effects, svc, 100_000);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `settle` answers calls and carries out writes; anything else (a copy, a cancel) is
    /// left alone, and the loop still ends.
    #[test]
    fn settle_passes_over_effects_it_has_nothing_to_answer_for() {
        let mut app = connected_app(80, 24, "/tmp/s.json");
        let mut svc = Service::new();
        let effects = vec![Effect::Copy("arn".into()), Effect::Cancel(7), Effect::Quit];
        assert_eq!(settle(&mut app, effects, &mut svc, 10), 0);
    }
}
