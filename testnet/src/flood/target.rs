//! Before the flood (R210): the flooder's identity (its organisation's key), the honest nodes'
//! gossip addresses and identities, the signers to forge, and honest entries to duplicate, all
//! from the testnet folder and one gateway. Blocking; runs before anything is timed.

use std::time::Duration;

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::ChainRef;
use ebl_ledger::hash::Hash32;
use ebl_ledger::ids::OrgId;
use ebl_node::config::ConfigFile;
use libp2p::identity::Keypair;
use libp2p::{Multiaddr, PeerId};

use super::FloodError;
use super::duplicates::{Duplicates, entry_of_block_view};
use super::forge::Victim;
use crate::http::Client;
use crate::state::{NodeInfo, TestnetState};

/// Most blocks read back for honest entries to duplicate.
pub const SEED_BLOCKS: u64 = 256;

/// Most honest entries taken from those blocks.
pub const SEED_ENTRIES: usize = 1_024;

/// Everything the flood needs to know.
#[derive(Debug)]
pub struct Target {
    /// The chain.
    pub chain: ChainRef,
    /// The flooder's gossip identity: its organisation's key (R116 admits it).
    pub keypair: Keypair,
    /// Every node's gossip address.
    pub nodes: Vec<Multiaddr>,
    /// Identities the flooder's gate lets in: the validators' consensus keys, which are the
    /// honest nodes' gossip identities (R116).
    pub allowed: Vec<PeerId>,
    /// Registered signers other than the flooder, with their next sequence.
    pub victims: Vec<Victim>,
    /// A member that strangers claim to act for (a carrier, if one is not the flooder).
    pub principal: OrgId,
    /// Who forged and stranger eBLs are issued to.
    pub holder: String,
    /// Honest entries read back from recent blocks.
    pub duplicates: Duplicates,
}

fn http(what: &str) -> impl FnOnce(crate::error::TestnetError) -> FloodError + '_ {
    move |e| FloodError::Http(format!("{what}: {e}"))
}

/// Reads the target of a flood by organisation `org` of `state`.
pub fn prepare(state: &TestnetState, org: &str) -> Result<Target, FloodError> {
    let me = state
        .org(org)
        .ok_or_else(|| FloodError::Args(format!("{org} is not an organisation of this testnet")))?;
    let text = std::fs::read_to_string(&me.secret_key_file)
        .map_err(|e| FloodError::State(format!("{}: {e}", me.secret_key_file.display())))?;
    let mut secret = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut secret)
        .map_err(|e| FloodError::State(format!("{}: {e}", me.secret_key_file.display())))?;
    let keypair =
        Keypair::ed25519_from_bytes(secret).map_err(|e| FloodError::State(e.to_string()))?;

    let node = state.nodes.first().ok_or(FloodError::NoNodes)?;
    let client = Client::new(Duration::from_secs(10));
    let status = client
        .get(
            &format!("{}/v1/status", node.gateway_url),
            &node.admin_api_key,
        )
        .map_err(http("status"))?
        .body;
    let chain = ChainRef {
        chain_id: status["chain_id"].as_str().unwrap_or_default().to_string(),
        genesis_hash: status["genesis_hash"]
            .as_str()
            .and_then(Hash32::from_hex)
            .ok_or_else(|| FloodError::Http(format!("status without a genesis: {status}")))?,
    };
    let allowed = status["validators"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| PublicKey::from_hex(v["key"].as_str()?))
        .filter_map(|k| ebl_node::p2p::gating::peer_id_of(&k))
        .collect();
    let nodes = state
        .nodes
        .iter()
        .map(gossip_addr)
        .collect::<Result<Vec<_>, _>>()?;

    let mut victims = Vec::new();
    for other in state.orgs.iter().filter(|o| o.id != org) {
        let Some(key) = PublicKey::from_hex(&other.public_key) else {
            continue;
        };
        let url = format!("{}/v1/accounts/{}/sequence", node.gateway_url, key.to_hex());
        let reply = client
            .get(&url, &node.admin_api_key)
            .map_err(http("sequence"))?;
        if let Some(next_sequence) = reply.body["next_sequence"].as_u64() {
            victims.push(Victim { key, next_sequence });
        }
    }
    let carrier = |o: &&crate::state::OrgInfo| o.roles.iter().any(|r| r == "CARRIER");
    let principal = state
        .orgs
        .iter()
        .filter(|o| o.id != org)
        .find(carrier)
        .or_else(|| state.orgs.iter().find(|o| o.id != org))
        .map(|o| OrgId(o.id.clone()))
        .ok_or_else(|| FloodError::State("no other organisation to act for".into()))?;
    let holder = crate::bench::setup::holder(state)
        .ok_or_else(|| FloodError::State("no organisation to issue to".into()))?;
    let height = status["height"].as_u64().unwrap_or(0);
    let duplicates = seed_duplicates(&client, node, &chain, height);
    Ok(Target {
        chain,
        keypair,
        nodes,
        allowed,
        victims,
        principal,
        holder,
        duplicates,
    })
}

/// Node `node`'s gossip address, from its config.toml (`[gossip] listen_addr`), with an
/// unspecified IP read as 127.0.0.1.
fn gossip_addr(node: &NodeInfo) -> Result<Multiaddr, FloodError> {
    let path = crate::home::config_path(&node.home);
    let config = ConfigFile::load(&path)
        .map_err(|e| FloodError::State(format!("{}: {e}", path.display())))?;
    let gossip = config
        .gossip
        .ok_or_else(|| FloodError::State(format!("{} runs no gossip swarm", node.name)))?;
    let addr = gossip
        .listen_addr
        .replace("/ip4/0.0.0.0/", "/ip4/127.0.0.1/");
    addr.parse()
        .map_err(|e| FloodError::State(format!("{}: gossip address {addr}: {e}", node.name)))
}

/// Honest entries of the last [`SEED_BLOCKS`] blocks below `height`, at most [`SEED_ENTRIES`];
/// a block that cannot be read ends the search (the flood then harvests from gossip only).
fn seed_duplicates(client: &Client, node: &NodeInfo, chain: &ChainRef, height: u64) -> Duplicates {
    let mut found: Vec<ebl_ledger::entry::Entry> = Vec::new();
    for h in (height.saturating_sub(SEED_BLOCKS)..=height).rev() {
        if h == 0 || found.len() >= SEED_ENTRIES {
            break;
        }
        let url = format!("{}/v1/blocks/{h}", node.gateway_url);
        let Ok(reply) = client.get(&url, &node.admin_api_key) else {
            break;
        };
        let entries = reply.body["entries"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        found.extend(
            entries
                .iter()
                .filter(|e| e["result"] == "APPLIED")
                .filter_map(|e| entry_of_block_view(chain, e))
                .take(SEED_ENTRIES - found.len()),
        );
    }
    let mut duplicates = Duplicates::default();
    // Oldest first, so the newest are kept longest.
    for entry in found.into_iter().rev() {
        duplicates.keep(entry);
    }
    duplicates
}
