#!/usr/bin/env bash
# What viewers of the status page cost the cameras: `veil run` swaps faces on the sample as a 720p30
# camera while, in turn, nobody, then a viewer loading the page and its picture once a second (as the
# page's own reload does, times VIEWERS), then one client fetching the picture as fast as it can.
# Prints, per phase, the daemon's CPU, the frames it put out per second and their mean capture to
# hand-off latency, and for the viewers the median time the daemon took to answer (curl's time to
# the first byte of the page, and of the picture: rendering it, JPEG-encoding the copy). On a 2-core
# machine the cameras already use what is free, so a CPU difference is not a page view's cost; the
# answer time is. A benchmark: it asserts nothing.
# Usage: scripts/bench-status.sh VEIL SAMPLE WORKDIR [SECONDS] [VIEWERS]
set -euo pipefail
veil=$1 sample=$2 work=$3 seconds=${4:-20} viewers=${5:-5}
mkdir -p "$work"
port=$((20000 + RANDOM % 20000))
cat >"$work/veil.toml" <<CONF
[daemon]
http = "127.0.0.1:$port"
stability_log = ""

[anonymize]
mode = "swap"

[[camera]]
name = "room"
source = "$(realpath "$sample")"
size = "1280x720"
fps = 30
realtime = true

  [[camera.output]]
  kind = "rtp"
  address = "127.0.0.1:$((port + 1))"
  sdp = "$work/room.sdp"
CONF
"$veil" run --config "$work/veil.toml" >"$work/daemon.log" 2>&1 &
daemon=$!
trap 'kill $daemon 2>/dev/null; wait $daemon 2>/dev/null || true' EXIT
for _ in $(seq 120); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
sleep 10 # models loaded, the first donors checked

ticks() { awk '{ print $14 + $15 }' "/proc/$daemon/stat"; }
metric() { curl -s "http://127.0.0.1:$port/metrics" | awk -v name="$1" '$1 == name { print $2 }'; }
phase() { # NAME COMMAND...: runs COMMAND for $seconds while measuring the daemon
  local name=$1; shift
  local t0 c0 f0 s0 n0 t1 c1 f1 s1 n1 views=0 page=0 picture=0
  t0=$(date +%s.%N) c0=$(ticks) f0=$(metric 'veil_frames_out_total{camera="room"}')
  s0=$(metric 'veil_latency_seconds_sum{camera="room"}') n0=$(metric 'veil_latency_seconds_count{camera="room"}')
  if [ $# -gt 0 ]; then
    timeout "$seconds" "$@" >"$work/views" || true
    views=$(grep -c '^picture' "$work/views" || true)
    median() { grep "^$1 " "$work/views" | awk '{ print $2 }' | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.1f", 1000 * v[int((NR + 1) / 2)]; else printf "-" }'; }
    page=$(median page) picture=$(median picture)
  else
    sleep "$seconds"
  fi
  t1=$(date +%s.%N) c1=$(ticks) f1=$(metric 'veil_frames_out_total{camera="room"}')
  s1=$(metric 'veil_latency_seconds_sum{camera="room"}') n1=$(metric 'veil_latency_seconds_count{camera="room"}')
  awk -v n="$name" -v t="$(echo "$t1 - $t0" | bc)" -v c=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v f="$(echo "$f1 - $f0" | bc)" \
      -v s="$(echo "$s1 - $s0" | bc)" -v k="$(echo "$n1 - $n0" | bc)" -v v="$views" -v p="$page" -v q="$picture" 'BEGIN {
    printf "bench-status: %-28s daemon CPU %5.1f%%, %5.1f frames/s out, latency mean %5.1f ms", n, 100 * c / hz / t, f / t, 1000 * s / k
    if (v > 0) printf "; %.1f pictures/s, answered in (median) page %s ms, picture %s ms", v / t, p, q
    printf "\n" }'
}
viewer() {
  while true; do
    curl -s -o /dev/null -w 'page %{time_starttransfer}\n' "http://127.0.0.1:$port/"
    curl -s -o /dev/null -w 'picture %{time_starttransfer}\n' "http://127.0.0.1:$port/cameras/room/snapshot.jpg"
    sleep 1
  done
}
hammer() { while true; do curl -s -o /dev/null -w 'picture %{time_starttransfer}\n' "http://127.0.0.1:$port/cameras/room/snapshot.jpg"; done; }
export -f viewer hammer; export port
phase "no viewer"
phase "$viewers viewers, 1 s reload" bash -c "for i in \$(seq $viewers); do viewer & done; wait"
phase "picture as fast as it goes" bash -c hammer
