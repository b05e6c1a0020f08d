/**
 * What the grader prints on the terminal or a CI log (grader/progress.ts) for the hostile batch:
 * submission ids and errors with their escape sequences and control characters shown as symbols,
 * one line each, so a name cannot recolour, clear or rewrite the screen; the grader's own colours
 * still work.
 */
import { createProgress, renderSummary } from '../../grader/progress';
import { hostileReport } from '../helpers/hostile-report';

const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

function capture(): { stream: NodeJS.WriteStream; text: () => string } {
  let written = '';
  const stream = {
    write: (chunk: string) => ((written += chunk), true),
    isTTY: false,
  } as unknown as NodeJS.WriteStream;
  return { stream, text: () => written };
}

test('progress lines: one per submission, no escape or control character from the ids or errors', () => {
  const report = hostileReport();
  const out = capture();
  const progress = createProgress(out.stream, false);
  progress.start(report.submissions.length);
  for (const submission of report.submissions) progress.done(submission);
  progress.log(`warning: ${report.submissions[3].id}`);
  progress.stop();
  const lines = out.text().split('\n').slice(0, -1);
  expect(lines).toHaveLength(1 + report.submissions.length + 1);
  for (const line of lines) expect([line, CONTROL.test(line)]).toEqual([line, false]);
  expect(lines[3]).toMatch(
    /^\[3\/6\] carol ::error::pwned line: could not be graded: rnn\.ts:3:1: Unexpected "\}" \(0\.0 s\)$/,
  );
  // Made visible, not dropped: a name of escape sequences still shows.
  expect(lines[4]).toMatch(/^\[4\/6\] ␛\[2J␛\[31mdave␇␁: 10\/10 /);
});

test('the summary table: ids without escapes; only the grader paints, and only when asked', () => {
  const report = hostileReport();
  const plain = renderSummary(report, false);
  expect(plain).not.toMatch(CONTROL);
  const coloured = renderSummary(report, true);
  // Every escape sequence in the coloured table is a colour (SGR) of the grader's own.
  expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(CONTROL);
  expect(coloured).not.toContain('\u001b[2J');
});
