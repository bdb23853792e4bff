#!/usr/bin/env bash
# `make test-browser`: Veil's own stream in a real browser, and its status page.
#   scripts/test-browser-veil.sh VEIL SAMPLE WORK_DIR
# 1. installs janus, its JavaScript, WebRTC's adapter and Chromium when missing (Debian 12);
# 2. writes a config: the sample (a real face, moving) as a 640x360 camera with an rtp and an srtp
#    output, the status page on loopback behind a token; `veil janus-config` writes the mountpoints;
# 3. scripts/test-browser.sh: a private Janus, `veil run` as the sender, headless Chromium watching
#    each mountpoint: at least 100 frames decoded in 10 s, and a screenshot whose face differs from
#    the input's while the rest of the picture matches it;
# 4. the status page in headless Chromium: it renders (screenshot kept), names the camera as
#    running, refuses a request without the token, and its picture is the anonymized frame.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 VEIL SAMPLE WORK_DIR" >&2; exit 2; }
veil=$(realpath "$1") sample=$(realpath "$2") work=$(realpath -m "$3")
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "test-browser: FAILED ($1): $2" >&2; exit 1; }

need=()
for c in janus chromium; do command -v "$c" >/dev/null || need+=("$c"); done
[ -e /usr/share/javascript/janus-gateway/janus.js ] || need+=(libjs-janus-gateway)
[ -e /usr/share/javascript/webrtc-adapter/adapter.js ] || need+=(libjs-webrtc-adapter)
if [ ${#need[@]} -gt 0 ]; then
  echo "test-browser: installing ${need[*]}"
  install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
  install 2>/dev/null || { apt-get update -qq && install; } || fail install "apt-get install ${need[*]} failed"
fi

rm -rf "$work" && mkdir -p "$work"
clip=$work/camera.mp4
# Forward then backward: the camera loops it without a cut (across a cut the pipeline covers whole
# frames until the face is found again, which a screenshot could land on).
ffmpeg -v error -nostdin -y -i "$sample" -filter_complex "[0:v]scale=640:360,split[a][b];[b]reverse[r];[a][r]concat=n=2:v=1" \
  -an -c:v libx264 -preset veryfast -crf 16 "$clip"
port=$((21000 + RANDOM % 20000))
head -c 30 /dev/urandom | base64 >"$work/room.key" && chmod 600 "$work/room.key"
openssl rand -hex 24 >"$work/http.token" 2>/dev/null || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/http.token"
chmod 600 "$work/http.token"
cat >"$work/veil.toml" <<CONF
[daemon]
http = "127.0.0.1:$port"
http_token_file = "$work/http.token"
stability_log = ""

[[camera]]
name = "front"
source = "$clip"
size = "640x360"
fps = 30
realtime = true

  [[camera.output]]
  kind = "rtp"
  address = "127.0.0.1:$((port + 1))"
  sdp = "$work/front-rtp.sdp"

  [[camera.output]]
  kind = "srtp"
  address = "127.0.0.1:$((port + 3))"
  sdp = "$work/front-srtp.sdp"
  key_file = "$work/room.key"
CONF
"$veil" janus-config "$work/veil.toml" >"$work/mountpoints.jcfg" || fail janus-config "veil janus-config $work/veil.toml failed"
echo "test-browser: veil janus-config ok ($(grep -c '^veil-' "$work/mountpoints.jcfg") mountpoints)"

# A swapped face differs from the input's by far more than a re-encode (2 to 3 levels; swapped faces measured 6.5 to 17) while the rest
# of the picture stays within a re-encode's difference.
FACE_DIFF_MIN=${FACE_DIFF_MIN:-5} BORDER_DIFF_MAX=${BORDER_DIFF_MAX:-5} \
  "$here/test-browser.sh" "$work/janus-run" "$work/mountpoints.jcfg" 1 2 "$clip" -- "$veil" run --config "$work/veil.toml"

# The status page, from a daemon of its own.
"$veil" run --config "$work/veil.toml" >"$work/daemon.log" 2>&1 &
daemon=$!
trap 'kill $daemon 2>/dev/null; wait $daemon 2>/dev/null || true' EXIT
token=$(cat "$work/http.token") base=http://127.0.0.1:$port
for _ in $(seq 120); do curl -sf -H "Authorization: Bearer $token" "$base/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
sleep 6 # the picture's first copy, and a few seconds of history for the charts
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/")" = 401 ] || fail "status page" "the page answered without the token"
chrome=(chromium --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --user-data-dir="$work/chrome" --window-size=412,1600)
timeout 60 "${chrome[@]}" --dump-dom "$base/?token=$token" >"$work/status.html" 2>"$work/chrome.log" || fail "status page" "chromium could not load it"
# Running: moving frames, not offline or stalled (a moment of "covering whole frames" or "detector
# late", as on a busy machine, is still running).
state=$(sed -n 's|.*<h2>front <span class="state [a-z]*">\([^<]*\)</span></h2>.*|\1|p' "$work/status.html")
case "$state" in
  running | "covering whole frames" | "detector late") ;;
  *) fail "status page" "the rendered page shows camera front as '${state:-missing}', not running (saved: $work/status.html)" ;;
esac
timeout 60 "${chrome[@]}" --screenshot="$work/status-page.png" "$base/?token=$token" 2>>"$work/chrome.log" >/dev/null ||
  fail "status page" "chromium took no screenshot"
[ -s "$work/status-page.png" ] || fail "status page" "empty screenshot"
# Every picture hides the face; at least one shows the rest of the scene as captured (one taken while
# the pipeline covers whole frames across the clip's jump differs everywhere, and says so).
matched=""
for i in 1 2 3 4; do
  curl -sf -H "Authorization: Bearer $token" -o "$work/snapshot-$i.jpg" "$base/cameras/front/snapshot.jpg" || fail snapshot "no picture"
  size=$(ffprobe -v error -show_entries stream=width,height -of csv=p=0 "$work/snapshot-$i.jpg")
  [ "$size" = "640,360" ] || fail snapshot "the picture decodes as '$size', not 640,360"
  compare=$(python3 "$here/browser-compare.py" "$work/snapshot-$i.jpg" "$clip")
  face=$(sed -n 's/.*face_diff=\([0-9.]*\).*/\1/p' <<<"$compare") border=$(sed -n 's/.*border_diff=\([0-9.]*\).*/\1/p' <<<"$compare")
  awk -v f="$face" -v fm="${FACE_DIFF_MIN:-5}" 'BEGIN { exit !(f >= fm) }' || fail snapshot "picture $i shows the input's face ($compare)"
  if awk -v b="$border" -v bm="${BORDER_DIFF_MAX:-5}" 'BEGIN { exit !(b <= bm) }'; then matched="picture $i: $compare"; break; fi
  sleep 2.1
done
[ -n "$matched" ] || fail snapshot "no picture matched the camera's scene outside the face (last: $compare)"
echo "test-browser: status page ok (rendered with camera front $state, screenshot $work/status-page.png; 401 without the token; snapshot 640x360, $matched)"
