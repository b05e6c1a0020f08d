/**
 * The terminal summary of a run: type errors first, then each failing check (what is wrong, where,
 * the likely mistake, a replay line), points per function, the training, and the total. Passing
 * checks are listed only with `--verbose`. Text from the submission (its error messages, what it
 * printed) is made inert for a terminal: no control characters, no escape sequences.
 */
import { CONVERGENCE_THRESHOLD } from '../catalogue/training-spec-checks';
import { trainingView } from './chart';
import type { ReportedResult, RunReport } from './report';
import { byTarget, replayCommand, standingOf, totalsOf } from './report';

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Text from the submission, safe to print on a terminal: control and bidi characters become `?`. */
export function inertForTerminal(text: string, maxLength = 4000): string {
  const cut = text.length > maxLength ? text.slice(0, maxLength) + '…' : text;
  return cut.replace(/\r\n?/g, '\n').replace(/\t/g, '  ').replace(CONTROL, '?');
}

const indent = (text: string, prefix: string) =>
  text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');

const MARK = { passed: '✓', failed: '✗', warning: '!', 'not-run': '-' } as const;

export interface TextOptions {
  verbose?: boolean;
  /** Lines of the submission's printed output to show (all with verbose). */
  printedLines?: number;
}

/** A message without its "<function> threw " lead and case line: the same error reached from different checks. */
function errorCore(message: string): string {
  return message
    .replace(/^[\w.]* ?threw /, '')
    .replace(/\n(Smallest failing case|Case):.*$/s, '')
    .trim();
}

function failureBlock(result: ReportedResult, seen: Set<string>): string[] {
  const standing = standingOf(result);
  const head = standing === 'warning' ? `! warning: ${result.title}` : `${MARK[standing]} ${result.title}`;
  const lines = [`  ${head}   [${result.id}, ${result.points} point${result.points === 1 ? '' : 's'}]`];
  const core = errorCore(result.message);
  if (result.status !== 'failed' && seen.has(core)) {
    lines.push(`      the same error as above: ${inertForTerminal(core.split('\n')[0], 160)}`);
    return lines;
  }
  seen.add(core);
  lines.push(indent(inertForTerminal(result.message.trim()), '      '));
  const replay = replayCommand(result);
  if (replay) lines.push(`      replay: ${replay}`);
  return lines;
}

export function renderText(report: RunReport, options: TextOptions = {}): string {
  const out: string[] = [];
  const { problems, unavailable } = report.types;
  if (problems.length > 0) {
    out.push(
      `Type errors in rnn.ts (${problems.length}); the checks below still ran, on whatever of rnn.ts could run:`,
    );
    for (const problem of problems.slice(0, 20)) {
      out.push(
        `  ${problem.file}:${problem.line}:${problem.column}  error TS${problem.code}: ${inertForTerminal(problem.message).split('\n').join('\n      ')}`,
      );
      if (problem.source?.trim()) out.push(`    ${problem.line} | ${inertForTerminal(problem.source.trimEnd(), 200)}`);
    }
    if (problems.length > 20) out.push(`  … and ${problems.length - 20} more (npx tsc --noEmit lists them all)`);
    out.push('');
  } else if (unavailable) {
    out.push(`The type check could not run (${inertForTerminal(unavailable, 300)}); the checks ran anyway.`, '');
  }

  if (report.printed.text.trim().length > 0) {
    const lines = inertForTerminal(report.printed.text, 64 * 1024)
      .trimEnd()
      .split('\n');
    const shown = options.verbose ? lines : lines.slice(0, options.printedLines ?? 15);
    out.push(
      `rnn.ts printed (${lines.length} line${lines.length === 1 ? '' : 's'}${shown.length < lines.length ? `, first ${shown.length}; --verbose shows all` : ''}):`,
    );
    for (const line of shown) out.push(`  │ ${line}`);
    if (report.printed.truncated) out.push('  │ … (output cut)');
    out.push('');
  }

  const failing = report.results.filter((result) => standingOf(result) === 'failed');
  const warnings = report.results.filter((result) => standingOf(result) === 'warning');
  const seen = new Set<string>();
  if (failing.length > 0) {
    out.push(`Failing checks (${failing.length}):`);
    for (const result of failing) {
      const block = failureBlock(result, seen);
      out.push(...block, ...(block.length > 2 ? [''] : []));
    }
    if (out[out.length - 1] !== '') out.push('');
  }
  if (warnings.length > 0) {
    out.push(`Warnings (0-point checks, they cost nothing):`);
    for (const result of warnings) out.push(...failureBlock(result, seen), '');
  }
  if (report.dataProblem) {
    out.push('The training check did not run: the data set (pollution.csv) is not available.');
    out.push(indent(inertForTerminal(report.dataProblem), '  '));
    out.push('  To run it, connect to the internet once (npm test downloads and keeps the file), or point to a copy:');
    out.push('      RNN_LAB_DATA=/path/to/pollution.csv npm test                          (macOS, Linux, Git Bash)');
    out.push('      $env:RNN_LAB_DATA="C:\\path\\to\\pollution.csv"; npm test              (PowerShell)');
    out.push('');
  }

  out.push('Points per function:');
  for (const group of byTarget(report)) {
    const done = group.results.every((result) => result.status === 'passed' || result.points === 0);
    const notRun = group.results.some((result) => result.notRun);
    out.push(
      `  ${notRun ? '-' : done ? '✓' : '✗'} ${group.target.padEnd(22)} ${String(group.earned).padStart(3)} / ${group.max}${notRun ? '   (not run: no data)' : ''}`,
    );
    if (options.verbose)
      for (const result of group.results) out.push(`      ${MARK[standingOf(result)]} ${result.title}  [${result.id}]`);
  }

  const training = report.results.find((result) => result.id === 'train.converges');
  if (training && !training.notRun) {
    out.push(
      '',
      `Training: trainRnn on the real data (mean of the last 25 losses must be below ${CONVERGENCE_THRESHOLD})`,
    );
    if (training.curve) {
      const view = trainingView(training.curve, CONVERGENCE_THRESHOLD);
      out.push(...view.verdict.map((line) => `  ${line}`), '', ...view.chart.map((line) => `  ${line}`));
    } else if (/NaN|Infinity/.test(training.message)) {
      out.push(
        '  Training diverged: a loss was not a finite number (NaN or Infinity). Check the sign and scale of each gradient and the learning rate.',
      );
    } else {
      out.push('  No loss curve: see the trainRnn checks above.');
    }
  }

  const totals = totalsOf(report);
  out.push('');
  const extras = [
    totals.failed > 0 ? `${totals.failed} failing` : '',
    totals.warnings > 0 ? `${totals.warnings} warning${totals.warnings === 1 ? '' : 's'}` : '',
    totals.notRun > 0 ? `${totals.notRunPoints} points not checked (no data)` : '',
    problems.length > 0 ? `${problems.length} type error${problems.length === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  out.push(`Public checks: ${totals.earned} / ${totals.max} points.${extras.length ? ` (${extras.join(', ')})` : ''}`);
  out.push('These are the public checks only: hidden checks also run when your work is graded (more random cases,');
  out.push('edge cases, the training step), so the final grade can differ from this number.');
  if (totals.failed > 0)
    out.push('Start with the first failing check of a function; `npm test -- --verbose` lists every check.');
  return out.join('\n');
}
