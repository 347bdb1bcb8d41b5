//! Pools for the repro tests: each finding runs on both upstream backends
//! that implement `SlotBackend` (in-memory and POSIX shm) unless it is
//! specific to one of them.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use zerodds_flatdata::{InMemorySlotAllocator, PosixSlotAllocator, SlotBackend, SlotHandle};

/// Segment id given to in-memory pools; not 0, so it differs from POSIX's.
pub const INMEM_SEGMENT_ID: u64 = 0x5107;

/// Which upstream backend a check runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    InMem,
    Posix,
}

/// A flink path no other test or process uses. The owner's drop removes both
/// the file and the shm object it names.
pub fn unique_flink() -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("zerodds-repro-{}-{}.flink", std::process::id(), n))
}

pub fn inmem(slot_count: usize, capacity: usize) -> InMemorySlotAllocator {
    InMemorySlotAllocator::new(INMEM_SEGMENT_ID, slot_count, capacity)
}

/// A POSIX owner and the flink path to attach to it.
pub fn posix(slot_count: usize, capacity: usize) -> (PosixSlotAllocator, PathBuf) {
    let flink = unique_flink();
    let owner = PosixSlotAllocator::create(&flink, slot_count, capacity).expect("posix create");
    (owner, flink)
}

/// Runs `check` on a fresh in-memory pool and on a fresh POSIX owner of the
/// same geometry. `check` gets the kind so its messages name the backend.
pub fn on_both(slot_count: usize, capacity: usize, check: impl Fn(Kind, &dyn SlotBackend)) {
    check(Kind::InMem, &inmem(slot_count, capacity));
    let (owner, _flink) = posix(slot_count, capacity);
    check(Kind::Posix, &owner);
}

/// A handle to `slot_index` that no reserve produced. Upstream handles are
/// plain data; the POSIX backend always uses segment id 0.
pub fn handle_of(kind: Kind, slot_index: u32) -> SlotHandle {
    let segment_id = match kind {
        Kind::InMem => INMEM_SEGMENT_ID,
        Kind::Posix => 0,
    };
    SlotHandle {
        segment_id,
        slot_index,
    }
}
