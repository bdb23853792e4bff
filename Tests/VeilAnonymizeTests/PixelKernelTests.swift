import XCTest
import VeilMedia
@testable import VeilAnonymize
import VeilCore

final class AlphaBlendTests: XCTestCase {
    func testVectorPathEqualsScalarDefinitionByteForByte() {
        var generator = SystemRandomNumberGenerator()
        for count in [0, 1, 31, 32, 33, 64, 100, 257, 1280] {
            let source = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let alpha = (0..<count).map { i in i % 7 == 0 ? 0 : i % 5 == 0 ? 255 : UInt8.random(in: 0...255, using: &generator) }
            let original = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var blended = original
            blended.withUnsafeMutableBufferPointer { out in
                AlphaBlend.blend(source: source, alpha: alpha, into: out.baseAddress ?? UnsafeMutablePointer(bitPattern: 1)!, count: count)
            }
            for i in 0..<count {
                XCTAssertEqual(blended[i], AlphaBlend.blendSample(source[i], original[i], alpha[i]), "sample \(i) of \(count)")
            }
        }
    }

    func testEverySampleAndAlphaCombinationThroughTheVectorPath() {
        // 32 lanes at a time: all 256 alphas × all 256 sources against a few backgrounds.
        for background in [UInt8(0), 77, 255] {
            for a in 0...255 {
                let alpha = [UInt8](repeating: UInt8(a), count: 256)
                let source = (0...255).map { UInt8($0) }
                var out = [UInt8](repeating: background, count: 256)
                AlphaBlend.blend(source: source, alpha: alpha, into: &out, count: 256)
                for s in 0...255 where out[s] != AlphaBlend.blendSample(UInt8(s), background, UInt8(a)) {
                    return XCTFail("source \(s) alpha \(a) background \(background)")
                }
            }
        }
    }

    func testScalarDefinitionEndpoints() {
        XCTAssertEqual(AlphaBlend.blendSample(200, 10, 255), 200)
        XCTAssertEqual(AlphaBlend.blendSample(200, 10, 0), 10)
        XCTAssertEqual(AlphaBlend.blendSample(255, 0, 128), 128)
    }
}

final class TriangleWarpTests: XCTestCase {
    func testTranslationWarpCopiesShiftedSamples() {
        let source = Picture(width: 64, height: 64)
        for y in 0..<64 { for x in 0..<64 { source.y[x, y] = UInt8((x * 3 + y * 5) % 256) } }
        let target = Picture(width: 64, height: 64), coverage = Picture(width: 64, height: 64)
        coverage.y.fill(0)
        // Target square (10...40) samples the source 5 px to the right and 3 px down.
        let t: [Point] = [Point(10, 10), Point(40, 10), Point(40, 40), Point(10, 40)]
        let s = t.map { $0 + Point(5, 3) }
        for (a, b, c) in [(0, 1, 2), (0, 2, 3)] {
            TriangleWarp.warp(source: source.y, sourceTriangle: (s[a], s[b], s[c]), into: target.y, coverage: coverage.y,
                              origin: .zero, targetTriangle: (t[a], t[b], t[c]))
        }
        for y in 10...40 {
            for x in 10...40 {
                XCTAssertEqual(coverage.y[x, y], 255, "no crack at (\(x), \(y))")
                XCTAssertEqual(target.y[x, y], source.y[x + 5, y + 3], "sample at (\(x), \(y))")
            }
        }
        XCTAssertEqual(coverage.y[8, 8], 0, "nothing written outside the triangles")
        XCTAssertEqual(coverage.y[42, 20], 0)
    }

    func testBilinearSampleInterpolatesAndClamps() {
        let p = Picture(width: 4, height: 2)
        p.y[0, 0] = 0; p.y[1, 0] = 100; p.y[0, 1] = 50; p.y[1, 1] = 150
        XCTAssertEqual(TriangleWarp.bilinear(p.y, Point(0.5, 0)), 50)
        XCTAssertEqual(TriangleWarp.bilinear(p.y, Point(0.5, 0.5)), 75)
        XCTAssertEqual(TriangleWarp.bilinear(p.y, Point(-3, -3)), 0, "clamped to the corner")
    }
}

final class ColourTransferTests: XCTestCase {
    func testDonorStatisticsMatchTheSubjectsUnderTheMask() {
        let donor = Picture(width: 40, height: 40), subject = Picture(width: 40, height: 40), mask = Picture(width: 40, height: 40)
        mask.y.fill(0)
        for y in 0..<40 {
            for x in 0..<40 {
                donor.y[x, y] = UInt8(60 + (x + y) % 40)           // dark, narrow
                subject.y[x, y] = UInt8(120 + ((x * 7 + y * 3) % 80)) // bright, wide
                if (5..<35).contains(x) && (5..<35).contains(y) { mask.y[x, y] = 255 }
            }
        }
        ColourTransfer.apply(donor: donor.y, subject: subject.y, mask: mask.y)
        let d = ColourTransfer.statistics(of: donor.y, mask: mask.y), s = ColourTransfer.statistics(of: subject.y, mask: mask.y)
        XCTAssertEqual(d.mean, s.mean, accuracy: 1.0)
        XCTAssertEqual(d.deviation, s.deviation, accuracy: 1.5)
    }

    func testGainIsBounded() {
        let table = ColourTransfer.table(from: (mean: 100, deviation: 1), to: (mean: 100, deviation: 80))
        XCTAssertEqual(Int(table[101]) - Int(table[100]), Int(ColourTransfer.gainRange.upperBound))
    }
}

final class MaskAndCoverTests: XCTestCase {
    func testFeatherStaysInsideTheCoveredArea() {
        let mask = Picture(width: 80, height: 80)
        mask.y.fill(0)
        for y in 20..<60 { for x in 20..<60 { mask.y[x, y] = 255 } }
        MaskFeather.feather(mask.y, radius: 4)
        for y in 0..<80 {
            for x in 0..<80 where !((20..<60).contains(x) && (20..<60).contains(y)) {
                XCTAssertEqual(mask.y[x, y], 0, "alpha outside the face at (\(x), \(y))")
            }
        }
        XCTAssertEqual(mask.y[40, 40], 255, "opaque in the middle")
        XCTAssertGreaterThan(mask.y[24, 40], 0, "a ramp near the edge")
        XCTAssertLessThan(mask.y[21, 40], 255)
    }

    func testTheWholeFrameCoverLeavesNoDetailButTheBroadShading() {
        let picture = Picture(width: 320, height: 180)
        // Fine detail (a checkerboard, as sharp as edges get) over a left-to-right ramp.
        for plane in [picture.y, picture.u, picture.v] {
            for y in 0..<plane.height {
                for x in 0..<plane.width { plane[x, y] = UInt8(40 + x * 160 / plane.width + ((x / 2 + y / 2) % 2 == 0 ? 0 : 50)) }
            }
        }
        Cover.blurWhole(picture)
        for (name, plane) in [("Y", picture.y), ("U", picture.u), ("V", picture.v)] {
            var steepest = 0
            for y in 1..<plane.height {
                for x in 1..<plane.width {
                    steepest = max(steepest, abs(Int(plane[x, y]) - Int(plane[x - 1, y])), abs(Int(plane[x, y]) - Int(plane[x, y - 1])))
                }
            }
            XCTAssertLessThanOrEqual(steepest, 2, "\(name): an edge survived the cover")
            // The ramp's broad shading stays: left darker than right, the frame's mean kept.
            let left = plane[plane.width / 8, plane.height / 2], right = plane[plane.width * 7 / 8, plane.height / 2]
            XCTAssertGreaterThan(Int(right) - Int(left), 40, "\(name): the shading is gone too")
            var total = 0
            for y in 0..<plane.height { for x in 0..<plane.width { total += Int(plane[x, y]) } }
            XCTAssertEqual(Double(total) / Double(plane.width * plane.height), 40 + 80 + 25, accuracy: 4, name)
        }
    }

    func testCoversChangeOnlyTheFaceRegion() {
        for style in CoverStyle.allCases {
            let picture = Picture(width: 200, height: 120)
            for y in 0..<120 { for x in 0..<200 { picture.y[x, y] = UInt8((x * 13 + y * 7) % 256) } }
            let before = (0..<120).map { y in (0..<200).map { x in picture.y[x, y] } }
            Cover.apply(style, over: Box(x0: 80, y0: 40, x1: 120, y1: 80), in: picture)
            var changed = 0
            for y in 0..<120 {
                for x in 0..<200 where picture.y[x, y] != before[y][x] {
                    changed += 1
                    XCTAssertTrue((66...134).contains(x) && (26...94).contains(y), "\(style) changed (\(x), \(y)) outside the region")
                }
            }
            XCTAssertGreaterThan(changed, 1000, "\(style) hides the face")
        }
    }
}
