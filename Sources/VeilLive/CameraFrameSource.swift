import Foundation
import Logging
import Synchronization
import VeilCapture
import VeilCore
import VeilMedia
import VeilMetrics
import VeilPipeline

/// An opened camera, as `CameraFrameSource` reads it until it fails.
protocol CameraLink: AnyObject {
    /// Fills `picture` (at the pipeline's size) with the next frame and returns its capture time on
    /// MonotonicClock. Throws when the camera is lost: unplugged, failing, silent past its timeout, or
    /// (a stream) ended.
    func read(into picture: Picture) throws -> UInt64
    /// What was opened, for the log: the granted format, or the stream's size and rate.
    var summary: String { get }
    /// Frames the camera's driver dropped since the link opened (gaps in V4L2's sequence numbers, e.g.
    /// because capture read too slowly); 0 where the camera does not tell.
    var driverDrops: Int { get }
}

/// A camera as a pipeline's source, which never ends: a V4L2 device or a network stream (RTSP, HTTP,
/// SRT, UDP: anything FFmpeg opens). While the camera is missing, unplugged, failing, silent or ended,
/// it delivers the offline slate at the camera's rate and reopens it with backoff, logging each change
/// of state once with its reason. A daemon thus starts, and keeps its outputs alive, whatever the
/// camera does; every camera has its own source, so one camera's trouble never reaches another.
///
/// Opening runs on a thread of its own: a network camera's connect and probe take up to its timeout,
/// and the slate must go on meanwhile. The first open is waited for a frame interval, so that a camera
/// that opens at once (a V4L2 device) starts with its own frames. The camera opens on the first read,
/// when the pipeline runs: opened earlier, it would stream into its buffers while the models load, and
/// the first frames read would be seconds old.
// @unchecked: the capture thread's; what other threads read is the atomic online flag and the meters,
// and the opener hands links over under its own lock.
public final class CameraFrameSource: FrameSource, @unchecked Sendable {
    public let camera: String
    /// The source as the log shows it (a URL's credentials hidden).
    public let shownSource: String
    public let width: Int
    public let height: Int
    public let frameRate: Double

    private let logger: Logger
    private let openLink: @Sendable () throws -> CameraLink
    private var link: CameraLink?
    private let opener = LinkOpener()
    private var backoff = ReconnectBackoff()
    private var nextAttempt: UInt64 = 0
    private var lastFailure: String?
    private var waitedForFirstOpen = false
    /// Since when the camera is missing (an open failed, or it was lost); nil before the first attempt
    /// and while it is online.
    private var offlineSince: UInt64?
    private var nextSlate: UInt64 = 0
    private let online = Atomic<Bool>(false)
    /// Losses, reopenings and driver drops, in the camera's meters.
    private let meters: CameraMeters
    private lazy var slate: Picture = {
        let picture = Picture(width: width, height: height)
        Slate.draw(camera: camera, into: picture)
        return picture
    }()

    /// Whether frames come from the camera now (else the slate), and how often it was lost and came
    /// back; read from any thread.
    public struct ConnectionState: Sendable {
        public var online = false
        public var losses = 0
        public var reopenings = 0
        /// Frames the driver dropped, over every link the camera has had.
        public var driverDrops = 0
    }

    init(camera: String, source: String, width: Int, height: Int, frameRate: Double, meters: CameraMeters? = nil, logger: Logger,
         open: @escaping @Sendable () throws -> CameraLink) {
        self.camera = camera
        self.meters = meters ?? CameraMeters(camera: camera)
        shownSource = Redaction.source(source)
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.logger = logger
        openLink = open
    }

    /// A V4L2 device; a camera that grants another size than the pipeline's is scaled to it.
    public static func device(camera: String, path: String, request: CaptureRequest, meters: CameraMeters? = nil,
                              logger: Logger) -> CameraFrameSource {
        CameraFrameSource(camera: camera, source: path, width: request.size.width, height: request.size.height,
                          frameRate: request.framesPerSecond ?? 30, meters: meters, logger: logger) {
            try DeviceLink(path: path, request: request)
        }
    }

    /// A network stream, decoded and scaled to `width` x `height`; no open, probe or read of it waits
    /// longer than `timeout` seconds.
    public static func stream(camera: String, url: String, width: Int, height: Int, frameRate: Double, timeout: Double,
                              meters: CameraMeters? = nil, logger: Logger) -> CameraFrameSource {
        CameraFrameSource(camera: camera, source: url, width: width, height: height, frameRate: frameRate, meters: meters,
                          logger: logger) {
            try StreamLink(url: url, options: LiveInputOptions(timeout: timeout))
        }
    }

    public var connection: ConnectionState {
        ConnectionState(online: isOnline, losses: meters.losses.total, reopenings: meters.reconnects.total,
                        driverDrops: meters.driverDrops.total)
    }

    /// Whether frames come from the camera now (else the slate); read from any thread.
    public var isOnline: Bool { online.load(ordering: .relaxed) }

    public func read(into picture: Picture) throws -> SourceFrame? {
        let interval = UInt64(1e9 / frameRate)
        while true {
            if let link {
                do {
                    let dropsBefore = link.driverDrops
                    let captureTime = try link.read(into: picture)
                    let dropped = link.driverDrops - dropsBefore
                    if dropped > 0 { meters.driverDrops.increment(by: dropped) }
                    picture.pts = Int64(captureTime / 1000)
                    return SourceFrame(captureTime: captureTime)
                } catch {
                    lose(reason: Redaction.text("\(error)"))
                }
            }
            let now = MonotonicClock.now()
            if !opener.hasAttempt && now >= nextAttempt {
                opener.start(openLink)
            }
            // The first open is waited for a frame's time; later ones are looked at on each slate's beat.
            let wait = waitedForFirstOpen ? now : now + interval
            waitedForFirstOpen = true
            if let outcome = opener.take(waitingUntil: wait) {
                settle(outcome)
                if link != nil { continue }
            }
            // The slate, on the camera's beat.
            nextSlate = max(nextSlate + interval, MonotonicClock.now())
            MonotonicClock.sleep(until: nextSlate)
            picture.copy(from: slate)
            picture.pts = Int64(nextSlate / 1000)
            return SourceFrame(captureTime: nextSlate, isPlaceholder: true)
        }
    }

    private func settle(_ outcome: Result<CameraLink, Error>) {
        switch outcome {
        case .success(let opened):
            link = opened
            backoff.reset()
            lastFailure = nil
            setOnline(true)
            if offlineSince != nil { meters.reconnects.increment() }
            if let since = offlineSince {
                let seconds = Double(MonotonicClock.now() - since) / 1e9
                logger.notice("camera \(camera): \(shownSource) is back after \(String(format: "%.1f", seconds)) s: \(opened.summary)")
            } else {
                logger.info("camera \(camera): \(shownSource): \(opened.summary)")
            }
            offlineSince = nil
        case .failure(let error):
            let reason = Redaction.text("\(error)")
            // One line per new reason: a camera left unplugged for hours does not flood the journal.
            if reason != lastFailure {
                logger.warning("camera \(camera): cannot open: \(reason); sending the offline slate, retrying")
                lastFailure = reason
            }
            let now = MonotonicClock.now()
            if offlineSince == nil { offlineSince = now }
            nextAttempt = now + UInt64(backoff.nextDelay() * 1e9)
        }
    }

    private func setOnline(_ isOnline: Bool) { online.store(isOnline, ordering: .relaxed) }

    private func lose(reason: String) {
        link = nil
        setOnline(false)
        meters.losses.increment()
        offlineSince = MonotonicClock.now()
        lastFailure = nil
        nextAttempt = 0
        logger.warning("camera \(camera): lost: \(reason); sending the offline slate, reopening")
    }
}

/// Opens a camera on a thread of its own, one attempt at a time, and holds the outcome until it is
/// taken. An attempt still running when the source goes away ends on its own; what it opened is closed.
private final class LinkOpener: @unchecked Sendable {
    // @unchecked: every field is read and written under `condition`.
    private let condition = NSCondition()
    private var running = false
    private var outcome: Result<CameraLink, Error>?

    /// Whether an attempt is running, or its outcome waits to be taken: no new one starts meanwhile.
    var hasAttempt: Bool {
        condition.lock()
        defer { condition.unlock() }
        return running || outcome != nil
    }

    func start(_ open: @escaping @Sendable () throws -> CameraLink) {
        condition.lock()
        running = true
        condition.unlock()
        WorkerThread.start(name: "veil-connect") { [self] in
            let result = Result { try open() }
            condition.lock()
            outcome = result
            running = false
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The outcome of the attempt, once it ended; waits for it until the clock reads `deadline`.
    func take(waitingUntil deadline: UInt64) -> Result<CameraLink, Error>? {
        condition.lock()
        defer { condition.unlock() }
        while outcome == nil && running, condition.wait(untilClockReads: deadline) {}
        defer { outcome = nil }
        return outcome
    }
}

/// A V4L2 device: the driver's timestamps (CLOCK_MONOTONIC, the pipeline's clock), its frames scaled
/// to the pipeline's size where the granted size differs.
private final class DeviceLink: CameraLink {
    private let device: CaptureDevice
    private let path: String
    private let requested: FrameSize
    /// The granted size's picture, when it is not the pipeline's.
    private let grantedPicture: Picture?
    private let importer = FrameImporter()

    init(path: String, request: CaptureRequest) throws {
        device = try CaptureDevice(path: path, request: request)
        self.path = path
        requested = request.size
        let granted = device.granted.size
        grantedPicture = granted == request.size ? nil : Picture(width: granted.width, height: granted.height)
    }

    var summary: String {
        "(\(device.card), \(device.driver)): \(device.granted)\(grantedPicture == nil ? "" : ", scaled to \(requested)")"
    }

    var driverDrops: Int { device.droppedFrames }

    func read(into picture: Picture) throws -> UInt64 {
        let info = try device.read(into: grantedPicture ?? picture)
        if let grantedPicture { try importer.copy(grantedPicture, into: picture, path: path) }
        let now = MonotonicClock.now()
        // A driver on another clock (or stamping in the future) is stamped on arrival instead.
        let stamped = UInt64(max(0, info.timestampNanoseconds))
        return info.isMonotonic && stamped <= now ? stamped : now
    }
}

/// A network stream opened with FFmpeg, decoded on the capture thread and scaled to the pipeline's
/// size. Frames are stamped on arrival: a stream's own timestamps are on the sender's clock. Its end is
/// a loss like any other: a camera does not end.
private final class StreamLink: CameraLink {
    private let reader: VideoReader
    private let url: String

    init(url: String, options: LiveInputOptions) throws {
        reader = try VideoReader(path: url, decoderThreads: 1, live: options)
        self.url = url
    }

    /// FFmpeg does not say what a network camera dropped before sending.
    var driverDrops: Int { 0 }

    var summary: String { "\(reader.width)x\(reader.height) at \(FrameRateText.fps(reader.frameRate.value)) fps" }

    func read(into picture: Picture) throws -> UInt64 {
        guard try reader.read(into: picture, passthrough: { _ in }) else {
            throw reader.cutShort ?? MediaError.failed(action: "read", path: url, reason: "the stream ended")
        }
        return MonotonicClock.now()
    }
}
