//! slotkit-iox2-peer: native iceoryx2 publish-subscribe, measured by
//! slotkit-bench beside a slotkit backend on the same two CPUs, in the same
//! run (docs/benchmarks.md, "The peer"). Not a backend: iceoryx2 used as its
//! users would, in the shape of iceoryx2's own benchmark (benchmarks/
//! publish-subscribe: two pinned threads, one service each way, busy-polling
//! subscribers), plus the copy every slotkit copy-path figure includes.
//!
//!   slotkit-iox2-peer latency --size N --cpus A,B --round-trips N [--warmup N] [--ns-per-tick X]
//!   slotkit-iox2-peer throughput --size N --cpus A,B --samples N [--buffer N]
//!   slotkit-iox2-peer --version
//!
//! Prints one JSON object on stdout; on failure one line on stderr, exit 1.

mod clock;
mod domain;
mod latency;
mod throughput;

use std::process::ExitCode;

/// What the command line asks for.
pub struct Args {
    pub mode: String,
    pub size: usize,
    pub cpu_a: usize,
    pub cpu_b: usize,
    pub count: u64,
    pub warmup: u64,
    pub buffer: usize,
    pub ns_per_tick: f64,
}

pub const ICEORYX2_VERSION: &str = "0.10.0";

fn number<T: std::str::FromStr>(flag: &str, value: Option<&String>) -> Result<T, String> {
    let v = value.ok_or(format!("{flag} wants a value"))?;
    v.parse().map_err(|_| format!("{flag}: not a number: {v:?}"))
}

fn parse_cpus(value: Option<&String>) -> Result<(usize, usize), String> {
    let v = value.ok_or("--cpus wants A,B")?;
    let (a, b) = v.split_once(',').ok_or(format!("--cpus wants A,B, got {v:?}"))?;
    Ok((number("--cpus", Some(&a.to_string()))?, number("--cpus", Some(&b.to_string()))?))
}

fn parse(argv: &[String]) -> Result<Args, String> {
    let mode = argv.first().cloned().unwrap_or_default();
    if mode != "latency" && mode != "throughput" {
        return Err(format!("unknown mode {mode:?} (latency, throughput, --version)"));
    }
    let mut a = Args { mode, size: 64, cpu_a: 0, cpu_b: 1, count: 1000, warmup: 1000, buffer: 8, ns_per_tick: 0.0 };
    let mut it = argv[1..].iter();
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--size" => a.size = number(flag, it.next())?,
            "--cpus" => (a.cpu_a, a.cpu_b) = parse_cpus(it.next())?,
            "--round-trips" | "--samples" => a.count = number(flag, it.next())?,
            "--warmup" => a.warmup = number(flag, it.next())?,
            "--buffer" => a.buffer = number(flag, it.next())?,
            "--ns-per-tick" => a.ns_per_tick = number(flag, it.next())?,
            _ => return Err(format!("unknown argument {flag:?}")),
        }
    }
    if a.size < 8 || a.count == 0 || a.buffer == 0 {
        return Err("--size must be >= 8, --round-trips/--samples and --buffer >= 1".into());
    }
    Ok(a)
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.first().map(String::as_str) == Some("--version") {
        println!("slotkit-iox2-peer {} (iceoryx2 {ICEORYX2_VERSION})", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    let result = parse(&argv).and_then(|args| {
        let domain = domain::Domain::new()?;
        let out = if args.mode == "latency" { latency::run(&args, &domain) } else { throughput::run(&args, &domain) };
        domain.remove();
        out
    });
    match result {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("slotkit-iox2-peer: {e}");
            ExitCode::FAILURE
        }
    }
}
