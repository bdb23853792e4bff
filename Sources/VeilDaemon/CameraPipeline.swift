import Foundation
import Logging
import VeilCapture
import VeilConfig
import VeilCore
import VeilLive
import VeilMedia
import VeilMetrics
import VeilOutput
import VeilPipeline
import VeilStatus

/// One configured camera, running: its source (a V4L2 device, a network stream, or a file played like
/// one) and the `LiveCamera` the config describes. Independent of every other camera: its own threads, models and
/// encoder, so that one camera's trouble (unplugged, slow, failing output) touches no other.
final class CameraPipeline: Sendable {
    let camera: VeilConfiguration.Camera
    let anonymize: VeilConfiguration.Anonymize
    private let live: LiveCamera
    private let cameraSource: CameraFrameSource?
    private let logger: Logger
    private var pipeline: LivePipeline { live.pipeline }
    private var anonymizer: TrackingAnonymizer { live.anonymizer }

    /// Loads the models and opens the source and outputs; nothing runs until `start`. Throws on what
    /// the camera can never run with (models, donors, an output's key file); a missing camera is not
    /// one of them: it shows the offline slate until it appears.
    init(camera: VeilConfiguration.Camera, anonymize: VeilConfiguration.Anonymize, journal: StabilityJournal?,
         registry: MeterRegistry, logger base: Logger) throws {
        self.camera = camera
        let meters = CameraMeters(camera: camera.name, registry: registry)
        self.anonymize = anonymize
        var logger = base
        logger[metadataKey: "camera"] = "\(camera.name)"
        self.logger = logger

        let source: FrameSource
        let timeout = Double(camera.sourceTimeoutMs) / 1000
        switch CameraSource(camera.source) {
        case .device(let path):
            let request = CaptureRequest(size: camera.size,
                                         framesPerSecond: Double(camera.fps), formats: Self.formats(camera.format),
                                         timeoutSeconds: timeout)
            let device = CameraFrameSource.device(camera: camera.name, path: path, request: request, meters: meters,
                                                  logger: logger)
            cameraSource = device
            source = device
        case .stream(let url):
            let stream = CameraFrameSource.stream(camera: camera.name, url: url, width: camera.size.width, height: camera.size.height,
                                                  frameRate: Double(camera.fps), timeout: timeout, meters: meters, logger: logger)
            cameraSource = stream
            source = stream
        case .file(let path):
            // A file is the user's to give: one that cannot be read is an error at start, not an outage.
            source = try FileFrameSource(path: path, width: camera.size.width, height: camera.size.height,
                                         frameRate: Double(camera.fps), loops: camera.realtime)
            cameraSource = nil
        }

        var setup = LiveCamera.Setup(name: camera.name, width: camera.size.width, height: camera.size.height,
                                     frameRate: Double(camera.fps), meters: meters)
        setup.anonymizer.mode = anonymize.mode
        setup.anonymizer.identityMargin = Float(anonymize.identityMargin)
        if let consent = anonymize.consent {
            setup.anonymizer.consent = try ConsentList.load(directory: consent, distance: Float(anonymize.consentDistance))
        }
        setup.donors = anonymize.donors
        setup.journal = journal
        setup.live.budget = Double(camera.budgetMs) / 1000
        setup.live.onStall = anonymize.onStall
        setup.encoder = Self.encoder(camera.encoder)
        setup.outputs = camera.outputs.map { Self.output($0, camera: camera.name) }
        live = try LiveCamera(setup, source: source, logger: logger)
    }

    /// Reads the consent directory again (SIGHUP): a revoked enrolment ends at once. A directory that
    /// cannot be read shows nobody until it can.
    func reloadConsent() {
        guard let directory = anonymize.consent else { return }
        do {
            let list = try ConsentList.load(directory: directory, distance: Float(anonymize.consentDistance))
            anonymizer.replaceConsentList(list)
            logger.notice("camera \(camera.name): consent list read again: \(list.people.map(\.name).sorted().joined(separator: ", "))")
        } catch {
            anonymizer.replaceConsentList(nil)
            logger.error("camera \(camera.name): consent list unreadable, nobody is shown until it is fixed: \(error)")
        }
    }

    func start() {
        live.start()
        logger.info("camera \(camera.name): running, \(camera.size)@\(camera.fps), budget \(camera.budgetMs) ms, \(anonymize.mode.rawValue)")
    }

    /// Stops capture, lets the frames already captured through, then flushes and closes the outputs.
    func stop() {
        live.stop()
        let stats = pipeline.statistics
        anonymizer.finish(frames: stats.framesOut)
        logger.info("""
            camera \(camera.name): stopped: \(stats.framesIn) frames in, \(stats.framesOut) out, \(stats.dropped) dropped \
            unprocessed, \(stats.droppedLate) dropped late, \(stats.failClosed) covered whole, \(stats.placeholders) offline slates
            """)
        for output in live.outputs?.statistics.outputs ?? [] {
            logger.info("camera \(camera.name): \(output.name): \(output.sent) sent, \(output.errors) errors, \(output.dropped) dropped")
        }
    }

    /// Whether the source ended by itself (a file played once, or failed) and its last frame went out.
    var hasEnded: Bool { pipeline.hasEnded }

    /// What ended the source early, if anything.
    var error: Error? { pipeline.error }

    /// Seconds since the pipeline last handed a frame (or the offline slate) to the outputs.
    var secondsSinceProgress: Double { live.secondsSinceProgress }

    /// The latest frame the outputs took, after the anonymizer; nil for a camera without outputs.
    var snapshot: OutputSnapshot? { live.outputs?.snapshot }

    /// One line for `systemctl status`.
    var statusLine: String {
        let stats = pipeline.statistics
        let state = cameraSource.map { $0.isOnline ? "live" : "offline" } ?? "file"
        return "\(camera.name) \(state) in \(stats.framesIn) out \(stats.framesOut) dropped \(stats.dropped)"
    }

    /// The camera's state for /metrics, /healthz and /status; its counters are in the registry.
    var status: CameraStatus {
        let latency = pipeline.statistics.latency
        let connection = cameraSource?.connection
        var status = CameraStatus(name: camera.name, source: Redaction.source(camera.source), online: connection?.online ?? true,
                                  secondsSinceProgress: secondsSinceProgress)
        status.latencyP50 = latency.percentile(0.5)
        status.latencyP95 = latency.percentile(0.95)
        status.latencyP99 = latency.percentile(0.99)
        status.latencyMax = latency.maximum
        status.identityDistanceMin = anonymizer.counts.identityDistanceMin.map(Double.init)
        for seconds in [1, 60] {
            let window = anonymizer.stability(lastSeconds: seconds)
            status.stability["\(seconds)s"] = StabilityWindowValue(
                facesMeasured: window.measuredFaces, nme: window.nme, nmeDynamic: window.nmeDynamic, oks: window.oks,
                jitterInput: window.jitterInput, jitterOutput: window.jitterOutput, identityChecks: window.identityChecks,
                identityPassRatio: window.identityPassRatio)
        }
        status.outputs = (live.outputs?.statistics.outputs ?? []).map {
            OutputStateValue(name: $0.name, paused: $0.paused, lastError: $0.lastError)
        }
        return status
    }

    private static func formats(_ format: VeilConfiguration.PixelFormat) -> [PixelFormat] {
        switch format {
        case .auto: return CaptureRequest.defaultFormats
        case .yuyv: return [.yuyv]
        case .nv12: return [.nv12]
        case .mjpeg: return [.mjpeg]
        }
    }

    static func encoder(_ encoder: VeilConfiguration.Encoder) -> EncoderOptions {
        EncoderOptions(codec: encoder.codec, preset: encoder.preset, bitrateKbps: encoder.bitrateKbps, gop: encoder.gop)
    }

    static func output(_ output: VeilConfiguration.Output, camera: String) -> OutputSpec {
        // Without an `sdp` key the session description goes to the service's runtime directory.
        let runtime = ProcessInfo.processInfo.environment["RUNTIME_DIRECTORY"] ?? "/run/veil"
        switch output {
        case let .rtp(rtp):
            return .rtp(address: rtp.address, sdpPath: rtp.sdp ?? "\(runtime)/\(camera)-rtp.sdp")
        case let .srtp(srtp):
            return .srtp(address: srtp.address, sdpPath: srtp.sdp ?? "\(runtime)/\(camera)-srtp.sdp",
                         keyFile: srtp.keyFile)
        case let .record(record):
            return .record(directory: record.path, segmentSeconds: Double(record.segmentSeconds),
                           container: record.container,
                           maxTotalBytes: Int64(record.maxTotalGB * 1e9))
        case let .loopback(loopback):
            return .loopback(devicePath: loopback.device)
        }
    }
}
