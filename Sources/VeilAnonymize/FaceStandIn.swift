import Foundation
import VeilCore

/// What a covered face shows in swap mode: over the cover (nothing of the person's face is left in its
/// rectangle), a donor's face turned and placed to the detector's five keypoints. Body-pose detectors
/// use the face, and a clinician still sees where the person looks; a blank cover loses both. It is
/// drawn only where the keypoints make a plausible face; otherwise the cover stays as it is.
public enum FaceStandIn {
    /// The largest turn tried, each way (radians): the 60° of yaw a turned face is swapped up to.
    static let largestYaw: Float = 60 * .pi / 180
    static let yawStep: Float = 3 * .pi / 180

    /// The donor's landmarks turned about the vertical axis and moved onto the detector's keypoints
    /// (right eye, left eye, nose tip, right and left mouth corners, as `Detection.keypoints`): the turn
    /// and the similarity (scale, roll, shift) that fit them best. Nil where no fit makes a plausible
    /// face: one less than half or more than one and a half times `box`'s width, or keypoints that no
    /// turn of a face fits (off by more than a fifth of the eye distance on average).
    public static func shape(of donor: Donor, placedAt keypoints: [Point], box: Box) -> FaceShape? {
        guard keypoints.count == 5 else { return nil }
        let face = donor.faceCoordinates
        var best: (residual: Float, map: Similarity, turned: [Point])?
        var yaw = -largestYaw
        while yaw <= largestYaw + 1e-4 {
            let turned = turn(face, by: yaw)
            let anchors = [mean(turned, FaceShape.rightEye), mean(turned, FaceShape.leftEye), turned[30], turned[48], turned[54]]
            if let map = Similarity(fitting: anchors, onto: keypoints) {
                let residual = zip(anchors, keypoints).map { distance(map.apply($0), $1) }.reduce(0, +) / 5
                if residual < best?.residual ?? .infinity { best = (residual, map, turned) }
            }
            yaw += yawStep
        }
        guard let best else { return nil }
        let placed = FaceShape(points: best.turned.map(best.map.apply))
        let eyes = distance(keypoints[0], keypoints[1])
        let width = best.map.scale * (face[16].x - face[0].x)
        guard best.residual <= 0.2 * max(eyes, box.width / 4), width >= 0.5 * box.width, width <= 1.5 * box.width else { return nil }
        return placed
    }

    /// The face's landmarks (face coordinates: x along the eyes, y down) turned by `yaw` about a
    /// vertical axis, as a camera in front sees them: the face taken as a cylinder through its jaw's
    /// ends, the nose standing out of it. Points turned out of sight stay on the silhouette, so that
    /// no triangle folds over.
    static func turn(_ face: [Point], by yaw: Float) -> [Point] {
        let centre = (face[0].x + face[16].x) / 2, radius = max((face[16].x - face[0].x) / 2, 1e-3)
        let c = cos(yaw), s = sin(yaw)
        return face.indices.map { i in
            let x = max(-radius, min(radius, face[i].x - centre))
            let depth = (radius * radius - x * x).squareRoot()
            let z = depth + radius * (noseRelief[i] ?? 0)
            // Facing away once the cylinder's normal (x, depth) turns past the line of sight.
            if -x * s + depth * c < 0 { return Point(centre + (s > 0 ? radius : -radius), face[i].y) }
            return Point(centre + x * c + z * s, face[i].y)
        }
    }

    /// How far the nose stands out of the cylinder, as a share of its radius: most at the tip (30),
    /// less up the bridge (27-29) and at the nostrils (31-35).
    static let noseRelief: [Int: Float] = [27: 0.04, 28: 0.08, 29: 0.12, 30: 0.18, 31: 0.06, 32: 0.08, 33: 0.1, 34: 0.08, 35: 0.06]

    private static func mean(_ points: [Point], _ range: ClosedRange<Int>) -> Point {
        range.map { points[$0] }.reduce(Point(0, 0), +) / Float(range.count)
    }
}
