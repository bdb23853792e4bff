import Foundation
import VeilMetrics
import VeilCore
import VeilMedia
import VeilPipeline
import VeilVision

/// Runs the second opinion (`SecondOpinionDetector`, another model family than the main detector) on
/// its own thread at nice 10, on a copy of a captured frame's luma, never on any frame's path, and at
/// most `cpuShare` of one core: a HOG pass over a 720p frame costs ~100 ms of CPU, and even niced,
/// running back to back it slowed the main detector's passes from ~27 to ~51 ms (they share the
/// cores and the memory bus), leaving 40% of frames without a pass in time. Processing compares each
/// result with what it handled on that frame (`SecondOpinion.missed`).
// @unchecked: shared by the capture and processing threads and its own; the request, results and
// counts are under `condition`, and `luma` is written by capture only after it claimed the idle worker.
final class SecondOpinionWorker: @unchecked Sendable {
    struct Result {
        var sequence: Int
        var faces: [Box]
    }

    /// The share of one core the second opinion may take on average.
    static let cpuShare = 0.05

    private let detector: SecondOpinionDetector
    private let luma: Picture
    private let condition = NSCondition()
    private var pending: Int?
    private var busy = false
    private var stopped = false
    private var results: [Result] = []
    /// Passes run, in the camera's meters.
    private let passes: Tally
    private var cpuSeconds = 0.0

    init(detector: SecondOpinionDetector, width: Int, height: Int, passes: Tally) {
        self.detector = detector
        self.passes = passes
        luma = Picture(width: width, height: height)
    }

    func start() {
        WorkerThread.start(name: "veil-second-opinion", niceness: IdentityCheckQueue.niceness) { [self] in run() }
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Takes a copy of a just-captured frame's luma if the worker is idle (capture thread only).
    func offer(_ frame: LiveFrame) {
        condition.lock()
        let idle = !busy && !stopped
        if idle { busy = true }
        condition.unlock()
        guard idle else { return }
        luma.y.copy(from: frame.picture.y)
        condition.lock()
        pending = frame.sequence
        condition.broadcast()
        condition.unlock()
    }

    /// Results finished since the last call, oldest first.
    func takeResults() -> [Result] {
        condition.lock()
        defer { results.removeAll(keepingCapacity: true); condition.unlock() }
        return results
    }

    private static func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// CPU seconds the passes took so far.
    var secondsSpent: Double {
        condition.lock()
        defer { condition.unlock() }
        return cpuSeconds
    }

    private func run() {
        while true {
            condition.lock()
            while pending == nil && !stopped { condition.wait() }
            guard let sequence = pending, !stopped else {
                condition.unlock()
                return
            }
            pending = nil
            condition.unlock()
            let cpuStarted = SecondOpinionWorker.threadCPUSeconds()
            // A second opinion that fails says nothing: the main path is unchanged by it.
            let faces = (try? detector.detect(luma.y)) ?? []
            let cpu = SecondOpinionWorker.threadCPUSeconds() - cpuStarted
            condition.lock()
            results.append(Result(sequence: sequence, faces: faces))
            cpuSeconds += cpu
            condition.unlock()
            passes.increment()
            // Idle long enough to keep to the share, then take the next frame offered.
            let rest = cpu * (1 / SecondOpinionWorker.cpuShare - 1)
            MonotonicClock.sleep(until: MonotonicClock.now() + UInt64(rest * 1e9))
            condition.lock()
            busy = false
            condition.unlock()
        }
    }
}
