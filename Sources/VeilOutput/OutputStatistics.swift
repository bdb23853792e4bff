import VeilMedia

/// What a camera's outputs have done so far.
public struct OutputStatistics: Sendable {
    /// Frames given to `submit`, and of those dropped because every pool buffer was busy (or the
    /// picture had the wrong size).
    public var framesSubmitted = 0
    public var framesDropped = 0
    public var framesEncoded = 0
    public var encodeErrors = 0
    /// Seconds per frame spent in the encoder.
    public var encodeTime = TimingHistogram()
    /// In the order the outputs were configured.
    public var outputs: [OutputStatus] = []

    public init() {}
}

/// One output's counters and state.
public struct OutputStatus: Sendable {
    /// The kind and destination, e.g. "rtp 127.0.0.1:5004", "record /var/lib/veil/recordings/x".
    public let name: String
    /// Packets (frames, for loopback) handed to the socket, file or device, and their bytes.
    public var sent = 0
    public var bytes = 0
    /// Failures: each one closes the output until it is reopened.
    public var errors = 0
    /// Dropped because the output had fallen behind (its queue was full, the device was busy).
    public var dropped = 0
    /// Skipped while the output was down, until it could be reopened at a keyframe.
    public var skipped = 0
    /// True while the output is down after a failure (disk full, device gone, ...) and waiting to retry.
    public var paused = false
    public var lastError: String?
    /// Seconds from capture to the packet (or frame) being handed to the socket, file or device.
    public var latency = TimingHistogram()

    init(name: String) { self.name = name }
}
