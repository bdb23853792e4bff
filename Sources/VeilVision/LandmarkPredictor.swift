import CVision
import VeilMedia
import VeilCore

/// dlib's 68-point shape predictor (an ensemble of regression trees), run on the luma plane at full
/// resolution, on the face and on its mirror image (their mean: see shape.cpp) or, where time is short,
/// on the face alone: ~1 ms a face.
// @unchecked: a C handle; calls from several threads take turns on it (shape.cpp).
public final class LandmarkPredictor: @unchecked Sendable {
    private let handle: OpaquePointer

    public init(modelPath: String) throws {
        let (handle, message) = withErrorBuffer { vision_shape_open(modelPath, $0, $1) }
        guard let handle else { throw UserError(message) }
        self.handle = handle
    }

    deinit { vision_shape_close(handle) }

    /// Landmarks of a face the detector found, framed by its box (or `faceBox`, the whole face's box
    /// where the picture's edge cut the detector's) and its eye and nose keypoints. `fit`: whether the
    /// mirrored prediction joins the direct one.
    public func landmarks(in luma: Plane, detection: Detection, faceBox: Box? = nil, fit: LandmarkFit = .mirrored) -> FaceShape? {
        var box = [Float](repeating: 0, count: 4)
        let keypoints = detection.keypoints.flatMap { [$0.x, $0.y] }
        vision_shape_box_from_detection((faceBox ?? detection.box).array, keypoints, &box)
        return predict(luma, box, fit)
    }

    /// Landmarks of a face near where it was: the predictor's box is derived from the last landmarks,
    /// which follows a face between detections.
    public func landmarks(in luma: Plane, following previous: FaceShape, fit: LandmarkFit = .mirrored) -> FaceShape? {
        var box = [Float](repeating: 0, count: 4)
        let flat = previous.points.flatMap { [$0.x, $0.y] }
        vision_shape_box_from_landmarks(flat, &box)
        return predict(luma, box, fit)
    }

    private func predict(_ luma: Plane, _ box: [Float], _ fit: LandmarkFit) -> FaceShape? {
        var xy = [Float](repeating: 0, count: 2 * FaceShape.count)
        let n = vision_shape_predict(handle, luma.base, Int32(luma.width), Int32(luma.height), Int32(luma.stride), box,
                                     fit == .mirrored ? 1 : 0, &xy)
        guard n == FaceShape.count else { return nil }
        return FaceShape(points: (0..<FaceShape.count).map { Point(xy[2 * $0], xy[2 * $0 + 1]) })
    }
}

/// How a face's landmarks are fitted.
public enum LandmarkFit: Sendable {
    /// The mean of a prediction on the face and one on its mirror image: closer to the face, twice the
    /// work (on a second thread where a core is free).
    case mirrored
    /// The prediction on the face alone: the live pipeline's rung for a frame running late.
    case direct
}
