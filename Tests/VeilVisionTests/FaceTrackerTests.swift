import XCTest
import VeilMedia
@testable import VeilVision
import VeilCore

/// The tracker's fail-closed rules, on a real face (the astronaut donor) with the real models.
final class FaceTrackerTests: XCTestCase {
    private var picture: Picture!
    private var detections: [Detection] = []
    private var tracker: FaceTracker!

    override func setUpWithError() throws {
        let data = try DataDirectory.locate(executable: URL(fileURLWithPath: #filePath))
        picture = try ImageFile.load(path: data.donorSourceDirectory.appendingPathComponent("astronaut.png").path)
        let detector = try FaceDetector(modelPath: data.detectorModel, pictureWidth: picture.width, pictureHeight: picture.height,
                                        inputWidth: 320)
        detections = try detector.detect(picture)
        XCTAssertEqual(detections.count, 1)
        tracker = FaceTracker(predictor: try LandmarkPredictor(modelPath: data.landmarkModel))
    }

    func testAMissedFaceKeepsLandmarksThenIsCoveredAsARegionThenForgotten() throws {
        tracker.update(picture, detections: detections, interval: 1 / 30)
        XCTAssertEqual(tracker.tracks.count, 1)
        XCTAssertEqual(tracker.tracks[0].observation, .detected)
        XCTAssertNotNil(tracker.tracks[0].shape)
        for _ in 0..<FaceTracker.landmarkGrace {
            tracker.update(picture, detections: [], interval: 1 / 30)
            XCTAssertEqual(tracker.tracks.first?.observation, .tracked, "followed from its last landmarks")
        }
        tracker.update(picture, detections: [], interval: 1 / 30)
        XCTAssertEqual(tracker.tracks.first?.observation, .regionOnly, "then covered as a region")
        XCTAssertNil(tracker.tracks.first?.shape)
        for _ in 0..<FaceTracker.regionGrace - 1 { tracker.update(picture, detections: [], interval: 1 / 30) }
        XCTAssertEqual(tracker.tracks.count, 1, "still covered until the grace ends")
        tracker.update(picture, detections: [], interval: 1 / 30)
        XCTAssertTrue(tracker.tracks.isEmpty, "then forgotten")
    }

    /// The face cut by the picture's left edge through its eye: the detector's box is clipped, but the
    /// landmarks are fitted from the whole face's size, agree with the detector's keypoints, and the
    /// face keeps them (swapped, not covered).
    func testAFaceCutByThePicturesEdgeKeepsItsLandmarks() throws {
        let face = detections[0]
        let cut = Int(face.keypoints[0].x.rounded())  // through the right eye (the picture's left one)
        let shifted = Picture(width: picture.width, height: picture.height)
        for (target, source) in zip(shifted.planes, picture.planes) {
            let offset = source.width < picture.width ? cut / 2 : cut
            for y in 0..<source.height {
                for x in 0..<source.width { target[x, y] = x + offset < source.width ? source[x + offset, y] : 128 }
            }
        }
        let detector = try FaceDetector(modelPath: try DataDirectory.locate(executable: URL(fileURLWithPath: #filePath)).detectorModel,
                                        pictureWidth: shifted.width, pictureHeight: shifted.height, inputWidth: 320)
        let found = try detector.detect(shifted)
        let edge = try XCTUnwrap(found.first)
        XCTAssertLessThanOrEqual(edge.box.min.x, 1, "the detector's box is cut by the edge")
        let whole = edge.wholeFaceBox(pictureWidth: shifted.width, pictureHeight: shifted.height)
        XCTAssertGreaterThan(whole.width, edge.box.width * 1.2, "the whole face is wider than what is visible")
        tracker.update(shifted, detections: found, interval: 1 / 30)
        XCTAssertEqual(tracker.tracks.first?.observation, .detected)
        XCTAssertNotNil(tracker.tracks.first?.shape, "landmarks trusted")
    }

    func testAnUncertainNewFaceIsCoveredAndAConfidentOneGetsLandmarks() throws {
        var weak = detections[0]
        weak.score = tracker.confidentScore - 0.1
        tracker.update(picture, detections: [weak], interval: 1 / 30)
        XCTAssertEqual(tracker.tracks.first?.observation, .regionOnly)
        tracker.update(picture, detections: detections, interval: 1 / 30)
        XCTAssertEqual(tracker.tracks.count, 1, "the same track")
        XCTAssertEqual(tracker.tracks.first?.observation, .detected)
    }

    func testLookAheadDetectionsConfirmAKnownFaceWithoutMovingItsLandmarks() throws {
        tracker.update(picture, detections: detections, interval: 1 / 30)
        var later = detections[0]
        later.box = Box(min: later.box.min + Point(6, 0), max: later.box.max + Point(6, 0))
        tracker.update(picture, detections: [later], framesAhead: 1, interval: 1 / 30)
        XCTAssertEqual(tracker.tracks.count, 1)
        XCTAssertEqual(tracker.tracks[0].observation, .tracked, "landmarks followed on the frame's own pixels")
        XCTAssertEqual(tracker.tracks[0].framesSinceDetection, 0, "but the detector has confirmed the face")
    }

    func testAFaceFirstSeenInALaterFrameIsCoveredUntilItsOwnDetection() throws {
        tracker.update(picture, detections: detections, framesAhead: 1, interval: 1 / 30)
        XCTAssertEqual(tracker.tracks.first?.observation, .regionOnly)
        tracker.update(picture, detections: detections, framesAhead: 0, interval: 1 / 30)
        XCTAssertEqual(tracker.tracks.count, 1)
        XCTAssertEqual(tracker.tracks.first?.observation, .detected)
    }

    func testLandmarksThatDisagreeWithTheDetectorAreNotTrusted() throws {
        var wrong = detections[0]
        // The detector's own keypoints put the face somewhere else: the landmarks cannot be trusted.
        wrong.keypoints = wrong.keypoints.map { $0 + Point(0, wrong.box.height) }
        tracker.update(picture, detections: [wrong], interval: 1 / 30)
        XCTAssertEqual(tracker.tracks.first?.observation, .regionOnly)
    }
}
