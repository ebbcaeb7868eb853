//! Step 4b of the pilot: the consignee reads the bill's DCSA document on its own (Singapore)
//! node, which never received it: the node fetches it over libp2p from a node that holds it,
//! proving with the consignee's custodial key that it asks for a party (R142–R145). To an
//! organisation that is not a party the bill does not exist, on its own node too (R140, R234).
// A command-line tool: its results go to stdout.
#![allow(clippy::print_stdout)]

use super::ctx::Ctx;
use super::ebl::Bill;
use crate::error::{Result, TestnetError};

/// Step 4b (see the module docs).
pub fn read_document(ctx: &Ctx, bill: &Bill) -> Result<()> {
    println!("\n4b. The consignee reads the DCSA document on its node; a non-party cannot");
    let path = format!("/v1/ebls/{}/document", bill.id);
    let consignee = ctx.org("CONSIGNEE")?.node;
    let reply = ctx.get_as("CONSIGNEE", consignee, &path)?;
    if reply.status != 200 {
        return Err(TestnetError::unexpected(
            "4b",
            format!(
                "the consignee should read the document, got HTTP {} {}",
                reply.status, reply.body
            ),
        ));
    }
    let id = ebl_ledger::docid::document_id(&reply.body)
        .map_err(|e| TestnetError::unexpected("4b", format!("not a document: {e}")))?;
    if id != bill.id {
        return Err(TestnetError::unexpected(
            "4b",
            format!("the body hashes to {id}, not to the eBL id {}", bill.id),
        ));
    }
    println!(
        "  ✓ {}: the TransportDocument ({} bytes of JSON) hashes to the eBL id",
        ctx.node_name(consignee),
        reply.body.to_string().len()
    );
    let outsider = ctx.org("CLASS")?.node;
    // R234: to a non-party the bill, its body included, does not exist.
    for path in [path, format!("/v1/ebls/{}", bill.id)] {
        let refused = ctx.get_as("CLASS", outsider, &path)?;
        if refused.status != 404 || refused.code() != Some("UNKNOWN_DOCUMENT") {
            return Err(TestnetError::unexpected(
                "4b",
                format!(
                    "a non-party must be told {path} does not exist, got HTTP {} {}",
                    refused.status, refused.body
                ),
            ));
        }
    }
    println!("  ✓ CLASS (not a party) is told the bill and its document do not exist (404)");
    Ok(())
}
