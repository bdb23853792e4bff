import Glibc

// The geometry of faces every layer reads: points, boxes, detections and landmark sets, with the
// distances measured between them.

/// A point in picture coordinates (luma pixels).
public typealias Point = SIMD2<Float>

/// The 68 landmarks of one face in dlib's (iBUG 300-W) order, with the geometry the rest of Veil reads
/// off them.
public struct FaceShape: Equatable, Sendable {
    public var points: [Point]

    public init(points: [Point]) {
        precondition(points.count == FaceShape.count, "a face shape has \(FaceShape.count) points")
        self.points = points
    }

    public static let count = 68
    public static let jaw = 0...16
    public static let rightBrow = 17...21
    public static let leftBrow = 22...26
    public static let nose = 27...35
    public static let rightEye = 36...41
    public static let leftEye = 42...47
    public static let outerLips = 48...59
    public static let innerLips = 60...67
    /// Outer corners of the eyes: the inter-ocular distance used for normalised errors.
    public static let outerEyeCorners = (36, 45)

    public subscript(i: Int) -> Point { points[i] }

    public var rightEyeCentre: Point { mean(FaceShape.rightEye) }
    public var leftEyeCentre: Point { mean(FaceShape.leftEye) }

    /// Distance between the outer eye corners: the unit of every landmark error Veil reports.
    public var interOcularDistance: Float {
        let (a, b) = FaceShape.outerEyeCorners
        return distance(points[a], points[b])
    }

    public var centroid: Point { mean(0..<FaceShape.count) }

    /// Axis-aligned bounding box of the points: (min, max).
    public var bounds: (min: Point, max: Point) {
        var lo = points[0], hi = points[0]
        for p in points { lo = pointwiseMin(lo, p); hi = pointwiseMax(hi, p) }
        return (lo, hi)
    }

    /// The highest forehead raise: about where the hairline is on a face without a fringe.
    public static let defaultForeheadRaise: Float = 0.32

    /// Points over the forehead, one above each eyebrow point, raised along the face's own up axis (so
    /// they follow head roll) by a fraction of the eye-to-chin distance. Low enough to stay under the
    /// hairline of most faces: the swap covers the forehead but never pastes a donor's hair.
    public func foreheadPoints(raise: Float = FaceShape.defaultForeheadRaise) -> [Point] {
        let eyes = (rightEyeCentre + leftEyeCentre) / 2
        let upVector = eyes - points[8]
        let length = (upVector * upVector).sum().squareRoot()
        guard length > 0 else { return Array(points[17...26]) }
        let up = upVector / length
        return (17...26).map { points[$0] + up * (raise * length) }
    }

    /// Mean of the x distances from the nose tip to the two jaw ends, as a ratio (near or far side over
    /// the other): 1 for a frontal face, growing as the head turns. Landmarks of a face turned far
    /// away are unreliable.
    public var yawRatio: Float {
        let toRight = abs(points[30].x - points[0].x), toLeft = abs(points[16].x - points[30].x)
        return max(toRight, toLeft) / max(min(toRight, toLeft), 1)
    }

    /// How far apart the inner lips are, relative to the inter-ocular distance: 0 when the mouth is shut.
    public var mouthOpening: Float {
        let gap = (distance(points[61], points[67]) + distance(points[62], points[66]) + distance(points[63], points[65])) / 3
        return gap / max(interOcularDistance, 1)
    }

    private func mean(_ range: some Sequence<Int>) -> Point {
        var sum = Point.zero, n: Float = 0
        for i in range { sum += points[i]; n += 1 }
        return sum / n
    }
}

@inline(__always) public func distance(_ a: Point, _ b: Point) -> Float {
    let d = a - b
    return (d * d).sum().squareRoot()
}

/// Mean distance between corresponding points, divided by `unit`.
public func normalisedMeanError(_ a: [Point], _ b: [Point], unit: Float) -> Float {
    precondition(a.count == b.count && !a.isEmpty, "point sets differ in size")
    var sum: Float = 0
    for i in a.indices { sum += distance(a[i], b[i]) }
    return sum / Float(a.count) / max(unit, 1e-6)
}

/// COCO-style object keypoint similarity between two point sets, 0 (nothing kept) to 1 (identical):
/// the mean of exp(-d^2 / (2 area k^2)), with `area` the object's box area and one constant `k` for
/// every face point (COCO-WholeBody's face sigmas span 0.007-0.04; the judge uses the same 0.025).
public func objectKeypointSimilarity(_ a: [Point], _ b: [Point], area: Float, k: Float = 0.025) -> Float {
    precondition(a.count == b.count && !a.isEmpty, "point sets differ in size")
    let scale = 2 * max(area, 1) * k * k
    var sum: Float = 0
    for i in a.indices {
        let d = a[i] - b[i]
        sum += exp(-(d * d).sum() / scale)
    }
    return sum / Float(a.count)
}

/// A similarity transform (rotation, uniform scale, translation) that brings a face into its own
/// coordinates: centroid at the origin, the outer eye corners on the x axis one unit apart. Used to
/// compare face shapes regardless of where the head is, how big and how rolled.
public struct FaceFrame: Sendable {
    public let origin: Point
    /// Unit vector along the eye axis, and the inter-ocular distance.
    public let axis: Point
    public let scale: Float

    public init(origin: Point, axis: Point, scale: Float) {
        self.origin = origin
        self.axis = axis
        self.scale = scale
    }

    public init(_ shape: FaceShape) {
        origin = shape.centroid
        let (a, b) = FaceShape.outerEyeCorners
        let eyeAxis = shape[b] - shape[a]
        scale = max(distance(shape[a], shape[b]), 1e-6)
        axis = eyeAxis / scale
    }

    public func toFace(_ p: Point) -> Point {
        let d = (p - origin) / scale
        return Point(d.x * axis.x + d.y * axis.y, -d.x * axis.y + d.y * axis.x)
    }

    public func toPicture(_ q: Point) -> Point {
        let d = Point(q.x * axis.x - q.y * axis.y, q.x * axis.y + q.y * axis.x)
        return origin + d * scale
    }
}

/// One face found by the detector, in full-picture coordinates.
public struct Detection: Sendable {
    public var box: Box
    public var score: Float
    /// Right eye, left eye, nose, right and left mouth corners.
    public var keypoints: [Point]

    public init(box: Box, score: Float, keypoints: [Point]) {
        self.box = box
        self.score = score
        self.keypoints = keypoints
    }
}

extension Detection {
    /// The detector's box height over its width on whole faces, on average (see CVision's shape.cpp).
    public static let heightOverWidth: Float = 1.24

    /// The whole face's box where the picture's edge cut the detector's. The detector clips its box to
    /// the picture, while a face half out of it still has its whole size: a landmark fit from the cut
    /// box squeezes the face into the visible part (its points then disagree with the detector's
    /// keypoints, and the face is covered, not swapped). The cut side is restored from the face's
    /// usual proportions, keeping the uncut edges. A box cut on both axes (a corner, or a face larger
    /// than the picture) or on neither is kept.
    public func wholeFaceBox(pictureWidth: Int, pictureHeight: Int) -> Box {
        let (w, h) = (Float(pictureWidth), Float(pictureHeight))
        let cutLeft = box.min.x <= 1, cutRight = box.max.x >= w - 1
        let cutTop = box.min.y <= 1, cutBottom = box.max.y >= h - 1
        var whole = box
        if (cutLeft != cutRight) && !(cutTop || cutBottom) {
            let width = Swift.max(box.width, box.height / Detection.heightOverWidth)
            if cutLeft { whole.min.x = box.max.x - width } else { whole.max.x = box.min.x + width }
        } else if (cutTop != cutBottom) && !(cutLeft || cutRight) {
            let height = Swift.max(box.height, box.width * Detection.heightOverWidth)
            if cutTop { whole.min.y = box.max.y - height } else { whole.max.y = box.min.y + height }
        }
        return whole
    }
}

/// An axis-aligned box in picture coordinates.
public struct Box: Equatable, Sendable {
    public var min: Point
    public var max: Point

    public init(min: Point, max: Point) { self.min = min; self.max = max }
    public init(x0: Float, y0: Float, x1: Float, y1: Float) { self.init(min: Point(x0, y0), max: Point(x1, y1)) }

    public var width: Float { max.x - min.x }
    public var height: Float { max.y - min.y }
    public var centre: Point { (min + max) / 2 }
    public var area: Float { Swift.max(0, width) * Swift.max(0, height) }

    public func intersectionOverUnion(_ other: Box) -> Float {
        let lo = pointwiseMax(min, other.min), hi = pointwiseMin(max, other.max)
        let inter = Box(min: lo, max: hi)
        let overlap = inter.width > 0 && inter.height > 0 ? inter.area : 0
        return overlap / Swift.max(area + other.area - overlap, 1e-6)
    }

    public func contains(_ point: Point) -> Bool {
        point.x >= min.x && point.x <= max.x && point.y >= min.y && point.y <= max.y
    }

    /// The smallest box holding both.
    public func union(_ other: Box) -> Box {
        Box(min: pointwiseMin(min, other.min), max: pointwiseMax(max, other.max))
    }

    /// The box grown about its centre by factor.
    public func scaled(by factor: Float) -> Box {
        let half = Point(width, height) * (factor / 2)
        return Box(min: centre - half, max: centre + half)
    }

}
