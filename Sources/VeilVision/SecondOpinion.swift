import CVision
import VeilMedia
import VeilCore

/// A second face detector of another model family than CenterFace's CNN: dlib's HOG frontal face
/// detector (histograms of oriented gradients and a linear SVM, built into dlib). It finds frontal faces
/// from about 80 px wide at the picture's own resolution, and costs more than a CenterFace pass, so it
/// looks at frames as the CPU allows. A face it finds that the main path did not handle is a recall
/// incident: covered at once and given a track (see `SecondOpinion.missed`).
public final class SecondOpinionDetector {
    private let handle: OpaquePointer
    private var boxes = [Float](repeating: 0, count: 4 * 32)
    private var scores = [Float](repeating: 0, count: 32)

    public init() throws {
        let (handle, message) = withErrorBuffer { vision_hog_open($0, $1) }
        guard let handle else { throw UserError(message) }
        self.handle = handle
    }

    deinit { vision_hog_close(handle) }

    /// The faces in a luma plane, best first.
    public func detect(_ luma: Plane) throws -> [Box] {
        let (count, message) = withErrorBuffer { buffer, length in
            boxes.withUnsafeMutableBufferPointer { b in
                scores.withUnsafeMutableBufferPointer { s in
                    vision_hog_run(handle, luma.base, Int32(luma.width), Int32(luma.height), Int32(luma.stride), 0,
                                   b.baseAddress, s.baseAddress, Int32(s.count), buffer, length)
                }
            }
        }
        guard count >= 0 else { throw UserError(message) }
        return (0..<Int(count)).map { Box(x0: boxes[4 * $0], y0: boxes[4 * $0 + 1], x1: boxes[4 * $0 + 2], y1: boxes[4 * $0 + 3]) }
    }
}

public enum SecondOpinion {
    /// The second opinion's faces that nothing the main path handled on that frame accounts for: no
    /// handled region holds their centre or overlaps them by a tenth of their area. Pure, for tests.
    public static func missed(_ found: [Box], handled: [Box]) -> [Box] {
        found.filter { face in
            !handled.contains { region in
                region.contains(face.centre) || overlap(face, region) >= 0.1 * face.area
            }
        }
    }

    private static func overlap(_ a: Box, _ b: Box) -> Float {
        let lo = pointwiseMax(a.min, b.min), hi = pointwiseMin(a.max, b.max)
        return Box(min: lo, max: hi).area
    }
}
