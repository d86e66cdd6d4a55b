#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lcw_fuzz::query_options(data));
