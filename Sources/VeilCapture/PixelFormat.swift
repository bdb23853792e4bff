/// A V4L2 pixel format: the four-character code drivers use (V4L2_PIX_FMT_*), e.g. "YUYV", "MJPG".
public struct PixelFormat: Hashable, Sendable, CustomStringConvertible {
    public let code: UInt32

    public init(code: UInt32) { self.code = code }

    /// The code for four ASCII characters, as v4l2_fourcc() builds it (first character lowest).
    init(_ characters: StaticString) {
        precondition(characters.utf8CodeUnitCount == 4, "a fourcc has four characters")
        let bytes = characters.utf8Start
        code = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
    }

    /// Packed 4:2:2, Y0 U Y1 V: what most USB cameras send uncompressed.
    public static let yuyv = PixelFormat("YUYV")
    /// Semi-planar 4:2:0: a Y plane, then one plane of interleaved U and V.
    public static let nv12 = PixelFormat("NV12")
    /// Planar 4:2:0 (I420): Y, U, V planes, the layout of a `Picture`.
    public static let yuv420 = PixelFormat("YU12")
    /// Motion JPEG: a JPEG image per frame, what USB cameras send at high sizes and rates.
    public static let mjpeg = PixelFormat("MJPG")
    /// Plain JPEG frames: some cameras' name for Motion JPEG.
    public static let jpeg = PixelFormat("JPEG")

    /// The formats `CaptureDevice` converts into pictures.
    public static let convertible: Set<PixelFormat> = [.yuyv, .nv12, .yuv420, .mjpeg, .jpeg]

    /// A format named in a configuration or on the command line: a fourcc ("YUYV", "MJPG", "YU12"),
    /// exact but for the convertible ones, which are also known by any case and as "MJPEG", "YUV420"
    /// and "I420".
    public init?(name: String) {
        switch name.uppercased() {
        case "YUYV": self = .yuyv
        case "NV12": self = .nv12
        case "YU12", "YUV420", "I420": self = .yuv420
        case "MJPG", "MJPEG": self = .mjpeg
        case "JPEG": self = .jpeg
        default:
            let bytes = Array(name.utf8)
            guard bytes.count == 4, bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) else { return nil }
            self.init(code: UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24)
        }
    }

    /// The four characters; drivers pad short codes with spaces, which are kept.
    public var description: String {
        let bytes = (0..<4).map { UInt8(truncatingIfNeeded: code >> (8 * $0)) }
        guard bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) else { return "0x" + String(code, radix: 16) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether frames in this format are JPEG images, decoded rather than converted.
    var isJPEG: Bool { self == .mjpeg || self == .jpeg }
}
