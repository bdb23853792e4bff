import CFFmpeg

/// One picture as a JPEG file's bytes, encoded by FFmpeg's mjpeg encoder (a single mjpeg packet is a
/// whole JPEG image). Veil's pictures are limited range; JPEG is full range, so the samples are expanded
/// first, and reading the file back (`ImageFile.load`) narrows them again.
public enum JPEGImage {
    /// At the encoder's finest quantizer (qscale 2): these are donor faces and snapshots, not video.
    /// `name`: what an error names.
    public static func encode(_ picture: Picture, name: String) throws -> [UInt8] {
        guard let codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG) else {
            throw MediaError.failed(action: "write", path: name, reason: "FFmpeg has no JPEG encoder")
        }
        let encoder = try VideoEncoder(codec: codec, path: name) { context in
            context.pointee.width = Int32(picture.width)
            context.pointee.height = Int32(picture.height)
            // The yuvj format is how FFmpeg's JPEG encoder is told the samples are full range.
            context.pointee.pix_fmt = AV_PIX_FMT_YUVJ420P
            context.pointee.color_range = AVCOL_RANGE_JPEG
            context.pointee.time_base = AVRational(num: 1, den: 1)
            // A fixed quantizer, taken from each frame's quality, which is left 0: clipped up to qmin.
            context.pointee.flags |= AV_CODEC_FLAG_QSCALE
            context.pointee.qmin = 2
        }
        let full = Picture(width: picture.width, height: picture.height)
        expand(picture.y, into: full.y, table: lumaToFullRange)
        expand(picture.u, into: full.u, table: chromaToFullRange)
        expand(picture.v, into: full.v, table: chromaToFullRange)
        try encoder.send(full, pts: 0)
        try encoder.flush()
        var bytes: [UInt8] = []
        while try encoder.receive() {
            bytes += UnsafeBufferPointer(start: encoder.packet.pointee.data, count: Int(encoder.packet.pointee.size))
            av_packet_unref(encoder.packet)
        }
        guard !bytes.isEmpty else { throw MediaError.failed(action: "write", path: name, reason: "the JPEG encoder gave no image") }
        return bytes
    }

    private static let lumaToFullRange: [UInt8] = (0...255).map { UInt8(min(max((Double($0) - 16) * 255 / 219, 0), 255).rounded()) }
    private static let chromaToFullRange: [UInt8] = (0...255).map {
        UInt8(min(max((Double($0) - 128) * 255 / 224 + 128, 0), 255).rounded())
    }

    private static func expand(_ source: Plane, into target: Plane, table: [UInt8]) {
        for y in 0..<source.height {
            let from = source.row(y), to = target.row(y)
            for x in 0..<source.width { to[x] = table[Int(from[x])] }
        }
    }
}
