import ArgumentParser
import Foundation
import Logging
import VeilConfig
import VeilDaemon

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the live daemon: every configured camera anonymized in real time, to its outputs.",
        discussion: """
            Runs until SIGTERM or SIGINT (or until every file source played once has ended). SIGHUP re-reads \
            the config file: changed cameras restart, the others keep streaming. Under systemd it reports \
            readiness and pings the watchdog (Systemd/veil.service).
            """)

    @Option(help: "The config file.")
    var config = VeilConfiguration.defaultPath

    func run() async throws {
        // The daemon logs at the config's level; the logger's own default would hide its info lines.
        var logger = Logger.veil
        logger.logLevel = .info
        do {
            try await Daemon.run(configPath: config, logger: logger)
        } catch {
            _ = try runReportingErrors { throw error }
        }
    }
}
