import Prometheus

/// One camera's `veil_latency_seconds` histogram. The pipeline keeps its own cumulative counts, while
/// a swift-prometheus histogram only takes single observations; so each scrape records the frames that
/// arrived in each bucket since the previous scrape, each at its bucket's midpoint (those past the last
/// bound at the camera's maximum). Bucket counts and `_count` are therefore exact and `_sum` is an
/// estimate, off by at most half a bucket width per frame. The work is one `record` per new frame:
/// about 450 per camera for a 15 s scrape interval at 30 fps.
final class LatencySeries {
    private let registry: PrometheusCollectorRegistry
    private let labels: [(String, String)]
    private var histogram: ValueHistogram
    /// Cumulative counts already recorded, one per bound and then the total.
    private var recorded: [Int]

    private static let bounds = CameraStatus.latencyBucketBounds

    init(registry: PrometheusCollectorRegistry, labels: [(String, String)]) {
        self.registry = registry
        self.labels = labels
        histogram = LatencySeries.makeHistogram(registry, labels)
        recorded = Array(repeating: 0, count: LatencySeries.bounds.count + 1)
    }

    func follow(buckets: [(upperBound: Double, count: Int)], maximum: Double) {
        let counts = LatencySeries.cumulative(buckets)
        if zip(counts, recorded).contains(where: { $0 < $1 }) {
            // Fewer frames than already recorded: the pipeline started over, so does the histogram.
            registry.unregisterValueHistogram(histogram)
            histogram = LatencySeries.makeHistogram(registry, labels)
            recorded = Array(repeating: 0, count: recorded.count)
        }
        let bounds = LatencySeries.bounds
        var previousGrowth = 0
        for index in counts.indices {
            let growth = counts[index] - recorded[index]
            let value: Double
            if index < bounds.count {
                value = ((index == 0 ? 0 : bounds[index - 1]) + bounds[index]) / 2
            } else {
                value = max(maximum, bounds[bounds.count - 1].nextUp)
            }
            for _ in 0..<max(0, growth - previousGrowth) {
                histogram.record(value)
            }
            previousGrowth = max(previousGrowth, growth)
        }
        recorded = counts
    }

    /// The counts at this histogram's bounds, then the total. A bound the source does not have takes
    /// the count of the nearest source bound below it (frames between them count as slower).
    static func cumulative(_ buckets: [(upperBound: Double, count: Int)]) -> [Int] {
        let finite = buckets.filter { $0.upperBound.isFinite }
        var counts = bounds.map { bound in
            finite.last(where: { $0.upperBound <= bound + 1e-12 })?.count ?? 0
        }
        let total = buckets.first(where: { $0.upperBound == .infinity })?.count ?? buckets.last?.count ?? 0
        counts.append(total)
        // Cumulative counts never fall from one bucket to the next; enforce it against a bad source.
        for index in counts.indices.dropFirst() {
            counts[index] = max(counts[index], counts[index - 1])
        }
        return counts
    }

    private static func makeHistogram(_ registry: PrometheusCollectorRegistry, _ labels: [(String, String)]) -> ValueHistogram {
        registry.makeValueHistogram(descriptor: MetricFamily.latency.descriptor, labels: labels, buckets: bounds)
    }
}
