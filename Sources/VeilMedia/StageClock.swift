import Foundation
import VeilCore

/// Accumulates wall time per named stage (decode, detect, landmarks, warp, blend, encode…), for the
/// benchmark's per-stage figures. Not thread-safe: one per thread, merged at the end.
public struct StageClock: Sendable {
    public private(set) var seconds: [String: Double] = [:]
    public private(set) var counts: [String: Int] = [:]

    public init() {}

    public mutating func time<T>(_ stage: String, _ body: () throws -> T) rethrows -> T {
        let start = MonotonicClock.now()
        defer { add(stage, MonotonicClock.seconds(since: start)) }
        return try body()
    }

    public mutating func add(_ stage: String, _ elapsed: Double) {
        seconds[stage, default: 0] += elapsed
        counts[stage, default: 0] += 1
    }

    public mutating func merge(_ other: StageClock) {
        for (stage, s) in other.seconds { seconds[stage, default: 0] += s }
        for (stage, n) in other.counts { counts[stage, default: 0] += n }
    }
}
