import VeilTestSupport
import XCTest
@testable import VeilReport

final class HTMLReportTests: XCTestCase {
    private func occurrences(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    func testThePageIsSelfContainedWithAChartPerFigure() throws {
        let html = HTMLReport.render(try LogFixtures.report(LogFixtures.complete))
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertTrue(html.hasSuffix("</html>\n"))
        XCTAssertEqual(occurrences("<svg", in: html), 3, "NME, identity, handling")
        XCTAssertEqual(occurrences("</svg>", in: html), 3)
        XCTAssertFalse(html.lowercased().contains("http"), "no external asset")
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("<img"), "no pixels")

        XCTAssertEqual(occurrences("<circle", in: html), 4, "a point per identity check")
        XCTAssertEqual(occurrences("class=\"incident\"", in: html), 3, "the incident marked on each chart")
        // Three frames have an NME: one line of three points per series.
        XCTAssertEqual(polylinePoints(series: "nme", in: html), [3])
        XCTAssertEqual(polylinePoints(series: "nme-movement", in: html), [3])
        XCTAssertTrue(html.contains("NOT MET"))
    }

    func testAGapInTheFramesBreaksTheLine() throws {
        let lines = [0, 1, 5, 6, 7].map { #"{"donor":"a.png","frame":\#($0),"handling":"swapped","nme":0.02,"time":\#(Double($0) / 30),"track":1}"# }
        let html = HTMLReport.render(try LogFixtures.report(lines.joined(separator: "\n") + "\n"))
        XCTAssertEqual(polylinePoints(series: "nme", in: html), [2, 3])
    }

    func testTextFromTheLogIsEscaped() throws {
        let line = #"{"donor":"<b>x</b>.png","frame":0,"handling":"swapped","incident":"a < b & \"c\"","time":0,"track":1}"#
        let html = HTMLReport.render(try LogFixtures.report(line + "\n"))
        XCTAssertFalse(html.contains("<b>x</b>"))
        XCTAssertTrue(html.contains("&lt;b&gt;x&lt;/b&gt;.png"))
        XCTAssertTrue(html.contains("a &lt; b &amp; &quot;c&quot;"))
    }

    func testThePageIsWrittenAtomically() throws {
        let directory = try TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("report.html").path
        let link = directory.appendingPathComponent("old.html").path
        try "old page".write(toFile: path, atomically: false, encoding: .utf8)
        XCTAssertEqual(Foundation.link(path, link), 0)

        try HTMLReport.write("new page", to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "new page")
        // A write in place would have changed the old file through its other name; a rename leaves it.
        XCTAssertEqual(try String(contentsOfFile: link, encoding: .utf8), "old page")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted(), ["old.html", "report.html"],
                       "no temporary file left")
    }

    func testAnUnwritablePlaceIsAnErrorNamingIt() {
        XCTAssertThrowsError(try HTMLReport.write("page", to: "/nonexistent/report.html")) { error in
            XCTAssertEqual("\(error)", "cannot write '/nonexistent/report.html': No such file or directory")
        }
    }

    /// The number of points of each polyline of a series, in page order.
    private func polylinePoints(series: String, in html: String) -> [Int] {
        html.components(separatedBy: "<polyline class=\"\(series)\"").dropFirst().map { chunk in
            let points = chunk.components(separatedBy: "points=\"")[1].prefix { $0 != "\"" }
            return points.split(separator: " ").count
        }
    }
}
