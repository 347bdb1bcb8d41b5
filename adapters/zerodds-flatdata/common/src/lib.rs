//! The ABI mapping shared by the zerodds-flatdata plug-ins. It converts types
//! and nothing else: every operation is one call of upstream's `SlotBackend`,
//! with its arguments and results translated, so the suite's verdict is
//! upstream's (README.md lists each mapping).

use slotkit_backend::{Error, Handle, ReadOut, Result, SlotHeader, Status};
use zerodds_flatdata::{SlotError, SlotHandle};

pub use zerodds_flatdata::SlotBackend;

/// Upstream's `SlotError` as a slotkit error (SPEC §2's error mapping).
pub fn slot_error(error: SlotError) -> Error {
    let message = format!("zerodds-flatdata: {error}");
    match error {
        SlotError::NoFreeSlot => Error::with_message(Status::NoFreeSlot, message),
        SlotError::OutOfBounds => Error::with_message(Status::OutOfBounds, message),
        SlotError::SampleTooLarge { sample, slot_capacity } => Error::sample_too_large(sample, slot_capacity),
        SlotError::LockPoisoned => Error::with_message(Status::LockPoisoned, message),
        SlotError::InPlaceUnsupported => Error::with_message(Status::InPlaceUnsupported, message),
    }
}

/// Upstream results, errors mapped.
pub fn up<T>(result: core::result::Result<T, SlotError>) -> Result<T> {
    result.map_err(slot_error)
}

/// The ABI's `uint32_t` reader index as upstream's `u8`. Values that fit go
/// through unchanged (upstream decides about 32..=255); a value a `u8` cannot
/// hold never reaches upstream and is OUT_OF_BOUNDS, the ABI's status for a
/// reader index out of range (truncating it would alias another reader).
pub fn reader(reader_index: u32) -> Result<u8> {
    u8::try_from(reader_index).map_err(|_| {
        Error::with_message(Status::OutOfBounds, format!("reader index {reader_index} does not fit upstream's u8"))
    })
}

/// A slotkit handle as upstream's: the same two fields.
pub fn handle_in(handle: Handle) -> SlotHandle {
    SlotHandle { segment_id: handle.segment_id, slot_index: handle.slot_index }
}

/// Upstream's handle as slotkit's.
pub fn handle_out(handle: SlotHandle) -> Handle {
    Handle { segment_id: handle.segment_id, slot_index: handle.slot_index }
}

/// Upstream's `(SlotHeader, Vec<u8>)` read result delivered into C's header and
/// buffer; a buffer shorter than the bytes is INVALID_ARGUMENT (R-READ-4).
pub fn deliver(out: &mut ReadOut<'_>, read: (zerodds_flatdata::SlotHeader, Vec<u8>)) -> Result<()> {
    let (header, bytes) = read;
    let header = SlotHeader {
        sequence_number: header.sequence_number,
        sample_size: header.sample_size,
        reader_mask: header.reader_mask,
        reserved: header._reserved,
    };
    out.deliver(header, &bytes)
}

/// The 9 required operations of `slotkit_backend::Backend`, each one call of
/// `SlotBackend` on `self.0`. Use inside `impl Backend for T`.
#[macro_export]
macro_rules! delegate_required {
    () => {
        fn reserve_slot(&self, mask: slotkit_backend::ReaderMask) -> slotkit_backend::Result<slotkit_backend::Handle> {
            $crate::up($crate::SlotBackend::reserve_slot(&self.0, mask)).map($crate::handle_out)
        }
        fn commit_slot(&self, handle: slotkit_backend::Handle, bytes: &[u8]) -> slotkit_backend::Result<u32> {
            $crate::up($crate::SlotBackend::commit_slot(&self.0, $crate::handle_in(handle), bytes))
        }
        fn discard_slot(&self, handle: slotkit_backend::Handle) -> slotkit_backend::Result<()> {
            $crate::up($crate::SlotBackend::discard_slot(&self.0, $crate::handle_in(handle)))
        }
        fn read_slot(
            &self,
            handle: slotkit_backend::Handle,
            out: &mut slotkit_backend::ReadOut<'_>,
        ) -> slotkit_backend::Result<()> {
            $crate::deliver(out, $crate::up($crate::SlotBackend::read_slot(&self.0, $crate::handle_in(handle)))?)
        }
        fn mark_read(&self, handle: slotkit_backend::Handle, reader_index: u32) -> slotkit_backend::Result<()> {
            let reader = $crate::reader(reader_index)?;
            $crate::up($crate::SlotBackend::mark_read(&self.0, $crate::handle_in(handle), reader))
        }
        fn mark_reader_disconnected(&self, reader_index: u32) -> slotkit_backend::Result<()> {
            $crate::up($crate::SlotBackend::mark_reader_disconnected(&self.0, $crate::reader(reader_index)?))
        }
        fn slot_count(&self) -> slotkit_backend::Result<usize> {
            $crate::up($crate::SlotBackend::slot_count(&self.0))
        }
        fn slot_total_size(&self) -> usize {
            $crate::SlotBackend::slot_total_size(&self.0)
        }
        fn slot_capacity(&self) -> usize {
            $crate::SlotBackend::slot_capacity(&self.0)
        }
    };
}

/// `impl InPlace`, `NextUnread` and `Notify` for `$ty`, delegating to `self.0`:
/// for an upstream type that overrides those provided methods of `SlotBackend`.
#[macro_export]
macro_rules! delegate_in_place_next_unread_notify {
    ($ty:ty) => {
        impl slotkit_backend::InPlace for $ty {
            fn slot_data_ptr(&self, handle: slotkit_backend::Handle) -> slotkit_backend::Result<(*mut u8, usize)> {
                $crate::up($crate::SlotBackend::slot_data_ptr(&self.0, $crate::handle_in(handle)))
            }
            fn commit_in_place(&self, handle: slotkit_backend::Handle, len: usize) -> slotkit_backend::Result<u32> {
                $crate::up($crate::SlotBackend::commit_in_place(&self.0, $crate::handle_in(handle), len))
            }
            fn slot_read_ptr(&self, handle: slotkit_backend::Handle) -> slotkit_backend::Result<(*const u8, usize)> {
                $crate::up($crate::SlotBackend::slot_read_ptr(&self.0, $crate::handle_in(handle)))
            }
        }
        impl slotkit_backend::NextUnread for $ty {
            fn next_unread_slot(&self, reader_index: u32) -> slotkit_backend::Result<Option<slotkit_backend::Handle>> {
                let reader = $crate::reader(reader_index)?;
                Ok($crate::up($crate::SlotBackend::next_unread_slot(&self.0, reader))?.map($crate::handle_out))
            }
        }
        impl slotkit_backend::Notify for $ty {
            fn notify_generation(&self) -> u64 {
                $crate::SlotBackend::notify_generation(&self.0)
            }
            fn wait_for_change(&self, last: u64, timeout: core::time::Duration) {
                $crate::SlotBackend::wait_for_change(&self.0, last, timeout)
            }
        }
    };
}

/// Upstream cannot start its sequence counter anywhere but 0, so a CREATE
/// asking for another first SN is an option it does not offer.
pub fn require_first_sn_zero(first_sequence_number: u32) -> Result<()> {
    match first_sequence_number {
        0 => Ok(()),
        n => Err(Error::with_message(
            Status::Unsupported,
            format!("zerodds-flatdata always starts at SN 0; first_sequence_number {n} is not offered"),
        )),
    }
}
