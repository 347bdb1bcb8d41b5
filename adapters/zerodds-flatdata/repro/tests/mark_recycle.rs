//! Findings in the `mark`, `recycle`, `reserve` and `disc` groups of
//! docs/SPEC.md. Each test asserts the upstream behaviour that breaks the
//! rule; the doc comment states the SPEC-correct outcome (README.md).
//!
//! The root of several findings: upstream stores no wait set with a sample.
//! A slot is judged reservable against the mask of the *next* reserve, and
//! `reader_mask` collects bits from any reader.

// Test names follow the suite: r_<group>_<n>__<variant>.
#![allow(non_snake_case)]

mod common;

use common::{handle_of, on_both};
use zerodds_flatdata::SlotError;

/// R-RESERVE-1 / R-RECYCLE-1: reserve hands out only reservable slots; a
/// sample committed under mask 0b1 waits for reader 0. A reserve with another
/// mask (0) takes the slot back while the sample is still pending.
#[test]
fn r_reserve_1__other_mask_recycles_pending_sample() {
    on_both(1, 8, |kind, pool| {
        let handle = pool.reserve_slot(0b1).expect("reserve");
        pool.commit_slot(handle, &[1]).expect("commit");
        assert_eq!(
            pool.reserve_slot(0),
            Ok(handle),
            "{kind:?}: SPEC: NO_FREE_SLOT"
        );
    });
}

/// R-RECYCLE-4: readers outside a sample's wait set never block recycling.
/// The sample waited for reader 0 only and reader 0 marked it; a reserve
/// with mask 0b11 still finds no slot, blocked by reader 1.
#[test]
fn r_recycle_4__reader_outside_wait_set_blocks_recycling() {
    on_both(1, 8, |kind, pool| {
        let handle = pool.reserve_slot(0b01).expect("reserve");
        pool.commit_slot(handle, &[1]).expect("commit");
        pool.mark_read(handle, 0).expect("mark");
        assert_eq!(
            pool.reserve_slot(0b11),
            Err(SlotError::NoFreeSlot),
            "{kind:?}: SPEC: OK"
        );
    });
}

/// R-MARK-2 / R-RECYCLE-6: `mark_read` of a FREE or LOANED slot returns
/// `OUT_OF_BOUNDS`. Upstream returns OK for both.
#[test]
fn r_mark_2__mark_of_free_or_loaned_slot_succeeds() {
    on_both(2, 8, |kind, pool| {
        assert_eq!(
            pool.mark_read(handle_of(kind, 1), 0),
            Ok(()),
            "{kind:?}: FREE"
        );
        let loan = pool.reserve_slot(0b1).expect("reserve");
        assert_eq!(pool.mark_read(loan, 0), Ok(()), "{kind:?}: LOANED");
    });
}

/// R-MARK-3 / R-READ-2: a mark by a reader outside the wait set, or a second
/// mark, changes nothing (`reader_mask` stays 0 for reader 5; the generation
/// stays). Upstream sets bit 5 and advances the generation on a repeat.
#[test]
fn r_mark_3__marks_outside_wait_set_and_repeats_change_state() {
    on_both(1, 8, |kind, pool| {
        let handle = pool.reserve_slot(0b1).expect("reserve");
        pool.commit_slot(handle, &[1]).expect("commit");
        pool.mark_read(handle, 5).expect("mark by reader 5");
        let (header, _) = pool.read_slot(handle).expect("read");
        assert_eq!(header.reader_mask, 1 << 5, "{kind:?}: SPEC: 0");
        pool.mark_read(handle, 0).expect("mark");
        let generation = pool.notify_generation();
        pool.mark_read(handle, 0).expect("second mark");
        assert_ne!(
            pool.notify_generation(),
            generation,
            "{kind:?}: SPEC: unchanged"
        );
    });
}

/// R-DISC-2: a disconnect also removes the reader from live loans. Upstream
/// ORs the bit into the loaned slot, the commit resets the mask, and the
/// sample waits for the dead reader: the one-slot pool stays full.
#[test]
fn r_disc_2__commit_after_disconnect_waits_for_dead_reader() {
    on_both(1, 8, |kind, pool| {
        let handle = pool.reserve_slot(0b1).expect("reserve");
        pool.mark_reader_disconnected(0).expect("disconnect");
        pool.commit_slot(handle, &[1]).expect("commit");
        assert_eq!(
            pool.reserve_slot(0b1),
            Err(SlotError::NoFreeSlot),
            "{kind:?}: SPEC: OK"
        );
    });
}

/// R-MARK-1: `reader_index >= 32` returns `OUT_OF_BOUNDS`. In release builds
/// upstream shifts by `index mod 32`: reader 32's mark consumes reader 0's
/// sample, and the slot is recycled although reader 0 never read it.
#[cfg(not(debug_assertions))]
#[test]
fn r_mark_1__mark_read_32_consumes_reader_0_sample() {
    on_both(1, 8, |kind, pool| {
        let handle = pool.reserve_slot(0b1).expect("reserve");
        pool.commit_slot(handle, &[1]).expect("commit");
        assert_eq!(
            pool.mark_read(handle, 32),
            Ok(()),
            "{kind:?}: SPEC: OUT_OF_BOUNDS"
        );
        assert_eq!(
            pool.next_unread_slot(0),
            Ok(None),
            "{kind:?}: reader 0 lost it"
        );
        assert_eq!(pool.reserve_slot(0b1), Ok(handle));
    });
}

/// R-MARK-1: `mark_reader_disconnected(32)` returns `OUT_OF_BOUNDS`. In
/// release builds upstream disconnects reader 0 instead.
#[cfg(not(debug_assertions))]
#[test]
fn r_mark_1__disconnect_32_disconnects_reader_0() {
    on_both(1, 8, |kind, pool| {
        let handle = pool.reserve_slot(0b1).expect("reserve");
        pool.commit_slot(handle, &[1]).expect("commit");
        assert_eq!(
            pool.mark_reader_disconnected(32),
            Ok(()),
            "{kind:?}: SPEC: OUT_OF_BOUNDS"
        );
        assert_eq!(
            pool.next_unread_slot(0),
            Ok(None),
            "{kind:?}: reader 0 lost it"
        );
    });
}

/// R-MARK-1: `next_unread_slot(32)` returns `OUT_OF_BOUNDS`. In release
/// builds upstream answers for reader 0.
#[cfg(not(debug_assertions))]
#[test]
fn r_mark_1__next_unread_32_answers_for_reader_0() {
    on_both(1, 8, |kind, pool| {
        let handle = pool.reserve_slot(0b11).expect("reserve");
        pool.commit_slot(handle, &[1]).expect("commit");
        pool.mark_read(handle, 0).expect("mark");
        assert_eq!(
            pool.next_unread_slot(32),
            Ok(None),
            "{kind:?}: SPEC: OUT_OF_BOUNDS"
        );
        assert_eq!(pool.next_unread_slot(1), Ok(Some(handle)));
    });
}

/// R-MARK-1, debug builds: upstream's `debug_assert!(reader_index < 32)`
/// panics. In-memory panics while holding the pool lock, so every later
/// call returns `LockPoisoned`: one bad index bricks the pool.
#[cfg(debug_assertions)]
#[test]
fn r_mark_1__debug_mark_read_32_panics_and_poisons_inmem_pool() {
    let pool = common::inmem(1, 8);
    let handle = pool.reserve_slot(0b1).expect("reserve");
    pool.commit_slot(handle, &[1]).expect("commit");
    let marked =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| pool.mark_read(handle, 32)));
    assert!(marked.is_err(), "SPEC: OUT_OF_BOUNDS, no panic");
    assert_eq!(
        pool.reserve_slot(0),
        Err(SlotError::LockPoisoned),
        "SPEC: usable"
    );
}
