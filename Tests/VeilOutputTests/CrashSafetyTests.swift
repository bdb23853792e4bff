import Foundation
import XCTest

/// A recording whose writer is killed with SIGKILL plays up to its last second. The writer is a
/// separate process, RecordProbe, built beside this test bundle.
final class CrashSafetyTests: OutputTestCase {
    private final class Marker {}

    /// Beside the test bundle: Linux's XCTest reports the products directory itself as the bundle.
    private var probe: String {
        let bundle = Bundle(for: Marker.self).bundleURL
        return [bundle, bundle.deletingLastPathComponent()].map { $0.appendingPathComponent("RecordProbe").path }
            .first { FileManager.default.isExecutableFile(atPath: $0) } ?? "RecordProbe"
    }

    func testMatroskaSurvivesSIGKILL() throws { try killWhileRecording(container: "mkv") }

    func testFragmentedMP4SurvivesSIGKILL() throws { try killWhileRecording(container: "mp4") }

    private func killWhileRecording(container: String) throws {
        guard FileManager.default.isExecutableFile(atPath: probe) else { throw XCTSkip("\(probe) is not built") }
        let fps = 30.0
        let process = Process()
        process.executableURL = URL(fileURLWithPath: probe)
        // Keyframes every 3 s: a cluster or fragment must end at the half-second limit, not wait for one.
        process.arguments = ["--record", path("rec"), "--container", container, "--fps", "\(Int(fps))", "--gop", "90"]
        let output = Pipe()
        process.standardOutput = output
        let progress = ProgressLines()
        try process.run()
        progress.follow(output.fileHandleForReading)
        try waitFor("the probe to start recording") { progress.last != nil }
        Thread.sleep(forTimeInterval: 2.5)
        let report = try XCTUnwrap(progress.last)
        kill(process.processIdentifier, SIGKILL)
        let killedAt = Date()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        let written = Double(report.frames) / fps + killedAt.timeIntervalSince(report.at)

        let names = try files(in: "rec", endingWith: "." + container)
        XCTAssertEqual(names.count, 1, "\(names)")
        let file = path("rec/\(try XCTUnwrap(names.first))")
        let probe = try Tool.probe(file)
        XCTAssertGreaterThanOrEqual(probe.end, written - 1, "playable \(probe.end) s of \(written) s written")
        XCTAssertGreaterThanOrEqual(Double(probe.frames), (written - 1) * fps)
        let decode = try Tool.run("ffmpeg", ["-xerror", "-i", file, "-f", "null", "-"])
        XCTAssertEqual(decode.status, 0, decode.stderr)
    }
}

/// The probe's "frames N" lines (N frames submitted by then), with the time each arrived.
private final class ProgressLines: @unchecked Sendable {
    private let lock = NSLock()
    private var latest: (frames: Int, at: Date)?

    var last: (frames: Int, at: Date)? {
        lock.lock()
        defer { lock.unlock() }
        return latest
    }

    func follow(_ handle: FileHandle) {
        Thread { [self] in
            var buffer = Data()
            while case let chunk = handle.availableData, !chunk.isEmpty {
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                    buffer.removeSubrange(buffer.startIndex...newline)
                    guard line.hasPrefix("frames "), let n = Int(line.dropFirst(7)) else { continue }
                    lock.lock()
                    latest = (n, Date())
                    lock.unlock()
                }
            }
        }.start()
    }
}
