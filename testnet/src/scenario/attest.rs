//! Step 9 of the pilot: the Guangdong single window's authority issues a paperless approval
//! certificate for the shipment (sealed by its signature, linked to the eBL), and the Singapore
//! single window, on its own node, verifies the approval document it was shown by its hash,
//! reads the public facts the QR code leads to, and records a verification receipt
//! (specs/protocol.md §9z).
// A command-line tool: its results go to stdout.
#![allow(clippy::print_stdout)]

use ebl_ledger::attest::{AttestFacts, AttestIssue, AttestRef, Subject, TradeCertificateKind};
use ebl_ledger::entry::{Body, DocumentRef};
use ebl_ledger::hash::{DocumentId, Hash32};
use ebl_ledger::ids::OrgId;
use ebl_ledger::receipt::{VerificationOutcome, VerificationReceipt};
use ebl_ledger::time::Timestamp;
use serde_json::json;

use super::ctx::{Ctx, field};
use crate::error::{Result, TestnetError};

/// Runs step 9 at wall-clock time `now` with approval number `number` for eBL `ebl`.
pub fn approval(ctx: &Ctx, now: Timestamp, number: &str, ebl: &DocumentId) -> Result<()> {
    println!(
        "\n9. GDSW's authority issues a paperless approval certificate; the Singapore single window verifies it"
    );
    // The approval as the single window's system issued it (off-ledger); the ledger seals
    // its SHA-256.
    let document_text = format!(
        "{{\"approval\":\"{number}\",\"type\":\"export licence\",\"goods\":\"soybean meal\"}}"
    );
    let document = Hash32::sha256(document_text.as_bytes());
    let today = now.date();
    let issue = AttestIssue {
        number: number.to_string(),
        kind: TradeCertificateKind::ApprovalCertificate,
        facts: AttestFacts {
            subject: Subject {
                exporter: "Guangzhou Soy Exporters".into(),
                importer: "Singapore Foods Pte".into(),
                goods: "Soybean meal, HS 2304.00".into(),
                origin_country: "CN".into(),
                destination_country: "SG".into(),
                ebl: Some(*ebl),
            },
            document,
            valid_from: today,
            valid_until: today.add_months(3),
            place: "Guangzhou".into(),
        },
    };
    let body =
        serde_json::to_value(&issue).map_err(|e| TestnetError::Setup(format!("JSON: {e}")))?;
    let h = ctx.custodial_final(
        "9",
        "GDSW",
        "/v1/custodial/trade-certificates",
        &json!({"certificate": body}),
    )?;
    let gdsw = ctx.org("GDSW")?.node;
    println!(
        "  ✓ approval certificate GDSW/{number} sealed by GDSW via {} (height {h})",
        ctx.node_name(gdsw)
    );

    let sgsw = ctx.org("SGSW")?.node;
    let public_path = format!("/public/v1/trade-certificates/GDSW/{number}");
    let public = ctx.poll("9", "SGSW", sgsw, &public_path, "the approval", |b| {
        field(b, "status") == "VALID"
    })?;
    if public.get("subject").is_some() || public.to_string().contains("Singapore Foods") {
        return Err(TestnetError::unexpected(
            "9",
            format!("the public view names the trade's parties: {public}"),
        ));
    }
    let url = format!("{}/v1/verify", ctx.url(sgsw)?);
    let request = json!({
        "trade_certificate": {"authority": "GDSW", "number": number},
        "document_hash": document.to_hex(),
    });
    let result = ctx.client.post(&url, &ctx.org("SGSW")?.api_key, &request)?;
    if result.status != 200 || field(&result.body, "outcome") != "VERIFIED" {
        return Err(TestnetError::unexpected(
            "9",
            format!(
                "approval verification should pass, got HTTP {} {}",
                result.status, result.body
            ),
        ));
    }
    println!(
        "  ✓ {}: the approval document's hash matches the seal, status VALID, issuer GDSW",
        ctx.node_name(sgsw)
    );
    let receipt = VerificationReceipt {
        subject: DocumentRef::Attested(AttestRef {
            authority: OrgId::new("GDSW")
                .map_err(|e| TestnetError::Setup(format!("organisation id: {e}")))?,
            number: number.to_string(),
        }),
        outcome: VerificationOutcome::Verified,
        purpose: "IMPORT_CLEARANCE".into(),
        detail: "approval document hash matches the seal".into(),
        cites: Vec::new(),
    };
    let h = ctx.sign_and_submit("9", "SGSW", sgsw, Body::Verification(receipt))?;
    ctx.poll(
        "9",
        "SGSW",
        sgsw,
        &format!("/v1/trade-certificates/GDSW/{number}/receipts"),
        "the receipt",
        |b| {
            b["receipts"]
                .as_array()
                .is_some_and(|r| r.iter().any(|r| field(r, "verifier") == "SGSW"))
        },
    )?;
    println!("  ✓ receipt by SGSW final (height {h})");
    Ok(())
}
