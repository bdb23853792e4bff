import VeilCore
import CFFmpeg
import VeilMedia

/// Decodes a camera's Motion-JPEG frames into I420 pictures with libavcodec. Owns the decoder, its
/// packet and frame, a padded input buffer, and the importer that brings the decoded image (usually
/// full-range 4:2:2, "yuvj422p") to the picture's limited-range 4:2:0.
final class JPEGFrameDecoder {
    private let path: String
    private let context: UnsafeMutablePointer<AVCodecContext>
    private let packet: UnsafeMutablePointer<AVPacket>
    private let frame: UnsafeMutablePointer<AVFrame>
    /// libavcodec reads up to AV_INPUT_BUFFER_PADDING_SIZE bytes past a packet's end, which may lie
    /// beyond a driver buffer, so each frame is copied here first (a few hundred KB: microseconds).
    private var input: UnsafeMutablePointer<UInt8>
    private var inputCapacity: Int
    private let importer = FrameImporter()

    init(path: String) throws {
        self.path = path
        guard let codec = avcodec_find_decoder(AV_CODEC_ID_MJPEG) else {
            throw CaptureError.unusableGrant(path: path, reason: "this FFmpeg has no Motion-JPEG decoder")
        }
        var ownedContext = avcodec_alloc_context3(codec), ownedPacket = av_packet_alloc(), ownedFrame = av_frame_alloc()
        guard let context = ownedContext, let packet = ownedPacket, let frame = ownedFrame else {
            av_frame_free(&ownedFrame)
            av_packet_free(&ownedPacket)
            avcodec_free_context(&ownedContext)
            throw CaptureError.cannotOpen(path: path, reason: "out of memory for the Motion-JPEG decoder")
        }
        self.context = context
        self.packet = packet
        self.frame = frame
        inputCapacity = 0
        input = .allocate(capacity: 0)
        // One frame in, the same frame out: frame threading would add a frame of latency per thread.
        context.pointee.thread_count = 1
        // A throw from here on runs deinit, which frees what was allocated above.
        let status = avcodec_open2(context, codec, nil)
        guard status >= 0 else {
            throw CaptureError.cannotOpen(path: path, reason: "cannot open the Motion-JPEG decoder: \(ffmpegErrorText(status))")
        }
    }

    deinit {
        input.deallocate()
        var frame: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&frame)
        var packet: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&packet)
        var context: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&context)
    }

    /// Decodes one JPEG image into `picture`, scaled to its size if the camera sent another. Returns
    /// why a frame could not be decoded (a truncated or corrupt JPEG, common over busy USB), or nil.
    func decode(_ bytes: UnsafeRawBufferPointer, into picture: Picture) throws -> String? {
        let padding = Int(AV_INPUT_BUFFER_PADDING_SIZE)
        if bytes.count + padding > inputCapacity {
            input.deallocate()
            inputCapacity = bytes.count + padding
            input = .allocate(capacity: inputCapacity)
        }
        input.update(from: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        (input + bytes.count).update(repeating: 0, count: padding)
        packet.pointee.data = input
        packet.pointee.size = Int32(bytes.count)
        var status = avcodec_send_packet(context, packet)
        guard status >= 0 else { return ffmpegErrorText(status) }
        av_frame_unref(frame)
        status = avcodec_receive_frame(context, frame)
        guard status >= 0 else { return ffmpegErrorText(status) }
        try importer.copy(frame, into: picture, path: path)
        return nil
    }
}
