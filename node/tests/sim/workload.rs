//! R462: the workload — eBLs issued by the carrier, each then transferred twice at once by
//! its holder (two entries with one sequence number, sent to two replicas): at most one of a
//! pair may ever apply.

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::ebl::{EblAction, EblIssue, EblType};
use ebl_ledger::entry::{Body, Entry, SignedEntry};
use ebl_ledger::hash::{DocumentId, Hash32};
use ebl_ledger::ids::OrgId;
use ebl_ledger::testkit::TestNetwork;
use ed25519_dalek::SigningKey;

/// The document id of bill `k`.
pub fn bill(k: u64) -> DocumentId {
    Hash32::sha256(format!("SIM-BL-{k}").as_bytes())
}

fn issue(k: u64) -> Body {
    Body::Ebl(EblAction::Issue(EblIssue {
        document: bill(k),
        reference: format!("SIM-BL-{k}"),
        kind: EblType::ToOrderBl,
        issue_to: OrgId("SHIPPER".into()),
        consignee: Some(OrgId("SHIPPER".into())),
    }))
}

fn transfer(k: u64, to: &str) -> Body {
    Body::Ebl(EblAction::Transfer {
        document: bill(k),
        to: OrgId(to.into()),
    })
}

/// Signs workload entries with explicit sequence numbers.
pub struct Workload {
    chain: ebl_ledger::entry::ChainRef,
    carrier: SigningKey,
    shipper: SigningKey,
    carrier_seq: u64,
    shipper_seq: u64,
}

impl Workload {
    pub fn new(net: &TestNetwork) -> Self {
        Workload {
            chain: net.ledger.chain().clone(),
            carrier: net.party("CARRIER").key.clone(),
            shipper: net.party("SHIPPER").key.clone(),
            carrier_seq: 0,
            shipper_seq: 0,
        }
    }

    fn sign(&self, key: &SigningKey, sequence: u64, body: Body) -> SignedEntry {
        Entry {
            chain: self.chain.clone(),
            signer: PublicKey::from(key.verifying_key()),
            sequence,
            act_for: None,
            body,
            remark: None,
        }
        .sign(key)
    }

    /// The issue of bill `k`.
    pub fn issue(&mut self, k: u64) -> SignedEntry {
        let seq = self.carrier_seq;
        self.carrier_seq += 1;
        let key = self.carrier.clone();
        self.sign(&key, seq, issue(k))
    }

    /// Two racing transfers of bill `k` by its holder, with one sequence number.
    pub fn racing_transfers(&mut self, k: u64) -> (SignedEntry, SignedEntry) {
        let seq = self.shipper_seq;
        self.shipper_seq += 1;
        let key = self.shipper.clone();
        (
            self.sign(&key, seq, transfer(k, "CONSIGNEE")),
            self.sign(&key, seq, transfer(k, "BUYER2")),
        )
    }
}
