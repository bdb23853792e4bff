import VeilCore

/// A triangle as three indices into a point list.
public struct Triangle: Equatable, Hashable {
    public var a: Int, b: Int, c: Int
    public init(_ a: Int, _ b: Int, _ c: Int) { self.a = a; self.b = b; self.c = c }
}

/// Delaunay triangulation by Bowyer–Watson: insert points one by one into a super-triangle, removing
/// the triangles whose circumcircle holds the new point and re-fanning the hole. O(n²) is plenty for
/// the ~80 points of a face, computed once per donor.
public enum Delaunay {
    public static func triangulate(_ points: [Point]) -> [Triangle] {
        guard points.count >= 3 else { return [] }
        var lo = points[0], hi = points[0]
        for p in points { lo = pointwiseMin(lo, p); hi = pointwiseMax(hi, p) }
        // The super-triangle must be far larger than the points: with a near one, circumcircles through
        // its corners cut the convex hull and hull triangles go missing. Doubles keep the predicates
        // exact enough at this scale.
        let span = Double(max(hi.x - lo.x, hi.y - lo.y, 1)) * 1e4
        let mid = SIMD2<Double>((lo + hi) / 2)
        var all = points.map { SIMD2<Double>($0) }
        let n = points.count
        all.append(mid + SIMD2(-span, -span))
        all.append(mid + SIMD2(span, -span))
        all.append(mid + SIMD2(0, span))
        var triangles = [Triangle(n, n + 1, n + 2)]

        for i in 0..<n {
            let p = all[i]
            var edges: [Edge: Int] = [:]
            triangles.removeAll { t in
                guard inCircumcircle(p, all[t.a], all[t.b], all[t.c]) else { return false }
                for e in [Edge(t.a, t.b), Edge(t.b, t.c), Edge(t.c, t.a)] { edges[e, default: 0] += 1 }
                return true
            }
            // Edges shared by two removed triangles are inside the hole; the rest bound it. In a fixed
            // order, not the dictionary's (seeded anew in every process): where points lie on one circle
            // (a rectangle's corners) the order decides the split, and the same points must always give
            // the same triangles.
            let boundary = edges.filter { $0.value == 1 }.keys.sorted { ($0.u, $0.v) < ($1.u, $1.v) }
            for e in boundary { triangles.append(Triangle(e.u, e.v, i)) }
        }
        return triangles.filter { $0.a < n && $0.b < n && $0.c < n }.map { oriented($0, points) }
    }

    /// Orders a triangle's corners counter-clockwise in picture coordinates (y down), for a stable winding.
    private static func oriented(_ t: Triangle, _ points: [Point]) -> Triangle {
        let ab = points[t.b] - points[t.a], ac = points[t.c] - points[t.a]
        return ab.x * ac.y - ab.y * ac.x < 0 ? Triangle(t.a, t.c, t.b) : t
    }

    private struct Edge: Hashable {
        let u: Int, v: Int
        init(_ a: Int, _ b: Int) { u = min(a, b); v = max(a, b) }
    }

    private static func inCircumcircle(_ p: SIMD2<Double>, _ a: SIMD2<Double>, _ b: SIMD2<Double>, _ c: SIMD2<Double>) -> Bool {
        let ad = a - p, bd = b - p, cd = c - p
        let det = (ad.x * ad.x + ad.y * ad.y) * (bd.x * cd.y - cd.x * bd.y)
            - (bd.x * bd.x + bd.y * bd.y) * (ad.x * cd.y - cd.x * ad.y)
            + (cd.x * cd.x + cd.y * cd.y) * (ad.x * bd.y - bd.x * ad.y)
        let orientation = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
        return orientation > 0 ? det > 0 : det < 0
    }
}
