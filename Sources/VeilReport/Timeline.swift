import VeilCore

/// One camera's records (or the whole log's, without cameras) as series over time for the charts.
/// Long runs are averaged into bins so that an hour at 30 fps still makes a page a browser opens.
struct Timeline {
    struct Sample { let time: Double; let value: Double }
    struct HandlingBucket { let start: Double; let faces: [String: Int] }

    static let maxPoints = 1200
    static let maxBars = 240
    private static let bucketWidths: [Double] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600]

    let timeRange: ClosedRange<Double>
    /// Per frame (or per bin of frames) the mean over its faces; a new segment after a gap.
    let nme: [[Sample]]
    let movementNME: [[Sample]]
    let framesPerPoint: Int
    let identityChecks: [StabilityRecord]
    let bucketWidth: Double
    /// From the start of the first bucket to the end of the last.
    let bucketRange: ClosedRange<Double>
    let handling: [HandlingBucket]
    let incidents: [StabilityRecord]

    init(_ records: [StabilityRecord]) {
        let times = records.map(\.time)
        timeRange = (times.min() ?? 0)...(times.max() ?? 0)
        let frames = Set(records.map(\.frame))
        let frameSpan = (frames.max() ?? 0) - (frames.min() ?? 0) + 1
        framesPerPoint = max(1, (frameSpan + Self.maxPoints - 1) / Self.maxPoints)
        nme = Self.series(records, \.nme, framesPerPoint: framesPerPoint)
        movementNME = Self.series(records, \.nmeDynamic, framesPerPoint: framesPerPoint)
        identityChecks = records.filter { $0.identityDistance != nil }
        incidents = records.filter { $0.incident != nil }

        let duration = timeRange.upperBound - timeRange.lowerBound
        let width = Self.bucketWidths.first { duration / $0 < Double(Self.maxBars) } ?? Self.bucketWidths.last!
        bucketWidth = width
        var buckets: [Int: [String: Int]] = [:]
        for record in records { buckets[Int((record.time / width).rounded(.down)), default: [:]][record.handling, default: 0] += 1 }
        handling = buckets.keys.sorted().map { HandlingBucket(start: Double($0) * width, faces: buckets[$0]!) }
        bucketRange = (handling.first?.start ?? 0)...((handling.last?.start ?? 0) + width)
    }

    private static func series(_ records: [StabilityRecord], _ figure: KeyPath<StabilityRecord, Double?>,
                               framesPerPoint: Int) -> [[Sample]] {
        var bins: [Int: (time: Double, value: Double, count: Int)] = [:]
        for record in records {
            guard let value = record[keyPath: figure] else { continue }
            let bin = record.frame / framesPerPoint
            let sum = bins[bin] ?? (0, 0, 0)
            bins[bin] = (sum.time + record.time, sum.value + value, sum.count + 1)
        }
        var segments: [[Sample]] = []
        var previous: Int?
        for bin in bins.keys.sorted() {
            let sum = bins[bin]!
            let sample = Sample(time: sum.time / Double(sum.count), value: sum.value / Double(sum.count))
            if let previous, bin == previous + 1 { segments[segments.count - 1].append(sample) } else { segments.append([sample]) }
            previous = bin
        }
        return segments
    }
}
