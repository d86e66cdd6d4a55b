#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lcw_fuzz::function_params(data));
