import Foundation
import Logging
import VeilMedia
import VeilOutput
import VeilTestSupport
import XCTest

/// A test case with a fresh scratch directory, removed after each test.
class OutputTestCase: XCTestCase {
    var directory: URL!
    var log: LogRecorder!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("veil-output-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        log = LogRecorder()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// A logger whose lines `log` keeps, so tests can check what was reported and how often.
    var logger: Logger {
        var logger = Logger(label: "veil.test") { _ in self.log }
        logger.logLevel = .info
        return logger
    }

    func outputs(_ specs: [OutputSpec], width: Int = 320, height: Int = 240, fps: Double = 30,
                 encoder: EncoderOptions = EncoderOptions(bitrateKbps: 800, gop: 15)) throws -> CameraOutputs {
        try CameraOutputs(camera: "cam", width: width, height: height, frameRate: fps, encoder: encoder, outputs: specs, logger: logger)
    }

    /// Files in the scratch directory (or a subdirectory) whose names end with `suffix`, sorted.
    func files(in subdirectory: String, endingWith suffix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path(subdirectory)).filter { $0.hasSuffix(suffix) }.sorted()
    }
}

/// Collects log lines (level and message, metadata folded in) from any thread.
final class LogRecorder: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let text = "\(event.level) \(event.message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))"
        lock.lock()
        lines.append(text)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }

    func lines(containing text: String) -> [String] { all.filter { $0.contains(text) } }
}

/// Moving-gradient frames, submitted in real time at the frame rate (as the live pipeline would)
/// from a background thread until stopped.
// @unchecked: shared with its feeding thread; `running` and `count` are under `lock`.
final class FrameFeeder: @unchecked Sendable {
    private let outputs: CameraOutputs
    private let pictures: [Picture]
    private let fps: Double
    private let lock = NSLock()
    private var running = true
    private var count = 0
    private let done = DispatchSemaphore(value: 0)

    /// noise: frames of random samples, which no encoder can compress below its bitrate.
    init(_ outputs: CameraOutputs, width: Int = 320, height: Int = 240, fps: Double = 30, noise: Bool = false) {
        self.outputs = outputs
        self.fps = fps
        pictures = (0..<15).map {
            noise ? FrameFeeder.noise(width: width, height: height) : FrameFeeder.gradient(width: width, height: height, phase: $0)
        }
    }

    static func noise(width: Int, height: Int) -> Picture {
        let picture = Picture(width: width, height: height)
        var generator = SystemRandomNumberGenerator()
        for plane in picture.planes {
            for y in 0..<plane.height {
                let row = plane.row(y)
                for x in 0..<plane.width { row[x] = UInt8.random(in: 16...235, using: &generator) }
            }
        }
        return picture
    }

    static func gradient(width: Int, height: Int, phase: Int) -> Picture {
        let picture = Picture(width: width, height: height)
        for y in 0..<height {
            let row = picture.y.row(y)
            for x in 0..<width { row[x] = UInt8(truncatingIfNeeded: x + y + phase * 16) }
        }
        return picture
    }

    var submitted: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }

    /// Feeds `frames` frames (or until `stop`) in the background.
    func start(frames: Int = .max) {
        Thread { [self] in
            let begin = Date()
            var index = 0
            while index < frames {
                lock.lock()
                let keepGoing = running
                lock.unlock()
                guard keepGoing else { break }
                let due = begin.addingTimeInterval(Double(index) / fps)
                let wait = due.timeIntervalSinceNow
                if wait > 0 { Thread.sleep(forTimeInterval: wait) }
                outputs.submit(pictures[index % pictures.count], captureTime: DispatchTime.now().uptimeNanoseconds)
                index += 1
                lock.lock()
                count = index
                lock.unlock()
            }
            done.signal()
        }.start()
    }

    /// Waits until the feeder has submitted everything it was asked to.
    func wait() { done.wait(); done.signal() }

    func stop() {
        lock.lock()
        running = false
        lock.unlock()
        wait()
    }
}

/// Runs the real FFmpeg command-line tools, the clients the outputs are checked against.
enum Tool {
    /// Runs /usr/bin/NAME (ffmpeg, ffprobe) quietly; one still running after `timeout` seconds is
    /// terminated.
    @discardableResult
    static func run(_ name: String, _ arguments: [String], timeout: Double = 60) throws -> Program.Result {
        try Program.tool(name, arguments, timeout: timeout)
    }

    /// Frames ffprobe decodes from a file, and the end of its last packet in seconds.
    static func probe(_ file: String) throws -> (frames: Int, width: Int, height: Int, end: Double) {
        let stream = try run("ffprobe", ["-count_frames", "-select_streams", "v:0", "-show_entries",
                                         "stream=nb_read_frames,width,height", "-of", "csv=p=0", file])
        let fields = stream.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",").compactMap { Int($0) }
        guard stream.status == 0, fields.count == 3 else {
            throw XCTSkip("ffprobe could not read \(file): \(stream.stderr)")
        }
        let packets = try run("ffprobe", ["-select_streams", "v:0", "-show_entries", "packet=pts_time,duration_time",
                                          "-of", "csv=p=0", file])
        let end = packets.stdout.split(separator: "\n").compactMap { line -> Double? in
            let parts = line.split(separator: ",").compactMap { Double($0) }
            return parts.count == 2 ? parts[0] + parts[1] : parts.first
        }.max() ?? 0
        return (fields[2], fields[0], fields[1], end)
    }

    /// Receives an RTP/SRTP stream described by an SDP file and decodes up to `frames` frames to raw
    /// I420; returns how many whole frames of width x height came out before it ended or timed out.
    static func receive(sdp: String, frames: Int, width: Int, height: Int, into raw: String, timeout: Double) throws -> (frames: Int, result: Program.Result) {
        let result = try run("ffmpeg", ["-protocol_whitelist", "file,udp,rtp,srtp,crypto", "-i", sdp, "-frames:v", "\(frames)",
                                        "-f", "rawvideo", "-pix_fmt", "yuv420p", raw], timeout: timeout)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: raw)[.size] as? Int) ?? 0
        return (bytes / (width * height * 3 / 2), result)
    }
}

/// A free-looking even UDP port (RTP takes it, RTCP the next one).
func rtpPort() -> Int { 20000 + 2 * Int.random(in: 0..<15000) }
