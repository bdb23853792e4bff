import Foundation
import VeilMedia
import VeilCore

/// A consenting or public-domain face whose appearance replaces the subject's. Its landmarks,
/// triangulation and identity descriptor are computed once, when it is loaded.
public final class Donor {
    public let name: String
    public let picture: Picture
    public let shape: FaceShape
    /// How far above the brows this donor's forehead skin reaches, as a fraction of the eye-to-chin
    /// distance: the swap covers the subject's forehead up to there and no further, so it never pastes
    /// the donor's hair (a fringe would otherwise land on the subject's brow).
    public let foreheadRaise: Float
    /// The 68 landmarks followed by the forehead points: the warp's control points.
    public let controlPoints: [Point]
    public let triangles: [Triangle]
    public let descriptor: FaceDescriptor
    /// The donor's landmarks in its own face coordinates: the static face shape that
    /// `--preserve dynamics` puts in place of the subject's.
    public let faceCoordinates: [Point]

    public init(name: String, picture: Picture, shape: FaceShape, descriptor: FaceDescriptor) {
        self.name = name
        self.picture = picture
        self.shape = shape
        self.descriptor = descriptor
        foreheadRaise = Donor.skinExtentAboveBrows(picture, shape)
        controlPoints = FaceSwapper.controlPoints(of: shape, foreheadRaise: foreheadRaise)
        triangles = Delaunay.triangulate(controlPoints)
        let frame = FaceFrame(shape)
        faceCoordinates = shape.points.map(frame.toFace)
    }

    /// Walks up from each eyebrow point along the face's up axis while the pixels keep the colour of
    /// the skin on the nose bridge, and takes a low percentile over the brow: the forehead height that
    /// is skin on (nearly) every column, less a small margin.
    static func skinExtentAboveBrows(_ picture: Picture, _ shape: FaceShape) -> Float {
        let eyes = (shape.rightEyeCentre + shape.leftEyeCentre) / 2
        let upVector = eyes - shape[8]
        let length = (upVector * upVector).sum().squareRoot()
        guard length > 8 else { return FaceShape.defaultForeheadRaise }
        let up = upVector / length
        func sample(_ p: Point) -> SIMD3<Float>? {
            let x = Int(p.x), y = Int(p.y)
            guard x >= 0, y >= 0, x < picture.width, y < picture.height else { return nil }
            return SIMD3(Float(picture.y[x, y]), Float(picture.u[x / 2, y / 2]), Float(picture.v[x / 2, y / 2]))
        }
        var reference = SIMD3<Float>.zero, n: Float = 0
        for k in 0...10 {
            let p = shape[27] + (shape[30] - shape[27]) * (Float(k) / 10)
            if let s = sample(p) { reference += s; n += 1 }
        }
        guard n > 0 else { return FaceShape.defaultForeheadRaise }
        reference /= n
        func isSkin(_ s: SIMD3<Float>) -> Bool {
            abs(s.y - reference.y) < 14 && abs(s.z - reference.z) < 14 && s.x > 0.5 * reference.x
        }
        var extents: [Float] = []
        for i in (FaceShape.rightBrow.lowerBound)...(FaceShape.leftBrow.upperBound) {
            var step = 1, seenSkin = false, top: Float = 0
            let limit = Int(0.45 * length)
            while step <= limit, let s = sample(shape[i] + up * Float(step)) {
                if isSkin(s) { seenSkin = true; top = Float(step) } else if seenSkin { break }
                step += 1
            }
            extents.append(top / length)
        }
        let low = extents.sorted()[2]
        return min(max(low - 0.03, 0.06), FaceShape.defaultForeheadRaise)
    }
}
