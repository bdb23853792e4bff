import CProcess
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals
import VeilConfig
import VeilCore
import VeilLive
import VeilMetrics
import VeilPipeline
import VeilStatus
import VeilSystemd

/// The daemon's cameras, as one service: starts them all, tells systemd when they run, pings the
/// watchdog while every camera's loop moves frames, applies the config file again on SIGHUP, and stops
/// them in reverse order on shutdown.
// @unchecked: the configuration and the cameras are swapped by a reload under `lock`, and read under it.
public final class CameraSupervisor: Service, StatusSource, @unchecked Sendable {

    private let configPath: String
    private let notifier: SystemdNotifier
    private let logger: Logger
    private let journal: StabilityJournal?
    /// Where every camera counts; a camera rebuilt by a reload continues its counters.
    private let registry: MeterRegistry
    private let lock = NSLock()
    private var configuration: VeilConfiguration
    private var pipelines: [CameraPipeline] = []

    /// Builds every camera (models, sources, outputs): throws on the first that cannot run, before
    /// anything starts.
    /// `journal`: the stability log every camera writes to, if any.
    public init(configPath: String, configuration: VeilConfiguration, notifier: SystemdNotifier, journal: StabilityJournal?,
                registry: MeterRegistry, logger: Logger) throws {
        self.configPath = configPath
        self.registry = registry
        self.configuration = configuration
        self.notifier = notifier
        self.journal = journal
        self.logger = logger
        pipelines = try Self.build(configuration.cameras, anonymize: configuration.anonymize, journal: journal, registry: registry,
                                   logger: logger)
    }

    /// Builds the cameras side by side: each loads its own models (a second or two of CPU), which
    /// would otherwise add up before READY=1. Throws the first camera's error, in config order.
    private static func build(_ cameras: [VeilConfiguration.Camera], anonymize: VeilConfiguration.Anonymize,
                              journal: StabilityJournal?, registry: MeterRegistry, logger: Logger) throws -> [CameraPipeline] {
        let results = Mutex([Result<CameraPipeline, Error>?](repeating: nil, count: cameras.count))
        DispatchQueue.concurrentPerform(iterations: cameras.count) { index in
            let result = Result {
                try CameraPipeline(camera: cameras[index], anonymize: anonymize, journal: journal, registry: registry, logger: logger)
            }
            results.withLock { $0[index] = result }
        }
        return try results.withLock { try $0.map { try $0!.get() } }
    }

    public func run() async throws {
        for camera in running { camera.start() }
        notifier.ready(status: statusText)
        logger.notice("veil: \(running.count) camera(s) running")
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await gracefulShutdown() }
            group.addTask { await self.monitor() }
            group.addTask { await self.reloadOnHangup() }
            // Whichever ends first (a shutdown, or every camera's source ending) ends the others.
            _ = await group.next()
            group.cancelAll()
        }
        notifier.stopping(status: "stopping")
        // Stopping joins each camera's threads and flushes its outputs: not on the cooperative pool.
        let cameras = running
        await WorkerThread.run(name: "veil-stop") { for camera in cameras.reversed() { camera.stop() } }
        logger.notice("veil: stopped")
        if let failed = running.first(where: { $0.error != nil }), let error = failed.error {
            throw SourceFailure(camera: failed.camera.name, source: Redaction.source(failed.camera.source),
                                reason: Redaction.text("\(error)"))
        }
    }

    private var running: [CameraPipeline] {
        lock.lock()
        defer { lock.unlock() }
        return pipelines
    }

    public func cameras() -> [CameraStatus] { running.map(\.status) }

    public func snapshot(camera: String) throws -> (bytes: [UInt8], age: Double)? {
        try running.first { $0.camera.name == camera }?.snapshot?.jpeg()
    }

    /// How long a camera may go without moving a frame before it counts as stalled (watchdog, /healthz).
    public var stallLimit: Double { (notifier.watchdogInterval.map { $0 / 2 } ?? .seconds(5)).seconds }

    private var statusText: String { running.map(\.statusLine).joined(separator: "; ") }

    /// Pings the watchdog at half its interval while every camera moves frames, refreshes the status
    /// line, and returns when every camera's source has ended (files played once).
    private func monitor() async {
        let period = notifier.watchdogInterval.map { $0 / 2 } ?? .seconds(1)
        // A camera whose loop has handed no frame (nor slate) on for half the watchdog's interval
        // stops the pings: systemd restarts the daemon by the end of the interval.
        let stallLimit = self.stallLimit
        var sinceStatus = Duration.zero
        var reported: [String] = []
        while !Task.isCancelled {
            let cameras = running
            if !cameras.isEmpty && cameras.allSatisfy(\.hasEnded) { return }
            let stalled = cameras.filter { !$0.hasEnded && $0.secondsSinceProgress > stallLimit }.map(\.camera.name)
            if stalled.isEmpty { notifier.watchdog() }
            if stalled != reported {
                if stalled.isEmpty {
                    logger.notice("veil: every pipeline moves again; watchdog pings resumed")
                } else {
                    logger.error("veil: pipeline stalled: \(stalled.joined(separator: ", ")); watchdog pings stopped")
                }
                reported = stalled
            }
            sinceStatus += period
            if sinceStatus >= .seconds(5) {
                notifier.status(statusText)
                sinceStatus = .zero
            }
            try? await Task.sleep(for: period)
        }
    }

    private func reloadOnHangup() async {
        for await _ in await UnixSignalsSequence(trapping: .sighup) {
            // Loading a camera's models takes a core for a second or more: on a thread of its own at low
            // priority, so that the cameras that keep running keep their deadlines meanwhile.
            await WorkerThread.run(name: "veil-reload", niceness: 10) {
                self.reload()
                // The retired cameras are gone now (reload's own references with it).
                veil_return_freed_memory()
            }
        }
    }

    /// Applies the config file again: cameras whose section (or the shared [anonymize] section)
    /// changed restart, new ones start, removed ones stop, the others keep streaming untouched. A file
    /// that does not load, or a camera that cannot be built from it, leaves everything as it was.
    /// [daemon] settings (log level, HTTP address) apply at the next start.
    func reload() {
        notifier.reloading(status: "reloading \(configPath)")
        defer { notifier.ready(status: statusText) }
        let new: VeilConfiguration
        do {
            new = try VeilConfiguration.load(path: configPath)
        } catch {
            logger.error("veil: reload rejected, the previous configuration keeps running: \(error)")
            return
        }
        let old = running
        let anonymizeChanged = new.anonymize != configuration.anonymize
        let oldNames = Set(old.map(\.camera.name)), newNames = Set(new.cameras.map(\.name))
        var kept: [CameraPipeline] = [], built: [CameraPipeline] = []
        var next: [CameraPipeline] = []
        do {
            for camera in new.cameras {
                if !anonymizeChanged, let same = old.first(where: { $0.camera == camera }) {
                    kept.append(same)
                    next.append(same)
                } else {
                    let pipeline = try CameraPipeline(camera: camera, anonymize: new.anonymize, journal: journal, registry: registry,
                                                      logger: logger)
                    built.append(pipeline)
                    next.append(pipeline)
                }
            }
        } catch {
            logger.error("veil: reload rejected, the previous configuration keeps running: \(error)")
            return
        }
        let retired = old.filter { camera in !kept.contains { $0 === camera } }
        for camera in retired.reversed() { camera.stop() }
        // Kept cameras read the consent directory again: enrolments may have been revoked.
        for camera in kept { camera.reloadConsent() }
        for camera in built { camera.start() }
        lock.lock()
        pipelines = next
        configuration = new
        lock.unlock()
        let restarted = built.filter { oldNames.contains($0.camera.name) }.count
        logger.notice("""
            veil: reloaded \(configPath): \(kept.count) kept, \(restarted) restarted, \(built.count - restarted) started, \
            \(oldNames.subtracting(newNames).count) removed
            """)
    }
}

/// A camera's source that ended with an error: the daemon exits non-zero, and systemd restarts it.
struct SourceFailure: Error, CustomStringConvertible {
    var camera: String
    var source: String
    var reason: String
    var description: String { "camera \(camera): \(source): \(reason)" }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
