import Foundation
import VeilMetrics

/// `/status`: the cameras' figures as JSON with sorted, snake_case keys. Built field by field from each
/// camera's state (`CameraStatus`) and its counters in the registry, so that nothing reaches it by
/// accident: no key material, no pixels.
struct StatusDocument: Encodable {
    let healthy: Bool
    let stallLimitSeconds: Double
    let cameras: [Camera]

    struct Camera: Encodable {
        let name: String
        let source: String
        let online: Bool
        let connection: Connection
        let stalled: Bool
        let secondsSinceProgress: Double
        let frames: Frames
        let ladder: Ladder
        let latencySeconds: Latency
        let faces: [String: Int]
        let identity: Identity
        let recall: Recall
        /// By window ("1s", "60s"): keypoints and identity measured on the output.
        let stability: [String: Stability]
        let proof: Proof
        let encoder: Encoder
        let outputs: [Output]
    }

    struct Frames: Encodable {
        let `in`: Int
        let out: Int
        let dropped: Int
        let failClosed: Int
        let noPassInTime: Int
        let placeholders: Int
    }

    /// The camera's losses and returns (see CameraStatus).
    struct Connection: Encodable {
        let losses: Int
        let reconnects: Int
        let driverDropped: Int
    }

    struct Ladder: Encodable {
        let tracked: Int
        let directFit: Int
        let quickCover: Int
        let droppedLate: Int
    }

    struct Latency: Encodable {
        let p50: Double
        let p95: Double
        let p99: Double
        let max: Double
    }

    struct Identity: Encodable {
        let checks: Int
        let incidents: Int
        /// Absent before the first check.
        let distanceMin: Double?
    }

    /// The second opinion: frames it looked at, and faces it found that the main path had not handled.
    struct Recall: Encodable {
        let secondOpinionPasses: Int
        let incidents: Int
    }

    struct Stability: Encodable {
        let facesMeasured: Int
        let nme: Double?
        let nmeDynamic: Double?
        let oks: Double?
        let jitterInput: Double?
        let jitterOutput: Double?
        let identityChecks: Int
        let identityPassRatio: Double?
    }

    struct Proof: Encodable {
        let stabilitySamples: Int
        let stabilitySeconds: Double
        let identitySeconds: Double
    }

    struct Encoder: Encodable {
        let frames: Int
        let errors: Int
        let dropped: Int
    }

    struct Output: Encodable {
        let name: String
        let sent: Int
        let bytes: Int
        let errors: Int
        let dropped: Int
        let paused: Bool
        let lastError: String?
    }

    init(_ cameras: [CameraStatus], registry: MeterRegistry, stallLimit: Double) {
        let health = Health(cameras, stallLimit: stallLimit)
        healthy = health.isHealthy
        stallLimitSeconds = stallLimit
        self.cameras = cameras.map { camera in
            let count = CameraTotals(registry: registry, camera: camera.name)
            return Camera(
                name: camera.name, source: camera.source, online: camera.online,
                connection: Connection(losses: count(.cameraLosses), reconnects: count(.cameraReconnects),
                                       driverDropped: count(.cameraDriverDrops)),
                stalled: camera.secondsSinceProgress >= stallLimit,
                secondsSinceProgress: camera.secondsSinceProgress,
                frames: Frames(in: count(.framesIn), out: count(.framesOut), dropped: count(.framesDropped),
                               failClosed: count(.failClosed), noPassInTime: count(.noPassInTime),
                               placeholders: count(.placeholders)),
                ladder: Ladder(tracked: count(.ladder, [("rung", "tracked")]), directFit: count(.ladder, [("rung", "direct_fit")]),
                               quickCover: count(.ladder, [("rung", "quick_cover")]),
                               droppedLate: count(.ladder, [("rung", "dropped_late")])),
                latencySeconds: Latency(p50: camera.latencyP50, p95: camera.latencyP95, p99: camera.latencyP99,
                                        max: camera.latencyMax),
                faces: count.faces,
                identity: Identity(checks: count(.identityChecks), incidents: count(.identityIncidents),
                                   distanceMin: camera.identityDistanceMin),
                recall: Recall(secondOpinionPasses: count(.secondOpinionPasses), incidents: count(.recallIncidents)),
                stability: camera.stability.mapValues { window in
                    Stability(facesMeasured: window.facesMeasured, nme: window.nme, nmeDynamic: window.nmeDynamic, oks: window.oks,
                              jitterInput: window.jitterInput, jitterOutput: window.jitterOutput,
                              identityChecks: window.identityChecks, identityPassRatio: window.identityPassRatio)
                },
                proof: Proof(stabilitySamples: count(.stabilitySamples),
                             stabilitySeconds: count.seconds(.proofSeconds, [("kind", "stability")]),
                             identitySeconds: count.seconds(.proofSeconds, [("kind", "identity")])),
                encoder: Encoder(frames: count(.encoderFrames), errors: count(.encodeErrors), dropped: count(.encoderDropped)),
                outputs: camera.outputs.map { output in
                    let labels = [("output", output.name)]
                    return Output(name: output.name, sent: count(.outputPackets, labels), bytes: count(.outputBytes, labels),
                                  errors: count(.outputErrors, labels), dropped: count(.outputDropped, labels),
                                  paused: output.paused, lastError: output.lastError)
                })
        }
    }

    func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        var data = try encoder.encode(self)
        data.append(UInt8(ascii: "\n"))
        return data
    }
}
