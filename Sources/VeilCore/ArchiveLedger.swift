/// Where every input of an archive stands, merged from all its shards' manifests: what `veil manifest`
/// prints and a resumed run starts from. The latest record of each input wins (by its end time), and
/// every finished output is checked against the SHA-256 recorded when it was written.
public struct ArchiveLedger: Sendable {
    public enum Status: String, Codable, Sendable {
        /// Done, and the output's bytes are those recorded.
        case verified
        /// Done, but the output's bytes have changed since.
        case modified
        /// Done, but the output is gone.
        case outputMissing = "output-missing"
        case failed
        /// Stopped by a transient fault; to be run again.
        case retry
        /// Listed by a run, never finished (a run killed before it, or still running).
        case missing
    }

    public struct Entry: Equatable, Sendable {
        public let key: String
        public let status: Status
        /// The input's latest record; nil for an input no run has reached.
        public let record: ArchiveFileRecord?
    }

    /// Every input that a run listed or recorded, by key.
    public let entries: [Entry]
    /// Shards ("I/N") of the latest shard count that have no run on record.
    public let missingShards: [String]
    /// Inputs of those shards, counted from the runs' total: they are missing too, though unnamed.
    public let unlisted: Int

    /// `digest`: the SHA-256 of an output (its path relative to OUTDIR), nil when it cannot be read.
    public init(lines: [ArchiveLine], digest: (String) -> String?) {
        let runs = lines.compactMap { if case .run(let run) = $0 { run } else { nil } }
        let latest = Self.latestRecords(lines)
        let shardCount = runs.max { $0.started < $1.started }.flatMap { ArchiveLedger.count(of: $0.shard) } ?? 1
        let runsOfThatCount = runs.filter { Self.count(of: $0.shard) == shardCount }
        var latestRunPerShard: [String: ArchiveRunRecord] = [:]
        for run in runsOfThatCount where latestRunPerShard[run.shard].map({ $0.started <= run.started }) ?? true {
            latestRunPerShard[run.shard] = run
        }
        var keys = Set(latest.keys)
        for run in latestRunPerShard.values { keys.formUnion(run.inputs) }
        entries = keys.sorted().map { key in
            guard let record = latest[key] else { return Entry(key: key, status: .missing, record: nil) }
            switch record.outcome {
            case .failed: return Entry(key: key, status: .failed, record: record)
            case .retry: return Entry(key: key, status: .retry, record: record)
            case .done, .skipped:
                guard let output = record.output, let found = digest(output) else {
                    return Entry(key: key, status: .outputMissing, record: record)
                }
                return Entry(key: key, status: found == record.outputSHA256 ? .verified : .modified, record: record)
            }
        }
        missingShards = (0..<shardCount).map { "\($0)/\(shardCount)" }.filter { latestRunPerShard[$0] == nil }
        let total = runsOfThatCount.map(\.inputsTotal).max() ?? keys.count
        unlisted = missingShards.isEmpty ? 0 : max(0, total - keys.count)
    }

    /// Each input's latest finished record (done or skipped): the outputs a resumed run may keep.
    public static func finishedRecords(_ lines: [ArchiveLine]) -> [String: ArchiveFileRecord] {
        latestRecords(lines.filter {
            if case .file(let record) = $0 { return record.outcome == .done || record.outcome == .skipped }
            return false
        })
    }

    private static func latestRecords(_ lines: [ArchiveLine]) -> [String: ArchiveFileRecord] {
        var latest: [String: ArchiveFileRecord] = [:]
        for case .file(let record) in lines where latest[record.key].map({ $0.ended <= record.ended }) ?? true {
            latest[record.key] = record
        }
        return latest
    }

    private static func count(of shard: String) -> Int? {
        shard.split(separator: "/").last.flatMap { Int($0) }
    }

    public func count(_ status: Status) -> Int { entries.filter { $0.status == status }.count }
    /// Inputs recorded as done (their output verified or not).
    public var done: Int { count(.verified) + count(.modified) + count(.outputMissing) }
    public var failed: Int { count(.failed) + count(.retry) }
    public var missing: Int { count(.missing) + unlisted }
    public var files: Int { entries.count + unlisted }
    /// "8 files: 7 done, 6 verified, 1 failed, 0 missing": what `veil manifest` and the reports say.
    public var summary: String {
        "\(files) files: \(done) done, \(count(.verified)) verified, \(failed) failed, \(missing) missing"
    }

    /// Every input done, every output as recorded, no shard unaccounted for.
    public var isComplete: Bool { files > 0 && count(.verified) == files }
}
