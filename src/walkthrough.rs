//! The guided walkthrough: the create flow as steps, each explaining its setting.
//!
//! The walkthrough edits the same [`Form`] as the create form, so leaving it (Esc) keeps every
//! value and coming back (F6) resumes at the step the user left. This module holds the steps,
//! their text, the review warnings and the walkthrough's keys; `ui::walkthrough` draws it.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::{Action, App, Effect, Pane, View};
use crate::form::{Field, Form, FormOutcome};
use crate::model::{EgressFilter, IpPreference};
use crate::template::{RuleField, Rules};

/// The steps, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Step {
    #[default]
    Intro,
    Name,
    Egress,
    IpPreference,
    Tags,
    Review,
    Submit,
    Result,
}

impl Step {
    pub const ALL: [Step; 8] = [
        Step::Intro,
        Step::Name,
        Step::Egress,
        Step::IpPreference,
        Step::Tags,
        Step::Review,
        Step::Submit,
        Step::Result,
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
            Step::Intro => "What a mesh is",
            Step::Name => "Mesh name",
            Step::Egress => "Egress filter",
            Step::IpPreference => "IP preference",
            Step::Tags => "Tags",
            Step::Review => "Review",
            Step::Submit => "Submit",
            Step::Result => "Reading the result",
        }
    }

    pub fn next(self) -> Option<Step> {
        Self::ALL.get(self.index() + 1).copied()
    }

    pub fn prev(self) -> Option<Step> {
        self.index().checked_sub(1).map(|i| Self::ALL[i])
    }

    /// The form field this step edits, if any.
    pub fn field(self) -> Option<Field> {
        match self {
            Step::Name => Some(Field::Name),
            Step::Egress => Some(Field::Egress),
            Step::IpPreference => Some(Field::IpPreference),
            Step::Tags => Some(Field::TagKey),
            _ => None,
        }
    }

    /// Whether a team-rule violation is about this step.
    pub fn covers(self, field: &RuleField) -> bool {
        matches!(
            (self, field),
            (Step::Name, RuleField::MeshName)
                | (Step::Egress, RuleField::EgressFilter)
                | (Step::IpPreference, RuleField::IpPreference)
                | (Step::Tags, RuleField::Tag(_))
        )
    }
}

/// Where the walkthrough is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Walkthrough {
    /// Shown instead of the create form.
    pub open: bool,
    pub step: Step,
    /// Lines scrolled off the top of the step's explanation.
    pub scroll: u16,
}

impl Walkthrough {
    /// Goes to `step` and focuses the form field it edits.
    pub fn go(&mut self, step: Step, form: &mut Form) {
        self.step = step;
        self.scroll = 0;
        if let Some(field) = step.field() {
            let in_tags = matches!(form.focus, Field::TagKey | Field::TagValue | Field::Tags);
            if !(step == Step::Tags && in_tags) {
                form.focus = field;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What each step says

/// A titled paragraph of a step's explanation. An empty title continues the previous one.
pub type Section = (&'static str, &'static str);

/// The fixed explanation of a step (the screen adds what depends on the form: the selected
/// option, rule violations, the request, the result).
pub fn explanation(step: Step) -> &'static [Section] {
    match step {
        Step::Intro => &[
            (
                "What a mesh is",
                "A service mesh is the boundary around the network traffic between a set of services. App Mesh runs an Envoy proxy beside each of your workloads; the proxies get their configuration from App Mesh, so routing, retries, timeouts, TLS and metrics are set in one place instead of in every service's code.",
            ),
            (
                "",
                "Inside a mesh you later create virtual nodes (a running service: an ECS service, a Kubernetes deployment), virtual services (the names clients call), virtual routers and routes (how traffic is split) and virtual gateways (traffic from outside). The mesh itself holds only two settings, the egress filter and the IP preference, plus its tags.",
            ),
            (
                "This walkthrough",
                "Creates one mesh with the CreateMesh call, one setting per step. Everything you choose is kept in the create form: Esc leaves to the form at any time, F6 brings you back here.",
            ),
            (
                "Why it matters",
                "Every App Mesh resource belongs to exactly one mesh and cannot move to another one: the mesh is where a team's traffic rules begin.",
            ),
        ],
        Step::Name => &[
            (
                "What it controls",
                "The name identifies the mesh in every later call (DescribeMesh, CreateVirtualNode --mesh-name …) and is the last part of its ARN.",
            ),
            (
                "Limits",
                "Required, 1 to 255 characters, unique among the meshes of this account in this Region. It cannot be changed later: renaming means creating a new mesh and moving everything into it.",
            ),
            ("Default", "None: the name is required."),
            (
                "Why it matters",
                "IAM policies (arn:aws:appmesh:REGION:ACCOUNT:mesh/payments-dev/*), Envoy configuration and dashboards all name the mesh. A name that says whose mesh it is and which environment (payments-dev, orders-prod) saves a look-up later.",
            ),
        ],
        Step::Egress => &[
            (
                "What it controls",
                "What the Envoy proxies of this mesh do with outbound traffic to destinations that are not part of the mesh.",
            ),
            (
                "DROP_ALL",
                "Only traffic to resources of the mesh and to *.amazonaws.com (AWS API calls) leaves. Requests to any other destination (a payment provider, a public package mirror) are blocked by the proxy unless a virtual node lists that destination as a backend.",
            ),
            (
                "ALLOW_ALL",
                "Traffic to any destination, inside or outside the mesh, is let out. Handy while services move into the mesh one at a time, but the mesh no longer records or limits what leaves. Caution: once a virtual node lists any backend, it must list all its outside destinations as backends, or ALLOW_ALL stops working for that node.",
            ),
            (
                "Default",
                "DROP_ALL: the service uses it when the request leaves the filter out. This app always sends the choice explicitly.",
            ),
            (
                "Limits",
                "Exactly one of the two. UpdateMesh can change it later (e in the Meshes view).",
            ),
            (
                "Why it matters",
                "With DROP_ALL, a service that starts calling api.example.com fails until someone adds that backend, so every outside dependency is written down. With ALLOW_ALL the call just works, and so would a compromised workload's call to anywhere.",
            ),
        ],
        Step::IpPreference => &[
            (
                "What it controls",
                "Which IP address family the Envoy proxies use for service discovery: the DNS records they look up for the mesh's endpoints (A for IPv4, AAAA for IPv6) and the addresses they connect to. Set on the mesh, it applies to every virtual node that does not set its own.",
            ),
            (
                "IPv6_PREFERRED",
                "Envoy looks up IPv6 (AAAA) first and falls back to IPv4 (A) when a name has no IPv6 address. Use it when a dual-stack network moves to IPv6.",
            ),
            (
                "IPv4_PREFERRED",
                "IPv4 first, IPv6 as the fallback. Use it in dual-stack networks where a few endpoints only have IPv6.",
            ),
            (
                "IPv4_ONLY",
                "Only IPv4: a name with IPv6 addresses alone cannot be reached. Use it when the network (VPC, pods) is IPv4 only.",
            ),
            (
                "IPv6_ONLY",
                "Only IPv6: endpoints with IPv4 addresses alone become unreachable. Use it only in IPv6-only networks, such as an IPv6 EKS cluster.",
            ),
            (
                "Default",
                "Not set: no preference. App Mesh then uses its own default, which mixes IP versions depending on how a service is discovered (DNS or Cloud Map). Set a value when you need to know which family is used.",
            ),
            (
                "Limits",
                "One of the four values, or not set. Virtual nodes can override it; UpdateMesh can change it later.",
            ),
            (
                "Why it matters",
                "A dual-stack service whose name returns both record types: with IPv6_PREFERRED Envoy connects over IPv6, and if the security groups allow only IPv4 the requests time out. Pick the family your network actually routes.",
            ),
        ],
        Step::Tags => &[
            (
                "What it controls",
                "Key-value labels on the mesh, used for cost reports, ownership, access policies (aws:ResourceTag conditions) and finding meshes later. They do not change traffic.",
            ),
            (
                "How",
                "Type a key, Tab, a value; Enter adds the tag. Tab again reaches the list, where d removes the selected tag. The same key twice replaces its value.",
            ),
            ("Default", "No tags."),
            (
                "Limits",
                "At most 50 tags; keys 1-128 characters, values 0-256 characters; keys are case-sensitive. Keys starting with aws: are reserved for AWS.",
            ),
            (
                "Why it matters",
                "A mesh without team and env tags shows up in the bill as untagged, and nobody knows whom to ask before deleting it.",
            ),
        ],
        Step::Review => &[(
            "",
            "Nothing has been sent yet. Below is the request the next step sends, and the same request as an AWS CLI command.",
        )],
        Step::Submit => &[
            (
                "What happens",
                "Enter (or Ctrl-S) sends CreateMesh. The app then reads the mesh's tags back with ListTagsForResource, so you see what the service holds, not what was sent.",
            ),
            (
                "Safe retries",
                "The request carries a clientToken. If the answer is lost and you send the unchanged form again, the service recognises the token and does not create a second mesh.",
            ),
            (
                "What can go wrong",
                "ConflictException: a mesh with this name exists, choose another name. BadRequestException: the service refused a value. LimitExceededException: the account's mesh quota for the Region is reached. AccessDenied: your credentials may not call appmesh:CreateMesh. Esc while the request is in flight cancels it (the outcome is then unknown).",
            ),
        ],
        Step::Result => &[],
    }
}

/// What one option of the current step means, for the line under its list.
pub fn egress_meaning(e: EgressFilter) -> &'static str {
    match e {
        EgressFilter::DropAll => {
            "DROP_ALL: only mesh resources and *.amazonaws.com are reachable; other destinations need a backend."
        }
        EgressFilter::AllowAll => {
            "ALLOW_ALL: every destination is reachable; the mesh does not limit what leaves."
        }
    }
}

pub fn ip_meaning(p: Option<IpPreference>) -> &'static str {
    match p {
        None => "Not set: no preference; App Mesh's default mix of IP versions.",
        Some(IpPreference::Ipv6Preferred) => "IPv6_PREFERRED: IPv6 first, IPv4 as fallback.",
        Some(IpPreference::Ipv4Preferred) => "IPv4_PREFERRED: IPv4 first, IPv6 as fallback.",
        Some(IpPreference::Ipv4Only) => "IPv4_ONLY: IPv4 addresses only.",
        Some(IpPreference::Ipv6Only) => "IPv6_ONLY: IPv6 addresses only.",
    }
}

/// One review finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// True when the request cannot be sent until this is fixed.
    pub blocking: bool,
    /// The step to go back to, to fix it.
    pub step: Step,
    pub text: String,
}

/// Everything unusual about what would be sent: problems that stop the request, team-rule
/// violations (which also stop it) and choices worth a second look.
pub fn review_warnings(form: &Form, rules: &Rules) -> Vec<Warning> {
    let mut out = Vec::new();
    let mut push = |blocking, step, text: String| {
        out.push(Warning {
            blocking,
            step,
            text,
        })
    };
    let problems = form.problems();
    if let Some(p) = problems.name {
        push(true, Step::Name, p);
    }
    if let Some(p) = problems.tags {
        push(true, Step::Tags, p);
    }
    let violations = rules.check(form.name.value(), &form.spec(), &form.tags);
    for v in &violations {
        let step = Step::ALL
            .into_iter()
            .find(|s| s.covers(&v.field))
            .unwrap_or(Step::Review);
        push(true, step, format!("Team rule: {}.", v.message));
    }
    if form.egress_filter() == EgressFilter::AllowAll
        && !violations
            .iter()
            .any(|v| v.field == RuleField::EgressFilter)
    {
        push(
            false,
            Step::Egress,
            "ALLOW_ALL: workloads in this mesh can reach any destination; most teams use DROP_ALL and list outside services as backends.".into(),
        );
    }
    if form.ip_pref() == Some(IpPreference::Ipv6Only) {
        push(
            false,
            Step::IpPreference,
            "IPv6_ONLY: endpoints that have only IPv4 addresses will be unreachable.".into(),
        );
    }
    if form.tags.is_empty() {
        push(
            false,
            Step::Tags,
            "No tags: nothing will say who owns this mesh or what it is for.".into(),
        );
    }
    if !form.tag_key.value().is_empty() || !form.tag_value.value().is_empty() {
        push(
            false,
            Step::Tags,
            "A tag is typed but not added (press Enter in the Tags step), so it will not be sent."
                .into(),
        );
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Keys

impl App {
    /// True when the walkthrough is on screen (it replaces the create form).
    pub fn walkthrough_shown(&self) -> bool {
        self.walkthrough.open && self.view == View::Create && !self.editing()
    }

    /// Opens the walkthrough where the user left it (at the start the first time).
    pub fn open_walkthrough(&mut self) {
        self.walkthrough.open = true;
        let step = self.walkthrough.step;
        self.walkthrough.go(step, &mut self.form);
        self.status = None;
    }

    /// Goes to a step (the explanation starts at its top).
    pub fn walk_to(&mut self, step: Step) {
        self.walkthrough.go(step, &mut self.form);
    }

    /// Next: refuses to leave the name step with an unusable name, and to pass Submit before
    /// anything was created.
    pub fn walk_next(&mut self) {
        let step = self.walkthrough.step;
        match step {
            Step::Name => {
                if let Some(p) = self.form.problems().name {
                    self.form.submit_attempted = true;
                    self.status = Some(format!("{p} Type a name, then Ctrl-N."));
                    return;
                }
            }
            Step::Submit if !self.walk_created() => {
                self.status = Some(
                    "Nothing created yet: press Enter to send CreateMesh (Ctrl-P goes back)."
                        .into(),
                );
                return;
            }
            Step::Result => {
                self.status = Some(
                    "That was the last step: Esc returns to the form, F3 lists your meshes.".into(),
                );
                return;
            }
            _ => {}
        }
        if let Some(n) = step.next() {
            self.status = None;
            self.walk_to(n);
        }
    }

    pub fn walk_back(&mut self) {
        if let Some(p) = self.walkthrough.step.prev() {
            self.status = None;
            self.walk_to(p);
        }
    }

    /// Whether the pane holds a mesh this walkthrough created.
    pub fn walk_created(&self) -> bool {
        matches!(&self.pane, Pane::Mesh(r) if r.action == Action::Create)
    }

    /// The walkthrough's keys (overlays and Ctrl-C / Ctrl-Z are handled before).
    pub(crate) fn on_walkthrough_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let plain = key.modifiers.difference(KeyModifiers::SHIFT).is_empty();
        let step = self.walkthrough.step;
        let in_text = step.field().is_some() && self.form.focus.is_text();
        match key.code {
            KeyCode::Esc => {
                if self.in_flight.is_some() {
                    return self.cancel();
                }
                self.walkthrough.open = false;
                self.status = Some(
                    "Left the walkthrough; your values are in the form. F6 returns to it.".into(),
                );
                return Vec::new();
            }
            KeyCode::F(6) => {
                self.walkthrough.open = false;
                return Vec::new();
            }
            KeyCode::Char('n') if ctrl => {
                self.walk_next();
                return Vec::new();
            }
            KeyCode::Char('p') if ctrl => {
                self.walk_back();
                return Vec::new();
            }
            KeyCode::Char('s') if ctrl => return self.walk_submit(),
            KeyCode::PageDown => {
                self.walkthrough.scroll = self.walkthrough.scroll.saturating_add(5);
                return Vec::new();
            }
            KeyCode::PageUp => {
                self.walkthrough.scroll = self.walkthrough.scroll.saturating_sub(5);
                return Vec::new();
            }
            KeyCode::Char('x') if plain && !in_text && matches!(step, Step::Review) => {
                self.open_export_from_form();
                return Vec::new();
            }
            KeyCode::Char('x') if plain && step == Step::Result => {
                self.open_export_from_pane();
                return Vec::new();
            }
            _ => {}
        }
        match step {
            Step::Intro | Step::Review => {
                match key.code {
                    KeyCode::Enter if plain => self.walk_next(),
                    KeyCode::Down | KeyCode::Char('j') if plain => {
                        self.walkthrough.scroll = self.walkthrough.scroll.saturating_add(1)
                    }
                    KeyCode::Up | KeyCode::Char('k') if plain => {
                        self.walkthrough.scroll = self.walkthrough.scroll.saturating_sub(1)
                    }
                    _ => {}
                }
                Vec::new()
            }
            Step::Submit => {
                if key.code == KeyCode::Enter && plain {
                    return self.walk_submit();
                }
                Vec::new()
            }
            Step::Result => {
                match key.code {
                    KeyCode::Down | KeyCode::Char('j') if plain => {
                        self.walkthrough.scroll = self.walkthrough.scroll.saturating_add(1)
                    }
                    KeyCode::Up | KeyCode::Char('k') if plain => {
                        self.walkthrough.scroll = self.walkthrough.scroll.saturating_sub(1)
                    }
                    KeyCode::Enter if plain => self.walk_next(),
                    _ => {}
                }
                Vec::new()
            }
            Step::Name | Step::Egress | Step::IpPreference => {
                if key.code == KeyCode::Enter && plain {
                    self.walk_next();
                    return Vec::new();
                }
                if matches!(key.code, KeyCode::Tab | KeyCode::BackTab) {
                    return Vec::new();
                }
                self.form.notice = None;
                self.form.handle_key(key);
                Vec::new()
            }
            Step::Tags => {
                match key.code {
                    KeyCode::Tab | KeyCode::BackTab => {
                        let order = [Field::TagKey, Field::TagValue, Field::Tags];
                        let i = order
                            .iter()
                            .position(|f| *f == self.form.focus)
                            .unwrap_or(0);
                        let n = if key.code == KeyCode::Tab {
                            i + 1
                        } else {
                            i + 2
                        };
                        self.form.focus = order[n % 3];
                        return Vec::new();
                    }
                    KeyCode::Enter if plain && self.form.focus == Field::Tags => {
                        self.walk_next();
                        return Vec::new();
                    }
                    _ => {}
                }
                self.form.notice = None;
                if self.form.handle_key(key) == FormOutcome::Submit {
                    return self.walk_submit();
                }
                Vec::new()
            }
        }
    }

    /// Sends CreateMesh from the walkthrough: on to the Submit step when it went out, to the
    /// Review step (which lists every problem) when something stopped it.
    fn walk_submit(&mut self) -> Vec<Effect> {
        let effects = self.submit();
        if effects.iter().any(|e| matches!(e, Effect::Call { .. })) {
            self.walk_to(Step::Submit);
        } else if self.in_flight.is_none() {
            self.walk_to(Step::Review);
        }
        effects
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Tag;
    use tui_input::Input;

    fn rules_drop_all_team_env() -> Rules {
        Rules {
            required_tag_keys: vec!["team".into(), "env".into()],
            allowed_egress_filters: Some(vec![EgressFilter::DropAll]),
            ..Rules::default()
        }
    }

    #[test]
    fn steps_go_in_order_and_stop_at_the_ends() {
        assert_eq!(Step::Intro.prev(), None);
        assert_eq!(Step::Result.next(), None);
        let mut s = Step::Intro;
        let mut seen = vec![s];
        while let Some(n) = s.next() {
            assert_eq!(n.prev(), Some(s));
            s = n;
            seen.push(s);
        }
        assert_eq!(seen, Step::ALL);
        assert_eq!(Step::Result.number(), 8);
    }

    #[test]
    fn every_setting_step_explains_options_default_limits_and_why() {
        for step in [Step::Name, Step::Egress, Step::IpPreference, Step::Tags] {
            let titles: Vec<&str> = explanation(step).iter().map(|(t, _)| *t).collect();
            for needed in ["What it controls", "Default", "Limits", "Why it matters"] {
                assert!(titles.contains(&needed), "{step:?} lacks {needed}");
            }
        }
        let egress: String = explanation(Step::Egress).iter().map(|(_, t)| *t).collect();
        assert!(egress.contains("*.amazonaws.com") && egress.contains("backend"));
        let ip: Vec<&str> = explanation(Step::IpPreference)
            .iter()
            .map(|(t, _)| *t)
            .collect();
        for p in IpPreference::ALL {
            assert!(ip.contains(&p.as_str()), "{p:?} not explained");
        }
    }

    #[test]
    fn going_to_a_step_focuses_its_field_and_keeps_the_tag_focus() {
        let mut w = Walkthrough::default();
        let mut f = Form::default();
        w.go(Step::Egress, &mut f);
        assert_eq!(f.focus, Field::Egress);
        w.scroll = 4;
        w.go(Step::Tags, &mut f);
        assert_eq!((f.focus, w.scroll), (Field::TagKey, 0));
        f.focus = Field::Tags;
        w.go(Step::Tags, &mut f);
        assert_eq!(f.focus, Field::Tags);
        w.go(Step::Review, &mut f);
        assert_eq!(f.focus, Field::Tags, "review leaves the focus alone");
    }

    #[test]
    fn review_warns_about_rules_allow_all_and_missing_tags() {
        let mut f = Form::default();
        f.name = Input::new("payments-dev".into());
        let none = review_warnings(&f, &Rules::default());
        assert_eq!(none.len(), 1, "{none:?}");
        assert!(!none[0].blocking && none[0].text.starts_with("No tags"));

        f.egress = 1; // ALLOW_ALL
        let w = review_warnings(&f, &rules_drop_all_team_env());
        let blocking: Vec<&str> = w
            .iter()
            .filter(|w| w.blocking)
            .map(|w| w.text.as_str())
            .collect();
        assert_eq!(blocking.len(), 3, "{w:?}");
        assert!(blocking[0].contains("ALLOW_ALL") && blocking[0].contains("DROP_ALL"));
        assert!(blocking[1].contains("`team`") && blocking[2].contains("`env`"));
        assert_eq!(w[0].step, Step::Egress);
        assert_eq!(w[1].step, Step::Tags);
        // The ALLOW_ALL remark is not repeated next to the rule that forbids it.
        assert!(
            !w.iter()
                .any(|w| !w.blocking && w.text.starts_with("ALLOW_ALL"))
        );
        let plain = review_warnings(&f, &Rules::default());
        assert!(
            plain
                .iter()
                .any(|w| !w.blocking && w.text.starts_with("ALLOW_ALL"))
        );

        f.tags = vec![Tag::new("team", "payments"), Tag::new("env", "dev")];
        f.egress = 0;
        f.tag_key = Input::new("owner".into());
        let w = review_warnings(&f, &rules_drop_all_team_env());
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].text.contains("not added"));
    }

    fn press(app: &mut App, code: KeyCode, mods: KeyModifiers) -> Vec<Effect> {
        app.update(crate::app::Msg::Key(KeyEvent::new(code, mods)))
    }

    #[test]
    fn app_navigation_blocks_where_it_must_and_esc_keeps_the_values() {
        let none = KeyModifiers::NONE;
        let ctrl = KeyModifiers::CONTROL;
        let mut app = App::new((80, 24));
        app.open_walkthrough();
        assert!(app.walkthrough_shown());
        press(&mut app, KeyCode::Char('p'), ctrl);
        assert_eq!(
            app.walkthrough.step,
            Step::Intro,
            "nothing before the first step"
        );
        press(&mut app, KeyCode::Enter, none);
        assert_eq!(app.walkthrough.step, Step::Name);
        assert_eq!(app.form.focus, Field::Name);
        // An empty name does not go on, and says why.
        press(&mut app, KeyCode::Char('n'), ctrl);
        assert_eq!(app.walkthrough.step, Step::Name);
        assert!(app.status.as_deref().unwrap().contains("required"));
        for c in "web".chars() {
            press(&mut app, KeyCode::Char(c), none);
        }
        press(&mut app, KeyCode::Char('n'), ctrl);
        assert_eq!(app.walkthrough.step, Step::Egress);
        press(&mut app, KeyCode::Char('j'), none);
        assert_eq!(app.form.egress_filter(), EgressFilter::AllowAll);
        press(&mut app, KeyCode::Char('p'), ctrl);
        assert_eq!(app.walkthrough.step, Step::Name);
        for _ in 0..5 {
            press(&mut app, KeyCode::Char('n'), ctrl);
        }
        assert_eq!(app.walkthrough.step, Step::Submit);
        // Past Submit only after a create.
        press(&mut app, KeyCode::Char('n'), ctrl);
        assert_eq!(app.walkthrough.step, Step::Submit);
        assert!(
            app.status
                .as_deref()
                .unwrap()
                .starts_with("Nothing created yet")
        );

        press(&mut app, KeyCode::Esc, none);
        assert!(!app.walkthrough_shown());
        assert_eq!(app.form.name.value(), "web");
        assert_eq!(app.form.egress_filter(), EgressFilter::AllowAll);
        press(&mut app, KeyCode::F(6), none);
        assert_eq!(
            app.walkthrough.step,
            Step::Submit,
            "resumes where it was left"
        );
        press(&mut app, KeyCode::F(6), none);
        assert!(!app.walkthrough_shown(), "F6 also leaves");
    }

    #[test]
    fn review_blocks_an_empty_name() {
        let w = review_warnings(&Form::default(), &Rules::default());
        assert!(w[0].blocking && w[0].step == Step::Name, "{w:?}");
    }
}
