//! `ebl-testnet scenario pilot`: the China–Singapore pilot of issue 6, end to end through the
//! gateways of different nodes. Each step prints what happened; the first unexpected answer
//! stops the run with [`crate::error::TestnetError::Unexpected`] naming the step.
//!
//! Order: 1 issue (DCSA), 2 to the bank, 2b the bank's linked check of the offshore trade
//! (order, goods and funds references on the bill, a receipt citing them), 3 endorsement to
//! the consignee, 3+5 the bank's transfer raced by the former holder's, 4 verification and
//! receipt in Singapore, 4b the consignee reads the document body on its own node (fetched
//! between nodes), 8 a node killed, 6 surrender and SACC, 7 certificate, grant, endorsement,
//! verification and receipt, 9 a trade approval certificate by GDSW verified and receipted by
//! SGSW, 8b the node restarted and compared. With fewer than four validators the network cannot
//! commit while one is down, so the node is killed and restarted after step 7 instead.
// A command-line tool: its results go to stdout.
#![allow(clippy::print_stdout)]

pub mod attest;
pub mod body;
pub mod cert;
pub mod crash;
pub mod ctx;
pub mod dcsa;
pub mod ebl;
pub mod evidence;
pub mod pint;
pub mod pint_nodes;

use ebl_ledger::time::Timestamp;

use crate::error::{Result, TestnetError};
use crate::state::TestnetState;
use ctx::Ctx;

/// The organisations the steps after the early crash act as (surrender, the ship certificate,
/// the approval certificate).
const ACTING_AFTER_CRASH: [&str; 7] = [
    "CONSIGNEE",
    "CARRIER",
    "MSA",
    "CLASS",
    "MPA",
    "GDSW",
    "SGSW",
];

/// The last node that hosts none of [`ACTING_AFTER_CRASH`]: the one the scenario may kill
/// mid-way. On the plain four-node testnet that is the last node (BANK's); after a partner
/// joined, the last node is the partner's, which the approval step needs.
fn spare_node(state: &TestnetState) -> Option<usize> {
    (0..state.nodes.len()).rev().find(|&i| {
        !state
            .orgs
            .iter()
            .any(|o| o.node == i && ACTING_AFTER_CRASH.contains(&o.id.as_str()))
    })
}

/// Runs the pilot on the testnet of `state`; returns the state as the crash step left it.
pub fn pilot(state: TestnetState) -> Result<TestnetState> {
    let mut ctx = Ctx::new(state);
    let nodes = ctx.state.nodes.len();
    let running = ctx.state.nodes.iter().filter(|n| n.pid.is_some()).count();
    if running < nodes {
        return Err(TestnetError::Usage(format!(
            "only {running} of {nodes} nodes run; `ebl-testnet restart I` first"
        )));
    }
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| TestnetError::Setup(format!("clock: {e}")))?
        .as_millis();
    let now = Timestamp(u64::try_from(millis).unwrap_or(u64::MAX));
    // Unique per run, so the scenario can run again on the same testnet.
    let reference = format!("PILOT{:015}", millis % 1_000_000_000_000_000);
    let utn = format!("MSA-SC-{:010}", millis % 10_000_000_000);
    println!(
        "pilot scenario on {} ({nodes} nodes), eBL {reference}, certificate {utn}",
        ctx.state.chain_id
    );
    // Killed early only when a node holds no key the later steps need and the others keep a
    // quorum (four or more validators); otherwise the last node, after the last step.
    let spare = spare_node(&ctx.state);
    let early_crash = nodes >= 4 && spare.is_some();
    let victim = spare.unwrap_or(nodes - 1);

    let bill = ebl::issue(&ctx, &reference)?;
    ebl::to_bank(&ctx, &bill)?;
    evidence::offshore_trade_check(&ctx, &bill, &reference)?;
    ebl::to_consignee_with_race(&ctx, &bill)?;
    ebl::verify_title(&ctx, &bill, now)?;
    body::read_document(&ctx, &bill)?;
    let mut before = None;
    if early_crash {
        before = Some(crash::kill(&mut ctx, victim)?);
    }
    ebl::surrender(&ctx, &bill)?;
    cert::certificate(&ctx, now, &utn)?;
    attest::approval(
        &ctx,
        now,
        &format!("GDSW-AP-{}", millis % 10_000_000_000),
        &bill.id,
    )?;
    let before = match before {
        Some(height) => height,
        None => crash::kill(&mut ctx, victim)?,
    };
    crash::restart_and_compare(&mut ctx, victim, before)?;
    println!("\npilot scenario passed: 9 of 9 steps");
    Ok(ctx.state)
}
