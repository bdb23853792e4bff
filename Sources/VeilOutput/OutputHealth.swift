import Foundation
import Logging
import VeilCore
import VeilCore

/// An output's counters and up/down state, shared by its thread (which updates them) and
/// `statistics` readers. Logs each change of state once: paused (with the error), recovered.
/// Failures while already paused only update `lastError`.
final class OutputHealth {
    let name: String
    private let logger: Logger
    private let lock = NSLock()
    private var status: OutputStatus
    /// Only the output's thread touches it.
    private var backoff: ReconnectBackoff

    init(name: String, maximumBackoffSeconds: Double, logger: Logger) {
        self.name = name
        self.logger = logger
        status = OutputStatus(name: name)
        backoff = ReconnectBackoff(initialSeconds: 0.5, maximumSeconds: maximumBackoffSeconds)
    }

    var snapshot: OutputStatus {
        lock.lock()
        defer { lock.unlock() }
        return status
    }

    func count(_ counter: WritableKeyPath<OutputStatus, Int>) { update { $0[keyPath: counter] += 1 } }

    /// A packet or frame was handed over; clears a failure.
    func sent(bytes: Int, captureTime: UInt64) {
        let latency = Double(MonotonicClock.now() &- captureTime) / 1e9
        var recovered = false
        update {
            $0.sent += 1
            $0.bytes += bytes
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
        var wasPaused = false
        update {
            wasPaused = $0.paused
            $0.errors += 1
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
