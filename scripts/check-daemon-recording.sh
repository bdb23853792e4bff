#!/usr/bin/env bash
# Host-side checks of scripts/vm-daemon-run.sh's results in OUT (see `make test-v4l2-daemon`).
set -euo pipefail
out=$1
fail() { echo "test-v4l2-daemon: $*" >&2; exit 1; }
log=$out/veil.log
grep -q "camera vivid: lost: " "$log" || fail "the log does not report the unplug ($log)"
grep -q "camera vivid: /dev/video0 is back after" "$log" || fail "the log does not report the camera's return ($log)"
shopt -s nullglob
segments=("$out"/recordings/vivid-*.mkv)
[ ${#segments[@]} = 1 ] || fail "expected one recording in $out/recordings, found ${#segments[@]}"
recording=${segments[0]}
read -r width height frames < <(ffprobe -v error -count_frames -select_streams v:0 \
  -show_entries stream=width,height,nb_read_frames -of csv=p=0 "$recording" | tr , ' ')
[ "$width x $height" = "640 x 360" ] || fail "$recording is ${width}x$height, expected 640x360"
[ "$frames" -ge 100 ] || fail "$recording holds $frames frames, expected at least 100"
# Through the outage the slate keeps the stream going: no gap between frames longer than it takes to
# notice the loss (at most the capture timeout, 2 s) plus a margin for the emulated CPU.
gap=$(ffprobe -v error -select_streams v:0 -show_entries frame=pts_time -of csv=p=0 "$recording" |
  awk 'NR > 1 && $1 - last > max { max = $1 - last } { last = $1 } END { printf "%.3f", max }')
awk -v gap="$gap" 'BEGIN { exit !(gap <= 3.0) }' || fail "$recording has a $gap s gap between frames"
echo "test-v4l2-daemon: $recording: ${width}x$height, $frames frames, longest gap $gap s; unplug and return logged"
