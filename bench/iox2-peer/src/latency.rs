//! Ping-pong: the ping thread (CPU A) loans a sample, copies the payload in and
//! sends it on "ping"; the pong thread (CPU B) busy-polls, copies it out,
//! and echoes it the same way on "pong"; the ping thread takes the echo. Every
//! round trip is timed with one tick read; one-way = RTT / 2. The payload's
//! first and last 8 bytes carry the round trip's number and are checked.

use crate::clock::{pin, Clock};
use crate::domain::{self, Domain, Svc};
use crate::Args;
use iceoryx2::port::publisher::Publisher;
use iceoryx2::port::subscriber::Subscriber;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Barrier;
use std::time::{Duration, Instant};

type Pub = Publisher<Svc, [u8], ()>;
type Sub = Subscriber<Svc, [u8], ()>;

/// What both threads share: the start line and the abort flag.
struct Shared<'a> {
    args: &'a Args,
    domain: &'a Domain,
    ready: Barrier,
    failed: AtomicBool,
}

fn stamp(buf: &mut [u8], n: u64) {
    let len = buf.len();
    buf[..8].copy_from_slice(&n.to_le_bytes());
    buf[len - 8..].copy_from_slice(&n.to_le_bytes());
}

fn stamp_of(buf: &[u8]) -> (u64, u64) {
    let len = buf.len();
    let word = |at: usize| u64::from_le_bytes(buf[at..at + 8].try_into().unwrap());
    (word(0), word(len - 8))
}

/// Loan, copy in, send.
fn put(publisher: &Pub, src: &[u8]) -> Result<(), String> {
    let sample = publisher.loan_slice_uninit(src.len()).map_err(|e| format!("loan: {e:?}"))?;
    sample.write_from_slice(src).send().map_err(|e| format!("send: {e:?}"))?;
    Ok(())
}

/// Busy-polls for the next sample and copies it out; gives up when the other
/// side failed or after 10 s.
fn get(subscriber: &Sub, dst: &mut [u8], sh: &Shared) -> Result<(), String> {
    let mut deadline: Option<Instant> = None;
    for spins in 1u64.. {
        if let Some(sample) = subscriber.receive().map_err(|e| format!("receive: {e:?}"))? {
            if sample.payload().len() != dst.len() {
                return Err(format!("a sample of {} bytes, not {}", sample.payload().len(), dst.len()));
            }
            dst.copy_from_slice(sample.payload());
            return Ok(());
        }
        if spins & 0xFFFF == 0 {
            let now = Instant::now();
            let limit = *deadline.get_or_insert(now + Duration::from_secs(10));
            if sh.failed.load(Ordering::Relaxed) || now > limit {
                return Err("no sample for 10 s, or the other side failed".into());
            }
        }
    }
    unreachable!()
}

/// The two ports of one side: a publisher on `out`, a subscriber on `back`.
fn ports(
    sh: &Shared,
    cpu: usize,
    out: &str,
    back: &str,
) -> Result<(usize, Pub, Sub, iceoryx2::node::Node<Svc>), String> {
    let used = pin(cpu)?;
    let node = sh.domain.node()?;
    let publisher = domain::open(&node, out)?
        .publisher_builder()
        .initial_max_slice_len(sh.args.size)
        .create()
        .map_err(|e| format!("publisher: {e:?}"))?;
    let subscriber =
        domain::open(&node, back)?.subscriber_builder().create().map_err(|e| format!("subscriber: {e:?}"))?;
    Ok((used, publisher, subscriber, node))
}

fn pong_side(sh: &Shared) -> Result<usize, String> {
    let (used, publisher, subscriber, _node) = ports(sh, sh.args.cpu_b, "slotkit-peer-pong", "slotkit-peer-ping")?;
    sh.ready.wait();
    let mut buf = vec![0u8; sh.args.size];
    for _ in 0..sh.args.warmup + sh.args.count {
        get(&subscriber, &mut buf, sh)?;
        put(&publisher, &buf)?;
    }
    Ok(used)
}

/// The measured side: round-trip times in ticks, and the CPU it ran on.
fn ping_side(sh: &Shared, clock: &Clock) -> Result<(Vec<u64>, usize), String> {
    let (used, publisher, subscriber, _node) = ports(sh, sh.args.cpu_a, "slotkit-peer-ping", "slotkit-peer-pong")?;
    sh.ready.wait();
    let (mut src, mut dst) = (vec![0x3cu8; sh.args.size], vec![0u8; sh.args.size]);
    let mut rtts = Vec::with_capacity(sh.args.count as usize);
    let mut prev = clock.ticks();
    for n in 1..=sh.args.warmup + sh.args.count {
        stamp(&mut src, n);
        put(&publisher, &src)?;
        get(&subscriber, &mut dst, sh)?;
        let now = clock.ticks();
        if n > sh.args.warmup {
            rtts.push(now - prev);
        }
        prev = now;
        if stamp_of(&dst) != (n, n) {
            return Err(format!("invalid: echo {n} carried {:?}", stamp_of(&dst)));
        }
    }
    Ok((rtts, used))
}

fn side<T>(sh: &Shared, f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    let r = f();
    if r.is_err() {
        sh.failed.store(true, Ordering::Relaxed);
    }
    r
}

/// One-way percentile p (0..100) of sorted RTTs, in ns.
fn one_way(sorted: &[u64], p: f64, clock: &Clock) -> f64 {
    let at = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    clock.to_ns(sorted[at]) / 2.0
}

pub fn run(args: &Args, domain: &Domain) -> Result<String, String> {
    let clock = Clock::new(args.ns_per_tick);
    let node = domain.node()?;
    let _ping = domain::create(&node, "slotkit-peer-ping", 1, true)?;
    let _pong = domain::create(&node, "slotkit-peer-pong", 1, true)?;
    let sh = Shared { args, domain, ready: Barrier::new(2), failed: AtomicBool::new(false) };
    let (ping, pong) = std::thread::scope(|s| {
        let pong = s.spawn(|| side(&sh, || pong_side(&sh)));
        let ping = side(&sh, || ping_side(&sh, &clock));
        (ping, pong.join().unwrap_or_else(|_| Err("pong thread panicked".into())))
    });
    let ((mut rtts, cpu_a), cpu_b) = (ping?, pong?);
    rtts.sort_unstable();
    let mean = rtts.iter().map(|&t| clock.to_ns(t)).sum::<f64>() / rtts.len() as f64 / 2.0;
    Ok(format!(
        "{{\"mode\": \"latency\", \"peer\": \"iceoryx2\", \"iceoryx2\": \"{}\", \"size\": {}, \"round_trips\": {}, \
         \"p50_ns\": {:.1}, \"p90_ns\": {:.1}, \"p99_ns\": {:.1}, \"max_ns\": {:.1}, \"mean_ns\": {:.1}, \
         \"cpu_a\": {cpu_a}, \"cpu_b\": {cpu_b}, \"clock\": \"{}\"}}",
        crate::ICEORYX2_VERSION,
        args.size,
        rtts.len(),
        one_way(&rtts, 50.0, &clock),
        one_way(&rtts, 90.0, &clock),
        one_way(&rtts, 99.0, &clock),
        one_way(&rtts, 100.0, &clock),
        mean,
        if args.ns_per_tick > 0.0 { "tsc" } else { "clock_monotonic" }
    ))
}
