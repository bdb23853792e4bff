import VeilCore
import Logging
import VeilCapture
@testable import VeilLive
import VeilMedia
import XCTest

final class CameraFrameSourceTests: XCTestCase {
    private func missingCamera(fps: Double = 50) -> CameraFrameSource {
        let request = CaptureRequest(size: FrameSize(width: 160, height: 96), framesPerSecond: fps)
        return CameraFrameSource.device(camera: "room-9", path: "/dev/veil-no-such-camera", request: request,
                                        logger: Logger(label: "test"))
    }

    func testMissingCameraDeliversTheSlateAtTheCameraRate() throws {
        let source = missingCamera()
        XCTAssertFalse(source.isOnline)
        let picture = Picture(width: 160, height: 96)
        var times: [UInt64] = []
        for _ in 0..<6 {
            let frame = try XCTUnwrap(try source.read(into: picture))
            XCTAssertTrue(frame.isPlaceholder)
            times.append(frame.captureTime)
        }
        let gaps = zip(times, times.dropFirst()).map { Double($1 - $0) / 1e6 }
        for gap in gaps { XCTAssertEqual(gap, 20, accuracy: 5, "slate interval at 50 fps, ms: \(gaps)") }
        XCTAssertTrue(Self.hasText(picture), "the slate carries its words")
    }

    func testPipelineEmitsSlatesWithoutDetection() {
        let detector = CountingDetector()
        let log = OutputLog()
        let pipeline = LivePipeline(source: missingCamera(), detector: detector, anonymizer: UntouchedAnonymizer(),
                                    output: log.record)
        pipeline.start()
        Thread.sleep(forTimeInterval: 0.3)
        pipeline.stop()
        let stats = pipeline.statistics
        XCTAssertGreaterThan(log.frames.count, 5)
        XCTAssertTrue(log.frames.allSatisfy { $0.handling == .placeholder })
        XCTAssertEqual(stats.placeholders, log.frames.count)
        XCTAssertEqual(stats.failClosed, 0)
        XCTAssertEqual(detector.calls, 0)
    }

    func testSlateShowsTheCameraName() {
        let one = Picture(width: 320, height: 180), other = Picture(width: 320, height: 180)
        Slate.draw(camera: "room-1", into: one)
        Slate.draw(camera: "room-2", into: other)
        XCTAssertTrue(Self.hasText(one))
        let differing = (0..<180).reduce(0) { sum, y in sum + (0..<320).filter { one.y[$0, y] != other.y[$0, y] }.count }
        XCTAssertGreaterThan(differing, 0, "names drawn differ")
    }

    /// Bright letter pixels on the dark slate.
    private static func hasText(_ picture: Picture) -> Bool {
        var bright = 0
        for y in 0..<picture.height { for x in 0..<picture.width where picture.y[x, y] > 200 { bright += 1 } }
        return bright > picture.width * picture.height / 200
    }
}

/// A camera whose driver drops frames: the count its link reports grows between reads.
private final class DroppingLink: CameraLink {
    private var reads = 0
    private let dropsAfterRead: [Int]
    init(dropsAfterRead: [Int]) { self.dropsAfterRead = dropsAfterRead }
    var summary: String { "a camera that drops frames" }
    var driverDrops: Int { reads == 0 ? 0 : dropsAfterRead[min(reads, dropsAfterRead.count) - 1] }
    func read(into picture: Picture) throws -> UInt64 {
        reads += 1
        return MonotonicClock.now()
    }
}

final class DriverDropTests: XCTestCase {
    func testFramesTheDriverDroppedAreCountedInTheConnectionState() throws {
        let source = CameraFrameSource(camera: "room-9", source: "/dev/video9", width: 160, height: 96, frameRate: 50,
                                       logger: Logger(label: "test")) { DroppingLink(dropsAfterRead: [0, 2, 2, 5]) }
        let picture = Picture(width: 160, height: 96)
        var live = 0
        for _ in 0..<50 where live < 4 {
            if let frame = try source.read(into: picture), !frame.isPlaceholder { live += 1 }
        }
        XCTAssertEqual(live, 4)
        XCTAssertEqual(source.connection.driverDrops, 5)
        XCTAssertTrue(source.connection.online)
    }
}
