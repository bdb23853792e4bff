import Foundation
import VeilMedia
import VeilVision

/// Identity checks taken off the frame path (live cameras): a descriptor costs ~25 ms, which a frame
/// with a 33 ms budget cannot carry. The anonymizer copies the pictures a check needs into the queue's
/// own preallocated pictures and goes on; another thread (the detector's) runs the check with
/// `runPending`; the anonymizer applies the result on a later frame. One check at a time: a frame that
/// finds the queue busy checks on a later one.
public final class IdentityCheckQueue {
    /// What one check was asked to compare.
    struct Job {
        var track: Int
        /// The subject's landmarks on `original`, when its descriptor is to be computed (again).
        var subject: FaceShape?
        /// The swapped face's landmarks on `output`, when a swap is to be verified.
        var output: FaceShape?
        /// The donor choice the output was made with: a result for an older choice is not applied.
        var donorRank: Int
        var replaceShape: Bool
    }

    struct Result {
        var job: Job
        /// Nil when the subject was not asked for or its descriptor could not be computed.
        var subject: FaceDescriptor?
        /// The swapped face's descriptor; nil when not asked for or not computable.
        var output: FaceDescriptor?
    }

    private let encoder: FaceEncoder
    private let original: Picture
    private let output: Picture
    private let lock = NSLock()
    private var pending: Job?
    private var running = false
    private var finished: [Result] = []
    private var checksRun = 0
    private var secondsSpent = 0.0

    public init(encoder: FaceEncoder, width: Int, height: Int) {
        self.encoder = encoder
        original = Picture(width: width, height: height)
        output = Picture(width: width, height: height)
    }

    /// Whether a new check can be queued now.
    var isIdle: Bool {
        lock.lock()
        defer { lock.unlock() }
        return pending == nil && !running
    }

    /// Copies the subject's picture for a check about to be submitted. Only while idle.
    func keepOriginal(_ picture: Picture) { original.copy(from: picture) }

    /// Queues a check; `output` is copied when the job compares a swapped face.
    func submit(_ job: Job, output picture: Picture?) {
        if let picture, job.output != nil { output.copy(from: picture) }
        lock.lock()
        pending = job
        lock.unlock()
    }

    /// Whether a check is waiting for `runPending`.
    public var hasPending: Bool {
        lock.lock()
        defer { lock.unlock() }
        return pending != nil
    }

    /// Runs the queued check, if any, on the calling thread.
    public func runPending() {
        lock.lock()
        guard let job = pending else {
            lock.unlock()
            return
        }
        pending = nil
        running = true
        lock.unlock()

        let started = DispatchTime.now().uptimeNanoseconds
        let subject = job.subject.flatMap { try? encoder.describe(original, face: $0) }
        let swapped = job.output.flatMap { try? encoder.describe(output, face: $0) }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        lock.lock()
        finished.append(Result(job: job, subject: subject, output: swapped))
        checksRun += 1
        secondsSpent += elapsed
        running = false
        lock.unlock()
    }

    /// Checks run so far and the seconds they took (on the detector's thread, off the frame path).
    public var cost: (checks: Int, seconds: Double) {
        lock.lock()
        defer { lock.unlock() }
        return (checksRun, secondsSpent)
    }

    /// Checks finished since the last call, oldest first.
    func takeResults() -> [Result] {
        lock.lock()
        defer { finished.removeAll(keepingCapacity: true); lock.unlock() }
        return finished
    }
}
