@testable import VeilCore
import XCTest

final class ArchiveShardTests: XCTestCase {
    private let keys = (0..<200).map { "patient-\($0 / 10)/exam-\($0 % 10).mp4" }

    func testEveryInputBelongsToExactlyOneShardWhateverTheOrderOfListing() throws {
        let shards = try (0..<4).map { try ArchiveShard(index: $0, count: 4, source: "test") }
        for key in keys.shuffled() {
            XCTAssertEqual(shards.filter { $0.owns(key) }.count, 1, key)
        }
        let sizes = shards.map { shard in keys.filter(shard.owns).count }
        XCTAssertEqual(sizes.reduce(0, +), keys.count)
        // A hash spreads them: no shard is left idle or given most of the work.
        XCTAssertTrue(sizes.allSatisfy { (30...70).contains($0) }, "\(sizes)")
    }

    func testTheShareIsFixedByThePathAlone() {
        // FNV-1a's published test vector: the hash is the algorithm's, not this process's.
        XCTAssertEqual(ArchiveShard.stableHash("a"), 0xaf63_dc4c_8601_ec8c)
        XCTAssertEqual(ArchiveShard.whole.owns("anything"), true)
    }

    func testTheShardComesFromTheOptionThenSlurmThenKubernetes() throws {
        XCTAssertEqual(try ArchiveShard.resolve(shard: "1/3", shardCount: nil, environment: ["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "4"]).description, "1/3")
        XCTAssertEqual(try ArchiveShard.resolve(shard: nil, shardCount: nil, environment: ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4"]).description, "2/4")
        // An array numbered from 1 (--array=1-4) and one with steps (--array=0-6:2).
        XCTAssertEqual(try ArchiveShard.resolve(shard: nil, shardCount: nil, environment: ["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4",
                                                                                          "SLURM_ARRAY_TASK_MIN": "1"]).description, "3/4")
        XCTAssertEqual(try ArchiveShard.resolve(shard: nil, shardCount: nil, environment: ["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4",
                                                                                          "SLURM_ARRAY_TASK_STEP": "2"]).description, "2/4")
        XCTAssertEqual(try ArchiveShard.resolve(shard: nil, shardCount: 5, environment: ["JOB_COMPLETION_INDEX": "4"]).description, "4/5")
        XCTAssertEqual(try ArchiveShard.resolve(shard: nil, shardCount: nil, environment: [:]), .whole)
    }

    func testAShardThatCannotBeWorkedOutIsRefusedWithOneLine() {
        func message(_ shard: String?, _ count: Int?, _ environment: [String: String]) -> String {
            do {
                _ = try ArchiveShard.resolve(shard: shard, shardCount: count, environment: environment)
                return "accepted"
            } catch { return error.description }
        }
        XCTAssertEqual(message("4/4", nil, [:]), "--shard 4/4: shard index 4 is outside 0...3")
        XCTAssertEqual(message("a/b", nil, [:]), "--shard 'a/b': expected I/N, e.g. 0/4 for the first of four shards")
        XCTAssertTrue(message(nil, nil, ["JOB_COMPLETION_INDEX": "1"]).contains("--shard-count is not"))
        XCTAssertTrue(message(nil, nil, ["SLURM_ARRAY_TASK_ID": "1"]).contains("SLURM_ARRAY_TASK_COUNT is not"))
        XCTAssertTrue(message(nil, 3, [:]).contains("needs JOB_COMPLETION_INDEX"))
    }
}
