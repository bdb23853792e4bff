import VeilCore

/// One track's keypoint stability: how far the landmarks found again on the output are from the
/// subject's, absolutely and after the track's own fixed offset (a replaced face shape, a landmark
/// model's bias), and how much they shake from one frame to the next compared with the subject's.
/// Figures only: it never sees pixels.
struct StabilityMeter {
    /// The mean residual so far (in the subject's face coordinates) and how many frames it averages.
    private var meanResidual: [Point] = []
    private var residualCount = 0
    /// The last frame measured: where jitter is measured from.
    private var last: (frame: Int, subject: [Point], output: [Point])?

    /// What one measurement found.
    struct Figures: Equatable {
        /// Landmark error in inter-ocular distances, absolute and after the mean offset so far.
        var error: Float
        var dynamicError: Float
        /// COCO-style keypoint similarity, 0 to 1.
        var oks: Float
        /// The residual in the subject's face coordinates (the log's summary removes the run's offset).
        var residual: [Point]
        /// Mean landmark movement since the previous frame, subject and output; nil unless that frame
        /// was measured too.
        var jitter: (input: Float, output: Float)?

        static func == (a: Figures, b: Figures) -> Bool {
            a.error == b.error && a.dynamicError == b.dynamicError && a.oks == b.oks && a.residual == b.residual
                && a.jitter?.input == b.jitter?.input && a.jitter?.output == b.jitter?.output
        }
    }

    mutating func measure(subject: FaceShape, output: FaceShape, frame: Int) -> Figures {
        let unit = subject.interOcularDistance
        let error = normalisedMeanError(subject.points, output.points, unit: unit)
        let box = subject.bounds
        let oks = objectKeypointSimilarity(subject.points, output.points, area: (box.max.x - box.min.x) * (box.max.y - box.min.y))
        let faceFrame = FaceFrame(subject)
        let residual = subject.points.indices.map { faceFrame.toFace(output[$0]) - faceFrame.toFace(subject[$0]) }
        if meanResidual.isEmpty { meanResidual = residual }
        residualCount += 1
        let w = 1 / Float(residualCount)
        for i in residual.indices { meanResidual[i] += (residual[i] - meanResidual[i]) * w }
        var sum: Float = 0
        for i in residual.indices { sum += distance(residual[i], meanResidual[i]) }
        var jitter: (input: Float, output: Float)?
        if let last, last.frame == frame - 1 {
            jitter = (normalisedMeanError(last.subject, subject.points, unit: unit),
                      normalisedMeanError(last.output, output.points, unit: unit))
        }
        last = (frame, subject.points, output.points)
        return Figures(error: error, dynamicError: sum / Float(residual.count), oks: oks, residual: residual, jitter: jitter)
    }
}
