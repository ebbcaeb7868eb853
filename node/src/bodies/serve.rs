//! Who may read a body (R143): the decision, made from committed ledger state, on what a peer
//! asks for; and "does the ledger say this node runs as that organisation" (R143 a), which the
//! requesting side asks too before it chooses its proof.

use ebl_ledger::ebl::EblRecord;
use ebl_ledger::entry::ChainRef;
use ebl_ledger::error::StorageError;
use ebl_ledger::identity::{Organisation, ValidatorSet};
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::keys;
use ebl_ledger::time::Timestamp;
use libp2p::PeerId;

use super::protocol::{BodyRequest, Proof, proof_holds};
use crate::p2p::gating::peer_id_of;
use crate::reads::CommittedReads;

/// What the ledger says about one request (read once, then decided on purely).
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The eBL, if it exists (for an attachment: the eBL it belongs to).
    pub ebl: Option<EblRecord>,
    /// R322: the document the requested id is an attachment of, if it is one.
    pub attachment_of: Option<ebl_ledger::hash::DocumentId>,
    /// The organisation asked for, if admitted.
    pub party: Option<Organisation>,
    /// The current validator set.
    pub validators: Option<ValidatorSet>,
    /// The last committed block's time.
    pub now: Timestamp,
}

/// Why a request is refused (logged by the server; the peer only hears `Forbidden`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No eBL with that id on the ledger.
    #[error("no such document")]
    UnknownDocument,
    /// R140: the organisation is not a party of the document.
    #[error("not a party of the document")]
    NotAParty,
    /// The organisation is not admitted, revoked or its certificate expired.
    #[error("organisation not active")]
    InactiveParty,
    /// R143 (a): the requesting node does not run as the organisation.
    #[error("the requesting node does not run as the organisation")]
    NotRunAs,
    /// R144: the signature is not the organisation's over this request.
    #[error("bad proof signature")]
    BadSignature,
}

impl Refusal {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::UnknownDocument => "UNKNOWN_DOCUMENT",
            Refusal::NotAParty => "NOT_A_PARTY",
            Refusal::InactiveParty => "PARTY_NOT_ACTIVE",
            Refusal::NotRunAs => "NOT_RUN_AS_PARTY",
            Refusal::BadSignature => "BAD_PROOF",
        }
    }
}

/// R143 (a): whether the node whose gossip identity is `node` runs as `org`: it is the
/// consensus key of a validator `org` operates, or `org`'s own key.
pub fn runs_as(node: &PeerId, org: &Organisation, validators: Option<&ValidatorSet>) -> bool {
    let is_node = |key| peer_id_of(key).as_ref() == Some(node);
    if is_node(&org.key) {
        return true;
    }
    validators.is_some_and(|set| {
        set.validators
            .iter()
            .any(|v| v.operator == org.id && is_node(&v.key))
    })
}

/// R143: may `requester` have the body `request` names? Checked in this order: the eBL
/// exists, the organisation is a party of it (R140) and active, and the proof holds.
pub fn authorise(
    chain: &ChainRef,
    requester: &PeerId,
    request: &BodyRequest,
    facts: &Facts,
) -> Result<(), Refusal> {
    let ebl = facts.ebl.as_ref().ok_or(Refusal::UnknownDocument)?;
    // R322: an attachment (the carrier's visualisation) is read by its document's parties.
    if ebl.id != request.document && facts.attachment_of != Some(ebl.id) {
        return Err(Refusal::UnknownDocument);
    }
    if !ebl.is_party(&request.party) {
        return Err(Refusal::NotAParty);
    }
    let org = facts.party.as_ref().ok_or(Refusal::InactiveParty)?;
    if org.id != request.party || org.check_active(facts.now).is_err() {
        return Err(Refusal::InactiveParty);
    }
    match &request.proof {
        Proof::Connection if runs_as(requester, org, facts.validators.as_ref()) => Ok(()),
        Proof::Connection => Err(Refusal::NotRunAs),
        Proof::Signature(signature) => {
            let holds = proof_holds(
                chain,
                requester,
                &request.document,
                &request.party,
                &org.key,
                signature,
            );
            if holds {
                Ok(())
            } else {
                Err(Refusal::BadSignature)
            }
        }
    }
}

fn read<T: bincode::Decode<()>>(
    reads: &CommittedReads,
    key: &[u8],
) -> Result<Option<T>, StorageError> {
    reads
        .get(key)?
        .map(|bytes| ebl_ledger::codec::decode_stored(&bytes))
        .transpose()
        .map_err(|e| StorageError::Failed(format!("corrupt record: {e}")))
}

/// Reads the [`Facts`] of a request about `document` for `party` from committed state
/// (blocking: RocksDB reads).
pub fn facts_blocking(
    reads: &CommittedReads,
    document: &ebl_ledger::hash::DocumentId,
    party: &OrgId,
) -> Result<Facts, StorageError> {
    let mut ebl: Option<EblRecord> = read(reads, &keys::ebl(document))?;
    let mut attachment_of = None;
    if ebl.is_none() {
        attachment_of = read(reads, &keys::attachment(document))?;
        if let Some(owner) = &attachment_of {
            ebl = read(reads, &keys::ebl(owner))?;
        }
    }
    Ok(Facts {
        ebl,
        attachment_of,
        party: read(reads, &keys::organisation(party))?,
        validators: read(reads, &keys::validators())?,
        now: reads.head()?.header.time,
    })
}

#[cfg(test)]
#[path = "serve_tests.rs"]
mod tests;
