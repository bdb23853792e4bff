import Foundation
import VeilTestSupport
import XCTest

/// `veil report` on a stability log made by `veil process` on the sample clip.
final class ReportCommandTests: DirectoryTestCase {

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func testReportsAProcessRunOnTheTerminalAndAsAPage() throws {
        let input = try Run.sample("sample.mp4")
        let log = path("stability.jsonl"), page = path("report.html")
        let processed = try Run.veil("process", input, "-o", path("out.mp4"), "--stability-log", log)
        XCTAssertEqual(processed.status, 0, processed.stderr)

        let result = try Run.veil("report", log, "--html", page)
        XCTAssertEqual(result.status, 0, result.stderr)
        for line in ["Stability log \(log)", "Summary record: present", "Handling of faces", "swapped",
                     "Keypoint error", "absolute", "movement", "Identity checks", "Incidents:", "Tracks", "Targets:"] {
            XCTAssertTrue(result.stdout.contains(line), "'\(line)' in:\n\(result.stdout)")
        }
        let html = try String(contentsOfFile: page, encoding: .utf8)
        XCTAssertTrue(html.contains("<svg"))
        XCTAssertFalse(html.lowercased().contains("http"))

        // The same log cut off mid-line, as a killed run leaves it.
        let text = try String(contentsOfFile: log, encoding: .utf8)
        let cut = path("cut.jsonl")
        try String(text.prefix(text.count / 2)).write(toFile: cut, atomically: false, encoding: .utf8)
        let partial = try Run.veil("report", cut)
        XCTAssertEqual(partial.status, 0, partial.stderr)
        XCTAssertTrue(partial.stdout.contains("Summary record: MISSING"), partial.stdout)
    }

    func testErrorsAreOneLineNamingTheFile() throws {
        let missing = path("missing.jsonl")
        let result = try Run.veil("report", missing)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertEqual(result.stderr, "veil: error: cannot read '\(missing)': No such file or directory\n")

        let bad = path("bad.jsonl")
        try "{\"frame\":0,\"time\":0,\"track\":1,\"handling\":\"covered\"}\nnot json\n".write(toFile: bad, atomically: false, encoding: .utf8)
        let malformed = try Run.veil("report", bad)
        XCTAssertNotEqual(malformed.status, 0)
        XCTAssertEqual(malformed.stderr, "veil: error: \(bad):2: not JSON Lines (this line is not a JSON object)\n")
        XCTAssertEqual(malformed.stdout, "")
    }
}
