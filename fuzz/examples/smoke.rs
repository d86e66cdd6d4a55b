//! Stable-Rust smoke run of the fuzz targets: every target over its seed corpus
//! (`corpus/<target>/`), then over mutations of those seeds for a few seconds. Exits
//! non-zero on a panic, or on an input slow enough to hint at unbounded work.
//!
//! Not a fuzzer (no coverage feedback): it only keeps CI from shipping a parser that
//! falls over on the first odd input. `cargo +nightly fuzz run <target>` is the real one.
//!
//! Environment: `SMOKE_SECONDS` (per target, default 5), `SMOKE_SEED` (to replay a run).

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use lcw_fuzz::TARGETS;

/// One input taking this long is reported: the targets' work is meant to be bounded.
const SLOW: Duration = Duration::from_secs(5);
/// Mutations stay short, as the seeds are; long inputs only slow the run down.
const MAX_LEN: usize = 4096;

/// Fragments a mutation may insert: the syntax of the languages under test.
const DICTIONARY: &[&str] = &[
    "(",
    ")",
    "'",
    "''",
    " ",
    ",",
    "/",
    ":",
    "=",
    "&",
    "%",
    "%27",
    "%2",
    "+",
    "-",
    ".",
    "\0",
    " eq ",
    " ne ",
    " gt ",
    " le ",
    " and ",
    " or ",
    "not ",
    " in ",
    " has ",
    "any(",
    "all(",
    "any()",
    "x:",
    "x/",
    "startswith(",
    "endswith(",
    "contains(",
    "tolower(",
    "toupper(",
    "true",
    "false",
    "null",
    "0",
    "-1",
    "9223372036854775808",
    "1e999",
    "2026-01-01",
    "2026-01-01T10:00:00Z",
    "+02:00",
    "1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950",
    "microsoft.graph.x'joiner'",
    "displayName",
    "category",
    "version",
    "tasks",
    "id",
    "$filter=",
    "$select=",
    "$expand=",
    "$orderby=",
    "$top=",
    "$skip=",
    "$count=true",
    "$search=\"",
    "$skiptoken=",
    " desc",
    "startDateTime=",
    "endDateTime=",
    "é",
    "😀",
];

/// xorshift64*: small, deterministic for a given seed, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>], input: &mut Vec<u8>) {
    for _ in 0..=rng.below(4) {
        let len = input.len();
        match rng.below(6) {
            0 if len > 0 => {
                let at = rng.below(len);
                input[at] = rng.next() as u8;
            }
            1 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(8)).min(len);
                input.drain(start..end);
            }
            2 if len > 0 => {
                // Repeat a slice in place: grows nesting and long chains.
                let start = rng.below(len);
                let end = (start + 1 + rng.below(16)).min(len);
                let piece = input[start..end].repeat(1 + rng.below(8));
                input.splice(start..start, piece);
            }
            3 if !seeds.is_empty() => {
                let other = &seeds[rng.below(seeds.len())];
                let keep = rng.below(len + 1);
                let from = rng.below(other.len() + 1);
                input.truncate(keep);
                input.extend_from_slice(&other[from..]);
            }
            _ => {
                let word = DICTIONARY[rng.below(DICTIONARY.len())].as_bytes();
                let at = rng.below(len + 1);
                input.splice(at..at, word.iter().copied());
            }
        }
    }
    input.truncate(MAX_LEN);
}

fn read_corpus(dir: &Path) -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .filter_map(|path| std::fs::read(path).ok())
        .collect()
}

/// Runs one input; a description of the failure, if any.
fn run_one(body: fn(&[u8]), input: &[u8]) -> Option<String> {
    let started = Instant::now();
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| body(input)));
    let took = started.elapsed();
    match outcome {
        Err(_) => Some("panicked".into()),
        Ok(()) if took > SLOW => Some(format!("took {took:?}")),
        Ok(()) => None,
    }
}

fn main() -> ExitCode {
    let seconds = std::env::var("SMOKE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let seed = std::env::var("SMOKE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        })
        | 1;
    println!("smoke: SMOKE_SEED={seed}, {seconds} s per target");
    let corpus_root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut failed = false;
    for (name, body) in TARGETS {
        let seeds = read_corpus(&corpus_root.join(name));
        if seeds.is_empty() {
            eprintln!("smoke: {name}: no seeds in corpus/{name}/");
            failed = true;
            continue;
        }
        let mut rng = Rng(seed);
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let mut runs = 0u64;
        let mut failure = None;
        for seed_input in &seeds {
            runs += 1;
            if let Some(why) = run_one(*body, seed_input) {
                failure = Some((why, seed_input.clone()));
                break;
            }
        }
        while failure.is_none() && Instant::now() < deadline {
            let mut input = seeds[rng.below(seeds.len())].clone();
            mutate(&mut rng, &seeds, &mut input);
            runs += 1;
            if let Some(why) = run_one(*body, &input) {
                failure = Some((why, input));
            }
        }
        match failure {
            Some((why, input)) => {
                eprintln!(
                    "smoke: {name}: {why} on input {:?}",
                    String::from_utf8_lossy(&input)
                );
                failed = true;
            }
            None => println!("smoke: {name}: {runs} inputs, no failure"),
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
