/**
 * grader/ci: the script CI and TAs run on one submission (grade-pr.sh), its summary and pass mark,
 * and the two GitHub workflows.
 *
 * - As a user would: `bash grader/ci/grade-pr.sh DIR OUT` on temp copies of
 *   submissions/correct-loops and submissions/grad-b-skip-first (one real grading each, run at
 *   the same time), with GITHUB_STEP_SUMMARY pointing at a temp file. Needs the real data:
 *     RNN_LAB_DATA=../shared/data/pollution.csv npx jest tests/grader/ci.test.ts
 *   Without RNN_LAB_DATA these are skipped (a note says so).
 * - The pass mark and the student-facing outputs over those gradings' reports, in-process
 *   (publishResults), so that each case does not grade again; and over a hand-written report
 *   with a failing public check (the samples fail none).
 * - Set-up errors (no rnn.ts, bad PASS_MARK): the script stops before grading.
 * - The workflows parse as YAML and hold the steps docs/ci.md describes.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { EXIT, optionsFrom, publishResults } from '../../grader/ci/grade-pr';
import type { GradePrOptions, GraderRun } from '../../grader/ci/grade-pr';
import {
  judgePassMark,
  parsePassMark,
  PassMarkError,
  renderStudentJunit,
  renderSummary,
} from '../../grader/ci/summary';
import type { GradeReport } from '../../grader/report-types';
import { studentReport } from '../../grader/reports/common';
import { renderJunit } from '../../grader/reports/junit';
import { check, gradeReport, submission } from '../helpers/report-fixtures';
import type { WorkflowStep } from '../helpers/workflow-step';

const PROJECT = resolve(__dirname, '..', '..');
const SCRIPT = join(PROJECT, 'grader', 'ci', 'grade-pr.sh');
const DATA = process.env.RNN_LAB_DATA ? resolve(process.env.RNN_LAB_DATA) : undefined;
/** One grading: sandbox start, type check, the battery, 500 training steps; two run at once. */
const GRADING_TIMEOUT_MS = 150_000;

let root: string;
/** The two real gradings, started first so that they run while the quick tests do. */
let gradings: Promise<[ScriptRun & { out: string }, ScriptRun & { out: string }]> | undefined;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'rnn-ci-test-'));
  if (!DATA) return;
  const correctDir = copySample('correct-loops');
  const wrongDir = copySample('grad-b-skip-first');
  // correct-loops with relative paths, as a TA would type them; grad-b-skip-first with absolute ones.
  gradings = Promise.all([
    runScript(['correct-loops', 'out-correct'], { RNN_LAB_DATA: DATA }, join(correctDir, '..')).then((run) => ({
      ...run,
      out: join(correctDir, '..', 'out-correct'),
    })),
    runScript([wrongDir, join(root, 'out-wrong')], { RNN_LAB_DATA: DATA, PASS_MARK: '100%' }, root).then((run) => ({
      ...run,
      out: join(root, 'out-wrong'),
    })),
  ]);
  // Awaited by the end-to-end tests; keep a failure from counting as unhandled before that.
  gradings.catch(() => undefined);
});
afterAll(async () => {
  await gradings?.catch(() => undefined); // (when a filter skipped the end-to-end tests)
  rmSync(root, { recursive: true, force: true });
}, GRADING_TIMEOUT_MS);

interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The GITHUB_STEP_SUMMARY file after the run. */
  stepSummary: string;
}

/** Runs `bash grade-pr.sh ...args` from `cwd`, with a fresh step summary file holding "PREVIOUS STEP". */
function runScript(args: string[], env: Record<string, string>, cwd: string): Promise<ScriptRun> {
  const stepSummaryFile = mkdtempSync(join(root, 'step-')) + '/summary.md';
  writeFileSync(stepSummaryFile, 'PREVIOUS STEP\n');
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    GITHUB_STEP_SUMMARY: stepSummaryFile,
    GITHUB_ACTIONS: '',
    PASS_MARK: '',
    GRADE_AUDIENCE: '',
    RNN_LAB_DATA: '',
    ...env,
  };
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', [SCRIPT, ...args], { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      resolvePromise({ code, stdout, stderr, stepSummary: readFileSync(stepSummaryFile, 'utf8') }),
    );
  });
}

/** A copy of a sample submission in a fresh folder of its own (the folder name is the id). */
function copySample(name: string): string {
  const dir = join(mkdtempSync(join(root, 'sub-')), name);
  cpSync(join(PROJECT, 'submissions', name), dir, { recursive: true });
  return dir;
}

/** Every file under `dir`, concatenated (to look for leaked text). */
function allText(dir: string): string {
  if (!existsSync(dir)) return '';
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'))
    .join('\n');
}

function options(outDir: string, extra: Partial<GradePrOptions> = {}): GradePrOptions {
  return { submissionDir: '/nowhere', outDir, audience: 'staff', githubActions: false, ...extra };
}

const OK_RUN: GraderRun = { code: 0, signal: null };
/** What a staff publishResults leaves in OUT_DIR: every report and the summary. */
const STAFF_OUTPUTS = ['classroom', 'feedback', 'junit.xml', 'report.json', 'report.md', 'summary.md'];

// --- a hand-written report: a failing public check, a failing hidden one, diagnoses --------------

const HIDDEN_SECRET = 'the correct value is 0.612850';
const DIAGNOSIS = 'gradB.skip-first';

function handReport(score = 7.5): GradeReport {
  return gradeReport({
    rubric: { source: 'grader/rubric.default.yaml', name: 'Test rubric', maxScore: 20, items: [] },
    submissions: [
      submission({
        id: 'alice',
        score,
        maxScore: 20,
        checks: [
          check({ id: 'contract.exports', target: 'T.contract.exports', status: 'passed', points: 4, maxPoints: 4 }),
          check({
            id: 'forward.shape',
            target: 'T.forward.shape',
            status: 'failed',
            points: 0,
            maxPoints: 3,
            message: 'hidden has 3 rows | expected 24\nsecond line of the message',
            diagnosis: DIAGNOSIS,
            replay: { seed: 42, path: '0:1' },
          }),
          check({
            id: 'grad.b.value',
            target: 'T.grad.b.value',
            status: 'failed',
            points: 0,
            maxPoints: 6,
            message: `computeGradB is wrong at b[0]: ${HIDDEN_SECRET}`,
            visibility: 'hidden',
            diagnosis: DIAGNOSIS,
            replay: { seed: 7, path: '3' },
          }),
          check({
            id: 'train.converges',
            target: 'T.train.converges',
            status: 'passed',
            points: 3.5,
            maxPoints: 7,
            message: 'mean of the last 25 losses: 0.04',
          }),
        ],
        warnings: ['type error in rnn.ts:3: something'],
      }),
    ],
  });
}

/** Writes a report folder as the grader would (report.json, feedback/, classroom/, junit.xml). */
function writeReportDir(report: GradeReport): string {
  const dir = mkdtempSync(join(root, 'report-'));
  writeFileSync(join(dir, 'report.json'), JSON.stringify(report));
  writeFileSync(join(dir, 'report.md'), `staff report: ${HIDDEN_SECRET}\n`);
  writeFileSync(join(dir, 'junit.xml'), renderJunit(report));
  mkdirSync(join(dir, 'feedback'));
  writeFileSync(join(dir, 'feedback', 'alice.md'), 'feedback for alice\n');
  mkdirSync(join(dir, 'classroom'));
  writeFileSync(join(dir, 'classroom', 'alice.json'), '{}\n');
  return dir;
}

describe('PASS_MARK', () => {
  test('unset, empty or blank: no pass mark', () => {
    expect(parsePassMark(undefined)).toBeUndefined();
    expect(parsePassMark('')).toBeUndefined();
    expect(parsePassMark('  ')).toBeUndefined();
  });

  test('points and percentages', () => {
    expect(parsePassMark('60')).toEqual({ kind: 'points', value: 60, text: '60' });
    expect(parsePassMark(' 62.5 ')).toEqual({ kind: 'points', value: 62.5, text: '62.5' });
    expect(parsePassMark('60%')).toEqual({ kind: 'percent', value: 60, text: '60%' });
    expect(parsePassMark('62.5 %')).toEqual({ kind: 'percent', value: 62.5, text: '62.5%' });
  });

  test.each(['abc', '-5', '60%%', '150%', '6 0', '1e3', '60 points'])(
    'rejects %j with a message saying what is accepted',
    (text) => {
      expect(() => parsePassMark(text)).toThrow(PassMarkError);
      expect(() => parsePassMark(text)).toThrow(/PASS_MARK is/);
    },
  );

  test('reached at or above the mark, in hundredths of a point; percentages of the maximum', () => {
    const submission = { score: 94, maxScore: 100 };
    expect(judgePassMark(submission, undefined)).toEqual({ passed: true });
    expect(judgePassMark(submission, parsePassMark('94')).passed).toBe(true);
    expect(judgePassMark(submission, parsePassMark('94.01')).passed).toBe(false);
    expect(judgePassMark(submission, parsePassMark('94%')).passed).toBe(true);
    expect(judgePassMark(submission, parsePassMark('95%')).passed).toBe(false);
    expect(judgePassMark({ score: 30, maxScore: 50 }, parsePassMark('60%'))).toMatchObject({
      needed: 30,
      passed: true,
    });
    expect(judgePassMark({ score: 29.99, maxScore: 50 }, parsePassMark('60%')).passed).toBe(false);
    expect(judgePassMark(submission, parsePassMark('150')).problem).toMatch(/more than the maximum score 100/);
  });
});

describe('the summary (hand-written report)', () => {
  const summary = renderSummary(studentReport(handReport()), {
    passMark: parsePassMark('50%'),
    feedbackHint: 'Detailed feedback: `x`.',
  });

  test('a table with every check, its target, status and points, and the total', () => {
    expect(summary).toContain('## Grade: 7.5 / 20');
    expect(summary).toContain('| Check | Target | Status | Points |');
    expect(summary).toContain('| contract.exports | T.contract.exports | ✅ passed | 4 / 4 |');
    expect(summary).toContain('| grad.b.value (hidden) | T.grad.b.value | ❌ failed | 0 / 6 |');
    expect(summary).toContain('| train.converges | T.train.converges | ✅ passed | 3.5 / 7 |');
    expect(summary).toContain('| **Total** | | | **7.5 / 20** |');
    expect(summary).toContain('Pass mark: 10 points (50% of 20): **not reached**.');
    expect(summary).toContain('Detailed feedback: `x`.');
  });

  test("failing public checks' messages are shown, whole (multi-line ones in a code block)", () => {
    expect(summary).toContain('### Failing checks');
    expect(summary).toMatch(
      /\*\*forward\.shape\*\* \(T\.forward\.shape\): failed, 0 \/ 3 — \n\n```+text\nhidden has 3 rows \| expected 24\nsecond line of the message\n```+/,
    );
    expect(summary).toContain('replay: seed 42, path `0:1`');
  });

  test("hidden checks' messages, diagnoses and replays never appear; the generic text does", () => {
    expect(summary).not.toContain(HIDDEN_SECRET);
    expect(summary).not.toContain(DIAGNOSIS);
    expect(summary).not.toContain('seed 7');
    expect(summary).toContain('This hidden check gave a wrong result for T.grad.b.value.');
  });

  test('notes (the submission warnings) and grading problems', () => {
    expect(summary).toContain('### Notes');
    expect(summary).toContain('type error in rnn.ts:3: something');
    const report = handReport();
    report.warnings.push('The lab data could not be loaded');
    expect(renderSummary(studentReport(report), { incomplete: true })).toMatch(
      /not final[\s\S]*### Grading problems\n\n- The lab data could not be loaded/,
    );
  });

  test('student JUnit: no hidden message and no diagnosis (the staff one has both)', () => {
    const staff = renderJunit(handReport());
    expect(staff).toContain(HIDDEN_SECRET);
    expect(staff).toContain(DIAGNOSIS);
    const student = renderStudentJunit(handReport());
    expect(student).not.toContain(HIDDEN_SECRET);
    expect(student).not.toContain(DIAGNOSIS);
    expect(student).toContain('<testcase name="grad.b.value"');
    expect(student).toContain('hidden has 3 rows');
  });
});

describe('publishResults (after the grader ran)', () => {
  test('staff: every report and summary.md in OUT_DIR; exit 0 without a pass mark, 1 below it, 0 at it', () => {
    const reportDir = writeReportDir(handReport());
    const out = join(root, 'pub-staff');
    const none = publishResults(options(out), reportDir, OK_RUN);
    expect(none.exitCode).toBe(EXIT.ok);
    expect(readdirSync(out).sort()).toEqual(STAFF_OUTPUTS);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toBe(none.summary);
    expect(publishResults(options(out, { passMark: parsePassMark('8') }), reportDir, OK_RUN)).toMatchObject({
      exitCode: EXIT.belowPassMark,
      problem: 'The score 7.5/20 is below the pass mark 8.',
    });
    expect(publishResults(options(out, { passMark: parsePassMark('37.5%') }), reportDir, OK_RUN).exitCode).toBe(
      EXIT.ok,
    );
    expect(publishResults(options(out, { passMark: parsePassMark('40%') }), reportDir, OK_RUN)).toMatchObject({
      exitCode: EXIT.belowPassMark,
      problem: 'The score 7.5/20 is below the pass mark 40% (8 points).',
    });
    expect(publishResults(options(out, { passMark: parsePassMark('21') }), reportDir, OK_RUN)).toMatchObject({
      exitCode: EXIT.usage,
      problem: expect.stringMatching(/nobody can pass/),
    });
  });

  test('student: no staff report in OUT_DIR, a JUnit file without hidden messages; stale files replaced', () => {
    const reportDir = writeReportDir(handReport());
    const out = join(root, 'pub-student');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'report.json'), 'stale');
    writeFileSync(join(out, 'keep.txt'), 'not ours');
    const result = publishResults(options(out, { audience: 'student' }), reportDir, OK_RUN);
    expect(result.exitCode).toBe(EXIT.ok);
    expect(readdirSync(out).sort()).toEqual(['classroom', 'feedback', 'junit.xml', 'keep.txt', 'summary.md']);
    expect(allText(out)).not.toContain(HIDDEN_SECRET);
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toContain('<testcase name="grad.b.value"');
  });

  test('a grader crash, a killed grader, a missing or unreadable report: exit 3 with a clear message', () => {
    const empty = mkdtempSync(join(root, 'empty-'));
    const out = join(root, 'pub-crash');
    const crash = publishResults(options(out), empty, { code: 1, signal: null });
    expect(crash).toMatchObject({
      exitCode: EXIT.incomplete,
      problem: expect.stringMatching(/^The grader failed: it exited with code 1\. It wrote no report\./),
    });
    expect(crash.summary).toMatch(/^## Grade: not available/);
    expect(existsSync(out)).toBe(false);
    expect(publishResults(options(out), writeReportDir(handReport()), { code: 1, signal: null }).problem).toMatch(
      /wrote a report, which is not trusted/,
    );
    expect(publishResults(options(out), empty, { code: null, signal: 'SIGKILL' }).problem).toMatch(/killed by SIGKILL/);
    expect(
      publishResults(options(out), empty, { code: null, signal: null, spawnError: new Error('spawn ENOENT') }).problem,
    ).toMatch(/could not be started \(spawn ENOENT; was `npm ci` run/);
    expect(publishResults(options(out), empty, OK_RUN).problem).toMatch(
      /exited with code 0 but its report .*report\.json could not be read/,
    );
  });

  test('some checks could not run (grader exit 3): exit 3 even without a pass mark, the score marked not final', () => {
    const report = handReport();
    report.warnings.push(
      'The lab data could not be loaded, so the check that needs it (train.converges) is marked error',
    );
    const result = publishResults(options(join(root, 'pub-incomplete')), writeReportDir(report), {
      code: 3,
      signal: null,
    });
    expect(result.exitCode).toBe(EXIT.incomplete);
    expect(result.problem).toMatch(
      /could not run every check, so the score 7\.5\/20 is not final: The lab data could not be loaded/,
    );
    expect(result.summary).toContain('this score is not final');
  });
});

describe('set-up errors (before grading)', () => {
  test('grade-pr.sh on a folder without rnn.ts: exit 2, the reason on stderr and in the step summary', async () => {
    const dir = mkdtempSync(join(root, 'no-rnn-'));
    writeFileSync(join(dir, 'README.md'), 'hi');
    const run = await runScript([dir, join(root, 'out-no-rnn')], {}, root);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain('has no rnn.ts at its top');
    expect(run.stepSummary).toMatch(/^PREVIOUS STEP\n## Grade: not available\n[\s\S]*has no rnn\.ts at its top/);
    expect(existsSync(join(root, 'out-no-rnn'))).toBe(false);
  }, 30_000);

  test('a bad PASS_MARK or GRADE_AUDIENCE, wrong arguments, OUT_DIR above the submission: refused with the accepted forms', () => {
    const dir = copySample('correct-loops');
    const out = join(root, 'out-bad');
    expect(() => optionsFrom([dir, out], { PASS_MARK: 'sixty' }, root)).toThrow(
      'PASS_MARK is "sixty": expected a number of points (e.g. 60) or a percentage',
    );
    expect(() => optionsFrom([dir, out], { GRADE_AUDIENCE: 'teacher' }, root)).toThrow(
      'GRADE_AUDIENCE is "teacher": expected staff or student.',
    );
    expect(() => optionsFrom([dir], {}, root)).toThrow('usage: bash grader/ci/grade-pr.sh SUBMISSION_DIR OUT_DIR');
    expect(() => optionsFrom([dir, dir], {}, root)).toThrow('must not be SUBMISSION_DIR or a folder above it');
    expect(() => optionsFrom([dir, join(dir, '..')], {}, root)).toThrow(
      'must not be SUBMISSION_DIR or a folder above it',
    );
    const relative = optionsFrom(
      ['correct-loops', 'out'],
      { PASS_MARK: ' 60% ', RNN_LAB_DATA: 'data.csv', GRADE_AUDIENCE: 'student' },
      join(dir, '..'),
    );
    expect(relative).toMatchObject({
      submissionDir: dir,
      outDir: join(dir, '..', 'out'),
      dataFile: join(dir, '..', 'data.csv'),
      audience: 'student',
      passMark: { kind: 'percent', value: 60 },
    });
    expect(optionsFrom([dir, join(dir, 'grade-report')], {}, root)).toMatchObject({
      audience: 'staff',
      passMark: undefined,
      dataFile: undefined,
    });
  });
});

const withData = DATA ? describe : describe.skip;
if (!DATA) {
  console.warn(
    'NOTE: grade-pr.sh end-to-end tests SKIPPED: RNN_LAB_DATA is not set (they grade two samples with the real data). Set RNN_LAB_DATA=/path/to/pollution.csv to run them.',
  );
}

withData('grade-pr.sh end to end (real gradings)', () => {
  let correct: ScriptRun & { out: string };
  let wrong: ScriptRun & { out: string };
  const wrongSubmission = () =>
    (JSON.parse(readFileSync(join(wrong.out, 'report.json'), 'utf8')) as GradeReport).submissions[0];

  beforeAll(async () => {
    [correct, wrong] = await gradings!;
  }, GRADING_TIMEOUT_MS);

  test('correct-loops (no PASS_MARK): exit 0, full marks, the reports in OUT_DIR', () => {
    expect({ code: correct.code, stderr: correct.code === 0 ? '' : correct.stderr }).toEqual({ code: 0, stderr: '' });
    expect(readdirSync(correct.out).sort()).toEqual(STAFF_OUTPUTS);
    expect(existsSync(join(correct.out, 'classroom', 'correct-loops.json'))).toBe(true);
    const report = JSON.parse(readFileSync(join(correct.out, 'report.json'), 'utf8')) as GradeReport;
    expect(report.submissions.map((s) => [s.id, s.status, s.score, s.maxScore])).toEqual([
      ['correct-loops', 'graded', 100, 100],
    ]);
  });

  test('the step summary: appended after the earlier content, the table and the total; the same on stdout', () => {
    expect(correct.stepSummary.startsWith('PREVIOUS STEP\n## Grade: 100 / 100\n')).toBe(true);
    expect(correct.stepSummary).toContain('| Check | Target | Status | Points |');
    expect(correct.stepSummary).toMatch(/^\| contract\.exports \| rnn\.ts \| ✅ passed \| \d+ \/ \d+ \|$/m);
    expect(correct.stepSummary).toContain('| **Total** | | | **100 / 100** |');
    expect(correct.stdout).toBe(readFileSync(join(correct.out, 'summary.md'), 'utf8'));
    expect(correct.stepSummary).toBe(`PREVIOUS STEP\n${correct.stdout}\n`);
    expect(correct.stdout).not.toContain('Failing');
  });

  test('grad-b-skip-first with PASS_MARK above its score (100%): exit 1, the score and the verdict in the summary', () => {
    const { score, maxScore } = wrongSubmission();
    expect(score).toBeLessThan(maxScore);
    expect(wrong.code).toBe(EXIT.belowPassMark);
    expect(wrong.stderr).toContain(
      `grade-pr: The score ${score}/${maxScore} is below the pass mark 100% (${maxScore} points).`,
    );
    expect(wrong.stepSummary).toContain(`| **Total** | | | **${score} / ${maxScore}** |`);
    expect(wrong.stepSummary).toContain(`Pass mark: ${maxScore} points (100% of ${maxScore}): **not reached**.`);
    expect(wrong.stepSummary).toMatch(
      /^\| grad\.b\.value \(hidden\) \| RNN\.computeGradB \| ❌ failed \| 0 \/ \d+ \|$/m,
    );
  });

  test("hidden checks' messages and diagnoses are not in the summary (they are in the staff report)", () => {
    const report = JSON.parse(readFileSync(join(wrong.out, 'report.json'), 'utf8')) as GradeReport;
    const hidden = report.submissions[0].checks.filter((c) => c.visibility === 'hidden' && c.status !== 'passed');
    expect(hidden.map((c) => c.id)).toEqual(['grad.b.value']);
    expect(hidden[0].message.length).toBeGreaterThan(20);
    expect(hidden[0].diagnosis).toBeDefined();
    for (const text of [wrong.stepSummary, wrong.stdout]) {
      expect(text).not.toContain(hidden[0].message);
      expect(text).not.toContain(hidden[0].message.slice(0, 30));
      expect(text).not.toContain(hidden[0].diagnosis!);
    }
    expect(wrong.stepSummary).toContain('This hidden check gave a wrong result for RNN.computeGradB.');
  });

  test('over the same grading: 0 with PASS_MARK at or below the score, 1 above it, percentages too', () => {
    const { score, maxScore } = wrongSubmission();
    const percent = (score / maxScore) * 100;
    const check = (passMark: string) =>
      publishResults(options(join(root, `again-${passMark}`), { passMark: parsePassMark(passMark) }), wrong.out, OK_RUN)
        .exitCode;
    expect(check(String(score))).toBe(EXIT.ok);
    expect(check(String(score / 2))).toBe(EXIT.ok);
    expect(check(`${Math.floor(percent)}%`)).toBe(EXIT.ok);
    expect(check('0%')).toBe(EXIT.ok);
    expect(check(String(score + 0.5))).toBe(EXIT.belowPassMark);
    expect(check(`${Math.floor(percent) + 1}%`)).toBe(EXIT.belowPassMark);
  });

  test('GRADE_AUDIENCE=student over the same grading: nothing in OUT_DIR shows a hidden message', () => {
    const report = JSON.parse(readFileSync(join(wrong.out, 'report.json'), 'utf8')) as GradeReport;
    const hidden = report.submissions[0].checks.find((c) => c.id === 'grad.b.value')!;
    const out = join(root, 'student-out');
    expect(publishResults(options(out, { audience: 'student' }), wrong.out, OK_RUN).exitCode).toBe(EXIT.ok);
    expect(readdirSync(out).sort()).toEqual(['classroom', 'feedback', 'junit.xml', 'summary.md']);
    const everything = allText(out);
    expect(everything).toContain('grad.b.value');
    expect(everything).not.toContain(hidden.message.slice(0, 30));
    expect(everything).not.toContain(hidden.diagnosis!);
  });
});

// --- the workflows -------------------------------------------------------------------------------

function workflow(path: string): {
  text: string;
  doc: { on: Record<string, unknown>; jobs: Record<string, { steps: WorkflowStep[] }> };
  steps: WorkflowStep[];
} {
  const text = readFileSync(join(PROJECT, path), 'utf8');
  const doc = parse(text);
  const jobs = Object.values(doc.jobs) as Array<{ steps: WorkflowStep[] }>;
  expect(jobs).toHaveLength(1);
  return { text, doc, steps: jobs[0].steps };
}

const uses = (steps: WorkflowStep[], action: string) => steps.filter((step) => step.uses?.split('@')[0] === action);
const indexOf = (steps: WorkflowStep[], step: WorkflowStep | undefined) => (step ? steps.indexOf(step) : -1);

// The handout's workflow (public checks only) is tested with the handout: tests/handout/workflow.test.ts.

describe("the project's own workflow (.github/workflows/test.yml)", () => {
  const { doc, steps } = workflow('.github/workflows/test.yml');

  test('runs on pull requests and pushes to main', () => {
    expect(doc.on).toHaveProperty('pull_request');
    expect((doc.on.push as { branches: string[] }).branches).toEqual(['main']);
  });

  test('restores the data set into the lab cache, points RNN_LAB_DATA at it, then runs .ci/run', () => {
    const cache = uses(steps, 'actions/cache')[0];
    expect(cache?.with?.path).toBe('~/.cache/rnn-lab');
    const data = steps.find((s) => s.run?.includes('sha256sum --check'));
    expect(data?.run).toContain('echo "RNN_LAB_DATA=$file" >>"$GITHUB_ENV"');
    const run = steps.find((s) => s.run?.trim() === 'bash .ci/run');
    expect(indexOf(steps, run)).toBeGreaterThan(indexOf(steps, data));
    expect(indexOf(steps, data)).toBeGreaterThan(indexOf(steps, cache));
  });
});
