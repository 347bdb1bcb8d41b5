//! The few iceoryx2 primitives slotkit's iceoryx2 adapter needs, as `extern "C"`.
//!
//! The official C binding (`iceoryx2-ffi-c`) is not on crates.io, so the adapter
//! links this small staticlib instead. It is deliberately thin: every limit is a
//! parameter, every object is an opaque `Box` the C side owns, and every fallible
//! call returns 0 or a `SK_IOX2_E_*` code plus a one-line message in a caller
//! buffer. The C header is `../shim.h`; keep the two in step.
//!
//! Thread safety: the service type is `ipc`, whose ports share state through
//! `Rc` and take no lock of their own (`ipc_threadsafe` puts a mutex around
//! every port call: about a quarter of the adapter's instructions per sample).
//! That is sound only because the adapter serialises every call on one pool's
//! objects, from whichever thread, under its instance lock: the lock orders
//! the `Rc` count updates, and no two threads touch one node's objects at once.
//! Objects of different pools share nothing.

use core::ffi::{c_char, c_int};
use core::mem::MaybeUninit;
use iceoryx2::port::publisher::Publisher;
use iceoryx2::port::subscriber::Subscriber;
use iceoryx2::prelude::*;
use iceoryx2::sample::Sample;
use iceoryx2::sample_mut_uninit::SampleMutUninit;
use iceoryx2::service::port_factory::publish_subscribe::PortFactory;
use std::ffi::CStr;
use std::fmt::Display;
use std::sync::Once;

/// Single-threaded ports; the adapter's instance lock serialises them (above).
type Svc = ipc::Service;

/// The user header every sample carries: the adapter's sequence number, the
/// committed length (a DYNAMIC slice fixes its element count at loan time) and
/// the slot it was committed into. Mirrors `sk_iox2_header` in shim.h.
#[derive(Debug, Clone, Copy, Default, ZeroCopySend)]
#[type_name("slotkit_iox2_header")]
#[repr(C)]
pub struct SkHeader {
    pub sequence: u32,
    pub length: u32,
    pub slot: u32,
    pub reserved: u32,
}

pub struct SkNode {
    node: Node<Svc>,
}
pub struct SkService {
    factory: PortFactory<Svc, [u8], SkHeader>,
}
pub struct SkPublisher {
    publisher: Publisher<Svc, [u8], SkHeader>,
}
pub struct SkSubscriber {
    subscriber: Subscriber<Svc, [u8], SkHeader>,
}
pub struct SkLoan {
    sample: SampleMutUninit<Svc, [MaybeUninit<u8>], SkHeader>,
}
pub struct SkSample {
    // Never read through this field: the C side reads the payload pointer it
    // got at receive; holding the Sample keeps the chunk borrowed until drop.
    #[allow(dead_code)]
    sample: Sample<Svc, [u8], SkHeader>,
}

/// Limits of one pub-sub service, all explicit (the defaults are tiny).
#[repr(C)]
pub struct SkServiceLimits {
    pub max_publishers: usize,
    pub max_subscribers: usize,
    pub max_nodes: usize,
    pub subscriber_max_buffer_size: usize,
    pub subscriber_max_borrowed_samples: usize,
    pub history_size: usize,
    pub payload_alignment: usize,
}

pub const SK_IOX2_OK: c_int = 0;
pub const SK_IOX2_E_ARG: c_int = 1; /* bad argument (NULL, bad name) */
pub const SK_IOX2_E_NODE: c_int = 2; /* node creation failed */
pub const SK_IOX2_E_SERVICE: c_int = 3; /* service create/open failed */
pub const SK_IOX2_E_PORT: c_int = 4; /* publisher/subscriber creation failed */
pub const SK_IOX2_E_LOAN: c_int = 5; /* loan failed */
pub const SK_IOX2_E_SEND: c_int = 6; /* send failed */
pub const SK_IOX2_E_RECEIVE: c_int = 7; /* receive failed */
pub const SK_IOX2_E_EXISTS: c_int = 8; /* create: the service exists already */

/// Writes "what: error" into the caller's buffer, NUL-terminated and truncated.
fn put_err(buf: *mut c_char, len: usize, what: &str, e: impl Display) {
    if buf.is_null() || len == 0 {
        return;
    }
    let msg = format!("{what}: {e}");
    let n = msg.len().min(len - 1);
    // SAFETY: the caller passes a writable buffer of len bytes.
    unsafe {
        core::ptr::copy_nonoverlapping(msg.as_ptr(), buf as *mut u8, n);
        *buf.add(n) = 0;
    }
}

fn c_str<'a>(p: *const c_char) -> Option<&'a str> {
    if p.is_null() {
        return None;
    }
    // SAFETY: the caller passes a NUL-terminated string.
    unsafe { CStr::from_ptr(p) }.to_str().ok()
}

/// iceoryx2 logs to stderr; a slotkit backend does not print. Every error the
/// adapter can act on comes back through `err`, so only fatal ones are logged
/// unless IOX2_LOG_LEVEL asks for more (debugging).
fn init_logging() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| set_log_level_from_env_or(LogLevel::Fatal));
}

/// A default config with the pool's own prefix (file names in /dev/shm) and
/// root directory (everything else), so pools never share iceoryx2 files.
fn make_config(prefix: &str, root: &str) -> Result<Config, String> {
    let mut config = Config::default();
    config.global.prefix =
        FileName::new(prefix.as_bytes()).map_err(|e| format!("prefix {prefix:?}: {e:?}"))?;
    let root_path = Path::new(root.as_bytes()).map_err(|e| format!("root path {root:?}: {e:?}"))?;
    config.global.set_root_path(&root_path);
    Ok(config)
}

/// Every node of a domain (prefix + root) shares one "global management"
/// segment (/dev/shm/<prefix>...node.<version>.global_mgmt) that iceoryx2
/// never removes. Removes it when no node of the domain is left; returns 1
/// when removed, 0 when nodes remain or it was already gone, -1 on error.
#[no_mangle]
pub extern "C" fn sk_iox2_domain_remove(
    prefix: *const c_char,
    root_path: *const c_char,
    err: *mut c_char,
    err_len: usize,
) -> c_int {
    let (Some(prefix), Some(root)) = (c_str(prefix), c_str(root_path)) else {
        put_err(err, err_len, "domain removal", "NULL or non-UTF-8 argument");
        return -1;
    };
    let config = match make_config(prefix, root) {
        Ok(c) => c,
        Err(e) => {
            put_err(err, err_len, "config", e);
            return -1;
        }
    };
    let mut nodes = 0usize;
    if let Err(e) = Node::<Svc>::list(&config, |_| {
        nodes += 1;
        CallbackProgression::Continue
    }) {
        put_err(err, err_len, "node list", format!("{e:?}"));
        return -1;
    }
    if nodes != 0 {
        return 0;
    }
    // SAFETY: no node is left in this domain, and the domain (prefix and
    // root) is private to one pool. The API is iceoryx2's own test cleanup
    // (doc(hidden) `testing` module): there is no public one in 0.10.0.
    match unsafe { iceoryx2::testing::remove_global_mgmt_segment::<Svc>(&config) } {
        Ok(true) => 1,
        Ok(false) => 0,
        Err(e) => {
            put_err(err, err_len, "global management segment removal", format!("{e:?}"));
            -1
        }
    }
}

/// Creates an IPC node with its own prefix and root directory, signal handling
/// off (a library must not install SIGINT/SIGTERM handlers), dead-node cleanup
/// on creation and destruction on.
#[no_mangle]
pub extern "C" fn sk_iox2_node_create(
    prefix: *const c_char,
    root_path: *const c_char,
    out: *mut *mut SkNode,
    err: *mut c_char,
    err_len: usize,
) -> c_int {
    init_logging();
    let (Some(prefix), Some(root), false) = (c_str(prefix), c_str(root_path), out.is_null())
    else {
        put_err(err, err_len, "node", "NULL or non-UTF-8 argument");
        return SK_IOX2_E_ARG;
    };
    let mut config = match make_config(prefix, root) {
        Ok(c) => c,
        Err(e) => {
            put_err(err, err_len, "config", e);
            return SK_IOX2_E_ARG;
        }
    };
    config.global.node.cleanup_dead_nodes_on_creation = true;
    config.global.node.cleanup_dead_nodes_on_destruction = true;
    config.global.service.cleanup_dead_nodes_on_open = true;
    match NodeBuilder::new()
        .config(&config)
        .signal_handling_mode(SignalHandlingMode::Disabled)
        .create::<Svc>()
    {
        Ok(node) => {
            // SAFETY: out checked non-NULL above.
            unsafe { *out = Box::into_raw(Box::new(SkNode { node })) };
            SK_IOX2_OK
        }
        Err(e) => {
            put_err(err, err_len, "node creation", format!("{e:?}"));
            SK_IOX2_E_NODE
        }
    }
}

/// Removes the resources of dead nodes under this node's config; returns how
/// many were cleaned (and failed, in *failed).
#[no_mangle]
pub extern "C" fn sk_iox2_node_cleanup_dead(node: *const SkNode, failed: *mut u64) -> u64 {
    if node.is_null() {
        return 0;
    }
    // SAFETY: a live node from sk_iox2_node_create.
    let state = unsafe { &*node }.node.try_cleanup_dead_nodes();
    if !failed.is_null() {
        // SAFETY: checked non-NULL.
        unsafe { *failed = state.failed_cleanups };
    }
    state.cleanups
}

#[no_mangle]
pub extern "C" fn sk_iox2_node_drop(node: *mut SkNode) {
    if !node.is_null() {
        // SAFETY: from Box::into_raw, dropped once.
        drop(unsafe { Box::from_raw(node) });
    }
}

/// Creates (create != 0) or opens a pub-sub service of `[u8]` slices with the
/// SkHeader user header and the given limits. Safe overflow is off: the adapter
/// never lets a queue overflow, and an overflow would drop a sample silently.
#[no_mangle]
pub extern "C" fn sk_iox2_service_open(
    node: *const SkNode,
    name: *const c_char,
    limits: *const SkServiceLimits,
    create: c_int,
    out: *mut *mut SkService,
    err: *mut c_char,
    err_len: usize,
) -> c_int {
    let (false, Some(name), false, false) =
        (node.is_null(), c_str(name), limits.is_null(), out.is_null())
    else {
        put_err(err, err_len, "service", "NULL or non-UTF-8 argument");
        return SK_IOX2_E_ARG;
    };
    // SAFETY: checked non-NULL; live objects of the caller.
    let (node, limits) = unsafe { (&(*node).node, &*limits) };
    let service_name = match ServiceName::new(name) {
        Ok(n) => n,
        Err(e) => {
            put_err(err, err_len, "service name", format!("{name:?}: {e:?}"));
            return SK_IOX2_E_ARG;
        }
    };
    let alignment = match Alignment::new(limits.payload_alignment) {
        Some(a) => a,
        None => {
            put_err(err, err_len, "service", "payload alignment is not a power of two");
            return SK_IOX2_E_ARG;
        }
    };
    let builder = node
        .service_builder(&service_name)
        .publish_subscribe::<[u8]>()
        .user_header::<SkHeader>()
        .payload_alignment(alignment)
        .enable_safe_overflow(false)
        .max_publishers(limits.max_publishers)
        .max_subscribers(limits.max_subscribers)
        .max_nodes(limits.max_nodes)
        .subscriber_max_buffer_size(limits.subscriber_max_buffer_size)
        .subscriber_max_borrowed_samples(limits.subscriber_max_borrowed_samples)
        .history_size(limits.history_size);
    let result = if create != 0 {
        builder.create().map_err(|e| {
            let code = if matches!(e, iceoryx2::service::builder::publish_subscribe::PublishSubscribeCreateError::AlreadyExists) {
                SK_IOX2_E_EXISTS
            } else {
                SK_IOX2_E_SERVICE
            };
            (code, format!("{e:?}"))
        })
    } else {
        builder.open().map_err(|e| (SK_IOX2_E_SERVICE, format!("{e:?}")))
    };
    match result {
        Ok(factory) => {
            // SAFETY: out checked non-NULL.
            unsafe { *out = Box::into_raw(Box::new(SkService { factory })) };
            SK_IOX2_OK
        }
        Err((code, e)) => {
            put_err(err, err_len, &format!("service {name:?}"), e);
            code
        }
    }
}

#[no_mangle]
pub extern "C" fn sk_iox2_service_drop(service: *mut SkService) {
    if !service.is_null() {
        // SAFETY: from Box::into_raw, dropped once.
        drop(unsafe { Box::from_raw(service) });
    }
}

/// A publisher whose loans are `max_slice_len` bytes (STATIC allocation: the
/// data segment is sized once), with at most `max_loans` loans outstanding.
#[no_mangle]
pub extern "C" fn sk_iox2_publisher_create(
    service: *const SkService,
    max_slice_len: usize,
    max_loans: usize,
    out: *mut *mut SkPublisher,
    err: *mut c_char,
    err_len: usize,
) -> c_int {
    if service.is_null() || out.is_null() {
        put_err(err, err_len, "publisher", "NULL argument");
        return SK_IOX2_E_ARG;
    }
    // SAFETY: checked non-NULL.
    let factory = unsafe { &(*service).factory };
    match factory
        .publisher_builder()
        .initial_max_slice_len(max_slice_len)
        .allocation_strategy(AllocationStrategy::Static)
        .max_loaned_samples(max_loans)
        // Never block in send: the adapter sizes queues so a send always fits.
        .backpressure_strategy(BackpressureStrategy::DiscardData)
        .create()
    {
        Ok(publisher) => {
            // SAFETY: out checked non-NULL.
            unsafe { *out = Box::into_raw(Box::new(SkPublisher { publisher })) };
            SK_IOX2_OK
        }
        Err(e) => {
            put_err(err, err_len, "publisher creation", format!("{e:?}"));
            SK_IOX2_E_PORT
        }
    }
}

#[no_mangle]
pub extern "C" fn sk_iox2_publisher_drop(publisher: *mut SkPublisher) {
    if !publisher.is_null() {
        // SAFETY: from Box::into_raw, dropped once.
        drop(unsafe { Box::from_raw(publisher) });
    }
}

#[no_mangle]
pub extern "C" fn sk_iox2_subscriber_create(
    service: *const SkService,
    buffer_size: usize,
    out: *mut *mut SkSubscriber,
    err: *mut c_char,
    err_len: usize,
) -> c_int {
    if service.is_null() || out.is_null() {
        put_err(err, err_len, "subscriber", "NULL argument");
        return SK_IOX2_E_ARG;
    }
    // SAFETY: checked non-NULL.
    let factory = unsafe { &(*service).factory };
    match factory.subscriber_builder().buffer_size(buffer_size).create() {
        Ok(subscriber) => {
            // SAFETY: out checked non-NULL.
            unsafe { *out = Box::into_raw(Box::new(SkSubscriber { subscriber })) };
            SK_IOX2_OK
        }
        Err(e) => {
            put_err(err, err_len, "subscriber creation", format!("{e:?}"));
            SK_IOX2_E_PORT
        }
    }
}

#[no_mangle]
pub extern "C" fn sk_iox2_subscriber_drop(subscriber: *mut SkSubscriber) {
    if !subscriber.is_null() {
        // SAFETY: from Box::into_raw, dropped once.
        drop(unsafe { Box::from_raw(subscriber) });
    }
}

/// Loans a slice of `len` bytes; *payload points at its (uninitialised) bytes,
/// valid until the loan is sent or dropped.
#[no_mangle]
pub extern "C" fn sk_iox2_loan_slice(
    publisher: *const SkPublisher,
    len: usize,
    out: *mut *mut SkLoan,
    payload: *mut *mut u8,
    err: *mut c_char,
    err_len: usize,
) -> c_int {
    if publisher.is_null() || out.is_null() || payload.is_null() {
        put_err(err, err_len, "loan", "NULL argument");
        return SK_IOX2_E_ARG;
    }
    // SAFETY: checked non-NULL.
    let publisher = unsafe { &(*publisher).publisher };
    match publisher.loan_slice_uninit(len) {
        Ok(sample) => {
            let mut loan = Box::new(SkLoan { sample });
            let p = loan.sample.payload_mut().as_mut_ptr() as *mut u8;
            // SAFETY: out/payload checked non-NULL.
            unsafe {
                *payload = p;
                *out = Box::into_raw(loan);
            }
            SK_IOX2_OK
        }
        Err(e) => {
            put_err(err, err_len, "loan", format!("{e:?}"));
            SK_IOX2_E_LOAN
        }
    }
}

/// Returns a loan without sending it.
#[no_mangle]
pub extern "C" fn sk_iox2_loan_drop(loan: *mut SkLoan) {
    if !loan.is_null() {
        // SAFETY: from Box::into_raw, dropped once.
        drop(unsafe { Box::from_raw(loan) });
    }
}

/// Writes the user header and sends the loan (consumed in every case; all of
/// its bytes must have been written). *recipients gets the subscriber count.
#[no_mangle]
pub extern "C" fn sk_iox2_send(
    loan: *mut SkLoan,
    header: *const SkHeader,
    recipients: *mut usize,
    err: *mut c_char,
    err_len: usize,
) -> c_int {
    if loan.is_null() || header.is_null() {
        put_err(err, err_len, "send", "NULL argument");
        return SK_IOX2_E_ARG;
    }
    // SAFETY: from Box::into_raw, consumed once; header checked non-NULL.
    let mut loan = unsafe { Box::from_raw(loan) };
    *loan.sample.user_header_mut() = unsafe { *header };
    // SAFETY: the chunk lives in a shared-memory segment the OS zero-filled at
    // creation, so every byte has a defined value; the adapter writes the first
    // `length` bytes and readers never look past `length`.
    let sample = unsafe { loan.sample.assume_init() };
    match sample.send() {
        Ok(n) => {
            if !recipients.is_null() {
                // SAFETY: checked non-NULL.
                unsafe { *recipients = n };
            }
            SK_IOX2_OK
        }
        Err(e) => {
            put_err(err, err_len, "send", format!("{e:?}"));
            SK_IOX2_E_SEND
        }
    }
}

/// Takes the oldest queued sample: *out is NULL when the queue is empty.
/// *payload/*payload_len/*header describe it until sk_iox2_sample_drop.
#[no_mangle]
pub extern "C" fn sk_iox2_receive(
    subscriber: *const SkSubscriber,
    out: *mut *mut SkSample,
    payload: *mut *const u8,
    payload_len: *mut usize,
    header: *mut SkHeader,
    err: *mut c_char,
    err_len: usize,
) -> c_int {
    if subscriber.is_null() || out.is_null() || payload.is_null() || payload_len.is_null() || header.is_null() {
        put_err(err, err_len, "receive", "NULL argument");
        return SK_IOX2_E_ARG;
    }
    // SAFETY: checked non-NULL.
    let subscriber = unsafe { &(*subscriber).subscriber };
    match subscriber.receive() {
        Ok(None) => {
            // SAFETY: checked non-NULL.
            unsafe { *out = core::ptr::null_mut() };
            SK_IOX2_OK
        }
        Ok(Some(sample)) => {
            let bytes = sample.payload();
            // SAFETY: all out-pointers checked non-NULL.
            unsafe {
                *payload = bytes.as_ptr();
                *payload_len = bytes.len();
                *header = *sample.user_header();
                *out = Box::into_raw(Box::new(SkSample { sample }));
            }
            SK_IOX2_OK
        }
        Err(e) => {
            put_err(err, err_len, "receive", format!("{e:?}"));
            SK_IOX2_E_RECEIVE
        }
    }
}

/// Releases a received sample (iceoryx2 returns the chunk to its publisher).
#[no_mangle]
pub extern "C" fn sk_iox2_sample_drop(sample: *mut SkSample) {
    if !sample.is_null() {
        // SAFETY: from Box::into_raw, dropped once.
        drop(unsafe { Box::from_raw(sample) });
    }
}
