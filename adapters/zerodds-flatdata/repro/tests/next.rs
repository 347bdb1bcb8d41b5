//! Findings in the `next` group of docs/SPEC.md. Each test asserts the
//! upstream behaviour that breaks the rule; the doc comment states the
//! SPEC-correct outcome (README.md).

// Test names follow the suite: r_<group>_<n>__<variant>.
#![allow(non_snake_case)]

mod common;

use common::on_both;

/// R-NEXT-2 (and R-SEQ-4, which orders through it): `next_unread_slot`
/// returns the oldest pending sample in SN order. Upstream returns the lowest
/// slot index: SN 2 in slot 0 comes before SN 1 in slot 1 (reordered).
#[test]
fn r_next_2__lowest_index_before_oldest_sn() {
    on_both(2, 8, |kind, pool| {
        let slot0 = pool.reserve_slot(0b1).expect("reserve");
        assert_eq!(pool.commit_slot(slot0, &[0]), Ok(0));
        let slot1 = pool.reserve_slot(0b1).expect("reserve");
        assert_eq!(pool.commit_slot(slot1, &[1]), Ok(1));
        pool.mark_read(slot0, 0).expect("mark SN 0");
        assert_eq!(pool.reserve_slot(0b1), Ok(slot0));
        assert_eq!(pool.commit_slot(slot0, &[2]), Ok(2));
        assert_eq!(
            pool.next_unread_slot(0),
            Ok(Some(slot0)),
            "{kind:?}: SPEC: slot 1 (SN 1)"
        );
    });
}

/// R-NEXT-3: `next_unread_slot` never returns a LOANED slot. Upstream returns
/// a slot that a writer has reserved again and may be overwriting.
#[test]
fn r_next_3__returns_loaned_slot() {
    on_both(1, 8, |kind, pool| {
        let handle = pool.reserve_slot(0).expect("reserve");
        pool.commit_slot(handle, &[1]).expect("commit");
        let loan = pool.reserve_slot(0).expect("reserve again");
        assert_eq!(
            pool.next_unread_slot(0),
            Ok(Some(loan)),
            "{kind:?}: SPEC: none"
        );
    });
}

/// R-NEXT-3: `next_unread_slot(r)` never returns a sample whose wait set does
/// not contain `r`. Upstream returns reader 0's sample to reader 5.
#[test]
fn r_next_3__returns_sample_outside_wait_set() {
    on_both(1, 8, |kind, pool| {
        let handle = pool.reserve_slot(0b1).expect("reserve");
        pool.commit_slot(handle, &[1]).expect("commit");
        assert_eq!(
            pool.next_unread_slot(5),
            Ok(Some(handle)),
            "{kind:?}: SPEC: none"
        );
    });
}
