//! The C instance behind `slotkit_instance *`: the backend plus its poison
//! state, and the guards every `extern "C"` entry runs the backend under.

use core::any::Any;
use core::panic::AssertUnwindSafe;
use core::sync::atomic::{AtomicBool, Ordering};
use std::panic::catch_unwind;
use std::sync::Mutex;

use crate::error::{Result, Status};
use crate::ffi;

/// Set once a call into the instance panicked; never cleared.
#[derive(Default)]
pub struct PoisonState {
    poisoned: AtomicBool,
    message: Mutex<Option<String>>,
}

impl PoisonState {
    pub fn is_poisoned(&self) -> bool {
        self.poisoned.load(Ordering::Acquire)
    }

    fn poison(&self, message: String) {
        if let Ok(mut slot) = self.message.lock() {
            slot.get_or_insert(message);
        }
        self.poisoned.store(true, Ordering::Release);
    }

    /// The message of the first panic, if one happened.
    pub fn message(&self) -> Option<String> {
        self.message.lock().ok().and_then(|m| m.clone())
    }
}

/// What `slotkit_instance *` points to. `repr(C)` keeps `poison` at offset 0,
/// so [`panic_message`] can read it without knowing `T`.
#[repr(C)]
pub struct Instance<T> {
    pub(crate) poison: PoisonState,
    pub(crate) backend: T,
}

impl<T> Instance<T> {
    pub(crate) fn into_raw(backend: T) -> ffi::Inst {
        Box::into_raw(Box::new(Instance { poison: PoisonState::default(), backend })).cast()
    }
}

/// The text of a panic payload (`panic!` gives `&str` or `String`).
pub fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".to_owned()
    }
}

/// The message of the panic that poisoned `instance`, or `None` when it is not
/// poisoned (or NULL).
///
/// # Safety
/// `instance` is NULL or an instance opened by a kit plug-in and not closed.
pub unsafe fn panic_message(instance: *const ffi::slotkit_instance) -> Option<String> {
    // SAFETY: every kit instance is an Instance<T>, repr(C), PoisonState first.
    let state = unsafe { instance.cast::<PoisonState>().as_ref() }?;
    state.message()
}

/// Runs `f` on the backend behind `inst`. NULL → `null`; poisoned →
/// `poisoned`; a panic poisons the instance and gives `panicked`.
///
/// # Safety
/// `inst` is NULL or a live `Instance<T>` made by this kit.
pub unsafe fn with_instance<T, R>(inst: ffi::Inst, null: R, poisoned: R, panicked: R, f: impl FnOnce(&T) -> R) -> R {
    // SAFETY: the caller's contract; shared access only.
    let Some(inst) = (unsafe { inst.cast::<Instance<T>>().as_ref() }) else { return null };
    if inst.poison.is_poisoned() {
        return poisoned;
    }
    match catch_unwind(AssertUnwindSafe(|| f(&inst.backend))) {
        Ok(value) => value,
        Err(payload) => {
            inst.poison.poison(panic_text(payload.as_ref()));
            panicked
        }
    }
}

/// [`with_instance`] for the status-returning operations: NULL instance →
/// INVALID_ARGUMENT, poisoned → LOCK_POISONED, panic → SYSTEM_ERROR.
///
/// # Safety
/// As [`with_instance`].
pub unsafe fn status_of<T>(inst: ffi::Inst, f: impl FnOnce(&T) -> Result<()>) -> ffi::slotkit_status {
    let run = |backend: &T| match f(backend) {
        Ok(()) => ffi::SLOTKIT_OK,
        Err(e) => e.status().raw(),
    };
    // SAFETY: forwarded contract.
    unsafe {
        with_instance(inst, Status::InvalidArgument.raw(), Status::LockPoisoned.raw(), Status::SystemError.raw(), run)
    }
}
