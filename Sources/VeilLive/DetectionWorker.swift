import Foundation
import VeilCore
import VeilMedia
import VeilPipeline
import VeilVision

/// The face detector as the live pipeline sees it: a seam, so that tests can put in a detector that
/// fails, misses or never answers.
public protocol FaceDetecting: AnyObject {
    func detect(_ picture: Picture) throws -> [Detection]
}

extension FaceDetector: FaceDetecting {}

/// What one detection pass found, and on which frame.
struct DetectionResult {
    var sequence: Int
    var detections: [Detection]
    /// The frame the pass looked at, coarsely: what the frames it clears are compared with.
    var thumbnail: Thumbnail
}

/// Runs the detector on its own thread (the second core), always on the newest captured frame: capture
/// copies every frame into the worker's `next` picture (replacing one not yet started), and a pass starts
/// as soon as the previous one ends. So every captured frame has a pass over it or over a later frame
/// within two passes' time, which is what the live invariant waits for. Nothing else runs on this
/// thread: identity checks have their own (see IdentityCheckQueue), so a pass never queues behind one.
/// The detector reads its own copy: processing rewrites the ring's pictures in place while a pass runs.
// @unchecked: shared by the capture, processing and detection threads; everything they share is under
// `condition`, and the picture a pass reads (`working`) is the detection thread's while the pass runs.
final class DetectionWorker: @unchecked Sendable {
    private let detector: FaceDetecting
    private let condition = NSCondition()
    /// The picture the detector reads, and the one capture fills; swapped when a pass starts.
    private var working: Picture
    private var next: Picture
    private var nextFrame: (sequence: Int, thumbnail: Thumbnail)?
    /// The pass in progress and when it started.
    private var running: (sequence: Int, started: UInt64)?
    /// Finished passes, oldest first, that may still clear a frame processing has not reached.
    private var results: [DetectionResult] = []
    /// Running mean of a pass's duration, in nanoseconds (a first guess until one is measured).
    private var passDuration: Double
    private var failures = 0
    /// Passes ended so far, failed ones included: what a wait for the next one watches.
    private var passesEnded = 0
    private var passSeconds = 0.0
    private var stopped = false
    private var thumbnail = Thumbnail()

    init(detector: FaceDetecting, width: Int, height: Int, firstGuess: Double) {
        self.detector = detector
        working = Picture(width: width, height: height)
        next = Picture(width: width, height: height)
        passDuration = firstGuess * 1e9
    }

    func start() {
        WorkerThread.start(name: "veil-detect") { [self] in run() }
    }

    /// Stops taking frames. The pass in progress and the one over the last frame submitted still run
    /// (they clear the frames processing still holds), unless the detector never answers: its thread is
    /// not waited for.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Copies a just-captured frame for the next pass (only the capture thread submits). A frame not yet
    /// started is replaced: the newer one clears it.
    func submit(_ frame: LiveFrame) {
        thumbnail.sample(frame.picture)
        condition.lock()
        defer { condition.unlock() }
        guard !stopped else { return }
        next.copy(from: frame.picture)
        nextFrame = (frame.sequence, thumbnail)
        condition.broadcast()
    }

    /// What the live invariant needs to know about frame `sequence`: the earliest finished pass over it
    /// or a later frame, the running pass, and a pass's usual duration; and the passes over earlier
    /// frames, handed over once (`expired`) and forgotten here: processing takes frames in order, so
    /// they can clear no frame any more, but what they saw is still news to the tracks.
    func state(for sequence: Int) -> (finished: DetectionResult?, running: LiveInvariant.Pass?, passDuration: UInt64,
                                      morePasses: Bool, expired: [DetectionResult]) {
        condition.lock()
        defer { condition.unlock() }
        let expired = results.prefix { $0.sequence < sequence }
        results.removeFirst(expired.count)
        let pass = running.map { LiveInvariant.Pass(sequence: $0.sequence, end: $0.started + UInt64(passDuration)) }
        return (results.first, pass, UInt64(passDuration), morePasses, Array(expired))
    }

    /// Whether a pass may still end: the worker takes frames, or has one running or waiting. Under the
    /// lock.
    private var morePasses: Bool { !stopped || running != nil || nextFrame != nil }

    /// Waits until a pass ends or the clock reads `deadline` (MonotonicClock), whichever comes first.
    func waitForPass(until deadline: UInt64) {
        condition.lock()
        defer { condition.unlock() }
        let ended = passesEnded
        while passesEnded == ended, morePasses, condition.wait(untilClockReads: deadline) {}
    }

    /// Passes that failed (the detector threw): the frames they would have cleared wait for the next.
    var failedPasses: Int { condition.lock(); defer { condition.unlock() }; return failures }

    /// Passes ended so far and the seconds they took together.
    var passes: (count: Int, seconds: Double) {
        condition.lock()
        defer { condition.unlock() }
        return (passesEnded, passSeconds)
    }

    private func run() {
        while true {
            condition.lock()
            while nextFrame == nil && !stopped { condition.wait() }
            guard let frame = nextFrame else {
                condition.unlock()
                return
            }
            nextFrame = nil
            swap(&working, &next)
            let started = MonotonicClock.now()
            running = (frame.sequence, started)
            condition.unlock()

            let detections = try? detector.detect(working)
            condition.lock()
            let duration = Double(MonotonicClock.now() - started)
            passDuration += (duration - passDuration) * 0.2
            running = nil
            passesEnded += 1
            passSeconds += duration / 1e9
            if let detections {
                results.append(DetectionResult(sequence: frame.sequence, detections: detections, thumbnail: frame.thumbnail))
            } else {
                failures += 1
            }
            condition.broadcast()
            condition.unlock()
        }
    }
}

/// A fault hook for soaks (`make soak`): while the file named by VEIL_TEST_STALL_DETECTOR exists, every
/// detection pass waits, as a stalled detector would; the live invariant must cover every frame meanwhile.
public final class StallHookDetector: FaceDetecting {
    public static let variable = "VEIL_TEST_STALL_DETECTOR"
    private let inner: FaceDetecting
    private let path: String

    public init(_ inner: FaceDetecting, whileExists path: String) {
        self.inner = inner
        self.path = path
    }

    public func detect(_ picture: Picture) throws -> [Detection] {
        while access(path, F_OK) == 0 { usleep(20_000) }
        return try inner.detect(picture)
    }
}
