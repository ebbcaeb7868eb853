#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ebl_node::fuzz_checks::body_protocol(data));
