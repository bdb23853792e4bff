import XCTest
import VeilCore
@testable import VeilReport

/// The writer's records and the reader's are one type: what the pipeline writes, the report reads back
/// whole, and a log written before the schema field still reads.
final class StabilitySchemaTests: XCTestCase {
    func testAWrittenFaceRecordReadsBackWithEveryFieldAndTheSchemaVersion() throws {
        var record = StabilityRecord(frame: 7, time: 0.233, track: 3, handling: "consented")
        record.camera = "room/1"
        record.consentedAs = "nurse.ada"
        record.nme = StabilitySchema.figure(Float(0.012345))
        record.jitterInput = 0.5
        record.jitterOutput = 0.25
        record.identityDistance = StabilitySchema.figure(Double.nan)
        let line = StabilitySchema.line(record)
        XCTAssertTrue(line.hasPrefix(#"{"camera":"room/1","consented_as":"nurse.ada","frame":7,"#), line)
        XCTAssertFalse(line.contains("identity_distance"), "an unmeasured figure is absent, not NaN: \(line)")
        let log = try LogFixtures.log(line + "\n")
        XCTAssertEqual(log.records, [record])
        XCTAssertEqual(log.records.first?.schema, StabilitySchema.version)
        XCTAssertEqual(log.records.first?.nme, 0.0123)
    }

    func testASummaryAndAWindowAreToldApartAndTheWindowIsNotAFace() throws {
        var window = StabilitySummaryRecord(summary: false)
        window.window = 60
        window.camera = "room"
        window.faces = 12
        var summary = StabilitySummaryRecord(summary: true)
        summary.frames = 90
        summary.nmeMean = 0.02
        let text = [StabilitySchema.line(window), StabilitySchema.line(summary)].joined(separator: "\n") + "\n"
        let log = try LogFixtures.log(text)
        XCTAssertEqual(log.records, [])
        XCTAssertEqual(log.summaries, [summary])
    }

    func testALogFromBeforeTheSchemaFieldReadsAsSchemaOne() throws {
        let log = try LogFixtures.log(LogFixtures.complete)
        XCTAssertEqual(log.records.count, LogFixtures.faceLines.count)
        XCTAssertTrue(log.records.allSatisfy { $0.schema == nil })
        XCTAssertEqual(log.summaries.first?.identityDistanceMin, 0.5)
        XCTAssertEqual(log.records.first?.pts, 0)
    }
}
