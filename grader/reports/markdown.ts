/**
 * report.md (for course staff: class summary, per-item and per-check statistics, every
 * submission's checks with full messages) and `feedback/<id>.md` (one per student, from the
 * StudentReport: hidden checks' messages replaced by a generic one, no diagnosis).
 */
import type {
  AnyCheckReport,
  AnySubmissionReport,
  CheckStatus,
  GradeReport,
  StudentReport,
  StudentSubmissionReport,
} from '../report-types';
import { countStatuses, fileNameFor, formatPoints, itemPoints, scoreStats } from './common';
import { mdCode, mdInline, mdMessage } from './md-text';

const STATUSES: CheckStatus[] = ['passed', 'failed', 'error', 'timeout', 'memory', 'skipped'];
const MARK: Record<CheckStatus, string> = {
  passed: '✔',
  failed: '✘',
  error: '✘',
  timeout: '⏱',
  memory: '✘',
  skipped: '–',
};

export { mdInline } from './md-text';

/** A check's list item; a staff check shows its diagnosis (a student's has none, by type). */
function checkLine(check: AnyCheckReport): string {
  const extras: string[] = [check.target];
  if (check.visibility === 'hidden') extras.push('hidden');
  let line = `- ${MARK[check.status]} **${mdInline(check.id)}** (${mdInline(extras.join(', '))}) — ${check.status}, ${formatPoints(check.points)}/${formatPoints(check.maxPoints)}`;
  line += mdMessage(check.message, '  ');
  if (check.diagnosis) line += `${line.endsWith('\n') ? '' : '\n'}  - diagnosis: ${mdCode(check.diagnosis)}`;
  if (check.replay)
    line += `${line.endsWith('\n') ? '' : '\n'}  - replay: seed ${check.replay.seed}, path ${mdCode(check.replay.path)}`;
  return line;
}

function table(header: string[], align: Array<'l' | 'r'>, rows: string[][]): string {
  const lines = [`| ${header.join(' | ')} |`, `|${align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

export function renderMarkdown(report: GradeReport): string {
  const out: string[] = [];
  const stats = scoreStats(report);
  const graded = report.submissions.filter((s) => s.status === 'graded').length;
  const maxScore = report.rubric.maxScore;
  out.push(`# Grading report: ${mdInline(report.rubric.name)}`, '');
  out.push(`- Submissions: ${stats.count} (${graded} graded, ${stats.count - graded} could not be graded)`);
  out.push(
    `- Scores out of ${formatPoints(maxScore)}: mean ${formatPoints(stats.mean)}, median ${formatPoints(stats.median)}, min ${formatPoints(stats.min)}, max ${formatPoints(stats.max)}`,
  );
  out.push(`- Rubric: ${mdCode(report.rubric.source)} · seed ${report.seed} · sandbox: ${mdInline(report.sandbox)}`);
  if (report.shard)
    out.push(
      `- Shard ${report.shard.index}/${report.shard.count} of ${report.shard.totalSubmissions} submissions (combine shards with \`npm run grade -- merge DIR ...\`)`,
    );
  out.push('');
  if (report.warnings.length > 0) {
    out.push('## Warnings', '');
    for (const warning of report.warnings) out.push(`- ${mdInline(warning)}`);
    out.push('');
  }

  out.push('## Scores', '');
  out.push(
    table(
      ['Submission', 'Status', 'Score', ...STATUSES.map((s) => s[0].toUpperCase() + s.slice(1))],
      ['l', 'l', 'r', ...STATUSES.map(() => 'r' as const)],
      report.submissions.map((s) => {
        const counts = countStatuses(s);
        return [
          `[${mdInline(s.id)}](#${anchor(s.id)})`,
          s.status,
          `${formatPoints(s.score)}/${formatPoints(s.maxScore)}`,
          ...STATUSES.map((status) => String(counts[status])),
        ];
      }),
    ),
    '',
  );

  out.push('## Rubric items', '');
  out.push(
    table(
      ['Item', 'Kind', 'Points', 'Mean', 'Full credit'],
      ['l', 'l', 'r', 'r', 'r'],
      report.rubric.items.map((item) => {
        const earned = report.submissions.map((s) => itemPoints(s, item.id));
        const known = earned.filter((p): p is number => p !== undefined);
        const mean = known.length ? known.reduce((a, b) => a + b, 0) / known.length : 0;
        const full = known.filter((p) => Math.round(p * 100) === Math.round(item.maxPoints * 100)).length;
        return [
          mdInline(item.id),
          item.kind,
          formatPoints(item.maxPoints),
          known.length ? formatPoints(mean) : '–',
          `${full}/${earned.length}`,
        ];
      }),
    ),
    '',
  );

  const checkIds = [...new Map(report.submissions.flatMap((s) => s.checks.map((c) => [c.id, c] as const))).values()];
  if (checkIds.length > 0) {
    out.push('## Checks', '');
    out.push(
      table(
        ['Check', 'Target', 'Visibility', ...STATUSES.map((s) => s[0].toUpperCase() + s.slice(1))],
        ['l', 'l', 'l', ...STATUSES.map(() => 'r' as const)],
        checkIds.map((check) => {
          const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<CheckStatus, number>;
          for (const s of report.submissions) for (const c of s.checks) if (c.id === check.id) counts[c.status]++;
          return [
            mdInline(check.id),
            mdInline(check.target),
            check.visibility,
            ...STATUSES.map((status) => String(counts[status])),
          ];
        }),
      ),
      '',
    );
  }

  out.push('## Submissions', '');
  for (const submission of report.submissions) {
    out.push(`### ${mdInline(submission.id)}`, '');
    out.push(
      `${submission.status === 'graded' ? 'Graded' : '**Could not be graded**'}: ${formatPoints(submission.score)}/${formatPoints(submission.maxScore)} · ${mdCode(submission.path)} · seed ${submission.seed} · feedback: [${mdInline(`feedback/${fileNameFor(submission.id)}.md`)}](feedback/${encodeURIComponent(fileNameFor(submission.id))}.md)`,
      '',
    );
    if (submission.error) out.push(`Error:${mdMessage(submission.error, '', ' ')}`, '');
    out.push(...submissionBody(submission, true));
  }
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

function submissionBody(submission: AnySubmissionReport, staff: boolean): string[] {
  const out: string[] = [];
  for (const check of submission.checks) out.push(checkLine(check));
  if (submission.checks.length > 0) out.push('');
  if (submission.manual.length > 0) {
    out.push(staff ? 'Manual items:' : '## Graded by hand', '');
    for (const item of submission.manual)
      out.push(
        `- **${mdInline(item.id)}** (${mdInline(item.title)}) — ${item.graded ? `${formatPoints(item.points)}/${formatPoints(item.maxPoints)}` : `not graded yet (out of ${formatPoints(item.maxPoints)})`}`,
      );
    out.push('');
  }
  if (submission.warnings.length > 0) {
    out.push(staff ? 'Warnings:' : '## Notes', '');
    for (const warning of submission.warnings) out.push(`- ${mdInline(warning)}`);
    out.push('');
  }
  return out;
}

/** GitHub's heading anchor for a heading text. */
function anchor(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

/** `feedback/<id>.md`: what one student may see. */
export function renderFeedback(report: StudentReport, submission: StudentSubmissionReport): string {
  const out: string[] = [];
  out.push(`# Feedback: ${mdInline(submission.id)}`, '');
  out.push(`**Score: ${formatPoints(submission.score)} / ${formatPoints(submission.maxScore)}**`, '');
  if (submission.status === 'error')
    out.push(`Your submission could not be graded:${mdMessage(submission.error ?? 'unknown error', '', ' ')}`, '');
  const hidden = submission.checks.filter((check) => check.visibility === 'hidden').length;
  if (hidden > 0)
    out.push(
      `${hidden} of the ${submission.checks.length} checks are hidden: they show whether they passed, but not their inputs or expected values.`,
      '',
    );
  if (submission.checks.length > 0) out.push('## Checks', '');
  out.push(...submissionBody(submission, false));
  out.push(`Graded with rubric "${mdInline(report.rubric.name)}", seed ${submission.seed}.`);
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

export function renderFeedbackFiles(report: StudentReport): Map<string, string> {
  return new Map(report.submissions.map((submission) => [submission.id, renderFeedback(report, submission)]));
}
