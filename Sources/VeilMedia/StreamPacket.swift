import CFFmpeg

/// A packet of a stream that is passed through untouched (audio). It is lent for the duration of the
/// `passthrough` call only: the reader reuses the packet afterwards.
public struct StreamPacket {
    public let packet: UnsafeMutablePointer<AVPacket>
    /// The packet's stream in the input.
    public let streamIndex: Int
}

/// A passed-through packet kept beyond the `passthrough` call, e.g. queued for a writer on another
/// thread. Owns a reference to the packet's data (no copy for FFmpeg's reference-counted packets).
public final class OwnedPacket {
    private let packet: UnsafeMutablePointer<AVPacket>
    public let streamIndex: Int

    public init(copying source: StreamPacket) throws {
        guard let packet = av_packet_clone(source.packet) else {
            throw MediaError.failed(action: "keep", path: "a packet of input stream \(source.streamIndex)",
                                    reason: ffmpegErrorText(veil_averror(ENOMEM)))
        }
        self.packet = packet
        streamIndex = source.streamIndex
    }

    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&packet)
    }

    /// A view valid while this object lives.
    public var lent: StreamPacket { StreamPacket(packet: packet, streamIndex: streamIndex) }
}
