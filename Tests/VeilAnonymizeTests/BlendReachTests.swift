import XCTest
import VeilMedia
@testable import VeilAnonymize
import VeilCore

/// How much of the donor a swap lays over each part of the face, for the two blend reaches. The
/// subject's luma is vertical stripes and the donor's horizontal ones of the same levels, so wherever
/// the two differ the output's distance from the subject, over the levels' gap, is the blend's weight
/// (the donor's face sits 48 px up and left of the target's, so its stripes keep their phase).
final class BlendReachTests: XCTestCase {
    private let low: UInt8 = 80, high: UInt8 = 160

    private func striped(width: Int, height: Int, vertical: Bool) -> Picture {
        let picture = Picture(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width { picture.y[x, y] = ((vertical ? x : y) / 2) % 2 == 0 ? low : high }
        }
        picture.u.fill(128)
        picture.v.fill(128)
        return picture
    }

    private func swapped(reach: BlendReach, target: FaceShape) -> (subject: Picture, output: Picture) {
        let donor = Donor(name: "test", picture: striped(width: 300, height: 300, vertical: false),
                          shape: drawnFrontalFace(centre: Point(152, 152), width: 150),
                          descriptor: FaceDescriptor(values: [Float](repeating: 0, count: 128)))
        let subject = striped(width: 400, height: 400, vertical: true)
        let output = striped(width: 400, height: 400, vertical: true)
        var clock = StageClock()
        XCTAssertTrue(FaceSwapper().swap(in: output, target: target, donor: donor, reach: reach, clock: &clock))
        return (subject, output)
    }

    /// The donor's weight around `point` (a 9x9 window), from the samples where donor and subject differ.
    private func donorWeight(_ run: (subject: Picture, output: Picture), at point: Point) -> Float {
        var sum: Float = 0, count: Float = 0
        for y in Int(point.y) - 4...Int(point.y) + 4 {
            for x in Int(point.x) - 4...Int(point.x) + 4 where (x / 2) % 2 != (y / 2) % 2 {
                sum += abs(Float(run.output.y[x, y]) - Float(run.subject.y[x, y])) / Float(high - low)
                count += 1
            }
        }
        return sum / count
    }

    func testAWideBlendKeepsTheFeaturesTheDonorsAndShowsTheSubjectsCheeks() {
        let centre = Point(200, 200)
        let target = drawnFrontalFace(centre: centre, width: 150)
        let narrow = swapped(reach: .insideOutline, target: target)
        let wide = swapped(reach: .overCheeks, target: target)
        // Between the jaw's 4th point and the nose's side: cheek, outside every feature.
        let cheek = (target[3] + target[31]) / 2
        for (name, point) in [("nose", target[29]), ("right eye", target.rightEyeCentre), ("nose tip", target[33])] {
            XCTAssertGreaterThan(donorWeight(narrow, at: point), 0.9, "narrow blend, \(name)")
            XCTAssertGreaterThan(donorWeight(wide, at: point), 0.9, "wide blend, \(name)")
        }
        XCTAssertGreaterThan(donorWeight(narrow, at: cheek), 0.9, "the narrow blend covers the cheek")
        XCTAssertLessThan(donorWeight(wide, at: cheek), 0.75, "the wide blend lets the subject's cheek show")
        // Outside the face neither blend touches the picture.
        let beside = Point(centre.x - 95, centre.y)
        XCTAssertEqual(donorWeight(narrow, at: beside), 0)
        XCTAssertEqual(donorWeight(wide, at: beside), 0)
    }

    /// An open mouth shows the subject's own mouth interior whichever the reach.
    func testTheOpenMouthsInteriorIsTheSubjectsInBothReaches() {
        var points = drawnFrontalFace(centre: Point(200, 200), width: 150).points
        for i in 65...67 { points[i].y += 14 }
        for i in 55...59 { points[i].y += 14 }
        let target = FaceShape(points: points)
        XCTAssertGreaterThan(target.mouthOpening, 0.04)
        let mouth = (target[62] + target[66]) / 2
        for reach in [BlendReach.insideOutline, .overCheeks] {
            XCTAssertLessThan(donorWeight(swapped(reach: reach, target: target), at: mouth), 0.1, "\(reach)")
        }
    }
}
