import XCTest
import VeilCore

final class FaceGeometryTests: XCTestCase {
    private func detection(_ x0: Float, _ y0: Float, _ x1: Float, _ y1: Float) -> Detection {
        Detection(box: Box(x0: x0, y0: y0, x1: x1, y1: y1), score: 0.9, keypoints: Array(repeating: .zero, count: 5))
    }

    func testABoxCutByOneEdgeIsRestoredOnThatSideOnly() {
        // 124 px tall, so a whole face is 100 px wide: 40 px of it lie left of the picture.
        XCTAssertEqual(detection(0, 100, 60, 224).wholeFaceBox(pictureWidth: 640, pictureHeight: 480), Box(x0: -40, y0: 100, x1: 60, y1: 224))
        XCTAssertEqual(detection(600, 100, 640, 224).wholeFaceBox(pictureWidth: 640, pictureHeight: 480),
                       Box(x0: 600, y0: 100, x1: 700, y1: 224))
        XCTAssertEqual(detection(200, 0, 300, 62).wholeFaceBox(pictureWidth: 640, pictureHeight: 480), Box(x0: 200, y0: -62, x1: 300, y1: 62))
    }

    func testAnUncutBoxACornerAndAFaceWiderThanThePictureAreKept() {
        let boxes = [detection(200, 100, 300, 224), detection(0, 0, 60, 80), detection(0, 100, 640, 300)]
        for d in boxes { XCTAssertEqual(d.wholeFaceBox(pictureWidth: 640, pictureHeight: 480), d.box) }
    }
}
