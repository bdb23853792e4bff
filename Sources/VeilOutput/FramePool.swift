import Foundation
import Synchronization
import VeilCore
import VeilMedia

/// A few preallocated pictures between a producer that must never wait (the pipeline's processing
/// thread, or the encode thread feeding a virtual camera) and the one thread that consumes them.
/// `offer` copies into a free picture and returns; with none free the frame is dropped and counted.
final class FramePool: Sendable {
    struct Frame {
        let picture: Picture
        /// CLOCK_MONOTONIC nanoseconds.
        let captureTime: UInt64
    }

    let width: Int
    let height: Int
    /// Pictures nobody holds, and frames waiting for the consumer, oldest first. Every picture is in
    /// one of them, with the producer copying into it, or with the consumer, so neither is ever full.
    private let free: SlotQueue<Picture>
    private let queued: SlotQueue<Frame>
    private let offered = Atomic<Int>(0)
    private let dropped = Atomic<Int>(0)

    init(capacity: Int, width: Int, height: Int) {
        self.width = width
        self.height = height
        free = SlotQueue(capacity: capacity, whenFull: .drop)
        queued = SlotQueue(capacity: capacity, whenFull: .drop)
        for _ in 0..<capacity { free.push(Picture(width: width, height: height)) }
    }

    /// Frames offered, and of those dropped because no picture was free (or the pool was closed).
    var counts: (offered: Int, dropped: Int) { (offered.load(ordering: .relaxed), dropped.load(ordering: .relaxed)) }

    /// Never waits: the queues' locks are held for a few pointer moves, the copy happens outside them.
    /// A picture of another size than the pool's is dropped too.
    @discardableResult
    func offer(_ picture: Picture, captureTime: UInt64) -> Bool {
        offered.add(1, ordering: .relaxed)
        guard picture.width == width, picture.height == height, let slot = free.popIfAny() else {
            dropped.add(1, ordering: .relaxed)
            return false
        }
        slot.copy(from: picture)
        guard queued.push(Frame(picture: slot, captureTime: captureTime)) else {
            free.push(slot)
            dropped.add(1, ordering: .relaxed)
            return false
        }
        return true
    }

    /// The oldest queued frame, waiting for one; nil once closed and drained. Hand the picture back
    /// with `recycle` when done with it.
    func take() -> Frame? { queued.pop() }

    func recycle(_ picture: Picture) { free.push(picture) }

    /// Offers fail from now on; `take` drains what is queued, then returns nil.
    func close() { queued.close() }
}
