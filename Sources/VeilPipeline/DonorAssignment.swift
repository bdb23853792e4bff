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

    /// One face asking for a donor on this frame: its acceptable donors in order, and the rank in that
    /// order it wears now (the ranks before it were escalated past).
    struct Claimant: Equatable {
        var order: [Int]
        var rank: Int
    }

    /// The rank each claimant wears on this frame, from its own rank on; nil where no donor is left (the
    /// face is covered on this frame). No donor is shown on two faces, and as many faces as the donors
    /// allow get one (a maximum matching, by augmenting paths): taking donors in turn, however the turns
    /// are ordered, can leave a face covered while a free donor would have fitted another. A face keeps
    /// the donor it wears where the matching allows, since a new donor is shown only once a check has
    /// passed for it.
    static func match(_ claimants: [Claimant]) -> [Int?] {
        var ranks = [Int?](repeating: nil, count: claimants.count)
        var holder: [Int: Int] = [:]
        let scarcestFirst = claimants.indices.sorted {
            (claimants[$0].order.count - claimants[$0].rank, $0) < (claimants[$1].order.count - claimants[$1].rank, $1)
        }
        for face in scarcestFirst {
            let claimant = claimants[face]
            guard claimant.order.indices.contains(claimant.rank), holder[claimant.order[claimant.rank]] == nil else { continue }
            holder[claimant.order[claimant.rank]] = face
            ranks[face] = claimant.rank
        }
        // A face left without a donor takes one that is free, or one whose wearer can move to another.
        func augment(_ face: Int, visited: inout Set<Int>) -> Bool {
            let claimant = claimants[face]
            for rank in claimant.order.indices.dropFirst(claimant.rank) {
                let donor = claimant.order[rank]
                guard visited.insert(donor).inserted else { continue }
                if let wearer = holder[donor], !augment(wearer, visited: &visited) { continue }
                holder[donor] = face
                ranks[face] = rank
                return true
            }
            return false
        }
        for face in scarcestFirst where ranks[face] == nil {
            var visited: Set<Int> = []
            _ = augment(face, visited: &visited)
        }
        return ranks
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
