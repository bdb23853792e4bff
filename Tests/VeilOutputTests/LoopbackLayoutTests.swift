@testable import VeilOutput
import XCTest

/// How a frame is laid out for a loopback device from the driver's answer to S_FMT; the answers
/// are those of the real drivers in the VM rig (`make test-v4l2-loopback`).
final class LoopbackLayoutTests: XCTestCase {
    func testV4l2loopbackPageRoundedSizeIsNotWritten() throws {
        // v4l2loopback 0.12.7 answers 640x360 YU12 with bytesperline 640 and sizeimage rounded up to
        // whole pages (348160); its readers take exactly one frame (345600) per buffer.
        let layout = try XCTUnwrap(LoopbackDevice.layout(width: 640, height: 360, bytesPerLine: 640, sizeImage: 348_160))
        XCTAssertEqual(layout.stride, 640)
        XCTAssertEqual(layout.bytes, 345_600)
        XCTAssertEqual(layout.bytes, LoopbackDevice.frameBytes(width: 640, height: 360))
    }

    func testPaddedRowsAreKept() throws {
        // vivid's output node pads a 640-wide YU12 frame to its widest timing's stride.
        let layout = try XCTUnwrap(LoopbackDevice.layout(width: 640, height: 360, bytesPerLine: 1280, sizeImage: 691_200))
        XCTAssertEqual(layout.stride, 1280)
        XCTAssertEqual(layout.bytes, 1280 * 360 + 2 * 640 * 180)
    }

    func testNoStrideMeansUnpadded() throws {
        let layout = try XCTUnwrap(LoopbackDevice.layout(width: 1280, height: 720, bytesPerLine: 0, sizeImage: 1_382_400))
        XCTAssertEqual(layout.stride, 1280)
        XCTAssertEqual(layout.bytes, 1_382_400)
    }

    func testAnswersThatCannotHoldTheFrameAreRefused() {
        XCTAssertNil(LoopbackDevice.layout(width: 640, height: 360, bytesPerLine: 320, sizeImage: 345_600), "rows too short")
        XCTAssertNil(LoopbackDevice.layout(width: 640, height: 360, bytesPerLine: 640, sizeImage: 345_599), "frame too small")
        XCTAssertNil(LoopbackDevice.layout(width: 640, height: 360, bytesPerLine: 1280, sizeImage: 348_160), "padded rows overflow")
    }

    func testRefusalNamesWhatTheDriverAnswered() {
        let failure = LoopbackFailure(action: "set 640x360 YU12 output on", path: "/dev/video10", code: EINVAL,
                                      detail: "the driver answered 1280x720 YUYV")
        XCTAssertEqual("\(failure)", "cannot set 640x360 YU12 output on '/dev/video10': the driver answered 1280x720 YUYV")
        XCTAssertTrue("\(LoopbackFailure(action: "open", path: "/dev/video10", code: ENOENT))".contains("No such file"))
    }
}
