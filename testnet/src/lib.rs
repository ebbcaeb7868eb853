//! Local N-node testnet (`ebl-testnet up|status|down|kill|restart|logs`), the China–Singapore
//! pilot scenario (`ebl-testnet scenario pilot`) and the throughput benchmark
//! (`ebl-testnet bench`), driving real `ebl-node` processes through their gateways, and a
//! hostile member flooding the honest nodes' entry gossip (`ebl-testnet flood`, R210–R214), and
//! a seeded chaos soak with a title-history checker (`ebl-testnet chaos`, R360–R369), and a
//! partner joining the running network (`ebl-testnet join`, R440–R449).
//! Decisions in specs/adr/0020-testnet-layout-and-processes.md.

pub mod bench;
pub mod chaos;
pub mod cli;
pub mod error;
pub mod flood;
pub mod genesis;
pub mod home;
pub mod http;
pub mod join;
pub mod netns;
pub mod ops;
pub mod orgs;
pub mod pki;
pub mod ports;
pub mod process;
pub mod scenario;
pub mod state;
pub mod summary;
pub mod up;
