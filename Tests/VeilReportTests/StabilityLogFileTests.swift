import VeilTestSupport
import XCTest
@testable import VeilReport

final class StabilityLogFileTests: XCTestCase {
    func testACutOffLogStillReportsAndSaysSo() throws {
        // A killed run: no summary record, and the last line stops mid-record.
        let text = LogFixtures.faceLines.joined(separator: "\n") + "\n" + #"{"donor":"a.png","frame":3,"handl"#
        let report = try LogFixtures.report(text)
        XCTAssertFalse(report.hasSummary)
        XCTAssertEqual(report.cutOffLine, 7)
        XCTAssertEqual(report.whole.faces, 6)
        let output = TerminalReport.render(report)
        XCTAssertTrue(output.contains("Summary record: MISSING"), output)
        XCTAssertTrue(output.contains("Line 7 stops mid-record and is skipped"), output)
    }

    func testALogWithoutSummaryButWholeLinesReportsTheMissingSummary() throws {
        let report = try LogFixtures.report(LogFixtures.faceLines.joined(separator: "\n") + "\n")
        XCTAssertFalse(report.hasSummary)
        XCTAssertNil(report.cutOffLine)
        XCTAssertTrue(TerminalReport.render(report).contains("Summary record: MISSING"))
    }

    func testAMalformedLineInTheMiddleIsNamedByNumber() throws {
        var lines = LogFixtures.faceLines
        lines[2] = #"{"frame":1,"handling":"swapp"#
        XCTAssertThrowsError(try LogFixtures.log(lines.joined(separator: "\n") + "\n", path: "/logs/run.jsonl")) { error in
            XCTAssertEqual("\(error)", "/logs/run.jsonl:3: not JSON Lines (this line is not a JSON object)")
        }
        lines[2] = #"{"frame":1}"#
        XCTAssertThrowsError(try LogFixtures.log(lines.joined(separator: "\n") + "\n")) { error in
            XCTAssertEqual("\(error)", #"run.jsonl:3: not a stability log record (no "time")"#)
        }
        lines[2] = #"{"frame":"one","time":0,"track":1,"handling":"swapped"}"#
        XCTAssertThrowsError(try LogFixtures.log(lines.joined(separator: "\n") + "\n")) { error in
            XCTAssertEqual("\(error)", #"run.jsonl:3: not a stability log record ("frame" has the wrong type)"#)
        }
    }

    func testAFileThatIsNotJSONLinesIsAnErrorEvenWithoutANewline() {
        XCTAssertThrowsError(try LogFixtures.log("ftypisom\u{0}\u{1}binary")) { error in
            XCTAssertEqual("\(error)", "run.jsonl:1: not JSON Lines (this line is not a JSON object)")
        }
        XCTAssertThrowsError(try LogFixtures.log("[1, 2]\n")) { error in
            XCTAssertEqual("\(error)", "run.jsonl:1: not a stability log record (not a JSON object)")
        }
    }

    func testAnEmptyLogIsAnError() {
        for text in ["", "\n\n", "  \n"] {
            XCTAssertThrowsError(try LogFixtures.log(text)) { error in
                XCTAssertEqual("\(error)", "run.jsonl: the stability log is empty")
            }
        }
    }

    func testAMissingFileIsAnErrorNamingIt() throws {
        XCTAssertThrowsError(try StabilityLogFile.read(path: "/nonexistent/run.jsonl")) { error in
            XCTAssertEqual("\(error)", "cannot read '/nonexistent/run.jsonl': No such file or directory")
        }
        let directory = try TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(at: directory) }
        XCTAssertThrowsError(try StabilityLogFile.read(path: directory.path)) { error in
            XCTAssertEqual("\(error)", "cannot read '\(directory.path)': it is a directory")
        }
    }

    func testASummaryOnlyLogReportsNoFaces() throws {
        let report = try LogFixtures.report(#"{"faces":0,"frames":90,"summary":true}"# + "\n")
        XCTAssertEqual(report.whole.faces, 0)
        XCTAssertTrue(TerminalReport.render(report).contains("0 frames with faces (of 90 in the run)"))
    }
}
