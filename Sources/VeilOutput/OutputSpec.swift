import VeilCore

/// Where one camera's anonymized stream goes. A camera may have any number of outputs; all but
/// `loopback` share the camera's one encode.
public enum OutputSpec: Equatable, Sendable {
    /// H.264 over RTP (RFC 6184) to `address`, unicast or multicast.
    /// The SDP a receiver needs is written to `sdpPath` whenever the stream (re)starts.
    case rtp(address: Endpoint, sdpPath: String)
    /// The same protected with SRTP (AES_CM_128_HMAC_SHA1_80). `keyFile` holds the base64 of a 30-byte
    /// master key and salt, and must be mode 0600 and owned by the user the daemon runs as. The SDP
    /// carries the key (`a=crypto:`), so it is written mode 0600 as well.
    case srtp(address: Endpoint, sdpPath: String, keyFile: String)
    /// Segmented recordings in `directory`, named `<camera>-<UTC start>.<container>`, a new one every
    /// `segmentSeconds` (at the next keyframe). Once the camera's segments there exceed
    /// `maxTotalBytes`, the oldest are deleted; nil keeps everything.
    case record(directory: String, segmentSeconds: Double, container: RecordingContainer, maxTotalBytes: Int64?)
    /// Raw I420 frames written to a v4l2loopback device, which other programs then open as a camera.
    case loopback(devicePath: String)
}

/// How a camera's outputs are encoded (one encode per camera, shared by its network and recording outputs).
public struct EncoderOptions: Equatable, Sendable {
    /// An FFmpeg encoder of H.264: RTP carries it as RFC 6184, the recordings hold it as is.
    public var codec: String
    public var preset: String?
    public var bitrateKbps: Int
    /// Frames between keyframes: how long a receiver that joins, or loses a packet, waits for a picture,
    /// and the granularity of segment rotation.
    public var gop: Int
    /// x264's "zerolatency" tune: no B-frames and no lookahead, so a frame's packets leave as soon as
    /// it is encoded.
    public var zeroLatency: Bool
    /// 0: let the encoder pick.
    public var threads: Int

    public init(codec: String = "libx264", preset: String? = "veryfast", bitrateKbps: Int = 3000, gop: Int = 30,
                zeroLatency: Bool = true, threads: Int = 0) {
        self.codec = codec
        self.preset = preset
        self.bitrateKbps = bitrateKbps
        self.gop = gop
        self.zeroLatency = zeroLatency
        self.threads = threads
    }
}
