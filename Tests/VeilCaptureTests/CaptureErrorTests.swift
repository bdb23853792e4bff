import VeilCapture
import XCTest

/// Each error is one line that names the device, as the daemon logs it and `veil` prints it.
final class CaptureErrorTests: XCTestCase {
    func testMessages() {
        XCTAssertEqual(CaptureError.disconnected(path: "/dev/video0", reason: "No such device").description,
                       "video device '/dev/video0' was disconnected: No such device")
        XCTAssertEqual(CaptureError.timedOut(path: "/dev/video0", seconds: 2).description,
                       "video device '/dev/video0' sent no frame for 2 s")
        XCTAssertEqual(CaptureError.timedOut(path: "/dev/video0", seconds: 0.5).description,
                       "video device '/dev/video0' sent no frame for 0.5 s")
        XCTAssertEqual(CaptureError.failed(action: "set the YUYV 1280x720 format", path: "/dev/video0",
                                           request: "VIDIOC_S_FMT", reason: "Invalid argument").description,
                       "video device '/dev/video0': cannot set the YUYV 1280x720 format (VIDIOC_S_FMT): Invalid argument")
        XCTAssertEqual(CaptureError.noUsableFormat(path: "/dev/video0", wanted: ["YUYV", "MJPG"], offered: ["H264"]).description,
                       "video device '/dev/video0' offers none of YUYV, MJPG (it offers H264)")
    }

    func testOnlyLossesAreWorthReopening() {
        XCTAssertTrue(CaptureError.disconnected(path: "/dev/video0", reason: "No such device").isDeviceLoss)
        XCTAssertTrue(CaptureError.timedOut(path: "/dev/video0", seconds: 2).isDeviceLoss)
        XCTAssertFalse(CaptureError.noUsableFormat(path: "/dev/video0", wanted: ["YUYV"], offered: []).isDeviceLoss)
        XCTAssertFalse(CaptureError.cannotOpen(path: "/dev/video0", reason: "Permission denied").isDeviceLoss)
    }
}
