import Foundation
import VeilMedia
import VeilPipeline
import VeilVision

/// The face detector as the live pipeline sees it: a seam, so that tests can put in a detector that
/// fails or never answers.
public protocol FaceDetecting: AnyObject {
    func detect(_ picture: Picture) throws -> [Detection]
}

extension FaceDetector: FaceDetecting {}

/// What one detection pass found, and on which frame.
struct DetectionResult {
    var sequence: Int
    var captureTime: UInt64
    /// Nil when the detector failed on this frame.
    var detections: [Detection]?
    /// The frame the pass looked at, coarsely: what later frames are compared with.
    var thumbnail: Thumbnail
}

/// Runs the detector on its own thread (the second core), one frame at a time, so that a slow or
/// stalled detector delays no frame beyond its deadline: processing waits for a frame's detections only
/// until then, and goes on with what it has. The detector reads its own copy of the frame: processing
/// rewrites the ring's picture in place (swaps, covers) while a pass may still be running, and a
/// detector that saw a covered face would lose it.
final class DetectionWorker {
    private let detector: FaceDetecting
    private let identityChecks: IdentityCheckQueue?
    private let picture: Picture
    private let condition = NSCondition()
    /// The frame copied into `picture` and waiting for a pass.
    private var pending: (sequence: Int, captureTime: UInt64)?
    private var pendingThumbnail = Thumbnail()
    /// The frame whose pass is queued or running, and when it was handed over.
    private var current: (sequence: Int, submitted: UInt64)?
    /// Running mean of a pass's duration from hand-over to result, in nanoseconds.
    private var passDuration: Double = 0
    private var busy = false
    private var finished: DetectionResult?
    private var stopped = false

    init(detector: FaceDetecting, identityChecks: IdentityCheckQueue?, width: Int, height: Int) {
        self.detector = detector
        self.identityChecks = identityChecks
        picture = Picture(width: width, height: height)
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "veil-detect"
        thread.start()
    }

    /// Stops taking frames. A pass in progress runs to its end (or never, for a stalled detector):
    /// its thread is not waited for.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Hands a just-captured frame to the detector if it is idle (a copy of its pixels); skipped while
    /// it is busy. Only the capture thread submits. Detection thus starts at capture, while processing
    /// still works on earlier frames.
    func submit(_ frame: LiveFrame) {
        condition.lock()
        let idle = !busy && !stopped
        condition.unlock()
        guard idle else { return }
        // Idle: the detector's thread does not read `picture` until `pending` is set.
        picture.copy(from: frame.picture)
        pendingThumbnail.sample(frame.picture)
        condition.lock()
        defer { condition.unlock() }
        pending = (frame.sequence, frame.captureTime)
        current = (frame.sequence, MonotonicClock.now())
        busy = true
        condition.broadcast()
    }

    /// The newest finished pass not yet taken. Waits for the pass over frame `sequence` only if it
    /// is running and, by the passes so far, will end before `deadline` (MonotonicClock): waiting for
    /// a pass that will not make it only adds latency.
    func take(waitingFor sequence: Int, until deadline: UInt64) -> DetectionResult? {
        condition.lock()
        defer { condition.unlock() }
        while finished?.sequence != sequence, let pass = current, pass.sequence == sequence,
              Double(pass.submitted) + passDuration <= Double(deadline) {
            let now = MonotonicClock.now()
            guard now < deadline else { break }
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(deadline - now) / 1e9))
        }
        defer { finished = nil }
        return finished
    }

    private func run() {
        while true {
            condition.lock()
            while pending == nil && !stopped { condition.wait() }
            guard let frame = pending, !stopped else {
                condition.unlock()
                return
            }
            pending = nil
            condition.unlock()

            let detections = try? detector.detect(picture)
            condition.lock()
            finished = DetectionResult(sequence: frame.sequence, captureTime: frame.captureTime, detections: detections,
                                       thumbnail: pendingThumbnail)
            if let pass = current {
                let duration = Double(MonotonicClock.now() - pass.submitted)
                passDuration += (duration - passDuration) * (passDuration == 0 ? 1 : 0.1)
            }
            current = nil
            condition.broadcast()
            condition.unlock()
            // Between passes, still busy (no frame is handed over to wait): the next pass starts up to
            // one check (~25-50 ms) later, which tracking bridges, instead of a frame waiting for it.
            identityChecks?.runPending()
            condition.lock()
            busy = false
            condition.broadcast()
            condition.unlock()
        }
    }
}
