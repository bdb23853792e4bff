/// `/healthz`: healthy while every pipeline makes progress. An offline camera still sends its slate,
/// so it progresses and is healthy; only a pipeline that hands nothing on for `stallLimit` seconds
/// fails the check.
struct Health {
    let stalled: [CameraStatus]

    init(_ cameras: [CameraStatus], stallLimit: Double) {
        stalled = cameras.filter { $0.secondsSinceProgress >= stallLimit }
    }

    var isHealthy: Bool { stalled.isEmpty }

    /// One line, for people and for probes that log the body.
    var line: String {
        guard !isHealthy else { return "ok\n" }
        let names = stalled.map { camera in
            "\(camera.name) (\(String(format: "%.1f", camera.secondsSinceProgress)) s without progress)"
        }
        return "stalled: " + names.joined(separator: ", ") + "\n"
    }
}
