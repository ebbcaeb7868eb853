//! Custodial certificate and grant actions: a maritime administration's database issues,
//! endorses, extends, suspends, reinstates and withdraws certificates, and gives and revokes
//! grants, through plain JSON.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod custodial_kit;
mod support;

use custodial_kit::*;
use serde_json::{Value, json};

fn certificate(utn: &str, issued_on: &str, expires_on: &str) -> Value {
    json!({"certificate": {
        "utn": utn,
        "kind": "SAFETY_EQUIPMENT",
        "ship": {"imo_number": "9074729", "name": "PILOT STAR", "flag": "CN",
                 "call_sign": "BPXA", "gross_tonnage": 41000},
        "issued_on": issued_on,
        "expires_on": expires_on,
        "document": null,
        "place": "Guangzhou",
    }})
}

async fn cert_action(app: &axum::Router, utn: &str, action: &str, body: Value) -> support::Reply {
    act(
        app,
        "msa-db",
        &format!("/v1/custodial/certificates/MSA/{utn}/{action}?wait=final"),
        body,
    )
    .await
}

#[tokio::test]
async fn a_certificate_is_issued_endorsed_extended_suspended_reinstated_and_withdrawn() {
    let (node, _c, app) = app();
    let today = node.with(|n| n.time().date());
    // Issued a year ago, so today is the first anniversary and an annual survey is due.
    let issued = today.add_months(-12);
    let issued_on = issued.to_string();
    let survey_date = today.to_string();
    let expires_on = issued.add_months(60).to_string();
    let reply = act(
        &app,
        "msa-db",
        "/v1/custodial/certificates?wait=final",
        certificate("UTN-C1", &issued_on, &expires_on),
    )
    .await;
    assert_final(&reply);
    let endorsement = json!({"endorsement": {"kind": "ANNUAL", "survey_date": survey_date,
        "place": "Singapore", "surveyor": "J. Tan", "extended_until": null}});
    assert_final(&cert_action(&app, "UTN-C1", "endorse", endorsement).await);
    let extend = json!({"new_expiry": issued.add_months(62).to_string(), "reason": "ship at sea"});
    let extended = cert_action(&app, "UTN-C1", "extend", extend).await;
    // The ledger decides whether an extension this early is allowed; either way it answers
    // with a settled status or its own rule code, never a gateway error.
    assert!(
        extended.status.as_u16() == 200 || extended.status.as_u16() == 422,
        "{}",
        extended.body
    );
    let reason = json!({"reason": "detained"});
    assert_final(&cert_action(&app, "UTN-C1", "suspend", reason).await);
    assert_final(&cert_action(&app, "UTN-C1", "reinstate", json!({})).await);
    let withdraw = json!({"reason": "ship sold"});
    assert_final(&cert_action(&app, "UTN-C1", "withdraw", withdraw).await);
    let view = read(&app, "/v1/certificates/MSA/UTN-C1").await;
    assert_eq!(view.status.as_u16(), 200, "{}", view.body);
    assert!(view.body.to_string().contains("WITHDRAWN"), "{}", view.body);
}

#[tokio::test]
async fn a_carrier_cannot_issue_certificates_and_gets_the_ledger_code() {
    let (node, _c, app) = app();
    let today = node.with(|n| n.time().date());
    let reply = act(
        &app,
        "carrier-ops",
        "/v1/custodial/certificates?wait=final",
        certificate(
            "UTN-X",
            &today.to_string(),
            &today.add_months(12).to_string(),
        ),
    )
    .await;
    assert_eq!(reply.status.as_u16(), 422, "{}", reply.body);
    assert!(reply.body["code"].is_string() && reply.body["entry_id"].is_string());
}

#[tokio::test]
async fn a_grant_is_given_and_revoked_by_custodial_calls() {
    let (node, _c, app) = app();
    let now = node.with(|n| n.time().0);
    let terms = json!({"grant": {
        "grantee": {"type": "ORGANISATION", "id": "CLASS"},
        "actions": ["CERT_ENDORSE"],
        "document_kinds": ["SHIP_CERTIFICATE"],
        "document": null,
        "valid_from": now,
        "valid_until": now + 365 * 86_400_000_u64,
    }});
    let reply = act(&app, "msa-db", "/v1/custodial/grants?wait=final", terms).await;
    assert_final(&reply);
    // The grant id is derived from the entry id (R25).
    let entry_id = ebl_ledger::hash::Hash32::from_hex(reply.body["id"].as_str().unwrap()).unwrap();
    let entry = ebl_ledger::identity::grant::grant_id(&entry_id).to_hex();
    let grant = read(&app, &format!("/v1/grants/{entry}")).await;
    assert_eq!(grant.status.as_u16(), 200, "{}", grant.body);
    let revoke = act(
        &app,
        "msa-db",
        &format!("/v1/custodial/grants/{entry}/revoke?wait=final"),
        json!({}),
    )
    .await;
    assert_final(&revoke);
    let by_other = act(
        &app,
        "carrier-ops",
        &format!("/v1/custodial/grants/{entry}/revoke?wait=final"),
        json!({}),
    )
    .await;
    assert_eq!(by_other.status.as_u16(), 422, "{}", by_other.body);
}
