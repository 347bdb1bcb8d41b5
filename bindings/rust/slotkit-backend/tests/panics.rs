//! A panic never unwinds into C: open reports SYSTEM_ERROR with the panic
//! message in slotkit_error; an operation reports SYSTEM_ERROR, poisons the
//! instance, and every later call returns LOCK_POISONED. The test calls the
//! exported C entry points, so this process surviving is part of the check.
use std::ffi::{c_char, CStr};
use std::ptr::{null, null_mut};

use slotkit_backend::*;

/// Panics on demand: open with slot_count 13, reserve with mask 0xDEAD.
struct Panicky;

impl Backend for Panicky {
    const NAME: &'static CStr = c"panicky";
    const VERSION: &'static CStr = c"0";
    fn open(config: &Config<'_>) -> Result<Self> {
        assert!(config.slot_count != 13, "unlucky slot count");
        Ok(Panicky)
    }
    fn reserve_slot(&self, mask: ReaderMask) -> Result<Handle> {
        if mask == 0xDEAD {
            panic!("reserve exploded with mask {mask:#x}");
        }
        Ok(Handle { segment_id: 1, slot_index: 0 })
    }
    fn commit_slot(&self, _: Handle, bytes: &[u8]) -> Result<u32> {
        Ok(bytes.len() as u32)
    }
    fn discard_slot(&self, _: Handle) -> Result<()> {
        Ok(())
    }
    fn read_slot(&self, _: Handle, out: &mut ReadOut<'_>) -> Result<()> {
        out.deliver(SlotHeader { sequence_number: 7, sample_size: 3, ..Default::default() }, b"abc")
    }
    fn mark_read(&self, _: Handle, reader_index: u32) -> Result<()> {
        reader_bit(reader_index).map(drop)
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
        3
    }
}

export_backend!(Panicky);

fn descriptor() -> &'static ffi::slotkit_backend {
    unsafe { &*slotkit_backend_entry() }
}

fn config(slot_count: usize, role: ffi::slotkit_role) -> ffi::slotkit_config {
    ffi::slotkit_config {
        slot_count,
        slot_capacity: 3,
        name: null(),
        type_hash: null(),
        role,
        first_sequence_number: 0,
    }
}

fn open(cfg: &ffi::slotkit_config) -> (ffi::slotkit_status, ffi::Inst, ffi::slotkit_error) {
    let mut inst = null_mut();
    let mut err: ffi::slotkit_error = unsafe { std::mem::zeroed() };
    let st = unsafe { (descriptor().open)(cfg, &mut inst, &mut err) };
    (st, inst, err)
}

fn message(err: &ffi::slotkit_error) -> String {
    unsafe { CStr::from_ptr(err.message.as_ptr()) }.to_string_lossy().into_owned()
}

#[test]
fn descriptor_is_level_2_with_no_capabilities_and_no_optional_entries() {
    let d = descriptor();
    assert_eq!(d.abi_version, 2);
    assert_eq!(d.capabilities, 0);
    assert_eq!(unsafe { CStr::from_ptr(d.name) }, c"panicky");
    let ops = unsafe { &*d.ops };
    assert_eq!(ops.abi_version, 2);
    assert!(ops.slot_data_ptr.is_none() && ops.commit_in_place.is_none() && ops.slot_read_ptr.is_none());
    assert!(ops.next_unread_slot.is_none() && ops.type_hash.is_none());
    assert!(ops.notify_generation.is_none() && ops.wait_for_change.is_none());
    assert!(ops.reserved_level2.is_null());
}

#[test]
fn a_panic_in_open_is_system_error_with_its_message() {
    let (st, inst, err) = open(&config(13, ffi::SLOTKIT_ROLE_CREATE));
    assert_eq!(st, ffi::SLOTKIT_SYSTEM_ERROR);
    assert!(inst.is_null(), "*out must stay untouched");
    assert_eq!(err.status, ffi::SLOTKIT_SYSTEM_ERROR);
    let text = message(&err);
    assert!(text.contains("open panicked") && text.contains("unlucky slot count"), "message: {text}");
}

#[test]
fn a_panic_in_an_operation_poisons_the_instance() {
    let (st, inst, _) = open(&config(1, ffi::SLOTKIT_ROLE_CREATE));
    assert_eq!(st, ffi::SLOTKIT_OK);
    let ops = unsafe { &*descriptor().ops };
    let mut h = ffi::slotkit_handle::default();
    unsafe {
        assert_eq!((ops.reserve_slot)(inst, 1, &mut h), ffi::SLOTKIT_OK, "healthy before the panic");
        assert_eq!((ops.reserve_slot)(inst, 0xDEAD, &mut h), ffi::SLOTKIT_SYSTEM_ERROR);
        assert_eq!((ops.reserve_slot)(inst, 1, &mut h), ffi::SLOTKIT_LOCK_POISONED);
        let mut sn = 0u32;
        assert_eq!((ops.commit_slot)(inst, h, b"x".as_ptr().cast(), 1, &mut sn), ffi::SLOTKIT_LOCK_POISONED);
        assert_eq!((ops.mark_reader_disconnected)(inst, 0), ffi::SLOTKIT_LOCK_POISONED);
        assert_eq!((ops.slot_capacity)(inst), 0, "size getters report 0 once poisoned");
        let mut buf = [0 as c_char; 160];
        assert!(slotkit_rust_panic_message(inst, buf.as_mut_ptr(), buf.len()));
        let text = CStr::from_ptr(buf.as_ptr()).to_string_lossy().into_owned();
        assert_eq!(text, "reserve exploded with mask 0xdead");
        assert_eq!(panic_message(inst).as_deref(), Some("reserve exploded with mask 0xdead"));
        (descriptor().close)(inst);
    }
}

#[test]
fn null_pointers_are_invalid_argument_and_attach_is_unsupported() {
    let ops = unsafe { &*descriptor().ops };
    let (st, inst, _) = open(&config(1, ffi::SLOTKIT_ROLE_CREATE));
    assert_eq!(st, ffi::SLOTKIT_OK);
    let h = ffi::slotkit_handle::default();
    let mut header = ffi::slotkit_slot_header::default();
    unsafe {
        assert_eq!((ops.reserve_slot)(inst, 1, null_mut()), ffi::SLOTKIT_INVALID_ARGUMENT);
        assert_eq!(
            (ops.reserve_slot)(null_mut(), 1, &mut ffi::slotkit_handle::default()),
            ffi::SLOTKIT_INVALID_ARGUMENT
        );
        assert_eq!((ops.commit_slot)(inst, h, null(), 1, &mut 0), ffi::SLOTKIT_INVALID_ARGUMENT);
        assert_eq!((ops.commit_slot)(inst, h, null(), 0, &mut 0), ffi::SLOTKIT_OK, "NULL bytes of length 0");
        assert_eq!((ops.slot_count)(inst, null_mut()), ffi::SLOTKIT_INVALID_ARGUMENT);
        assert_eq!((ops.read_slot)(inst, h, null_mut(), null_mut(), 0), ffi::SLOTKIT_INVALID_ARGUMENT);
        assert_eq!((ops.read_slot)(inst, h, &mut header, null_mut(), 8), ffi::SLOTKIT_INVALID_ARGUMENT);
        // NULL buffer of length 0: the header is reported, the short buffer refused (R-READ-4).
        assert_eq!((ops.read_slot)(inst, h, &mut header, null_mut(), 0), ffi::SLOTKIT_INVALID_ARGUMENT);
        assert_eq!((header.sequence_number, header.sample_size), (7, 3));
        let mut buf = [0u8; 3];
        assert_eq!((ops.read_slot)(inst, h, &mut header, buf.as_mut_ptr().cast(), 3), ffi::SLOTKIT_OK);
        assert_eq!(&buf, b"abc");
        (descriptor().close)(inst);
        (descriptor().close)(null_mut());
        let mut out = null_mut();
        assert_eq!((descriptor().open)(null(), &mut out, &mut std::mem::zeroed()), ffi::SLOTKIT_INVALID_ARGUMENT);
    }
    let (st, inst, err) = open(&config(1, ffi::SLOTKIT_ROLE_ATTACH));
    assert_eq!((st, err.status), (ffi::SLOTKIT_UNSUPPORTED, ffi::SLOTKIT_UNSUPPORTED));
    assert!(inst.is_null());
    let (st, _, _) = open(&config(1, 7));
    assert_eq!(st, ffi::SLOTKIT_UNSUPPORTED, "unknown role");
}
