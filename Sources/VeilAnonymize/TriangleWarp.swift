import VeilMedia
import VeilCore

/// Piecewise-affine warping: each triangle of the target face is filled by sampling the matching
/// donor triangle through the affine map between them, so the donor's face takes the subject's shape,
/// pose and expression frame by frame.
public enum TriangleWarp {
    /// Fills the target triangle (corners in the coordinates of `destination`, whose sample (0,0) sits
    /// at `origin` of those coordinates) with bilinear samples of `source` at the affinely matching
    /// positions of the source triangle, and marks every written sample 255 in `coverage`.
    public static func warp(source: Plane, sourceTriangle s: (Point, Point, Point),
                            into destination: Plane, coverage: Plane, origin: Point,
                            targetTriangle t: (Point, Point, Point)) {
        let local = (t.0 - origin, t.1 - origin, t.2 - origin)
        guard let map = AffineTransform(from: local, to: s) else { return }
        rasterize(local, width: destination.width, height: destination.height) { x, y in
            destination[x, y] = bilinear(source, map.apply(Point(Float(x), Float(y))))
            coverage[x, y] = 255
        }
    }

    /// Sets every sample of `plane` inside the triangle (in the plane's own coordinates) to `value`.
    public static func fill(_ triangle: (Point, Point, Point), in plane: Plane, value: UInt8) {
        rasterize(triangle, width: plane.width, height: plane.height) { x, y in plane[x, y] = value }
    }

    /// Calls body(x, y) for every integer sample position inside the triangle, edges included with a
    /// quarter-pixel tolerance, so that triangles sharing an edge leave no crack between them (a sample
    /// written by both gets the same value twice: the two affine maps agree along the shared edge).
    @inline(__always)
    static func rasterize(_ t: (Point, Point, Point), width: Int, height: Int, _ body: (Int, Int) -> Void) {
        let lo = pointwiseMin(pointwiseMin(t.0, t.1), t.2), hi = pointwiseMax(pointwiseMax(t.0, t.1), t.2)
        let x0 = max(0, Int(lo.x.rounded(.down))), x1 = min(width - 1, Int(hi.x.rounded(.up)))
        let y0 = max(0, Int(lo.y.rounded(.down))), y1 = min(height - 1, Int(hi.y.rounded(.up)))
        guard x0 <= x1, y0 <= y1 else { return }
        let area = cross(t.1 - t.0, t.2 - t.0)
        guard abs(area) > 1e-6 else { return }
        let sign: Float = area > 0 ? 1 : -1
        // An edge function is the distance from the edge times the edge's length.
        let tol0 = 0.25 * distance(t.0, t.1), tol1 = 0.25 * distance(t.1, t.2), tol2 = 0.25 * distance(t.2, t.0)
        for y in y0...y1 {
            let py = Float(y)
            for x in x0...x1 {
                let p = Point(Float(x), py)
                let w0 = sign * cross(t.1 - t.0, p - t.0)
                let w1 = sign * cross(t.2 - t.1, p - t.1)
                let w2 = sign * cross(t.0 - t.2, p - t.2)
                if w0 >= -tol0 && w1 >= -tol1 && w2 >= -tol2 { body(x, y) }
            }
        }
    }

    @inline(__always) static func cross(_ a: Point, _ b: Point) -> Float { a.x * b.y - a.y * b.x }

    /// Bilinear sample at p, clamped to the plane's edges.
    @inline(__always) public static func bilinear(_ plane: Plane, _ p: Point) -> UInt8 {
        let maxX = Float(plane.width - 1), maxY = Float(plane.height - 1)
        let x = min(max(p.x, 0), maxX), y = min(max(p.y, 0), maxY)
        let xi = min(Int(x), plane.width - 2 < 0 ? 0 : plane.width - 2)
        let yi = min(Int(y), plane.height - 2 < 0 ? 0 : plane.height - 2)
        let fx = x - Float(xi), fy = y - Float(yi)
        let row0 = plane.row(yi), row1 = plane.row(min(yi + 1, plane.height - 1))
        let x1 = min(xi + 1, plane.width - 1)
        let top = Float(row0[xi]) + (Float(row0[x1]) - Float(row0[xi])) * fx
        let bottom = Float(row1[xi]) + (Float(row1[x1]) - Float(row1[xi])) * fx
        return UInt8(top + (bottom - top) * fy + 0.5)
    }
}
