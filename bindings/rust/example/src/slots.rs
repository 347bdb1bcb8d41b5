//! One slot of the example pool: its state, wait set, pending readers and a
//! 16-byte aligned payload.

use slotkit_backend::{Error, ReaderMask, Result};

/// A slot is in exactly one state. A COMMITTED slot with nobody pending is
/// recyclable: its sample stays readable until the slot is reserved again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotState {
    Free,
    Loaned,
    Committed,
}

/// 16-byte blocks, so in-place pointers are aligned to 16 (R-INPLACE-6).
#[derive(Clone, Copy)]
#[repr(C, align(16))]
pub struct Block([u8; 16]);

pub struct Payload {
    blocks: Vec<Block>,
    len: usize,
}

impl Payload {
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: blocks hold at least len bytes, contiguous and initialised.
        unsafe { std::slice::from_raw_parts(self.blocks.as_ptr().cast::<u8>(), self.len) }
    }
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as above, and we hold the only reference.
        unsafe { std::slice::from_raw_parts_mut(self.blocks.as_mut_ptr().cast::<u8>(), self.len) }
    }
    /// The pointer in-place callers write through or read from, outside the lock.
    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        self.blocks.as_mut_ptr().cast::<u8>()
    }
}

pub struct Slot {
    pub state: SlotState,
    /// LOANED: the readers the coming sample will wait for (the reserve mask
    /// minus readers disconnected since). COMMITTED: the sample's wait set.
    pub wait_set: ReaderMask,
    /// COMMITTED: readers of the wait set that are not done yet.
    pub pending: ReaderMask,
    pub sequence_number: u32,
    pub sample_size: u32,
    pub payload: Payload,
}

impl Slot {
    pub fn is_reservable(&self) -> bool {
        self.state == SlotState::Free || (self.state == SlotState::Committed && self.pending == 0)
    }

    pub fn is_pending_for(&self, bit: ReaderMask) -> bool {
        self.state == SlotState::Committed && self.pending & bit != 0
    }

    pub fn loan(&mut self, active_readers_mask: ReaderMask) {
        self.state = SlotState::Loaned;
        self.wait_set = active_readers_mask;
        self.pending = 0;
        self.sample_size = 0;
    }

    pub fn commit(&mut self, sequence_number: u32, sample_size: u32) {
        self.state = SlotState::Committed;
        self.sequence_number = sequence_number;
        self.sample_size = sample_size;
        self.pending = self.wait_set;
    }

    pub fn discard(&mut self) {
        self.state = SlotState::Free;
        self.wait_set = 0;
    }

    /// The reader is done with every sample and no live loan waits for it.
    pub fn forget_reader(&mut self, bit: ReaderMask) {
        match self.state {
            SlotState::Committed => self.pending &= !bit,
            SlotState::Loaned => self.wait_set &= !bit,
            SlotState::Free => {}
        }
    }
}

/// `count` FREE slots of `capacity` bytes; an allocation the process cannot
/// make is SYSTEM_ERROR/ENOMEM, not an abort.
pub fn allocate(count: usize, capacity: usize) -> Result<Vec<Slot>> {
    const ENOMEM: i32 = 12;
    let too_big = || Error::system(ENOMEM, format!("cannot allocate {count} slots of {capacity} bytes"));
    let blocks_per_slot = capacity.div_ceil(16);
    blocks_per_slot.checked_mul(16).and_then(|b| b.checked_mul(count)).ok_or_else(too_big)?;
    let mut slots = Vec::new();
    slots.try_reserve_exact(count).map_err(|_| too_big())?;
    for _ in 0..count {
        let mut blocks = Vec::new();
        blocks.try_reserve_exact(blocks_per_slot).map_err(|_| too_big())?;
        blocks.resize(blocks_per_slot, Block([0; 16]));
        slots.push(Slot {
            state: SlotState::Free,
            wait_set: 0,
            pending: 0,
            sequence_number: 0,
            sample_size: 0,
            payload: Payload { blocks, len: capacity },
        });
    }
    Ok(slots)
}
