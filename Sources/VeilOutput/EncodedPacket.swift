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

    /// RFC 6184's profile-level-id of the stream, e.g. "42c01f": the profile, constraint flags and level
    /// bytes of the SPS in extradata (Annex B start codes, as libx264 writes it with global headers).
    var profileLevelID: String? {
        guard let data = parameters.pointee.extradata else { return nil }
        let bytes = Array(UnsafeBufferPointer(start: data, count: Int(parameters.pointee.extradata_size)))
        return H264.profileLevelID(extradata: bytes)
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

/// What is read from H.264 headers without a decoder.
enum H264 {
    /// The three bytes after the first SPS NAL header (type 7) of an Annex B byte stream, as hex.
    static func profileLevelID(extradata bytes: [UInt8]) -> String? {
        var index = 0
        while index + 3 < bytes.count {
            if bytes[index] == 0, bytes[index + 1] == 0, bytes[index + 2] == 1 {
                let header = index + 3
                if bytes[header] & 0x1f == 7, header + 3 < bytes.count {
                    return bytes[(header + 1)...(header + 3)].map { String($0, radix: 16).leftPadded(to: 2) }.joined()
                }
                index = header
            } else {
                index += 1
            }
        }
        return nil
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
