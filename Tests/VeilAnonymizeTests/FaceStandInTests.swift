import XCTest
import VeilMedia
@testable import VeilAnonymize
import VeilCore

final class FaceStandInTests: XCTestCase {
    private func donor() -> Donor {
        Donor(name: "test", picture: Picture(width: 300, height: 300), shape: drawnFrontalFace(centre: Point(150, 140), width: 150),
              descriptor: FaceDescriptor(values: [Float](repeating: 0, count: 128)))
    }

    private func keypoints(_ shape: FaceShape) -> [Point] {
        [shape.rightEyeCentre, shape.leftEyeCentre, shape[30], shape[48], shape[54]]
    }

    func testAFrontalStandInLandsOnTheKeypointsAtTheFacesSizeAndRoll() throws {
        // The same face 80 px wide, rolled by 15 degrees, as a detector would give its keypoints.
        let roll: Float = 15 * .pi / 180
        let upright = drawnFrontalFace(centre: .zero, width: 80)
        let rolled = FaceShape(points: upright.points.map {
            Point(640, 300) + Point($0.x * cos(roll) - $0.y * sin(roll), $0.x * sin(roll) + $0.y * cos(roll))
        })
        let box = Box(min: Point(600, 255), max: Point(680, 355))
        let placed = try XCTUnwrap(FaceStandIn.shape(of: donor(), placedAt: keypoints(rolled), box: box))
        for (a, b) in zip(keypoints(placed), keypoints(rolled)) { XCTAssertLessThan(distance(a, b), 1.5, "\(a) against \(b)") }
        XCTAssertEqual(distance(placed[0], placed[16]), 80, accuracy: 4, "as wide as the face")
        XCTAssertEqual(atan2(placed[16].y - placed[0].y, placed[16].x - placed[0].x), roll, accuracy: 0.05, "rolled as the face")
    }

    func testATurnedFacesKeypointsGiveADonorTurnedTheSameWay() throws {
        let standIn = donor()
        for degrees: Float in [-40, 35] {
            // Keypoints of the donor's own face turned that far, scaled and moved into a frame.
            let turned = FaceStandIn.turn(standIn.faceCoordinates, by: degrees * .pi / 180)
            let seen = FaceShape(points: turned.map { Point(500, 200) + $0 * 30 })
            let width = seen.bounds.max.x - seen.bounds.min.x
            let box = Box(min: seen.bounds.min, max: seen.bounds.min + Point(width, width * 1.24))
            let placed = try XCTUnwrap(FaceStandIn.shape(of: standIn, placedAt: keypoints(seen), box: box))
            let error = zip(placed.points, seen.points).map { distance($0, $1) }.max()!
            XCTAssertLessThan(error, 0.06 * width, "\(degrees) degrees: the whole face placed as turned")
            // The nose tip sits off the eyes' midpoint toward the side the face turned to.
            let offset = placed[30].x - (placed.rightEyeCentre.x + placed.leftEyeCentre.x) / 2
            XCTAssertEqual(offset.sign, degrees < 0 ? .minus : .plus, "\(degrees) degrees: nose offset \(offset)")
        }
    }

    func testTurnedAwayPointsStayOnTheSilhouetteSoNoTriangleFolds() {
        let face = donor().faceCoordinates
        let turned = FaceStandIn.turn(face, by: 60 * .pi / 180)
        let centre = (face[0].x + face[16].x) / 2, radius = (face[16].x - face[0].x) / 2
        // Only the nose stands out past the cheek's outline, as in a profile.
        let outline = turned.indices.filter { !(27...35).contains($0) }.map { turned[$0].x }
        XCTAssertTrue(outline.allSatisfy { $0 <= centre + radius + 1e-4 && $0 >= centre - radius - 1e-4 }, "within the silhouette")
        XCTAssertGreaterThan(turned[30].x, centre + 0.8 * radius, "the nose turned toward the outline")
        // Along the jaw, the points never come back across the picture: a fold would.
        let jaw = (0...16).map { turned[$0].x }
        XCTAssertEqual(jaw, jaw.sorted(), "the jaw runs one way: \(jaw)")
    }

    func testKeypointsNoFaceFitsGetNoStandIn() {
        let standIn = donor()
        let box = Box(min: Point(100, 100), max: Point(180, 200))
        // All five on one point, mirrored (left eye on the picture's left), and a face twice the box's size.
        let collapsed = [Point](repeating: Point(140, 150), count: 5)
        let face = drawnFrontalFace(centre: Point(140, 150), width: 80)
        let mirrored = keypoints(FaceShape(points: face.points.map { Point(280 - $0.x, $0.y) }))
        let huge = keypoints(drawnFrontalFace(centre: Point(140, 150), width: 240))
        XCTAssertNil(FaceStandIn.shape(of: standIn, placedAt: collapsed, box: box))
        XCTAssertNil(FaceStandIn.shape(of: standIn, placedAt: mirrored, box: box))
        XCTAssertNil(FaceStandIn.shape(of: standIn, placedAt: huge, box: box))
        XCTAssertNil(FaceStandIn.shape(of: standIn, placedAt: Array(keypoints(face).prefix(3)), box: box))
        XCTAssertNotNil(FaceStandIn.shape(of: standIn, placedAt: keypoints(face), box: box), "while the face itself fits")
    }
}
