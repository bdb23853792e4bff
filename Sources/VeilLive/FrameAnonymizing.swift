import Foundation
import Logging
import VeilAnonymize
import VeilMedia
import VeilPipeline
import VeilVision

/// The anonymizer as the live pipeline sees it: a seam for tests, and for anonymizers that can fail.
public protocol FrameAnonymizing: AnyObject {
    /// Rewrites the picture in place so that no face in it is the subject's. `ownFrame`: the detections
    /// count as this picture's (made on it or a frame or two before, see `LiveSettings.freshFrames`);
    /// else they are older, and only start tracks that stay covered until fresh ones come.
    func anonymize(_ picture: Picture, detections: [Detection], ownFrame: Bool, interval: Float) throws
    /// Where the faces were last seen, for a cover when there is no time to anonymize.
    var trackedRegions: [Box] { get }
    /// Identity checks to run off the frame path, on the detector's thread; nil when there are none.
    var identityChecks: IdentityCheckQueue? { get }
}

/// FaceAnonymizer (tracking, swap or cover, identity checks) for one camera.
public final class TrackingAnonymizer: FrameAnonymizing {
    public let anonymizer: FaceAnonymizer
    public let identityChecks: IdentityCheckQueue?
    /// Per-stage times of every frame, for benchmarks.
    public private(set) var clock = StageClock()
    private let countsLock = NSLock()
    private var tally = FaceCounts()
    private var frame = 0

    public init(_ anonymizer: FaceAnonymizer, identityChecks: IdentityCheckQueue?) {
        self.anonymizer = anonymizer
        self.identityChecks = identityChecks
    }

    public func anonymize(_ picture: Picture, detections: [Detection], ownFrame: Bool, interval: Float) throws {
        let records = anonymizer.anonymize(picture, detections: detections, ownFrame: ownFrame, frame: frame, interval: interval,
                                           measureStability: false, clock: &clock)
        countsLock.lock()
        for record in records {
            tally.faces[record.handling, default: 0] += 1
            if record.incident != nil { tally.incidents += 1 }
            if let distance = record.identityDistance {
                tally.identityChecks += 1
                tally.identityDistanceMin = min(tally.identityDistanceMin ?? distance, distance)
            }
        }
        countsLock.unlock()
        frame += 1
    }

    public var trackedRegions: [Box] { anonymizer.tracker.tracks.map(\.region) }

    /// What has been done to faces so far; read from any thread.
    public var counts: FaceCounts {
        countsLock.lock()
        defer { countsLock.unlock() }
        return tally
    }
}

/// Faces handled by a camera so far.
public struct FaceCounts {
    /// By how: swapped, tracked, covered.
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

    public init(settings: AnonymizerSettings, width: Int, height: Int, frameRate: Double, detectorWidth: Int = 320,
                donors: String? = nil, logger: Logger) throws {
        let data = try DataDirectory.locate()
        let predictor = try LandmarkPredictor(modelPath: data.landmarkModel)
        var checks: IdentityCheckQueue?
        var donorFaces: [Donor] = []
        if settings.mode == .swap {
            let faceEncoder = try FaceEncoder(modelPath: data.descriptorModel)
            donorFaces = try Donor.loadAll(at: donors ?? data.donorDirectory.path, detectorModel: data.detectorModel,
                                           predictor: predictor, encoder: faceEncoder)
            checks = IdentityCheckQueue(encoder: faceEncoder, width: width, height: height)
        }
        detector = try FaceDetector(modelPath: data.detectorModel, pictureWidth: width, pictureHeight: height, inputWidth: detectorWidth)
        var tuned = settings
        tuned.identityCheckInterval = max(1, Int(frameRate.rounded()))
        anonymizer = TrackingAnonymizer(FaceAnonymizer(settings: tuned, predictor: predictor, encoder: nil, donors: donorFaces,
                                                       deferredChecks: checks, logger: logger),
                                        identityChecks: checks)
    }
}
