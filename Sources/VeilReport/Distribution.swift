/// How a figure spread over the faces that measured it.
public struct Distribution: Equatable {
    public let count: Int
    public let mean: Double
    public let min: Double
    public let p50: Double
    public let p95: Double
    public let max: Double

    /// nil when nothing was measured: no figure is better than a made-up zero.
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        count = sorted.count
        mean = sorted.reduce(0, +) / Double(sorted.count)
        min = sorted[0]
        max = sorted[sorted.count - 1]
        p50 = Self.percentile(sorted, 0.50)
        p95 = Self.percentile(sorted, 0.95)
    }

    /// Nearest rank on the rounded index, as the stability log's own summary computes it, so that the
    /// report and the summary record agree on the same faces.
    private static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted[Swift.min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }
}
