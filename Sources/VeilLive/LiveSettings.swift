import VeilAnonymize

/// What a frame becomes when the pipeline cannot vouch for it (detection results too old, an
/// anonymizer failure): the whole frame is covered, or not emitted. Never the original.
public enum StallPolicy: String, CaseIterable {
    case blurFrame = "blur_frame"
    case blackFrame = "black_frame"
    case drop
}

/// A camera pipeline's deadlines and fail-closed rules.
public struct LiveSettings {
    /// Capture to hand-off, in seconds; nil: one frame interval of the source.
    public var budget: Double?
    /// Detection results older than this (capture time of the detected frame against the frame's own),
    /// in seconds, are not trusted: the frame is covered per `onStall`. Nil: six frame intervals, the
    /// span over which the tracker follows landmarks without the detector (FaceTracker.landmarkGrace).
    public var staleAfter: Double?
    public var onStall: StallPolicy = .blurFrame
    /// The ladder's cheaper cover of the tracked regions: a flat mask costs one fill per plane.
    public var quickCover: CoverStyle = .mask
    public var ringCapacity = 5
    /// Detections made this many frames before a frame still count as its own: landmarks are fitted
    /// from their boxes. A pass takes about a frame interval on this 2-core machine, so a frame's own
    /// pass rarely ends before its deadline; over two frames a face moves little, and landmarks that
    /// no longer agree with the detector's keypoints are rejected (the face is then covered).
    public var freshFrames = 2
    /// Mean absolute luma difference (0-255, on a coarse grid) between a frame and the one the newest
    /// detection pass saw, above which the frame is not trusted to tracking and is covered whole. A
    /// seated patient moving changes a few levels between frames; a cut or a jump, tens.
    public var sceneChangeLimit = 16.0

    public init() {}
}

/// How the pipeline handled one emitted frame.
public enum FrameHandling: String {
    /// Anonymized with a detection pass over this very frame.
    case detected
    /// Anonymized with landmarks followed from earlier frames (ladder: detection skipped).
    case tracked
    /// Tracked regions covered cheaply instead (ladder: the full anonymizer would miss the deadline).
    case quickCover = "quick_cover"
    /// Whole frame covered per `StallPolicy` (stale detections or a failed anonymizer).
    case failClosed = "fail_closed"
    /// The offline slate, sent while the camera is gone.
    case placeholder
}
