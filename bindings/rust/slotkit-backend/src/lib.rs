//! slotkit-backend: write a slotkit backend plug-in (`include/slotkit/backend.h`)
//! in safe Rust. Implement [`Backend`] (open + the 9 required operations) and
//! any of the capability traits [`InPlace`], [`NextUnread`], [`TypeHash`],
//! [`Notify`], [`CrossProcess`]; then `export_backend!(MyType);` in a `cdylib`
//! crate emits `slotkit_backend_entry` and the static descriptor, with the
//! capability flags derived from the traits the type implements.
//!
//! At the C boundary the kit checks every pointer (NULL out-pointer →
//! INVALID_ARGUMENT), never builds a slice past the length C gave, and runs
//! every call under `catch_unwind`: a panic never unwinds into C. In `open` it
//! is SYSTEM_ERROR with the panic message in `slotkit_error`; in an operation
//! it is SYSTEM_ERROR and poisons the instance, whose later calls return
//! LOCK_POISONED (see README.md).

pub mod backend;
pub mod caps;
pub mod error;
pub mod ffi;
pub mod glue;
pub mod instance;

pub use backend::{
    Backend, Config, CrossProcess, Handle, InPlace, NextUnread, Notify, ReadOut, ReaderMask, Role, SlotHeader, TypeHash,
};
pub use error::{Error, Result, Status};
pub use instance::panic_message;

/// Checks a reader index against the 32-reader bound (R-MARK-1) and returns
/// its bit, or OUT_OF_BOUNDS.
pub fn reader_bit(reader_index: u32) -> Result<ReaderMask> {
    if reader_index < ffi::SLOTKIT_MAX_READERS {
        Ok(1u32 << reader_index)
    } else {
        Err(Error::with_message(Status::OutOfBounds, format!("reader index {reader_index} >= 32")))
    }
}

/// Serial-number order (RFC 1982, R-SEQ-4): true when `a` comes before `b`.
pub fn sn_before(a: u32, b: u32) -> bool {
    a != b && b.wrapping_sub(a) < 0x8000_0000
}

/// Exports `$ty` (a [`Backend`]) as this cdylib's slotkit plug-in:
/// `slotkit_backend_entry`, the descriptor at ABI level 2, and
/// `slotkit_rust_panic_message` (the panic text of a poisoned instance).
#[macro_export]
macro_rules! export_backend {
    ($ty:ty) => {
        const _: () = assert!(
            $crate::caps::valid_name(<$ty as $crate::Backend>::NAME.to_bytes()),
            "backend NAME must match [a-z0-9_-]+"
        );

        impl $crate::caps::Exported for $ty {
            fn optional_ops() -> $crate::caps::OptionalOps {
                #[allow(unused_imports)]
                use $crate::caps::{
                    HasCrossProcess as _, HasInPlace as _, HasNextUnread as _, HasNotify as _, HasTypeHash as _,
                    LacksCrossProcess as _, LacksInPlace as _, LacksNextUnread as _, LacksNotify as _,
                    LacksTypeHash as _,
                };
                let probe = $crate::caps::Probe::<$ty>::new();
                $crate::caps::OptionalOps {
                    in_place: (&probe).in_place(),
                    next_unread: (&probe).next_unread(),
                    type_hash: (&probe).type_hash(),
                    notify: (&probe).notify(),
                    cross_process: (&probe).cross_process(),
                }
            }
        }

        /// The one symbol slotkit looks up (SLOTKIT_ENTRY_SYMBOL).
        #[unsafe(no_mangle)]
        pub extern "C" fn slotkit_backend_entry() -> *const $crate::ffi::slotkit_backend {
            static DESCRIPTOR: $crate::caps::DescriptorCell = $crate::caps::DescriptorCell::new();
            ::std::panic::catch_unwind(|| DESCRIPTOR.get::<$ty>()).unwrap_or(::core::ptr::null())
        }

        /// Copies the message of the panic that poisoned `instance` into `buf`
        /// (NUL-terminated, cut on a char boundary); false when there is none.
        ///
        /// # Safety
        /// `instance` is NULL or a live instance of this plug-in; `buf` is
        /// valid for `buf_len` bytes.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn slotkit_rust_panic_message(
            instance: *const $crate::ffi::slotkit_instance,
            buf: *mut ::core::ffi::c_char,
            buf_len: usize,
        ) -> bool {
            // SAFETY: the caller's contract.
            let message = unsafe { $crate::panic_message(instance) };
            match (message, buf.is_null() || buf_len == 0) {
                (Some(text), false) => {
                    // SAFETY: the caller's contract.
                    let out = unsafe { ::core::slice::from_raw_parts_mut(buf, buf_len) };
                    $crate::error::write_message(out, &text);
                    true
                }
                _ => false,
            }
        }
    };
}
