/// One share of an archive's inputs, "I/N": the inputs whose path hashes to I modulo N. The share is
/// decided by each input's path below the archive's root (FNV-1a, the same on every machine and in every
/// run), never by the order a directory happens to list them in, so that shards started on different
/// machines split an archive without talking to each other, and a file added later does not move the
/// others to another shard.
public struct ArchiveShard: Equatable, Sendable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    /// Every input: no shard given and no scheduler's variables set.
    public static let whole = ArchiveShard(checkedIndex: 0, count: 1)

    private init(checkedIndex index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    public init(index: Int, count: Int, source: String) throws(UserError) {
        guard count >= 1 else { throw UserError("\(source): the shard count must be 1 or more, not \(count)") }
        guard (0..<count).contains(index) else {
            throw UserError("\(source): shard index \(index) is outside 0...\(count - 1)")
        }
        self.init(checkedIndex: index, count: count)
    }

    /// "I/N", as `--shard` takes it.
    public init(parsing text: String) throws(UserError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw UserError("--shard '\(text)': expected I/N, e.g. 0/4 for the first of four shards")
        }
        try self.init(index: index, count: count, source: "--shard \(text)")
    }

    /// The shard this process takes: `--shard` if given; else a Slurm job array's task
    /// (SLURM_ARRAY_TASK_ID, counted from SLURM_ARRAY_TASK_MIN in steps of SLURM_ARRAY_TASK_STEP, out of
    /// SLURM_ARRAY_TASK_COUNT); else a Kubernetes Indexed Job's JOB_COMPLETION_INDEX out of
    /// `shardCount` (Kubernetes does not tell a pod the Job's completions); else every input.
    public static func resolve(shard: String?, shardCount: Int?, environment: [String: String]) throws(UserError) -> ArchiveShard {
        if let shard { return try ArchiveShard(parsing: shard) }
        func number(_ name: String) throws(UserError) -> Int? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Int(text) else { throw UserError("\(name)='\(text)' is not a whole number") }
            return value
        }
        if let task = try number("SLURM_ARRAY_TASK_ID") {
            guard let count = try number("SLURM_ARRAY_TASK_COUNT") else {
                throw UserError("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: give --shard I/N")
            }
            let first = try number("SLURM_ARRAY_TASK_MIN") ?? 0
            let step = max(1, try number("SLURM_ARRAY_TASK_STEP") ?? 1)
            guard (task - first) % step == 0 else {
                throw UserError("SLURM_ARRAY_TASK_ID \(task) is not on the array's steps (from \(first) by \(step)): give --shard I/N")
            }
            return try ArchiveShard(index: (task - first) / step, count: count, source: "Slurm array task \(task)")
        }
        if let index = try number("JOB_COMPLETION_INDEX") {
            guard let shardCount else {
                throw UserError("JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but --shard-count is not: give the Job's completions")
            }
            return try ArchiveShard(index: index, count: shardCount, source: "JOB_COMPLETION_INDEX \(index) of --shard-count \(shardCount)")
        }
        if let shardCount, shardCount != 1 {
            throw UserError("--shard-count \(shardCount) needs JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) or --shard I/N")
        }
        return .whole
    }

    /// Whether the input at `key` (its path below the archive's root) is this shard's.
    public func owns(_ key: String) -> Bool {
        Self.stableHash(key) % UInt64(count) == UInt64(index)
    }

    /// 64-bit FNV-1a over the UTF-8 bytes: small, fixed by its definition, the same everywhere (Swift's
    /// own Hasher is seeded anew in every process).
    static func stableHash(_ key: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// The shard's part of file names under OUTDIR/.veil/, e.g. "shard-0-of-4".
    public var fileStem: String { "shard-\(index)-of-\(count)" }

    public var description: String { "\(index)/\(count)" }
}
