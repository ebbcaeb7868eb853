//! DCSA PINT 3.0 (platform interoperability): the pure protocol library (specs/protocol.md
//! §9r, R300–R319, ADR 0036). No I/O, no clock, no network: the routes and the sending client
//! call it.
//!
//! - [`model`]: the spec's payloads.
//! - [`jws`]: compact JWS, verified under configured keys only (EdDSA under ZIP-215; RS256,
//!   PS256, ES256 via `jsonwebtoken`), signed with this platform's Ed25519 key.
//! - [`trust`]: which platforms and carriers are trusted with which keys; reloaded on change.
//! - [`receive`]: the checks of a received envelope, each refusal a BSIG or BENV.
//! - [`send`]: the chain entry, envelope and signed answers this platform sends.
//! - [`actions`]: this ledger's history as PINT transactions.

pub mod actions;
mod chain_rules;
mod documents;
pub mod jws;
pub mod keys;
pub mod model;
pub mod receive;
pub mod send;
pub mod trust;
pub mod trust_store;

// Also the fuzz checks' trust configuration and keys (ADR 0039).
#[cfg(any(test, feature = "fuzzing"))]
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) mod fixtures;
