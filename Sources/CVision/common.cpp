#include "internal.hpp"

#include <algorithm>

namespace cvision {

void set_error(char *err, size_t errlen, const std::string &msg) {
    if (err == nullptr || errlen == 0) return;
    size_t n = std::min(msg.size(), errlen - 1);
    for (size_t i = 0; i < n; i++) err[i] = (msg[i] == '\n' || msg[i] == '\r') ? ' ' : msg[i];
    while (n > 0 && err[n - 1] == ' ') n--;
    err[n] = '\0';
}

bool valid_image(const void *data, int width, int height, int stride, int bytes_per_pixel) {
    return data != nullptr && width > 0 && height > 0 && stride >= width * bytes_per_pixel;
}

}  // namespace cvision
