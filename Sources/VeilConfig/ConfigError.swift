/// What is wrong with a config file, as one line: `FILE: KEY.PATH: problem` (key paths count from 0,
/// e.g. `camera[1].output[0].address`), or `FILE: line N, column M: problem` for TOML syntax, or
/// `FILE: problem` when the file cannot be read. Loading stops at the first problem, in the order
/// of the file's sections: fix it and check again.
public struct ConfigError: Error, Equatable, CustomStringConvertible, Sendable {
    public let file: String
    /// Where in the file: a key path, or a line and column; nil for the file as a whole.
    public let location: String?
    public let problem: String

    public init(file: String, location: String?, problem: String) {
        self.file = file
        self.location = location
        // Keep the promise of one line, whatever a lower layer put in its message.
        self.problem = problem.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    public var description: String {
        [file, location, problem].compactMap { $0 }.joined(separator: ": ")
    }
}
