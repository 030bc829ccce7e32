//! End-to-end test support, shared by the integration tests in `tests/`.
//!
//! Use it from a test file with `mod support;` and then e.g.
//! `use support::pty::{Tui, Key};`, `use support::moto::Moto;`,
//! `use support::fault::{FaultServer, Behaviour};`.
//!
//! * [`pty`]: runs the real `appmesh-tui` binary (or any program) in a
//!   pseudo-terminal, with a clean environment, and reads its screen through a
//!   vt100 emulator.
//! * [`moto`]: starts `moto_server` (Python moto 5.2.1) and the translating
//!   proxy `moto_proxy.py` in front of it, plus helpers to run the AWS CLI or
//!   boto3 against an endpoint. See `moto_proxy.py` for what moto does
//!   differently from the real service and what the proxy fixes.
//! * [`fault`]: a scriptable HTTP server that answers App Mesh requests with
//!   modeled errors, broken bodies, hangs, slow drips or hostile data, and
//!   records every request it got.
//! * [`sdk`]: aws-sdk-appmesh clients for the sandbox, and all its mesh names.
//! * [`fixtures`]: wire-form specs of every kind (`tests/fixtures/specs/all-kinds.json`),
//!   valid per the model and covering every member, union branch and enum value.
//!
//! Every wait in here has a deadline ([`DEADLINE`]) and panics with what it
//! saw when that passes; none of them sleeps a fixed time instead of waiting
//! for the thing itself.

#![allow(dead_code)]

pub mod fault;
pub mod fixtures;
pub mod moto;
pub mod pty;
pub mod sdk;
pub mod serve;

use std::time::Duration;

/// How long any wait in the support code waits before it panics.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .expect("bind 127.0.0.1:0")
        .local_addr()
        .expect("local_addr")
        .port()
}
