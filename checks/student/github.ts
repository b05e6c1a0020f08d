/**
 * A run's outputs for GitHub Actions (`npm test -- --github` in the handout's workflow): a score
 * table in the job summary ($GITHUB_STEP_SUMMARY) and `::error file=rnn.ts,line=N::` annotations
 * at the lines of rnn.ts. Every piece of text from the submission is made inert for its target:
 * workflow-command escaping for annotations (no newline can start a command of its own), HTML
 * escaping inside <pre> blocks in the Markdown summary.
 */
import { randomBytes } from 'crypto';
import { appendFileSync, readFileSync } from 'fs';
import path from 'path';
import ts from 'typescript';
import type { ReportedResult, RunReport } from './report';
import { byTarget, replayCommand, standingOf, totalsOf } from './report';
import { inertForTerminal } from './text';

/** Workflow-command data: `%`, CR and LF escaped (as in @actions/core's escapeData). */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Workflow-command property values: also `:` and `,` (as in @actions/core's escapeProperty). */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function annotation(
  kind: 'error' | 'warning' | 'notice',
  where: { file: string; line?: number; column?: number; title: string },
  message: string,
): string {
  const properties = [`file=${escapeProperty(where.file)}`];
  if (where.line) properties.push(`line=${where.line}`);
  if (where.column) properties.push(`col=${where.column}`);
  properties.push(`title=${escapeProperty(where.title)}`);
  return `::${kind} ${properties.join(',')}::${escapeData(inertForTerminal(message, 2000))}`;
}

/** Text for HTML (and Markdown around it): the five special characters as entities. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Line of each function and method declaration in rnn.ts, e.g. `computeGradB` → 145, `RNN.computeGradB` → 145. */
export function declarationLines(source: string): Map<string, number> {
  const file = ts.createSourceFile('rnn.ts', source, ts.ScriptTarget.ES2022, true);
  const lines = new Map<string, number>();
  const lineOf = (node: ts.Node) => file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionDeclaration(node) && node.name) lines.set(node.name.text, lineOf(node));
    else if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.initializer &&
      (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))
    )
      lines.set(node.name.text, lineOf(node));
    else if (ts.isClassDeclaration(node) && node.name) {
      const owner = node.name.text;
      lines.set(owner, lineOf(node));
      for (const item of node.members) {
        if ((ts.isMethodDeclaration(item) || ts.isPropertyDeclaration(item)) && ts.isIdentifier(item.name))
          lines.set(`${owner}.${item.name.text}`, lineOf(item));
        if (ts.isConstructorDeclaration(item)) lines.set(`${owner}.constructor`, lineOf(item));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return lines;
}

/** The line an annotation of a failing check goes to: where the error was thrown, else the function's declaration. */
function lineOfResult(result: ReportedResult, declarations: Map<string, number>): { line?: number; column?: number } {
  // The location the executor appended is the message's last `  at rnn.ts:L:C` line.
  const located = [...result.message.matchAll(/^ {2}at rnn\.ts:(\d+):(\d+)$/gm)].pop();
  if (located) return { line: Number(located[1]), column: Number(located[2]) };
  const target = result.target;
  return { line: declarations.get(target) ?? declarations.get(target.split('.')[0]) ?? 1 };
}

export function annotationsOf(report: RunReport, source: string): string[] {
  const declarations = declarationLines(source);
  const lines: string[] = [];
  for (const problem of report.types.problems.slice(0, 20)) {
    lines.push(
      annotation(
        'error',
        { file: problem.file, line: problem.line, column: problem.column, title: `Type error TS${problem.code}` },
        problem.message,
      ),
    );
  }
  for (const result of report.results) {
    const standing = standingOf(result);
    if (standing === 'passed' || standing === 'not-run') continue;
    const where = lineOfResult(result, declarations);
    const replay = replayCommand(result);
    lines.push(
      annotation(
        standing === 'warning' ? 'warning' : 'error',
        { file: 'rnn.ts', ...where, title: `${result.target}: ${result.id} (${result.points} points)` },
        result.message + (replay ? `\nreplay: ${replay}` : ''),
      ),
    );
  }
  if (report.dataProblem)
    lines.push(annotation('warning', { file: 'rnn.ts', title: 'The training check did not run' }, report.dataProblem));
  return lines;
}

export function jobSummary(report: RunReport): string {
  const totals = totalsOf(report);
  const out: string[] = [`## Public checks: ${totals.earned} / ${totals.max} points`, ''];
  if (report.types.problems.length > 0)
    out.push(`**${report.types.problems.length} type error(s) in rnn.ts** (shown as annotations on the file).`, '');
  out.push('| function | points | checks |', '|---|---:|---|');
  for (const group of byTarget(report)) {
    const marks = group.results
      .map((result) => ({ passed: '✅', failed: '❌', warning: '⚠️', 'not-run': '➖' })[standingOf(result)])
      .join(' ');
    out.push(`| \`${group.target.replace(/[`|]/g, '')}\` | ${group.earned} / ${group.max} | ${marks} |`);
  }
  const problems = report.results.filter(
    (result) => standingOf(result) === 'failed' || standingOf(result) === 'warning',
  );
  if (problems.length > 0) {
    out.push('', '### What to fix', '');
    for (const result of problems) {
      out.push(
        `<details><summary>${escapeHtml(`${standingOf(result) === 'warning' ? 'warning' : 'failing'}: ${result.title} (${result.id}, ${result.points} points)`)}</summary>`,
        '',
      );
      out.push(`<pre>${escapeHtml(inertForTerminal(result.message.trim(), 3000))}</pre>`, '', '</details>', '');
    }
  }
  if (report.dataProblem) out.push('', `The training check did not run: the data set is not available.`);
  out.push(
    '',
    'These are the public checks only: hidden checks also run when the course grades your work, so the final grade can differ.',
  );
  return out.join('\n') + '\n';
}

/**
 * Appends the job summary to $GITHUB_STEP_SUMMARY and prints the annotations, then `text` (the
 * terminal summary) with workflow commands stopped by a token made here, after rnn.ts ran, so
 * nothing in it (the submission's messages and prints) can act as a command.
 */
export function printForGithub(report: RunReport, root: string, text: string): void {
  let source = '';
  try {
    source = readFileSync(path.join(root, 'rnn.ts'), 'utf8');
  } catch {
    // no rnn.ts: annotations without lines
  }
  for (const line of annotationsOf(report, source)) console.log(line);
  const token = randomBytes(16).toString('hex');
  console.log(`::stop-commands::${token}`);
  console.log(text);
  console.log(`::${token}::`);
  const summaryFile = process.env.GITHUB_STEP_SUMMARY;
  if (summaryFile) appendFileSync(summaryFile, jobSummary(report));
}
