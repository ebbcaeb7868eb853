//! `ebl-testnet join ORG`: a partner joins the running network (R440–R449,
//! specs/adr/0049-partner-join.md). Each step is one function, printed as it runs, in the order
//! real operators run them on their own machines (OPERATIONS.md "A partner joins"):
//!
//! - (a) the partner makes its organisation key, its validator key and a CSR ([`partner`]);
//! - (b) the consortium CA vets the CSR and issues the certificate ([`ca`]);
//! - a probe: an entry signed by the partner is refused before admission (R447);
//! - (c) the members admit it by a vote of more than 2/3 of the validator power ([`vote`]);
//! - (d) its node is written from the network's genesis and peers, started, and follows the
//!   chain by value sync until it holds the network's height ([`node_home`]);
//! - (e) a second vote adds its validator key; the node then signs with it and its precommits
//!   appear in commit certificates (R446);
//! - (f) business through its gateway becomes final on every node, and every node holds the
//!   same state root at the same height (R448).
// A command-line tool: its results go to stdout.
#![allow(clippy::print_stdout)]

pub mod ca;
pub mod network;
pub mod node_home;
pub mod partner;
pub mod steps;
pub mod vote;

use std::time::{Duration, Instant};

use crate::error::{Result, TestnetError};
use crate::state::TestnetState;

/// `ebl-testnet join` arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct JoinArgs {
    /// The pilot organisation that joins (one left out of genesis with `up --late ORG`).
    pub org: String,
    /// Bound on each wait (catch-up, first signed block), in seconds.
    #[arg(long, default_value_t = 120)]
    pub timeout: u64,
}

/// What the join measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinReport {
    /// Index of the joined node.
    pub node: usize,
    /// The whole join, from key generation to the node's first signed certificate.
    pub total: Duration,
    /// Height the new node caught up to.
    pub caught_up_height: u64,
    /// From its start to holding that height.
    pub catch_up: Duration,
    /// Height of the first block whose certificate carries its signature.
    pub first_signed_height: u64,
}

/// Runs `ebl-testnet join`.
pub fn main(state: TestnetState, args: &JoinArgs) -> Result<()> {
    let report = join(state, args)?;
    println!(
        "\n{} joined as node {} in {:.1} s (catch-up to height {} in {:.1} s; first signed block {})",
        args.org,
        report.node,
        report.total.as_secs_f64(),
        report.caught_up_height,
        report.catch_up.as_secs_f64(),
        report.first_signed_height
    );
    Ok(())
}

/// Runs the steps of the module documentation.
pub fn join(state: TestnetState, args: &JoinArgs) -> Result<JoinReport> {
    let start = Instant::now();
    let bound = Duration::from_secs(args.timeout);
    let spec = crate::orgs::pilot_org(&args.org)
        .ok_or_else(|| TestnetError::Usage(format!("{} is not a pilot organisation", args.org)))?;
    if state.org(&spec.id).is_some() {
        return Err(TestnetError::Usage(format!(
            "{} is a member already (start the testnet with `up --late {}`)",
            spec.id, spec.id
        )));
    }
    let mut net = network::Network::new(state)?;
    let keys = steps::keys_and_csr(&net, &spec)?;
    let certificate = steps::ca_ceremony(&net, &keys, &spec)?;
    steps::refused_before_admission(&mut net, &spec, &keys)?;
    steps::admit(&mut net, &spec, certificate)?;
    let follower = steps::start_follower(&mut net, &spec, &keys, bound)?;
    let first_signed_height = steps::make_validator(&mut net, &spec, &keys, follower.node, bound)?;
    let total = start.elapsed();
    steps::business(&mut net, &spec, follower.node, bound)?;
    Ok(JoinReport {
        node: follower.node,
        total,
        caught_up_height: follower.height,
        catch_up: follower.catch_up,
        first_signed_height,
    })
}
