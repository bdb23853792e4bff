import XCTest
@testable import VeilVision
import VeilCore

final class LandmarkSmootherTests: XCTestCase {
    /// A face of 68 points with eye corners 100 px apart, shifted by `offset`.
    private func face(_ offset: Point) -> FaceShape {
        var points = (0..<68).map { i in Point(Float(i % 10) * 12, Float(i / 10) * 15) }
        points[36] = Point(10, 40); points[45] = Point(110, 40)
        return FaceShape(points: points.map { $0 + offset })
    }

    func testJitterOfAStillFaceIsReduced() {
        var smoother = LandmarkSmoother()
        var generator = SystemRandomNumberGenerator()
        var rawError: Float = 0, smoothError: Float = 0
        for _ in 0..<120 {
            let noise = Point(Float.random(in: -1.5...1.5, using: &generator), Float.random(in: -1.5...1.5, using: &generator))
            let observed = face(Point(300, 200) + noise)
            let smoothed = smoother.smooth(observed, interval: 1 / 30)
            rawError += distance(observed[30], face(Point(300, 200))[30])
            smoothError += distance(smoothed[30], face(Point(300, 200))[30])
        }
        XCTAssertLessThan(smoothError, rawError * 0.6, "jitter of a still face drops")
    }

    func testAMovingFaceIsFollowedWithLittleLag() {
        var smoother = LandmarkSmoother()
        var last = face(.zero)
        for frame in 0..<60 {
            // 150 px/s: 1.5 inter-ocular distances a second, a brisk head movement.
            last = smoother.smooth(face(Point(Float(frame) * 5, 0)), interval: 1 / 30)
        }
        let lag = distance(last[30], face(Point(59 * 5, 0))[30]) / 100
        XCTAssertLessThan(lag, 0.03, "lag in inter-ocular distances")
    }

    /// A syllable: the lower lip drops by 4% of the inter-ocular distance at once while the head stays
    /// still. The lips follow within two frames; one filter for the whole shape, tuned for a still
    /// head's jitter, kept a third of that movement behind (small movements never opened it).
    func testASmallLipMovementIsFollowedWhileTheHeadIsStill() {
        var smoother = LandmarkSmoother()
        let shut = face(Point(300, 200))
        var open = shut
        for i in [56, 57, 58, 65, 66, 67] { open.points[i].y += 4 }
        for _ in 0..<30 { _ = smoother.smooth(shut, interval: 1 / 30) }
        var last = shut
        for _ in 0..<2 { last = smoother.smooth(open, interval: 1 / 30) }
        let behind = distance(last[57], open[57]) / 4
        XCTAssertLessThan(behind, 0.15, "share of the lip's movement still behind after two frames")
        XCTAssertLessThan(distance(last[30], shut[30]), 0.5, "the nose did not move with the lips")
    }
}
