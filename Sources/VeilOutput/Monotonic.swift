import Glibc

/// CLOCK_MONOTONIC in nanoseconds: the clock of the capture times given to `CameraOutputs.submit`.
enum Monotonic {
    static func now() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }

    static func after(seconds: Double) -> UInt64 { now() + UInt64(max(0, seconds) * 1e9) }
}
