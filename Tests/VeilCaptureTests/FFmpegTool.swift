import Foundation
import VeilTestSupport
import XCTest

/// A test case with a fresh scratch directory, removed after each test.
class ScratchDirectoryTestCase: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("veil-capture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Runs the real ffmpeg command-line tool, whose conversions the camera converters are checked against.
enum FFmpegTool {
    /// Runs ffmpeg quietly; throws with its stderr on a non-zero exit.
    static func run(_ arguments: String...) throws {
        try Program.ffmpeg(arguments).checked()
    }

    /// A test pattern frame (testsrc2: colour bars, gradients, moving shapes) as raw bytes.
    static func rawFrame(width: Int, height: Int, pixelFormat: String, in directory: URL) throws -> [UInt8] {
        let path = directory.appendingPathComponent("pattern.\(pixelFormat)").path
        try run("-f", "lavfi", "-i", "testsrc2=size=\(width)x\(height)", "-frames:v", "1",
                "-pix_fmt", pixelFormat, "-f", "rawvideo", path)
        return try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// ffmpeg's own conversion of a raw frame to yuv420p, as raw bytes (planes packed, no padding).
    static func toYUV420P(_ frame: [UInt8], width: Int, height: Int, pixelFormat: String, in directory: URL) throws -> [UInt8] {
        let input = directory.appendingPathComponent("input.raw"), output = directory.appendingPathComponent("output.yuv")
        try Data(frame).write(to: input)
        try run("-f", "rawvideo", "-pix_fmt", pixelFormat, "-s", "\(width)x\(height)", "-i", input.path,
                "-pix_fmt", "yuv420p", "-f", "rawvideo", output.path)
        return try [UInt8](Data(contentsOf: output))
    }
}
