//! zerodds_posix: the slotkit plug-in over zerodds-flatdata's
//! `PosixSlotAllocator` (1.0.0-rc.7, shm_open + mmap through the
//! `shared_memory` crate). Every operation is one call of upstream's
//! `SlotBackend`; README.md documents the mapping.
//! Capabilities follow what upstream offers: CROSS_PROCESS (`attach`), and the
//! provided methods it overrides, IN_PLACE, NEXT_UNREAD and NOTIFY. It keeps
//! the trait's default `type_hash` (no hash), so no TYPE_HASH.

use std::ffi::CStr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use slotkit_backend::{export_backend, Backend, Config, CrossProcess, Error, Result, Role, Status};
use slotkit_zerodds_common::{delegate_in_place_next_unread_notify, delegate_required, require_first_sn_zero};
use zerodds_flatdata::{PosixSlotAllocator, PosixSlotError};

mod errors;

pub struct ZeroddsPosix(PosixSlotAllocator);

/// Where pool names become upstream's flink paths: $SLOTKIT_ZERODDS_DIR, or
/// slotkit-zerodds/ in the temporary directory.
fn flink_dir() -> PathBuf {
    std::env::var_os("SLOTKIT_ZERODDS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("slotkit-zerodds"))
}

/// The flink path of a pool: `<dir>/<name>`. A name must be one path
/// component, after one leading '/' (shm_open style, as the posix backend
/// takes it); an unnamed CREATE gets a name unique to this process.
fn flink_path(config: &Config<'_>) -> Result<PathBuf> {
    let bad = |why: &str| Error::with_message(Status::InvalidArgument, format!("pool name {why}"));
    let name = match (config.name_str()?, config.role) {
        (Some(name), _) => name.strip_prefix('/').unwrap_or(name).to_owned(),
        (None, Role::Attach) => return Err(bad("is required to attach")),
        (None, Role::Create) => {
            static COUNTER: AtomicU64 = AtomicU64::new(0);
            format!("anon-{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
        }
    };
    if name.is_empty() || name == "." || name == ".." || name.contains('/') {
        return Err(bad("must be one non-empty path component"));
    }
    Ok(flink_dir().join(name))
}

impl Backend for ZeroddsPosix {
    const NAME: &'static CStr = c"zerodds_posix";
    const VERSION: &'static CStr = c"1.0.0-rc.7 (adapter 0.1)";

    /// CREATE: `PosixSlotAllocator::create(flink, slot_count, slot_capacity)`.
    /// ATTACH: `PosixSlotAllocator::attach(flink)`; upstream takes no geometry,
    /// so the config's counts are not used.
    fn open(config: &Config<'_>) -> Result<Self> {
        if config.type_hash.is_some() {
            return Err(Error::with_message(Status::Unsupported, "zerodds-flatdata POSIX pools carry no type hash"));
        }
        let flink = flink_path(config)?;
        let opened = match config.role {
            Role::Create => {
                require_first_sn_zero(config.first_sequence_number)?;
                PosixSlotAllocator::create(&flink, config.slot_count, config.slot_capacity)
            }
            Role::Attach => PosixSlotAllocator::attach(&flink),
        };
        opened.map(ZeroddsPosix).map_err(|e: PosixSlotError| errors::posix_error(&flink, e))
    }

    delegate_required!();
}

delegate_in_place_next_unread_notify!(ZeroddsPosix);

impl CrossProcess for ZeroddsPosix {}

export_backend!(ZeroddsPosix);
