//! rust_example: an in-memory slotkit backend written with the Rust kit, the
//! Rust counterpart of examples/backend-template/. One `Mutex` guards all
//! state (simple over fast) and a `Condvar` carries the change generation.
//! It implements every capability but CROSS_PROCESS. Rule IDs: docs/SPEC.md.

use std::ffi::CStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use slotkit_backend::{
    export_backend, ffi, reader_bit, sn_before, Backend, Config, Error, Handle, InPlace, NextUnread, Notify, ReadOut,
    ReaderMask, Result, SlotHeader, Status, TypeHash,
};

mod slots;
use slots::{Slot, SlotState};

/// Everything the lock guards.
struct State {
    slots: Vec<Slot>,
    next_sequence: u32, // wraps mod 2^32 (R-SEQ-3)
    generation: u64,
}

pub struct RustExample {
    segment_id: u64,
    slot_capacity: usize,
    type_hash: Option<[u8; 16]>,
    state: Mutex<State>,
    changed: Condvar,
}

/// Distinct per pool of the process, never 0 (R-HANDLE-3); "RUST" tags ours.
fn new_segment_id() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    (0x5255_5354u64 << 32) | (COUNTER.fetch_add(1, Ordering::Relaxed) + 1)
}

impl RustExample {
    fn lock(&self) -> Result<MutexGuard<'_, State>> {
        self.state.lock().map_err(|_| Error::new(Status::LockPoisoned))
    }

    /// The slot index a handle names, if it is ours (R-HANDLE-1, R-HANDLE-2).
    fn index_of(&self, handle: Handle, state: &State) -> Result<usize> {
        let index = handle.slot_index as usize;
        match handle.segment_id == self.segment_id && index < state.slots.len() {
            true => Ok(index),
            false => Err(Error::new(Status::OutOfBounds)),
        }
    }

    /// A live loan's slot, or OUT_OF_BOUNDS (R-COMMIT-2, R-DISCARD-2, R-INPLACE-2/4).
    fn loan<'s>(&self, handle: Handle, state: &'s mut State) -> Result<&'s mut Slot> {
        let index = self.index_of(handle, state)?;
        let slot = &mut state.slots[index];
        match slot.state {
            SlotState::Loaned => Ok(slot),
            _ => Err(Error::new(Status::OutOfBounds)),
        }
    }

    /// A committed sample's slot, or OUT_OF_BOUNDS (R-READ-3, R-MARK-2, R-INPLACE-5).
    fn sample<'s>(&self, handle: Handle, state: &'s mut State) -> Result<&'s mut Slot> {
        let index = self.index_of(handle, state)?;
        let slot = &mut state.slots[index];
        match slot.state {
            SlotState::Committed => Ok(slot),
            _ => Err(Error::new(Status::OutOfBounds)),
        }
    }

    /// Publishes a live loan of `len` bytes already in its payload; the check
    /// order keeps every failure free of side effects (R-SEQ-2).
    fn publish(&self, handle: Handle, len: usize, bytes: Option<&[u8]>) -> Result<u32> {
        let mut state = self.lock()?;
        let sequence = state.next_sequence;
        let slot = self.loan(handle, &mut state)?;
        if len > self.slot_capacity {
            return Err(Error::sample_too_large(len, self.slot_capacity)); // loan stays live (R-COMMIT-3)
        }
        if let Some(bytes) = bytes {
            slot.payload.bytes_mut()[..len].copy_from_slice(bytes);
        }
        slot.commit(sequence, len as u32); // the wait set is fixed here (R-RECYCLE-6)
        state.next_sequence = sequence.wrapping_add(1);
        self.bump(&mut state);
        Ok(sequence)
    }

    /// Advances the generation and wakes every waiter (R-NOTIFY-1, R-NOTIFY-8).
    fn bump(&self, state: &mut State) {
        state.generation = state.generation.wrapping_add(1);
        self.changed.notify_all();
    }
}

impl Backend for RustExample {
    const NAME: &'static CStr = c"rust_example";
    const VERSION: &'static CStr = c"0.1.0";

    fn open(config: &Config<'_>) -> Result<Self> {
        if config.slot_count == 0 {
            return Err(Error::with_message(Status::InvalidArgument, "slot_count must be at least 1"));
            // R-OPEN-1
        }
        // slot_index and sample_size are 32 bits in the ABI.
        if config.slot_count > u32::MAX as usize || config.slot_capacity > u32::MAX as usize {
            return Err(Error::with_message(Status::InvalidArgument, "slot_count and capacity must fit in 32 bits"));
        }
        let slots = slots::allocate(config.slot_count, config.slot_capacity)?;
        Ok(RustExample {
            segment_id: new_segment_id(),
            slot_capacity: config.slot_capacity,
            type_hash: config.type_hash,
            state: Mutex::new(State { slots, next_sequence: config.first_sequence_number, generation: 0 }),
            changed: Condvar::new(),
        })
    }

    fn reserve_slot(&self, active_readers_mask: ReaderMask) -> Result<Handle> {
        let mut state = self.lock()?;
        // Any reservable slot will do; NO_FREE_SLOT changes nothing (R-RESERVE-3).
        let index = state.slots.iter().position(Slot::is_reservable).ok_or(Error::new(Status::NoFreeSlot))?;
        state.slots[index].loan(active_readers_mask); // drops the old sample (R-READ-3)
        Ok(Handle { segment_id: self.segment_id, slot_index: index as u32 })
    }

    fn commit_slot(&self, handle: Handle, bytes: &[u8]) -> Result<u32> {
        self.publish(handle, bytes.len(), Some(bytes))
    }

    fn discard_slot(&self, handle: Handle) -> Result<()> {
        let mut state = self.lock()?;
        self.loan(handle, &mut state)?.discard(); // FREE, no sample (R-DISCARD-1)
        self.bump(&mut state);
        Ok(())
    }

    fn read_slot(&self, handle: Handle, out: &mut ReadOut<'_>) -> Result<()> {
        let mut state = self.lock()?;
        let slot = self.sample(handle, &mut state)?;
        let header = SlotHeader {
            sequence_number: slot.sequence_number,
            sample_size: slot.sample_size,
            reader_mask: slot.wait_set & !slot.pending, // readers done (R-READ-2)
            reserved: 0,
        };
        out.deliver(header, &slot.payload.bytes()[..slot.sample_size as usize]) // R-READ-1, R-READ-4
    }

    fn mark_read(&self, handle: Handle, reader_index: u32) -> Result<()> {
        let bit = reader_bit(reader_index)?; // R-MARK-1
        let mut state = self.lock()?;
        let slot = self.sample(handle, &mut state)?;
        if slot.pending & bit == 0 {
            return Ok(()); // outside the wait set or already done (R-MARK-3)
        }
        slot.pending &= !bit;
        self.bump(&mut state);
        Ok(())
    }

    fn mark_reader_disconnected(&self, reader_index: u32) -> Result<()> {
        let bit = reader_bit(reader_index)?;
        let mut state = self.lock()?;
        for slot in state.slots.iter_mut() {
            slot.forget_reader(bit); // R-DISC-1, R-DISC-2; nothing kept (R-DISC-3)
        }
        self.bump(&mut state);
        Ok(())
    }

    fn slot_count(&self) -> Result<usize> {
        Ok(self.lock()?.slots.len()) // R-GEOM-1
    }

    fn slot_total_size(&self) -> usize {
        ffi::slot_total_size(self.slot_capacity) // R-GEOM-3
    }

    fn slot_capacity(&self) -> usize {
        self.slot_capacity // R-GEOM-2
    }
}

impl InPlace for RustExample {
    fn slot_data_ptr(&self, handle: Handle) -> Result<(*mut u8, usize)> {
        let mut state = self.lock()?;
        let slot = self.loan(handle, &mut state)?;
        Ok((slot.payload.as_mut_ptr(), self.slot_capacity)) // R-INPLACE-1, aligned 16 (R-INPLACE-6)
    }

    fn commit_in_place(&self, handle: Handle, len: usize) -> Result<u32> {
        self.publish(handle, len, None) // as commit_slot, without the copy (R-INPLACE-3)
    }

    fn slot_read_ptr(&self, handle: Handle) -> Result<(*const u8, usize)> {
        let mut state = self.lock()?;
        let slot = self.sample(handle, &mut state)?;
        Ok((slot.payload.as_mut_ptr().cast_const(), slot.sample_size as usize)) // R-INPLACE-5
    }
}

impl NextUnread for RustExample {
    fn next_unread_slot(&self, reader_index: u32) -> Result<Option<Handle>> {
        let bit = reader_bit(reader_index)?;
        let state = self.lock()?;
        let pending = state.slots.iter().enumerate().filter(|(_, s)| s.is_pending_for(bit));
        // Oldest in serial SN order (R-NEXT-2, R-SEQ-4).
        let oldest = pending.reduce(|a, b| if sn_before(b.1.sequence_number, a.1.sequence_number) { b } else { a });
        Ok(oldest.map(|(index, _)| Handle { segment_id: self.segment_id, slot_index: index as u32 }))
    }
}

impl TypeHash for RustExample {
    fn type_hash(&self) -> Option<[u8; 16]> {
        self.type_hash // R-HASH-1
    }
}

impl Notify for RustExample {
    fn notify_generation(&self) -> u64 {
        self.lock().map_or(0, |state| state.generation)
    }

    fn wait_for_change(&self, last: u64, timeout: Duration) {
        // Blocks (R-NOTIFY-7); spurious and signal wake-ups re-check (R-NOTIFY-3).
        if let Ok(state) = self.lock() {
            let _ = self.changed.wait_timeout_while(state, timeout, |s| s.generation == last);
        }
    }
}

export_backend!(RustExample);
