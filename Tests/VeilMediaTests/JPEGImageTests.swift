import Foundation
import VeilMedia
import VeilTestSupport
import XCTest

final class JPEGImageTests: DirectoryTestCase {
    private func gradient() -> Picture {
        let picture = Picture(width: 64, height: 48)
        for y in 0..<48 {
            for x in 0..<64 { picture.y[x, y] = UInt8(16 + x * 2 + y) }
        }
        for y in 0..<24 {
            for x in 0..<32 {
                picture.u[x, y] = UInt8(100 + x)
                picture.v[x, y] = UInt8(140 - y)
            }
        }
        return picture
    }

    func testTheSamePictureGivesTheSameBytesAndReadsBackCloseToItself() throws {
        let picture = gradient()
        let first = try JPEGImage.encode(picture, name: "a.jpg")
        XCTAssertEqual(first, try JPEGImage.encode(picture, name: "b.jpg"), "JPEG encoding is deterministic")
        let path = directory.appendingPathComponent("gradient.jpg").path
        try Data(first).write(to: URL(fileURLWithPath: path))
        let read = try ImageFile.load(path: path)
        XCTAssertEqual(read.width, 64)
        XCTAssertEqual(read.height, 48)
        var worst = 0
        for y in 0..<48 {
            for x in 0..<64 { worst = max(worst, abs(Int(read.y[x, y]) - Int(picture.y[x, y]))) }
        }
        XCTAssertLessThanOrEqual(worst, 3, "limited range in, limited range back, at the finest quantizer")
    }
}
