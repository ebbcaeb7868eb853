//! DCSA endorsement chain (`GET /endorsement-chains/{ref}`) built from the ledger's history,
//! compared with the DCSA END sample and validated against the END schema.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/dcsa.rs"]
mod dcsa;
mod support;

use std::collections::BTreeSet;

use axum::Router;
use axum::http::Method;
use dcsa::*;
use ebl_gateway::dcsa::schema::Payload;
use ebl_ledger::ebl::EblAction;
use ebl_ledger::entry::Body;
use ebl_ledger::hash::DocumentId;
use serde_json::{Value, json};
use support::{LocalNode, Reply};

async fn chain(app: &Router, uri: &str) -> Reply {
    support::send(app, Method::GET, uri, READ_KEY, None).await
}

/// Issues the sample as a straight BL to SHIPPER, consigned to CONSIGNEE.
async fn issue_straight(app: &Router, reference: &str) -> DocumentId {
    let mut request = issuance_sample_as_published();
    request["document"]["transportDocumentReference"] = reference.into();
    request["document"]["isToOrder"] = false.into();
    request["document"]["documentParties"]["consignee"] = json!({
        "partyName": "Singapore Foods Pte",
        "identifyingCodes": [{"codeListProvider": "EBLL", "partyCode": "CONSIGNEE"}]
    });
    let request = with_manifest(request);
    let uri = "/v3/ebl-issuance-requests?responseMode=sync";
    let reply = send_json(app, Method::PUT, uri, CARRIER_KEY, &request).await;
    assert_eq!(reply.body["issuanceResponseCode"], "ISSU", "{}", reply.body);
    ebl_ledger::docid::document_id(&request["document"]).unwrap()
}

/// Commits an action signed by `party`'s own key (not custodial).
fn act(node: &LocalNode, party: &str, action: EblAction) {
    node.with(|n| {
        let key = n.party(party).key.clone();
        n.resync_sequence(&key);
        n.submit(party, Body::Ebl(action)).unwrap();
    });
}

fn org(node: &LocalNode, id: &str) -> ebl_ledger::ids::OrgId {
    node.with(|n| n.org(id))
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn action_codes(chain: &Value) -> Vec<&str> {
    chain["endorsementChain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["actionCode"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_surrendered_straight_bl_has_the_chain_of_the_dcsa_example() {
    let (node, app) = dcsa_app();
    let id = issue_straight(&app, "END-1").await;
    let to = org(&node, "CONSIGNEE");
    act(&node, "SHIPPER", EblAction::Transfer { document: id, to });
    let sreq = surrender_sample("END-1", "Z-END-1");
    let reply = send_json(
        &app,
        Method::POST,
        "/v3/ebl-surrender-requests",
        CONSIGNEE_KEY,
        &sreq,
    )
    .await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    let surr = json!({"surrenderRequestReference": "Z-END-1", "action": "SURR"});
    let uri = "/v3/ebl-surrender-responses";
    let reply = send_json(&app, Method::POST, uri, CARRIER_KEY, &surr).await;
    assert_eq!(reply.status, 204, "{}", reply.body);

    let reply = chain(&app, "/endorsement-chains/END-1").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let ours = reply.body.as_array().unwrap();
    assert_eq!(ours.len(), 1);
    for c in ours {
        assert_dcsa(Payload::EndorsementChain, c);
    }
    let sample = end_sample();
    let theirs = &sample[0];
    // Same actions in the same (newest first) order as DCSA's surrendered straight BL.
    assert_eq!(action_codes(&ours[0]), action_codes(theirs));
    // Same fields, link by link (plus our auditReference, an END field), and same parties.
    let links = ours[0]["endorsementChain"].as_array().unwrap();
    let sample_links = theirs["endorsementChain"].as_array().unwrap();
    for (link, sample_link) in links.iter().zip(sample_links) {
        let mut expected = keys(sample_link);
        expected.insert("auditReference".into());
        assert_eq!(keys(link), expected, "{link}");
        assert_eq!(keys(&link["actor"]), keys(&sample_link["actor"]));
        assert_eq!(link["auditReference"].as_str().unwrap().len(), 64);
    }
    let names = |i: usize, who: &str| links[i][who]["partyName"].as_str().unwrap().to_string();
    assert_eq!(names(3, "actor"), "Ocean Line Shipping Co");
    assert_eq!(names(3, "recipient"), "Guangzhou Soy Exporters");
    assert_eq!(names(1, "actor"), "Singapore Foods Pte");
    assert_eq!(
        links[0]["actor"]["identifyingCodes"][0]["partyCode"],
        "CARRIER"
    );
    assert_eq!(links[0]["actor"]["eblPlatform"], "EBLL");
    assert_eq!(ours[0]["carrierSCACCode"], "OLSC");
    assert_eq!(
        keys(&ours[0]),
        keys(theirs)
            .difference(&BTreeSet::from([
                "transportDocumentSubReference".to_string()
            ]))
            .cloned()
            .collect()
    );
}

#[tokio::test]
async fn the_chain_after_issue_endorse_and_transfer_names_each_party() {
    let (node, app) = dcsa_app();
    let request = issuance_request("END-2");
    let uri = "/v3/ebl-issuance-requests?responseMode=sync";
    send_json(&app, Method::PUT, uri, CARRIER_KEY, &request).await;
    let id = ebl_ledger::docid::document_id(&request["document"]).unwrap();
    let consignee = org(&node, "CONSIGNEE");
    act(
        &node,
        "SHIPPER",
        EblAction::EndorseToOrder {
            document: id,
            endorsee: consignee.clone(),
        },
    );
    act(
        &node,
        "SHIPPER",
        EblAction::Transfer {
            document: id,
            to: consignee,
        },
    );
    let reply = chain(&app, "/v3/endorsement-chains/END-2").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let c = &reply.body[0];
    assert_dcsa(Payload::EndorsementChain, c);
    assert_eq!(action_codes(c), ["TRANSFER", "ENDORSE_TO_ORDER", "ISSUE"]);
    let links = c["endorsementChain"].as_array().unwrap();
    for link in links.iter().take(2) {
        assert_eq!(link["actor"]["partyName"], "Guangzhou Soy Exporters");
        assert_eq!(link["recipient"]["partyName"], "Singapore Foods Pte");
    }
    // The holder the sample's issueTo maps to carries its BOLE alias too.
    let codes = &links[2]["recipient"]["identifyingCodes"];
    assert_eq!(
        codes[1],
        json!({"codeListProvider": "BOLE", "partyCode": "BOLE001"})
    );
    // Times are the block times, newest first.
    let times: Vec<&str> = links
        .iter()
        .map(|l| l["actionDateTime"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
}

#[tokio::test]
async fn an_unknown_reference_or_filter_is_a_dcsa_404() {
    let (_node, app) = dcsa_app();
    let reply = chain(&app, "/endorsement-chains/NOPE").await;
    assert_eq!(reply.status, 404, "{}", reply.body);
    assert_dcsa(Payload::ErrorResponse, &reply.body);
    issue_straight(&app, "END-3").await;
    let ok = chain(&app, "/endorsement-chains/END-3?carrierSCACCode=OLSC").await;
    assert_eq!(ok.status, 200);
    let other = chain(&app, "/endorsement-chains/END-3?carrierSCACCode=MAEU").await;
    assert_eq!(other.status, 404);
    let sub = chain(
        &app,
        "/endorsement-chains/END-3?transportDocumentSubReference=v2",
    )
    .await;
    assert_eq!(sub.status, 404);
}

#[tokio::test]
async fn the_endorsement_chain_needs_the_read_scope() {
    let (_node, app) = dcsa_app();
    let reply = support::send(&app, Method::GET, "/endorsement-chains/X", "", None).await;
    reply.assert_problem(401, "UNAUTHENTICATED");
    let reply = support::send(
        &app,
        Method::GET,
        "/endorsement-chains/X",
        CARRIER_KEY,
        None,
    )
    .await;
    reply.assert_problem(403, "MISSING_SCOPE");
    let long = "/endorsement-chains/ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    chain(&app, long).await.assert_problem(400, "INVALID_PATH");
}

#[tokio::test]
async fn an_agent_acting_under_a_grant_is_the_actor_for_the_represented_party() {
    use ebl_ledger::entry::ActionKind;
    use ebl_ledger::identity::{DocumentKind, GrantAction, GrantTerms, Grantee};
    let (node, app) = dcsa_app();
    let id = issue_straight(&app, "END-4").await;
    node.with(|n| {
        let now = n.time();
        let terms = GrantTerms {
            grantee: Grantee::Organisation(n.org("BUYER2")),
            actions: vec![ActionKind::EblTransfer],
            document_kinds: vec![DocumentKind::Ebl],
            document: None,
            valid_from: now,
            valid_until: ebl_ledger::time::Timestamp(now.0 + 86_400_000),
        };
        let key = n.party("SHIPPER").key.clone();
        n.resync_sequence(&key);
        n.submit("SHIPPER", Body::Grant(GrantAction::Create(terms)))
            .unwrap();
        let agent = n.party("BUYER2").key.clone();
        let to = n.org("CONSIGNEE");
        let entry = n.sign_with(
            &agent,
            Some("SHIPPER"),
            Body::Ebl(EblAction::Transfer { document: id, to }),
        );
        n.submit_entry(entry).unwrap();
    });
    let reply = chain(&app, "/endorsement-chains/END-4").await;
    let c = &reply.body[0];
    assert_dcsa(Payload::EndorsementChain, c);
    let transfer = &c["endorsementChain"][0];
    assert_eq!(transfer["actionCode"], "TRANSFER");
    assert_eq!(transfer["actor"]["partyName"], "Johor Trading Sdn");
    assert_eq!(
        transfer["actor"]["representedParty"]["partyName"],
        "Guangzhou Soy Exporters"
    );
    // The issuing carrier signed its own ISSUE: no represented party.
    assert!(
        c["endorsementChain"][1]["actor"]
            .get("representedParty")
            .is_none()
    );
}
