//! The walkthrough "Onboard a service" (F6 inside a mesh, `--walkthrough service`): a virtual
//! node, the virtual service clients call, a virtual router with a route to the node, and (when
//! the mesh has a virtual gateway) a gateway route to the service; then a review of every
//! request, sending them in the order the service accepts, the result explained, and the
//! topology with the new service selected.
//!
//! A component with its own state, keys and drawing (`ui::onboard`), like the canary control
//! and the topology. Each step edits a guided form ([`KindForm`]) the walkthrough fills with
//! suggestions that follow the earlier steps (the node's name and port become the service's,
//! router's and route's defaults). Nothing is sent until the Send step. The host runs what
//! [`Outcome::Send`] holds and reports every answer with [`Onboard::on_result`]; requests go one
//! at a time, so the first error stops the rest. A failed send keeps every value; sending the
//! unchanged requests again reuses their clientTokens.
//!
//! Limits quoted in the explanations come from the service model ([`shape::model`]) and the
//! default quotas in `shared/reference/appmesh-facts.md` (see [`quota`]).

use std::collections::BTreeMap;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};

use crate::aws::ApiError;
use crate::kind::{Key, Kind, Verb};
use crate::kind_form::{FormOutcome, KindForm};
use crate::mesh::{Finding, Item, MeshModel};
use crate::model::Tag;
use crate::resource::Resource;
use crate::shape::{self, Shape};
use crate::template::Rules;

/// The steps, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Step {
    #[default]
    Intro,
    Node,
    Service,
    Router,
    Route,
    GatewayRoute,
    Review,
    Send,
    Result,
}

impl Step {
    pub const ALL: [Step; 9] = [
        Step::Intro,
        Step::Node,
        Step::Service,
        Step::Router,
        Step::Route,
        Step::GatewayRoute,
        Step::Review,
        Step::Send,
        Step::Result,
    ];

    /// The steps that edit a resource, in the order they are shown.
    pub const FORMS: [Step; 5] = [
        Step::Node,
        Step::Service,
        Step::Router,
        Step::Route,
        Step::GatewayRoute,
    ];

    pub fn index(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// 1-based, as the step list shows it.
    pub fn number(self) -> usize {
        self.index() + 1
    }

    pub fn title(self) -> &'static str {
        match self {
            Step::Intro => "Onboarding",
            Step::Node => "Virtual node",
            Step::Service => "Virtual service",
            Step::Router => "Virtual router",
            Step::Route => "Route",
            Step::GatewayRoute => "Gateway route",
            Step::Review => "Review",
            Step::Send => "Send",
            Step::Result => "The result",
        }
    }

    /// The kind the step creates.
    pub fn kind(self) -> Option<Kind> {
        match self {
            Step::Node => Some(Kind::VirtualNode),
            Step::Service => Some(Kind::VirtualService),
            Step::Router => Some(Kind::VirtualRouter),
            Step::Route => Some(Kind::Route),
            Step::GatewayRoute => Some(Kind::GatewayRoute),
            _ => None,
        }
    }

    fn of_kind(kind: Kind) -> Option<Step> {
        Self::FORMS.into_iter().find(|s| s.kind() == Some(kind))
    }
}

/// Default quotas of the service (Service Quotas, service code `appmesh`), as
/// `shared/reference/appmesh-facts.md` lists them. The model does not hold them.
pub mod quota {
    pub const NODES_PER_MESH: u32 = 200;
    pub const SERVICES_PER_MESH: u32 = 200;
    pub const ROUTERS_PER_MESH: u32 = 200;
    pub const GATEWAYS_PER_MESH: u32 = 3;
    pub const ROUTES_PER_ROUTER: u32 = 50;
    pub const GATEWAY_ROUTES_PER_GATEWAY: u32 = 10;
    pub const BACKENDS_PER_NODE: u32 = 50;
    /// Not adjustable.
    pub const TARGETS_PER_ROUTE: u32 = 10;
    pub const TAGS_PER_RESOURCE: u32 = 50;
}

/// One request the walkthrough sends: CreateX with this key (mesh, parent, name), spec, tags
/// and clientToken.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub key: Key,
    /// The spec in the wire form.
    pub spec: Value,
    pub tags: Vec<Tag>,
    /// The same while the request is unchanged, so a retry is not applied twice.
    pub client_token: String,
}

impl Request {
    /// The whole CreateX input document (what `shape::validate` checks and the CLI reads).
    pub fn input(&self) -> Value {
        let tags: Vec<(&str, &str)> = self
            .tags
            .iter()
            .map(|t| (t.key.as_str(), t.value.as_str()))
            .collect();
        let mut doc = crate::iac::cli::input_value(&crate::iac::cli::CreateInput {
            key: &self.key,
            spec: Some(&self.spec),
            tags: &tags,
            existing_arn: None,
        });
        doc["clientToken"] = Value::String(self.client_token.clone());
        doc
    }

    /// The model's input shape: `CreateVirtualNodeInput`.
    pub fn input_shape(&self) -> String {
        format!("{}Input", self.key.kind.operation(Verb::Create))
    }

    /// Problems `shape::validate` finds in [`Request::input`], as `path: rule`.
    pub fn problems(&self) -> Vec<String> {
        shape::validate(shape::model(), &self.input_shape(), &self.input(), "")
            .into_iter()
            .map(|p| p.to_string())
            .collect()
    }
}

/// What a key (or an answer) asks the host to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Nothing for the host (the walkthrough changed or refused, and says why).
    Stay,
    /// Run these CreateX requests in order and report each answer with
    /// [`Onboard::on_result`]; stop at the first error. (The walkthrough sends one at a time.)
    Send(Vec<Request>),
    /// Esc: hide the walkthrough; its state is kept for F6. A request in flight still reports
    /// its answer (or `ApiError::cancelled()` if the host cancels it).
    Close,
    /// Show the topology with this resource (the new service) selected.
    ShowTopology(Key),
}

/// Where one request of the Send step is.
#[derive(Clone, Debug, PartialEq)]
pub enum Sent {
    Waiting,
    InFlight,
    Created(Resource),
    Failed(ApiError),
}

/// Something worth saying at the review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// True when the requests cannot be sent until this is fixed.
    pub blocking: bool,
    /// The step to go back to.
    pub step: Step,
    pub text: String,
}

/// The keys, for the help window, the footer and the README.
pub const KEYS: &[(&str, &str)] = &[
    (
        "Ctrl-N / Ctrl-P",
        "next / previous step (a step with a problem says which field)",
    ),
    (
        "Tab / ↑ ↓, ← →, a / d",
        "the step's form: move, choose, add / remove a listener, target, tag…",
    ),
    (
        "Enter",
        "next step (on Next, Intro, Review); send (Send); the topology (Result)",
    ),
    (
        "Ctrl-O",
        "include or skip the gateway route (Gateway route step)",
    ),
    (
        "Ctrl-S",
        "to the review from any step; on Review and Send: send",
    ),
    (
        "PgUp / PgDn",
        "scroll the explanation (the review and result: ↑ ↓ too)",
    ),
    (
        "g",
        "the topology with the new service selected (Result step)",
    ),
    ("Esc", "leave; F6 inside the mesh returns where you were"),
];

/// The walkthrough's state.
#[derive(Clone, Debug)]
pub struct Onboard {
    /// The mesh as the host knows it (updated with what the walkthrough creates).
    pub mesh: MeshModel,
    pub step: Step,
    /// Lines scrolled off the top of the step's explanation.
    pub scroll: u16,
    forms: BTreeMap<Step, KindForm>,
    /// The suggestion each form was made from (made again only when it changes).
    suggested: BTreeMap<Step, Value>,
    rules: Rules,
    /// Send a gateway route (when the mesh has a gateway).
    pub with_gateway_route: bool,
    /// The requests of the last review, in the order they are sent, and where each is.
    pub sends: Vec<(Request, Sent)>,
    /// A one-off message for the status line.
    pub status: Option<String>,
    /// Lines of the review / result the last frame drew (for paging).
    pub page: std::cell::Cell<u16>,
}

/// The part of a node name that names the service: `web-v1` → `web`.
fn base_name(node: &str) -> String {
    let n = node.trim();
    if let Some((head, tail)) = n.rsplit_once("-v")
        && !head.is_empty()
        && !tail.is_empty()
        && tail.chars().all(|c| c.is_ascii_digit())
    {
        return head.to_string();
    }
    n.to_string()
}

/// `min-max` of a shape of the model (`1-255` for `ResourceName`).
pub fn range(shape_name: &str) -> String {
    let (min, max) = match shape::model().shape(shape_name) {
        Some(Shape::String { min, max, .. }) | Some(Shape::List { min, max, .. }) => {
            (min.map(|v| v as i64), max.map(|v| v as i64))
        }
        Some(Shape::Number { min, max }) => (*min, *max),
        _ => (None, None),
    };
    match (min, max) {
        (Some(a), Some(b)) => format!("{a}-{b}"),
        (Some(a), None) => format!("at least {a}"),
        (None, Some(b)) => format!("at most {b}"),
        (None, None) => "any".into(),
    }
}

/// The key a Create input document names.
fn key_of(kind: Kind, mesh: &str, doc: &Value) -> Key {
    let info = kind.info();
    let text = |m: &str| doc.get(m).and_then(Value::as_str).unwrap_or("").to_string();
    let parent = info
        .parent
        .map(|p| text(p.info().name_member))
        .unwrap_or_default();
    Key::new(kind, mesh, parent, text(info.name_member))
}

impl Onboard {
    /// The walkthrough for `mesh` (what the host holds of it now).
    pub fn new(mesh: &MeshModel, rules: &Rules) -> Onboard {
        let mut o = Onboard {
            mesh: mesh.clone(),
            step: Step::Intro,
            scroll: 0,
            forms: BTreeMap::new(),
            suggested: BTreeMap::new(),
            rules: rules.clone(),
            with_gateway_route: true,
            sends: Vec::new(),
            status: None,
            page: std::cell::Cell::new(10),
        };
        o.fresh_form(Step::Node);
        o
    }

    /// The mesh changed (listed again, or something else created): keeps every value.
    pub fn set_mesh(&mut self, mesh: &MeshModel) {
        self.mesh = mesh.clone();
        let planned = self.planned();
        for f in self.forms.values_mut() {
            f.set_mesh(&planned);
        }
    }

    /// The gateway a gateway route would join: the one its form names, else the mesh's first.
    pub fn gateway(&self) -> Option<String> {
        self.mesh
            .of_kind(Kind::VirtualGateway)
            .next()
            .map(|(k, _)| k.name.to_string())
    }

    /// The form of a step, once the walkthrough reached it.
    pub fn form(&self, step: Step) -> Option<&KindForm> {
        self.forms.get(&step)
    }

    /// The Create input document a step's form builds now.
    fn doc(&self, step: Step) -> Option<&Value> {
        self.forms.get(&step).map(|f| &f.check.doc)
    }

    fn doc_text(&self, step: Step, member: &str) -> String {
        self.doc(step)
            .and_then(|d| d.get(member))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    }

    /// The key a step's form names now.
    pub fn key(&self, step: Step) -> Option<Key> {
        let kind = step.kind()?;
        Some(key_of(kind, &self.mesh.name, self.doc(step)?))
    }

    /// The router the service's provider names (when its provider is a router).
    fn provider_router(&self) -> Option<String> {
        self.doc(Step::Service)?
            .pointer("/spec/provider/virtualRouter/virtualRouterName")
            .and_then(Value::as_str)
            .map(str::to_string)
    }

    /// Whether a step is part of the plan now: the router and route only when the service is
    /// provided by a router; the gateway route only when the mesh has a gateway and it is
    /// included.
    pub fn active(&self, step: Step) -> bool {
        match step {
            Step::Router | Step::Route => {
                !self.forms.contains_key(&Step::Service) || self.provider_router().is_some()
            }
            Step::GatewayRoute => self.gateway().is_some() && self.with_gateway_route,
            _ => true,
        }
    }

    /// Why a step is skipped, if it is.
    pub fn skipped_because(&self, step: Step) -> Option<String> {
        match step {
            Step::Router | Step::Route if !self.active(step) => Some(
                "Skipped: the virtual service's provider is not a virtual router (Ctrl-P back to \
                 the service step and choose \"virtual router\" to split traffic later)."
                    .into(),
            ),
            Step::GatewayRoute if self.gateway().is_none() => Some(format!(
                "Skipped: mesh {:?} has no virtual gateway, so nothing outside the mesh can reach \
                 the service through one yet.",
                self.mesh.name
            )),
            Step::GatewayRoute if !self.with_gateway_route => {
                Some("Skipped (Ctrl-O includes it): the service stays reachable only from inside the mesh.".into())
            }
            _ => None,
        }
    }

    /// What the step's form suggests, from the earlier steps.
    fn suggestion(&self, step: Step) -> Value {
        let mesh = &self.mesh.name;
        let node = self.doc_text(Step::Node, "virtualNodeName");
        let base = base_name(&node);
        let base = if base.is_empty() {
            "web".to_string()
        } else {
            base
        };
        let listener = self
            .doc(Step::Node)
            .and_then(|d| d.pointer("/spec/listeners/0/portMapping"))
            .cloned()
            .unwrap_or_else(|| json!({"port": 8080, "protocol": "http"}));
        let protocol = listener
            .get("protocol")
            .and_then(Value::as_str)
            .unwrap_or("http")
            .to_string();
        match step {
            Step::Node => json!({
                "virtualNodeName": "",
                "spec": {
                    "listeners": [{"portMapping": {"port": 8080, "protocol": "http"}}],
                    "serviceDiscovery": {"dns": {"hostname": ""}},
                },
            }),
            Step::Service => json!({
                "virtualServiceName": format!("{base}.{mesh}.local"),
                "spec": {"provider": {"virtualRouter": {"virtualRouterName": format!("{base}-router")}}},
            }),
            Step::Router => json!({
                "virtualRouterName": self.provider_router().unwrap_or_else(|| format!("{base}-router")),
                "spec": {"listeners": [{"portMapping": listener}]},
            }),
            Step::Route => {
                let router = self
                    .doc(Step::Router)
                    .and_then(|d| d.get("virtualRouterName"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .or_else(|| self.provider_router())
                    .unwrap_or_else(|| format!("{base}-router"));
                let action = json!({"weightedTargets": [{"virtualNode": node, "weight": 100}]});
                let spec = match protocol.as_str() {
                    "tcp" => json!({"tcpRoute": {"action": action}}),
                    "grpc" => json!({"grpcRoute": {"match": {}, "action": action}}),
                    "http2" => json!({"http2Route": {"match": {"prefix": "/"}, "action": action}}),
                    _ => json!({"httpRoute": {"match": {"prefix": "/"}, "action": action}}),
                };
                json!({"virtualRouterName": router, "routeName": format!("{base}-route"), "spec": spec})
            }
            Step::GatewayRoute => {
                let gateway = self.gateway().unwrap_or_default();
                let gw_protocol = self
                    .mesh
                    .get(&Key::new(Kind::VirtualGateway, mesh, "", &gateway))
                    .and_then(|i| {
                        let spec = i.spec.value();
                        Some(
                            spec.pointer("/listeners/0/portMapping/protocol")?
                                .as_str()?
                                .to_string(),
                        )
                    })
                    .unwrap_or_else(|| "http".to_string());
                let service = self.doc_text(Step::Service, "virtualServiceName");
                let action = json!({"target": {"virtualService": {"virtualServiceName": service}}});
                let spec = match gw_protocol.as_str() {
                    "grpc" => json!({"grpcRoute": {"match": {}, "action": action}}),
                    "http2" => {
                        json!({"http2Route": {"match": {"prefix": format!("/{base}/")}, "action": action}})
                    }
                    _ => {
                        json!({"httpRoute": {"match": {"prefix": format!("/{base}/")}, "action": action}})
                    }
                };
                json!({
                    "virtualGatewayName": gateway,
                    "gatewayRouteName": format!("{base}-gateway-route"),
                    "spec": spec,
                })
            }
            _ => Value::Null,
        }
    }

    /// Makes the step's form from the suggestion (again, when the user has not changed it, so
    /// it follows the earlier steps).
    fn fresh_form(&mut self, step: Step) {
        let Some(kind) = step.kind() else { return };
        if self.forms.get(&step).is_some_and(KindForm::has_input) {
            return;
        }
        let suggestion = self.suggestion(step);
        if self.forms.contains_key(&step) && self.suggested.get(&step) == Some(&suggestion) {
            return;
        }
        let planned = self.planned();
        let f = KindForm::prefilled(kind, &planned, &suggestion, &self.rules).with_button("Next");
        self.forms.insert(step, f);
        self.suggested.insert(step, suggestion);
    }

    /// The mesh as it would be once every planned request went through.
    pub fn planned(&self) -> MeshModel {
        let mut m = self.mesh.clone();
        for step in Step::FORMS {
            if !self.active(step) {
                continue;
            }
            let (Some(key), Some(doc)) = (self.key(step), self.doc(step)) else {
                continue;
            };
            if key.name.is_empty() {
                continue;
            }
            let spec = doc.get("spec").cloned().unwrap_or_else(|| json!({}));
            m.items.entry(key).or_insert_with(|| Item::new(spec));
        }
        m
    }

    // ---- moving ----

    /// Goes to `step` (its form made or refreshed from the earlier steps).
    pub fn go(&mut self, step: Step) {
        self.step = step;
        self.scroll = 0;
        if step.kind().is_some() {
            self.fresh_form(step);
            let planned = self.planned();
            if let Some(f) = self.forms.get_mut(&step) {
                f.set_mesh(&planned);
            }
        }
        if step == Step::Review {
            self.prepare();
        }
    }

    /// Checks one form step: `Err` names the field and the problem (the form shows it too).
    fn check_step(&mut self, step: Step) -> Result<(), String> {
        if !self.active(step) {
            return Ok(());
        }
        let Some(f) = self.forms.get_mut(&step) else {
            return Err(format!("{} not filled in yet.", step.title()));
        };
        match f.submit() {
            FormOutcome::Submit { .. } => {
                f.notice = None;
                Ok(())
            }
            _ => Err(f
                .notice
                .clone()
                .unwrap_or_else(|| "The form has a problem.".into())),
        }
    }

    /// Ctrl-N: on to the next step that applies; a form step with a problem stays and says
    /// which field.
    pub fn next(&mut self) {
        let step = self.step;
        if step.kind().is_some()
            && let Err(e) = self.check_step(step)
        {
            self.status = Some(format!("{}: {e}", step.title()));
            return;
        }
        match step {
            Step::Review => {
                if let Some(w) = self.review_warnings().into_iter().find(|w| w.blocking) {
                    self.status = Some(format!(
                        "Not ready: {} (fix it in {}).",
                        w.text,
                        w.step.title()
                    ));
                    return;
                }
            }
            Step::Send if !self.all_sent() => {
                self.status =
                    Some("Nothing sent yet: Enter sends the requests (Ctrl-P goes back).".into());
                return;
            }
            Step::Result => {
                self.status = Some(
                    "That was the last step: Enter or g shows the topology; Esc leaves.".into(),
                );
                return;
            }
            _ => {}
        }
        let mut n = step;
        while let Some(next) = Step::ALL.get(n.index() + 1).copied() {
            n = next;
            // The gateway route step shows (to explain itself) even when skipped; the router
            // and route steps only when they apply.
            if matches!(n, Step::Router | Step::Route) {
                self.fresh_form(Step::Service);
                if !self.active(n) {
                    continue;
                }
            }
            break;
        }
        if n != step {
            self.status = None;
            self.go(n);
        }
    }

    /// Ctrl-P.
    pub fn back(&mut self) {
        let mut n = self.step;
        while let Some(i) = n.index().checked_sub(1) {
            n = Step::ALL[i];
            if matches!(n, Step::Router | Step::Route) && !self.active(n) {
                continue;
            }
            break;
        }
        if n != self.step {
            self.status = None;
            self.go(n);
        }
    }

    // ---- the requests ----

    /// The requests in the order the service accepts them (nodes, routers, services, routes,
    /// gateway routes: what is named first), each checked; `Err` says which step and field.
    pub fn requests(&mut self) -> Result<Vec<Request>, (Step, String)> {
        let mut out = Vec::new();
        for step in Step::FORMS {
            if !self.active(step) {
                continue;
            }
            self.fresh_form(step);
            let Some(f) = self.forms.get_mut(&step) else {
                continue;
            };
            match f.submit() {
                FormOutcome::Submit {
                    key,
                    spec,
                    tags,
                    client_token,
                } => {
                    f.notice = None;
                    let r = Request {
                        key,
                        spec,
                        tags,
                        client_token,
                    };
                    if let Some(p) = r.problems().into_iter().next() {
                        return Err((step, format!("{} {p}", r.input_shape())));
                    }
                    out.push(r);
                }
                _ => {
                    let why = f.notice.clone().unwrap_or_else(|| "a problem".into());
                    return Err((step, why));
                }
            }
        }
        let order: Vec<Kind> = Kind::DELETE_ORDER.iter().rev().copied().collect();
        out.sort_by_key(|r| order.iter().position(|k| *k == r.key.kind));
        Ok(out)
    }

    /// Builds the requests for the review; keeps what was already created.
    fn prepare(&mut self) {
        match self.requests() {
            Ok(reqs) => {
                let old = std::mem::take(&mut self.sends);
                self.sends = reqs
                    .into_iter()
                    .map(|r| {
                        let state = old
                            .iter()
                            .find(|(o, s)| o.key == r.key && matches!(s, Sent::Created(_)))
                            .map(|(_, s)| s.clone())
                            .unwrap_or(Sent::Waiting);
                        (r, state)
                    })
                    .collect();
            }
            Err((step, why)) => {
                self.status = Some(format!("{}: {why}", step.title()));
                self.go(step);
            }
        }
    }

    /// What the review says: what stops the requests and what deserves a second look.
    pub fn review_warnings(&self) -> Vec<Warning> {
        let mut out = Vec::new();
        let new: Vec<(Step, Key)> = Step::FORMS
            .into_iter()
            .filter(|s| self.active(*s))
            .filter_map(|s| Some((s, self.key(s)?)))
            .collect();
        let step_of = |k: &Key| {
            new.iter()
                .find(|(_, n)| n == k)
                .map(|(s, _)| *s)
                .or_else(|| Step::of_kind(k.kind))
                .unwrap_or(Step::Review)
        };
        for (step, key) in &new {
            let created = self
                .sends
                .iter()
                .any(|(r, s)| &r.key == key && matches!(s, Sent::Created(_)));
            if !created && self.mesh.get(key).is_some() {
                out.push(Warning {
                    blocking: true,
                    step: *step,
                    text: format!("{} already exists: choose another name", key.describe()),
                });
            }
        }
        let planned = self.planned();
        for f in planned.findings() {
            if !new.iter().any(|(_, k)| k == f.key()) {
                continue;
            }
            let step = step_of(f.key());
            match &f {
                Finding::Missing { from, to, .. } => {
                    let must = crate::kind::references(
                        from.kind,
                        &planned
                            .get(from)
                            .map(|i| i.spec.value())
                            .unwrap_or_default(),
                    )
                    .iter()
                    .any(|r| r.name == to.name && r.to == to.kind && r.must_exist);
                    out.push(Warning {
                        blocking: must,
                        step,
                        text: if must {
                            format!("{}: the service refuses it until it exists", f.describe())
                        } else {
                            format!("{} (it may be created later)", f.describe())
                        },
                    });
                }
                Finding::Unreached(_) | Finding::NoProvider(_) | Finding::ZeroWeight { .. } => out
                    .push(Warning {
                        blocking: false,
                        step,
                        text: f.describe(),
                    }),
            }
        }
        if self.gateway().is_some() && !self.with_gateway_route {
            out.push(Warning {
                blocking: false,
                step: Step::GatewayRoute,
                text: "No gateway route: clients outside the mesh cannot reach the service.".into(),
            });
        }
        out
    }

    // ---- sending ----

    /// Whether every request of the review was created.
    pub fn all_sent(&self) -> bool {
        !self.sends.is_empty()
            && self
                .sends
                .iter()
                .all(|(_, s)| matches!(s, Sent::Created(_)))
    }

    pub fn in_flight(&self) -> bool {
        self.sends.iter().any(|(_, s)| *s == Sent::InFlight)
    }

    /// Sends the first request not created yet (the review's, built again so a changed value
    /// gets a new clientToken and an unchanged one keeps its own).
    pub fn send(&mut self) -> Outcome {
        if self.in_flight() {
            self.status = Some("A request is on its way; its answer comes first.".into());
            return Outcome::Stay;
        }
        self.prepare();
        if self.step != Step::Review && self.step != Step::Send {
            // prepare went back to the step with a problem.
            return Outcome::Stay;
        }
        if let Some(w) = self.review_warnings().into_iter().find(|w| w.blocking) {
            self.status = Some(format!(
                "Not sent: {} (fix it in {}).",
                w.text,
                w.step.title()
            ));
            self.step = Step::Review;
            return Outcome::Stay;
        }
        self.step = Step::Send;
        self.send_next()
    }

    fn send_next(&mut self) -> Outcome {
        let Some(i) = self
            .sends
            .iter()
            .position(|(_, s)| !matches!(s, Sent::Created(_)))
        else {
            self.status = None;
            self.step = Step::Result;
            self.scroll = 0;
            return Outcome::Stay;
        };
        self.sends[i].1 = Sent::InFlight;
        self.status = Some(format!(
            "Sending {} ({} of {})…",
            self.sends[i].0.key.kind.operation(Verb::Create),
            i + 1,
            self.sends.len()
        ));
        Outcome::Send(vec![self.sends[i].0.clone()])
    }

    /// The answer to a request: on to the next one, or stop at an error saying what was and
    /// was not created. Returns the next request to send, if any.
    pub fn on_result(&mut self, key: &Key, result: Result<Resource, ApiError>) -> Outcome {
        let Some(i) = self
            .sends
            .iter()
            .position(|(r, s)| &r.key == key && *s == Sent::InFlight)
        else {
            return Outcome::Stay;
        };
        match result {
            Ok(r) => {
                self.mesh.put_resource(&r, r_tags(&self.sends[i].0.tags));
                self.sends[i].1 = Sent::Created(r);
                let out = self.send_next();
                if self.step == Step::Result {
                    self.status = Some(
                        "All created. Enter or g shows the topology with the new service.".into(),
                    );
                }
                out
            }
            Err(e) => {
                let what = format!(
                    "{} failed: {}",
                    self.sends[i].0.key.kind.operation(Verb::Create),
                    e.message
                );
                self.sends[i].1 = Sent::Failed(e);
                self.status = Some(format!("{what}. {}", self.progress()));
                Outcome::Stay
            }
        }
    }

    /// "Created: …; not created: …" in words.
    pub fn progress(&self) -> String {
        let names = |created: bool| -> Vec<String> {
            self.sends
                .iter()
                .filter(|(_, s)| matches!(s, Sent::Created(_)) == created)
                .map(|(r, _)| format!("{} {}", r.key.kind, r.key.name))
                .collect()
        };
        let (done, left) = (names(true), names(false));
        let mut out = String::new();
        out.push_str(&if done.is_empty() {
            "Nothing was created".to_string()
        } else {
            format!("Created: {}", done.join(", "))
        });
        if !left.is_empty() {
            out.push_str(&format!(
                "; not created: {}. Every value is kept: fix it (Ctrl-P) and Enter sends the rest",
                left.join(", ")
            ));
        }
        out.push('.');
        out
    }

    /// The new service's key (for the topology).
    pub fn service_key(&self) -> Option<Key> {
        self.key(Step::Service)
    }

    // ---- keys ----

    pub fn handle_key(&mut self, key: KeyEvent) -> Outcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let plain = key.modifiers.difference(KeyModifiers::SHIFT).is_empty();
        match key.code {
            KeyCode::Esc => {
                if let Some(f) = self.forms.get_mut(&self.step) {
                    f.notice = None;
                }
                return Outcome::Close;
            }
            KeyCode::Char('n') if ctrl => {
                self.next();
                return Outcome::Stay;
            }
            KeyCode::Char('p') if ctrl => {
                self.back();
                return Outcome::Stay;
            }
            KeyCode::Char('s') if ctrl => {
                if matches!(self.step, Step::Review | Step::Send) {
                    return self.send();
                }
                if self.step == Step::Result {
                    return Outcome::Stay;
                }
                self.status = None;
                self.go(Step::Review);
                return Outcome::Stay;
            }
            KeyCode::Char('o') if ctrl && self.step == Step::GatewayRoute => {
                if self.gateway().is_some() {
                    self.with_gateway_route = !self.with_gateway_route;
                    self.status = Some(if self.with_gateway_route {
                        "The gateway route is included.".into()
                    } else {
                        "The gateway route is skipped; Ctrl-O includes it again.".into()
                    });
                    if self.with_gateway_route {
                        self.fresh_form(Step::GatewayRoute);
                    }
                }
                return Outcome::Stay;
            }
            KeyCode::PageDown => {
                self.scroll = self.scroll.saturating_add(5);
                return Outcome::Stay;
            }
            KeyCode::PageUp => {
                self.scroll = self.scroll.saturating_sub(5);
                return Outcome::Stay;
            }
            _ => {}
        }
        let step = self.step;
        if step.kind().is_some() {
            if !self.active(step) {
                if key.code == KeyCode::Enter && plain {
                    self.next();
                }
                return Outcome::Stay;
            }
            let Some(f) = self.forms.get_mut(&step) else {
                return Outcome::Stay;
            };
            self.status = None;
            match f.handle_key(key) {
                FormOutcome::Submit { .. } => {
                    f.notice = None;
                    self.next();
                }
                FormOutcome::Cancel => return Outcome::Close,
                FormOutcome::Stay => {}
            }
            return Outcome::Stay;
        }
        match (step, key.code) {
            (Step::Intro | Step::Review, KeyCode::Enter) if plain => self.next(),
            (Step::Send, KeyCode::Enter) if plain => {
                if self.all_sent() {
                    self.next();
                } else {
                    return self.send();
                }
            }
            (Step::Result, KeyCode::Enter | KeyCode::Char('g')) if plain => {
                if let Some(k) = self.service_key() {
                    return Outcome::ShowTopology(k);
                }
            }
            (_, KeyCode::Down | KeyCode::Char('j')) if plain => {
                self.scroll = self.scroll.saturating_add(1)
            }
            (_, KeyCode::Up | KeyCode::Char('k')) if plain => {
                self.scroll = self.scroll.saturating_sub(1)
            }
            _ => {}
        }
        Outcome::Stay
    }

    /// Pasted text goes to the step's form.
    pub fn paste(&mut self, text: &str) {
        if let Some(f) = self.forms.get_mut(&self.step) {
            self.status = f.paste(text);
        }
    }
}

fn r_tags(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|t| (t.key.clone(), t.value.clone()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// What each step says

/// A titled paragraph; an empty title continues the previous one.
pub type Section = (&'static str, String);

/// The explanation of a step: the concept in practice, defaults, limits and why it matters.
/// Numbers come from the model ([`range`]) and the default quotas ([`quota`]).
pub fn explanation(step: Step) -> Vec<Section> {
    use quota::*;
    let name = range("ResourceName");
    let port = range("PortNumber");
    let weight = range("PercentInt");
    let targets = range("WeightedTargets");
    let priority = range("RoutePriority");
    match step {
        Step::Intro => vec![
            (
                "What onboarding means",
                "Putting a service into the mesh takes a few resources, each with its own job: a virtual node for the running workload (its Envoy proxy gets its configuration from it), a virtual service for the name clients call, a virtual router with a route that sends that name's traffic to the node, and, if the mesh has a virtual gateway, a gateway route so traffic from outside reaches the service.".into(),
            ),
            (
                "This walkthrough",
                "One step per resource, each a form with suggestions that follow what you typed before. Nothing is sent until the Send step: the review shows every request as JSON and as an AWS CLI command first. Esc leaves at any time and keeps every value; F6 inside the mesh returns.".into(),
            ),
            (
                "Why it matters",
                "Clients should call the virtual service, never the node: then the router can later send 10 % of the traffic to a new version (a second node) without any client changing.".into(),
            ),
        ],
        Step::Node => vec![
            (
                "In practice",
                "A virtual node stands for one deployment of your service: an ECS service, a Kubernetes Deployment, a group of EC2 instances. Its Envoy proxy is configured with the node's ARN (APPMESH_RESOURCE_ARN), so the node decides what the proxy listens on and where it may send requests.".into(),
            ),
            (
                "Fields",
                format!("Name: {name} characters, unique in the mesh (it cannot change later). Listener: the port ({port}) and protocol your application serves; add a health check so Envoy only sends to healthy tasks. Service discovery: how other proxies find the tasks: a DNS hostname that resolves to them (web.apps.svc.cluster.local), or AWS Cloud Map. Backends: the virtual services this service calls (up to {BACKENDS_PER_NODE} by default)."),
            ),
            (
                "Defaults",
                "The suggestion is one HTTP listener on 8080 and DNS discovery: type the hostname your tasks answer on. No health check, no backends, no access log unless you add them.".into(),
            ),
            (
                "Limits",
                format!("{NODES_PER_MESH} virtual nodes per mesh (default quota), {TAGS_PER_RESOURCE} tags per resource."),
            ),
            (
                "Why it matters",
                "A node no virtual service reaches gets no traffic, and with the mesh's DROP_ALL egress filter a call to a service that is not one of its backends fails: the node is where a service's dependencies are written down.".into(),
            ),
        ],
        Step::Service => vec![
            (
                "In practice",
                "The virtual service is the name clients call (http://web.apps.local:8080). Its provider decides who answers: a virtual node directly, or a virtual router whose routes can split the traffic.".into(),
            ),
            (
                "Fields",
                format!("Name: {name} characters; use the DNS name clients call, and make sure it resolves in your VPC or cluster (any address will do: Envoy intercepts the call). Provider: a virtual router (suggested, created in the next steps) or a virtual node."),
            ),
            (
                "Defaults",
                "Suggested: <node>.<mesh>.local provided by the router <node>-router. Without a provider requests to the service go nowhere.".into(),
            ),
            (
                "Limits",
                format!("{SERVICES_PER_MESH} virtual services per mesh (default quota). A provider must exist when the service is created: the walkthrough creates the router first."),
            ),
            (
                "Why it matters",
                "With a router as provider, a canary or a move to a new version is a route change; with a node, it means changing the service's provider and every client sees it at once.".into(),
            ),
        ],
        Step::Router => vec![
            (
                "In practice",
                "A virtual router takes the service's traffic on its listener and hands each request to the first of its routes that matches.".into(),
            ),
            (
                "Fields",
                format!("Name: {name} characters, unique in the mesh. Listener: port ({port}) and protocol; the suggestion copies the node's listener, and the route's protocol must be the listener's."),
            ),
            (
                "Limits",
                format!("{ROUTERS_PER_MESH} virtual routers per mesh, {ROUTES_PER_ROUTER} routes per router (default quotas). With several listeners, every route needs a port match."),
            ),
            (
                "Why it matters",
                "The router is what makes a service's versions changeable without touching clients.".into(),
            ),
        ],
        Step::Route => vec![
            (
                "In practice",
                "The route says which requests it takes (a path prefix, headers, a method; for TCP, all traffic) and which virtual nodes get them, by weight. The suggestion sends every request (prefix /) to the node with weight 100.".into(),
            ),
            (
                "Fields",
                format!("Weights: {weight} each; a target's share is its weight over the total. {targets} targets per route ({TARGETS_PER_ROUTE}, not adjustable). Priority: {priority}, lower first; without one, the route is tried after those with a priority. Retries and timeouts are optional (Envoy's defaults apply: a 15 s per-request timeout for HTTP)."),
            ),
            (
                "Limits",
                format!("{ROUTES_PER_ROUTER} routes per router (default quota). A target must name a virtual node that exists (the node is sent first)."),
            ),
            (
                "Why it matters",
                "Later, a canary is one more target: 90 to web-v1 and 10 to web-v2. A target with weight 0 gets nothing; the topology marks it.".into(),
            ),
        ],
        Step::GatewayRoute => vec![
            (
                "In practice",
                "A virtual gateway is an Envoy at the edge of the mesh (behind a load balancer) for clients that are not in the mesh. A gateway route sends the requests that match it (a path prefix, a host name) to a virtual service.".into(),
            ),
            (
                "Fields",
                format!("Name: {name} characters, unique in its gateway. Match: the suggested prefix /<service>/ (it must start and end with /); the gateway rewrites it to / unless you change the rewrite. Target: the new virtual service."),
            ),
            (
                "Limits",
                format!("{GATEWAY_ROUTES_PER_GATEWAY} gateway routes per gateway, {GATEWAYS_PER_MESH} virtual gateways per mesh (default quotas)."),
            ),
            (
                "Optional",
                "Only when the mesh has a virtual gateway. Ctrl-O skips or includes it; a service only other mesh services call needs none.".into(),
            ),
            (
                "Why it matters",
                "Without it the service is reachable only from inside the mesh.".into(),
            ),
        ],
        Step::Review => vec![(
            "",
            "Nothing has been sent yet. Below, every request in the order it is sent (what is named goes first: node, router, then service, route, gateway route), as the JSON input and as the AWS CLI command.".into(),
        )],
        Step::Send => vec![
            (
                "What happens",
                "Enter sends the requests one by one, in the order shown. The first error stops the rest: what was created stays, and every value is kept.".into(),
            ),
            (
                "Safe retries",
                "Each request carries a clientToken. Sending an unchanged request again reuses its token, so a request that reached the service is not applied twice; a changed one gets a new token.".into(),
            ),
            (
                "What can go wrong",
                "ConflictException: the name exists. NotFoundException: something named does not exist. BadRequestException: a value was refused. LimitExceededException: a quota is reached.".into(),
            ),
        ],
        Step::Result => vec![],
    }
}

/// What the result step says about one created resource.
pub fn result_lines(r: &Resource) -> Vec<(String, String)> {
    let mut out = vec![
        ("ARN".to_string(), r.meta.arn.clone()),
        (
            "Status".to_string(),
            format!("{} (version {})", r.status, r.meta.version),
        ),
    ];
    let what = match r.key.kind {
        Kind::VirtualNode => format!(
            "Give the proxy of this service's tasks APPMESH_RESOURCE_ARN={} (the ECS task definition's proxy configuration, or the controller's annotation on EKS).",
            r.meta.arn
        ),
        Kind::VirtualService => format!(
            "Clients call {} on the listener's port; the name must resolve in the VPC or cluster.",
            r.key.name
        ),
        Kind::VirtualRouter => "Traffic to the service now goes through this router's routes.".into(),
        Kind::Route => "Every matching request goes to the targets by weight; for a canary, add a second target later.".into(),
        Kind::GatewayRoute => format!(
            "Requests through gateway {:?} that match now reach the service.",
            r.key.parent
        ),
        _ => String::new(),
    };
    out.push(("Next".to_string(), what));
    out
}

#[cfg(test)]
mod tests;
