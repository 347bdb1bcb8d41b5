//! Findings in the `commit`, `seq` and `inplace` (commit side) groups of
//! docs/SPEC.md. Each test asserts the upstream behaviour that breaks the
//! rule; the doc comment states the SPEC-correct outcome (README.md).

// Test names follow the suite: r_<group>_<n>__<variant>.
#![allow(non_snake_case)]

mod common;

use common::{handle_of, on_both, posix};
use zerodds_flatdata::{SlotBackend, SlotError};

/// R-COMMIT-2: a commit on anything but a live loan returns `OUT_OF_BOUNDS`
/// and consumes no SN. Upstream commits again over a sample still pending
/// for reader 0, which loses it unread, and takes SN 1.
#[test]
fn r_commit_2__second_commit_overwrites_pending_sample() {
    on_both(1, 8, |kind, pool| {
        let handle = pool.reserve_slot(0b1).expect("reserve");
        assert_eq!(pool.commit_slot(handle, &[1]), Ok(0));
        assert_eq!(
            pool.commit_slot(handle, &[2]),
            Ok(1),
            "{kind:?}: SPEC: OUT_OF_BOUNDS"
        );
        let (header, bytes) = pool.read_slot(handle).expect("read");
        assert_eq!(
            (header.sequence_number, bytes),
            (1, vec![2]),
            "{kind:?}: sample 0 lost"
        );
    });
}

/// R-COMMIT-2: committing a slot that was never reserved returns
/// `OUT_OF_BOUNDS`. Upstream publishes it.
#[test]
fn r_commit_2__commit_of_never_reserved_slot_publishes() {
    on_both(2, 8, |kind, pool| {
        let never_reserved = handle_of(kind, 1);
        assert_eq!(
            pool.commit_slot(never_reserved, &[9]),
            Ok(0),
            "{kind:?}: SPEC: OUT_OF_BOUNDS"
        );
    });
}

/// R-COMMIT-4: a zero-length sample is a sample: readable, delivered by
/// `next_unread_slot`, and its slot waits for its readers. Upstream takes an
/// SN, then treats `sample_size == 0` as an empty slot: the reader never
/// sees it and the next reserve takes the slot back at once.
#[test]
fn r_commit_4__zero_length_sample_lost() {
    on_both(1, 8, |kind, pool| {
        let handle = pool.reserve_slot(0b1).expect("reserve");
        assert_eq!(pool.commit_slot(handle, &[]), Ok(0));
        assert_eq!(
            pool.next_unread_slot(0),
            Ok(None),
            "{kind:?}: SPEC: delivered"
        );
        assert_eq!(
            pool.reserve_slot(0b1),
            Ok(handle),
            "{kind:?}: SPEC: NO_FREE_SLOT"
        );
    });
}

/// R-SEQ-2: a failed commit consumes no SN, so the next good commit gets 0.
/// POSIX takes the SN before its bounds check, so it gets 1.
#[test]
fn r_seq_2__posix_out_of_range_commit_consumes_sn() {
    let (owner, _flink) = posix(1, 8);
    let out_of_range = handle_of(common::Kind::Posix, 99);
    assert_eq!(
        owner.commit_slot(out_of_range, &[1]),
        Err(SlotError::OutOfBounds)
    );
    let handle = owner.reserve_slot(0).expect("reserve");
    assert_eq!(owner.commit_slot(handle, &[1]), Ok(1), "SPEC: SN 0");
}

/// R-INPLACE-4 / R-SEQ-2: `commit_in_place` out of range fails without
/// consuming an SN. POSIX consumes one.
#[test]
fn r_inplace_4__posix_out_of_range_commit_in_place_consumes_sn() {
    let (owner, _flink) = posix(1, 8);
    let out_of_range = handle_of(common::Kind::Posix, 99);
    assert_eq!(
        owner.commit_in_place(out_of_range, 1),
        Err(SlotError::OutOfBounds)
    );
    let handle = owner.reserve_slot(0).expect("reserve");
    assert_eq!(owner.commit_in_place(handle, 1), Ok(1), "SPEC: SN 0");
}

/// R-INPLACE-4: `commit_in_place` on anything but a live loan returns
/// `OUT_OF_BOUNDS`. Upstream publishes whatever the slot holds.
#[test]
fn r_inplace_4__commit_in_place_without_loan_publishes() {
    on_both(1, 8, |kind, pool| {
        let never_reserved = handle_of(kind, 0);
        assert_eq!(
            pool.commit_in_place(never_reserved, 4),
            Ok(0),
            "{kind:?}: SPEC: OUT_OF_BOUNDS"
        );
        assert_eq!(pool.next_unread_slot(0), Ok(Some(never_reserved)));
    });
}
