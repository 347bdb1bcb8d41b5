//! Capabilities follow the traits a type implements: here TypeHash and
//! CrossProcess only, so exactly those bits and entries, and ATTACH reaches open.
use std::ffi::CStr;
use std::ptr::{null, null_mut};

use slotkit_backend::*;

struct HashOnly(Option<[u8; 16]>, Role);

impl Backend for HashOnly {
    const NAME: &'static CStr = c"hash-only";
    const VERSION: &'static CStr = c"1";
    fn open(config: &Config<'_>) -> Result<Self> {
        Ok(HashOnly(config.type_hash, config.role))
    }
    fn reserve_slot(&self, _: ReaderMask) -> Result<Handle> {
        Err(Status::NoFreeSlot.into())
    }
    fn commit_slot(&self, _: Handle, _: &[u8]) -> Result<u32> {
        Err(Status::OutOfBounds.into())
    }
    fn discard_slot(&self, _: Handle) -> Result<()> {
        Err(Status::OutOfBounds.into())
    }
    fn read_slot(&self, _: Handle, _: &mut ReadOut<'_>) -> Result<()> {
        Err(Status::OutOfBounds.into())
    }
    fn mark_read(&self, _: Handle, _: u32) -> Result<()> {
        Err(Status::OutOfBounds.into())
    }
    fn mark_reader_disconnected(&self, _: u32) -> Result<()> {
        Ok(())
    }
    fn slot_count(&self) -> Result<usize> {
        Ok(1)
    }
    fn slot_total_size(&self) -> usize {
        64
    }
    fn slot_capacity(&self) -> usize {
        // The role reached open: ATTACH shows as capacity 1.
        usize::from(self.1 == Role::Attach)
    }
}

impl TypeHash for HashOnly {
    fn type_hash(&self) -> Option<[u8; 16]> {
        self.0
    }
}

impl CrossProcess for HashOnly {}

export_backend!(HashOnly);

#[test]
fn bits_and_entries_follow_the_implemented_traits() {
    let d = unsafe { &*slotkit_backend_entry() };
    assert_eq!(d.capabilities, ffi::SLOTKIT_CAP_TYPE_HASH | ffi::SLOTKIT_CAP_CROSS_PROCESS);
    let ops = unsafe { &*d.ops };
    assert!(ops.type_hash.is_some());
    assert!(ops.slot_data_ptr.is_none() && ops.next_unread_slot.is_none() && ops.notify_generation.is_none());
    let hash = [9u8; 16];
    let cfg = ffi::slotkit_config {
        slot_count: 1,
        slot_capacity: 0,
        name: c"pool".as_ptr(),
        type_hash: hash.as_ptr(),
        role: ffi::SLOTKIT_ROLE_ATTACH,
        first_sequence_number: 0,
    };
    let mut inst = null_mut();
    unsafe {
        assert_eq!((d.open)(&cfg, &mut inst, &mut std::mem::zeroed()), ffi::SLOTKIT_OK);
        assert_eq!((ops.slot_capacity)(inst), 1, "ATTACH reached open");
        let mut out = [0u8; 16];
        assert!((ops.type_hash.unwrap())(inst, out.as_mut_ptr()));
        assert_eq!(out, hash);
        assert!(!(ops.type_hash.unwrap())(inst, null_mut()));
        assert!(panic_message(inst).is_none());
        assert!(!slotkit_rust_panic_message(inst, null_mut(), 0));
        (d.close)(inst);
    }
    let _ = null::<u8>();
}
