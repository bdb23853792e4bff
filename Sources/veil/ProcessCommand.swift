import ArgumentParser
import Foundation
import Logging
import VeilAnonymize
import VeilArchive
import VeilCore
import VeilMedia
import VeilPipeline

extension AnonymizeMode: ExpressibleByArgument {}
extension PreserveMode: ExpressibleByArgument {}
extension Audit: ExpressibleByArgument {}
extension AudioHandling: ExpressibleByArgument {}
extension RenameMode: ExpressibleByArgument {}

struct ProcessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "process",
        abstract: "De-identify a video file, or a whole archive: every face swapped for a donor face (or covered).",
        discussion: """
            One input and an output file: that file. Directories, several files or --list, with -o naming a directory \
            (OUTDIR): an archive. Its tree is mirrored under OUTDIR with the same names (the extension kept where Veil \
            writes that container, else .mkv, or set by --format); each output is written under a hidden temporary name \
            and renamed when complete. An audit manifest (JSON Lines, one file per shard) goes to OUTDIR/.veil/: every \
            input's size and SHA-256, its output's SHA-256, the times, Veil's version, the SHA-256 of every model and \
            donor, the settings, the figures and the outcome. Running the same command again skips every input whose \
            output is recorded and still verifies, and does the rest: a killed run resumes. `veil manifest OUTDIR` \
            verifies an archive.

            Shards: --shard I/N takes a stable share of the inputs (by path). Without it, a Slurm job array's task \
            (SLURM_ARRAY_TASK_ID of SLURM_ARRAY_TASK_COUNT) or a Kubernetes Indexed Job's JOB_COMPLETION_INDEX with \
            --shard-count picks the share; otherwise every input is this run's. Shards may run at once, on machines \
            sharing OUTDIR.

            Container and stream metadata (creation time, device, GPS location) are never copied.

            Exit status: 0 every input done (or already done); 3 some inputs failed (each named on stderr and in the \
            manifest), the others done; 75 retry later: a transient fault (disk full, OUTDIR unreachable, the shard \
            already running) stopped the run, and running it again finishes it; 1 nothing could start (a missing input, \
            a broken install); 64 a bad option.
            """)

    @Argument(help: "Input video (a file path or any URL FFmpeg can open), or several files and directories (an archive).")
    var inputs: [String] = []

    @Option(name: .shortAndLong, help: "Output file (the container follows the extension: .mp4, .mkv, .mov), or for an archive its output directory.")
    var output: String

    @Option(help: ArgumentHelp("A file listing the inputs, one a line (an archive).", valueName: "file"))
    var list: String?

    @Option(help: "Files processed side by side (an archive); default: as many as the cores allow.")
    var jobs: Int?

    @Option(help: ArgumentHelp("Take only this share of an archive's inputs, e.g. 0/4.", valueName: "I/N"))
    var shard: String?

    @Option(name: .customLong("shard-count"), help: "With JOB_COMPLETION_INDEX (a Kubernetes Indexed Job): the number of shards.")
    var shardCount: Int?

    @Option(help: "The container of every output of an archive: mp4, mkv or mov (default: the input's, or mkv).")
    var format: String?

    @Option(help: "Audio: keep (copied unchanged) or drop (voices and spoken names identify: drop for research sharing).")
    var audio: AudioHandling = .keep

    @Option(help: "Output names of an archive: keep (the input's path) or hash (the input's SHA-256, the mapping only in the manifest).")
    var rename: RenameMode = .keep

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
        guard !inputs.isEmpty || list != nil else { throw ValidationError("no input given: name a file, files or directories, or give --list FILE") }
        if let jobs, !(1...64).contains(jobs) { throw ValidationError("--jobs must be between 1 and 64") }
        if let format, !ArchiveLayout.containers.contains(format) {
            throw ValidationError("--format '\(format)': use \(ArchiveLayout.containers.joined(separator: ", "))")
        }
        if !isArchive {
            let archiveOnly = [("--jobs", jobs != nil), ("--shard", shard != nil), ("--shard-count", shardCount != nil),
                               ("--format", format != nil), ("--rename", rename != .keep)].filter(\.1).map(\.0)
            if let first = archiveOnly.first {
                throw ValidationError("\(first) is for an archive: give directories, several files or --list, and -o a directory")
            }
        }
        guard (1...5).contains(detectEvery) else { throw ValidationError("--detect-every must be between 1 and 5") }
        guard (Float(IdentityThresholds.lowestMargin)...2).contains(identityMargin) else {
            throw ValidationError("--identity-margin must be between \(IdentityThresholds.lowestMargin) and 2: below, a swap that still looks like the subject would pass")
        }
        guard (0...51).contains(crf) else { throw ValidationError("--crf must be between 0 and 51") }
        if let detectorWidth, !(64...3840).contains(detectorWidth) { throw ValidationError("--detector-width must be between 64 and 3840") }
    }

    /// Many inputs, a directory, a list, or an existing directory as the output.
    private var isArchive: Bool {
        var isDirectory: ObjCBool = false
        let outputIsDirectory = output.hasSuffix("/") || (FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory) && isDirectory.boolValue)
        let inputIsDirectory = inputs.count == 1 && FileManager.default.fileExists(atPath: inputs[0], isDirectory: &isDirectory) && isDirectory.boolValue
        return inputs.count != 1 || list != nil || inputIsDirectory || outputIsDirectory
    }

    func run() throws {
        let options = processOptions(input: inputs.first ?? "", output: output)
        if isArchive { return try runArchive(options) }
        let processor = FileProcessor(options: options, logger: Logger.veil)
        let report = try runReportingErrors { try Interruption.removing({ processor.partialFiles }) { try processor.run() } }
        let fps = Double(report.frames) / max(report.seconds, 1e-9)
        print("veil: wrote \(output): \(report.frames) frames in \(String(format: "%.1f", report.seconds)) s (\(String(format: "%.1f", fps)) fps)")
        if let log = stabilityLog { print("veil: stability log \(log)") }
        print("veil: " + Self.figures(report.summary))
    }

    private func processOptions(input: String, output: String) -> ProcessOptions {
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
        options.audio = audio
        options.showProgress = isatty(STDERR_FILENO) != 0
        return options
    }

    private func runArchive(_ template: ProcessOptions) throws {
        if stabilityLog != nil { throw ValidationError("--stability-log is for one file; an archive's figures are in its manifest") }
        var file = template
        file.showProgress = false
        let (run, resolvedShard, shardInputs) = try runReportingErrors {
            let roots = try inputs + (list.map(ArchiveInputs.readList) ?? [])
            let options = ArchiveOptions(
                inputs: try ArchiveInputs.list(roots, excluding: output), outputDirectory: output,
                shard: try ArchiveShard.resolve(shard: shard, shardCount: shardCount, environment: ProcessInfo.processInfo.environment),
                jobs: jobs ?? Self.automaticJobs, format: format, rename: rename, file: file, settings: settings)
            let run = ArchiveRun(options: options, logger: Logger.veil) { outcome, line in
                switch outcome {
                // Unbuffered, so that a scheduler's log shows each file as it ends.
                case .done, .skipped: FileHandle.standardOutput.write(Data("veil: \(outcome.rawValue): \(line)\n".utf8))
                case .failed: FileHandle.standardError.write(Data("veil: failed: \(line)\n".utf8))
                case .retry: FileHandle.standardError.write(Data("veil: retry later: \(line)\n".utf8))
                }
            }
            return (run, options.shard, run.shardInputs.count)
        }
        let tally: ArchiveTally
        do {
            tally = try Interruption.removing({ run.partialFiles }) { try run.run() }
        } catch let fault as ArchiveRetry {
            FileHandle.standardError.write(Data("veil: retry later: \(fault)\n".utf8))
            throw ExitCode(ArchiveTally.retryLater)
        } catch {
            FileHandle.standardError.write(Data("veil: error: \(error)\n".utf8))
            throw ExitCode.failure
        }
        print("veil: \(resolvedShard == .whole ? "" : "shard \(resolvedShard): ")\(shardInputs) inputs: \(tally.done) done, \(tally.skipped) already done, "
              + "\(tally.failed) failed\(tally.retry + tally.notStarted > 0 ? ", \(tally.retry + tally.notStarted) left for a retry" : "")")
        if tally.exitStatus != 0 { throw ExitCode(tally.exitStatus) }
    }

    /// Files side by side: one per core. A file's pipeline (decode and detect, landmarks and swap,
    /// encode: three threads) leaves cores partly idle while its stages wait on each other; on 2 cores
    /// two files at once did 8% more files per hour than one. Each job holds about 0.5 GiB, so at
    /// most one per GiB of memory.
    static var automaticJobs: Int {
        let memoryGiB = Int(ProcessInfo.processInfo.physicalMemory >> 30)
        return max(1, min(ProcessInfo.processInfo.activeProcessorCount, memoryGiB))
    }

    /// The options that shape an output, by their option names: a finished output is reused only when
    /// they are the same.
    private var settings: [String: String] {
        var settings = ["mode": mode.rawValue, "preserve": preserve.rawValue, "identity-margin": "\(identityMargin)",
                        "preset": preset, "crf": "\(crf)", "detect-every": "\(detectEvery)", "audit": audit.rawValue,
                        "audio": audio.rawValue, "rename": rename.rawValue]
        settings["donor"] = donor
        settings["consent"] = consent
        settings["detector-width"] = detectorWidth.map { "\($0)" }
        settings["format"] = format
        return settings
    }

    /// The summary's figures as key=value pairs, in the log's own names.
    private static func figures(_ summary: StabilitySummaryRecord) -> String {
        let object = (try? JSONSerialization.jsonObject(with: Data(StabilitySchema.line(summary).utf8))) as? [String: Any] ?? [:]
        return object.filter { !["summary", "schema"].contains($0.key) }.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }
}
