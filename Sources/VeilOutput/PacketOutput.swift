import Foundation
import Logging
import VeilCore
import VeilMetrics

/// One packet output with its own thread and bounded queue, so that a slow or failing destination
/// never holds up the encoder or the camera's other outputs. A failure closes the sink; it is
/// reopened at a keyframe after a backoff (or the sink's fixed retry interval).
// @unchecked: shared with its own thread; the queue and the health are locked, the rest is the thread's.
final class PacketOutput: @unchecked Sendable {
    private let sink: PacketSink
    private let stream: EncodedStream
    /// The encode thread never waits on it: a packet that does not fit is dropped, and so is every
    /// packet up to the next keyframe, which a decoder could not use without the one dropped.
    private let queue = SlotQueue<EncodedPacket>(capacity: PacketOutput.queueCapacity, whenFull: .dropUntil { $0.isKeyframe })
    private let health: OutputHealth
    private let done = DispatchSemaphore(value: 0)
    // Owned by the output's thread.
    private var isOpen = false
    private var retryAt: UInt64 = 0

    /// About two seconds of packets at 30 fps: rides out a stall of the disk or the network stack.
    static let queueCapacity = 64

    init(name: String, sink: PacketSink, stream: EncodedStream, meters: OutputMeters, logger: Logger) {
        self.sink = sink
        self.stream = stream
        health = OutputHealth(name: name, meters: meters, maximumBackoffSeconds: 30, logger: logger)
    }

    var statistics: OutputStatus { health.snapshot }

    func start() {
        WorkerThread.start(name: "veil-output") { [self] in
            run()
            done.signal()
        }
    }

    /// Never waits (see `queue`).
    func offer(_ packet: EncodedPacket) {
        // Offers end before `finish` closes the queue: a packet refused is one dropped.
        if !queue.push(packet) { health.meters.dropped.increment() }
    }

    /// Writes what is queued, closes the sink and returns once the thread has ended, or at `deadline`
    /// if the sink is stuck in a write (a hung disk or network mount): shutdown goes on without it.
    func finish(by deadline: DispatchTime) {
        queue.close()
        if done.wait(timeout: deadline) == .timedOut { health.abandoned() }
    }

    private func run() {
        while true {
            // Woken at least once a second for the sink's periodic work.
            switch queue.pop(waitingUntil: MonotonicClock.after(seconds: 1)) {
            case .closed:
                if isOpen { sink.close() }
                return
            case .idle:
                guard isOpen else { continue }
                do { try sink.idle() } catch { fail(error) }
            case .element(let packet):
                deliver(packet)
            }
        }
    }

    private func deliver(_ packet: EncodedPacket) {
        if !isOpen {
            guard packet.isKeyframe, MonotonicClock.now() >= retryAt else { return health.skipped() }
            do {
                try sink.open(stream)
                isOpen = true
            } catch {
                fail(error)
                return health.skipped()
            }
        }
        do {
            try sink.write(packet)
            health.sent(bytes: packet.size, captureTime: packet.captureTime)
        } catch {
            fail(error)
        }
    }

    private func fail(_ error: Error) {
        sink.close()
        isOpen = false
        retryAt = health.failed(error, fixedInterval: sink.retryInterval(after: error))
    }
}
