import Foundation
import Synchronization
import VeilCore

/// A fault that will likely pass (disk full, output folder unreachable, the shard already running
/// elsewhere): the run stops and exits with "retry later", and nothing it finished is lost.
public struct ArchiveRetry: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One shard's manifest, OUTDIR/.veil/shard-I-of-N.jsonl, held by one process at a time (an exclusive
/// flock on its .lock file, which Linux's NFS client turns into a lock on the server): shards on
/// machines sharing OUTDIR never write the same file, and a second start of the same shard is refused.
/// Each record is one write() of one whole line, flushed to disk before the next input starts.
public final class ArchiveManifest: Sendable {
    public let path: String
    private let descriptor: Int32
    private let lockDescriptor: Int32
    private let writing = Mutex(())

    public init(outputDirectory: String, shard: ArchiveShard) throws(ArchiveRetry) {
        let folder = (outputDirectory as NSString).appendingPathComponent(ArchiveLayout.stateFolder)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ArchiveRetry("cannot create '\(folder)': \((error as NSError).localizedFailureReason ?? "\(error)")")
        }
        let lockPath = (folder as NSString).appendingPathComponent(shard.fileStem + ".lock")
        lockDescriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lockDescriptor >= 0 else { throw ArchiveRetry("cannot open '\(lockPath)': \(errnoText(errno))") }
        guard flock(lockDescriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(lockDescriptor)
            throw ArchiveRetry(code == EWOULDBLOCK
                ? "shard \(shard) is already running on this OUTDIR (its lock '\(lockPath)' is held)"
                : "cannot lock '\(lockPath)': \(errnoText(code))")
        }
        path = (folder as NSString).appendingPathComponent(shard.fileStem + ".jsonl")
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let code = errno
            close(lockDescriptor)
            throw ArchiveRetry("cannot open '\(path)': \(errnoText(code))")
        }
        // A run killed mid-write leaves a torn last line; the next record starts on a line of its own.
        if let existing = FileManager.default.contents(atPath: path), let last = existing.last, last != UInt8(ascii: "\n") {
            try write(Array("\n".utf8))
        }
    }

    deinit {
        close(descriptor)
        close(lockDescriptor)
    }

    public func append<Record: Encodable>(_ record: Record) throws(ArchiveRetry) {
        try writing.withLock { _ throws(ArchiveRetry) in try write(Array((ArchiveSchema.line(record) + "\n").utf8)) }
    }

    private func write(_ bytes: [UInt8]) throws(ArchiveRetry) {
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw ArchiveRetry("cannot write '\(path)': \(written < 0 ? errnoText(errno) : "short write")")
        }
        guard fsync(descriptor) == 0 else { throw ArchiveRetry("cannot write '\(path)': \(errnoText(errno))") }
    }

    /// Every record of every shard under OUTDIR (none when there is no manifest yet).
    public static func readAll(outputDirectory: String) -> [ArchiveLine] {
        let folder = (outputDirectory as NSString).appendingPathComponent(ArchiveLayout.stateFolder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasPrefix("shard-") && $0.hasSuffix(".jsonl") }.sorted().flatMap { name in
            let text = FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent(name))
            return ArchiveLine.parse(text.map { String(decoding: $0, as: UTF8.self) } ?? "")
        }
    }
}
