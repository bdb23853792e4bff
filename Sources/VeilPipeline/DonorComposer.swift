import Foundation
import VeilAnonymize
import VeilCore
import VeilMedia
import VeilVision

/// Donor faces that belong to no one: k-Same style composites of real public-domain faces. Each
/// composite warps every source onto one shape and blends them, its skin, eyes, nose and mouth each with
/// weights of their own; the shape comes from yet another blend of the sources' shapes, pushed away from
/// their mean (a caricature) and with the eyes, nose, mouth and jaw resized. Candidates are made in a fixed order from a seeded generator,
/// and each is kept only if the face descriptor puts it at least `sourceMargin` from every source and
/// `IdentityThresholds.donorSeparation` from every composite kept before it: the same sources give the
/// same donors on every machine.
public struct DonorComposer {
    /// A composite, as it will be written and loaded back.
    public struct Composite {
        public let donor: Donor
        /// Descriptor distance to each source face, by the source's name.
        public let sourceDistances: [(source: String, distance: Float)]
        public var nearestSource: (source: String, distance: Float) { sourceDistances.min { $0.distance < $1.distance }! }
    }

    /// What a run made, and the candidates it looked at.
    public struct Outcome {
        public let composites: [Composite]
        public let candidatesTried: Int
        /// False when fewer than the composites asked for reached `sourceMargin`: the rest are the
        /// farthest the candidates got, still `donorSeparation` apart.
        public let everyMarginReached: Bool
    }

    public let sources: [Donor]
    /// Which sources wear glasses (`wearsGlasses`): their eyes, nose and skin are left out of every
    /// composite, which takes only their mouth.
    let bespectacled: [Bool]
    /// `sources` landmarks on the canvas (see `aligned`).
    private let alignedShapes: [[Point]]
    public let sourceMargin: Float
    private let data: DataDirectory
    private let predictor: LandmarkPredictor
    private let encoder: FaceEncoder
    private let detector: FaceDetector

    /// The canvas every composite is drawn on, and where its eyes go: a head-and-shoulders portrait
    /// like the sources, with the face about 170 px wide (donors need 64).
    static let canvasWidth = 360, canvasHeight = 440
    static let rightEyeAt = Point(135, 200), leftEyeAt = Point(225, 200)

    public init(sources: [Donor], data: DataDirectory, predictor: LandmarkPredictor, encoder: FaceEncoder,
                sourceMargin: Float = Float(IdentityThresholds.defaultMargin)) throws {
        precondition(sources.count >= 2, "a composite needs two sources or more")
        self.sources = sources
        bespectacled = sources.map(Self.wearsGlasses)
        precondition(bespectacled.filter { !$0 }.count >= 2, "a composite's eyes need two sources or more without glasses")
        alignedShapes = Self.aligned(sources)
        self.sourceMargin = sourceMargin
        self.data = data
        self.predictor = predictor
        self.encoder = encoder
        detector = try FaceDetector(modelPath: data.detectorModel, pictureWidth: Self.canvasWidth, pictureHeight: Self.canvasHeight,
                                    inputWidth: Self.canvasWidth)
    }

    /// Makes `count` composites out of `candidates` tried. Of the candidates that reach `sourceMargin`
    /// from every source, the first kept is the farthest from its nearest source, and each next one the
    /// farthest from those kept (farthest-point sampling): the most distinct faces the candidates offer.
    public func compose(count: Int, candidates: Int = 256) throws -> Outcome {
        let separation = Float(IdentityThresholds.donorSeparation)
        let made = try (0..<candidates).compactMap { try candidate($0) }
        let reaching = made.filter { $0.nearestSource.distance >= sourceMargin }
        let everyMarginReached = reaching.count >= count
        // Short of candidates that reach the margin: the others, farthest from their sources first.
        let pool = everyMarginReached ? reaching : reaching + made.filter { $0.nearestSource.distance < sourceMargin }
            .sorted { $0.nearestSource.distance > $1.nearestSource.distance }
        let kept = Self.mostDistinct(pool, count: count, separation: separation)
        let named = kept.enumerated().map { number, composite in
            Composite(donor: Donor(name: String(format: "composite-%02d.jpg", number + 1), picture: composite.donor.picture,
                                   shape: composite.donor.shape, descriptor: composite.donor.descriptor),
                      sourceDistances: composite.sourceDistances)
        }
        return Outcome(composites: named, candidatesTried: candidates, everyMarginReached: everyMarginReached)
    }

    /// The picture as it reads back from its JPEG file: the composite is judged as a swap will load it.
    static func asWritten(_ picture: Picture) throws -> Picture {
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("veil-composite-\(getpid()).jpg")
        defer { unlink(path) }
        try AtomicFile.write(try JPEGImage.encode(picture, name: path), to: path, mode: 0o600)
        return try ImageFile.load(path: path)
    }

    /// Up to `count` of `pool`, each at least `separation` from the others: farthest-point sampling (each
    /// next one the farthest from those kept) from every possible first one, and the run that keeps the
    /// most, then the farthest apart.
    static func mostDistinct(_ pool: [Composite], count: Int, separation: Float) -> [Composite] {
        let distances = pool.map { a in pool.map { b in a.donor.descriptor.distance(to: b.donor.descriptor) } }
        var best: (kept: [Int], gap: Float) = ([], 0)
        for first in pool.indices {
            var kept = [first], gap = Float.infinity
            var nearestKept = distances[first]
            while kept.count < count {
                guard let next = pool.indices.filter({ !kept.contains($0) }).max(by: { nearestKept[$0] < nearestKept[$1] }),
                      nearestKept[next] >= separation else { break }
                gap = min(gap, nearestKept[next])
                kept.append(next)
                nearestKept = zip(nearestKept, distances[next]).map { min($0, $1) }
            }
            if kept.count > best.kept.count || (kept.count == best.kept.count && gap > best.gap) { best = (kept, gap) }
        }
        return best.kept.map { pool[$0] }
    }

    /// The distances from a donor to every source face.
    public func sourceDistances(of donor: Donor) -> [(source: String, distance: Float)] {
        sources.map { ($0.name, donor.descriptor.distance(to: $0.descriptor)) }
    }

    /// Candidate `index`, described as a donor would be; nil when its face is not found again.
    func candidate(_ index: Int) throws -> Composite? {
        var random = SplitMix64(seed: UInt64(index) &+ 0x5645_494C)
        // The face's skin from one blend, and the eyes, the nose and the mouth each from a blend of its own.
        let texture = (0...FacePart.allCases.count).map { part in
            let draw = random.dirichlet(sources.count)
            let glassesFree = part == FacePart.mouth.rawValue + 1 ? draw : Self.withoutGlasses(draw, bespectacled)
            return Self.capped(glassesFree, at: Self.largestTextureShare)
        }
        let shapeSteps = sources.map { _ in random.uniform(-Self.largestShapeStep, Self.largestShapeStep) }
        let target = Self.targetShape(aligned: alignedShapes, steps: shapeSteps,
                                      mouthWeights: texture[FacePart.mouth.rawValue + 1], random: &random)
        let picture = blend(onto: target, weights: texture)
        Self.shiftTone(picture, gain: random.uniform(0.62, 1.12), blue: random.uniform(-8, 6), red: random.uniform(-6, 10))
        do {
            guard let donor = try FaceModels.describeDonor(try Self.asWritten(picture), name: "candidate \(index)", detector: detector,
                                                            predictor: predictor, encoder: encoder) else { return nil }
            return Composite(donor: donor, sourceDistances: sourceDistances(of: donor))
        } catch FaceModels.DonorFaceUnusable.tooSmallOrTurned {
            return nil
        }
    }

    /// The parts whose texture comes from a blend of their own, by their landmarks.
    enum FacePart: Int, CaseIterable {
        case eyes, nose, mouth

        var landmarks: [Int] {
            switch self {
            case .eyes: return Array(FaceShape.rightBrow) + Array(FaceShape.leftBrow) + Array(FaceShape.rightEye) + Array(FaceShape.leftEye)
            case .nose: return Array(FaceShape.nose)
            case .mouth: return Array(FaceShape.outerLips) + Array(7...9)
            }
        }
    }

    /// No source gives a part of a composite more than this share of its texture: at least two faces are
    /// in every part (k-Same's k). A lower cap averages the faces into one another: composites at 0.45
    /// were 0.52 apart at best, and faces swapped with them kept more of their own identity.
    static let largestTextureShare: Float = 0.7

    /// A source's glasses would be pasted onto every composite it gives its eyes or skin to, and its
    /// frames show through any blend where its weight leads (a patient shown in Grace Hopper's glasses).
    /// Found as a band darker than the skin across the nose bridge, between the brows and the nose's
    /// middle: on the installed sources the darkest row there is 43% under the band's median for Grace
    /// Hopper and at most 13% for the three without glasses.
    static func wearsGlasses(_ source: Donor) -> Bool {
        let shape = source.shape, luma = source.picture.y
        let centreX = (shape[39].x + shape[42].x) / 2
        let halfWidth = max(1, Int(0.08 * distance(shape[39], shape[42])))
        let top = Int((shape[21].y + shape[22].y) / 2), bottom = Int(shape[29].y)
        let columns = max(0, Int(centreX) - halfWidth)...min(luma.width - 1, Int(centreX) + halfWidth)
        let rows = max(0, top)..<min(luma.height, bottom)
        guard !rows.isEmpty else { return false }
        let profile = rows.map { y in Float(columns.reduce(0) { $0 + Int(luma[$1, y]) }) / Float(columns.count) }
        let median = profile.sorted()[profile.count / 2]
        return median > 0 && (median - profile.min()!) / median > largestBridgeDip
    }

    /// How much darker than its median the nose bridge may get before it is taken for a glasses frame.
    static let largestBridgeDip: Float = 0.25

    /// `weights` with the sources that wear glasses at zero, the others scaled back to a sum of one.
    static func withoutGlasses(_ weights: [Float], _ bespectacled: [Bool]) -> [Float] {
        let kept = zip(weights, bespectacled).map { $1 ? 0 : $0 }
        let sum = kept.reduce(0, +)
        return sum > 0 ? kept.map { $0 / sum } : kept
    }

    /// The weights with none above `cap`, the excess shared out among the others in proportion.
    static func capped(_ weights: [Float], at cap: Float) -> [Float] {
        var weights = weights
        for _ in 0..<weights.count {
            let excess = weights.reduce(Float(0)) { $0 + max($1 - cap, 0) }
            guard excess > 1e-6 else { break }
            let room = weights.reduce(Float(0)) { $0 + ($1 < cap ? $1 : 0) }
            weights = weights.map { $0 >= cap ? cap : $0 + excess * $0 / max(room, 1e-6) }
        }
        return weights
    }

    /// Lighter or darker skin, more or less yellow or red: luma scaled about black, chroma moved.
    static func shiftTone(_ picture: Picture, gain: Float, blue: Float, red: Float) {
        func map(_ plane: Plane, _ transform: (Float) -> Float) {
            let table = (0...255).map { UInt8(min(max(transform(Float($0)), 0), 255).rounded()) }
            for y in 0..<plane.height {
                let row = plane.row(y)
                for x in 0..<plane.width { row[x] = table[Int(row[x])] }
            }
        }
        map(picture.y) { 16 + ($0 - 16) * gain }
        map(picture.u) { $0 + blue }
        map(picture.v) { $0 + red }
    }

    // MARK: Shapes

    /// Each source's landmarks moved onto the canvas by the similarity that puts its eyes at the
    /// canvas's eye positions.
    static func aligned(_ sources: [Donor]) -> [[Point]] {
        sources.map { source in
            let align = Similarity(from: (source.shape.rightEyeCentre, source.shape.leftEyeCentre), to: (Self.rightEyeAt, Self.leftEyeAt))
            return source.shape.points.map(align.apply)
        }
    }

    /// How far a composite's shape steps along each source's difference from the sources' mean, either way.
    static let largestShapeStep: Float = 1.0

    /// The sources' mean shape moved `steps[i]` times source i's difference from the mean (towards the
    /// source, or away from it: a shape none of them has), with each feature resized by up to 12%. The
    /// inner lips are the exception: they open as far as in the texture's blend (`mouthWeights`), so that
    /// no source's closed lips are stretched over an open mouth.
    static func targetShape(aligned: [[Point]], steps: [Float], mouthWeights: [Float],
                            random: inout SplitMix64) -> FaceShape {
        let count = Float(aligned.count)
        var points = (0..<FaceShape.count).map { i in
            let mean = aligned.reduce(Point.zero) { $0 + $1[i] } / count
            return zip(aligned, steps).reduce(mean) { $0 + ($1.0[i] - mean) * $1.1 }
        }
        func scale(_ range: ClosedRange<Int>, x: Float, y: Float) {
            let centre = range.reduce(Point.zero) { $0 + points[$1] } / Float(range.count)
            for i in range { points[i] = centre + (points[i] - centre) * Point(x, y) }
        }
        let eyes = 1 + random.uniform(-0.12, 0.12)
        scale(FaceShape.rightEye, x: eyes, y: eyes)
        scale(FaceShape.leftEye, x: eyes, y: eyes)
        scale(FaceShape.nose, x: 1 + random.uniform(-0.12, 0.12), y: 1 + random.uniform(-0.12, 0.12))
        let mouth = 1 + random.uniform(-0.12, 0.12)
        scale(FaceShape.outerLips, x: mouth, y: 1)
        func lipsCentre(_ shape: [Point]) -> Point {
            FaceShape.outerLips.reduce(Point.zero) { $0 + shape[$1] } / Float(FaceShape.outerLips.count)
        }
        let centre = lipsCentre(points)
        for i in FaceShape.innerLips {
            let opening = zip(aligned, mouthWeights).reduce(Point.zero) { $0 + ($1.0[i] - lipsCentre($1.0)) * $1.1 }
            points[i] = centre + opening * Point(mouth, 1)
        }
        scale(FaceShape.jaw, x: 1 + random.uniform(-0.12, 0.12), y: 1)
        return FaceShape(points: points)
    }

    // MARK: Texture

    /// How much each part's blend counts at each sample of the canvas (plane `subsampling` 1 or 2): the
    /// skin's blend everywhere at 0.25, each part's falling off from its landmarks over its own size.
    static func partWeights(_ target: FaceShape, width: Int, height: Int, subsampling: Float) -> [[Float]] {
        let parts = FacePart.allCases.map { part -> (centre: Point, radius: Float) in
            let points = part.landmarks.map { target[$0] }
            let centre = points.reduce(Point.zero, +) / Float(points.count)
            let spread = points.map { distance($0, centre) }.max() ?? 1
            return (centre, max(spread, 4) * 1.1)
        }
        var weights = [[Float]](repeating: [Float](repeating: 0, count: width * height), count: parts.count + 1)
        for y in 0..<height {
            for x in 0..<width {
                let p = Point(Float(x), Float(y)) * subsampling
                var memberships = [Float(0.25)]
                for part in parts {
                    let d = distance(p, part.centre) / part.radius
                    memberships.append(exp(-d * d))
                }
                let total = memberships.reduce(0, +)
                for (index, membership) in memberships.enumerated() { weights[index][y * width + x] = membership / total }
            }
        }
        return weights
    }

    /// How far (in 8-bit levels) a source's sample may stray from the weighted median before it stops
    /// counting (see `robustWeights`).
    static let robustSpread = (luma: Float(24), chroma: Float(12))

    /// `weights` each lowered the farther its value lies from the weighted median of `values` (a
    /// Gaussian of `spread`): where the sources disagree, the blend follows the ones that carry the
    /// part rather than averaging every face into a ghost of all of them. With the same candidates the
    /// donors kept came out 0.64-0.67 apart and 0.60-0.77 from their sources (a plain mean: 0.54-0.55
    /// and 0.60-0.74). Traits of the heavier sources still show on some composites.
    static func robustWeights(_ values: [Float], weights: [Float], spread: Float) -> [Float] {
        let total = weights.reduce(0, +)
        guard total > 0 else { return weights }
        let order = values.indices.sorted { values[$0] < values[$1] }
        var cumulative: Float = 0
        var median = values[order[order.count - 1]]
        for i in order {
            cumulative += weights[i]
            if cumulative >= total / 2 { median = values[i]; break }
        }
        return values.indices.map { i in
            let d = (values[i] - median) / spread
            return weights[i] * exp(-d * d / 2)
        }
    }

    /// How far (in canvas samples, per plane) each source's robust weight is spread before the blend.
    /// The median changes source from one sample to the next where the sources disagree, which cut
    /// seams through the composites (a jaw edge across a cheek, a doubled eyelid) that swapped faces
    /// carried into every picture; spread over a few samples a change of source is a soft transition,
    /// and each part still follows the sources that carry it.
    static let weightSpread = (luma: 4, chroma: 2)

    /// Two passes of a box blur each way (close to a Gaussian) over a `width` x `height` map.
    static func spread(_ map: inout [Float], width: Int, height: Int, radius: Int) {
        guard radius > 0 else { return }
        func blurLines(count: Int, length: Int, index: (Int, Int) -> Int) {
            var line = [Float](repeating: 0, count: length), sums = [Float](repeating: 0, count: length + 1)
            for l in 0..<count {
                for _ in 0..<2 {
                    for i in 0..<length { sums[i + 1] = sums[i] + map[index(l, i)] }
                    for i in 0..<length {
                        let lo = max(0, i - radius), hi = min(length, i + radius + 1)
                        line[i] = (sums[hi] - sums[lo]) / Float(hi - lo)
                    }
                    for i in 0..<length { map[index(l, i)] = line[i] }
                }
            }
        }
        blurLines(count: height, length: width) { y, x in y * width + x }
        blurLines(count: width, length: height) { x, y in y * width + x }
    }

    /// Every source warped onto `target` (landmarks, forehead and the canvas's edges) and blended: at each
    /// sample, each part's weights (`weights[0]` the skin's, then `FacePart` order) by how much it counts
    /// there, made robust (`robustWeights`) and spread (`weightSpread`) before the mean.
    private func blend(onto target: FaceShape, weights: [[Float]]) -> Picture {
        let width = Self.canvasWidth, height = Self.canvasHeight
        let border = [Point(0, 0), Point(Float(width - 1), 0), Point(0, Float(height - 1)), Point(Float(width - 1), Float(height - 1)),
                      Point(Float(width / 2), 0), Point(Float(width / 2), Float(height - 1)), Point(0, Float(height / 2)),
                      Point(Float(width - 1), Float(height / 2))]
        let targetPoints = target.points + target.foreheadPoints() + border
        let triangles = Delaunay.triangulate(targetPoints)
        let lumaParts = Self.partWeights(target, width: width, height: height, subsampling: 1)
        let chromaParts = Self.partWeights(target, width: width / 2, height: height / 2, subsampling: 2)
        // Each source's warped samples and its weight at each, per plane, for the robust blend below.
        var samples = [[[UInt8]]](repeating: [], count: 3)
        var sampleWeights = [[[Float]]](repeating: [], count: 3)
        let warped = Picture(width: width, height: height)
        let coverage = Picture(width: width, height: height)
        for (sourceIndex, source) in sources.enumerated() {
            let toCanvas = Similarity(from: (source.shape.rightEyeCentre, source.shape.leftEyeCentre), to: (Self.rightEyeAt, Self.leftEyeAt))
            let sourcePoints = source.shape.points + source.shape.foreheadPoints() + border.map(toCanvas.inverse.apply)
            for t in triangles {
                let to = (targetPoints[t.a], targetPoints[t.b], targetPoints[t.c])
                let from = (sourcePoints[t.a], sourcePoints[t.b], sourcePoints[t.c])
                TriangleWarp.warp(source: source.picture.y, sourceTriangle: from, into: warped.y, coverage: coverage.y, origin: .zero,
                                  targetTriangle: to)
                let half: (Point, Point, Point) = (to.0 / 2, to.1 / 2, to.2 / 2)
                let fromHalf: (Point, Point, Point) = (from.0 / 2, from.1 / 2, from.2 / 2)
                TriangleWarp.warp(source: source.picture.u, sourceTriangle: fromHalf, into: warped.u, coverage: coverage.u,
                                  origin: .zero, targetTriangle: half)
                TriangleWarp.warp(source: source.picture.v, sourceTriangle: fromHalf, into: warped.v, coverage: coverage.v,
                                  origin: .zero, targetTriangle: half)
            }
            for (plane, planeIndex) in zip(warped.planes, 0...) {
                let parts = planeIndex == 0 ? lumaParts : chromaParts
                var values = [UInt8](repeating: 0, count: plane.width * plane.height)
                var weightsHere = [Float](repeating: 0, count: plane.width * plane.height)
                for y in 0..<plane.height {
                    let row = plane.row(y)
                    for x in 0..<plane.width {
                        let index = y * plane.width + x
                        var weight: Float = 0
                        for part in parts.indices { weight += parts[part][index] * weights[part][sourceIndex] }
                        values[index] = row[x]
                        weightsHere[index] = weight
                    }
                }
                samples[planeIndex].append(values)
                sampleWeights[planeIndex].append(weightsHere)
            }
        }
        let picture = Picture(width: width, height: height)
        for (plane, planeIndex) in zip(picture.planes, 0...) {
            let spread = planeIndex == 0 ? Self.robustSpread.luma : Self.robustSpread.chroma
            let count = plane.width * plane.height
            var robust = [[Float]](repeating: [Float](repeating: 0, count: count), count: sources.count)
            for index in 0..<count {
                let weightsHere = Self.robustWeights(samples[planeIndex].map { Float($0[index]) },
                                                     weights: sampleWeights[planeIndex].map { $0[index] }, spread: spread)
                for source in sources.indices { robust[source][index] = weightsHere[source] }
            }
            let radius = planeIndex == 0 ? Self.weightSpread.luma : Self.weightSpread.chroma
            for source in sources.indices { Self.spread(&robust[source], width: plane.width, height: plane.height, radius: radius) }
            for y in 0..<plane.height {
                let row = plane.row(y)
                for x in 0..<plane.width {
                    let index = y * plane.width + x
                    var sum: Float = 0, weightSum: Float = 0
                    for source in sources.indices {
                        sum += robust[source][index] * Float(samples[planeIndex][source][index])
                        weightSum += robust[source][index]
                    }
                    let value = weightSum > 0 ? sum / weightSum : Float(samples[planeIndex][0][index])
                    row[x] = UInt8(min(max(value, 0), 255).rounded())
                }
            }
        }
        return picture
    }
}

/// A small seeded generator (SplitMix64): the same seed gives the same composites on every machine, which
/// the system generator does not promise.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [low, high).
    mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * Float(next() >> 40) / Float(1 << 24)
    }

    /// `count` positive weights summing to 1, uniform over the simplex.
    mutating func dirichlet(_ count: Int) -> [Float] {
        let draws = (0..<count).map { _ in -log(max(uniform(0, 1), 1e-6)) }
        let sum = draws.reduce(0, +)
        return draws.map { $0 / sum }
    }
}
