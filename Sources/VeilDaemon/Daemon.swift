import Logging
import ServiceLifecycle
import VeilConfig
import VeilSystemd

/// `veil run`: the daemon, as a service group that SIGTERM and SIGINT shut down gracefully.
public enum Daemon {
    /// Loads and checks the config, builds every camera, then runs until a signal or until every
    /// source has ended. Throws, before anything starts, on a config or camera that cannot run.
    public static func run(configPath: String, logger base: Logger) async throws {
        let configuration = try VeilConfiguration.load(path: configPath)
        var logger = base
        logger.logLevel = Logger.Level(rawValue: configuration.daemon.logLevel.rawValue) ?? .info
        let supervisor = try CameraSupervisor(configPath: configPath, configuration: configuration,
                                              notifier: SystemdNotifier(), logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: supervisor, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}
