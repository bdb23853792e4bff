import CFFmpeg

/// A decoder for one video stream: owns its AVCodecContext and the frame it decodes into.
final class VideoDecoder {
    enum Output {
        case frame
        case needsInput
        case ended
        case damaged(Int32)
    }

    let context: UnsafeMutablePointer<AVCodecContext>
    let frame: UnsafeMutablePointer<AVFrame>

    /// threads: 0 lets FFmpeg pick (one per core, frame and slice threading as the codec allows).
    init(stream: UnsafeMutablePointer<AVStream>, codec: UnsafePointer<AVCodec>, threads: Int, path: String) throws {
        guard let context = avcodec_alloc_context3(codec) else { throw outOfMemory("decode", path) }
        var owned: UnsafeMutablePointer<AVCodecContext>? = context
        do {
            try check(avcodec_parameters_to_context(context, stream.pointee.codecpar), "set up the decoder for", path)
            context.pointee.thread_count = Int32(threads)
            // Lets the decoder compute best_effort_timestamp in the stream's own time base.
            context.pointee.pkt_timebase = stream.pointee.time_base
            try check(avcodec_open2(context, codec, nil), "open the \(String(cString: codec.pointee.name)) decoder for", path)
        } catch {
            avcodec_free_context(&owned)
            throw error
        }
        guard let frame = av_frame_alloc() else {
            avcodec_free_context(&owned)
            throw outOfMemory("decode", path)
        }
        self.context = context
        self.frame = frame
    }

    deinit {
        var frame: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&frame)
        var context: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&context)
    }

    /// Feeds one packet, or nil to start draining. A rejected packet is damage, not a failure: the
    /// caller decides whether the input as a whole is still usable.
    func send(_ packet: UnsafePointer<AVPacket>?) -> Int32 {
        avcodec_send_packet(context, packet)
    }

    /// The next decoded frame, left in `frame` (unreferenced at the next call).
    func receive() -> Output {
        av_frame_unref(frame)
        let status = avcodec_receive_frame(context, frame)
        switch status {
        case 0: return .frame
        case veil_averror_eagain(): return .needsInput
        case veil_averror_eof(): return .ended
        default: return .damaged(status)
        }
    }
}
