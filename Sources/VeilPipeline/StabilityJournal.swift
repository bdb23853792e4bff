import VeilCore
import Foundation
import Logging

/// The daemon's stability log: JSON Lines shared by every camera (each line names its camera), appended
/// to by the cameras' processing threads and written by its own thread once a second, so that a slow
/// disk never holds a frame. Rotated by size: the full file becomes FILE.1, FILE.1 becomes FILE.2, and
/// so on up to `keep`. Lines the writer cannot keep up with are dropped and counted, never queued
/// without bound. It holds figures only, never pixels.
// @unchecked: `pending` and the counts are under `lock`; the file belongs to the writer thread (or to
// close() when it never started).
public final class StabilityJournal: @unchecked Sendable {
    public let path: String
    private let maxBytes: Int64
    private let keep: Int
    private let flushInterval: TimeInterval
    private let logger: Logger
    private let lock = NSCondition()
    // Under the lock: what the cameras handed over and the writer has not taken yet.
    private var pending = Data()
    private var droppedLines = 0
    private var stopping = false
    private var started = false
    private let finished = DispatchSemaphore(value: 0)
    // The writer's own.
    private var descriptor: Int32
    private var size: Int64
    private var failing = false

    /// Pending bytes beyond which new lines are dropped: far more than a second of any camera's records.
    static let pendingLimit = 8 << 20

    /// Opens (creating, or appending to) the log; throws one clear line when it cannot be written.
    /// `flushInterval`: how often the writer thread writes what the cameras handed over.
    public init(path: String, maxBytes: Int64, keep: Int, flushInterval: TimeInterval = 1, logger: Logger) throws {
        self.path = path
        self.flushInterval = flushInterval
        self.maxBytes = maxBytes
        self.keep = max(1, keep)
        self.logger = logger
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        (descriptor, size) = try Self.open(path)
    }

    deinit { if descriptor >= 0 { Foundation.close(descriptor) } }

    private static func open(_ path: String) throws -> (Int32, Int64) {
        let descriptor = Foundation.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else {
            throw UserError("cannot write stability log '\(path)': \(errnoText(errno))")
        }
        var status = stat()
        fstat(descriptor, &status)
        return (descriptor, Int64(status.st_size))
    }

    /// One frame's faces from one camera.
    public func append(camera: String, frame: Int, time: Double, faces: [FaceRecord]) {
        guard !faces.isEmpty else { return }
        var lines = ""
        for face in faces { lines += StabilitySchema.line(face.stabilityRecord(frame: frame, time: time, camera: camera)) + "\n" }
        enqueue(lines)
    }

    /// A camera's figures over a window, or its summary at shutdown.
    public func append(camera: String, figures: StabilityFigures, time: Double, window: Int?, frames: Int? = nil) {
        var record = StabilitySummaryRecord(summary: window == nil)
        record.window = window
        record.camera = camera
        record.time = StabilitySchema.seconds(time)
        record.frames = frames
        record.faces = figures.faces
        record.facesMeasured = figures.measuredFaces
        record.nmeMean = StabilitySchema.figure(figures.nme)
        record.nmeDynamicMean = StabilitySchema.figure(figures.nmeDynamic)
        record.oksMean = StabilitySchema.figure(figures.oks)
        record.jitterInputMean = StabilitySchema.figure(figures.jitterInput)
        record.jitterOutputMean = StabilitySchema.figure(figures.jitterOutput)
        record.identityChecks = figures.identityChecks
        record.identityPassed = figures.identityPassed
        record.identityDistanceMin = StabilitySchema.figure(figures.identityDistanceMin)
        record.identityIncidents = figures.incidents
        record.facesCovered = figures.covered
        record.facesConsented = figures.consented
        enqueue(StabilitySchema.line(record) + "\n")
    }

    private func enqueue(_ lines: String) {
        let bytes = lines.utf8
        lock.lock()
        if stopping || pending.count + bytes.count > Self.pendingLimit {
            droppedLines += Self.lineCount(bytes)
        } else {
            pending.append(contentsOf: bytes)
        }
        lock.unlock()
    }

    private static func lineCount(_ bytes: some Sequence<UInt8>) -> Int {
        bytes.reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
    }

    public func start() {
        started = true
        WorkerThread.start(name: "veil-stability-log") { [self] in
            while true {
                lock.lock()
                if !stopping { _ = lock.wait(until: Date(timeIntervalSinceNow: flushInterval)) }
                let chunk = pending, last = stopping
                pending.removeAll(keepingCapacity: true)
                lock.unlock()
                write(chunk)
                if last { break }
            }
            closeFile()
            finished.signal()
        }
    }

    /// Writes what is pending, syncs and closes; later lines are dropped.
    public func close() {
        lock.lock()
        let wasStopping = stopping
        stopping = true
        lock.broadcast()
        lock.unlock()
        guard !wasStopping else { return }
        if started {
            finished.wait()
        } else {
            write(pending)
            closeFile()
        }
    }

    /// Lines dropped because the disk could not keep up (or the log could not be written).
    public var dropped: Int {
        lock.lock()
        defer { lock.unlock() }
        return droppedLines
    }

    // The file's state (descriptor, size, failing) belongs to the writer thread, or to close() when it
    // never started: the cameras only ever touch `pending`, under the lock.
    private func write(_ chunk: Data) {
        guard !chunk.isEmpty, descriptor >= 0 else { return }
        if size > 0, size + Int64(chunk.count) > maxBytes { rotate() }
        let written = descriptor < 0 ? -1 : chunk.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        if written == chunk.count {
            size += Int64(written)
            if failing { logger.notice("stability log \(path): writing again") }
            failing = false
        } else {
            let lines = Self.lineCount(chunk)
            lock.lock()
            droppedLines += lines
            lock.unlock()
            if !failing { logger.error("stability log \(path): cannot write: \(errnoText(errno)); lines are dropped until it can") }
            failing = true
        }
    }

    private func closeFile() {
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        Foundation.close(descriptor)
        descriptor = -1
    }

    private func rotate() {
        fsync(descriptor)
        Foundation.close(descriptor)
        descriptor = -1
        unlink("\(path).\(keep)")
        for index in stride(from: keep - 1, through: 1, by: -1) {
            rename("\(path).\(index)", "\(path).\(index + 1)")
        }
        rename(path, "\(path).1")
        do {
            (descriptor, size) = try Self.open(path)
        } catch {
            logger.error("\(error)")
        }
    }
}
