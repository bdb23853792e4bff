import VeilMetrics

/// What the daemon knows, read by the endpoints on every request. Called from the HTTP server's
/// threads, so an implementation copies its state under its own lock and returns quickly. The counters
/// are not here: the endpoints read them from the registry the stages count into.
public protocol StatusSource: AnyObject, Sendable {
    func cameras() -> [CameraStatus]
    /// The camera's latest output frame (after the anonymizer, never before) as JPEG, and its age in
    /// seconds; nil for an unknown camera or before its first frame.
    func snapshot(camera: String) throws -> (bytes: [UInt8], age: Double)?
}

/// One camera's state at one instant, plain values, so the endpoints never reach into the pipeline:
/// whether it is online and progressing, and the figures that are measured rather than counted
/// (latency percentiles, the smallest identity distance, the stability windows).
public struct CameraStatus: Sendable {
    public var name: String
    public var source: String
    /// False while the camera is unplugged and its offline slate is sent instead.
    public var online: Bool
    /// Seconds since the pipeline last handed a frame on; at or past the stall limit it is stalled.
    public var secondsSinceProgress: Double

    /// Capture to hand-off, seconds, since the camera's pipeline started.
    public var latencyP50 = 0.0
    public var latencyP95 = 0.0
    public var latencyP99 = 0.0
    public var latencyMax = 0.0

    /// The smallest subject-to-output descriptor distance seen; nil before the first check.
    public var identityDistanceMin: Double?
    /// Keypoint stability and identity over rolling windows, by window name ("1s", "60s").
    public var stability: [String: StabilityWindowValue] = [:]

    /// In configuration order; their counters are in the registry under each one's name.
    public var outputs: [OutputStateValue] = []

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

/// One output of a camera (an RTP stream, a recording, a loopback device): whether it is up.
public struct OutputStateValue: Sendable {
    /// Unique within the camera, e.g. "rtp 127.0.0.1:5004"; the `output` label of its counters.
    public var name: String
    public var paused = false
    public var lastError: String?

    public init(name: String, paused: Bool = false, lastError: String? = nil) {
        self.name = name
        self.paused = paused
        self.lastError = lastError
    }
}

/// One camera's counters as the registry holds them.
struct CameraTotals {
    let registry: MeterRegistry
    let camera: String

    func callAsFunction(_ family: MetricFamily, _ labels: [(String, String)] = []) -> Int {
        registry.total(family, [("camera", camera)] + labels)
    }

    func seconds(_ family: MetricFamily, _ labels: [(String, String)]) -> Double {
        registry.seconds(family, [("camera", camera)] + labels)
    }

    /// Faces by how they were handled.
    var faces: [String: Int] {
        var faces: [String: Int] = [:]
        for (labels, total) in registry.totals(.faces, labelledWith: [("camera", camera)]) {
            if let handling = labels.first(where: { $0.0 == "handling" })?.1 { faces[handling] = total }
        }
        return faces
    }
}
