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
