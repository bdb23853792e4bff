import CFFmpeg

/// Writes a re-encoded video stream and stream-copied audio into an .mp4, .mkv or .mov file. Video
/// keeps the source's size, time base and timestamps; audio packets pass unchanged. Nothing else of the
/// source is copied: no container or stream metadata (creation time, device, a phone's GPS location),
/// no chapters, no attachments, no data or subtitle streams. Until `finish()`
/// succeeds the data goes to `temporaryPath`, which is deleted if the writer goes away unfinished.
public final class VideoWriter {
    public let path: String
    /// Where the data goes until `finish()`; the command layer deletes it when interrupted by a signal.
    public var temporaryPath: String { output.temporaryPath }
    public private(set) var framesWritten = 0

    private let output: OutputFile
    private let encoder: VideoEncoder
    private let videoStream: UnsafeMutablePointer<AVStream>
    /// Input stream index to the output stream its packets go to, with the input time base.
    private let audioStreams: [Int: (stream: UnsafeMutablePointer<AVStream>, inputTimeBase: AVRational)]
    private let width: Int
    private let height: Int
    private let frameDuration: Int64
    private var finished = false

    /// `audio`: false leaves the source's audio out (voices and spoken names identify a person too).
    public init(path: String, source: VideoReader, settings: EncoderSettings = EncoderSettings(), audio: Bool = true) throws {
        let output = try OutputFile(path: path)
        encoder = try VideoEncoder(settings: settings, source: source, globalHeader: output.needsGlobalHeader, path: path)
        videoStream = try output.addStream()
        try check(avcodec_parameters_from_context(videoStream.pointee.codecpar, encoder.context),
                  "set up the video stream of", path)
        // A hint: the muxer may pick its own time base in open(), so packets are rescaled when written.
        videoStream.pointee.time_base = encoder.context.pointee.time_base
        videoStream.pointee.sample_aspect_ratio = encoder.context.pointee.sample_aspect_ratio
        // A turn the reader applied is in the pixels now: players given the matrix would turn them again.
        if source.appliedRotation == 0 {
            try VideoWriter.copyDisplayMatrix(from: source.videoStream, to: videoStream, path: path)
        }
        var audioStreams: [Int: (stream: UnsafeMutablePointer<AVStream>, inputTimeBase: AVRational)] = [:]
        for input in audio ? source.audioStreams : [] {
            let parameters: UnsafeMutablePointer<AVCodecParameters> = input.pointee.codecpar
            // The muxer would refuse at open() with a bare "Invalid argument"; say which stream and why.
            if avformat_query_codec(output.context.pointee.oformat, parameters.pointee.codec_id, FF_COMPLIANCE_NORMAL) == 0 {
                let codec = String(cString: avcodec_get_name(parameters.pointee.codec_id))
                throw MediaError.failed(action: "write", path: path,
                                        reason: "\(output.containerName) cannot hold \(codec) audio (input stream \(input.pointee.index)); try .mkv")
            }
            let stream = try output.addStream()
            try check(avcodec_parameters_copy(stream.pointee.codecpar, parameters), "copy the audio parameters into", path)
            // The input container's tag may mean something else (or nothing) in the output container.
            stream.pointee.codecpar.pointee.codec_tag = 0
            stream.pointee.time_base = input.pointee.time_base
            audioStreams[Int(input.pointee.index)] = (stream, input.pointee.time_base)
        }
        try output.open()
        self.output = output
        self.audioStreams = audioStreams
        self.path = path
        width = source.width
        height = source.height
        frameDuration = source.frameDuration
    }

    /// Encodes one picture at `picture.pts` (in the source's time base).
    public func write(_ picture: Picture) throws {
        try checkOpen()
        guard picture.width == width && picture.height == height else {
            throw MediaError.failed(action: "write", path: path,
                                    reason: "picture is \(picture.width)x\(picture.height), the stream \(width)x\(height)")
        }
        try encoder.send(picture, pts: picture.pts)
        try writeEncodedPackets()
        framesWritten += 1
    }

    /// Stream-copies a packet of one of the source's audio streams; packets of other streams are ignored.
    public func write(_ packet: StreamPacket) throws {
        try checkOpen()
        guard let target = audioStreams[packet.streamIndex] else { return }
        try output.writeCopy(of: packet.packet, from: target.inputTimeBase, to: target.stream)
    }

    public func write(_ packet: OwnedPacket) throws {
        try write(packet.lent)
    }

    /// Drains the encoder, completes the file and moves it onto `path`.
    public func finish() throws {
        try checkOpen()
        // Even a failed finish ends the writer: the encoder and muxer cannot be resumed midway.
        finished = true
        try encoder.flush()
        try writeEncodedPackets()
        try output.commit()
    }

    private func checkOpen() throws {
        if finished { throw MediaError.failed(action: "write", path: path, reason: "the writer is already finished") }
    }

    private func writeEncodedPackets() throws {
        while try encoder.receive() {
            // x264 leaves durations at 0, and MP4 takes the last frame's duration from its packet: with
            // 0 the edit list would end before the last frame and players would drop it.
            if encoder.packet.pointee.duration == 0 { encoder.packet.pointee.duration = frameDuration }
            av_packet_rescale_ts(encoder.packet, encoder.context.pointee.time_base, videoStream.pointee.time_base)
            encoder.packet.pointee.stream_index = videoStream.pointee.index
            try output.write(encoder.packet)
        }
    }

    /// Keeps a display matrix the reader left to players (an odd angle, a mirror image): the pixels are
    /// still as stored.
    private static func copyDisplayMatrix(from input: UnsafeMutablePointer<AVStream>, to stream: UnsafeMutablePointer<AVStream>,
                                          path: String) throws {
        var size = 0
        guard let matrix = av_stream_get_side_data(input, AV_PKT_DATA_DISPLAYMATRIX, &size), size > 0 else { return }
        guard let copy = av_stream_new_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, size) else {
            throw outOfMemory("copy the rotation into", path)
        }
        copy.update(from: matrix, count: size)
    }
}
