//! Proposing and voting (specs/protocol.md R93–R97).

use crate::error::{ExecError, ExecResult, RuleError};
use crate::hash::Hash32;
use crate::identity::governance::ValidatorSet;
use crate::identity::governance::execute::execute;
use crate::identity::governance::record::{
    Decision, ProposalRecord, ProposalStatus, Vote, proposal_id,
};
use crate::identity::{GovernanceAction, Proposal};
use crate::state::{EntryContext, Overlay, keys};

/// Longest voting period of a proposal, in blocks.
pub const MAX_PROPOSAL_BLOCKS: u64 = 100_000;

/// Applies a governance entry (R93–R97).
pub fn apply_governance(ctx: &mut EntryContext<'_>, action: &GovernanceAction) -> ExecResult<()> {
    // R93: validators act in their own name; nobody proposes or votes for someone else.
    if ctx.act_for.is_some() {
        return Err(RuleError::NotAuthorized.into());
    }
    let set = ValidatorSet::current(&ctx.state)?;
    if !set.contains(&ctx.signer) {
        return Err(RuleError::NotValidator.into());
    }
    match action {
        GovernanceAction::Propose {
            proposal,
            expires_at_height,
        } => propose(ctx, &set, proposal, *expires_at_height),
        GovernanceAction::Vote { proposal, approve } => vote(ctx, &set, proposal, *approve),
    }
}

/// R94: a proposal must be applicable when it is opened (the same checks as at execution, on a
/// scratch copy of the state) and votable for 1 to [`MAX_PROPOSAL_BLOCKS`] blocks. The
/// proposer's entry is its first approving vote.
fn propose(
    ctx: &mut EntryContext<'_>,
    set: &ValidatorSet,
    proposal: &Proposal,
    expires_at_height: u64,
) -> ExecResult<()> {
    if expires_at_height <= ctx.height
        || expires_at_height > ctx.height.saturating_add(MAX_PROPOSAL_BLOCKS)
    {
        return Err(RuleError::invalid(
            "expires_at_height",
            format!("must be 1 to {MAX_PROPOSAL_BLOCKS} blocks after the current height"),
        )
        .into());
    }
    {
        let mut scratch = Overlay::new(&ctx.state);
        execute(&mut scratch, proposal, ctx.time, ctx.height)?;
    }
    let record = ProposalRecord {
        id: proposal_id(&ctx.entry_id),
        proposal: proposal.clone(),
        proposer: ctx.signer,
        votes: vec![Vote {
            key: ctx.signer,
            approve: true,
            height: ctx.height,
        }],
        status: ProposalStatus::Open,
        created_at_height: ctx.height,
        expires_at_height,
        closed_at_height: None,
    };
    settle(ctx, set, record)
}

/// R96: a vote needs an open, unexpired proposal and a validator that has not voted on it.
fn vote(
    ctx: &mut EntryContext<'_>,
    set: &ValidatorSet,
    id: &Hash32,
    approve: bool,
) -> ExecResult<()> {
    let mut record: ProposalRecord = ctx
        .state
        .get(&keys::proposal(id))?
        .ok_or(RuleError::UnknownProposal)?;
    if record.status_at(ctx.height) != ProposalStatus::Open {
        return Err(RuleError::ProposalClosed.into());
    }
    if record.has_voted(&ctx.signer) {
        return Err(RuleError::AlreadyVoted.into());
    }
    record.votes.push(Vote {
        key: ctx.signer,
        approve,
        height: ctx.height,
    });
    settle(ctx, set, record)
}

/// R95, R97: tallies against the current set and, when decided, closes the proposal in this
/// same entry. An approved proposal that breaks a rule when applied is closed as `FAILED` with
/// that rule's code and none of its writes; the deciding entry itself still applies, so the
/// vote is recorded and the proposal does not linger at a supermajority that can never succeed.
fn settle(
    ctx: &mut EntryContext<'_>,
    set: &ValidatorSet,
    mut record: ProposalRecord,
) -> ExecResult<()> {
    match record.decision(set) {
        Decision::Pending => {}
        Decision::Reject => {
            record.status = ProposalStatus::Rejected;
            record.closed_at_height = Some(ctx.height);
        }
        Decision::Approve => {
            let outcome = {
                let mut child = Overlay::new(&ctx.state);
                match execute(&mut child, &record.proposal, ctx.time, ctx.height) {
                    Ok(()) => Ok(child.into_writes()),
                    Err(ExecError::Rule(e)) => Err(e),
                    Err(storage @ ExecError::Storage(_)) => return Err(storage),
                }
            };
            record.status = match outcome {
                Ok(writes) => {
                    ctx.state.absorb(writes);
                    ProposalStatus::Executed
                }
                Err(e) => ProposalStatus::Failed {
                    code: e.code().to_string(),
                    message: e.to_string(),
                },
            };
            record.closed_at_height = Some(ctx.height);
        }
    }
    ctx.state.put(keys::proposal(&record.id), &record);
    Ok(())
}
