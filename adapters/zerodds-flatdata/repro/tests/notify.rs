//! Findings in the `notify` group of docs/SPEC.md (POSIX backend; the
//! in-memory backend's condvar wait passes these). Each test asserts the
//! upstream behaviour that breaks the rule; the doc comment states the
//! SPEC-correct outcome (README.md).

// Test names follow the suite: r_<group>_<n>__<variant>.
#![allow(non_snake_case)]
#![cfg(target_os = "linux")]

mod common;

use std::os::raw::c_int;
use std::os::unix::thread::{JoinHandleExt, RawPthread};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use common::posix;
use zerodds_flatdata::SlotBackend;

// From the C library std already links; no extra crate needed.
extern "C" {
    fn signal(signum: c_int, handler: usize) -> usize;
    fn pthread_kill(thread: RawPthread, signum: c_int) -> c_int;
}
const SIGUSR1: c_int = 10;

extern "C" fn ignore_signal(_: c_int) {}

/// R-NOTIFY-3 (`notify::r_notify_3__signals`): with nothing changing,
/// `wait_for_change(g, 2 s)` returns after 2 s even when signals reach the
/// thread. Upstream's futex wait returns on the first `EINTR`.
#[test]
fn r_notify_3__posix_wait_returns_early_on_signal() {
    // SAFETY: installs a handler that does nothing, for SIGUSR1 only.
    unsafe { signal(SIGUSR1, ignore_signal as extern "C" fn(c_int) as usize) };
    let (owner, _flink) = posix(1, 8);
    let pool = Arc::new(owner);
    let done = Arc::new(AtomicBool::new(false));
    let waiter = {
        let (pool, done) = (Arc::clone(&pool), Arc::clone(&done));
        std::thread::spawn(move || {
            let start = Instant::now();
            pool.wait_for_change(pool.notify_generation(), Duration::from_secs(2));
            done.store(true, Ordering::SeqCst);
            start.elapsed()
        })
    };
    let deadline = Instant::now() + Duration::from_millis(1500);
    while !done.load(Ordering::SeqCst) && Instant::now() < deadline {
        // SAFETY: the thread is not joined yet, so its pthread_t is valid.
        unsafe { pthread_kill(waiter.as_pthread_t(), SIGUSR1) };
        std::thread::sleep(Duration::from_millis(10));
    }
    let waited = waiter.join().expect("waiter");
    assert!(
        waited < Duration::from_secs(1),
        "SPEC: waits the full 2 s, waited {waited:?}"
    );
}

/// R-NOTIFY-3 (`__huge_timeout`), reachable through the trait only: a wait
/// with `Duration::MAX` blocks until a change. Upstream casts the seconds to
/// a negative `time_t`, the futex call fails with `EINVAL`, and the wait
/// returns at once. (slotkit's `uint64_t timeout_ns` stays below 2^63 s, so
/// the C ABI cannot reach this.)
#[test]
fn r_notify_3__posix_duration_max_returns_at_once() {
    let (owner, _flink) = posix(1, 8);
    let pool = Arc::new(owner);
    let (returned, on_return) = mpsc::channel();
    let waiter = {
        let pool = Arc::clone(&pool);
        std::thread::spawn(move || {
            pool.wait_for_change(pool.notify_generation(), Duration::MAX);
            let _ = returned.send(());
        })
    };
    let early = on_return.recv_timeout(Duration::from_secs(1)).is_ok();
    if !early {
        // Upstream fixed it: wake the waiter so the test can end.
        let handle = pool.reserve_slot(0).expect("reserve");
        pool.commit_slot(handle, &[1]).expect("commit");
    }
    waiter.join().expect("waiter");
    assert!(early, "SPEC: blocks until a change");
}
