// Helpers shared by the CVision translation units: error reporting across the C boundary and
// zero-copy dlib views of caller-owned pixel buffers.
#ifndef VEIL_CVISION_INTERNAL_HPP
#define VEIL_CVISION_INTERNAL_HPP

#include <dlib/image_processing/generic_image.h>
#include <dlib/pixel.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace cvision {

/// Writes msg into err[errlen] as one NUL-terminated line (newlines become spaces, since callers log
/// it as a single line). Does nothing when err is NULL or errlen is 0.
void set_error(char *err, size_t errlen, const std::string &msg);

/// A read-only view of a caller's packed pixel buffer that dlib's generic image functions accept
/// (see dlib/image_processing/generic_image.h), so frames are never copied into dlib images.
template <typename Pixel>
struct PixelView {
    const uint8_t *data;
    long rows;
    long columns;
    long stride;  // bytes per row
};

template <typename Pixel> long num_rows(const PixelView<Pixel> &img) { return img.rows; }
template <typename Pixel> long num_columns(const PixelView<Pixel> &img) { return img.columns; }
template <typename Pixel> const void *image_data(const PixelView<Pixel> &img) { return img.data; }
template <typename Pixel> long width_step(const PixelView<Pixel> &img) { return img.stride; }

using GrayView = PixelView<unsigned char>;
using RgbView = PixelView<dlib::rgb_pixel>;  // dlib::rgb_pixel is laid out as packed R,G,B bytes

/// True when a width x height image with the given row stride and bytes per pixel is addressable.
bool valid_image(const void *data, int width, int height, int stride, int bytes_per_pixel);

}  // namespace cvision

namespace dlib {
template <typename Pixel> struct image_traits<cvision::PixelView<Pixel>> { typedef Pixel pixel_type; };
}  // namespace dlib

#endif
