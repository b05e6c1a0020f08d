/**
 * A real graded batch with hostile folder names, written in EVERY format through the command
 * line, each output read by its real reader (tests/helpers/consumers.ts): junit.xml by Jenkins'
 * XSD (xmllint), xml-js and xml2js; report.md and feedback by markdown-it; the CSV files by
 * csv-parse; results.json by the Gradescope schema (ajv); the Classroom files by the reporter's
 * arithmetic; report.html by parse5. The batch is small and fast: hostile-named copies of a
 * sample that does not compile (nothing to run) and one that throws everywhere (real check
 * errors), graded on checks that need no data set.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { xml2js as xmlJsParse } from 'xml-js';
import { parseStringPromise } from 'xml2js';
import { escapeName } from '../../grader/discover';
import type { GradeReport } from '../../grader/report-types';
import { githubEnv } from '../../grader/reports/classroom';
import { fileNameFor } from '../../grader/reports/common';
import { xmlSafe } from '../../grader/reports/junit';
import { looksLikeFormula } from '../../grader/roster-file';
import { runReporter } from '../helpers/classroom-reporter';
import {
  CONTROL_CHARACTER,
  gradescopeValidator,
  haveXmllint,
  htmlProblems,
  markdownProblems,
  markdownTables,
  validateJunitXsd,
} from '../helpers/consumers';

const ROOT = join(__dirname, '..', '..');
/** Folder names: anything Linux allows (no `/`, no NUL). */
const NAMES = [
  '=HYPERLINK("evil.example","x")',
  'bob <img src=x onerror=alert(1)> | `tick` &nbsp;&#1;]]>',
  'carol\r\n::error::pwned',
  '\u001b[31mdave\u0007',
  '-frank',
];
const THROWS = '@erin+1';

if (!haveXmllint)
  console.warn(
    '\n\n*** xmllint NOT FOUND: junit.xml is not checked against junit-10.xsd here. Install libxml2-utils (.ci/install-system-deps.sh). ***\n\n',
  );

let root: string;
let out: string;
let report: GradeReport;
let run: { status: number | null; stderr: string };
const read = (file: string) => readFileSync(join(out, file), 'utf8');

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'hostile-formats-'));
  for (const name of NAMES)
    cpSync(join(ROOT, 'submissions', 'broken-syntax-error'), join(root, 'batch', name), { recursive: true });
  cpSync(join(ROOT, 'submissions', 'broken-throws'), join(root, 'batch', THROWS), { recursive: true });
  writeFileSync(
    join(root, 'rubric.yaml'),
    'name: "=Lab | <b>8</b> & `co`"\nitems:\n  - check: contract.exports\n    points: 1\n  - check: loss.mse\n    points: 1.5\n',
  );
  mkdirSync(join(root, 'out'));
  out = join(root, 'out');
  const grade = spawnSync(
    join(ROOT, 'node_modules', '.bin', 'tsx'),
    [
      join(ROOT, 'grader', 'cli.ts'),
      'batch',
      '--rubric',
      'rubric.yaml',
      '--jobs',
      '2',
      '--timeout',
      '60',
      '--format',
      'json,md,feedback,junit,csv,gradescope,classroom,html,canvas,moodle',
      '--out',
      'out',
    ],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', NO_COLOR: '1' },
      timeout: 400_000,
    },
  );
  run = { status: grade.status, stderr: grade.stderr };
  report = JSON.parse(read('report.json')) as GradeReport;
}, 420_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

test('the batch is graded: every hostile folder is a submission, the one that runs has real check errors', () => {
  expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
  // Control characters in a folder name are escaped in its id (%XX) by discovery; the rest reaches every format.
  expect(report.submissions.map((s) => s.id).sort()).toEqual(
    [...NAMES.map((name) => escapeName(Buffer.from(name))), THROWS].sort(),
  );
  const throws = report.submissions.find((s) => s.id === THROWS)!;
  expect(throws.status).toBe('graded');
  expect(throws.checks.some((check) => check.status === 'error' && check.message !== '')).toBe(true);
  // The console showed the names without acting on them.
  expect(run.stderr).not.toMatch(/\u001b\[31m/);
});

(haveXmllint ? test : test.skip)('junit.xml: valid against Jenkins junit-10.xsd', () => {
  expect(validateJunitXsd(read('junit.xml'))).toEqual({ status: 0, stderr: expect.stringContaining('validates') });
});

test('junit.xml: xml-js and xml2js read one suite per submission and every test case', async () => {
  const xml = read('junit.xml');
  const compact = xmlJsParse(xml, { compact: true }) as { testsuites: { testsuite: Array<{ testcase: unknown[] }> } };
  expect(compact.testsuites.testsuite).toHaveLength(report.submissions.length);
  expect(compact.testsuites.testsuite.flatMap((suite) => suite.testcase)).toHaveLength(report.submissions.length * 2);
  const doc = (await parseStringPromise(xml)) as { testsuites: { testsuite: Array<{ $: { name: string } }> } };
  expect(doc.testsuites.testsuite.map((suite) => suite.$.name).sort()).toEqual(
    report.submissions.map((s) => xmlSafe(s.id.replace(/\r\n?/g, '\n'))).sort(),
  );
});

test('report.md and every feedback file: markdown-it finds the tables whole and nothing raw', () => {
  const markdown = read('report.md');
  expect(markdownProblems(markdown)).toEqual([]);
  const [scores] = markdownTables(markdown);
  expect(scores.map((row) => row.length)).toEqual(Array(report.submissions.length + 1).fill(9));
  const feedback = readdirSync(join(out, 'feedback'));
  expect(feedback.sort()).toEqual(report.submissions.map((s) => `${fileNameFor(s.id)}.md`).sort());
  for (const file of feedback) expect([file, markdownProblems(read(`feedback/${file}`))]).toEqual([file, []]);
});

test('gradebook.csv, canvas.csv, moodle.csv: csv-parse reads one record per submission, no cell a spreadsheet would run', () => {
  for (const [file, headerRows] of [
    ['gradebook.csv', 1],
    ['canvas.csv', 2],
    ['moodle.csv', 1],
  ] as const) {
    const rows = parseCsv(read(file)) as string[][];
    expect([file, rows.length]).toEqual([file, report.submissions.length + headerRows]);
    expect([file, rows.flat().filter(looksLikeFormula)]).toEqual([file, []]);
  }
  expect(run.stderr).toContain('WARNING: canvas.csv: 3 identifier(s) start like a spreadsheet formula');
});

test("gradescope/*/results.json: valid against the schema written from Gradescope's spec, all plain text", () => {
  const validate = gradescopeValidator();
  for (const submission of report.submissions) {
    const results = JSON.parse(read(`gradescope/${fileNameFor(submission.id)}/results.json`)) as {
      output: string;
      output_format: string;
    };
    expect([submission.id, validate(results), validate.errors]).toEqual([submission.id, true, null]);
    expect(results.output_format).toBe('text');
    expect(results.output).not.toMatch(CONTROL_CHARACTER);
  }
});

test("classroom/*.json: the reporter's table and recorded grade equal each score; its log runs no command", () => {
  for (const submission of report.submissions) {
    const { env, output } = githubEnv(JSON.parse(read(`classroom/${fileNameFor(submission.id)}.json`)));
    const vars = Object.fromEntries(
      env
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    const reporter = runReporter(output.trim().slice('runners='.length), vars);
    expect([
      submission.id,
      Math.round(reporter.tableTotal.score * 100),
      Math.round(reporter.notice!.totalPoints * 100),
      reporter.notice!.maxPoints,
    ]).toEqual([
      submission.id,
      Math.round(submission.score * 100),
      Math.round(submission.score * 100),
      submission.maxScore,
    ]);
    expect(
      reporter.log.filter((line) => /^\s*::/.test(line) && !line.startsWith('::notice title=Autograding')),
    ).toEqual([]);
    expect(reporter.log.filter((line) => CONTROL_CHARACTER.test(line))).toEqual([]);
  }
});

test('report.html: parse5 parses it without an error; no element or handler from a submission', () => {
  expect(htmlProblems(read('report.html'))).toEqual([]);
  // Graded with html: the test-split evaluation was asked for (no submission here trains, so none is shown).
  expect(read('report.html')).not.toContain('graded without it');
});
