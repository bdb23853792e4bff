import Foundation
import VeilTestSupport
import XCTest

/// Runs programs for the command tests: the veil binary under test and the real FFmpeg clients.
enum Run {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary under test: $VEIL_BIN (make test points it at the release build), else the one built
    /// beside the test bundle.
    static var veil: String {
        if let path = ProcessInfo.processInfo.environment["VEIL_BIN"], !path.isEmpty { return path }
        let products = Bundle(for: Marker.self).bundleURL.deletingLastPathComponent()
        return products.appendingPathComponent("veil").path
    }

    private final class Marker {}

    static func veil(_ arguments: String...) throws -> Program.Result { try Program.run(veil, arguments) }

    static func sample(_ name: String) throws -> String {
        let path = repository.appendingPathComponent("data/sample/\(name)").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("\(path) is missing: `make test` makes it")
        }
        return path
    }
}

/// What ffprobe says about a file.
struct Probe {
    let videoFrames: [Double]   // pts_time of every video frame, in order
    let width: Int
    let height: Int
    let audioStreams: Int

    init(_ path: String) throws {
        let frames = try Program.ffprobe(["-select_streams", "v:0", "-show_entries", "frame=pts_time",
                                              "-of", "csv=p=0", path])
        guard frames.status == 0 else { throw ProbeError(message: frames.stderr) }
        // One line a frame ("0.033333," when side data follows, which adds a blank line of its own).
        videoFrames = frames.stdout.split(separator: "\n").compactMap { line in
            line.split(separator: ",").first.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        }
        let size = try Program.ffprobe(["-select_streams", "v:0", "-show_entries", "stream=width,height",
                                            "-of", "csv=p=0", path])
        let parts = size.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",").compactMap { Int($0) }
        width = parts.first ?? 0
        height = parts.count > 1 ? parts[1] : 0
        let audio = try Program.ffprobe(["-select_streams", "a", "-show_entries", "stream=index",
                                             "-of", "csv=p=0", path])
        audioStreams = audio.stdout.split(separator: "\n").count
    }

    struct ProbeError: Error { let message: String }

    /// Frame times relative to the first, in milliseconds: what survives a change of container
    /// (Matroska counts in milliseconds and shifts the start to make room for audio priming).
    var relativeMilliseconds: [Int] {
        videoFrames.map { Int((($0 - (videoFrames.first ?? 0)) * 1000).rounded()) }
    }
}

/// Every `every`-th frame of a video as a grey (luma) image, decoded by the real ffmpeg CLI.
func greyFrames(_ path: String, every: Int) throws -> (width: Int, height: Int, frames: [[UInt8]]) {
    let probe = try Probe(path)
    let result = try Program.run("/usr/bin/ffmpeg", ["-v", "error", "-i", path, "-vf", "select=not(mod(n\\,\(every)))",
                                                      "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "gray", "-"])
    guard result.status == 0 else { throw Probe.ProbeError(message: result.stderr) }
    let size = probe.width * probe.height
    let bytes = [UInt8](result.output)
    let frames = stride(from: 0, to: bytes.count - size + 1, by: size).map { Array(bytes[$0..<$0 + size]) }
    return (probe.width, probe.height, frames)
}
