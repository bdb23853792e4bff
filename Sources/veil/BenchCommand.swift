import ArgumentParser
import Foundation
import Logging
import VeilLive
import VeilPipeline
import VeilVision
import VeilCore
import VeilDaemon

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time `veil process` on a clip: per-stage milliseconds per frame and whole-file fps.")

    @Argument(help: "Clip to process (default: the sample clip made by `make demo`).")
    var input: String?

    @Option(help: "How faces are hidden: swapped for a donor face, or covered.")
    var mode: AnonymizeMode = .swap

    @Option(help: "x264 preset.")
    var preset = "ultrafast"

    @Option(name: .customLong("detect-every"), help: "Run the face detector on one frame in N.")
    var detectEvery = ProcessOptions(input: "", output: "").detectEvery

    @Flag(help: "Time the live pipeline instead: the clip played at a camera's rate, latency from capture to hand-off.")
    var live = false

    @Option(name: .customLong("input"), help: "Clip for --live (default: the sample clip); it loops.")
    var liveInput: String?

    @Option(help: "--live picture size, WIDTHxHEIGHT; the clip is scaled to it.")
    var size = "1280x720"

    @Option(help: "--live camera rate, frames per second.")
    var fps = 30.0

    @Option(help: "--live run length in seconds.")
    var seconds = 20.0

    @Option(name: .customLong("budget-ms"), help: "--live: capture to hand-off budget, as the camera key budget_ms (default: as budget_ms's).")
    var budgetMs: Int?

    @Option(name: .customLong("detector-width"), help: "The detector's input width (default: the size promise's, live or offline; see the README).")
    var detectorWidth: Int?

    @Option(name: .customLong("on-stall"), help: "--live: blur_frame | black_frame | drop")
    var onStall: StallPolicy = .blurFrame

    @Option(name: .customLong("outputs"), help: ArgumentHelp(
        "--live: also encode and send to RTP (127.0.0.1:5004), SRTP (:5008) and a recording, all in DIR.",
        valueName: "DIR"))
    var outputsDirectory: String?

    func run() throws {
        if live { return try runLive() }
        let clip = try input ?? runReportingErrors { try SampleClip.defaultPath() }
        let output = NSTemporaryDirectory() + "veil-bench-\(getpid()).mkv"
        defer { unlink(output) }
        var options = ProcessOptions(input: clip, output: output)
        options.anonymizer.mode = mode
        options.encoder.preset = preset
        options.detectEvery = detectEvery
        options.detectorWidth = detectorWidth
        let report = try runReportingErrors { try FileProcessor(options: options, logger: .veil).run() }
        let frames = Double(max(report.frames, 1))
        var stages: [String: Double] = [:]
        for (stage, seconds) in report.clock.seconds { stages[stage] = (seconds / frames * 1e5).rounded() / 100 }
        let result: [String: Any] = [
            "input": clip, "size": report.size, "mode": mode.rawValue, "frames": report.frames,
            "seconds": (report.seconds * 100).rounded() / 100,
            "fps": (Double(report.frames) / max(report.seconds, 1e-9) * 10).rounded() / 10,
            "ms_per_frame": stages,
        ]
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        print(String(decoding: data, as: UTF8.self))
    }
}

extension BenchCommand {
    func runLive() throws {
        let dimensions = size.split(separator: "x").compactMap { Int($0) }
        guard dimensions.count == 2, dimensions.allSatisfy({ $0 >= 2 && $0 % 2 == 0 }) else {
            throw ValidationError("--size must be WIDTHxHEIGHT with even sides, e.g. 1280x720")
        }
        guard fps > 0, seconds > 0 else { throw ValidationError("--fps and --seconds must be positive") }
        if let budgetMs, !(1...1000).contains(budgetMs) { throw ValidationError("--budget-ms must be 1-1000, as budget_ms") }
        let clip = try liveInput ?? input ?? runReportingErrors { try SampleClip.defaultPath() }
        var bench = LiveBench(input: clip, width: dimensions[0], height: dimensions[1], frameRate: fps, seconds: seconds)
        bench.camera.anonymizer.mode = mode
        bench.camera.live.onStall = onStall
        bench.camera.live.budget = budgetMs.map { Double($0) / 1000 }
        bench.camera.detectorWidth = detectorWidth
        bench.outputsDirectory = outputsDirectory
        bench.preset = preset
        let result = try runReportingErrors { try bench.run(logger: .veil) }
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: data, as: UTF8.self))
    }
}

extension StallPolicy: ExpressibleByArgument {}

enum SampleClip {
    static func defaultPath() throws -> String {
        let data = try VeilVision.DataDirectory.locate()
        let path = data.url.appendingPathComponent("sample/sample.mp4").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw UserError("no sample clip at \(path): run `make demo` (or scripts/make-sample.sh) first")
        }
        return path
    }
}
