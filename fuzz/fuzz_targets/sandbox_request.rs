//! Fuzzes the sandbox's request handling: each input is a short sequence of requests against one
//! fresh ephemeral sandbox (`appmesh_tui::sandbox::Harness`, the same handler the server runs),
//! mostly on the real routes with JSON bodies and the real query parameters, sometimes anything.
//!
//! Invariants checked on every answer:
//! - no panic;
//! - the status is one the sandbox's model uses (200, 400, 403, 404, 409, 413, 429, 500, 503);
//! - every answer is `application/json`;
//! - every non-200 answer carries an `x-amzn-ErrorType` code and a JSON object body with a
//!   `message` string; a 200 answer has no error code and a valid JSON body;
//! - the sandbox never holds more meshes than its limit.
//!
//! Run it with `scripts/fuzz [SECONDS]`.

#![no_main]

use std::cell::RefCell;

use appmesh_tui::sandbox::{ACCOUNT_ID, Config, Harness, StateLocation};
use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

const REGION: &str = "us-east-1";
/// Small limits, so that inputs reach LimitExceededException and 413 quickly.
const MAX_MESHES: usize = 4;
const MAX_BODY: usize = 4096;
const MAX_REQUESTS: usize = 16;
const ALLOWED: [u16; 9] = [200, 400, 403, 404, 409, 413, 429, 500, 503];
const NAMES: [&str; 5] = ["m", "mesh-1", "a", "Ünïcode 🦀", "x/y"];

static TRACE: std::sync::LazyLock<bool> =
    std::sync::LazyLock::new(|| std::env::var_os("SANDBOX_FUZZ_TRACE").is_some());

thread_local! {
    static RT: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    /// The last nextToken a 200 answer carried, reused (or mangled) by later requests.
    static LAST_TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
    /// The meshes the sandbox holds now, so that names and ARNs often hit one.
    static EXISTING: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let mut config = Config::new(REGION, StateLocation::Ephemeral);
    config
        .quotas
        .set(appmesh_tui::sandbox::quota::Quota::Meshes, Some(MAX_MESHES));
    config.max_body_bytes = MAX_BODY;
    let harness = Harness::new(&config);
    LAST_TOKEN.with(|t| *t.borrow_mut() = None);
    EXISTING.with(|e| e.borrow_mut().clear());
    RT.with(|rt| {
        rt.block_on(async {
            for _ in 0..MAX_REQUESTS {
                if u.is_empty() {
                    break;
                }
                let Ok((method, path, body)) = request(&mut u) else {
                    break;
                };
                let Some(resp) = harness.handle(&method, &path, &body).await else {
                    continue; // not valid HTTP: the HTTP layer would have refused it
                };
                check(&method, &path, &body, &resp);
                if *TRACE {
                    // One line per request, to see what a corpus reaches:
                    // SANDBOX_FUZZ_TRACE=1 cargo +nightly fuzz run sandbox_request CORPUS -- -runs=0
                    let route: String = path
                        .split('?')
                        .next()
                        .unwrap_or("")
                        .chars()
                        .take(40)
                        .collect();
                    eprintln!(
                        "trace {method:.8} {route:?} {} {}",
                        resp.status,
                        resp.error_type.as_deref().unwrap_or("-")
                    );
                }
                if resp.status == 200 {
                    remember_token(&resp.body);
                }
                let names = harness.mesh_names();
                assert!(
                    names.len() <= MAX_MESHES,
                    "more meshes than the limit after {method} {path}"
                );
                EXISTING.with(|e| *e.borrow_mut() = names);
            }
        })
    });
});

fn check(method: &str, path: &str, body: &[u8], resp: &appmesh_tui::sandbox::HarnessResponse) {
    let what = || {
        format!(
            "{method} {path} body={:?} -> {} {:?} {:?}",
            String::from_utf8_lossy(body),
            resp.status,
            resp.error_type,
            String::from_utf8_lossy(&resp.body)
        )
    };
    assert!(
        ALLOWED.contains(&resp.status),
        "unexpected status: {}",
        what()
    );
    assert_eq!(
        resp.content_type.as_deref(),
        Some("application/json"),
        "{}",
        what()
    );
    let parsed: serde_json::Value = match serde_json::from_slice(&resp.body) {
        Ok(v) => v,
        Err(e) => panic!("the body is not JSON ({e}): {}", what()),
    };
    if resp.status == 200 {
        assert!(
            resp.error_type.is_none(),
            "a 200 with an error code: {}",
            what()
        );
    } else {
        let code = resp.error_type.as_deref().unwrap_or("");
        assert!(
            !code.is_empty() && code.ends_with("Exception"),
            "an error without an error code: {}",
            what()
        );
        assert!(
            parsed.get("message").is_some_and(|m| m.is_string()),
            "an error without a message: {}",
            what()
        );
    }
}

fn remember_token(body: &[u8]) {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body)
        && let Some(t) = v.get("nextToken").and_then(|t| t.as_str())
    {
        LAST_TOKEN.with(|l| *l.borrow_mut() = Some(t.to_string()));
    }
}

// ---- request generation ----------------------------------------------------------------------

fn request(u: &mut Unstructured) -> Result<(String, String, Vec<u8>)> {
    let method = match u.int_in_range(0..=9)? {
        0..=3 => "GET".to_string(),
        4..=6 => "PUT".to_string(),
        7 => "DELETE".to_string(),
        8 => u.choose(&["POST", "HEAD", "PATCH", "OPTIONS"])?.to_string(),
        _ => u.arbitrary::<String>()?,
    };
    let path = match u.int_in_range(0..=11)? {
        0 | 1 => "/v20190125/meshes".to_string(),
        2..=4 => format!("/v20190125/meshes/{}", name_segment(u)?),
        5 => "/v20190125/tag".to_string(),
        6 => "/v20190125/untag".to_string(),
        7 => "/v20190125/tags".to_string(),
        8 => {
            let coll = u.choose(&[
                "virtualNodes",
                "virtualServices",
                "virtualRouters",
                "virtualGateways",
                "virtualRouter/r/routes",
                "virtualGateway/g/gatewayRoutes",
                "",
            ])?;
            let mut p = format!("/v20190125/meshes/{}/{coll}", name_segment(u)?);
            if u.arbitrary()? {
                p.push('/');
                p.push_str(&encode(&u.arbitrary::<String>()?));
            }
            p
        }
        9 => format!("/v20190125/{}", u.arbitrary::<String>()?),
        10 => format!("/{}", encode(&u.arbitrary::<String>()?)),
        _ => u.arbitrary::<String>()?,
    };
    let mut query = Vec::new();
    for _ in 0..u.int_in_range(0..=3)? {
        query.push(query_param(u)?);
    }
    let path = if query.is_empty() {
        path
    } else {
        format!("{path}?{}", query.join("&"))
    };
    let body = match u.int_in_range(0..=9)? {
        0 | 1 => Vec::new(),
        2..=7 => serde_json::to_vec(&body_json(u)?).expect("a JSON value serializes"),
        8 => {
            // Valid JSON, cut or padded.
            let mut b = serde_json::to_vec(&body_json(u)?).expect("a JSON value serializes");
            let cut = u.int_in_range(0..=b.len())?;
            b.truncate(cut);
            b
        }
        _ => u.arbitrary::<Vec<u8>>()?,
    };
    Ok((method, path, body))
}

fn name(u: &mut Unstructured) -> Result<String> {
    Ok(match u.int_in_range(0..=7)? {
        0..=1 => {
            let existing = EXISTING.with(|e| e.borrow().clone());
            if existing.is_empty() {
                u.choose(&NAMES)?.to_string()
            } else {
                u.choose(&existing)?.clone()
            }
        }
        2..=5 => u.choose(&NAMES)?.to_string(),
        6 => "n".repeat(u.int_in_range(254..=256)?),
        _ => u.arbitrary::<String>()?,
    })
}

fn name_segment(u: &mut Unstructured) -> Result<String> {
    let n = name(u)?;
    Ok(if u.ratio(1, 8)? { n } else { encode(&n) })
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn arn(u: &mut Unstructured) -> Result<String> {
    Ok(match u.int_in_range(0..=6)? {
        0..=3 => format!("arn:aws:appmesh:{REGION}:{ACCOUNT_ID}:mesh/{}", name(u)?),
        4 => format!("arn:aws:appmesh:eu-west-1:{ACCOUNT_ID}:mesh/{}", name(u)?),
        5 => format!(
            "arn:aws:appmesh:{REGION}:{ACCOUNT_ID}:mesh/{}/virtualNode/n",
            name(u)?
        ),
        _ => u.arbitrary::<String>()?,
    })
}

fn query_param(u: &mut Unstructured) -> Result<String> {
    let (key, value) = match u.int_in_range(0..=5)? {
        0 => (
            "limit".to_string(),
            match u.int_in_range(0..=2)? {
                0 => u.int_in_range(-2i64..=102)?.to_string(),
                1 => u.arbitrary::<i64>()?.to_string(),
                _ => u.arbitrary::<String>()?,
            },
        ),
        1 => {
            let last = LAST_TOKEN.with(|t| t.borrow().clone());
            let value = match (u.int_in_range(0..=3)?, last) {
                (0 | 1, Some(t)) => t,
                (2, Some(t)) => {
                    // The token with one byte changed or cut short.
                    let mut b = t.into_bytes();
                    if !b.is_empty() {
                        let i = u.choose_index(b.len())?;
                        if u.arbitrary()? {
                            b[i] = u.arbitrary()?;
                        } else {
                            b.truncate(i);
                        }
                    }
                    String::from_utf8_lossy(&b).into_owned()
                }
                _ => u.arbitrary::<String>()?,
            };
            ("nextToken".to_string(), value)
        }
        2 | 3 => ("resourceArn".to_string(), arn(u)?),
        4 => (
            "meshOwner".to_string(),
            if u.arbitrary()? {
                ACCOUNT_ID.to_string()
            } else {
                u.arbitrary::<String>()?
            },
        ),
        _ => (u.arbitrary::<String>()?, u.arbitrary::<String>()?),
    };
    Ok(if u.ratio(1, 10)? {
        format!("{key}={value}") // raw: may be invalid URL encoding
    } else {
        format!("{}={}", encode(&key), encode(&value))
    })
}

// ---- JSON bodies --------------------------------------------------------------------------------

use serde_json::{Map, Value, json};

fn body_json(u: &mut Unstructured) -> Result<Value> {
    Ok(match u.int_in_range(0..=5)? {
        0 | 1 => {
            let mut o = Map::new();
            if !u.ratio(1, 8)? {
                o.insert("meshName".into(), str_or_any(u, name)?);
            }
            maybe_common(u, &mut o)?;
            if u.arbitrary()? {
                o.insert("tags".into(), tags(u)?);
            }
            Value::Object(o)
        }
        2 => {
            let mut o = Map::new();
            maybe_common(u, &mut o)?;
            Value::Object(o)
        }
        3 => json!({ "tags": tags(u)? }),
        4 => {
            let n = u.int_in_range(0..=52)?;
            let mut keys = Vec::new();
            for _ in 0..n {
                keys.push(str_or_any(u, tag_key)?);
            }
            json!({ "tagKeys": keys })
        }
        _ => any_json(u, 3)?,
    })
}

fn maybe_common(u: &mut Unstructured, o: &mut Map<String, Value>) -> Result<()> {
    if u.arbitrary()? {
        let token = |u: &mut Unstructured| -> Result<String> {
            Ok(match u.int_in_range(0..=3)? {
                0 => "tok".to_string(),
                1 => "a".repeat(u.int_in_range(35..=37)?),
                2 => "a b".to_string(),
                _ => u.arbitrary()?,
            })
        };
        o.insert("clientToken".into(), str_or_any(u, token)?);
    }
    if u.arbitrary()? {
        let mut spec = Map::new();
        if u.arbitrary()? {
            let t = |u: &mut Unstructured| -> Result<String> {
                Ok(match u.int_in_range(0..=3)? {
                    0 => "ALLOW_ALL".into(),
                    1 => "DROP_ALL".into(),
                    2 => "drop_all".into(),
                    _ => u.arbitrary()?,
                })
            };
            let ef = if u.ratio(1, 6)? {
                any_json(u, 1)?
            } else {
                json!({ "type": str_or_any(u, t)? })
            };
            spec.insert("egressFilter".into(), ef);
        }
        if u.arbitrary()? {
            let ip = |u: &mut Unstructured| -> Result<String> {
                Ok(u.choose(&[
                    "IPv4_ONLY",
                    "IPv6_ONLY",
                    "IPv4_PREFERRED",
                    "IPv6_PREFERRED",
                    "IPv5",
                ])?
                .to_string())
            };
            let sd = match u.int_in_range(0..=3)? {
                0 => json!({}),
                1 => any_json(u, 1)?,
                _ => json!({ "ipPreference": str_or_any(u, ip)? }),
            };
            spec.insert("serviceDiscovery".into(), sd);
        }
        let spec = if u.ratio(1, 8)? {
            any_json(u, 2)?
        } else {
            Value::Object(spec)
        };
        o.insert("spec".into(), spec);
    }
    Ok(())
}

fn tag_key(u: &mut Unstructured) -> Result<String> {
    Ok(match u.int_in_range(0..=4)? {
        0..=2 => u.choose(&["a", "b", "env", "team", ""])?.to_string(),
        3 => "k".repeat(u.int_in_range(127..=129)?),
        _ => u.arbitrary()?,
    })
}

fn tags(u: &mut Unstructured) -> Result<Value> {
    if u.ratio(1, 10)? {
        return any_json(u, 2);
    }
    let n = match u.int_in_range(0..=5)? {
        0 => u.int_in_range(49..=51)?,
        _ => u.int_in_range(0..=4)?,
    };
    let mut list = Vec::new();
    for _ in 0..n {
        let mut t = Map::new();
        if !u.ratio(1, 10)? {
            t.insert("key".into(), str_or_any(u, tag_key)?);
        }
        if !u.ratio(1, 10)? {
            let value = |u: &mut Unstructured| -> Result<String> {
                Ok(match u.int_in_range(0..=3)? {
                    0 => String::new(),
                    1 => "v".repeat(u.int_in_range(255..=257)?),
                    _ => u.arbitrary()?,
                })
            };
            t.insert("value".into(), str_or_any(u, value)?);
        }
        list.push(Value::Object(t));
    }
    Ok(Value::Array(list))
}

/// Mostly a string from `f`, sometimes a JSON value of another type.
fn str_or_any(
    u: &mut Unstructured,
    f: impl FnOnce(&mut Unstructured) -> Result<String>,
) -> Result<Value> {
    if u.ratio(1, 12)? {
        any_json(u, 1)
    } else {
        Ok(Value::String(f(u)?))
    }
}

fn any_json(u: &mut Unstructured, depth: u32) -> Result<Value> {
    let top = if depth == 0 { 3 } else { 5 };
    Ok(match u.int_in_range(0..=top)? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => match u.int_in_range(0..=2)? {
            0 => json!(u.arbitrary::<i64>()?),
            1 => json!(u.arbitrary::<u64>()?),
            _ => serde_json::Number::from_f64(u.arbitrary::<f64>()?)
                .map(Value::Number)
                .unwrap_or(Value::Null),
        },
        3 => Value::String(u.arbitrary()?),
        4 => {
            let n = u.int_in_range(0..=4)?;
            let mut v = Vec::new();
            for _ in 0..n {
                v.push(any_json(u, depth - 1)?);
            }
            Value::Array(v)
        }
        _ => {
            let n = u.int_in_range(0..=4)?;
            let mut o = Map::new();
            for _ in 0..n {
                let k = if u.arbitrary()? {
                    u.choose(&[
                        "meshName",
                        "clientToken",
                        "spec",
                        "tags",
                        "tagKeys",
                        "key",
                        "value",
                        "type",
                    ])?
                    .to_string()
                } else {
                    u.arbitrary()?
                };
                o.insert(k, any_json(u, depth - 1)?);
            }
            Value::Object(o)
        }
    })
}
