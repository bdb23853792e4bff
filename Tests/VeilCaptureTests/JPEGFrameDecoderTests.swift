import Foundation
@testable import VeilCapture
import VeilMedia
import XCTest

final class JPEGFrameDecoderTests: ScratchDirectoryTestCase {
    /// A Motion-JPEG frame as USB cameras send it: full-range 4:2:2, here a test pattern made by ffmpeg.
    func cameraJPEG(width: Int, height: Int) throws -> [UInt8] {
        let path = directory.appendingPathComponent("frame.jpg").path
        try FFmpegTool.run("-f", "lavfi", "-i", "testsrc2=size=\(width)x\(height)", "-frames:v", "1",
                           "-pix_fmt", "yuvj422p", "-q:v", "2", "-f", "mjpeg", path)
        return try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// ffmpeg's own decode of the same JPEG to limited-range yuv420p.
    func ffmpegDecode(_ jpeg: [UInt8]) throws -> [UInt8] {
        let input = directory.appendingPathComponent("input.jpg"), output = directory.appendingPathComponent("decoded.yuv")
        try Data(jpeg).write(to: input)
        try FFmpegTool.run("-i", input.path, "-vf", "scale=out_range=limited:flags=bilinear", "-pix_fmt", "yuv420p", "-f", "rawvideo", output.path)
        return try [UInt8](Data(contentsOf: output))
    }

    func testAFullRange422FrameDecodesLikeFFmpeg() throws {
        let jpeg = try cameraJPEG(width: 320, height: 180)
        let expected = try ffmpegDecode(jpeg)
        let picture = Picture(width: 320, height: 180)
        let decoder = try JPEGFrameDecoder(path: "/dev/video-test")
        // Twice: the second frame reuses the decoder, its input buffer and its scaler.
        for _ in 0..<2 {
            XCTAssertNil(try jpeg.withUnsafeBytes { try decoder.decode($0, into: picture) })
        }
        let planes = packedPlanes(picture)
        let luma = 320 * 180, chroma = luma / 4
        // Both squeeze full range into limited range; swscale's paths may round differently.
        XCTAssertLessThanOrEqual(largestDifference(planes[0], Array(expected[0..<luma])), 2, "Y")
        XCTAssertLessThanOrEqual(largestDifference(planes[1], Array(expected[luma..<luma + chroma])), 3, "U")
        XCTAssertLessThanOrEqual(largestDifference(planes[2], Array(expected[(luma + chroma)...])), 3, "V")
        XCTAssertGreaterThanOrEqual(planes[0].min()!, 16, "limited range")
        XCTAssertLessThanOrEqual(planes[0].max()!, 235, "limited range")
    }

    func testAFrameOfAnotherSizeIsScaledToThePicture() throws {
        let jpeg = try cameraJPEG(width: 640, height: 360)
        let picture = Picture(width: 320, height: 180)
        let decoder = try JPEGFrameDecoder(path: "/dev/video-test")
        XCTAssertNil(try jpeg.withUnsafeBytes { try decoder.decode($0, into: picture) })
        // testsrc2's top-left corner is not black: scaling, not cropping into a blank picture.
        XCTAssertNotEqual(picture.y[4, 4], 16)
    }

    func testACorruptFrameIsReportedNotThrown() throws {
        let jpeg = try cameraJPEG(width: 320, height: 180)
        let picture = Picture(width: 320, height: 180)
        let decoder = try JPEGFrameDecoder(path: "/dev/video-test")
        let garbage: [UInt8] = [0x00, 0x11, 0x22, 0x33]
        XCTAssertNotNil(try garbage.withUnsafeBytes { try decoder.decode($0, into: picture) })
        // The decoder recovers: the next good frame decodes.
        XCTAssertNil(try jpeg.withUnsafeBytes { try decoder.decode($0, into: picture) })
    }
}
