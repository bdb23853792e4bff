import Foundation
@testable import VeilCapture
import VeilMedia
import XCTest

/// The textbook conversions the fast converters must match exactly: one sample at a time, chroma
/// the rounded mean of the two rows a 4:2:0 sample covers (a last odd row pairs with itself).
enum Reference {
    static func yuyv(_ bytes: [UInt8], width: Int, height: Int, pitch: Int) -> Picture {
        let picture = Picture(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width { picture.y[x, y] = bytes[y * pitch + 2 * x] }
        }
        for cy in 0..<(height + 1) / 2 {
            let top = 2 * cy, bottom = min(2 * cy + 1, height - 1)
            for cx in 0..<width / 2 {
                picture.u[cx, cy] = mean(bytes[top * pitch + 4 * cx + 1], bytes[bottom * pitch + 4 * cx + 1])
                picture.v[cx, cy] = mean(bytes[top * pitch + 4 * cx + 3], bytes[bottom * pitch + 4 * cx + 3])
            }
        }
        return picture
    }

    static func nv12(_ bytes: [UInt8], width: Int, height: Int, pitch: Int) -> Picture {
        let picture = Picture(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width { picture.y[x, y] = bytes[y * pitch + x] }
        }
        let chroma = pitch * height
        for cy in 0..<(height + 1) / 2 {
            for cx in 0..<(width + 1) / 2 {
                picture.u[cx, cy] = bytes[chroma + cy * pitch + 2 * cx]
                picture.v[cx, cy] = bytes[chroma + cy * pitch + 2 * cx + 1]
            }
        }
        return picture
    }

    static func mean(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Int(a) + Int(b) + 1) / 2) }
}

/// Packed planes (no row padding) of a picture, the layout of ffmpeg's rawvideo yuv420p.
func packedPlanes(_ picture: Picture) -> [[UInt8]] {
    picture.planes.map { plane in
        (0..<plane.height).flatMap { Array(UnsafeBufferPointer(start: plane.row($0), count: plane.width)) }
    }
}

func largestDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
    zip(a, b).map { abs(Int($0) - Int($1)) }.max() ?? 0
}

/// Bytes with a pattern that differs per position (and in every byte of a word), so a sample read
/// from the wrong place shows.
func patternBytes(_ count: Int, seed: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ ($0 >> 8) &* 31 &+ seed) }
}

final class CameraPixelsTests: ScratchDirectoryTestCase {
    /// Widths with and without a 4-pixel tail, odd heights, pitches with driver padding.
    static let shapes: [(width: Int, height: Int, padding: Int)] = [
        (640, 360, 0), (64, 32, 0), (6, 5, 3), (2, 1, 0), (30, 7, 16), (1282, 9, 62),
    ]

    func testYUYVMatchesTheReferenceExactly() {
        for shape in Self.shapes {
            let pitch = 2 * shape.width + shape.padding
            let bytes = patternBytes(pitch * shape.height, seed: shape.width)
            let picture = Picture(width: shape.width, height: shape.height)
            bytes.withUnsafeBytes { CameraPixels.yuyvToI420($0.baseAddress!, bytesPerLine: pitch, into: picture) }
            let expected = Reference.yuyv(bytes, width: shape.width, height: shape.height, pitch: pitch)
            XCTAssertEqual(packedPlanes(picture), packedPlanes(expected), "YUYV \(shape)")
        }
    }

    func testNV12MatchesTheReferenceExactly() {
        for shape in Self.shapes {
            let pitch = shape.width + shape.padding
            let bytes = patternBytes(pitch * (shape.height + (shape.height + 1) / 2), seed: shape.height)
            let picture = Picture(width: shape.width, height: shape.height)
            bytes.withUnsafeBytes { CameraPixels.nv12ToI420($0.baseAddress!, bytesPerLine: pitch, into: picture) }
            let expected = Reference.nv12(bytes, width: shape.width, height: shape.height, pitch: pitch)
            XCTAssertEqual(packedPlanes(picture), packedPlanes(expected), "NV12 \(shape)")
        }
    }

    func testYU12IsCopiedWithTheDriversPitch() {
        let width = 6, height = 4, pitch = 8
        // Y rows of 8 bytes (6 used), then U and V rows of 4 bytes (3 used).
        let bytes = (0..<(pitch * height + 2 * (pitch / 2) * (height / 2))).map { UInt8($0) }
        let picture = Picture(width: width, height: height)
        bytes.withUnsafeBytes { CameraPixels.i420ToI420($0.baseAddress!, bytesPerLine: pitch, into: picture) }
        XCTAssertEqual(packedPlanes(picture), [
            [0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20, 21, 24, 25, 26, 27, 28, 29],
            [32, 33, 34, 36, 37, 38],
            [40, 41, 42, 44, 45, 46],
        ])
    }

    func testYUYVMatchesFFmpegsConversion() throws {
        let width = 640, height = 360
        let yuyv = try FFmpegTool.rawFrame(width: width, height: height, pixelFormat: "yuyv422", in: directory)
        let expected = try FFmpegTool.toYUV420P(yuyv, width: width, height: height, pixelFormat: "yuyv422", in: directory)
        let picture = Picture(width: width, height: height)
        yuyv.withUnsafeBytes { CameraPixels.yuyvToI420($0.baseAddress!, bytesPerLine: 2 * width, into: picture) }
        let planes = packedPlanes(picture)
        let lumaBytes = width * height, chromaBytes = lumaBytes / 4
        XCTAssertEqual(planes[0], Array(expected[0..<lumaBytes]), "luma is copied")
        // FFmpeg averages the two rows too; allow its SIMD paths a rounding difference.
        XCTAssertLessThanOrEqual(largestDifference(planes[1], Array(expected[lumaBytes..<lumaBytes + chromaBytes])), 1, "U")
        XCTAssertLessThanOrEqual(largestDifference(planes[2], Array(expected[(lumaBytes + chromaBytes)...])), 1, "V")
    }

    func testNV12MatchesFFmpegsConversion() throws {
        let width = 640, height = 360
        let nv12 = try FFmpegTool.rawFrame(width: width, height: height, pixelFormat: "nv12", in: directory)
        let expected = try FFmpegTool.toYUV420P(nv12, width: width, height: height, pixelFormat: "nv12", in: directory)
        let picture = Picture(width: width, height: height)
        nv12.withUnsafeBytes { CameraPixels.nv12ToI420($0.baseAddress!, bytesPerLine: width, into: picture) }
        XCTAssertEqual(packedPlanes(picture).flatMap { $0 }, expected)
    }

    func testFrameBytesCoverEachLayout() {
        XCTAssertEqual(CameraPixels.frameBytes(.yuyv, bytesPerLine: 2560, height: 720), 1_843_200)
        XCTAssertEqual(CameraPixels.frameBytes(.nv12, bytesPerLine: 1280, height: 720), 1_382_400)
        XCTAssertEqual(CameraPixels.frameBytes(.yuv420, bytesPerLine: 1280, height: 720), 1_382_400)
        XCTAssertEqual(CameraPixels.frameBytes(.nv12, bytesPerLine: 6, height: 5), 6 * 8)
    }
}
