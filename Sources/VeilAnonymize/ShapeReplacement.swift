import VeilCore

/// `--preserve dynamics`: puts the donor's static face shape in place of the subject's while keeping
/// every movement. In face coordinates (see FaceFrame) the subject's landmarks are its running mean
/// shape plus a per-frame deviation (expression, blinks, mouth, residual pose); the target is the
/// donor's shape plus that same deviation, mapped back with the subject's own position, size and roll.
/// Face shape carries identity; the deviations carry what clinicians read.
public struct ShapeReplacement {
    private var mean: [Point] = []
    private var samples = 0
    /// After this many frames the mean becomes a slow moving average, following a change of camera
    /// angle without absorbing expressions.
    private let window = 300

    public init() {}

    public mutating func target(for subject: FaceShape, donor: Donor) -> FaceShape {
        let frame = FaceFrame(subject)
        let local = subject.points.map(frame.toFace)
        if mean.isEmpty { mean = local }
        samples += 1
        let weight = 1 / Float(min(samples, window))
        for i in mean.indices { mean[i] += (local[i] - mean[i]) * weight }
        return FaceShape(points: local.indices.map { frame.toPicture(donor.faceCoordinates[$0] + local[$0] - mean[$0]) })
    }
}
