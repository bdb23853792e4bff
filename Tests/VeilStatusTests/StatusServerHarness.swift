import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import ServiceLifecycle
import VeilMetrics
import VeilStatus
import XCTest

/// A daemon stand-in whose figures a test sets between requests.
final class FakeSource: StatusSource, @unchecked Sendable {
    private let lock = NSLock()
    private var snapshot: [CameraStatus]

    init(_ cameras: [CameraStatus]) {
        snapshot = cameras
    }

    func cameras() -> [CameraStatus] {
        lock.lock()
        defer { lock.unlock() }
        return snapshot
    }

    /// A picture for every camera once set.
    var picture: [UInt8]?

    func snapshot(camera: String) throws -> (bytes: [UInt8], age: Double)? {
        lock.lock()
        defer { lock.unlock() }
        return snapshot.contains { $0.name == camera } ? picture.map { ($0, 1) } : nil
    }

    func update(_ change: (inout [CameraStatus]) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        change(&snapshot)
    }
}

struct HTTPReply {
    let status: Int
    let body: String
    let contentType: String?
}

let quietLogger = Logger(label: "veil.status.test") { _ in SwiftLogNoOpLogHandler() }

/// Runs a server on 127.0.0.1 with a port the system picks, inside a service group as the daemon
/// does, and shuts it down gracefully when `body` is done (or has failed).
func withStatusServer(_ source: FakeSource, registry: MeterRegistry = MeterRegistry(), stallLimit: Double = 2, token: String? = nil,
                      _ body: (StatusServer, URL) async throws -> Void) async throws {
    let server = StatusServer(host: "127.0.0.1", port: 0, registry: registry, source: source, stallLimit: stallLimit, token: token,
                              logger: quietLogger)
    let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [server], logger: quietLogger))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        do {
            let port = try await server.listeningPort()
            try await body(server, URL(string: "http://127.0.0.1:\(port)")!)
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

func get(_ base: URL, _ path: String, query: String? = nil, headers: [String: String] = [:]) async throws -> HTTPReply {
    try await fetch(base, path, query: query, headers: headers).reply
}

/// The reply and every header of it.
func fetch(_ base: URL, _ path: String, query: String? = nil, headers: [String: String] = [:]) async throws
    -> (reply: HTTPReply, data: Data, response: HTTPURLResponse) {
    let session = URLSession(configuration: .ephemeral)
    defer { session.finishTasksAndInvalidate() }
    var components = URLComponents(url: base.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
    components.percentEncodedQuery = query
    var request = URLRequest(url: components.url!)
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    let (data, response) = try await session.data(for: request)
    let http = try XCTUnwrap(response as? HTTPURLResponse)
    return (HTTPReply(status: http.statusCode, body: String(decoding: data, as: UTF8.self),
                      contentType: http.value(forHTTPHeaderField: "Content-Type")), data, http)
}

/// A camera with every figure set, distinct from one another so a mix-up shows: its counts go into
/// `registry` through the camera's meters, as the pipeline's stages count them, and its state is returned.
func sampleCamera(_ name: String = "exam-room-1", counting registry: MeterRegistry) -> CameraStatus {
    let meters = CameraMeters(camera: name, registry: registry)
    for (tally, total) in [(meters.framesIn, 1000), (meters.framesOut, 990), (meters.framesDropped, 7), (meters.failClosed, 3),
                           (meters.noPassInTime, 2), (meters.recallIncidents, 1), (meters.tracked, 40), (meters.directFit, 13), (meters.quickCover, 5),
                           (meters.droppedLate, 2), (meters.placeholders, 11), (meters.losses, 2), (meters.reconnects, 1),
                           (meters.driverDrops, 4), (meters.identityChecks, 60), (meters.identityIncidents, 1),
                           (meters.framesEncoded, 989), (meters.encodeErrors, 1), (meters.encoderDropped, 6),
                           (meters.faces("swapped"), 800), (meters.faces("tracked"), 150), (meters.faces("covered"), 9)] {
        tally.increment(by: total)
    }
    let rtp = meters.output("rtp 127.0.0.1:5004"), record = meters.output("record /var/lib/veil")
    for (tally, total) in [(rtp.sent, 5000), (rtp.bytes, 6_000_000), (rtp.errors, 1), (rtp.dropped, 4),
                           (record.sent, 990), (record.bytes, 9_000_000), (record.errors, 2)] {
        tally.increment(by: total)
    }
    recordLatencies(meters)

    var camera = CameraStatus(name: name, source: "/dev/video0", online: true, secondsSinceProgress: 0.03)
    camera.latencyP50 = 0.012
    camera.latencyP95 = 0.024
    camera.latencyP99 = 0.031
    camera.latencyMax = 1.5
    camera.identityDistanceMin = 0.71
    camera.outputs = [
        OutputStateValue(name: "rtp 127.0.0.1:5004"),
        OutputStateValue(name: "record /var/lib/veil", paused: true, lastError: "disk full"),
    ]
    return camera
}

/// 990 frames' capture-to-hand-off latencies, in milliseconds and how many took each: their sum is
/// 19.4 s.
let sampleLatencies: [(milliseconds: Int64, frames: Int)] = [(7, 100), (12, 500), (17, 300), (22, 50), (30, 30), (40, 5), (800, 3),
                                                             (1500, 2)]

func recordLatencies(_ meters: CameraMeters) {
    for (milliseconds, frames) in sampleLatencies {
        for _ in 0..<frames { meters.latency.recordNanoseconds(milliseconds * 1_000_000) }
    }
}
