#!/usr/bin/env bash
# Host-side checks of scripts/vm-loopback-run.sh's results in OUT (see `make test-v4l2-loopback`):
# what FFmpeg read from the v4l2loopback device is FRAMES (default 30) whole 640x360 I420 frames of
# a live picture, FFmpeg saw no short or padded buffers, and the daemon counted them sent, without
# errors.
#
#   scripts/check-loopback.sh OUT [FRAMES]
set -euo pipefail
out=$1 expected=${2:-30}
fail() { echo "test-v4l2-loopback: $*" >&2; exit 1; }
video=$out/loopback.y4m log=$out/veil.log
[ -s "$video" ] || fail "nothing was read from the loopback device ($out/ffmpeg.log)"
# FFmpeg drops a buffer whose bytesused is not the frame size the capture format announces.
! grep -q "Dequeued v4l2 buffer contains" "$out/ffmpeg.log" ||
  fail "the device's buffers do not hold exactly one frame: $(grep -m1 "Dequeued v4l2 buffer" "$out/ffmpeg.log")"
grep -q "Stream #0:0: Video: rawvideo (I420 / 0x30323449), yuv420p, 640x360" "$out/ffmpeg.log" ||
  fail "the device did not offer 640x360 I420 to its reader: $(grep -m1 "Stream #0:0" "$out/ffmpeg.log" || echo none)"
read -r width height pix_fmt frames < <(ffprobe -v error -count_frames -select_streams v:0 \
  -show_entries stream=width,height,pix_fmt,nb_read_frames -of csv=p=0 "$video" | tr , ' ')
[ "${width}x$height $pix_fmt" = "640x360 yuv420p" ] || fail "$video is ${width}x$height $pix_fmt, expected 640x360 yuv420p"
[ "$frames" = "$expected" ] || fail "$video holds $frames frames, expected $expected"
# A live picture, laid out right. vivid's colour bars move (vm-loopback-run.sh sets its Horizontal
# Movement to fast), so consecutive frames differ even when each is covered whole, as every frame is
# under the emulated CPU (the detector cannot keep up): most frames are distinct (the reader did not
# see frames repeated), and every frame still shades from the light bars to the dark ones (not blank,
# not garbled; 96 levels at least once smeared by the whole-frame cover).
distinct=$(ffmpeg -v error -i "$video" -f framemd5 - | grep -v '^#' | awk -F, '{print $NF}' | sort -u | wc -l)
[ "$distinct" -ge $((expected / 2)) ] || fail "$video: only $distinct of its $frames frames differ"
range=$(ffprobe -v error -f lavfi -i "movie=$video,signalstats" -show_entries frame_tags=lavfi.signalstats.YMIN,lavfi.signalstats.YMAX \
  -of csv=p=0 | awk -F, 'NR == 1 || $2 - $1 < min { min = $2 - $1 } END { print min + 0 }')
[ "$range" -ge 80 ] || fail "$video: a frame's luma spans only $range levels (blank or garbled)"
# The daemon's own account when it stopped: frames sent, no errors.
line=$(grep -o "loopback /dev/video10: [0-9]* sent, [0-9]* errors, [0-9]* dropped" "$log") ||
  fail "the log has no loopback summary ($log)"
read -r sent errors < <(echo "$line" | awk '{print $3, $5}')
[ "$errors" = 0 ] || fail "the daemon reports $errors loopback errors: $(grep -m1 "loopback" "$log")"
[ "$sent" -ge "$expected" ] || fail "the daemon sent only $sent frames to the device"
echo "test-v4l2-loopback: $video: ${width}x$height $pix_fmt, $frames frames ($distinct distinct, luma range >= $range)" \
     "read by FFmpeg from v4l2loopback; daemon: $sent sent, $errors errors"
