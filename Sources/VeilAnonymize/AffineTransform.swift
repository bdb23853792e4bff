import VeilCore

/// A 2-D affine map x' = m·x + t.
public struct AffineTransform: Equatable {
    public var a: Float, b: Float, c: Float   // x' = a x + b y + c
    public var d: Float, e: Float, f: Float   // y' = d x + e y + f

    public init(a: Float, b: Float, c: Float, d: Float, e: Float, f: Float) {
        self.a = a; self.b = b; self.c = c; self.d = d; self.e = e; self.f = f
    }

    /// The affine map that takes the three `from` corners onto the three `to` corners; nil when the
    /// `from` triangle is degenerate.
    public init?(from p: (Point, Point, Point), to q: (Point, Point, Point)) {
        let u = p.1 - p.0, v = p.2 - p.0
        let det = u.x * v.y - v.x * u.y
        guard abs(det) > 1e-6 else { return nil }
        let du = q.1 - q.0, dv = q.2 - q.0
        // Solve [u v]ᵀ-columns: M·u = du, M·v = dv.
        a = (du.x * v.y - dv.x * u.y) / det
        b = (dv.x * u.x - du.x * v.x) / det
        d = (du.y * v.y - dv.y * u.y) / det
        e = (dv.y * u.x - du.y * v.x) / det
        c = q.0.x - a * p.0.x - b * p.0.y
        f = q.0.y - d * p.0.x - e * p.0.y
    }

    @inline(__always) public func apply(_ p: Point) -> Point {
        Point(a * p.x + b * p.y + c, d * p.x + e * p.y + f)
    }
}
