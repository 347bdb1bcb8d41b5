//! Errors of a backend and their mapping onto `slotkit_status` / `slotkit_error`.

use core::ffi::c_char;
use core::fmt;

use crate::ffi;

/// The failure statuses of `slotkit_status` (everything but `SLOTKIT_OK`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum Status {
    NoFreeSlot = ffi::SLOTKIT_NO_FREE_SLOT,
    OutOfBounds = ffi::SLOTKIT_OUT_OF_BOUNDS,
    SampleTooLarge = ffi::SLOTKIT_SAMPLE_TOO_LARGE,
    LockPoisoned = ffi::SLOTKIT_LOCK_POISONED,
    InPlaceUnsupported = ffi::SLOTKIT_IN_PLACE_UNSUPPORTED,
    InvalidArgument = ffi::SLOTKIT_INVALID_ARGUMENT,
    Incompatible = ffi::SLOTKIT_INCOMPATIBLE,
    SystemError = ffi::SLOTKIT_SYSTEM_ERROR,
    Unsupported = ffi::SLOTKIT_UNSUPPORTED,
}

impl Status {
    /// The C value.
    pub const fn raw(self) -> ffi::slotkit_status {
        self as ffi::slotkit_status
    }
}

/// A failed operation: a status plus the detail `slotkit_error` can carry.
/// Only `open` hands the detail to C (the ABI has no error record for the
/// other operations); there only the status crosses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    status: Status,
    sys_errno: i32,
    sample_size: u64,
    slot_capacity: u64,
    message: String,
}

/// The result of every fallible backend operation.
pub type Result<T> = core::result::Result<T, Error>;

impl Error {
    /// An error with a status and no message (the status text stands in).
    pub fn new(status: Status) -> Self {
        Self::with_message(status, String::new())
    }

    /// An error with a one-line reason.
    pub fn with_message(status: Status, message: impl Into<String>) -> Self {
        Error { status, sys_errno: 0, sample_size: 0, slot_capacity: 0, message: message.into() }
    }

    /// `SYSTEM_ERROR` with the errno of the failed call.
    pub fn system(sys_errno: i32, message: impl Into<String>) -> Self {
        Error { sys_errno, ..Self::with_message(Status::SystemError, message) }
    }

    /// `SYSTEM_ERROR` from an `io::Error` (its raw errno, or EIO when it has none).
    pub fn from_io(context: &str, err: &std::io::Error) -> Self {
        const EIO: i32 = 5;
        Self::system(err.raw_os_error().unwrap_or(EIO), format!("{context}: {err}"))
    }

    /// `SAMPLE_TOO_LARGE` with both sizes (R-COMMIT-3).
    pub fn sample_too_large(sample_size: usize, slot_capacity: usize) -> Self {
        Error {
            sample_size: sample_size as u64,
            slot_capacity: slot_capacity as u64,
            ..Self::with_message(
                Status::SampleTooLarge,
                format!("sample of {sample_size} bytes exceeds the slot capacity {slot_capacity}"),
            )
        }
    }

    pub fn status(&self) -> Status {
        self.status
    }
    pub fn sys_errno(&self) -> i32 {
        self.sys_errno
    }
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Fills a C error record: status, errno, sizes and the message, cut to
    /// 159 bytes on a char boundary, one line, NUL-terminated.
    pub fn fill(&self, out: &mut ffi::slotkit_error) {
        out.status = self.status.raw();
        out.sys_errno = self.sys_errno;
        out.sample_size = self.sample_size;
        out.slot_capacity = self.slot_capacity;
        let text = if self.message.is_empty() { fallback_text(self.status) } else { &self.message };
        write_message(&mut out.message, text);
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.message.is_empty() {
            true => f.write_str(fallback_text(self.status)),
            false => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}

impl From<Status> for Error {
    fn from(status: Status) -> Self {
        Error::new(status)
    }
}

fn fallback_text(status: Status) -> &'static str {
    match status {
        Status::NoFreeSlot => "no free slot in pool",
        Status::OutOfBounds => "slot handle or reader index out of bounds",
        Status::SampleTooLarge => "sample does not fit in slot capacity",
        Status::LockPoisoned => "backend state poisoned",
        Status::InPlaceUnsupported => "backend does not support in-place loans",
        Status::InvalidArgument => "invalid argument",
        Status::Incompatible => "incompatible segment or ABI version",
        Status::SystemError => "system call failed",
        Status::Unsupported => "operation not supported by this backend",
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a char boundary.
pub fn truncate_on_char_boundary(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Writes `text` as one NUL-terminated line into a C char buffer.
pub fn write_message(out: &mut [c_char], text: &str) {
    let Some(room) = out.len().checked_sub(1) else { return };
    let cut = truncate_on_char_boundary(text, room);
    for (dst, byte) in out.iter_mut().zip(cut.bytes()) {
        // A newline or NUL would end the C line early: show it as a space.
        *dst = if byte == b'\n' || byte == b'\r' || byte == 0 { b' ' } else { byte } as c_char;
    }
    out[cut.len()] = 0;
}
