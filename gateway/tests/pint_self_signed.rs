//! R337–R339: a holder that signs its own entries (BUYER2's own system, no custodial identity
//! on its gateway) exports a bill: the gateway lends the platform-signed chain entry and, once
//! the receiver answered, the verified answer; the holder signs both ledger entries itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/dcsa.rs"]
mod dcsa;
#[path = "support/pint.rs"]
mod pint;
mod support;

use axum::http::Method;
use dcsa::*;
use ebl_ledger::ebl::{EblAction, EblRecord, EblStatus, ExportAnswerCode};
use ebl_ledger::entry::Body;
use ebl_ledger::state::keys;
use pint::*;
use serde_json::json;
use support::send;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_self_signing_holder_exports_with_the_gateways_chain_entry_and_answer() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two_platforms(dir.path()).await;
    let (request, id) = issue_sample(&a).await;
    // R337: not yet BUYER2's bill: nothing to lend (as for an unknown bill).
    let early = json!({"recipient": party("Consignee on B", "EBLB", "CONSIGNEE")});
    let uri = format!("/v1/ebls/{id}/pint/chain-entry");
    let refused = send_json(&a.app, Method::POST, &uri, BUYER2_KEY, &early).await;
    assert_eq!(refused.status, 404, "{}", refused.body);
    let uri = format!("/v1/custodial/ebls/{id}/transfer?wait=final");
    let reply = send_json(
        &a.app,
        Method::POST,
        &uri,
        SHIPPER_KEY,
        &json!({"to": "BUYER2"}),
    )
    .await;
    assert!(reply.status.is_success(), "{}", reply.body);

    // R337: the chain entry, for the holder only.
    let recipient = party("Consignee on B", "EBLB", "CONSIGNEE");
    let uri = format!("/v1/ebls/{id}/pint/chain-entry");
    let asked = json!({"recipient": recipient});
    let stranger = send_json(&a.app, Method::POST, &uri, SHIPPER_KEY, &asked).await;
    assert_eq!(
        stranger.status, 403,
        "custodial keys have no submit scope: {}",
        stranger.body
    );
    let reply = send_json(&a.app, Method::POST, &uri, BUYER2_KEY, &asked).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let chain_entry = reply.body["chainEntry"].as_str().unwrap().to_string();
    let to = ebl_gateway::platform::directory::foreign(&serde_json::from_value(recipient).unwrap());
    let export = Body::Ebl(EblAction::Export {
        document: id,
        to,
        endorse: false,
        chain_entry,
    });
    a.node.with(|n| n.submit("BUYER2", export)).unwrap();

    // R338: the gateway sends it; EBLB imports it.
    eventually("the import on EBLB", || {
        b.node
            .with(|n| n.ledger.get::<EblRecord>(&keys::ebl(&id)).unwrap())
            .is_some()
    })
    .await;
    // R339: the verified answer, for the holder only.
    let uri = format!("/v1/ebls/{id}/pint/answer");
    let mut answer = serde_json::Value::Null;
    for _ in 0..100 {
        let reply = send(&a.app, Method::GET, &uri, BUYER2_KEY, None).await;
        if reply.status == 200 {
            answer = reply.body;
            break;
        }
        assert_eq!(reply.body["code"], "NO_ANSWER_YET", "{}", reply.body);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(answer["code"], "RECE", "{answer}");
    let other = send(&a.app, Method::GET, &uri, READ_KEY, None).await;
    assert_eq!(
        other.status, 404,
        "the regulator key is no holder: {}",
        other.body
    );
    let recorded = Body::Ebl(EblAction::ExportAnswer {
        document: id,
        code: ExportAnswerCode::Received,
        response: answer["response"].as_str().unwrap().to_string(),
    });
    a.node.with(|n| n.submit("BUYER2", recorded)).unwrap();
    let record = a
        .node
        .with(|n| n.ledger.get::<EblRecord>(&keys::ebl(&id)).unwrap())
        .unwrap();
    assert_eq!(record.status, EblStatus::Exported);
    // The answer the holder recorded is the receiver's: verification passes.
    let platform = verify_check(&a, &request["document"], "PLATFORM").await;
    assert_eq!(platform["code"], "PINT_VERIFIED", "{platform}");
}
