import VeilCore

/// Which donor face a swapped track wears: pure rules over the donors' descriptors, so that they are
/// tested without models. A donor within the margin of the subject (the subject's own photo among the
/// donors, a look-alike) is never used: its swap could not hide the subject.
enum DonorAssignment {
    /// The donors at least `margin` away from the subject and from every one of `others` (the other
    /// faces in the picture: a donor that looks like the person beside the patient would show the
    /// patient as them), farthest from the subject first; those in `inUse` (worn by other faces) go
    /// last, so that two people do not get the same face while another is available. Empty: no donor
    /// can hide this subject, and the face is covered.
    static func order(donors: [FaceDescriptor], subject: FaceDescriptor, margin: Float, others: [FaceDescriptor] = [],
                      inUse: Set<Int>) -> [Int] {
        let distances = donors.map { $0.distance(to: subject) }
        return donors.indices
            .filter { donor in distances[donor] >= margin && others.allSatisfy { donors[donor].distance(to: $0) >= margin } }
            .sorted { a, b in
                let (ua, ub) = (inUse.contains(a), inUse.contains(b))
                if ua != ub { return !ua }
                return distances[a] > distances[b]
            }
    }

    /// The rank in `order`, from `rank` on, of the first donor not already `shown` on this frame; nil
    /// when every acceptable donor is taken (the face is covered on this frame).
    static func claim(order: [Int], from rank: Int, shown: Set<Int>) -> Int? {
        order.indices.dropFirst(rank).first { !shown.contains(order[$0]) }
    }

    /// The two donors closest to each other, and their distance; nil with fewer than two.
    static func closestPair(_ donors: [FaceDescriptor]) -> (a: Int, b: Int, distance: Float)? {
        var closest: (a: Int, b: Int, distance: Float)?
        for a in donors.indices {
            for b in donors.indices where b > a {
                let d = donors[a].distance(to: donors[b])
                if d < closest?.distance ?? .infinity { closest = (a, b, d) }
            }
        }
        return closest
    }
}
