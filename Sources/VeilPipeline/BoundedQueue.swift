import Foundation

/// A blocking FIFO of bounded size between two threads of the file pipeline (decode → anonymize →
/// encode). Offline processing may wait: a full queue holds the producer back, so memory stays bounded
/// and nothing is dropped. (Live capture never blocks; it has its own ring.)
// @unchecked: every access is under `condition`; an element belongs to whoever pushed it until it is
// popped, then to whoever popped it.
final class BoundedQueue<Element>: @unchecked Sendable {
    private var items: [Element] = []
    private let capacity: Int
    private let condition = NSCondition()
    private var closed = false

    init(capacity: Int) { self.capacity = capacity }

    /// Adds an element, waiting while the queue is full. Returns false if the queue was closed.
    @discardableResult
    func push(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !closed { condition.wait() }
        guard !closed else { return false }
        items.append(element)
        condition.broadcast()
        return true
    }

    /// Takes the oldest element, waiting while the queue is empty; nil once closed and drained.
    func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        guard !items.isEmpty else { return nil }
        condition.broadcast()
        return items.removeFirst()
    }

    /// Wakes every waiter; pushes fail from now on, pops drain what is left.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
