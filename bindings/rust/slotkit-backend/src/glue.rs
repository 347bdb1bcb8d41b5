//! The `extern "C"` entries of `slotkit_backend` and `slotkit_ops`, generic
//! over the backend type. Each one checks its pointers (NULL out-pointer →
//! INVALID_ARGUMENT, R-ARG-1; NULL buffer with a length → INVALID_ARGUMENT,
//! R-ARG-2), runs the backend under `catch_unwind` (instance.rs) and writes
//! its out-pointers only on success.

use core::ffi::{c_void, CStr};
use core::panic::AssertUnwindSafe;
use core::time::Duration;
use std::panic::catch_unwind;

use crate::backend::{Backend, Config, InPlace, NextUnread, Notify, ReadOut, Role, TypeHash};
use crate::caps::Exported;
use crate::error::{Error, Result, Status};
use crate::ffi::{self, slotkit_handle as H, slotkit_status, Inst};
use crate::instance::{panic_text, status_of, with_instance, Instance};

/// Writes `value` through `out` (checked non-NULL by the caller).
fn put<V>(out: *mut V, value: V) {
    // SAFETY: callers pass only out-pointers they checked for NULL; C owns them.
    unsafe { out.write(value) }
}

fn null_arg() -> Error {
    Error::with_message(Status::InvalidArgument, "NULL pointer argument")
}

/// # Safety
/// `config` is a valid `slotkit_config` whose name/type_hash pointers are NULL or valid.
unsafe fn config_of<'a>(config: &'a ffi::slotkit_config, cross_process: bool) -> Result<Config<'a>> {
    let role = match config.role {
        ffi::SLOTKIT_ROLE_CREATE => Role::Create,
        ffi::SLOTKIT_ROLE_ATTACH if cross_process => Role::Attach,
        ffi::SLOTKIT_ROLE_ATTACH => {
            return Err(Error::with_message(Status::Unsupported, "role ATTACH needs CROSS_PROCESS"))
        }
        other => return Err(Error::with_message(Status::Unsupported, format!("unknown role {other}"))),
    };
    // SAFETY: a non-NULL name is a NUL-terminated C string (the ABI).
    let name = (!config.name.is_null()).then(|| unsafe { CStr::from_ptr(config.name) });
    // SAFETY: a non-NULL type_hash points to 16 bytes (the ABI).
    let type_hash = (!config.type_hash.is_null()).then(|| unsafe { config.type_hash.cast::<[u8; 16]>().read() });
    Ok(Config {
        slot_count: config.slot_count,
        slot_capacity: config.slot_capacity,
        name,
        type_hash,
        role,
        first_sequence_number: config.first_sequence_number,
    })
}

/// `slotkit_backend.open`. A panic in `T::open` is SYSTEM_ERROR with the panic
/// message in `*err`; `*out` is written only on success (R-OPEN-2).
///
/// # Safety
/// The ABI's: pointers NULL or valid.
pub unsafe extern "C" fn open<T: Exported>(
    config: *const ffi::slotkit_config,
    out: *mut Inst,
    err: *mut ffi::slotkit_error,
) -> slotkit_status {
    let cross_process = T::optional_ops().cross_process;
    let opened = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: config is NULL or valid (the ABI).
        let config = unsafe { config.as_ref() }.ok_or_else(null_arg)?;
        if out.is_null() {
            return Err(null_arg());
        }
        // SAFETY: as above.
        T::open(&unsafe { config_of(config, cross_process) }?)
    }));
    let failure = match opened {
        Ok(Ok(backend)) => {
            put(out, Instance::into_raw(backend));
            return ffi::SLOTKIT_OK;
        }
        Ok(Err(e)) => e,
        Err(payload) => Error::with_message(
            Status::SystemError,
            format!("{}: open panicked: {}", T::NAME.to_string_lossy(), panic_text(payload.as_ref())),
        ),
    };
    // SAFETY: err is NULL or valid (the ABI says never NULL; be lenient).
    if let Some(err) = unsafe { err.as_mut() } {
        failure.fill(err);
    }
    failure.status().raw()
}

/// `slotkit_backend.close`: drops the instance; a panicking Drop is contained.
///
/// # Safety
/// `inst` is NULL or an instance from `open::<T>`, not used again.
pub unsafe extern "C" fn close<T: Backend>(inst: Inst) {
    if inst.is_null() {
        return;
    }
    // SAFETY: the caller's contract: we own the box now.
    let boxed = unsafe { Box::from_raw(inst.cast::<Instance<T>>()) };
    let _ = catch_unwind(AssertUnwindSafe(move || drop(boxed)));
}

pub unsafe extern "C" fn reserve_slot<T: Backend>(inst: Inst, mask: u32, out: *mut H) -> slotkit_status {
    // SAFETY (all entries below): inst is a live kit instance (the ABI).
    unsafe {
        status_of::<T>(inst, |b| {
            let out = (!out.is_null()).then_some(out).ok_or_else(null_arg)?;
            b.reserve_slot(mask).map(|h| put(out, h))
        })
    }
}

pub unsafe extern "C" fn commit_slot<T: Backend>(
    inst: Inst,
    handle: H,
    bytes: *const c_void,
    len: usize,
    out_sn: *mut u32,
) -> slotkit_status {
    unsafe {
        status_of::<T>(inst, |b| {
            if out_sn.is_null() || (bytes.is_null() && len > 0) {
                return Err(null_arg());
            }
            // SAFETY: C gave `len` readable bytes at `bytes`; none when len is 0.
            let bytes = if len == 0 { &[][..] } else { core::slice::from_raw_parts(bytes.cast::<u8>(), len) };
            b.commit_slot(handle, bytes).map(|sn| put(out_sn, sn))
        })
    }
}

pub unsafe extern "C" fn discard_slot<T: Backend>(inst: Inst, handle: H) -> slotkit_status {
    unsafe { status_of::<T>(inst, |b| b.discard_slot(handle)) }
}

pub unsafe extern "C" fn read_slot<T: Backend>(
    inst: Inst,
    handle: H,
    out_header: *mut ffi::slotkit_slot_header,
    buf: *mut c_void,
    buf_len: usize,
) -> slotkit_status {
    unsafe {
        status_of::<T>(inst, |b| {
            if out_header.is_null() || (buf.is_null() && buf_len > 0) {
                return Err(null_arg());
            }
            // SAFETY: out_header is valid; buf is valid for buf_len bytes (R-READ-4).
            let mut out = ReadOut::new(&mut *out_header, buf.cast(), buf_len);
            b.read_slot(handle, &mut out)
        })
    }
}

pub unsafe extern "C" fn mark_read<T: Backend>(inst: Inst, handle: H, reader: u32) -> slotkit_status {
    unsafe { status_of::<T>(inst, |b| b.mark_read(handle, reader)) }
}

pub unsafe extern "C" fn mark_reader_disconnected<T: Backend>(inst: Inst, reader: u32) -> slotkit_status {
    unsafe { status_of::<T>(inst, |b| b.mark_reader_disconnected(reader)) }
}

pub unsafe extern "C" fn slot_count<T: Backend>(inst: Inst, out: *mut usize) -> slotkit_status {
    unsafe {
        status_of::<T>(inst, |b| {
            let out = (!out.is_null()).then_some(out).ok_or_else(null_arg)?;
            b.slot_count().map(|n| put(out, n))
        })
    }
}

/// The size getters have no status: 0 for a NULL, poisoned or panicking instance.
pub unsafe extern "C" fn slot_total_size<T: Backend>(inst: Inst) -> usize {
    unsafe { with_instance::<T, usize>(inst, 0, 0, 0, |b| b.slot_total_size()) }
}

pub unsafe extern "C" fn slot_capacity<T: Backend>(inst: Inst) -> usize {
    unsafe { with_instance::<T, usize>(inst, 0, 0, 0, |b| b.slot_capacity()) }
}

pub unsafe extern "C" fn slot_data_ptr<T: InPlace>(
    inst: Inst,
    handle: H,
    out_ptr: *mut *mut c_void,
    out_capacity: *mut usize,
) -> slotkit_status {
    unsafe {
        status_of::<T>(inst, |b| {
            if out_ptr.is_null() || out_capacity.is_null() {
                return Err(null_arg());
            }
            let (ptr, capacity) = b.slot_data_ptr(handle)?;
            put(out_ptr, ptr.cast());
            put(out_capacity, capacity);
            Ok(())
        })
    }
}

pub unsafe extern "C" fn commit_in_place<T: InPlace>(
    inst: Inst,
    handle: H,
    len: usize,
    out_sn: *mut u32,
) -> slotkit_status {
    unsafe {
        status_of::<T>(inst, |b| {
            let out_sn = (!out_sn.is_null()).then_some(out_sn).ok_or_else(null_arg)?;
            b.commit_in_place(handle, len).map(|sn| put(out_sn, sn))
        })
    }
}

pub unsafe extern "C" fn slot_read_ptr<T: InPlace>(
    inst: Inst,
    handle: H,
    out_ptr: *mut *const c_void,
    out_len: *mut usize,
) -> slotkit_status {
    unsafe {
        status_of::<T>(inst, |b| {
            if out_ptr.is_null() || out_len.is_null() {
                return Err(null_arg());
            }
            let (ptr, len) = b.slot_read_ptr(handle)?;
            put(out_ptr, ptr.cast());
            put(out_len, len);
            Ok(())
        })
    }
}

pub unsafe extern "C" fn next_unread_slot<T: NextUnread>(
    inst: Inst,
    reader: u32,
    out_found: *mut bool,
    out_handle: *mut H,
) -> slotkit_status {
    unsafe {
        status_of::<T>(inst, |b| {
            if out_found.is_null() || out_handle.is_null() {
                return Err(null_arg());
            }
            let next = b.next_unread_slot(reader)?;
            if let Some(h) = next {
                put(out_handle, h);
            }
            put(out_found, next.is_some());
            Ok(())
        })
    }
}

/// `false` for a NULL out-pointer, a poisoned instance or a panic.
pub unsafe extern "C" fn type_hash<T: TypeHash>(inst: Inst, out: *mut u8) -> bool {
    unsafe {
        with_instance::<T, bool>(inst, false, false, false, |b| match (out.is_null(), b.type_hash()) {
            (false, Some(hash)) => {
                put(out.cast::<[u8; 16]>(), hash);
                true
            }
            _ => false,
        })
    }
}

/// 0 for a NULL, poisoned or panicking instance.
pub unsafe extern "C" fn notify_generation<T: Notify>(inst: Inst) -> u64 {
    unsafe { with_instance::<T, u64>(inst, 0, 0, 0, |b| b.notify_generation()) }
}

/// Returns at once for a NULL or poisoned instance.
pub unsafe extern "C" fn wait_for_change<T: Notify>(inst: Inst, last: u64, timeout_ns: u64) {
    unsafe { with_instance::<T, ()>(inst, (), (), (), |b| b.wait_for_change(last, Duration::from_nanos(timeout_ns))) }
}
