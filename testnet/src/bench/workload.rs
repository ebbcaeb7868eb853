//! The entries of a run, signed before any timing: one stream per signing organisation, each
//! sent to one gateway (the node holding that organisation) so its sequence numbers arrive in
//! order; carriers issue eBLs, every other organisation records verification receipts.

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::ebl::{EblAction, EblIssue, EblType};
use ebl_ledger::entry::{Body, ChainRef, DocumentRef, Entry, SignedEntry};
use ebl_ledger::hash::{DocumentId, Hash32};
use ebl_ledger::ids::OrgId;
use ebl_ledger::receipt::{VerificationOutcome, VerificationReceipt};
use ed25519_dalek::SigningKey;

/// One signing organisation of the run.
#[derive(Debug, Clone)]
pub struct Signer {
    /// Organisation id.
    pub org: String,
    /// Its Ed25519 key.
    pub key: SigningKey,
    /// Index of the gateway its entries go to.
    pub gateway: usize,
    /// Whether it may issue eBLs (role CARRIER).
    pub carrier: bool,
    /// Next sequence number to use (from the gateway, then advanced as entries are signed).
    pub next_sequence: u64,
}

impl Signer {
    /// The public key.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.key.verifying_key().to_bytes())
    }

    /// Signs `body` with the next sequence number.
    pub fn sign(&mut self, chain: &ChainRef, body: Body) -> SignedEntry {
        let entry = Entry {
            chain: chain.clone(),
            signer: self.public(),
            sequence: self.next_sequence,
            act_for: None,
            body,
            remark: None,
        };
        self.next_sequence += 1;
        entry.sign(&self.key)
    }
}

/// One prepared entry: the `k`-th entry of the run (its send time is `k / rate`).
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Position in the run.
    pub k: u64,
    /// Entry id, hex (what the event stream reports).
    pub id: String,
    /// Hex of the canonical signed entry: a batch element as is, or wrapped by
    /// [`Prepared::body`] for `POST /v1/entries`.
    pub hex: String,
}

impl Prepared {
    /// The `POST /v1/entries` body.
    pub fn body(&self) -> String {
        format!("{{\"entry\":\"{}\"}}", self.hex)
    }
}

/// A document id standing for the transport document `reference`.
pub fn document(reference: &str) -> DocumentId {
    Hash32::sha256(reference.as_bytes())
}

/// ISSUE of a to-order eBL `reference` to `holder`.
pub fn issue(reference: &str, holder: &str) -> Body {
    Body::Ebl(EblAction::Issue(EblIssue {
        document: document(reference),
        reference: reference.to_string(),
        kind: EblType::ToOrderBl,
        issue_to: OrgId(holder.to_string()),
        consignee: Some(OrgId(holder.to_string())),
    }))
}

/// A verification receipt about eBL `id`.
pub fn receipt(id: DocumentId) -> Body {
    Body::Verification(VerificationReceipt {
        subject: DocumentRef::Ebl { id },
        outcome: VerificationOutcome::Verified,
        purpose: "BENCH".to_string(),
        detail: "throughput benchmark".to_string(),
        cites: Vec::new(),
    })
}

/// The `POST /v1/entries` body for `entry`: hex of its canonical bytes.
pub fn request_body(entry: &SignedEntry) -> String {
    format!("{{\"entry\":\"{}\"}}", hex::encode(entry.encode()))
}

/// Signs `count` entries spread round-robin over `signers` (entry `k` by signer `k % n`) and
/// returns them per signer, in sequence order. Carriers issue `"{tag}-{k}"` to `holder`; the
/// others record receipts about the `docs` (round-robin). `None` if there is no signer, or
/// receipts are needed and there is no document.
pub fn prepare(
    signers: &mut [Signer],
    chain: &ChainRef,
    count: u64,
    tag: &str,
    holder: &str,
    docs: &[DocumentId],
) -> Option<Vec<Vec<Prepared>>> {
    let n = signers.len();
    if n == 0 || (docs.is_empty() && signers.iter().any(|s| !s.carrier)) {
        return None;
    }
    let mut streams: Vec<Vec<Prepared>> = vec![Vec::new(); n];
    for k in 0..count {
        let i = usize::try_from(k % n as u64).unwrap_or(0);
        let signer = signers.get_mut(i)?;
        let body = if signer.carrier {
            issue(&format!("{tag}-{k}"), holder)
        } else {
            let d = usize::try_from(k / n as u64).unwrap_or(0) % docs.len().max(1);
            receipt(*docs.get(d)?)
        };
        let entry = signer.sign(chain, body);
        streams.get_mut(i)?.push(Prepared {
            k,
            id: entry.id().to_hex(),
            hex: hex::encode(entry.encode()),
        });
    }
    Some(streams)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain() -> ChainRef {
        ChainRef {
            chain_id: "ebl-test-1".into(),
            genesis_hash: Hash32::ZERO,
        }
    }

    fn signer(org: &str, seed: u8, carrier: bool, next: u64) -> Signer {
        Signer {
            org: org.into(),
            key: SigningKey::from_bytes(&[seed; 32]),
            gateway: usize::from(seed % 2),
            carrier,
            next_sequence: next,
        }
    }

    #[test]
    fn entries_are_spread_round_robin_with_each_signers_sequences_in_order() {
        let mut signers = vec![signer("CARRIER", 1, true, 5), signer("BANK", 2, false, 0)];
        let docs = [document("WARM-0")];
        let streams = prepare(&mut signers, &chain(), 5, "T", "SHIPPER", &docs).unwrap_or_default();
        assert_eq!(streams.len(), 2);
        let ks: Vec<Vec<u64>> = streams
            .iter()
            .map(|s| s.iter().map(|p| p.k).collect())
            .collect();
        assert_eq!(ks, vec![vec![0, 2, 4], vec![1, 3]]);
        assert_eq!((signers[0].next_sequence, signers[1].next_sequence), (8, 2));
        let body: serde_json::Value =
            serde_json::from_str(&streams[0][1].body()).unwrap_or_default();
        assert_eq!(body["entry"], streams[0][1].hex.as_str());
        let hex = &streams[0][1].hex;
        let entry = SignedEntry::decode(&hex::decode(hex).unwrap_or_default()).ok();
        let entry = entry.map(|e| {
            (
                e.entry().sequence,
                e.id().to_hex(),
                e.entry().body.action_kind(),
            )
        });
        assert_eq!(
            entry,
            Some((
                6,
                streams[0][1].id.clone(),
                ebl_ledger::entry::ActionKind::EblIssue
            ))
        );
    }

    #[test]
    fn receipts_need_a_document_and_a_run_needs_a_signer() {
        let mut signers = vec![signer("BANK", 2, false, 0)];
        assert!(prepare(&mut signers, &chain(), 3, "T", "SHIPPER", &[]).is_none());
        assert!(prepare(&mut [], &chain(), 3, "T", "SHIPPER", &[]).is_none());
    }

    #[test]
    fn signed_entries_pass_the_signature_rule() {
        let mut s = signer("CARRIER", 3, true, 0);
        let e = s.sign(&chain(), issue("X", "SHIPPER"));
        assert!(ebl_ledger::signatures::verify_entry(&e).is_some());
    }
}
