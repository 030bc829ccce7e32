//! Names for what a migration creates. App Mesh names may hold up to 255 characters of almost
//! anything; each target has its own rules (VPC Lattice: 3–40 or 63 lowercase letters, digits
//! and single hyphens; CloudFormation logical IDs: letters and digits; Terraform: identifiers;
//! Kubernetes: DNS labels). A [`Namer`] turns App Mesh names into valid ones that stay unique
//! in their scope and deterministic: a name that had to change gets a short checksum of the
//! original appended, so two different originals never meet in one name.

use std::collections::BTreeSet;

/// A checksum of the original name (CRC-32, the crate the sandbox's journal already uses), as
/// 8 lowercase hex digits.
pub fn tag_of(original: &str) -> String {
    format!("{:08x}", crc32fast::hash(original.as_bytes()))
}

/// The rules of one kind of name.
#[derive(Clone, Copy, Debug)]
pub struct Rules {
    pub min: usize,
    pub max: usize,
    /// Characters kept besides lowercase ASCII letters and digits (others become `sep`).
    pub extra: &'static str,
    /// What replaces a run of other characters; `None` drops them.
    pub sep: Option<char>,
    /// Upper-case letters are kept (CloudFormation logical IDs).
    pub upper: bool,
    /// Names must not start with this (VPC Lattice reserves `svc-`, `tg-`, …).
    pub reserved_prefix: &'static str,
    /// The first character must be a letter.
    pub letter_first: bool,
}

/// VPC Lattice names (service 40, service network / listener / rule 63, target group 128).
pub const fn lattice(max: usize, reserved_prefix: &'static str) -> Rules {
    Rules {
        min: 3,
        max,
        extra: "",
        sep: Some('-'),
        upper: false,
        reserved_prefix,
        letter_first: false,
    }
}

/// CloudFormation logical IDs: `[A-Za-z0-9]{1,255}`.
pub const CFN_LOGICAL: Rules = Rules {
    min: 1,
    max: 255,
    extra: "",
    sep: None,
    upper: true,
    reserved_prefix: "",
    letter_first: true,
};

/// Terraform resource and variable names: a letter, then letters, digits, `_`, `-`.
pub const TF_IDENT: Rules = Rules {
    min: 1,
    max: 64,
    extra: "",
    sep: Some('_'),
    upper: false,
    reserved_prefix: "",
    letter_first: true,
};

/// Kubernetes object names that must be DNS-1035 labels (Services): 63 characters.
pub const K8S_LABEL: Rules = Rules {
    min: 1,
    max: 63,
    extra: "",
    sep: Some('-'),
    upper: false,
    reserved_prefix: "",
    letter_first: true,
};

/// ECS Service Connect discovery and port names: lowercase letters, digits, `_`, `-`, 64.
pub const ECS_DISCOVERY: Rules = Rules {
    min: 1,
    max: 64,
    extra: "_",
    sep: Some('-'),
    upper: false,
    reserved_prefix: "",
    letter_first: true,
};

/// ECS service names: letters, digits, `_`, `-`, 255.
pub const ECS_SERVICE: Rules = Rules {
    min: 1,
    max: 255,
    extra: "_",
    sep: Some('-'),
    upper: true,
    reserved_prefix: "",
    letter_first: true,
};

/// DNS names (Service Connect client aliases, Cloud Map namespaces): lowercase letters, digits,
/// `-`, `_`, `.`; 127 characters.
pub const DNS_NAME: Rules = Rules {
    min: 1,
    max: 127,
    extra: "._",
    sep: Some('-'),
    upper: false,
    reserved_prefix: "",
    letter_first: true,
};

/// `original` made to fit `rules`, without regard to uniqueness (a [`Namer`] sees to that):
/// lowercased (unless `upper`), other characters replaced by the separator (runs collapsed,
/// none at either end; with no separator the next letter is capitalized, `web-v1` → `WebV1`),
/// the reserved prefix and a non-letter start avoided; when it had to be cut (or was too
/// short), the checksum of the original is appended, so cut names stay apart.
pub fn fit(original: &str, rules: Rules) -> String {
    let mut base = String::new();
    let mut pending_sep = false;
    for c in original.chars() {
        let c2 = if rules.upper {
            c
        } else {
            c.to_ascii_lowercase()
        };
        let keep = c2.is_ascii_lowercase()
            || c2.is_ascii_digit()
            || (rules.upper && c2.is_ascii_uppercase())
            || rules.extra.contains(c2);
        if keep {
            let mut c2 = c2;
            if pending_sep && !base.is_empty() {
                match rules.sep {
                    Some(s) => base.push(s),
                    None => c2 = c2.to_ascii_uppercase(),
                }
            }
            pending_sep = false;
            base.push(c2);
        } else {
            pending_sep = true;
        }
    }
    if !rules.reserved_prefix.is_empty() && base.starts_with(rules.reserved_prefix) {
        base.insert_str(0, "am");
        if let Some(s) = rules.sep {
            base.insert(2, s);
        }
    }
    if rules.letter_first && !base.starts_with(|c: char| c.is_ascii_alphabetic()) {
        base.insert(0, if rules.upper { 'N' } else { 'n' });
    }
    let sep_len = rules.sep.map_or(0, |_| 1);
    if base.len() < rules.min || base.len() > rules.max {
        let tag = tag_of(original);
        let room = rules.max.saturating_sub(tag.len() + sep_len);
        base.truncate(room);
        while rules.sep.is_some_and(|s| base.ends_with(s)) || base.ends_with('.') {
            base.pop();
        }
        if !base.is_empty() {
            if let Some(s) = rules.sep {
                base.push(s);
            }
        } else if rules.letter_first {
            base.push(if rules.upper { 'N' } else { 'n' });
        }
        base.push_str(&tag);
    }
    base
}

/// Gives out names unique in one scope.
#[derive(Clone, Debug, Default)]
pub struct Namer {
    taken: BTreeSet<String>,
}

impl Namer {
    pub fn new() -> Namer {
        Namer::default()
    }

    /// [`fit`] made unique in this scope: a name already given out gets the checksum of
    /// `original` + a counter appended until it is free.
    pub fn name(&mut self, original: &str, rules: Rules) -> String {
        let first = fit(original, rules);
        if self.taken.insert(first.clone()) {
            return first;
        }
        for n in 1u32.. {
            let salted = format!("{original}\u{0}{n}");
            let tag = tag_of(&salted);
            let sep = rules.sep.map(String::from).unwrap_or_default();
            let mut base = fit(original, rules);
            let room = rules.max.saturating_sub(tag.len() + sep.len());
            base.truncate(room);
            while rules.sep.is_some_and(|s| base.ends_with(s)) {
                base.pop();
            }
            let candidate = format!("{base}{sep}{tag}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
        unreachable!("u32 counter exhausted")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lattice_ok(name: &str, max: usize, reserved: &str) -> bool {
        (3..=max).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !name.starts_with('-')
            && !name.ends_with('-')
            && !name.contains("--")
            && !name.starts_with(reserved)
    }

    #[test]
    fn names_fit_their_rules_and_stay_apart() {
        let r = lattice(40, "svc-");
        assert_eq!(fit("web", r), "web");
        assert_eq!(fit("web-v1", r), "web-v1");
        let odd = [
            "Web.Local",
            "a",
            "svc-x",
            "x--y",
            "-lead",
            "ünïcödé",
            "\u{1b}[31mred",
            &"long".repeat(80),
            "",
        ];
        let mut namer = Namer::new();
        let mut out = BTreeSet::new();
        for o in odd {
            let n = namer.name(o, r);
            assert!(lattice_ok(&n, 40, "svc-"), "{o:?} -> {n:?}");
            assert!(out.insert(n));
        }
        // The same original twice in one scope gets two names.
        let a = namer.name("web", r);
        let b = namer.name("web", r);
        assert_ne!(a, b);
        assert!(lattice_ok(&b, 40, "svc-"));
        // Two originals that fold to the same text get two names from one namer.
        assert_ne!(namer.name("Web", r), namer.name("WEB", r));
        assert_eq!(
            fit("TargetGroup-web.local/v1", CFN_LOGICAL),
            "TargetGroupWebLocalV1"
        );
        assert_eq!(fit("web.local", r), "web-local");
        assert!(fit("9lives", TF_IDENT).starts_with('n'));
    }
}
