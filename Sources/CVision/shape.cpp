// dlib's 68-point shape predictor, and the box framing it expects.
#include "CVision.h"
#include "internal.hpp"

#include <dlib/image_processing/shape_predictor.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <memory>
#include <string>
#include <vector>
#include <array>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include <pthread.h>

using cvision::set_error;

namespace {

// dlib's predictor was trained on boxes from dlib's HOG face detector: square, framing brows to chin.
// HOG boxes only come in pyramid steps of 6/5, so about 10% of residual size error is the target's own
// quantisation. Horizontal offsets are zero by mirror symmetry.

// The vertical centre of both boxes comes from the eyes and the nose, which an expression hardly moves:
// a centre taken from the whole box or from all 68 points goes down as the mouth opens (the jaw drops),
// and the predictor, fitted from a box sitting too low, closed the mouth by a quarter of its true
// opening. On real talking video (carphone, 720p) against an independent face mesh, the predictor's
// inner-lip opening followed 0.77 of the mesh's with those centres and 0.94 with these (dlib's own HOG
// box: 0.91); frame-to-frame landmark error 0.0301 against 0.0317 inter-ocular distances.
// Refitted (least squares, faces weighted equally) on 448 CenterFace/HOG pairs from four clips (the
// talking video, and stills of Obama, Messi and Grace Hopper moved, scaled and turned by a program).

// From a CenterFace detection: side = 1.0695 x box width (the height, 1.24x the width on average,
// predicts worse), centre x the box's, centre y the mean of the eye and nose keypoints moved down by
// 0.1336 x width. Residuals (RMS, as a fraction of the HOG box side): side 9%, centre x 5%, y 4.9%
// (5.6% from the box's centre); per face the side ratio ranged from 0.99 (carphone) to 1.11 (Hopper).
constexpr float kDetectionSide = 1.0695f;
constexpr float kDetectionShiftY = 0.1336f;

// From the 68 points: side = 1.065 x their horizontal extent (the jaw's width, which an open mouth
// leaves), centre at the centroid of the nose and eyes (points 27-47) moved down by 0.112 x extent.
// Per face the side ratio ranged from 1.00 (carphone) to 1.11 (Hopper) and the shift from 0.06 (Messi,
// looking down) to 0.16 (Hopper). Iterating predict -> box -> predict on one image stays bounded
// (CVisionTests), and a track followed from its own landmarks alone through the talking video kept the
// mouth's opening almost as well as one re-fitted from a detection every third frame (0.93 of the
// mesh's against 0.94).
constexpr float kLandmarkSide = 1.065f;
constexpr float kLandmarkShiftY = 0.112f;
constexpr int kSteadyFirst = 27, kSteadyLast = 47;

void square_box(float cx, float cy, float side, float out[4]) {
    out[0] = cx - side / 2;
    out[1] = cy - side / 2;
    out[2] = cx + side / 2;
    out[3] = cy + side / 2;
}

// Each point's mirror image in the 68-point (iBUG 300-W) layout: the jaw, brows, eyes, nostrils and
// lips swap sides; the nose bridge and the lips' midline stay.
constexpr int kMirroredPoint[68] = {16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0,
                                    26, 25, 24, 23, 22, 21, 20, 19, 18, 17,
                                    27, 28, 29, 30, 35, 34, 33, 32, 31,
                                    45, 44, 43, 42, 47, 46, 39, 38, 37, 36, 41, 40,
                                    54, 53, 52, 51, 50, 49, 48, 59, 58, 57, 56, 55,
                                    64, 63, 62, 61, 60, 67, 66, 65};

// The points predicted on the face mirrored, mapped back to the face as it is, into `xy`; false when
// the face's region is too small to mirror. The mean of these and the direct prediction sits closer to
// the face than either (their errors are largely independent): on real talking video (carphone, 720p)
// the mean landmark error an independent face mesh reads off the swapped output fell from 0.027 to
// 0.024 inter-ocular distances. It runs on the predictor's own thread (MirrorThread) beside the direct
// prediction, so that it adds little to a frame's time where a core is free.
bool predict_mirrored(const dlib::shape_predictor &model, const uint8_t *gray, int width, int height, int stride,
                      const dlib::rectangle &rect, float *xy) {
    // The predictor reads pixels a little outside its box: copy a margin round it.
    const long margin = rect.width() / 4;
    const long x0 = std::max(0L, rect.left() - margin), x1 = std::min(long(width) - 1, rect.right() + margin);
    const long y0 = std::max(0L, rect.top() - margin), y1 = std::min(long(height) - 1, rect.bottom() + margin);
    const long columns = x1 - x0 + 1, rows = y1 - y0 + 1;
    if (columns < 2 || rows < 2) return false;
    std::vector<unsigned char> mirrored(static_cast<size_t>(columns * rows));
    for (long r = 0; r < rows; r++) {
        const uint8_t *row = gray + (y0 + r) * stride;
        for (long c = 0; c < columns; c++) mirrored[r * columns + c] = row[x1 - c];
    }
    const cvision::GrayView view{mirrored.data(), rows, columns, columns};
    const dlib::rectangle box(x1 - rect.right(), rect.top() - y0, x1 - rect.left(), rect.bottom() - y0);
    const dlib::full_object_detection shape = model(view, box);
    if (shape.num_parts() != 68) return false;
    for (int i = 0; i < 68; i++) {
        const dlib::point p = shape.part(kMirroredPoint[i]);
        xy[2 * i] = static_cast<float>(x1 - p.x());
        xy[2 * i + 1] = static_cast<float>(y0 + p.y());
    }
    return true;
}

// One thread, started with the predictor and kept for its life, that runs the mirrored prediction
// while the caller runs the direct one. A thread started per prediction (std::async) cost its start-up
// on every face of every frame, six times a frame in a six-person room.
class MirrorThread {
  public:
    MirrorThread() : thread_([this] { loop(); }) {}
    ~MirrorThread() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        thread_.join();
    }
    MirrorThread(const MirrorThread &) = delete;
    MirrorThread &operator=(const MirrorThread &) = delete;

    // Runs `job` on the thread; `wait` must follow before anything the job reads or writes goes.
    void start(std::function<bool()> job) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            job_ = std::move(job);
            finished_ = false;
        }
        wake_.notify_all();
    }

    // The job's result once it has ended (false when it threw). A job the thread has not picked up yet
    // is taken back and run here: when every core is busy (the detector's threads, another camera) the
    // thread may wait for a time slice longer than the fit takes, and the caller would wait with it.
    bool wait() {
        std::unique_lock<std::mutex> lock(mutex_);
        if (job_ != nullptr) {
            std::function<bool()> job = std::move(job_);
            job_ = nullptr;
            finished_ = true;
            lock.unlock();
            try {
                return job();
            } catch (...) {
                return false;
            }
        }
        done_.wait(lock, [this] { return finished_; });
        return result_;
    }

  private:
    void loop() {
        pthread_setname_np(pthread_self(), "veil-mirror");
        std::unique_lock<std::mutex> lock(mutex_);
        for (;;) {
            wake_.wait(lock, [this] { return stopping_ || job_ != nullptr; });
            if (job_ == nullptr) return;  // stopping, with nothing left to run
            std::function<bool()> job = std::move(job_);
            job_ = nullptr;
            lock.unlock();
            bool result = false;
            try {
                result = job();
            } catch (...) {
                result = false;
            }
            lock.lock();
            result_ = result;
            finished_ = true;
            done_.notify_all();
        }
    }

    std::mutex mutex_;
    std::condition_variable wake_, done_;
    std::function<bool()> job_;
    bool finished_ = true, result_ = false, stopping_ = false;
    std::thread thread_;  // last: it starts once everything it reads is initialised
};

// Waits for the mirrored prediction when the direct one unwinds early: the job writes to the caller's
// stack.
struct MirrorJoin {
    MirrorThread &thread;
    bool waited = false;
    bool wait() {
        waited = true;
        return thread.wait();
    }
    ~MirrorJoin() {
        if (!waited) thread.wait();
    }
};

}  // namespace

struct VisionShapePredictor {
    dlib::shape_predictor model;
    // The mirror thread serves one prediction at a time: callers sharing a predictor take turns.
    std::mutex calls;
    MirrorThread mirror;
};

extern "C" VisionShapePredictor *vision_shape_open(const char *path, char *err, size_t errlen) {
    if (path == nullptr) {
        set_error(err, errlen, "shape predictor model path is NULL");
        return nullptr;
    }
    try {
        auto predictor = std::make_unique<VisionShapePredictor>();
        dlib::deserialize(path) >> predictor->model;
        if (predictor->model.num_parts() == 68) return predictor.release();
        set_error(err, errlen, std::string("shape predictor model ") + path + " gives " +
                                   std::to_string(predictor->model.num_parts()) + " points, not 68");
    } catch (const std::exception &e) {
        set_error(err, errlen, std::string("cannot load shape predictor model ") + path + ": " + e.what());
    } catch (...) {
        set_error(err, errlen, std::string("cannot load shape predictor model ") + path + ": unknown error");
    }
    return nullptr;
}

extern "C" void vision_shape_close(VisionShapePredictor *predictor) { delete predictor; }

extern "C" int vision_shape_points(const VisionShapePredictor *predictor) {
    return predictor == nullptr ? -1 : static_cast<int>(predictor->model.num_parts());
}

extern "C" int vision_shape_predict(VisionShapePredictor *predictor, const uint8_t *gray, int width, int height,
                                    int stride, const float box[4], int mirrored, float *out_xy) {
    if (predictor == nullptr || !cvision::valid_image(gray, width, height, stride, 1) || box == nullptr ||
        out_xy == nullptr)
        return -1;
    for (int i = 0; i < 4; i++)
        if (!(std::fabs(box[i]) < 1e7f)) return -1;  // NaN, infinite or absurd: lround would be undefined
    try {
        // Boxes here are half-open (x1, y1 are one past the last pixel), like detector boxes; a dlib
        // rectangle's right and bottom are inclusive.
        const dlib::rectangle rect(std::lround(box[0]), std::lround(box[1]), std::lround(box[2]) - 1,
                                   std::lround(box[3]) - 1);
        if (rect.width() < 2 || rect.height() < 2) return -1;
        const cvision::GrayView image{gray, height, width, stride};
        std::array<float, 136> mirrored_xy{};
        std::lock_guard<std::mutex> turn(predictor->calls);
        if (mirrored) {
            predictor->mirror.start([&] {
                return predict_mirrored(predictor->model, gray, width, height, stride, rect, mirrored_xy.data());
            });
        }
        MirrorJoin join{predictor->mirror, !mirrored};
        const dlib::full_object_detection shape = predictor->model(image, rect);
        const bool mirrored_ok = mirrored && join.wait();
        const unsigned long n = shape.num_parts();
        if (n != 68) return -1;
        for (unsigned long i = 0; i < n; i++) {
            out_xy[2 * i] = static_cast<float>(shape.part(i).x());
            out_xy[2 * i + 1] = static_cast<float>(shape.part(i).y());
            if (mirrored_ok) {
                out_xy[2 * i] = (out_xy[2 * i] + mirrored_xy[2 * i]) / 2;
                out_xy[2 * i + 1] = (out_xy[2 * i + 1] + mirrored_xy[2 * i + 1]) / 2;
            }
        }
        return static_cast<int>(n);
    } catch (...) {
        return -1;
    }
}

extern "C" void vision_shape_box_from_detection(const float detection_box[4], const float keypoints[10],
                                                float out_box[4]) {
    if (detection_box == nullptr || keypoints == nullptr || out_box == nullptr) return;
    const float x0 = detection_box[0], x1 = detection_box[2];
    const float steady_y = (keypoints[1] + keypoints[3] + keypoints[5]) / 3;  // both eyes and the nose
    square_box((x0 + x1) / 2, steady_y + kDetectionShiftY * (x1 - x0), kDetectionSide * (x1 - x0), out_box);
}

extern "C" void vision_shape_box_from_landmarks(const float *xy68, float out_box[4]) {
    if (xy68 == nullptr || out_box == nullptr) return;
    float min_x = xy68[0], max_x = xy68[0], sum_x = 0, sum_y = 0;
    for (int i = 0; i < 68; i++) {
        min_x = std::min(min_x, xy68[2 * i]);
        max_x = std::max(max_x, xy68[2 * i]);
    }
    for (int i = kSteadyFirst; i <= kSteadyLast; i++) {
        sum_x += xy68[2 * i];
        sum_y += xy68[2 * i + 1];
    }
    const float extent = max_x - min_x, steady = float(kSteadyLast - kSteadyFirst + 1);
    square_box(sum_x / steady, sum_y / steady + kLandmarkShiftY * extent, kLandmarkSide * extent, out_box);
}
