import VeilCore

/// Smooths a face's landmarks over time with a One Euro filter (Casiez et al., CHI 2012): a low-pass
/// whose cutoff rises with speed, so a still face stops jittering while a moving one is followed
/// without visible lag. Speeds are measured in inter-ocular distances per second, so the same settings
/// work for near and far faces.
public struct LandmarkSmoother: Sendable {
    /// Cutoff (Hz) when the face is still: lower removes more jitter.
    public var minCutoff: Float = 2.0
    /// How fast the cutoff grows with speed: higher follows fast motion more tightly.
    public var speedGain: Float = 6.0
    private let derivativeCutoff: Float = 1.0
    private var previous: [Point]?
    private var previousSpeed: [Point] = []

    public init() {}

    public mutating func reset() { previous = nil }

    /// Filters a new observation taken `interval` seconds after the last one.
    public mutating func smooth(_ shape: FaceShape, interval: Float) -> FaceShape {
        guard let last = previous, interval > 0 else {
            previous = shape.points
            previousSpeed = Array(repeating: .zero, count: shape.points.count)
            return shape
        }
        let unit = max(shape.interOcularDistance, 1)
        let speedAlpha = LandmarkSmoother.alpha(cutoff: derivativeCutoff, interval: interval)
        var out = shape.points
        for i in out.indices {
            let rawSpeed = (shape.points[i] - last[i]) / interval
            let speed = previousSpeed[i] + speedAlpha * (rawSpeed - previousSpeed[i])
            previousSpeed[i] = speed
            let cutoff = minCutoff + speedGain * (speed * speed).sum().squareRoot() / unit
            let a = LandmarkSmoother.alpha(cutoff: cutoff, interval: interval)
            out[i] = last[i] + a * (shape.points[i] - last[i])
        }
        previous = out
        return FaceShape(points: out)
    }

    private static func alpha(cutoff: Float, interval: Float) -> Float {
        let tau = 1 / (2 * Float.pi * cutoff)
        return 1 / (1 + tau / interval)
    }
}
