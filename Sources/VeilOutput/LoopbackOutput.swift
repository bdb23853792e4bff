import Foundation
import Logging
import VeilCore
import VeilMedia
import VeilMetrics

/// Raw frames to a v4l2loopback device, on its own thread behind a two-picture pool, so that a
/// device nobody reads (or one that went away) never holds up the encoder. A missing or failed
/// device is reopened with a backoff.
// @unchecked: shared with its own thread; the pool and the health are locked, the rest is the thread's.
final class LoopbackOutput: @unchecked Sendable {
    private let devicePath: String
    private let width: Int
    private let height: Int
    private let pool: FramePool
    private let health: OutputHealth
    private let done = DispatchSemaphore(value: 0)
    // Owned by the output's thread.
    private var device: LoopbackDevice?
    private var retryAt: UInt64 = 0

    init(devicePath: String, width: Int, height: Int, meters: OutputMeters, logger: Logger) {
        self.devicePath = devicePath
        self.width = width
        self.height = height
        pool = FramePool(capacity: 2, width: width, height: height)
        health = OutputHealth(name: "loopback \(devicePath)", meters: meters, maximumBackoffSeconds: 5, logger: logger)
    }

    var statistics: OutputStatus { health.snapshot }

    func start() {
        WorkerThread.start(name: "veil-loopback") { [self] in
            run()
            done.signal()
        }
    }

    /// Copies the picture for the output's thread, or drops it if the thread is still busy.
    func offer(_ picture: Picture, captureTime: UInt64) {
        if !pool.offer(picture, captureTime: captureTime) { health.meters.dropped.increment() }
    }

    /// Writes what is queued, closes the device and returns once the thread has ended, or at
    /// `deadline` if a write is stuck: shutdown goes on without it.
    func finish(by deadline: DispatchTime) {
        pool.close()
        if done.wait(timeout: deadline) == .timedOut { health.abandoned() }
    }

    private func run() {
        while let frame = pool.take() {
            deliver(frame)
            pool.recycle(frame.picture)
        }
        device = nil
    }

    private func deliver(_ frame: FramePool.Frame) {
        if device == nil {
            guard MonotonicClock.now() >= retryAt else { return health.skipped() }
            do {
                device = try LoopbackDevice(path: devicePath, width: width, height: height)
            } catch {
                retryAt = health.failed(error)
                return health.skipped()
            }
        }
        do {
            guard try device!.write(frame.picture) else { return health.meters.dropped.increment() }
            health.sent(bytes: LoopbackDevice.frameBytes(width: width, height: height), captureTime: frame.captureTime)
        } catch {
            device = nil
            retryAt = health.failed(error)
        }
    }
}
