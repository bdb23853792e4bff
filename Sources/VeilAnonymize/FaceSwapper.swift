import VeilMedia
import VeilCore

/// Replaces one face in a picture by a donor's: warps the donor piecewise-affinely onto the target
/// landmarks in each of the Y, U and V planes, matches its colour to the subject, and blends it in
/// through a feathered mask that leaves the subject's own mouth interior visible.
public final class FaceSwapper {
    private let patch = FacePatch()

    public init() {}

    /// The warp's control points for a face: its 68 landmarks and points over the forehead, raised as
    /// high as the donor's forehead skin reaches.
    public static func controlPoints(of shape: FaceShape, foreheadRaise: Float) -> [Point] {
        shape.points + shape.foreheadPoints(raise: foreheadRaise)
    }

    /// Swaps the face with landmarks `target` for `donor`. Returns false when the face lies outside the
    /// picture (nothing to do).
    @discardableResult
    public func swap(in picture: Picture, target: FaceShape, donor: Donor, clock: inout StageClock) -> Bool {
        let points = FaceSwapper.controlPoints(of: target, foreheadRaise: donor.foreheadRaise)
        var lo = points[0], hi = points[0]
        for p in points { lo = pointwiseMin(lo, p); hi = pointwiseMax(hi, p) }
        guard patch.place(over: Box(min: lo - 2, max: hi + 2), in: picture) else { return false }
        let origin = Point(Float(patch.left), Float(patch.top))
        let donorPoints = donor.controlPoints

        clock.time("warp") {
            for t in donor.triangles {
                let target = (points[t.a], points[t.b], points[t.c])
                let source = (donorPoints[t.a], donorPoints[t.b], donorPoints[t.c])
                TriangleWarp.warp(source: donor.picture.y, sourceTriangle: source, into: patch.y,
                                  coverage: patch.alpha, origin: origin, targetTriangle: target)
                let half: (Point, Point, Point) = (target.0 / 2, target.1 / 2, target.2 / 2)
                let sourceHalf: (Point, Point, Point) = (source.0 / 2, source.1 / 2, source.2 / 2)
                for (from, to) in [(donor.picture.u, patch.u), (donor.picture.v, patch.v)] {
                    TriangleWarp.warp(source: from, sourceTriangle: sourceHalf, into: to, coverage: patch.chromaAlpha,
                                      origin: origin / 2, targetTriangle: half)
                }
            }
        }
        clock.time("blend") {
            uncoverMouth(target, origin: origin)
            let faceWidth = distance(target[0], target[16])
            MaskFeather.feather(patch.alpha, radius: max(1, Int(faceWidth / 24)))
            MaskFeather.downsample(patch.alpha, into: patch.chromaAlpha)
            ColourTransfer.apply(donor: patch.y, subject: patch.region(of: picture.y, chroma: false), mask: patch.alpha)
            ColourTransfer.apply(donor: patch.u, subject: patch.region(of: picture.u, chroma: true), mask: patch.chromaAlpha)
            ColourTransfer.apply(donor: patch.v, subject: patch.region(of: picture.v, chroma: true), mask: patch.chromaAlpha)
            blend(patch.y, patch.alpha, into: patch.region(of: picture.y, chroma: false))
            blend(patch.u, patch.chromaAlpha, into: patch.region(of: picture.u, chroma: true))
            blend(patch.v, patch.chromaAlpha, into: patch.region(of: picture.v, chroma: true))
        }
        return true
    }

    /// When the mouth is open the subject's own mouth interior (teeth, tongue) shows through: the
    /// donor's would be a still picture of a closed or differently opened mouth.
    private func uncoverMouth(_ target: FaceShape, origin: Point) {
        guard target.mouthOpening > 0.04 else { return }
        let lips = FaceShape.innerLips.map { target[$0] - origin }
        let centre = lips.reduce(Point.zero, +) / Float(lips.count)
        for i in lips.indices {
            TriangleWarp.fill((centre, lips[i], lips[(i + 1) % lips.count]), in: patch.alpha, value: 0)
        }
    }

    private func blend(_ source: Plane, _ alpha: Plane, into destination: Plane) {
        for y in 0..<destination.height {
            AlphaBlend.blend(source: source.row(y), alpha: alpha.row(y), into: destination.row(y), count: destination.width)
        }
    }
}
