//! Findings in the cross-process rules (docs/SPEC.md §7) on the POSIX
//! backend. Two instances of one pool in one process stand in for two
//! processes: upstream keeps per-instance state exactly where a second
//! process would. Each test asserts the upstream behaviour that breaks the
//! rule; the doc comment states the SPEC-correct outcome (README.md).

// Test names follow the suite: r_<group>_<n>__<variant>.
#![allow(non_snake_case)]
#![cfg(target_os = "linux")]

mod common;

use std::path::Path;

use common::{posix, unique_flink};
use zerodds_flatdata::{PosixSlotAllocator, SlotBackend, SlotError};

/// R-XPROC-3: loans are exclusive across instances. Upstream keeps loans in
/// a table private to each instance, so owner and attacher both loan slot 0.
#[test]
fn r_xproc_3__two_instances_loan_the_same_slot() {
    let (owner, flink) = posix(1, 8);
    let attacher = PosixSlotAllocator::attach(&flink).expect("attach");
    let mine = owner.reserve_slot(0).expect("reserve");
    let theirs = attacher.reserve_slot(0).expect("SPEC: NO_FREE_SLOT");
    assert_eq!(mine, theirs);
}

/// R-XPROC-5: a handle works in every instance, including committing another
/// instance's live loan, after which the slot is reservable again once its
/// sample is recyclable. Upstream commits, but the owner's loan flag stays
/// set: the owner never gets the slot back.
#[test]
fn r_xproc_5__attacher_commit_of_owner_loan_leaks_slot() {
    let (owner, flink) = posix(1, 8);
    let attacher = PosixSlotAllocator::attach(&flink).expect("attach");
    let loan = owner.reserve_slot(0).expect("reserve");
    assert_eq!(attacher.commit_slot(loan, &[1]), Ok(0));
    assert_eq!(
        owner.reserve_slot(0),
        Err(SlotError::NoFreeSlot),
        "SPEC: OK"
    );
}

/// R-XPROC-13: after a creator died without closing, a later CREATE of its
/// name recovers it or reports it stale (never "exists"). Upstream leaves
/// the flink file and shm object behind and refuses with `LinkExists`.
/// `mem::forget` skips the owner's drop, as `SIGKILL` would.
#[test]
fn r_xproc_13__dead_creator_blocks_create() {
    let flink = unique_flink();
    let dead = PosixSlotAllocator::create(&flink, 1, 8).expect("create");
    let os_id = std::fs::read_to_string(&flink).expect("flink names the shm object");
    std::mem::forget(dead);
    let again = PosixSlotAllocator::create(&flink, 1, 8)
        .err()
        .map(|e| format!("{e:?}"));
    remove_leftovers(&flink, &os_id);
    let refused = again.is_some_and(|e| e.contains("LinkExists"));
    assert!(refused, "SPEC: recovers the name or reports it stale");
}

/// Removes what a dead owner leaves, whether or not a later create took the
/// name over: its shm object and the flink file.
fn remove_leftovers(flink: &Path, os_id: &str) {
    let _ = std::fs::remove_file(Path::new("/dev/shm").join(os_id.trim_start_matches('/')));
    let _ = std::fs::remove_file(flink);
}

const CHILD_FLINK: &str = "ZERODDS_REPRO_CHILD_FLINK";

/// R-XPROC-10 / R-POSIX-2 (threat model §7.3): attach validates the segment
/// before it trusts a field, and a bad segment returns `INCOMPATIBLE`.
/// Upstream checks only the magic: a header whose slot_count exceeds the
/// mapping makes `read_slot` touch memory past it, and the process dies.
#[test]
fn r_xproc_10__attach_trusts_slot_count_and_crashes() {
    use std::os::unix::fs::FileExt;
    use std::os::unix::process::ExitStatusExt;
    let (_owner, flink) = posix(1, 0);
    let os_id = std::fs::read_to_string(&flink).expect("flink");
    let shm = std::fs::OpenOptions::new()
        .write(true)
        .open(Path::new("/dev/shm").join(os_id.trim_start_matches('/')))
        .expect("open shm object");
    shm.write_all_at(&1_000_000u32.to_ne_bytes(), 4)
        .expect("poke slot_count");
    let status = std::process::Command::new(std::env::current_exe().expect("exe"))
        .args(["--exact", "attach_and_read_last_slot", "--test-threads=1"])
        .env(CHILD_FLINK, &flink)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run child");
    let signal = status.signal();
    assert!(
        matches!(signal, Some(7 | 11)),
        "SPEC: INCOMPATIBLE; child {status:?}"
    );
}

/// The child half of the test above; does nothing unless that test runs it.
#[test]
fn attach_and_read_last_slot() {
    let Some(flink) = std::env::var_os(CHILD_FLINK) else {
        return;
    };
    let attacher = PosixSlotAllocator::attach(flink).expect("upstream attaches");
    let count = SlotBackend::slot_count(&attacher).expect("count");
    let last = zerodds_flatdata::SlotHandle {
        segment_id: 0,
        slot_index: (count - 1) as u32,
    };
    let _ = attacher.read_slot(last);
}
