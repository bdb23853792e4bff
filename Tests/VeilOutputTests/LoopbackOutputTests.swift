import Foundation
import VeilOutput
import XCTest
import VeilCore

/// The real v4l2loopback driver is exercised in the VM rig; here, a device that is missing or is no
/// V4L2 output is reported, retried, and holds up no other output.
final class LoopbackOutputTests: OutputTestCase {
    func testMissingDeviceIsRetriedWithoutStallingOtherOutputs() throws {
        let device = path("video99")
        let outputs = try outputs([.loopback(devicePath: device), .rtp(address: Endpoint.destination("127.0.0.1:\(rtpPort())"), sdpPath: path("camera.sdp"))])
        outputs.start()
        let feeder = FrameFeeder(outputs)
        feeder.start(frames: 75)
        feeder.wait()
        outputs.stop()
        let statistics = outputs.statistics
        let loopback = statistics.outputs[0], rtp = statistics.outputs[1]
        XCTAssertEqual(loopback.name, "loopback \(device)")
        XCTAssertTrue(loopback.paused)
        XCTAssertEqual(loopback.sent, 0)
        XCTAssertGreaterThanOrEqual(loopback.errors, 2, "the device should have been tried again")
        XCTAssertTrue(loopback.lastError?.contains(device) == true && loopback.lastError?.contains("No such file") == true,
                      loopback.lastError ?? "")
        XCTAssertEqual(log.lines(containing: "output paused").count, 1, "one line per change of state: \(log.all)")
        XCTAssertEqual(statistics.framesEncoded, 75)
        XCTAssertEqual(rtp.sent, statistics.framesEncoded)
        XCTAssertFalse(rtp.paused)
    }

    func testFileThatIsNoVideoDeviceIsReported() throws {
        let device = path("not-a-device")
        XCTAssertTrue(FileManager.default.createFile(atPath: device, contents: nil))
        let outputs = try outputs([.loopback(devicePath: device)])
        outputs.start()
        let feeder = FrameFeeder(outputs)
        feeder.start(frames: 10)
        feeder.wait()
        outputs.stop()
        let loopback = outputs.statistics.outputs[0]
        XCTAssertTrue(loopback.paused)
        XCTAssertTrue(loopback.lastError?.contains("YU12 output on '\(device)'") == true, loopback.lastError ?? "")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: device)).count, 0, "nothing may be written to a non-device")
    }
}
