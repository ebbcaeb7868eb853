//! `PUT` and `GET /v1/ebls/{id}/document`: parties store and read an eBL's body (R140,
//! R160–R161); everyone else gets a typed refusal.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bodies_kit;
mod custodial_kit;
mod support;

use axum::http::{Method, StatusCode};
use bodies_kit::*;
use serde_json::json;

#[tokio::test]
async fn a_party_by_certificate_stores_the_body_and_a_party_by_org_key_reads_it() {
    let (node, app) = app();
    let (doc, id) = issue_on_ledger(&node, "BODY-1");
    let put = put_document(&app, Who::Cert("CARRIER"), &id, &doc).await;
    assert_eq!(put.status, StatusCode::NO_CONTENT, "{}", put.reply().body);
    assert_eq!(put.headers["etag"], format!("\"{id}\"").as_str());

    // SHIPPER holds it (by its custodial key's identity); BANK is not a party yet.
    let holder = get_document(
        &app,
        Who::Key(&custodial_kit::secret_of("shipper-erp")),
        &id,
    )
    .await;
    holder.assert_body(&canonical(&doc));
    assert_eq!(holder.headers["content-type"], "application/json");
    assert_eq!(holder.headers["etag"], format!("\"{id}\"").as_str());
    let by_cert = get_document(&app, Who::Cert("SHIPPER"), &id).await;
    assert_eq!(by_cert.bytes, canonical(&doc));
    let by_org_key = get_document(&app, Who::Key(CARRIER_DOCS), &id).await;
    assert_eq!(by_org_key.status, StatusCode::OK);
    assert_eq!(by_org_key.bytes, canonical(&doc));
}

#[tokio::test]
async fn key_order_and_whitespace_do_not_matter_and_storing_twice_is_a_no_op() {
    let (node, app) = app();
    let (doc, id) = issue_on_ledger(&node, "BODY-2");
    // Pretty-printed, and the same content re-parsed with its keys in another order.
    let reordered: serde_json::Value = {
        let map = doc.as_object().unwrap();
        let mut keys: Vec<_> = map.keys().cloned().collect();
        keys.reverse();
        let text = format!(
            "{{{}}}",
            keys.iter()
                .map(|k| format!("{}: {}", json!(k), map[k]))
                .collect::<Vec<_>>()
                .join(",\n ")
        );
        serde_json::from_str(&text).unwrap()
    };
    for _ in 0..2 {
        let put = put_document(&app, Who::Key(CARRIER_DOCS), &id, &reordered).await;
        assert_eq!(put.status, StatusCode::NO_CONTENT, "{}", put.reply().body);
    }
    let read = get_document(&app, Who::Key(CARRIER_DOCS), &id).await;
    assert_eq!(read.bytes, canonical(&doc));
}

#[tokio::test]
async fn a_document_that_hashes_to_another_id_is_a_mismatch() {
    let (node, app) = app();
    let (mut doc, id) = issue_on_ledger(&node, "BODY-3");
    doc["termsAndConditions"] = json!("altered after issuance");
    put_document(&app, Who::Key(CARRIER_DOCS), &id, &doc)
        .await
        .assert_problem(422, "DOCUMENT_MISMATCH");
    get_document(&app, Who::Key(CARRIER_DOCS), &id)
        .await
        .assert_problem(404, "DOCUMENT_BODY_UNAVAILABLE");
}

#[tokio::test]
async fn a_document_that_is_not_on_the_ledger_is_unknown() {
    let (_node, app) = app();
    let doc = document("NEVER-ISSUED");
    let id = id_of(&doc);
    put_document(&app, Who::Key(CARRIER_DOCS), &id, &doc)
        .await
        .assert_problem(404, "UNKNOWN_DOCUMENT");
    get_document(&app, Who::Cert("CARRIER"), &id)
        .await
        .assert_problem(404, "UNKNOWN_DOCUMENT");
    get_document(&app, Who::Cert("CARRIER"), "not-hex")
        .await
        .assert_problem(400, "INVALID_ID");
}

#[tokio::test]
async fn a_body_no_node_holds_is_unavailable_to_a_party() {
    let (node, app) = app();
    let (_doc, id) = issue_on_ledger(&node, "BODY-4");
    get_document(&app, Who::Cert("SHIPPER"), &id)
        .await
        .assert_problem(404, "DOCUMENT_BODY_UNAVAILABLE");
}

#[tokio::test]
async fn a_caller_without_an_organisation_is_refused() {
    let (node, app) = app();
    let (doc, id) = issue_on_ledger(&node, "BODY-5");
    put_document(&app, Who::Key(CARRIER_DOCS), &id, &doc).await;
    get_document(&app, Who::Key(NO_ORG), &id)
        .await
        .assert_problem(403, "ORGANISATION_REQUIRED");
    get_document(&app, Who::Key(ADMIN), &id)
        .await
        .assert_problem(403, "ORGANISATION_REQUIRED");
    put_document(&app, Who::Key(ADMIN), &id, &doc)
        .await
        .assert_problem(403, "ORGANISATION_REQUIRED");
    // A key bound to an identity the custodian does not hold acts for no organisation.
    get_document(&app, Who::Key(GHOST_READER), &id)
        .await
        .assert_problem(403, "ORGANISATION_REQUIRED");
}

#[tokio::test]
async fn an_organisation_that_is_not_a_party_cannot_read_or_store_the_body() {
    let (node, app) = app();
    let (doc, id) = issue_on_ledger(&node, "BODY-6");
    put_document(&app, Who::Key(CARRIER_DOCS), &id, &doc).await;
    for who in [Who::Key(OUTSIDER), Who::Cert("MSA"), Who::Key(BANK_RO)] {
        let reply = get_document(&app, who, &id).await;
        reply.assert_problem(404, "UNKNOWN_DOCUMENT");
        assert!(!String::from_utf8_lossy(&reply.bytes).contains(MARKER));
    }
    put_document(&app, Who::Key(OUTSIDER), &id, &doc)
        .await
        .assert_problem(404, "UNKNOWN_DOCUMENT");
    put_document(&app, Who::Cert("CARRIER2"), &id, &doc)
        .await
        .assert_problem(404, "UNKNOWN_DOCUMENT");
}

#[tokio::test]
async fn malformed_json_and_a_missing_content_type_are_client_errors() {
    let (node, app) = app();
    let (doc, id) = issue_on_ledger(&node, "BODY-7");
    let uri = format!("/v1/ebls/{id}/document");
    let who = Who::Key(CARRIER_DOCS);
    send(&app, Method::PUT, &uri, who, Some(b"{not json".to_vec()))
        .await
        .assert_problem(400, "MALFORMED_JSON");
    let mut request = axum::http::Request::builder()
        .method(Method::PUT)
        .uri(&uri)
        .header("authorization", format!("Bearer {CARRIER_DOCS}"))
        .body(axum::body::Body::from(serde_json::to_vec(&doc).unwrap()))
        .unwrap();
    request.headers_mut().remove("content-type");
    let reply = tower::ServiceExt::oneshot(app.clone(), request)
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn an_oversize_upload_is_refused_by_the_router_limit_and_the_one_mib_cap() {
    let (node, app) = app();
    let (mut doc, id) = issue_on_ledger(&node, "BODY-8");
    doc["padding"] = json!("x".repeat(300 * 1024));
    put_document(&app, Who::Key(CARRIER_DOCS), &id, &doc)
        .await
        .assert_problem(413, "PAYLOAD_TOO_LARGE");
    // With a larger router limit the gateway still stores at most 1 MiB.
    let mut config = config();
    config.body_limit = 4 * 1024 * 1024;
    let (node, app) = app_with(config);
    let (mut doc, id) = issue_on_ledger(&node, "BODY-8");
    doc["padding"] = json!("x".repeat(1536 * 1024));
    put_document(&app, Who::Key(CARRIER_DOCS), &id, &doc)
        .await
        .assert_problem(413, "PAYLOAD_TOO_LARGE");
}

#[tokio::test]
async fn reading_needs_a_key_with_read_and_storing_a_key_with_submit() {
    let (node, app) = app();
    let (doc, id) = issue_on_ledger(&node, "BODY-9");
    let reply = get_document(&app, Who::Nobody, &id).await;
    reply.assert_problem(401, "UNAUTHENTICATED");
    put_document(&app, Who::Nobody, &id, &doc)
        .await
        .assert_problem(401, "UNAUTHENTICATED");
    // BANK's read-only key and the carrier's custodial key (read, custodial) cannot store.
    put_document(&app, Who::Key(BANK_RO), &id, &doc)
        .await
        .assert_problem(403, "MISSING_SCOPE");
    let carrier_ops = custodial_kit::secret_of("carrier-ops");
    put_document(&app, Who::Key(&carrier_ops), &id, &doc)
        .await
        .assert_problem(403, "MISSING_SCOPE");
}

#[tokio::test]
async fn if_none_match_with_the_document_id_answers_not_modified() {
    let (node, app) = app();
    let (doc, id) = issue_on_ledger(&node, "BODY-10");
    put_document(&app, Who::Key(CARRIER_DOCS), &id, &doc).await;
    let uri = format!("/v1/ebls/{id}/document");
    let tag = format!("\"{id}\"");
    let who = Who::Key(CARRIER_DOCS);
    let cached = send_with(
        &app,
        Method::GET,
        &uri,
        who,
        None,
        &[("if-none-match", &tag)],
    )
    .await;
    assert_eq!(cached.status, StatusCode::NOT_MODIFIED);
    assert!(cached.bytes.is_empty());
    let other = format!("\"{}\"", "ab".repeat(32));
    let fresh = send_with(
        &app,
        Method::GET,
        &uri,
        who,
        None,
        &[("if-none-match", &other)],
    )
    .await;
    assert_eq!(fresh.status, StatusCode::OK);
    // A non-party learns nothing from a matching tag either.
    let outsider = Who::Key(OUTSIDER);
    send_with(
        &app,
        Method::GET,
        &uri,
        outsider,
        None,
        &[("if-none-match", &tag)],
    )
    .await
    .assert_problem(404, "UNKNOWN_DOCUMENT");
}
