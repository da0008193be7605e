#!/usr/bin/env bash
# `make test-cluster`: runs the documented Slurm scripts (scripts/slurm/, shown verbatim in
# docs/SCALING.md) on a real one-node Slurm started here, and checks the merged result.
#
#  1. docs/SCALING.md must show every scripts/slurm/ file verbatim;
#  2. installs Debian's slurm-wlm and munge when missing;
#  3. starts munged, slurmctld and slurmd (this host's CPUs and memory from `slurmd -C`) with
#     their key, sockets, state, spool and logs in a temporary folder and ports that are free;
#  4. places the model into a temporary Hugging Face hub cache and runs submit.sh with MODEL given
#     as the hub id: 4 array tasks, the merge (afterok), the fit of the fixed projection on the
#     merged Gram sums (afterok) and the report (afterok);
#  5. requeues shard 1 (`scontrol requeue`) once it has committed a sequence; the requeued task
#     resumes its .partial file;
#  6. compares the merged and fitted file with a single run (per-sequence data and the fitted
#     projection bit for bit, aggregates to 1e-12 relative) and checks the report.
# Every daemon started here is stopped on exit, failure or interrupt included.
#
# Environment: SPECTRUM_MODEL_DIR, SPECTRUM_CORPUS (set by the Makefile), SPECTRUM_PYTHON (a
# Python with h5py and numpy), BIN (folder of spectrum-analyze and spectrum-report, default
# .build/release), CLUSTER_TIMEOUT (seconds for the jobs, default 900), KEEP_CLUSTER_DIR=1 keeps
# the temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
bin=$(cd "${BIN:-.build/release}" && pwd)
model_dir=${SPECTRUM_MODEL_DIR:-$repo/notebooks-data/models/all-MiniLM-L6-v2}
corpus=${SPECTRUM_CORPUS:-$repo/notebooks-data/corpora/jargon.txt.gz}
python=${SPECTRUM_PYTHON:-$repo/.venv/bin/python}
timeout=${CLUSTER_TIMEOUT:-900}
hub_id=sentence-transformers/all-MiniLM-L6-v2
# Small but real: 48 windows of 128 tokens, 12 per shard, so shard 1 runs long enough to be requeued.
export SEQ_LEN=128 SEQUENCES=48 SEED=7 SHARDS=4
started=$(date +%s)

say() { printf 'test-cluster [%3ds]: %s\n' "$(($(date +%s) - started))" "$*"; }
die() { say "FAILED: $*" >&2; exit 1; }

for tool in spectrum-analyze spectrum-report; do
  [ -x "$bin/$tool" ] || die "$bin/$tool is missing (make release)"
done
[ -f "$model_dir/model.safetensors" ] && [ -f "$corpus" ] || die "model or corpus missing (make setup)"
[ -x "$python" ] || die "no Python with h5py at $python (make pyenv)"

# 1. The documented scripts are the tested ones.
"$python" scripts/check-doc-includes.py docs/SCALING.md scripts/slurm/*.sbatch scripts/slurm/submit.sh

# 2. Slurm and munge from Debian.
missing=""
for package in slurmctld slurmd slurm-client munge; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
if [ -n "$missing" ]; then
  say "installing slurm-wlm munge (missing:$missing)"
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  # Keep the packages' own services from starting: this test runs private daemons.
  policy_added=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    policy_added=1
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null \
    || { [ -z "$policy_added" ] || $sudo rm -f /usr/sbin/policy-rc.d; die "apt-get install slurm-wlm munge failed"; }
  [ -z "$policy_added" ] || $sudo rm -f /usr/sbin/policy-rc.d
fi
[ "$(id -u)" = 0 ] || die "the one-node Slurm runs its daemons as root; run as root (CI does)"

# 3. A private one-node cluster.
work=$(mktemp -d /tmp/spectrum-cluster.XXXXXX)
chmod 755 "$work"   # munged requires every folder above its socket to be searchable
mkdir -p "$work"/{munge,run,state,spool,log}
chmod 700 "$work/munge"
pids=()
jobs_submitted=""

cleanup() {
  status=$?
  trap - EXIT INT TERM
  set +e
  if [ -n "$jobs_submitted" ]; then
    scancel $jobs_submitted 2>/dev/null
    for _ in $(seq 1 30); do [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break; sleep 1; done
  fi
  if [ "$status" != 0 ]; then
    for log in "$work"/log/*.log "$work"/runs/logs/*.out; do
      [ -f "$log" ] && { echo "----- $log (last 40 lines)"; tail -n 40 "$log"; }
    done
  fi
  # Daemons in reverse start order, by their ids.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  if [ "${KEEP_CLUSTER_DIR:-}" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
ctld_port=$(free_port)
slurmd_port=$(free_port)
[ "$ctld_port" != "$slurmd_port" ] || slurmd_port=$((ctld_port + 1))
host=$(hostname -s)

dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
munged --foreground --key-file="$work/munge/munge.key" --socket="$work/run/munge.socket" \
  --pid-file="$work/run/munged.pid" --log-file="$work/log/munged.log" --seed-file="$work/munge/seed" \
  >"$work/log/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do [ -S "$work/run/munge.socket" ] && break; sleep 0.1; done
munge -S "$work/run/munge.socket" -n | unmunge -S "$work/run/munge.socket" >/dev/null || die "munged does not answer"

node=$(slurmd -C | head -n 1)   # NodeName=<host> CPUs=… RealMemory=… as slurmd detects them
overrides=""
if [ "$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<<"$node")" -lt 2 ]; then
  # shard.sbatch asks for 2 CPUs; on a 1-CPU machine declare 2 and let slurm.conf win.
  node="NodeName=$host CPUs=2 $(grep -o 'RealMemory=[0-9]*' <<<"$node")"
  overrides="SlurmdParameters=config_overrides"
fi
cat >"$work/slurm.conf" <<EOF
ClusterName=spectrumtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# cred_expire is also how long a requeued job waits before it may start again (default 120 s).
AuthInfo=socket=$work/run/munge.socket,cred_expire=10
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/run/slurmctld.pid
SlurmdPidFile=$work/run/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
MpiDefault=none
SwitchType=switch/none
MailProg=/bin/true
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MinJobAge=3600
$overrides
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$work/slurm.conf"
slurmctld -D -f "$SLURM_CONF" >"$work/log/slurmctld.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do scontrol ping 2>/dev/null | grep -q UP && break; sleep 0.2; done
scontrol ping | grep -q UP || die "slurmctld did not come up"
slurmd -D -f "$SLURM_CONF" -N "$host" >"$work/log/slurmd.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ "$(sinfo -h -n "$host" -o %T 2>/dev/null)" = idle ] && break; sleep 0.2; done
[ "$(sinfo -h -n "$host" -o %T)" = idle ] || die "node $host is not idle: $(sinfo -h -N -o '%N %T %E')"
say "one-node Slurm up: $node, ports $ctld_port/$slurmd_port"

# 4. The model as a hub id, in a hub cache laid out as huggingface_hub writes it.
export HF_HUB_CACHE="$work/hub"
repository="$HF_HUB_CACHE/models--${hub_id//\//--}"
commit=$(sha256sum "$model_dir/config.json" | cut -c1-40)
mkdir -p "$repository/blobs" "$repository/refs" "$repository/snapshots/$commit"
for file in config.json model.safetensors tokenizer.json; do
  blob=$(sha256sum "$model_dir/$file" | cut -d' ' -f1)
  cp "$model_dir/$file" "$repository/blobs/$blob"
  ln -s "../../blobs/$blob" "$repository/snapshots/$commit/$file"
done
printf '%s' "$commit" >"$repository/refs/main"

export PATH="$bin:$PATH" MODEL=$hub_id CORPUS=$corpus RUN_DIR="$work/runs"
say "reference: one unsharded run"
spectrum-analyze run --model "$MODEL" --corpus "$CORPUS" --seq-len "$SEQ_LEN" --sequences "$SEQUENCES" \
  --seed "$SEED" --threads 2 --quiet --output "$work/single.h5" >/dev/null

# 5. The documented submission, then a requeue of shard 1 in the middle of its work.
cd "$work"
ids=$("$repo/scripts/slurm/submit.sh")
say "submitted: $ids"
array=$(sed -n 's/.*array=\([0-9]*\).*/\1/p' <<<"$ids")
merge=$(sed -n 's/.*merge=\([0-9]*\).*/\1/p' <<<"$ids")
fit=$(sed -n 's/.*fit=\([0-9]*\).*/\1/p' <<<"$ids")
report=$(sed -n 's/.*report=\([0-9]*\).*/\1/p' <<<"$ids")
[ -n "$array" ] && [ -n "$merge" ] && [ -n "$fit" ] && [ -n "$report" ] || die "submit.sh printed '$ids'"
jobs_submitted="$array $merge $fit $report"
deadline=$(($(date +%s) + timeout))

journal="$RUN_DIR/shard-1.h5.partial.journal"
first_size=""
while :; do
  [ "$(date +%s)" -lt "$deadline" ] || die "shard 1 never ran"
  state=$(squeue -h -j "${array}_1" -o %T 2>/dev/null || true)
  if [ "$state" = RUNNING ] && [ -f "$journal" ]; then
    size=$(stat -c %s "$journal")
    # The journal starts with its header record and grows by one record per committed sequence.
    [ -n "$first_size" ] || first_size=$size
    [ "$size" -gt "$first_size" ] && break
  fi
  [ -e "$RUN_DIR/shard-1.h5" ] && die "shard 1 finished before it could be requeued; raise SEQUENCES"
  sleep 0.1
done
scontrol requeue "${array}_1"
say "requeued shard 1 (task ${array}_1) with a sequence committed"

while :; do
  [ "$(date +%s)" -lt "$deadline" ] || die "jobs not done within ${timeout}s: $(squeue -h -o '%i %T %r' | tr '\n' ' ')"
  state=$(scontrol show job "$report" -o 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
  case "$state" in
    COMPLETED) break ;;
    FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE) die "report job $report ended $state" ;;
  esac
  sleep 1
done
say "array, merge, fit and report jobs completed"

# 6. Results.
shard_log="$RUN_DIR/logs/spectrum-shard-1.out"
restarts=$(scontrol show job "${array}_1" -o | sed -n 's/.*Restarts=\([0-9]*\).*/\1/p')
[ "${restarts:-0}" -ge 1 ] || die "shard 1 shows Restarts=${restarts:-?}"
safe=$(sed -n 's/^interrupted: \([0-9]*\) sequences are safe.*/\1/p' "$shard_log")
[ -n "$safe" ] && [ "$safe" -ge 1 ] || die "shard 1's log shows no interrupted run with committed sequences"
grep -q "^resuming $RUN_DIR/shard-1.h5.partial (restart 1)" "$shard_log" || die "shard 1 did not resume its partial file"
per_shard=$((SEQUENCES / SHARDS))
sed -n '/^resuming /,$p' "$shard_log" | grep -q "^progress: $((safe + 1))/$per_shard sequences" || die "shard 1 did not continue at sequence $((safe + 1))"
say "shard 1: interrupted with $safe of $per_shard sequences committed, resumed from them (Restarts=$restarts)"

# The shards left the fit to the merged file; the merge added their Gram sums, the fit job fitted it.
"$python" - "$RUN_DIR" "$SHARDS" <<'PY' || die "shard or merged files are not in the expected fit state"
import sys, h5py
run_dir, shards = sys.argv[1], int(sys.argv[2])
for i in range(shards):
    with h5py.File(f"{run_dir}/shard-{i}.h5", "r") as f:
        assert f["projection"].attrs["fit_pending"] == 1 and "projection/fitted/median" not in f, f"shard {i}"
with h5py.File(f"{run_dir}/run.h5", "r") as f:
    assert f["projection"].attrs["fit_pending"] == 0 and "projection/fitted/median" in f, "run.h5 is not fitted"
PY
grep -q "fitted the projection and measured it on" "$RUN_DIR/logs/spectrum-fit.out" || die "the fit job's log does not show the fit"
"$python" "$repo/scripts/compare-runs.py" "$RUN_DIR/run.h5" "$work/single.h5" --shards "$SHARDS"
[ -s "$RUN_DIR/report/index.html" ] || die "the report job wrote no index.html"
grep -q "$hub_id" "$RUN_DIR/report/index.html" || die "the report does not name the model $hub_id"
say "passed"
