//! Step 2b of the pilot: the bank checks the authenticity of the offshore trade (R400–R409).
//! The goods never touch the bank's country, so it matches the order, goods and funds flows:
//! the shipper links its purchase order and export customs declaration to the bill, the bank
//! links its letter of credit and the payment, checks every reference it holds against the
//! bill's links in one call, and records a verification receipt citing the matched links.
// A command-line tool: its results go to stdout.
#![allow(clippy::print_stdout)]

use ebl_ledger::entry::{Body, DocumentRef};
use ebl_ledger::hash::Hash32;
use ebl_ledger::receipt::{VerificationOutcome, VerificationReceipt};
use serde_json::{Value, json};

use super::ctx::{Ctx, field};
use super::ebl::Bill;
use crate::error::{Result, TestnetError};

const STEP: &str = "2b";

/// One trade document as its holder keeps it: kind, reference and the bytes it hashes (the
/// bytes stay with the parties; only the hash goes on the ledger).
struct TradeDocument {
    kind: &'static str,
    reference: String,
    content: String,
}

impl TradeDocument {
    fn new(kind: &'static str, reference: String, bill: &Bill) -> Self {
        // Stands for the PDF or EDI message each party holds; it names the shipment.
        let content = format!("{kind} {reference} for transport document {}", bill.id);
        TradeDocument {
            kind,
            reference,
            content,
        }
    }

    fn as_json(&self) -> Value {
        json!({
            "kind": self.kind,
            "reference": self.reference,
            "hash": Hash32::sha256(self.content.as_bytes()).to_hex(),
        })
    }
}

fn link(ctx: &Ctx, org: &str, bill: &Bill, documents: &[&TradeDocument]) -> Result<()> {
    let links: Vec<Value> = documents.iter().map(|d| d.as_json()).collect();
    let path = format!("/v1/custodial/ebls/{}/link-evidence", bill.id);
    let h = ctx.custodial_final(STEP, org, &path, &json!({ "links": links }))?;
    let kinds: Vec<&str> = documents.iter().map(|d| d.kind).collect();
    println!(
        "  ✓ {org} links {} via {} (height {h})",
        kinds.join(", "),
        ctx.node_name(ctx.org(org)?.node)
    );
    Ok(())
}

/// Step 2b (see the module documentation); the bank holds the bill.
pub fn offshore_trade_check(ctx: &Ctx, bill: &Bill, reference: &str) -> Result<()> {
    println!("\n2b. The bank checks the offshore trade: order, goods and funds linked to the eBL");
    let order = TradeDocument::new("PURCHASE_ORDER", format!("PO-{reference}"), bill);
    let customs = TradeDocument::new(
        "CUSTOMS_DECLARATION",
        format!("5301{}", &reference[reference.len().saturating_sub(14)..]),
        bill,
    );
    let credit = TradeDocument::new("LETTER_OF_CREDIT", "LC-2026-GZ-0042".into(), bill);
    let payment = TradeDocument::new("PAYMENT", format!("MT103-{reference}"), bill);
    link(ctx, "SHIPPER", bill, &[&order, &customs])?;
    link(ctx, "BANK", bill, &[&credit, &payment])?;

    let bank = ctx.org("BANK")?.node;
    let held = [&credit, &payment, &order];
    let items: Vec<Value> = held.iter().map(|d| d.as_json()).collect();
    let path = format!("/v1/ebls/{}/evidence/check", bill.id);
    let reply = ctx.post_as("BANK", &path, &json!({ "items": items }))?;
    if reply.status != 200 || reply.body["all_match"] != true {
        return Err(TestnetError::unexpected(
            STEP,
            format!(
                "the bank's linked check should match, got HTTP {} {}",
                reply.status, reply.body
            ),
        ));
    }
    let cites: Vec<u32> = reply.body["cites"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_u64)
                .filter_map(|n| u32::try_from(n).ok())
                .collect()
        })
        .unwrap_or_default();
    let results: Vec<String> = reply.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| format!("{} {}", field(i, "kind"), field(i, "result")))
                .collect()
        })
        .unwrap_or_default();
    println!(
        "  ✓ linked check via {}: {}",
        ctx.node_name(bank),
        results.join(", ")
    );

    let receipt = VerificationReceipt {
        subject: DocumentRef::Ebl { id: bill.id },
        outcome: VerificationOutcome::Verified,
        purpose: "OFFSHORE_TRADE_CHECK".into(),
        detail: "LC, payment and purchase order match the links on the bill".into(),
        cites: cites.clone(),
    };
    let h = ctx.sign_and_submit(STEP, "BANK", bank, Body::Verification(receipt))?;
    let evidence_path = format!("/v1/ebls/{}/evidence", bill.id);
    let cited = |b: &Value| {
        b["links"].as_array().is_some_and(|links| {
            cites.iter().all(|n| {
                links.iter().any(|l| {
                    l["number"].as_u64() == Some(u64::from(*n))
                        && l["cited_by"]
                            .as_array()
                            .is_some_and(|c| c.iter().any(|r| field(r, "verifier") == "BANK"))
                })
            })
        })
    };
    let shipper = ctx.org("SHIPPER")?.node;
    let set = ctx.poll(
        STEP,
        "SHIPPER",
        shipper,
        &evidence_path,
        "the receipt citing the links",
        cited,
    )?;
    println!(
        "  ✓ receipt by BANK citing links {cites:?} final (height {h}); {} link(s) on the eBL, read by the shipper on {}",
        set["links"].as_array().map_or(0, Vec::len),
        ctx.node_name(shipper)
    );
    Ok(())
}
