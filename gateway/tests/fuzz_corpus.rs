//! Replays the fuzz corpora and found crashes of the gateway's fuzz targets (ADR 0039) through
//! the checks the cargo-fuzz targets run (`ebl_gateway::fuzz_checks`), so the plain test suite
//! covers them without cargo-fuzz.
#![allow(clippy::unwrap_used)]

use ebl_gateway::fuzz_checks;
use ebl_ledger::testkit::fuzz_corpus::{keep_seed, replay};

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
        keep_seed(target, &name, &bytes);
    }
}
