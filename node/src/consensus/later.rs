//! R193: complete proposals for the next height, kept (bounded) until that height starts.
//!
//! The next height's validator set is only known once the current height commits, so these
//! are judged in full (R190 designated proposer, signature, R192 slot, R194 time) when their
//! round starts; until then only their publisher (a validator of this height or the next),
//! their height (exactly the next) and their size (the parts buffer's budget) are checked.

use malachite::app::types::core::Round;

use super::parts::AssembledProposal;
use super::types::{Address, Height};

/// Most complete proposals kept for the next height.
pub const MAX_LATER_PROPOSALS: usize = 32;

/// R193: most complete proposals kept per publisher (a proposal and a re-proposal).
pub const MAX_LATER_PER_PUBLISHER: usize = 2;

/// Proposals for the next height.
#[derive(Debug, Default)]
pub struct LaterProposals {
    items: Vec<AssembledProposal>,
}

impl LaterProposals {
    /// Keeps `p` when it is for `height + 1` (`height` being the one in progress). A publisher
    /// with [`MAX_LATER_PER_PUBLISHER`] kept loses its oldest; a full store keeps what it has.
    /// Returns whether `p` was kept.
    pub fn keep(&mut self, p: AssembledProposal, height: Height) -> bool {
        if p.init.height != Height(height.0.saturating_add(1)) {
            return false;
        }
        let same = |q: &AssembledProposal, who: Option<Address>| q.publisher == who;
        let own = self.items.iter().filter(|q| same(q, p.publisher)).count();
        if own >= MAX_LATER_PER_PUBLISHER {
            if let Some(i) = self.items.iter().position(|q| same(q, p.publisher)) {
                self.items.remove(i);
            }
        } else if self.items.len() >= MAX_LATER_PROPOSALS {
            return false;
        }
        self.items.push(p);
        true
    }

    /// Takes the proposals for `round` of `height` (now in progress) and forgets those of
    /// lower heights.
    pub fn take(&mut self, height: Height, round: Round) -> Vec<AssembledProposal> {
        let (now, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut self.items)
            .into_iter()
            .partition(|p| p.init.height == height && p.init.round == round);
        self.items = keep
            .into_iter()
            .filter(|p| p.init.height >= height)
            .collect();
        now
    }

    /// Proposals kept.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// `true` when none is kept.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Block bytes kept.
    pub fn bytes(&self) -> usize {
        self.items.iter().map(|p| p.block_bytes.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consensus::parts::PartInit;
    use crate::consensus::scheme::ConsensusSignature;
    use crate::consensus::types::BlockId;

    fn proposal(height: u64, round: u32, publisher: u8) -> AssembledProposal {
        AssembledProposal {
            init: PartInit {
                height: Height(height),
                round: Round::new(round),
                pol_round: Round::Nil,
                proposer: Address([publisher; 32]),
                block_id: BlockId([u8::try_from(round).unwrap(); 32]),
                block_len: 3,
            },
            block_bytes: vec![1, 2, 3],
            signature: ConsensusSignature(malachite_ed25519::Signature::from_bytes([0; 64])),
            publisher: Some(Address([publisher; 32])),
        }
    }

    #[test]
    fn only_the_next_height_is_kept() {
        let mut later = LaterProposals::default();
        assert!(later.keep(proposal(6, 0, 1), Height(5)));
        assert!(!later.keep(proposal(7, 0, 1), Height(5)));
        assert!(!later.keep(proposal(5, 0, 1), Height(5)));
        assert!(!later.keep(proposal(u64::MAX, 0, 1), Height(5)));
        assert_eq!(later.len(), 1);
        assert_eq!(later.bytes(), 3);
    }

    #[test]
    fn a_publisher_keeps_at_most_two_and_loses_its_oldest() {
        let mut later = LaterProposals::default();
        for round in 0..5 {
            assert!(later.keep(proposal(2, round, 1), Height(1)));
        }
        assert!(later.keep(proposal(2, 0, 2), Height(1)));
        assert_eq!(later.len(), 3);
        let rounds: Vec<Round> = later.items.iter().map(|p| p.init.round).collect();
        assert_eq!(rounds, vec![Round::new(3), Round::new(4), Round::new(0)]);
    }

    #[test]
    fn the_store_is_bounded_across_publishers() {
        let mut later = LaterProposals::default();
        for publisher in 0..(u8::try_from(MAX_LATER_PROPOSALS).unwrap() + 5) {
            later.keep(proposal(2, 0, publisher), Height(1));
        }
        assert_eq!(later.len(), MAX_LATER_PROPOSALS);
    }

    #[test]
    fn a_round_is_taken_when_its_height_starts_and_lower_heights_are_dropped() {
        let mut later = LaterProposals::default();
        later.keep(proposal(2, 0, 1), Height(1));
        later.keep(proposal(2, 1, 2), Height(1));
        let taken = later.take(Height(2), Round::new(0));
        assert_eq!(taken.len(), 1);
        assert_eq!(later.len(), 1);
        assert!(later.take(Height(3), Round::new(0)).is_empty());
        assert!(later.is_empty());
    }
}
