//! Steps (c) and (e) of a join: a member proposes, the others vote, each through its own node's
//! gateway with its validator key, until more than 2/3 of the validator power approves (R90,
//! R443, R446). After each vote that does not yet reach the threshold the caller's check shows
//! the change has not happened (R444).
// A command-line tool: its results go to stdout.
#![allow(clippy::print_stdout)]

use ebl_ledger::entry::Body;
use ebl_ledger::identity::governance::proposal_id;
use ebl_ledger::identity::{GovernanceAction, Proposal};
use ed25519_dalek::SigningKey;
use serde_json::Value;

use super::network::{Network, Outcome};
use crate::error::{Result, TestnetError};

/// How long node 0 may lag behind the node that answered a vote.
const CATCH_UP_BOUND: std::time::Duration = std::time::Duration::from_secs(30);

/// How many blocks a join proposal stays open.
pub const PROPOSAL_BLOCKS: u64 = 500;

/// A member that votes: the node it runs and its validator (consensus) key.
pub struct Voter {
    /// Node index (its gateway carries the vote).
    pub node: usize,
    /// Validator key.
    pub key: SigningKey,
    /// Voting power.
    pub power: u64,
}

impl std::fmt::Debug for Voter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Voter")
            .field("node", &self.node)
            .field("power", &self.power)
            .finish_non_exhaustive()
    }
}

/// R90: whether `approving` of `total` power is more than two thirds.
pub fn passes(approving: u64, total: u64) -> bool {
    u128::from(approving) * 3 > u128::from(total) * 2
}

/// The validators of the running network that vote: every node whose consensus key is in the
/// validator set of node 0's `/v1/status`, with its power.
pub fn voters(net: &Network) -> Result<(Vec<Voter>, u64)> {
    let status = net
        .status(0)
        .ok_or_else(|| TestnetError::unexpected("join", "node 0 does not answer"))?;
    let set: Vec<(String, u64)> = status
        .get("validators")
        .and_then(Value::as_array)
        .map(|vs| {
            vs.iter()
                .filter_map(|v| {
                    Some((
                        v.get("key")?.as_str()?.to_string(),
                        v.get("power")?.as_u64()?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    let total = set.iter().map(|(_, p)| p).sum();
    let mut voters = Vec::new();
    for node in &net.state.nodes {
        let file = node.home.join("consensus_key");
        let Ok(secret) = ebl_node::config::read_secret(&file) else {
            continue;
        };
        let key = SigningKey::from_bytes(&secret);
        let public = hex::encode(key.verifying_key().as_bytes());
        if let Some((_, power)) = set.iter().find(|(k, _)| *k == public) {
            voters.push(Voter {
                node: node.index,
                key,
                power: *power,
            });
        }
    }
    Ok((voters, total))
}

/// Proposes `proposal` with the first voter and has the next ones approve until more than 2/3
/// of `total` approves; after each entry that leaves it short, `not_yet` must hold (the change
/// has not happened). Returns the height the change became final at.
pub fn carry(
    net: &mut Network,
    what: &str,
    proposal: Proposal,
    not_yet: impl Fn(&Network) -> bool,
) -> Result<u64> {
    let (voters, total) = voters(net)?;
    let expires_at_height = net.height(0) + PROPOSAL_BLOCKS;
    let mut approving = 0;
    let mut proposal_ref = None;
    let mut proposal = Some(proposal);
    for (k, voter) in voters.iter().enumerate() {
        let body = match (proposal.take(), proposal_ref) {
            (Some(proposal), _) => Body::Governance(GovernanceAction::Propose {
                proposal,
                expires_at_height,
            }),
            (None, Some(id)) => Body::Governance(GovernanceAction::Vote {
                proposal: id,
                approve: true,
            }),
            (None, None) => return Err(TestnetError::unexpected("join", "no proposal id")),
        };
        let entry = net.sign(voter.node, &voter.key, body)?;
        if proposal_ref.is_none() {
            proposal_ref = Some(proposal_id(&entry.id()));
        }
        let name = net.state.nodes[voter.node].operator.clone();
        let height = match net.submit(voter.node, &entry)? {
            Outcome::Final(h) => h,
            Outcome::Refused(code) => {
                return Err(TestnetError::unexpected(
                    "join",
                    format!("{what}: {name}'s vote was refused: {code}"),
                ));
            }
        };
        // The vote is final on the voter's node; the checks read node 0, so wait for it there.
        net.wait_until(
            &format!("node 0 at height {height}"),
            CATCH_UP_BOUND,
            |net| net.height(0) >= height,
        )?;
        approving += voter.power;
        let verb = if k == 0 { "proposes" } else { "approves" };
        if passes(approving, total) {
            println!(
                "   {name} {verb} via its node (height {height}): {approving} of {total} power, more than 2/3: {what} done"
            );
            return Ok(height);
        }
        if !not_yet(net) {
            return Err(TestnetError::unexpected(
                "join",
                format!("{what} happened with only {approving} of {total} power (R444)"),
            ));
        }
        println!(
            "   {name} {verb} via its node (height {height}): {approving} of {total} power, not more than 2/3: not yet (R444)"
        );
    }
    Err(TestnetError::unexpected(
        "join",
        format!(
            "{what}: every validator approved, {approving} of {total} power, and it did not pass"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::passes;

    #[test]
    fn only_more_than_two_thirds_of_the_power_passes() {
        assert!(!passes(20, 40));
        assert!(passes(30, 40));
        // Exactly two thirds is not more than two thirds.
        assert!(!passes(20, 30));
        assert!(!passes(0, 0));
        assert!(passes(40, 50) && !passes(30, 50));
    }
}
