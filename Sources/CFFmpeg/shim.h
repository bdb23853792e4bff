#ifndef VEIL_CFFMPEG_SHIM_H
#define VEIL_CFFMPEG_SHIM_H
// Swift imports none of FFmpeg's function-like macros; these inline wrappers stand in for the ones used.
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/sha.h>

static inline int veil_averror(int posix_errno) { return AVERROR(posix_errno); }
static inline int veil_averror_eof(void) { return AVERROR_EOF; }
static inline int veil_averror_exit(void) { return AVERROR_EXIT; }
static inline int veil_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int veil_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int veil_averror_stream_not_found(void) { return AVERROR_STREAM_NOT_FOUND; }
static inline int veil_averror_decoder_not_found(void) { return AVERROR_DECODER_NOT_FOUND; }
static inline int64_t veil_nopts_value(void) { return AV_NOPTS_VALUE; }
static inline AVRational veil_time_base_q(void) { return AV_TIME_BASE_Q; }
#endif
