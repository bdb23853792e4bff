import VeilCore
import XCTest

final class LatencyBudgetTests: XCTestCase {
    /// The default holds two detection passes and the anonymizer at any rate: three frame intervals,
    /// never under 80 ms.
    func testTheDefaultBudgetIsThreeFrameIntervalsAndNeverUnder80Milliseconds() {
        XCTAssertEqual(LatencyBudget.defaultMilliseconds(fps: 30), 100)
        XCTAssertEqual(LatencyBudget.defaultMilliseconds(fps: 25), 120)
        XCTAssertEqual(LatencyBudget.defaultMilliseconds(fps: 60), 80)
        XCTAssertEqual(LatencyBudget.defaultMilliseconds(fps: 120), 80)
        XCTAssertEqual(LatencyBudget.defaultMilliseconds(fps: 5), 600)
    }
}

final class FaceSizePromiseTests: XCTestCase {
    /// Offline, every face from 1/40 of the picture's width: the input width needed is the same for
    /// every picture at least that wide.
    func testOfflinePromiseIsAFortiethOfTheWidth() {
        XCTAssertEqual(FaceSizePromise.offlineDetectorWidth(pictureWidth: 1280), 576)
        XCTAssertEqual(FaceSizePromise.offlineDetectorWidth(pictureWidth: 1920), 576)
        XCTAssertLessThanOrEqual(FaceSizePromise.smallestFace(pictureWidth: 1280, detectorWidth: 576), 1280 / 40)
        XCTAssertLessThanOrEqual(FaceSizePromise.smallestFace(pictureWidth: 1920, detectorWidth: 576), 1920 / 40)
        // A picture narrower than the input it would need is looked at whole.
        XCTAssertEqual(FaceSizePromise.offlineDetectorWidth(pictureWidth: 320), 320)
    }

    func testLivePromiseFollowsTheLiveInputWidth() {
        XCTAssertEqual(FaceSizePromise.liveDetectorWidth(pictureWidth: 1280), 320)
        XCTAssertEqual(FaceSizePromise.smallestFace(pictureWidth: 1280, detectorWidth: 320), 56)
        XCTAssertEqual(FaceSizePromise.smallestFace(pictureWidth: 1920, detectorWidth: 320), 84)
    }

    func testInputWidthIsTheNearestMultipleOf32() {
        XCTAssertEqual(FaceSizePromise.inputWidth(requested: 490), 480)
        XCTAssertEqual(FaceSizePromise.inputWidth(requested: 500), 512)
        XCTAssertEqual(FaceSizePromise.inputWidth(requested: 3), 32)
    }
}
