/// Keypoint stability and identity figures summed over a span of time: what a rolling window, or a
/// whole run, reports. Sums rather than lists, so that a daemon running for months holds a fixed size.
public struct StabilityFigures: Equatable {
    /// Faces seen, and those whose keypoints were measured again on the output.
    public var faces = 0
    public var measuredFaces = 0
    public var nmeSum = 0.0
    public var nmeDynamicSum = 0.0
    public var oksSum = 0.0
    /// Faces measured on two frames in a row: jitter sums.
    public var jitterFaces = 0
    public var jitterInputSum = 0.0
    public var jitterOutputSum = 0.0
    public var identityChecks = 0
    /// Checks whose distance was at or above the identity margin.
    public var identityPassed = 0
    public var identityDistanceMin: Double?
    public var incidents = 0
    /// Faces covered as the fallback, and faces shown for consent.
    public var covered = 0
    public var consented = 0

    public init() {}

    public mutating func add(_ record: FaceRecord, margin: Float) {
        faces += 1
        if record.handling == .covered { covered += 1 }
        if record.handling == .consented { consented += 1 }
        if let error = record.error, let dynamic = record.dynamicError, let oks = record.oks {
            measuredFaces += 1
            nmeSum += Double(error)
            nmeDynamicSum += Double(dynamic)
            oksSum += Double(oks)
        }
        if let input = record.jitterInput, let output = record.jitterOutput {
            jitterFaces += 1
            jitterInputSum += Double(input)
            jitterOutputSum += Double(output)
        }
        if let distance = record.identityDistance {
            identityChecks += 1
            if distance >= margin { identityPassed += 1 }
            identityDistanceMin = min(identityDistanceMin ?? Double(distance), Double(distance))
        }
        if record.incident != nil { incidents += 1 }
    }

    public mutating func merge(_ other: StabilityFigures) {
        faces += other.faces
        measuredFaces += other.measuredFaces
        nmeSum += other.nmeSum
        nmeDynamicSum += other.nmeDynamicSum
        oksSum += other.oksSum
        jitterFaces += other.jitterFaces
        jitterInputSum += other.jitterInputSum
        jitterOutputSum += other.jitterOutputSum
        identityChecks += other.identityChecks
        identityPassed += other.identityPassed
        if let d = other.identityDistanceMin { identityDistanceMin = min(identityDistanceMin ?? d, d) }
        incidents += other.incidents
        covered += other.covered
        consented += other.consented
    }

    // Means: nil when nothing was measured, rather than a made-up zero.
    public var nme: Double? { mean(nmeSum, measuredFaces) }
    public var nmeDynamic: Double? { mean(nmeDynamicSum, measuredFaces) }
    public var oks: Double? { mean(oksSum, measuredFaces) }
    public var jitterInput: Double? { mean(jitterInputSum, jitterFaces) }
    public var jitterOutput: Double? { mean(jitterOutputSum, jitterFaces) }
    public var identityPassRatio: Double? { identityChecks > 0 ? Double(identityPassed) / Double(identityChecks) : nil }

    private func mean(_ sum: Double, _ count: Int) -> Double? { count > 0 ? sum / Double(count) : nil }
}

/// Figures per second of a camera's run, kept for the last minute: the rolling 1 s and 60 s windows,
/// plus the whole run. A window covers whole seconds that have ended, so a 1 s window is never a
/// fraction of a second that has just begun.
public struct StabilityWindows {
    /// The longest window, in seconds.
    public static let longest = 60
    private var buckets = [(second: Int, figures: StabilityFigures)](repeating: (Int.min, StabilityFigures()), count: longest + 1)
    public private(set) var whole = StabilityFigures()

    public init() {}

    /// Adds one frame's faces, at `time` seconds since the camera started.
    public mutating func add(_ records: [FaceRecord], at time: Double, margin: Float) {
        let second = Int(time.rounded(.down))
        let slot = second % buckets.count
        if buckets[slot].second != second { buckets[slot] = (second, StabilityFigures()) }
        for record in records {
            buckets[slot].figures.add(record, margin: margin)
            whole.add(record, margin: margin)
        }
    }

    /// The figures of the `seconds` whole seconds before the one under way at `time`.
    public func last(_ seconds: Int, at time: Double) -> StabilityFigures {
        precondition(seconds >= 1 && seconds <= StabilityWindows.longest, "windows span 1 to \(StabilityWindows.longest) s")
        let current = Int(time.rounded(.down))
        var sum = StabilityFigures()
        for bucket in buckets where bucket.second < current && bucket.second >= current - seconds {
            sum.merge(bucket.figures)
        }
        return sum
    }
}
