#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ebl_gateway::fuzz_checks::dcsa_json(data));
