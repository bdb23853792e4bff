import VeilAnonymize
import VeilCore

/// What the swap keeps of the subject's face geometry.
public enum PreserveMode: String, CaseIterable, Sendable {
    /// The subject's own landmark positions: keypoints stay where they were.
    case keypoints
    /// The subject's static face shape is replaced by the donor's; every movement is kept.
    case dynamics
}

public struct AnonymizerSettings: Sendable {
    public var mode: AnonymizeMode = .swap
    public var preserve: PreserveMode = .keypoints
    /// Descriptor distance a swapped face must keep from its subject; below it the track escalates.
    public var identityMargin = Float(IdentityThresholds.defaultMargin)
    /// How often each track's identity is verified, in frames (default: once a second of video).
    public var identityCheckInterval = 30
    /// The cover used where a swap cannot be trusted (unreliable landmarks, lost track, escalation).
    public var fallbackCover: CoverStyle = .blur
    /// People who agreed to be shown; nil (the default): every face is anonymized.
    public var consent: ConsentList?

    public init() {}
}
