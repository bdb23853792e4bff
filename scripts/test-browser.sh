#!/usr/bin/env bash
# Proves that a real browser shows a Veil stream through Janus.
#
# usage: scripts/test-browser.sh WORK_DIR MOUNTPOINTS_JCFG RTP_ID SRTP_ID CLIP -- SENDER_COMMAND...
#
#   WORK_DIR          scratch directory (created; Janus config, logs, reports go here)
#   MOUNTPOINTS_JCFG  Janus streaming-plugin config (janus.plugin.streaming.jcfg) with
#                     an RTP and an SRTP H.264 mountpoint, e.g. from `veil janus-config`
#   RTP_ID, SRTP_ID   the two mountpoint ids to view, in this order
#   CLIP              the clip the sender streams; the screenshots are compared with it
#   SENDER_COMMAND    started in the background once Janus listens; it must feed both
#                     mountpoints (e.g. veil itself, or sh -c 'ffmpeg ... & ffmpeg ... & wait')
#
# Starts a private Janus (scripts/janus-rig.sh: streaming plugin + HTTP transport on
# 127.0.0.1 only, ICE on this host's IPv4 address: Janus 1.1.2 cannot use loopback for ICE),
# the sender, then for each mountpoint a small report server and headless Chromium
# running scripts/browser-viewer.html; checks frames decoded, picture size, and prints
# the face/border luma differences against the clip (scripts/browser-compare.py).
# One "test-browser: ... ok" line per step; on failure one "test-browser: FAILED (step): why"
# line plus log tails, exit 1.
#
# Environment (defaults in brackets):
#   VIEW_SECONDS [10]   seconds to watch each mountpoint after its first frame
#   MIN_FRAMES [100]    frames that must be decoded in that time
#   SETUP_TIMEOUT [30]  seconds the viewer waits for its first frame
#   FACE_DIFF_MIN, BORDER_DIFF_MAX  optional thresholds on browser-compare's figures
#                       (unset: only printed; the ffmpeg stand-in does not anonymise)
#   FACE_BOX [0.42,0.06,0.65,0.45]  face box as fractions, see browser-compare.py
#   CHROMIUM [chromium]  JANUS [janus]  JANUS_LIB_DIR [/usr/lib/<triplet>/janus]
#   JANUS_JS, ADAPTER_JS  [Debian paths of libjs-janus-gateway / libjs-webrtc-adapter]
#
# Needs (Debian 12): janus libjs-janus-gateway libjs-webrtc-adapter chromium ffmpeg,
# python3 with numpy.  Runs as root in a container without systemd, dbus or a display.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/janus-rig.sh"
usage() { sed -n '3,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 7 ] && [ "$6" = "--" ] || usage
WORK=$1 MOUNTS=$2 RTP_ID=$3 SRTP_ID=$4 CLIP=$5
shift 6
SENDER=("$@")

VIEW_SECONDS=${VIEW_SECONDS:-10}
MIN_FRAMES=${MIN_FRAMES:-100}
SETUP_TIMEOUT=${SETUP_TIMEOUT:-30}
FACE_BOX=${FACE_BOX:-0.42,0.06,0.65,0.45}
CHROMIUM=${CHROMIUM:-chromium}
JANUS=${JANUS:-janus}
JANUS_JS=${JANUS_JS:-/usr/share/javascript/janus-gateway/janus.js}
ADAPTER_JS=${ADAPTER_JS:-/usr/share/javascript/webrtc-adapter/adapter.js}

say() { echo "test-browser: $*"; }
now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f s", b - a }'; }

# Log tails for a failure; dbus noise is what Chromium prints in a container
# without a session bus, never the reason anything failed.
# Runs of lines that differ only in numbers (Janus logs one SRTP error per
# packet) are folded into one line and a count.
tail_log() {
  local f=$1 n=${2:-25}
  [ -s "$f" ] || return 0
  echo "---- tail of $f"
  { grep -avE 'dbus/(bus|object_proxy)\.cc|Failed to connect to the bus' "$f" || true; } |
    awk '{ k = $0; gsub(/[0-9]+/, "#", k) }
         k == pk { c++; last = $0; next }
         { if (c) print "    ... " c " more like it, the last: " last; print; pk = k; c = 0 }
         END { if (c) print "    ... " c " more like it, the last: " last }' | tail -n "$n"
}
# fail STEP WHY [LOG...]: the one FAILED line, then the logs that explain it.
fail() {
  local step=$1 why=$2; shift 2
  # The commonest SRTP mistake (key or suite differ) only shows in Janus's log.
  if [[ $step == view* ]] && [ -s "${JLOG:-}" ] && grep -aq 'SRTP unprotect error' "$JLOG"; then
    why+=" (Janus logged $(grep -ac 'SRTP unprotect error' "$JLOG") SRTP unprotect errors:"
    why+=" $(grep -a -m1 -o 'srtp_err_status_[a-z_]*' "$JLOG" || echo ?); key or suite mismatch?)"
  fi
  say "FAILED ($step): $why"
  # Chromium's log repeats the viewer's lines, so less of it is shown.
  local f; for f in "$@"; do
    case $f in */chrome-*) tail_log "$f" 12 >&2 ;; *) tail_log "$f" >&2 ;; esac
  done
  exit 1
}

# Every background job runs in its own session/process group (setsid) so that
# stopping it also stops its children: Chromium's renderer/GPU/zygote processes,
# the sender's ffmpegs.  Without job control the job is not a group leader, so
# setsid execs in place and $! is the group id.
PGIDS=()  # "name:pgid", stopped in reverse order
stop_group() {
  local pg=$1 i
  kill -TERM -- "-$pg" 2>/dev/null || return 0
  for i in $(seq 1 50); do kill -0 -- "-$pg" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL -- "-$pg" 2>/dev/null || true
}
cleanup() {
  local rc=$? i
  trap - EXIT INT TERM
  for ((i = ${#PGIDS[@]} - 1; i >= 0; i--)); do stop_group "${PGIDS[i]#*:}"; done
  exit "$rc"
}
trap cleanup EXIT
trap 'say "FAILED (interrupted): SIGINT"; exit 130' INT
trap 'say "FAILED (interrupted): SIGTERM"; exit 143' TERM
forget() { local keep=() e; for e in "${PGIDS[@]}"; do [ "${e#*:}" = "$1" ] || keep+=("$e"); done; PGIDS=("${keep[@]}"); }

# ---- deps ------------------------------------------------------------------
t=$(now)
for c in "$JANUS" "$CHROMIUM" ffmpeg ffprobe python3 setsid awk; do
  command -v "$c" >/dev/null || fail deps "$c not found (apt-get install janus chromium ffmpeg)"
done
for f in "$JANUS_JS" "$ADAPTER_JS" "$HERE/browser-viewer.html" "$HERE/janus-watch.js" \
         "$HERE/browser-report-server.py" "$HERE/browser-compare.py" "$MOUNTS" "$CLIP"; do
  [ -r "$f" ] || fail deps "$f missing"
done
python3 -c 'import numpy' 2>/dev/null || fail deps "python3 has no numpy"
janus_lib_dir
CLIP_SIZE=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height \
  -of csv=p=0:s=x "$CLIP") && [ -n "$CLIP_SIZE" ] || fail deps "ffprobe cannot read $CLIP"
CLIP_W=${CLIP_SIZE%x*} CLIP_H=${CLIP_SIZE#*x}
# (janus --version exits non-zero after printing; versions are only for the log)
janus_ver=$({ "$JANUS" --version 2>/dev/null || true; } | sed -n 's/^Janus version: .*(\(.*\))/\1/p' | head -n1)
chrome_ver=$({ "$CHROMIUM" --version 2>/dev/null || true; } | head -n1)
say "deps ok (janus ${janus_ver:-?}, ${chrome_ver:-chromium ?}, clip ${CLIP_W}x${CLIP_H}, $(since "$t"))"

mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
rm -rf "$WORK/janus" "$WORK/reports" "$WORK"/chrome-* "$WORK"/*.log
mkdir -p "$WORK/reports"
JLOG=$WORK/janus.log SLOG=$WORK/sender.log

# ---- janus -----------------------------------------------------------------
t=$(now)
janus_start "$WORK/janus" "$MOUNTS" "$JLOG"
PGIDS+=("janus:$JPID")
janus_ready "$JLOG"
# Janus starts even when the streaming plugin rejects a mountpoint or the whole
# file (a libconfig syntax error, e.g. a '.' or space in an entry name, leaves it
# with no mountpoints at all): it only logs [ERR].  Catch that here, then ask the
# plugin itself that both mountpoints exist and that exactly the second is SRTP.
if grep -aq '^\[ERR\]' "$JLOG"; then
  fail janus "$(grep -a -m1 '^\[ERR\]' "$JLOG" | sed 's/^\[ERR\] *\(\[[^]]*\] *\)\{0,1\}//') (check $MOUNTS)" "$JLOG"
fi
mp=$(python3 - "$JURL" "$RTP_ID" "$SRTP_ID" 2>&1 <<'PY'
import json, sys, urllib.request
url, ids = sys.argv[1], sys.argv[2:]
def call(path, body):
    body = dict(body, transaction="tb")
    req = urllib.request.Request(url + path, json.dumps(body).encode(), {"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req, timeout=5))
session = call("", {"janus": "create"})["data"]["id"]
handle = call(f"/{session}", {"janus": "attach", "plugin": "janus.plugin.streaming"})["data"]["id"]
out = []
for want_srtp, i in zip((False, True), ids):
    mid = int(i) if i.isdigit() else i
    data = call(f"/{session}/{handle}", {"janus": "message", "body": {"request": "info", "id": mid}})
    data = data.get("plugindata", {}).get("data", {})
    info = data.get("info")
    if not info:
        sys.exit(f"mountpoint {i}: {data.get('error') or 'not found'}")
    if bool(info.get("srtp")) != want_srtp:
        sys.exit(f"mountpoint {i} ({info.get('name')}) is {'' if info.get('srtp') else 'not '}SRTP")
    codecs = ",".join(f"{m.get('codec')}/{m.get('port')}" for m in info.get("media", []))
    out.append(f"{i}={info.get('name')}[{codecs}{',srtp' if want_srtp else ''}]")
call(f"/{session}", {"janus": "destroy"})
print(" ".join(out))
PY
) || fail janus "$(tail -n1 <<<"$mp")" "$JLOG"
say "janus ok ($JURL, pid $JPID, mountpoints $mp, $(since "$t"))"

# ---- sender ----------------------------------------------------------------
t=$(now)
setsid "${SENDER[@]}" </dev/null >"$SLOG" 2>&1 &
SPID=$!
PGIDS+=("sender:$SPID")
sleep 2  # long enough for a bad command line or an unreachable port to end it
if ! kill -0 "$SPID" 2>/dev/null; then
  rc=0; wait "$SPID" || rc=$?
  fail sender "the sender exited early (status $rc)" "$SLOG"
fi
say "sender ok (pid $SPID, $(since "$t"))"

# ---- views -----------------------------------------------------------------
# view LABEL MOUNTPOINT_ID: watch one mountpoint in headless Chromium, check it.
view() {
  local label=$1 id=$2 step="view $1" t rc=0 i
  t=$(now)
  local srvlog=$WORK/server-$label.log chromelog=$WORK/chrome-$label.log
  local portfile=$WORK/reports/$label.port report=$WORK/reports/$label.json png=$WORK/reports/$label.png
  local budget=$((SETUP_TIMEOUT + VIEW_SECONDS + 20))
  setsid python3 "$HERE/browser-report-server.py" --out "$WORK/reports" --count 1 \
    --timeout "$budget" --port-file "$portfile" --janus-js "$JANUS_JS" --adapter-js "$ADAPTER_JS" \
    </dev/null >"$srvlog" 2>&1 &
  local srv=$!
  PGIDS+=("server-$label:$srv")
  for i in $(seq 1 50); do [ -s "$portfile" ] && break; sleep 0.1; done
  [ -s "$portfile" ] || fail "$step" "report server did not start" "$srvlog"
  local url="http://127.0.0.1:$(cat "$portfile")/viewer.html?janus=$JURL&id=$id&seconds=$VIEW_SECONDS"
  url+="&timeout=$SETUP_TIMEOUT&name=$label"
  # Flags: --no-sandbox is the one that is required (Chromium refuses to run as
  # root with its sandbox).  WebRtcHideLocalIpsWithMdns off makes Chromium offer
  # its real address instead of a .local name (Janus ignores mDNS; ICE then only
  # works through a peer-reflexive candidate); it also makes the candidate pair
  # in the report readable.  --allow-loopback-in-peer-connection is not used:
  # Janus never offers loopback candidates.  No GPU, no display; the muted video
  # would autoplay anyway; /dev/shm in containers is often 64 MB; the rest keeps
  # a networkless CI quiet and timers unthrottled in a page nobody looks at.
  setsid "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --autoplay-policy=no-user-gesture-required \
    --disable-features=WebRtcHideLocalIpsWithMdns \
    --no-first-run --no-default-browser-check --disable-extensions --disable-sync \
    --disable-background-networking --disable-component-update --mute-audio \
    --disable-background-timer-throttling --disable-renderer-backgrounding \
    --enable-logging=stderr --v=0 \
    --user-data-dir="$WORK/chrome-$label" "$url" </dev/null >"$chromelog" 2>&1 &
  local chrome=$!
  PGIDS+=("chrome-$label:$chrome")
  # The server exits once the report is in (or on its timeout); a Chromium that
  # dies first is a failure we can report at once instead of waiting.
  while kill -0 "$srv" 2>/dev/null; do
    if ! kill -0 "$chrome" 2>/dev/null; then
      fail "$step" "chromium exited before reporting" "$chromelog" "$srvlog"
    fi
    sleep 0.5
  done
  wait "$srv" || rc=$?
  stop_group "$chrome"; forget "$chrome"; forget "$srv"
  [ $rc = 0 ] && [ -s "$report" ] ||
    fail "$step" "no report from the viewer (report server rc=$rc)" "$chromelog" "$srvlog" "$JLOG" "$SLOG"

  local ok frames w h err
  read -r ok frames w h err < <(python3 - "$report" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
print(r.get("ok"), r.get("framesDecodedInWindow", r.get("framesDecoded", 0)),
      r.get("videoWidth") or r.get("frameWidth"), r.get("videoHeight") or r.get("frameHeight"),
      (r.get("error") or "-").replace("\n", " "))
EOF
  ) || fail "$step" "unreadable report $report"
  local vlog=$WORK/viewer-$label.log
  python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1])).get("log", [])))' "$report" >"$vlog" || true
  [ "$ok" = True ] || fail "$step" "viewer: $err" "$vlog" "$JLOG" "$SLOG" "$chromelog"
  [ "$frames" -ge "$MIN_FRAMES" ] ||
    fail "$step" "only $frames frames decoded in $VIEW_SECONDS s (need $MIN_FRAMES)" "$vlog" "$JLOG" "$SLOG"
  [ -s "$png" ] || fail "$step" "the report has no screenshot" "$vlog"
  local png_size
  png_size=$(ffprobe -v error -show_entries stream=width,height -of csv=p=0:s=x "$png")
  [ "$png_size" = "${CLIP_W}x${CLIP_H}" ] ||
    fail "$step" "screenshot is $png_size, clip is ${CLIP_W}x${CLIP_H} (video reported ${w}x${h})" "$vlog"
  local cmp
  cmp=$(python3 "$HERE/browser-compare.py" --face "$FACE_BOX" "$png" "$CLIP" 2>&1) ||
    fail "$step" "browser-compare failed: $cmp"
  local face_diff border_diff
  face_diff=$(sed -n 's/.*face_diff=\([0-9.]*\).*/\1/p' <<<"$cmp")
  border_diff=$(sed -n 's/.*border_diff=\([0-9.]*\).*/\1/p' <<<"$cmp")
  if [ -n "${FACE_DIFF_MIN:-}" ] && awk -v a="$face_diff" -v b="$FACE_DIFF_MIN" 'BEGIN { exit !(a < b) }'; then
    fail "$step" "face_diff=$face_diff < FACE_DIFF_MIN=$FACE_DIFF_MIN: the face looks like the input's"
  fi
  if [ -n "${BORDER_DIFF_MAX:-}" ] && awk -v a="$border_diff" -v b="$BORDER_DIFF_MAX" 'BEGIN { exit !(a > b) }'; then
    fail "$step" "border_diff=$border_diff > BORDER_DIFF_MAX=$BORDER_DIFF_MAX: the picture outside the face changed"
  fi
  local frame_no; frame_no=$(sed -n 's/.*frame=\([0-9]*\).*/\1/p' <<<"$cmp")
  say "$step ok (mountpoint $id: frames_decoded=$frames in ${VIEW_SECONDS} s, ${png_size}," \
      "face_diff=$face_diff border_diff=$border_diff vs clip frame $frame_no, $(since "$t"))"
}

view rtp "$RTP_ID"
view srtp "$SRTP_ID"
kill -0 "$SPID" 2>/dev/null || fail sender "the sender stopped during the test" "$SLOG"
say "all ok (reports and screenshots in $WORK/reports)"
