/// A rotation, uniform scale and translation (as a complex number: q = z·p + t): fixed by where two
/// points go, or fitted to more by least squares. It never mirrors.
public struct Similarity: Sendable {
    public let rotationScale: SIMD2<Float>
    public let translation: Point

    public init(rotationScale: SIMD2<Float>, translation: Point) {
        self.rotationScale = rotationScale
        self.translation = translation
    }

    public init(from p: (Point, Point), to q: (Point, Point)) {
        // As complex numbers: z = (q1 - q0) / (p1 - p0), and q = z (p - p0) + q0.
        let a = p.1 - p.0, b = q.1 - q.0
        let norm = max((a * a).sum(), 1e-6)
        rotationScale = SIMD2((b.x * a.x + b.y * a.y) / norm, (b.y * a.x - b.x * a.y) / norm)
        translation = q.0 - Similarity.multiply(rotationScale, p.0)
    }

    /// The similarity that takes `from` nearest onto `to` (least squares over the pairs); nil when the
    /// `from` points all coincide.
    public init?(fitting from: [Point], onto to: [Point]) {
        let n = Float(from.count)
        let meanFrom = from.reduce(Point(0, 0), +) / n, meanTo = to.reduce(Point(0, 0), +) / n
        var dot: Float = 0, cross: Float = 0, norm: Float = 0
        for (p, q) in zip(from, to) {
            let u = p - meanFrom, v = q - meanTo
            dot += u.x * v.x + u.y * v.y
            cross += u.x * v.y - u.y * v.x
            norm += (u * u).sum()
        }
        guard norm > 1e-9 else { return nil }
        rotationScale = SIMD2(dot / norm, cross / norm)
        translation = meanTo - Similarity.multiply(rotationScale, meanFrom)
    }

    public var scale: Float { (rotationScale * rotationScale).sum().squareRoot() }

    public func apply(_ point: Point) -> Point { Similarity.multiply(rotationScale, point) + translation }

    public var inverse: Similarity {
        let z = rotationScale, norm = (z * z).sum()
        let inverted = SIMD2(z.x / norm, -z.y / norm)
        return Similarity(rotationScale: inverted, translation: -Similarity.multiply(inverted, translation))
    }

    private static func multiply(_ z: SIMD2<Float>, _ p: Point) -> Point { Point(z.x * p.x - z.y * p.y, z.x * p.y + z.y * p.x) }
}
