//! Block execution: stateless → standing → sequence → stateful → apply, per entry, pure
//! (specs/protocol.md R13–R18, R181).

use jmt::storage::{TreeReader, TreeUpdateBatch};

use crate::block::{self, Block, BlockHeader, ChainHead, EntryResult, Outcome};
use crate::crypto::PublicKey;
use crate::entry::{Body, ChainRef, SignedEntry};
use crate::error::{ExecError, ExecResult, RuleError, StorageError};
use crate::evidence;
use crate::finality::DoubleVote;
use crate::hash::{BlockHash, EntryId};
use crate::identity::check_standing;
use crate::protocol_version::ProtocolSchedule;
use crate::signatures::SignatureVerdicts;
use crate::state::{EntryContext, Overlay, ReadCache, StateReader, WriteSet, keys, tree};
use crate::time::Timestamp;

/// What a proposer decides before executing: where the block goes and what it contains.
#[derive(Debug, Clone)]
pub struct BlockInput {
    /// Height of the new block.
    pub height: u64,
    /// Hash of the previous header.
    pub prev_hash: BlockHash,
    /// Block time.
    pub time: Timestamp,
    /// Proposer's consensus key.
    pub proposer: PublicKey,
    /// Entries in order.
    pub entries: Vec<SignedEntry>,
    /// Double-vote evidence to record; execution keeps only what R136–R137 admit (R139).
    pub evidence: Vec<DoubleVote>,
}

/// A block and everything its execution produced, ready to be committed.
#[derive(Debug)]
pub struct ExecutedBlock {
    /// The block with its header filled in.
    pub block: Block,
    /// One result per entry.
    pub results: Vec<EntryResult>,
    /// State writes of the block.
    pub writes: WriteSet,
    /// Tree nodes to persist with the writes.
    pub tree: TreeUpdateBatch,
    /// R185: per entry, whether its inclusion here consumed its signer's sequence (R9), which
    /// makes this block the entry's decisive location in the entry index. Not hashed: every
    /// node derives it by executing the block.
    pub consumed: Vec<bool>,
}

/// Why a received block is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlockError {
    /// The header does not follow the chain head.
    #[error("block does not extend the chain: {0}")]
    NotNext(String),
    /// Re-execution produced a different header field.
    #[error("block header mismatch in `{0}`")]
    Mismatch(&'static str),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The block carries evidence that R136–R137 refuse.
    #[error("block evidence refused: {0}")]
    Evidence(RuleError),
    /// R191: the block is over a genesis cap.
    #[error("block over its caps: {0}")]
    OverCap(crate::genesis::CapExceeded),
    /// R411: the header names another protocol version than the one in force at its height.
    #[error("block is protocol version {got}, the chain is at version {expected} at this height")]
    ProtocolVersion {
        /// The header's version.
        got: u32,
        /// The version in force.
        expected: u32,
    },
    /// R414: the chain needs a version this build does not implement.
    #[error(transparent)]
    UnsupportedVersion(#[from] crate::protocol_version::UnsupportedVersion),
}

/// Executes `input` on top of `store` and builds the block (R13–R18).
pub fn execute_block<S: StateReader + TreeReader>(
    store: &S,
    chain: &ChainRef,
    input: BlockInput,
) -> Result<ExecutedBlock, StorageError> {
    execute_block_with(store, chain, input, None)
}

/// [`execute_block`] with signature verdicts computed beforehand (for example on several threads
/// by [`SignatureVerdicts::compute`]). Verdicts for other entries are ignored; the result is the
/// same as without them.
pub fn execute_block_with<S: StateReader + TreeReader>(
    store: &S,
    chain: &ChainRef,
    input: BlockInput,
    verdicts: Option<&SignatureVerdicts>,
) -> Result<ExecutedBlock, StorageError> {
    // R3, R172: every signature is decided before the entries run, with one batch equation
    // unless the caller decided them already (R155).
    let entries_hash = block::entries_hash(&input.entries);
    let computed;
    let verdicts =
        match verdicts.and_then(|v| v.for_entries_hashed(input.entries.len(), &entries_hash)) {
            Some(v) => v,
            None => {
                computed = SignatureVerdicts::compute(&input.entries, 1);
                computed
                    .for_entries_hashed(input.entries.len(), &entries_hash)
                    .unwrap_or_default()
            }
        };
    // R475: committed state does not change while the block runs, so its reads are
    // remembered until the block is done.
    let committed = ReadCache::new(store);
    let mut state = Overlay::new(&committed);
    // R411: the version in force at this height; an upgrade activating here becomes the
    // active version in this block's state.
    let schedule = ProtocolSchedule::read(&state)?;
    let protocol_version = schedule.version_at(input.height);
    let from_here = schedule.after(input.height);
    if from_here != schedule {
        from_here.store(&mut state);
    }
    let mut results = Vec::with_capacity(input.entries.len());
    let mut consumed = Vec::with_capacity(input.entries.len());
    // Evidence first, so that entries of the block see the offence already recorded.
    let evidence = evidence::admissible_evidence(&mut state, chain, input.height, &input.evidence)
        .map_err(storage_only)?;
    let facts = BlockFacts {
        chain,
        height: input.height,
        time: input.time,
    };
    for (index, signed) in input.entries.iter().enumerate() {
        let signature_ok = verdicts.get(index).copied().unwrap_or(false);
        // The id is computed once per entry: it costs an encoding and a hash.
        let id = signed.id();
        let run = execute_entry(&mut state, &facts, signed, id, signature_ok)?;
        results.push(EntryResult {
            entry: id,
            outcome: run.outcome,
        });
        consumed.push(run.consumed);
    }
    let head = ChainHead {
        height: input.height,
        time: input.time,
        prev_hash: input.prev_hash,
    };
    state.put(keys::chain_head(), &head);
    let writes = state.into_writes();
    let (state_root, tree) = tree::apply_writes(store, &writes, input.height)?;
    let header = BlockHeader {
        protocol_version,
        chain: chain.clone(),
        height: input.height,
        prev_hash: input.prev_hash,
        time: input.time,
        proposer: input.proposer,
        entries_hash,
        results_hash: block::results_hash(&results),
        state_root,
        evidence_hash: evidence::evidence_hash(&evidence),
    };
    Ok(ExecutedBlock {
        block: Block {
            header,
            entries: input.entries,
            evidence,
        },
        results,
        writes,
        tree,
        consumed,
    })
}

/// Re-executes a block received from a proposer and checks that it follows `prev` and that its
/// header is exactly what execution yields (R18).
pub fn verify_block<S: StateReader + TreeReader>(
    store: &S,
    prev: &BlockHeader,
    block: Block,
) -> Result<ExecutedBlock, BlockError> {
    verify_block_with(store, prev, block, None)
}

/// [`verify_block`] with signature verdicts decided beforehand (R155: e.g. from the entries the
/// node verified at admission). Verdicts for other entries are ignored; same result as without.
pub fn verify_block_with<S: StateReader + TreeReader>(
    store: &S,
    prev: &BlockHeader,
    block: Block,
    verdicts: Option<&SignatureVerdicts>,
) -> Result<ExecutedBlock, BlockError> {
    let header = block.header.clone();
    if header.chain != prev.chain {
        return Err(BlockError::NotNext("other chain".into()));
    }
    if header.height != prev.height + 1 {
        return Err(BlockError::NotNext(format!(
            "height {} after {}",
            header.height, prev.height
        )));
    }
    if header.prev_hash != prev.hash() {
        return Err(BlockError::NotNext("previous hash differs".into()));
    }
    if header.time <= prev.time {
        return Err(BlockError::NotNext("time does not increase".into()));
    }
    // R411: refused before anything executes.
    let expected = ProtocolSchedule::read(store)?.version_at(header.height);
    if header.protocol_version != expected {
        return Err(BlockError::ProtocolVersion {
            got: header.protocol_version,
            expected,
        });
    }
    // R191: over a genesis cap, refused before anything executes.
    let caps = crate::genesis::BlockCaps::read(store)?;
    caps.admit(&block).map_err(BlockError::OverCap)?;
    let input = BlockInput {
        height: header.height,
        prev_hash: header.prev_hash,
        time: header.time,
        proposer: header.proposer,
        entries: block.entries,
        evidence: block.evidence,
    };
    // R136–R137: a block with evidence the proposer should have dropped is refused whole.
    let mut scratch = Overlay::new(store);
    match evidence::apply_evidence(&mut scratch, &header.chain, header.height, &input.evidence) {
        Ok(()) => {}
        Err(ExecError::Rule(e)) => return Err(BlockError::Evidence(e)),
        Err(ExecError::Storage(e)) => return Err(BlockError::Storage(e)),
    }
    let executed = execute_block_with(store, &header.chain, input, verdicts)?;
    let got = &executed.block.header;
    if got.entries_hash != header.entries_hash {
        return Err(BlockError::Mismatch("entries_hash"));
    }
    if got.results_hash != header.results_hash {
        return Err(BlockError::Mismatch("results_hash"));
    }
    if got.evidence_hash != header.evidence_hash {
        return Err(BlockError::Mismatch("evidence_hash"));
    }
    if got.state_root != header.state_root {
        return Err(BlockError::Mismatch("state_root"));
    }
    Ok(executed)
}

/// What every entry of a block shares.
struct BlockFacts<'a> {
    chain: &'a ChainRef,
    height: u64,
    time: Timestamp,
}

/// How one entry ran: its outcome, and whether it consumed its signer's sequence (R9, R185).
struct EntryRun {
    outcome: Outcome,
    consumed: bool,
}

impl EntryRun {
    /// Failed before the sequence (R181: envelope, signature, standing, R9 itself): nothing
    /// written, not even `seq/<key>`.
    fn refused(e: &RuleError) -> Self {
        EntryRun {
            outcome: failed(e),
            consumed: false,
        }
    }
}

/// Runs one entry whose signature verdict (R3) is `signature_ok`. Rule failures become a failed
/// outcome; storage failures abort the block.
fn execute_entry(
    state: &mut Overlay<'_>,
    block: &BlockFacts<'_>,
    signed: &SignedEntry,
    entry_id: EntryId,
    signature_ok: bool,
) -> Result<EntryRun, StorageError> {
    let BlockFacts {
        chain,
        height,
        time,
    } = *block;
    if let Err(e) = signed.check_envelope(chain) {
        return Ok(EntryRun::refused(&e));
    }
    if !signature_ok {
        return Ok(EntryRun::refused(&RuleError::BadSignature));
    }
    let entry = signed.entry();
    // R181: standing before the sequence. An entry without it writes nothing at all, so keys
    // nobody answers for cannot grow state (R180).
    match check_standing(state, &entry.signer, entry.act_for.as_ref(), time) {
        Ok(()) => {}
        Err(ExecError::Rule(e)) => return Ok(EntryRun::refused(&e)),
        Err(ExecError::Storage(e)) => return Err(e),
    }
    // R9: the sequence is checked, then consumed even if a later rule fails, so that a failed
    // entry can never be replayed into success later.
    let seq_key = keys::sequence(&entry.signer);
    let expected: u64 = match state.get(&seq_key) {
        Ok(v) => v.unwrap_or(0),
        Err(ExecError::Storage(e)) => return Err(e),
        Err(ExecError::Rule(e)) => return Ok(EntryRun::refused(&e)),
    };
    if entry.sequence < expected {
        return Ok(EntryRun::refused(&RuleError::Replay {
            expected,
            got: entry.sequence,
        }));
    }
    if entry.sequence > expected {
        return Ok(EntryRun::refused(&RuleError::SequenceGap {
            expected,
            got: entry.sequence,
        }));
    }
    state.put(seq_key, &(expected + 1));

    let mut ctx = EntryContext {
        state: Overlay::new(&*state),
        chain,
        height,
        time,
        entry_id,
        signer: entry.signer,
        act_for: entry.act_for.clone(),
    };
    let outcome = match dispatch(&mut ctx, &entry.body) {
        Ok(()) => {
            let writes = ctx.state.into_writes();
            state.absorb(writes);
            Outcome::Applied
        }
        Err(ExecError::Rule(e)) => failed(&e),
        Err(ExecError::Storage(e)) => return Err(e),
    };
    Ok(EntryRun {
        outcome,
        consumed: true,
    })
}

fn dispatch(ctx: &mut EntryContext<'_>, body: &Body) -> ExecResult<()> {
    match body {
        Body::Ebl(action) => crate::ebl::apply(ctx, action),
        Body::Certificate(action) => crate::cert::apply(ctx, action),
        Body::Verification(receipt) => crate::receipt::apply(ctx, receipt),
        Body::Grant(action) => crate::identity::apply_grant(ctx, action),
        Body::Governance(action) => crate::identity::apply_governance(ctx, action),
        Body::Attested(action) => crate::attest::apply(ctx, action),
    }
}

fn failed(e: &RuleError) -> Outcome {
    Outcome::Failed {
        code: e.code().to_string(),
        message: e.to_string(),
    }
}

/// Admissible-evidence selection only fails on storage: rule failures drop the evidence.
fn storage_only(e: ExecError) -> StorageError {
    match e {
        ExecError::Storage(e) => e,
        ExecError::Rule(e) => StorageError::Failed(format!("unexpected rule failure: {e}")),
    }
}
