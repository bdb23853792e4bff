import VeilCore
import Foundation


/// A stability log as read from disk: its per-face records and summary, or one clear error.
public struct StabilityLogFile {
    public let path: String
    public let records: [StabilityRecord]
    /// The closing records; none when the run was cut off. The daemon may write one per camera.
    public let summaries: [StabilitySummaryRecord]
    /// The number of a last line that stops mid-record, as a killed writer leaves it; it is skipped.
    public let cutOffLine: Int?

    public var hasSummary: Bool { !summaries.isEmpty }

    public static func read(path: String) throws -> StabilityLogFile {
        try StabilityLogFile(path: path, contents: readContents(path))
    }

    /// Parses the log's bytes; `path` only names the file in errors.
    public init(path: String, contents: Data) throws {
        self.path = path
        let newline = UInt8(ascii: "\n")
        let lines = contents.split(separator: newline, omittingEmptySubsequences: false)
        let endsWithNewline = contents.last == newline
        let decoder = JSONDecoder()
        var records: [StabilityRecord] = []
        var summaries: [StabilitySummaryRecord] = []
        var cutOffLine: Int?
        for (index, line) in lines.enumerated() {
            let text = Data(line)
            guard text.contains(where: { !Self.isWhitespace($0) }) else { continue }
            do {
                switch try decoder.decode(StabilityLogLine.self, from: text) {
                case .face(let record): records.append(record)
                case .summary(let summary): summaries.append(summary)
                case .window: continue
                }
            } catch {
                // Only an unterminated last line after good records is a cut-off write; anything else
                // means the file is not what it claims to be.
                let isCutOff = index == lines.count - 1 && !endsWithNewline && !(records.isEmpty && summaries.isEmpty)
                guard isCutOff else { throw UserError("\(path):\(index + 1): \(Self.reason(error))") }
                cutOffLine = index + 1
            }
        }
        guard !records.isEmpty || !summaries.isEmpty else {
            throw UserError("\(path): the stability log is empty")
        }
        self.records = records
        self.summaries = summaries
        self.cutOffLine = cutOffLine
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }

    /// What is wrong with a line, in the log's own terms rather than the decoder's.
    private static func reason(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "not a stability log record" }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return "not JSON Lines (this line is not a JSON object)"
        case .keyNotFound(let key, _):
            return "not a stability log record (no \"\(key.stringValue)\")"
        case .typeMismatch(_, let context) where context.codingPath.isEmpty:
            return "not a stability log record (not a JSON object)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let key = context.codingPath.last?.stringValue ?? "?"
            return "not a stability log record (\"\(key)\" has the wrong type)"
        @unknown default:
            return "not a stability log record"
        }
    }

    private static func readContents(_ path: String) throws -> Data {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw UserError("cannot read '\(path)': \(errnoText(errno))") }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        var status = stat()
        if fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
            throw UserError("cannot read '\(path)': it is a directory")
        }
        do {
            return try handle.readToEnd() ?? Data()
        } catch {
            throw UserError("cannot read '\(path)': \(error.localizedDescription)")
        }
    }
}
