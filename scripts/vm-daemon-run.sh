#!/bin/sh
# Runs inside the vivid guest (scripts/v4l2-vm.sh, `make test-v4l2`): `veil run` on the vivid camera,
# recording to OUT; once the daemon reports its cameras running, OUT/unplug-now asks the rig to unbind
# the driver for a few seconds; later SIGTERM stops the daemon. Busybox sh: no bashisms.
#
#   scripts/vm-daemon-run.sh VEIL OUT
set -u
veil=$1 out=$2
. "$(dirname "$0")/vm-veil.sh"
start_veil vm-daemon-run "$veil" "$out" "  kind = \"record\"
  path = \"$out/recordings\"
  segment_seconds = 600
  container = \"mkv\"
  max_total_gb = 1"
sleep 15
touch "$out/unplug-now"
sleep 25
kill -TERM $pid
wait $pid
status=$?
echo "vm-daemon-run: veil exited with $status"
exit $status
