import CVision
import VeilCore
import VeilMedia

/// Computes face descriptors. A pass costs tens of milliseconds, so callers sample it (once a second per
/// track), never run it on every frame.
public final class FaceEncoder {
    /// dlib's ResNet descriptor has 128 values.
    public static let descriptorLength = 128

    private let handle: OpaquePointer
    private var converter: PixelConverter?

    public init(modelPath: String) throws {
        let (handle, message) = withErrorBuffer { vision_encoder_open(modelPath, $0, $1) }
        guard let handle else { throw UserError(message) }
        self.handle = handle
    }

    deinit { vision_encoder_close(handle) }

    public func describe(_ picture: Picture, face: FaceShape) throws -> FaceDescriptor {
        if converter == nil || converter!.width != picture.width || converter!.height != picture.height {
            converter = try PixelConverter(sourceWidth: picture.width, sourceHeight: picture.height,
                                           width: picture.width, height: picture.height, format: .rgb24)
        }
        let rgb = converter!
        try rgb.convert(picture)
        var out = [Float](repeating: 0, count: FaceEncoder.descriptorLength)
        let flat = face.points.flatMap { [$0.x, $0.y] }
        let (status, message) = withErrorBuffer { buffer, length in
            vision_encoder_describe(handle, rgb.pixels, Int32(rgb.width), Int32(rgb.height), Int32(rgb.stride),
                                    flat, &out, buffer, length)
        }
        guard status == 0 else { throw UserError(message) }
        return FaceDescriptor(values: out)
    }
}
