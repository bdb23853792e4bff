import Foundation
import VeilMedia
import XCTest

final class VideoWriterTests: MediaTestCase {
    func testAnMp4RoundTripKeepsEveryFrameTimestampAndTheAudioPackets() throws {
        let input = try clips().mp4, output = path("out.mp4")
        XCTAssertEqual(try transcode(input, to: output), 50)
        try assertSameTimingAndAudio(input, output)
        XCTAssertEqual(try Tool.formatName(output), "mov,mp4,m4a,3gp,3g2,mj2")
        XCTAssertEqual(try Tool.probe(output, "-select_streams", "v:0", "-show_entries", "stream=codec_name,pix_fmt,width,height"),
                       ["h264,320,240,yuv420p"])
        XCTAssertEqual(try contents(), ["out.mp4"], "no temporary file is left")
    }

    func testAVariableFrameRateMatroskaRoundTripKeepsEveryTimestamp() throws {
        let input = try clips().vfrMkv, output = path("out.mkv")
        let times = try Tool.videoFrameTimes(input)
        XCTAssertGreaterThan(Set(zip(times.dropFirst(), times).map { Double($0)! - Double($1)! }.map { ($0 * 1000).rounded() }).count, 1,
                             "the input really has a variable frame rate")
        XCTAssertEqual(try transcode(input, to: output), times.count)
        try assertSameTimingAndAudio(input, output)
        XCTAssertEqual(try Tool.formatName(output), "matroska,webm")
    }

    func testTheContainerFollowsTheExtension() throws {
        let input = try clips().mp4, output = path("out.MOV")
        try transcode(input, to: output)
        XCTAssertEqual(try Tool.probe(output, "-show_entries", "format_tags=major_brand"), ["qt"])
    }

    func testARotationIsWrittenIntoThePixelsAndIdentifyingMetadataIsDropped() throws {
        let input = path("phone.mp4"), output = path("out.mp4")
        try Tool.ffmpeg("-i", try clips().mp4, "-c", "copy", "-metadata:s:v:0", "rotate=90",
                        "-metadata", "location=+48.8584+002.2945/", "-metadata", "title=Alice at home", input)
        XCTAssertEqual(try Tool.probe(input, "-select_streams", "v:0", "-show_entries", "stream_side_data=rotation"), ["90"])
        try transcode(input, to: output)
        // The reader stood the pictures upright; a matrix would have players turn them again.
        XCTAssertEqual(try Tool.probe(output, "-select_streams", "v:0", "-show_entries", "stream_side_data"), [])
        XCTAssertEqual(try Tool.probe(output, "-select_streams", "v:0", "-show_entries", "stream=width,height"), ["240,320"])
        let tags = try Tool.probe(output, "-show_entries", "format_tags").joined(separator: ",")
        XCTAssertFalse(tags.contains("48.8584"), tags)
        XCTAssertFalse(tags.contains("Alice"), tags)
    }

    func testAnUnknownExtensionIsRefusedBeforeAnythingIsWritten() throws {
        let reader = try VideoReader(path: try clips().mp4)
        let avi = path("out.avi")
        XCTAssertThrowsMediaError(.unsupportedContainer(path: avi, extension: "avi"),
                                  try VideoWriter(path: avi, source: reader, settings: EncoderSettings()))
        XCTAssertThrowsMediaError(.unsupportedContainer(path: path("out"), extension: ""),
                                  try VideoWriter(path: path("out"), source: reader, settings: EncoderSettings()))
        XCTAssertEqual("\(MediaError.unsupportedContainer(path: "x.avi", extension: "avi"))",
                       "cannot write 'x.avi': extension '.avi' names no supported container (use .mp4, .mkv or .mov)")
        XCTAssertEqual(try contents(), [])
    }

    func testAMissingOutputDirectoryFailsAtInitAndLeavesNothing() throws {
        let reader = try VideoReader(path: try clips().mp4)
        let output = path("missing/out.mp4")
        XCTAssertThrowsMediaError(.failed(action: "write", path: output, reason: "No such file or directory"),
                                  try VideoWriter(path: output, source: reader, settings: EncoderSettings()))
        XCTAssertEqual(try contents(), [])
    }

    func testAnUnwritableOutputDirectoryFailsAtInitAndLeavesNothing() throws {
        let reader = try VideoReader(path: try clips().mp4)
        // Root may write anywhere a mode allows it not to, but sysfs refuses new files even to root.
        let locked = geteuid() == 0 ? "/sys" : path("locked")
        if locked != "/sys" {
            try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false,
                                                    attributes: [.posixPermissions: 0o555])
        }
        let before = try FileManager.default.contentsOfDirectory(atPath: locked)
        let output = locked + "/out.mp4"
        XCTAssertThrowsMediaError(.failed(action: "write", path: output, reason: "Permission denied"),
                                  try VideoWriter(path: output, source: reader, settings: EncoderSettings()))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: locked), before)
    }

    func testAWriterDroppedWithoutFinishLeavesNoFile() throws {
        let reader = try VideoReader(path: try clips().mp4)
        let output = path("out.mp4")
        var writer: VideoWriter? = try VideoWriter(path: output, source: reader, settings: EncoderSettings())
        let temporary = writer!.temporaryPath
        XCTAssertEqual(temporary, path(".out.partial-\(getpid()).mp4"))
        let picture = Picture(width: reader.width, height: reader.height)
        for _ in 0..<10 {
            XCTAssertTrue(try reader.read(into: picture, passthrough: { try writer!.write($0) }))
            try writer!.write(picture)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: temporary))
        XCTAssertFalse(FileManager.default.fileExists(atPath: output), "nothing appears at the final path before finish()")
        writer = nil
        XCTAssertEqual(try contents(), [])
    }

    func testAFinishedWriterRefusesMoreWork() throws {
        let reader = try VideoReader(path: try clips().mp4)
        let writer = try VideoWriter(path: path("out.mkv"), source: reader, settings: EncoderSettings())
        let picture = Picture(width: reader.width, height: reader.height)
        XCTAssertTrue(try reader.read(into: picture, passthrough: { _ in }))
        try writer.write(picture)
        try writer.finish()
        XCTAssertThrowsError(try writer.write(picture))
        XCTAssertThrowsError(try writer.finish())
        XCTAssertEqual(try Tool.videoFrameTimes(path("out.mkv")).count, 1)
    }

    func testAPictureOfAnotherSizeIsRefused() throws {
        let reader = try VideoReader(path: try clips().mp4)
        let writer = try VideoWriter(path: path("out.mp4"), source: reader, settings: EncoderSettings())
        XCTAssertThrowsError(try writer.write(Picture(width: 64, height: 48))) { error in
            XCTAssertTrue("\(error)".contains("picture is 64x48, the stream 320x240"), "\(error)")
        }
    }

    func testEncoderSettingsReachTheEncoder() throws {
        let input = try clips().mp4, output = path("out.mp4")
        try transcode(input, to: output, settings: EncoderSettings(preset: "ultrafast", crf: 30, tune: "zerolatency", threads: 1, gop: 10))
        let keyframes = try Tool.probe(output, "-select_streams", "v:0", "-show_entries", "frame=key_frame")
        XCTAssertEqual(keyframes.count, 50)
        XCTAssertEqual(keyframes.filter { $0 == "1" }.count, 5, "a keyframe every 10 frames")
        XCTAssertEqual(try Tool.videoFrameTimes(output), try Tool.videoFrameTimes(input))
    }

    func testAnOptionTheEncoderLacksIsAnError() throws {
        let reader = try VideoReader(path: try clips().mp4)
        let output = path("out.mkv")
        XCTAssertThrowsMediaError(.failed(action: "set crf 18.0 of mpeg4 for", path: output, reason: "Option not found"),
                                  try VideoWriter(path: output, source: reader, settings: EncoderSettings(codec: "mpeg4", preset: nil)))
        XCTAssertThrowsMediaError(.failed(action: "write", path: output, reason: "FFmpeg has no encoder named 'nonesuch'"),
                                  try VideoWriter(path: output, source: reader, settings: EncoderSettings(codec: "nonesuch")))
        XCTAssertEqual(try contents(), [])
    }

    func testAudioAContainerCannotHoldIsRefusedAtInit() throws {
        let input = path("pcm.mkv"), output = path("out.mp4")
        try Tool.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25", "-f", "lavfi", "-i", "sine",
                        "-t", "0.2", "-c:v", "libx264", "-c:a", "pcm_s16le", input)
        let reader = try VideoReader(path: input)
        XCTAssertThrowsError(try VideoWriter(path: output, source: reader, settings: EncoderSettings())) { error in
            XCTAssertEqual("\(error)", "cannot write '\(output)': mp4 cannot hold pcm_s16le audio (input stream 1); try .mkv")
        }
        XCTAssertEqual(try contents(), ["pcm.mkv"])
        try transcode(input, to: path("out.mkv"))
        try assertSameTimingAndAudio(input, path("out.mkv"))
    }

    func testOwnedPacketsOutliveThePassthroughCall() throws {
        let input = try clips().mp4, output = path("out.mp4")
        let reader = try VideoReader(path: input)
        let writer = try VideoWriter(path: output, source: reader, settings: EncoderSettings())
        let picture = Picture(width: reader.width, height: reader.height)
        var kept: [OwnedPacket] = []
        while try reader.read(into: picture, passthrough: { kept.append(try OwnedPacket(copying: $0)) }) {
            try writer.write(picture)
            for packet in kept { try writer.write(packet) }
            kept.removeAll()
        }
        for packet in kept { try writer.write(packet) }
        try writer.finish()
        try assertSameTimingAndAudio(input, output)
    }

    // MARK: helpers

    private func assertSameTimingAndAudio(_ input: String, _ output: String, line: UInt = #line) throws {
        XCTAssertEqual(try Tool.videoFrameTimes(output), try Tool.videoFrameTimes(input), "video frame times", line: line)
        let audio = try Tool.audioPackets(input)
        XCTAssertGreaterThan(audio.count, 10, line: line)
        XCTAssertEqual(try Tool.audioPackets(output), audio, "audio packets", line: line)
        // The output decodes cleanly end to end.
        try Tool.ffmpeg("-xerror", "-i", output, "-f", "null", "-")
    }
}
