import Foundation
import Logging
import VeilPipeline
import XCTest

/// The daemon's stability log and rolling windows, without models: records made by hand.
final class StabilityJournalTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("veil-journal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func face(track: Int, nme: Float, distance: Float? = nil) -> FaceRecord {
        var record = FaceRecord(track: track, handling: .swapped)
        record.donor = "astronaut.png"
        record.error = nme
        record.dynamicError = nme / 2
        record.oks = 0.9
        record.identityDistance = distance
        return record
    }

    func testTheLogRotatesBySizeKeepsItsFilesAndEveryLineIsWhole() throws {
        let path = directory.appendingPathComponent("stability.jsonl").path
        let journal = try StabilityJournal(path: path, maxBytes: 4000, keep: 2, flushInterval: 0.02, logger: Logger(label: "test"))
        journal.start()
        for frame in 0..<200 {
            journal.append(camera: "room-1", frame: frame, time: Double(frame) / 30, faces: [face(track: 1, nme: 0.02)])
            if frame % 20 == 19 { Thread.sleep(forTimeInterval: 0.06) }
        }
        var figures = StabilityFigures()
        figures.add(face(track: 1, nme: 0.02, distance: 0.8), margin: 0.6)
        journal.append(camera: "room-1", figures: figures, time: 7, window: nil, frames: 200)
        journal.close()

        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        XCTAssertEqual(names, ["stability.jsonl", "stability.jsonl.1", "stability.jsonl.2"], "two rotated files kept, no more")
        var frames: [Int] = []
        for name in names {
            let text = try String(contentsOfFile: directory.appendingPathComponent(name).path, encoding: .utf8)
            XCTAssertLessThanOrEqual(text.utf8.count, 4000, name)
            XCTAssertTrue(text.hasSuffix("\n"), "\(name) ends on a whole line")
            for line in text.split(separator: "\n") {
                let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
                XCTAssertEqual(object["camera"] as? String, "room-1")
                if let frame = object["frame"] as? Int { frames.append(frame) }
            }
        }
        XCTAssertEqual(frames.max(), 199, "the newest lines are kept")
        XCTAssertEqual(Set(frames).count, frames.count, "no line written twice")
        let last = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").last.map(String.init) ?? ""
        XCTAssertTrue(last.contains("\"summary\":true") && last.contains("\"identity_passed\":1"), last)
        XCTAssertEqual(journal.dropped, 0)
    }

    func testAnUnwritableLogIsOneClearError() {
        XCTAssertThrowsError(try StabilityJournal(path: "/proc/veil/stability.jsonl", maxBytes: 1000, keep: 1,
                                                  logger: Logger(label: "test"))) { error in
            XCTAssertTrue("\(error)".hasPrefix("cannot write stability log '/proc/veil/stability.jsonl'"), "\(error)")
        }
    }

    func testWindowsCoverTheWholeSecondsBeforeNow() {
        var windows = StabilityWindows()
        windows.add([face(track: 1, nme: 0.01, distance: 0.7)], at: 0.5, margin: 0.6)
        windows.add([face(track: 1, nme: 0.03, distance: 0.5)], at: 1.5, margin: 0.6)
        windows.add([face(track: 1, nme: 0.05)], at: 2.2, margin: 0.6)
        let lastSecond = windows.last(1, at: 2.7)
        XCTAssertEqual(lastSecond.measuredFaces, 1, "the second under way is not in the window yet")
        XCTAssertEqual(lastSecond.nme ?? 0, 0.03, accuracy: 1e-6)
        XCTAssertEqual(lastSecond.identityPassRatio, 0)
        let minute = windows.last(60, at: 2.7)
        XCTAssertEqual(minute.measuredFaces, 2)
        XCTAssertEqual(minute.identityPassRatio, 0.5)
        XCTAssertEqual(minute.identityDistanceMin ?? 0, 0.5, accuracy: 1e-6)
        XCTAssertEqual(windows.last(60, at: 70).measuredFaces, 0, "a minute later the window is empty")
        XCTAssertEqual(windows.whole.measuredFaces, 3, "the whole run keeps everything")
        XCTAssertNil(windows.last(60, at: 70).nme, "no measurement: no figure, not zero")
    }
}
