import Foundation

/// How figures read in both reports: fixed decimals per kind of figure, so columns line up and the
/// terminal and the HTML page say the same.
enum Format {
    static let missing = "–"

    static func nme(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? missing }
    static func distance(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? missing }
    static func oks(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? missing }

    static func share(_ part: Int, of whole: Int) -> String {
        whole == 0 ? missing : String(format: "%.1f%%", 100 * Double(part) / Double(whole))
    }

    /// A moment in the video: seconds with two decimals, or minutes:seconds (hours too) in clock style.
    static func time(_ seconds: Double, clock: Bool? = nil) -> String {
        guard clock ?? (seconds >= 60) else { return String(format: "%.2f s", seconds) }
        let whole = Int(seconds)
        let (hours, minutes, rest) = (whole / 3600, whole / 60 % 60, seconds - Double(whole - whole % 60))
        return hours > 0 ? String(format: "%d:%02d:%05.2f", hours, minutes, rest) : String(format: "%d:%05.2f", minutes, rest)
    }

    /// Both ends in the same style, chosen by the later one.
    static func span(_ first: Double?, _ last: Double?) -> String {
        guard let first, let last else { return missing }
        return "\(time(first, clock: last >= 60)) – \(time(last, clock: last >= 60))"
    }

    static func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

    static func target(_ check: TargetCheck) -> String { "\(check.goal): \(check.verdict.rawValue)" }
}
