/**
 * The Markdown score table a CI run shows (GitHub's job summary, stdout), the pass mark, and the
 * student-facing copies of the staff reports. Everything here is what a student may see: it is
 * rendered from a StudentReport (`studentReport` in grader/reports/common.ts: hidden checks'
 * messages generic, no diagnosis for hidden or public checks).
 *
 * Also a small CLI, to re-render the table of an existing report without grading again:
 *   npx tsx grader/ci/summary.ts grade-report/report.json      (PASS_MARK from the environment)
 * It prints the table and exits 1 if the (single) submission's score is below PASS_MARK.
 */
import { readFileSync } from 'node:fs';
import { EXIT } from '../exit-codes';
import type {
  CheckStatus,
  GradeReport,
  StudentReport,
  StudentSubmissionReport,
  SubmissionReport,
} from '../report-types';
import { formatPoints, studentReport } from '../reports/common';
import { renderJunit } from '../reports/junit';
import { mdCode, mdInline, mdMessage } from '../reports/md-text';

/** PASS_MARK: a number of points, or a percentage of the submission's maximum score. */
export type PassMark =
  { kind: 'points'; value: number; text: string } | { kind: 'percent'; value: number; text: string };

export class PassMarkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PassMarkError';
  }
}

const NUMBER = String.raw`(\d+(?:\.\d+)?|\.\d+)`;

/**
 * Parses PASS_MARK: `60` (points), `60%` or `62.5 %` (of the maximum score); unset, empty or only
 * spaces means "no pass mark". Anything else throws a PassMarkError saying what is accepted.
 */
export function parsePassMark(text: string | undefined): PassMark | undefined {
  const trimmed = (text ?? '').trim();
  if (trimmed === '') return undefined;
  const percent = new RegExp(`^${NUMBER}\\s*%$`).exec(trimmed);
  if (percent) {
    const value = Number(percent[1]);
    if (value > 100)
      throw new PassMarkError(`PASS_MARK is ${JSON.stringify(text)}: a percentage must be at most 100%.`);
    return { kind: 'percent', value, text: `${formatPoints(value)}%` };
  }
  const points = new RegExp(`^${NUMBER}$`).exec(trimmed);
  if (points) return { kind: 'points', value: Number(points[1]), text: formatPoints(Number(points[1])) };
  throw new PassMarkError(
    `PASS_MARK is ${JSON.stringify(text)}: expected a number of points (e.g. 60) or a percentage of the maximum score (e.g. 60%), or nothing for no pass mark.`,
  );
}

/** The points needed to pass, for a submission whose maximum is `maxScore`. */
export function passMarkPoints(mark: PassMark, maxScore: number): number {
  return mark.kind === 'points' ? mark.value : (mark.value / 100) * maxScore;
}

export interface Verdict {
  /** Points needed (undefined: no pass mark). */
  needed?: number;
  /** Whether the score reaches the pass mark (true without one). */
  passed: boolean;
  /** A configuration problem: the pass mark cannot be reached even with full marks. */
  problem?: string;
}

/** Whether `submission` reaches the pass mark. Compared in hundredths of a point, as the reports round. */
export function judgePassMark(
  submission: Pick<SubmissionReport, 'score' | 'maxScore'>,
  mark: PassMark | undefined,
): Verdict {
  if (!mark) return { passed: true };
  const needed = passMarkPoints(mark, submission.maxScore);
  const passed = Math.round(submission.score * 100) >= Math.round(needed * 100);
  const problem =
    mark.kind === 'points' && needed > submission.maxScore
      ? `PASS_MARK ${mark.text} is more than the maximum score ${formatPoints(submission.maxScore)}: nobody can pass. Lower it, or give a percentage (e.g. 60%).`
      : undefined;
  return { needed, passed, problem };
}

const MARK: Record<CheckStatus, string> = {
  passed: '✅',
  failed: '❌',
  error: '⚠️',
  timeout: '⏱️',
  memory: '⚠️',
  skipped: '➖',
};

/** junit.xml for students: the staff renderer on the student view of the report. */
export function renderStudentJunit(report: GradeReport): string {
  return renderJunit(studentReport(report));
}

export interface SummaryOptions {
  passMark?: PassMark;
  /** Set when the grader could not run every check (its exit code 3): the score is not final. */
  incomplete?: boolean;
  /** A closing line saying where the detailed feedback is (Markdown). */
  feedbackHint?: string;
}

/** The Markdown summary of one submission: score table, total, pass mark, failing checks' messages. */
export function renderSubmissionSummary(
  report: StudentReport,
  submission: StudentSubmissionReport,
  options: SummaryOptions = {},
): string {
  const out: string[] = [];
  const total = `${formatPoints(submission.score)} / ${formatPoints(submission.maxScore)}`;
  out.push(`## Grade: ${total}`, '');
  out.push(`Submission ${mdCode(submission.id)} · rubric "${mdInline(report.rubric.name)}"`, '');
  const verdict = judgePassMark(submission, options.passMark);
  if (options.passMark && verdict.needed !== undefined) {
    const of =
      options.passMark.kind === 'percent' ? ` (${options.passMark.text} of ${formatPoints(submission.maxScore)})` : '';
    out.push(
      `Pass mark: ${formatPoints(verdict.needed)} points${of}: **${verdict.passed ? 'reached' : 'not reached'}**.`,
      '',
    );
    if (verdict.problem) out.push(`> [!WARNING]`, `> ${mdInline(verdict.problem)}`, '');
  }
  if (options.incomplete) {
    out.push(
      '> [!WARNING]',
      '> The grader could not run every check (see "Grading problems" below), so this score is not final. This is not a problem with your code: run the job again, or tell the course staff.',
      '',
    );
  }
  if (submission.status === 'error')
    out.push(`**Your submission could not be graded:**${mdMessage(submission.error ?? 'unknown error', '', ' ')}`, '');

  const checks = submission.checks;
  if (checks.length > 0) {
    out.push('| Check | Target | Status | Points |', '|---|---|---|---:|');
    for (const check of checks) {
      const name = `${mdInline(check.id)}${check.visibility === 'hidden' ? ' (hidden)' : ''}`;
      out.push(
        `| ${name} | ${mdInline(check.target)} | ${MARK[check.status]} ${check.status} | ${formatPoints(check.points)} / ${formatPoints(check.maxPoints)} |`,
      );
    }
    for (const item of submission.manual) {
      out.push(
        `| ${mdInline(item.id)} (graded by hand) | ${mdInline(item.title)} | ${item.graded ? 'graded' : 'not graded yet'} | ${item.graded ? formatPoints(item.points) : '–'} / ${formatPoints(item.maxPoints)} |`,
      );
    }
    out.push(`| **Total** | | | **${total}** |`, '');
  }

  const failing = checks.filter((check) => check.status !== 'passed');
  const publicFailing = failing.filter((check) => check.visibility !== 'hidden');
  const hiddenFailing = failing.filter((check) => check.visibility === 'hidden');
  if (publicFailing.length > 0) {
    out.push('### Failing checks', '');
    for (const check of publicFailing) {
      // Here the submission's error is printed above the checks, so their own "not run" message stands.
      const message = check.message;
      out.push(
        `- **${mdInline(check.id)}** (${mdInline(check.target)}): ${check.status}, ${formatPoints(check.points)} / ${formatPoints(check.maxPoints)}${message === '' ? '' : ' — '}${mdMessage(message, '', '')}`,
      );
      if (check.replay) out.push(`  - replay: seed ${check.replay.seed}, path ${mdCode(check.replay.path)}`);
    }
    out.push('');
  }
  if (hiddenFailing.length > 0) {
    out.push('### Failing hidden checks', '');
    out.push('Hidden checks show whether they passed, but not their inputs or expected values.', '');
    for (const check of hiddenFailing)
      out.push(
        `- **${mdInline(check.id)}** (${mdInline(check.target)}): ${check.status}, ${formatPoints(check.points)} / ${formatPoints(check.maxPoints)} — ${mdInline(check.message)}`,
      );
    out.push('');
  }
  if (submission.warnings.length > 0) {
    out.push('### Notes', '');
    for (const warning of submission.warnings) out.push(`- ${mdInline(warning)}`);
    out.push('');
  }
  if (report.warnings.length > 0) {
    out.push('### Grading problems', '');
    for (const warning of report.warnings) out.push(`- ${mdInline(warning)}`);
    out.push('');
  }
  if (options.feedbackHint) out.push(options.feedbackHint, '');
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

/** The summary of every submission in the report (grade-pr grades one; a TA may pass more). */
export function renderSummary(report: StudentReport, options: SummaryOptions = {}): string {
  if (report.submissions.length === 0) return '## Grade\n\nNo submission was graded.\n';
  return report.submissions.map((submission) => renderSubmissionSummary(report, submission, options)).join('\n');
}

/** A short Markdown note for when there is no score to show (bad set-up, grader crash, …). */
export function renderFailureSummary(message: string): string {
  return `## Grade: not available\n\n> [!CAUTION]\n> ${message
    .split(/\r\n|\r|\n/)
    .map(mdInline)
    .join('\n> ')}\n`;
}

/** CLI: `tsx grader/ci/summary.ts REPORT_JSON`, PASS_MARK from the environment. */
function main(argv: string[]): number {
  if (argv.length !== 1 || argv[0] === '-h' || argv[0] === '--help') {
    process.stderr.write('usage: tsx grader/ci/summary.ts REPORT_JSON   (PASS_MARK=60 or 60% to exit 1 below it)\n');
    return argv.length === 1 ? EXIT.ok : EXIT.usage;
  }
  let mark: PassMark | undefined;
  let report: GradeReport;
  try {
    mark = parsePassMark(process.env.PASS_MARK);
    report = JSON.parse(readFileSync(argv[0], 'utf8')) as GradeReport;
  } catch (error) {
    process.stderr.write(`summary: ${(error as Error).message}\n`);
    return EXIT.usage;
  }
  process.stdout.write(renderSummary(studentReport(report), { passMark: mark }));
  return report.submissions.every((submission) => judgePassMark(submission, mark).passed)
    ? EXIT.ok
    : EXIT.belowPassMark;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
