import CFFmpeg

/// An opened video encoder taking I420 pictures: owns its AVCodecContext, the frame that points at
/// the picture being sent and the packet it encodes into. Shared by `veil process`'s file writer and
/// the live outputs, which differ in how they configure it and what they do with its packets.
public final class VideoEncoder {
    public let context: UnsafeMutablePointer<AVCodecContext>
    public let packet: UnsafeMutablePointer<AVPacket>
    private let frame: UnsafeMutablePointer<AVFrame>
    private let path: String

    /// codec: found by the caller, who knows how to name a missing or unsuitable one. path: what errors
    /// name, e.g. the output file. configure: sets the context's fields and private options; it runs
    /// before the encoder is opened.
    public init(codec: UnsafePointer<AVCodec>, path: String,
                configure: (UnsafeMutablePointer<AVCodecContext>) throws -> Void) throws {
        guard let context = avcodec_alloc_context3(codec) else { throw outOfMemory("encode", path) }
        var owned: UnsafeMutablePointer<AVCodecContext>? = context
        do {
            try configure(context)
            try check(avcodec_open2(context, codec, nil), "open the \(String(cString: codec.pointee.name)) encoder for", path)
        } catch {
            avcodec_free_context(&owned)
            throw error
        }
        guard let frame = av_frame_alloc() else {
            avcodec_free_context(&owned)
            throw outOfMemory("encode", path)
        }
        guard let packet = av_packet_alloc() else {
            var ownedFrame: UnsafeMutablePointer<AVFrame>? = frame
            av_frame_free(&ownedFrame)
            avcodec_free_context(&owned)
            throw outOfMemory("encode", path)
        }
        self.context = context
        self.frame = frame
        self.packet = packet
        self.path = path
    }

    /// source: the stream being re-encoded, whose size, time base, rate, aspect ratio and colour tags the
    /// output keeps. globalHeader: the muxer wants SPS/PPS in extradata rather than in-band.
    convenience init(settings: EncoderSettings, source: VideoReader, globalHeader: Bool, path: String) throws {
        guard let codec = avcodec_find_encoder_by_name(settings.codec) else {
            throw MediaError.failed(action: "write", path: path, reason: "FFmpeg has no encoder named '\(settings.codec)'")
        }
        try self.init(codec: codec, path: path) { context in
            try VideoEncoder.configure(context, settings: settings, source: source, globalHeader: globalHeader, path: path)
        }
    }

    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&packet)
        var frame: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&frame)
        var context: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&context)
    }

    private static func configure(_ context: UnsafeMutablePointer<AVCodecContext>, settings: EncoderSettings,
                                  source: VideoReader, globalHeader: Bool, path: String) throws {
        context.pointee.width = Int32(source.width)
        context.pointee.height = Int32(source.height)
        context.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        // The source's own time base: pictures carry source timestamps, which then pass unchanged.
        context.pointee.time_base = source.timeBase.av
        context.pointee.framerate = source.frameRate.av
        context.pointee.sample_aspect_ratio = source.sampleAspectRatio
        context.pointee.thread_count = Int32(settings.threads)
        if let gop = settings.gop { context.pointee.gop_size = Int32(gop) }
        if globalHeader { context.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER }
        // Pictures are limited range; their matrix is the source's (YUV is copied, not re-matrixed),
        // or BT.601 where swscale made YUV out of RGB.
        let colours = source.videoStream.pointee.codecpar.pointee
        context.pointee.color_range = AVCOL_RANGE_MPEG
        if source.isRGB {
            context.pointee.colorspace = AVCOL_SPC_SMPTE170M
        } else {
            context.pointee.colorspace = colours.color_space
            context.pointee.color_primaries = colours.color_primaries
            context.pointee.color_trc = colours.color_trc
            context.pointee.chroma_sample_location = colours.chroma_location
        }
        if let preset = settings.preset { try setOption("preset", to: preset, of: context, path: path) }
        if let tune = settings.tune { try setOption("tune", to: tune, of: context, path: path) }
        if let crf = settings.crf {
            try check(av_opt_set_double(context, "crf", crf, Int32(AV_OPT_SEARCH_CHILDREN)),
                      "set crf \(crf) of \(settings.codec) for", path)
        }
    }

    /// Sets one of the codec's private options (x264's preset, tune, x264-params), which live in the
    /// codec's own class: found by searching the context's children. For a `configure` closure.
    public static func setOption(_ name: String, to value: String, of context: UnsafeMutablePointer<AVCodecContext>,
                                 path: String) throws {
        let codec = String(cString: context.pointee.codec.pointee.name)
        try check(av_opt_set(context, name, value, Int32(AV_OPT_SEARCH_CHILDREN)), "set \(name) '\(value)' of \(codec) for", path)
    }

    /// Sends one picture stamped `pts` (in the context's time base). The frame only points at the
    /// picture's planes: FFmpeg copies frames it does not own a reference to, so the caller may reuse
    /// the picture at once.
    public func send(_ picture: Picture, pts: Int64) throws {
        picture.present(in: frame)
        frame.pointee.pts = pts
        try check(avcodec_send_frame(context, frame), "encode a frame for", path)
    }

    /// Ends the stream: `receive` then hands out what the encoder still holds.
    public func flush() throws {
        try check(avcodec_send_frame(context, nil), "flush the encoder for", path)
    }

    /// Fills `packet` with the next encoded packet; false when the encoder wants more input or is drained.
    public func receive() throws -> Bool {
        let status = avcodec_receive_packet(context, packet)
        if status == veil_averror_eagain() || status == veil_averror_eof() { return false }
        try check(status, "encode a frame for", path)
        return true
    }
}
