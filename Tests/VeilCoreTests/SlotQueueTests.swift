import Foundation
import VeilCore
import XCTest

final class SlotQueueTests: XCTestCase {
    func testALiveQueueNeverWaitsAndCountsWhatItDrops() {
        let queue = SlotQueue<Int>(capacity: 2, whenFull: .drop)
        XCTAssertTrue(queue.push(1))
        XCTAssertTrue(queue.push(2))
        XCTAssertFalse(queue.push(3), "full: the new one is dropped")
        XCTAssertEqual(queue.dropped, 1)
        XCTAssertEqual(queue.pop(), 1)
        XCTAssertTrue(queue.push(4))
        XCTAssertEqual([queue.popIfAny(), queue.popIfAny(), queue.popIfAny()], [2, 4, nil])
    }

    func testAStreamQueueDropsUntilAnElementThatResumesIt() {
        // Odd numbers stand for keyframes.
        let queue = SlotQueue<Int>(capacity: 1, whenFull: .dropUntil { $0 % 2 == 1 })
        XCTAssertTrue(queue.push(1))
        XCTAssertFalse(queue.push(2), "full")
        XCTAssertEqual(queue.pop(), 1)
        XCTAssertFalse(queue.push(4), "room again, but not a keyframe")
        XCTAssertTrue(queue.push(5))
        XCTAssertEqual(queue.dropped, 2)
        XCTAssertEqual(queue.popIfAny(), 5)
    }

    func testAnOfflineQueueHoldsTheProducerBackUntilThereIsRoom() {
        let queue = SlotQueue<Int>(capacity: 1, whenFull: .wait)
        queue.push(1)
        let pushed = expectation(description: "the second push returns once the first is taken")
        WorkerThread.start(name: "test-producer") {
            queue.push(2)
            pushed.fulfill()
        }
        Thread.sleep(forTimeInterval: 0.1)
        XCTAssertEqual(queue.dropped, 0)
        XCTAssertEqual(queue.pop(), 1)
        wait(for: [pushed], timeout: 5)
        XCTAssertEqual(queue.pop(), 2)
    }

    func testClosingReleasesAWaitingProducerRefusesPushesAndDrains() {
        let queue = SlotQueue<Int>(capacity: 1, whenFull: .wait)
        queue.push(1)
        let released = expectation(description: "a producer waiting for room is released by close")
        WorkerThread.start(name: "test-producer") {
            XCTAssertFalse(queue.push(2))
            released.fulfill()
        }
        Thread.sleep(forTimeInterval: 0.1)
        queue.close()
        wait(for: [released], timeout: 5)
        XCTAssertEqual(queue.pop(), 1, "what was queued drains")
        XCTAssertNil(queue.pop())
        XCTAssertEqual(queue.dropped, 0, "a refused push after close is not a drop")
    }

    func testATimedPopSaysIdleOrClosed() {
        let queue = SlotQueue<Int>(capacity: 1, whenFull: .drop)
        guard case .idle = queue.pop(waitingUntil: MonotonicClock.after(seconds: 0.05)) else { return XCTFail("idle") }
        queue.push(7)
        guard case .element(7) = queue.pop(waitingUntil: MonotonicClock.after(seconds: 0.05)) else { return XCTFail("7") }
        queue.close()
        guard case .closed = queue.pop(waitingUntil: MonotonicClock.after(seconds: 5)) else { return XCTFail("closed") }
    }
}
