import Foundation
import VeilMedia
import VeilTestSupport
import XCTest

/// Runs the real ffmpeg and ffprobe command-line tools to make inputs and to check outputs.
enum Tool {
    /// Runs /usr/bin/NAME with quiet logging; returns stdout, throws with stderr on a non-zero exit.
    @discardableResult
    static func run(_ name: String, _ arguments: [String]) throws -> String {
        try Program.tool(name, arguments).checked().stdout
    }

    static func ffmpeg(_ arguments: String...) throws { try run("ffmpeg", arguments) }

    /// One line per entry, blank lines dropped. ffprobe ends a line with a comma where side data
    /// follows (a frame's first line); that comma is dropped too.
    static func probe(_ path: String, _ arguments: String...) throws -> [String] {
        try run("ffprobe", arguments + ["-of", "csv=p=0", path]).split(separator: "\n")
            .map { $0.trimmingCharacters(in: CharacterSet.whitespaces.union(CharacterSet(charactersIn: ","))) }
            .filter { !$0.isEmpty }
    }

    static func videoFrameTimes(_ path: String) throws -> [String] {
        try probe(path, "-select_streams", "v:0", "-show_entries", "frame=pts_time")
    }

    /// Per-packet timestamps, sizes and MD5s of the audio streams, as a stream copy sees them.
    static func audioPackets(_ path: String) throws -> [String] {
        try run("ffmpeg", ["-i", path, "-map", "0:a", "-c", "copy", "-f", "framemd5", "-"])
            .split(separator: "\n").filter { !$0.hasPrefix("#software") }.map(String.init)
    }

    static func formatName(_ path: String) throws -> String {
        try probe(path, "-show_entries", "format=format_name").joined().trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }
}

/// A scratch directory per test case, removed afterwards, and clips shared by all tests (made once).
class MediaTestCase: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("veil-media-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func contents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    /// Shared inputs, made by ffmpeg in one directory the first time a test asks.
    static let clips: Result<Clips, Error> = Result { try Clips() }

    func clips() throws -> Clips { try Self.clips.get() }
}

struct Clips {
    static let location = FileManager.default.temporaryDirectory.appendingPathComponent("veil-media-clips-\(getpid())")
    let directory: URL
    /// 320x240, 25 fps, 2 s, H.264 with B-frames + AAC.
    let mp4: String
    /// 320x240 at 30000/1001 with every third frame dropped (variable frame rate), H.264 + AAC, Matroska.
    let vfrMkv: String
    /// `mp4` with the index in front, so that its first half is still readable.
    let faststartMp4: String

    init() throws {
        directory = Clips.location
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: Clips.location) }
        mp4 = directory.appendingPathComponent("in.mp4").path
        vfrMkv = directory.appendingPathComponent("vfr.mkv").path
        faststartMp4 = directory.appendingPathComponent("faststart.mp4").path
        try Tool.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440",
                        "-t", "2", "-c:v", "libx264", "-c:a", "aac", mp4)
        try Tool.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30000/1001", "-f", "lavfi", "-i", "sine=frequency=300",
                        "-t", "2", "-vf", "select='not(eq(mod(n\\,3)\\,1))'", "-fps_mode", "vfr",
                        "-c:v", "libx264", "-c:a", "aac", vfrMkv)
        try Tool.ffmpeg("-i", mp4, "-c", "copy", "-movflags", "+faststart", faststartMp4)
    }
}

/// Reads every frame of `input` and writes it with its audio to `output`; returns the frames copied.
@discardableResult
func transcode(_ input: String, to output: String, settings: EncoderSettings = EncoderSettings()) throws -> Int {
    let reader = try VideoReader(path: input)
    let writer = try VideoWriter(path: output, source: reader, settings: settings)
    let picture = Picture(width: reader.width, height: reader.height)
    while try reader.read(into: picture, passthrough: { try writer.write($0) }) {
        try writer.write(picture)
    }
    try writer.finish()
    XCTAssertEqual(writer.framesWritten, reader.framesDecoded)
    return reader.framesDecoded
}

/// Asserts that `body` throws exactly `expected`.
func XCTAssertThrowsMediaError<T>(_ expected: MediaError, _ body: @autoclosure () throws -> T,
                                  file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        XCTAssertEqual(error as? MediaError, expected, "got \(error)", file: file, line: line)
    }
}
