import VeilMedia

/// Matches the warped donor's colour and illumination to the subject's: per plane, the donor's samples
/// are shifted and scaled so that their mean and spread under the face mask equal the subject's (a
/// Reinhard-style transfer, done in Y, U and V, which are close to decorrelated for skin). The gain
/// is bounded so a dark or flat patch cannot be stretched into noise.
public struct ColourTransfer {
    public static let gainRange: ClosedRange<Float> = 0.5...2.0

    /// Statistics of the samples of `plane` where `mask` is fully opaque.
    public static func statistics(of plane: Plane, mask: Plane) -> (mean: Float, deviation: Float, count: Int) {
        var sum = 0, sumSquares = 0, count = 0
        for y in 0..<min(plane.height, mask.height) {
            let row = plane.row(y), m = mask.row(y)
            for x in 0..<min(plane.width, mask.width) where m[x] == 255 {
                let value = Int(row[x])
                sum += value
                sumSquares += value * value
                count += 1
            }
        }
        guard count > 0 else { return (0, 0, 0) }
        let mean = Float(sum) / Float(count)
        let variance = max(0, Float(sumSquares) / Float(count) - mean * mean)
        return (mean, variance.squareRoot(), count)
    }

    /// A 256-entry table that maps donor samples with (mean, deviation) `from` onto `to`.
    public static func table(from: (mean: Float, deviation: Float), to: (mean: Float, deviation: Float)) -> [UInt8] {
        let gain = from.deviation > 0.5 ? min(max(to.deviation / from.deviation, gainRange.lowerBound), gainRange.upperBound) : 1
        return (0..<256).map { value in
            let mapped = (Float(value) - from.mean) * gain + to.mean
            return UInt8(min(max(mapped.rounded(), 0), 255))
        }
    }

    /// Rewrites `donor` so its statistics under `mask` match those of `subject` under the same mask.
    public static func apply(donor: Plane, subject: Plane, mask: Plane) {
        let d = statistics(of: donor, mask: mask), s = statistics(of: subject, mask: mask)
        guard d.count > 0, s.count > 0 else { return }
        let lookup = table(from: (d.mean, d.deviation), to: (s.mean, s.deviation))
        lookup.withUnsafeBufferPointer { lut in
            for y in 0..<donor.height {
                let row = donor.row(y)
                for x in 0..<donor.width { row[x] = lut[Int(row[x])] }
            }
        }
    }
}
