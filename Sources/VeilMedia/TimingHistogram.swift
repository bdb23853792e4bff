/// Durations in 0.1 ms bins up to a second (longer ones share the last bin but still set `maximum`):
/// fixed memory however long a camera runs. Frame latencies, encode times, capture-to-packet times.
public struct TimingHistogram: Sendable {
    public static let binWidth = 0.1e-3
    private var bins = [Int](repeating: 0, count: 10_000)
    public private(set) var count = 0
    /// Seconds.
    public private(set) var maximum = 0.0
    public private(set) var total = 0.0

    public init() {}

    public mutating func record(_ seconds: Double) {
        bins[min(bins.count - 1, max(0, Int(seconds / TimingHistogram.binWidth)))] += 1
        count += 1
        total += seconds
        maximum = max(maximum, seconds)
    }

    public var mean: Double { count == 0 ? 0 : total / Double(count) }

    /// How many samples fell in bins that end at or below `seconds` (Prometheus' cumulative buckets).
    public func count(atMost seconds: Double) -> Int {
        let end = min(bins.count, Int((seconds / TimingHistogram.binWidth).rounded()))
        return end > 0 ? bins[0..<end].reduce(0, +) : 0
    }

    /// The upper edge of the bin holding the given fraction of samples, in seconds; 0 when empty.
    public func percentile(_ fraction: Double) -> Double {
        guard count > 0 else { return 0 }
        let rank = max(1, Int((fraction * Double(count)).rounded(.up)))
        var seen = 0
        for (index, n) in bins.enumerated() {
            seen += n
            if seen >= rank { return min(maximum, Double(index + 1) * TimingHistogram.binWidth) }
        }
        return maximum
    }
}
