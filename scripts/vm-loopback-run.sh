#!/bin/sh
# Runs inside the guest of `scripts/v4l2-vm.sh --loopback` (`make test-v4l2-loopback`): `veil run`
# anonymizes vivid's camera into the v4l2loopback device /dev/video10 while FFmpeg, as a browser
# would, opens that device as a camera (mmap streaming) and reads FRAMES frames into OUT/loopback.y4m;
# then SIGTERM stops the daemon. scripts/check-loopback.sh checks the results on the host.
# Busybox sh: no bashisms.
#
#   scripts/vm-loopback-run.sh VEIL OUT [FRAMES]
set -u
veil=$1 out=$2 frames=${3:-30}
device=/dev/video10
. "$(dirname "$0")/vm-veil.sh"
# Moving bars: frames then differ even where the daemon covers them whole.
python3 "$(dirname "$0")/v4l2-control.py" /dev/video0 "Horizontal Movement" 6 || exit 1
start_veil vm-loopback-run "$veil" "$out" "  kind = \"loopback\"
  device = \"$device\""
# exclusive_caps=1: the device offers a capture side only once a writer has set its format and
# written; until then a reader is refused ("Not a video capture device"), as a browser's would be.
reader_start=$(date +%s) status=1
while [ $(( $(date +%s) - reader_start )) -lt 120 ]; do
  t0=$(date +%s)
  # A reader that gets no usable frame (FFmpeg drops buffers whose size is not the frame's) would
  # wait forever: bounded.
  timeout 60 ffmpeg -hide_banner -nostdin -nostats -loglevel info -f v4l2 -i "$device" -frames:v "$frames" -fps_mode passthrough -y "$out/loopback.y4m" \
    > "$out/ffmpeg.log" 2>&1
  status=$?
  [ $status = 0 ] && break
  [ $status = 124 ] && { echo "vm-loopback-run: ffmpeg read no $frames frames in 60 s"; break; }
  kill -0 $pid 2>/dev/null || break
  sleep 1
done
if [ $status = 0 ]; then
  echo "vm-loopback-run: ffmpeg read $frames frames from $device in $(( $(date +%s) - t0 )) s"
else
  echo "vm-loopback-run: ffmpeg could not read $device (status $status):"; tail -n 5 "$out/ffmpeg.log"
fi
kill -TERM $pid
wait $pid
veil_status=$?
echo "vm-loopback-run: veil exited with $veil_status"
[ $status = 0 ] && exit $veil_status
exit $status
