import CFFmpeg

/// An opened input (file or URL): owns its AVFormatContext and the packet it demuxes into.
final class Demuxer {
    let context: UnsafeMutablePointer<AVFormatContext>
    let packet: UnsafeMutablePointer<AVPacket>

    /// Network protocols (rtsp, https) need their libraries initialised once per process.
    private static let networkStatus: Int32 = avformat_network_init()

    init(path: String) throws {
        try check(Demuxer.networkStatus, "initialise networking to open", path)
        var opened: UnsafeMutablePointer<AVFormatContext>?
        let status = avformat_open_input(&opened, path, nil, nil)
        guard status >= 0, let context = opened else { throw Demuxer.openError(status, path) }
        let probed = avformat_find_stream_info(context, nil)
        guard probed >= 0 else {
            avformat_close_input(&opened)
            throw MediaError.unreadable(path: path, kind: "video", reason: ffmpegErrorText(probed))
        }
        guard let packet = av_packet_alloc() else {
            avformat_close_input(&opened)
            throw outOfMemory("read", path)
        }
        self.context = context
        self.packet = packet
    }

    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&packet)
        var context: UnsafeMutablePointer<AVFormatContext>? = context
        avformat_close_input(&context)
    }

    var streams: [UnsafeMutablePointer<AVStream>] {
        (0..<Int(context.pointee.nb_streams)).compactMap { context.pointee.streams[$0] }
    }

    /// Content FFmpeg does not recognise (an empty file, text) is "not a video"; anything else (a missing
    /// file, no permission, a refused connection) is a failure to open.
    private static func openError(_ status: Int32, _ path: String) -> MediaError {
        let reason = ffmpegErrorText(status)
        if status == veil_averror_invaliddata() || status == veil_averror_eof() {
            return .unreadable(path: path, kind: "video", reason: reason)
        }
        return .failed(action: "open input", path: path, reason: reason)
    }
}
