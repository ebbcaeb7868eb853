//! Governance steps of the gating scenarios: validator 0 proposes to revoke an organisation and
//! other validators approve, each entry submitted through the signer's own node.

use std::time::Duration;

use anyhow::bail;
use ebl_ledger::entry::Body;
use ebl_ledger::hash::{EntryId, Hash32};
use ebl_ledger::identity::governance::proposal_id;
use ebl_ledger::identity::{GovernanceAction, Proposal};
use ebl_ledger::ids::OrgId;
use ebl_node::mempool::Status;

use crate::{Cluster, wait_fates};

/// Validator 0 proposes to revoke `org` ("left the consortium", open for 500 blocks); waits
/// (at most `timeout`) until the proposal is final and returns the proposal's id.
pub async fn propose_revocation(
    c: &mut Cluster,
    org: &str,
    timeout: Duration,
) -> anyhow::Result<Hash32> {
    let proposal = Proposal::RevokeOrganisation {
        org: OrgId::new(org)?,
        reason: "left the consortium".into(),
    };
    propose(c, proposal, timeout).await
}

/// Validator 0 proposes `proposal` (open for 500 blocks); waits (at most `timeout`) until the
/// proposal is final and returns its id.
pub async fn propose(
    c: &mut Cluster,
    proposal: Proposal,
    timeout: Duration,
) -> anyhow::Result<Hash32> {
    let mut fates = c.handle(0).subscribe_notifications();
    let expires_at_height = c.height(0).await? + 500;
    let key = c.net.validator_keys[0].clone();
    let propose = c.net.sign_with(
        &key,
        None,
        Body::Governance(GovernanceAction::Propose {
            proposal,
            expires_at_height,
        }),
    );
    c.handle(0).submit(propose.clone()).await?;
    let done = wait_fates(&mut fates, &[propose.id()], timeout).await?;
    if !matches!(done[0].1, Status::Final { .. }) {
        bail!("the proposal was not final: {done:?}");
    }
    Ok(proposal_id(&propose.id()))
}

/// Each validator of `voters` approves `proposal` through its own node; returns the votes'
/// fates once all are known (at most `timeout`).
pub async fn approve(
    c: &mut Cluster,
    proposal: Hash32,
    voters: &[usize],
    timeout: Duration,
) -> anyhow::Result<Vec<(EntryId, Status)>> {
    let mut fates = c.handle(0).subscribe_notifications();
    let mut votes = Vec::new();
    for &v in voters {
        let key = c.net.validator_keys[v].clone();
        let vote = c.net.sign_with(
            &key,
            None,
            Body::Governance(GovernanceAction::Vote {
                proposal,
                approve: true,
            }),
        );
        votes.push(vote.id());
        c.handle(v).submit(vote).await?;
    }
    wait_fates(&mut fates, &votes, timeout).await
}
