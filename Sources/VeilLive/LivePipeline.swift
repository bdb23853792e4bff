import Foundation
import VeilAnonymize
import VeilCore
import VeilMedia
import VeilMetrics
import VeilVision

/// What the pipeline has done so far: its meters as they stand, and what only the pipeline keeps
/// (detection passes, scene changes, the latency histogram with its percentiles).
public struct LiveStatistics {
    /// Frames captured, and frames handed to the output.
    public var framesIn = 0
    public var framesOut = 0
    /// Frames the ring dropped because processing had fallen behind.
    public var dropped = 0
    /// Frames covered whole (or dropped, per policy): no pass in time, a scene change, a failed anonymizer.
    public var failClosed = 0
    /// Frames covered whole (counted in `failClosed` too) because no detection pass over them or a later
    /// frame could end before their deadline: the live invariant.
    public var noPassInTime = 0
    /// The degrade ladder: frames anonymized with a pass over a later frame (look-ahead), frames whose
    /// landmarks were fitted without the mirrored fit to keep their deadline, frames whose known faces
    /// were covered instead, frames dropped because they were already late.
    public var tracked = 0
    public var directFit = 0
    public var quickCover = 0
    public var droppedLate = 0
    public var detectorFailures = 0
    /// Detection passes run, and the seconds they took.
    public var detectionPasses = 0
    public var detectionSeconds = 0.0
    /// Second-opinion passes run and their seconds, and the faces they found that the main path had not
    /// handled (recall incidents: each covered at once from the next frame on).
    public var secondOpinionPasses = 0
    public var secondOpinionSeconds = 0.0
    public var recallIncidents = 0
    /// Offline slates emitted while the camera was gone.
    public var placeholders = 0
    /// Frames covered whole (counted in `failClosed` too) because the picture had changed too much
    /// from the frame of the pass that would have cleared them.
    public var sceneChanges = 0
    public var latency = TimingHistogram()
    /// Frames whose keypoints were measured again on the output, and the seconds that took.
    public var stabilitySamples = 0
    public var stabilitySeconds = 0.0
}

/// One camera's live pipeline. Threads:
/// - capture: reads the source into ring slots, never waiting for processing, and copies each new
///   frame for the detector;
/// - detection (`DetectionWorker`): the second core, back to back on the newest frame;
/// - processing: takes frames oldest first and holds each to the live invariant (`LiveInvariant`): it
///   is anonymized only once a detection pass over it or a later frame has ended, and applied to it
///   (known faces followed on its own pixels, new ones covered where the pass saw them);
/// - second opinion (`SecondOpinionWorker`): another detector family on a copy of a frame now and
///   then, at a lower priority and a small share of a core; what it finds that nothing handled is covered;
/// - identity checks (`IdentityCheckQueue`), at a lower priority, off every frame's path.
///
/// Every frame has a budget from its capture time. A frame whose pass cannot end in time is covered
/// whole per `onStall`; one whose pass ended but whose full anonymizer would end too late gets a quick
/// cover of the known faces; one already late is dropped. The original never reaches `output`.
// @unchecked: its capture and processing threads share it; what both touch (statistics, stop and failure)
// is under `lock`, frames pass through the ring's locked slots, the rest belongs to one thread each.
public final class LivePipeline: @unchecked Sendable {
    public typealias Output = (LiveFrame, FrameHandling) -> Void

    public let settings: LiveSettings
    /// Seconds.
    public let budget: Double
    private let source: FrameSource
    private let anonymizer: FrameAnonymizing
    private let output: Output
    private let ring: FrameRing
    private let worker: DetectionWorker
    private let secondOpinion: SecondOpinionWorker?
    /// What the anonymizer had covered or swapped on recent frames, by sequence: what a second opinion's
    /// result for one of them is compared with.
    private var handledRegions: [Int: [Box]] = [:]
    private let lock = NSLock()
    /// What only the pipeline keeps: scene changes and the latency histogram; the rest is in `meters`.
    private var stats = LiveStatistics()
    public let meters: CameraMeters
    private var stopping = false
    private var ended = false
    private var failure: Error?
    private let captureDone = DispatchSemaphore(value: 0)
    private let processingDone = DispatchSemaphore(value: 0)

    /// Nanoseconds kept free before a deadline for the thread to be scheduled.
    static let schedulingMargin: UInt64 = 2_000_000

    /// Processing's running estimates of the full anonymizer's cost and of its cost with the direct
    /// landmark fit alone, in nanoseconds: decide whether either still fits before the deadline.
    private var expectedCost: Double
    private var expectedDirectFitCost: Double
    /// What the direct fit alone is first guessed to cost against the full anonymizer, until it is
    /// measured: the mirrored fit is half the landmarks' work, the landmarks most of a crowded frame's.
    static let directFitFirstGuess = 0.75
    /// The share of the frame budget that the proof (identity checks and stability measurements
    /// together) may take on average: it is proof, not the product. Identity checks come first (they
    /// decide whether a swapped face may be shown); stability is measured with what they leave, and
    /// only with time the frames leave over, after a frame is handed off.
    public static let proofShare = 0.1
    /// Seconds of proof earned and not yet spent (each frame adds its share, at most one budget's worth
    /// is saved up; identity checks are charged as they run), the running estimate of one stability
    /// measurement's cost, and the identity checks' seconds charged so far.
    private var proofAllowance = 0.0
    private var stabilityCost = 0.001
    private var identitySecondsCharged = 0.0
    /// The frame being handled, coarsely: compared with the frame of the pass that clears it.
    private var frameThumbnail = Thumbnail()
    private var lastCapture: UInt64?
    /// The sequence of the last frame given to the anonymizer: tracks age by the frames since, covered
    /// and dropped ones included.
    private var lastAnonymized: Int?
    /// The frame of the last pass the anonymizer's tracks were given, and the passes since that cleared
    /// no anonymized frame (their frames were covered whole or dropped): what they saw is given to the
    /// tracks at the next anonymized frame, so that a face seen only in such a stretch stays covered
    /// when the next pass misses it.
    private var lastAppliedPass: Int?
    private var unappliedPasses: [DetectionResult] = []

    /// `secondOpinion`: another detector that looks at frames as the CPU allows (nil: none).
    /// `meters`: the camera's counters in the daemon's registry (by default, a registry of its own).
    public init(source: FrameSource, detector: FaceDetecting, anonymizer: FrameAnonymizing, settings: LiveSettings = LiveSettings(),
                secondOpinion: SecondOpinionDetector? = nil, meters: CameraMeters = CameraMeters(camera: "live"),
                output: @escaping Output) {
        let interval = 1 / max(source.frameRate, 1)
        self.settings = settings
        budget = settings.budget ?? Double(LatencyBudget.defaultMilliseconds(fps: Int(source.frameRate.rounded()))) / 1000
        self.source = source
        self.anonymizer = anonymizer
        self.output = output
        self.meters = meters
        // Frames wait in the ring for their pass: room for a budget's worth of them, one being handled
        // and one being filled.
        let waiting = Int((budget / interval).rounded(.up))
        ring = FrameRing(capacity: max(FrameRing.minimumCapacity, settings.ringCapacity, waiting + 2), width: source.width,
                         height: source.height, dropped: meters.framesDropped)
        // Guesses until the first frames are measured: a pass and the anonymizer a third of the budget each.
        worker = DetectionWorker(detector: detector, width: source.width, height: source.height, firstGuess: budget / 3)
        self.secondOpinion = secondOpinion.map { SecondOpinionWorker(detector: $0, width: source.width, height: source.height,
                                                                           passes: meters.secondOpinionPasses) }
        expectedCost = budget / 3 * 1e9
        expectedDirectFitCost = expectedCost * LivePipeline.directFitFirstGuess
    }

    public var statistics: LiveStatistics {
        lock.lock()
        var copy = stats
        lock.unlock()
        copy.framesIn = meters.framesIn.total
        copy.framesOut = meters.framesOut.total
        copy.dropped = meters.framesDropped.total
        copy.failClosed = meters.failClosed.total
        copy.noPassInTime = meters.noPassInTime.total
        copy.tracked = meters.tracked.total
        copy.directFit = meters.directFit.total
        copy.quickCover = meters.quickCover.total
        copy.droppedLate = meters.droppedLate.total
        copy.placeholders = meters.placeholders.total
        copy.recallIncidents = meters.recallIncidents.total
        copy.secondOpinionPasses = meters.secondOpinionPasses.total
        copy.stabilitySamples = meters.stabilitySamples.total
        copy.stabilitySeconds = meters.stabilitySeconds.total
        copy.detectorFailures = worker.failedPasses
        (copy.detectionPasses, copy.detectionSeconds) = worker.passes
        copy.secondOpinionSeconds = secondOpinion?.secondsSpent ?? 0
        return copy
    }

    /// The error that ended capture early, if any.
    public var error: Error? { lock.lock(); defer { lock.unlock() }; return failure }

    public func start() {
        worker.start()
        secondOpinion?.start()
        anonymizer.identityChecks?.start()
        WorkerThread.start(name: "veil-capture") { [self] in capture(); captureDone.signal() }
        WorkerThread.start(name: "veil-process") { [self] in process(); processingDone.signal() }
    }

    /// Stops capture, emits what was captured, and returns when the last frame has been handed off.
    /// Also returns when the source ends by itself.
    public func stop() {
        lock.lock()
        stopping = true
        lock.unlock()
        wait()
    }

    /// Returns once the source has ended (or `stop` was called) and every frame was handed off.
    public func wait() {
        captureDone.wait()
        captureDone.signal()
        processingDone.wait()
        processingDone.signal()
    }

    private var isStopping: Bool { lock.lock(); defer { lock.unlock() }; return stopping }

    private func capture() {
        defer { ring.close(); worker.stop(); secondOpinion?.stop(); anonymizer.identityChecks?.stop() }
        while !isStopping {
            let frame = ring.acquire()
            do {
                guard let read = try source.read(into: frame.picture) else {
                    ring.discard(frame)
                    return
                }
                frame.isPlaceholder = read.isPlaceholder
                ring.publish(frame, captureTime: read.captureTime, beforeQueueing: read.isPlaceholder ? nil : { frame in
                    self.worker.submit(frame)
                    self.secondOpinion?.offer(frame)
                })
                meters.framesIn.increment()
            } catch {
                ring.discard(frame)
                lock.lock()
                failure = error
                lock.unlock()
                return
            }
        }
    }

    private func process() {
        while let frame = ring.next() {
            handle(frame)
            ring.release(frame)
        }
        lock.lock()
        ended = true
        lock.unlock()
    }

    /// Whether every captured frame has been handed off after the source ended (or `stop`).
    public var hasEnded: Bool { lock.lock(); defer { lock.unlock() }; return ended }

    private func handle(_ frame: LiveFrame) {
        if frame.isPlaceholder {
            meters.placeholders.increment()
            return emit(frame, .placeholder)
        }
        let deadline = frame.captureTime + UInt64(budget * 1e9)
        let interval = lastCapture.map { Float(Double(frame.captureTime &- $0) / 1e9) }.flatMap { $0 > 0 ? $0 : nil }
            ?? Float(1 / max(source.frameRate, 1))
        lastCapture = frame.captureTime
        var pass: DetectionResult?
        var quick = false
        var fit = LandmarkFit.mirrored
        while pass == nil {
            let state = worker.state(for: frame.sequence)
            unappliedPasses += state.expired.filter { $0.sequence > lastAppliedPass ?? Int.min }
            unappliedPasses.removeAll { frame.sequence - $0.sequence > FaceTracker.longestKept }
            let decision = LiveInvariant.decide(LiveInvariant.Inputs(
                sequence: frame.sequence, deadline: deadline, now: MonotonicClock.now(),
                finished: state.finished?.sequence,
                running: state.running, passDuration: state.passDuration,
                anonymizeCost: UInt64(expectedCost) + LivePipeline.schedulingMargin,
                directFitCost: UInt64(min(expectedDirectFitCost, expectedCost)) + LivePipeline.schedulingMargin,
                morePasses: state.morePasses))
            switch decision {
            case .wait(let until):
                worker.waitForPass(until: until)
            case .drop:
                meters.droppedLate.increment()
                return
            case .coverWhole:
                meters.noPassInTime.increment()
                return failClosed(frame)
            case .quickCover, .anonymize, .anonymizeDirectFit:
                pass = state.finished
                quick = decision == .quickCover
                fit = decision == .anonymizeDirectFit ? .direct : .mirrored
            }
        }
        guard let pass else { return }
        let framesAhead = pass.sequence - frame.sequence
        // Known faces are followed on this frame's pixels and new ones covered where the pass saw them;
        // a picture that changed wholesale between this frame and the pass's (a cut, a jump, the camera
        // moved) may hold faces neither knows: covered whole, whichever cover would follow.
        if framesAhead > 0 {
            frameThumbnail.sample(frame.picture)
            if let change = frameThumbnail.meanDifference(from: pass.thumbnail), change > settings.sceneChangeLimit {
                count { $0.sceneChanges += 1 }
                return failClosed(frame)
            }
        }
        if quick {
            // The full anonymizer would end too late: a flat cover over every face the tracks and the
            // pass know, grown for the motion between the pass's frame and this one. The estimate only
            // learns from full passes: it decays, so that a passing slow spell (a busy core) does not
            // keep every later frame on the quick cover.
            expectedCost *= 0.9
            expectedDirectFitCost *= 0.9
            let regions = Self.quickCoverRegions(
                tracked: anonymizer.trackedRegions, framesSinceTracked: lastAnonymized.map { frame.sequence - $0 } ?? 0,
                pass: pass.detections.map(\.box), framesAhead: framesAhead,
                unapplied: unappliedPasses.map { ($0.detections.map(\.box), frame.sequence - $0.sequence) })
            for region in regions { Cover.apply(settings.quickCover, over: region, in: frame.picture) }
            meters.quickCover.increment()
            return emit(frame, .quickCover)
        }
        if framesAhead > 0 { meters.tracked.increment() }
        takeSecondOpinions(before: frame.sequence)
        takeUnappliedPasses(before: frame.sequence)
        lastAppliedPass = pass.sequence
        let started = MonotonicClock.now()
        let elapsed = lastAnonymized.map { frame.sequence - $0 } ?? 1
        lastAnonymized = frame.sequence
        do {
            try anonymizer.anonymize(frame.picture, detections: pass.detections, framesAhead: framesAhead, elapsedFrames: elapsed,
                                     interval: interval, fit: fit)
        } catch {
            return failClosed(frame)
        }
        let cost = Double(MonotonicClock.now() - started)
        switch fit {
        case .mirrored:
            expectedCost += (cost - expectedCost) * 0.2
        case .direct:
            // As with the quick cover, the full estimate decays while it is not measured, so that the
            // mirrored fit comes back once the busy spell has passed.
            meters.directFit.increment()
            expectedDirectFitCost += (cost - expectedDirectFitCost) * 0.2
            expectedCost *= 0.98
        }
        if secondOpinion != nil {
            handledRegions[frame.sequence] = anonymizer.trackedRegions
            handledRegions = handledRegions.filter { frame.sequence - $0.key < 4 * ring.capacity }
        }
        emit(frame, framesAhead == 0 ? .detected : .tracked)
        proveStability(frame)
    }

    /// What the quick cover covers on a frame: the faces the tracks held on the last anonymized frame,
    /// `framesSinceTracked` frames before (the frames between were covered whole: the tracks have not
    /// followed the faces since), those the pass saw `framesAhead` frames later, and those of passes not
    /// applied yet, `framesAgo` frames before; each grown for the motion since it was seen.
    static func quickCoverRegions(tracked: [Box], framesSinceTracked: Int, pass: [Box], framesAhead: Int,
                                  unapplied: [(boxes: [Box], framesAgo: Int)]) -> [Box] {
        let trackedGrowth = max(1.2, FaceTracker.lookAheadGrowth(framesAhead: framesSinceTracked))
        return tracked.map { $0.scaled(by: trackedGrowth) }
            + pass.map { $0.scaled(by: FaceTracker.lookAheadGrowth(framesAhead: framesAhead)) }
            + unapplied.flatMap { earlier in earlier.boxes.map { $0.scaled(by: FaceTracker.lookAheadGrowth(framesAhead: earlier.framesAgo)) } }
    }

    /// Compares the second opinions that came back with what was handled on their frames: a face nothing
    /// accounted for is a recall incident, covered from this frame on. On a frame that was covered whole
    /// or dropped (nothing handled is known) its faces are covered too, without an incident: none leaked.
    private func takeSecondOpinions(before sequence: Int) {
        guard let secondOpinion else { return }
        for result in secondOpinion.takeResults() where !result.faces.isEmpty {
            let framesAgo = sequence - result.sequence
            if let handled = handledRegions[result.sequence] {
                let missed = SecondOpinion.missed(result.faces, handled: handled)
                if !missed.isEmpty { meters.recallIncidents.increment(by: missed.count) }
                anonymizer.coverMissedFaces(missed, framesAgo: framesAgo, incident: true)
            } else {
                anonymizer.coverMissedFaces(SecondOpinion.missed(result.faces, handled: anonymizer.trackedRegions), framesAgo: framesAgo,
                                            incident: false)
            }
        }
    }

    /// Gives the tracks what the passes that cleared no anonymized frame saw: a face there that no
    /// track holds is covered from this frame on, until the detector confirms it or its grace ends. It
    /// is no incident: its frames were covered whole.
    private func takeUnappliedPasses(before sequence: Int) {
        for earlier in unappliedPasses {
            let missed = SecondOpinion.missed(earlier.detections.map(\.box), handled: anonymizer.trackedRegions)
            anonymizer.coverMissedFaces(missed, framesAgo: sequence - earlier.sequence, incident: false)
        }
        unappliedPasses = []
    }

    /// Measures the keypoints again on the frame just handed off, when the proof's share (less the
    /// identity checks' time) has saved up enough and the measurement ends before the next frame is
    /// due: it never delays a frame.
    private func proveStability(_ frame: LiveFrame) {
        let identitySeconds = anonymizer.identityChecks?.cost.seconds ?? 0
        proofAllowance = min(proofAllowance + budget * LivePipeline.proofShare - (identitySeconds - identitySecondsCharged), budget)
        meters.identitySeconds.increment(by: identitySeconds - identitySecondsCharged)
        identitySecondsCharged = identitySeconds
        let nextFrameDue = Double(frame.captureTime) + 1e9 / max(source.frameRate, 1)
        let measure = stabilityCost <= proofAllowance && ring.waiting == 0
            && Double(MonotonicClock.now()) + stabilityCost * 1e9 + Double(LivePipeline.schedulingMargin) <= nextFrameDue
        let proof = anonymizer.finishFrame(frame.picture, measureStability: measure)
        guard measure else { return }
        proofAllowance -= proof
        if proof > 0 { stabilityCost += (proof - stabilityCost) * 0.2 }
        meters.stabilitySamples.increment()
        meters.stabilitySeconds.increment(by: proof)
    }

    private func failClosed(_ frame: LiveFrame) {
        meters.failClosed.increment()
        let picture = frame.picture
        switch settings.onStall {
        case .blurFrame:
            Cover.blurWhole(picture)
        case .blackFrame:
            picture.y.fill(16)
            picture.u.fill(128)
            picture.v.fill(128)
        case .drop:
            return
        }
        emit(frame, .failClosed)
    }

    private func emit(_ frame: LiveFrame, _ handling: FrameHandling) {
        let latency = Double(MonotonicClock.now() - frame.captureTime) / 1e9
        output(frame, handling)
        meters.framesOut.increment()
        meters.latency.recordNanoseconds(Int64(latency * 1e9))
        count { $0.latency.record(latency) }
    }

    private func count(_ update: (inout LiveStatistics) -> Void) {
        lock.lock()
        update(&stats)
        lock.unlock()
    }
}
