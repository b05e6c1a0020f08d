/**
 * The exit codes of every command (`grade`, `merge`, `diff`, `similarity`, grade-pr, the CI
 * summary, course `collect`/`post`): one table, so that a script or a Kubernetes failure policy
 * reads a code the same way whichever command gave it. Documented in `--help`, the README and
 * docs/architecture.md (tests/grader/exit-codes.test.ts keeps them in step).
 */
export const EXIT = {
  /** Done: reports written (or results posted), every row a grade. */
  ok: 0,
  /** Graded, but the score is below PASS_MARK (grade-pr and grader/ci/summary.ts only). */
  belowPassMark: 1,
  /** Refused input, nothing graded or posted: arguments, rubric, --manual, --roster, no submissions, a refused merge, PASS_MARK. */
  usage: 2,
  /** Done, but not all of it can be trusted: rows that are grader faults (`cause: "grader"`), no trustworthy score (grade-pr), results not posted (course post). */
  incomplete: 3,
  /** The command itself failed: a crash (a bug), or a service it needs (GitHub) refused it. Retrying may help. */
  crash: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The table for `--help` texts. */
export const EXIT_HELP = `Exit codes (the same for every command)
  0  done: reports written, every row a grade
  1  below PASS_MARK (grade-pr and the CI summary only)
  2  nothing done: bad arguments, rubric, --manual CSV, --roster, no submissions, merge refused
  3  done, but some rows are grader faults (cause "grader" in report.json, e.g. lab data missing,
     a transpiler crash): those rows are not grades; regrade them once the cause is fixed
  4  the grader crashed (a bug), or a service it needs failed; retrying may help`;
