// dlib's HOG frontal face detector (a sliding-window linear SVM over HOG features, built into dlib:
// no model file): the second opinion, of another model family than CenterFace's CNN, so that the two
// rarely miss the same face.
#include "CVision.h"
#include "internal.hpp"

#include <dlib/image_processing/frontal_face_detector.h>

#include <algorithm>
#include <exception>
#include <string>
#include <vector>

using cvision::set_error;

struct VisionHogDetector {
    dlib::frontal_face_detector detector = dlib::get_frontal_face_detector();
    std::vector<dlib::rect_detection> found;
};

extern "C" VisionHogDetector *vision_hog_open(char *err, size_t errlen) {
    try {
        return new VisionHogDetector();
    } catch (const std::exception &e) {
        set_error(err, errlen, std::string("HOG face detector: ") + e.what());
    } catch (...) {
        set_error(err, errlen, "HOG face detector: unknown error");
    }
    return nullptr;
}

extern "C" void vision_hog_close(VisionHogDetector *detector) { delete detector; }

extern "C" int vision_hog_run(VisionHogDetector *detector, const uint8_t *gray, int width, int height, int stride,
                              float adjust_threshold, float *out_boxes, float *out_scores, int max_out, char *err,
                              size_t errlen) {
    if (detector == nullptr) {
        set_error(err, errlen, "HOG detector is NULL");
        return -1;
    }
    if (!cvision::valid_image(gray, width, height, stride, 1)) {
        set_error(err, errlen, "HOG detector: invalid image");
        return -1;
    }
    if ((out_boxes == nullptr || out_scores == nullptr) && max_out > 0) {
        set_error(err, errlen, "HOG detector output arrays are NULL");
        return -1;
    }
    try {
        const cvision::GrayView view{gray, height, width, stride};
        detector->found.clear();
        detector->detector(view, detector->found, adjust_threshold);
        std::sort(detector->found.begin(), detector->found.end(),
                  [](const dlib::rect_detection &a, const dlib::rect_detection &b) { return a.detection_confidence > b.detection_confidence; });
        const int count = std::min(static_cast<int>(detector->found.size()), std::max(max_out, 0));
        for (int i = 0; i < count; i++) {
            const dlib::rectangle &r = detector->found[i].rect;
            out_boxes[4 * i] = static_cast<float>(r.left());
            out_boxes[4 * i + 1] = static_cast<float>(r.top());
            out_boxes[4 * i + 2] = static_cast<float>(r.right() + 1);
            out_boxes[4 * i + 3] = static_cast<float>(r.bottom() + 1);
            out_scores[i] = static_cast<float>(detector->found[i].detection_confidence);
        }
        return count;
    } catch (const std::exception &e) {
        set_error(err, errlen, std::string("HOG detector failed: ") + e.what());
    } catch (...) {
        set_error(err, errlen, "HOG detector failed: unknown error");
    }
    return -1;
}
