#![allow(clippy::unwrap_used, clippy::expect_used)]

use ebl_ledger::entry::{Body, MAX_ENTRY_BYTES, SignedEntry};
use ebl_ledger::hash::Hash32;
use ebl_ledger::identity::GovernanceAction;
use ebl_ledger::testkit::TestNetwork;

use super::*;

fn entries_of(n: u64) -> Vec<SignedEntry> {
    TestNetwork::pilot().receipts(n, &["CARRIER"])
}

#[test]
fn a_batch_decodes_to_its_entries_in_order() {
    let entries = entries_of(3);
    assert_eq!(decode(&encode(&entries)).unwrap(), entries);
}

#[test]
fn garbage_trailing_bytes_empty_oversized_and_overfull_batches_are_rejected() {
    assert!(matches!(decode(b"not a batch"), Err(Verdict::Reject(_))));
    assert!(matches!(decode(&[]), Err(Verdict::Reject(_))));
    let mut trailing = encode(&entries_of(2));
    trailing.push(0);
    assert!(matches!(decode(&trailing), Err(Verdict::Reject(_))));
    assert_eq!(
        decode(&encode(&[])),
        Err(Verdict::Reject(EMPTY_BATCH.into()))
    );
    let huge = vec![7u8; MAX_BATCH_BYTES + 1];
    assert!(matches!(decode(&huge), Err(Verdict::Reject(_))));
    let one = entries_of(1).remove(0);
    let overfull = vec![one; MAX_BATCH_ENTRIES + 1];
    assert_eq!(
        decode(&encode(&overfull)),
        Err(Verdict::Reject(BATCH_TOO_LARGE.into()))
    );
    // A single entry alone is not a batch (the version 1 message format).
    assert!(matches!(
        decode(&entries_of(1)[0].encode()),
        Err(Verdict::Reject(_))
    ));
}

#[test]
fn one_invalid_entry_rejects_the_message_and_one_new_entry_forwards_it() {
    let reject = Verdict::Reject("BAD_SIGNATURE".into());
    let dup = Verdict::Ignore("DUPLICATE");
    assert_eq!(
        message_verdict(&[Verdict::Accept, reject.clone(), dup.clone()]),
        reject
    );
    assert_eq!(
        message_verdict(&[dup.clone(), Verdict::Accept]),
        Verdict::Accept
    );
    assert_eq!(
        message_verdict(&[dup.clone(), Verdict::Ignore("REPLAY")]),
        dup
    );
    assert!(matches!(message_verdict(&[]), Verdict::Reject(_)));
}

#[test]
fn the_outbox_hands_over_a_batch_when_it_is_full_and_keeps_the_rest() {
    let entries = entries_of(MAX_BATCH_ENTRIES as u64 + 2);
    let mut outbox = Outbox::default();
    assert!(outbox.is_empty() && outbox.take().is_none());
    let mut published = Vec::new();
    for entry in entries.clone() {
        if let Some(batch) = outbox.push(entry) {
            published.push(batch);
        }
    }
    assert_eq!(published.len(), 1);
    assert_eq!(published[0], entries[..MAX_BATCH_ENTRIES]);
    let rest = outbox.take().unwrap();
    assert_eq!(rest, entries[MAX_BATCH_ENTRIES..]);
    assert!(outbox.is_empty() && outbox.take().is_none());
}

#[test]
fn the_outbox_never_builds_a_batch_over_the_byte_bound() {
    let mut net = TestNetwork::pilot();
    // Entries of almost the largest entry size.
    let big: Vec<SignedEntry> = (0..40)
        .map(|_| {
            let (mut entry, signature) = net
                .sign(
                    "CARRIER",
                    Body::Governance(GovernanceAction::Vote {
                        proposal: Hash32::ZERO,
                        approve: true,
                    }),
                )
                .into_parts();
            // Over the remark limit (R8), which the pool checks, not the outbox.
            entry.remark = Some(vec![b'x'; MAX_ENTRY_BYTES - 1_000]);
            SignedEntry::new(entry, signature)
        })
        .collect();
    let mut outbox = Outbox::default();
    let mut batches = Vec::new();
    for entry in big {
        batches.extend(outbox.push(entry));
    }
    batches.extend(outbox.take());
    assert!(batches.len() >= 3);
    for batch in &batches {
        let bytes = encode(batch);
        assert!(bytes.len() <= MAX_BATCH_BYTES, "{}", bytes.len());
        assert_eq!(decode(&bytes).unwrap(), *batch);
    }
    assert_eq!(batches.iter().map(Vec::len).sum::<usize>(), 40);
}
