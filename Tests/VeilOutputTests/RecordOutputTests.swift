import Foundation
import VeilOutput
import XCTest
import VeilCore

final class RecordOutputTests: OutputTestCase {
    private func record(_ container: RecordingContainer, segmentSeconds: Double = 600, maxTotalBytes: Int64? = nil,
                        in subdirectory: String = "rec") -> OutputSpec {
        .record(directory: path(subdirectory), segmentSeconds: segmentSeconds, container: container, maxTotalBytes: maxTotalBytes)
    }

    /// After stop() the segment is complete: named by camera and UTC start, every accepted frame in it.
    func testSegmentPlaysAfterStop() throws {
        for container in RecordingContainer.allCases {
            let outputs = try outputs([record(container, in: container.rawValue)])
            outputs.start()
            let feeder = FrameFeeder(outputs)
            feeder.start(frames: 60)
            feeder.wait()
            outputs.stop()
            let statistics = outputs.statistics
            let names = try files(in: container.rawValue, endingWith: "")
            XCTAssertEqual(names.count, 1, "\(names)")
            let name = try XCTUnwrap(names.first)
            XCTAssertNotNil(name.range(of: #"^cam-\d{8}T\d{6}Z\.\#(container.rawValue)$"#, options: .regularExpression), name)
            let probe = try Tool.probe(path("\(container.rawValue)/\(name)"))
            XCTAssertEqual(statistics.framesSubmitted, 60)
            XCTAssertEqual(probe.frames, statistics.framesEncoded, container.rawValue)
            XCTAssertGreaterThanOrEqual(probe.frames, 55, container.rawValue)
            XCTAssertEqual(probe.width, 320)
            XCTAssertEqual(probe.height, 240)
            XCTAssertEqual(statistics.outputs[0].errors, 0, statistics.outputs[0].lastError ?? "")
        }
    }

    /// One-second segments: several files, each starting at a keyframe, together holding every frame.
    func testRotationSplitsWithoutLosingFrames() throws {
        let outputs = try outputs([record(.mkv, segmentSeconds: 1)])
        outputs.start()
        let feeder = FrameFeeder(outputs)
        feeder.start(frames: 105)
        feeder.wait()
        outputs.stop()
        let names = try files(in: "rec", endingWith: ".mkv")
        XCTAssertGreaterThanOrEqual(names.count, 3, "\(names)")
        var total = 0
        for name in names {
            let probe = try Tool.probe(path("rec/\(name)"))
            XCTAssertGreaterThan(probe.frames, 0, name)
            total += probe.frames
        }
        XCTAssertEqual(total, outputs.statistics.framesEncoded)
    }

    /// Over the limit, this camera's oldest segments go first; other files are never touched.
    func testRetentionDeletesOldestSegmentsOfThisCameraOnly() throws {
        let directory = path("rec")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let old = ["cam-20200101T000000Z.mkv", "cam-20200101T000000Z-1.mkv", "cam-20200102T000000Z.mp4"]
        let others = ["other-20200101T000000Z.mkv", "cam-1-20200101T000000Z.mkv", "cam-notes.txt"]
        for name in old + others {
            try Data(count: 300_000).write(to: URL(fileURLWithPath: "\(directory)/\(name)"))
        }
        let outputs = try outputs([record(.mkv, maxTotalBytes: 700_000)])
        outputs.start()
        let feeder = FrameFeeder(outputs)
        feeder.start(frames: 30)
        feeder.wait()
        outputs.stop()
        let remaining = Set(try files(in: "rec", endingWith: ""))
        XCTAssertFalse(remaining.contains(old[0]), "the oldest segment should be gone")
        XCTAssertTrue(remaining.contains(old[1]) && remaining.contains(old[2]), "\(remaining)")
        for name in others { XCTAssertTrue(remaining.contains(name), "\(name) was deleted") }
        XCTAssertEqual(remaining.subtracting(old).subtracting(others).count, 1, "the new segment: \(remaining)")
        XCTAssertEqual(log.lines(containing: "deleted oldest recording segment").count, 1)
    }
}
