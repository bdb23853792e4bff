import Foundation
import Logging
import VeilCore
import VeilLive
import VeilOutput
import VeilPipeline

/// `veil bench --live`: a file played at a camera's rate through the camera the daemon would run (a
/// `LiveCamera`), no camera needed; with `outputsDirectory`, through RTP, SRTP and a recording as well.
public struct LiveBench {
    public var input: String
    public var seconds: Double
    /// The camera benchmarked; its outputs come from `outputsDirectory`.
    public var camera: LiveCamera.Setup
    /// Where the outputs write (their SDP files, key and recordings); nil: no outputs.
    public var outputsDirectory: String?
    /// The encoder preset of the outputs.
    public var preset = "veryfast"

    public init(input: String, width: Int, height: Int, frameRate: Double, seconds: Double) {
        self.input = input
        self.seconds = seconds
        camera = LiveCamera.Setup(name: "bench", width: width, height: height, frameRate: frameRate)
    }

    /// Runs the pipeline for `seconds` and reports what the command prints, as JSON-ready values.
    public func run(logger: Logger) throws -> [String: Any] {
        var setup = self.camera
        let source = try FileFrameSource(path: input, width: setup.width, height: setup.height, frameRate: setup.frameRate)
        if let outputsDirectory {
            setup.outputs = try Self.outputs(in: outputsDirectory)
            setup.encoder = EncoderOptions(preset: preset, gop: Int(setup.frameRate.rounded()))
        }
        let camera = try LiveCamera(setup, source: source, logger: logger)
        let pipeline = camera.pipeline, anonymizer = camera.anonymizer
        let rssStart = ProcessUsage.residentMegabytes()
        let cpuStart = ProcessUsage.cpuSeconds()
        let started = MonotonicClock.now()
        camera.start()
        MonotonicClock.sleep(until: started + UInt64(seconds * 1e9))
        camera.stop()
        let wall = Double(MonotonicClock.now() - started) / 1e9
        let cpu = ProcessUsage.cpuSeconds() - cpuStart
        if let error = pipeline.error { throw error }

        let stats = pipeline.statistics
        func ms(_ seconds: Double) -> Double { (seconds * 1e4).rounded() / 10 }
        var stages: [String: Double] = [:]
        let frames = Double(max(1, anonymizer.clock.counts["landmarks"] ?? 0))
        for (stage, total) in anonymizer.clock.seconds { stages[stage] = (total / frames * 1e5).rounded() / 100 }
        var result: [String: Any] = [
            "input": input, "size": "\(setup.width)x\(setup.height)", "fps": setup.frameRate, "mode": setup.anonymizer.mode.rawValue,
            "seconds": (wall * 100).rounded() / 100, "budget_ms": ms(pipeline.budget), "on_stall": setup.live.onStall.rawValue,
            "frames_in": stats.framesIn, "frames_out": stats.framesOut, "dropped": stats.dropped,
            "fail_closed_frames": stats.failClosed, "no_pass_in_time": stats.noPassInTime, "scene_changes": stats.sceneChanges,
            "detector_failures": stats.detectorFailures, "detection_passes": stats.detectionPasses,
            "detection_ms_per_pass": ms(stats.detectionSeconds / Double(max(1, stats.detectionPasses))),
            "second_opinion": ["passes": stats.secondOpinionPasses, "per_second": (Double(stats.secondOpinionPasses) / wall * 10).rounded() / 10,
                               "ms_per_pass": ms(stats.secondOpinionSeconds / Double(max(1, stats.secondOpinionPasses))),
                               "recall_incidents": stats.recallIncidents], "detector_input": "\(camera.detectorInput.width)x\(camera.detectorInput.height)",
            "ladder": ["tracked": stats.tracked, "direct_fit": stats.directFit, "quick_cover": stats.quickCover, "dropped_late": stats.droppedLate],
            "latency_ms": ["p50": ms(stats.latency.percentile(0.5)), "p95": ms(stats.latency.percentile(0.95)),
                           "p99": ms(stats.latency.percentile(0.99)), "max": ms(stats.latency.maximum)],
            "cpu_percent": (cpu / wall * 1000).rounded() / 10,
            "rss_mb": ["start": rssStart, "end": ProcessUsage.residentMegabytes()],
            "anonymizer_ms_per_frame": stages,
            "faces": Dictionary(uniqueKeysWithValues: anonymizer.counts.faces.map { ($0.key.rawValue, $0.value) }),
            "identity_checks": anonymizer.counts.identityChecks,
            "identity_incidents": anonymizer.counts.incidents,
            "proof": proofCost(stats, pipeline.budget, anonymizer.identityChecks),
            "stability": Self.figures(anonymizer.wholeRun),
        ]
        if let outputs = camera.outputs { result["outputs"] = Self.report(outputs.statistics) }
        return result
    }

    /// RTP, SRTP (with a fresh key) and a recording, as a clinic would run them at once.
    static func outputs(in directory: String) throws -> [OutputSpec] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let key = "\(directory)/bench.key"
        var bytes = [UInt8](repeating: 0, count: 30)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        try AtomicFile.write(Array(Data(bytes).base64EncodedString().utf8), to: key, mode: 0o600)
        return [
            .rtp(address: Endpoint(host: "127.0.0.1", port: 5004), sdpPath: "\(directory)/bench-rtp.sdp"),
            .srtp(address: Endpoint(host: "127.0.0.1", port: 5008), sdpPath: "\(directory)/bench-srtp.sdp", keyFile: key),
            .record(directory: "\(directory)/recordings", segmentSeconds: 600, container: .mkv, maxTotalBytes: nil),
        ]
    }

    private static func report(_ stats: OutputStatistics) -> [String: Any] {
        func ms(_ seconds: Double) -> Double { (seconds * 1e4).rounded() / 10 }
        var report: [String: Any] = [
            "frames_submitted": stats.framesSubmitted, "frames_dropped": stats.framesDropped,
            "frames_encoded": stats.framesEncoded, "encode_errors": stats.encodeErrors,
            "encode_ms": ["mean": ms(stats.encodeTime.mean), "p99": ms(stats.encodeTime.percentile(0.99))],
        ]
        for output in stats.outputs {
            report[output.name] = [
                "sent": output.sent, "errors": output.errors, "dropped": output.dropped,
                "capture_to_packet_ms": ["p50": ms(output.latency.percentile(0.5)), "p99": ms(output.latency.percentile(0.99)),
                                         "max": ms(output.latency.maximum)],
            ]
        }
        return report
    }

    /// What measuring stability (after each hand-off) and identity (on the detector's thread) cost, as
    /// a share of the frames' budget: together at most `LivePipeline.proofShare`.
    private func proofCost(_ stats: LiveStatistics, _ budget: Double, _ checks: IdentityCheckQueue?) -> [String: Any] {
        func round2(_ v: Double) -> Double { (v * 100).rounded() / 100 }
        let frames = Double(max(1, stats.framesOut))
        var proof: [String: Any] = [
            "stability_samples": stats.stabilitySamples,
            "stability_sampled_percent_of_frames": round2(Double(stats.stabilitySamples) / frames * 100),
            "stability_ms_per_sample": round2(stats.stabilitySeconds / Double(max(1, stats.stabilitySamples)) * 1000),
            "stability_percent_of_budget": round2(stats.stabilitySeconds / (frames * budget) * 100),
        ]
        let identity = checks?.cost
        if let (checks, seconds) = identity {
            proof["identity_checks_run"] = checks
            proof["identity_ms_per_check"] = round2(seconds / Double(max(1, checks)) * 1000)
            proof["identity_percent_of_budget_off_frame_path"] = round2(seconds / (frames * budget) * 100)
        }
        proof["proof_percent_of_budget"] = round2((stats.stabilitySeconds + (identity?.seconds ?? 0)) / (frames * budget) * 100)
        return proof
    }

    /// A run's stability and identity figures, JSON-ready (absent where nothing was measured).
    static func figures(_ f: StabilityFigures) -> [String: Any] {
        func round4(_ v: Double?) -> Any { StabilitySchema.figure(v) ?? NSNull() }
        return [
            "faces_measured": f.measuredFaces, "nme_mean": round4(f.nme), "nme_dynamic_mean": round4(f.nmeDynamic),
            "oks_mean": round4(f.oks), "jitter_input_mean": round4(f.jitterInput), "jitter_output_mean": round4(f.jitterOutput),
            "identity_checks": f.identityChecks, "identity_pass_ratio": round4(f.identityPassRatio),
            "identity_distance_min": round4(f.identityDistanceMin), "faces_consented": f.consented,
        ]
    }
}

/// The process's own CPU time and resident memory.
enum ProcessUsage {
    /// User and system time since the process started.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Resident set now (not the peak getrusage keeps), from /proc/self/statm, in MB to 0.1.
    static func residentMegabytes() -> Double {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return 0 }
        return (pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576 * 10).rounded() / 10
    }
}
