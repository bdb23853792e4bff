import CFFmpeg

/// Demuxes and decodes the best video stream of anything FFmpeg opens (a path or a URL) into I420
/// pictures, handing the audio packets met on the way to the caller so that they can be stream-copied.
///
/// Like the ffmpeg command line, it stands pictures upright where the stream's display matrix asks for
/// a quarter or half turn (phone videos store them as the sensor lies): face detectors find only
/// upright faces, and a sideways face left unfound would leave unanonymized.
public final class VideoReader {
    public let path: String
    /// The picture size: the source size rounded down to even, since 4:2:0 encoders need even sizes,
    /// with width and height swapped where `appliedRotation` is 90 or 270.
    public let width: Int
    public let height: Int
    /// What the stream's display matrix asks players to do with its pictures; nil when it has none.
    public let displayRotation: DisplayRotation?
    /// The clockwise turn, 0, 90, 180 or 270 degrees, given to every picture to do what
    /// `displayRotation` asks.
    public var appliedRotation: Int { turn?.clockwiseDegrees ?? 0 }
    /// avg_frame_rate, else r_frame_rate, else 25/1 for streams that state neither.
    public let frameRate: Rational
    /// The video stream's time base: the unit of `Picture.pts`.
    public let timeBase: Rational
    /// From the container's frame count or its duration; nil when the input states neither (live streams).
    public let estimatedFrameCount: Int?
    public private(set) var framesDecoded = 0
    /// Errors the decoder reported for damaged data, which it skipped (reading went on).
    public private(set) var decodeErrors = 0
    /// Why reading stopped before the input's natural end (a truncated file, a dropped connection).
    public private(set) var cutShort: MediaError?

    let videoStream: UnsafeMutablePointer<AVStream>
    /// The streams passed through: audio only, since subtitle, data and attachment streams often have
    /// no place in the output container.
    let audioStreams: [UnsafeMutablePointer<AVStream>]

    private let demuxer: Demuxer
    private let decoder: VideoDecoder
    private let importer = FrameImporter()
    private let turn: QuarterTurn?
    /// Where a frame is imported at its stored orientation before `turn`, when there is one.
    private var storedPicture: Picture?
    private var firstDamage: Int32?
    private var inputEnded = false
    private var nextPts: Int64 = 0
    /// One frame interval at `frameRate`, in `timeBase`.
    let frameDuration: Int64

    /// decoderThreads: 0 lets FFmpeg choose. `live`: a live input (a network camera), every open, probe
    /// and read bounded by its timeout.
    public init(path: String, decoderThreads: Int = 0, live: LiveInputOptions? = nil) throws {
        let demuxer = try Demuxer(path: path, live: live)
        var codec: UnsafePointer<AVCodec>?
        let index = av_find_best_stream(demuxer.context, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0)
        if index == veil_averror_stream_not_found() { throw MediaError.noVideoStream(path: path) }
        try check(index, "find a video decoder for", path)
        guard let codec, let stream = demuxer.context.pointee.streams[Int(index)] else {
            throw MediaError.noVideoStream(path: path)
        }
        let parameters = stream.pointee.codecpar.pointee
        guard parameters.width >= 2 && parameters.height >= 2 else {
            throw MediaError.unreadable(path: path, kind: "video",
                                        reason: "frame size \(parameters.width)x\(parameters.height) is unknown or too small")
        }
        decoder = try VideoDecoder(stream: stream, codec: codec, threads: decoderThreads, path: path)
        self.demuxer = demuxer
        self.path = path
        videoStream = stream
        audioStreams = demuxer.streams.filter { $0.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_AUDIO }
        // Other streams would only be demuxed to be thrown away.
        for other in demuxer.streams where other != stream && !audioStreams.contains(other) {
            other.pointee.discard = AVDISCARD_ALL
        }
        displayRotation = DisplayRotation(of: stream)
        turn = displayRotation?.quarterTurn
        let storedWidth = Int(parameters.width) & ~1, storedHeight = Int(parameters.height) & ~1
        (width, height) = turn?.swapsSides == true ? (storedHeight, storedWidth) : (storedWidth, storedHeight)
        timeBase = Rational(stream.pointee.time_base)
        frameRate = [Rational(stream.pointee.avg_frame_rate), Rational(stream.pointee.r_frame_rate)]
            .first(where: \.isValid) ?? Rational(25, 1)
        frameDuration = max(1, av_rescale_q(1, av_inv_q(frameRate.av), timeBase.av))
        estimatedFrameCount = VideoReader.frameCount(of: stream, in: demuxer.context, frameRate: frameRate)
    }

    public var hasAudio: Bool { !audioStreams.isEmpty }

    /// False when the display matrix asks for what the reader does not do, a turn by other than a
    /// multiple of 90 degrees or a mirror image: pictures come as stored, faces in them maybe sideways.
    public var isUpright: Bool { displayRotation.map { !$0.isMirrored && $0.clockwiseDegrees % 90 == 0 } ?? true }

    /// Of the pictures as delivered: a quarter turn swaps a pixel's width and height.
    var sampleAspectRatio: AVRational {
        let stored = av_guess_sample_aspect_ratio(demuxer.context, videoStream, nil)
        return turn?.swapsSides == true && stored.num > 0 ? AVRational(num: stored.den, den: stored.num) : stored
    }

    /// Whether the source is coded as RGB, so that its pictures got BT.601 YUV from swscale.
    var isRGB: Bool {
        guard let descriptor = av_pix_fmt_desc_get(AVPixelFormat(videoStream.pointee.codecpar.pointee.format)) else {
            return false
        }
        return descriptor.pointee.flags & UInt64(AV_PIX_FMT_FLAG_RGB) != 0
    }

    /// Decodes the next frame into `picture` (turned by `appliedRotation`, converted to I420 at the
    /// picture's size) with its pts in `timeBase`, calling `passthrough` for every audio packet demuxed on the way. Returns false at the
    /// end of the input, once the decoder has given up its last frames.
    public func read(into picture: Picture, passthrough: (StreamPacket) throws -> Void) throws -> Bool {
        demuxer.armDeadline()
        while true {
            switch decoder.receive() {
            case .frame:
                if let turn {
                    let stored = storedPicture(turnedInto: picture, by: turn)
                    try importer.copy(decoder.frame, into: stored, path: path)
                    turn.apply(stored, into: picture)
                } else {
                    try importer.copy(decoder.frame, into: picture, path: path)
                }
                let pts = decoder.frame.pointee.best_effort_timestamp
                picture.pts = pts == veil_nopts_value() ? nextPts : pts
                nextPts = picture.pts + frameDuration
                framesDecoded += 1
                return true
            case .needsInput where inputEnded:
                // A drained decoder says EOF; one whose flush was lost in an error has nothing more either.
                return try end()
            case .needsInput:
                try feedDecoder(passthrough)
            case .damaged(let status):
                noteDamage(status)
            case .ended:
                return try end()
            }
        }
    }

    /// A picture at the size that `turn` makes `picture`'s size, kept for the next frame.
    private func storedPicture(turnedInto picture: Picture, by turn: QuarterTurn) -> Picture {
        let (width, height) = turn.swapsSides ? (picture.height, picture.width) : (picture.width, picture.height)
        if let storedPicture, storedPicture.width == width && storedPicture.height == height { return storedPicture }
        let stored = Picture(width: width, height: height)
        storedPicture = stored
        return stored
    }

    /// A broken input or damaged data is only an error when it left nothing at all to show.
    private func end() throws -> Bool {
        if framesDecoded == 0 {
            if let cutShort { throw cutShort }
            if let status = firstDamage {
                throw MediaError.failed(action: "decode", path: path, reason: ffmpegErrorText(status))
            }
        }
        return false
    }

    private func feedDecoder(_ passthrough: (StreamPacket) throws -> Void) throws {
        let packet = demuxer.packet
        let status = av_read_frame(demuxer.context, packet)
        if status < 0 {
            // A truncated or broken input ends where it breaks; the frames still in the decoder come out.
            if status != veil_averror_eof() {
                cutShort = MediaError.failed(action: "read", path: path, reason: demuxer.failureText(status))
            }
            startDraining()
            return
        }
        defer { av_packet_unref(packet) }
        // A stream that still sends is not silent, however long its decoder waits for a keyframe.
        demuxer.armDeadline()
        if packet.pointee.stream_index == videoStream.pointee.index {
            let sent = decoder.send(packet)
            if sent < 0 { noteDamage(sent) }
        } else if audioStreams.contains(where: { $0.pointee.index == packet.pointee.stream_index }) {
            try passthrough(StreamPacket(packet: packet, streamIndex: Int(packet.pointee.stream_index)))
        }
    }

    private func startDraining() {
        inputEnded = true
        // With frame threads, errors of earlier packets surface here: damage, not a failed flush.
        let status = decoder.send(nil)
        if status < 0 { noteDamage(status) }
    }

    private func noteDamage(_ status: Int32) {
        decodeErrors += 1
        if firstDamage == nil { firstDamage = status }
    }

    private static func frameCount(of stream: UnsafeMutablePointer<AVStream>, in context: UnsafeMutablePointer<AVFormatContext>,
                                   frameRate: Rational) -> Int? {
        if stream.pointee.nb_frames > 0 { return Int(stream.pointee.nb_frames) }
        let seconds: Double
        if stream.pointee.duration != veil_nopts_value() && stream.pointee.duration > 0 {
            seconds = Double(stream.pointee.duration) * Rational(stream.pointee.time_base).value
        } else if context.pointee.duration != veil_nopts_value() && context.pointee.duration > 0 {
            seconds = Double(context.pointee.duration) / Double(AV_TIME_BASE)
        } else {
            return nil
        }
        return Int((seconds * frameRate.value).rounded())
    }
}
