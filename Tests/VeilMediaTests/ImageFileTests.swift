import Foundation
import VeilMedia
import XCTest

final class ImageFileTests: MediaTestCase {
    func testLoadsAPNGAtEvenSizeWithItsColours() throws {
        // Red on the left, blue on the right, odd-sized: loaded at 64x48.
        let png = path("red-blue.png")
        try Tool.ffmpeg("-f", "lavfi", "-i", "color=c=red:size=33x49", "-f", "lavfi", "-i", "color=c=blue:size=32x49",
                        "-filter_complex", "[0][1]hstack", "-frames:v", "1", png)
        let picture = try ImageFile.load(path: png)
        XCTAssertEqual([picture.width, picture.height], [64, 48])
        let red = I420ToRGB.pixel(of: picture, x: 8, y: 20), blue = I420ToRGB.pixel(of: picture, x: 56, y: 20)
        XCTAssertEqual([Int(red.r), Int(red.g), Int(red.b)], [255, 0, 0], accuracy: 3)
        XCTAssertEqual([Int(blue.r), Int(blue.g), Int(blue.b)], [0, 0, 255], accuracy: 3)
    }

    func testLoadsAFullRangeJPEGIntoLimitedRange() throws {
        let jpeg = path("grey.jpg")
        try Tool.ffmpeg("-f", "lavfi", "-i", "color=c=white:size=64x48", "-frames:v", "1", "-pix_fmt", "yuvj444p", jpeg)
        XCTAssertEqual(try Tool.probe(jpeg, "-show_entries", "stream=pix_fmt"), ["yuvj444p"])
        let picture = try ImageFile.load(path: jpeg)
        XCTAssertEqual(Int(picture.y[20, 20]), 235, accuracy: 2)
        XCTAssertEqual(Int(picture.u[10, 10]), 128, accuracy: 2)
    }

    func testAMissingImageIsNamed() {
        let missing = path("missing.png")
        XCTAssertThrowsMediaError(.failed(action: "open input", path: missing, reason: "No such file or directory"),
                                  try ImageFile.load(path: missing))
    }

    func testATextFileNamedPngIsNotAnImage() throws {
        let text = path("face.png")
        try "not a picture\n".write(toFile: text, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ImageFile.load(path: text)) { error in
            XCTAssertTrue("\(error)".hasPrefix("'\(text)' is not an image FFmpeg can read: "), "\(error)")
        }
    }
}

func XCTAssertEqual(_ values: [Int], _ expected: [Int], accuracy: Int, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(values.count, expected.count, file: file, line: line)
    for (value, wanted) in zip(values, expected) where abs(value - wanted) > accuracy {
        XCTFail("\(values) is not within \(accuracy) of \(expected)", file: file, line: line)
        return
    }
}
