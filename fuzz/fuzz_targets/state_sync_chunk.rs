#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ebl_ledger::fuzz_checks::state_sync_chunk(data));
