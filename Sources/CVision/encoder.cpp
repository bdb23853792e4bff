// dlib's ResNet face descriptor (dlib_face_recognition_resnet_model_v1.dat).
#include "CVision.h"
#include "internal.hpp"

#include <dlib/dnn.h>
#include <dlib/image_transforms/interpolation.h>

#include <cmath>
#include <dlfcn.h>
#include <exception>
#include <memory>
#include <string>
#include <vector>

using cvision::set_error;

static_assert(sizeof(dlib::rgb_pixel) == 3, "RgbView relies on dlib::rgb_pixel being packed R,G,B bytes");

namespace resnet {

// The network dlib_face_recognition_resnet_model_v1.dat was trained with (dlib's "anet_type"): a
// 7x7/2 convolution and 3x3/2 max pool stem, then residual blocks of 32 (x3), 64 (x4), 128 (x3),
// 256 (x3) and 256 (x1) filters, where the first block of every level but the 32-filter one halves the
// resolution; global average pooling and a 128-d linear head trained with a metric loss. Batch norm is
// frozen into `affine` layers. The type must match the serialised net layer for layer, or deserialise
// throws.
using namespace dlib;

template <int filters, int stride, typename Input>
using conv_pair = affine<con<filters, 3, 3, 1, 1, relu<affine<con<filters, 3, 3, stride, stride, Input>>>>>;

template <int filters, typename Input>
using block = relu<add_prev1<conv_pair<filters, 1, tag1<Input>>>>;

// The shortcut of a downsampling block is its input average-pooled 2x2/2, added to the strided branch
// (add_prev zero-pads the channels the shortcut lacks).
template <int filters, typename Input>
using block_down = relu<add_prev2<avg_pool<2, 2, 2, 2, skip1<tag2<conv_pair<filters, 2, tag1<Input>>>>>>>;

template <typename Input> using level0 = block_down<256, Input>;
template <typename Input> using level1 = block<256, block<256, block_down<256, Input>>>;
template <typename Input> using level2 = block<128, block<128, block_down<128, Input>>>;
template <typename Input> using level3 = block<64, block<64, block<64, block_down<64, Input>>>>;
template <typename Input> using level4 = block<32, block<32, block<32, Input>>>;

using FaceNet = loss_metric<fc_no_bias<128, avg_pool_everything<
    level0<level1<level2<level3<level4<
    max_pool<3, 3, 2, 2, relu<affine<con<32, 7, 7, 2, 2, input_rgb_image_sized<150>>>>>>>>>>>>>;

}  // namespace resnet

namespace {

constexpr unsigned long kChipSize = 150;  // the network's input size
constexpr double kChipPadding = 0.25;     // the padding the model was trained with

}  // namespace

struct VisionFaceEncoder {
    resnet::FaceNet net;
    dlib::matrix<dlib::rgb_pixel> chip;  // reused between calls
};

namespace {

// dlib's network runs its matrix products through the system BLAS. Where that is OpenBLAS (Debian's
// libopenblas0 takes over libblas.so.3), its worker threads busy-wait with sched_yield between calls,
// taking a core from the video pipeline for a descriptor computed once a second. One thread is plenty;
// other BLAS implementations have no such symbol and need nothing.
void keep_blas_single_threaded() {
    using SetThreads = void (*)(int);
    if (auto set_threads = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
        set_threads(1);
}

}  // namespace

extern "C" VisionFaceEncoder *vision_encoder_open(const char *path, char *err, size_t errlen) {
    keep_blas_single_threaded();
    if (path == nullptr) {
        set_error(err, errlen, "face descriptor model path is NULL");
        return nullptr;
    }
    try {
        auto encoder = std::make_unique<VisionFaceEncoder>();
        dlib::deserialize(path) >> encoder->net;
        return encoder.release();
    } catch (const std::exception &e) {
        set_error(err, errlen, std::string("cannot load face descriptor model ") + path + ": " + e.what());
    } catch (...) {
        set_error(err, errlen, std::string("cannot load face descriptor model ") + path + ": unknown error");
    }
    return nullptr;
}

extern "C" void vision_encoder_close(VisionFaceEncoder *encoder) { delete encoder; }

extern "C" int vision_encoder_describe(VisionFaceEncoder *encoder, const uint8_t *rgb, int width, int height,
                                       int stride, const float *xy68, float out[128], char *err, size_t errlen) {
    if (encoder == nullptr) {
        set_error(err, errlen, "face descriptor encoder is NULL");
        return -1;
    }
    if (!cvision::valid_image(rgb, width, height, stride, 3) || xy68 == nullptr || out == nullptr) {
        set_error(err, errlen, "face descriptor needs a non-empty RGB24 image, 68 landmarks and an output array");
        return -1;
    }
    for (int i = 0; i < 136; i++) {
        if (!(std::fabs(xy68[i]) < 1e7f)) {
            set_error(err, errlen, "face descriptor landmark " + std::to_string(i / 2) + " is not a finite coordinate");
            return -1;
        }
    }
    try {
        std::vector<dlib::point> parts(68);
        for (size_t i = 0; i < parts.size(); i++)
            parts[i] = dlib::point(std::lround(xy68[2 * i]), std::lround(xy68[2 * i + 1]));
        // get_face_chip_details only reads the parts (it aligns on eyes, nose and mouth).
        const dlib::full_object_detection shape(dlib::rectangle(), parts);
        const cvision::RgbView image{rgb, height, width, stride};
        dlib::extract_image_chip(image, dlib::get_face_chip_details(shape, kChipSize, kChipPadding), encoder->chip);
        const dlib::matrix<float, 0, 1> descriptor = encoder->net(encoder->chip);
        if (descriptor.size() != 128) {
            set_error(err, errlen,
                      "face descriptor model gave " + std::to_string(descriptor.size()) + " values, not 128");
            return -1;
        }
        for (long i = 0; i < 128; i++) out[i] = descriptor(i);
        return 0;
    } catch (const std::exception &e) {
        set_error(err, errlen, std::string("face descriptor failed: ") + e.what());
    } catch (...) {
        set_error(err, errlen, "face descriptor failed: unknown error");
    }
    return -1;
}
