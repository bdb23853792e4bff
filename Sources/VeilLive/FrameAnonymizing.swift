import Foundation
import Logging
import VeilAnonymize
import VeilCore
import VeilMedia
import VeilMetrics
import VeilPipeline
import VeilVision

/// The anonymizer as the live pipeline sees it: a seam for tests, and for anonymizers that can fail.
public protocol FrameAnonymizing: AnyObject {
    /// Rewrites the picture in place so that no face in it is the subject's. `detections` come from a
    /// pass over this picture (`framesAhead` 0) or over a frame that many frames later (a look-ahead:
    /// new faces are covered where the pass saw them until their own frame). `elapsedFrames`: frames
    /// since the last picture given here, those covered whole or dropped included (tracks age by them).
    /// `fit`: how landmarks are fitted on this frame (the direct fit alone when it runs late).
    func anonymize(_ picture: Picture, detections: [Detection], framesAhead: Int, elapsedFrames: Int, interval: Float,
                   fit: LandmarkFit) throws
    /// Ends the frame the last `anonymize` rewrote, once it was handed off and before its picture is
    /// reused: with `measureStability`, finds the keypoints again on that output first. Returns the
    /// seconds spent measuring, which are charged to the proof's share of the budget.
    func finishFrame(_ picture: Picture, measureStability: Bool) -> Double
    /// Where the faces were last seen (each track's region and latest detection box together): for a
    /// cover when there is no time to anonymize, and what a second opinion is compared with.
    var trackedRegions: [Box] { get }
    /// Covers, from the next frame on, faces a second opinion found `framesAgo` frames before it that
    /// the main path did not handle (recall incidents, unless `incident` is false).
    func coverMissedFaces(_ boxes: [Box], framesAgo: Int, incident: Bool)
    /// Identity checks run off the frame path, on their own thread; nil when there are none.
    var identityChecks: IdentityCheckQueue? { get }
}

/// FaceAnonymizer (tracking, swap or cover, identity checks) for one camera, and the proof of its work:
/// face counts, rolling stability windows, and the stability log's lines.
// @unchecked: the camera's processing thread's; what the status and reload threads touch (counts,
// windows, a new consent list) is under `countsLock`.
public final class TrackingAnonymizer: FrameAnonymizing, @unchecked Sendable {
    public let anonymizer: FaceAnonymizer
    public let identityChecks: IdentityCheckQueue?
    /// Per-stage times of every frame, for benchmarks.
    public private(set) var clock = StageClock()
    /// The faces of the frame being handled, until `finishFrame` records them.
    private var pending: [FaceRecord] = []
    private let camera: String
    private let journal: StabilityJournal?
    private let started = MonotonicClock.now()
    private let countsLock = NSLock()
    /// Faces by how they were handled, identity checks and incidents, in the camera's meters.
    private let meters: CameraMeters
    private let facesMeters: [FaceHandling: Tally]
    private var identityDistanceMin: Float?
    private var windows = StabilityWindows()
    private var frame = 0
    private var lastMinuteLogged = 0
    /// A consent list read again (SIGHUP) on another thread, taken in by the next frame.
    private var newConsent: ConsentList??

    /// `journal`: the stability log this camera's faces and windows are written to, if any.
    public init(_ anonymizer: FaceAnonymizer, identityChecks: IdentityCheckQueue?, camera: String = "", journal: StabilityJournal? = nil,
                meters: CameraMeters? = nil) {
        let meters = meters ?? CameraMeters(camera: camera)
        self.meters = meters
        facesMeters = Dictionary(uniqueKeysWithValues: FaceHandling.allCases.map { ($0, meters.faces($0.rawValue)) })
        self.anonymizer = anonymizer
        self.identityChecks = identityChecks
        self.camera = camera
        self.journal = journal
    }

    public func anonymize(_ picture: Picture, detections: [Detection], framesAhead: Int, elapsedFrames: Int, interval: Float,
                          fit: LandmarkFit) {
        countsLock.lock()
        let consent = newConsent
        newConsent = nil
        countsLock.unlock()
        if let consent { anonymizer.updateConsentList(consent) }
        pending = anonymizer.anonymize(picture, detections: detections, framesAhead: framesAhead, elapsedFrames: elapsedFrames,
                                       frame: frame, interval: interval,
                                       measureStability: false, fit: fit, clock: &clock)
    }

    public func finishFrame(_ picture: Picture, measureStability: Bool) -> Double {
        var records = pending
        pending = []
        let stabilityBefore = clock.seconds["stability", default: 0]
        if measureStability { anonymizer.measureStability(of: picture, records: &records, frame: frame, clock: &clock) }
        record(records)
        frame += 1
        return clock.seconds["stability", default: 0] - stabilityBefore
    }

    /// Counts the frame's faces, adds them to the windows, and writes what the stability log keeps.
    private func record(_ records: [FaceRecord]) {
        let time = secondsSinceStart
        countsLock.lock()
        for record in records {
            facesMeters[record.handling]?.increment()
            if record.incident != nil { meters.identityIncidents.increment() }
            if let distance = record.identityDistance {
                meters.identityChecks.increment()
                identityDistanceMin = min(identityDistanceMin ?? distance, distance)
            }
        }
        windows.add(records, at: time, margin: anonymizer.settings.identityMargin)
        let minute = Int(time) / StabilityWindows.longest
        let minuteEnded = minute > lastMinuteLogged
        let lastMinute = minuteEnded ? windows.last(StabilityWindows.longest, at: time) : nil
        if minuteEnded { lastMinuteLogged = minute }
        countsLock.unlock()
        if let journal {
            // Faces the frame measured or checked; every face of every frame would say little more at
            // thirty times the size.
            journal.append(camera: camera, frame: frame, time: time,
                           faces: records.filter { $0.error != nil || $0.identityDistance != nil || $0.incident != nil })
            if let lastMinute { journal.append(camera: camera, figures: lastMinute, time: time, window: StabilityWindows.longest) }
        }
    }

    /// Replaces the consent list from the next frame on (from any thread): a person no longer on it
    /// is anonymized at once. Nil: nobody is shown.
    public func replaceConsentList(_ list: ConsentList?) {
        countsLock.lock()
        newConsent = .some(list)
        countsLock.unlock()
    }

    private var secondsSinceStart: Double { Double(MonotonicClock.now() - started) / 1e9 }

    public var trackedRegions: [Box] { anonymizer.tracker.tracks.map(\.coveredRegion) }

    public func coverMissedFaces(_ boxes: [Box], framesAgo: Int, incident: Bool) {
        anonymizer.coverMissedFaces(boxes, framesAgo: framesAgo, incident: incident)
    }

    /// What has been done to faces so far; read from any thread.
    public var counts: FaceCounts {
        countsLock.lock()
        let distanceMin = identityDistanceMin
        countsLock.unlock()
        return FaceCounts(faces: facesMeters.compactMapValues { $0.total > 0 ? $0.total : nil }, identityChecks: meters.identityChecks.total,
                          incidents: meters.identityIncidents.total, identityDistanceMin: distanceMin)
    }

    /// Stability and identity over the last `seconds` whole seconds; read from any thread.
    public func stability(lastSeconds seconds: Int) -> StabilityFigures {
        let time = secondsSinceStart
        countsLock.lock()
        defer { countsLock.unlock() }
        return windows.last(seconds, at: time)
    }

    /// The whole run's figures, written to the stability log as the camera's summary.
    public func finish(frames: Int) {
        countsLock.lock()
        let whole = windows.whole
        countsLock.unlock()
        journal?.append(camera: camera, figures: whole, time: secondsSinceStart, window: nil, frames: frames)
    }

    public var wholeRun: StabilityFigures {
        countsLock.lock()
        defer { countsLock.unlock() }
        return windows.whole
    }
}

/// Faces handled by a camera so far: its meters as they stand, and the smallest identity distance.
public struct FaceCounts {
    /// By how: swapped, tracked, covered, consented.
    public var faces: [FaceHandling: Int] = [:]
    public var identityChecks = 0
    /// Checks that failed (the track escalated) or could not run.
    public var incidents = 0
    public var identityDistanceMin: Float?
}

/// The models a camera's pipeline needs, loaded once.
public struct LiveModels {
    public let detector: FaceDetector
    public let anonymizer: TrackingAnonymizer
    /// The second opinion: another detector family, run as the CPU allows.
    public let secondOpinion: SecondOpinionDetector

    /// `detectorWidth`: the detector's input width; nil: FaceSizePromise's live width for `width`.
    public init(settings: AnonymizerSettings, width: Int, height: Int, frameRate: Double, detectorWidth: Int? = nil,
                donors: String? = nil, camera: String = "", journal: StabilityJournal? = nil, meters: CameraMeters? = nil,
                logger: Logger) throws {
        let models = try FaceModels(for: settings, data: DataDirectory.locate(), donors: donors)
        var checks: IdentityCheckQueue?
        if let faceEncoder = models.encoder {
            checks = IdentityCheckQueue(encoder: faceEncoder, predictor: try models.anotherPredictor(), width: width, height: height)
        }
        detector = try models.detector(width: width, height: height,
                                       inputWidth: detectorWidth ?? FaceSizePromise.liveDetectorWidth(pictureWidth: width))
        secondOpinion = try SecondOpinionDetector()
        var tuned = settings
        tuned.identityCheckInterval = max(1, Int(frameRate.rounded()))
        anonymizer = TrackingAnonymizer(FaceAnonymizer(settings: tuned, predictor: models.predictor, checks: checks.map(IdentityChecks.deferred),
                                                       donors: models.donors, logger: logger),
                                        identityChecks: checks, camera: camera, journal: journal, meters: meters)
    }
}
