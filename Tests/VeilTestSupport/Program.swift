import Foundation

/// Runs the real programs the tests check against (ffmpeg, ffprobe, curl, the veil binary): one way
/// to start a child, drain both of its pipes and wait for it, shared by every test target.
public enum Program {
    public struct Result {
        /// The program and its arguments, for messages.
        public let command: String
        public let status: Int32
        public let output: Data
        public let stderr: String
        public var stdout: String { String(decoding: output, as: UTF8.self) }
    }

    /// A program that exited non-zero, with the command and what it wrote to stderr.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `path` to its end; with a `timeout`, one still running after that many seconds is
    /// terminated. `environment` is added to this process's own.
    @discardableResult
    public static func run(_ path: String, _ arguments: [String], environment: [String: String] = [:],
                           timeout: Double? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let timer = timeout.map { seconds in
            let timer = DispatchWorkItem { if process.isRunning { process.terminate() } }
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: timer)
            return timer
        }
        // Both pipes are read at once, so that neither can fill up and stall the child.
        let stderr = PipeReader(errors.fileHandleForReading)
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        timer?.cancel()
        return Result(command: ([path] + arguments).joined(separator: " "), status: process.terminationStatus,
                      output: stdout, stderr: String(decoding: stderr.wait(), as: UTF8.self))
    }

    /// Runs /usr/bin/NAME, ffmpeg or ffprobe, with quiet logging (ffmpeg also never reads stdin and
    /// overwrites its output).
    @discardableResult
    public static func tool(_ name: String, _ arguments: [String], timeout: Double? = nil) throws -> Result {
        let quiet = ["-v", "error"] + (name == "ffmpeg" ? ["-nostdin", "-y"] : [])
        return try run("/usr/bin/\(name)", quiet + arguments, timeout: timeout)
    }

    @discardableResult
    public static func ffmpeg(_ arguments: [String], timeout: Double? = nil) throws -> Result {
        try tool("ffmpeg", arguments, timeout: timeout)
    }

    public static func ffprobe(_ arguments: [String], timeout: Double? = nil) throws -> Result {
        try tool("ffprobe", arguments, timeout: timeout)
    }
}

extension Program.Result {
    /// This result, or a failure naming the command and its stderr when it exited non-zero.
    @discardableResult
    public func checked() throws -> Program.Result {
        guard status == 0 else { throw Program.Failure(description: "\(command): \(stderr)") }
        return self
    }
}

/// Reads a pipe to its end on a thread of its own.
public final class PipeReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    public init(_ handle: FileHandle) {
        Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }.start()
    }

    /// Everything the pipe carried, once its writer closed it.
    public func wait() -> Data {
        done.wait()
        return data
    }
}
