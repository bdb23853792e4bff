#!/bin/sh
# Runs inside the vivid guest (scripts/v4l2-vm.sh, `make test-v4l2`): `veil run` on the vivid camera,
# recording to OUT; once the daemon reports its cameras running, OUT/unplug-now asks the rig to unbind
# the driver for a few seconds; later SIGTERM stops the daemon. Busybox sh: no bashisms.
#
#   scripts/vm-daemon-run.sh VEIL OUT
set -u
veil=$1 out=$2
cat > "$out/veil.toml" <<TOML
[daemon]
http = ""
stability_log = ""

[anonymize]
# Blur: under CPU emulation the swap's models take minutes to load; the live path is the same.
mode = "blur"

[[camera]]
name = "vivid"
source = "/dev/video0"
size = "640x360"
fps = 15
format = "yuyv"
# Emulated CPU: a frame takes far longer than at full speed; give it time rather than drop it.
budget_ms = 1000

  [[camera.output]]
  kind = "record"
  path = "$out/recordings"
  segment_seconds = 600
  container = "mkv"
  max_total_gb = 1
TOML
start=$(date +%s)
"$veil" run --config "$out/veil.toml" > "$out/veil.log" 2>&1 &
pid=$!
until grep -q "camera(s) running" "$out/veil.log"; do
  kill -0 $pid 2>/dev/null || { echo "vm-daemon-run: veil ended before running"; exit 1; }
  [ $(( $(date +%s) - start )) -lt 600 ] || { echo "vm-daemon-run: veil not running after 600 s"; exit 1; }
  sleep 1
done
echo "vm-daemon-run: cameras running after $(( $(date +%s) - start )) s (emulated CPU)"
sleep 15
touch "$out/unplug-now"
sleep 25
kill -TERM $pid
wait $pid
status=$?
echo "vm-daemon-run: veil exited with $status"
exit $status
