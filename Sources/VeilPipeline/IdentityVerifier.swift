import VeilCore

/// One track's identity checks: when the next one is due, whether the subject's descriptor is computed
/// again or reused, and how long a passed check vouches for the swap. Fail closed: a swap is shown only
/// while a passed check for the track's current donor choice vouches for it; a new choice, a failed
/// check or one that could not run leaves it unverified (covered) and asks for a check at once.
struct IdentityVerifier {
    /// The frame of the last check; nil: check at the first chance.
    private(set) var lastCheck: Int?
    /// The subject's descriptor, and how many checks have used it (nil: describe it again next time).
    var subject: FaceDescriptor?
    private(set) var subjectUses: Int?
    /// The last frame a passed check vouches for; nil: none has passed for the current choice.
    private(set) var verifiedUntil: Int?
    /// A deferred check is queued or running.
    var inFlight = false

    func isDue(at frame: Int, interval: Int) -> Bool { lastCheck.map { frame - $0 >= interval } ?? true }

    /// Whether the next check describes the subject again rather than reuse `subject`.
    func needsSubject(refresh: Int) -> Bool { subject == nil || (subjectUses ?? refresh) >= refresh }

    func isVerified(at frame: Int) -> Bool { verifiedUntil.map { frame <= $0 } ?? false }

    /// A check made on `frame`; `describingSubject`: it computes the subject's descriptor afresh.
    mutating func checked(at frame: Int, describingSubject: Bool) {
        lastCheck = frame
        subjectUses = describingSubject ? 1 : (subjectUses ?? 0) + 1
    }

    /// A check made on `frame` passed: the swap is shown for `lifetime` frames from there.
    mutating func passed(checkedAt frame: Int, lifetime: Int) { verifiedUntil = frame + lifetime }

    /// Unverified from now on (a new donor choice, a failed check), and checked at the first chance.
    mutating func unverify() {
        verifiedUntil = nil
        lastCheck = nil
    }

    /// Checked at the first chance (a face waiting under a cover for its first pass).
    mutating func checkSoon() { lastCheck = nil }

    /// The subject's descriptor could not be trusted: computed again at the next check.
    mutating func forgetSubjectUses() { subjectUses = nil }

    /// Faces narrower than this (pixels) give noisier descriptors: another recognizer, fitting its own
    /// landmarks, put a dim 55 px swap 0.586-0.599 from its subject where Veil's checks read 0.63.
    static let smallFaceWidth: Float = 80
    /// What a small face's checks must keep above the margin, for that spread (measured: 0.04).
    static let smallFaceExtraMargin: Float = 0.05

    /// The distance a swap must keep from its subject: the margin, and more for a small face.
    static func requiredMargin(_ margin: Float, faceWidth: Float) -> Float {
        faceWidth < smallFaceWidth ? margin + smallFaceExtraMargin : margin
    }
}
