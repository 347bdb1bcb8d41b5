//! Findings in the `discard`, `read` and `inplace` (read side) groups of
//! docs/SPEC.md. Each test asserts the upstream behaviour that breaks the
//! rule; the doc comment states the SPEC-correct outcome (README.md).

// Test names follow the suite: r_<group>_<n>__<variant>.
#![allow(non_snake_case)]

mod common;

use common::{handle_of, on_both};
use zerodds_flatdata::{SlotBackend, SlotHandle, SlotHeader};

/// Writes `byte` over the first `len` payload bytes of a live loan.
fn fill_in_place(pool: &dyn SlotBackend, handle: SlotHandle, byte: u8, len: usize) {
    let (ptr, capacity) = pool.slot_data_ptr(handle).expect("slot_data_ptr");
    assert!(len <= capacity);
    // SAFETY: upstream's pointer is valid for `capacity` bytes while the loan
    // is live, and nothing else touches this slot in the test.
    unsafe { std::ptr::write_bytes(ptr, byte, len) };
}

/// Commits `[1; 4]` with mask 0 (SN 0) and reserves the same slot again,
/// as upstream's lowest-index reserve does for a recyclable slot.
fn commit_then_reserve_again(pool: &dyn SlotBackend) -> SlotHandle {
    let first = pool.reserve_slot(0).expect("reserve");
    assert_eq!(pool.commit_slot(first, &[1; 4]), Ok(0));
    let again = pool.reserve_slot(0).expect("reserve again");
    assert_eq!(again, first, "upstream reuses the slot");
    again
}

/// R-DISCARD-1: discarding a live loan makes the slot FREE: `read_slot`
/// returns `OUT_OF_BOUNDS`. Upstream keeps the previous sample's header, so
/// sample 0 comes back, now with the bytes the discarded loan wrote.
#[test]
fn r_discard_1__old_sample_reappears_with_overwritten_bytes() {
    on_both(1, 8, |kind, pool| {
        let loan = commit_then_reserve_again(pool);
        fill_in_place(pool, loan, 2, 4);
        pool.discard_slot(loan).expect("discard");
        let (header, bytes) = pool.read_slot(loan).expect("SPEC: OUT_OF_BOUNDS");
        assert_eq!(header.sequence_number, 0);
        assert_eq!(
            bytes,
            vec![2; 4],
            "{kind:?}: header of sample 0, bytes never published"
        );
    });
}

/// R-DISCARD-2: discarding anything but a live loan returns `OUT_OF_BOUNDS`
/// with no state change. Upstream returns OK and advances the generation.
#[test]
fn r_discard_2__discard_without_loan_succeeds() {
    on_both(1, 8, |kind, pool| {
        let generation = pool.notify_generation();
        assert_eq!(
            pool.discard_slot(handle_of(kind, 0)),
            Ok(()),
            "{kind:?}: SPEC: OUT_OF_BOUNDS"
        );
        assert_ne!(
            pool.notify_generation(),
            generation,
            "{kind:?}: SPEC: unchanged"
        );
    });
}

/// R-READ-3: `read_slot` of a FREE slot returns `OUT_OF_BOUNDS`. Upstream
/// returns an all-zero header and no bytes.
#[test]
fn r_read_3__free_slot_reads_as_empty_sample() {
    on_both(1, 8, |kind, pool| {
        let (header, bytes) = pool
            .read_slot(handle_of(kind, 0))
            .expect("SPEC: OUT_OF_BOUNDS");
        assert_eq!(header, SlotHeader::new(0, 0), "{kind:?}");
        assert!(bytes.is_empty());
    });
}

/// R-READ-3 / R-THREAD-3: a LOANED slot has no sample, so the API never gives
/// a torn read. Upstream shows the old header over the bytes the new loan is
/// writing in place: a torn read without any thread race.
#[test]
fn r_read_3__torn_read_during_in_place_loan() {
    on_both(1, 8, |kind, pool| {
        let loan = commit_then_reserve_again(pool);
        fill_in_place(pool, loan, 2, 2);
        let (header, bytes) = pool.read_slot(loan).expect("SPEC: OUT_OF_BOUNDS");
        assert_eq!(header.sequence_number, 0);
        assert_eq!(bytes, vec![2, 2, 1, 1], "{kind:?}: half new, half old");
    });
}

/// R-INPLACE-5: `slot_read_ptr` of a FREE slot returns `OUT_OF_BOUNDS`.
/// Upstream returns a pointer and length 0.
#[test]
fn r_inplace_5__read_ptr_of_free_slot_succeeds() {
    on_both(1, 8, |kind, pool| {
        let (_, len) = pool
            .slot_read_ptr(handle_of(kind, 0))
            .expect("SPEC: OUT_OF_BOUNDS");
        assert_eq!(len, 0, "{kind:?}");
    });
}
