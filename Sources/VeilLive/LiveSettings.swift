import VeilAnonymize
import VeilCore

/// A camera pipeline's deadlines and fail-closed rules.
public struct LiveSettings: Sendable {
    /// Capture to hand-off, in seconds; nil: `LatencyBudget.defaultMilliseconds` for the source's rate.
    /// It includes the wait for a detection pass over the frame or a later one (the live invariant).
    public var budget: Double?
    public var onStall: StallPolicy = .blurFrame
    /// The ladder's cheaper cover of the known faces: a flat mask costs one fill per plane.
    public var quickCover: CoverStyle = .mask
    /// At least this many slots; more when the budget spans more frames (frames wait in the ring for
    /// their pass).
    public var ringCapacity = 5
    /// Mean absolute luma difference (0-255, on a coarse grid) between a frame and the frame of the pass
    /// that clears it, above which the pass is not trusted for it and the frame is covered whole: a cut
    /// between the two could hide faces neither the pass nor the tracks know. A seated patient moving
    /// changes a few levels between frames; a cut or a jump, tens.
    public var sceneChangeLimit = 16.0

    public init() {}
}

/// How the pipeline handled one emitted frame.
public enum FrameHandling: String {
    /// Anonymized with a detection pass over this very frame.
    case detected
    /// Anonymized with a pass over a later frame (a look-ahead); known faces followed on its own pixels.
    case tracked
    /// Known faces covered cheaply instead (ladder: the full anonymizer would miss the deadline).
    case quickCover = "quick_cover"
    /// Whole frame covered per `StallPolicy` (no pass in time, a scene change, a failed anonymizer).
    case failClosed = "fail_closed"
    /// The offline slate, sent while the camera is gone.
    case placeholder
}
