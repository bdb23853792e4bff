/// What the daemon knows, read by the endpoints on every request. Called from the HTTP server's
/// threads, so an implementation copies its counters under its own lock and returns quickly.
public protocol StatusSource: AnyObject, Sendable {
    func cameras() -> [CameraStatus]
}

/// One camera's figures at one instant: plain values, so the endpoints never reach into the pipeline.
/// Counts are running totals since the camera's pipeline started (a total that goes down is taken as
/// a restart and shown to Prometheus as a counter reset).
public struct CameraStatus: Sendable {
    /// Upper bounds, in seconds, of the `veil_latency_seconds` histogram's buckets. Fill
    /// `latencyBuckets` at these bounds; other bounds are mapped down to the nearest one of these.
    public static let latencyBucketBounds: [Double] = [
        0.005, 0.010, 0.015, 0.020, 0.025, 0.033, 0.050, 0.075, 0.100, 0.150, 0.250, 0.500, 1.0,
    ]

    public var name: String
    public var source: String
    /// False while the camera is unplugged and its offline slate is sent instead.
    public var online: Bool
    /// Seconds since the pipeline last handed a frame on; at or past the stall limit it is stalled.
    public var secondsSinceProgress: Double

    public var framesIn = 0
    public var framesOut = 0
    public var dropped = 0
    public var failClosed = 0
    /// Of `failClosed`: frames no detection pass over them or a later frame could clear in time.
    public var noPassInTime = 0
    /// Second-opinion passes run, and the faces they found that the main path had not handled.
    public var secondOpinionPasses = 0
    public var recallIncidents = 0
    /// The degrade ladder's rungs.
    public var tracked = 0
    public var quickCover = 0
    public var droppedLate = 0
    public var placeholders = 0
    /// Times the camera was lost (unplugged, failing, silent past `source_timeout_ms`, a stream ended),
    /// and times it came back (a camera missing at start counts its first open).
    public var losses = 0
    public var reconnects = 0
    /// Frames the camera's driver dropped before Veil read them (V4L2 sequence gaps).
    public var driverDrops = 0

    /// Capture to hand-off, seconds.
    public var latencyP50 = 0.0
    public var latencyP95 = 0.0
    public var latencyP99 = 0.0
    public var latencyMax = 0.0
    /// Cumulative counts: how many frames took at most `upperBound` seconds, bounds ascending. The
    /// total (the `+Inf` bucket) is an entry with `upperBound: .infinity`, or else the last count.
    public var latencyBuckets: [(upperBound: Double, count: Int)] = []

    /// Faces handled, by "swapped" | "tracked" | "covered".
    public var faces: [String: Int] = [:]
    public var identityChecks = 0
    public var identityIncidents = 0
    /// The smallest subject-to-output descriptor distance seen; nil before the first check.
    public var identityDistanceMin: Double?
    /// Keypoint stability and identity over rolling windows, by window name ("1s", "60s").
    public var stability: [String: StabilityWindowValue] = [:]
    /// Frames whose keypoints were measured again on the output, and the seconds measuring took (on the
    /// frame path); seconds of identity checks (on the detector's thread).
    public var stabilitySamples = 0
    public var stabilitySeconds = 0.0
    public var identitySeconds = 0.0

    public var outputs: [OutputStatusValue] = []
    public var framesEncoded = 0
    public var encodeErrors = 0
    /// Frames the encoder's queue dropped before encoding (per-output drops are in `outputs`).
    public var outputFramesDropped = 0

    public init(name: String, source: String, online: Bool = true, secondsSinceProgress: Double = 0) {
        self.name = name
        self.source = source
        self.online = online
        self.secondsSinceProgress = secondsSinceProgress
    }
}

/// A camera's keypoint stability and identity over one rolling window: means over the faces measured
/// in it; nil where nothing was measured.
public struct StabilityWindowValue: Sendable, Equatable {
    public var facesMeasured: Int
    /// Landmark error between subject and output, in inter-ocular distances; after each track's fixed
    /// shape offset; COCO-style keypoint similarity.
    public var nme: Double?
    public var nmeDynamic: Double?
    public var oks: Double?
    /// Frame-to-frame landmark movement on the subject and on the output, in inter-ocular distances.
    public var jitterInput: Double?
    public var jitterOutput: Double?
    public var identityChecks: Int
    /// Checks at or above the identity margin, of all checks in the window.
    public var identityPassRatio: Double?

    public init(facesMeasured: Int, nme: Double? = nil, nmeDynamic: Double? = nil, oks: Double? = nil, jitterInput: Double? = nil,
                jitterOutput: Double? = nil, identityChecks: Int = 0, identityPassRatio: Double? = nil) {
        self.facesMeasured = facesMeasured
        self.nme = nme
        self.nmeDynamic = nmeDynamic
        self.oks = oks
        self.jitterInput = jitterInput
        self.jitterOutput = jitterOutput
        self.identityChecks = identityChecks
        self.identityPassRatio = identityPassRatio
    }
}

/// One output of a camera (an RTP stream, a recording, a loopback device).
public struct OutputStatusValue: Sendable {
    /// Unique within the camera, e.g. "rtp 127.0.0.1:5004"; the `output` label.
    public var name: String
    /// Packets (or frames, for recordings and loopback) written.
    public var sent = 0
    public var bytes = 0
    public var errors = 0
    public var dropped = 0
    public var paused = false
    public var lastError: String?

    public init(name: String, sent: Int = 0, bytes: Int = 0, errors: Int = 0, dropped: Int = 0,
                paused: Bool = false, lastError: String? = nil) {
        self.name = name
        self.sent = sent
        self.bytes = bytes
        self.errors = errors
        self.dropped = dropped
        self.paused = paused
        self.lastError = lastError
    }
}
