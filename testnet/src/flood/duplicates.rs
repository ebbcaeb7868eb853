//! Entries honest members already sent, kept to be sent again with other signature bytes
//! (R211 `duplicate`): read from committed blocks before the flood, then taken from the honest
//! nodes' own gossip while it runs. Bounded by count and bytes; the oldest go first.

use std::collections::VecDeque;

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::{Body, ChainRef, Entry};
use ebl_ledger::ids::OrgId;
use serde_json::Value;

/// Most entries kept.
pub const MAX_KEPT: usize = 4_096;

/// Most bytes of canonical entries kept.
pub const MAX_KEPT_BYTES: usize = 8 * 1024 * 1024;

/// Entries to duplicate, newest last.
#[derive(Debug, Default)]
pub struct Duplicates {
    entries: VecDeque<(Entry, usize)>,
    bytes: usize,
    cursor: usize,
}

impl Duplicates {
    /// Keeps `entry`, forgetting the oldest while over [`MAX_KEPT`] or [`MAX_KEPT_BYTES`].
    pub fn keep(&mut self, entry: Entry) {
        let size = ebl_ledger::codec::encode(&entry).len();
        if size > MAX_KEPT_BYTES {
            return;
        }
        self.entries.push_back((entry, size));
        self.bytes += size;
        while self.entries.len() > MAX_KEPT || self.bytes > MAX_KEPT_BYTES {
            match self.entries.pop_front() {
                Some((_, old)) => self.bytes -= old,
                None => break,
            }
        }
    }

    /// Keeps the entries of an honest gossip batch (R110 bytes); anything else is ignored.
    pub fn harvest(&mut self, batch: &[u8]) {
        if let Ok(entries) = ebl_node::p2p::batch::decode(batch) {
            for signed in entries {
                self.keep(signed.into_entry());
            }
        }
    }

    /// How many entries are kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The next entry to duplicate, going round the kept ones.
    pub fn take_next(&mut self) -> Option<Entry> {
        if self.entries.is_empty() {
            return None;
        }
        self.cursor %= self.entries.len();
        let entry = self.entries.get(self.cursor).map(|(e, _)| e.clone());
        self.cursor += 1;
        entry
    }
}

/// Rebuilds the unsigned entry of one element of `GET /v1/blocks/{h}`'s `entries`. The block
/// view has no remark, so the rebuilt entry is kept only when its id is the block's id (an
/// entry with a remark is left out).
pub fn entry_of_block_view(chain: &ChainRef, view: &Value) -> Option<Entry> {
    let signer = PublicKey::from_hex(view["signer"].as_str()?)?;
    let act_for = match &view["act_for"] {
        Value::Null => None,
        other => Some(OrgId(other.as_str()?.to_string())),
    };
    let body: Body = serde_json::from_value(view["body"].clone()).ok()?;
    let entry = Entry {
        chain: chain.clone(),
        signer,
        sequence: view["sequence"].as_u64()?,
        act_for,
        body,
        remark: None,
    };
    (view["id"].as_str() == Some(entry.id().to_hex().as_str())).then_some(entry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::workload::issue;
    use ebl_ledger::hash::Hash32;
    use ed25519_dalek::SigningKey;
    use serde_json::json;

    fn chain() -> ChainRef {
        ChainRef {
            chain_id: "ebl-test-1".into(),
            genesis_hash: Hash32::ZERO,
        }
    }

    fn entry(n: u64) -> Entry {
        Entry {
            chain: chain(),
            signer: PublicKey(SigningKey::from_bytes(&[7; 32]).verifying_key().to_bytes()),
            sequence: n,
            act_for: None,
            body: issue(&format!("DUP-{n}"), "SHIPPER"),
            remark: None,
        }
    }

    /// What the gateway's block route shows of an entry (gateway/src/routes/chain.rs).
    fn block_view(e: &Entry) -> Value {
        json!({
            "id": e.id().to_hex(),
            "signer": e.signer.to_hex(),
            "sequence": e.sequence,
            "act_for": e.act_for.as_ref().map(|o| o.0.clone()),
            "action": e.body.action_kind().code(),
            "body": e.body,
            "result": "APPLIED",
            "code": null,
        })
    }

    #[test]
    fn a_block_entry_is_rebuilt_to_the_same_id() {
        let e = entry(3);
        assert_eq!(entry_of_block_view(&chain(), &block_view(&e)), Some(e));
    }

    #[test]
    fn a_block_entry_that_had_a_remark_is_left_out() {
        let mut e = entry(3);
        let view = block_view(&Entry {
            remark: Some(b"note".to_vec()),
            ..e.clone()
        });
        assert_eq!(entry_of_block_view(&chain(), &view), None);
        e.act_for = Some(OrgId("CARRIER".into()));
        let rebuilt = entry_of_block_view(&chain(), &block_view(&e));
        assert_eq!(
            rebuilt.and_then(|r| r.act_for),
            Some(OrgId("CARRIER".into()))
        );
    }

    #[test]
    fn kept_entries_are_bounded_and_taken_in_turn() {
        let mut d = Duplicates::default();
        assert_eq!(d.take_next(), None);
        for n in 0..(MAX_KEPT as u64 + 3) {
            d.keep(entry(n));
        }
        assert_eq!(d.len(), MAX_KEPT);
        assert_eq!(
            d.take_next().map(|e| e.sequence),
            Some(3),
            "the oldest went first"
        );
        assert_eq!(d.take_next().map(|e| e.sequence), Some(4));
    }

    #[test]
    fn an_honest_batch_is_harvested_and_junk_is_not() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let batch = ebl_node::p2p::batch::encode(&[entry(0).sign(&key), entry(1).sign(&key)]);
        let mut d = Duplicates::default();
        d.harvest(&batch);
        d.harvest(b"not a batch");
        assert_eq!(d.len(), 2);
    }
}
