/// The face-descriptor distances Veil's privacy rests on, defined once (dlib's ResNet descriptor: two
/// photos of one person are usually within 0.6 of each other).
public enum IdentityThresholds {
    /// The default distance a swapped face must keep from its subject (`identity_margin`).
    public static let defaultMargin = 0.6
    /// The lowest margin accepted: below it a swap that still looks like the subject would pass.
    public static let lowestMargin = 0.5
    /// The default and the largest distance under which a face counts as an enrolled, consenting
    /// person (`consent_distance`): above 0.5 a stranger could be shown as someone who consented.
    public static let defaultConsentDistance = 0.4
    public static let largestConsentDistance = 0.5
    /// How far apart any two donors must be, so that two people in one room never get faces that look
    /// alike (two photos of one person are usually within 0.6; strangers are rarely under 0.5).
    public static let donorSeparation = 0.5
}
