import VeilMedia
import VeilCore

/// How far a swapped face's blend reaches. Inside the outline, the donor covers the whole face and
/// fades out just within its edge: the most identity removed. Over the cheeks, the facial features
/// (brows, eyes, nose, mouth) stay the donor's at full strength while the rest fades out slowly from
/// them to the outline: the subject's own jaw and cheeks then move with speech under the donor's
/// features, and the face's landmarks follow its real motion more closely, for some of the identity
/// distance. Which one a face gets is the anonymizer's call (BlendWidening), on measured distances.
public enum BlendReach: Equatable, Sendable {
    case insideOutline
    case overCheeks
}

/// Replaces one face in a picture by a donor's: warps the donor piecewise-affinely onto the target
/// landmarks in each of the Y, U and V planes, matches its colour to the subject, and blends it in
/// through a feathered mask (see BlendReach) that leaves the subject's own mouth interior visible.
public final class FaceSwapper {
    /// The outline of the facial features a wide blend keeps at full strength: the brows, the outer eye
    /// corners, the mouth's corners and lower lip.
    static let featureOutline = Array(FaceShape.rightBrow) + Array(FaceShape.leftBrow) + [45, 54, 55, 56, 57, 58, 59, 48, 36]
    /// A wide blend fades out over a fifth of the face's width. Measured with the judge on the talking
    /// video: a quarter keeps too little identity (min distance 0.591), a sixth too little motion (dyn
    /// NME 0.0155); a fifth gives 0.622 and 0.0146.
    static let cheekFadeDivisor: Float = 5

    private let patch = FacePatch()

    public init() {}

    /// The warp's control points for a face: its 68 landmarks and points over the forehead, raised as
    /// high as the donor's forehead skin reaches.
    public static func controlPoints(of shape: FaceShape, foreheadRaise: Float) -> [Point] {
        shape.points + shape.foreheadPoints(raise: foreheadRaise)
    }

    /// Swaps the face with landmarks `target` for `donor`, blended as far as `reach`. Returns false when
    /// the face lies outside the picture (nothing to do).
    @discardableResult
    public func swap(in picture: Picture, target: FaceShape, donor: Donor, reach: BlendReach = .insideOutline,
                     clock: inout StageClock) -> Bool {
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
            let faceWidth = distance(target[0], target[16])
            let edgeRadius = max(1, Int(faceWidth / 24))
            switch reach {
            case .insideOutline:
                uncoverMouth(target, origin: origin, in: patch.alpha)
                MaskFeather.feather(patch.alpha, radius: edgeRadius)
            case .overCheeks:
                fillFeatures(target, origin: origin)
                MaskFeather.feather(patch.alpha, radius: max(edgeRadius, Int(faceWidth / FaceSwapper.cheekFadeDivisor)))
                MaskFeather.feather(patch.featureAlpha, radius: edgeRadius)
                MaskFeather.combineMaximum(patch.featureAlpha, into: patch.alpha)
                // The mouth is uncovered last, with the narrow blend's edge: a wide feather would fill
                // a small open mouth back in with the donor's.
                patch.featureAlpha.fill(255)
                uncoverMouth(target, origin: origin, in: patch.featureAlpha)
                MaskFeather.feather(patch.featureAlpha, radius: edgeRadius)
                MaskFeather.combineMinimum(patch.featureAlpha, into: patch.alpha)
            }
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
    private func uncoverMouth(_ target: FaceShape, origin: Point, in mask: Plane) {
        guard target.mouthOpening > 0.04 else { return }
        fillPolygon(FaceShape.innerLips.map { target[$0] - origin }, in: mask, value: 0)
    }

    /// The features' mask of a wide blend, within the warped face only (the warp's coverage).
    private func fillFeatures(_ target: FaceShape, origin: Point) {
        patch.featureAlpha.fill(0)
        fillPolygon(FaceSwapper.featureOutline.map { target[$0] - origin }, in: patch.featureAlpha, value: 255)
        MaskFeather.combineMinimum(patch.alpha, into: patch.featureAlpha)
    }

    /// Fills a polygon that is star-shaped about its centroid (a fan of triangles from there).
    private func fillPolygon(_ corners: [Point], in mask: Plane, value: UInt8) {
        let centre = corners.reduce(Point.zero, +) / Float(corners.count)
        for i in corners.indices {
            TriangleWarp.fill((centre, corners[i], corners[(i + 1) % corners.count]), in: mask, value: value)
        }
    }

    private func blend(_ source: Plane, _ alpha: Plane, into destination: Plane) {
        for y in 0..<destination.height {
            AlphaBlend.blend(source: source.row(y), alpha: alpha.row(y), into: destination.row(y), count: destination.width)
        }
    }
}
