//! Capabilities derived from the traits a type implements, and the static
//! descriptor `export_backend!` hands to C.
//!
//! Detection is autoref specialization on a concrete type, resolved at
//! compile time inside `export_backend!`: for `(&Probe::<T>::new()).in_place()`
//! method lookup first tries `HasInPlace for Probe<T>` (needs `T: InPlace`) and
//! only then `LacksInPlace for &Probe<T>`. So a capability bit and its ops
//! entries are set exactly when the type implements the trait; forgetting the
//! flag or an entry, or declaring one that is not implemented, cannot happen.

use core::marker::PhantomData;
use std::sync::OnceLock;

use crate::backend::{Backend, CrossProcess, InPlace, NextUnread, Notify, TypeHash};
use crate::ffi::{self, slotkit_handle as H, slotkit_status, Inst};
use crate::glue;

type DataPtrFn = unsafe extern "C" fn(Inst, H, *mut *mut core::ffi::c_void, *mut usize) -> slotkit_status;
type CommitInPlaceFn = unsafe extern "C" fn(Inst, H, usize, *mut u32) -> slotkit_status;
type ReadPtrFn = unsafe extern "C" fn(Inst, H, *mut *const core::ffi::c_void, *mut usize) -> slotkit_status;
type NextUnreadFn = unsafe extern "C" fn(Inst, u32, *mut bool, *mut H) -> slotkit_status;
type TypeHashFn = unsafe extern "C" fn(Inst, *mut u8) -> bool;
type GenerationFn = unsafe extern "C" fn(Inst) -> u64;
type WaitFn = unsafe extern "C" fn(Inst, u64, u64);

/// The optional entries of `slotkit_ops` a type provides.
#[derive(Clone, Copy, Default)]
pub struct OptionalOps {
    pub in_place: Option<(DataPtrFn, CommitInPlaceFn, ReadPtrFn)>,
    pub next_unread: Option<NextUnreadFn>,
    pub type_hash: Option<TypeHashFn>,
    pub notify: Option<(GenerationFn, WaitFn)>,
    pub cross_process: bool,
}

impl OptionalOps {
    /// The `SLOTKIT_CAP_*` bits these entries stand for.
    pub fn capabilities(&self) -> u32 {
        let bit = |on: bool, flag: u32| if on { flag } else { 0 };
        bit(self.cross_process, ffi::SLOTKIT_CAP_CROSS_PROCESS)
            | bit(self.in_place.is_some(), ffi::SLOTKIT_CAP_IN_PLACE)
            | bit(self.notify.is_some(), ffi::SLOTKIT_CAP_NOTIFY)
            | bit(self.type_hash.is_some(), ffi::SLOTKIT_CAP_TYPE_HASH)
            | bit(self.next_unread.is_some(), ffi::SLOTKIT_CAP_NEXT_UNREAD)
    }
}

/// Implemented by `export_backend!` for the exported type.
pub trait Exported: Backend {
    fn optional_ops() -> OptionalOps;
}

/// The probe autoref specialization resolves on.
pub struct Probe<T>(PhantomData<T>);
impl<T> Probe<T> {
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        Probe(PhantomData)
    }
}

macro_rules! probe {
    ($has:ident, $lacks:ident, $method:ident, $bound:ident, $out:ty, $some:expr, $none:expr) => {
        pub trait $has {
            fn $method(&self) -> $out;
        }
        impl<T: $bound> $has for Probe<T> {
            fn $method(&self) -> $out {
                $some(PhantomData::<T>)
            }
        }
        pub trait $lacks {
            fn $method(&self) -> $out;
        }
        impl<T> $lacks for &Probe<T> {
            fn $method(&self) -> $out {
                $none
            }
        }
    };
}

fn in_place_fns<T: InPlace>(_: PhantomData<T>) -> Option<(DataPtrFn, CommitInPlaceFn, ReadPtrFn)> {
    Some((glue::slot_data_ptr::<T>, glue::commit_in_place::<T>, glue::slot_read_ptr::<T>))
}
fn next_unread_fn<T: NextUnread>(_: PhantomData<T>) -> Option<NextUnreadFn> {
    Some(glue::next_unread_slot::<T>)
}
fn type_hash_fn<T: TypeHash>(_: PhantomData<T>) -> Option<TypeHashFn> {
    Some(glue::type_hash::<T>)
}
fn notify_fns<T: Notify>(_: PhantomData<T>) -> Option<(GenerationFn, WaitFn)> {
    Some((glue::notify_generation::<T>, glue::wait_for_change::<T>))
}
fn cross_process_flag<T: CrossProcess>(_: PhantomData<T>) -> bool {
    true
}

probe!(
    HasInPlace,
    LacksInPlace,
    in_place,
    InPlace,
    Option<(DataPtrFn, CommitInPlaceFn, ReadPtrFn)>,
    in_place_fns,
    None
);
probe!(HasNextUnread, LacksNextUnread, next_unread, NextUnread, Option<NextUnreadFn>, next_unread_fn, None);
probe!(HasTypeHash, LacksTypeHash, type_hash, TypeHash, Option<TypeHashFn>, type_hash_fn, None);
probe!(HasNotify, LacksNotify, notify, Notify, Option<(GenerationFn, WaitFn)>, notify_fns, None);
probe!(HasCrossProcess, LacksCrossProcess, cross_process, CrossProcess, bool, cross_process_flag, false);

/// `[a-z0-9_-]+`, as the loader requires of a backend name.
pub const fn valid_name(name: &[u8]) -> bool {
    let mut i = 0;
    while i < name.len() {
        let c = name[i];
        if !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-') {
            return false;
        }
        i += 1;
    }
    !name.is_empty()
}

struct Leaked(&'static ffi::slotkit_backend);
// SAFETY: the descriptor and its ops table are immutable after init and hold
// only pointers to static strings and functions.
unsafe impl Send for Leaked {}
unsafe impl Sync for Leaked {}

/// The plug-in's static descriptor, built on the first entry call.
pub struct DescriptorCell(OnceLock<Leaked>);

impl DescriptorCell {
    pub const fn new() -> Self {
        DescriptorCell(OnceLock::new())
    }

    /// The descriptor of `T` at ABI level 2 (`reserved_level2` NULL).
    pub fn get<T: Exported>(&'static self) -> *const ffi::slotkit_backend {
        self.0.get_or_init(|| Leaked(Box::leak(Box::new(descriptor::<T>())))).0
    }
}

fn descriptor<T: Exported>() -> ffi::slotkit_backend {
    let optional = T::optional_ops();
    let ops = ffi::slotkit_ops {
        abi_version: ffi::SLOTKIT_ABI_VERSION,
        reserve_slot: glue::reserve_slot::<T>,
        commit_slot: glue::commit_slot::<T>,
        discard_slot: glue::discard_slot::<T>,
        read_slot: glue::read_slot::<T>,
        mark_read: glue::mark_read::<T>,
        mark_reader_disconnected: glue::mark_reader_disconnected::<T>,
        slot_count: glue::slot_count::<T>,
        slot_total_size: glue::slot_total_size::<T>,
        slot_capacity: glue::slot_capacity::<T>,
        slot_data_ptr: optional.in_place.map(|f| f.0),
        commit_in_place: optional.in_place.map(|f| f.1),
        slot_read_ptr: optional.in_place.map(|f| f.2),
        next_unread_slot: optional.next_unread,
        type_hash: optional.type_hash,
        notify_generation: optional.notify.map(|f| f.0),
        wait_for_change: optional.notify.map(|f| f.1),
        reserved_level2: core::ptr::null(),
    };
    ffi::slotkit_backend {
        abi_version: ffi::SLOTKIT_ABI_VERSION,
        name: T::NAME.as_ptr(),
        version: T::VERSION.as_ptr(),
        capabilities: optional.capabilities(),
        open: glue::open::<T>,
        close: glue::close::<T>,
        ops: Box::leak(Box::new(ops)),
    }
}
