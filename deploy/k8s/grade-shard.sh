#!/bin/sh
# One pod of the Indexed Job in grade-job.yaml: grades shard JOB_COMPLETION_INDEX+1 of SHARDS.
#
# Kubernetes numbers the pods of an Indexed Job 0 … completions-1 (JOB_COMPLETION_INDEX); the
# grader's --shard I/N is 1-based (I = 1 … N, grader/scheduler.ts), so pod i grades shard i+1 and
# writes it to $REPORTS/shard-<i+1>. Every pod must see the same submissions folder: each lists it,
# sorts the ids and keeps every N-th one, so the shards are disjoint and together hold the class.
#
# Environment:
#   JOB_COMPLETION_INDEX  0-based pod index (set by Kubernetes for completionMode: Indexed)
#   SHARDS                N, the Job's `completions`
#   SUBMISSIONS           the class folder (default /work/submissions)
#   REPORTS               where shard-<i> folders go (default /work/reports)
# Extra arguments are passed to the grader (e.g. --rubric FILE --seed 8 --jobs 2 --timeout 600).
#
# Exit code: the grader's (0 written, 1 crash, 2 usage, 3 written but some checks could not run).
set -eu

: "${JOB_COMPLETION_INDEX:?not set: run this as a pod of an Indexed Job (or set it by hand, 0-based)}"
: "${SHARDS:?not set: the number of shards (the Job's completions)}"
SUBMISSIONS="${SUBMISSIONS:-/work/submissions}"
REPORTS="${REPORTS:-/work/reports}"

case "$JOB_COMPLETION_INDEX$SHARDS" in
  *[!0-9]*) echo "grade-shard: JOB_COMPLETION_INDEX ($JOB_COMPLETION_INDEX) and SHARDS ($SHARDS) must be whole numbers" >&2; exit 2 ;;
esac
shard=$((JOB_COMPLETION_INDEX + 1))
if [ "$shard" -gt "$SHARDS" ]; then
  echo "grade-shard: JOB_COMPLETION_INDEX $JOB_COMPLETION_INDEX is outside 0..$((SHARDS - 1)): SHARDS must equal the Job's completions" >&2
  exit 2
fi

# Relative paths are relative to where the script was started (it runs the grader from its checkout).
case "$SUBMISSIONS" in /*) ;; *) SUBMISSIONS="$PWD/$SUBMISSIONS" ;; esac
case "$REPORTS" in /*) ;; *) REPORTS="$PWD/$REPORTS" ;; esac
out="$REPORTS/shard-$shard"
mkdir -p "$REPORTS"
# Only report.json: `grade merge` writes every other format once, for the whole class.
cd "$(dirname "$0")/../.."
echo "grade-shard: shard $shard/$SHARDS of $SUBMISSIONS -> $out"
# The prebuilt grader (the image builds it); from a checkout without a fresh dist/, the sources under
# tsx: the pods of a Job start together, so none of them builds dist/ itself.
if node scripts/build.mjs --is-fresh; then grader="node dist/grader.js"; else grader="node_modules/.bin/tsx grader/cli.ts"; fi
exec $grader "$SUBMISSIONS" --shard "$shard/$SHARDS" --out "$out" --format json "$@"
