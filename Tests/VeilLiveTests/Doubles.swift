import Foundation
import Synchronization
import VeilAnonymize
import VeilCore
import VeilLive
import VeilMedia
import VeilPipeline
import VeilVision

/// A camera stand-in: `count` frames of a fine pattern that differs per frame, paced at `frameRate`;
/// from frame `cutAt` on, the pattern is inverted (a cut: every pixel changes); with `cutEvery`, it is
/// inverted and back every that many frames (a cut each time).
final class PatternSource: FrameSource {
    let width = 64, height = 48
    let frameRate: Double
    private let count: Int
    private let cutAt: Int?
    private let cutEvery: Int?
    private var produced = 0
    private lazy var pacer = Pacer(frameRate: frameRate)

    init(count: Int, frameRate: Double = 100, cutAt: Int? = nil, cutEvery: Int? = nil) {
        self.count = count
        self.frameRate = frameRate
        self.cutAt = cutAt
        self.cutEvery = cutEvery
    }

    func read(into picture: Picture) throws -> SourceFrame? {
        guard produced < count else { return nil }
        let inverted = produced >= cutAt ?? .max || cutEvery.map { (produced / $0) % 2 == 1 } == true
        PatternSource.draw(frame: produced, inverted: inverted, into: picture)
        produced += 1
        return pacer.next()
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

/// Delivers frames as a camera would: each at its time on the frame-rate grid, stamped then (or
/// later, when the reader fell behind).
struct Pacer {
    let frameRate: Double
    private var start: UInt64?
    private var delivered = 0

    init(frameRate: Double) { self.frameRate = frameRate }

    mutating func next() -> SourceFrame {
        let origin = start ?? MonotonicClock.now()
        start = origin
        let due = origin + UInt64(Double(delivered) * 1e9 / frameRate)
        delivered += 1
        MonotonicClock.sleep(until: due)
        return SourceFrame(captureTime: max(due, MonotonicClock.now()))
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
    func anonymize(_ picture: Picture, detections: [Detection], framesAhead: Int, elapsedFrames: Int, interval: Float,
                   fit: LandmarkFit) throws {}
    func finishFrame(_ picture: Picture, measureStability: Bool) -> Double { 0 }
    var trackedRegions: [Box] { [] }
    func coverMissedFaces(_ boxes: [Box], framesAgo: Int, incident: Bool) {}
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

    func anonymize(_ picture: Picture, detections: [Detection], framesAhead: Int, elapsedFrames: Int, interval: Float,
                   fit: LandmarkFit) throws {}

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
    func coverMissedFaces(_ boxes: [Box], framesAgo: Int, incident: Bool) {}
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
    private let isOriginal: (Picture) -> Bool
    var frames: [Emitted] { lock.lock(); defer { lock.unlock() }; return stored }

    /// `isOriginal`: whether an emitted picture is (or, for a face, still shows) what was captured.
    init(isOriginal: @escaping (Picture) -> Bool = PatternSource.isOriginal) {
        self.isOriginal = isOriginal
    }

    func record(_ frame: LiveFrame, _ handling: FrameHandling) {
        let p = frame.picture
        let black = p.y.base[0] == 16 && (0..<p.height).allSatisfy { y in (0..<p.width).allSatisfy { p.y[$0, y] == 16 } }
            && (0..<p.u.height).allSatisfy { y in (0..<p.u.width).allSatisfy { p.u[$0, y] == 128 && p.v[$0, y] == 128 } }
        let item = Emitted(sequence: frame.sequence, captureTime: frame.captureTime, pts: frame.pts, handling: handling,
                           original: isOriginal(p), black: black)
        lock.lock()
        stored.append(item)
        lock.unlock()
    }
}

/// A camera stand-in where a "face" (a textured square, unlike the flat room) walks in from the left
/// edge at `speed` px a frame: its true box is known on every frame, as a clip made from a still is.
final class WalkInSource: FrameSource {
    let width = 160, height = 120
    let frameRate: Double
    static let side = 24
    static let speed = 3
    static let top = 40
    private let count: Int
    private var produced = 0
    private lazy var pacer = Pacer(frameRate: frameRate)

    init(count: Int, frameRate: Double = 50) {
        self.count = count
        self.frameRate = frameRate
    }

    /// The face's true box on frame `frame`, clipped to the picture (nil while it is outside).
    static func faceBox(frame: Int, width: Int = 160) -> (x0: Int, x1: Int, y0: Int, y1: Int)? {
        let left = -side + 2 + speed * frame
        let x0 = max(0, left), x1 = min(width, left + side)
        return x1 - x0 >= 2 ? (x0, x1, top, top + side) : nil
    }

    func read(into picture: Picture) throws -> SourceFrame? {
        guard produced < count else { return nil }
        WalkInSource.draw(frame: produced, into: picture)
        produced += 1
        return pacer.next()
    }

    static func draw(frame: Int, into picture: Picture) {
        picture.y.fill(70)
        picture.u.fill(128)
        picture.v.fill(128)
        if let box = faceBox(frame: frame, width: picture.width) {
            for y in box.y0..<box.y1 {
                for x in box.x0..<box.x1 { picture.y[x, y] = ((x + y) % 2 == 0) ? 230 : 150 }
            }
        }
        picture.pts = Int64(frame)
    }

    /// The share of the face's visible pixels that are exactly as captured (0 when it is not in view).
    static func unchangedShare(_ picture: Picture) -> Double {
        guard let box = faceBox(frame: Int(picture.pts), width: picture.width) else { return 0 }
        var same = 0, all = 0
        for y in box.y0..<box.y1 {
            for x in box.x0..<box.x1 {
                all += 1
                if picture.y[x, y] == (((x + y) % 2 == 0) ? 230 : 150) { same += 1 }
            }
        }
        return Double(same) / Double(all)
    }
}

/// Finds WalkInSource's face (bright pixels against the flat room) and reports its box; each pass
/// takes `seconds`, and misses the face at random on `missRate` of passes (seeded, repeatable).
final class SquareDetector: FaceDetecting {
    let seconds: Double
    let missRate: Double
    private var random: UInt64

    init(seconds: Double, missRate: Double = 0, seed: UInt64 = 42) {
        self.seconds = seconds
        self.missRate = missRate
        random = seed
    }

    func detect(_ picture: Picture) throws -> [Detection] {
        Thread.sleep(forTimeInterval: seconds)
        random = random &* 6364136223846793005 &+ 1442695040888963407
        if Double(random >> 11) / Double(1 << 53) < missRate { return [] }
        var x0 = Int.max, y0 = Int.max, x1 = -1, y1 = -1
        for y in 0..<picture.height {
            for x in 0..<picture.width where picture.y[x, y] > 120 {
                x0 = min(x0, x); y0 = min(y0, y); x1 = max(x1, x + 1); y1 = max(y1, y + 1)
            }
        }
        guard x1 > x0 else { return [] }
        let box = Box(x0: Float(x0), y0: Float(y0), x1: Float(x1), y1: Float(y1))
        return [Detection(box: box, score: 0.9, keypoints: Array(repeating: box.centre, count: 5))]
    }
}

/// Covers every face the pass reported, grown for the frames between the pass and this picture as the
/// tracker grows a look-ahead box: the live invariant's wiring is then all that stands between a face
/// that walks in and the output.
final class BoxCoveringAnonymizer: FrameAnonymizing {
    func anonymize(_ picture: Picture, detections: [Detection], framesAhead: Int, elapsedFrames: Int, interval: Float,
                   fit: LandmarkFit) throws {
        for detection in detections {
            Cover.apply(.mask, over: detection.box.scaled(by: FaceTracker.lookAheadGrowth(framesAhead: framesAhead)), in: picture)
        }
    }
    func finishFrame(_ picture: Picture, measureStability: Bool) -> Double { 0 }
    var trackedRegions: [Box] { [] }
    func coverMissedFaces(_ boxes: [Box], framesAgo: Int, incident: Bool) {}
    var identityChecks: IdentityCheckQueue? { nil }
}

/// Keeps one core busy while it lives (a second camera, a backup job, an update would).
final class BusyCore {
    private let stopFlag = ManagedAtomicFlag()
    init() {
        let flag = stopFlag
        let thread = Thread {
            var x: UInt64 = 1
            while !flag.isSet { for _ in 0..<10_000 { x = x &* 6364136223846793005 &+ 1 } }
            if x == 0 { print(x) }
        }
        thread.name = "busy-core"
        thread.start()
    }
    func stop() { stopFlag.set() }
}

final class ManagedAtomicFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
