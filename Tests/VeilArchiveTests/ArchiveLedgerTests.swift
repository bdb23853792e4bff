import VeilCore
import XCTest

final class ArchiveLedgerTests: XCTestCase {
    private func run(_ shard: String, inputs: [String], total: Int, at time: String = "2026-12-02T10:00:00.000Z") -> ArchiveLine {
        let parts = shard.split(separator: "/").compactMap { Int($0) }
        return .run(ArchiveRunRecord(run: "r-\(shard)-\(time)", host: "h", pid: 1, shard: try! ArchiveShard(index: parts[0], count: parts[1], source: "t"),
                                     started: time, models: [:], donors: [:], settings: [:], inputsTotal: total, inputs: inputs))
    }

    private func file(_ key: String, _ outcome: ArchiveOutcome, sha: String? = nil, at time: String = "2026-12-02T10:00:01.000Z") -> ArchiveLine {
        var record = ArchiveFileRecord(run: "r", input: "/archive/" + key, key: key, started: time, ended: time, outcome: outcome)
        record.output = key
        record.outputSHA256 = sha
        record.reason = outcome == .failed ? "cannot read" : nil
        return .file(record)
    }

    func testEachInputTakesItsLatestRecordAndEveryOutputIsHashedAgain() {
        let lines = [run("0/1", inputs: ["a", "b", "c", "d", "e"], total: 5),
                     file("a", .done, sha: "1"), file("b", .done, sha: "2"), file("c", .failed),
                     file("d", .failed, at: "2026-12-02T10:00:01.000Z"), file("d", .done, sha: "4", at: "2026-12-02T11:00:00.000Z")]
        let ledger = ArchiveLedger(lines: lines) { ["a": "1", "b": "edited", "d": "4"][$0] }
        XCTAssertEqual(ledger.entries.map(\.status), [.verified, .modified, .failed, .verified, .missing])
        XCTAssertEqual([ledger.files, ledger.done, ledger.count(.verified), ledger.failed, ledger.missing], [5, 3, 2, 1, 1])
        XCTAssertFalse(ledger.isComplete)
    }

    func testAShardThatNeverRanLeavesItsInputsMissing() {
        let lines = [run("0/2", inputs: ["a", "b"], total: 5), file("a", .done, sha: "1"), file("b", .done, sha: "2")]
        let ledger = ArchiveLedger(lines: lines) { ["a": "1", "b": "2"][$0] }
        XCTAssertEqual(ledger.missingShards, ["1/2"])
        XCTAssertEqual(ledger.missing, 3)
        XCTAssertFalse(ledger.isComplete)
        let whole = ArchiveLedger(lines: lines + [run("1/2", inputs: ["c"], total: 3), file("c", .skipped, sha: "3")]) { ["a": "1", "b": "2", "c": "3"][$0] }
        XCTAssertTrue(whole.isComplete)
        XCTAssertEqual(whole.files, 3)
    }

    func testOnlyFinishedRecordsCanBeReused() {
        let lines = [file("a", .done, sha: "1"), file("a", .failed, at: "2026-12-02T12:00:00.000Z"), file("b", .retry)]
        XCTAssertEqual(Array(ArchiveLedger.finishedRecords(lines).keys), ["a"])
    }

    func testATornLastLineIsLeftOut() {
        let good = ArchiveSchema.line(ArchiveFileRecord(run: "r", input: "x", key: "x", started: "t", ended: "t", outcome: .done))
        let lines = ArchiveLine.parse(good + "\n" + String(good.prefix(30)))
        XCTAssertEqual(lines.count, 1)
    }

    func testTimestampsSortAsTheyHappened() {
        let early = ArchiveSchema.timestamp(Date(timeIntervalSince1970: 1_000_000_000.5))
        XCTAssertEqual(early, "2001-09-09T01:46:40.500Z")
        XCTAssertLessThan(early, ArchiveSchema.timestamp(Date(timeIntervalSince1970: 1_000_000_001)))
    }
}
