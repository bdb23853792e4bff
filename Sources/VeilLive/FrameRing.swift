import Foundation
import VeilMetrics
import VeilCore
import VeilMedia

/// One preallocated slot of the ring: a picture and what the pipeline knows of when it was taken.
public final class LiveFrame {
    public let picture: Picture
    /// When the frame was captured, on `MonotonicClock`.
    public internal(set) var captureTime: UInt64 = 0
    /// Position in the capture order, counting frames the ring dropped.
    public internal(set) var sequence = 0
    /// The source's presentation timestamp (`picture.pts`, in the source's time base).
    public var pts: Int64 { picture.pts }
    /// The source's offline slate, not a camera picture.
    public internal(set) var isPlaceholder = false

    fileprivate var index: Int
    /// Whether processing has the slot; it is free again on release.
    fileprivate var held = false

    init(width: Int, height: Int, index: Int) {
        picture = Picture(width: width, height: height)
        self.index = index
    }
}

/// A fixed ring of preallocated frames between capture and processing. Capture never waits: it takes a
/// free slot, or when processing has fallen behind, the oldest frame not yet taken for processing,
/// which is dropped and counted (a live view wants the newest frames). Slots move between states by
/// index only, so steady state allocates nothing.
public final class FrameRing {
    public let capacity: Int
    private let frames: [LiveFrame]
    private var free: [Int]
    /// Captured frames waiting for processing, oldest first: a circular buffer of slot indices.
    private var queue: [Int]
    private var head = 0
    private var queued = 0
    private var nextSequence = 0
    private var closed = false
    private let condition = NSCondition()
    private var publishedCount = 0
    private var droppedCount = 0

    /// One slot is being processed and one filled; with four, two captured frames can wait, which
    /// absorbs a late frame without a drop.
    public static let minimumCapacity = 4

    /// Counts each frame dropped into the camera's meters too.
    private let droppedMeter: Tally?

    public init(capacity: Int, width: Int, height: Int, dropped: Tally? = nil) {
        droppedMeter = dropped
        precondition(capacity >= FrameRing.minimumCapacity, "a frame ring needs \(FrameRing.minimumCapacity)+ slots")
        self.capacity = capacity
        frames = (0..<capacity).map { LiveFrame(width: width, height: height, index: $0) }
        free = Array(frames.indices.reversed())
        queue = Array(repeating: 0, count: capacity)
    }

    /// Frames published, and frames dropped unprocessed, so far.
    public var counts: (published: Int, dropped: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (publishedCount, droppedCount)
    }

    /// Captured frames waiting for processing.
    public var waiting: Int {
        condition.lock()
        defer { condition.unlock() }
        return queued
    }

    /// A slot for the producer to fill. Never waits: with no slot free, the oldest queued frame is
    /// dropped and its slot reused.
    public func acquire() -> LiveFrame {
        condition.lock()
        defer { condition.unlock() }
        if let slot = free.popLast() { return frames[slot] }
        precondition(queued > 0, "every slot is held downstream: the ring is too small")
        let frame = frames[queue[head]]
        head = (head + 1) % capacity
        queued -= 1
        droppedCount += 1
        droppedMeter?.increment()
        return frame
    }

    /// Queues a filled frame for processing, stamped with its capture time and sequence.
    /// `beforeQueueing` sees the stamped frame while processing cannot yet take it (the detector copies
    /// it there, before any stage rewrites it).
    public func publish(_ frame: LiveFrame, captureTime: UInt64, beforeQueueing: ((LiveFrame) -> Void)? = nil) {
        condition.lock()
        frame.captureTime = captureTime
        frame.sequence = nextSequence
        nextSequence += 1
        condition.unlock()
        beforeQueueing?(frame)
        condition.lock()
        defer { condition.unlock() }
        publishedCount += 1
        queue[(head + queued) % capacity] = frame.index
        queued += 1
        condition.signal()
    }

    /// Gives back a slot the producer acquired but did not fill (its source ended).
    public func discard(_ frame: LiveFrame) {
        condition.lock()
        free.append(frame.index)
        condition.unlock()
    }

    /// The oldest queued frame, held for the caller until `release`; waits while none is queued. Nil
    /// once the ring is closed and drained.
    public func next() -> LiveFrame? {
        condition.lock()
        defer { condition.unlock() }
        while queued == 0 && !closed { condition.wait() }
        guard queued > 0 else { return nil }
        let frame = frames[queue[head]]
        head = (head + 1) % capacity
        queued -= 1
        frame.held = true
        return frame
    }

    public func release(_ frame: LiveFrame) {
        condition.lock()
        precondition(frame.held, "releasing a frame nobody holds")
        frame.held = false
        free.append(frame.index)
        condition.unlock()
    }

    /// Ends `next` once the queue is drained.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
