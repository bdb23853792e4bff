import XCTest
import VeilMedia
@testable import VeilAnonymize
import VeilCore

final class ShapeReplacementTests: XCTestCase {
    private func shape(eyeGap: Float, mouth: Float, at origin: Point) -> FaceShape {
        var points = (0..<68).map { i in Point(Float(i % 9) * 10, Float(i / 9) * 12) }
        points[36] = Point(0, 30); points[45] = Point(eyeGap, 30)
        points[66] = Point(40, 80 + mouth)
        return FaceShape(points: points.map { $0 + origin })
    }

    func testDonorShapeReplacesSubjectShapeButMovementsAreKept() {
        let donorShape = shape(eyeGap: 70, mouth: 0, at: Point(20, 20))
        let donor = Donor(name: "test", picture: Picture(width: 200, height: 200), shape: donorShape,
                          descriptor: FaceDescriptor(values: [Float](repeating: 0, count: 128)))
        var replacement = ShapeReplacement()
        let still = shape(eyeGap: 90, mouth: 0, at: Point(300, 100))
        var first = still
        for _ in 0..<30 { first = replacement.target(for: still, donor: donor) }
        // Static: the target has the donor's proportions (in the subject's face frame).
        let frame = FaceFrame(first)
        let expected = FaceFrame(donorShape)
        for i in [0, 8, 27, 48] {
            let a = frame.toFace(first[i]), b = expected.toFace(donorShape[i])
            XCTAssertEqual(a.x, b.x, accuracy: 0.02); XCTAssertEqual(a.y, b.y, accuracy: 0.02)
        }
        // Dynamic: the mouth opens by 12 px on the subject, so it opens on the target too.
        let open = shape(eyeGap: 90, mouth: 12, at: Point(300, 100))
        let moved = replacement.target(for: open, donor: donor)
        let opening = (moved[66] - first[66]).y
        XCTAssertEqual(opening, 12, accuracy: 1.5)
    }
}
