import Foundation
import Logging
import Synchronization
import VeilCore
import VeilMedia
import VeilPipeline
import VeilVision

/// Everything an archive run needs to know.
public struct ArchiveOptions: Sendable {
    public var inputs: [ArchiveInput]
    public var outputDirectory: String
    public var shard: ArchiveShard
    /// Files processed side by side.
    public var jobs: Int
    /// The output container for every file; nil: the input's (see ArchiveLayout).
    public var format: String?
    public var rename: RenameMode
    /// Each file's processing options; their input and output are set per file.
    public var file: ProcessOptions
    /// The options that shape an output, as the manifest records them.
    public var settings: [String: String]

    public init(inputs: [ArchiveInput], outputDirectory: String, shard: ArchiveShard, jobs: Int, format: String?,
                rename: RenameMode, file: ProcessOptions, settings: [String: String]) {
        self.inputs = inputs
        self.outputDirectory = outputDirectory
        self.shard = shard
        self.jobs = jobs
        self.format = format
        self.rename = rename
        self.file = file
        self.settings = settings
    }
}

/// What a run did to its shard's inputs.
public struct ArchiveTally: Equatable, Sendable {
    public var done = 0
    public var skipped = 0
    public var failed = 0
    public var retry = 0
    /// Inputs not started because a transient fault stopped the run.
    public var notStarted = 0

    public init() {}

    /// The exit status a scheduler acts on: 0 every input done; `someFailed` when any input failed
    /// (each is named on stderr and in the manifest); `retryLater` when a transient fault stopped the
    /// run (running it again later finishes it), which outranks failures.
    public var exitStatus: Int32 {
        if retry > 0 || notStarted > 0 { return ArchiveTally.retryLater }
        return failed > 0 ? ArchiveTally.someFailed : 0
    }

    public static let someFailed: Int32 = 3
    /// EX_TEMPFAIL from sysexits.h, which schedulers and mail systems read as "try again".
    public static let retryLater: Int32 = 75
}

/// `veil process DIR|FILE... -o OUTDIR`: this shard's inputs, `jobs` at a time, each written under a
/// temporary name and renamed when complete (FileProcessor), each recorded in the shard's manifest.
/// An input whose finished output is on record for the same bytes and settings, and still verifies,
/// is skipped: running the same command again after a kill resumes.
public final class ArchiveRun: Sendable {
    private let options: ArchiveOptions
    private let logger: Logger
    /// One line per input as it ends: "done ...", "skipped ...", "failed ...".
    private let report: @Sendable (ArchiveOutcome, String) -> Void
    /// The temporary names of the outputs being written (AtomicFile's, which the writer takes).
    private let writing = Mutex<Set<String>>([])

    public init(options: ArchiveOptions, logger: Logger, report: @escaping @Sendable (ArchiveOutcome, String) -> Void) {
        self.options = options
        self.logger = logger
        self.report = report
    }

    /// The temporary files of the files being written: an interrupted command removes them.
    public var partialFiles: [String] { writing.withLock { Array($0) } }

    /// This shard's share of the inputs.
    public var shardInputs: [ArchiveInput] { options.inputs.filter { options.shard.owns($0.key) } }

    public func run() throws -> ArchiveTally {
        let mine = shardInputs
        let manifest = try ArchiveManifest(outputDirectory: options.outputDirectory, shard: options.shard)
        let recorded = ArchiveManifest.readAll(outputDirectory: options.outputDirectory)
        let reusable = Self.reusableRecords(recorded, settings: options.settings)
        let data = try DataDirectory.locate()
        let runID = "\(ProcessInfo.processInfo.hostName)-\(getpid())-\(ArchiveSchema.timestamp(Date()))"
        let workers = max(1, min(options.jobs, mine.count))
        // Loaded before any file starts: a broken install or donor fails the run once, not every file.
        let resources = try (0..<workers).map { _ in ThreadOwned(try FileProcessor.resources(for: options.file, data: data, logger: logger)) }
        try manifest.append(ArchiveRunRecord(
            run: runID, host: ProcessInfo.processInfo.hostName, pid: getpid(), shard: options.shard,
            started: ArchiveSchema.timestamp(Date()), models: try Self.digests(of: [data.detectorModel, data.landmarkModel, data.descriptorModel]),
            donors: resources[0].value.models.donorDigests, settings: options.settings, inputsTotal: options.inputs.count, inputs: mine.map(\.key)))

        let next = Mutex(0)
        let tally = Mutex(ArchiveTally())
        let stop = Mutex<ArchiveRetry?>(nil)
        let group = DispatchGroup()
        for worker in 0..<workers {
            group.enter()
            let workerResources = resources[worker]
            WorkerThread.start(name: "veil-archive-\(worker)") {
                defer { group.leave() }
                while stop.withLock({ $0 == nil }) {
                    let index = next.withLock { index in defer { index += 1 }; return index }
                    guard index < mine.count else { return }
                    do throws(ArchiveRetry) {
                        let outcome = try self.process(mine[index], run: runID, finished: reusable[mine[index].key],
                                                       resources: workerResources.value, manifest: manifest)
                        tally.withLock { tally in
                            switch outcome {
                            case .done: tally.done += 1
                            case .skipped: tally.skipped += 1
                            case .failed: tally.failed += 1
                            case .retry: tally.retry += 1
                            }
                        }
                    } catch {
                        stop.withLock { if $0 == nil { $0 = error } }
                        tally.withLock { $0.retry += 1 }
                    }
                }
            }
        }
        group.wait()
        var result = tally.withLock { $0 }
        result.notStarted = mine.count - min(mine.count, next.withLock { $0 })
        if let fault = stop.withLock({ $0 }) { logger.error("stopped: \(fault)") }
        return result
    }

    /// One input to its outcome, recorded; throws only a fault that must stop the run.
    private func process(_ input: ArchiveInput, run: String, finished previous: ArchiveFileRecord?, resources: ProcessResources,
                         manifest: ArchiveManifest) throws(ArchiveRetry) -> ArchiveOutcome {
        let started = ArchiveSchema.timestamp(Date())
        var record = ArchiveFileRecord(run: run, input: input.path, key: input.key, started: started, ended: started, outcome: .failed)
        func finish(_ outcome: ArchiveOutcome, _ line: String) throws(ArchiveRetry) -> ArchiveOutcome {
            record.outcome = outcome
            record.ended = ArchiveSchema.timestamp(Date())
            try manifest.append(record)
            report(outcome, line)
            return outcome
        }
        let inputSHA256: String
        do {
            record.inputSize = try Self.size(of: input.path)
            inputSHA256 = try FileDigest.sha256(path: input.path)
            record.inputSHA256 = inputSHA256
        } catch {
            record.reason = error.description
            return try finish(.failed, "\(input.key): \(error)")
        }
        let output = ArchiveLayout.output(for: input, inputSHA256: inputSHA256, format: options.format, rename: options.rename)
        let outputPath = (options.outputDirectory as NSString).appendingPathComponent(output)
        record.output = output
        if let previous, previous.inputSHA256 == inputSHA256, previous.output == output,
           let found = try? FileDigest.sha256(path: outputPath), found == previous.outputSHA256 {
            record.outputSHA256 = found
            record.outputSize = previous.outputSize
            record.figures = previous.figures
            return try finish(.skipped, "\(input.key): already done (\(output) verified)")
        }
        for leftover in ArchiveLayout.leftovers(of: outputPath) { unlink(leftover) }
        var fileOptions = options.file
        fileOptions.input = input.path
        fileOptions.output = outputPath
        let processor = FileProcessor(options: fileOptions, logger: logger, resources: resources)
        let temporary = AtomicFile.temporaryPath(for: outputPath)
        writing.withLock { _ = $0.insert(temporary) }
        defer { writing.withLock { _ = $0.remove(temporary) } }
        do {
            try FileManager.default.createDirectory(atPath: (outputPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let result = try processor.run()
            record.outputSize = try Self.size(of: outputPath)
            record.outputSHA256 = try FileDigest.sha256(path: outputPath)
            record.figures = Self.figures(result)
            return try finish(.done, "\(input.key) → \(output) (\(result.frames) frames, \(String(format: "%.1f", result.seconds)) s)")
        } catch let fault as ArchiveRetry {
            throw fault
        } catch {
            record.reason = "\(error)"
            guard Self.isTransient(error, outputDirectory: options.outputDirectory) else {
                return try finish(.failed, "\(input.key): \(error)")
            }
            _ = try finish(.retry, "\(input.key): \(error)")
            throw ArchiveRetry("\(input.key): \(error)")
        }
    }

    /// Each input's latest finished record, where it was made under `settings` (its run record says).
    static func reusableRecords(_ lines: [ArchiveLine], settings: [String: String]) -> [String: ArchiveFileRecord] {
        var settingsByRun: [String: [String: String]] = [:]
        for case .run(let run) in lines { settingsByRun[run.run] = run.settings }
        return ArchiveLedger.finishedRecords(lines).filter { settingsByRun[$0.value.run] == settings }
    }

    /// A fault of the place outputs go rather than of the input: the disk or quota is full, the network
    /// file system is gone or read-only, or OUTDIR can no longer be written.
    static func isTransient(_ error: Error, outputDirectory: String) -> Bool {
        let text = "\(error)"
        if [ENOSPC, EDQUOT, ESTALE, EROFS, EIO, ENOTCONN, ETIMEDOUT].contains(where: { text.contains(errnoText($0)) }) { return true }
        return access(outputDirectory, W_OK) != 0
    }

    static func figures(_ result: ProcessReport) -> ArchiveFigures {
        let summary = result.summary
        let faces = summary.faces ?? 0
        return ArchiveFigures(frames: result.frames, faces: faces,
                              coveredShare: faces > 0 ? Double(summary.facesCovered ?? 0) / Double(faces) : 0,
                              identityDistanceMin: summary.identityDistanceMin, movementError: summary.nmeDynamicMean,
                              incidents: (summary.identityIncidents ?? 0) + (summary.recallIncidents ?? 0),
                              seconds: result.seconds)
    }

    private static func digests(of files: [String]) throws(UserError) -> [String: String] {
        var digests: [String: String] = [:]
        for file in files {
            do { digests[(file as NSString).lastPathComponent] = try FileDigest.sha256(path: file) } catch {
                throw UserError(error.description)
            }
        }
        return digests
    }

    private static func size(of path: String) throws(AtomicFile.Failure) -> Int64 {
        var status = stat()
        guard stat(path, &status) == 0 else { throw AtomicFile.Failure(action: "read", path: path, reason: errnoText(errno)) }
        return Int64(status.st_size)
    }
}
