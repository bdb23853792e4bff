# Sourced by the guest scripts of scripts/v4l2-vm.sh (vm-daemon-run.sh, vm-loopback-run.sh): writes a
# config for `veil run` on vivid's camera with the caller's output, starts the daemon and waits until
# its cameras run. Busybox sh: no bashisms.
#
#   start_veil NAME VEIL OUT OUTPUT_TOML   (sets $pid; exits 1 when the daemon does not come up)
start_veil() {
  name=$1 veil=$2 out=$3 output=$4
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
$output
TOML
  start=$(date +%s)
  "$veil" run --config "$out/veil.toml" > "$out/veil.log" 2>&1 &
  pid=$!
  until grep -q "camera(s) running" "$out/veil.log"; do
    kill -0 $pid 2>/dev/null || { echo "$name: veil ended before running"; exit 1; }
    [ $(( $(date +%s) - start )) -lt 600 ] || { echo "$name: veil not running after 600 s"; exit 1; }
    sleep 1
  done
  echo "$name: cameras running after $(( $(date +%s) - start )) s (emulated CPU)"
}
