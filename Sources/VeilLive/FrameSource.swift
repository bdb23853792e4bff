import VeilCore
import VeilMedia

/// One frame as a source delivered it.
public struct SourceFrame {
    /// When the frame was captured, on `MonotonicClock`.
    public var captureTime: UInt64
    /// A stand-in (the offline slate) rather than a camera picture: it has no faces and is emitted as
    /// it is, without detection.
    public var isPlaceholder = false

    public init(captureTime: UInt64, isPlaceholder: Bool = false) {
        self.captureTime = captureTime
        self.isPlaceholder = isPlaceholder
    }
}

/// Where a live pipeline's frames come from: a camera, or a file played at a camera's pace.
///
/// `read` fills the picture (at the source's size, with its pts) and returns the frame's capture time,
/// waiting until the frame exists as a camera would; nil when the source has ended.
public protocol FrameSource: AnyObject {
    var width: Int { get }
    var height: Int { get }
    /// Frames per second the source delivers: the default frame budget.
    var frameRate: Double { get }
    func read(into picture: Picture) throws -> SourceFrame?
}

/// A video file delivered like a camera: each frame no earlier than its time (by pts, or at a fixed
/// rate), scaled to the requested size, looping at the end with pts carrying on, so that it can stand
/// in for a camera anywhere, benchmarks and tests included.
public final class FileFrameSource: FrameSource {
    public let path: String
    public let width: Int
    public let height: Int
    public let frameRate: Double
    /// Whether to play the file again from the start when it ends.
    public let loops: Bool
    private let fixedRate: Bool
    private var reader: VideoReader
    private var timeBase: Double
    /// Added to the reader's pts so that they keep increasing across loops.
    private var ptsOffset: Int64 = 0
    private var lastPts: Int64?
    private var frameDuration: Int64
    /// The clock reading and pts of the first frame: the origin of pacing.
    private var start: (time: UInt64, pts: Int64)?
    private var delivered = 0

    /// width, height: nil keeps the file's size. frameRate: nil paces by the file's own pts.
    public init(path: String, width: Int? = nil, height: Int? = nil, frameRate: Double? = nil, loops: Bool = true) throws {
        reader = try VideoReader(path: path, decoderThreads: 1)
        self.path = path
        self.width = width ?? reader.width
        self.height = height ?? reader.height
        self.frameRate = frameRate ?? reader.frameRate.value
        fixedRate = frameRate != nil
        self.loops = loops
        timeBase = reader.timeBase.value
        frameDuration = FileFrameSource.duration(of: reader)
    }

    public func read(into picture: Picture) throws -> SourceFrame? {
        if try !reader.read(into: picture, passthrough: { _ in }) {
            guard loops, let lastPts else { return nil }
            reader = try VideoReader(path: path, decoderThreads: 1)
            timeBase = reader.timeBase.value
            guard try reader.read(into: picture, passthrough: { _ in }) else { return nil }
            // The loop goes on one frame after the last one, wherever the file's own pts start.
            ptsOffset = lastPts + frameDuration - picture.pts
            frameDuration = FileFrameSource.duration(of: reader)
        }
        picture.pts += ptsOffset
        lastPts = picture.pts
        // Decoded first, then held until its time: like a camera, whose frame exists when stamped.
        let (origin, firstPts) = start ?? (MonotonicClock.now(), picture.pts)
        start = (origin, firstPts)
        let offset = fixedRate ? Double(delivered) / frameRate : Double(picture.pts - firstPts) * timeBase
        let due = origin + UInt64(max(0, offset) * 1e9)
        delivered += 1
        MonotonicClock.sleep(until: due)
        return SourceFrame(captureTime: max(due, MonotonicClock.now()))
    }

    private static func duration(of reader: VideoReader) -> Int64 {
        max(1, Int64((1 / max(reader.frameRate.value, 1) / reader.timeBase.value).rounded()))
    }
}
