//! `#[repr(C)]` mirrors of `include/slotkit/backend.h` (ABI level 2), written by
//! hand. `tests/layout.rs` compiles a C program against the header and checks
//! every size and offset below against it.
#![allow(non_camel_case_types)]

use core::ffi::{c_char, c_int, c_void};

/// `SLOTKIT_ABI_VERSION`: the level these mirrors describe.
pub const SLOTKIT_ABI_VERSION: u32 = 2;
/// `SLOTKIT_MAX_READERS`: one bit per reader in a mask.
pub const SLOTKIT_MAX_READERS: u32 = 32;
/// `SLOTKIT_SLOT_HEADER_SIZE`.
pub const SLOTKIT_SLOT_HEADER_SIZE: usize = 16;
/// `SLOTKIT_SLOT_ALIGN`.
pub const SLOTKIT_SLOT_ALIGN: usize = 64;

/// `SLOTKIT_SLOT_TOTAL_SIZE(capacity)` (R-GEOM-3), saturating instead of wrapping.
pub const fn slot_total_size(capacity: usize) -> usize {
    let raw = capacity.saturating_add(SLOTKIT_SLOT_HEADER_SIZE + SLOTKIT_SLOT_ALIGN - 1);
    raw & !(SLOTKIT_SLOT_ALIGN - 1)
}

/// `slotkit_status`: a C enum, passed as a 32-bit unsigned integer.
pub type slotkit_status = u32;
pub const SLOTKIT_OK: slotkit_status = 0;
pub const SLOTKIT_NO_FREE_SLOT: slotkit_status = 1;
pub const SLOTKIT_OUT_OF_BOUNDS: slotkit_status = 2;
pub const SLOTKIT_SAMPLE_TOO_LARGE: slotkit_status = 3;
pub const SLOTKIT_LOCK_POISONED: slotkit_status = 4;
pub const SLOTKIT_IN_PLACE_UNSUPPORTED: slotkit_status = 5;
pub const SLOTKIT_INVALID_ARGUMENT: slotkit_status = 6;
pub const SLOTKIT_INCOMPATIBLE: slotkit_status = 7;
pub const SLOTKIT_SYSTEM_ERROR: slotkit_status = 8;
pub const SLOTKIT_UNSUPPORTED: slotkit_status = 9;

/// `slotkit_role`.
pub type slotkit_role = u32;
pub const SLOTKIT_ROLE_CREATE: slotkit_role = 0;
pub const SLOTKIT_ROLE_ATTACH: slotkit_role = 1;

/// `SLOTKIT_CAP_*`.
pub const SLOTKIT_CAP_CROSS_PROCESS: u32 = 1 << 0;
pub const SLOTKIT_CAP_IN_PLACE: u32 = 1 << 1;
pub const SLOTKIT_CAP_NOTIFY: u32 = 1 << 2;
pub const SLOTKIT_CAP_TYPE_HASH: u32 = 1 << 3;
pub const SLOTKIT_CAP_NEXT_UNREAD: u32 = 1 << 4;

pub type slotkit_reader_mask = u32;

#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct slotkit_error {
    pub status: slotkit_status,
    pub sys_errno: c_int,
    pub sample_size: u64,
    pub slot_capacity: u64,
    pub message: [c_char; 160],
}

/// `slotkit_handle`: names one slot of one instance (R-HANDLE-1). Plain data.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct slotkit_handle {
    pub segment_id: u64,
    pub slot_index: u32,
}

/// `slotkit_slot_header`: the 16-byte header read_slot reports (R-READ-2).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct slotkit_slot_header {
    pub sequence_number: u32,
    pub sample_size: u32,
    pub reader_mask: u32,
    pub reserved: u32,
}

#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct slotkit_config {
    pub slot_count: usize,
    pub slot_capacity: usize,
    pub name: *const c_char,
    pub type_hash: *const u8,
    pub role: slotkit_role,
    pub first_sequence_number: u32,
}

/// The backend's private instance: opaque to C, a boxed `Instance<T>` here.
#[repr(C)]
pub struct slotkit_instance {
    _private: [u8; 0],
}

pub type Inst = *mut slotkit_instance;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct slotkit_ops {
    pub abi_version: u32,
    pub reserve_slot: unsafe extern "C" fn(Inst, slotkit_reader_mask, *mut slotkit_handle) -> slotkit_status,
    pub commit_slot: unsafe extern "C" fn(Inst, slotkit_handle, *const c_void, usize, *mut u32) -> slotkit_status,
    pub discard_slot: unsafe extern "C" fn(Inst, slotkit_handle) -> slotkit_status,
    pub read_slot:
        unsafe extern "C" fn(Inst, slotkit_handle, *mut slotkit_slot_header, *mut c_void, usize) -> slotkit_status,
    pub mark_read: unsafe extern "C" fn(Inst, slotkit_handle, u32) -> slotkit_status,
    pub mark_reader_disconnected: unsafe extern "C" fn(Inst, u32) -> slotkit_status,
    pub slot_count: unsafe extern "C" fn(Inst, *mut usize) -> slotkit_status,
    pub slot_total_size: unsafe extern "C" fn(Inst) -> usize,
    pub slot_capacity: unsafe extern "C" fn(Inst) -> usize,
    pub slot_data_ptr:
        Option<unsafe extern "C" fn(Inst, slotkit_handle, *mut *mut c_void, *mut usize) -> slotkit_status>,
    pub commit_in_place: Option<unsafe extern "C" fn(Inst, slotkit_handle, usize, *mut u32) -> slotkit_status>,
    pub slot_read_ptr:
        Option<unsafe extern "C" fn(Inst, slotkit_handle, *mut *const c_void, *mut usize) -> slotkit_status>,
    pub next_unread_slot: Option<unsafe extern "C" fn(Inst, u32, *mut bool, *mut slotkit_handle) -> slotkit_status>,
    pub type_hash: Option<unsafe extern "C" fn(Inst, *mut u8) -> bool>,
    pub notify_generation: Option<unsafe extern "C" fn(Inst) -> u64>,
    pub wait_for_change: Option<unsafe extern "C" fn(Inst, u64, u64)>,
    /// Level 2: must be NULL.
    pub reserved_level2: *const c_void,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct slotkit_backend {
    pub abi_version: u32,
    pub name: *const c_char,
    pub version: *const c_char,
    pub capabilities: u32,
    pub open: unsafe extern "C" fn(*const slotkit_config, *mut Inst, *mut slotkit_error) -> slotkit_status,
    pub close: unsafe extern "C" fn(Inst),
    pub ops: *const slotkit_ops,
}

/// `slotkit_entry_fn`.
pub type slotkit_entry_fn = unsafe extern "C" fn() -> *const slotkit_backend;
