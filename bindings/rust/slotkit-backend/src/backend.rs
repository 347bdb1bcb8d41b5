//! The safe side: what a Rust type implements to become a slotkit backend.
//! [`Backend`] holds `open` and the 9 required operations; each optional group
//! of `slotkit_ops` is its own trait, and `export_backend!` declares a
//! capability exactly when the type implements that trait (see `caps.rs`).

use core::ffi::CStr;
use core::time::Duration;

use crate::error::{Error, Result, Status};
use crate::ffi;

/// Names one slot of one pool (R-HANDLE-*): plain data, as in C.
pub type Handle = ffi::slotkit_handle;
/// The header a read reports (R-READ-2): sn, size, readers done, reserved (0).
pub type SlotHeader = ffi::slotkit_slot_header;
/// One bit per reader, at most 32 readers.
pub type ReaderMask = ffi::slotkit_reader_mask;

/// How `open` joins a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Make a new pool.
    Create,
    /// Join the pool another instance created, by name. The kit only passes
    /// it to a type that implements [`CrossProcess`]; others get UNSUPPORTED.
    Attach,
}

/// `slotkit_config`, checked and borrowed for the duration of `open`.
#[derive(Debug, Clone, Copy)]
pub struct Config<'a> {
    pub slot_count: usize,
    pub slot_capacity: usize,
    /// The pool name; `None` when C passed NULL.
    pub name: Option<&'a CStr>,
    /// The 16 bytes the backend reports back through [`TypeHash`] (R-HASH-1).
    pub type_hash: Option<[u8; 16]>,
    pub role: Role,
    /// The first SN a CREATE-ed pool hands out (R-SEQ-1).
    pub first_sequence_number: u32,
}

impl Config<'_> {
    /// The name as UTF-8; a name that is not is INVALID_ARGUMENT.
    pub fn name_str(&self) -> Result<Option<&str>> {
        self.name
            .map(|n| n.to_str())
            .transpose()
            .map_err(|_| Error::with_message(Status::InvalidArgument, "pool name is not UTF-8"))
    }
}

/// Where `read_slot` delivers a sample: the caller's header and buffer.
/// The buffer is only written through [`ReadOut::deliver`], which never writes
/// past the length the caller gave.
pub struct ReadOut<'a> {
    header: &'a mut SlotHeader,
    buf: *mut u8,
    buf_len: usize,
}

impl<'a> ReadOut<'a> {
    /// # Safety
    /// `buf` must be valid for `buf_len` bytes of writes (any pointer when 0).
    pub(crate) unsafe fn new(header: &'a mut SlotHeader, buf: *mut u8, buf_len: usize) -> Self {
        ReadOut { header, buf, buf_len }
    }

    /// The caller's buffer length.
    pub fn buf_len(&self) -> usize {
        self.buf_len
    }

    /// Reports `header` and copies `bytes`. When the buffer is shorter than
    /// `bytes` the header is still written, nothing is copied and the result
    /// is INVALID_ARGUMENT (R-READ-4).
    pub fn deliver(&mut self, header: SlotHeader, bytes: &[u8]) -> Result<()> {
        *self.header = header;
        if bytes.len() > self.buf_len {
            let text = format!("buffer of {} bytes < sample of {} bytes", self.buf_len, bytes.len());
            return Err(Error::with_message(Status::InvalidArgument, text));
        }
        if !bytes.is_empty() {
            // SAFETY: bytes.len() <= buf_len and buf is valid for buf_len
            // bytes (new's contract); a Rust slice never overlaps C's buffer.
            unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), self.buf, bytes.len()) };
        }
        Ok(())
    }
}

/// A slotkit backend: `open` plus the 9 required operations of `slotkit_ops`.
/// Every method may be called from several threads at once (R-THREAD-1).
/// `close` is `Drop`. Rule IDs are those of docs/SPEC.md.
pub trait Backend: Sized + Send + Sync + 'static {
    /// Short name, `[a-z0-9_-]+`.
    const NAME: &'static CStr;
    /// The backend's own version string.
    const VERSION: &'static CStr;

    /// Create (or, with [`CrossProcess`], attach) a pool. `slot_count == 0`
    /// is INVALID_ARGUMENT (R-OPEN-1); the error's message reaches the caller.
    fn open(config: &Config<'_>) -> Result<Self>;

    /// Loan a reservable slot; NO_FREE_SLOT changes nothing (R-RESERVE-*).
    fn reserve_slot(&self, active_readers_mask: ReaderMask) -> Result<Handle>;
    /// Publish a live loan's bytes, returning the SN (R-COMMIT-*, R-SEQ-*).
    fn commit_slot(&self, handle: Handle, bytes: &[u8]) -> Result<u32>;
    /// End a live loan without publishing (R-DISCARD-*).
    fn discard_slot(&self, handle: Handle) -> Result<()>;
    /// Deliver a committed sample through `out.deliver` (R-READ-*).
    fn read_slot(&self, handle: Handle, out: &mut ReadOut<'_>) -> Result<()>;
    /// Reader `reader_index` is done with the sample (R-MARK-*, R-RECYCLE-*).
    /// The index arrives unchecked: `>= 32` is OUT_OF_BOUNDS (R-MARK-1).
    fn mark_read(&self, handle: Handle, reader_index: u32) -> Result<()>;
    /// No sample waits for `reader_index` any more (R-DISC-*).
    fn mark_reader_disconnected(&self, reader_index: u32) -> Result<()>;
    /// The configured slot count (R-GEOM-1).
    fn slot_count(&self) -> Result<usize>;
    /// `SLOTKIT_SLOT_TOTAL_SIZE(capacity)` (R-GEOM-3).
    fn slot_total_size(&self) -> usize;
    /// The configured capacity, unpadded (R-GEOM-2).
    fn slot_capacity(&self) -> usize;
}

/// Capability IN_PLACE: loans filled and samples read through pointers.
pub trait InPlace: Backend {
    /// Writable pointer to `capacity` bytes of a live loan (R-INPLACE-1/2).
    fn slot_data_ptr(&self, handle: Handle) -> Result<(*mut u8, usize)>;
    /// Publish `len` bytes written in place, like commit_slot (R-INPLACE-3/4).
    fn commit_in_place(&self, handle: Handle, len: usize) -> Result<u32>;
    /// Pointer and length of a committed sample (R-INPLACE-5).
    fn slot_read_ptr(&self, handle: Handle) -> Result<(*const u8, usize)>;
}

/// Capability NEXT_UNREAD.
pub trait NextUnread: Backend {
    /// The reader's oldest pending sample in serial SN order, or `None`
    /// (R-NEXT-*, R-SEQ-4). `reader_index` arrives unchecked (R-MARK-1).
    fn next_unread_slot(&self, reader_index: u32) -> Result<Option<Handle>>;
}

/// Capability TYPE_HASH.
pub trait TypeHash: Backend {
    /// The 16 bytes given at open, or `None` (R-HASH-1).
    fn type_hash(&self) -> Option<[u8; 16]>;
}

/// Capability NOTIFY.
pub trait Notify: Backend {
    /// The change generation (R-NOTIFY-1, R-NOTIFY-6).
    fn notify_generation(&self) -> u64;
    /// Block until the generation differs from `last` or `timeout` passed
    /// (R-NOTIFY-2/3/4/5/7/8).
    fn wait_for_change(&self, last: u64, timeout: Duration);
}

/// Capability CROSS_PROCESS: `open` handles [`Role::Attach`] (R-OPEN-3, R-XPROC-*).
pub trait CrossProcess: Backend {}
