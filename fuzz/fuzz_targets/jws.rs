#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ebl_gateway::fuzz_checks::jws(data));
