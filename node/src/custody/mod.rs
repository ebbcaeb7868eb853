//! Custodial signing (ADR 0012): the node holds signing keys of organisations whose systems
//! cannot sign, in the encrypted keystore of `ebl-keystore`, unlocked once at start
//! ([`unlock`]), and signs for them with the gateway's [`SequencedCustodian`] — the same
//! sequencing the gateway's tests run — submitting through the node's `NodeApi` bridge.

pub mod config;

pub use config::{CustodySection, IdentityEntry, unlock};
pub use ebl_gateway::custody_sequenced::SequencedCustodian as NodeCustodian;
pub use ebl_gateway::custody_sequenced::SigningIdentity as HeldKey;
