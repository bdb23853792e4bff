/// One face in one frame, as `veil process --stability-log` and the daemon write it
/// (Sources/VeilPipeline/StabilityLog.swift). Figures absent from a record were not measured on
/// that frame: a covered face has no landmarks to compare, and identity is checked on sampled frames.
public struct StabilityRecord: Decodable, Equatable {
    public var frame: Int
    /// Seconds from the start of the video (or of the camera's run, for the daemon).
    public var time: Double
    public var track: Int
    /// swapped, tracked or covered; kept as text so that a newer writer's kinds still report.
    public var handling: String
    public var camera: String?
    public var donor: String?
    public var shapeReplaced: Bool?
    /// Landmark error between subject and output, in inter-ocular distances.
    public var nme: Double?
    /// The same after removing the track's fixed shape offset: movement that was not kept.
    public var nmeDynamic: Double?
    /// COCO-style object keypoint similarity, 0 to 1 (the daemon writes it).
    public var oks: Double?
    /// Descriptor distance between subject and output, on frames where identity was checked.
    public var identityDistance: Double?
    public var incident: String?

    enum CodingKeys: String, CodingKey {
        case frame, time, track, handling, camera, donor, nme, oks, incident
        case shapeReplaced = "shape_replaced"
        case nmeDynamic = "nme_dynamic"
        case identityDistance = "identity_distance"
    }
}

/// The record a run writes last, with the figures it computed itself. Its absence means the run did
/// not finish (a crash or a kill); every field is optional so that an older or newer writer's summary
/// still reads.
public struct StabilitySummaryRecord: Decodable, Equatable {
    /// Every frame of the run, with faces or without.
    public var frames: Int?
    public var nmeMean: Double?
    public var nmeP95: Double?
    /// Movement error after the offset each track had over the whole run (the per-face records can
    /// only remove the offset known so far).
    public var nmeDynamicMean: Double?
    public var nmeDynamicP95: Double?
    public var framesWithFallbackCover: Int?

    enum CodingKeys: String, CodingKey {
        case frames
        case nmeMean = "nme_mean"
        case nmeP95 = "nme_p95"
        case nmeDynamicMean = "nme_dynamic_mean"
        case nmeDynamicP95 = "nme_dynamic_p95"
        case framesWithFallbackCover = "frames_with_fallback_cover"
    }
}

/// One line of the log: a face, the closing summary (marked "summary": true), or the daemon's figures
/// for one camera over a window (marked "window": seconds), which the per-face records already hold.
enum StabilityLogLine: Decodable {
    case face(StabilityRecord)
    case summary(StabilitySummaryRecord)
    case window

    private enum Marker: String, CodingKey { case summary, window }

    init(from decoder: Decoder) throws {
        let marker = try decoder.container(keyedBy: Marker.self)
        if try marker.decodeIfPresent(Int.self, forKey: .window) != nil {
            self = .window
        } else if try marker.decodeIfPresent(Bool.self, forKey: .summary) == true {
            self = .summary(try StabilitySummaryRecord(from: decoder))
        } else {
            self = .face(try StabilityRecord(from: decoder))
        }
    }
}
