import VeilMedia

/// A frame's luma sampled on a coarse grid: enough to tell whether the picture changed a lot since the
/// frame the detector last saw (a cut, the camera moved, the light changed), at ~15,000 samples for
/// 1280x720.
struct Thumbnail {
    static let step = 8
    private(set) var samples: [UInt8] = []

    /// Samples `picture` into the existing storage (allocated once per size).
    mutating func sample(_ picture: Picture) {
        let columns = picture.width / Self.step, rows = picture.height / Self.step
        if samples.count != columns * rows { samples = [UInt8](repeating: 0, count: columns * rows) }
        samples.withUnsafeMutableBufferPointer { out in
            for row in 0..<rows {
                let line = picture.y.row(row * Self.step)
                for column in 0..<columns { out[row * columns + column] = line[column * Self.step] }
            }
        }
    }

    /// Mean absolute difference of the samples, 0...255; nil when either is empty or their sizes differ.
    func meanDifference(from other: Thumbnail) -> Double? {
        guard !samples.isEmpty, samples.count == other.samples.count else { return nil }
        var total = 0
        for i in samples.indices { total += abs(Int(samples[i]) - Int(other.samples[i])) }
        return Double(total) / Double(samples.count)
    }
}
