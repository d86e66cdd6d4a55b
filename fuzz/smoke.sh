#!/usr/bin/env bash
# Stable smoke run of the fuzz targets: each target's body over its seed corpus plus
# mutated inputs for SMOKE_SECONDS (default 5) seconds per target. Non-zero exit on a panic
# or an input that takes unreasonably long. The real fuzzers need nightly: see
# CONTRIBUTING.md, "Fuzzing".
set -euo pipefail
cd "$(dirname "$0")"
# Without the `libfuzzer` feature: no nightly, no libFuzzer build.
exec cargo run --locked --quiet --no-default-features --example smoke
