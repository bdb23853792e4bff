import CFFmpeg
import VeilMedia

/// The one encoder of a camera's outputs: I420 pictures in, H.264 packets out, timestamped from the
/// capture clock (microseconds since the first frame) rather than the source's pts, which restarts
/// with slates and reconnects. SPS/PPS are both in extradata (RTP's SDP and the containers' headers
/// need them) and repeated before every keyframe (a receiver that joins late, or lost a packet,
/// recovers at the next keyframe).
final class LiveEncoder {
    static let timeBase = AVRational(num: 1, den: 1_000_000)

    let stream: EncodedStream
    private let context: UnsafeMutablePointer<AVCodecContext>
    private let frame: UnsafeMutablePointer<AVFrame>
    private let packet: UnsafeMutablePointer<AVPacket>
    private let name: String
    private let frameDuration: Int64
    /// Capture time of the first frame: pts 0.
    private var origin: UInt64?
    private var lastPts: Int64 = -1

    /// name: what errors call the encoder, e.g. "exam-room-1's encoder".
    init(options: EncoderOptions, width: Int, height: Int, frameRate: Double, name: String) throws {
        guard let codec = avcodec_find_encoder_by_name(options.codec) else {
            throw OutputError("encoder '\(options.codec)': FFmpeg has no encoder of that name")
        }
        guard codec.pointee.id == AV_CODEC_ID_H264 else {
            throw OutputError("encoder '\(options.codec)' is not an H.264 encoder (RTP and the recordings carry H.264)")
        }
        guard let context = avcodec_alloc_context3(codec) else { throw outOfMemory("open", name) }
        var ownedContext: UnsafeMutablePointer<AVCodecContext>? = context
        let rate = av_d2q(frameRate, 1_001_000)
        do {
            context.pointee.width = Int32(width)
            context.pointee.height = Int32(height)
            context.pointee.pix_fmt = AV_PIX_FMT_YUV420P
            context.pointee.time_base = LiveEncoder.timeBase
            context.pointee.framerate = rate
            context.pointee.gop_size = Int32(options.gop)
            context.pointee.thread_count = Int32(options.threads)
            // Constant-ish rate with a one-second VBV buffer: a network path sized for the bitrate
            // never sees a keyframe burst much larger than a second's worth.
            let bitsPerSecond = Int64(options.bitrateKbps) * 1000
            context.pointee.bit_rate = bitsPerSecond
            context.pointee.rc_max_rate = bitsPerSecond
            context.pointee.rc_buffer_size = Int32(clamping: bitsPerSecond)
            context.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER
            // Pictures are BT.601 limited range (see Picture).
            context.pointee.color_range = AVCOL_RANGE_MPEG
            context.pointee.colorspace = AVCOL_SPC_SMPTE170M
            let search = Int32(AV_OPT_SEARCH_CHILDREN)
            let raw = UnsafeMutableRawPointer(context)
            if let preset = options.preset {
                try check(av_opt_set(raw, "preset", preset, search), "set preset '\(preset)' of", name)
            }
            if options.zeroLatency {
                try check(av_opt_set(raw, "tune", "zerolatency", search), "set tune 'zerolatency' of", name)
            }
            // x264 drops in-band headers once it is asked for global ones; this puts them back.
            if String(cString: codec.pointee.name) == "libx264" {
                try check(av_opt_set(raw, "x264-params", "repeat-headers=1", search), "set repeat-headers of", name)
            }
            try check(avcodec_open2(context, codec, nil), "open", name)
            guard context.pointee.extradata_size > 0 else {
                throw OutputError("\(name) gave no SPS/PPS headers (the SDP's sprop-parameter-sets need them)")
            }
            stream = try EncodedStream(context: context, name: name)
        } catch {
            avcodec_free_context(&ownedContext)
            throw error
        }
        guard let frame = av_frame_alloc() else {
            avcodec_free_context(&ownedContext)
            throw outOfMemory("open", name)
        }
        guard let packet = av_packet_alloc() else {
            var ownedFrame: UnsafeMutablePointer<AVFrame>? = frame
            av_frame_free(&ownedFrame)
            avcodec_free_context(&ownedContext)
            throw outOfMemory("open", name)
        }
        self.context = context
        self.frame = frame
        self.packet = packet
        self.name = name
        frameDuration = max(1, av_rescale_q(1, av_inv_q(rate), LiveEncoder.timeBase))
    }

    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&packet)
        var frame: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&frame)
        var context: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&context)
    }

    /// Encodes one picture captured at `captureTime` and hands each packet the encoder gives back to
    /// `emit`. The encoder copies the picture, so the caller may reuse it at once.
    func encode(_ picture: Picture, captureTime: UInt64, emit: (EncodedPacket) -> Void) throws {
        let origin = self.origin ?? captureTime
        self.origin = origin
        // Strictly increasing even if two capture times collide or the caller's clock steps back.
        let elapsed = captureTime >= origin ? Int64((captureTime - origin) / 1000) : lastPts + 1
        lastPts = max(elapsed, lastPts + 1)
        picture.present(in: frame)
        frame.pointee.pts = lastPts
        try check(avcodec_send_frame(context, frame), "encode a frame with", name)
        try drain(emit)
    }

    /// Sends the end of the stream and hands out the packets the encoder still held.
    func flush(emit: (EncodedPacket) -> Void) throws {
        try check(avcodec_send_frame(context, nil), "flush", name)
        try drain(emit)
    }

    private func drain(_ emit: (EncodedPacket) -> Void) throws {
        while true {
            let status = avcodec_receive_packet(context, packet)
            if status == veil_averror_eagain() || status == veil_averror_eof() { return }
            try check(status, "encode a frame with", name)
            // x264 leaves durations at 0; MP4 takes the last frame's duration from its packet.
            if packet.pointee.duration == 0 { packet.pointee.duration = frameDuration }
            let captureTime = (origin ?? 0) + UInt64(max(0, packet.pointee.pts)) * 1000
            emit(try EncodedPacket(moving: packet, captureTime: captureTime))
        }
    }
}
