import Foundation
import VeilCore
import VeilAnonymize
import VeilMedia
import VeilVision

/// Identity checks taken off the frame path (live cameras): a descriptor costs ~25-50 ms, which no
/// frame can carry. The anonymizer copies the pictures a check needs into the queue's own preallocated
/// pictures and goes on; the queue's own thread runs the check at a lower CPU priority than the frame
/// threads (nice +10), so a detection pass never waits behind one; the anonymizer applies the result on
/// a later frame. One check at a time: a frame that finds the queue busy checks on a later one. A
/// check that never comes back (a thread that died, a stuck model) only keeps faces covered: a swap is
/// shown only while a recent check vouches for it.
// @unchecked: shared by the frame thread and the checks' thread; the job, the results and the counts
// are under `condition`, the pictures are written by the frame thread only while no check is running,
// and the encoder and predictor are the checks' thread's.
public final class IdentityCheckQueue: @unchecked Sendable {
    /// What one check was asked to compare.
    struct Job {
        var track: Int
        /// The frame the pictures were copied from: what a verdict vouches from.
        var frame: Int
        /// The subject's landmarks on `original`, when its descriptor is to be computed (again).
        var subject: FaceShape?
        /// The subject's landmarks on that frame, when the swapped face on `output` is to be verified:
        /// the check fits its own landmarks on the output from there (never the swap's drawn shape).
        var output: FaceShape?
        /// The donor choice the output was made with: a result for an older choice is not applied.
        var choice: SwapLadder
        /// The blend the output was drawn with: a result for another blend does not decide this one's.
        var reach: BlendReach
    }

    struct Result {
        var job: Job
        /// Nil when the subject was not asked for or its descriptor could not be computed.
        var subject: FaceDescriptor?
        /// The swapped face's descriptor; nil when not asked for or not computable.
        var output: FaceDescriptor?
    }

    /// The CPU niceness of the checks' thread, above the frame threads' 0.
    public static let niceness: Int32 = 10

    private let encoder: FaceEncoder
    /// The checks' own landmark predictor: dlib's handles serve one thread each.
    private let predictor: LandmarkPredictor
    private let original: Picture
    private let output: Picture
    private let condition = NSCondition()
    private var pending: Job?
    private var running = false
    private var finished: [Result] = []
    private var checksRun = 0
    private var secondsSpent = 0.0
    private var threadRunning = false
    private var stopping = false

    public init(encoder: FaceEncoder, predictor: LandmarkPredictor, width: Int, height: Int) {
        self.encoder = encoder
        self.predictor = predictor
        original = Picture(width: width, height: height)
        output = Picture(width: width, height: height)
    }

    /// Starts the checks' thread (again after `stop`); does nothing while it runs.
    public func start() {
        condition.lock()
        defer { condition.unlock() }
        stopping = false
        guard !threadRunning else { return }
        threadRunning = true
        WorkerThread.start(name: "veil-identity", niceness: IdentityCheckQueue.niceness) { [self] in
            while let job = nextJob() { run(job) }
        }
    }

    /// Ends the checks' thread once the check in progress, if any, is done.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func nextJob() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while pending == nil && !stopping { condition.wait() }
        guard !stopping, let job = pending else {
            threadRunning = false
            return nil
        }
        pending = nil
        running = true
        return job
    }

    /// Whether a new check can be queued now.
    var isIdle: Bool {
        condition.lock()
        defer { condition.unlock() }
        return pending == nil && !running
    }

    /// Copies the subject's picture for a check about to be submitted. Only while idle.
    func keepOriginal(_ picture: Picture) { original.copy(from: picture) }

    /// Queues a check; `output` is copied when the job compares a swapped face.
    func submit(_ job: Job, output picture: Picture?) {
        if let picture, job.output != nil { output.copy(from: picture) }
        condition.lock()
        pending = job
        condition.broadcast()
        condition.unlock()
    }

    /// Whether a check is waiting for the checks' thread.
    public var hasPending: Bool {
        condition.lock()
        defer { condition.unlock() }
        return pending != nil
    }

    private func run(_ job: Job) {
        let started = MonotonicClock.now()
        let subject = job.subject.flatMap { try? encoder.describe(original, face: $0) }
        let swapped = job.output
            .flatMap { predictor.landmarks(in: output.y, following: $0) }
            .flatMap { try? encoder.describe(output, face: $0) }
        let elapsed = MonotonicClock.seconds(since: started)
        condition.lock()
        finished.append(Result(job: job, subject: subject, output: swapped))
        checksRun += 1
        secondsSpent += elapsed
        running = false
        condition.unlock()
    }

    /// Checks run so far and the seconds they took (on the checks' own thread, off the frame path).
    public var cost: (checks: Int, seconds: Double) {
        condition.lock()
        defer { condition.unlock() }
        return (checksRun, secondsSpent)
    }

    /// Checks finished since the last call, oldest first.
    func takeResults() -> [Result] {
        condition.lock()
        defer { finished.removeAll(keepingCapacity: true); condition.unlock() }
        return finished
    }
}
