//! R230–R238: what an anonymous caller, a member that is no party, a party, an authority a
//! party granted READ_TITLE, and the regulator each see of the same bill, route by route.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod privacy_kit;

use axum::http::Method;
use ebl_ledger::identity::GrantAction;
use privacy_kit::*;
use serde_json::{Value, json};

/// The routes that show an eBL's title, for bill `id` with the sample's reference.
fn title_routes(id: &str) -> Vec<String> {
    let (_, reference, _) = sample();
    vec![
        format!("/v1/ebls/{id}"),
        format!("/v1/ebls?carrier=CARRIER&reference={reference}"),
        format!("/v1/ebls/{id}/receipts"),
        format!("/v1/ebls/{id}/evidence"),
        format!("/v1/proofs/ebls/{id}"),
        format!("/v3/endorsement-chains/{reference}"),
        format!("/endorsement-chains/{reference}"),
    ]
}

/// Whether a JSON answer names any of the bill's title parties.
fn names_title_parties(body: &Value) -> bool {
    let text = body.to_string();
    ["\"BANK\"", "SHIPPER", "Bank of Canton", "SGSW"]
        .iter()
        .any(|p| text.contains(p))
}

#[tokio::test]
async fn anyone_sees_integrity_status_and_issuer_and_nothing_of_the_title() {
    let (node, app) = app_with(config());
    let (id, _) = bill_on_ledger(&node);
    let public = get(&app, &format!("/public/v1/ebls/{id}"), Who::Nobody).await;
    assert_eq!(public.status, 200, "{}", public.body);
    assert_eq!(public.body["id"], id);
    assert_eq!(public.body["status"], "ACTIVE");
    assert_eq!(public.body["carrier"], "CARRIER");
    let mut fields: Vec<&str> = public
        .body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        ["carrier", "carrier_names", "id", "issued_at", "status"]
    );
    // R380: the carrier's names in both scripts are as public as its id.
    assert_eq!(public.body["carrier_names"]["en"], "Ocean Line Shipping Co");
    assert_eq!(public.body["carrier_names"]["zh"], "远洋航运有限公司");

    let (_, _, document) = sample();
    for body in [json!({ "ebl": id }), document] {
        let verdict = send(
            &app,
            Method::POST,
            "/public/v1/verify",
            Who::Nobody,
            Some(&body),
        )
        .await;
        assert_eq!(verdict.status, 200, "{}", verdict.body);
        assert_eq!(verdict.body["outcome"], "VERIFIED", "{}", verdict.body);
        let checks: Vec<&str> = verdict.body["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["check"].as_str().unwrap())
            .collect();
        // PARTIES compares the presented document (or is SKIPPED for an id) without naming
        // the ledger's parties (R238).
        assert_eq!(checks, ["INTEGRITY", "STATUS", "ISSUER", "PARTIES"]);
        assert!(!names_title_parties(&verdict.body), "{}", verdict.body);
    }
    let qr = get(&app, &format!("/public/v1/qr/ebls/{id}.svg"), Who::Nobody).await;
    assert_eq!(qr.status, 200);
}

#[tokio::test]
async fn the_public_view_of_an_unknown_bill_is_404() {
    let (_node, app) = app_with(config());
    let reply = get(
        &app,
        &format!("/public/v1/ebls/{}", "ab".repeat(32)),
        Who::Nobody,
    )
    .await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.body["code"], "UNKNOWN_DOCUMENT");
}

#[tokio::test]
async fn every_party_reads_the_title_history_receipts_proof_and_chain() {
    let (node, app) = app_with(config());
    let (id, _) = bill_on_ledger(&node);
    // SHIPPER is a former holder (by key), BANK the holder and CARRIER the issuer (by
    // member certificate).
    for who in [
        Who::Key(SHIPPER_KEY),
        Who::Cert("BANK"),
        Who::Cert("CARRIER"),
    ] {
        for uri in title_routes(&id) {
            let reply = get(&app, &uri, who).await;
            assert_eq!(reply.status, 200, "{who:?} {uri}: {}", reply.body);
        }
        let ebl = get(&app, &format!("/v1/ebls/{id}"), who).await;
        assert_eq!(ebl.body["holder"], "BANK");
        assert_eq!(ebl.body["history"][1]["action"], "TRANSFER");
        assert_eq!(ebl.body["history"][1]["to"], "BANK");
    }
}

#[tokio::test]
async fn a_member_that_is_no_party_is_told_the_bill_does_not_exist() {
    let (node, app) = app_with(config());
    let (id, _) = bill_on_ledger(&node);
    let unknown = "cd".repeat(32);
    let never = get(&app, &format!("/v1/ebls/{unknown}"), Who::Key(STRANGER_KEY)).await;
    let never_by_reference = get(
        &app,
        "/v1/ebls?carrier=CARRIER&reference=NEVER-ISSUED",
        Who::Key(STRANGER_KEY),
    )
    .await;
    assert_eq!(never_by_reference.status, 404);
    for who in [
        Who::Key(STRANGER_KEY),
        Who::Cert("BUYER2"),
        Who::Key(UNBOUND_KEY),
        // R235: admin is not the regulator's full read.
        Who::Key(ADMIN_KEY),
    ] {
        for uri in title_routes(&id) {
            let reply = get(&app, &uri, who).await;
            assert_eq!(reply.status, 404, "{who:?} {uri}: {}", reply.body);
            assert!(!names_title_parties(&reply.body), "{who:?} {uri}");
        }
        // R234: the same answer as for a bill that never existed.
        let reply = get(&app, &format!("/v1/ebls/{id}"), who).await;
        assert_eq!(reply.body["code"], never.body["code"]);
        assert_eq!(reply.body["detail"], never.body["detail"]);
        let by_reference = get(&app, &title_routes(&id)[1], who).await;
        assert_eq!(
            by_reference.body["detail"],
            never_by_reference.body["detail"]
        );
    }
}

#[tokio::test]
async fn an_authority_a_party_granted_read_title_reads_until_the_grant_is_revoked() {
    let (node, app) = app_with(config());
    let (id, grant) = bill_on_ledger(&node);
    for uri in title_routes(&id) {
        let reply = get(&app, &uri, Who::Key(AUTHORITY_KEY)).await;
        assert_eq!(reply.status, 200, "{uri}: {}", reply.body);
    }
    node.with(|n| {
        n.submit(
            "BANK",
            ebl_ledger::entry::Body::Grant(GrantAction::Revoke { grant }),
        )
    })
    .unwrap();
    for uri in title_routes(&id) {
        let reply = get(&app, &uri, Who::Key(AUTHORITY_KEY)).await;
        assert_eq!(reply.status, 404, "{uri}: {}", reply.body);
    }
}

#[tokio::test]
async fn a_read_grant_given_by_a_non_party_lets_nobody_read() {
    let (node, app) = app_with(config());
    let (issue, transfer, grant) = (issue(&node), transfer_to_bank(&node), read_grant(&node));
    node.with(|n| {
        n.submit("CARRIER", issue).unwrap();
        n.submit("SHIPPER", transfer).unwrap();
        // BUYER2 is no party of the bill: its grant names the bill but gives nothing.
        n.submit("BUYER2", grant).unwrap();
    });
    let id = sample().0.to_hex();
    let reply = get(&app, &format!("/v1/ebls/{id}"), Who::Key(AUTHORITY_KEY)).await;
    assert_eq!(reply.status, 404, "{}", reply.body);
}

#[tokio::test]
async fn the_regulator_reads_every_title_and_each_read_is_audited() {
    let (node, app) = app_with(config());
    let (id, _) = bill_on_ledger(&node);
    let before = ebl_gateway::privacy::regulator_reads();
    let routes = title_routes(&id);
    for uri in &routes {
        let reply = get(&app, uri, Who::Key(REGULATOR_KEY)).await;
        assert_eq!(reply.status, 200, "{uri}: {}", reply.body);
    }
    assert_eq!(
        ebl_gateway::privacy::regulator_reads(),
        before + routes.len() as u64
    );
    let ebl = get(&app, &format!("/v1/ebls/{id}"), Who::Key(REGULATOR_KEY)).await;
    assert_eq!(ebl.body["holder"], "BANK");
}

#[tokio::test]
async fn a_verifier_that_is_no_party_learns_only_that_it_does_not_hold_the_bill() {
    let (node, app) = app_with(config());
    bill_on_ledger(&node);
    let (_, _, document) = sample();
    let reply = send(
        &app,
        Method::POST,
        "/v1/verify?holder=BANK",
        Who::Key(STRANGER_KEY),
        Some(&document),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["outcome"], "INCONCLUSIVE", "{}", reply.body);
    let checks = reply.body["checks"].as_array().unwrap();
    assert_eq!(checks[0]["code"], "INTEGRITY_OK");
    assert_eq!(checks[1]["code"], "ACTIVE");
    assert_eq!(checks[2]["code"], "ISSUER_OK");
    assert_eq!(checks[3]["check"], "HOLDER");
    assert_eq!(checks[3]["code"], "HOLDER_UNDISCLOSED");
    assert!(checks[3]["message"].as_str().unwrap().contains("BUYER2"));
    assert!(!names_title_parties(&reply.body), "{}", reply.body);
}

#[tokio::test]
async fn a_party_verifier_gets_the_full_holder_check() {
    let (node, app) = app_with(config());
    bill_on_ledger(&node);
    let (_, _, document) = sample();
    for who in [
        Who::Key(SHIPPER_KEY),
        Who::Cert("BANK"),
        Who::Key(AUTHORITY_KEY),
    ] {
        let pass = send(
            &app,
            Method::POST,
            "/v1/verify?holder=BANK",
            who,
            Some(&document),
        )
        .await;
        assert_eq!(pass.body["outcome"], "VERIFIED", "{who:?}: {}", pass.body);
        assert_eq!(pass.body["checks"][3]["code"], "HOLDER_OK");
        let fail = send(
            &app,
            Method::POST,
            "/v1/verify?holder=SHIPPER",
            who,
            Some(&document),
        )
        .await;
        assert_eq!(fail.body["checks"][3]["code"], "HOLDER_MISMATCH", "{who:?}");
    }
}

#[tokio::test]
async fn block_entries_show_bodies_and_signers_to_the_regulator_only() {
    let (node, app) = app_with(config());
    bill_on_ledger(&node);
    // Block 2 holds SHIPPER's transfer to BANK.
    let stranger = get(&app, "/v1/blocks/2", Who::Key(STRANGER_KEY)).await;
    assert_eq!(stranger.status, 200, "{}", stranger.body);
    let entry = &stranger.body["entries"][0];
    assert_eq!(entry["action"], "TRANSFER");
    for hidden in ["body", "signer", "act_for", "sequence"] {
        assert!(entry.get(hidden).is_none(), "{hidden}: {entry}");
    }
    assert!(!names_title_parties(&stranger.body));
    let regulator = get(&app, "/v1/blocks/2", Who::Key(REGULATOR_KEY)).await;
    assert_eq!(
        regulator.body["entries"][0]["body"]["body"]["to"], "BANK",
        "{}",
        regulator.body
    );
}

#[tokio::test]
async fn a_verifier_bound_to_no_organisation_gets_no_holder_check() {
    let (node, app) = app_with(config());
    bill_on_ledger(&node);
    let (_, _, document) = sample();
    let reply = send(
        &app,
        Method::POST,
        "/v1/verify?holder=BANK",
        Who::Key(UNBOUND_KEY),
        Some(&document),
    )
    .await;
    assert_eq!(reply.body["outcome"], "VERIFIED", "{}", reply.body);
    let checks: Vec<&str> = reply.body["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    assert_eq!(checks, ["INTEGRITY", "STATUS", "ISSUER", "PARTIES"]);
    assert!(!names_title_parties(&reply.body), "{}", reply.body);
}
