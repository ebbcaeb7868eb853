//! Local N-node testnet (`ebl-testnet up|status|down|kill|restart|logs`), the China–Singapore
//! pilot scenario (`ebl-testnet scenario pilot`) and the throughput benchmark
//! (`ebl-testnet bench`), driving real `ebl-node` processes through their gateways.

pub mod bench;
pub mod state;
