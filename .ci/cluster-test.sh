#!/usr/bin/env bash
# make test-cluster: a real one-node Slurm cluster (../shared/cluster/slurm-local) runs a
# sweep and a run as 4-task array jobs (sbatch --array=0-3 --wait); each task takes its
# shard from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT. The parts are merged and must be
# byte-identical to the same sweep and run on one machine. The cluster is stopped after.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/bin/medtwin"
slurm=$(cd "$root/.." && pwd)/shared/cluster/slurm-local
if [ ! -x "$slurm" ]; then
  echo "test-cluster: $slurm not found; skipped"; exit 0
fi
work=$(mktemp -d /tmp/medtwin-cluster.XXXXXX)
trap '"$slurm" down >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$slurm" up
cd "$root"
sweep_args=(sweep scenarios/mmc.lua --grid servers=10..12 --grid arrival_rate=8,9 --replications 4 --set customers=20000 --quiet)
run_args=(run scenarios/mmc.lua --replications 8 --set customers=20000 --trace --quiet)
cat > "$work/job.sh" <<JOB
#!/usr/bin/env bash
set -eu
: "\${SLURM_ARRAY_TASK_COUNT:?not an array job}"
cd "$root"
"$bin" ${sweep_args[*]} --out "$work/sweep-\$SLURM_ARRAY_TASK_ID"
"$bin" ${run_args[*]} --out "$work/run-\$SLURM_ARRAY_TASK_ID"
JOB
chmod +x "$work/job.sh"
sbatch --array=0-3 --wait --output="$work/slurm-%a.out" "$work/job.sh" || { cat "$work"/slurm-*.out; echo "test-cluster: the array job failed"; echo "0 passed, 1 failed"; exit 1; }
cat "$work"/slurm-*.out
"$bin" merge "$work/sweep-merged" "$work"/sweep-[0-3]
"$bin" merge "$work/run-merged" "$work"/run-[0-3]
env -u SLURM_ARRAY_TASK_ID -u SLURM_ARRAY_TASK_COUNT "$bin" "${sweep_args[@]}" --out "$work/sweep-single"
env -u SLURM_ARRAY_TASK_ID -u SLURM_ARRAY_TASK_COUNT "$bin" "${run_args[@]}" --out "$work/run-single" >/dev/null
fail=0
cmp "$work/sweep-merged/sweep.arrow" "$work/sweep-single/sweep.arrow" || fail=1
for f in kpis events summary; do
  cmp "$work/run-merged/$f.arrow" "$work/run-single/$f.arrow" || fail=1
done
if [ $fail = 0 ]; then
  echo "test-cluster: 4-task Slurm array merged = one machine, byte for byte (sweep and run)"
  echo "1 passed, 0 failed"
else
  echo "test-cluster: merged outputs differ from the one-machine run"
  echo "0 passed, 1 failed"
  exit 1
fi
