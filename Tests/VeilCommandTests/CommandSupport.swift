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

/// How far a picture's face region and the body below it are from the nearest frame of the sample
/// (Obama's portrait, moving) scaled to `size`, in mean luma levels: the frame chosen is the one whose
/// body region is nearest, so that a swapped or covered face shows as a large face difference beside a
/// small body one.
func faceAndBodyDifference(_ picture: String, against video: String, size: (Int, Int)) throws -> (inner: Double, border: Double) {
    let scale = "scale=\(size.0):\(size.1)"
    let still = try Program.run("/usr/bin/ffmpeg", ["-v", "error", "-i", picture, "-vf", scale, "-f", "rawvideo", "-pix_fmt", "gray", "-"]).checked().output
    let frames = try Program.run("/usr/bin/ffmpeg", ["-v", "error", "-i", video, "-vf", scale, "-f", "rawvideo", "-pix_fmt", "gray", "-"])
        .checked().output
    let count = size.0 * size.1
    let shot = [UInt8](still)
    guard shot.count == count else { throw Probe.ProbeError(message: "\(picture) decoded to \(shot.count) bytes, not \(count)") }
    let all = [UInt8](frames)
    var best: (inner: Double, border: Double) = (0, .infinity)
    for start in stride(from: 0, to: all.count - count + 1, by: count) {
        var inner = 0, innerCount = 0, border = 0, borderCount = 0
        for y in stride(from: 0, to: size.1, by: 2) {
            for x in stride(from: 0, to: size.0, by: 2) {
                let d = abs(Int(shot[y * size.0 + x]) - Int(all[start + y * size.0 + x]))
                if x > size.0 * 2 / 5 && x < size.0 * 3 / 5 && y > size.1 / 20 && y < size.1 / 3 {
                    inner += d; innerCount += 1
                } else if x > size.0 * 3 / 10 && x < size.0 * 13 / 20 && y > size.1 * 2 / 5 && y < size.1 * 17 / 20 {
                    border += d; borderCount += 1
                }
            }
        }
        let candidate = (Double(inner) / Double(innerCount), Double(border) / Double(borderCount))
        if candidate.1 < best.border { best = candidate }
    }
    return best
}
