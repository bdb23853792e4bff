import VeilLive
import XCTest

final class FrameRingTests: XCTestCase {
    func testFullRingDropsTheOldestFrameAndCountsIt() {
        let ring = FrameRing(capacity: 4, width: 16, height: 16)
        // No consumer at all: a producer that could block would hang here.
        for pts in 0..<10 {
            let frame = ring.acquire()
            frame.picture.pts = Int64(pts)
            ring.publish(frame, captureTime: UInt64(pts))
        }
        XCTAssertEqual(ring.counts.published, 10)
        XCTAssertEqual(ring.counts.dropped, 6)
        ring.close()
        var left: [Int64] = []
        while let frame = ring.next() {
            left.append(frame.pts)
            ring.release(frame)
        }
        XCTAssertEqual(left, [6, 7, 8, 9])
    }

    func testFrameInProcessingIsNeverReused() {
        let ring = FrameRing(capacity: 4, width: 16, height: 16)
        let first = ring.acquire()
        ring.publish(first, captureTime: 0)
        let processing = ring.next()
        XCTAssertTrue(processing === first)
        var taken: [ObjectIdentifier] = []
        for i in 1...8 {
            let frame = ring.acquire()
            XCTAssertFalse(frame === first)
            taken.append(ObjectIdentifier(frame))
            ring.publish(frame, captureTime: UInt64(i))
        }
        XCTAssertEqual(Set(taken).count, 3, "the three other slots take turns")
        XCTAssertEqual(ring.counts.dropped, 8 - 3)
        ring.release(first)
        XCTAssertTrue(ring.acquire() === first, "released, the slot is free again")
    }

    func testPublishHandsOverTheStampedFrameBeforeProcessingCanTakeIt() {
        let ring = FrameRing(capacity: 4, width: 16, height: 16)
        let frame = ring.acquire()
        var handedOver = false
        ring.publish(frame, captureTime: 10) { stamped in
            handedOver = true
            XCTAssertEqual(stamped.captureTime, 10)
            ring.close()
            // Not queued yet: a consumer sees an empty, closed ring.
            XCTAssertNil(ring.next())
        }
        XCTAssertTrue(handedOver)
        XCTAssertEqual(ring.counts.published, 1)
    }
}
