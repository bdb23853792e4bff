#ifndef VEIL_CVISION_H
#define VEIL_CVISION_H
// A C API over OpenCV's DNN module (CenterFace face detector) and dlib (68-point shape predictor,
// ResNet face descriptor). Swift cannot call dlib's templates, so everything C++ stays behind this
// header. Every function is safe to call with a NULL handle (it fails). Handles are not thread-safe:
// use one per thread. Errors are written, NUL-terminated, into err[errlen] when err is not NULL.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One CenterFace detection, in the pixel coordinates of the image given to the detector.
typedef struct {
    float x0, y0, x1, y1;   // box
    float score;            // 0...1
    float landmarks[10];    // x,y of: right eye, left eye, nose, right mouth corner, left mouth corner
} VisionDetection;

typedef struct VisionDetector VisionDetector;
/// Loads the CenterFace ONNX model. threads: OpenCV's thread count for inference (0: OpenCV default).
VisionDetector *vision_detector_open(const char *onnx_path, int threads, char *err, size_t errlen);
void vision_detector_close(VisionDetector *detector);
/// Detects faces in a packed BGR24 image whose width and height are multiples of 32. Returns the number
/// of detections written to out (at most max_out, best first, after non-maximum suppression), or -1.
int vision_detector_run(VisionDetector *detector, const uint8_t *bgr, int width, int height, int stride,
                        float threshold, VisionDetection *out, int max_out, char *err, size_t errlen);

typedef struct VisionShapePredictor VisionShapePredictor;
/// Loads a dlib shape predictor (shape_predictor_68_face_landmarks.dat).
VisionShapePredictor *vision_shape_open(const char *path, char *err, size_t errlen);
void vision_shape_close(VisionShapePredictor *predictor);
/// Number of points the predictor gives (68).
int vision_shape_points(const VisionShapePredictor *predictor);
/// Runs the predictor on an 8-bit grey image (a luma plane) inside box (x0,y0,x1,y1), which must be in
/// dlib's own framing (see the two functions below). `mirrored` non-zero: the mean of that prediction
/// and one on the face's mirror image, made at once on the predictor's own thread (closer to the face;
/// see shape.cpp). Writes x,y pairs to out_xy (2*points floats). Returns the number of points, or -1.
/// Calls on one predictor from several threads take turns.
int vision_shape_predict(VisionShapePredictor *predictor, const uint8_t *gray, int width, int height,
                         int stride, const float box[4], int mirrored, float *out_xy);
/// Maps a CenterFace detection (its box and keypoints, full-frame coordinates, as in VisionDetection) to
/// the box dlib's 68-point predictor was trained on (dlib's HOG detector framing), calibrated on real faces.
void vision_shape_box_from_detection(const float detection_box[4], const float keypoints[10], float out_box[4]);
/// Maps 68 landmarks (x,y pairs) to the dlib framing box that would have produced them: lets a track
/// re-run the predictor on the next frame from the last landmarks, without a new detection.
void vision_shape_box_from_landmarks(const float *xy68, float out_box[4]);

typedef struct VisionFaceEncoder VisionFaceEncoder;
/// Loads dlib's ResNet face recognition model (dlib_face_recognition_resnet_model_v1.dat).
VisionFaceEncoder *vision_encoder_open(const char *path, char *err, size_t errlen);
void vision_encoder_close(VisionFaceEncoder *encoder);
/// 128-d face descriptor of the face whose 68 landmarks (x,y pairs, in image coordinates) are given,
/// from a packed RGB24 image. Two descriptors of one person are usually within 0.6 (Euclidean).
/// Returns 0, or -1 on error.
int vision_encoder_describe(VisionFaceEncoder *encoder, const uint8_t *rgb, int width, int height, int stride,
                            const float *xy68, float out[128], char *err, size_t errlen);

typedef struct VisionHogDetector VisionHogDetector;
/// dlib's HOG frontal face detector (built in, no model file): the second opinion. It finds frontal
/// faces from about 80 px wide in the image it is given.
VisionHogDetector *vision_hog_open(char *err, size_t errlen);
void vision_hog_close(VisionHogDetector *detector);
/// Detects faces in an 8-bit grey image (a luma plane). Writes up to max_out boxes (x0,y0,x1,y1) and
/// their SVM scores, best first; adjust_threshold lowers (negative) or raises the score needed (0 is
/// dlib's default). Returns the number written, or -1.
int vision_hog_run(VisionHogDetector *detector, const uint8_t *gray, int width, int height, int stride,
                   float adjust_threshold, float *out_boxes, float *out_scores, int max_out, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
