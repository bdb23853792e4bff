import VeilAnonymize

/// How far a swapped track's blend reaches (BlendReach), decided on the identity checks' distances: a
/// track starts with the blend inside the outline; a check that finds its swap well past the margin
/// (`widenSurplus`) spends the surplus on fidelity and widens the blend over the cheeks; a check that
/// finds the wide blend's surplus nearly spent (under `keepSurplus`) narrows it again for the rest of
/// the track, before any check can fail on it. A check that fails on a wide blend narrows it too, and
/// the face stays covered until a check passes on the narrow one.
enum BlendWidening: Equatable {
    case narrow
    case wide
    case narrowForGood

    /// Surplus over the margin a narrow swap must show before it widens. The wide blend costs 0.05 to
    /// 0.08 of descriptor distance on the faces measured (the subject's own jaw and cheeks show).
    static let widenSurplus: Float = 0.12
    /// Surplus a wide swap must keep to stay wide.
    static let keepSurplus: Float = 0.04

    var reach: BlendReach { self == .wide ? .overCheeks : .insideOutline }

    /// The widening after a check that measured `distance` on this widening's blend, against `margin`.
    func after(check distance: Float, margin: Float) -> BlendWidening {
        switch self {
        case .narrow: return distance >= margin + BlendWidening.widenSurplus ? .wide : .narrow
        case .wide: return distance >= margin + BlendWidening.keepSurplus ? .wide : .narrowForGood
        case .narrowForGood: return .narrowForGood
        }
    }

    /// The widening for a new donor: its own checks decide again, unless the track narrowed for good.
    var forNewDonor: BlendWidening { self == .narrowForGood ? .narrowForGood : .narrow }
}
