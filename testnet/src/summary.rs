//! What `up` prints: where each gateway is and which API key does what.
// A command-line tool: its results go to stdout.
#![allow(clippy::print_stdout)]

use crate::state::TestnetState;

/// Prints the nodes with their gateway URL and admin key, and each organisation's custodial API
/// key with the node that holds its signing key.
pub fn print_up(state: &TestnetState) {
    println!(
        "testnet {} is up in {} ({} validators)",
        state.chain_id,
        state.root.display(),
        state.nodes.len()
    );
    println!("\nnodes (admin API keys have every scope):");
    for node in &state.nodes {
        println!(
            "  {}  {:<14} {}  admin key {}",
            node.index, node.name, node.gateway_url, node.admin_api_key
        );
    }
    println!("\norganisations (custodial API keys: read, submit, custodial on the node shown):");
    for org in &state.orgs {
        let url = state
            .nodes
            .get(org.node)
            .map_or("-", |n| n.gateway_url.as_str());
        println!(
            "  {:<10} {:<2} node {} {}  key {}",
            org.id, org.country, org.node, url, org.api_key
        );
    }
    println!(
        "\ntry: curl -H 'Authorization: Bearer <key>' {}/v1/status",
        state.nodes.first().map_or("", |n| n.gateway_url.as_str())
    );
    println!(
        "state: {}",
        state.root.join(crate::state::STATE_FILE).display()
    );
}
