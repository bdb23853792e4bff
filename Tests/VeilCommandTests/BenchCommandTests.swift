import Foundation
import XCTest

/// `veil bench` prints one JSON object with the figures the README quotes.
final class BenchCommandTests: XCTestCase {
    func testBenchReportsEveryStageAndTheWholeFileRate() throws {
        // A face large enough to be swapped (smaller ones are covered), so that every stage runs.
        let clip = try Run.sample("sample.mp4")
        let result = try Run.veil("bench", clip)
        XCTAssertEqual(result.status, 0, result.stderr)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: result.output) as? [String: Any])
        XCTAssertEqual(report["frames"] as? Int, try Probe(clip).videoFrames.count)
        XCTAssertEqual(report["size"] as? String, "1280x720")
        XCTAssertGreaterThan(report["fps"] as? Double ?? 0, 0)
        let stages = try XCTUnwrap(report["ms_per_frame"] as? [String: Double])
        for stage in ["decode", "detect", "landmarks", "warp", "blend", "encode"] {
            XCTAssertGreaterThan(stages[stage] ?? 0, 0, "\(stage) is timed")
        }
    }

    func testLiveBenchRunsWithinTheGivenBudgetAndRefusesAnImpossibleOne() throws {
        let clip = try Run.sample("subject-messi.mp4")
        let result = try Run.veil("bench", "--live", "--input", clip, "--size", "320x180", "--seconds", "2", "--mode", "blur",
                                  "--budget-ms", "20")
        XCTAssertEqual(result.status, 0, result.stderr)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: result.output) as? [String: Any])
        XCTAssertEqual(report["budget_ms"] as? Double, 20)
        XCTAssertGreaterThan(report["frames_out"] as? Int ?? 0, 30)

        let refused = try Run.veil("bench", "--live", "--input", clip, "--budget-ms", "0")
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("--budget-ms must be 1-1000"), refused.stderr)
    }
}
