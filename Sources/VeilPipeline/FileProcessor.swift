import Foundation
import Synchronization
import Logging
import VeilAnonymize
import VeilCore
import VeilMedia
import VeilVision

/// Everything `veil process` needs to know.
public struct ProcessOptions: Sendable {
    public var input: String
    public var output: String
    public var anonymizer = AnonymizerSettings()
    /// A donor image or a directory of them; nil: the default donors in the data directory.
    public var donors: String?
    /// A consent directory (`veil enroll`); nil: every face is anonymized.
    public var consent: String?
    public var stabilityLog: String?
    public var encoder = EncoderSettings()
    /// Width of the detector's input (the frame is downscaled to it): larger finds smaller faces. Nil:
    /// what FaceSizePromise needs for the input's width; narrower than that is refused.
    public var detectorWidth: Int?
    /// The detector runs on one frame in this many; the frames before it take its detections (a
    /// look-ahead of at most detectEvery − 1 frames) and the landmark predictor re-fits every face on
    /// every frame. 1: detect on every frame.
    public var detectEvery = 3
    /// How often the second opinion (dlib's HOG detector, another model family) looks at a frame.
    public var audit = Audit.sampled
    /// Without a stability log, keypoint stability is measured on one frame in this many (each
    /// measurement runs the landmark predictor again on the output), enough for the summary figures.
    public static let stabilitySampling = 4
    public var showProgress = false
    public var audio = AudioHandling.keep

    public init(input: String, output: String) {
        self.input = input
        self.output = output
    }
}

/// What `veil process` does with the input's audio.
public enum AudioHandling: String, CaseIterable, Sendable {
    /// Copied unchanged, as recorded.
    case keep
    /// Left out: a voice, and a name spoken aloud, identify a patient as surely as a face.
    case drop
}

/// How often `veil process` asks a second detector of another model family to look at a frame: a
/// face it finds that the main path did not handle is covered and counted as a recall incident.
public enum Audit: String, CaseIterable, Sendable {
    /// One frame a second (it costs more than a main detection pass).
    case sampled
    /// Every frame: for archives where certainty matters more than time.
    case everyFrame = "every-frame"

    func isDue(frame: Int, frameRate: Double) -> Bool {
        switch self {
        case .everyFrame: return true
        case .sampled: return frame % max(1, Int(frameRate.rounded())) == 0
        }
    }
}

/// What every file of a run shares: the models and donors, and the anonymizer's settings with the
/// consent list loaded.
public struct ProcessResources {
    public let models: FaceModels
    let settings: AnonymizerSettings
}

/// What a run did, for the command's last line and for `veil bench`.
public struct ProcessReport {
    public var size = ""
    public var frames = 0
    public var seconds = 0.0
    public var clock = StageClock()
    public var summary = StabilitySummaryRecord(summary: true)
}

/// `veil process`: de-identifies a video file. Three threads, joined by bounded queues of reusable
/// pictures: decode and detect → landmarks, anonymize → encode and mux (audio packets go straight
/// from the demuxer to the muxer, untouched). Detection, the costliest step, thus runs on one core
/// while earlier frames are anonymized and encoded on the other. Offline, nothing is dropped: a full
/// queue holds the stage before it back. The output is written under a temporary name and renamed
/// only when complete: a failure or an interruption leaves nothing behind.
public final class FileProcessor {
    private let options: ProcessOptions
    private let logger: Logger

    /// Models loaded for this file alone, unless `resources` are given: an archive run loads one set per
    /// worker and passes it to each of that worker's files in turn (loading takes about two seconds).
    public init(options: ProcessOptions, logger: Logger, resources: ProcessResources? = nil) {
        self.options = options
        self.logger = logger
        self.givenResources = resources
    }

    private let givenResources: ProcessResources?

    /// The models, donors and consent list `options` need.
    public static func resources(for options: ProcessOptions, data: DataDirectory, logger: Logger) throws -> ProcessResources {
        var settings = options.anonymizer
        if let consent = options.consent { settings.consent = try ConsentList.load(directory: consent) }
        return ProcessResources(models: try FaceModels(for: settings, data: data, donors: options.donors, logger: logger), settings: settings)
    }

    /// The temporary files (video, log) while a run is writing them: an interrupted command removes them.
    public private(set) var partialFiles: [String] = []

    public func run() throws -> ProcessReport {
        // A missing install is named before anything is opened.
        let data = try DataDirectory.locate()
        let reader = try VideoReader(path: options.input)
        // Quarter turns are straightened on decode; a stream that asks players for another angle, or to
        // show it upside down in a mirror, would reach the face detector tilted, where it can miss faces.
        if !reader.isUpright, let rotation = reader.displayRotation, !(rotation.isMirrored && rotation.clockwiseDegrees == 0) {
            throw UserError("'\(options.input)' asks players to turn it by \(rotation.clockwiseDegrees) degrees\(rotation.isMirrored ? " and mirror it" : ""), which Veil cannot straighten: re-encode it upright first")
        }
        // Opened before the models load, so a bad output path fails at once.
        let writer = try VideoWriter(path: options.output, source: reader, settings: options.encoder, audio: options.audio == .keep)
        let log = try StabilityLog(path: options.stabilityLog)
        partialFiles = [writer.temporaryPath] + [log.temporaryPath].compactMap { $0 }
        defer { partialFiles = [] }
        let resources = try givenResources ?? Self.resources(for: options, data: data, logger: logger)
        let models = resources.models, settings = resources.settings
        let promised = FaceSizePromise.offlineDetectorWidth(pictureWidth: reader.width)
        if let width = options.detectorWidth, FaceSizePromise.inputWidth(requested: width) < promised {
            throw UserError("--detector-width \(width) would miss faces under \(FaceSizePromise.smallestFace(pictureWidth: reader.width, detectorWidth: width)) px in '\(options.input)' (\(reader.width) px wide): Veil promises every face from \(FaceSizePromise.smallestFace(pictureWidth: reader.width, detectorWidth: promised)) px, which needs \(promised) or more")
        }
        let detector = try models.detector(width: reader.width, height: reader.height, inputWidth: options.detectorWidth ?? promised)
        logger.info("detector input \(detector.inputWidth)x\(detector.inputHeight): faces from \(FaceSizePromise.smallestFace(pictureWidth: reader.width, detectorWidth: detector.inputWidth)) px wide are found")
        var anonymizerSettings = settings
        anonymizerSettings.identityCheckInterval = max(1, Int(reader.frameRate.value.rounded()))
        let anonymizer = FaceAnonymizer(settings: anonymizerSettings, predictor: models.predictor, checks: models.encoder.map(IdentityChecks.inline),
                                        donors: models.donors, logger: logger)
        let secondOpinion = try SecondOpinionDetector()
        var audited = 0, recallIncidents = 0

        let started = MonotonicClock.now()
        var report = ProcessReport()
        report.size = "\(reader.width)x\(reader.height)"
        let progress = Progress(total: reader.estimatedFrameCount, enabled: options.showProgress)

        let detectEvery = max(1, options.detectEvery)
        let poolSize = 4 + detectEvery
        let pool = SlotQueue<Picture>(capacity: poolSize, whenFull: .wait)
        for _ in 0..<poolSize { pool.push(Picture(width: reader.width, height: reader.height)) }
        let decoded = SlotQueue<(Picture, [Detection], framesAhead: Int)>(capacity: poolSize, whenFull: .wait)
        let toEncode = SlotQueue<EncoderInput>(capacity: 64, whenFull: .wait)
        let failure = FirstError()

        let frameRate = reader.frameRate, timeBase = reader.timeBase
        // Each thread's own, until it ends: the decode thread reads and detects, the encode thread writes.
        let decodeSide = ThreadOwned((reader: reader, detector: detector, clock: StageClock()))
        let encodeSide = ThreadOwned((writer: writer, clock: StageClock()))
        let decodeDone = DispatchSemaphore(value: 0)
        WorkerThread.start(name: "veil-decode") {
            defer { decoded.close(); decodeDone.signal() }
            let reader = decodeSide.value.reader, detector = decodeSide.value.detector
            do {
                // Frames decoded since the last detection pass; they take the detections of the frame
                // that ends the group (a look-ahead: a face entering the picture is found before the
                // frames it appears in are emitted). The first frame is a group of its own: a face seen
                // only ahead is covered until its frame comes, and the faces already there when the
                // file starts would open it covered.
                var group: [Picture] = []
                var groupSize = 1
                func detectGroup() throws {
                    guard let last = group.last else { return }
                    let detections = try decodeSide.value.clock.time("detect") { try detector.detect(last) }
                    for (index, picture) in group.enumerated() { decoded.push((picture, detections, group.count - 1 - index)) }
                    group.removeAll()
                }
                while let picture = pool.pop() {
                    let more = try decodeSide.value.clock.time("decode") {
                        try reader.read(into: picture) { packet in toEncode.push(.packet(try OwnedPacket(copying: packet))) }
                    }
                    guard more else { return try detectGroup() }
                    group.append(picture)
                    if group.count == groupSize {
                        try detectGroup()
                        groupSize = detectEvery
                    }
                }
            } catch { failure.set(error) }
        }
        let encodeDone = DispatchSemaphore(value: 0)
        WorkerThread.start(name: "veil-encode") {
            defer { encodeDone.signal() }
            let writer = encodeSide.value.writer
            do {
                while let item = toEncode.pop() {
                    switch item {
                    case .picture(let picture):
                        try encodeSide.value.clock.time("encode") { try writer.write(picture) }
                        pool.push(picture)
                    case .packet(let packet):
                        try writer.write(packet)
                    }
                }
            } catch {
                failure.set(error)
                pool.close()
            }
        }

        var lastPTS: Int64?
        let frameInterval = Float(1 / max(frameRate.value, 1))
        while let (picture, detections, framesAhead) = decoded.pop() {
            guard failure.error == nil else { break }
            let interval = lastPTS.map { Float(Double(picture.pts - $0) * timeBase.value) }.flatMap { $0 > 0 ? $0 : nil } ?? frameInterval
            lastPTS = picture.pts
            if options.audit.isDue(frame: report.frames, frameRate: frameRate.value) {
                // Looked at before anything in the picture changes; compared with what the tracks and this
                // frame's pass account for.
                let found = try report.clock.time("second_opinion") { try secondOpinion.detect(picture.y) }
                let growth = FaceTracker.lookAheadGrowth(framesAhead: framesAhead)
                let handled = anonymizer.tracker.tracks.map(\.coveredRegion)
                    + detections.map { $0.box.scaled(by: growth) }
                let missed = SecondOpinion.missed(found, handled: handled)
                anonymizer.coverMissedFaces(missed, framesAgo: 0)
                audited += 1
                recallIncidents += missed.count
            }
            let measure = options.stabilityLog != nil || report.frames % ProcessOptions.stabilitySampling == 0
            let faces = anonymizer.anonymize(picture, detections: detections, framesAhead: framesAhead, frame: report.frames,
                                             interval: interval, measureStability: measure, clock: &report.clock)
            log.record(frame: report.frames, pts: picture.pts, seconds: Double(picture.pts) * timeBase.value, faces: faces)
            toEncode.push(.picture(picture))
            report.frames += 1
            progress.update(report.frames)
        }
        if failure.error != nil { pool.close(); decoded.close() }
        toEncode.close()
        encodeDone.wait()
        decodeDone.wait()
        progress.finish()
        if let error = failure.error { throw error }
        if let cut = reader.cutShort { logger.warning("input ended early: \(cut)") }
        try writer.finish()
        report.summary = try log.finish()
        report.summary.secondOpinionFrames = audited
        report.summary.recallIncidents = recallIncidents
        report.seconds = MonotonicClock.seconds(since: started)
        report.clock.merge(decodeSide.value.clock)
        report.clock.merge(encodeSide.value.clock)
        return report
    }

    private enum EncoderInput {
        case picture(Picture)
        case packet(OwnedPacket)
    }
}

/// The first error any pipeline thread met.
final class FirstError: Sendable {
    private let stored = Mutex<Error?>(nil)
    var error: Error? { stored.withLock { $0 } }
    func set(_ error: Error) { stored.withLock { if $0 == nil { $0 = error } } }
}

/// The progress line on a terminal: frames, speed, time left.
final class Progress {
    private let total: Int?
    private let enabled: Bool
    private let start = MonotonicClock.now()
    private var lastPrint: UInt64 = 0

    init(total: Int?, enabled: Bool) {
        self.total = total
        self.enabled = enabled
    }

    func update(_ frames: Int) {
        guard enabled else { return }
        let now = MonotonicClock.now()
        guard now - lastPrint > 250_000_000 else { return }
        lastPrint = now
        let elapsed = Double(now - start) / 1e9
        let fps = Double(frames) / max(elapsed, 1e-3)
        var line = "\rframes \(frames)"
        if let total, total > 0 {
            let left = max(0, Double(total - frames) / max(fps, 1e-3))
            line += "/\(total)  \(String(format: "%.1f", fps)) fps  ETA \(Int(left) / 60):\(String(format: "%02d", Int(left) % 60))"
        } else {
            line += "  \(String(format: "%.1f", fps)) fps"
        }
        FileHandle.standardError.write(Data((line + "   ").utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
