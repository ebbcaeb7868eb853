//! R386–R388 over custodial HTTP: a maritime administration's database records that a ship
//! changes flag, and every open certificate of the old flag shows FLAG_CHANGED; a refused
//! change answers the ledger's code and leaves the certificates as they were.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod custodial_kit;
mod support;

use custodial_kit::*;
use serde_json::{Value, json};

const IMO: &str = "9074729";

/// Issues certificate `utn` (flag CN, by MSA) valid for a year from today.
async fn issue_certificate(app: &axum::Router, today: &str, until: &str, utn: &str) {
    let body = json!({"certificate": {
        "utn": utn,
        "kind": "SAFETY_EQUIPMENT",
        "ship": {"imo_number": IMO, "name": "PILOT STAR", "flag": "CN",
                 "call_sign": "BPXA", "gross_tonnage": 41000},
        "issued_on": today,
        "expires_on": until,
        "document": null,
        "place": "Guangzhou",
    }});
    let reply = act(app, "msa-db", "/v1/custodial/certificates?wait=final", body).await;
    assert_final(&reply);
}

async fn flag_change(app: &axum::Router, identity: &str, imo: &str, body: Value) -> support::Reply {
    let uri = format!("/v1/custodial/ships/{imo}/flag-change?wait=final");
    act(app, identity, &uri, body).await
}

async fn status_of(app: &axum::Router, utn: &str) -> String {
    let view = read(app, &format!("/v1/certificates/MSA/{utn}")).await;
    assert_eq!(view.status.as_u16(), 200, "{}", view.body);
    view.body["status"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn the_old_flag_s_administration_records_a_flag_change_and_the_certificate_follows() {
    let (node, _c, app) = app();
    let today = node.with(|n| n.time().date());
    let until = today.add_months(12).to_string();
    issue_certificate(&app, &today.to_string(), &until, "UTN-F1").await;
    assert_eq!(status_of(&app, "UTN-F1").await, "VALID");

    let change = json!({"to_flag": "SG", "effective_on": today.to_string(),
                        "remark": "sold to a Singapore owner"});
    let reply = flag_change(&app, "msa-db", IMO, change).await;
    assert_final(&reply);
    assert_eq!(status_of(&app, "UTN-F1").await, "FLAG_CHANGED");
}

#[tokio::test]
async fn refused_flag_changes_answer_the_ledger_s_code_and_change_nothing() {
    let (node, _c, app) = app();
    let today = node.with(|n| n.time().date());
    let until = today.add_months(12).to_string();
    issue_certificate(&app, &today.to_string(), &until, "UTN-F2").await;
    let on = today.to_string();

    // The ship already flies CN: nothing to change.
    let same = flag_change(
        &app,
        "msa-db",
        IMO,
        json!({"to_flag": "CN", "effective_on": on}),
    )
    .await;
    assert_eq!(same.status.as_u16(), 422, "{}", same.body);
    assert_eq!(same.body["code"], "NO_CHANGE", "{}", same.body);

    // A carrier is not a maritime administration.
    let carrier = flag_change(
        &app,
        "carrier-ops",
        IMO,
        json!({"to_flag": "SG", "effective_on": on}),
    )
    .await;
    assert_eq!(carrier.status.as_u16(), 422, "{}", carrier.body);
    assert!(carrier.body["code"].is_string(), "{}", carrier.body);

    // Not an ISO 3166 code, and not an IMO number: refused before the ledger is asked.
    let bad_flag = flag_change(
        &app,
        "msa-db",
        IMO,
        json!({"to_flag": "Singapore", "effective_on": on}),
    )
    .await;
    assert_eq!(bad_flag.status.as_u16(), 422, "{}", bad_flag.body);
    let bad_imo = flag_change(
        &app,
        "msa-db",
        "1234567",
        json!({"to_flag": "SG", "effective_on": on}),
    )
    .await;
    assert_eq!(bad_imo.status.as_u16(), 422, "{}", bad_imo.body);

    // An unknown field is refused (no silent drop of what the caller meant).
    let extra = json!({"to_flag": "SG", "effective_on": on, "from_flag": "CN"});
    let unknown = flag_change(&app, "msa-db", IMO, extra).await;
    assert_eq!(unknown.status.as_u16(), 422, "{}", unknown.body);

    // Without an API key: 401.
    let anonymous = support::send(
        &app,
        axum::http::Method::POST,
        &format!("/v1/custodial/ships/{IMO}/flag-change"),
        "",
        Some(serde_json::to_vec(&json!({"to_flag": "SG", "effective_on": on})).unwrap()),
    )
    .await;
    assert_eq!(anonymous.status.as_u16(), 401, "{}", anonymous.body);

    assert_eq!(status_of(&app, "UTN-F2").await, "VALID");
}
