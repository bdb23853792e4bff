#!/usr/bin/env bash
# A soak with injected faults: `veil run` with two cameras (a file played as a camera, and an RTSP
# camera on a real RTSP server) and RTP, SRTP and recording outputs, for SOAK_MINUTES, while a schedule
# stops and restarts the RTSP server, hangs it, fills and frees the recording disk, reloads a changed
# and a broken config, stalls the detector and stalls an RTP receiver. Then scripts/soak-check.py
# checks that the daemon never exited, memory and descriptors stayed flat, every recording plays with
# no gap longer than its outage, and no frame of any output shows the subject's face unchanged.
#   scripts/soak.sh VEIL_BINARY OUT_DIR [MINUTES]
set -euo pipefail
veil=$(realpath "$1"); out=$(realpath -m "$2"); minutes=${3:-3}
cd "$(dirname "$0")/.."
rm -rf "$out" && mkdir -p "$out/rec" "$out/disk"
log() { echo "soak: $(date +%T) $*" | tee -a "$out/events.log"; }
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill -KILL "$p" 2>/dev/null || true; done
  mountpoint -q "$out/disk" && umount "$out/disk" || true
}
trap cleanup EXIT

# The subject: Barack Obama's portrait, still, at a known place (its face's inner part at x 294-368,
# y 73-152 of 640x360, where soak-check.py compares), ten seconds looped by both cameras.
ffmpeg -v error -nostdin -y -f lavfi -i color=c=0x404850:s=640x360:r=10:d=10 -loop 1 -i data/subjects/obama.jpg \
  -filter_complex "[1]scale=300:-2,crop=300:300:0:0[p];[0][p]overlay=x=170:y=20:shortest=1,format=yuv420p" \
  -frames:v 100 -c:v libx264 -crf 12 -g 10 "$out/face.mp4"

# The recording disk: a small tmpfs, so that it can be filled (needs root; without, that fault is skipped).
disk_faults=yes
mount -t tmpfs -o size=256m tmpfs "$out/disk" 2>/dev/null || { disk_faults=no; log "no tmpfs (not root): the disk-full fault is skipped"; }

rtsp_client=$(port); rtsp_source=$(port); http=$(port); rtp=$(port); srtp=$(( $(port) & ~1 ))
rtsp_url="rtsp://127.0.0.1:$rtsp_client/cam"
rtsp_start() {
  rtsp-server-perl --clientport "$rtsp_client" --serverport "$rtsp_source" --client_listen_address 127.0.0.1 \
    --source_listen_address 127.0.0.1 --rtp_start_port $(( 20000 + rtsp_client % 20000 )) --loglevel 1 \
    >>"$out/rtsp-server.log" 2>&1 &
  rtsp_server=$!; pids+=("$rtsp_server")
  for _ in $(seq 100); do grep -qi ":$(printf %04X "$rtsp_source") 00000000:0000 0A" /proc/net/tcp && break; sleep 0.1; done
  ffmpeg -v error -nostdin -re -stream_loop -1 -i "$out/face.mp4" -c:v libx264 -preset ultrafast -tune zerolatency -g 10 \
    -f rtsp "rtsp://127.0.0.1:$rtsp_source/cam" >>"$out/rtsp-publisher.log" 2>&1 &
  rtsp_publisher=$!; pids+=("$rtsp_publisher")
}
rtsp_stop() { kill -KILL "$rtsp_publisher" "$rtsp_server" 2>/dev/null || true; wait "$rtsp_publisher" "$rtsp_server" 2>/dev/null || true; }

head -c 30 /dev/urandom | base64 > "$out/srtp.key" && chmod 600 "$out/srtp.key"
config() {  # $1: the ipcam's fps
  cat <<EOF
[daemon]
http = "127.0.0.1:$http"
stability_log = "$out/stability.jsonl"

[anonymize]
mode = "swap"

[[camera]]
name = "room"
source = "$out/face.mp4"
size = "640x360"
fps = 10
  [[camera.output]]
  kind = "record"
  path = "$out/disk/room"
  segment_seconds = 600
  container = "mkv"
  max_total_gb = 1
  [[camera.output]]
  kind = "rtp"
  address = "127.0.0.1:$rtp"
  sdp = "$out/room.sdp"
  [camera.encoder]
  bitrate_kbps = 800

[[camera]]
name = "ipcam"
source = "$rtsp_url"
size = "640x360"
fps = $1
source_timeout_ms = 1000
  [[camera.output]]
  kind = "record"
  path = "$out/rec/ipcam"
  segment_seconds = 600
  container = "mkv"
  max_total_gb = 1
  [[camera.output]]
  kind = "srtp"
  address = "127.0.0.1:$srtp"
  sdp = "$out/ipcam-srtp.sdp"
  key_file = "$out/srtp.key"
EOF
}
config 10 > "$out/veil.toml"

rtsp_start
VEIL_DATA_DIR=${VEIL_DATA_DIR:-$PWD/data} VEIL_TEST_STALL_DETECTOR="$out/stall-detector" \
  "$veil" run --config "$out/veil.toml" 2>"$out/daemon.log" &
daemon=$!; pids+=("$daemon")
for _ in $(seq 600); do [ -s "$out/room.sdp" ] && grep -qF "camera(s) running" "$out/daemon.log" && break; sleep 0.1; done
kill -0 "$daemon" 2>/dev/null && grep -qF "camera(s) running" "$out/daemon.log" || {
  log "the daemon did not start:"; tail -5 "$out/daemon.log"; exit 1; }
log "daemon $daemon running"
ffmpeg -v error -nostdin -protocol_whitelist file,udp,rtp -i "$out/room.sdp" -c copy -y "$out/rtp-room.mkv" \
  2>"$out/rtp-receiver.log" &
receiver=$!; pids+=("$receiver")

# Memory and descriptors, sampled every 5 s while the schedule runs.
( while kill -0 "$daemon" 2>/dev/null; do
    echo "$(date +%s) $(awk '/VmRSS/ {print $2}' /proc/$daemon/status) $(ls /proc/$daemon/fd | wc -l)"
    sleep 5
  done ) > "$out/samples.txt" &
sampler=$!

# The schedule, in eighths of the run (a fault and its end in each).
step=$(( minutes * 60 / 8 )); half=$(( step / 2 ))
sleep "$step"
log "fault: RTSP server stopped";              rtsp_stop;                         sleep "$half"
log "end: RTSP server started";                rtsp_start;                        sleep "$half"
log "fault: RTSP server hung (SIGSTOP)";       kill -STOP "$rtsp_server";         sleep "$half"
log "end: RTSP server resumed";                kill -CONT "$rtsp_server"; rtsp_stop; rtsp_start; sleep "$half"
if [ "$disk_faults" = yes ]; then
  log "fault: recording disk full";            dd if=/dev/zero of="$out/disk/filler" bs=1M 2>/dev/null || true; sleep "$half"
  log "end: recording disk freed";             rm -f "$out/disk/filler";          sleep "$half"
else
  sleep "$step"
fi
log "fault: SIGHUP with a changed config";     config 15 > "$out/veil.toml"; kill -HUP "$daemon"; sleep "$half"
log "fault: SIGHUP with a broken config";      printf '[daemon]\nlog_levle = 1\n' > "$out/veil.toml"; kill -HUP "$daemon"; sleep "$half"
log "fault: detector stalled";                 touch "$out/stall-detector";       sleep "$half"
log "end: detector resumed";                   rm -f "$out/stall-detector";       sleep "$half"
log "fault: RTP receiver stalled";             kill -STOP "$receiver";            sleep "$half"
log "end: RTP receiver resumed";               kill -CONT "$receiver";            sleep "$(( step * 2 ))"

alive=yes; kill -0 "$daemon" 2>/dev/null || alive=no
curl -s "http://127.0.0.1:$http/metrics" > "$out/metrics.txt" || true
kill -TERM "$daemon"; status=0; wait "$daemon" || status=$?
kill -TERM "$receiver"; wait "$receiver" 2>/dev/null || true
wait "$sampler" 2>/dev/null || true
log "daemon alive to the end: $alive, exit status $status"
[ "$alive" = yes ] && [ "$status" = 0 ] || { tail -20 "$out/daemon.log"; exit 1; }
cp -r "$out/disk/room" "$out/rec/room" 2>/dev/null || true
python3 scripts/soak-check.py "$out"
