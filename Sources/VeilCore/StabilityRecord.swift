import Foundation

/// The stability log's records, defined once: `veil process` and the daemon write them, `veil report`
/// reads them. JSON Lines, keys sorted. Figures absent from a record were not measured: a covered face
/// has no landmarks to compare, identity is checked on sampled frames.
///
/// Schema 2 adds the `schema` field to every line (and `consented_as`); a line without it is schema 1,
/// which reads the same. Every figure is optional so that an older or newer writer's lines still read.
public enum StabilitySchema {
    public static let version = 2

    /// One line of JSON, keys sorted so that records diff cleanly.
    public static func line(_ record: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Every figure is a finite number or absent (see `figure`), so encoding cannot fail.
        guard let data = try? encoder.encode(record) else { preconditionFailure("a stability record always encodes") }
        return String(decoding: data, as: UTF8.self)
    }

    /// A measured figure as logged: rounded to 4 places; nil when not measured (or not finite).
    public static func figure(_ value: Double?) -> Double? {
        guard let value, value.isFinite else { return nil }
        return (value * 10000).rounded() / 10000
    }

    public static func figure(_ value: Float?) -> Double? { figure(value.map(Double.init)) }

    /// Seconds as logged: to the millisecond.
    public static func seconds(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}

/// One face in one frame.
public struct StabilityRecord: Codable, Equatable, Sendable {
    public var schema: Int? = StabilitySchema.version
    /// The frame's presentation timestamp in the video's time base (`veil process` only).
    public var pts: Int64?
    public var frame: Int
    /// Seconds from the start of the video (or of the camera's run, for the daemon).
    public var time: Double
    public var track: Int
    /// swapped, tracked, covered or consented; kept as text so that a newer writer's kinds still report.
    public var handling: String
    /// The camera, in the daemon's log shared by every camera.
    public var camera: String?
    public var donor: String?
    public var shapeReplaced: Bool?
    /// The donor drawn over a covered face's cover where the detector placed the face (a stand-in:
    /// nothing of the person's face is under it).
    public var standIn: String?
    /// The enrolled person a consented face was recognised as.
    public var consentedAs: String?
    /// Landmark error between subject and output, in inter-ocular distances.
    public var nme: Double?
    /// The same after removing the track's fixed shape offset: movement that was not kept.
    public var nmeDynamic: Double?
    /// COCO-style object keypoint similarity, 0 to 1.
    public var oks: Double?
    /// Landmark movement from the previous frame, on the input and on the output.
    public var jitterInput: Double?
    public var jitterOutput: Double?
    /// Descriptor distance between subject and output, on frames where identity was checked.
    public var identityDistance: Double?
    public var incident: String?

    public init(frame: Int, time: Double, track: Int, handling: String) {
        self.frame = frame
        self.time = time
        self.track = track
        self.handling = handling
    }

    enum CodingKeys: String, CodingKey {
        case schema, pts, frame, time, track, handling, camera, donor, nme, oks, incident
        case shapeReplaced = "shape_replaced"
        case standIn = "stand_in"
        case consentedAs = "consented_as"
        case nmeDynamic = "nme_dynamic"
        case jitterInput = "jitter_input"
        case jitterOutput = "jitter_output"
        case identityDistance = "identity_distance"
    }
}

/// A run's figures: the record `veil process` writes last (`summary`), and the daemon's per camera over
/// each window (`window`: its seconds) and at shutdown (`summary`). The absence of a summary means the
/// run did not finish (a crash or a kill).
public struct StabilitySummaryRecord: Codable, Equatable, Sendable {
    public var schema: Int? = StabilitySchema.version
    /// true on a summary; absent on a window.
    public var summary: Bool?
    public var window: Int?
    public var camera: String?
    /// Seconds since the camera started (the daemon's).
    public var time: Double?
    /// Every frame of the run, with faces or without.
    public var frames: Int?
    public var faces: Int?
    /// Faces whose keypoints were measured again on the output (the daemon's).
    public var facesMeasured: Int?
    public var tracks: Int?
    /// Faces by handling, e.g. "covered=1 swapped=4" (`veil process`).
    public var handling: String?
    public var nmeMean: Double?
    public var nmeP95: Double?
    /// Movement error after the offset each track had over the whole run (the per-face records can
    /// only remove the offset known so far).
    public var nmeDynamicMean: Double?
    public var nmeDynamicP95: Double?
    public var oksMean: Double?
    public var jitterInputMean: Double?
    public var jitterOutputMean: Double?
    public var framesWithFallbackCover: Int?
    public var facesCovered: Int?
    public var facesConsented: Int?
    public var identityChecks: Int?
    /// Checks at or above the identity margin (the daemon's).
    public var identityPassed: Int?
    public var identityIncidents: Int?
    public var identityDistanceMin: Double?
    public var identityDistanceMean: Double?
    /// Frames the second detector looked at, and faces it found that the first had missed (`veil process`).
    public var secondOpinionFrames: Int?
    public var recallIncidents: Int?

    public init(summary: Bool) {
        self.summary = summary ? true : nil
    }

    enum CodingKeys: String, CodingKey {
        case schema, summary, window, camera, time, frames, faces, tracks, handling
        case facesMeasured = "faces_measured"
        case nmeMean = "nme_mean"
        case nmeP95 = "nme_p95"
        case nmeDynamicMean = "nme_dynamic_mean"
        case nmeDynamicP95 = "nme_dynamic_p95"
        case oksMean = "oks_mean"
        case jitterInputMean = "jitter_input_mean"
        case jitterOutputMean = "jitter_output_mean"
        case framesWithFallbackCover = "frames_with_fallback_cover"
        case facesCovered = "faces_covered"
        case facesConsented = "faces_consented"
        case identityChecks = "identity_checks"
        case identityPassed = "identity_passed"
        case identityIncidents = "identity_incidents"
        case identityDistanceMin = "identity_distance_min"
        case identityDistanceMean = "identity_distance_mean"
        case secondOpinionFrames = "second_opinion_frames"
        case recallIncidents = "recall_incidents"
    }
}

/// One line of the log: a face, a run's closing summary (marked "summary": true), or the daemon's
/// figures for one camera over a window (marked "window": seconds), which the face records already hold.
public enum StabilityLogLine: Decodable, Equatable, Sendable {
    case face(StabilityRecord)
    case summary(StabilitySummaryRecord)
    case window(StabilitySummaryRecord)

    private enum Marker: String, CodingKey { case summary, window }

    public init(from decoder: Decoder) throws {
        let marker = try decoder.container(keyedBy: Marker.self)
        if try marker.decodeIfPresent(Int.self, forKey: .window) != nil {
            self = .window(try StabilitySummaryRecord(from: decoder))
        } else if try marker.decodeIfPresent(Bool.self, forKey: .summary) == true {
            self = .summary(try StabilitySummaryRecord(from: decoder))
        } else {
            self = .face(try StabilityRecord(from: decoder))
        }
    }
}
