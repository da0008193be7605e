#!/bin/bash
# Submits a sharded run: a job array of SHARDS tasks (shard.sbatch), then the merge once every
# task has succeeded, then the fit of the fixed projection on the merged file, then the report.
# Every setting of shard.sbatch (MODEL, CORPUS, RUN_DIR, SEQ_LEN, SEQUENCES, SEED) is passed
# through the environment; spectrum-analyze and spectrum-report must be on the PATH of the compute
# nodes. Prints the four job ids.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${SHARDS:=16}" "${RUN_DIR:=/shared/runs/wiki}"
export SHARDS RUN_DIR
mkdir -p "$RUN_DIR/logs"
submit() { sbatch --parsable --export=ALL "$@" | cut -d';' -f1; }
array=$(submit --array="0-$((SHARDS - 1))" --output="$RUN_DIR/logs/%x-%a.out" "$here/shard.sbatch")
merge=$(submit --dependency="afterok:$array" --kill-on-invalid-dep=yes --output="$RUN_DIR/logs/%x.out" "$here/merge.sbatch")
fit=$(submit --dependency="afterok:$merge" --kill-on-invalid-dep=yes --output="$RUN_DIR/logs/%x.out" "$here/fit.sbatch")
report=$(submit --dependency="afterok:$fit" --kill-on-invalid-dep=yes --output="$RUN_DIR/logs/%x.out" "$here/report.sbatch")
echo "array=$array merge=$merge fit=$fit report=$report"
