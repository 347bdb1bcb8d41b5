//! Findings in the `open`, `geom` and `handle` groups of docs/SPEC.md.
//!
//! Convention (see README.md): every test asserts the upstream behaviour that
//! breaks the rule, so it passes while upstream has the bug and fails once
//! upstream changes. The doc comment states the SPEC-correct outcome.

// Test names follow the suite: r_<group>_<n>__<variant>.
#![allow(non_snake_case)]

mod common;

use common::{inmem, on_both, posix, unique_flink};
use zerodds_flatdata::{PosixSlotAllocator, SlotBackend, SlotError, SlotHandle};

/// R-OPEN-1: a pool with `slot_count == 0` must be refused
/// (`INVALID_ARGUMENT`). Upstream builds one, and every reserve on it fails.
#[test]
fn r_open_1__zero_slots_accepted() {
    let empty = inmem(0, 8);
    assert_eq!(empty.slot_count(), Ok(0));
    assert_eq!(empty.reserve_slot(0), Err(SlotError::NoFreeSlot));

    let flink = unique_flink();
    let owner = PosixSlotAllocator::create(&flink, 0, 8).expect("upstream accepts 0 slots");
    assert_eq!(SlotBackend::slot_count(&owner), Ok(0));
    assert_eq!(owner.reserve_slot(0), Err(SlotError::NoFreeSlot));
}

/// R-GEOM-2 / R-XPROC-1: every instance reports the configured capacity
/// (64). A POSIX attacher reports the padded `slot_total_size - 16` (112).
#[test]
fn r_geom_2__posix_attacher_reports_padded_capacity() {
    let (owner, flink) = posix(1, 64);
    let attacher = PosixSlotAllocator::attach(&flink).expect("attach");
    assert_eq!(owner.slot_capacity(), 64);
    assert_eq!(attacher.slot_capacity(), 112, "SPEC: 64, as the owner");
}

/// R-READ-1 (consequence of R-GEOM-2): `read_slot` copies exactly
/// `sample_size` bytes. An attacher may commit up to its padded capacity; the
/// owner then reads a header saying 100 bytes with only 64 bytes of payload.
#[test]
fn r_read_1__posix_owner_truncates_attacher_sample() {
    let (owner, flink) = posix(1, 64);
    let attacher = PosixSlotAllocator::attach(&flink).expect("attach");
    let handle = attacher.reserve_slot(0).expect("reserve");
    attacher
        .commit_slot(handle, &[7u8; 100])
        .expect("SPEC: SAMPLE_TOO_LARGE");
    let (header, bytes) = owner.read_slot(handle).expect("read");
    assert_eq!(header.sample_size, 100);
    assert_eq!(bytes.len(), 64, "SPEC: 100 bytes, or the commit refused");
}

/// R-HANDLE-1: a handle whose `segment_id` is not the pool's returns
/// `OUT_OF_BOUNDS` with no state change. Upstream ignores the id and commits.
#[test]
fn r_handle_1__foreign_segment_id_accepted() {
    on_both(1, 8, |kind, pool| {
        let own = pool.reserve_slot(0).expect("reserve");
        let foreign = SlotHandle {
            segment_id: own.segment_id ^ 0xFFFF,
            ..own
        };
        assert_eq!(
            pool.commit_slot(foreign, &[1]),
            Ok(0),
            "{kind:?}: SPEC: OUT_OF_BOUNDS"
        );
        assert!(
            pool.read_slot(foreign).is_ok(),
            "{kind:?}: SPEC: OUT_OF_BOUNDS"
        );
    });
}

/// R-HANDLE-3 / R-XPROC-5: two pools issue handles with different segment
/// ids. Every POSIX handle carries segment id 0, so a handle of one pool acts
/// on the other.
#[test]
fn r_handle_3__posix_pools_share_segment_id_zero() {
    let (first, _f1) = posix(1, 8);
    let (second, _f2) = posix(1, 8);
    let a = first.reserve_slot(0).expect("reserve");
    let b = second.reserve_slot(0).expect("reserve");
    assert_eq!(a.segment_id, 0);
    assert_eq!(b.segment_id, 0, "SPEC: distinct ids for distinct pools");
    assert_eq!(second.commit_slot(a, &[1]), Ok(0), "SPEC: OUT_OF_BOUNDS");
}
