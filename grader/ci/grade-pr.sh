#!/usr/bin/env bash
# Grades one submission folder (a folder holding rnn.ts) with this grader checkout, writes the
# reports into OUT_DIR, prints a Markdown score table (and appends it to $GITHUB_STEP_SUMMARY), and
# fails below PASS_MARK. Used by the handout's GitHub workflow and by TAs:
#
#   bash grader/ci/grade-pr.sh SUBMISSION_DIR OUT_DIR
#   PASS_MARK=60% RNN_LAB_DATA=~/data/pollution.csv bash grader/ci/grade-pr.sh ~/alice out/alice
#
# Environment: PASS_MARK (points, or a percentage like 60%; unset/empty: never fail on the score),
# RNN_LAB_DATA (pollution.csv, passed as --data), GRADE_AUDIENCE (staff | student: student writes
# only student-facing files). Exit (grader/exit-codes.ts): 0 ok, 1 below PASS_MARK, 2 bad set-up,
# 3 no trustworthy score, 4 grade-pr itself failed (here: the grader's dependencies are missing).
# Details: grader/ci/grade-pr.ts and docs/ci.md. Needs `npm ci` in this checkout first.
set -euo pipefail

ci_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
grader_root="$(cd "$ci_dir/../.." && pwd)"
tsx="$grader_root/node_modules/.bin/tsx"

if [ ! -x "$tsx" ]; then
  message="the grader's dependencies are not installed ($tsx is missing): run 'npm ci' in $grader_root first."
  echo "grade-pr: $message" >&2
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    printf '## Grade: not available\n\n> [!CAUTION]\n> The grader could not run: %s\n\n' "$message" >>"$GITHUB_STEP_SUMMARY" || true
  fi
  exit 4
fi

# --tsconfig: the grader's own settings, whatever tsconfig.json the current folder (the student's repository) has.
exec "$tsx" --tsconfig "$grader_root/tsconfig.json" "$ci_dir/grade-pr.ts" "$@"
