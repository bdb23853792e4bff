import Logging
import ServiceLifecycle
import VeilConfig
import VeilStatus
import VeilSystemd

/// `veil run`: the daemon, as a service group that SIGTERM and SIGINT shut down gracefully.
public enum Daemon {
    /// Loads and checks the config, builds every camera, then runs until a signal or until every
    /// source has ended. Throws, before anything starts, on a config or camera that cannot run.
    public static func run(configPath: String, logger base: Logger) async throws {
        let configuration = try VeilConfiguration.load(path: configPath)
        var logger = base
        logger.logLevel = Logger.Level(rawValue: configuration.daemon.logLevel.rawValue) ?? .info
        if let log = configuration.daemon.stabilityLog {
            // Said once at start rather than silently ignored: the key is part of the config contract.
            logger.warning("veil: stability_log \(log): the live daemon does not write a stability log yet (veil process does)")
        }
        let supervisor = try CameraSupervisor(configPath: configPath, configuration: configuration,
                                              notifier: SystemdNotifier(), logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        // Started first, stopped last: /healthz answers for the whole of the cameras' lives.
        if let http = configuration.daemon.http {
            services.append(.init(service: StatusServer(host: http.host, port: http.port, source: supervisor,
                                                        stallLimit: supervisor.stallLimit, logger: logger)))
        }
        services.append(.init(service: supervisor, successTerminationBehavior: .gracefullyShutdownGroup))
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}
