//! The monkey: random keys, mouse events, resizes, ticks and worker answers (late, twice, out
//! of order, for requests never made) fed to `App::update`, the app drawn on a `TestBackend`
//! after every step. Nothing may panic and the invariants in `monkey/world.rs` must hold.
//!
//! `MONKEY_SEED=<n>` runs other seeds (each test adds its own offset to it), `MONKEY_STEPS=<n>`
//! sets the steps per test (for a long run). A failure prints the seed, the step and the last
//! events. With the default seeds the run must also reach every state of `world::STATES`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

#[path = "monkey/events.rs"]
mod events;
#[path = "monkey/rng.rs"]
mod rng;
#[path = "monkey/workers.rs"]
mod workers;
#[path = "monkey/world.rs"]
mod world;

use std::time::Instant;

/// Steps per test by default: four tests make 200,000 steps per run.
const STEPS: usize = 50_000;
const DEFAULT_SEED: u64 = 0x6d6f_6e6b_6579;

fn env_number(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    Some(
        v.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
    )
}

fn monkey(offset: u64) {
    let base = env_number("MONKEY_SEED").unwrap_or(DEFAULT_SEED);
    let seed = base.wrapping_add(offset);
    let steps = env_number("MONKEY_STEPS").map_or(STEPS, |n| n as usize);
    let replay =
        format!("MONKEY_SEED={base} cargo test --test monkey -- --exact monkey_seed_{offset}");
    let started = Instant::now();
    let run = world::run(seed, steps, &replay);
    println!(
        "monkey seed {seed}: {} steps in {:.1} s, {} restarts, states never reached: {:?}",
        run.steps,
        started.elapsed().as_secs_f64(),
        run.restarts,
        run.missed
    );
    assert_eq!(run.steps, steps, "seed {seed}: steps run");
    // A full run of the default seeds must get everywhere; other seeds and short runs only
    // report where they got (a seed may miss a rare state without anything being wrong).
    if base == DEFAULT_SEED && steps >= STEPS {
        assert!(
            run.missed.is_empty(),
            "seed {seed}: never reached {:?}",
            run.missed
        );
    }
}

#[test]
fn monkey_seed_0() {
    monkey(0);
}

#[test]
fn monkey_seed_1() {
    monkey(1);
}

#[test]
fn monkey_seed_2() {
    monkey(2);
}

#[test]
fn monkey_seed_3() {
    monkey(3);
}
