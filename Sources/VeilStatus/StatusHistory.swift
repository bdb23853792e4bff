import Synchronization
import VeilMetrics

/// Each camera's figures once a second over the last minute: what the status page draws and what
/// tells "covering whole frames" or "detector late" from a count that grew long ago.
final class StatusHistory: Sendable {
    struct Sample: Sendable {
        /// Seconds since the server started.
        let time: Double
        let framesOut: Int
        let failClosed: Int
        let noPassInTime: Int
        let droppedLate: Int
        let identityIncidents: Int
        let recallIncidents: Int
        /// The last second's keypoint error and identity checks passed (nil: nothing measured).
        let nme: Double?
        let identityPassRatio: Double?
    }

    static let keptSeconds = 60.0
    private let samples = Mutex<[String: [Sample]]>([:])

    func record(_ cameras: [CameraStatus], registry: MeterRegistry, time: Double) {
        samples.withLock { samples in
            for camera in cameras {
                let count = CameraTotals(registry: registry, camera: camera.name)
                let window = camera.stability["1s"]
                let sample = Sample(time: time, framesOut: count(.framesOut), failClosed: count(.failClosed),
                                    noPassInTime: count(.noPassInTime), droppedLate: count(.ladder, [("rung", "dropped_late")]),
                                    identityIncidents: count(.identityIncidents), recallIncidents: count(.recallIncidents),
                                    nme: window?.nme, identityPassRatio: window?.identityPassRatio)
                samples[camera.name, default: []].append(sample)
                samples[camera.name]?.removeAll { $0.time < time - Self.keptSeconds }
            }
            let names = Set(cameras.map(\.name))
            samples = samples.filter { names.contains($0.key) }
        }
    }

    func samples(of camera: String) -> [Sample] { samples.withLock { $0[camera] ?? [] } }
}
