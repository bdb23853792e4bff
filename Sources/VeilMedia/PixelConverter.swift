import CFFmpeg

/// Converts I420 pictures of one size to packed 8-bit RGB at another in a single swscale pass (colour
/// conversion and scaling together), for models that want RGB: the face detector on a small BGR image,
/// the face descriptor on a full-size RGB one. Owns the swscale context and the output buffer.
public final class PixelConverter {
    public enum Format {
        case bgr24
        case rgb24

        var pixelFormat: AVPixelFormat { self == .bgr24 ? AV_PIX_FMT_BGR24 : AV_PIX_FMT_RGB24 }
    }

    public let sourceWidth: Int
    public let sourceHeight: Int
    public let width: Int
    public let height: Int
    public let format: Format
    /// Bytes from one row to the next (rows are 64-byte aligned).
    public let stride: Int
    /// The last conversion: `height` rows of `width` pixels, 3 bytes each.
    public let pixels: UnsafeMutablePointer<UInt8>

    private let scaler: OpaquePointer

    public init(sourceWidth: Int, sourceHeight: Int, width: Int, height: Int, format: Format) throws {
        // A downscale feeds the detector every frame: area averaging (keeps small faces' contrast) with
        // swscale's fast table-based colour conversion, 0.4 ms for 720p to 320x192, whose values may be
        // 3 off. A same-size conversion feeds the descriptor a few times a second, where the face's true
        // colours are the point: per-pixel arithmetic (within 1 of BT.601), 4.5 ms at 720p instead of 0.3.
        let flags = sourceWidth == width && sourceHeight == height
            ? SWS_POINT | SWS_FULL_CHR_H_INT | SWS_ACCURATE_RND
            : SWS_AREA
        guard sourceWidth > 0, sourceHeight > 0, width > 0, height > 0,
              let scaler = sws_getContext(Int32(sourceWidth), Int32(sourceHeight), AV_PIX_FMT_YUV420P,
                                          Int32(width), Int32(height), format.pixelFormat, flags, nil, nil, nil) else {
            throw MediaError.failed(action: "convert \(sourceWidth)x\(sourceHeight) pictures to",
                                    path: "\(width)x\(height) \(format)", reason: "swscale cannot set up this conversion")
        }
        self.scaler = scaler
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.width = width
        self.height = height
        self.format = format
        stride = (width * 3 + 63) & ~63
        // One spare row: swscale's SIMD writers may store a little past the last pixel of a row.
        pixels = .allocate(capacity: stride * (height + 1))
        pixels.initialize(repeating: 0, count: stride * (height + 1))
    }

    deinit {
        pixels.deallocate()
        sws_freeContext(scaler)
    }

    /// Converts `picture` (BT.601 limited range) into `pixels`.
    public func convert(_ picture: Picture) throws {
        guard picture.width == sourceWidth && picture.height == sourceHeight else {
            throw MediaError.failed(action: "convert a \(picture.width)x\(picture.height) picture to",
                                    path: "\(width)x\(height) \(format)",
                                    reason: "the converter was made for \(sourceWidth)x\(sourceHeight) pictures")
        }
        // swscale reads four plane pointers and strides on each side, used or not.
        let sourceData: [UnsafePointer<UInt8>?] = picture.planes.map { UnsafePointer($0.base) } + [nil]
        let sourceStrides = picture.planes.map { Int32($0.stride) } + [0]
        let targetData: [UnsafeMutablePointer<UInt8>?] = [pixels, nil, nil, nil]
        let targetStrides = [Int32(stride), 0, 0, 0]
        let rows = sws_scale(scaler, sourceData, sourceStrides, 0, Int32(picture.height), targetData, targetStrides)
        try check(rows, "convert a \(picture.width)x\(picture.height) picture to", "\(width)x\(height) \(format)")
    }
}
