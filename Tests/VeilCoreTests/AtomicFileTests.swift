import Foundation
import VeilCore
import XCTest

final class AtomicFileTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("veil-atomic-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    func testTheTemporaryNameIsHiddenThisProcesssAndKeepsTheExtension() {
        XCTAssertEqual(AtomicFile.temporaryPath(for: "/a/out.mp4"), "/a/.out.partial-\(getpid()).mp4")
        XCTAssertEqual(AtomicFile.temporaryPath(for: "key"), ".key.partial-\(getpid())")
        XCTAssertEqual(AtomicFile.temporaryPath(for: "/a/.hidden"), "/a/..hidden.partial-\(getpid())")
    }

    func testAWriteReplacesTheFileWholeWithItsModeAndLeavesNothingElse() throws {
        let path = directory + "/camera.sdp"
        try AtomicFile.write(Array("old".utf8), to: path, mode: 0o644)
        try AtomicFile.write(Array("new description".utf8), to: path, mode: 0o600)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "new description")
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        XCTAssertEqual(mode, 0o600)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["camera.sdp"])
    }

    func testAFailedCommitNamesTheFinalPathAndLeavesTheOldContentAndNoTemporaryFile() throws {
        let path = directory + "/report.html"
        try AtomicFile.write(Array("old".utf8), to: path, mode: 0o644)
        let temporary = directory + "/.report.partial-test.html"
        FileManager.default.createFile(atPath: temporary, contents: Data("new".utf8))
        // The target's directory does not exist: the rename fails.
        XCTAssertThrowsError(try AtomicFile.commit(temporary, to: directory + "/missing/report.html")) { error in
            XCTAssertEqual("\(error)", "cannot write '\(directory)/missing/report.html': No such file or directory")
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "old")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["report.html"])
    }
}
