import Foundation

/// The audit manifest of an archive run: JSON Lines under OUTDIR/.veil/, one file per shard, appended
/// as the run goes. A `run` record opens every run (what ran, with which models, donors and settings,
/// over which inputs); a `file` record follows for every input of the shard (what came in, what went
/// out, the figures, the outcome). This is its one definition: the writer, `veil manifest` and
/// `veil report` all read and write these types.
public enum ArchiveSchema {
    public static let version = 1

    /// One record as one line of JSON (keys sorted, so equal records give equal lines).
    public static func line<Record: Encodable>(_ record: Record) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(record) else { preconditionFailure("an archive record always encodes") }
        return String(decoding: data, as: UTF8.self)
    }

    /// A moment as the manifest writes it: UTC with milliseconds, so that text order is time order.
    public static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: date)
        let milliseconds = (parts.nanosecond ?? 0) / 1_000_000
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.year!, parts.month!, parts.day!,
                      parts.hour!, parts.minute!, parts.second!, milliseconds)
    }
}

/// What happened to one input.
public enum ArchiveOutcome: String, Codable, Sendable {
    /// Processed now; the output is in place and hashed.
    case done
    /// A finished output was already recorded for the same input and settings, and it verified.
    case skipped
    /// The input could not be processed (`reason` says why); running again tries it again.
    case failed
    /// A transient fault (disk full, output directory unreachable) stopped it: run again later.
    case retry
}

/// The record that opens a run.
public struct ArchiveRunRecord: Codable, Equatable, Sendable {
    public var kind = "run"
    public var schema = ArchiveSchema.version
    /// Unique per run: host, process and start time.
    public var run: String
    public var host: String
    public var pid: Int32
    /// "I/N".
    public var shard: String
    public var started: String
    public var veilVersion = VeilVersion.current
    /// SHA-256 of every model file used, by file name.
    public var models: [String: String]
    /// SHA-256 of every donor image used, by file name (empty when faces are covered, not swapped).
    public var donors: [String: String]
    /// The options that shape an output; a finished output is reused only under the same ones.
    public var settings: [String: String]
    /// Every input of the archive, all shards together.
    public var inputsTotal: Int
    /// This shard's inputs, by their path below the archive's root.
    public var inputs: [String]

    public init(run: String, host: String, pid: Int32, shard: ArchiveShard, started: String, models: [String: String],
                donors: [String: String], settings: [String: String], inputsTotal: Int, inputs: [String]) {
        self.run = run
        self.host = host
        self.pid = pid
        self.shard = shard.description
        self.started = started
        self.models = models
        self.donors = donors
        self.settings = settings
        self.inputsTotal = inputsTotal
        self.inputs = inputs
    }

    enum CodingKeys: String, CodingKey {
        case kind, schema, run, host, pid, shard, started, models, donors, settings, inputs
        case veilVersion = "veil_version"
        case inputsTotal = "inputs_total"
    }
}

/// The figures of one processed file, from its run's summary.
public struct ArchiveFigures: Codable, Equatable, Sendable {
    public var frames: Int
    public var faces: Int
    /// Faces covered instead of swapped, over all faces (0 with no faces).
    public var coveredShare: Double
    public var identityDistanceMin: Double?
    /// Movement error of the kept keypoints (inter-ocular units).
    public var movementError: Double?
    /// Identity checks that failed and faces a second detector found that the first had missed.
    public var incidents: Int
    public var seconds: Double

    public init(frames: Int, faces: Int, coveredShare: Double, identityDistanceMin: Double?, movementError: Double?,
                incidents: Int, seconds: Double) {
        self.frames = frames
        self.faces = faces
        self.coveredShare = coveredShare
        self.identityDistanceMin = identityDistanceMin
        self.movementError = movementError
        self.incidents = incidents
        self.seconds = seconds
    }

    enum CodingKeys: String, CodingKey {
        case frames, faces, incidents, seconds
        case coveredShare = "covered_share"
        case identityDistanceMin = "identity_distance_min"
        case movementError = "movement_error"
    }
}

/// The record of one input.
public struct ArchiveFileRecord: Codable, Equatable, Sendable {
    public var kind = "file"
    public var schema = ArchiveSchema.version
    public var run: String
    /// The input's path as found (below the archive's root or as listed).
    public var input: String
    /// Its path below the archive's root: what names it across shards and runs.
    public var key: String
    public var inputSize: Int64?
    public var inputSHA256: String?
    /// Relative to OUTDIR, so that a moved archive still verifies.
    public var output: String?
    public var outputSize: Int64?
    public var outputSHA256: String?
    public var started: String
    public var ended: String
    public var outcome: ArchiveOutcome
    /// One line, for `failed` and `retry`.
    public var reason: String?
    public var figures: ArchiveFigures?

    public init(run: String, input: String, key: String, started: String, ended: String, outcome: ArchiveOutcome) {
        self.run = run
        self.input = input
        self.key = key
        self.started = started
        self.ended = ended
        self.outcome = outcome
    }

    enum CodingKeys: String, CodingKey {
        case kind, schema, run, input, key, output, started, ended, outcome, reason, figures
        case inputSize = "input_size"
        case inputSHA256 = "input_sha256"
        case outputSize = "output_size"
        case outputSHA256 = "output_sha256"
    }
}

/// One line of a manifest.
public enum ArchiveLine: Decodable, Equatable, Sendable {
    case run(ArchiveRunRecord)
    case file(ArchiveFileRecord)

    private enum Marker: String, CodingKey { case kind }

    public init(from decoder: Decoder) throws {
        let kind = try decoder.container(keyedBy: Marker.self).decode(String.self, forKey: .kind)
        switch kind {
        case "run": self = .run(try ArchiveRunRecord(from: decoder))
        case "file": self = .file(try ArchiveFileRecord(from: decoder))
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: [Marker.kind], debugDescription: "unknown record kind '\(kind)'"))
        }
    }

    /// The lines of one manifest file. A line that does not decode is the torn end of a killed run's
    /// last write (each record is one write): it is left out, and its input counts as not done.
    public static func parse(_ text: String) -> [ArchiveLine] {
        let decoder = JSONDecoder()
        return text.split(separator: "\n").compactMap { try? decoder.decode(ArchiveLine.self, from: Data($0.utf8)) }
    }
}
