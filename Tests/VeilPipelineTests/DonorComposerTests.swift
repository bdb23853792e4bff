import VeilCore
import VeilVision
import XCTest
@testable import VeilPipeline

/// The composer's arithmetic, without models: the generator, the weight cap, the alignment and the shape.
final class DonorComposerTests: XCTestCase {
    func testTheGeneratorGivesTheSameDrawsForTheSameSeed() {
        var a = SplitMix64(seed: 7), b = SplitMix64(seed: 7), c = SplitMix64(seed: 8)
        let first = (0..<5).map { _ in a.next() }
        XCTAssertEqual(first, (0..<5).map { _ in b.next() })
        XCTAssertNotEqual(first, (0..<5).map { _ in c.next() })
        var weights = SplitMix64(seed: 1)
        let drawn = weights.dirichlet(4)
        XCTAssertEqual(drawn.reduce(0, +), 1, accuracy: 1e-5)
        XCTAssertTrue(drawn.allSatisfy { $0 > 0 })
    }

    func testNoSourceGivesMoreThanTheCapAndTheWeightsStillSumToOne() {
        let capped = DonorComposer.capped([0.85, 0.1, 0.04, 0.01], at: 0.45)
        XCTAssertEqual(capped.reduce(0, +), 1, accuracy: 1e-5)
        XCTAssertTrue(capped.allSatisfy { $0 <= 0.45 + 1e-5 }, "\(capped)")
        XCTAssertLessThan(capped[3], capped[2], "the others keep their order")
        XCTAssertEqual(DonorComposer.capped([0.3, 0.3, 0.4], at: 0.45), [0.3, 0.3, 0.4], "weights under the cap are left alone")
    }

    func testTheSimilarityPutsTheEyesWhereAskedAndItsInverseUndoesIt() {
        let align = Similarity(from: (Point(100, 50), Point(140, 80)), to: (Point(135, 200), Point(225, 200)))
        XCTAssertEqual(distance(align.apply(Point(100, 50)), Point(135, 200)), 0, accuracy: 1e-3)
        XCTAssertEqual(distance(align.apply(Point(140, 80)), Point(225, 200)), 0, accuracy: 1e-3)
        let p = Point(37, -12)
        XCTAssertEqual(distance(align.inverse.apply(align.apply(p)), p), 0, accuracy: 1e-3)
    }

    func testTheInnerLipsOpenAsInTheTextureNotAsInTheShapesCaricature() {
        // Two sources: the first with its mouth shut, the second open; the shape steps far towards the
        // second, the texture is all the first's: the composite's mouth stays shut.
        let shut = (0..<FaceShape.count).map { i in Point(Float(i % 17) * 10, Float(i / 17) * 10) }
        var open = shut
        for i in FaceShape.innerLips where [65, 66, 67].contains(i) { open[i].y += 20 }
        var random = SplitMix64(seed: 3)
        let shape = DonorComposer.targetShape(aligned: [shut, open], steps: [0, 1], mouthWeights: [1, 0], random: &random)
        // 66, the lower inner lip's middle, sits as far below 62, the upper one's, as on the shut mouth.
        XCTAssertEqual(shape[66].y - shape[62].y, shut[66].y - shut[62].y, accuracy: 1, "the inner lips as the texture's source has them")
        let wide = DonorComposer.targetShape(aligned: [shut, open], steps: [0, 1], mouthWeights: [0, 1], random: &random)
        XCTAssertEqual(wide[66].y - wide[62].y, open[66].y - open[62].y, accuracy: 1, "and open where the texture's mouth is")
    }

    func testASourceFarFromTheMedianLosesItsWeightAndOnesNearItKeepTheirs() {
        let weights = DonorComposer.robustWeights([100, 104, 180], weights: [0.3, 0.3, 0.4], spread: 24)
        XCTAssertEqual(weights[0], 0.3, accuracy: 0.01, "at the median")
        XCTAssertGreaterThan(weights[1], 0.29, "within the spread")
        XCTAssertLessThan(weights[2], 0.01, "an outlier, though the heaviest")
        XCTAssertEqual(DonorComposer.robustWeights([10, 200], weights: [0, 0], spread: 24), [0, 0], "no weight: none made up")
    }

    /// Where the blend changes source from one sample to the next, the change is spread over a few
    /// samples each side (no seam), and nothing changes far from it.
    func testSpreadingTurnsAStepIntoARampAndLeavesFlatPartsAlone() {
        let width = 40, height = 6
        var map = (0..<width * height).map { Float($0 % width < 20 ? 0 : 1) }
        DonorComposer.spread(&map, width: width, height: height, radius: 4)
        let row = Array(map[2 * width..<3 * width])
        XCTAssertEqual(row[0], 0, accuracy: 1e-6)
        XCTAssertEqual(row[width - 1], 1, accuracy: 1e-6)
        XCTAssertEqual(row[19] + row[20], 1, accuracy: 1e-4, "symmetric about the step")
        XCTAssertTrue((16...23).allSatisfy { row[$0] > 0 && row[$0] < 1 }, "a ramp across the step: \(row)")
        XCTAssertTrue(zip(row, row.dropFirst()).allSatisfy { $0 <= $1 + 1e-6 }, "rising throughout")
        XCTAssertTrue(zip(row, row.dropFirst()).allSatisfy { $1 - $0 < 0.2 }, "no jump left")
    }
}

/// Glasses on a source face: found on the installed sources, and kept out of the eyes, nose and skin.
final class DonorGlassesTests: XCTestCase {
    func testASourceWearingGlassesGivesNoWeightAndTheOthersShareIt() {
        let weights = DonorComposer.withoutGlasses([0.4, 0.3, 0.2, 0.1], [false, true, false, false])
        XCTAssertEqual(weights[1], 0)
        XCTAssertEqual(weights.reduce(0, +), 1, accuracy: 1e-5)
        XCTAssertEqual(weights[0] / weights[2], 2, accuracy: 1e-5, "the others keep their proportions")
    }

    /// Real faces (the installed donor sources): Grace Hopper's glasses are found, the three faces
    /// without glasses are not taken for wearing them.
    func testGraceHoppersGlassesAreFoundAndNoOneElsesAre() throws {
        let data = try DataDirectory.locate()
        let predictor = try LandmarkPredictor(modelPath: data.landmarkModel)
        let encoder = try FaceEncoder(modelPath: data.descriptorModel)
        let sources = try FaceModels.loadDonors(at: data.donorSourceDirectory.path, data: data, predictor: predictor, encoder: encoder)
        XCTAssertEqual(Set(sources.map(\.name)), ["astronaut.png", "biden.jpg", "grace_hopper.jpg", "obama.jpg"])
        let wearing = sources.filter(DonorComposer.wearsGlasses).map(\.name)
        XCTAssertEqual(wearing, ["grace_hopper.jpg"])
    }
}
