import CFFmpeg
import VeilMedia

/// One encoded packet, shared read-only by every packet output of a camera: each output writes its
/// own reference to the data, with its own timestamps (FFmpeg's packet data is reference counted).
final class EncodedPacket {
    /// Timestamps in `EncodedStream.timeBase`.
    let packet: UnsafeMutablePointer<AVPacket>
    /// CLOCK_MONOTONIC nanoseconds at which the frame was captured.
    let captureTime: UInt64

    /// Takes over the data of `source`, which is left blank for the encoder to fill again.
    init(moving source: UnsafeMutablePointer<AVPacket>, captureTime: UInt64) throws {
        guard let packet = av_packet_alloc() else { throw outOfMemory("keep", "an encoded packet") }
        av_packet_move_ref(packet, source)
        self.packet = packet
        self.captureTime = captureTime
    }

    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&packet)
    }

    var isKeyframe: Bool { packet.pointee.flags & AV_PKT_FLAG_KEY != 0 }
    var pts: Int64 { packet.pointee.pts }
    var dts: Int64 { packet.pointee.dts }
    var size: Int { Int(packet.pointee.size) }
}

/// What a muxer needs to set up its video stream: the encoder's parameters (SPS/PPS in extradata,
/// which RTP's sprop-parameter-sets and the containers' codec headers are made of) and time base.
final class EncodedStream {
    let parameters: UnsafeMutablePointer<AVCodecParameters>
    let timeBase: AVRational
    let frameRate: AVRational

    init(context: UnsafeMutablePointer<AVCodecContext>, name: String) throws {
        guard let parameters = avcodec_parameters_alloc() else { throw outOfMemory("describe the stream of", name) }
        var owned: UnsafeMutablePointer<AVCodecParameters>? = parameters
        do {
            try check(avcodec_parameters_from_context(parameters, context), "describe the stream of", name)
        } catch {
            avcodec_parameters_free(&owned)
            throw error
        }
        self.parameters = parameters
        timeBase = context.pointee.time_base
        frameRate = context.pointee.framerate
    }

    deinit {
        var parameters: UnsafeMutablePointer<AVCodecParameters>? = parameters
        avcodec_parameters_free(&parameters)
    }

    /// Copies the parameters into a muxer's new stream, with the time base as a hint (the muxer may
    /// choose its own in avformat_write_header; packets are rescaled to whatever it chose).
    func configure(_ stream: UnsafeMutablePointer<AVStream>, timeBase hint: AVRational, target: String) throws {
        try check(avcodec_parameters_copy(stream.pointee.codecpar, parameters), "set up the video stream of", target)
        // A tag from another container could mean something else (or nothing) in this one.
        stream.pointee.codecpar.pointee.codec_tag = 0
        stream.pointee.time_base = hint
        stream.pointee.avg_frame_rate = frameRate
    }
}
