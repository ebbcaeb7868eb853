//! Making the flood's messages (R211): each one a gossip batch (R110) of one mode, as a hostile
//! member would publish it from its own node. Nothing here touches the network.

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::{ChainRef, Entry, SignedEntry};
use ebl_ledger::hash::EntryId;
use ebl_ledger::ids::OrgId;
use ebl_node::p2p::batch::{MAX_BATCH_BYTES, MAX_BATCH_ENTRIES};
use ed25519_dalek::SigningKey;
use rand::{Rng, RngCore};

use super::duplicates::Duplicates;
use super::mix::Mode;
use crate::bench::workload::issue;

/// Forged entries of one victim use sequences `next .. next + FORGED_SPREAD`: the slots its
/// honest entries are about to take (R104, R105), where a forgery that got in would hurt most.
pub const FORGED_SPREAD: u64 = 16;

/// Bytes of the batch's length prefix (the codec writes a `u64`).
const LENGTH_PREFIX: usize = 8;

/// Typical size of one entry on the wire, for sizing junk like the batch it replaces.
const TYPICAL_ENTRY_BYTES: usize = 300;

/// A registered signer whose entries are forged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Victim {
    /// Its registered key.
    pub key: PublicKey,
    /// Its next sequence number when the flood began.
    pub next_sequence: u64,
}

/// One message ready to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Its mode.
    pub mode: Mode,
    /// The gossip payload.
    pub bytes: Vec<u8>,
    /// Entries it carries (for junk: the entries of the batch it stands in for).
    pub entries: u64,
    /// Ids of its entries that must never become final (forged and stranger entries).
    pub must_fail: Vec<EntryId>,
}

/// Why a message of a mode could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotMade {
    /// No honest entry is known yet to duplicate.
    NothingToDuplicate,
    /// There is no registered signer to forge.
    NoVictim,
}

impl NotMade {
    /// Stable code for reports.
    pub fn code(self) -> &'static str {
        match self {
            NotMade::NothingToDuplicate => "NOTHING_TO_DUPLICATE",
            NotMade::NoVictim => "NO_VICTIM",
        }
    }
}

/// What the messages are made from.
#[derive(Debug)]
pub struct Forger {
    /// The chain (R7: entries for another chain would be refused for that alone).
    pub chain: ChainRef,
    /// Whose entries are forged, in turn.
    pub victims: Vec<Victim>,
    /// The member strangers claim to act for (R26), which granted them nothing.
    pub principal: OrgId,
    /// Who the forged and stranger eBLs are issued to.
    pub holder: String,
    /// Makes references unique to this flood (six characters).
    pub tag: String,
    /// Entries per batch (1 ..= 512, R110).
    pub batch: usize,
    /// Signs forged and duplicate entries: well-formed signatures (a full check to refute) by
    /// a key that is not the signer's. A new one for every message, so that no two duplicates
    /// of an entry carry the same bytes (gossipsub would refuse to publish a message twice).
    other_key: SigningKey,
    /// Honest entries to send again.
    pub duplicates: Duplicates,
    made: u64,
}

impl Forger {
    /// A forger; `batch` is clamped to 1 ..= 512.
    pub fn new(
        chain: ChainRef,
        victims: Vec<Victim>,
        principal: OrgId,
        holder: String,
        tag: String,
        batch: usize,
        duplicates: Duplicates,
    ) -> Self {
        Forger {
            chain,
            victims,
            principal,
            holder,
            tag,
            batch: batch.clamp(1, MAX_BATCH_ENTRIES),
            other_key: SigningKey::from_bytes(&[0; 32]),
            duplicates,
            made: 0,
        }
    }

    /// The next message of `mode`.
    pub fn message(&mut self, mode: Mode, rng: &mut impl RngCore) -> Result<Message, NotMade> {
        let mut entries = Vec::with_capacity(self.batch);
        let mut bytes = LENGTH_PREFIX;
        let mut must_fail = Vec::new();
        if mode == Mode::Junk {
            return Ok(self.junk(rng));
        }
        self.other_key = fresh_key(rng);
        while entries.len() < self.batch {
            let signed = match mode {
                Mode::Forged => self.forged()?,
                Mode::Duplicate => self
                    .duplicates
                    .take_next()
                    .ok_or(NotMade::NothingToDuplicate)?
                    .sign(&self.other_key),
                Mode::Stranger => self.stranger(rng),
                Mode::Junk => break,
            };
            let size = signed.encode().len();
            if !entries.is_empty() && bytes + size > MAX_BATCH_BYTES {
                break;
            }
            bytes += size;
            if mode != Mode::Duplicate {
                must_fail.push(signed.id());
            }
            entries.push(signed);
        }
        Ok(Message {
            mode,
            bytes: ebl_node::p2p::batch::encode(&entries),
            entries: entries.len() as u64,
            must_fail,
        })
    }

    /// A unique eBL reference (at most 20 characters, R30).
    fn reference(&mut self, letter: char) -> String {
        self.made += 1;
        format!("{letter}{}{}", self.tag, self.made)
    }

    /// R211 `forged`: a victim's entry at one of its next sequences, signed by another key.
    fn forged(&mut self) -> Result<SignedEntry, NotMade> {
        let n = self.made;
        let count = self.victims.len().max(1) as u64;
        let victim = self
            .victims
            .get(usize::try_from(n % count).unwrap_or(0))
            .cloned()
            .ok_or(NotMade::NoVictim)?;
        let body = issue(&self.reference('F'), &self.holder);
        let entry = Entry {
            chain: self.chain.clone(),
            signer: victim.key,
            sequence: victim.next_sequence + (n / count) % FORGED_SPREAD,
            act_for: None,
            body,
            remark: None,
        };
        Ok(entry.sign(&self.other_key))
    }

    /// R211 `stranger`: a fresh key, correctly signed, claiming to act for a member.
    fn stranger(&mut self, rng: &mut impl RngCore) -> SignedEntry {
        let key = fresh_key(rng);
        let entry = Entry {
            chain: self.chain.clone(),
            signer: PublicKey(key.verifying_key().to_bytes()),
            sequence: 0,
            act_for: Some(self.principal.clone()),
            body: issue(&self.reference('S'), &self.holder),
            remark: None,
        };
        entry.sign(&key)
    }

    /// R211 `junk`: random bytes about as long as the batch it stands in for.
    fn junk(&mut self, rng: &mut impl RngCore) -> Message {
        let len = rng.gen_range(1..=self.batch * TYPICAL_ENTRY_BYTES);
        let mut bytes = vec![0u8; len];
        rng.fill_bytes(&mut bytes);
        Message {
            mode: Mode::Junk,
            bytes,
            entries: self.batch as u64,
            must_fail: Vec::new(),
        }
    }
}

/// A key nobody registered.
fn fresh_key(rng: &mut impl RngCore) -> SigningKey {
    let mut secret = [0u8; 32];
    rng.fill_bytes(&mut secret);
    SigningKey::from_bytes(&secret)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ebl_ledger::hash::Hash32;
    use rand::SeedableRng as _;

    fn forger(batch: usize) -> Forger {
        let victim = SigningKey::from_bytes(&[1; 32]);
        Forger::new(
            ChainRef {
                chain_id: "ebl-test-1".into(),
                genesis_hash: Hash32::ZERO,
            },
            vec![Victim {
                key: PublicKey(victim.verifying_key().to_bytes()),
                next_sequence: 40,
            }],
            OrgId("CARRIER".into()),
            "SHIPPER".into(),
            "ABC123".into(),
            batch,
            Duplicates::default(),
        )
    }

    fn decoded(m: &Message) -> Vec<SignedEntry> {
        ebl_node::p2p::batch::decode(&m.bytes).unwrap_or_default()
    }

    #[test]
    fn forged_entries_are_well_formed_in_the_victims_window_and_fail_their_signature() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let mut f = forger(4);
        let m = f
            .message(Mode::Forged, &mut rng)
            .unwrap_or_else(|e| panic!("{e:?}"));
        let entries = decoded(&m);
        assert_eq!(entries.len(), 4);
        assert_eq!(m.must_fail.len(), 4);
        for e in &entries {
            assert!(e.check_envelope(&f.chain).is_ok());
            assert!((40..40 + FORGED_SPREAD).contains(&e.entry().sequence));
            assert!(ebl_ledger::signatures::verify_entry(e).is_none());
        }
    }

    #[test]
    fn stranger_entries_are_signed_by_fresh_keys_acting_for_the_principal() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(2);
        let mut f = forger(3);
        let entries = decoded(&f.message(Mode::Stranger, &mut rng).unwrap_or_else(|e| {
            panic!("{e:?}");
        }));
        assert_eq!(entries.len(), 3);
        assert_ne!(entries[0].entry().signer, entries[1].entry().signer);
        for e in &entries {
            assert_eq!(e.entry().act_for, Some(OrgId("CARRIER".into())));
            assert!(ebl_ledger::signatures::verify_entry(e).is_some());
        }
    }

    #[test]
    fn duplicates_keep_the_entry_and_change_the_signature() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let mut f = forger(2);
        assert_eq!(
            f.message(Mode::Duplicate, &mut rng),
            Err(NotMade::NothingToDuplicate)
        );
        let honest = SigningKey::from_bytes(&[1; 32]);
        let original = Entry {
            chain: f.chain.clone(),
            signer: PublicKey(honest.verifying_key().to_bytes()),
            sequence: 7,
            act_for: None,
            body: issue("REAL-1", "SHIPPER"),
            remark: None,
        }
        .sign(&honest);
        f.duplicates.keep(original.entry().clone());
        let m = f
            .message(Mode::Duplicate, &mut rng)
            .unwrap_or_else(|e| panic!("{e:?}"));
        let entries = decoded(&m);
        assert_eq!(entries.len(), 2);
        assert!(
            m.must_fail.is_empty(),
            "a duplicate's id is an honest entry's"
        );
        assert_eq!(entries[0].id(), original.id());
        assert_ne!(entries[0].signature(), original.signature());
    }

    #[test]
    fn junk_does_not_decode_as_a_batch() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(4);
        let mut f = forger(8);
        let m = f
            .message(Mode::Junk, &mut rng)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(m.entries, 8);
        assert!(ebl_node::p2p::batch::decode(&m.bytes).is_err());
    }

    #[test]
    fn references_stay_within_twenty_characters() {
        let mut f = forger(1);
        f.made = 999_999_999_999;
        assert!(f.reference('F').len() <= 20);
    }
}
