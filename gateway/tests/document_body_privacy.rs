//! R163: verification, public or keyed, reveals no more than the presenter already holds: no
//! document body (nor any part of it the presenter did not send) leaves the gateway except
//! through `GET /v1/ebls/{id}/document` to a party.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bodies_kit;
mod custodial_kit;
mod support;

use axum::http::{Method, StatusCode};
use bodies_kit::*;
use custodial_kit::{act, assert_final};
use serde_json::{Value, json};

/// Issues [`document`]`(reference)` custodially (its body, with [`MARKER`], is stored) and
/// returns it with its id.
async fn issued(app: &axum::Router, reference: &str) -> (Value, String) {
    let doc = document(reference);
    let body = json!({"transport_document": doc, "issue_to": "SHIPPER", "consignee": "SHIPPER"});
    let reply = act(app, "carrier-ops", "/v1/custodial/ebls?wait=final", body).await;
    assert_final(&reply);
    assert_eq!(reply.body["document_body"], "stored");
    let id = id_of(&doc);
    (doc, id)
}

fn assert_reveals_nothing(what: &str, reply: &Raw) {
    let text = String::from_utf8_lossy(&reply.bytes);
    assert!(!text.contains(MARKER), "{what} revealed the body: {text}");
    assert!(
        !text.contains("termsAndConditions") && !text.contains("consignmentItems"),
        "{what} revealed document fields: {text}"
    );
}

#[tokio::test]
async fn verification_of_a_copy_without_the_body_reveals_nothing_of_the_stored_body() {
    let (_node, app) = app();
    let (doc, id) = issued(&app, "PRIVATE-1").await;
    // The stored body does carry the marker (so its absence below means something).
    let party = get_document(&app, Who::Cert("SHIPPER"), &id).await;
    assert!(String::from_utf8_lossy(&party.bytes).contains(MARKER));

    // A presenter holding another copy (same reference, without the marker) learns only that
    // its copy is not the issued one.
    let mut copy = doc.clone();
    copy["shippingInstructionsReference"] = json!("SI-OTHER");
    let copy_bytes = serde_json::to_vec(&copy).unwrap();
    for (uri, who) in [
        ("/v1/verify", Who::Key(OUTSIDER)),
        ("/public/v1/verify", Who::Nobody),
    ] {
        let reply = send(&app, Method::POST, uri, who, Some(copy_bytes.clone())).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        let result = reply.reply().body;
        assert_eq!(result["outcome"], "FAILED", "{uri}: {result}");
        assert_eq!(result["checks"][0]["code"], "UNKNOWN_DOCUMENT", "{uri}");
        assert_reveals_nothing(uri, &reply);
    }
}

#[tokio::test]
async fn verification_of_the_document_answers_checks_only_and_never_echoes_it() {
    let (_node, app) = app();
    let (doc, id) = issued(&app, "PRIVATE-2").await;
    let bytes = serde_json::to_vec(&doc).unwrap();
    let by_id = serde_json::to_vec(&json!({ "ebl": id })).unwrap();
    for (uri, who, body) in [
        ("/v1/verify", Who::Key(OUTSIDER), bytes.clone()),
        ("/public/v1/verify", Who::Nobody, bytes),
        ("/public/v1/verify", Who::Nobody, by_id),
    ] {
        let reply = send(&app, Method::POST, uri, who, Some(body)).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        let result = reply.reply().body;
        assert_eq!(
            result["checks"][0]["code"], "INTEGRITY_OK",
            "{uri}: {result}"
        );
        let mut keys: Vec<&str> = result
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, ["checks", "outcome", "subject"], "{uri}: {result}");
        assert_reveals_nothing(uri, &reply);
    }
}

#[tokio::test]
async fn queries_proofs_and_the_page_never_carry_the_body() {
    let (_node, app) = app();
    let (_doc, id) = issued(&app, "PRIVATE-3").await;
    // R234: the outsider is told the bill does not exist; the public view and the page answer.
    for (uri, who, status) in [
        (format!("/v1/ebls/{id}"), Who::Key(OUTSIDER), 404),
        (format!("/public/v1/ebls/{id}"), Who::Nobody, 200),
        (format!("/v1/proofs/ebls/{id}"), Who::Key(OUTSIDER), 404),
        (
            "/v3/endorsement-chains/PRIVATE-3".into(),
            Who::Key(OUTSIDER),
            404,
        ),
        (format!("/?ebl={id}"), Who::Nobody, 200),
    ] {
        let reply = send(&app, Method::GET, &uri, who, None).await;
        assert_eq!(reply.status, status, "{uri}");
        assert_reveals_nothing(&uri, &reply);
    }
    // No public route serves a body, and the keyed one needs credentials.
    send(
        &app,
        Method::GET,
        &format!("/public/v1/ebls/{id}/document"),
        Who::Nobody,
        None,
    )
    .await
    .assert_problem(404, "NO_ROUTE");
    get_document(&app, Who::Nobody, &id)
        .await
        .assert_problem(401, "UNAUTHENTICATED");
}
