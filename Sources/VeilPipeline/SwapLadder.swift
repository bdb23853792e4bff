/// How a swapped track's face is hidden. A check that finds the swap still within the margin of its
/// subject moves the track one step down: the next donor, then the donors again in their own face
/// shape, and at the end a cover for the rest of the track. There is no step back up: fail closed.
enum SwapLadder: Equatable {
    /// Wearing donor `rank` of the track's order, in the subject's own face shape or (`donorShape`) in
    /// the donor's.
    case wearing(rank: Int, donorShape: Bool)
    /// No donor hides this face (none is far enough from it, or every step failed its check).
    case coveredForGood

    /// The donor's rank in the track's order; nil when covered for good.
    var rank: Int? {
        if case let .wearing(rank, _) = self { return rank }
        return nil
    }

    var wearsDonorShape: Bool {
        if case let .wearing(_, donorShape) = self { return donorShape }
        return false
    }

    /// The step after a failed check, for an order of `donors` donors.
    func escalated(donors: Int) -> SwapLadder {
        guard case let .wearing(rank, donorShape) = self else { return .coveredForGood }
        if rank + 1 < donors { return .wearing(rank: rank + 1, donorShape: donorShape) }
        if !donorShape { return .wearing(rank: 0, donorShape: true) }
        return .coveredForGood
    }
}
