import Logging
import ServiceLifecycle
import VeilConfig
import VeilCore
import VeilMetrics
import VeilPipeline
import VeilStatus
import VeilSystemd

/// `veil run`: the daemon, as a service group that SIGTERM and SIGINT shut down gracefully.
public enum Daemon {
    /// Loads and checks the config, builds every camera, then runs until a signal or until every
    /// source has ended. Throws, before anything starts, on a config or camera that cannot run.
    public static func run(configPath: String, logger base: Logger) async throws {
        let configuration = try VeilConfiguration.load(path: configPath)
        var logger = base
        logger.logLevel = configuration.daemon.logLevel
        let journal = try configuration.daemon.stabilityLog.map {
            try StabilityJournal(path: $0, maxBytes: Int64(configuration.daemon.stabilityLogMaxMB) << 20,
                                 keep: configuration.daemon.stabilityLogKeep, logger: logger)
        }
        // Closed after the cameras, which write their summaries as they stop.
        defer { journal?.close() }
        journal?.start()
        let registry = MeterRegistry.process
        let supervisor = try CameraSupervisor(configPath: configPath, configuration: configuration,
                                              notifier: SystemdNotifier(), journal: journal, registry: registry, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        // Started first, stopped last: /healthz answers for the whole of the cameras' lives.
        if let http = configuration.daemon.http {
            // Checked when the config loaded (a private file, a token in it); read once, here.
            let token = try configuration.daemon.httpTokenFile.map { path in
                guard let token = HTTPToken.read(path), !token.isEmpty else { throw UserError("http_token_file '\(path)': cannot be read") }
                return token
            }
            services.append(.init(service: StatusServer(host: http.host, port: http.port, registry: registry, source: supervisor,
                                                        stallLimit: supervisor.stallLimit, token: token, logger: logger)))
        }
        services.append(.init(service: supervisor, successTerminationBehavior: .gracefullyShutdownGroup))
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}
