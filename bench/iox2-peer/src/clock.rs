//! Time and CPUs: the tick source slotkit-bench uses (the TSC, with its
//! calibration passed in --ns-per-tick), else the monotonic clock; pinning.

use std::time::Instant;

pub struct Clock {
    ns_per_tick: f64,
    origin: Instant,
}

impl Clock {
    /// ns_per_tick > 0: read the TSC (slotkit-bench calibrated it); else Instant.
    pub fn new(ns_per_tick: f64) -> Clock {
        let tsc = cfg!(target_arch = "x86_64") && ns_per_tick > 0.0;
        Clock { ns_per_tick: if tsc { ns_per_tick } else { 0.0 }, origin: Instant::now() }
    }

    #[inline(always)]
    pub fn ticks(&self) -> u64 {
        #[cfg(target_arch = "x86_64")]
        if self.ns_per_tick > 0.0 {
            // SAFETY: rdtsc has no preconditions.
            return unsafe { core::arch::x86_64::_rdtsc() };
        }
        self.origin.elapsed().as_nanos() as u64
    }

    pub fn to_ns(&self, ticks: u64) -> f64 {
        if self.ns_per_tick > 0.0 {
            ticks as f64 * self.ns_per_tick
        } else {
            ticks as f64
        }
    }
}

/// Pins the calling thread to `cpu`; returns the CPU it then runs on.
pub fn pin(cpu: usize) -> Result<usize, String> {
    // SAFETY: a zeroed cpu_set_t is valid; the calls get its size.
    unsafe {
        let mut set: libc::cpu_set_t = core::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        if libc::sched_setaffinity(0, core::mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
            return Err(format!("cannot run on CPU {cpu}: {}", std::io::Error::last_os_error()));
        }
        Ok(libc::sched_getcpu().max(0) as usize)
    }
}
