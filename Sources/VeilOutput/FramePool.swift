import Foundation
import VeilMedia

/// A few preallocated pictures between a producer that must never wait (the pipeline's processing
/// thread, or the encode thread feeding a virtual camera) and the one thread that consumes them.
/// `offer` copies into a free picture and returns; with none free the frame is dropped and counted.
final class FramePool {
    struct Frame {
        let picture: Picture
        /// CLOCK_MONOTONIC nanoseconds.
        let captureTime: UInt64
    }

    let width: Int
    let height: Int
    private var free: [Picture]
    /// Oldest first.
    private var queued: [Frame] = []
    private let condition = NSCondition()
    private var closed = false
    private var offered = 0
    private var dropped = 0

    init(capacity: Int, width: Int, height: Int) {
        self.width = width
        self.height = height
        free = (0..<capacity).map { _ in Picture(width: width, height: height) }
    }

    /// Frames offered, and of those dropped because no picture was free (or the pool was closed).
    var counts: (offered: Int, dropped: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (offered, dropped)
    }

    /// Never waits: the lock is only held for a few pointer moves, the copy happens outside it.
    /// A picture of another size than the pool's is dropped too.
    @discardableResult
    func offer(_ picture: Picture, captureTime: UInt64) -> Bool {
        condition.lock()
        offered += 1
        guard !closed, picture.width == width, picture.height == height, let slot = free.popLast() else {
            dropped += 1
            condition.unlock()
            return false
        }
        condition.unlock()
        slot.copy(from: picture)
        condition.lock()
        queued.append(Frame(picture: slot, captureTime: captureTime))
        condition.signal()
        condition.unlock()
        return true
    }

    /// The oldest queued frame, waiting for one; nil once closed and drained. Hand the picture back
    /// with `recycle` when done with it.
    func take() -> Frame? {
        condition.lock()
        defer { condition.unlock() }
        while queued.isEmpty && !closed { condition.wait() }
        return queued.isEmpty ? nil : queued.removeFirst()
    }

    func recycle(_ picture: Picture) {
        condition.lock()
        free.append(picture)
        condition.unlock()
    }

    /// Offers fail from now on; `take` drains what is queued, then returns nil.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
