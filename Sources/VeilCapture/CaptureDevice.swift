import CV4L2
import Glibc
import VeilCore
import VeilMedia

/// A camera opened for streaming: negotiates format, size and rate, maps the driver's buffers, and
/// converts each frame into a caller's reusable `Picture`. Reads wait with poll() and a timeout, so a
/// stalled or unplugged camera is an error (`CaptureError.timedOut`, `.disconnected`), never a hang.
///
/// Pictures' `pts` is the driver timestamp in microseconds (time base 1/1000000).
/// Closing (deinit) undoes opening in reverse: STREAMOFF, munmap, close.
public final class CaptureDevice {
    public let path: String
    public let card: String
    public let driver: String
    public let granted: CaptureFormat
    /// Frames the driver marked damaged, sent short, or that did not decode; skipped, not returned.
    public private(set) var damagedFrames = 0
    /// Frames the driver dropped (gaps in its sequence numbers), e.g. because we read too slowly.
    public private(set) var droppedFrames = 0

    private let buffers: StreamBuffers
    private let decoder: JPEGFrameDecoder?
    private let timeoutSeconds: Double
    private var lastSequence: UInt32?

    public init(path: String, request: CaptureRequest = CaptureRequest()) throws {
        precondition(request.timeoutSeconds > 0 && request.bufferCount >= 2, "a capture request needs a timeout and 2+ buffers")
        let file = try DeviceFile(path: path)
        let capabilities = try DeviceCapabilities(file)
        guard capabilities.canCapture else {
            throw CaptureError.notCaptureDevice(path: path, reason: "\(capabilities.card) (\(capabilities.driver)) has no video capture")
        }
        guard capabilities.canStream else {
            throw CaptureError.notCaptureDevice(path: path, reason: "\(capabilities.card) (\(capabilities.driver)) cannot stream")
        }
        let offered = try FormatCatalog.read(file)
        guard let choice = request.choose(from: offered) else {
            throw CaptureError.noUsableFormat(path: path, wanted: request.formats.map(\.description),
                                              offered: offered.filter { !$0.isEmulated }.map(\.format.description))
        }
        let (size, bytesPerLine) = try Self.setFormat(choice.format, request.size, file)
        let interval = try Self.setRate(request.framesPerSecond, file)
        buffers = try StreamBuffers(file: file, count: request.bufferCount)
        decoder = choice.format.isJPEG ? try JPEGFrameDecoder(path: path) : nil
        self.path = path
        card = capabilities.card
        driver = capabilities.driver
        timeoutSeconds = request.timeoutSeconds
        granted = CaptureFormat(format: choice.format, size: size, bytesPerLine: bytesPerLine, interval: interval,
                                isEmulated: choice.isEmulated, bufferCount: buffers.mappings.count)
        for index in buffers.mappings.indices { try buffers.enqueue(UInt32(index)) }
        var type = Int32(FormatCatalog.captureType)
        try file.perform(veil_vidioc_streamon(), &type, "start streaming", "VIDIOC_STREAMON")
    }

    deinit {
        // Stopping fails only where the device is gone, which stopped the stream already. The
        // buffers unmap and the file closes as their owners go, in that order.
        var type = Int32(FormatCatalog.captureType)
        _ = buffers.file.query(veil_vidioc_streamoff(), &type)
    }

    /// Waits for the next good frame (up to the request's timeout), converts it into `picture`, whose
    /// size must be the granted size, and returns the driver's metadata for it.
    public func read(into picture: Picture) throws -> FrameInfo {
        guard picture.width == granted.size.width && picture.height == granted.size.height else {
            throw CaptureError.pictureSizeMismatch(path: path, device: granted.size.description,
                                                   picture: "\(picture.width)x\(picture.height)")
        }
        let deadline = MonotonicClock.after(seconds: timeoutSeconds)
        while true {
            let file = buffers.file
            var waiting = pollfd(fd: file.descriptor, events: Int16(POLLIN), revents: 0)
            let now = MonotonicClock.now()
            let remaining = deadline > now ? Double(deadline - now) / 1e9 : 0
            let ready = poll(&waiting, 1, Int32((remaining * 1000).rounded(.up)))
            if ready < 0 {
                if errno == EINTR { continue }
                throw CaptureError.failed(action: "wait for a frame", path: path, request: "poll", reason: errnoText(errno))
            }
            if ready == 0 { throw CaptureError.timedOut(path: path, seconds: timeoutSeconds) }
            var buffer = StreamBuffers.descriptor(index: 0)
            let code = file.query(veil_vidioc_dqbuf(), &buffer)
            if code == EAGAIN {
                // Readable without a frame is a spurious wakeup; an error condition without one
                // would wake us at once until the deadline, and means the device is unusable.
                if waiting.revents & Int16(POLLERR | POLLHUP) != 0 {
                    throw CaptureError.disconnected(path: path, reason: "the device reports an error (poll: POLLERR)")
                }
                continue
            }
            guard code == 0 else { throw file.error(for: code, "take a frame", "VIDIOC_DQBUF") }
            if let info = try convert(buffer, into: picture) { return info }
        }
    }

    /// Converts a dequeued buffer and hands it back to the driver, whatever happens. Nil where the
    /// frame is damaged and was skipped.
    private func convert(_ buffer: v4l2_buffer, into picture: Picture) throws -> FrameInfo? {
        let mapping = buffers.mappings[Int(buffer.index)]
        let byteCount = min(Int(buffer.bytesused), mapping.count)
        var damaged = buffer.flags & UInt32(V4L2_BUF_FLAG_ERROR) != 0
        do {
            if !damaged {
                damaged = try convert(UnsafeRawBufferPointer(start: mapping.baseAddress, count: byteCount), into: picture)
            }
        } catch {
            try buffers.enqueue(buffer.index)
            throw error
        }
        try buffers.enqueue(buffer.index)
        if let last = lastSequence, buffer.sequence > last &+ 1 { droppedFrames += Int(buffer.sequence - last - 1) }
        lastSequence = buffer.sequence
        if damaged {
            damagedFrames += 1
            return nil
        }
        let timestamp = Int64(buffer.timestamp.tv_sec) * 1_000_000_000 + Int64(buffer.timestamp.tv_usec) * 1000
        picture.pts = timestamp / 1000
        return FrameInfo(sequence: buffer.sequence, timestampNanoseconds: timestamp,
                         isMonotonic: buffer.flags & UInt32(V4L2_BUF_FLAG_TIMESTAMP_MASK) == UInt32(V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC),
                         byteCount: byteCount)
    }

    /// Returns whether the frame is damaged (too short, or a JPEG that does not decode).
    private func convert(_ frame: UnsafeRawBufferPointer, into picture: Picture) throws -> Bool {
        if let decoder { return try decoder.decode(frame, into: picture) != nil }
        let format = granted.format, pitch = granted.bytesPerLine
        guard frame.count >= CameraPixels.frameBytes(format, bytesPerLine: pitch, height: picture.height),
              let bytes = frame.baseAddress else { return true }
        switch format {
        case .yuyv: CameraPixels.yuyvToI420(bytes, bytesPerLine: pitch, into: picture)
        case .nv12: CameraPixels.nv12ToI420(bytes, bytesPerLine: pitch, into: picture)
        default: CameraPixels.i420ToI420(bytes, bytesPerLine: pitch, into: picture)
        }
        return false
    }

    /// VIDIOC_S_FMT; returns the granted size and pitch, after checking the grant is convertible.
    private static func setFormat(_ format: PixelFormat, _ size: FrameSize, _ file: DeviceFile) throws -> (FrameSize, Int) {
        var request = v4l2_format()
        request.type = FormatCatalog.captureType
        request.fmt.pix.width = UInt32(size.width)
        request.fmt.pix.height = UInt32(size.height)
        request.fmt.pix.pixelformat = format.code
        request.fmt.pix.field = V4L2_FIELD_NONE.rawValue
        try file.perform(veil_vidioc_s_fmt(), &request, "set the \(format) \(size) format", "VIDIOC_S_FMT")
        let pix = request.fmt.pix
        let grantedFormat = PixelFormat(code: pix.pixelformat)
        let grantedSize = FrameSize(width: Int(pix.width), height: Int(pix.height))
        let minimumPitch = format == .yuyv ? 2 * grantedSize.width : grantedSize.width
        let fields = [V4L2_FIELD_ANY, V4L2_FIELD_NONE, V4L2_FIELD_INTERLACED, V4L2_FIELD_INTERLACED_TB,
                      V4L2_FIELD_INTERLACED_BT].map(\.rawValue)
        if grantedFormat != format {
            throw CaptureError.unusableGrant(path: file.path, reason: "asked for \(format), got \(grantedFormat)")
        } else if grantedSize.width <= 0 || grantedSize.height <= 0 || grantedSize.width % 2 != 0 {
            throw CaptureError.unusableGrant(path: file.path, reason: "\(grantedSize) (4:2:x formats need an even width)")
        } else if !format.isJPEG && Int(pix.bytesperline) < minimumPitch {
            throw CaptureError.unusableGrant(path: file.path, reason: "\(pix.bytesperline) bytes per line at \(grantedSize)")
        } else if !fields.contains(pix.field) {
            throw CaptureError.unusableGrant(path: file.path, reason: "it sends fields separately (field order \(pix.field))")
        }
        return (grantedSize, Int(pix.bytesperline))
    }

    /// VIDIOC_S_PARM where the driver lets the rate be set; returns the interval it reports, or nil
    /// where it reports none (VIDIOC_G_PARM unsupported, or 0/0).
    private static func setRate(_ framesPerSecond: Double?, _ file: DeviceFile) throws -> FrameInterval? {
        var parameters = v4l2_streamparm()
        parameters.type = FormatCatalog.captureType
        let code = file.query(veil_vidioc_g_parm(), &parameters)
        if code == ENOTTY || code == EINVAL { return nil }
        guard code == 0 else { throw file.error(for: code, "read the frame rate", "VIDIOC_G_PARM") }
        if let rate = framesPerSecond, parameters.parm.capture.capability & UInt32(V4L2_CAP_TIMEPERFRAME) != 0 {
            let interval = FrameInterval(framesPerSecond: rate)
            parameters.parm.capture.timeperframe = v4l2_fract(numerator: interval.numerator, denominator: interval.denominator)
            try file.perform(veil_vidioc_s_parm(), &parameters, "set the frame rate to \(FrameRateText.fps(rate)) fps", "VIDIOC_S_PARM")
        }
        let granted = FrameInterval(parameters.parm.capture.timeperframe)
        return granted.isValid ? granted : nil
    }
}
