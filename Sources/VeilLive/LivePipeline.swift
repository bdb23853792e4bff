import Foundation
import VeilAnonymize
import VeilMedia
import VeilVision

/// What a pipeline has done so far.
public struct LiveStatistics {
    /// Frames captured, and frames handed to the output.
    public var framesIn = 0
    public var framesOut = 0
    /// Frames the ring dropped because processing had fallen behind.
    public var dropped = 0
    /// Frames covered whole (or dropped, per policy) because detections were stale or anonymizing failed.
    public var failClosed = 0
    /// The degrade ladder: frames anonymized without their own detection pass, frames whose tracked
    /// regions were covered instead, frames dropped because they were already late.
    public var tracked = 0
    public var quickCover = 0
    public var droppedLate = 0
    public var detectorFailures = 0
    /// Offline slates emitted while the camera was gone.
    public var placeholders = 0
    /// Frames covered whole (counted in `failClosed` too) because the picture had changed too much
    /// since the frame the detector last saw.
    public var sceneChanges = 0
    public var latency = DurationHistogram()
    /// Frames whose keypoints were measured again on the output, and the seconds that took.
    public var stabilitySamples = 0
    public var stabilitySeconds = 0.0
}

/// One camera's live pipeline. Three threads:
/// - capture: reads the source into ring slots, never waiting for processing, and hands each new
///   frame to the detector when it is idle;
/// - detection (`DetectionWorker`): the second core, one frame at a time, starting at capture;
/// - processing: takes frames oldest first, waits for the frame's detections at most until its
///   deadline allows, anonymizes, and hands the frame to `output`.
///
/// Every frame has a budget from its capture time. When it would be missed the ladder degrades:
/// landmarks followed from earlier detections (detector busy or late), then a quick cover of the
/// tracked regions (anonymizing would end past the deadline), then a drop (already late). Fail closed:
/// a frame whose newest detection is older than `staleAfter`, or whose anonymizer failed, is covered
/// whole per `onStall`; the original never reaches `output`.
public final class LivePipeline {
    public typealias Output = (LiveFrame, FrameHandling) -> Void

    public let settings: LiveSettings
    /// Seconds.
    public let budget: Double
    public let staleAfter: Double
    private let source: FrameSource
    private let anonymizer: FrameAnonymizing
    private let output: Output
    private let ring: FrameRing
    private let worker: DetectionWorker
    private let lock = NSLock()
    private var stats = LiveStatistics()
    private var stopping = false
    private var ended = false
    private var failure: Error?
    private let captureDone = DispatchSemaphore(value: 0)
    private let processingDone = DispatchSemaphore(value: 0)

    /// Nanoseconds kept free before a deadline for the thread to be scheduled.
    static let schedulingMargin: UInt64 = 2_000_000

    /// Processing's running estimate of the full anonymizer's cost, in nanoseconds: decides whether it
    /// still fits before the deadline.
    private var expectedCost: Double
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
    /// Capture time of the newest frame the detector finished with.
    private var lastDetection: UInt64?
    /// The newest detection pass not yet given to the anonymizer.
    private var carried: DetectionResult?
    /// The frame of the newest detection pass, and the frame being handled, coarsely.
    private var detectedThumbnail = Thumbnail()
    private var frameThumbnail = Thumbnail()
    private var lastCapture: UInt64?

    public init(source: FrameSource, detector: FaceDetecting, anonymizer: FrameAnonymizing, settings: LiveSettings = LiveSettings(),
                output: @escaping Output) {
        let interval = 1 / max(source.frameRate, 1)
        self.settings = settings
        budget = settings.budget ?? interval
        staleAfter = settings.staleAfter ?? 6 * interval
        self.source = source
        self.anonymizer = anonymizer
        self.output = output
        ring = FrameRing(capacity: max(FrameRing.minimumCapacity, settings.ringCapacity), width: source.width, height: source.height)
        worker = DetectionWorker(detector: detector, identityChecks: anonymizer.identityChecks, width: source.width, height: source.height)
        // A guess until the first frame is measured: half the budget leaves the detector the other half.
        expectedCost = budget / 2 * 1e9
    }

    public var statistics: LiveStatistics {
        lock.lock()
        defer { lock.unlock() }
        var copy = stats
        (copy.framesIn, copy.dropped) = ring.counts
        return copy
    }

    /// The error that ended capture early, if any.
    public var error: Error? { lock.lock(); defer { lock.unlock() }; return failure }

    public func start() {
        worker.start()
        let capturing = Thread { [self] in capture(); captureDone.signal() }
        capturing.name = "veil-capture"
        let processing = Thread { [self] in process(); processingDone.signal() }
        processing.name = "veil-process"
        capturing.start()
        processing.start()
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
        defer { ring.close(); worker.stop() }
        while !isStopping {
            let frame = ring.acquire()
            do {
                guard let read = try source.read(into: frame.picture) else {
                    ring.discard(frame)
                    return
                }
                frame.isPlaceholder = read.isPlaceholder
                ring.publish(frame, captureTime: read.captureTime, beforeQueueing: read.isPlaceholder ? nil : worker.submit)
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
            count { $0.placeholders += 1 }
            return emit(frame, .placeholder)
        }
        let budgetNanos = UInt64(budget * 1e9)
        let deadline = frame.captureTime + budgetNanos
        // The wait for this frame's own detections leaves room for anonymizing, plus a margin for the
        // scheduler: a frame woken right at the limit would otherwise always fall to the quick cover.
        let room = min(UInt64(expectedCost) + LivePipeline.schedulingMargin, budgetNanos)
        // A pass taken by a frame that was then dropped or covered whole still has to reach the tracker:
        // it is carried to the next frame, or the faces it found would go untracked.
        let result = worker.take(waitingFor: frame.sequence, until: deadline - room) ?? carried
        carried = result
        var detections: [Detection] = []
        var ownFrame = false
        var fresh = false
        if let result {
            if let found = result.detections {
                detections = found
                ownFrame = result.sequence == frame.sequence
                fresh = frame.sequence - result.sequence <= settings.freshFrames
                lastDetection = max(lastDetection ?? 0, result.captureTime)
                detectedThumbnail = result.thumbnail
            } else {
                count { $0.detectorFailures += 1 }
            }
        }
        let interval = lastCapture.map { Float(Double(frame.captureTime &- $0) / 1e9) }.flatMap { $0 > 0 ? $0 : nil }
            ?? Float(1 / max(source.frameRate, 1))
        lastCapture = frame.captureTime

        let started = MonotonicClock.now()
        if started > deadline {
            count { $0.droppedLate += 1 }
            return
        }
        guard let lastDetection, frame.captureTime <= lastDetection + UInt64(staleAfter * 1e9) else {
            return failClosed(frame)
        }
        // Tracking follows faces the detector has seen; a picture that changed wholesale since the
        // detector last looked (a cut, a jump, the camera moved) may show faces no track knows, in
        // places no track covers: covered whole until a detection pass has seen it.
        if !ownFrame {
            frameThumbnail.sample(frame.picture)
            if let change = frameThumbnail.meanDifference(from: detectedThumbnail), change > settings.sceneChangeLimit {
                count { $0.sceneChanges += 1 }
                return failClosed(frame)
            }
        }
        if !ownFrame { count { $0.tracked += 1 } }
        if Double(started) + expectedCost > Double(deadline) {
            // The estimate only learns from full passes: decay it so that a passing slow spell
            // (an identity check, a busy core) does not keep every later frame on the quick cover.
            expectedCost *= 0.9
            for region in anonymizer.trackedRegions + detections.map(\.box) {
                Cover.apply(settings.quickCover, over: region, in: frame.picture)
            }
            count { $0.quickCover += 1 }
            return emit(frame, .quickCover)
        }
        carried = nil
        do {
            try anonymizer.anonymize(frame.picture, detections: detections, ownFrame: fresh, interval: interval)
        } catch {
            return failClosed(frame)
        }
        expectedCost += (Double(MonotonicClock.now() - started) - expectedCost) * 0.2
        emit(frame, ownFrame ? .detected : .tracked)
        proveStability(frame)
    }

    /// Measures the keypoints again on the frame just handed off, when the proof's share (less the
    /// identity checks' time) has saved up enough and the measurement ends before the next frame is
    /// due: it never delays a frame.
    private func proveStability(_ frame: LiveFrame) {
        let identitySeconds = anonymizer.identityChecks?.cost.seconds ?? 0
        proofAllowance = min(proofAllowance + budget * LivePipeline.proofShare - (identitySeconds - identitySecondsCharged), budget)
        identitySecondsCharged = identitySeconds
        let nextFrameDue = Double(frame.captureTime) + 1e9 / max(source.frameRate, 1)
        let measure = stabilityCost <= proofAllowance && ring.waiting == 0
            && Double(MonotonicClock.now()) + stabilityCost * 1e9 + Double(LivePipeline.schedulingMargin) <= nextFrameDue
        let proof = anonymizer.finishFrame(frame.picture, measureStability: measure)
        guard measure else { return }
        proofAllowance -= proof
        if proof > 0 { stabilityCost += (proof - stabilityCost) * 0.2 }
        count {
            $0.stabilitySamples += 1
            $0.stabilitySeconds += proof
        }
    }

    private func failClosed(_ frame: LiveFrame) {
        count { $0.failClosed += 1 }
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
        count {
            $0.framesOut += 1
            $0.latency.record(latency)
        }
    }

    private func count(_ update: (inout LiveStatistics) -> Void) {
        lock.lock()
        update(&stats)
        lock.unlock()
    }
}
