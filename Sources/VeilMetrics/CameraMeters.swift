import CoreMetrics

/// One camera's counters and its latency histogram, labelled `camera`, made once when the camera is
/// assembled and handed to the stages whose events they count: the capture ring, the live pipeline, the
/// camera link, the anonymizer's tally, the encoder and each output; each reads back as `total`.
public struct CameraMeters: Sendable {
    public let camera: String
    public let registry: MeterRegistry

    public let framesIn: Tally
    public let framesOut: Tally
    public let framesDropped: Tally
    public let failClosed: Tally
    public let noPassInTime: Tally
    public let placeholders: Tally
    /// The degrade ladder's rungs.
    public let tracked: Tally
    public let directFit: Tally
    public let quickCover: Tally
    public let droppedLate: Tally
    public let secondOpinionPasses: Tally
    public let recallIncidents: Tally
    public let losses: Tally
    public let reconnects: Tally
    public let driverDrops: Tally
    public let identityChecks: Tally
    public let identityIncidents: Tally
    public let stabilitySamples: Tally
    public let stabilitySeconds: SecondsTally
    public let identitySeconds: SecondsTally
    public let framesEncoded: Tally
    public let encodeErrors: Tally
    public let encoderDropped: Tally
    /// Capture to hand-off, one observation per frame handed on.
    public let latency: Timer

    /// `registry`: the daemon's one registry; a bench or a test makes its own.
    public init(camera: String, registry: MeterRegistry = MeterRegistry()) {
        self.camera = camera
        self.registry = registry
        let labels = [("camera", camera)]
        func counter(_ family: MetricFamily, _ extra: [(String, String)] = []) -> Tally {
            Tally(family, labels + extra, registry)
        }
        func seconds(_ kind: String) -> SecondsTally {
            SecondsTally(.proofSeconds, labels + [("kind", kind)], registry)
        }
        framesIn = counter(.framesIn)
        framesOut = counter(.framesOut)
        framesDropped = counter(.framesDropped)
        failClosed = counter(.failClosed)
        noPassInTime = counter(.noPassInTime)
        placeholders = counter(.placeholders)
        tracked = counter(.ladder, [("rung", "tracked")])
        directFit = counter(.ladder, [("rung", "direct_fit")])
        quickCover = counter(.ladder, [("rung", "quick_cover")])
        droppedLate = counter(.ladder, [("rung", "dropped_late")])
        secondOpinionPasses = counter(.secondOpinionPasses)
        recallIncidents = counter(.recallIncidents)
        losses = counter(.cameraLosses)
        reconnects = counter(.cameraReconnects)
        driverDrops = counter(.cameraDriverDrops)
        identityChecks = counter(.identityChecks)
        identityIncidents = counter(.identityIncidents)
        stabilitySamples = counter(.stabilitySamples)
        stabilitySeconds = seconds("stability")
        identitySeconds = seconds("identity")
        framesEncoded = counter(.encoderFrames)
        encodeErrors = counter(.encodeErrors)
        encoderDropped = counter(.encoderDropped)
        latency = Timer(label: MetricFamily.latency.name, dimensions: labels, factory: registry)
    }

    /// Faces de-identified one way ("swapped", "tracked", "covered", ...).
    public func faces(_ handling: String) -> Tally {
        Tally(.faces, [("camera", camera), ("handling", handling)], registry)
    }

    /// The counters of one output, labelled `output` with its name.
    public func output(_ name: String) -> OutputMeters {
        OutputMeters(camera: camera, output: name, registry: registry)
    }

}

/// One output's counters: packets (frames, for recordings and loopback) and bytes written, write
/// failures, packets dropped because the output had fallen behind.
public struct OutputMeters: Sendable {
    public let sent: Tally
    public let bytes: Tally
    public let errors: Tally
    public let dropped: Tally

    init(camera: String, output: String, registry: MeterRegistry) {
        let labels = [("camera", camera), ("output", output)]
        sent = Tally(.outputPackets, labels, registry)
        bytes = Tally(.outputBytes, labels, registry)
        errors = Tally(.outputErrors, labels, registry)
        dropped = Tally(.outputDropped, labels, registry)
    }
}

/// A swift-metrics counter of whole events and the registry that can read it back: what a stage
/// increments where the event happens, and what `/status`, the logs and the benchmarks read.
public struct Tally: Sendable {
    public let counter: Counter
    private let registry: MeterRegistry

    init(_ family: MetricFamily, _ dimensions: [(String, String)], _ registry: MeterRegistry) {
        counter = Counter(label: family.name, dimensions: dimensions, factory: registry)
        self.registry = registry
    }

    public func increment(by amount: Int = 1) { counter.increment(by: amount) }
    public var total: Int { registry.total(counter) }
}

/// The same for seconds spent.
public struct SecondsTally: Sendable {
    public let counter: FloatingPointCounter
    private let registry: MeterRegistry

    init(_ family: MetricFamily, _ dimensions: [(String, String)], _ registry: MeterRegistry) {
        counter = FloatingPointCounter(label: family.name, dimensions: dimensions, factory: registry)
        self.registry = registry
    }

    public func increment(by seconds: Double) { counter.increment(by: seconds) }
    public var total: Double { registry.total(counter) }
}
