#!/usr/bin/env bash
# Capture-to-browser latency of Veil's stream in a real browser (glass to glass, less the display).
#
# usage: scripts/bench-browser-latency.sh VEIL SAMPLE WORK_DIR [SECONDS]
#
#   VEIL      the veil binary (e.g. .build/release/veil)
#   SAMPLE    a clip with a face (e.g. data/sample/sample.mp4); played forward and back as the camera
#   WORK_DIR  scratch directory (emptied): config, logs, reports (reports/*.json, *.png), latency.json
#   SECONDS   how long each browser measures [20]
#
# The camera is scripts/clock-camera.py: the sample at 640x360, 30 fps in real time, every frame
# stamped at the bottom with the wall-clock millisecond it was made. A private Janus (scripts/janus-rig.sh,
# as scripts/test-browser.sh starts it) gets two RTP mountpoints, and headless Chromium watches them
# with scripts/browser-latency.html, which reads the stamp of each presented frame
# (requestVideoFrameCallback) and takes Date.now() minus it. The camera, Janus and the browser run
# on this machine: one wall clock. Two runs, one after the other:
#   without Veil  clock camera -> ffmpeg (x264 ultrafast, zerolatency, baseline) -> RTP -> Janus -> browser
#   through Veil  clock camera -> ffmpeg (the same, MPEG-TS over UDP) -> veil run (a udp:// camera,
#                 anonymized, its rtp output) -> Janus -> browser
# Frames the viewer cannot read (Veil covers whole frames when it stalls) are counted, not measured.
# Prints one line per run and what Veil adds; on failure one "FAILED (step): why" line and log tails.
#
# Environment (defaults in brackets): WARMUP [3] seconds after the first readable frame not
# measured; SETUP_TIMEOUT [60] seconds a viewer waits for its first readable frame; MIN_DECODED
# [SECONDS*30/4] frames each run must read; CAMERA_ENCODE [-preset ultrafast -tune zerolatency -g 30
# -profile:v baseline] the camera's x264 options (both runs);
# CHROMIUM_FLAGS [] more Chromium flags (e.g. --disable-rtc-smoothness-algorithm: WebRTC frames shown
# as they come instead of on their render times); CHROMIUM [chromium] JANUS [janus] JANUS_LIB_DIR
# JANUS_JS ADAPTER_JS as for test-browser.sh.
#
# Needs (Debian 12): janus libjs-janus-gateway libjs-webrtc-adapter chromium ffmpeg, python3 with numpy.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/janus-rig.sh"
usage() { sed -n '4,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 3 ] && [ $# -le 4 ] || usage
VEIL=$(realpath "$1") SAMPLE=$(realpath "$2") WORK=$(realpath -m "$3") SECONDS_=${4:-20}
[[ $SECONDS_ =~ ^[0-9]+$ ]] && [ "$SECONDS_" -ge 1 ] || usage

WARMUP=${WARMUP:-3}
SETUP_TIMEOUT=${SETUP_TIMEOUT:-60}
MIN_DECODED=${MIN_DECODED:-$((SECONDS_ * 30 / 4))}
CAMERA_ENCODE=${CAMERA_ENCODE:--preset ultrafast -tune zerolatency -g 30 -profile:v baseline}
CHROMIUM=${CHROMIUM:-chromium}
read -r -a CHROMIUM_EXTRA <<<"${CHROMIUM_FLAGS:-}"
JANUS=${JANUS:-janus}
JANUS_JS=${JANUS_JS:-/usr/share/javascript/janus-gateway/janus.js}
ADAPTER_JS=${ADAPTER_JS:-/usr/share/javascript/webrtc-adapter/adapter.js}

say() { echo "bench-browser-latency: $*"; }
tail_log() {
  local f=$1 n=${2:-20}
  [ -s "$f" ] || return 0
  echo "---- tail of $f"
  { grep -avE 'dbus/(bus|object_proxy)\.cc|Failed to connect to the bus' "$f" || true; } | tail -n "$n"
}
fail() {
  local step=$1 why=$2; shift 2
  say "FAILED ($step): $why"
  local f; for f in "$@"; do tail_log "$f" >&2; done
  exit 1
}

# Every background job runs in a process group of its own (setsid), stopped whole on exit:
# Chromium's helpers, the camera's python and ffmpeg.
PGIDS=()
stop_group() {
  local pg=$1 i
  kill -TERM -- "-$pg" 2>/dev/null || return 0
  for i in $(seq 1 50); do kill -0 -- "-$pg" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL -- "-$pg" 2>/dev/null || true
}
forget() { local keep=() e; for e in "${PGIDS[@]}"; do [ "$e" = "$1" ] || keep+=("$e"); done; PGIDS=("${keep[@]}"); }
stop() { stop_group "$1"; forget "$1"; }
cleanup() {
  local rc=$? i
  trap - EXIT INT TERM
  for ((i = ${#PGIDS[@]} - 1; i >= 0; i--)); do stop_group "${PGIDS[i]}"; done
  exit "$rc"
}
trap cleanup EXIT
trap 'say "FAILED (interrupted): SIGINT"; exit 130' INT
trap 'say "FAILED (interrupted): SIGTERM"; exit 143' TERM
# start LOG CMD...: runs CMD in a new process group, its group id in $STARTED.
start() {
  local log=$1; shift
  setsid "$@" </dev/null >"$log" 2>&1 &
  STARTED=$!
  PGIDS+=("$STARTED")
}

# ---- deps ------------------------------------------------------------------
for c in "$JANUS" "$CHROMIUM" ffmpeg python3 setsid; do
  command -v "$c" >/dev/null || fail deps "$c not found (apt-get install janus chromium ffmpeg)"
done
for f in "$VEIL" "$SAMPLE" "$JANUS_JS" "$ADAPTER_JS" "$HERE/clock-camera.py" "$HERE/browser-latency.html" \
         "$HERE/janus-watch.js" "$HERE/browser-report-server.py"; do
  [ -r "$f" ] || fail deps "$f missing"
done
python3 -c 'import numpy' 2>/dev/null || fail deps "python3 has no numpy"
janus_lib_dir

rm -rf "$WORK" && mkdir -p "$WORK/reports"
JLOG=$WORK/janus.log

# ---- config ----------------------------------------------------------------
# Ports: P the camera's MPEG-TS for Veil, P+2 (RTCP P+3) Veil's rtp output = mountpoint 1,
# P+4 (RTCP P+5) the camera's RTP straight to mountpoint 2. Away from Janus's ICE range.
P=$((21000 + 2 * (RANDOM % 9000)))
cat >"$WORK/veil.toml" <<CONF
[daemon]
http = ""
stability_log = ""

[[camera]]
name = "clock"
source = "udp://127.0.0.1:$P"
size = "640x360"
fps = 30

  [[camera.output]]
  kind = "rtp"
  address = "127.0.0.1:$((P + 2))"
  sdp = "$WORK/clock-rtp.sdp"
CONF
"$VEIL" check-config "$WORK/veil.toml" >"$WORK/check-config.log" 2>&1 ||
  fail config "veil check-config refused $WORK/veil.toml" "$WORK/check-config.log"
"$VEIL" janus-config "$WORK/veil.toml" >"$WORK/mountpoints.jcfg" 2>"$WORK/janus-config.log" ||
  fail config "veil janus-config failed" "$WORK/janus-config.log"
VEIL_ID=$(sed -n 's/^[[:space:]]*id = \([0-9]*\)$/\1/p' "$WORK/mountpoints.jcfg" | head -n1)
FMTP=$(sed -n 's/^[[:space:]]*fmtp = "\(.*\)"$/\1/p' "$WORK/mountpoints.jcfg" | head -n1)
[ -n "$VEIL_ID" ] && [ -n "$FMTP" ] || fail config "no mountpoint id/fmtp in $WORK/mountpoints.jcfg"
BASE_ID=$((VEIL_ID + 100))
cat >>"$WORK/mountpoints.jcfg" <<EOF

# Added by scripts/bench-browser-latency.sh: the clock camera without Veil.
bench-baseline: {
  type = "rtp"
  id = $BASE_ID
  description = "clock camera straight to Janus"
  media = (
    {
      type = "video"
      mid = "v"
      port = $((P + 4))
      pt = 96
      codec = "h264"
      fmtp = "$FMTP"
    }
  )
}
EOF

# ---- janus -----------------------------------------------------------------
janus_start "$WORK/janus" "$WORK/mountpoints.jcfg" "$JLOG"
PGIDS+=("$JPID")
janus_ready "$JLOG"
grep -aq '^\[ERR\]' "$JLOG" && fail janus "$(grep -a -m1 '^\[ERR\]' "$JLOG")" "$JLOG"
say "janus ok ($JURL, mountpoints $VEIL_ID (Veil, port $((P + 2))) and $BASE_ID (camera, port $((P + 4))))"

# ---- runs ------------------------------------------------------------------
# camera LOG FFMPEG_OUTPUT...: the clock camera through ffmpeg's H.264 encoder to FFMPEG_OUTPUT.
camera() {
  local log=$1; shift
  # shellcheck disable=SC2086 # CAMERA_ENCODE is a list of options
  start "$log" bash -c 'set -o pipefail; python3 "$0" "$1" | exec ffmpeg -v warning -nostdin -fflags nobuffer \
      -f rawvideo -pix_fmt yuv420p -s 640x360 -r 30 -i - -an -c:v libx264 '"$CAMERA_ENCODE"' "${@:2}"' \
    "$HERE/clock-camera.py" "$SAMPLE" "$@"
  CAMERA=$STARTED
}

# measure LABEL MOUNTPOINT_ID LOG...: headless Chromium on browser-latency.html; the report in
# reports/LABEL.json. The LOGs are shown on failure.
measure() {
  local label=$1 id=$2 rc=0 i; shift 2
  local srvlog=$WORK/server-$label.log chromelog=$WORK/chrome-$label.log
  local portfile=$WORK/reports/$label.port report=$WORK/reports/$label.json
  start "$srvlog" python3 "$HERE/browser-report-server.py" --out "$WORK/reports" --count 1 \
    --timeout "$((SETUP_TIMEOUT + WARMUP + SECONDS_ + 30))" --port-file "$portfile" \
    --viewer "$HERE/browser-latency.html" --janus-js "$JANUS_JS" --adapter-js "$ADAPTER_JS"
  local srv=$STARTED
  for i in $(seq 1 50); do [ -s "$portfile" ] && break; sleep 0.1; done
  [ -s "$portfile" ] || fail "$label" "report server did not start" "$srvlog"
  local url="http://127.0.0.1:$(cat "$portfile")/viewer.html?janus=$JURL&id=$id&seconds=$SECONDS_"
  url+="&warmup=$WARMUP&timeout=$SETUP_TIMEOUT&name=$label"
  # Flags as in test-browser.sh.
  start "$chromelog" "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --autoplay-policy=no-user-gesture-required --disable-features=WebRtcHideLocalIpsWithMdns \
    --no-first-run --no-default-browser-check --disable-extensions --disable-sync \
    --disable-background-networking --disable-component-update --mute-audio \
    --disable-background-timer-throttling --disable-renderer-backgrounding \
    --enable-logging=stderr --v=0 ${CHROMIUM_EXTRA[@]+"${CHROMIUM_EXTRA[@]}"} \
    --user-data-dir="$WORK/chrome-$label" "$url"
  local chrome=$STARTED
  while kill -0 "$srv" 2>/dev/null; do
    kill -0 "$chrome" 2>/dev/null || fail "$label" "chromium exited before reporting" "$chromelog" "$srvlog"
    kill -0 "$CAMERA" 2>/dev/null || fail "$label" "the camera stopped" "$@"
    sleep 0.5
  done
  wait "$srv" || rc=$?
  stop "$chrome"; forget "$srv"
  [ $rc = 0 ] && [ -s "$report" ] || fail "$label" "no report from the viewer (report server rc=$rc)" \
    "$chromelog" "$srvlog" "$JLOG" "$@"
  python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1])).get("log", [])))' \
    "$report" >"$WORK/viewer-$label.log" || true
  local check
  check=$(python3 - "$report" "$MIN_DECODED" <<'EOF'
import json, sys
r, need = json.load(open(sys.argv[1])), int(sys.argv[2])
if not r.get("ok"):
    sys.exit("viewer: %s" % r.get("error"))
if (r.get("decoded") or 0) < need:
    sys.exit("only %s of %s presented frames had a readable stamp (need %d; unreadable: %s)"
             % (r.get("decoded"), r.get("count"), need, r.get("undecodableWhy")))
if r.get("negative"):
    sys.exit("%d frames were stamped later than they were shown: clocks or decoding wrong" % r["negative"])
EOF
  ) || fail "$label" "$check" "$WORK/viewer-$label.log" "$JLOG" "$@"
}

# Without Veil: the camera's RTP straight to Janus.
camera "$WORK/camera-baseline.log" -payload_type 96 -f rtp "rtp://127.0.0.1:$((P + 4))?pkt_size=1200"
sleep 1
kill -0 "$CAMERA" 2>/dev/null || fail baseline "the camera exited at start-up" "$WORK/camera-baseline.log"
measure baseline "$BASE_ID" "$WORK/camera-baseline.log"
stop "$CAMERA"
say "without Veil measured (reports/baseline.json)"

# Through Veil: the camera's MPEG-TS to Veil's udp:// source, Veil's rtp output to Janus.
camera "$WORK/camera-veil.log" -flush_packets 1 -f mpegts "udp://127.0.0.1:$P?pkt_size=1316"
start "$WORK/veil.log" "$VEIL" run --config "$WORK/veil.toml"
VPID=$STARTED
sleep 2
kill -0 "$CAMERA" 2>/dev/null || fail veil "the camera exited at start-up" "$WORK/camera-veil.log"
kill -0 "$VPID" 2>/dev/null || fail veil "veil run exited at start-up" "$WORK/veil.log"
measure veil "$VEIL_ID" "$WORK/veil.log" "$WORK/camera-veil.log"
kill -0 "$VPID" 2>/dev/null || fail veil "veil run stopped during the run" "$WORK/veil.log"
stop "$VPID"; stop "$CAMERA"

# ---- summary ---------------------------------------------------------------
python3 - "$WORK" <<'EOF'
import json, os, sys
work = sys.argv[1]
runs = {k: json.load(open(os.path.join(work, "reports", k + ".json"))) for k in ("veil", "baseline")}
def line(label, r):
    l, w = r["latency"], r.get("webrtc") or {}
    rx, why = r.get("latencyAtReceive") or {}, r.get("undecodableWhy") or {}
    print(f"bench-browser-latency: {label}: {r['decoded']} frames, median {l['median']:.0f} ms, "
          f"p95 {l['p95']:.0f} ms ({r['undecodable']} undecodable)")
    print(f"    min {l['min']:.0f} ms, max {l['max']:.0f} ms; stamp to the frame's arrival in the browser: "
          f"median {rx.get('median', float('nan')):.0f} ms, p95 {rx.get('p95', float('nan')):.0f} ms; "
          f"WebRTC jitter buffer {w.get('jitterBufferMs')} ms, decode {w.get('decodeMs')} ms a frame"
          + (f"; {r['missedCallbacks']} frames presented between callbacks (not measured)"
             if r.get("missedCallbacks") else "")
          + (f"; unreadable: {', '.join(f'{n} {k}' for k, n in sorted(why.items()))}" if why else ""))
line("through Veil", runs["veil"])
line("without Veil (camera → Janus → browser)", runs["baseline"])
stopped = [l.split("camera clock: ", 1)[1].strip() for l in open(os.path.join(work, "veil.log"), errors="replace")
           if "camera clock: stopped:" in l]
if stopped:
    print(f"    veil (whole run, start-up included): {stopped[-1]}")
v, b = runs["veil"]["latency"], runs["baseline"]["latency"]
print(f"bench-browser-latency: Veil adds {v['median'] - b['median']:.0f} ms at the median, "
      f"{v['p95'] - b['p95']:.0f} ms at p95")
summary = {k: {f: r.get(f) for f in ("count", "decoded", "undecodable", "undecodableWhy", "repeated",
                                      "missedCallbacks", "latency", "latencyAtDisplay", "latencyAtReceive",
                                      "receiveToPresent", "stampGaps", "webrtc")} for k, r in runs.items()}
summary["addedMedianMs"] = round(v["median"] - b["median"], 1)
summary["addedP95Ms"] = round(v["p95"] - b["p95"], 1)
with open(os.path.join(work, "latency.json"), "w") as f:
    json.dump(summary, f, indent=1)
EOF
say "ok (reports in $WORK/reports, summary $WORK/latency.json)"
