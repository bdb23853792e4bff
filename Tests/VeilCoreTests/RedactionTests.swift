import VeilCore
import XCTest

final class RedactionTests: XCTestCase {
    func testCredentialsInASourceURLAreRedacted() {
        XCTAssertEqual(Redaction.source("rtsp://admin:s3cret@10.0.0.5:554/stream1"), "rtsp://***@10.0.0.5:554/stream1")
        XCTAssertEqual(Redaction.source("http://user@cam.local/video.mjpg"), "http://***@cam.local/video.mjpg")
        // An '@' in the path or query is not user information.
        XCTAssertEqual(Redaction.source("rtsp://cam.local/live?owner=a@b"), "rtsp://cam.local/live?owner=a@b")
    }

    func testSourcesWithoutCredentialsAreUnchanged() {
        XCTAssertEqual(Redaction.source("/dev/video0"), "/dev/video0")
        XCTAssertEqual(Redaction.source("/srv/clips/a@b.mp4"), "/srv/clips/a@b.mp4")
        XCTAssertEqual(Redaction.source("rtsp://10.0.0.5:554/stream1"), "rtsp://10.0.0.5:554/stream1")
    }

    func testURLsInsideAMessageAreRedacted() {
        XCTAssertEqual(Redaction.text("cannot open input 'rtsp://admin:pw@10.0.0.5/s': Connection refused"),
                       "cannot open input 'rtsp://***@10.0.0.5/s': Connection refused")
        XCTAssertFalse(Redaction.text("a rtsp://u:p@h/x and http://v:q@g/y").contains(":p@"))
        XCTAssertFalse(Redaction.text("a rtsp://u:p@h/x and http://v:q@g/y").contains(":q@"))
    }
}
