//! The canary control: on a route with weighted targets, move the selected target's weight in
//! steps of 5 (or to a typed number) while the others make room, keeping the total, and send
//! the route back with only the weights changed (UpdateRoute).
//!
//! The others share what the selected target leaves in proportion to their weights when the
//! control opened (equally when those were all 0), in whole numbers by largest remainder (ties
//! to the earlier target), none below the model's minimum or above its maximum. So moving a
//! target away and back gives the weights it started from, and the same keys always give the
//! same weights.
//!
//! Where the targets are and their range come from the data, not from names here: the route's
//! references with a weight ([`crate::kind::references`]) and the model's shape for the weight
//! member. Pure state; `ui::canary` draws it.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use serde_json::Value;

use crate::kind::{Key, Kind, references};
use crate::shape::{self, Shape};

/// How far `+` and `-` move the selected weight (to the next multiple of it).
pub const STEP: i64 = 5;

/// Typed numbers longer than this are not weights.
const TYPED_MAX: usize = 4;

/// One weighted target of the route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub node: String,
    pub port: Option<i64>,
    /// The weight when the control opened.
    pub before: i64,
    /// Where the weight is in the spec, as a JSON pointer.
    pointer: String,
}

/// What a key did.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Stay,
    /// Esc: close, nothing sent.
    Cancel,
    /// Ctrl-S: the route's spec with the new weights, everything else as it was (UpdateRoute).
    Send(Value),
}

#[derive(Clone, Debug)]
pub struct Canary {
    pub key: Key,
    /// The route's protocol member (`httpRoute`), for the title.
    pub protocol: String,
    pub targets: Vec<Target>,
    /// The weights now, one per target.
    pub weights: Vec<i64>,
    pub selected: usize,
    /// The sum of the weights, kept by every change.
    pub total: i64,
    /// The model's range of one weight.
    pub min: i64,
    pub max: i64,
    /// Digits typed for the selected target (Enter applies them).
    pub typed: String,
    /// The last thing worth saying (a clamp, nothing to send).
    pub message: Option<String>,
    spec: Value,
}

impl Canary {
    /// The control for the route `key` with `spec` (wire form), or why there is none: no
    /// weighted targets, a single one (nothing to shift between), or weights that are all 0
    /// (no traffic to shift).
    pub fn new(key: &Key, spec: &Value) -> Result<Canary, String> {
        let refs: Vec<_> = references(Kind::Route, spec)
            .into_iter()
            .filter(|r| r.weight.is_some())
            .collect();
        let weight_member = Kind::Route
            .info()
            .refs
            .iter()
            .find_map(|r| r.weight)
            .unwrap_or("weight");
        if refs.is_empty() {
            return Err(format!(
                "route {:?} has no weighted targets to shift traffic between",
                key.name
            ));
        }
        if refs.len() == 1 {
            return Err(format!(
                "route {:?} has one weighted target ({}); add another (e edits the route) to shift traffic to it",
                key.name, refs[0].name
            ));
        }
        let mut targets = Vec::with_capacity(refs.len());
        for r in &refs {
            // `httpRoute.action.weightedTargets[1].virtualNode` → the item's path.
            let item = r.at.rsplit_once('.').map_or("", |(item, _)| item);
            let item_pointer = pointer(item);
            let port = spec
                .pointer(&format!("{item_pointer}/port"))
                .and_then(Value::as_i64);
            targets.push(Target {
                node: r.name.clone(),
                port,
                before: r.weight.unwrap_or(0),
                pointer: format!("{item_pointer}/{}", escape(weight_member)),
            });
        }
        let (min, max) = weight_range(&refs[0].at, weight_member);
        let total: i64 = targets.iter().map(|t| t.before).sum();
        if total <= 0 {
            return Err(format!(
                "every weighted target of route {:?} has weight 0, so it sends no traffic to shift; give one a weight first (e edits the route)",
                key.name
            ));
        }
        let protocol = refs[0].at.split('.').next().unwrap_or_default().to_string();
        Ok(Canary {
            key: key.clone(),
            protocol,
            weights: targets.iter().map(|t| t.before).collect(),
            targets,
            selected: 0,
            total,
            min,
            max,
            typed: String::new(),
            message: None,
            spec: spec.clone(),
        })
    }

    /// The range the selected weight can take with the others within theirs.
    pub fn bounds(&self) -> (i64, i64) {
        let others = self.targets.len() as i64 - 1;
        let lo = self.min.max(self.total - self.max * others);
        let hi = self.max.min(self.total - self.min * others);
        (lo, hi.max(lo))
    }

    /// The share of target `i` now, in percent of the total.
    pub fn percent(&self, i: usize) -> f64 {
        share(self.weights[i], self.total)
    }

    /// The share of target `i` before, in percent.
    pub fn percent_before(&self, i: usize) -> f64 {
        share(self.targets[i].before, self.total)
    }

    pub fn changed(&self) -> bool {
        self.targets
            .iter()
            .zip(&self.weights)
            .any(|(t, w)| t.before != *w)
    }

    /// Sets the selected weight to `want` (clamped to [`Canary::bounds`]) and rebalances the
    /// others; says so when it had to clamp.
    pub fn set_selected(&mut self, want: i64) {
        let (lo, hi) = self.bounds();
        let got = want.clamp(lo, hi);
        self.message = (got != want).then(|| {
            format!(
                "{} can take {lo} to {hi} here (each weight {}–{}, total {} kept)",
                self.targets[self.selected].node, self.min, self.max, self.total
            )
        });
        let before: Vec<i64> = self.targets.iter().map(|t| t.before).collect();
        self.weights = rebalance(&before, self.selected, got, self.min, self.max);
    }

    /// `+`: up to the next multiple of [`STEP`].
    pub fn step_up(&mut self) {
        let w = self.weights[self.selected];
        self.set_selected((w.div_euclid(STEP) + 1) * STEP);
    }

    /// `-`: down to the previous multiple of [`STEP`].
    pub fn step_down(&mut self) {
        let w = self.weights[self.selected];
        self.set_selected((w + STEP - 1).div_euclid(STEP) * STEP - STEP);
    }

    /// The route's spec with the weights now; nothing else changed.
    pub fn spec(&self) -> Value {
        let mut spec = self.spec.clone();
        for (t, w) in self.targets.iter().zip(&self.weights) {
            if let Some(slot) = spec.pointer_mut(&t.pointer) {
                *slot = Value::from(*w);
            }
        }
        spec
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> Outcome {
        if key.kind == KeyEventKind::Release {
            return Outcome::Stay;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let n = self.targets.len();
        match key.code {
            KeyCode::Char('s') if ctrl => {
                self.apply_typed();
                if self.changed() {
                    return Outcome::Send(self.spec());
                }
                self.message = Some("the weights are as they were: nothing to send".into());
            }
            KeyCode::Esc if !self.typed.is_empty() => self.typed.clear(),
            KeyCode::Esc => return Outcome::Cancel,
            KeyCode::Up | KeyCode::Char('k') | KeyCode::BackTab => {
                self.apply_typed();
                self.selected = (self.selected + n - 1) % n;
            }
            KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => {
                self.apply_typed();
                self.selected = (self.selected + 1) % n;
            }
            KeyCode::Char('+' | '=') | KeyCode::Right => {
                self.typed.clear();
                self.step_up();
            }
            KeyCode::Char('-' | '_') | KeyCode::Left => {
                self.typed.clear();
                self.step_down();
            }
            KeyCode::Char(c) if c.is_ascii_digit() && !ctrl => {
                if self.typed.len() < TYPED_MAX {
                    self.typed.push(c);
                    self.message = None;
                } else {
                    self.message = Some(format!("a weight is at most {}", self.max));
                }
            }
            KeyCode::Backspace => {
                self.typed.pop();
            }
            KeyCode::Enter => self.apply_typed(),
            KeyCode::Char('r') => {
                self.typed.clear();
                self.weights = self.targets.iter().map(|t| t.before).collect();
                self.message = Some("back to the weights the route has".into());
            }
            _ => {}
        }
        Outcome::Stay
    }

    fn apply_typed(&mut self) {
        if self.typed.is_empty() {
            return;
        }
        let want = self.typed.parse::<i64>().unwrap_or(self.max);
        self.typed.clear();
        self.set_selected(want);
    }
}

fn share(w: i64, total: i64) -> f64 {
    if total <= 0 {
        0.0
    } else {
        w as f64 * 100.0 / total as f64
    }
}

/// The model's range for the weight member under the route path `at` (`httpRoute.action.
/// weightedTargets[0].virtualNode`); 0–100 (`PercentInt`) if the walk fails.
fn weight_range(at: &str, weight_member: &str) -> (i64, i64) {
    let model = shape::model();
    let spec_shape = Kind::Route.info().spec_shape;
    let mut shape_name = spec_shape.to_string();
    let mut segments: Vec<String> = Vec::new();
    let item = at.rsplit_once('.').map_or(at, |(item, _)| item);
    for seg in item.split('.') {
        match seg.split_once('[') {
            Some((m, _)) => {
                segments.push(m.to_string());
                segments.push("[]".into());
            }
            None => segments.push(seg.to_string()),
        }
    }
    segments.push(weight_member.to_string());
    for seg in &segments {
        let next = match model.shape(&shape_name) {
            Some(Shape::List { member, .. }) if seg == "[]" => member.clone(),
            Some(Shape::Structure(s)) => match s.member(seg) {
                Some(m) => m.shape.clone(),
                None => return (0, 100),
            },
            _ => return (0, 100),
        };
        shape_name = next;
    }
    match model.shape(&shape_name) {
        Some(Shape::Number { min, max }) => (min.unwrap_or(0), max.unwrap_or(100)),
        _ => (0, 100),
    }
}

fn escape(member: &str) -> String {
    member.replace('~', "~0").replace('/', "~1")
}

/// `a.b[1].c` → `/a/b/1/c`.
fn pointer(path: &str) -> String {
    let mut out = String::new();
    for seg in path.split('.').filter(|s| !s.is_empty()) {
        let mut parts = seg.split('[');
        if let Some(m) = parts.next() {
            out.push('/');
            out.push_str(&escape(m));
        }
        for idx in parts {
            out.push('/');
            out.push_str(idx.trim_end_matches(']'));
        }
    }
    out
}

/// The weights with target `selected` at `new` and the others sharing the rest of the total
/// in proportion to `base` (equally when their `base` is all at `min`), each within
/// `[min, max]`, in whole numbers by largest remainder (ties to the earlier target).
///
/// `new` must be within the bounds the total allows (see [`Canary::bounds`]); the sum of the
/// result is then the sum of `base`.
pub fn rebalance(base: &[i64], selected: usize, new: i64, min: i64, max: i64) -> Vec<i64> {
    let total: i64 = base.iter().sum();
    let mut out = vec![min; base.len()];
    out[selected] = new;
    let others: Vec<usize> = (0..base.len()).filter(|i| *i != selected).collect();
    if others.is_empty() {
        return out;
    }
    // What is left above everyone's minimum, and each one's room above it.
    let mut rest = (total - new - min * others.len() as i64).max(0) as i128;
    let cap = (max - min).max(0) as i128;
    let weight_of = |i: usize| (base[i] - min).clamp(0, max - min) as i128;
    let mut free: Vec<usize> = others.clone();
    // Fill those whose proportional share would pass the cap first, then share the rest.
    loop {
        let sum: i128 = free.iter().map(|i| weight_of(*i)).sum();
        let w = |i: usize| if sum == 0 { 1 } else { weight_of(i) };
        let sum = if sum == 0 { free.len() as i128 } else { sum };
        let capped: Vec<usize> = free
            .iter()
            .copied()
            .filter(|i| rest * w(*i) > cap * sum)
            .collect();
        if capped.is_empty() {
            if sum == 0 || free.is_empty() {
                break;
            }
            let mut given = 0i128;
            let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(free.len());
            for &i in &free {
                let exact = rest * w(i);
                let share = exact / sum;
                out[i] = min + share as i64;
                given += share;
                remainders.push((exact % sum, i));
            }
            // Largest remainder first; ties to the earlier target.
            remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            for (_, i) in remainders.into_iter().take((rest - given) as usize) {
                out[i] += 1;
            }
            break;
        }
        for i in capped {
            out[i] = max;
            rest -= cap;
            free.retain(|f| *f != i);
        }
        if free.is_empty() {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests;
