/**
 * What the grader shows while it works and when it is done: a progress bar (cli-progress) on a
 * terminal, plain lines when the output is not a terminal or in CI, and a coloured summary table
 * (cli-table3 + chalk) at the end.
 */
import chalk from 'chalk';
import { SingleBar } from 'cli-progress';
import Table from 'cli-table3';
import type { GradeReport, SubmissionReport } from './report-types';
import { countStatuses, formatPoints, scoreStats } from './reports/common';
import { terminalLine } from './reports/plain-text';

export interface Progress {
  start(total: number): void;
  done(submission: SubmissionReport): void;
  /** A line that must not be garbled by the bar. */
  log(line: string): void;
  stop(): void;
}

/** A terminal that is not CI gets the bar; anything else gets plain lines. */
export function isInteractive(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && !env.CI;
}

/**
 * Submission ids and messages are the students' bytes: shown on the terminal (and in a CI log)
 * with their escape sequences and control characters made visible (terminalLine), on one line,
 * so they cannot recolour, clear or rewrite the screen. (A CI log's `::` commands cannot start these lines: each begins
 * with the grader's own text.)
 */
function describe(submission: SubmissionReport): string {
  const id = terminalLine(submission.id);
  if (submission.status === 'error')
    return `${id}: could not be graded: ${terminalLine((submission.error ?? '').split(/\r\n|\r|\n/)[0])}`;
  const counts = countStatuses(submission);
  const notPassed = submission.checks.length - counts.passed;
  return `${id}: ${formatPoints(submission.score)}/${formatPoints(submission.maxScore)}${notPassed > 0 ? ` (${notPassed} of ${submission.checks.length} checks not passed)` : ''}`;
}

export function createProgress(stream: NodeJS.WriteStream, interactive: boolean): Progress {
  let total = 0;
  let count = 0;
  if (!interactive) {
    return {
      start(n) {
        total = n;
        stream.write(`grading ${n} submission${n === 1 ? '' : 's'}\n`);
      },
      done(submission) {
        count++;
        const width = String(total).length;
        stream.write(
          `[${String(count).padStart(width)}/${total}] ${describe(submission)} (${(submission.durationMs / 1000).toFixed(1)} s)\n`,
        );
      },
      log(line) {
        stream.write(`${line.split('\n').map(terminalLine).join('\n')}\n`);
      },
      stop() {},
    };
  }
  const bar = new SingleBar({
    stream,
    format: 'grading [{bar}] {value}/{total} | {duration_formatted} elapsed, ~{eta_formatted} left | {last}',
    barCompleteChar: '█',
    barIncompleteChar: '░',
    hideCursor: true,
    clearOnComplete: false,
    etaBuffer: 8,
  });
  return {
    start(n) {
      total = n;
      bar.start(n, 0, { last: '' });
    },
    done(submission) {
      bar.increment(1, { last: describe(submission).slice(0, 60) });
    },
    log(line) {
      // cli-progress redraws on its own line: clear it, print, and let the next update redraw.
      stream.write(`\r\x1b[K${line.split('\n').map(terminalLine).join('\n')}\n`);
      bar.render();
    },
    stop() {
      bar.stop();
    },
  };
}

/** The summary table printed at the end; colours only when `color` is set. */
export function renderSummary(report: GradeReport, color: boolean): string {
  const c = new chalk.Instance({ level: color ? 1 : 0 });
  const table = new Table({
    head: ['Submission', 'Status', 'Score', 'Passed', 'Failed', 'Error', 'Timeout', 'Memory', 'Skipped', 'Time'],
    style: { head: color ? ['cyan'] : [], border: color ? ['grey'] : [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  for (const submission of report.submissions) {
    const counts = countStatuses(submission);
    const ratio = submission.maxScore > 0 ? submission.score / submission.maxScore : 1;
    const paint = submission.status === 'error' ? c.red : ratio >= 1 ? c.green : ratio >= 0.5 ? c.yellow : c.red;
    const n = (value: number, painter: chalk.Chalk) => (value > 0 ? painter(String(value)) : String(value));
    table.push([
      terminalLine(submission.id),
      submission.status === 'error' ? c.red('error') : 'graded',
      paint(`${formatPoints(submission.score)}/${formatPoints(submission.maxScore)}`),
      n(counts.passed, c.green),
      n(counts.failed, c.red),
      n(counts.error, c.red),
      n(counts.timeout, c.yellow),
      n(counts.memory, c.yellow),
      n(counts.skipped, c.grey),
      `${(submission.durationMs / 1000).toFixed(1)} s`,
    ]);
  }
  const stats = scoreStats(report);
  const errors = report.submissions.filter((submission) => submission.status === 'error').length;
  const lines = [table.toString()];
  lines.push(
    `${stats.count} submission${stats.count === 1 ? '' : 's'}${errors > 0 ? c.red(`, ${errors} could not be graded`) : ''}; ` +
      `mean ${formatPoints(stats.mean)}, median ${formatPoints(stats.median)} of ${formatPoints(report.rubric.maxScore)}`,
  );
  for (const warning of report.warnings) lines.push(c.yellow(`warning: ${terminalLine(warning)}`));
  return `${lines.join('\n')}\n`;
}
