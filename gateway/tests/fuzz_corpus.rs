//! Replays the fuzz corpora and found crashes of the gateway's fuzz targets (ADR 0039) through
//! the checks the cargo-fuzz targets run (`ebl_gateway::fuzz_checks`), so the plain test suite
//! covers them without cargo-fuzz.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use ebl_gateway::fuzz_checks;

/// Runs `check` on every file of the corpus and the regressions of `target`; returns how many.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut count = 0;
    for kind in ["corpus", "regressions"] {
        let Ok(files) = std::fs::read_dir(fuzz.join(kind).join(target)) else {
            continue;
        };
        for file in files {
            let path = file.unwrap().path();
            let data = std::fs::read(&path).unwrap();
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

#[test]
fn jws_corpus_replays() {
    assert!(replay("jws", fuzz_checks::jws) > 0);
}

#[test]
fn pint_envelope_corpus_replays() {
    assert!(replay("pint_envelope", fuzz_checks::pint_envelope) > 0);
}

#[test]
fn dcsa_json_corpus_replays() {
    assert!(replay("dcsa_json", fuzz_checks::dcsa_json) > 0);
}

/// The seeds pass their checks (and an accepted envelope is accepted, so the envelope check
/// reaches past the signatures); `EBL_WRITE_FUZZ_SEEDS=1` writes them into the corpora.
#[test]
fn generated_seeds_pass_their_checks() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    for (target, name, bytes) in fuzz_checks::seeds() {
        match target {
            "jws" => fuzz_checks::jws(&bytes),
            "pint_envelope" => {
                fuzz_checks::pint_envelope(&bytes);
                assert!(
                    fuzz_checks::pint_envelope_accepted(&bytes),
                    "{name} is accepted"
                );
            }
            _ => fuzz_checks::dcsa_json(&bytes),
        }
        if std::env::var_os("EBL_WRITE_FUZZ_SEEDS").is_some() {
            std::fs::create_dir_all(fuzz.join(target)).unwrap();
            std::fs::write(fuzz.join(target).join(format!("seed-{name}")), &bytes).unwrap();
        }
    }
}
