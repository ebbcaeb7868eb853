//! R186: nothing hashed or stored carries library text. A certificate x509-parser refuses, or
//! bytes bincode refuses, is described by our own fixed reason, so two builds with other library
//! versions record the same result message (and results hash).
#![allow(clippy::unwrap_used)]

use ebl_ledger::block::Outcome;
use ebl_ledger::codec::{self, CodecError};
use ebl_ledger::entry::SignedEntry;
use ebl_ledger::identity::Proposal;
use ebl_ledger::testkit::TestNetwork;

mod governance_support;
use governance_support::propose_entry;

/// What executing a proposal to admit `der` records as its result.
fn admission_outcome(der: Vec<u8>) -> Outcome {
    let mut net = TestNetwork::pilot();
    let entry = propose_entry(
        &mut net,
        0,
        Proposal::AdmitOrganisation {
            certificate_der: der,
            profile: None,
        },
    );
    net.commit(vec![entry]).remove(0)
}

#[test]
fn a_malformed_admission_certificate_yields_our_own_message_whatever_the_parser_says() {
    let expected = Outcome::Failed {
        code: "BAD_CERTIFICATE".into(),
        message: "bad certificate: not a DER X.509 certificate".into(),
    };
    // Three different ways for x509-parser to refuse (its own errors differ): one message.
    for der in [
        vec![0x30],
        b"definitely not DER".to_vec(),
        vec![0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x05],
    ] {
        assert_eq!(admission_outcome(der.clone()), expected, "{der:02x?}");
    }
}

#[test]
fn a_well_formed_certificate_is_not_described_as_malformed() {
    let net = TestNetwork::pilot();
    // An existing member's certificate parses; it fails for a reason of ours instead.
    let der = net.party("BANK").certificate_der.clone();
    let outcome = admission_outcome(der);
    assert!(
        matches!(&outcome, Outcome::Failed { code, message }
            if code == "DUPLICATE_ORGANISATION" && !message.contains("DER")),
        "{outcome:?}"
    );
}

#[test]
fn undecodable_bytes_are_described_by_a_fixed_reason() {
    let net = TestNetwork::pilot();
    let mut bytes = net.party("BANK").certificate_der.clone();
    bytes.truncate(3);
    let err = codec::decode::<SignedEntry>(&bytes, 1 << 16).unwrap_err();
    assert_eq!(err, CodecError::Malformed("truncated input"));
    assert_eq!(err.code(), "MALFORMED");
}
