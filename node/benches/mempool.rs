//! Admission throughput: batches of 1,000 signed entries, one batch signature check (the
//! default) against one verification per entry (both the R3 rule). Run: `cargo bench -p ebl-node --bench mempool`.
#![allow(missing_docs, clippy::expect_used)]

use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use ebl_ledger::Ledger;
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::{Body, DocumentRef, Entry, SignedEntry};
use ebl_ledger::hash::Hash32;
use ebl_ledger::receipt::{VerificationOutcome, VerificationReceipt};
use ebl_ledger::storage::MemoryStore;
use ebl_ledger::testkit::{PILOT_ORGS, TestNetwork};
use ebl_node::mempool::{Admission, Mempool, MempoolConfig, SequenceView, SignatureCheck};

const BATCH: u64 = 1_000;

struct View<'a>(&'a Ledger<MemoryStore>);

impl SequenceView for View<'_> {
    fn next_sequence(&self, key: &PublicKey) -> u64 {
        self.0.next_sequence(key).expect("memory store")
    }
}

/// 1,000 receipts from 10 signers, 100 consecutive sequences each.
fn batch(net: &TestNetwork) -> Vec<SignedEntry> {
    let orgs: Vec<&str> = PILOT_ORGS.iter().take(10).map(|o| o.0).collect();
    let per = BATCH / orgs.len() as u64;
    let mut out = Vec::new();
    for seq in 0..per {
        for org in &orgs {
            let key = &net.party(org).key;
            let body = Body::Verification(VerificationReceipt {
                subject: DocumentRef::Ebl {
                    id: Hash32::sha256(format!("{org}/{seq}").as_bytes()),
                },
                outcome: VerificationOutcome::Verified,
                purpose: "LC_PAYMENT".into(),
                detail: format!("documentary check {seq}"),
                cites: Vec::new(),
            });
            let entry = Entry {
                chain: net.ledger.chain().clone(),
                signer: PublicKey::from(key.verifying_key()),
                sequence: seq,
                act_for: None,
                body,
                remark: None,
            };
            out.push(entry.sign(key));
        }
    }
    out
}

fn admission(c: &mut Criterion) {
    let net = TestNetwork::pilot();
    let entries = batch(&net);
    let view = View(&net.ledger);
    let mut group = c.benchmark_group("mempool_admit_1000");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(BATCH));
    for (name, check) in [
        ("batch_verify", SignatureCheck::Batch),
        ("verify_each", SignatureCheck::Each),
    ] {
        let config = MempoolConfig {
            signature_check: check,
            ..MempoolConfig::default()
        };
        group.bench_function(name, |b| {
            b.iter_batched(
                || entries.clone(),
                |input| {
                    let mut pool = Mempool::new(net.ledger.chain().clone(), config.clone());
                    let answers = pool.admit(input, &view);
                    assert!(
                        answers
                            .iter()
                            .all(|a| matches!(a, Admission::Admitted { .. }))
                    );
                    pool
                },
                BatchSize::LargeInput,
            );
        });
    }
    group.finish();
}

criterion_group!(benches, admission);
criterion_main!(benches);
