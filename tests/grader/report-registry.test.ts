/**
 * The report-format registry: student-facing formats never show staff data (whatever format is
 * added), a staff report cannot be handed to a student renderer (the type check refuses), and
 * `--help` and the README list exactly the registry's formats and the exit-code table.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProgram } from '../../grader/cli';
import { EXIT } from '../../grader/exit-codes';
import type { GradeReport } from '../../grader/report-types';
import { FORMAT_REGISTRY, FORMATS, formatsMarkdown, renderReports } from '../../grader/reports';
import { renderClassroom } from '../../grader/reports/classroom';
import { studentReport } from '../../grader/reports/common';
import { renderGradescope } from '../../grader/reports/gradescope';
import { renderFeedbackFiles } from '../../grader/reports/markdown';

const STAFF_ONLY = ['HIDDEN-INPUT-7', 'DIAGNOSIS-ID', 'REPLAY-PATH-3'];

function report(): GradeReport {
  const base = { target: 'RNN.forward', item: 'RNN.forward', durationMs: 5, maxPoints: 2 };
  return {
    schemaVersion: 1,
    seed: 8,
    rubric: {
      source: 'r.yaml',
      name: 'r',
      maxScore: 4,
      items: [{ id: 'RNN.forward', kind: 'target', title: 'forward', maxPoints: 4, checks: ['f.public', 'f.hidden'] }],
    },
    sandbox: 'test',
    warnings: [],
    generatedAt: '2026-01-01T00:00:00.000Z',
    submissions: [
      {
        id: 'alice',
        path: 'alice',
        status: 'graded',
        score: 0,
        maxScore: 4,
        seed: 1,
        manual: [],
        warnings: [],
        durationMs: 10,
        checks: [
          {
            ...base,
            id: 'f.public',
            title: 'public',
            status: 'failed',
            points: 0,
            visibility: 'public',
            message: 'wrong value',
            diagnosis: 'DIAGNOSIS-ID',
          },
          {
            ...base,
            id: 'f.hidden',
            title: 'hidden',
            status: 'failed',
            points: 0,
            visibility: 'hidden',
            message: 'for HIDDEN-INPUT-7 expected 0.5',
            diagnosis: 'DIAGNOSIS-ID',
            replay: { seed: 3, path: 'REPLAY-PATH-3' },
          },
        ],
      },
    ],
  };
}

test.each(FORMAT_REGISTRY.filter((entry) => entry.audience === 'student').map((entry) => entry.name))(
  'the student format %s shows no hidden message, diagnosis or hidden replay',
  (name) => {
    const files = renderReports(report(), [name]);
    expect(files.size).toBeGreaterThan(0);
    for (const text of files.values()) for (const secret of STAFF_ONLY) expect(text).not.toContain(secret);
  },
);

test('the staff report.json does hold them (so the test above can fail)', () => {
  const text = renderReports(report(), ['json']).get('report.json')!;
  for (const secret of STAFF_ONLY) expect(text).toContain(secret);
});

test('a student renderer refuses a staff report at compile time', () => {
  const staff = report();
  const tryStaff = () => {
    // @ts-expect-error a GradeReport is not a StudentReport (no audience tag; diagnoses)
    renderGradescope(staff);
    // @ts-expect-error the same for Classroom
    renderClassroom(staff);
    // @ts-expect-error and for the feedback files
    renderFeedbackFiles(staff);
  };
  expect(typeof tryStaff).toBe('function');
  expect(renderGradescope(studentReport(staff)).size).toBe(1);
});

test('format names are unique, and each owned folder belongs to one format', () => {
  expect(new Set(FORMATS).size).toBe(FORMATS.length);
  const folders = FORMAT_REGISTRY.flatMap((entry) => ('owns' in entry ? [entry.owns.folder] : []));
  expect(new Set(folders).size).toBe(folders.length);
});

/** The rows of a Markdown table between two markers, cells trimmed (prettier pads them). */
function tableBetween(text: string, begin: string, end: string): string[][] {
  const start = text.indexOf(begin);
  const stop = text.indexOf(end, start);
  expect(start).toBeGreaterThanOrEqual(0);
  expect(stop).toBeGreaterThan(start);
  return text
    .slice(start, stop)
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|[\s|:-]+\|$/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
}

const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

test("the README's format table is the registry's", () => {
  expect(tableBetween(README, '<!-- formats:begin', '<!-- formats:end')).toEqual(
    tableBetween(`${formatsMarkdown()}\n<end>`, '|', '<end>'),
  );
});

test("the README's exit-code table lists every code of grader/exit-codes.ts", () => {
  const codes = tableBetween(README, '<!-- exit-codes:begin', '<!-- exit-codes:end')
    .slice(1)
    .map((row) => Number(row[0]));
  expect(codes).toEqual([...new Set(Object.values(EXIT))].sort());
});

test('--help lists every format with its files and audience, and every exit code', () => {
  let help = '';
  const program = buildProgram(
    { grade: async () => 0, merge: async () => 0 },
    { writeOut: (text) => (help += text), writeErr: () => {} },
  );
  program.outputHelp();
  for (const entry of FORMAT_REGISTRY)
    expect(help).toMatch(
      new RegExp(`\\n  ${entry.name}\\*?\\s+${entry.files.replace(/[/.<>]/g, '\\$&')}\\s+${entry.audience}\\s`),
    );
  for (const code of Object.values(EXIT)) expect(help).toMatch(new RegExp(`\\n  ${code}  \\S`));
});
