import ArgumentParser
import Foundation
import Logging
import VeilAnonymize
import VeilCore
import VeilMedia
import VeilPipeline

extension AnonymizeMode: ExpressibleByArgument {}
extension PreserveMode: ExpressibleByArgument {}
extension Audit: ExpressibleByArgument {}

struct ProcessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "process",
        abstract: "De-identify a video file: every face swapped for a donor face (or covered), audio kept.")

    @Argument(help: "Input video: a file path or any URL FFmpeg can open.")
    var input: String

    @Option(name: .shortAndLong, help: "Output file; the container follows the extension (.mp4, .mkv, .mov).")
    var output: String

    @Option(help: "How faces are hidden: swapped for a donor face, or covered.")
    var mode: AnonymizeMode = .swap

    @Option(help: "A donor face image, or a directory of them (default: the built-in public-domain donors).")
    var donor: String?

    @Option(help: "keypoints: keep the subject's landmark positions; dynamics: take the donor's face shape, keep every movement.")
    var preserve: PreserveMode = .keypoints

    @Option(name: .customLong("stability-log"), help: "Write per-frame keypoint stability and identity checks here (JSON Lines).")
    var stabilityLog: String?

    @Option(name: .customLong("identity-margin"), help: "Face-descriptor distance a swapped face must keep from its subject, 0.5 to 2.")
    var identityMargin = Float(IdentityThresholds.defaultMargin)

    @Option(help: "A consent directory written by `veil enroll`: faces matching an enrolled person closely are left as they are.")
    var consent: String?

    @Option(help: "x264 preset.")
    var preset = "ultrafast"

    @Option(help: "x264 constant rate factor (lower: better quality, bigger file).")
    var crf = 18

    @Option(name: .customLong("detector-width"), help: "Width the frame is scaled to for face detection (larger finds smaller faces; default and least: what finds every face from 1/40 of the picture's width).")
    var detectorWidth: Int?

    @Option(help: "How often a second face detector of another model family (dlib HOG) checks a frame: sampled (one a second) or every-frame.")
    var audit: Audit = .sampled

    @Option(name: .customLong("detect-every"), help: "Run the face detector on one frame in N; the frames before it use its detections (look-ahead) and every face's landmarks are re-fitted on every frame.")
    var detectEvery = ProcessOptions(input: "", output: "").detectEvery

    func validate() throws {
        guard (1...5).contains(detectEvery) else { throw ValidationError("--detect-every must be between 1 and 5") }
        guard (Float(IdentityThresholds.lowestMargin)...2).contains(identityMargin) else {
            throw ValidationError("--identity-margin must be between \(IdentityThresholds.lowestMargin) and 2: below, a swap that still looks like the subject would pass")
        }
        guard (0...51).contains(crf) else { throw ValidationError("--crf must be between 0 and 51") }
        if let detectorWidth, !(64...3840).contains(detectorWidth) { throw ValidationError("--detector-width must be between 64 and 3840") }
    }

    func run() throws {
        let logger = Logger.veil

        var options = ProcessOptions(input: input, output: output)
        options.anonymizer.mode = mode
        options.anonymizer.preserve = preserve
        options.anonymizer.identityMargin = identityMargin
        options.donors = donor
        options.consent = consent
        options.stabilityLog = stabilityLog
        options.encoder.preset = preset
        options.encoder.crf = Double(crf)
        options.detectorWidth = detectorWidth
        options.detectEvery = detectEvery
        options.audit = audit
        options.showProgress = isatty(STDERR_FILENO) != 0
        let processor = FileProcessor(options: options, logger: logger)
        let report = try runReportingErrors { try Interruption.removing({ processor.partialFiles }) { try processor.run() } }
        let fps = Double(report.frames) / max(report.seconds, 1e-9)
        print("veil: wrote \(output): \(report.frames) frames in \(String(format: "%.1f", report.seconds)) s (\(String(format: "%.1f", fps)) fps)")
        if let log = stabilityLog { print("veil: stability log \(log)") }
        print("veil: " + Self.figures(report.summary))
    }

    /// The summary's figures as key=value pairs, in the log's own names.
    private static func figures(_ summary: StabilitySummaryRecord) -> String {
        let object = (try? JSONSerialization.jsonObject(with: Data(StabilitySchema.line(summary).utf8))) as? [String: Any] ?? [:]
        return object.filter { !["summary", "schema"].contains($0.key) }.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }
}
