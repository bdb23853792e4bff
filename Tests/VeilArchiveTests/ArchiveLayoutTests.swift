import Foundation
import VeilArchive
import VeilCore
import XCTest

final class ArchiveLayoutTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("veil-archive-\(UUID().uuidString)")
        for name in ["p1/exam.mp4", "p1/notes.txt", "p1/.hidden.mp4", "p2/visit/walk.MOV", "p2/old.avi", "out/done.mp4"] {
            let url = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data().write(to: url)
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func testADirectoryIsMirroredBelowItselfLeavingOutHiddenFilesOthersAndTheOutput() throws {
        let inputs = try ArchiveInputs.list([root.path], excluding: root.appendingPathComponent("out").path)
        XCTAssertEqual(inputs.map(\.key), ["p1/exam.mp4", "p2/old.avi", "p2/visit/walk.MOV"])
        XCTAssertEqual(inputs.first?.path, root.appendingPathComponent("p1/exam.mp4").path)
    }

    func testSeveralDirectoriesKeepTheirNamesAndFilesKeepTheirs() throws {
        let folders = try ArchiveInputs.list([root.appendingPathComponent("p1").path, root.appendingPathComponent("p2").path], excluding: "/nowhere")
        XCTAssertEqual(folders.map(\.key), ["p1/exam.mp4", "p2/old.avi", "p2/visit/walk.MOV"])
        let files = try ArchiveInputs.list([root.appendingPathComponent("p2/old.avi").path, root.appendingPathComponent("p1/notes.txt").path], excluding: "/nowhere")
        XCTAssertEqual(files.map(\.key), ["p1/notes.txt", "p2/old.avi"], "named files are taken whatever their extension")
    }

    func testAMissingInputIsNamed() {
        XCTAssertThrowsError(try ArchiveInputs.list([root.appendingPathComponent("p3").path], excluding: "/nowhere")) { error in
            XCTAssertEqual("\(error)", "input '\(self.root.appendingPathComponent("p3").path)': No such file or directory")
        }
    }

    func testOutputsKeepNameAndContainerOrTakeTheInputsHash() {
        let exam = ArchiveInput(path: "/a/p1/exam.mp4", key: "p1/exam.mp4")
        let old = ArchiveInput(path: "/a/p2/old.avi", key: "p2/old.avi")
        XCTAssertEqual(ArchiveLayout.output(for: exam, inputSHA256: "ab12", format: nil, rename: .keep), "p1/exam.mp4")
        XCTAssertEqual(ArchiveLayout.output(for: old, inputSHA256: "ab12", format: nil, rename: .keep), "p2/old.mkv",
                       "a container Veil does not write becomes Matroska")
        XCTAssertEqual(ArchiveLayout.output(for: exam, inputSHA256: "ab12", format: "mov", rename: .keep), "p1/exam.mov")
        XCTAssertEqual(ArchiveLayout.output(for: exam, inputSHA256: "ab12", format: nil, rename: .hash), "ab12.mp4",
                       "no folder or name of the input in the shared tree")
    }

    func testTheExitStatusTellsASchedulerWhatToDo() {
        var tally = ArchiveTally()
        tally.done = 3
        XCTAssertEqual(tally.exitStatus, 0)
        tally.failed = 1
        XCTAssertEqual(tally.exitStatus, ArchiveTally.someFailed)
        tally.notStarted = 2
        XCTAssertEqual(tally.exitStatus, ArchiveTally.retryLater, "a transient fault outranks failures: the retry redoes both")
    }
}
