import CFFmpeg
import Glibc
import VeilMedia
import VeilCore

/// One segment of a recording being written, under its final name from the start, and playable up
/// to its last half second at any moment: Matroska clusters and MP4 fragments are closed at least
/// every 500 ms (and at keyframes), and the I/O buffer is flushed after every packet, so a closed
/// cluster or fragment reaches the kernel at once (FFmpeg flushes at those points itself; the
/// explicit flush keeps that true whatever the muxer does). A killed process therefore loses only
/// the open cluster or fragment; `sync` (each second) covers power loss.
final class RecordingSegment {
    /// Longest span of media held in the muxer before it reaches the file.
    static let flushMilliseconds = 500

    let path: String
    /// Timestamp (in the encoder's time base) of the segment's first packet.
    private(set) var start: Int64?
    private(set) var packets = 0
    private let file: SegmentFile
    private let context: UnsafeMutablePointer<AVFormatContext>
    private let packet: UnsafeMutablePointer<AVPacket>
    private let encoderTimeBase: AVRational
    private var finished = false

    init(path: String, container: RecordingContainer, stream: EncodedStream) throws {
        file = try SegmentFile(creating: path)
        var allocated: UnsafeMutablePointer<AVFormatContext>?
        let format = container == .mkv ? "matroska" : "mp4"
        do {
            try check(avformat_alloc_output_context2(&allocated, nil, format, path), "set up the muxer for", path)
        } catch {
            unlink(path)
            throw error
        }
        guard let context = allocated else {
            unlink(path)
            throw outOfMemory("set up the muxer for", path)
        }
        guard let packet = av_packet_alloc() else {
            avformat_free_context(context)
            unlink(path)
            throw outOfMemory("write", path)
        }
        self.path = path
        self.context = context
        self.packet = packet
        encoderTimeBase = stream.timeBase
        context.pointee.pb = file.io
        context.pointee.flags |= AVFMT_FLAG_CUSTOM_IO
        do {
            try writeHeader(container: container, stream: stream)
        } catch {
            // Nothing playable yet: leave no empty file behind.
            unlink(path)
            throw error
        }
    }

    private func writeHeader(container: RecordingContainer, stream: EncodedStream) throws {
        guard let videoStream = avformat_new_stream(context, nil) else { throw outOfMemory("write", path) }
        try stream.configure(videoStream, timeBase: container == .mkv ? AVRational(num: 1, den: 1000) : AVRational(num: 1, den: 90000),
                             target: path)
        var options: OpaquePointer?
        defer { av_dict_free(&options) }
        switch container {
        case .mkv:
            try check(av_dict_set(&options, "cluster_time_limit", "\(RecordingSegment.flushMilliseconds)", 0), "set up", path)
        case .mp4:
            // Every fragment carries its own moof, so the file plays without the moov a trailer would write.
            try check(av_dict_set(&options, "movflags", "frag_keyframe+empty_moov+default_base_moof", 0), "set up", path)
            try check(av_dict_set(&options, "frag_duration", "\(RecordingSegment.flushMilliseconds * 1000)", 0), "set up", path)
        }
        let status = avformat_write_header(context, &options)
        try file.checkFailure()
        try check(status, "write the header of", path)
        if let unused = av_dict_get(options, "", nil, AV_DICT_IGNORE_SUFFIX) {
            throw MediaError.failed(action: "set up", path: path, reason: "the muxer has no option '\(String(cString: unused.pointee.key))'")
        }
        try file.flush()
    }

    /// A segment abandoned without `finish` (its writer failed) keeps what reached the file.
    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&packet)
        context.pointee.pb = nil
        avformat_free_context(context)
    }

    /// Writes a packet, its timestamps moved so that the segment starts at 0, and hands it to the kernel.
    func write(_ encoded: EncodedPacket) throws {
        let start = self.start ?? encoded.dts
        self.start = start
        try check(av_packet_ref(packet, encoded.packet), "write", path)
        packet.pointee.pts -= start
        packet.pointee.dts -= start
        packet.pointee.stream_index = 0
        av_packet_rescale_ts(packet, encoderTimeBase, context.pointee.streams[0]!.pointee.time_base)
        let status = av_write_frame(context, packet)
        av_packet_unref(packet)
        try file.checkFailure()
        try check(status, "write", path)
        try file.flush()
        packets += 1
    }

    func sync() throws { try file.sync() }

    /// Writes the trailer (Matroska cues and sizes, the MP4 fragment index) and syncs the file.
    func finish() throws {
        guard !finished else { return }
        finished = true
        let status = av_write_trailer(context)
        try file.checkFailure()
        try check(status, "finish", path)
        try file.flush()
        try file.sync()
    }
}
