import Foundation
import VeilMedia
import VeilOutput
import XCTest
import VeilCore

final class CameraOutputsTests: OutputTestCase {
    func testOddFrameSizeAndUnknownEncoderAreRefused() {
        XCTAssertThrowsError(try outputs([.rtp(address: Endpoint.destination("127.0.0.1:5004"), sdpPath: path("x.sdp"))], width: 321)) { error in
            XCTAssertTrue("\(error)".contains("321x240"), "\(error)")
        }
        XCTAssertThrowsError(try outputs([.rtp(address: Endpoint.destination("127.0.0.1:5004"), sdpPath: path("x.sdp"))],
                                         encoder: EncoderOptions(codec: "no-such-encoder"))) { error in
            XCTAssertTrue("\(error)".contains("no-such-encoder"), "\(error)")
        }
        XCTAssertThrowsError(try outputs([.rtp(address: Endpoint.destination("127.0.0.1:5004"), sdpPath: path("x.sdp"))],
                                         encoder: EncoderOptions(codec: "mpeg4"))) { error in
            XCTAssertTrue("\(error)".contains("not an H.264 encoder"), "\(error)")
        }
    }

    /// A picture of another size than configured is dropped and counted, not copied out of bounds.
    func testPictureOfWrongSizeIsDropped() throws {
        let outputs = try outputs([.record(directory: path("rec"), segmentSeconds: 600, container: .mkv, maxTotalBytes: nil)])
        outputs.start()
        outputs.submit(Picture(width: 160, height: 120), captureTime: DispatchTime.now().uptimeNanoseconds)
        outputs.submit(FrameFeeder.gradient(width: 320, height: 240, phase: 0), captureTime: DispatchTime.now().uptimeNanoseconds)
        outputs.stop()
        let statistics = outputs.statistics
        XCTAssertEqual(statistics.framesSubmitted, 2)
        XCTAssertEqual(statistics.framesDropped, 1)
        XCTAssertEqual(statistics.framesEncoded, 1)
        XCTAssertEqual(statistics.outputs[0].sent, 1)
    }
}
