import VeilCore

/// What to ask a camera for. The driver decides what it grants (`CaptureDevice.granted`), which is
/// the nearest it supports.
public struct CaptureRequest: Sendable {
    public var size: FrameSize
    /// Nil leaves the driver's current rate.
    public var framesPerSecond: Double?
    /// Formats in order of preference. The first one offered at the size and rate wins; failing that
    /// the first offered at the size, then the first offered at all. Formats the camera sends itself
    /// come before those libv4l2 would have to convert to in software.
    public var formats: [PixelFormat]
    /// Driver buffers: enough that the camera can fill one while another is converted.
    public var bufferCount: Int
    /// How long `read` waits for a frame before it reports the camera stalled.
    public var timeoutSeconds: Double

    /// Uncompressed 4:2:2 first (no decode, cheapest to convert), MJPEG last: USB 2 cameras often
    /// send 720p at 30 fps only as MJPEG, which the size-and-rate rule then picks.
    public static let defaultFormats: [PixelFormat] = [.yuyv, .nv12, .yuv420, .mjpeg]

    public init(size: FrameSize = FrameSize(width: 1280, height: 720), framesPerSecond: Double? = 30,
                formats: [PixelFormat] = CaptureRequest.defaultFormats, bufferCount: Int = 4, timeoutSeconds: Double = 2) {
        self.size = size
        self.framesPerSecond = framesPerSecond
        self.formats = formats
        self.bufferCount = bufferCount
        self.timeoutSeconds = timeoutSeconds
    }

    /// The offered format to ask for, by the rules on `formats`; nil when none of them is offered.
    func choose(from offered: [FormatInfo]) -> FormatInfo? {
        let wanted = formats.filter { PixelFormat.convertible.contains($0) }.flatMap { format in
            offered.filter { $0.format == format || (format.isJPEG && $0.format.isJPEG) }
        }
        let candidates = wanted.filter { !$0.isEmulated } + wanted.filter { $0.isEmulated }
        if let rate = framesPerSecond,
           let best = candidates.first(where: { $0.sizes.rates(at: size)?.offers(framesPerSecond: rate) == true }) {
            return best
        }
        return candidates.first(where: { $0.sizes.rates(at: size) != nil }) ?? candidates.first
    }
}

/// What the driver granted.
public struct CaptureFormat: CustomStringConvertible, Sendable {
    public let format: PixelFormat
    public let size: FrameSize
    /// The driver's row pitch for uncompressed formats (0 for compressed ones).
    public let bytesPerLine: Int
    /// Nil where the driver neither sets nor reports a rate.
    public let interval: FrameInterval?
    /// libv4l2 converts to this format in software from what the camera sends.
    public let isEmulated: Bool
    public let bufferCount: Int

    public var description: String {
        let rate = interval.map { "\(FrameRateText.fps($0.framesPerSecond)) fps" } ?? "rate unknown"
        return "\(format) \(size) at \(rate)\(isEmulated ? " (converted by libv4l2)" : ""), \(bufferCount) buffers"
    }
}

/// One captured frame's metadata from the driver.
public struct FrameInfo: Sendable {
    /// The driver's frame counter: a gap means the driver dropped frames.
    public let sequence: UInt32
    /// When the driver captured the frame, in nanoseconds on CLOCK_MONOTONIC where `isMonotonic`
    /// (comparable with clock_gettime(CLOCK_MONOTONIC), for latency), else on an unspecified clock.
    public let timestampNanoseconds: Int64
    public let isMonotonic: Bool
    public let byteCount: Int
}

/// Frame rates as people read them: 30, 29.97, 7.5.
public enum FrameRateText {
    public static func fps(_ rate: Double) -> String {
        let rounded = (rate * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
