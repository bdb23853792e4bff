import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import ServiceLifecycle
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
func withStatusServer(_ source: FakeSource, stallLimit: Double = 2,
                      _ body: (StatusServer, URL) async throws -> Void) async throws {
    let server = StatusServer(host: "127.0.0.1", port: 0, source: source, stallLimit: stallLimit, logger: quietLogger)
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

func get(_ base: URL, _ path: String) async throws -> HTTPReply {
    let session = URLSession(configuration: .ephemeral)
    defer { session.finishTasksAndInvalidate() }
    let (data, response) = try await session.data(from: base.appendingPathComponent(path))
    let http = try XCTUnwrap(response as? HTTPURLResponse)
    return HTTPReply(status: http.statusCode, body: String(decoding: data, as: UTF8.self),
                     contentType: http.value(forHTTPHeaderField: "Content-Type"))
}

/// A camera with every figure set, distinct from one another so a mix-up shows.
func sampleCamera(_ name: String = "exam-room-1") -> CameraStatus {
    var camera = CameraStatus(name: name, source: "/dev/video0", online: true, secondsSinceProgress: 0.03)
    camera.framesIn = 1000
    camera.framesOut = 990
    camera.dropped = 7
    camera.failClosed = 3
    camera.noPassInTime = 2
    camera.recallIncidents = 1
    camera.tracked = 40
    camera.quickCover = 5
    camera.droppedLate = 2
    camera.placeholders = 11
    camera.losses = 2
    camera.reconnects = 1
    camera.driverDrops = 4
    camera.latencyP50 = 0.012
    camera.latencyP95 = 0.024
    camera.latencyP99 = 0.031
    camera.latencyMax = 1.5
    camera.latencyBuckets = [(0.005, 0), (0.010, 100), (0.015, 600), (0.020, 900), (0.025, 950), (0.033, 980),
                             (0.050, 985), (0.075, 985), (0.100, 985), (0.150, 985), (0.250, 985), (0.500, 985),
                             (1.0, 988), (.infinity, 990)]
    camera.faces = ["swapped": 800, "tracked": 150, "covered": 9]
    camera.identityChecks = 60
    camera.identityIncidents = 1
    camera.identityDistanceMin = 0.71
    camera.outputs = [
        OutputStatusValue(name: "rtp 127.0.0.1:5004", sent: 5000, bytes: 6_000_000, errors: 1, dropped: 4),
        OutputStatusValue(name: "record /var/lib/veil", sent: 990, bytes: 9_000_000, errors: 2, dropped: 0,
                          paused: true, lastError: "disk full"),
    ]
    camera.framesEncoded = 989
    camera.encodeErrors = 1
    camera.outputFramesDropped = 6
    return camera
}
