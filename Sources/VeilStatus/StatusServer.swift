import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import VeilCore
import VeilMetrics

/// The daemon's HTTP endpoints, served by Hummingbird on one address:
/// - `/`: the status page for a person (StatusPage), with `/cameras/NAME/snapshot.jpg`, the latest
///   anonymized frame;
/// - `/metrics`: Prometheus text, every series labelled `camera`;
/// - `/healthz`: 200 "ok" while every pipeline progresses, else 503 naming the stalled cameras;
/// - `/status`: the cameras' figures as JSON.
/// The counters come from `registry`, which the cameras' stages count into; the state from `source`.
/// Anything else is 404. Every request reads a fresh snapshot from `source`. With a `token`, every
/// endpoint needs it (TokenGate). Viewers cost the cameras nothing: the pages are built from figures
/// already counted, the picture from a copy the encode thread made; a viewer that stops reading is
/// dropped (StalledViewerHandler), one that sends nothing after `idleTimeout`.
public final class StatusServer: Service, Sendable {
    public let host: String
    /// As configured; 0 lets the system pick one, which `listeningPort()` then tells.
    public let port: Int
    /// Seconds without progress after which a pipeline counts as stalled.
    public let stallLimit: Double
    private let source: any StatusSource
    /// The counters the cameras' stages count into: `/metrics` renders it, `/status` reads it.
    public let registry: MeterRegistry
    private let logger: Logger
    private let exporter: MetricsExporter
    private let listening = ListeningState()
    private let token: String?
    private let history = StatusHistory()
    /// A connection that neither sends nor reads for this long is closed.
    static let idleTimeout: TimeAmount = .seconds(10)

    public init(host: String, port: Int, registry: MeterRegistry, source: any StatusSource, stallLimit: Double, token: String? = nil,
                logger: Logger) {
        self.token = token
        self.host = host
        self.port = port
        self.registry = registry
        exporter = MetricsExporter(registry: registry)
        self.source = source
        self.stallLimit = stallLimit
        self.logger = logger
    }

    /// Serves until graceful shutdown (or cancellation). Throws `StatusServerError` when the address
    /// cannot be bound.
    public func run() async throws {
        // The page's charts: each camera's figures once a second.
        let sampler = Task { [history, source, registry] in
            let start = MonotonicClock.now()
            while !Task.isCancelled {
                history.record(source.cameras(), registry: registry, time: MonotonicClock.seconds(since: start))
                try? await Task.sleep(for: .seconds(1))
            }
        }
        defer { sampler.cancel() }
        let application = Application(
            router: makeRouter(),
            server: .http1(configuration: .init(additionalChannelHandlers: [StalledViewerHandler()], idleTimeout: Self.idleTimeout)),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
            onServerRunning: { [listening, port] channel in
                listening.started(port: channel.localAddress?.port ?? port)
            },
            logger: logger)
        do {
            try await application.run()
        } catch where !listening.hasStarted {
            let failure = StatusServerError(host: host, port: port, reason: StatusServerError.reason(error))
            listening.failed(failure)
            throw failure
        }
        // Shut down before it ever listened: no port will come.
        listening.failed(CancellationError())
    }

    /// The port the server listens on, once it does. Throws the start-up error if it could not listen.
    public func listeningPort() async throws -> Int {
        try await listening.port()
    }

    private func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        if let token { router.add(middleware: TokenGate(token: token)) }
        router.get("/") { [source, registry, stallLimit, history, token] _, _ -> Response in
            let document = StatusDocument(source.cameras(), registry: registry, stallLimit: stallLimit)
            return Response(status: .ok, headers: Self.pageHeaders(type: "text/html; charset=utf-8"),
                            body: ResponseBody(byteBuffer: ByteBuffer(string: StatusPage.render(document, history: history, token: token))))
        }
        router.get("cameras/:name/snapshot.jpg") { [source] _, context -> Response in
            let name = context.parameters.get("name") ?? ""
            guard let snapshot = try source.snapshot(camera: name) else {
                return Response(status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: ResponseBody(byteBuffer: ByteBuffer(string: "no picture of camera '\(name)' yet\n")))
            }
            var headers = Self.pageHeaders(type: "image/jpeg")
            headers[.age] = "\(Int(snapshot.age))"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: snapshot.bytes)))
        }
        router.get("metrics") { [exporter, source] _, _ -> Response in
            let text = exporter.render(source.cameras())
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: text)))
        }
        router.get("healthz") { [source, stallLimit] _, _ -> Response in
            let health = Health(source.cameras(), stallLimit: stallLimit)
            return Response(status: health.isHealthy ? .ok : .serviceUnavailable,
                            headers: [.contentType: "text/plain; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: health.line)))
        }
        router.get("status") { [source, registry, stallLimit] _, _ -> Response in
            let json = try StatusDocument(source.cameras(), registry: registry, stallLimit: stallLimit).json()
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: json)))
        }
        return router
    }
}

extension StatusServer {
    /// The page and the picture: never cached, never framed, the token never sent on as a referrer.
    static func pageHeaders(type: String) -> HTTPFields {
        [.contentType: type, .contentSecurityPolicy: StatusPage.contentSecurityPolicy, .cacheControl: "no-store",
         .xContentTypeOptions: "nosniff", HTTPFields.Element.Name("Referrer-Policy")!: "no-referrer"]
    }
}

/// The HTTP address could not be bound: one line naming it and why.
public struct StatusServerError: Error, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let reason: String

    public var description: String { "http: cannot listen on \(host):\(port): \(reason)" }

    static func reason(_ error: any Error) -> String {
        if let io = error as? IOError {
            return String(cString: strerror(io.errnoCode))
        }
        return "\(error)".split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
