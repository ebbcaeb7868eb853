//! The fuzz corpora (ADR 0039) as the crates' plain tests use them: every committed corpus file
//! and found crash of a target replayed through its check, and seeds written into the corpus
//! on request. One copy for the ledger's, the gateway's and the node's replay tests.

use std::path::PathBuf;

/// The cargo-fuzz crate's folder (`fuzz/`, beside the workspace's crates).
pub fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// Runs `check` on every file of the corpus and the regressions of `target`; returns how many.
/// Panics, naming the file, when a check fails.
pub fn replay(target: &str, check: fn(&[u8])) -> usize {
    let mut count = 0;
    for kind in ["corpus", "regressions"] {
        let Ok(files) = std::fs::read_dir(fuzz_dir().join(kind).join(target)) else {
            continue;
        };
        for file in files {
            let path = file.expect("a corpus folder entry").path();
            let data = std::fs::read(&path).expect("a readable corpus file");
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(
                outcome.is_ok(),
                "{target}: {} fails its check",
                path.display()
            );
            count += 1;
        }
    }
    count
}

/// With `EBL_WRITE_FUZZ_SEEDS` set, writes `bytes` into `target`'s corpus as `seed-<name>`.
pub fn keep_seed(target: &str, name: &str, bytes: &[u8]) {
    if std::env::var_os("EBL_WRITE_FUZZ_SEEDS").is_none() {
        return;
    }
    let dir = fuzz_dir().join("corpus").join(target);
    std::fs::create_dir_all(&dir).expect("the corpus folder");
    std::fs::write(dir.join(format!("seed-{name}")), bytes).expect("a written seed");
}
