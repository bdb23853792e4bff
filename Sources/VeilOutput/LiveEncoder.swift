import VeilCore
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
    private let encoder: VideoEncoder
    private let frameDuration: Int64
    /// Capture time of the first frame: pts 0.
    private var origin: UInt64?
    private var lastPts: Int64 = -1

    /// name: what errors call the encoder's stream, e.g. "outputs of camera exam-room-1".
    init(options: EncoderOptions, width: Int, height: Int, frameRate: Double, name: String) throws {
        guard let codec = avcodec_find_encoder_by_name(options.codec) else {
            throw UserError("encoder '\(options.codec)': FFmpeg has no encoder of that name")
        }
        guard codec.pointee.id == AV_CODEC_ID_H264 else {
            throw UserError("encoder '\(options.codec)' is not an H.264 encoder (RTP and the recordings carry H.264)")
        }
        let rate = av_d2q(frameRate, 1_001_000)
        encoder = try VideoEncoder(codec: codec, path: name) { context in
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
            if let preset = options.preset { try VideoEncoder.setOption("preset", to: preset, of: context, path: name) }
            if options.zeroLatency { try VideoEncoder.setOption("tune", to: "zerolatency", of: context, path: name) }
            // x264 drops in-band headers once it is asked for global ones; this puts them back.
            if String(cString: codec.pointee.name) == "libx264" {
                try VideoEncoder.setOption("x264-params", to: "repeat-headers=1", of: context, path: name)
                // Constrained Baseline (no B-frames, no CABAC): what every browser's WebRTC decodes, so a
                // media server (Janus) passes the stream on without re-encoding; recordings and RTP
                // receivers take it as well. Keyframes every `gop` frames let a late viewer in.
                try VideoEncoder.setOption("profile", to: "baseline", of: context, path: name)
            }
            context.pointee.max_b_frames = 0
        }
        guard encoder.context.pointee.extradata_size > 0 else {
            throw UserError("the \(options.codec) encoder for \(name) gave no SPS/PPS headers (the SDP's sprop-parameter-sets need them)")
        }
        stream = try EncodedStream(context: encoder.context, name: name)
        frameDuration = max(1, av_rescale_q(1, av_inv_q(rate), LiveEncoder.timeBase))
    }

    /// Encodes one picture captured at `captureTime` and hands each packet the encoder gives back to
    /// `emit`. The encoder copies the picture, so the caller may reuse it at once.
    func encode(_ picture: Picture, captureTime: UInt64, emit: (EncodedPacket) -> Void) throws {
        let origin = self.origin ?? captureTime
        self.origin = origin
        // Strictly increasing even if two capture times collide or the caller's clock steps back.
        let elapsed = captureTime >= origin ? Int64((captureTime - origin) / 1000) : lastPts + 1
        lastPts = max(elapsed, lastPts + 1)
        try encoder.send(picture, pts: lastPts)
        try drain(emit)
    }

    /// Sends the end of the stream and hands out the packets the encoder still held.
    func flush(emit: (EncodedPacket) -> Void) throws {
        try encoder.flush()
        try drain(emit)
    }

    private func drain(_ emit: (EncodedPacket) -> Void) throws {
        let packet = encoder.packet
        while try encoder.receive() {
            // x264 leaves durations at 0; MP4 takes the last frame's duration from its packet.
            if packet.pointee.duration == 0 { packet.pointee.duration = frameDuration }
            let captureTime = (origin ?? 0) + UInt64(max(0, packet.pointee.pts)) * 1000
            emit(try EncodedPacket(moving: packet, captureTime: captureTime))
        }
    }
}
