//! zerodds_inmem: the slotkit plug-in over zerodds-flatdata's
//! `InMemorySlotAllocator` (1.0.0-rc.7). Every operation is one call of
//! upstream's `SlotBackend`; README.md documents the mapping.
//! Capabilities follow the provided methods upstream overrides: all seven
//! (IN_PLACE, NEXT_UNREAD, TYPE_HASH, NOTIFY). It is single-process, so no
//! CROSS_PROCESS (the kit refuses ATTACH).

use std::ffi::CStr;
use std::sync::atomic::{AtomicU64, Ordering};

use slotkit_backend::{export_backend, Backend, Config, Result, TypeHash};
use slotkit_zerodds_common::{delegate_in_place_next_unread_notify, delegate_required, require_first_sn_zero};
use zerodds_flatdata::{InMemorySlotAllocator, SlotBackend};

pub struct ZeroddsInmem(InMemorySlotAllocator);

/// Upstream takes the segment id from its caller and has no path to hash for
/// an in-memory pool: each pool of the process gets the next number.
fn next_segment_id() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    COUNTER.fetch_add(1, Ordering::Relaxed) + 1
}

impl Backend for ZeroddsInmem {
    const NAME: &'static CStr = c"zerodds_inmem";
    const VERSION: &'static CStr = c"1.0.0-rc.7 (adapter 0.1)";

    /// `InMemorySlotAllocator::new(segment_id, slot_count, slot_capacity)`,
    /// `.with_type_hash(hash)` when the config has one. The name is unused.
    fn open(config: &Config<'_>) -> Result<Self> {
        require_first_sn_zero(config.first_sequence_number)?;
        let pool = InMemorySlotAllocator::new(next_segment_id(), config.slot_count, config.slot_capacity);
        Ok(ZeroddsInmem(match config.type_hash {
            Some(hash) => pool.with_type_hash(hash),
            None => pool,
        }))
    }

    delegate_required!();
}

delegate_in_place_next_unread_notify!(ZeroddsInmem);

impl TypeHash for ZeroddsInmem {
    fn type_hash(&self) -> Option<[u8; 16]> {
        SlotBackend::type_hash(&self.0)
    }
}

export_backend!(ZeroddsInmem);
