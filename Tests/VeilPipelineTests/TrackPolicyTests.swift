import VeilAnonymize
import VeilCore
import XCTest
@testable import VeilPipeline

/// The per-track rules FaceAnonymizer applies, without models: which donor a face wears, when consent
/// shows a face, what the stability figures say.
final class DonorAssignmentTests: XCTestCase {
    /// Descriptors on one axis: distances are differences.
    private func descriptor(_ x: Float) -> FaceDescriptor { FaceDescriptor(values: [x, 0]) }

    func testADonorWithinTheMarginIsNeverUsedAndTheFarthestComesFirst() {
        let donors = [0.3, 0.9, 0.7, 0.59].map { descriptor(Float($0)) }
        XCTAssertEqual(DonorAssignment.order(donors: donors, subject: descriptor(0), margin: 0.6, inUse: []), [1, 2])
    }

    func testNoDonorFarEnoughMeansNoOrder() {
        let donors = [0.1, 0.2].map { descriptor(Float($0)) }
        XCTAssertEqual(DonorAssignment.order(donors: donors, subject: descriptor(0), margin: 0.6, inUse: []), [])
    }

    /// A donor within the margin of someone else in the picture would show the subject as that
    /// person: it is never chosen, however far it is from the subject.
    func testADonorThatLooksLikeAnotherFaceInThePictureIsNotChosen() {
        let donors = [1, 2, 3].map { descriptor(Float($0)) }
        // The person beside the subject sits at 2.2: the donor at 2 looks like them, those at 1 and 3 do not.
        XCTAssertEqual(DonorAssignment.order(donors: donors, subject: descriptor(0), margin: 0.6, others: [descriptor(2.2)], inUse: []),
                       [2, 0])
        XCTAssertEqual(DonorAssignment.order(donors: donors, subject: descriptor(0), margin: 0.6, inUse: []), [2, 1, 0])
    }

    func testDonorsOtherFacesWearGoLast() {
        let donors = [0.9, 0.8, 0.7].map { descriptor(Float($0)) }
        XCTAssertEqual(DonorAssignment.order(donors: donors, subject: descriptor(0), margin: 0.6, inUse: [0]), [1, 2, 0])
    }

    private func claimant(_ order: [Int], wearing rank: Int = 0) -> DonorAssignment.Claimant {
        DonorAssignment.Claimant(order: order, rank: rank)
    }

    func testEachFaceKeepsTheDonorItWearsWhenNoOtherFaceShowsIt() {
        XCTAssertEqual(DonorAssignment.match([claimant([4, 2, 7]), claimant([2, 7], wearing: 1)]), [0, 1])
        XCTAssertEqual(DonorAssignment.match([claimant([4, 2, 7]), claimant([2, 4])]), [0, 0])
        XCTAssertEqual(DonorAssignment.match([]), [])
        XCTAssertEqual(DonorAssignment.match([claimant([])]), [nil])
    }

    /// A face moves on to the next free donor in its order, never back to one it was escalated past.
    func testAFaceWhoseDonorIsTakenMovesOnAndNeverBack() {
        XCTAssertEqual(DonorAssignment.match([claimant([4]), claimant([2, 4, 7], wearing: 1)]), [0, 2])
        XCTAssertEqual(DonorAssignment.match([claimant([4]), claimant([7, 4], wearing: 1)]), [0, nil])
    }

    /// Three faces, three donors, each face accepting two of them: taking donors in turn (the first
    /// free one each, in the faces' order) leaves the third face covered; the matching swaps all three.
    func testAsManyFacesAreSwappedAsTheDonorsAllow() {
        let faces = [claimant([0, 1]), claimant([1, 2]), claimant([0, 1])]
        let ranks = DonorAssignment.match(faces)
        let donors = zip(faces, ranks).compactMap { face, rank in rank.map { face.order[$0] } }
        XCTAssertEqual(donors.count, 3, "\(ranks)")
        XCTAssertEqual(Set(donors).count, 3, "no donor shown twice: \(ranks)")
    }

    /// More faces than donors: every donor is worn, once, and the rest are covered.
    func testFacesBeyondTheDonorsAreCovered() {
        let ranks = DonorAssignment.match((0..<5).map { _ in claimant([0, 1, 2]) })
        XCTAssertEqual(ranks.compactMap { $0 }.sorted(), [0, 1, 2])
        XCTAssertEqual(ranks.filter { $0 == nil }.count, 2)
    }
}

final class ConsentGateTests: XCTestCase {
    func testTwoMatchesInARowShowTheFaceAndOneMissEndsIt() {
        var gate = ConsentGate()
        XCTAssertNil(gate.observe(match: "ada", frame: 0))
        XCTAssertNil(gate.shownAs, "one match shows nobody")
        XCTAssertTrue(gate.isEngaged)
        XCTAssertEqual(gate.observe(match: "ada", frame: 10), .shown(as: "ada"))
        XCTAssertEqual(gate.shownAs, "ada")
        XCTAssertEqual(gate.observe(match: nil, frame: 20), .ended(wasShownAs: "ada"))
        XCTAssertNil(gate.shownAs)
        XCTAssertFalse(gate.isEngaged)
        XCTAssertNil(gate.observe(match: "ada", frame: 30), "after a miss, two new matches are needed")
        XCTAssertNil(gate.shownAs)
    }

    func testAMissBeforeConsentWasGivenStartsOver() {
        var gate = ConsentGate()
        _ = gate.observe(match: "ada", frame: 0)
        XCTAssertNil(gate.observe(match: nil, frame: 1), "nothing was shown, so nothing ends")
        XCTAssertNil(gate.observe(match: "ada", frame: 2))
        XCTAssertNil(gate.shownAs)
    }

    func testDoubtEndsConsentForUntrustedLandmarksUnseenFramesAndAStaleMatch() {
        var gate = ConsentGate()
        _ = gate.observe(match: "ada", frame: 0)
        _ = gate.observe(match: "ada", frame: 1)
        func doubt(trusted: Bool = true, unseen: Int = 0, frame: Int = 2) -> String? {
            gate.doubt(landmarksTrusted: trusted, unseenFrames: unseen, largestFollowedGap: 3, frame: frame, lifetime: 30)
        }
        XCTAssertNil(doubt())
        XCTAssertEqual(doubt(trusted: false), "landmarks not trusted")
        XCTAssertNil(doubt(unseen: 2))
        XCTAssertEqual(doubt(unseen: 3), "3 frames not seen")
        XCTAssertNil(doubt(frame: 31))
        XCTAssertEqual(doubt(frame: 32), "no matching check for 31 frames")
        XCTAssertEqual(gate.end(), .ended(wasShownAs: "ada"))
        XCTAssertNil(doubt(trusted: false), "a face not on its way to consent has nothing to doubt")
    }
}

final class StabilityMeterTests: XCTestCase {
    /// A 68-point face: a grid with the outer eye corners 40 px apart.
    private func face(offset: Point = .zero, scale: Float = 1) -> FaceShape {
        var points = (0..<FaceShape.count).map { Point(Float($0 % 9) * 10, Float($0 / 9) * 10) * scale + offset }
        points[36] = Point(0, 0) * scale + offset
        points[45] = Point(40, 0) * scale + offset
        return FaceShape(points: points)
    }

    func testTheSameLandmarksMeasureNoErrorAndFullSimilarity() {
        var meter = StabilityMeter()
        let figures = meter.measure(subject: face(), output: face(), frame: 0)
        XCTAssertEqual(figures.error, 0)
        XCTAssertEqual(figures.dynamicError, 0)
        XCTAssertEqual(figures.oks, 1, accuracy: 1e-6)
        XCTAssertNil(figures.jitter, "the first frame has nothing to move from")
    }

    func testAFixedOffsetIsErrorButNotMovementError() {
        var meter = StabilityMeter()
        let shift = Point(4, 0)
        let first = meter.measure(subject: face(), output: face(offset: shift), frame: 0)
        XCTAssertEqual(first.error, 0.1, accuracy: 1e-5, "4 px over a 40 px inter-ocular distance")
        let second = meter.measure(subject: face(offset: Point(10, 0)), output: face(offset: Point(10, 0) + shift), frame: 1)
        XCTAssertEqual(second.error, 0.1, accuracy: 1e-5)
        XCTAssertEqual(second.dynamicError, 0, accuracy: 1e-5, "the track's own offset is removed")
        XCTAssertEqual(second.jitter?.input ?? -1, 0.25, accuracy: 1e-5, "10 px moved, in inter-ocular distances")
        XCTAssertEqual(second.jitter?.output ?? -1, 0.25, accuracy: 1e-5)
    }

    func testJitterIsMeasuredOnlyBetweenConsecutiveFrames() {
        var meter = StabilityMeter()
        _ = meter.measure(subject: face(), output: face(), frame: 0)
        XCTAssertNil(meter.measure(subject: face(), output: face(), frame: 2).jitter)
        XCTAssertNotNil(meter.measure(subject: face(), output: face(), frame: 3).jitter)
    }
}

final class SwapLadderTests: XCTestCase {
    func testAFailedCheckTriesEveryDonorThenTheirShapesThenCoversForGood() {
        var ladder = SwapLadder.wearing(rank: 0, donorShape: false)
        var steps: [SwapLadder] = []
        for _ in 0..<5 {
            ladder = ladder.escalated(donors: 2)
            steps.append(ladder)
        }
        XCTAssertEqual(steps, [.wearing(rank: 1, donorShape: false), .wearing(rank: 0, donorShape: true),
                               .wearing(rank: 1, donorShape: true), .coveredForGood, .coveredForGood])
    }

    func testATrackThatStartsInTheDonorsShapeHasNoShapeStep() {
        XCTAssertEqual(SwapLadder.wearing(rank: 0, donorShape: true).escalated(donors: 1), .coveredForGood)
        XCTAssertNil(SwapLadder.coveredForGood.rank)
        XCTAssertFalse(SwapLadder.coveredForGood.wearsDonorShape)
    }
}

final class BlendWideningTests: XCTestCase {
    func testANarrowSwapWidensOnlyWithTheSurplusAndAWideOneNarrowsForGoodWhenItIsSpent() {
        let margin: Float = 0.6
        XCTAssertEqual(BlendWidening.narrow.after(check: 0.71, margin: margin), .narrow, "passes, but too little surplus to spend")
        XCTAssertEqual(BlendWidening.narrow.after(check: 0.72, margin: margin), .wide)
        XCTAssertEqual(BlendWidening.wide.after(check: 0.65, margin: margin), .wide, "surplus kept")
        XCTAssertEqual(BlendWidening.wide.after(check: 0.63, margin: margin), .narrowForGood, "surplus nearly spent")
        XCTAssertEqual(BlendWidening.wide.after(check: 0.4, margin: margin), .narrowForGood, "failed")
        XCTAssertEqual(BlendWidening.narrowForGood.after(check: 0.95, margin: margin), .narrowForGood, "never widens again")
    }

    func testOnlyAWideBlendReachesOverTheCheeksAndANewDonorStartsNarrow() {
        XCTAssertEqual(BlendWidening.wide.reach, .overCheeks)
        XCTAssertEqual(BlendWidening.narrow.reach, .insideOutline)
        XCTAssertEqual(BlendWidening.narrowForGood.reach, .insideOutline)
        XCTAssertEqual(BlendWidening.wide.forNewDonor, .narrow)
        XCTAssertEqual(BlendWidening.narrowForGood.forNewDonor, .narrowForGood)
    }
}

final class IdentityVerifierTests: XCTestCase {
    func testAPassedCheckVouchesForItsLifetimeAndNoLonger() {
        var identity = IdentityVerifier()
        XCTAssertFalse(identity.isVerified(at: 0), "nothing is vouched for before a check passes")
        XCTAssertTrue(identity.isDue(at: 0, interval: 30))
        identity.checked(at: 10, describingSubject: true)
        XCTAssertFalse(identity.isDue(at: 39, interval: 30))
        XCTAssertTrue(identity.isDue(at: 40, interval: 30))
        identity.passed(checkedAt: 10, lifetime: 120)
        XCTAssertTrue(identity.isVerified(at: 130))
        XCTAssertFalse(identity.isVerified(at: 131), "a pass expires: the face is covered until a newer one")
    }

    func testANewChoiceIsUnverifiedAndCheckedAtOnce() {
        var identity = IdentityVerifier()
        identity.checked(at: 10, describingSubject: true)
        identity.passed(checkedAt: 10, lifetime: 120)
        identity.unverify()
        XCTAssertFalse(identity.isVerified(at: 11))
        XCTAssertTrue(identity.isDue(at: 11, interval: 30))
    }

    func testTheSubjectIsDescribedAgainAfterItsRefreshOrWhenItCouldNotBeTrusted() {
        var identity = IdentityVerifier()
        XCTAssertTrue(identity.needsSubject(refresh: 3), "no descriptor yet")
        identity.subject = FaceDescriptor(values: [0, 0])
        identity.checked(at: 0, describingSubject: true)
        XCTAssertFalse(identity.needsSubject(refresh: 3))
        identity.checked(at: 30, describingSubject: false)
        identity.checked(at: 60, describingSubject: false)
        XCTAssertTrue(identity.needsSubject(refresh: 3), "three checks used it")
        identity.checked(at: 90, describingSubject: true)
        identity.forgetSubjectUses()
        XCTAssertTrue(identity.needsSubject(refresh: 3))
    }

    func testASmallFaceMustKeepMoreThanTheMargin() {
        XCTAssertEqual(IdentityVerifier.requiredMargin(0.6, faceWidth: 120), 0.6)
        XCTAssertEqual(IdentityVerifier.requiredMargin(0.6, faceWidth: 55), 0.65, accuracy: 1e-6)
    }
}

final class DonorSeparationTests: XCTestCase {
    func testTheClosestPairOfDonorsIsFound() {
        let donors = [0.0, 0.9, 0.45, 2.0].map { FaceDescriptor(values: [Float($0)]) }
        let pair = DonorAssignment.closestPair(donors)
        XCTAssertEqual(pair?.a, 0)
        XCTAssertEqual(pair?.b, 2)
        XCTAssertEqual(pair?.distance ?? 0, 0.45, accuracy: 1e-6)
        XCTAssertNil(DonorAssignment.closestPair([FaceDescriptor(values: [0])]))
    }
}
