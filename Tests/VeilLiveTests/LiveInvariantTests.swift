import VeilCore
@testable import VeilLive
import XCTest

/// The live invariant as a pure function, on synthetic clocks (milliseconds written as nanoseconds).
final class LiveInvariantTests: XCTestCase {
    private let ms: UInt64 = 1_000_000

    /// Frame 10 captured at 0 with a 100 ms budget; anonymizing costs 10 ms; passes take 30 ms.
    private func inputs(now: UInt64, finished: Int? = nil, running: LiveInvariant.Pass? = nil,
                        morePasses: Bool = true) -> LiveInvariant.Inputs {
        LiveInvariant.Inputs(sequence: 10, deadline: 100 * ms, now: now, finished: finished, running: running,
                             passDuration: 30 * ms, anonymizeCost: 10 * ms, morePasses: morePasses)
    }

    func testAFrameWithItsOwnPassIsAnonymized() {
        XCTAssertEqual(LiveInvariant.decide(inputs(now: 30 * ms, finished: 10)), .anonymize)
    }

    func testAPassOverALaterFrameClearsAnEarlierOne() {
        XCTAssertEqual(LiveInvariant.decide(inputs(now: 60 * ms, finished: 12)), .anonymize)
    }

    /// The hole this closes: older detections alone never let a frame out, however recent they are.
    func testAFrameIsNeverEmittedOnOlderPassesAlone() {
        // The newest pass (over frame 9) is not given as `finished`: only passes over this frame or later
        // count. With the running pass over frame 9 and time for the next one, the frame waits.
        let waiting = LiveInvariant.decide(inputs(now: 5 * ms, running: .init(sequence: 9, end: 20 * ms)))
        XCTAssertEqual(waiting, .wait(until: 90 * ms))
        // Late in the budget, with no pass over it able to end in time: covered whole, never anonymized.
        XCTAssertEqual(LiveInvariant.decide(inputs(now: 70 * ms, running: .init(sequence: 9, end: 80 * ms))), .coverWhole)
    }

    func testTheFrameWaitsForARunningPassOverItThatEndsInTime() {
        XCTAssertEqual(LiveInvariant.decide(inputs(now: 5 * ms, running: .init(sequence: 10, end: 35 * ms))), .wait(until: 90 * ms))
    }

    func testANextPassThatCannotEndInTimeCoversTheFrameAtOnce() {
        // The running pass looks at an earlier frame and ends at 70 ms; the next one would end at 100 ms,
        // past the last moment anonymizing can start (90 ms): no point waiting.
        XCTAssertEqual(LiveInvariant.decide(inputs(now: 5 * ms, running: .init(sequence: 9, end: 70 * ms))), .coverWhole)
    }

    func testAStalledPassIsWaitedForUntilTheLastMomentOnly() {
        // The pass over this frame was due at 35 ms and is still running at 50 ms: it may end any moment.
        XCTAssertEqual(LiveInvariant.decide(inputs(now: 50 * ms, running: .init(sequence: 10, end: 35 * ms))), .wait(until: 90 * ms))
        XCTAssertEqual(LiveInvariant.decide(inputs(now: 90 * ms, running: .init(sequence: 10, end: 35 * ms))), .coverWhole)
    }

    func testAnIdleDetectorIsExpectedToStartAPassNow() {
        XCTAssertEqual(LiveInvariant.decide(inputs(now: 5 * ms)), .wait(until: 90 * ms))
        XCTAssertEqual(LiveInvariant.decide(inputs(now: 65 * ms)), .coverWhole)
    }

    func testAStoppedDetectorWithNothingLeftCoversTheFrame() {
        XCTAssertEqual(LiveInvariant.decide(inputs(now: 5 * ms, morePasses: false)), .coverWhole)
        // A pass that already ended still clears it.
        XCTAssertEqual(LiveInvariant.decide(inputs(now: 5 * ms, finished: 10, morePasses: false)),
                       .anonymize)
    }

    func testAPassThatEndsTooLateForTheFullAnonymizerGetsTheQuickCover() {
        XCTAssertEqual(LiveInvariant.decide(inputs(now: 95 * ms, finished: 10)), .quickCover)
    }

    /// The rung between: a frame reached with its pass already finished, too late to anonymize in full
    /// (10 ms) before its deadline but not with the direct fit alone (6 ms). A pass is still waited for
    /// only while the full anonymizer can follow it.
    func testAPassTooLateForTheMirroredFitGetsTheDirectFitAlone() {
        func decide(now: UInt64, finished: Int? = nil, running: LiveInvariant.Pass? = nil) -> LiveInvariant.Decision {
            LiveInvariant.decide(LiveInvariant.Inputs(sequence: 10, deadline: 100 * ms, now: now, finished: finished, running: running,
                                                      passDuration: 30 * ms, anonymizeCost: 10 * ms, directFitCost: 6 * ms))
        }
        XCTAssertEqual(decide(now: 90 * ms, finished: 10), .anonymize)
        XCTAssertEqual(decide(now: 92 * ms, finished: 10), .anonymizeDirectFit)
        XCTAssertEqual(decide(now: 94 * ms, finished: 10), .anonymizeDirectFit)
        XCTAssertEqual(decide(now: 95 * ms, finished: 10), .quickCover)
        XCTAssertEqual(decide(now: 5 * ms, running: .init(sequence: 10, end: 35 * ms)), .wait(until: 90 * ms))
        XCTAssertEqual(decide(now: 50 * ms, running: .init(sequence: 10, end: 92 * ms)), .coverWhole)
    }

    /// A direct-fit estimate above the full one (a stale measurement) is never the later start.
    func testTheDirectFitNeverWaitsLongerThanItsCostAllows() {
        let inputs = LiveInvariant.Inputs(sequence: 10, deadline: 100 * ms, now: 93 * ms, finished: 10, running: nil,
                                          passDuration: 30 * ms, anonymizeCost: 10 * ms, directFitCost: 20 * ms)
        XCTAssertEqual(LiveInvariant.decide(inputs), .quickCover)
    }

    func testAFramePastItsDeadlineIsDropped() {
        XCTAssertEqual(LiveInvariant.decide(inputs(now: 100 * ms, finished: 10)), .drop)
        XCTAssertEqual(LiveInvariant.decide(inputs(now: 120 * ms)), .drop)
    }

    /// A budget smaller than the anonymizer's cost: no pass is ever waited for.
    func testABudgetBelowTheAnonymizerCostNeverWaits() {
        let tight = LiveInvariant.Inputs(sequence: 10, deadline: 5 * ms, now: 0, finished: nil, running: nil,
                                         passDuration: 1 * ms, anonymizeCost: 10 * ms)
        XCTAssertEqual(LiveInvariant.decide(tight), .coverWhole)
    }
}

/// The quick cover's regions: a face tracked on the last anonymized frame has moved on since, while the
/// frames between were covered whole and no track followed it.
final class QuickCoverRegionTests: XCTestCase {
    private func holds(_ regions: [Box], _ face: Box) -> Bool {
        regions.contains { $0.contains(face.min) && $0.contains(face.max) }
    }

    func testAFaceTrackedTenFramesAgoIsCoveredWhereItWalkedTo() {
        // Walking right at 5 px a frame: 50 px on from where the tracks last saw it.
        let seen = Box(x0: 100, y0: 100, x1: 180, y1: 180)
        let now = Box(x0: 150, y0: 100, x1: 230, y1: 180)
        let regions = LivePipeline.quickCoverRegions(tracked: [seen], framesSinceTracked: 10, pass: [], framesAhead: 0, unapplied: [])
        XCTAssertTrue(holds(regions, now), "\(regions)")
    }

    func testTheLastFramesFacesAndThePassAndUnappliedPassesAreAllCovered() {
        let tracked = Box(x0: 0, y0: 0, x1: 10, y1: 10), later = Box(x0: 50, y0: 50, x1: 60, y1: 60)
        let earlier = Box(x0: 100, y0: 0, x1: 110, y1: 10)
        let regions = LivePipeline.quickCoverRegions(tracked: [tracked], framesSinceTracked: 1, pass: [later], framesAhead: 2,
                                                     unapplied: [([earlier], 3)])
        XCTAssertEqual(regions.count, 3)
        for face in [tracked, later, earlier] { XCTAssertTrue(holds(regions, face)) }
        XCTAssertGreaterThan(regions[1].width, later.width * 1.5, "grown for the two frames to the pass's")
    }
}
