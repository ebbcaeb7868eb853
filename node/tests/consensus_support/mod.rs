//! Shared helpers of the consensus intake tests: an [`AppState`] over a fresh ledger and
//! streams signed by any of the test network's validators.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use ebl_ledger::Ledger;
use ebl_ledger::block::Block;
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::{Body, SignedEntry};
use ebl_ledger::hash::Hash32;
use ebl_ledger::storage::RocksStore;
use ebl_ledger::testkit::TestNetwork;
use ebl_ledger::time::Timestamp;
use ebl_node::consensus::context::designated_proposer;
use ebl_node::consensus::parts::{AssembledProposal, PartInit};
use ebl_node::consensus::signing::ConsensusSigner;
use ebl_node::consensus::{Address, AppState, BlockId, BlockLimits, Height};
use ebl_node::mempool::{Mempool, MempoolConfig};
use malachite::app::types::core::Round;

/// A node's consensus state at height 1 (validator 1 of the test network) and the network.
pub struct Setup {
    pub state: AppState,
    pub net: TestNetwork,
    pub dir: tempfile::TempDir,
}

pub fn setup() -> Setup {
    setup_on(TestNetwork::pilot())
}

/// A setup over `net` (e.g. one whose genesis sets other block caps).
pub fn setup_on(net: TestNetwork) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(RocksStore::open(dir.path()).unwrap(), &net.genesis).unwrap();
    let chain = ledger.chain().clone();
    let signer = ConsensusSigner::new(net.validator_keys[1].to_bytes(), chain.genesis_hash.0);
    let mempool = Mempool::new(chain, MempoolConfig::default());
    let state = AppState::new(
        ledger,
        mempool,
        signer,
        ebl_node::run::fast_timeouts(),
        BlockLimits::default(),
    )
    .unwrap();
    Setup { state, net, dir }
}

impl Setup {
    /// The index in `net.validator_keys` of the validator designated for `round` of height 1.
    pub fn owner(&self, round: u32) -> usize {
        let v = designated_proposer(&self.state.validators, Height(1), Round::new(round)).unwrap();
        self.index_of(v.address)
    }

    /// The index of the validator with this address.
    pub fn index_of(&self, address: Address) -> usize {
        self.net
            .validator_keys
            .iter()
            .position(|k| Address(k.verifying_key().to_bytes()) == address)
            .unwrap()
    }

    /// Validator `i`'s address.
    pub fn address(&self, i: usize) -> Address {
        Address(self.net.validator_keys[i].verifying_key().to_bytes())
    }

    /// A block of height 1 by validator `proposer` at `time` with `entries`.
    pub fn block(&self, proposer: usize, time: Timestamp, entries: Vec<SignedEntry>) -> Block {
        let key = PublicKey::from(self.net.validator_keys[proposer].verifying_key());
        self.state.ledger.execute(time, key, entries).unwrap().block
    }

    /// The genesis time + `ms`.
    pub fn after_genesis(&self, ms: u64) -> Timestamp {
        Timestamp(self.state.ledger.head().time.0 + ms)
    }

    /// The stream of `block` for `round`, naming `proposer` and signed by `signer`.
    pub fn stream(
        &self,
        block: &Block,
        round: u32,
        proposer: usize,
        signer: usize,
    ) -> AssembledProposal {
        let bytes = ebl_ledger::codec::encode(block);
        let init = PartInit {
            height: Height(block.header.height),
            round: Round::new(round),
            pol_round: Round::Nil,
            proposer: self.address(proposer),
            block_id: BlockId::from(block.header.hash()),
            block_len: bytes.len() as u64,
        };
        let chain = self.state.ctx.chain;
        let key = self.net.validator_keys[signer].to_bytes();
        let signature = ConsensusSigner::new(key, chain).sign_bytes(&init.signing_bytes(&chain));
        AssembledProposal {
            init,
            block_bytes: bytes,
            signature,
            publisher: Some(self.address(proposer)),
        }
    }

    /// A good stream of round `round` by its owner: an empty block timed `ms` after genesis.
    pub fn proposal(&self, round: u32, ms: u64) -> AssembledProposal {
        let owner = self.owner(round);
        let block = self.block(owner, self.after_genesis(ms), vec![]);
        self.stream(&block, round, owner, owner)
    }
}

/// An eBL issue body with a unique reference.
pub fn issue(reference: &str) -> Body {
    use ebl_ledger::ebl::{EblAction, EblIssue, EblType};
    use ebl_ledger::ids::OrgId;
    Body::Ebl(EblAction::Issue(EblIssue {
        document: Hash32::sha256(reference.as_bytes()),
        reference: reference.into(),
        kind: EblType::ToOrderBl,
        issue_to: OrgId("SHIPPER".into()),
        consignee: Some(OrgId("SHIPPER".into())),
    }))
}

/// A new state over `state`'s ledger, mempool and keys, as after a crash, taking back the
/// blocks `store` kept for the height in progress.
pub fn restarted(
    state: AppState,
    store: ebl_node::consensus::undecided::UndecidedBlocks,
) -> AppState {
    let AppState {
        ledger,
        mempool,
        signer,
        timeouts,
        limits,
        ..
    } = state;
    AppState::new(ledger, mempool, signer, timeouts, limits)
        .unwrap()
        .with_undecided(store)
        .unwrap()
}
