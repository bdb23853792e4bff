import XCTest
@testable import VeilAnonymize
import VeilCore

final class DelaunayTests: XCTestCase {
    func testSquareWithCentreGivesFourTriangles() {
        let points: [Point] = [Point(0, 0), Point(10, 0), Point(10, 10), Point(0, 10), Point(5, 5)]
        let triangles = Delaunay.triangulate(points)
        XCTAssertEqual(triangles.count, 4)
        XCTAssertTrue(triangles.allSatisfy { [$0.a, $0.b, $0.c].contains(4) }, "every triangle uses the centre")
    }

    func testRandomPointsSatisfyEmptyCircumcircleAndEulerCount() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5 {
            let points = (0..<60).map { _ in Point(Float.random(in: 0...500, using: &generator), Float.random(in: 0...400, using: &generator)) }
            let triangles = Delaunay.triangulate(points)
            for t in triangles {
                let (a, b, c) = (SIMD2<Double>(points[t.a]), SIMD2<Double>(points[t.b]), SIMD2<Double>(points[t.c]))
                let centre = circumcentre(a, b, c)
                let radius = ((a - centre) * (a - centre)).sum().squareRoot()
                for (i, p) in points.enumerated() where ![t.a, t.b, t.c].contains(i) {
                    let d = ((SIMD2<Double>(p) - centre) * (SIMD2<Double>(p) - centre)).sum().squareRoot()
                    XCTAssertGreaterThanOrEqual(d, radius * (1 - 1e-6), "point \(i) inside a circumcircle")
                }
            }
            // A triangulation of n points with h on the convex hull has 2n − 2 − h triangles.
            let hull = convexHullCount(points)
            XCTAssertEqual(triangles.count, 2 * points.count - 2 - hull)
        }
    }

    func testTrianglesAreCounterClockwiseInPictureCoordinates() {
        let points: [Point] = [Point(0, 0), Point(10, 0), Point(0, 10), Point(12, 12)]
        for t in Delaunay.triangulate(points) {
            let ab = points[t.b] - points[t.a], ac = points[t.c] - points[t.a]
            XCTAssertGreaterThan(ab.x * ac.y - ab.y * ac.x, 0)
        }
    }

    private func circumcentre(_ a: SIMD2<Double>, _ b: SIMD2<Double>, _ c: SIMD2<Double>) -> SIMD2<Double> {
        let d = 2 * (a.x * (b.y - c.y) + b.x * (c.y - a.y) + c.x * (a.y - b.y))
        let a2 = (a * a).sum(), b2 = (b * b).sum(), c2 = (c * c).sum()
        return SIMD2((a2 * (b.y - c.y) + b2 * (c.y - a.y) + c2 * (a.y - b.y)) / d,
                     (a2 * (c.x - b.x) + b2 * (a.x - c.x) + c2 * (b.x - a.x)) / d)
    }

    private func convexHullCount(_ points: [Point]) -> Int {
        let sorted = points.sorted { $0.x != $1.x ? $0.x < $1.x : $0.y < $1.y }
        func cross(_ o: Point, _ a: Point, _ b: Point) -> Float { (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x) }
        var lower: [Point] = [], upper: [Point] = []
        for p in sorted {
            while lower.count >= 2 && cross(lower[lower.count - 2], lower[lower.count - 1], p) <= 0 { lower.removeLast() }
            lower.append(p)
        }
        for p in sorted.reversed() {
            while upper.count >= 2 && cross(upper[upper.count - 2], upper[upper.count - 1], p) <= 0 { upper.removeLast() }
            upper.append(p)
        }
        return lower.count + upper.count - 2
    }
}

final class AffineTransformTests: XCTestCase {
    func testMapsCornersOntoCorners() throws {
        let from = (Point(3, 4), Point(50, 7), Point(20, 60))
        let to = (Point(-5, 10), Point(80, 30), Point(10, 90))
        let map = try XCTUnwrap(AffineTransform(from: from, to: to))
        for (p, q) in [(from.0, to.0), (from.1, to.1), (from.2, to.2)] {
            XCTAssertEqual(map.apply(p).x, q.x, accuracy: 1e-3)
            XCTAssertEqual(map.apply(p).y, q.y, accuracy: 1e-3)
        }
        // Affine maps keep midpoints.
        let mid = map.apply((from.0 + from.1) / 2)
        XCTAssertEqual(mid.x, ((to.0 + to.1) / 2).x, accuracy: 1e-3)
    }

    func testDegenerateTriangleHasNoTransform() {
        XCTAssertNil(AffineTransform(from: (Point(0, 0), Point(1, 1), Point(2, 2)), to: (Point(0, 0), Point(1, 0), Point(0, 1))))
    }
}

final class FaceFrameTests: XCTestCase {
    func testRoundTripAndEyeAxis() {
        var points: [Point] = (0..<68).map { (i: Int) -> Point in
            let x = Float(100 + (i * 37) % 90), y = Float(200 + (i * 53) % 110)
            return Point(x, y)
        }
        points[36] = Point(120, 230); points[45] = Point(200, 250)
        let shape = FaceShape(points: points)
        let frame = FaceFrame(shape)
        for p in points {
            let back = frame.toPicture(frame.toFace(p))
            XCTAssertEqual(back.x, p.x, accuracy: 1e-3); XCTAssertEqual(back.y, p.y, accuracy: 1e-3)
        }
        let e0 = frame.toFace(points[36]), e1 = frame.toFace(points[45])
        XCTAssertEqual(e1.y - e0.y, 0, accuracy: 1e-5, "eye axis is horizontal in face coordinates")
        XCTAssertEqual(e1.x - e0.x, 1, accuracy: 1e-5, "and one unit long")
    }
}
