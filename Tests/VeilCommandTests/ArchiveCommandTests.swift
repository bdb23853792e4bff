import Foundation
import VeilTestSupport
import XCTest

/// `veil process DIR -o OUTDIR` and `veil manifest`, end to end on short clips cut from a moving real
/// face (the sample), checked with the real ffprobe and sha256sum.
final class ArchiveCommandTests: DirectoryTestCase {
    private var archive: URL { directory.appendingPathComponent("archive") }
    private var outdir: String { directory.appendingPathComponent("out").path }

    /// A clip of `seconds` from the sample, 640 px wide, at `name` below the archive.
    private func clip(_ name: String, start: Double = 0, seconds: Double = 0.7, _ extra: [String] = []) throws {
        let path = archive.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Program.ffmpeg(["-ss", "\(start)", "-t", "\(seconds)", "-i", try Run.sample("sample.mp4"), "-vf", "scale=640:-2",
                            "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"] + extra + [path.path]).checked()
    }

    private func records(_ name: String = "shard-0-of-1.jsonl") throws -> [[String: Any]] {
        let text = try String(contentsOfFile: "\(outdir)/.veil/\(name)", encoding: .utf8)
        return try text.split(separator: "\n").map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    private func sha256(_ path: String) throws -> String {
        String(try Program.run("/usr/bin/sha256sum", [path]).checked().stdout.prefix(64))
    }

    private func manifest(_ extra: String...) throws -> Program.Result { try Program.run(Run.veil, ["manifest", outdir] + extra) }

    /// Every file under OUTDIR outside .veil/, relative.
    private func outputs() throws -> [String] {
        let enumerator = try XCTUnwrap(FileManager.default.enumerator(atPath: outdir))
        return enumerator.compactMap { $0 as? String }.filter { !$0.hasPrefix(".veil") }
            .filter { var d: ObjCBool = false; return FileManager.default.fileExists(atPath: "\(outdir)/\($0)", isDirectory: &d) && !d.boolValue }
            .sorted()
    }

    func testAnArchiveIsMirroredAndRecordedAndACorruptInputIsNamedWhileTheRestIsDone() throws {
        try clip("p1/walk.mp4", ["-metadata", "location=+48.8577+002.2950/", "-metadata", "creation_time=2024-05-01T10:00:00Z",
                                 "-metadata", "make=ClinicCam"])
        try clip("p1/visit 2/turn.mov", start: 1)
        try clip("p2/talk.mkv", start: 2)
        try Data((0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }).write(to: archive.appendingPathComponent("p2/broken.mp4"))
        try Data("not video".utf8).write(to: archive.appendingPathComponent("p2/notes.txt"))

        let result = try Run.veil("process", archive.path, "-o", outdir, "--jobs", "2")
        XCTAssertEqual(result.status, 3, "some inputs failed: \(result.stderr)")
        XCTAssertTrue(result.stderr.contains("veil: failed: p2/broken.mp4: "), result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").filter { $0.hasPrefix("veil: failed:") }.count, 1, result.stderr)
        XCTAssertEqual(try outputs(), ["p1/visit 2/turn.mov", "p1/walk.mp4", "p2/talk.mkv"], "the tree mirrored, only finished files")
        for name in try outputs() {
            XCTAssertEqual(try Probe("\(outdir)/\(name)").videoFrames.count, try Probe(archive.appendingPathComponent(name).path).videoFrames.count, name)
        }

        // Metadata that identifies (where, when, which device) is not copied.
        let tags = try Program.ffprobe(["-show_entries", "format_tags:stream_tags", "-of", "default", "\(outdir)/p1/walk.mp4"]).checked().stdout
        XCTAssertTrue(try Program.ffprobe(["-show_entries", "format_tags", "-of", "default", archive.appendingPathComponent("p1/walk.mp4").path])
            .checked().stdout.contains("location"), "the input carries a location")
        for tag in ["location", "creation_time", "ClinicCam"] { XCTAssertFalse(tags.contains(tag), "\(tag) in \(tags)") }

        // The manifest: the run, then a record per input with what came in and went out.
        let lines = try records()
        let run = try XCTUnwrap(lines.first)
        XCTAssertEqual(run["kind"] as? String, "run")
        XCTAssertEqual((run["models"] as? [String: String])?.count, 3)
        XCTAssertGreaterThanOrEqual((run["donors"] as? [String: String])?.count ?? 0, 8)
        XCTAssertTrue(((run["models"] as? [String: String]) ?? [:]).values.allSatisfy { $0.count == 64 })
        XCTAssertNotNil(run["veil_version"] as? String)
        XCTAssertEqual((run["settings"] as? [String: String])?["mode"], "swap")
        let files = Dictionary(uniqueKeysWithValues: lines.dropFirst().map { ($0["key"] as? String ?? "", $0) })
        XCTAssertEqual(files.count, 4)
        let walk = try XCTUnwrap(files["p1/walk.mp4"])
        XCTAssertEqual(walk["outcome"] as? String, "done")
        XCTAssertEqual(walk["input_sha256"] as? String, try sha256(archive.appendingPathComponent("p1/walk.mp4").path))
        XCTAssertEqual(walk["output_sha256"] as? String, try sha256("\(outdir)/p1/walk.mp4"))
        let figures = try XCTUnwrap(walk["figures"] as? [String: Any])
        XCTAssertEqual(figures["frames"] as? Int, try Probe("\(outdir)/p1/walk.mp4").videoFrames.count)
        XCTAssertGreaterThan(figures["faces"] as? Int ?? 0, 0)
        XCTAssertGreaterThanOrEqual(figures["identity_distance_min"] as? Double ?? 0, 0.6)
        XCTAssertEqual(files["p2/broken.mp4"]?["outcome"] as? String, "failed")
        XCTAssertFalse((files["p2/broken.mp4"]?["reason"] as? String ?? "").isEmpty)

        // `veil manifest` verifies: three done and verified, one failed; not complete.
        let json = try manifest("--json")
        XCTAssertEqual(json.status, 1)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: json.output) as? [String: Any])
        XCTAssertEqual(document["done"] as? Int, 3)
        XCTAssertEqual(document["verified"] as? Int, 3)
        XCTAssertEqual(document["failed"] as? Int, 1)
        XCTAssertEqual(document["missing"] as? Int, 0)
        XCTAssertEqual((document["files"] as? [Any])?.count, 4)

        // The archive's report: one page, the file that failed first.
        let report = try Run.veil("report", outdir)
        XCTAssertEqual(report.status, 0, report.stderr)
        let page = try String(contentsOfFile: "\(outdir)/.veil/report.html", encoding: .utf8)
        let rows = page.components(separatedBy: "<tr class=").dropFirst()
        XCTAssertEqual(rows.count, 4)
        XCTAssertTrue(rows.first?.contains("p2/broken.mp4") ?? false, "the failure comes first")
        XCTAssertFalse(page.contains("<script"))

        // An output edited after the run is named; run again, it is made anew and the others are kept.
        let edited = FileHandle(forWritingAtPath: "\(outdir)/p2/talk.mkv")!
        edited.seekToEndOfFile()
        edited.write(Data("edited".utf8))
        edited.closeFile()
        let check = try manifest()
        XCTAssertEqual(check.status, 1)
        XCTAssertTrue(check.stdout.contains("modified  p2/talk.mkv → p2/talk.mkv"), check.stdout)
        let again = try Run.veil("process", archive.path, "-o", outdir)
        XCTAssertEqual(again.status, 3, again.stderr)
        XCTAssertTrue(again.stdout.contains("veil: skipped: p1/walk.mp4"), again.stdout)
        XCTAssertTrue(again.stdout.contains("veil: done: p2/talk.mkv"), again.stdout)
        XCTAssertTrue(try manifest().stdout.contains("verified  p2/talk.mkv"))
    }

    func testAnArchiveKilledMidwayResumesWithoutRedoingFinishedFiles() throws {
        for index in 0..<4 { try clip("clip-\(index).mp4", start: Double(index), seconds: 1) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Run.veil)
        process.arguments = ["process", archive.path, "-o", outdir, "--jobs", "1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        var finished: [String] = []
        while finished.isEmpty && Date() < deadline && process.isRunning {
            Thread.sleep(forTimeInterval: 0.05)
            finished = ((try? records()) ?? []).filter { $0["outcome"] as? String == "done" }.compactMap { $0["key"] as? String }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal, "killed before the archive was done")
        XCTAssertFalse(finished.isEmpty)
        XCTAssertLessThan(finished.count, 4)
        // Only finished files under their own names; what was being written is hidden and temporary.
        XCTAssertEqual(try outputs().filter { !($0 as NSString).lastPathComponent.hasPrefix(".") }.count, finished.count)
        let kept = try finished.map { try FileManager.default.attributesOfItem(atPath: "\(outdir)/\($0)")[.modificationDate] as? Date }

        let resumed = try Run.veil("process", archive.path, "-o", outdir, "--jobs", "1")
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        for name in finished { XCTAssertTrue(resumed.stdout.contains("veil: skipped: \(name)"), resumed.stdout) }
        XCTAssertEqual(resumed.stdout.components(separatedBy: "veil: done: ").count - 1, 4 - finished.count, resumed.stdout)
        XCTAssertEqual(try finished.map { try FileManager.default.attributesOfItem(atPath: "\(outdir)/\($0)")[.modificationDate] as? Date }, kept,
                       "finished files are not written again")
        XCTAssertEqual(try outputs(), (0..<4).map { "clip-\($0).mp4" }, "every output once, no temporary file left")
        let check = try manifest()
        XCTAssertEqual(check.status, 0, check.stdout)
        XCTAssertTrue(check.stdout.contains("4 files: 4 done, 4 verified, 0 failed, 0 missing"), check.stdout)
    }

    func testTwoShardsAtOnceOnOneOutputDirectoryWriteEachOutputOnce() throws {
        for index in 0..<6 { try clip("clip-\(index).mp4", start: Double(index) * 0.6, seconds: 0.5) }
        func start(_ shard: String) throws -> (Process, Pipe) {
            let process = Process(), errors = Pipe()
            process.executableURL = URL(fileURLWithPath: Run.veil)
            process.arguments = ["process", archive.path, "-o", outdir, "--jobs", "1", "--shard", shard]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = errors
            try process.run()
            return (process, errors)
        }
        let first = try start("0/2"), second = try start("1/2")
        // The same shard again while it runs is refused: it would write the same files and manifest.
        let deadline = Date().addingTimeInterval(60)
        while ((try? records("shard-0-of-2.jsonl")) ?? []).isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        let twin = try Run.veil("process", archive.path, "-o", outdir, "--shard", "0/2")
        XCTAssertEqual(twin.status, 75, twin.stderr)
        XCTAssertTrue(twin.stderr.contains("shard 0/2 is already running"), twin.stderr)
        for (process, errors) in [first, second] {
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, stderr)
        }
        XCTAssertEqual(try outputs(), (0..<6).map { "clip-\($0).mp4" })
        let keys = try ["shard-0-of-2.jsonl", "shard-1-of-2.jsonl"].map { name in
            Set(try records(name).filter { $0["kind"] as? String == "file" }.compactMap { $0["key"] as? String })
        }
        XCTAssertTrue(keys[0].isDisjoint(with: keys[1]), "no input in both shards")
        XCTAssertEqual(keys[0].union(keys[1]).count, 6)
        XCTAssertFalse(keys[0].isEmpty || keys[1].isEmpty, "both shards had work: \(keys)")
        let check = try manifest()
        XCTAssertEqual(check.status, 0, check.stdout)
    }

    func testListedInputsNamedByHashWithoutAudioKeepTheMappingOnlyInTheManifest() throws {
        try clip("Doe, Jane/2024-05-01.mp4")
        try clip("Roe, John/2024-05-02.mp4")
        // Only the listed input is taken (comments and blank lines left out).
        let list = try write("# exams cleared for sharing\n\n\(archive.path)/Doe, Jane/2024-05-01.mp4\n", to: "inputs.txt")
        let result = try Run.veil("process", "--list", list, "-o", outdir, "--rename", "hash", "--audio", "drop")
        XCTAssertEqual(result.status, 0, result.stderr)
        let digest = try sha256(archive.appendingPathComponent("Doe, Jane/2024-05-01.mp4").path)
        XCTAssertEqual(try outputs(), ["\(digest).mp4"])
        XCTAssertEqual(try Probe("\(outdir)/\(digest).mp4").audioStreams, 0, "audio dropped")
        XCTAssertEqual(try Probe(archive.appendingPathComponent("Doe, Jane/2024-05-01.mp4").path).audioStreams, 1)
        let file = try XCTUnwrap(records().last)
        XCTAssertEqual(file["key"] as? String, "2024-05-01.mp4", "a listed file is named below its own folder")
        XCTAssertEqual(file["output"] as? String, "\(digest).mp4")
        XCTAssertEqual(try manifest().status, 0)
    }

    func testAFullOutputDiskAsksTheSchedulerToRetryLater() throws {
        try clip("clip.mp4")
        try FileManager.default.createDirectory(atPath: outdir, withIntermediateDirectories: true)
        guard try Program.run("/bin/mount", ["-t", "tmpfs", "-o", "size=48k", "tmpfs", outdir]).status == 0 else {
            throw XCTSkip("a small tmpfs needs root")
        }
        defer { _ = try? Program.run("/bin/umount", [outdir]) }
        let result = try Run.veil("process", archive.path, "-o", outdir)
        XCTAssertEqual(result.status, 75, result.stderr)
        XCTAssertTrue(result.stderr.contains("veil: retry later: "), result.stderr)
        XCTAssertTrue(result.stderr.contains("No space left on device"), result.stderr)
        XCTAssertEqual(try outputs(), [], "nothing half-written")
    }
}
