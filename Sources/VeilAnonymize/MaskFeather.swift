import VeilMedia

/// Softens a binary coverage mask into a blend mask whose ramp lies entirely inside the covered area:
/// two box blurs of radius r (close to a Gaussian), then a = clamp(2·blur − 255), which maps the
/// half-covered edge to 0. The swapped face thus fades out before the face outline, never past it.
public enum MaskFeather {
    public static func feather(_ mask: Plane, radius: Int) {
        guard radius > 0, mask.width > 0, mask.height > 0 else { return }
        var line = [Int32](repeating: 0, count: max(mask.width, mask.height))
        for _ in 0..<2 {
            for y in 0..<mask.height { boxBlur(mask.row(y), step: 1, count: mask.width, radius: radius, scratch: &line) }
            for x in 0..<mask.width { boxBlur(mask.base + x, step: mask.stride, count: mask.height, radius: radius, scratch: &line) }
        }
        for y in 0..<mask.height {
            let row = mask.row(y)
            for x in 0..<mask.width { row[x] = UInt8(clamping: 2 * Int(row[x]) - 255) }
        }
    }

    /// Keeps in `mask` the larger of its own and `other`'s value at each sample (same size).
    public static func combineMaximum(_ other: Plane, into mask: Plane) {
        for y in 0..<mask.height {
            let a = mask.row(y), b = other.row(y)
            for x in 0..<mask.width { a[x] = max(a[x], b[x]) }
        }
    }

    /// Keeps in `mask` the smaller of its own and `other`'s value at each sample (same size).
    public static func combineMinimum(_ other: Plane, into mask: Plane) {
        for y in 0..<mask.height {
            let a = mask.row(y), b = other.row(y)
            for x in 0..<mask.width { a[x] = min(a[x], b[x]) }
        }
    }

    /// Halves a luma-resolution mask into a chroma-resolution one (2x2 means).
    public static func downsample(_ mask: Plane, into chroma: Plane) {
        for y in 0..<chroma.height {
            let r0 = mask.row(min(2 * y, mask.height - 1)), r1 = mask.row(min(2 * y + 1, mask.height - 1))
            let out = chroma.row(y)
            for x in 0..<chroma.width {
                let x0 = min(2 * x, mask.width - 1), x1 = min(2 * x + 1, mask.width - 1)
                out[x] = UInt8((Int(r0[x0]) + Int(r0[x1]) + Int(r1[x0]) + Int(r1[x1]) + 2) / 4)
            }
        }
    }

    /// In-place running-sum box blur of `count` samples spaced `step` apart; edges repeat.
    static func boxBlur(_ base: UnsafeMutablePointer<UInt8>, step: Int, count: Int, radius: Int, scratch: inout [Int32]) {
        for i in 0..<count { scratch[i] = Int32(base[i * step]) }
        let window = Int32(2 * radius + 1)
        var sum: Int32 = 0
        for k in -radius...radius { sum += scratch[min(max(k, 0), count - 1)] }
        for i in 0..<count {
            base[i * step] = UInt8((sum + window / 2) / window)
            sum += scratch[min(i + radius + 1, count - 1)] - scratch[max(i - radius, 0)]
        }
    }
}
