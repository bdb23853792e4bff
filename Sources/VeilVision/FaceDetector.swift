import CVision
import VeilCore
import VeilMedia

extension Box {
    /// The C API's layout: x0, y0, x1, y1.
    var array: [Float] { [min.x, min.y, max.x, max.y] }
}

/// CenterFace, a CNN face detector chosen for recall on small and turned faces, run through OpenCV's
/// DNN module on a downscaled copy of the picture. The cost grows with input pixels; the smallest face
/// found is 11-14 px in the input (see FaceSizePromise, which picks the width for a picture).
public final class FaceDetector {
    public let inputWidth: Int
    public let inputHeight: Int
    /// Threads for one pass in the live and file pipelines: two cut a 320 px pass from ~37 to ~27 ms on
    /// this 2-core machine while the pipeline runs, and every live frame waits for a pass.
    public static let pipelineThreads = 2
    /// Detections down to this score are reported. Low on purpose: an uncertain face is still covered
    /// (see FaceTracker.confidentScore); only a confident one gets landmarks and a swap.
    public var threshold: Float = 0.3
    private let handle: OpaquePointer
    private let converter: PixelConverter
    private var results = [VisionDetection](repeating: VisionDetection(), count: 64)

    /// inputWidth: the detector's input width (rounded to a multiple of 32); the height follows the
    /// picture's aspect ratio.
    public init(modelPath: String, pictureWidth: Int, pictureHeight: Int, inputWidth: Int, threads: Int = 1) throws {
        let width = FaceSizePromise.inputWidth(requested: inputWidth)
        let height = Swift.max(32, Int((Float(width) * Float(pictureHeight) / Float(pictureWidth) / 32).rounded()) * 32)
        let (handle, message) = withErrorBuffer { vision_detector_open(modelPath, Int32(threads), $0, $1) }
        guard let handle else { throw UserError(message) }
        self.handle = handle
        self.inputWidth = width
        self.inputHeight = height
        converter = try PixelConverter(sourceWidth: pictureWidth, sourceHeight: pictureHeight,
                                       width: width, height: height, format: .bgr24)
    }

    deinit { vision_detector_close(handle) }

    public func detect(_ picture: Picture) throws -> [Detection] {
        try converter.convert(picture)
        let sx = Float(picture.width) / Float(inputWidth), sy = Float(picture.height) / Float(inputHeight)
        let (count, message) = withErrorBuffer { buffer, length in
            results.withUnsafeMutableBufferPointer {
                vision_detector_run(handle, converter.pixels, Int32(inputWidth), Int32(inputHeight), Int32(converter.stride),
                                    threshold, $0.baseAddress, Int32($0.count), buffer, length)
            }
        }
        guard count >= 0 else { throw UserError(message) }
        return results[0..<Int(count)].map { d in
            var landmarks = d.landmarks
            let keypoints = withUnsafeBytes(of: &landmarks) { raw -> [Point] in
                let f = raw.bindMemory(to: Float.self)
                return (0..<5).map { Point(f[2 * $0] * sx, f[2 * $0 + 1] * sy) }
            }
            return Detection(box: Box(x0: d.x0 * sx, y0: d.y0 * sy, x1: d.x1 * sx, y1: d.y1 * sy),
                             score: d.score, keypoints: keypoints)
        }
    }
}
