import Foundation
import VeilOutput
import XCTest
import VeilCore

final class RTPOutputTests: OutputTestCase {
    /// ffmpeg, given nothing but the SDP, receives and decodes the stream at the camera's size.
    func testReceiverDecodesStreamFromSDP() throws {
        let sdp = path("camera.sdp")
        let outputs = try outputs([.rtp(address: Endpoint.destination("127.0.0.1:\(rtpPort())"), sdpPath: sdp)])
        outputs.start()
        let feeder = FrameFeeder(outputs)
        feeder.start()
        try waitFor("the SDP to be written") { FileManager.default.fileExists(atPath: sdp) }
        let text = try String(contentsOfFile: sdp, encoding: .utf8)
        XCTAssertTrue(text.contains("a=rtpmap:96 H264/90000"), text)
        XCTAssertTrue(text.contains("sprop-parameter-sets="), text)
        XCTAssertFalse(text.contains("a=crypto"), text)

        let received = try Tool.receive(sdp: sdp, frames: 45, width: 320, height: 240, into: path("received.yuv"), timeout: 15)
        feeder.stop()
        outputs.stop()
        XCTAssertEqual(received.frames, 45, received.result.stderr)
        let rtp = outputs.statistics.outputs[0]
        XCTAssertEqual(rtp.errors, 0, rtp.lastError ?? "")
        XCTAssertGreaterThanOrEqual(rtp.sent, 45)
        XCTAssertFalse(rtp.paused)
    }

    func testMalformedAddressIsRefusedAtInit() {
        for address in ["127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", ":5004", "::1:5004"] {
            XCTAssertThrowsError(try outputs([.rtp(address: Endpoint.destination(address), sdpPath: path("x.sdp"))]), address) { error in
                XCTAssertTrue("\(error)".contains(address), "\(error)")
            }
        }
    }

}

extension XCTestCase {
    /// Polls `condition` every 50 ms for up to `seconds`; throws (failing the test) if it never holds.
    func waitFor(_ what: String, seconds: Double = 10, _ condition: () throws -> Bool) throws {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TimedOut(description: "timed out waiting for \(what)")
    }
}

struct TimedOut: Error, CustomStringConvertible {
    let description: String
}
