import Foundation

/// A bounded FIFO of encoded packets in front of one output's thread. The encode thread never waits
/// on it: when it is full the packet is dropped, and so is every packet up to the next keyframe,
/// which a decoder could not use without the one dropped.
final class PacketQueue {
    enum Next {
        case packet(EncodedPacket)
        /// Nothing arrived in time: a chance for periodic work.
        case idle
        /// Closed and drained.
        case closed
    }

    private var items: [EncodedPacket] = []
    private let capacity: Int
    private let condition = NSCondition()
    private var closed = false
    private var waitingForKeyframe = false
    private var dropped = 0

    init(capacity: Int) { self.capacity = capacity }

    var droppedCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return dropped
    }

    func push(_ packet: EncodedPacket) {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return }
        if items.count >= capacity || (waitingForKeyframe && !packet.isKeyframe) {
            dropped += 1
            waitingForKeyframe = true
            return
        }
        waitingForKeyframe = false
        items.append(packet)
        condition.signal()
    }

    func pop(waitingAtMost seconds: Double) -> Next {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: seconds)
        while items.isEmpty && !closed {
            if !condition.wait(until: deadline) { return items.isEmpty ? .idle : .packet(items.removeFirst()) }
        }
        return items.isEmpty ? .closed : .packet(items.removeFirst())
    }

    /// Pushes are ignored from now on; pops drain what is queued, then report `.closed`.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
