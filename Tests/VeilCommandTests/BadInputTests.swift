import Foundation
import VeilTestSupport
import XCTest

/// Bad input gets one clear line naming what and where, a non-zero exit, and leaves nothing behind.
final class BadInputTests: DirectoryTestCase {

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Runs veil, expects failure with exactly one line on stderr containing every `mentions`, and no
    /// file in `directory` other than those present before.
    private func expectFailure(_ arguments: [String], mentions: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: directory.path))
        let result = try Program.run(Run.veil, arguments)
        XCTAssertNotEqual(result.status, 0, "exit status", file: file, line: line)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        XCTAssertEqual(lines.count, 1, "one error line, got: \(result.stderr)", file: file, line: line)
        for m in mentions {
            XCTAssertTrue(result.stderr.contains(m), "error mentions \(m): \(result.stderr)", file: file, line: line)
        }
        XCTAssertFalse(result.stderr.contains("Fatal error") || result.stderr.contains("backtrace"), file: file, line: line)
        let after = Set(try FileManager.default.contentsOfDirectory(atPath: directory.path))
        XCTAssertEqual(after, before, "nothing left behind", file: file, line: line)
    }

    func testMissingInput() throws {
        try expectFailure(["process", path("nope.mp4"), "-o", path("out.mp4")], mentions: ["nope.mp4", "No such file"])
    }

    func testEmptyInput() throws {
        FileManager.default.createFile(atPath: path("empty.mp4"), contents: Data())
        try expectFailure(["process", path("empty.mp4"), "-o", path("out.mp4")], mentions: ["empty.mp4"])
    }

    func testTextFileNamedMp4() throws {
        try "not a video, just notes\n".write(toFile: path("notes.mp4"), atomically: true, encoding: .utf8)
        try expectFailure(["process", path("notes.mp4"), "-o", path("out.mp4")], mentions: ["notes.mp4"])
    }

    func testTruncatedInputStillGivesWhatItHas() throws {
        // A file cut in half decodes up to the cut: the output holds those frames, nothing is invented.
        let mkv = path("whole.mkv")
        XCTAssertEqual(try Program.ffmpeg(["-i", try Run.sample("subject-messi.mp4"), "-c", "copy", mkv]).status, 0)
        let whole = try Data(contentsOf: URL(fileURLWithPath: mkv))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: path("half.mkv")))
        let result = try Run.veil("process", path("half.mkv"), "-o", path("half-out.mkv"), "--mode", "blur")
        XCTAssertEqual(result.status, 0, result.stderr)
        let frames = try Probe(path("half-out.mkv")).videoFrames.count
        XCTAssertGreaterThan(frames, 0)
        XCTAssertLessThan(frames, try Probe(mkv).videoFrames.count)
    }

    func testTruncatedMp4WithoutIndexIsRefused() throws {
        // An mp4 whose index (moov) was never written cannot be read at all.
        let whole = try Data(contentsOf: URL(fileURLWithPath: try Run.sample("subject-messi.mp4")))
        let moovAtEnd = whole.range(of: Data("moov".utf8))
        try XCTSkipIf(moovAtEnd == nil)
        try whole.prefix(moovAtEnd!.lowerBound - 4).write(to: URL(fileURLWithPath: path("cut.mp4")))
        try expectFailure(["process", path("cut.mp4"), "-o", path("out.mp4")], mentions: ["cut.mp4"])
    }

    func testUnwritableOutput() throws {
        try expectFailure(["process", try Run.sample("subject-messi.mp4"), "-o", "/proc/veil-cannot-write/out.mp4"],
                          mentions: ["/proc/veil-cannot-write"])
    }

    func testUnknownOutputExtension() throws {
        try expectFailure(["process", try Run.sample("subject-messi.mp4"), "-o", path("out.xyz")], mentions: ["xyz"])
    }

    func testUnknownMode() throws {
        try expectFailure(["process", try Run.sample("subject-messi.mp4"), "-o", path("out.mp4"), "--mode", "smudge"],
                          mentions: ["smudge", "--mode"])
    }

    func testDonorWithoutAFace() throws {
        let donor = path("no-face.png")
        let make = try Program.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x240", "-frames:v", "1", donor])
        XCTAssertEqual(make.status, 0, make.stderr)
        // The stability log asked for is not left half-written either.
        try expectFailure(["process", try Run.sample("subject-messi.mp4"), "-o", path("out.mp4"), "--donor", donor,
                           "--stability-log", path("log.jsonl")],
                          mentions: ["no-face.png", "no detectable face"])
    }

    func testMissingDonor() throws {
        try expectFailure(["process", try Run.sample("subject-messi.mp4"), "-o", path("out.mp4"), "--donor", path("ghost.jpg")],
                          mentions: ["ghost.jpg"])
    }

    /// Two donors that look alike (here the same portrait twice, once re-encoded) could give two people
    /// in one room the same face: the directory is refused with one line naming both.
    func testADonorDirectoryWithTwoFacesTooCloseIsRefusedNamingBoth() throws {
        let donors = directory.appendingPathComponent("donors")
        try FileManager.default.createDirectory(at: donors, withIntermediateDirectories: true)
        let portrait = Run.repository.appendingPathComponent("data/donor-sources/astronaut.png").path
        try FileManager.default.copyItem(atPath: portrait, toPath: donors.appendingPathComponent("a-astronaut.png").path)
        let copy = try Program.ffmpeg(["-i", portrait, "-q:v", "3", donors.appendingPathComponent("b-astronaut-again.jpg").path])
        XCTAssertEqual(copy.status, 0, copy.stderr)
        try expectFailure(["process", try Run.sample("subject-messi.mp4"), "-o", path("out.mp4"), "--donor", donors.path],
                          mentions: ["a-astronaut.png", "b-astronaut-again.jpg", "apart"])
        let listed = try Run.veil("donors", donors.path)
        XCTAssertEqual(listed.status, 1, listed.stderr)
        XCTAssertTrue(listed.stdout.contains("a-astronaut.png: nearest donor b-astronaut-again.jpg at"), listed.stdout)
    }
}
