#!/usr/bin/env bash
# `make test-slurm`: Veil shards a batch across a Slurm job array and across GNU parallel.
#
#   scripts/test-slurm.sh VEIL_BINARY CLIPS_DIR WORK_DIR
#
# 1. starts a one-node Slurm cluster on localhost, all of it (config, munge key and socket, state,
#    spool, logs) under WORK_DIR/cluster, and stops it again on exit;
# 2. runs `veil process CLIPS_DIR -o WORK_DIR/slurm-out` as a 4-task job array (Veil takes its share
#    from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT);
# 3. checks that every clip under CLIPS_DIR has exactly one playable output at the same relative path,
#    that nothing else was written outside .veil/, that .veil/ holds the 4 shard manifests and that
#    `veil manifest` accepts the result;
# 4. does the same with `parallel ... --shard {}/4 ::: 0 1 2 3` into WORK_DIR/parallel-out.
#
# Works as root on a bare Debian 12 machine or container without systemd: installs slurm-wlm, munge
# and parallel when missing and starts the daemons by hand. Environment: TEST_SLURM_PORT (first port
# tried for slurmctld, default 16817; slurmd gets the next one), TEST_SLURM_TIME (the array's time
# limit in minutes, default 30).
set -euo pipefail

[ $# -eq 3 ] || { echo "usage: $0 VEIL_BINARY CLIPS_DIR WORK_DIR" >&2; exit 2; }
step="arguments"
fail() { echo "test-slurm: FAILED ($step): $*" >&2; failed=1; exit 1; }
failed=0
[ -x "$1" ] || fail "$1 is not an executable"
[ -d "$2" ] || fail "$2 is not a directory"
# Absolute paths: the batch script runs from the job's own working directory.
veil=$(realpath "$1") clips=$(realpath "$2") work=$(realpath -m "$3")
case "$work/" in "$clips"/*) fail "WORK_DIR $work lies inside CLIPS_DIR $clips" ;; esac
# The clips, as paths relative to CLIPS_DIR, NUL-terminated (names may hold spaces).
list_clips() { (cd "$clips" && find . -type f \( -name '*.mp4' -o -name '*.mov' -o -name '*.mkv' \) -printf '%P\0'); }
[ -n "$(list_clips | head -c1)" ] || fail "no clips (*.mp4, *.mov, *.mkv) under $clips"
mkdir -p "$work"
cluster=$work/cluster
# Inherited Slurm variables (when this script itself runs under Slurm) would skew the shard Veil picks.
unset SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_COUNT SLURM_JOB_ID

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

# --- Packages --------------------------------------------------------------------------------------
step="install packages"
need=()
for c in sbatch sinfo squeue scancel scontrol slurmctld slurmd; do
  command -v "$c" >/dev/null || { need+=(slurm-wlm); break; }
done
if ! command -v munged >/dev/null || ! command -v munge >/dev/null; then need+=(munge); fi
command -v parallel >/dev/null || need+=(parallel)
command -v ffprobe >/dev/null || need+=(ffmpeg)
if [ ${#need[@]} -gt 0 ]; then
  echo "test-slurm: installing ${need[*]}"
  sudo=(); [ "$(id -u)" = 0 ] || sudo=(sudo)
  apt_install() { DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
  # Only refresh the package lists when the install fails without (a bare image has none).
  if ! apt_install 2>/dev/null; then
    "${sudo[@]}" apt-get update -qq || fail "apt-get update failed"
    apt_install || fail "apt-get install ${need[*]} failed"
  fi
fi

# --- Cleanup: stop whatever this script started -----------------------------------------------------
munged_pid="" ctld_pid="" slurmd_pid="" child=""
stop() { # PID NAME: TERM, then KILL after 10 s
  local pid=$1 i
  if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then return 0; fi
  kill "$pid" 2>/dev/null
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  echo "test-slurm: $2 ($pid) did not stop on SIGTERM, killing it" >&2
  kill -9 "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$? i
  set +e
  trap - EXIT INT TERM
  # An interrupted sbatch --wait or parallel (GNU parallel kills its jobs on a second TERM).
  if [ -n "$child" ]; then kill "$child" 2>/dev/null; sleep 0.5; stop "$child" "the running command"; fi
  # Every job on this private cluster is ours (also one whose sbatch --wait was interrupted, whose id
  # we never saw). Let slurmd end the steps (slurmstepd is not our child) before it goes.
  if [ -n "$ctld_pid" ] && kill -0 "$ctld_pid" 2>/dev/null && [ -n "$(squeue -h 2>/dev/null)" ]; then
    scancel --user="$user" 2>/dev/null
    for i in $(seq 20); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.5; done
  fi
  stop "$slurmd_pid" slurmd
  stop "$ctld_pid" slurmctld
  stop "$munged_pid" munged
  if [ "$rc" -gt 128 ] && [ "$failed" = 0 ]; then
    echo "test-slurm: FAILED ($step): stopped by signal $((rc - 128))" >&2
  elif [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
    echo "test-slurm: FAILED ($step): exit status $rc" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_for OUT ERR COMMAND...: runs COMMAND with its output appended to OUT and ERR (emptied first) in
# the background and waits for it. Bash defers a trap while a foreground command runs, so a TERM would
# otherwise wait for the whole job array; this way cleanup runs at once and stops COMMAND.
wait_for() {
  local out=$1 err=$2 rc=0
  shift 2
  : >"$out"; : >"$err"
  "$@" >>"$out" 2>>"$err" &
  child=$!
  wait "$child" || rc=$?
  child=""
  return "$rc"
}

# logs [NAME...]: prints the last lines of the cluster's logs (all, or NAME.log ...) for a failure.
logs() {
  local name f
  [ $# -gt 0 ] || set -- munged munged.stderr slurmctld slurmctld.stderr slurmd slurmd.stderr
  for name; do
    f=$cluster/log/$name.log
    if [ -s "$f" ]; then echo "--- $f (last 20 lines)"; tail -n 20 "$f"; fi
  done >&2
}

# --- 1. The cluster ---------------------------------------------------------------------------------
t0=$(now)
step="cluster set-up"
rm -rf "$cluster" "$work/slurm-out" "$work/parallel-out" "$work"/slurm-*.out
mkdir -p "$cluster"/{munge,state,spool,log}
chmod 755 "$cluster/munge"
user=$(id -un) node=$(hostname -s) cpus=$(nproc)

# A port is free if nothing accepts a connection on it (bash's /dev/tcp; no ss/netstat on bare images).
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=${TEST_SLURM_PORT:-16817}
for _ in $(seq 20); do
  if port_free "$port" && port_free $((port + 1)); then ports_ok=1; break; fi
  port=$((port + 2))
done
[ -n "${ports_ok:-}" ] || fail "no two free ports from ${TEST_SLURM_PORT:-16817} on"

step="munge"
key=$cluster/munge/munge.key socket=$cluster/munge/munge.socket
if command -v mungekey >/dev/null; then
  mungekey --create --keyfile="$key"
else
  dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
fi
chmod 600 "$key"
# The daemons run in the foreground (so $! is theirs to stop) but in sessions of their own (setsid),
# so that a Ctrl-C to this script's process group does not kill them before cleanup cancels the jobs.
# --force: munged refuses directories it deems insecure (WORK_DIR under a group-writable or /tmp
# parent, say); a throw-away key for localhost does not need that protection.
setsid munged --foreground --force --key-file="$key" --socket="$socket" --pid-file="$cluster/munge/munged.pid" \
  --seed-file="$cluster/munge/munged.seed" --log-file="$cluster/log/munged.log" \
  >>"$cluster/log/munged.stderr.log" 2>&1 &
munged_pid=$!
for _ in $(seq 50); do [ -S "$socket" ] && break; kill -0 "$munged_pid" 2>/dev/null || break; sleep 0.1; done
if ! [ -S "$socket" ] || ! munge -n --socket="$socket" | unmunge --socket="$socket" >/dev/null; then
  logs; fail "munged did not start or does not decode its own credentials ($cluster/log/munged.log)"
fi

step="slurm.conf"
export SLURM_CONF=$cluster/slurm.conf
# No cgroups in a container: process tracking by /proc, no task binding, no accounting. The node is
# named as slurmd calls itself (hostname -s) but reached at 127.0.0.1, so the name need not resolve.
# config_overrides: the node is what this file says even if slurmd counts sockets/cores differently.
cat >"$SLURM_CONF" <<EOF
ClusterName=veiltest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo="socket=$socket"
StateSaveLocation="$cluster/state"
SlurmdSpoolDir="$cluster/spool"
SlurmctldPidFile="$cluster/slurmctld.pid"
SlurmdPidFile="$cluster/slurmd.pid"
SlurmctldLogFile="$cluster/log/slurmctld.log"
SlurmdLogFile="$cluster/log/slurmd.log"
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
MailProg=/bin/true
SwitchType=switch/none
SlurmdParameters=config_overrides
ReturnToService=2
SlurmdTimeout=60
InactiveLimit=0
MinJobAge=300
KillWait=5
NodeName=$node NodeAddr=127.0.0.1 NodeHostname=$node CPUs=$cpus RealMemory=1 State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF

step="slurmctld"
# -i: ignore any state from an earlier run (there is none: the state directory is new).
setsid slurmctld -D -i -f "$SLURM_CONF" >>"$cluster/log/slurmctld.stderr.log" 2>&1 &
ctld_pid=$!
for _ in $(seq 100); do scontrol ping >/dev/null 2>&1 && break; kill -0 "$ctld_pid" 2>/dev/null || break; sleep 0.3; done
scontrol ping >/dev/null 2>&1 || { logs; fail "slurmctld did not answer on port $port ($cluster/log/slurmctld.log)"; }

step="slurmd"
setsid slurmd -D -f "$SLURM_CONF" -N "$node" >>"$cluster/log/slurmd.stderr.log" 2>&1 &
slurmd_pid=$!
state=""
for _ in $(seq 120); do
  state=$(sinfo -h -n "$node" -o %t 2>/dev/null || true)
  [ "$state" = idle ] && break
  kill -0 "$slurmd_pid" 2>/dev/null || { logs; fail "slurmd exited ($cluster/log/slurmd.log)"; }
  sleep 0.5
done
[ "$state" = idle ] || { logs; fail "node $node is '${state:-unknown}', not idle, after 60 s ($cluster/log/slurmd.log)"; }
echo "test-slurm: cluster ok: node $node, $cpus CPUs, idle (sinfo: $(sinfo -h -o '%P %a %D %t %N' | head -n1)); ports $port/$((port + 1)), started in $(since "$t0")"

# --- Checks on an output directory (steps 3 and 4) --------------------------------------------------
# check_output OUT NAME: each clip has exactly one playable output at its relative path, OUT holds
# nothing else outside hidden entries (.veil/ and the like), 4 shard manifests, and `veil manifest`
# accepts it.
check_output() {
  local out=$1 name=$2 rel frames shards n=0
  local -A expected=()
  [ -d "$out" ] || fail "$name wrote no $out"
  while IFS= read -r -d '' rel; do
    expected[$rel]=1
    n=$((n + 1))
    [ -f "$out/$rel" ] || fail "$name: no output for $clips/$rel (expected $out/$rel)"
    frames=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames \
      -of csv=p=0 "$out/$rel" 2>/dev/null | head -n1) || true
    [[ "$frames" =~ ^[1-9][0-9]*$ ]] || fail "$name: $out/$rel does not play (ffprobe counts ${frames:-no} video frames)"
  done < <(list_clips)
  # Anything else not hidden is a stray output (a second copy, a misnamed file, a partial file).
  while IFS= read -r -d '' rel; do
    [ -n "${expected[$rel]:-}" ] || fail "$name: $out/$rel is not the output of any clip"
  done < <(cd "$out" && find . -mindepth 1 -name '.*' -prune -o -type f -printf '%P\0')
  shards=$(find "$out/.veil" -maxdepth 1 -type f -name 'shard-*-of-4.jsonl' 2>/dev/null | wc -l) || true
  [ "$shards" = 4 ] || fail "$name: $out/.veil holds $shards shard manifests (shard-*-of-4.jsonl), expected 4:" \
    "$(find "$out/.veil" -mindepth 1 -maxdepth 1 -printf '%f ' 2>/dev/null)"
  "$veil" manifest "$out" >"$work/$name-manifest.log" 2>&1 ||
    { cat "$work/$name-manifest.log" >&2; fail "$name: veil manifest $out failed"; }
  echo "test-slurm: $name outputs ok: $n clips, one playable output each, 4 shard manifests, veil manifest accepts $out"
}

# --- 2. The job array -------------------------------------------------------------------------------
# task_states JOB: "ArrayTaskId=N JobState=S ExitCode=E Reason=R", a line for each task of the array.
task_states() {
  scontrol -o show job "$1" |
    awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^(ArrayTaskId|JobState|ExitCode|Reason)=/) f[substr($i, 1, index($i, "=") - 1)] = $i
           print f["ArrayTaskId"], f["JobState"], f["ExitCode"], f["Reason"] }' | sort
}
step="slurm job array"
t1=$(now)
printf -v cmd '%q process %q -o %q --jobs 1' "$veil" "$clips" "$work/slurm-out"
# --wait: sbatch returns when every task has ended, with the highest exit status of them.
rc=0
wait_for "$work/sbatch.id" "$work/sbatch.err" sbatch --parsable --wait --array=0-3 --cpus-per-task=1 --time="${TEST_SLURM_TIME:-30}" \
  --job-name=veil-test-slurm --chdir="$work" --output="$work/slurm-%A_%a.out" --wrap="$cmd" || rc=$?
job=$(head -n1 "$work/sbatch.id")
job=${job%%;*}
if [ "$rc" != 0 ]; then
  cat "$work/sbatch.err" >&2
  if [ -n "$job" ]; then task_states "$job" >&2 || true; fi
  for f in "$work"/slurm-*_*.out; do if [ -f "$f" ]; then echo "--- $f"; cat "$f"; fi; done >&2
  logs slurmd
  fail "sbatch --wait --array=0-3 ($cmd) exited $rc"
fi
# Each task's end as slurmctld still holds it (MinJobAge; there is no accounting database for sacct).
# The last task may still be COMPLETING for a moment after sbatch returns.
for _ in $(seq 20); do
  tasks=$(task_states "$job") || true
  [ "$(grep -c 'JobState=COMPLETED ExitCode=0:0' <<<"$tasks")" = 4 ] && break
  sleep 0.5
done
[ "$(grep -c 'JobState=COMPLETED ExitCode=0:0' <<<"$tasks")" = 4 ] || fail "job $job: not all 4 array tasks COMPLETED with exit 0: $tasks"
echo "test-slurm: slurm job array ok: job $job in $(since "$t1"): $(awk '{ gsub(/[A-Za-z]+=/, ""); printf "%stask %s %s %s", (NR > 1 ? ", " : ""), $1, $2, $3 }' <<<"$tasks")"

# --- 3. The array's outputs -------------------------------------------------------------------------
step="slurm outputs"
check_output "$work/slurm-out" slurm

# --- 4. The same through GNU parallel ---------------------------------------------------------------
step="gnu parallel"
t2=$(now)
# --quote: the command's words are passed as they are (paths may hold spaces); {} is still replaced.
wait_for "$work/parallel.log" "$work/parallel.log" parallel --will-cite --quote --halt now,fail=1 "$veil" process "$clips" -o "$work/parallel-out" --jobs 1 --shard '{}/4' \
  ::: 0 1 2 3 || { cat "$work/parallel.log" >&2; fail "parallel ... --shard {}/4 ::: 0 1 2 3 failed"; }
echo "test-slurm: gnu parallel ok: 4 shards in $(since "$t2")"
step="parallel outputs"
check_output "$work/parallel-out" parallel

step="done"
echo "test-slurm: all ok in $(since "$t0")"
