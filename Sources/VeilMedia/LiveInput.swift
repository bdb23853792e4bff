import Synchronization
import VeilCore

/// How a live input (a network camera) is opened and read: an open waits `timeout` for an answer, a
/// read `timeout` for the next packet, so that a server that is down, hangs after the connect, or stops
/// sending ends the call with an error instead of holding the camera's thread.
public struct LiveInputOptions: Sendable {
    /// Seconds an open may wait for an answer, and a read for the next packet.
    public var timeout: Double

    public init(timeout: Double) {
        self.timeout = timeout
    }

    /// Seconds the probe after the open may take in all: it reads until it has seen the stream's
    /// parameters, a keyframe interval or more (IP cameras send one every 1-4 s), while data comes.
    var probeTimeout: Double { max(timeout, 10) }

    /// FFmpeg's own I/O timeouts (microseconds) for the URL's protocol: they end a blocked socket read
    /// cleanly; the interrupt callback (`IODeadline`) bounds what they do not cover, such as a server
    /// that trickles bytes that never make a frame.
    func ffmpegOptions(for url: String) -> [(key: String, value: String)] {
        let microseconds = String(Int(timeout * 1e6))
        var options = [(key: "rw_timeout", value: microseconds)]
        // RTSP's socket timeout has a name of its own.
        if url.lowercased().hasPrefix("rtsp") { options.append((key: "timeout", value: microseconds)) }
        return options
    }
}

/// The state behind FFmpeg's interrupt callback for one input: a deadline armed before each blocking
/// call, read by FFmpeg's polling on the thread blocked in it.
final class IODeadline: Sendable {
    /// MonotonicClock nanoseconds; 0: no deadline.
    private let deadline = Atomic<UInt64>(0)

    func arm(seconds: Double) {
        deadline.store(MonotonicClock.after(seconds: seconds), ordering: .relaxed)
    }

    /// Whether the blocked call should give up now.
    var hasPassed: Bool {
        let deadline = deadline.load(ordering: .relaxed)
        return deadline != 0 && MonotonicClock.now() > deadline
    }
}
