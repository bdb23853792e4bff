import Foundation
import Logging
import VeilCapture
import VeilMedia

/// A V4L2 camera as a pipeline's source, which never ends: while the camera is missing, unplugged or
/// failing, it delivers the offline slate at the camera's rate and reopens the device with backoff,
/// logging each change of state with its reason. A daemon thus starts, and keeps its outputs alive,
/// whatever the camera does.
///
/// Frames keep the driver's timestamps (CLOCK_MONOTONIC, the pipeline's clock). A camera that grants
/// another size than the pipeline's is scaled to it. The device opens on the first read, when the
/// pipeline runs: opened earlier, it would stream into its buffers while the models load, and the
/// first frames read would be seconds old.
public final class CameraFrameSource: FrameSource {
    public let camera: String
    public let path: String
    public let width: Int
    public let height: Int
    public let frameRate: Double
    /// Times the camera was lost, and reopened.
    public private(set) var losses = 0
    public private(set) var reopenings = 0

    private let request: CaptureRequest
    private let logger: Logger
    private var device: CaptureDevice?
    /// The granted size's picture, when it is not the pipeline's.
    private var grantedPicture: Picture?
    private let importer = FrameImporter()
    private var backoff = ReconnectBackoff()
    private var nextAttempt: UInt64 = 0
    private var lastFailure: String?
    private var opened = false
    private let onlineLock = NSLock()
    private var online = false
    private var offlineSince: UInt64?
    private var nextSlate: UInt64 = 0
    private lazy var slate: Picture = {
        let picture = Picture(width: width, height: height)
        Slate.draw(camera: camera, into: picture)
        return picture
    }()

    public init(camera: String, path: String, request: CaptureRequest, logger: Logger) {
        self.camera = camera
        self.path = path
        self.request = request
        self.logger = logger
        width = request.size.width
        height = request.size.height
        frameRate = request.framesPerSecond ?? 30
    }

    /// Whether frames come from the camera now (else the slate); read from any thread.
    public var isOnline: Bool {
        onlineLock.lock()
        defer { onlineLock.unlock() }
        return online
    }

    public func read(into picture: Picture) throws -> SourceFrame? {
        if !opened {
            opened = true
            open()
            if device == nil { offlineSince = MonotonicClock.now() }
        }
        while true {
            if let device {
                do {
                    return try capture(from: device, into: picture)
                } catch {
                    lose(reason: "\(error)")
                }
            }
            let now = MonotonicClock.now()
            if now >= nextAttempt {
                open()
                if device != nil { continue }
            }
            // The slate, on the camera's beat.
            let interval = UInt64(1e9 / frameRate)
            nextSlate = max(nextSlate + interval, now)
            MonotonicClock.sleep(until: nextSlate)
            picture.copy(from: slate)
            picture.pts = Int64(nextSlate / 1000)
            return SourceFrame(captureTime: nextSlate, isPlaceholder: true)
        }
    }

    private func capture(from device: CaptureDevice, into picture: Picture) throws -> SourceFrame {
        let target = grantedPicture ?? picture
        let info = try device.read(into: target)
        if let grantedPicture {
            try importer.copy(grantedPicture, into: picture, path: path)
            picture.pts = grantedPicture.pts
        }
        let now = MonotonicClock.now()
        // A driver on another clock (or stamping in the future) is stamped on arrival instead.
        let stamped = UInt64(max(0, info.timestampNanoseconds))
        return SourceFrame(captureTime: info.isMonotonic && stamped <= now ? stamped : now)
    }

    private func open() {
        do {
            let capture = try CaptureDevice(path: path, request: request)
            let granted = capture.granted
            grantedPicture = granted.size == request.size ? nil : Picture(width: granted.size.width, height: granted.size.height)
            device = capture
            setOnline(true)
            backoff.reset()
            lastFailure = nil
            let scaled = grantedPicture == nil ? "" : ", scaled to \(request.size)"
            if let since = offlineSince {
                reopenings += 1
                let seconds = Double(MonotonicClock.now() - since) / 1e9
                logger.notice("camera \(camera): \(path) is back after \(String(format: "%.1f", seconds)) s: \(granted)\(scaled)")
            } else {
                logger.info("camera \(camera): \(path) (\(capture.card), \(capture.driver)): \(granted)\(scaled)")
            }
            offlineSince = nil
        } catch {
            let reason = "\(error)"
            // One line per new reason: a camera left unplugged for hours does not flood the journal.
            if reason != lastFailure {
                logger.warning("camera \(camera): cannot open: \(reason); sending the offline slate, retrying")
                lastFailure = reason
            }
            nextAttempt = MonotonicClock.now() + UInt64(backoff.nextDelay() * 1e9)
        }
    }

    private func setOnline(_ value: Bool) {
        onlineLock.lock()
        online = value
        onlineLock.unlock()
    }

    private func lose(reason: String) {
        device = nil
        setOnline(false)
        losses += 1
        offlineSince = MonotonicClock.now()
        lastFailure = nil
        nextAttempt = 0
        logger.warning("camera \(camera): lost: \(reason); sending the offline slate, reopening")
    }
}
