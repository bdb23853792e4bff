import Foundation

extension NSCondition {
    /// With the lock held: waits until signalled or until MonotonicClock reads `deadline`. False, at
    /// once, when the deadline has passed; true after a wake-up, which the caller checks its
    /// condition after (wake-ups may be spurious).
    public func wait(untilClockReads deadline: UInt64) -> Bool {
        let now = MonotonicClock.now()
        guard now < deadline else { return false }
        _ = wait(until: Date(timeIntervalSinceNow: Double(deadline - now) / 1e9))
        return true
    }
}
