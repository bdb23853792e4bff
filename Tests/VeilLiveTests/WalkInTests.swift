import Foundation
import Logging
import VeilLive
import VeilMedia
import VeilPipeline
import VeilVision
import XCTest

/// A face walks in from the picture's edge: no emitted frame may show it as captured, whether the
/// machine is quiet or busy, the detector misses passes or stalls. The anonymizer covers exactly what
/// each pass found (grown for the frames between), so the live invariant is what is tested: no frame
/// goes out before a pass over it, or over a later frame, has been applied to it.
final class WalkInTests: XCTestCase {
    private var stalled: StalledDetector?

    override func tearDown() {
        stalled?.release.signal()
    }

    /// A face counts as shown when more than a tenth of its visible pixels are as captured.
    private static func showsFace(_ picture: Picture) -> Bool { WalkInSource.unchangedShare(picture) > 0.1 }

    private func walkIn(detector: FaceDetecting, busy: Bool, frames: Int = 60) -> (OutputLog, LiveStatistics) {
        let log = OutputLog(isOriginal: WalkInTests.showsFace)
        let load = busy ? [BusyCore(), BusyCore()] : []
        defer { load.forEach { $0.stop() } }
        let pipeline = LivePipeline(source: WalkInSource(count: frames), detector: detector, anonymizer: BoxCoveringAnonymizer(),
                                    output: log.record)
        pipeline.start()
        pipeline.wait()
        return (log, pipeline.statistics)
    }

    private func assertNoFaceShown(_ log: OutputLog, _ stats: LiveStatistics, file: StaticString = #filePath, line: UInt = #line) {
        for frame in log.frames where frame.original {
            XCTFail("frame \(frame.sequence) went out (\(frame.handling.rawValue)) with the face as captured: \(stats)",
                    file: file, line: line)
        }
    }

    func testAFaceWalkingInIsNeverShownOnAQuietMachine() {
        let (log, stats) = walkIn(detector: SquareDetector(seconds: 0.012), busy: false)
        assertNoFaceShown(log, stats)
        // Not covered whole wholesale either: most frames are anonymized with a pass.
        XCTAssertGreaterThan(log.frames.filter { [.detected, .tracked].contains($0.handling) }.count, 40, "\(stats)")
    }

    func testAFaceWalkingInIsNeverShownWithBothCoresBusy() {
        let (log, stats) = walkIn(detector: SquareDetector(seconds: 0.030), busy: true)
        assertNoFaceShown(log, stats)
        XCTAssertFalse(log.frames.isEmpty, "\(stats)")
    }

    func testAStalledDetectorShowsNoFace() {
        let detector = StalledDetector()
        stalled = detector
        let (log, stats) = walkIn(detector: detector, busy: true, frames: 30)
        assertNoFaceShown(log, stats)
        XCTAssertEqual(stats.noPassInTime, stats.framesOut, "every frame covered whole for want of a pass: \(stats)")
    }
}


/// The second opinion in the live pipeline: with a main detector that never finds anything, the HOG
/// detector finds the real face of the sample clip, which is then counted as a recall incident and
/// covered from the next frame on.
final class SecondOpinionLiveTests: XCTestCase {
    func testAFaceOnlyTheSecondOpinionFindsIsARecallIncidentAndGetsACoveredTrack() throws {
        let data = try DataDirectory.locate()
        let clip = data.url.appendingPathComponent("sample/sample.mp4").path
        try XCTSkipUnless(FileManager.default.fileExists(atPath: clip), "the sample clip (make demo) is needed")
        let source = try FileFrameSource(path: clip, width: 640, height: 360, frameRate: 30, loops: false)
        var settings = AnonymizerSettings()
        settings.mode = .blur
        let models = try LiveModels(settings: settings, width: 640, height: 360, frameRate: 30, logger: Logger(label: "test"))
        let pipeline = LivePipeline(source: source, detector: EmptyDetector(), anonymizer: models.anonymizer,
                                    secondOpinion: models.secondOpinion) { _, _ in }
        pipeline.start()
        pipeline.wait()
        let stats = pipeline.statistics
        XCTAssertGreaterThan(stats.secondOpinionPasses, 0, "\(stats)")
        XCTAssertGreaterThan(stats.recallIncidents, 0, "\(stats)")
        XCTAssertGreaterThan(models.anonymizer.counts.incidents, 0, "the incident reaches the stability log's records")
        XCTAssertGreaterThan(models.anonymizer.counts.faces[.covered] ?? 0, 0, "the missed face got a covered track")
    }
}
