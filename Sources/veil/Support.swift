import ArgumentParser
import Foundation
import Logging

extension Logger {
    /// Log lines on stderr, so that stdout holds only results.
    static let veil: Logger = {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "veil")
        logger.logLevel = ProcessInfo.processInfo.environment["VEIL_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }()
}

/// Turns any error into one line on stderr and a non-zero exit: the user sees what failed and where,
/// never a backtrace.
func runReportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch {
        FileHandle.standardError.write(Data("veil: error: \(error)\n".utf8))
        throw ExitCode.failure
    }
}

/// Removes half-written outputs when the user interrupts (SIGINT, SIGTERM): the handler runs on a
/// dispatch queue, not in signal context, so it may use Foundation.
enum Interruption {
    static func removing<T>(_ partialFiles: @escaping () -> [String], _ body: () throws -> T) rethrows -> T {
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                partialFiles().forEach { unlink($0) }
                FileHandle.standardError.write(Data("\nveil: interrupted; nothing written\n".utf8))
                exit(130)
            }
            source.resume()
            sources.append(source)
        }
        defer { sources.forEach { $0.cancel() } }
        return try body()
    }
}
