import VeilCore
import CFFmpeg

/// An opened input (file or URL): owns its AVFormatContext and the packet it demuxes into.
final class Demuxer {
    let context: UnsafeMutablePointer<AVFormatContext>
    let packet: UnsafeMutablePointer<AVPacket>
    /// A live input's bound on every wait (nil for files, which never wait).
    private let live: LiveInputOptions?
    private let deadline: IODeadline

    /// Network protocols (rtsp, https) need their libraries initialised once per process.
    private static let networkStatus: Int32 = avformat_network_init()

    /// `live`: open and read `path` as a live input, every wait bounded by its timeout.
    init(path: String, live: LiveInputOptions? = nil) throws {
        try check(Demuxer.networkStatus, "initialise networking to open", path)
        var options: OpaquePointer?
        defer { av_dict_free(&options) }
        for option in live?.ffmpegOptions(for: path) ?? [] {
            try check(av_dict_set(&options, option.key, option.value, 0), "set \(option.key) to open", path)
        }
        guard let allocated = avformat_alloc_context() else { throw outOfMemory("open", path) }
        let deadline = IODeadline()
        if live != nil {
            // The callback is polled by FFmpeg's blocking calls: a non-zero answer ends them.
            allocated.pointee.interrupt_callback.callback = { opaque in
                guard let opaque else { return 0 }
                return Unmanaged<IODeadline>.fromOpaque(opaque).takeUnretainedValue().hasPassed ? 1 : 0
            }
            allocated.pointee.interrupt_callback.opaque = Unmanaged.passUnretained(deadline).toOpaque()
        }
        self.live = live
        self.deadline = deadline
        var opened: UnsafeMutablePointer<AVFormatContext>? = allocated
        if let live { deadline.arm(seconds: live.timeout) }
        // On failure FFmpeg frees the context it was given.
        let status = avformat_open_input(&opened, path, nil, &options)
        guard status >= 0, let context = opened else {
            throw Demuxer.openError(status, path, silentFor: live.flatMap { deadline.hasPassed ? $0.timeout : nil })
        }
        if let live { deadline.arm(seconds: live.probeTimeout) }
        let probed = avformat_find_stream_info(context, nil)
        guard probed >= 0 else {
            avformat_close_input(&opened)
            let reason = live.flatMap { deadline.hasPassed ? "no stream parameters within \(Demuxer.seconds($0.probeTimeout))" : nil }
            throw MediaError.unreadable(path: path, kind: "video", reason: reason ?? ffmpegErrorText(probed))
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

    /// Before each read on a live input, and after each packet: the next may come one timeout from now.
    func armDeadline() {
        if let live { deadline.arm(seconds: live.timeout) }
    }

    /// What a failed read says: FFmpeg's text, or, where the deadline ended it, how long it waited.
    func failureText(_ status: Int32) -> String {
        // Only the deadline asks FFmpeg to exit; it may report that on a later read, once the packets it
        // had buffered are out.
        guard let live, deadline.hasPassed || status == veil_averror_exit() else { return ffmpegErrorText(status) }
        return "nothing received for \(Demuxer.seconds(live.timeout))"
    }

    private static func seconds(_ value: Double) -> String {
        value.rounded() == value ? "\(Int(value)) s" : "\(value) s"
    }

    /// Content FFmpeg does not recognise (an empty file, text) is "not a video"; anything else (a missing
    /// file, no permission, a refused connection, no answer in time) is a failure to open.
    private static func openError(_ status: Int32, _ path: String, silentFor timeout: Double?) -> MediaError {
        if let timeout { return .failed(action: "open input", path: path, reason: "no answer within \(seconds(timeout))") }
        let reason = ffmpegErrorText(status)
        if status == veil_averror_invaliddata() || status == veil_averror_eof() {
            return .unreadable(path: path, kind: "video", reason: reason)
        }
        return .failed(action: "open input", path: path, reason: reason)
    }
}
