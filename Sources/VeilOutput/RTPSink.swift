import CFFmpeg
import Glibc
import Logging
import VeilMedia
import VeilCore

/// H.264 over RTP (RFC 6184) through libavformat's rtp muxer, optionally protected with SRTP
/// (FFmpeg's srtp protocol). Each open writes the SDP for the stream, so a restart with new
/// parameters (size, SPS/PPS, SSRC) always leaves a matching description.
final class RTPSink: PacketSink {
    /// Enough hops for a site network; multicast must not leak much further.
    static let multicastTTL = 16

    private let address: Endpoint
    private let sdpPath: String
    private let key: SRTPKey?
    private let name: String
    private let packet: UnsafeMutablePointer<AVPacket>
    private var context: UnsafeMutablePointer<AVFormatContext>?
    private var headerWritten = false
    private var encoderTimeBase = LiveEncoder.timeBase

    init(address: Endpoint, sdpPath: String, key: SRTPKey?, name: String) throws {
        guard let packet = av_packet_alloc() else { throw outOfMemory("set up", name) }
        self.address = address
        self.sdpPath = sdpPath
        self.key = key
        self.name = name
        self.packet = packet
    }

    deinit {
        close()
        var packet: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&packet)
    }

    private var url: String {
        let host = address.host.contains(":") ? "[\(address.host)]" : address.host
        let query = address.isMulticast ? "?ttl=\(RTPSink.multicastTTL)" : ""
        return "\(key == nil ? "rtp" : "srtp")://\(host):\(address.port)\(query)"
    }

    func open(_ stream: EncodedStream) throws {
        close()
        var allocated: UnsafeMutablePointer<AVFormatContext>?
        try check(avformat_alloc_output_context2(&allocated, nil, "rtp", url), "set up the RTP muxer for", name)
        guard let context = allocated else { throw outOfMemory("set up", name) }
        self.context = context
        guard let videoStream = avformat_new_stream(context, nil) else { throw outOfMemory("set up", name) }
        try stream.configure(videoStream, timeBase: AVRational(num: 1, den: 90000), target: name)
        encoderTimeBase = stream.timeBase
        var options: OpaquePointer?
        defer { av_dict_free(&options) }
        if let key {
            try check(av_dict_set(&options, "srtp_out_suite", SRTPKey.suite, 0), "set up SRTP for", name)
            try check(av_dict_set(&options, "srtp_out_params", key.base64, 0), "set up SRTP for", name)
        }
        try check(avio_open2(&context.pointee.pb, url, AVIO_FLAG_WRITE, nil, &options), "open", name)
        try check(avformat_write_header(context, nil), "start the RTP stream of", name)
        headerWritten = true
        try writeSDP(context)
    }

    /// The SDP of an SRTP stream carries its key (a=crypto), so it is written owner-only, like the key
    /// file; a plain RTP SDP is world-readable.
    private func writeSDP(_ context: UnsafeMutablePointer<AVFormatContext>) throws {
        var buffer = [CChar](repeating: 0, count: 16384)
        var contexts: [UnsafeMutablePointer<AVFormatContext>?] = [context]
        try check(av_sdp_create(&contexts, 1, &buffer, Int32(buffer.count)), "describe (SDP)", name)
        try SDPFile.write(String(cString: buffer), to: sdpPath, mode: key == nil ? 0o644 : 0o600)
    }

    func write(_ encoded: EncodedPacket) throws {
        guard let context, let stream = context.pointee.streams[0] else { return }
        try check(av_packet_ref(packet, encoded.packet), "send to", name)
        av_packet_rescale_ts(packet, encoderTimeBase, stream.pointee.time_base)
        packet.pointee.stream_index = 0
        let status = av_write_frame(context, packet)
        av_packet_unref(packet)
        try check(status, "send to", name)
    }

    func idle() throws {}

    func close() {
        guard context != nil else { return }
        // Nothing is lost if these fail: RTP's trailer only flushes, and the socket is gone either way.
        if headerWritten { _ = av_write_trailer(context) }
        headerWritten = false
        if context?.pointee.pb != nil { _ = avio_closep(&context!.pointee.pb) }
        avformat_free_context(context)
        context = nil
    }

    func retryInterval(after error: Error) -> Double? { nil }
}
