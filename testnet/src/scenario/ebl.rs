//! Steps 1–6 of the pilot: the bill of lading from issue to surrender, through the gateways of
//! the nodes that hold each party's key.
// A command-line tool: its results go to stdout.
#![allow(clippy::print_stdout)]

use std::sync::{Arc, Barrier};

use ebl_ledger::entry::{ActionKind, Body, DocumentRef};
use ebl_ledger::hash::DocumentId;
use ebl_ledger::identity::{DocumentKind, GrantTerms, Grantee};
use ebl_ledger::ids::OrgId;
use ebl_ledger::receipt::{VerificationOutcome, VerificationReceipt};
use ebl_ledger::time::Timestamp;
use serde_json::{Value, json};

use super::ctx::{Ctx, field, final_height};
use super::dcsa;
use crate::error::{Result, TestnetError};
use crate::http::Reply;

/// The eBL the steps work on.
#[derive(Debug, Clone)]
pub struct Bill {
    /// Document id (transportDocumentChecksum).
    pub id: DocumentId,
    /// The DCSA TransportDocument, as a holder would present it for verification.
    pub document: Value,
}

fn ebl_path(bill: &Bill) -> String {
    format!("/v1/ebls/{}", bill.id)
}

fn action(bill: &Bill, name: &str) -> String {
    format!("/v1/custodial/ebls/{}/{name}", bill.id)
}

/// Step 1: the carrier issues a to-order eBL (to the order of the shipper) from the DCSA
/// sample with `PUT /v3/ebl-issuance-requests` on its node; the answer must be ISSU.
pub fn issue(ctx: &Ctx, reference: &str) -> Result<Bill> {
    println!(
        "\n1. The carrier issues a to-order eBL from the DCSA sample (PUT /v3/ebl-issuance-requests)"
    );
    let carrier = ctx.org("CARRIER")?;
    let (bill, record) = issue_to(ctx, "1", reference, "SHIPPER")?;
    println!(
        "  ✓ ISSU via {}: {reference}, id {}, holder {}, endorsee {}, status {}",
        ctx.node_name(carrier.node),
        bill.id,
        field(&record, "holder"),
        field(&record, "endorsee"),
        field(&record, "status")
    );
    Ok(bill)
}

/// The carrier issues the DCSA sample as `reference`, to the order of `holder`, on its node
/// (DCSA ISS, answer ISSU), and the bill is read back with `holder` as holder; returns the
/// bill and that record. `step` names the caller in errors.
pub fn issue_to(ctx: &Ctx, step: &str, reference: &str, holder: &str) -> Result<(Bill, Value)> {
    let (request, id) = dcsa::issuance_request(reference, holder, &ctx.signing_key("CARRIER")?)?;
    let carrier = ctx.org("CARRIER")?;
    let url = format!(
        "{}/v3/ebl-issuance-requests?responseMode=sync",
        ctx.url(carrier.node)?
    );
    let reply = ctx
        .client
        .call("PUT", &url, &carrier.api_key, Some(&request))?;
    if reply.status != 200 || field(&reply.body, "issuanceResponseCode") != "ISSU" {
        return Err(TestnetError::unexpected(
            step,
            format!(
                "{reference}: expected ISSU, got HTTP {} {}",
                reply.status, reply.body
            ),
        ));
    }
    let bill = Bill {
        id,
        document: request["document"].clone(),
    };
    let record = ctx.poll(
        step,
        "CARRIER",
        carrier.node,
        &ebl_path(&bill),
        "the issued eBL",
        |b| field(b, "holder") == holder,
    )?;
    Ok((bill, record))
}

/// Step 2: the shipper endorses the eBL to its bank under the letter of credit and transfers
/// possession; the bank's own node then shows the bank as holder.
pub fn to_bank(ctx: &Ctx, bill: &Bill) -> Result<()> {
    println!("\n2. The shipper passes the eBL to its bank under the letter of credit");
    let shipper = ctx.org("SHIPPER")?.node;
    let h = ctx.custodial_final(
        "2",
        "SHIPPER",
        &action(bill, "endorse-to-order"),
        &json!({"endorsee": "BANK"}),
    )?;
    println!(
        "  ✓ ENDORSE_TO_ORDER to BANK via {} (height {h})",
        ctx.node_name(shipper)
    );
    let h = ctx.custodial_final(
        "2",
        "SHIPPER",
        &action(bill, "transfer"),
        &json!({"to": "BANK", "remark": "LC 2026/GZ/0042"}),
    )?;
    println!(
        "  ✓ TRANSFER to BANK via {} (height {h})",
        ctx.node_name(shipper)
    );
    let bank = ctx.org("BANK")?.node;
    ctx.poll("2", "BANK", bank, &ebl_path(bill), "BANK as holder", |b| {
        field(b, "holder") == "BANK"
    })?;
    println!("  ✓ {} shows BANK as holder", ctx.node_name(bank));
    Ok(())
}

/// Step 3 (endorsement) and steps 3+5 (the transfer, raced by a former holder): the bank
/// endorses to the Singapore consignee, then transfers possession through its node while the
/// shipper, a former holder, tries to transfer the same eBL through another node at the same
/// moment. Exactly one of the two may commit: the bank's.
pub fn to_consignee_with_race(ctx: &Ctx, bill: &Bill) -> Result<()> {
    println!("\n3. The bank endorses the eBL to the consignee in Singapore");
    let bank = ctx.org("BANK")?.node;
    let shipper = ctx.org("SHIPPER")?.node;
    let h = ctx.custodial_final(
        "3",
        "BANK",
        &action(bill, "endorse-to-order"),
        &json!({"endorsee": "CONSIGNEE"}),
    )?;
    println!(
        "  ✓ ENDORSE_TO_ORDER to CONSIGNEE via {} (height {h})",
        ctx.node_name(bank)
    );
    println!(
        "\n3+5. BANK transfers to CONSIGNEE via {} while SHIPPER (a former holder) transfers to BUYER2 via {}, concurrently",
        ctx.node_name(bank),
        ctx.node_name(shipper)
    );
    let barrier = Arc::new(Barrier::new(2));
    let race = |org: &'static str, to: &'static str| {
        let barrier = barrier.clone();
        let path = format!(
            "{}?wait=final&timeout_ms={}",
            action(bill, "transfer"),
            super::ctx::WAIT_FINAL_MS
        );
        move || -> Result<Reply> {
            barrier.wait();
            ctx.post_as(org, &path, &json!({"to": to}))
        }
    };
    let (good, stale) = std::thread::scope(|s| {
        let good = s.spawn(race("BANK", "CONSIGNEE"));
        let stale = s.spawn(race("SHIPPER", "BUYER2"));
        (good.join(), stale.join())
    });
    let joined = |r: std::thread::Result<Result<Reply>>| {
        r.map_err(|_| TestnetError::unexpected("5", "a transfer thread panicked"))?
    };
    let (good, stale) = (joined(good)?, joined(stale)?);
    let h = final_height("3", "BANK transfer to CONSIGNEE", &good)?;
    println!("  ✓ BANK → CONSIGNEE final (height {h})");
    if stale.status != 422 || stale.code() != Some("NOT_HOLDER") {
        return Err(TestnetError::unexpected(
            "5",
            format!(
                "the former holder's transfer should be rejected NOT_HOLDER, got HTTP {} {}",
                stale.status, stale.body
            ),
        ));
    }
    println!(
        "  ✓ SHIPPER → BUYER2 rejected: {} (exactly one of the two committed)",
        stale.code().unwrap_or("")
    );
    Ok(())
}

/// Step 4: the consignee lets the Singapore single window read the bill's title (a
/// `READ_TITLE` grant, R233: the single window is no party), which then verifies title from
/// its own node (`POST /v1/verify`, presented by the consignee) and records a verification
/// receipt signed with its own key. `now` is the wall-clock time the grant's window starts
/// from.
pub fn verify_title(ctx: &Ctx, bill: &Bill, now: Timestamp) -> Result<()> {
    println!(
        "\n4. The consignee lets the Singapore single window read the title; it verifies and records a receipt"
    );
    let grant = GrantTerms {
        grantee: Grantee::Organisation(OrgId("SGSW".into())),
        actions: vec![ActionKind::EblReadTitle],
        document_kinds: vec![DocumentKind::Ebl],
        document: Some(DocumentRef::Ebl { id: bill.id }),
        // A minute of slack: block times come from the proposers' clocks.
        valid_from: Timestamp(now.0.saturating_sub(60_000)),
        valid_until: Timestamp(now.0 + 30 * 86_400_000),
    };
    let grant = serde_json::to_value(&grant)
        .map_err(|e| TestnetError::Setup(format!("grant JSON: {e}")))?;
    let h = ctx.custodial_final(
        "4",
        "CONSIGNEE",
        "/v1/custodial/grants",
        &json!({ "grant": grant }),
    )?;
    println!("  ✓ CONSIGNEE grants SGSW READ_TITLE on the bill (height {h})");
    let sgsw = ctx.org("SGSW")?.node;
    let record = ctx.poll(
        "4",
        "SGSW",
        sgsw,
        &ebl_path(bill),
        "CONSIGNEE as holder",
        |b| field(b, "holder") == "CONSIGNEE",
    )?;
    let url = format!("{}/v1/verify?holder=CONSIGNEE", ctx.url(sgsw)?);
    let result = ctx
        .client
        .post(&url, &ctx.org("SGSW")?.api_key, &bill.document)?;
    if result.status != 200 || field(&result.body, "outcome") != "VERIFIED" {
        return Err(TestnetError::unexpected(
            "4",
            format!(
                "verification should pass, got HTTP {} {}",
                result.status, result.body
            ),
        ));
    }
    let checks: Vec<String> = result.body["checks"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| format!("{} {}", field(c, "check"), field(c, "result")))
                .collect()
        })
        .unwrap_or_default();
    println!(
        "  ✓ {}: VERIFIED ({}); holder {}, endorsee {}",
        ctx.node_name(sgsw),
        checks.join(", "),
        field(&record, "holder"),
        field(&record, "endorsee")
    );
    let receipt = VerificationReceipt {
        subject: DocumentRef::Ebl { id: bill.id },
        outcome: VerificationOutcome::Verified,
        purpose: "IMPORT_CLEARANCE".into(),
        detail: "INTEGRITY, STATUS, ISSUER, HOLDER passed; holder CONSIGNEE".into(),
        cites: Vec::new(),
    };
    let h = ctx.sign_and_submit("4", "SGSW", sgsw, Body::Verification(receipt))?;
    let receipts = ctx.poll(
        "4",
        "SGSW",
        sgsw,
        &format!("{}/receipts", ebl_path(bill)),
        "the receipt",
        |b| {
            b["receipts"]
                .as_array()
                .is_some_and(|r| r.iter().any(|r| field(r, "verifier") == "SGSW"))
        },
    )?;
    println!(
        "  ✓ receipt by SGSW final (height {h}); {} receipt(s) on the eBL",
        receipts["receipts"].as_array().map_or(0, Vec::len)
    );
    Ok(())
}

/// Step 6 (DCSA SUR, ADR 0032): the consignee asks its own node to surrender for delivery
/// (`POST /v3/ebl-surrender-requests`, the reference goes on the ledger), the carrier answers
/// SURR through *its* node (`POST /v3/ebl-surrender-responses`, found by reference in ledger
/// state), and a later transfer by the carrier is refused because the document is closed.
pub fn surrender(ctx: &Ctx, bill: &Bill) -> Result<()> {
    println!(
        "\n6. The consignee surrenders the eBL for delivery (DCSA SUR) and the carrier accepts"
    );
    let consignee = ctx.org("CONSIGNEE")?.node;
    let carrier = ctx.org("CARRIER")?.node;
    let reference = field(&bill.document, "transportDocumentReference");
    let request_reference = format!("SUR-{}", &bill.id.to_hex()[..16]);
    let request = json!({
        "surrenderRequestReference": request_reference,
        "transportDocumentReference": reference,
        "surrenderRequestCode": "SREQ",
    });
    let reply = ctx.post_as("CONSIGNEE", "/v3/ebl-surrender-requests", &request)?;
    if !matches!(reply.status, 202 | 204) {
        return Err(TestnetError::unexpected(
            "6",
            format!(
                "the surrender request: HTTP {} {}",
                reply.status, reply.body
            ),
        ));
    }
    println!(
        "  ✓ SREQ {request_reference} via {} (HTTP {})",
        ctx.node_name(consignee),
        reply.status
    );
    ctx.poll(
        "6",
        "CARRIER",
        carrier,
        &ebl_path(bill),
        "the surrender",
        |b| field(b, "status") == "SURRENDER_FOR_DELIVERY_PENDING",
    )?;
    let answer = json!({"surrenderRequestReference": request_reference, "action": "SURR"});
    let reply = ctx.post_as("CARRIER", "/v3/ebl-surrender-responses", &answer)?;
    if !matches!(reply.status, 202 | 204) {
        return Err(TestnetError::unexpected(
            "6",
            format!("the carrier's SURR: HTTP {} {}", reply.status, reply.body),
        ));
    }
    ctx.poll(
        "6",
        "CARRIER",
        carrier,
        &ebl_path(bill),
        "the accepted surrender",
        |b| field(b, "status") == "ACCOMPLISHED",
    )?;
    println!("  ✓ SURR (SACC) via {}", ctx.node_name(carrier));
    let path = format!(
        "{}?wait=final&timeout_ms={}",
        action(bill, "transfer"),
        super::ctx::WAIT_FINAL_MS
    );
    let later = ctx.post_as("CARRIER", &path, &json!({"to": "BANK"}))?;
    if later.status != 422 || later.code() != Some("DOCUMENT_CLOSED") {
        return Err(TestnetError::unexpected(
            "6",
            format!(
                "a transfer after SACC should be rejected DOCUMENT_CLOSED, got HTTP {} {}",
                later.status, later.body
            ),
        ));
    }
    let record = ctx.get_as("CARRIER", carrier, &ebl_path(bill))?.body;
    if field(&record, "status") != "ACCOMPLISHED" {
        return Err(TestnetError::unexpected(
            "6",
            format!("after SACC the eBL should be ACCOMPLISHED: {record}"),
        ));
    }
    println!(
        "  ✓ a later transfer is rejected DOCUMENT_CLOSED; status {}, {} history entries",
        field(&record, "status"),
        record["history"].as_array().map_or(0, Vec::len)
    );
    Ok(())
}
