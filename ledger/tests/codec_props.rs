//! Property tests of the entry codec: round trips, and no panic on any input (R1).
#![allow(clippy::unwrap_used)]

use ebl_ledger::attest::{AttestAction, AttestRef};
use ebl_ledger::block::Block;
use ebl_ledger::cert::{CertAction, CertificateRef};
use ebl_ledger::crypto::{PublicKey, Signature};
use ebl_ledger::ebl::EblAction;
use ebl_ledger::entry::{Body, ChainRef, DocumentRef, Entry, SignedEntry};
use ebl_ledger::hash::Hash32;
use ebl_ledger::identity::{GovernanceAction, GrantAction};
use ebl_ledger::ids::OrgId;
use ebl_ledger::receipt::{VerificationOutcome, VerificationReceipt};
use proptest::prelude::*;

fn hash() -> impl Strategy<Value = Hash32> {
    any::<[u8; 32]>().prop_map(Hash32)
}

fn org() -> impl Strategy<Value = OrgId> {
    "[A-Z0-9._-]{1,16}".prop_map(OrgId)
}

fn text() -> impl Strategy<Value = String> {
    ".{0,24}"
}

fn certificate() -> impl Strategy<Value = CertificateRef> {
    (org(), text()).prop_map(|(administration, utn)| CertificateRef {
        administration,
        utn,
    })
}

fn attested() -> impl Strategy<Value = AttestRef> {
    (org(), text()).prop_map(|(authority, number)| AttestRef { authority, number })
}

fn subject() -> impl Strategy<Value = DocumentRef> {
    prop_oneof![
        hash().prop_map(|id| DocumentRef::Ebl { id }),
        certificate().prop_map(DocumentRef::Certificate),
        attested().prop_map(DocumentRef::Attested),
    ]
}

fn body() -> impl Strategy<Value = Body> {
    let outcome = prop_oneof![
        Just(VerificationOutcome::Verified),
        Just(VerificationOutcome::Failed),
        Just(VerificationOutcome::Inconclusive),
    ];
    prop_oneof![
        (subject(), outcome, text(), text()).prop_map(|(subject, outcome, purpose, detail)| {
            Body::Verification(VerificationReceipt {
                subject,
                outcome,
                purpose,
                detail,
                cites: Vec::new(),
            })
        }),
        (hash(), org()).prop_map(|(document, to)| Body::Ebl(EblAction::Transfer { document, to })),
        (hash(), org())
            .prop_map(|(document, endorsee)| Body::Ebl(EblAction::Endorse { document, endorsee })),
        (hash(), text())
            .prop_map(|(document, reason)| Body::Ebl(EblAction::Reject { document, reason })),
        hash().prop_map(|document| Body::Ebl(EblAction::BlankEndorse { document })),
        (certificate(), text()).prop_map(|(certificate, reason)| Body::Certificate(
            CertAction::Suspend {
                certificate,
                reason
            }
        )),
        certificate()
            .prop_map(|certificate| Body::Certificate(CertAction::Reinstate { certificate })),
        hash().prop_map(|grant| Body::Grant(GrantAction::Revoke { grant })),
        (attested(), text()).prop_map(|(certificate, reason)| Body::Attested(
            AttestAction::Revoke {
                certificate,
                reason
            }
        )),
        (attested(), text()).prop_map(|(certificate, by_number)| Body::Attested(
            AttestAction::Supersede {
                certificate,
                by_number
            }
        )),
        (hash(), any::<bool>()).prop_map(|(proposal, approve)| Body::Governance(
            GovernanceAction::Vote { proposal, approve }
        )),
    ]
}

fn signed_entry() -> impl Strategy<Value = SignedEntry> {
    (
        (text(), hash(), any::<[u8; 32]>(), any::<u64>()),
        (proptest::option::of(org()), body()),
        proptest::option::of(proptest::collection::vec(any::<u8>(), 0..64)),
        (any::<[u8; 32]>(), any::<[u8; 32]>()),
    )
        .prop_map(
            |((chain_id, genesis_hash, signer, sequence), (act_for, body), remark, (r, s))| {
                let mut signature = [0u8; 64];
                signature[..32].copy_from_slice(&r);
                signature[32..].copy_from_slice(&s);
                SignedEntry::new(
                    Entry {
                        chain: ChainRef {
                            chain_id,
                            genesis_hash,
                        },
                        signer: PublicKey(signer),
                        sequence,
                        act_for,
                        body,
                        remark,
                    },
                    Signature(signature),
                )
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn encode_then_decode_is_the_identity(entry in signed_entry()) {
        let bytes = entry.encode();
        prop_assert_eq!(SignedEntry::decode(&bytes), Ok(entry));
    }

    #[test]
    fn decoding_random_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(entry) = SignedEntry::decode(&bytes) {
            prop_assert_eq!(entry.encode(), bytes.clone());
        }
        let _ = Block::decode(&bytes);
    }

    #[test]
    fn a_mutated_entry_decodes_only_to_its_own_canonical_bytes(
        entry in signed_entry(),
        at in any::<prop::sample::Index>(),
        flip in 1u8..=255,
        cut in any::<prop::sample::Index>(),
    ) {
        let bytes = entry.encode();
        let mut mutated = bytes.clone();
        mutated[at.index(bytes.len())] ^= flip;
        if let Ok(decoded) = SignedEntry::decode(&mutated) {
            prop_assert_eq!(decoded.encode(), mutated);
            prop_assert_ne!(decoded, entry);
        }
        let truncated = &bytes[..cut.index(bytes.len())];
        prop_assert!(SignedEntry::decode(truncated).is_err());
    }
}
