//! R193 fault: a member node (admitted to the consensus swarm, not a validator) publishing
//! junk and far-future proposal parts at a bounded rate.

use std::time::Duration;

use malachite::NetworkMsg;
use malachite::app::streaming::{StreamContent, StreamMessage};
use malachite::app::types::core::Round;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::consensus::context::EblContext;
use crate::consensus::parts::{MAX_CHUNK, PartInit, ProposalPart, stream_id};
use crate::consensus::scheme::ConsensusSignature;
use crate::consensus::types::{Address, BlockId, Height};
use crate::handle::NodeHandle;

/// Heights the junk names, relative to the node's head: the next one (a plausible stream),
/// far ahead, and the largest there is.
fn target(head: u64, kind: u64) -> Height {
    match kind % 3 {
        0 => Height(head.saturating_add(1)),
        1 => Height(head.saturating_add(1_000)),
        _ => Height(u64::MAX),
    }
}

/// Bytes of a junk data part.
pub const JUNK_CHUNK: usize = MAX_CHUNK / 4;

/// The `n`th junk message: an init that claims a 1 MiB block from a made-up proposer, a
/// 64 KiB chunk of filler, or a fin with a garbage signature, for one of the target heights.
pub fn junk_message(head: u64, n: u64) -> StreamMessage<ProposalPart> {
    let height = target(head, n / 3);
    let round = Round::new(u32::try_from(n % 4).unwrap_or(0));
    let id = stream_id(height, round);
    let content = match n % 3 {
        0 => ProposalPart::Init(PartInit {
            height,
            round,
            pol_round: Round::Nil,
            proposer: Address([0x66; 32]),
            block_id: BlockId([0x77; 32]),
            block_len: 1 << 20,
        }),
        1 => ProposalPart::Data(vec![0xAB; JUNK_CHUNK]),
        _ => ProposalPart::Fin(ConsensusSignature(
            malachite_ed25519::Signature::from_bytes([0x55; 64]),
        )),
    };
    StreamMessage::new(id, n % 8, StreamContent::Data(content))
}

/// Publishes [`junk_message`]s at `per_second` until the node or its network stops.
pub fn spawn(
    per_second: u32,
    network: mpsc::Sender<NetworkMsg<EblContext>>,
    node: NodeHandle,
) -> Option<JoinHandle<()>> {
    if per_second == 0 {
        return None;
    }
    let period = Duration::from_secs(1) / per_second;
    Some(tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        for n in 0u64.. {
            tick.tick().await;
            let Ok(head) = node.read(|l| l.head().height).await else {
                return;
            };
            let msg = NetworkMsg::PublishProposalPart(junk_message(head, n));
            if network.send(msg).await.is_err() {
                return;
            }
        }
    }))
}
