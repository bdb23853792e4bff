import Foundation
import Logging
import VeilCore
import VeilMetrics

/// An output's up/down state and its latency, shared by its thread (which updates them) and
/// `statistics` readers; its counters go to the camera's meters. Logs each change of state once: paused
/// (with the error), recovered. Failures while already paused only update `lastError`.
final class OutputHealth {
    let name: String
    let meters: OutputMeters
    private let logger: Logger
    private let lock = NSLock()
    private var status: OutputStatus
    /// Only the output's thread touches it.
    private var backoff: ReconnectBackoff

    init(name: String, meters: OutputMeters, maximumBackoffSeconds: Double, logger: Logger) {
        self.name = name
        self.meters = meters
        self.logger = logger
        status = OutputStatus(name: name)
        backoff = ReconnectBackoff(initialSeconds: 0.5, maximumSeconds: maximumBackoffSeconds)
    }

    var snapshot: OutputStatus {
        lock.lock()
        var copy = status
        lock.unlock()
        copy.sent = meters.sent.total
        copy.bytes = meters.bytes.total
        copy.errors = meters.errors.total
        copy.dropped = meters.dropped.total
        return copy
    }

    /// A packet skipped while the output was down.
    func skipped() { update { $0.skipped += 1 } }

    /// A packet or frame was handed over; clears a failure.
    func sent(bytes: Int, captureTime: UInt64) {
        let latency = Double(MonotonicClock.now() &- captureTime) / 1e9
        meters.sent.increment()
        meters.bytes.increment(by: bytes)
        var recovered = false
        update {
            $0.latency.record(latency)
            recovered = $0.paused
            $0.paused = false
        }
        guard recovered else { return }
        backoff.reset()
        logger.notice("output recovered", metadata: ["output": "\(name)"])
    }

    /// Records a failure; returns when to try again: after `fixedInterval` if given (a condition
    /// outside Veil, such as a full disk), else after the next step of a doubling backoff.
    func failed(_ error: Error, fixedInterval: Double? = nil) -> UInt64 {
        let text = String(describing: error)
        meters.errors.increment()
        var wasPaused = false
        update {
            wasPaused = $0.paused
            $0.paused = true
            $0.lastError = text
        }
        if !wasPaused {
            let retry = fixedInterval.map { "retrying every \(Int($0)) s" } ?? "retrying with backoff"
            logger.warning("output paused: \(text); \(retry)", metadata: ["output": "\(name)"])
        }
        return MonotonicClock.after(seconds: fixedInterval ?? backoff.nextDelay())
    }

    /// The output's thread was still writing when shutdown could wait no longer.
    func abandoned() {
        update { $0.lastError = "still writing at shutdown" }
        logger.error("output still writing at shutdown (a stalled disk, network or device): not waited for; what it still held is lost",
                     metadata: ["output": "\(name)"])
    }

    private func update(_ change: (inout OutputStatus) -> Void) {
        lock.lock()
        change(&status)
        lock.unlock()
    }
}
