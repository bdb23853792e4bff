import Foundation

/// A bounded FIFO between threads, with what happens when it is full said where it is made (ustreamer's
/// us_ring is the model): an offline stage waits for room, so memory stays bounded and nothing is lost;
/// a live one never waits, and what does not fit is dropped and counted. The element belongs to whoever
/// pushed it until it is popped, then to whoever popped it.
// @unchecked: every field is read and written under `condition`.
public final class SlotQueue<Element>: @unchecked Sendable {
    public enum WhenFull: Sendable {
        /// The producer waits for room (the file pipeline: a slow stage holds the others back).
        case wait
        /// The new element is dropped and counted (live: the producer never waits).
        case drop
        /// Dropped like `.drop`, and so is every element after it until one `resumes` (an encoded
        /// stream: packets after a lost one are useless to a decoder until the next keyframe).
        case dropUntil(resumes: @Sendable (Element) -> Bool)
    }

    /// What `pop(waitingUntil:)` found.
    public enum Next {
        case element(Element)
        /// Nothing arrived in time.
        case idle
        /// Closed and drained.
        case closed
    }

    private let capacity: Int
    private let whenFull: WhenFull
    private var items: [Element] = []
    private let condition = NSCondition()
    private var closed = false
    private var resuming = false
    private var droppedCount = 0

    public init(capacity: Int, whenFull: WhenFull) {
        precondition(capacity > 0, "a queue holds at least one element")
        self.capacity = capacity
        self.whenFull = whenFull
    }

    /// Elements dropped so far (never with `.wait`); pushes after `close` are refused, not counted.
    public var dropped: Int {
        condition.lock()
        defer { condition.unlock() }
        return droppedCount
    }

    /// Queues `element`, or drops it per the policy; returns whether it was queued.
    @discardableResult
    public func push(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if case .wait = whenFull {
            while items.count >= capacity && !closed { condition.wait() }
        }
        guard !closed else { return false }
        if case let .dropUntil(resumes) = whenFull, resuming {
            guard resumes(element) else {
                droppedCount += 1
                return false
            }
            resuming = false
        }
        guard items.count < capacity else {
            droppedCount += 1
            if case .dropUntil = whenFull { resuming = true }
            return false
        }
        items.append(element)
        condition.broadcast()
        return true
    }

    /// The oldest element, waiting for one; nil once closed and drained.
    public func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        return take()
    }

    /// The oldest element if there is one now, else nil: never waits.
    public func popIfAny() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        return take()
    }

    /// The oldest element, waiting until the clock reads `deadline` at most.
    public func pop(waitingUntil deadline: UInt64) -> Next {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed {
            if !condition.wait(untilClockReads: deadline) { break }
        }
        if let element = take() { return .element(element) }
        return closed ? .closed : .idle
    }

    /// Pushes fail from now on (a waiting producer is released); pops drain what is queued, then end.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func take() -> Element? {
        guard !items.isEmpty else { return nil }
        condition.broadcast()
        return items.removeFirst()
    }
}
