#ifndef VEIL_CV4L2_SHIM_H
#define VEIL_CV4L2_SHIM_H
// Swift imports neither the VIDIOC_* request numbers (function-like _IOWR macros) nor variadic C
// functions; these inline wrappers stand in for the ones VeilCapture uses.
#include <fcntl.h>
#include <linux/videodev2.h>
#include <libv4l2.h>

static inline unsigned long veil_vidioc_querycap(void) { return VIDIOC_QUERYCAP; }
static inline unsigned long veil_vidioc_enum_fmt(void) { return VIDIOC_ENUM_FMT; }
static inline unsigned long veil_vidioc_enum_framesizes(void) { return VIDIOC_ENUM_FRAMESIZES; }
static inline unsigned long veil_vidioc_enum_frameintervals(void) { return VIDIOC_ENUM_FRAMEINTERVALS; }
static inline unsigned long veil_vidioc_g_fmt(void) { return VIDIOC_G_FMT; }
static inline unsigned long veil_vidioc_s_fmt(void) { return VIDIOC_S_FMT; }
static inline unsigned long veil_vidioc_g_parm(void) { return VIDIOC_G_PARM; }
static inline unsigned long veil_vidioc_s_parm(void) { return VIDIOC_S_PARM; }
static inline unsigned long veil_vidioc_reqbufs(void) { return VIDIOC_REQBUFS; }
static inline unsigned long veil_vidioc_querybuf(void) { return VIDIOC_QUERYBUF; }
static inline unsigned long veil_vidioc_qbuf(void) { return VIDIOC_QBUF; }
static inline unsigned long veil_vidioc_dqbuf(void) { return VIDIOC_DQBUF; }
static inline unsigned long veil_vidioc_streamon(void) { return VIDIOC_STREAMON; }
static inline unsigned long veil_vidioc_streamoff(void) { return VIDIOC_STREAMOFF; }

/// v4l2_open without the variadic mode argument (devices are never created, so it is never needed).
static inline int veil_v4l2_open(const char *path, int flags) { return v4l2_open(path, flags); }

/// v4l2_ioctl with its one argument spelled out: every V4L2 request takes a pointer to a struct.
static inline int veil_v4l2_ioctl(int fd, unsigned long request, void *argument) {
    return v4l2_ioctl(fd, request, argument);
}
#endif
