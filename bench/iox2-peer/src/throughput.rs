//! Throughput: a publisher (CPU A) loans, copies the payload in and sends
//! `samples` samples as fast as the subscriber's buffer lets it; the
//! subscriber (CPU B) busy-polls, copies each one out and checks its number.
//! The clock runs from the first loan to the subscriber's copy of the last
//! sample. iceoryx2 0.10 drops a sample silently when the publisher's list of
//! chunks in use is full, even with RetryUntilDelivered, so the publisher
//! keeps at most `buffer` samples in flight itself (a backend's writer, too,
//! waits for a free slot): the subscriber counts what it took in `taken`.

use crate::clock::pin;
use crate::domain::{self, Domain};
use crate::Args;
use iceoryx2::port::backpressure_strategy::BackpressureStrategy;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Barrier;
use std::time::{Duration, Instant};

struct Shared<'a> {
    args: &'a Args,
    domain: &'a Domain,
    ready: Barrier,
    failed: AtomicBool,
    taken: AtomicU64,
}

fn publisher_side(sh: &Shared) -> Result<(usize, Instant), String> {
    let used = pin(sh.args.cpu_a)?;
    let node = sh.domain.node()?;
    let publisher = domain::open(&node, "slotkit-peer-tput")?
        .publisher_builder()
        .initial_max_slice_len(sh.args.size)
        .backpressure_strategy(BackpressureStrategy::RetryUntilDelivered)
        .create()
        .map_err(|e| format!("publisher: {e:?}"))?;
    let mut src = vec![0x6bu8; sh.args.size];
    sh.ready.wait();
    let start = Instant::now();
    let (mut taken, buffer) = (0u64, sh.args.buffer as u64);
    for n in 0..sh.args.count {
        while n - taken >= buffer {
            if sh.failed.load(Ordering::Relaxed) {
                return Err("the subscriber failed".into());
            }
            core::hint::spin_loop();
            taken = sh.taken.load(Ordering::Acquire);
        }
        src[..8].copy_from_slice(&n.to_le_bytes());
        let sample = publisher.loan_slice_uninit(sh.args.size).map_err(|e| format!("loan: {e:?}"))?;
        sample.write_from_slice(&src).send().map_err(|e| format!("send: {e:?}"))?;
    }
    Ok((used, start))
}

fn subscriber_side(sh: &Shared) -> Result<(usize, Instant), String> {
    let used = pin(sh.args.cpu_b)?;
    let node = sh.domain.node()?;
    let subscriber = domain::open(&node, "slotkit-peer-tput")?
        .subscriber_builder()
        .buffer_size(sh.args.buffer)
        .create()
        .map_err(|e| format!("subscriber: {e:?}"))?;
    let mut dst = vec![0u8; sh.args.size];
    sh.ready.wait();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut n = 0u64;
    while n < sh.args.count {
        match subscriber.receive().map_err(|e| format!("receive: {e:?}"))? {
            Some(sample) => {
                dst.copy_from_slice(sample.payload());
                let got = u64::from_le_bytes(dst[..8].try_into().unwrap());
                if got != n {
                    return Err(format!("invalid: sample {n} carried {got}"));
                }
                n += 1;
                drop(sample);
                sh.taken.store(n, Ordering::Release);
            }
            None if n & 0xFF == 0 && Instant::now() > deadline => return Err(format!("{n} samples in 30 s")),
            None => core::hint::spin_loop(),
        }
    }
    Ok((used, Instant::now()))
}

fn side<T>(sh: &Shared, f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    let r = f();
    if r.is_err() {
        sh.failed.store(true, Ordering::Relaxed);
    }
    r
}

pub fn run(args: &Args, domain: &Domain) -> Result<String, String> {
    let node = domain.node()?;
    let _service = domain::create(&node, "slotkit-peer-tput", args.buffer, false)?;
    let sh = Shared { args, domain, ready: Barrier::new(2), failed: AtomicBool::new(false), taken: AtomicU64::new(0) };
    let (publisher, subscriber) = std::thread::scope(|s| {
        let sub = s.spawn(|| side(&sh, || subscriber_side(&sh)));
        let publisher = side(&sh, || publisher_side(&sh));
        (publisher, sub.join().unwrap_or_else(|_| Err("subscriber thread panicked".into())))
    });
    let ((cpu_a, start), (cpu_b, end)) = (publisher?, subscriber?);
    let secs = end.duration_since(start).as_secs_f64().max(1e-9);
    let sps = args.count as f64 / secs;
    Ok(format!(
        "{{\"mode\": \"throughput\", \"peer\": \"iceoryx2\", \"iceoryx2\": \"{}\", \"size\": {}, \"samples\": {}, \
         \"buffer\": {}, \"samples_per_s\": {:.1}, \"bytes_per_s\": {:.1}, \"cpu_a\": {cpu_a}, \"cpu_b\": {cpu_b}}}",
        crate::ICEORYX2_VERSION,
        args.size,
        args.count,
        args.buffer,
        sps,
        sps * args.size as f64
    ))
}
