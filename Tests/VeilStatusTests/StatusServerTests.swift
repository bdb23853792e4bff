import Foundation
import VeilMetrics
import VeilStatus
import XCTest

final class StatusServerTests: XCTestCase {
    func testMetricsAreValidPrometheusTextWithWhatTheStagesCounted() async throws {
        let registry = MeterRegistry()
        var hall = sampleCamera(#"hall "B""#, counting: registry)
        hall.online = false
        hall.identityDistanceMin = nil
        let source = FakeSource([sampleCamera(counting: registry), hall])
        try await withStatusServer(source, registry: registry) { _, base in
            let reply = try await get(base, "metrics")
            XCTAssertEqual(reply.status, 200)
            XCTAssertEqual(reply.contentType, "text/plain; version=0.0.4; charset=utf-8")
            let text = try PrometheusText(reply.body)
            let room = ["camera": "exam-room-1"]

            XCTAssertEqual(text.types["veil_frames_in_total"], "counter")
            XCTAssertEqual(text.types["veil_camera_online"], "gauge")
            XCTAssertEqual(text.types["veil_latency_seconds"], "histogram")
            XCTAssertEqual(text.help["veil_frames_in_total"], MetricFamily.framesIn.help, "counted through swift-metrics, with its help text")
            for sample in text.samples {
                XCTAssertNotNil(sample.labels["camera"], "\(sample.name) has no camera label")
            }
            XCTAssertEqual(text.value("veil_frames_in_total", room), 1000)
            XCTAssertEqual(text.value("veil_frames_out_total", room), 990)
            XCTAssertEqual(text.value("veil_frames_dropped_total", room), 7)
            XCTAssertEqual(text.value("veil_fail_closed_frames_total", room), 3)
            XCTAssertEqual(text.value("veil_no_pass_in_time_frames_total", room), 2)
            XCTAssertEqual(text.value("veil_recall_incidents_total", room), 1)
            XCTAssertEqual(text.value("veil_ladder_frames_total", room.merging(["rung": "tracked"]) { $1 }), 40)
            XCTAssertEqual(text.value("veil_ladder_frames_total", room.merging(["rung": "direct_fit"]) { $1 }), 13)
            XCTAssertEqual(text.value("veil_ladder_frames_total", room.merging(["rung": "quick_cover"]) { $1 }), 5)
            XCTAssertEqual(text.value("veil_ladder_frames_total", room.merging(["rung": "dropped_late"]) { $1 }), 2)
            XCTAssertEqual(text.value("veil_placeholder_frames_total", room), 11)
            XCTAssertEqual(text.value("veil_camera_losses_total", room), 2)
            XCTAssertEqual(text.value("veil_camera_reconnects_total", room), 1)
            XCTAssertEqual(text.value("veil_camera_driver_dropped_frames_total", room), 4)
            XCTAssertEqual(text.value("veil_faces_total", room.merging(["handling": "swapped"]) { $1 }), 800)
            XCTAssertEqual(text.value("veil_faces_total", room.merging(["handling": "covered"]) { $1 }), 9)
            XCTAssertEqual(text.value("veil_identity_checks_total", room), 60)
            XCTAssertEqual(text.value("veil_identity_incidents_total", room), 1)
            XCTAssertEqual(text.value("veil_identity_distance_min", room), 0.71)
            XCTAssertEqual(text.value("veil_encoder_frames_total", room), 989)
            XCTAssertEqual(text.value("veil_encode_errors_total", room), 1)
            XCTAssertEqual(text.value("veil_encoder_dropped_frames_total", room), 6)
            let rtp = room.merging(["output": "rtp 127.0.0.1:5004"]) { $1 }
            let record = room.merging(["output": "record /var/lib/veil"]) { $1 }
            XCTAssertEqual(text.value("veil_output_packets_total", rtp), 5000)
            XCTAssertEqual(text.value("veil_output_bytes_total", rtp), 6_000_000)
            XCTAssertEqual(text.value("veil_output_errors_total", record), 2)
            XCTAssertEqual(text.value("veil_output_dropped_total", rtp), 4)
            XCTAssertEqual(text.value("veil_output_paused", rtp), 0)
            XCTAssertEqual(text.value("veil_output_paused", record), 1)
            XCTAssertEqual(text.value("veil_camera_online", room), 1)
            XCTAssertEqual(text.value("veil_seconds_since_progress", room), 0.03)
            XCTAssertEqual(text.value("veil_latency_quantile_seconds", room.merging(["quantile": "0.95"]) { $1 }), 0.024)
            XCTAssertEqual(text.value("veil_latency_max_seconds", room), 1.5)
            XCTAssertEqual(try bucket(text, room, 0.005), 0)
            XCTAssertEqual(try bucket(text, room, 0.015), 600)
            XCTAssertEqual(try bucket(text, room, 1.0), 988)
            XCTAssertEqual(try bucket(text, room, .infinity), 990)
            XCTAssertEqual(text.value("veil_latency_seconds_count", room), 990)
            // Each frame was recorded as it was handed on: the sum is exact, not estimated from buckets.
            let sum = try XCTUnwrap(text.value("veil_latency_seconds_sum", room))
            XCTAssertEqual(sum, 19.4, accuracy: 1e-9)

            // The quoted name is escaped and read back whole; its offline state and missing distance show.
            let hallLabels = ["camera": #"hall "B""#]
            XCTAssertEqual(text.value("veil_camera_online", hallLabels), 0)
            XCTAssertEqual(text.value("veil_frames_in_total", hallLabels), 1000)
            XCTAssertNil(text.value("veil_identity_distance_min", hallLabels))
        }
    }

    func testCountersGrowWithTheEventsAndACameraRebuiltByAReloadContinuesThem() async throws {
        let registry = MeterRegistry()
        let source = FakeSource([sampleCamera(counting: registry)])
        let room = ["camera": "exam-room-1"]
        try await withStatusServer(source, registry: registry) { _, base in
            _ = try PrometheusText(try await get(base, "metrics").body)
            // A reload builds the camera again, with new meters of the same name in the same registry.
            let rebuilt = CameraMeters(camera: "exam-room-1", registry: registry)
            rebuilt.framesIn.increment(by: 500)
            rebuilt.faces("swapped").increment(by: 400)
            rebuilt.latency.recordNanoseconds(3_000_000)
            let second = try PrometheusText(try await get(base, "metrics").body)
            XCTAssertEqual(second.value("veil_frames_in_total", room), 1500)
            XCTAssertEqual(second.value("veil_frames_out_total", room), 990, "an unchanged total stays")
            XCTAssertEqual(second.value("veil_faces_total", room.merging(["handling": "swapped"]) { $1 }), 1200)
            XCTAssertEqual(try bucket(second, room, 0.005), 1)
            XCTAssertEqual(second.value("veil_latency_seconds_count", room), 991)

            // /status reads the same registry.
            let reply = try await get(base, "status")
            let status = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any])
            let camera = try XCTUnwrap((status["cameras"] as? [[String: Any]])?.first)
            XCTAssertEqual((camera["frames"] as? [String: Int])?["in"], 1500)
            XCTAssertEqual((camera["faces"] as? [String: Int])?["swapped"], 1200)
        }
    }

    func testHealthzFailsWhileAPipelineStalls() async throws {
        let registry = MeterRegistry()
        var hall = sampleCamera("hall", counting: registry)
        hall.online = false  // sending its offline slate, so still progressing
        let source = FakeSource([sampleCamera(counting: registry), hall])
        try await withStatusServer(source, registry: registry, stallLimit: 2) { _, base in
            let healthy = try await get(base, "healthz")
            XCTAssertEqual(healthy.status, 200)
            XCTAssertEqual(healthy.body, "ok\n")

            source.update { $0[0].secondsSinceProgress = 2.5 }
            let stalled = try await get(base, "healthz")
            XCTAssertEqual(stalled.status, 503)
            XCTAssertTrue(stalled.body.contains("exam-room-1"), stalled.body)
            XCTAssertFalse(stalled.body.contains("hall"), stalled.body)
            XCTAssertEqual(stalled.body.filter { $0 == "\n" }.count, 1, "one line")
            XCTAssertTrue(stalled.body.hasSuffix("\n"))

            source.update { $0[0].secondsSinceProgress = 0.01 }
            let recovered = try await get(base, "healthz")
            XCTAssertEqual(recovered.status, 200)
        }
    }

    func testStatusIsJSONWithTheCamerasValues() async throws {
        let registry = MeterRegistry()
        var quiet = sampleCamera("hall", counting: registry)
        quiet.identityDistanceMin = nil
        quiet.secondsSinceProgress = 9
        let source = FakeSource([sampleCamera(counting: registry), quiet])
        try await withStatusServer(source, registry: registry, stallLimit: 2) { _, base in
            let reply = try await get(base, "status")
            XCTAssertEqual(reply.status, 200)
            XCTAssertEqual(reply.contentType, "application/json")
            let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any])
            XCTAssertEqual(document["healthy"] as? Bool, false)
            XCTAssertEqual(document["stall_limit_seconds"] as? Double, 2)
            let cameras = try XCTUnwrap(document["cameras"] as? [[String: Any]])
            XCTAssertEqual(cameras.count, 2)
            let room = cameras[0]
            XCTAssertEqual(room["name"] as? String, "exam-room-1")
            XCTAssertEqual(room["source"] as? String, "/dev/video0")
            XCTAssertEqual(room["online"] as? Bool, true)
            XCTAssertEqual(room["stalled"] as? Bool, false)
            let frames = try XCTUnwrap(room["frames"] as? [String: Int])
            XCTAssertEqual(frames, ["in": 1000, "out": 990, "dropped": 7, "fail_closed": 3, "no_pass_in_time": 2, "placeholders": 11])
            XCTAssertEqual(room["ladder"] as? [String: Int], ["tracked": 40, "direct_fit": 13, "quick_cover": 5, "dropped_late": 2])
            XCTAssertEqual(room["connection"] as? [String: Int], ["losses": 2, "reconnects": 1, "driver_dropped": 4])
            XCTAssertEqual(room["faces"] as? [String: Int], ["swapped": 800, "tracked": 150, "covered": 9])
            let latency = try XCTUnwrap(room["latency_seconds"] as? [String: Double])
            XCTAssertEqual(latency["p99"], 0.031)
            let identity = try XCTUnwrap(room["identity"] as? [String: Any])
            XCTAssertEqual(identity["distance_min"] as? Double, 0.71)
            XCTAssertEqual(room["encoder"] as? [String: Int], ["frames": 989, "errors": 1, "dropped": 6])
            let outputs = try XCTUnwrap(room["outputs"] as? [[String: Any]])
            XCTAssertEqual(outputs.map { $0["name"] as? String }, ["rtp 127.0.0.1:5004", "record /var/lib/veil"])
            XCTAssertEqual(outputs[0]["sent"] as? Int, 5000)
            XCTAssertEqual(outputs[1]["errors"] as? Int, 2)
            XCTAssertEqual(outputs[1]["paused"] as? Bool, true)
            XCTAssertEqual(outputs[1]["last_error"] as? String, "disk full")
            XCTAssertNil(outputs[0]["last_error"])

            XCTAssertEqual(cameras[1]["stalled"] as? Bool, true)
            XCTAssertNil((cameras[1]["identity"] as? [String: Any])?["distance_min"])

            // Sorted keys: the raw text lists a camera's keys alphabetically.
            let keys = ["\"encoder\"", "\"faces\"", "\"identity\"", "\"ladder\"", "\"latency_seconds\"",
                        "\"name\"", "\"online\"", "\"outputs\""]
            let offsets = try keys.map { try XCTUnwrap(reply.body.range(of: $0)?.lowerBound, $0) }
            XCTAssertEqual(offsets, offsets.sorted())
        }
    }

    func testOtherPathsAreNotFound() async throws {
        try await withStatusServer(FakeSource([sampleCamera(counting: MeterRegistry())])) { _, base in
            for path in ["metricsz", "cameras/nobody/snapshot.jpg", "status/exam-room-1", "healthz/x", "favicon.ico"] {
                let reply = try await get(base, path)
                XCTAssertEqual(reply.status, 404, "/\(path)")
            }
        }
    }

    func testPortInUseIsOneLineNamingTheAddress() async throws {
        try await withStatusServer(FakeSource([])) { _, base in
            let port = try XCTUnwrap(base.port)
            let second = StatusServer(host: "127.0.0.1", port: port, registry: MeterRegistry(), source: FakeSource([]), stallLimit: 2,
                                      logger: quietLogger)
            do {
                try await second.run()
                XCTFail("a second server bound a port in use")
            } catch {
                let description = "\(error)"
                XCTAssertTrue(error is StatusServerError, description)
                XCTAssertTrue(description.contains("127.0.0.1:\(port)"), description)
                XCTAssertTrue(description.lowercased().contains("in use"), description)
                XCTAssertFalse(description.contains("\n"), description)
            }
            do {
                _ = try await second.listeningPort()
                XCTFail("listeningPort() returned for a server that could not listen")
            } catch {
                XCTAssertTrue(error is StatusServerError, "\(error)")
            }
            // The first server is unharmed.
            let reply = try await get(base, "healthz")
            XCTAssertEqual(reply.status, 200)
        }
    }

    /// The cumulative count of the histogram bucket with this upper bound.
    private func bucket(_ text: PrometheusText, _ labels: [String: String], _ bound: Double) throws -> Double {
        let matches = text.samples.filter { sample in
            guard sample.name == "veil_latency_seconds_bucket", let le = sample.labels["le"] else { return false }
            let upper = le == "+Inf" ? Double.infinity : Double(le)
            return upper == bound && sample.labels.filter { $0.key != "le" } == labels
        }
        XCTAssertEqual(matches.count, 1, "bucket le=\(bound)")
        return try XCTUnwrap(matches.first?.value)
    }
}
