import Foundation
import VeilLive
import VeilMedia
import VeilPipeline
import VeilVision

/// A camera stand-in: `count` frames of a fine pattern that differs per frame, paced at `frameRate`;
/// from frame `cutAt` on, the pattern is inverted (a cut: every pixel changes).
final class PatternSource: FrameSource {
    let width = 64, height = 48
    let frameRate: Double
    private let count: Int
    private let cutAt: Int?
    private var produced = 0
    private var start: UInt64?

    init(count: Int, frameRate: Double = 100, cutAt: Int? = nil) {
        self.count = count
        self.frameRate = frameRate
        self.cutAt = cutAt
    }

    func read(into picture: Picture) throws -> SourceFrame? {
        guard produced < count else { return nil }
        PatternSource.draw(frame: produced, inverted: produced >= cutAt ?? .max, into: picture)
        let origin = start ?? MonotonicClock.now()
        start = origin
        let due = origin + UInt64(Double(produced) * 1e9 / frameRate)
        produced += 1
        MonotonicClock.sleep(until: due)
        return SourceFrame(captureTime: max(due, MonotonicClock.now()))
    }

    /// A checkerboard-like pattern (any blur changes it) keyed by the frame number, stored as pts
    /// (plus `invertedMark` when inverted).
    static func draw(frame: Int, inverted: Bool = false, into picture: Picture) {
        for y in 0..<picture.height {
            for x in 0..<picture.width {
                let value = UInt8(truncatingIfNeeded: ((x + y) % 2) * 200 + frame % 40)
                picture.y[x, y] = inverted ? 255 - value : value
            }
        }
        picture.u.fill(90)
        picture.v.fill(160)
        picture.pts = Int64(frame) + (inverted ? invertedMark : 0)
    }

    static let invertedMark: Int64 = 1_000_000

    static func frameNumber(_ picture: Picture) -> Int { frameNumber(pts: picture.pts) }

    static func frameNumber(pts: Int64) -> Int { Int(pts % invertedMark) }

    static func isOriginal(_ picture: Picture) -> Bool {
        let original = Picture(width: picture.width, height: picture.height)
        draw(frame: frameNumber(picture), inverted: picture.pts >= invertedMark, into: original)
        return (0..<picture.height).allSatisfy { y in
            (0..<picture.width).allSatisfy { x in picture.y[x, y] == original.y[x, y] }
        }
    }
}

/// A detector that finds nothing at once.
final class EmptyDetector: FaceDetecting {
    func detect(_ picture: Picture) throws -> [Detection] { [] }
}

/// A detector that finds nothing and counts its passes.
final class CountingDetector: FaceDetecting {
    private let lock = NSLock()
    private var count = 0
    var calls: Int { lock.lock(); defer { lock.unlock() }; return count }
    func detect(_ picture: Picture) throws -> [Detection] {
        lock.lock()
        count += 1
        lock.unlock()
        return []
    }
}

/// A detector that finds nothing and takes `seconds` a pass.
final class SlowDetector: FaceDetecting {
    let seconds: Double
    init(seconds: Double) { self.seconds = seconds }
    func detect(_ picture: Picture) throws -> [Detection] {
        Thread.sleep(forTimeInterval: seconds)
        return []
    }
}

/// A detector that never answers until the test lets it go.
final class StalledDetector: FaceDetecting {
    let release = DispatchSemaphore(value: 0)
    func detect(_ picture: Picture) throws -> [Detection] {
        release.wait()
        release.signal()
        return []
    }
}

/// An anonymizer that leaves the picture as it is: whatever the pipeline emits unchanged would be the
/// original, so covers can only come from the pipeline's own fail-closed rules.
final class UntouchedAnonymizer: FrameAnonymizing {
    func anonymize(_ picture: Picture, detections: [Detection], ownFrame: Bool, interval: Float) throws {}
    func finishFrame(_ picture: Picture, measureStability: Bool) -> Double { 0 }
    var trackedRegions: [Box] { [] }
    var identityChecks: IdentityCheckQueue? { nil }
}

/// An anonymizer that leaves the picture as it is and whose stability measurement takes `cost`
/// seconds; it notes which frames were measured and whether the output had them already.
final class MeasuringAnonymizer: FrameAnonymizing {
    let cost: Double
    let log: OutputLog
    private let lock = NSLock()
    private var measuredFrames: [(frame: Int, alreadyEmitted: Bool)] = []
    var measured: [(frame: Int, alreadyEmitted: Bool)] { lock.lock(); defer { lock.unlock() }; return measuredFrames }

    init(cost: Double, log: OutputLog) {
        self.cost = cost
        self.log = log
    }

    func anonymize(_ picture: Picture, detections: [Detection], ownFrame: Bool, interval: Float) throws {}

    func finishFrame(_ picture: Picture, measureStability: Bool) -> Double {
        guard measureStability else { return 0 }
        let frame = PatternSource.frameNumber(picture)
        let emitted = log.frames.contains { PatternSource.frameNumber(pts: $0.pts) == frame }
        let started = MonotonicClock.now()
        Thread.sleep(forTimeInterval: cost)
        lock.lock()
        measuredFrames.append((frame, emitted))
        lock.unlock()
        return Double(MonotonicClock.now() - started) / 1e9
    }

    var trackedRegions: [Box] { [] }
    var identityChecks: IdentityCheckQueue? { nil }
}

/// What the output saw of each frame, copied during the hand-off (the slot is reused after it).
struct Emitted {
    var sequence: Int
    var captureTime: UInt64
    var pts: Int64
    var handling: FrameHandling
    var original: Bool
    var black: Bool
}

final class OutputLog {
    private let lock = NSLock()
    private var stored: [Emitted] = []
    var frames: [Emitted] { lock.lock(); defer { lock.unlock() }; return stored }

    func record(_ frame: LiveFrame, _ handling: FrameHandling) {
        let p = frame.picture
        let black = p.y.base[0] == 16 && (0..<p.height).allSatisfy { y in (0..<p.width).allSatisfy { p.y[$0, y] == 16 } }
            && (0..<p.u.height).allSatisfy { y in (0..<p.u.width).allSatisfy { p.u[$0, y] == 128 && p.v[$0, y] == 128 } }
        let item = Emitted(sequence: frame.sequence, captureTime: frame.captureTime, pts: frame.pts, handling: handling,
                           original: PatternSource.isOriginal(p), black: black)
        lock.lock()
        stored.append(item)
        lock.unlock()
    }
}
