import Foundation
import VeilCore

/// Smooths a face's landmarks over time, the head's pose and each part of the face apart. A shape is
/// split into where the head is (position, size and roll: a `FaceFrame`) and the points in the face's
/// own coordinates (expression, blinks, speech); each is filtered by a One Euro filter (Casiez et
/// al., CHI 2012), a low-pass whose cutoff rises with speed, and the two are put back together.
/// The pose gets the strongest smoothing, since the predictor's jitter moves the whole shape; the
/// eyes and lips almost none, since blinks and speech change within two or three frames and any lag
/// there is lost expression; the jaw line, the predictor's least certain points, more. Speeds are in
/// inter-ocular distances per second, so that near and far faces are treated alike.
///
/// On real talking video (carphone, 720p; an independent face mesh read on the swapped output, with
/// the predictor's mirrored mean) one filter over all points (2 Hz, gain 6, speeds at 1 Hz) left a
/// movement error of 0.024 inter-ocular distances and no smoothing at all 0.0198: the car shakes the
/// head, and lag cost more than jitter. Smoothing the face's parts (jaw 4 Hz, eyes and lips 8 Hz)
/// cost nothing measurable; the pose's cutoff costs most, so it opens fast with speed: 0.0209, while
/// a still face's jitter is about halved (`LandmarkSmootherTests`). A low cutoff would also smooth
/// away a tremor, which a movement-disorder exam is filmed to show.
public struct LandmarkSmoother: Sendable {
    /// One Euro settings: the cutoff (Hz) when still, and how fast it grows with speed.
    public struct Response: Sendable {
        public var minCutoff: Float
        public var speedGain: Float
    }

    /// Where the head is: its jitter is most of what a still face shows.
    public static let pose = Response(minCutoff: 1.5, speedGain: 20)
    /// Each point in face coordinates, by part.
    public static func response(point: Int) -> Response {
        switch point {
        case FaceShape.jaw: return Response(minCutoff: 4, speedGain: 6)
        case FaceShape.rightBrow, FaceShape.leftBrow, FaceShape.nose: return Response(minCutoff: 6, speedGain: 8)
        default: return Response(minCutoff: 8, speedGain: 10)  // eyes, lips
        }
    }
    /// Cutoff (Hz) of the speed estimate that raises each cutoff: high enough that a blink's onset
    /// opens the filter within a frame or two, low enough that jitter alone does not.
    static let speedCutoff: Float = 2

    /// The points expressions move least (the nose and the eye corners): the pose's position is their
    /// centre, so that an open mouth or a raised brow is not taken for the head moving.
    static let steadyPoints = [27, 28, 29, 30, 31, 33, 35, 36, 39, 42, 45]

    private var pose = OneEuro(count: 4)
    private var local = OneEuro(count: FaceShape.count * 2)
    private var lastAngle: Float = 0
    /// The size the track started at: positions are measured in it, so that the predictor's jitter in
    /// size does not move them.
    private var referenceScale: Float = 1

    public init() {}

    public mutating func reset() {
        pose = OneEuro(count: 4)
        local = OneEuro(count: FaceShape.count * 2)
    }

    /// Filters a new observation taken `interval` seconds after the last one.
    public mutating func smooth(_ shape: FaceShape, interval: Float) -> FaceShape {
        let eyeAxis = FaceFrame(shape)
        var centre = Point.zero
        for i in LandmarkSmoother.steadyPoints { centre += shape[i] }
        let frame = FaceFrame(origin: centre / Float(LandmarkSmoother.steadyPoints.count), axis: eyeAxis.axis, scale: eyeAxis.scale)
        // The roll is unwrapped against the last one, so that a turn through ±π is not a jump.
        var angle = atan2(frame.axis.y, frame.axis.x)
        if pose.started {
            while angle - lastAngle > .pi { angle -= 2 * .pi }
            while angle - lastAngle < -.pi { angle += 2 * .pi }
        }
        lastAngle = angle
        // Translation and size in inter-ocular distances, roll in radians (a radian of roll moves the
        // eye corners by about half an inter-ocular distance each).
        if !pose.started { referenceScale = frame.scale }
        let poseValues = [frame.origin.x / referenceScale, frame.origin.y / referenceScale, log(frame.scale), angle]
        let smoothedPose = pose.filter(poseValues, interval: interval, speedGroups: [0..<4]) { _ in LandmarkSmoother.pose }

        let localPoints = shape.points.map(frame.toFace)
        let localValues = localPoints.flatMap { [$0.x, $0.y] }
        let groups = (0..<FaceShape.count).map { 2 * $0..<(2 * $0 + 2) }
        let smoothedLocal = local.filter(localValues, interval: interval, speedGroups: groups) {
            LandmarkSmoother.response(point: $0 / 2)
        }

        let scale = exp(smoothedPose[2])
        let origin = Point(smoothedPose[0], smoothedPose[1]) * referenceScale
        let smoothedFrame = FaceFrame(origin: origin, axis: Point(cos(smoothedPose[3]), sin(smoothedPose[3])), scale: scale)
        return FaceShape(points: (0..<FaceShape.count).map {
            smoothedFrame.toPicture(Point(smoothedLocal[2 * $0], smoothedLocal[2 * $0 + 1]))
        })
    }
}

/// One Euro filters over a vector of values, in groups that share a speed (a point's x and y).
struct OneEuro: Sendable {
    private var previous: [Float]
    private var speed: [Float]
    private(set) var started = false

    init(count: Int) {
        previous = Array(repeating: 0, count: count)
        speed = Array(repeating: 0, count: count)
    }

    mutating func filter(_ values: [Float], interval: Float, speedGroups: [Range<Int>],
                         response: (Int) -> LandmarkSmoother.Response) -> [Float] {
        guard started, interval > 0 else {
            started = true
            previous = values
            speed = Array(repeating: 0, count: values.count)
            return values
        }
        let speedAlpha = OneEuro.alpha(cutoff: LandmarkSmoother.speedCutoff, interval: interval)
        var out = values
        for group in speedGroups {
            var magnitude: Float = 0
            for i in group {
                speed[i] += speedAlpha * ((values[i] - previous[i]) / interval - speed[i])
                magnitude += speed[i] * speed[i]
            }
            let settings = response(group.lowerBound)
            let a = OneEuro.alpha(cutoff: settings.minCutoff + settings.speedGain * magnitude.squareRoot(), interval: interval)
            for i in group { out[i] = previous[i] + a * (values[i] - previous[i]) }
        }
        previous = out
        return out
    }

    private static func alpha(cutoff: Float, interval: Float) -> Float {
        let tau = 1 / (2 * Float.pi * cutoff)
        return 1 / (1 + tau / interval)
    }
}
