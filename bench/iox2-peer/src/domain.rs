//! The peer's own iceoryx2 domain: a prefix and a root directory of its own,
//! so it never meets another iceoryx2 user's files, and removes all of them
//! when done (iceoryx2 leaves its global management segment behind).

use iceoryx2::prelude::*;

pub type Svc = ipc::Service;

pub struct Domain {
    pub config: Config,
    root: String,
}

impl Domain {
    pub fn new() -> Result<Domain, String> {
        set_log_level_from_env_or(LogLevel::Fatal);
        let pid = std::process::id();
        let prefix = format!("slotkit_peer_{pid}_");
        let root = format!("/tmp/slotkit-peer-{pid}/");
        let mut config = Config::default();
        config.global.prefix = FileName::new(prefix.as_bytes()).map_err(|e| format!("prefix: {e:?}"))?;
        config.global.set_root_path(&Path::new(root.as_bytes()).map_err(|e| format!("root: {e:?}"))?);
        Ok(Domain { config, root })
    }

    /// A node of this domain (one per thread: ipc ports stay in their thread).
    pub fn node(&self) -> Result<Node<Svc>, String> {
        NodeBuilder::new()
            .config(&self.config)
            .signal_handling_mode(SignalHandlingMode::Disabled)
            .create::<Svc>()
            .map_err(|e| format!("node: {e:?}"))
    }

    /// After every node is gone: the global management segment and the root.
    pub fn remove(&self) {
        // SAFETY: every node of this private domain has been dropped.
        let _ = unsafe { iceoryx2::testing::remove_global_mgmt_segment::<Svc>(&self.config) };
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Opens a [u8] publish-subscribe service created by the main thread.
pub fn open(node: &Node<Svc>, name: &str) -> Result<PortFactory<Svc>, String> {
    let service = ServiceName::new(name).map_err(|e| format!("service name: {e:?}"))?;
    node.service_builder(&service).publish_subscribe::<[u8]>().open().map_err(|e| format!("open {name}: {e:?}"))
}

pub type PortFactory<S> = iceoryx2::service::port_factory::publish_subscribe::PortFactory<S, [u8], ()>;

/// Creates a [u8] service: `buffer` samples per subscriber, no history;
/// `overflow` lets a full buffer drop its oldest (iceoryx2's benchmark), else
/// the publisher waits for room (a throughput that loses nothing).
pub fn create(node: &Node<Svc>, name: &str, buffer: usize, overflow: bool) -> Result<PortFactory<Svc>, String> {
    let service = ServiceName::new(name).map_err(|e| format!("service name: {e:?}"))?;
    node.service_builder(&service)
        .publish_subscribe::<[u8]>()
        .max_publishers(1)
        .max_subscribers(1)
        .history_size(0)
        .subscriber_max_buffer_size(buffer)
        .enable_safe_overflow(overflow)
        .create()
        .map_err(|e| format!("create {name}: {e:?}"))
}
