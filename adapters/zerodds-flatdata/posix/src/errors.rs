//! Upstream's `PosixSlotError` as a slotkit error: OS failures keep their errno
//! (so a missing pool is SYSTEM_ERROR/ENOENT, R-OPEN-3), a bad segment header
//! is INCOMPATIBLE, a geometry beyond u32 is INVALID_ARGUMENT.

use std::path::Path;

use shared_memory::ShmemError;
use slotkit_backend::{Error, Status};
use zerodds_flatdata::PosixSlotError;

const ENOENT: i32 = 2;
const EIO: i32 = 5;
const EEXIST: i32 = 17;

pub fn posix_error(flink: &Path, error: PosixSlotError) -> Error {
    let text = format!("zerodds-flatdata {}: {error}", flink.display());
    match error {
        PosixSlotError::Shm(shm) => Error::system(shm_errno(&shm), text),
        PosixSlotError::CapacityOverflow => Error::with_message(Status::InvalidArgument, text),
        PosixSlotError::InvalidHeader => Error::with_message(Status::Incompatible, text),
        PosixSlotError::Slot(slot) => slotkit_zerodds_common::slot_error(slot),
        _ => Error::system(EIO, text), // #[non_exhaustive]: a variant newer than rc.7
    }
}

/// The errno behind a `shared_memory` error.
fn shm_errno(error: &ShmemError) -> i32 {
    let os = |e: &std::io::Error| e.raw_os_error().unwrap_or(EIO);
    match error {
        ShmemError::LinkCreateFailed(e)
        | ShmemError::LinkWriteFailed(e)
        | ShmemError::LinkOpenFailed(e)
        | ShmemError::LinkReadFailed(e) => os(e),
        ShmemError::MapCreateFailed(n) | ShmemError::MapOpenFailed(n) | ShmemError::UnknownOsError(n) => *n as i32,
        ShmemError::LinkExists | ShmemError::MappingIdExists => EEXIST,
        ShmemError::LinkDoesNotExist => ENOENT,
        ShmemError::MapSizeZero | ShmemError::NoLinkOrOsId | ShmemError::FlinkInvalidOsId => EIO,
    }
}
