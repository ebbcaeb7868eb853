//! R306–R312 through `check_envelope`: what the transactions of a chain must say.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::json;

use crate::pint::fixtures::*;
use crate::pint::jws;
use crate::pint::model::{EnvelopeTransferChainEntry, ResponseCode};
use crate::pint::receive::MAX_TRANSACTIONS;

#[test]
fn a_missing_issuance_manifest_is_benv() {
    let chain = vec![entry_of(None, None, usual_transactions())];
    assert_refused(
        &envelope_with(chain),
        ResponseCode::BENV,
        "no issuanceManifestSignedContent",
    );
}

#[test]
fn an_issuance_manifest_in_a_later_entry_is_benv() {
    let first = entry_of(
        None,
        Some(issuance_manifest()),
        vec![usual_transactions()[0].clone()],
    );
    let second = entry_of(
        Some(&first),
        Some(issuance_manifest()),
        vec![usual_transactions()[1].clone()],
    );
    assert_refused(
        &envelope_with(vec![first, second]),
        ResponseCode::BENV,
        "first entry only",
    );
}

#[test]
fn an_issuance_manifest_of_another_document_is_benv() {
    let manifest = crate::dcsa::manifest::sign(
        &json!({"documentChecksum": "22".repeat(32), "issueToChecksum": "11".repeat(32)}),
        &carrier_key(),
    );
    let chain = vec![entry_of(None, Some(manifest), usual_transactions())];
    assert_refused(
        &envelope_with(chain),
        ResponseCode::BENV,
        "issuance manifest names another",
    );
}

#[test]
fn issue_twice_is_benv() {
    let mut txs = usual_transactions();
    txs.insert(1, usual_transactions()[0].clone());
    assert_refused(
        &envelope_with(chain_of(txs)),
        ResponseCode::BENV,
        "ISSUE appears more than once",
    );
}

#[test]
fn a_chain_not_starting_with_issue_is_benv() {
    let txs = vec![usual_transactions()[1].clone()];
    assert_refused(
        &envelope_with(chain_of(txs)),
        ResponseCode::BENV,
        "first transaction of the chain is not ISSUE",
    );
}

#[test]
fn a_ctr_named_is_benv_ctr_not_supported() {
    let entry = EnvelopeTransferChainEntry {
        ebl_platform: "EBLA".into(),
        transport_document_checksum: document_checksum().to_hex(),
        previous_envelope_transfer_chain_entry_signed_content_checksum: None,
        issuance_manifest_signed_content: Some(issuance_manifest()),
        control_tracking_registry: Some("https://ctr.dcsa.org/v1".into()),
        transactions: usual_transactions(),
    };
    let signed = jws::sign(
        &serde_json::to_value(&entry).unwrap(),
        &platform_key("EBLA"),
    );
    assert_refused(
        &envelope_with(vec![signed]),
        ResponseCode::BENV,
        "CTR not supported",
    );
}

#[test]
fn a_transaction_after_sacc_is_benv() {
    let carrier = carrier();
    let shipper = party("Shipper", "EBLA");
    let txs = vec![
        tx("ISSUE", &carrier, Some(&shipper)),
        tx("SURRENDER_FOR_DELIVERY", &shipper, Some(&carrier)),
        tx("SACC", &carrier, Some(&shipper)),
        tx("TRANSFER", &shipper, Some(&party("Bank", "EBLB"))),
    ];
    assert_refused(
        &envelope_with(chain_of(txs)),
        ResponseCode::BENV,
        "follows SACC",
    );
}

#[test]
fn an_unknown_action_code_is_benv() {
    let mut txs = usual_transactions();
    txs[1].action_code = "TRNS".into();
    assert_refused(
        &envelope_with(chain_of(txs)),
        ResponseCode::BENV,
        "unknown actionCode TRNS",
    );
}

#[test]
fn an_envelope_not_addressed_to_this_platform_is_benv() {
    let mut txs = usual_transactions();
    txs[1].recipient = Some(party("Bank", "EBLC"));
    assert_refused(
        &envelope_with(chain_of(txs)),
        ResponseCode::BENV,
        "not addressed to this platform",
    );
}

#[test]
fn a_notification_only_envelope_is_benv() {
    let shipper = party("Shipper", "EBLA");
    let txs = vec![
        usual_transactions()[0].clone(),
        tx("ENDORSE", &shipper, Some(&party("Bank", "EBLB"))),
    ];
    assert_refused(
        &envelope_with(chain_of(txs)),
        ResponseCode::BENV,
        "notification-only",
    );
}

#[test]
fn a_surrender_addressed_to_a_carrier_here_is_accepted() {
    let shipper = party("Shipper", "EBLA");
    let txs = vec![
        usual_transactions()[0].clone(),
        tx(
            "SURRENDER_FOR_DELIVERY",
            &shipper,
            Some(&party("Carrier", "EBLB")),
        ),
    ];
    let checked = at_eblb(&envelope_with(chain_of(txs))).unwrap();
    assert_eq!(
        checked.last_transaction.action_code,
        "SURRENDER_FOR_DELIVERY"
    );
}

#[test]
fn too_many_transactions_in_an_entry_is_benv() {
    let shipper = party("Shipper", "EBLA");
    let mut txs = vec![usual_transactions()[0].clone()];
    txs.extend(std::iter::repeat_n(
        tx("SIGN", &shipper, None),
        MAX_TRANSACTIONS,
    ));
    txs.push(usual_transactions()[1].clone());
    assert_refused(
        &envelope_with(chain_of(txs)),
        ResponseCode::BENV,
        "1 to 64 transactions",
    );
}
