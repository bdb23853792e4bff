import Foundation
@testable import VeilCapture
import XCTest

final class VideoDevicesTests: ScratchDirectoryTestCase {
    func testNoDevicesIsAnEmptyList() {
        let list = VideoDevices.list(in: directory.path)
        XCTAssertTrue(list.devices.isEmpty)
        XCTAssertTrue(list.unreadable.isEmpty)
    }

    func testAMissingDirectoryIsAnEmptyList() {
        let list = VideoDevices.list(in: directory.appendingPathComponent("no-such-dev").path)
        XCTAssertTrue(list.devices.isEmpty)
        XCTAssertTrue(list.unreadable.isEmpty)
    }

    func testAFileThatIsNotAV4L2DeviceIsLeftOut() throws {
        try Data("not a camera".utf8).write(to: directory.appendingPathComponent("video0"))
        let list = VideoDevices.list(in: directory.path)
        XCTAssertTrue(list.devices.isEmpty)
        XCTAssertTrue(list.unreadable.isEmpty)
    }

    func testNodesAreFoundInNumericOrder() throws {
        for name in ["video10", "video2", "video", "videox", "vbi0", "video0"] {
            try Data().write(to: directory.appendingPathComponent(name))
        }
        XCTAssertEqual(VideoDevices.nodePaths(in: directory.path).map { URL(fileURLWithPath: $0).lastPathComponent },
                       ["video0", "video2", "video10"])
    }

    func testOpeningAMissingDeviceNamesIt() {
        let path = directory.appendingPathComponent("video7").path
        XCTAssertThrowsError(try CaptureDevice(path: path)) { error in
            XCTAssertEqual(error as? CaptureError, .noSuchDevice(path: path))
            XCTAssertEqual("\(error)", "no video device at '\(path)'")
            XCTAssertTrue((error as? CaptureError)?.isDeviceLoss == true, "worth reopening later")
        }
    }

    func testOpeningAFileThatIsNotADeviceSaysSo() throws {
        let path = directory.appendingPathComponent("video0").path
        try Data("not a camera".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try CaptureDevice(path: path)) { error in
            XCTAssertEqual("\(error)", "'\(path)' is not a video capture device: it does not answer V4L2 requests")
        }
    }

    func testOpeningWithoutPermissionSaysWhy() throws {
        try XCTSkipIf(getuid() == 0, "root may open anything")
        let path = directory.appendingPathComponent("video0").path
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(), attributes: [.posixPermissions: 0]))
        XCTAssertThrowsError(try CaptureDevice(path: path)) { error in
            XCTAssertEqual("\(error)", "cannot open video device '\(path)': Permission denied")
        }
    }
}
