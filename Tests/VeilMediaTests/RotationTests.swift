import Foundation
import VeilMedia
import XCTest

/// Phone videos store pictures sideways and carry a display matrix. The reader stands them upright as
/// the ffmpeg command line does (the reference here), so that faces in them are found.
final class RotationTests: MediaTestCase {
    /// The clip's stored size: neither side nor the chroma planes' sides (162x122) a multiple of 8,
    /// so the turns' edge paths run too.
    private let storedWidth = 324, storedHeight = 244
    /// A white square in the stored picture's top left corner, to see where a turn puts it.
    private let square = 40

    func testQuarterAndHalfTurnsGiveWhatFFmpegsAutorotationGives() throws {
        // FFmpeg 5.1's `rotate` tag sets a matrix that ffprobe reports as `rotation` (counterclockwise):
        // players turn the picture the other way.
        for (tag, clockwise) in [(90, 270), (180, 180), (270, 90)] {
            let clip = try rotatedClip(tag: "\(tag)")
            let reader = try VideoReader(path: clip)
            XCTAssertEqual(reader.displayRotation?.clockwiseDegrees, clockwise, "rotate=\(tag)")
            XCTAssertEqual(reader.displayRotation?.isMirrored, false)
            XCTAssertEqual(reader.appliedRotation, clockwise)
            XCTAssertTrue(reader.isUpright)
            let upright = clockwise == 180 ? [storedWidth, storedHeight] : [storedHeight, storedWidth]
            XCTAssertEqual([reader.width, reader.height], upright, "rotate=\(tag)")

            let pictures = try readAll(reader)
            XCTAssertEqual(pictures.count, 5)
            XCTAssertEqual(pictures.reduce(into: Data()) { $0 += packedBytes(of: $1) }, try rawFrames(of: clip, autorotate: true),
                           "rotate=\(tag): every sample as ffmpeg's transpose/hflip/vflip put it")
            XCTAssertEqual(whiteCorner(of: pictures[0]), ["top left", "top right", "bottom right", "bottom left"][clockwise / 90],
                           "rotate=\(tag)")
        }
    }

    func testTheTimestampsStayAndThePicturesLandWhereverTheCallerAsks() throws {
        let clip = try rotatedClip(tag: "90")
        let reader = try VideoReader(path: clip)
        // A picture of another size than the reader's gets the frame scaled, turned just the same.
        let small = Picture(width: reader.width / 2, height: reader.height / 2)
        var times: [String] = []
        while try reader.read(into: small, passthrough: { _ in }) {
            times.append(String(format: "%.6f", Double(small.pts) * reader.timeBase.value))
            XCTAssertEqual(whiteCorner(of: small, inset: square / 4), "bottom left")
        }
        XCTAssertEqual(times, try Tool.videoFrameTimes(clip))
    }

    func testARoundTripWritesUprightPicturesAndNoMatrix() throws {
        let clip = try rotatedClip(tag: "90"), output = path("out.mp4")
        XCTAssertEqual(try transcode(clip, to: output), 5)
        XCTAssertEqual(try Tool.probe(output, "-select_streams", "v:0", "-show_entries", "stream_side_data"), [])
        XCTAssertEqual(try Tool.probe(output, "-select_streams", "v:0", "-show_entries", "stream=width,height"),
                       ["\(storedHeight),\(storedWidth)"])
        // Re-encoded at crf 18: close to the upright pictures, not equal.
        let upright = try rawFrames(of: clip, autorotate: true), written = try rawFrames(of: output, autorotate: true)
        XCTAssertEqual(written.count, upright.count)
        XCTAssertLessThan(meanAbsoluteDifference(written, upright), 1.5)
        XCTAssertEqual(written, try rawFrames(of: output, autorotate: false), "players have nothing left to turn")
    }

    func testAQuarterTurnSwapsTheSampleAspectRatio() throws {
        let stored = path("anamorphic.mp4"), clip = path("anamorphic-rotated.mp4"), output = path("out.mp4")
        try Tool.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25", "-vf", "setsar=4/3", "-t", "0.2", "-c:v", "libx264", stored)
        try Tool.ffmpeg("-i", stored, "-c", "copy", "-metadata:s:v:0", "rotate=90", clip)
        try transcode(clip, to: output)
        XCTAssertEqual(try Tool.probe(output, "-select_streams", "v:0", "-show_entries", "stream=width,height,sample_aspect_ratio"),
                       ["48,64,3:4"], "as wide on screen as the input's 64x48 pixels of 4:3 turned")
    }

    func testAnAngleThatIsNoQuarterTurnIsLeftToPlayers() throws {
        let clip = try rotatedClip(tag: "45")
        let reader = try VideoReader(path: clip)
        XCTAssertEqual(reader.displayRotation?.clockwiseDegrees, 315)
        XCTAssertEqual(reader.displayRotation?.isMirrored, false)
        try assertLeftAsStored(reader, clip)
        let output = path("out.mp4")
        try transcode(clip, to: output)
        XCTAssertEqual(try Tool.probe(output, "-select_streams", "v:0", "-show_entries", "stream_side_data=rotation"), ["45"],
                       "the matrix still describes the pixels, so it is kept")
    }

    func testAMirrorImageIsLeftToPlayers() throws {
        let clip = try mirroredClip()
        let reader = try VideoReader(path: clip)
        XCTAssertEqual(reader.displayRotation?.clockwiseDegrees, 180)
        XCTAssertEqual(reader.displayRotation?.isMirrored, true)
        try assertLeftAsStored(reader, clip)
        let output = path("out.mp4")
        try transcode(clip, to: output)
        XCTAssertEqual(try Tool.probe(output, "-select_streams", "v:0", "-show_entries", "stream_side_data=side_data_type"),
                       ["Display Matrix"], "kept")
    }

    func testTheMatrixIsReadAsTheFFmpegCommandLineReadsIt() {
        let one: Int32 = 1 << 16, w: Int32 = 1 << 30
        func read(_ a: Int32, _ b: Int32, _ c: Int32, _ d: Int32) -> DisplayRotation? {
            DisplayRotation(matrix: [a, b, 0, c, d, 0, 0, 0, w])
        }
        func turn(_ rotation: DisplayRotation?) -> [Int]? { rotation.map { [$0.clockwiseDegrees, $0.isMirrored ? 1 : 0] } }
        XCTAssertEqual(turn(read(one, 0, 0, one)), [0, 0], "identity")
        // As ffprobe dumps the matrices FFmpeg 5.1 sets for rotate=90, 180 and 270.
        XCTAssertEqual(turn(read(0, -one, one, 0)), [270, 0])
        XCTAssertEqual(turn(read(-one, 0, 0, -one)), [180, 0])
        XCTAssertEqual(turn(read(0, one, -one, 0)), [90, 0])
        XCTAssertEqual(turn(read(2 * one, 0, 0, 3 * one)), [0, 0], "scaling turns nothing")
        XCTAssertEqual(turn(read(0, -one, one + 100, 100)), [270, 0], "a hair off a quarter turn rounds onto it")
        XCTAssertEqual(turn(read(46341, -46341, 46341, 46341)), [315, 0])
        XCTAssertEqual(turn(read(-one, 0, 0, one)), [180, 1], "a horizontal mirror")
        XCTAssertEqual(turn(read(one, 0, 0, -one)), [0, 1], "a vertical mirror")
        XCTAssertEqual(turn(read(0, one, one, 0)), [90, 1], "a transpose")
        XCTAssertNil(read(0, 0, 0, 0), "a matrix that flattens the picture has no angle")
        XCTAssertNil(read(one, 0, 0, 0))
    }

    // MARK: helpers

    /// 5 frames of testsrc2 with the white square, stored unturned, H.264 in MP4 with `rotate=tag`.
    private func rotatedClip(tag: String) throws -> String {
        let clip = path("rotate-\(tag).mp4")
        try Tool.ffmpeg("-i", try storedClip(), "-c", "copy", "-metadata:s:v:0", "rotate=\(tag)", clip)
        XCTAssertEqual(try Tool.probe(clip, "-select_streams", "v:0", "-show_entries", "stream_side_data=side_data_type"),
                       ["Display Matrix"], "the tag became a display matrix")
        return clip
    }

    private func storedClip() throws -> String {
        let clip = path("stored.mp4")
        if FileManager.default.fileExists(atPath: clip) { return clip }
        try Tool.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=\(storedWidth)x\(storedHeight):rate=25",
                        "-vf", "drawbox=x=0:y=0:w=\(square):h=\(square):color=white:t=fill",
                        "-t", "0.2", "-c:v", "libx264", clip)
        return clip
    }

    /// The stored clip with its track header's matrix turned into a horizontal mirror, which FFmpeg
    /// 5.1's command line cannot write: a = -1 in 16.16 fixed point, big-endian.
    private func mirroredClip() throws -> String {
        var data = try Data(contentsOf: URL(fileURLWithPath: try storedClip()))
        let header = try XCTUnwrap(data.range(of: Data("tkhd".utf8))).upperBound
        XCTAssertEqual(data[header], 0, "a version 0 track header")
        // version+flags, two times, track id, reserved, duration, reserved, layer, group, volume, reserved.
        let matrix = header + 4 + 4 + 4 + 4 + 4 + 4 + 8 + 2 + 2 + 2 + 2
        XCTAssertEqual(Array(data[matrix..<matrix + 4]), [0, 1, 0, 0], "the identity's a")
        data.replaceSubrange(matrix..<matrix + 4, with: [0xFF, 0xFF, 0, 0])
        let clip = path("mirrored.mp4")
        try data.write(to: URL(fileURLWithPath: clip))
        return clip
    }

    /// Every frame as `ffmpeg -f rawvideo -pix_fmt yuv420p` writes it, turned upright by default.
    private func rawFrames(of clip: String, autorotate: Bool) throws -> Data {
        let raw = path("frames-\(UUID().uuidString).yuv")
        try Tool.run("ffmpeg", (autorotate ? [] : ["-noautorotate"]) + ["-i", clip, "-f", "rawvideo", "-pix_fmt", "yuv420p", raw])
        return try Data(contentsOf: URL(fileURLWithPath: raw))
    }

    private func readAll(_ reader: VideoReader) throws -> [Picture] {
        var pictures: [Picture] = []
        while true {
            let picture = Picture(width: reader.width, height: reader.height)
            guard try reader.read(into: picture, passthrough: { _ in }) else { return pictures }
            pictures.append(picture)
        }
    }

    /// Pictures as stored, the display matrix exposed for callers to refuse.
    private func assertLeftAsStored(_ reader: VideoReader, _ clip: String, line: UInt = #line) throws {
        XCTAssertEqual(reader.appliedRotation, 0, line: line)
        XCTAssertFalse(reader.isUpright, line: line)
        XCTAssertEqual([reader.width, reader.height], [storedWidth, storedHeight], line: line)
        let pictures = try readAll(reader)
        XCTAssertEqual(pictures.reduce(into: Data()) { $0 += packedBytes(of: $1) }, try rawFrames(of: clip, autorotate: false),
                       line: line)
        XCTAssertEqual(whiteCorner(of: pictures[0]), "top left", line: line)
    }

    /// Which corner the white square is in, judged by the luma `inset` samples in from each corner;
    /// nil unless exactly one is white.
    private func whiteCorner(of picture: Picture, inset: Int? = nil) -> String? {
        let inset = inset ?? square / 2
        let corners = [("top left", inset, inset), ("top right", picture.width - 1 - inset, inset),
                       ("bottom right", picture.width - 1 - inset, picture.height - 1 - inset),
                       ("bottom left", inset, picture.height - 1 - inset)]
        let white = corners.filter { picture.y[$0.1, $0.2] >= 230 }
        return white.count == 1 ? white[0].0 : nil
    }

    private func meanAbsoluteDifference(_ a: Data, _ b: Data) -> Double {
        Double(zip(a, b).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(max(a.count, 1))
    }
}
