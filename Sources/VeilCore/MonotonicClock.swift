import Glibc

/// CLOCK_MONOTONIC in nanoseconds: the clock of capture timestamps and deadlines. V4L2 drivers stamp
/// buffers with it too, so a camera's timestamps and the pipeline's deadlines compare directly.
public enum MonotonicClock {
    public static func now() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }

    /// The clock's reading `seconds` from now.
    public static func after(seconds: Double) -> UInt64 { now() + UInt64(max(0, seconds) * 1e9) }

    /// Seconds from `start` (a reading of this clock) to now.
    public static func seconds(since start: UInt64) -> Double {
        let now = now()
        return now > start ? Double(now - start) / 1e9 : 0
    }

    /// Sleeps until the clock reads `deadline` (at once if it has passed).
    public static func sleep(until deadline: UInt64) {
        var t = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, nil) == EINTR {}
    }
}
