import Foundation
import Logging
import VeilLive
import VeilMedia
import VeilPipeline
import VeilTestSupport
import VeilVision
import XCTest
import VeilCore

/// A real face (Barack Obama's official portrait) walks into an empty 640x360 room from the left edge at
/// 150 px a second, played as a 30 fps camera through the real detector, tracker, swap and identity
/// checks. The clip is made from a still with known motion, so the face's true box is known on every
/// frame: no emitted frame may hold it as captured, with both cores busy, with a detector that loses
/// 30% of its detections, or with identity checks that never answer.
final class RealFaceWalkInTests: XCTestCase {
    private static let data = try? DataDirectory.locate()
    private static let size = (width: 640, height: 360)
    private static let speed = 150.0, startX = -170.0, top = 60
    private var clip = ""
    /// The face's box inside the scaled still, found once on the still itself.
    private var faceInStill = Box(x0: 0, y0: 0, x1: 0, y1: 0)

    override func setUpWithError() throws {
        let data = try XCTUnwrap(Self.data, "the data directory (make setup) is needed")
        let still = NSTemporaryDirectory() + "veil-walkin-still-\(getpid()).png"
        clip = NSTemporaryDirectory() + "veil-walkin-\(getpid()).mp4"
        let portrait = data.url.appendingPathComponent("subjects/obama.jpg").path
        try Program.ffmpeg(["-i", portrait, "-vf", "scale=170:-2", "-frames:v", "1", still]).checked()
        defer { unlink(still) }
        let picture = try ImageFile.load(path: still)
        let detector = try FaceDetector(modelPath: data.detectorModel, pictureWidth: picture.width, pictureHeight: picture.height,
                                        inputWidth: picture.width)
        faceInStill = try XCTUnwrap(try detector.detect(picture).max { $0.score < $1.score }?.box)
        try Program.ffmpeg([
            "-f", "lavfi", "-i", "color=c=0x404850:s=\(Self.size.width)x\(Self.size.height):r=30:d=3",
            "-loop", "1", "-i", still,
            "-filter_complex", "[0][1]overlay=x='\(Self.startX)+t*\(Self.speed)':y=\(Self.top):shortest=1,format=yuv420p",
            "-frames:v", "90", "-c:v", "libx264", "-crf", "12", "-g", "30", clip]).checked()
    }

    override func tearDown() { unlink(clip) }

    /// The central part of the face (eyes, nose, mouth) on frame `frame`, where it is at least half in view.
    private func innerFace(frame: Int) -> (x0: Int, x1: Int, y0: Int, y1: Int)? {
        let x = Float(Self.startX + Self.speed * Double(frame) / 30)
        let box = Box(min: faceInStill.min + Point(x, Float(Self.top)), max: faceInStill.max + Point(x, Float(Self.top))).scaled(by: 0.6)
        let x0 = max(0, Int(box.min.x)), x1 = min(Self.size.width, Int(box.max.x))
        guard Float(x1 - x0) >= box.width / 2 else { return nil }
        return (x0, x1, Int(box.min.y), Int(box.max.y))
    }

    /// Runs the clip as a camera; returns, per emitted frame, the share of the visible inner face left as
    /// captured (nil where the face is not half in view), and the pipeline's counts.
    private func run(detector wrap: (FaceDetecting) -> FaceDetecting = { $0 }, busy: Bool, checksAnswer: Bool = true) throws -> (unchanged: [(Int, Double)], stats: LiveStatistics,
                                                                          counts: FaceCounts) {
        // The frames as captured, by pts.
        var originals: [Int64: [UInt8]] = [:]
        let reader = try FileFrameSource(path: clip, width: Self.size.width, height: Self.size.height, frameRate: 1000, loops: false)
        let scratch = Picture(width: Self.size.width, height: Self.size.height)
        while try reader.read(into: scratch) != nil { originals[scratch.pts] = copyLuma(scratch) }
        let frameOfPTS = Dictionary(uniqueKeysWithValues: originals.keys.sorted().enumerated().map { ($1, $0) })

        let models = try LiveModels(settings: AnonymizerSettings(), width: Self.size.width, height: Self.size.height, frameRate: 30,
                                    logger: Logger(label: "test"))
        // Without the queue handed to the pipeline, no thread ever runs the checks the anonymizer queues.
        let anonymizer = checksAnswer ? models.anonymizer : TrackingAnonymizer(models.anonymizer.anonymizer, identityChecks: nil)
        let source = try FileFrameSource(path: clip, width: Self.size.width, height: Self.size.height, frameRate: 30, loops: false)
        let lock = NSLock()
        var unchanged: [(Int, Double)] = []
        let pipeline = LivePipeline(source: source, detector: wrap(models.detector), anonymizer: anonymizer) { frame, _ in
            guard let index = frameOfPTS[frame.pts], let original = originals[frame.pts], let inner = self.innerFace(frame: index) else { return }
            var same = 0, all = 0
            for y in inner.y0..<inner.y1 {
                let row = frame.picture.y.row(y)
                for x in inner.x0..<inner.x1 {
                    all += 1
                    if abs(Int(row[x]) - Int(original[y * Self.size.width + x])) <= 2 { same += 1 }
                }
            }
            lock.lock()
            unchanged.append((index, Double(same) / Double(max(all, 1))))
            lock.unlock()
        }
        let load = busy ? [BusyCore(), BusyCore()] : []
        pipeline.start()
        pipeline.wait()
        load.forEach { $0.stop() }
        XCTAssertNil(pipeline.error)
        return (unchanged, pipeline.statistics, anonymizer.counts)
    }

    private func copyLuma(_ picture: Picture) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: picture.width * picture.height)
        for y in 0..<picture.height {
            let row = picture.y.row(y)
            for x in 0..<picture.width { out[y * picture.width + x] = row[x] }
        }
        return out
    }

    private func assertNeverShown(_ result: (unchanged: [(Int, Double)], stats: LiveStatistics, counts: FaceCounts),
                                  file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertGreaterThan(result.unchanged.count, 20, "frames with the face in view were emitted: \(result.stats)",
                             file: file, line: line)
        let shown = result.unchanged.filter { $0.1 > 0.5 }
        XCTAssertTrue(shown.isEmpty, "frames that went out with the face as captured (frame, share unchanged): \(shown); \(result.stats)",
                      file: file, line: line)
    }

    func testARealFaceWalkingInIsNeverShownWithBothCoresBusy() throws {
        let result = try run(busy: true)
        assertNeverShown(result)
    }

    func testARealFaceWalkingInIsNeverShownWhenThirtyPercentOfDetectionsAreLost() throws {
        let result = try run(detector: { DroppingDetector($0, dropRate: 0.3) }, busy: true)
        assertNeverShown(result)
    }

    /// Identity checks that never answer (their thread gone): no swap is ever vouched for, so every face
    /// stays covered; none is shown.
    func testARealFaceWalkingInIsNeverShownWhenIdentityChecksNeverAnswer() throws {
        let result = try run(busy: false, checksAnswer: false)
        assertNeverShown(result)
        XCTAssertNil(result.counts.faces[.swapped], "no swap was verified, so none was shown: \(result.counts.faces)")
    }
}

/// Wraps a detector and throws away each of its detections with probability `dropRate` (seeded).
final class DroppingDetector: FaceDetecting {
    private let inner: FaceDetecting
    private let dropRate: Double
    private var random: UInt64 = 7

    init(_ inner: FaceDetecting, dropRate: Double) {
        self.inner = inner
        self.dropRate = dropRate
    }

    func detect(_ picture: Picture) throws -> [Detection] {
        try inner.detect(picture).filter { _ in
            random = random &* 6364136223846793005 &+ 1442695040888963407
            return Double(random >> 11) / Double(1 << 53) >= dropRate
        }
    }
}
