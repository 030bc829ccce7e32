//! The service quotas the sandbox enforces: one table, AWS's defaults (Service Quotas, service
//! code `appmesh`; see `appmesh-facts.md`), each adjustable with `--quota NAME=N` and all off
//! with `--no-quotas`, the way a quota increase would raise them.

use crate::kind::Kind;

/// One quota.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quota {
    Meshes,
    VirtualNodes,
    VirtualServices,
    VirtualRouters,
    VirtualGateways,
    Routes,
    GatewayRoutes,
    Backends,
    Tags,
}

/// What a quota limits, for messages and `--help`.
#[derive(Debug)]
pub struct QuotaInfo {
    pub quota: Quota,
    /// The name `--quota NAME=N` takes.
    pub name: &'static str,
    /// For people: "virtual nodes per mesh".
    pub what: &'static str,
    /// AWS's default.
    pub default: usize,
    /// The kind whose resources it counts (per scope), if it counts resources.
    pub counts: Option<Kind>,
}

pub const QUOTAS: [QuotaInfo; 9] = [
    QuotaInfo {
        quota: Quota::Meshes,
        name: "meshes",
        what: "meshes per account and region",
        default: 15,
        counts: Some(Kind::Mesh),
    },
    QuotaInfo {
        quota: Quota::VirtualNodes,
        name: "virtual-nodes",
        what: "virtual nodes per mesh",
        default: 200,
        counts: Some(Kind::VirtualNode),
    },
    QuotaInfo {
        quota: Quota::VirtualServices,
        name: "virtual-services",
        what: "virtual services per mesh",
        default: 200,
        counts: Some(Kind::VirtualService),
    },
    QuotaInfo {
        quota: Quota::VirtualRouters,
        name: "virtual-routers",
        what: "virtual routers per mesh",
        default: 200,
        counts: Some(Kind::VirtualRouter),
    },
    QuotaInfo {
        quota: Quota::VirtualGateways,
        name: "virtual-gateways",
        what: "virtual gateways per mesh",
        default: 3,
        counts: Some(Kind::VirtualGateway),
    },
    QuotaInfo {
        quota: Quota::Routes,
        name: "routes",
        what: "routes per virtual router",
        default: 50,
        counts: Some(Kind::Route),
    },
    QuotaInfo {
        quota: Quota::GatewayRoutes,
        name: "gateway-routes",
        what: "gateway routes per virtual gateway",
        default: 10,
        counts: Some(Kind::GatewayRoute),
    },
    QuotaInfo {
        quota: Quota::Backends,
        name: "backends",
        what: "backends per virtual node",
        default: 50,
        counts: None,
    },
    QuotaInfo {
        quota: Quota::Tags,
        name: "tags",
        what: "tags per resource",
        default: 50,
        counts: None,
    },
];

impl Quota {
    pub fn info(self) -> &'static QuotaInfo {
        &QUOTAS[self as usize]
    }

    /// The quota counting resources of `kind`.
    pub fn of_kind(kind: Kind) -> Quota {
        QUOTAS
            .iter()
            .find(|q| q.counts == Some(kind))
            .map(|q| q.quota)
            .expect("every kind has a quota")
    }

    /// The sentence a LimitExceededException ends with: how to raise it in the sandbox.
    pub fn how_to_raise(self) -> String {
        format!(
            "in the sandbox, raise it with --quota {}=N (on `sandbox serve` or with --sandbox), or turn quotas off with --no-quotas",
            self.info().name
        )
    }
}

/// The limits in force. `None`: no limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quotas {
    limits: [Option<usize>; 9],
}

impl Default for Quotas {
    fn default() -> Self {
        Quotas::aws_defaults()
    }
}

impl Quotas {
    /// AWS's default quotas.
    pub fn aws_defaults() -> Self {
        Quotas {
            limits: QUOTAS.map(|q| Some(q.default)),
        }
    }

    /// No quotas at all (`--no-quotas`).
    pub fn none() -> Self {
        Quotas { limits: [None; 9] }
    }

    pub fn get(&self, q: Quota) -> Option<usize> {
        self.limits[q as usize]
    }

    pub fn set(&mut self, q: Quota, limit: Option<usize>) {
        self.limits[q as usize] = limit;
    }

    /// Applies one `NAME=N` (`N` may be `none` for no limit). The error says what is allowed.
    pub fn apply(&mut self, setting: &str) -> Result<(), String> {
        let names = || QUOTAS.iter().map(|q| q.name).collect::<Vec<_>>().join(", ");
        let Some((name, value)) = setting.split_once('=') else {
            return Err(format!(
                "--quota takes NAME=N (e.g. virtual-nodes=1000); got {setting:?}. Names: {}",
                names()
            ));
        };
        let q = QUOTAS
            .iter()
            .find(|q| q.name == name.trim())
            .ok_or_else(|| {
                format!(
                    "--quota: unknown quota {name:?}; the quotas are {}",
                    names()
                )
            })?;
        let value = value.trim();
        let limit = if value.eq_ignore_ascii_case("none") {
            None
        } else {
            Some(value.parse::<usize>().map_err(|_| {
                format!(
                    "--quota {name}: {value:?} is not a whole number (or \"none\" for no limit)"
                )
            })?)
        };
        self.set(q.quota, limit);
        Ok(())
    }

    /// `meshes=15, virtual-nodes=200, …` for the banner.
    pub fn summary(&self) -> String {
        QUOTAS
            .iter()
            .map(|q| match self.get(q.quota) {
                Some(n) => format!("{}={n}", q.name),
                None => format!("{}=none", q.name),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn all_off(&self) -> bool {
        self.limits.iter().all(Option::is_none)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_order_and_every_kind_is_counted() {
        for (i, q) in QUOTAS.iter().enumerate() {
            assert_eq!(q.quota as usize, i);
        }
        for k in Kind::ALL {
            assert_eq!(Quota::of_kind(k).info().counts, Some(k));
        }
        let d = Quotas::aws_defaults();
        assert_eq!(d.get(Quota::Meshes), Some(15));
        assert_eq!(d.get(Quota::VirtualGateways), Some(3));
        assert_eq!(d.get(Quota::Routes), Some(50));
        assert_eq!(d.get(Quota::GatewayRoutes), Some(10));
        assert!(Quotas::none().all_off());
    }

    #[test]
    fn settings_parse_with_messages() {
        let mut q = Quotas::aws_defaults();
        q.apply("virtual-nodes=1000").unwrap();
        assert_eq!(q.get(Quota::VirtualNodes), Some(1000));
        q.apply("meshes=none").unwrap();
        assert_eq!(q.get(Quota::Meshes), None);
        let e = q.apply("nodes=5").unwrap_err();
        assert!(
            e.contains("unknown quota \"nodes\"") && e.contains("virtual-nodes"),
            "{e}"
        );
        let e = q.apply("routes=-1").unwrap_err();
        assert!(e.contains("not a whole number"), "{e}");
        let e = q.apply("routes").unwrap_err();
        assert!(e.contains("NAME=N"), "{e}");
        assert!(q.summary().starts_with("meshes=none, virtual-nodes=1000"));
    }
}
