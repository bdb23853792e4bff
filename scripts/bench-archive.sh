#!/usr/bin/env bash
# Archive throughput: files per hour for one-minute 720p clips (the sample, looped), processed one at a
# time and then with each --jobs value given. Prints one line per setting; a benchmark, not a test.
# Usage: scripts/bench-archive.sh VEIL SAMPLE WORKDIR FILES JOBS...
set -euo pipefail
veil=$1 sample=$2 work=$3 files=$4
shift 4
mkdir -p "$work/clips"
for i in $(seq 1 "$files"); do
  clip=$work/clips/exam-$i.mp4
  [ -e "$clip" ] || ffmpeg -v error -nostdin -y -stream_loop -1 -i "$sample" -t 60 -c:v libx264 -preset veryfast -crf 20 -c:a aac "$clip"
done
for jobs in 1 "$@"; do
  rm -rf "$work/out-$jobs"
  start=$(date +%s.%N)
  "$veil" process "$work/clips" -o "$work/out-$jobs" --jobs "$jobs" >/dev/null
  end=$(date +%s.%N)
  awk -v n="$files" -v s="$start" -v e="$end" -v j="$jobs" \
    'BEGIN { t = e - s; printf "bench-archive: --jobs %s: %d one-minute 720p files in %.1f s: %.0f files per hour\n", j, n, t, n * 3600 / t }'
done
