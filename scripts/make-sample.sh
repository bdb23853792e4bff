#!/usr/bin/env bash
# Makes a moving test clip from a face still, with known motion (a slow roll, a sway and a drift of
# light) and an audio tone, so that landmarks move the way a real head does:
#   scripts/make-sample.sh STILL OUT.mp4 [SECONDS] [WIDTHxHEIGHT]
# The still is scaled to fit 85% of the frame, placed on a larger canvas, rotated by
# 0.1 rad·sin(2πt/5) about the canvas centre, then cropped at an offset moving by 60·sin(2πt/7),
# 40·sin(2πt/6) pixels.
set -euo pipefail
still=$1 out=$2 seconds=${3:-5} size=${4:-1280x720}
[ -r "$still" ] || { echo "make-sample: cannot read '$still'" >&2; exit 1; }
w=${size%x*} h=${size#*x}
cw=$((w + w / 4)) ch=$((h + h / 3))
fit_w=$((w * 85 / 100)) fit_h=$((h * 85 / 100))
mkdir -p "$(dirname "$out")"
tmp="$out.partial.${out##*.}"
ffmpeg -v error -y -loop 1 -framerate 30 -i "$still" -f lavfi -i "sine=frequency=220:sample_rate=48000" -t "$seconds" \
  -filter_complex "[0:v]scale=$fit_w:$fit_h:force_original_aspect_ratio=decrease:force_divisible_by=2,pad=$cw:$ch:(ow-iw)/2:(oh-ih)/2:color=0x282c34,\
rotate='0.1*sin(2*PI*t/5)':fillcolor=0x282c34,\
crop=$w:$h:'($cw-$w)/2+60*sin(2*PI*t/7)':'($ch-$h)/2+40*sin(2*PI*t/6)',\
eq=brightness='0.04*sin(2*PI*t/4)':eval=frame,format=yuv420p[v]" \
  -map "[v]" -map 1:a -c:v libx264 -crf 16 -preset fast -g 30 -c:a aac -b:a 96k -shortest "$tmp"
mv "$tmp" "$out"
