//! Step 7 of the pilot: the maritime administration lets its class society endorse, issues a
//! Cargo Ship Safety Construction Certificate, the class society records the annual
//! endorsement for it, and the Singapore port authority verifies the certificate from its own
//! node and records a receipt.
// A command-line tool: its results go to stdout.
#![allow(clippy::print_stdout)]

use ebl_ledger::cert::{
    CertificateIssue, CertificateKind, CertificateRef, Endorsement, EndorsementKind, Ship,
};
use ebl_ledger::entry::{ActionKind, Body, DocumentRef};
use ebl_ledger::identity::{DocumentKind, GrantTerms, Grantee};
use ebl_ledger::ids::OrgId;
use ebl_ledger::receipt::{VerificationOutcome, VerificationReceipt};
use ebl_ledger::time::Timestamp;
use serde_json::{Value, json};

use super::ctx::{Ctx, field};
use crate::error::{Result, TestnetError};

const DAY_MS: u64 = 86_400_000;

fn org(id: &str) -> Result<OrgId> {
    OrgId::new(id).map_err(|e| TestnetError::Setup(format!("organisation id {id}: {e}")))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| TestnetError::Setup(format!("JSON: {e}")))
}

/// Runs step 7 at wall-clock time `now` with certificate number `utn`.
pub fn certificate(ctx: &Ctx, now: Timestamp, utn: &str) -> Result<()> {
    println!(
        "\n7. The maritime administration lets its class society endorse, issues a certificate, the RO endorses it"
    );
    let msa = ctx.org("MSA")?.node;
    let grant = GrantTerms {
        grantee: Grantee::Organisation(org("CLASS")?),
        actions: vec![ActionKind::CertEndorse],
        document_kinds: vec![DocumentKind::ShipCertificate],
        document: None,
        // A minute of slack: block times come from the proposers' clocks.
        valid_from: Timestamp(now.0.saturating_sub(60_000)),
        valid_until: Timestamp(now.0 + 365 * DAY_MS),
    };
    let h = ctx.custodial_final(
        "7",
        "MSA",
        "/v1/custodial/grants",
        &json!({"grant": to_json(&grant)?}),
    )?;
    println!(
        "  ✓ MSA grants CLASS the right to endorse ship certificates via {} (height {h})",
        ctx.node_name(msa)
    );
    // Issued ten months ago: the annual survey window (anniversary ± 3 months) is open today.
    let today = now.date();
    let issued_on = today.add_months(-10);
    let issue = CertificateIssue {
        utn: utn.to_string(),
        kind: CertificateKind::SafetyConstruction,
        ship: Ship {
            imo_number: "9074729".into(),
            name: "PILOT STAR".into(),
            flag: "CN".into(),
            call_sign: "BPXA".into(),
            gross_tonnage: 41_000,
        },
        issued_on,
        expires_on: issued_on.add_months(60),
        document: None,
        place: "Guangzhou".into(),
    };
    let h = ctx.custodial_final(
        "7",
        "MSA",
        "/v1/custodial/certificates",
        &json!({"certificate": to_json(&issue)?}),
    )?;
    println!("  ✓ Cargo Ship Safety Construction Certificate {utn} issued by MSA (height {h})");
    let class = ctx.org("CLASS")?.node;
    let endorsement = Endorsement {
        kind: EndorsementKind::Annual,
        survey_date: today,
        place: "Nansha".into(),
        surveyor: "J. Chen".into(),
        extended_until: None,
    };
    let path = format!("/v1/custodial/certificates/MSA/{utn}/endorse");
    let body = json!({"endorsement": to_json(&endorsement)?, "act_for": "MSA"});
    let h = ctx.custodial_final("7", "CLASS", &path, &body)?;
    println!(
        "  ✓ annual endorsement recorded by CLASS for MSA via {} (height {h})",
        ctx.node_name(class)
    );

    println!(
        "\n7b. The Singapore port authority verifies the certificate on its own node and records a receipt"
    );
    let mpa = ctx.org("MPA")?.node;
    let cert_path = format!("/v1/certificates/MSA/{utn}");
    ctx.poll(
        "7",
        "MPA",
        mpa,
        &cert_path,
        "the endorsed certificate",
        |c| c.to_string().contains("Nansha"),
    )?;
    let url = format!("{}/v1/verify", ctx.url(mpa)?);
    let request = json!({"certificate": {"administration": "MSA", "utn": utn}});
    let result = ctx.client.post(&url, &ctx.org("MPA")?.api_key, &request)?;
    if result.status != 200 || field(&result.body, "outcome") != "VERIFIED" {
        return Err(TestnetError::unexpected(
            "7",
            format!(
                "certificate verification should pass, got HTTP {} {}",
                result.status, result.body
            ),
        ));
    }
    println!("  ✓ {}: certificate VERIFIED", ctx.node_name(mpa));
    let receipt = VerificationReceipt {
        subject: DocumentRef::Certificate(CertificateRef {
            administration: org("MSA")?,
            utn: utn.to_string(),
        }),
        outcome: VerificationOutcome::Verified,
        purpose: "PORT_STATE_CONTROL".into(),
        detail: "valid, annual endorsement recorded".into(),
        cites: Vec::new(),
    };
    let h = ctx.sign_and_submit("7", "MPA", mpa, Body::Verification(receipt))?;
    ctx.poll(
        "7",
        "MPA",
        mpa,
        &format!("{cert_path}/receipts"),
        "the receipt",
        |b| {
            b["receipts"]
                .as_array()
                .is_some_and(|r| r.iter().any(|r| field(r, "verifier") == "MPA"))
        },
    )?;
    println!("  ✓ receipt by MPA final (height {h})");
    Ok(())
}
