import Foundation
import Logging
import Synchronization
import VeilCore
import VeilLive
import VeilMetrics
import VeilOutput
import VeilPipeline

/// One camera put together: its models, its live pipeline and its outputs, wired so that every frame
/// the pipeline emits goes to the outputs and counts as progress. The one place a camera is assembled:
/// the daemon (`CameraPipeline`, from the config file) and `veil bench --live` (`LiveBench`, from a
/// clip) both build theirs here, so a benchmark measures the camera the daemon runs.
public final class LiveCamera: Sendable {
    /// What a camera is made of, apart from its source.
    public struct Setup: Sendable {
        public var name: String
        public var width: Int
        public var height: Int
        public var frameRate: Double
        public var anonymizer = AnonymizerSettings()
        public var live = LiveSettings()
        /// A directory or image of donors; nil: the installed ones.
        public var donors: String?
        /// The detector's input width; nil: FaceSizePromise's live width for the picture.
        public var detectorWidth: Int?
        /// None: frames are anonymized and go nowhere (a benchmark of the pipeline alone).
        public var outputs: [OutputSpec] = []
        public var encoder = EncoderOptions()
        public var journal: StabilityJournal?
        /// Its counters, in the daemon's registry; a benchmark's camera has a registry of its own.
        public var meters: CameraMeters

        public init(name: String, width: Int, height: Int, frameRate: Double, meters: CameraMeters? = nil) {
            self.name = name
            self.meters = meters ?? CameraMeters(camera: name)
            self.width = width
            self.height = height
            self.frameRate = frameRate
        }
    }

    let pipeline: LivePipeline
    let anonymizer: TrackingAnonymizer
    /// Nil without outputs.
    let outputs: CameraOutputs?
    let detectorInput: (width: Int, height: Int)
    private let progress = Progress()

    /// Loads the models and opens the outputs; nothing runs until `start`. Throws on what the camera
    /// can never run with (models, donors, an output's key file).
    public init(_ setup: Setup, source: FrameSource, logger: Logger) throws {
        let models = try LiveModels(settings: setup.anonymizer, width: setup.width, height: setup.height,
                                    frameRate: setup.frameRate, detectorWidth: setup.detectorWidth, donors: setup.donors,
                                    camera: setup.name, journal: setup.journal, meters: setup.meters, logger: logger)
        let outputs = setup.outputs.isEmpty ? nil
            : try CameraOutputs(camera: setup.name, width: setup.width, height: setup.height, frameRate: setup.frameRate,
                                encoder: setup.encoder, outputs: setup.outputs, meters: setup.meters, logger: logger)
        self.outputs = outputs
        anonymizer = models.anonymizer
        detectorInput = (models.detector.inputWidth, models.detector.inputHeight)
        let detector = ProcessInfo.processInfo.environment[StallHookDetector.variable].map {
            StallHookDetector(models.detector, whileExists: $0) as FaceDetecting
        } ?? models.detector
        let progress = progress
        pipeline = LivePipeline(source: source, detector: detector, anonymizer: models.anonymizer, settings: setup.live,
                                secondOpinion: models.secondOpinion, meters: setup.meters) { frame, _ in
            outputs?.submit(frame.picture, captureTime: frame.captureTime)
            progress.mark()
        }
    }

    public func start() {
        outputs?.start()
        pipeline.start()
        progress.mark()
    }

    /// Stops capture, lets the frames already captured through, then flushes and closes the outputs.
    public func stop() {
        pipeline.stop()
        outputs?.stop()
    }

    /// Seconds since the pipeline last handed a frame (or the offline slate) to the outputs.
    var secondsSinceProgress: Double { progress.secondsSince }
}

/// When a pipeline last moved a frame along: the watchdog's evidence that its loops are alive.
private final class Progress: Sendable {
    private let last = Atomic<UInt64>(MonotonicClock.now())

    func mark() { last.store(MonotonicClock.now(), ordering: .relaxed) }

    var secondsSince: Double { MonotonicClock.seconds(since: last.load(ordering: .relaxed)) }
}
