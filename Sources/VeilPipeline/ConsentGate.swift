/// One track's consent: its face is shown as an enrolled person only after two checks in a row matched
/// that person, and only while checks keep matching. Anything that casts doubt on who the face is ends
/// it at once (fail closed): one check that does not match, landmarks no longer trusted, frames not
/// seen, or no recent matching check.
struct ConsentGate {
    /// The enrolled person the face is shown as; nil: it is anonymized.
    private(set) var shownAs: String?
    private var matches = 0
    private var matchedAt: Int?

    /// Whether consent is given or on its way (checks run more often then).
    var isEngaged: Bool { shownAs != nil || matches > 0 }

    /// What a check changed, for the log.
    enum Change: Equatable {
        case shown(as: String)
        case ended(wasShownAs: String)
    }

    /// A fresh descriptor's verdict on frame `frame`: the enrolled person it matched, or nil.
    mutating func observe(match name: String?, frame: Int) -> Change? {
        guard let name else { return end() }
        matches += 1
        matchedAt = frame
        guard matches >= 2, shownAs != name else { return nil }
        shownAs = name
        return .shown(as: name)
    }

    /// Why the face can no longer be vouched for on `frame`, if it cannot. `lifetime`: how many frames
    /// a matching check lets the face be shown.
    func doubt(landmarksTrusted: Bool, unseenFrames: Int, largestFollowedGap: Int, frame: Int, lifetime: Int) -> String? {
        guard isEngaged else { return nil }
        if !landmarksTrusted { return "landmarks not trusted" }
        if unseenFrames + 1 > largestFollowedGap { return "\(unseenFrames) frames not seen" }
        if shownAs != nil, let matchedAt, frame - matchedAt > lifetime { return "no matching check for \(frame - matchedAt) frames" }
        return nil
    }

    /// The face is anonymized again until two new checks in a row match.
    @discardableResult
    mutating func end() -> Change? {
        let was = shownAs
        shownAs = nil
        matches = 0
        matchedAt = nil
        return was.map { .ended(wasShownAs: $0) }
    }
}
