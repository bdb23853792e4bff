import CFFmpeg

/// Brings decoded frames into I420 pictures (BT.601 limited range, the picture's size). Owns the
/// swscale context used for every other pixel format, rebuilt only when the source changes.
///
/// Most video decodes to yuv420p already; those frames are copied plane by plane, which at 720p costs
/// a fraction of what a swscale pass does. Full-range ("JPEG") YUV is squeezed into limited range on
/// the way through lookup tables, because Veil's pictures and the encoder's output are limited range.
public final class FrameImporter {
    private struct Source: Equatable {
        let format: Int32
        let width: Int32
        let height: Int32
        let fullRange: Bool
        let pictureWidth: Int
        let pictureHeight: Int
    }

    private var scaler: OpaquePointer?
    private var scalerSource: Source?
    /// A frame header (no buffers of its own) that presents a picture to `copy`, made on first use.
    private var pictureFrame: UnsafeMutablePointer<AVFrame>?

    public init() {}

    deinit {
        av_frame_free(&pictureFrame)
        sws_freeContext(scaler)
    }

    /// Brings a picture of another size into `picture`, scaled (a camera that grants another size
    /// than the pipeline's); `path` names the source in errors.
    public func copy(_ source: Picture, into picture: Picture, path: String) throws {
        if pictureFrame == nil { pictureFrame = av_frame_alloc() }
        guard let frame = pictureFrame else { throw outOfMemory("convert frames of", path) }
        source.present(in: frame)
        frame.pointee.color_range = AVCOL_RANGE_MPEG
        try copy(frame, into: picture, path: path)
    }

    /// Brings `frame` into `picture`; `path` names the source in errors.
    public func copy(_ frame: UnsafePointer<AVFrame>, into picture: Picture, path: String) throws {
        let format = AVPixelFormat(frame.pointee.format)
        let isI420 = format == AV_PIX_FMT_YUV420P || format == AV_PIX_FMT_YUVJ420P
        let fullRange = format != Self.withoutJPEGRange(format) || frame.pointee.color_range == AVCOL_RANGE_JPEG
        // Odd-sized sources are read at the even size below them: a crop of the last column or row,
        // which the plane copy does by copying less.
        let extraColumns = Int(frame.pointee.width) - picture.width
        let extraRows = Int(frame.pointee.height) - picture.height
        if isI420 && (0...1).contains(extraColumns) && (0...1).contains(extraRows) {
            copyPlanes(of: frame, into: picture, fullRange: fullRange)
        } else {
            try scale(frame, into: picture, fullRange: fullRange, path: path)
        }
    }

    private func copyPlanes(of frame: UnsafePointer<AVFrame>, into picture: Picture, fullRange: Bool) {
        let data = [frame.pointee.data.0, frame.pointee.data.1, frame.pointee.data.2]
        let strides = [frame.pointee.linesize.0, frame.pointee.linesize.1, frame.pointee.linesize.2]
        for (index, target) in picture.planes.enumerated() {
            guard let base = data[index] else { continue }
            let source = Plane(base: base, width: target.width, height: target.height, stride: Int(strides[index]))
            if !fullRange {
                target.copy(from: source)
            } else {
                Self.squeeze(source, into: target, table: index == 0 ? Self.lumaToLimited : Self.chromaToLimited)
            }
        }
    }

    private static func squeeze(_ source: Plane, into target: Plane, table: [UInt8]) {
        table.withUnsafeBufferPointer { lookup in
            for y in 0..<target.height {
                let from = source.row(y), to = target.row(y)
                for x in 0..<target.width { to[x] = lookup[Int(from[x])] }
            }
        }
    }

    /// Full range 0...255 onto limited range: luma 16...235, chroma 16...240 around 128.
    private static let lumaToLimited: [UInt8] = (0...255).map { UInt8(16 + (Double($0) * 219 / 255).rounded()) }
    private static let chromaToLimited: [UInt8] = (0...255).map {
        UInt8(128 + ((Double($0) - 128) * 224 / 255).rounded())
    }

    private func scale(_ frame: UnsafePointer<AVFrame>, into picture: Picture, fullRange: Bool, path: String) throws {
        let extraColumns = Int(frame.pointee.width) - picture.width
        let extraRows = Int(frame.pointee.height) - picture.height
        // The same one-pixel crop as the plane copy; any other difference (a stream that changes size
        // midway) is scaled to the picture.
        let source = Source(format: Self.withoutJPEGRange(AVPixelFormat(frame.pointee.format)).rawValue,
                            width: (0...1).contains(extraColumns) ? Int32(picture.width) : frame.pointee.width,
                            height: (0...1).contains(extraRows) ? Int32(picture.height) : frame.pointee.height,
                            fullRange: fullRange, pictureWidth: picture.width, pictureHeight: picture.height)
        if source != scalerSource { try makeScaler(for: source, path: path) }
        let sourceData: [UnsafePointer<UInt8>?] = [frame.pointee.data.0, frame.pointee.data.1, frame.pointee.data.2,
                                                   frame.pointee.data.3].map { $0.map { UnsafePointer($0) } }
        let sourceStrides = [frame.pointee.linesize.0, frame.pointee.linesize.1, frame.pointee.linesize.2,
                             frame.pointee.linesize.3]
        let targetData: [UnsafeMutablePointer<UInt8>?] = picture.planes.map { $0.base } + [nil]
        let targetStrides = picture.planes.map { Int32($0.stride) } + [0]
        let rows = sws_scale(scaler, sourceData, sourceStrides, 0, source.height, targetData, targetStrides)
        try check(rows, "convert a frame of", path)
    }

    /// The yuvj formats are deprecated aliases that mean "full range", which `Source.fullRange` says
    /// already; swscale warns when given one.
    private static func withoutJPEGRange(_ format: AVPixelFormat) -> AVPixelFormat {
        switch format {
        case AV_PIX_FMT_YUVJ420P: return AV_PIX_FMT_YUV420P
        case AV_PIX_FMT_YUVJ422P: return AV_PIX_FMT_YUV422P
        case AV_PIX_FMT_YUVJ444P: return AV_PIX_FMT_YUV444P
        case AV_PIX_FMT_YUVJ440P: return AV_PIX_FMT_YUV440P
        case AV_PIX_FMT_YUVJ411P: return AV_PIX_FMT_YUV411P
        default: return format
        }
    }

    /// Builds the context through AVOptions rather than sws_getContext because only the options say
    /// which range the source is in (yuv420p tagged full range would otherwise be taken as limited).
    private func makeScaler(for source: Source, path: String) throws {
        sws_freeContext(scaler)
        scaler = nil
        scalerSource = nil
        guard let context = sws_alloc_context() else { throw outOfMemory("convert frames of", path) }
        scaler = context
        let options: [(String, Int64)] = [
            ("srcw", Int64(source.width)), ("srch", Int64(source.height)), ("src_format", Int64(source.format)),
            ("dstw", Int64(source.pictureWidth)), ("dsth", Int64(source.pictureHeight)),
            ("dst_format", Int64(AV_PIX_FMT_YUV420P.rawValue)),
            ("src_range", source.fullRange ? 1 : 0), ("dst_range", 0),
            ("sws_flags", Int64(SWS_BILINEAR)),
        ]
        for (name, value) in options {
            try check(av_opt_set_int(UnsafeMutableRawPointer(context), name, value, 0), "set up conversion (\(name)) for", path)
        }
        try check(sws_init_context(context, nil, nil), "set up frame conversion for", path)
        scalerSource = source
    }
}
