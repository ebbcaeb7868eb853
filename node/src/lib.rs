//! Validator node: consensus, libp2p networking, mempool, sync and storage around the ebl-ledger state machine (issue 3; not built yet).
