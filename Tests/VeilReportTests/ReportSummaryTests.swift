import XCTest
@testable import VeilReport

final class ReportSummaryTests: XCTestCase {
    func testFiguresOfAHandWrittenLog() throws {
        let report = try LogFixtures.report(LogFixtures.complete)
        let whole = report.whole
        XCTAssertTrue(report.hasSummary)
        XCTAssertNil(report.cutOffLine)
        XCTAssertEqual(whole.framesWithFaces, 3)
        XCTAssertEqual(whole.faces, 6)
        XCTAssertEqual(whole.tracks, 2)
        XCTAssertEqual(whole.handling, [.init(handling: "swapped", faces: 4), .init(handling: "tracked", faces: 1),
                                        .init(handling: "covered", faces: 1)])
        XCTAssertEqual(whole.framesWithFallbackCover, 1)

        // NME 0.01 0.02 0.03 0.04 0.05: p50 and p95 by nearest rank on the rounded index, as the log's summary.
        let nme = try XCTUnwrap(whole.nme)
        XCTAssertEqual(nme.count, 5)
        XCTAssertEqual(nme.mean, 0.03, accuracy: 1e-12)
        XCTAssertEqual(nme.p50, 0.03)
        XCTAssertEqual(nme.p95, 0.05)
        XCTAssertEqual(nme.min, 0.01)
        XCTAssertEqual(nme.max, 0.05)
        XCTAssertEqual(try XCTUnwrap(whole.ownShapeNME).mean, 0.025, accuracy: 1e-12, "the replaced shape is left out of the keypoints target")
        let movement = try XCTUnwrap(whole.movementNME)
        XCTAssertEqual(movement.mean, 0.02, accuracy: 1e-12)
        XCTAssertEqual(movement.p95, 0.04)
        XCTAssertNil(whole.oks, "no record has OKS")

        XCTAssertEqual(whole.identity.checks, 4)
        XCTAssertEqual(whole.identity.passed, 3)
        XCTAssertEqual(try XCTUnwrap(whole.identity.distances).min, 0.5)
        XCTAssertEqual(try XCTUnwrap(whole.identity.distances).mean, 0.6625, accuracy: 1e-12)
        XCTAssertEqual(whole.incidents.map(\.frame), [1])
        XCTAssertEqual(whole.incidents.first?.track, 2)

        XCTAssertEqual(whole.movementTarget.verdict, .notMet, "mean 0.02 > 0.015")
        XCTAssertEqual(whole.absoluteTarget.verdict, .met, "mean 0.025 ≤ 0.03")
        XCTAssertEqual(whole.identityTarget.verdict, .notMet, "3 of 4 pass")

        XCTAssertEqual(whole.tracksFigures.map(\.track), [1, 2])
        let second = whole.tracksFigures[1]
        XCTAssertEqual(second.faces, 3)
        XCTAssertEqual(second.donors, ["b.png", "c.png"], "in the order the track got them")
        XCTAssertEqual(try XCTUnwrap(second.meanNME), 0.03, accuracy: 1e-12)
        XCTAssertEqual(second.identityChecks, 2)
        XCTAssertEqual(second.minIdentityDistance, 0.5)
        XCTAssertEqual(second.incidents, 1)
        XCTAssertTrue(report.cameras.isEmpty)
    }

    func testIdentityMarginIsTheOneGiven() throws {
        let report = try LogFixtures.report(LogFixtures.complete, identityMargin: 0.45)
        XCTAssertEqual(report.whole.identity.passed, 4)
        XCTAssertEqual(report.whole.identityTarget.verdict, .met)
    }

    func testSwappedFacesWithoutAnyIdentityCheckFailTheIdentityGoal() throws {
        let line = #"{"donor":"a.png","frame":0,"handling":"swapped","nme":0.02,"time":0,"track":1}"#
        XCTAssertEqual(try LogFixtures.report(line + "\n").whole.identityTarget.verdict, .notMet)
        let covered = #"{"frame":0,"handling":"covered","time":0,"track":1}"#
        XCTAssertEqual(try LogFixtures.report(covered + "\n").whole.identityTarget.verdict, .notMeasured)
    }

    func testCamerasAndOKSAreReportedWhenTheDaemonWritesThem() throws {
        let lines = [
            #"{"camera":"ward-2","donor":"a.png","frame":0,"handling":"swapped","nme":0.02,"oks":0.9,"time":0,"track":1}"#,
            #"{"camera":"ward-1","donor":"b.png","frame":0,"handling":"swapped","nme":0.01,"oks":0.8,"identity_distance":0.7,"time":0,"track":1}"#,
            #"{"camera":"ward-1","frame":1,"handling":"covered","time":0.04,"track":1}"#,
        ]
        let report = try LogFixtures.report(lines.joined(separator: "\n") + "\n")
        XCTAssertEqual(report.cameras.map(\.camera), ["ward-1", "ward-2"])
        XCTAssertEqual(report.whole.tracks, 2, "track 1 of each camera is a different person")
        XCTAssertEqual(report.whole.framesWithFaces, 3, "frame 0 of each camera counts once per camera")
        XCTAssertEqual(report.cameras[0].figures.faces, 2)
        XCTAssertEqual(report.cameras[0].figures.framesWithFallbackCover, 1)
        XCTAssertEqual(try XCTUnwrap(report.whole.oks).mean, 0.85, accuracy: 1e-12)

        let text = TerminalReport.render(report)
        XCTAssertTrue(text.contains("OKS"), text)
        XCTAssertTrue(text.contains("Cameras"), text)
        XCTAssertTrue(text.contains("ward-2"), text)
    }

    func testTerminalReportShowsFiguresBesideTheGoals() throws {
        let text = TerminalReport.render(try LogFixtures.report(LogFixtures.complete))
        XCTAssertTrue(text.contains("Summary record: present"), text)
        XCTAssertTrue(text.contains("mean ≤ 0.015: NOT MET"), text)
        XCTAssertTrue(text.contains("mean ≤ 0.03: ok"), text)
        XCTAssertTrue(text.contains("4 checks, min 0.5000, mean 0.6625, at or above the margin 3 (75.0%); target ≥ 99%: NOT MET"), text)
        XCTAssertTrue(text.contains("frame 1 (0.50 s), track 2: identity distance 0.500 < margin 0.6"), text)
        XCTAssertTrue(text.contains("b.png, c.png"), text)
        XCTAssertTrue(text.hasSuffix("Targets: NOT MET: movement NME; identity checks at or above the margin\n"), text)
    }
}

final class FormatTests: XCTestCase {
    func testTimesReadAsSecondsThenAsAClock() {
        XCTAssertEqual(Format.time(4.967), "4.97 s")
        XCTAssertEqual(Format.time(61.5), "1:01.50")
        XCTAssertEqual(Format.time(3725.5), "1:02:05.50")
        XCTAssertEqual(Format.span(0, 4.967), "0.00 s – 4.97 s")
        XCTAssertEqual(Format.span(0, 299.97), "0:00.00 – 4:59.97", "both ends in the later one's style")
    }
}
