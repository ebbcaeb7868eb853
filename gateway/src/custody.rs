//! [`Custodian`]: signing on behalf of organisations whose systems cannot sign (custodial
//! actions, DCSA-shaped endpoints). The node implements it over its encrypted keystore; the
//! gateway only decides *which* identity an authenticated API key may act as, builds the body
//! and hands it over. Keeping signing behind this trait keeps key material out of the gateway
//! and lets the node serialise sequence numbers per key.

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::Body;
use ebl_ledger::hash::EntryId;
use ebl_ledger::ids::OrgId;

use crate::node::{NodeFuture, SubmitOutcome};

/// A custodial signing identity held by the node: a named key of one organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustodialIdentity {
    /// Keystore name (what an API key is bound to).
    pub name: String,
    /// The organisation the key belongs to (or acts for).
    pub org: OrgId,
    /// Its public key (the entries' signer).
    pub public_key: PublicKey,
}

/// What a custodial request asks the node to sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustodialRequest {
    /// Keystore name of the signing identity.
    pub identity: String,
    /// Acting for another organisation through a grant (R26), if any.
    pub act_for: Option<OrgId>,
    /// The entry body.
    pub body: Body,
    /// Optional remark (≤ 1 KiB).
    pub remark: Option<Vec<u8>>,
}

/// The outcome of a custodial submission: the signed entry's id and what the node did with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustodialOutcome {
    /// Id of the entry the node signed.
    pub entry: EntryId,
    /// Sequence number it used.
    pub sequence: u64,
    /// Mempool outcome.
    pub submit: SubmitOutcome,
}

/// Why a custodial request could not be signed. Client mistakes map to 4xx, the rest to 5xx.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustodyError {
    /// No identity of that name in the node's keystore.
    #[error("no custodial identity named `{0}`")]
    UnknownIdentity(String),
    /// The keystore is locked or unavailable.
    #[error("custodial keystore unavailable: {0}")]
    Unavailable(String),
    /// Signing or submission failed inside the node.
    #[error("custodial signing failed: {0}")]
    Internal(String),
}

/// Signing on behalf of organisations, implemented by the node.
pub trait Custodian: Send + Sync + 'static {
    /// The identities the node holds.
    fn identities(&self) -> Vec<CustodialIdentity>;
    /// Builds the entry (chain, next sequence of the identity's key), signs it and submits it.
    /// Concurrent requests for one identity get distinct, consecutive sequence numbers.
    fn act(
        &self,
        request: CustodialRequest,
    ) -> NodeFuture<'_, Result<CustodialOutcome, CustodyError>>;
}
