//! The China–Singapore pilot, walked through on a RocksDB ledger: an eBL from a DCSA document
//! changes hands from carrier to shipper to bank to a consignee in Singapore, a former holder's
//! concurrent transfer fails, the bill is surrendered and accomplished; a flag Administration
//! lets a class society endorse a ship certificate, and the Singapore port verifies it.
//!
//! `cargo run -p ebl-ledger --example pilot --features testkit,rocksdb -- --data=./data`
//! (`scripts/run.sh` does exactly this). Each run adds new documents to the same ledger.
//! Until the validator node exists (issue 3), blocks are made here, in one process.
#![allow(clippy::print_stdout, clippy::expect_used)]

use std::process::ExitCode;

use ebl_ledger::storage::RocksStore;
use ebl_ledger::testkit::TestNetwork;

fn main() -> ExitCode {
    let data = std::env::args()
        .find_map(|a| a.strip_prefix("--data=").map(str::to_string))
        .unwrap_or_else(|| "./data".to_string());
    let path = std::path::Path::new(&data).join("ledger");
    let store = match RocksStore::open(&path) {
        Ok(store) => store,
        Err(e) => {
            eprintln!("cannot open the ledger at {}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    let mut net = TestNetwork::pilot_on(store);
    println!(
        "ledger at {} — chain {} at height {}, state root {}",
        path.display(),
        net.ledger.chain().chain_id,
        net.ledger.head().height,
        net.state_root()
    );
    match ebl_ledger::testkit::pilot::run(&mut net) {
        Ok(()) => {
            println!(
                "\npilot complete: height {}, state root {}",
                net.ledger.head().height,
                net.state_root()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("\npilot FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}
