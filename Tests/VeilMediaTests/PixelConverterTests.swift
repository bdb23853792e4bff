import Foundation
import VeilMedia
import XCTest

/// The textbook conversion the converter is checked against: BT.601 limited range, integer maths,
/// each chroma sample covering a 2x2 block of luma.
enum I420ToRGB {
    static func pixel(y: UInt8, u: UInt8, v: UInt8) -> (r: UInt8, g: UInt8, b: UInt8) {
        let c = 298 * (Int(y) - 16), d = Int(u) - 128, e = Int(v) - 128
        func clip(_ x: Int) -> UInt8 { UInt8(max(0, min(255, (x + 128) >> 8))) }
        return (clip(c + 409 * e), clip(c - 100 * d - 208 * e), clip(c + 516 * d))
    }

    static func pixel(of picture: Picture, x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8) {
        pixel(y: picture.y[x, y], u: picture.u[x / 2, y / 2], v: picture.v[x / 2, y / 2])
    }
}

final class PixelConverterTests: MediaTestCase {
    func testFullSizeBGRMatchesTheReferenceOnTestPatternFrames() throws {
        let reader = try VideoReader(path: try clips().mp4)
        let picture = Picture(width: reader.width, height: reader.height)
        let bgr = try PixelConverter(sourceWidth: picture.width, sourceHeight: picture.height,
                                     width: picture.width, height: picture.height, format: .bgr24)
        let rgb = try PixelConverter(sourceWidth: picture.width, sourceHeight: picture.height,
                                     width: picture.width, height: picture.height, format: .rgb24)
        var frames = 0, worst = 0
        while frames < 10, try reader.read(into: picture, passthrough: { _ in }) {
            try bgr.convert(picture)
            try rgb.convert(picture)
            for y in 0..<picture.height {
                for x in 0..<picture.width {
                    let expected = I420ToRGB.pixel(of: picture, x: x, y: y)
                    let b = bgr.pixels + y * bgr.stride + 3 * x, r = rgb.pixels + y * rgb.stride + 3 * x
                    worst = max(worst, abs(Int(b[0]) - Int(expected.b)), abs(Int(b[1]) - Int(expected.g)),
                                abs(Int(b[2]) - Int(expected.r)))
                    XCTAssertEqual([r[0], r[1], r[2]], [b[2], b[1], b[0]], "RGB is BGR reversed")
                }
            }
            frames += 1
        }
        XCTAssertEqual(frames, 10)
        XCTAssertLessThanOrEqual(worst, 2, "largest difference from the reference, per channel")
    }

    func testADownscaleKeepsColoursAndPlaces() throws {
        // Left half pure blue, right half pure yellow (limited-range BT.601 values), 1280x720 to 320x192.
        let picture = Picture(width: 1280, height: 720)
        let blue = (y: UInt8(41), u: UInt8(240), v: UInt8(110)), yellow = (y: UInt8(210), u: UInt8(16), v: UInt8(146))
        for y in 0..<720 {
            for x in 0..<1280 { picture.y[x, y] = x < 640 ? blue.y : yellow.y }
        }
        for y in 0..<360 {
            for x in 0..<640 {
                picture.u[x, y] = x < 320 ? blue.u : yellow.u
                picture.v[x, y] = x < 320 ? blue.v : yellow.v
            }
        }
        let converter = try PixelConverter(sourceWidth: 1280, sourceHeight: 720, width: 320, height: 192, format: .bgr24)
        try converter.convert(picture)
        let expectedBlue = I420ToRGB.pixel(y: blue.y, u: blue.u, v: blue.v)
        let expectedYellow = I420ToRGB.pixel(y: yellow.y, u: yellow.u, v: yellow.v)
        for y in stride(from: 0, to: 192, by: 7) {
            for x in [0, 50, 150, 170, 250, 319] {
                let pixel = converter.pixels + y * converter.stride + 3 * x
                let expected = x < 160 ? expectedBlue : expectedYellow
                XCTAssertEqual(Int(pixel[0]), Int(expected.b), accuracy: 2, "b at \(x),\(y)")
                XCTAssertEqual(Int(pixel[1]), Int(expected.g), accuracy: 2, "g at \(x),\(y)")
                XCTAssertEqual(Int(pixel[2]), Int(expected.r), accuracy: 2, "r at \(x),\(y)")
            }
        }
    }

    func testAPictureOfAnotherSizeIsRefused() throws {
        let converter = try PixelConverter(sourceWidth: 64, sourceHeight: 48, width: 32, height: 24, format: .rgb24)
        XCTAssertThrowsMediaError(.failed(action: "convert a 66x48 picture to", path: "32x24 rgb24",
                                          reason: "the converter was made for 64x48 pictures"),
                                  try converter.convert(Picture(width: 66, height: 48)))
    }
}
