/// A goal from issue 5, judged on the log's figures.
public struct TargetCheck: Equatable {
    public enum Verdict: String { case met = "ok", notMet = "NOT MET", notMeasured = "not measured" }

    /// What is judged, in plain words.
    public let figure: String
    /// The goal as it reads beside the figure, e.g. "≤ 0.015".
    public let goal: String
    public let verdict: Verdict

    static let movementNMELimit = 0.015
    static let absoluteNMELimit = 0.03
    static let identityPassShare = 0.99

    static func atMost(_ figure: String, _ value: Double?, _ limit: Double) -> TargetCheck {
        TargetCheck(figure: figure, goal: "mean ≤ \(limit)", verdict: value.map { $0 <= limit ? .met : .notMet } ?? .notMeasured)
    }

    /// Identity checks passing the margin. A log with anonymized faces but no check at all has not shown
    /// that identity was removed, so that fails rather than passing unmeasured.
    static func identity(passed: Int, checks: Int, anonymizedFaces: Int) -> TargetCheck {
        let verdict: Verdict
        if checks > 0 {
            verdict = Double(passed) / Double(checks) >= identityPassShare ? .met : .notMet
        } else {
            verdict = anonymizedFaces > 0 ? .notMet : .notMeasured
        }
        return TargetCheck(figure: "identity checks at or above the margin", goal: "≥ 99%", verdict: verdict)
    }
}
