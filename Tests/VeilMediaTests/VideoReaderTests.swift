import Foundation
import VeilMedia
import XCTest

final class VideoReaderTests: MediaTestCase {
    func testReportsTheSourceProperties() throws {
        let reader = try VideoReader(path: try clips().mp4)
        XCTAssertEqual(reader.width, 320)
        XCTAssertEqual(reader.height, 240)
        XCTAssertEqual(reader.frameRate, Rational(25, 1))
        XCTAssertEqual(reader.timeBase, Rational(1, 12800))
        XCTAssertEqual(reader.estimatedFrameCount, 50)
        XCTAssertTrue(reader.hasAudio)
    }

    func testReadsEveryFrameWithItsTimestampAndPassesAudioThrough() throws {
        let clip = try clips().mp4
        let reader = try VideoReader(path: clip)
        let picture = Picture(width: reader.width, height: reader.height)
        var times: [String] = [], audioPackets = 0
        while try reader.read(into: picture, passthrough: { packet in
            XCTAssertEqual(packet.streamIndex, 1)
            audioPackets += 1
        }) {
            times.append(String(format: "%.6f", Double(picture.pts) * reader.timeBase.value))
        }
        XCTAssertEqual(times, try Tool.videoFrameTimes(clip))
        XCTAssertEqual(audioPackets, try Tool.probe(clip, "-select_streams", "a:0", "-count_packets",
                                                    "-show_entries", "stream=nb_read_packets").first.flatMap { Int($0) })
        XCTAssertFalse(try reader.read(into: picture, passthrough: { _ in }), "the end stays the end")
    }

    func testDecodedPixelsMatchFFmpegsOwnDecode() throws {
        let clip = try clips().mp4
        let raw = path("frame0.yuv")
        try Tool.ffmpeg("-i", clip, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "yuv420p", raw)
        let expected = try Data(contentsOf: URL(fileURLWithPath: raw))
        let reader = try VideoReader(path: clip)
        let picture = Picture(width: reader.width, height: reader.height)
        XCTAssertTrue(try reader.read(into: picture, passthrough: { _ in }))
        XCTAssertEqual(packedBytes(of: picture), expected)
    }

    func testFullRangeVideoComesOutLimitedRange() throws {
        let clip = path("white-full-range.mp4")
        try Tool.ffmpeg("-f", "lavfi", "-i", "color=c=white:size=64x48:rate=25", "-t", "0.2",
                        "-pix_fmt", "yuvj420p", "-c:v", "libx264", clip)
        let reader = try VideoReader(path: clip)
        let picture = Picture(width: reader.width, height: reader.height)
        XCTAssertTrue(try reader.read(into: picture, passthrough: { _ in }))
        XCTAssertEqual(Int(picture.y[32, 24]), 235, accuracy: 1)
        XCTAssertEqual(Int(picture.u[16, 12]), 128, accuracy: 1)
    }

    func testOtherPixelFormatsAndOddSizesAreConvertedToEvenI420() throws {
        // FFV1 keeps yuv444p and odd sizes, which the plane copy does not handle: swscale's path.
        let clip = path("odd-444.mkv")
        try Tool.ffmpeg("-f", "lavfi", "-i", "color=c=red:size=65x49:rate=25", "-t", "0.2",
                        "-pix_fmt", "yuv444p", "-c:v", "ffv1", clip)
        let reader = try VideoReader(path: clip)
        XCTAssertEqual([reader.width, reader.height], [64, 48])
        let picture = Picture(width: reader.width, height: reader.height)
        XCTAssertTrue(try reader.read(into: picture, passthrough: { _ in }))
        // BT.601 limited-range red.
        XCTAssertEqual(Int(picture.y[10, 10]), 81, accuracy: 2)
        XCTAssertEqual(Int(picture.u[5, 5]), 90, accuracy: 2)
        XCTAssertEqual(Int(picture.v[5, 5]), 240, accuracy: 2)
    }

    func testAMissingInputCannotBeOpened() {
        let missing = path("missing.mp4")
        XCTAssertThrowsMediaError(.failed(action: "open input", path: missing, reason: "No such file or directory"),
                                  try VideoReader(path: missing))
        XCTAssertEqual(MediaError.failed(action: "open input", path: "x.mp4", reason: "No such file or directory").description,
                       "cannot open input 'x.mp4': No such file or directory")
    }

    func testAnEmptyFileIsNotAVideo() throws {
        let empty = path("empty.mp4")
        XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: Data()))
        assertUnreadable(empty)
    }

    func testATextFileNamedMp4IsNotAVideo() throws {
        let notes = path("notes.mp4")
        try "meeting notes, not a video\n".write(toFile: notes, atomically: true, encoding: .utf8)
        assertUnreadable(notes)
        XCTAssertEqual(MediaError.unreadable(path: "notes.mp4", kind: "video", reason: "Invalid data found when processing input").description,
                       "'notes.mp4' is not a video FFmpeg can read: Invalid data found when processing input")
    }

    func testAFileWithoutVideoHasNoVideoStream() throws {
        let audio = path("tone.m4a")
        try Tool.ffmpeg("-f", "lavfi", "-i", "sine", "-t", "0.5", "-c:a", "aac", audio)
        XCTAssertThrowsMediaError(.noVideoStream(path: audio), try VideoReader(path: audio))
        XCTAssertEqual(MediaError.noVideoStream(path: "clip.mp4").description, "'clip.mp4' has no video stream")
    }

    func testTheFirstHalfOfAnMp4WithItsIndexAtTheEndIsNotAVideo() throws {
        let half = try firstHalf(of: try clips().mp4)
        assertUnreadable(half)
    }

    func testTheFirstHalfOfAFaststartMp4DecodesWhatItCan() throws {
        let half = try firstHalf(of: try clips().faststartMp4)
        let reader = try VideoReader(path: half)
        let picture = Picture(width: reader.width, height: reader.height)
        var frames = 0
        while try reader.read(into: picture, passthrough: { _ in }) { frames += 1 }
        XCTAssertGreaterThan(frames, 5)
        XCTAssertLessThan(frames, 50)
    }

    func testTheFirstHalfOfAMatroskaFileDecodesWhatItCan() throws {
        let half = try firstHalf(of: try clips().vfrMkv)
        let reader = try VideoReader(path: half)
        let picture = Picture(width: reader.width, height: reader.height)
        var frames = 0
        while try reader.read(into: picture, passthrough: { _ in }) { frames += 1 }
        XCTAssertGreaterThan(frames, 5)
        XCTAssertLessThan(frames, try Tool.videoFrameTimes(try clips().vfrMkv).count)
    }

    func testVideoThatNeverDecodesIsAnError() throws {
        // The index (in front) survives; every payload after it is noise.
        let noise = try damaged(try clips().faststartMp4, from: 0.0, to: 1.0)
        let reader = try VideoReader(path: noise)
        let picture = Picture(width: reader.width, height: reader.height)
        XCTAssertThrowsError(try reader.read(into: picture, passthrough: { _ in })) { error in
            guard case .failed("decode", noise, let reason)? = error as? MediaError else {
                return XCTFail("expected a decode failure, got \(error)")
            }
            XCTAssertEqual("\(error)", "cannot decode '\(noise)': \(reason)")
        }
    }

    func testDamageInTheMiddleIsSkipped() throws {
        let damaged = try damaged(try clips().faststartMp4, from: 0.4, to: 0.5)
        let reader = try VideoReader(path: damaged)
        let picture = Picture(width: reader.width, height: reader.height)
        var frames = 0
        while try reader.read(into: picture, passthrough: { _ in }) { frames += 1 }
        XCTAssertGreaterThan(frames, 25)
    }

    func testDecoderThreadsAreConfigurable() throws {
        let reader = try VideoReader(path: try clips().mp4, decoderThreads: 1)
        let picture = Picture(width: reader.width, height: reader.height)
        var frames = 0
        while try reader.read(into: picture, passthrough: { _ in }) { frames += 1 }
        XCTAssertEqual(frames, 50)
    }

    // MARK: helpers

    private func assertUnreadable(_ file: String, line: UInt = #line) {
        XCTAssertThrowsError(try VideoReader(path: file), line: line) { error in
            guard case .unreadable(let path, "video", let reason)? = error as? MediaError else {
                return XCTFail("expected an unreadable-input error, got \(error)", line: line)
            }
            XCTAssertEqual(path, file, line: line)
            XCTAssertFalse(reason.isEmpty, line: line)
            XCTAssertTrue("\(error)".hasPrefix("'\(file)' is not a video FFmpeg can read: "), "\(error)", line: line)
        }
    }

    /// A copy of an MP4 whose media data between two fractions of its length is overwritten with noise.
    private func damaged(_ file: String, from start: Double, to end: Double) throws -> String {
        var data = try Data(contentsOf: URL(fileURLWithPath: file))
        let media = try XCTUnwrap(data.range(of: Data("mdat".utf8))).upperBound
        let span = data.count - media
        for i in media + Int(Double(span) * start)..<media + Int(Double(span) * end) {
            data[i] = UInt8(truncatingIfNeeded: (i &* 2_654_435_761) >> 13)
        }
        let copy = path("damaged-" + URL(fileURLWithPath: file).lastPathComponent)
        try data.write(to: URL(fileURLWithPath: copy))
        return copy
    }

    private func firstHalf(of file: String) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        let half = path("half-" + URL(fileURLWithPath: file).lastPathComponent)
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: half))
        return half
    }
}

/// The picture's planes without row padding, as ffmpeg's rawvideo muxer writes yuv420p.
func packedBytes(of picture: Picture) -> Data {
    var data = Data()
    for plane in picture.planes {
        for y in 0..<plane.height { data.append(plane.row(y), count: plane.width) }
    }
    return data
}
