/**
 * The gradebook exports LMSs import: Canvas (gradebook import CSV) and Moodle (grade import CSV),
 * from a fixed, hand-written report: exact bytes, with and without a roster. Then the hostile
 * batch (tests/helpers/hostile-report.ts) read back with csv-parse: no cell a spreadsheet would
 * run, identifiers that start like a formula named in a warning, rosters that lack an identifier
 * refused by the command line unless the TA opts out, and Canvas's assignment id.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { CheckReport, GradeReport } from '../../grader/report-types';
import { parseRoster, renderCanvas, RosterError } from '../../grader/reports/canvas';
import { renderGradebook } from '../../grader/reports/csv';
import { moodleFeedback, renderMoodle } from '../../grader/reports/moodle';
import { checkRosterIdentifiers, formulaIdentifierWarnings, looksLikeFormula } from '../../grader/roster-file';
import { HOSTILE_IDS, hostileReport } from '../helpers/hostile-report';
import { check, gradeReport, submission } from '../helpers/report-fixtures';
import type { CheckFields } from '../helpers/report-fixtures';

/** A check whose message no gradebook may show (the exports carry scores, never messages). */
function secretCheck(fields: CheckFields): CheckReport {
  return check({ ...fields, message: `SECRET message of ${fields.id}` });
}

const REPORT: GradeReport = gradeReport({
  rubric: {
    source: 'rubric.yaml',
    name: 'Lab 8 RNN',
    maxScore: 12.5,
    items: ['contract.exports', 'forward.shape', 'forward.value'].map((id) => ({
      id,
      kind: 'check' as const,
      title: id,
      maxPoints: 4,
      checks: [id],
    })),
  },
  submissions: [
    submission({
      id: 'alice',
      score: 12.5,
      maxScore: 12.5,
      checks: [
        secretCheck({ id: 'contract.exports', status: 'passed', points: 0, maxPoints: 0 }),
        secretCheck({ id: 'forward.shape', status: 'passed', points: 4.5, maxPoints: 4.5 }),
        secretCheck({ id: 'forward.value', status: 'passed', points: 8, maxPoints: 8 }),
      ],
    }),
    submission({
      id: 'bob, jr',
      score: 4.5,
      maxScore: 12.5,
      checks: [
        secretCheck({ id: 'contract.exports', status: 'failed', points: 0, maxPoints: 0 }),
        secretCheck({ id: 'forward.shape', status: 'passed', points: 4.5, maxPoints: 4.5 }),
        secretCheck({ id: 'forward.value', status: 'timeout', points: 0, maxPoints: 8, visibility: 'hidden' }),
      ],
    }),
    submission({
      id: 'carol',
      score: 0,
      maxScore: 12.5,
      checks: [
        secretCheck({ id: 'contract.exports', status: 'skipped', points: 0, maxPoints: 0 }),
        secretCheck({ id: 'forward.shape', status: 'skipped', points: 0, maxPoints: 4.5 }),
        secretCheck({ id: 'forward.value', status: 'skipped', points: 0, maxPoints: 8 }),
      ],
      status: 'error',
      error: 'rnn.ts:3:1: Unexpected "}"\nmore detail',
    }),
    submission({
      id: 'dave',
      score: 2 / 3,
      maxScore: 12.5,
      checks: [
        secretCheck({ id: 'contract.exports', status: 'passed', points: 0, maxPoints: 0 }),
        secretCheck({ id: 'forward.shape', status: 'failed', points: 2 / 3, maxPoints: 4.5 }),
        secretCheck({ id: 'forward.value', status: 'failed', points: 0, maxPoints: 8 }),
      ],
    }),
  ],
});

const ROSTER = parseRoster(
  [
    'id,Name,Canvas ID,SIS User ID,SIS Login ID,Section,Email,Username,idnumber,extra',
    'alice,"Smith, Alice",101,S-1,asmith,Tue lab,alice@uni.example,asmith,20250001,x',
    '"bob, jr",Bob Jr.,,,,,,,,',
    'zoe,Zoe,,,,,,,,',
  ].join('\n'),
  'roster.csv',
);

describe('Canvas', () => {
  test('the gradebook import layout, the submission id as SIS Login ID, a new assignment', () => {
    expect(renderCanvas(REPORT)).toBe(
      [
        'Student,ID,SIS User ID,SIS Login ID,Section,Lab 8 RNN',
        'Points Possible,,,,,12.5',
        'alice,,,alice,,12.5',
        '"bob, jr",,,"bob, jr",,4.5',
        'carol,,,carol,,0',
        'dave,,,dave,,0.67',
        '',
      ].join('\n'),
    );
  });

  test('an existing assignment, another id column, and a roster', () => {
    expect(
      renderCanvas(REPORT, { assignmentName: 'RNN lab', assignmentId: 4711, idColumn: 'SIS User ID' })
        .split('\n')
        .slice(0, 3),
    ).toEqual([
      'Student,ID,SIS User ID,SIS Login ID,Section,RNN lab (4711)',
      'Points Possible,,,,,12.5',
      'alice,,alice,,,12.5',
    ]);
    expect(renderCanvas(REPORT, { roster: ROSTER, assignmentId: '99' })).toBe(
      [
        'Student,ID,SIS User ID,SIS Login ID,Section,Lab 8 RNN (99)',
        'Points Possible,,,,,12.5',
        '"Smith, Alice",101,S-1,asmith,Tue lab,12.5',
        // In the roster, but with no Canvas id: the submission id fills the id column.
        'Bob Jr.,,,"bob, jr",,4.5',
        'carol,,,carol,,0',
        'dave,,,dave,,0.67',
        '',
      ].join('\n'),
    );
  });
});

describe('Moodle', () => {
  test('identifier, grade and student-facing feedback (no messages)', () => {
    const csv = renderMoodle(REPORT);
    expect(csv).toBe(
      [
        'ID number,Lab 8 RNN,Lab 8 RNN (Feedback)',
        'alice,12.5,Autograder: 12.5/12.5. Every check passed.',
        '"bob, jr",4.5,"Autograder: 4.5/12.5. Not passed: contract.exports (failed), forward.value (timeout)."',
        'carol,0,"Autograder: 0/12.5. Could not be graded: rnn.ts:3:1: Unexpected ""}"""',
        'dave,0.67,"Autograder: 0.67/12.5. Not passed: forward.shape (failed), forward.value (failed)."',
        '',
      ].join('\n'),
    );
    expect(csv).not.toContain('SECRET');
  });

  test('other identifiers, a roster, no feedback column', () => {
    expect(
      renderMoodle(REPORT, { identifier: 'email', roster: ROSTER, feedback: false, gradeColumn: 'Assignment: RNN' }),
    ).toBe(
      ['Email address,Assignment: RNN', 'alice@uni.example,12.5', '"bob, jr",4.5', 'carol,0', 'dave,0.67', ''].join(
        '\n',
      ),
    );
    expect(
      renderMoodle(REPORT, { identifier: 'username', roster: ROSTER, feedback: false }).split('\n').slice(0, 2),
    ).toEqual(['Username,Lab 8 RNN', 'asmith,12.5']);
    expect(renderMoodle(REPORT, { roster: ROSTER, feedback: false }).split('\n')[1]).toBe('20250001,12.5');
  });

  test('a long error is cut to one short line', () => {
    const long = submission({
      id: 'x',
      score: 0,
      maxScore: 12.5,
      status: 'error',
      error: `${'e'.repeat(300)}\nsecond line`,
    });
    expect(moodleFeedback(long)).toBe(`Autograder: 0/12.5. Could not be graded: ${'e'.repeat(199)}…`);
  });
});

describe('roster', () => {
  test('columns are matched loosely; unknown ones ignored; empty cells unknown', () => {
    expect(ROSTER.get('alice')).toEqual({
      id: 'alice',
      name: 'Smith, Alice',
      canvasId: '101',
      sisUserId: 'S-1',
      sisLoginId: 'asmith',
      section: 'Tue lab',
      email: 'alice@uni.example',
      username: 'asmith',
      idNumber: '20250001',
    });
    expect(ROSTER.get('bob, jr')).toEqual({ id: 'bob, jr', name: 'Bob Jr.' });
    expect(ROSTER.get('zoe')).toEqual({ id: 'zoe', name: 'Zoe' });
  });

  test('a roster without an id column, with a repeated id or a row without id is an error', () => {
    expect(() => parseRoster('name,email\nA,a@x\n', 'r.csv')).toThrow(
      new RosterError('r.csv has no "id" column (the submission id); its columns: name, email'),
    );
    expect(() => parseRoster('id,name\na,A\na,B\n', 'r.csv')).toThrow(
      'r.csv, line 3: the submission id "a" is listed twice',
    );
    expect(() => parseRoster('id,name\n,A\n', 'r.csv')).toThrow('r.csv, line 2: no submission id');
    expect(() => parseRoster('', 'r.csv')).toThrow('r.csv is empty');
  });
});

describe('the hostile batch, read back with csv-parse', () => {
  const report = hostileReport();
  const read = (csv: string) => parse(csv, { relax_column_count: false }) as string[][];
  /** What a formula-like cell becomes: a leading ' (csv-stringify's escape_formulas). */
  const escaped = (cell: string) => (looksLikeFormula(cell) ? `'${cell}` : cell);

  test.each([
    ['gradebook.csv', () => renderGradebook(report), 1],
    ['canvas.csv', () => renderCanvas(report, { assignmentId: '4711' }), 2],
    ['moodle.csv', () => renderMoodle(report), 1],
  ] as const)(
    '%s: one record per submission, every cell inert, ids kept (behind a quote where they look like formulas)',
    (_file, render, headerRows) => {
      const rows = read(render());
      expect(rows).toHaveLength(report.submissions.length + headerRows);
      const width = rows[0].length;
      for (const row of rows) {
        expect(row).toHaveLength(width);
        for (const cell of row) expect([cell, looksLikeFormula(cell)]).toEqual([cell, false]);
      }
      const body = rows.slice(headerRows);
      expect(body.map((row) => row[_file === 'canvas.csv' ? 3 : 0])).toEqual(
        report.submissions.map((s) => escaped(s.id)),
      );
    },
  );

  test('the Canvas assignment column carries the id; the rubric name cannot start a formula there either', () => {
    const [header] = read(renderCanvas(report, { assignmentId: '4711' }));
    expect(header.slice(0, 5)).toEqual(['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section']);
    expect(header[5]).toBe(`'${report.rubric.name} (4711)`);
  });

  test('identifier cells that start like a formula are named in one loud warning per file', () => {
    const warnings = formulaIdentifierWarnings(report, ['csv', 'canvas', 'moodle']);
    expect(warnings).toHaveLength(3);
    for (const [warning, file] of warnings.map((w, i) => [w, ['gradebook.csv', 'canvas.csv', 'moodle.csv'][i]])) {
      expect(warning.startsWith(`${file}: 3 identifier(s) start like a spreadsheet formula`)).toBe(true);
      for (const id of [HOSTILE_IDS.formula, HOSTILE_IDS.at, HOSTILE_IDS.minus])
        expect(warning).toContain(JSON.stringify(id));
    }
    // With a roster that gives clean identifiers, nothing to warn about in the LMS files.
    const roster = parseRoster(
      stringify([
        ['id', 'sis_login_id', 'idnumber'],
        ...report.submissions.map((s, i) => [s.id, `login${i}`, String(1000 + i)]),
      ]),
    );
    expect(roster.size).toBe(report.submissions.length);
    expect(formulaIdentifierWarnings(report, ['canvas', 'moodle'], { roster })).toEqual([]);
  });
});

describe('a roster that lacks an identifier', () => {
  const roster = parseRoster('id,name,sis_login_id,idnumber,email\nalice,Alice,asmith,,alice@x\nbob,Bob,,2002,\n');

  test('is refused, naming the submissions, for the format that needs it', () => {
    expect(() =>
      checkRosterIdentifiers(['alice', 'bob', 'carol'], ['canvas'], { roster, rosterShown: 'roster.csv' }),
    ).toThrow(
      new RosterError(
        'canvas.csv needs a canvas_id, sis_user_id or sis_login_id for 2 submission(s) that roster.csv does not give one for: "bob", "carol". Add them to the roster, or pass --allow-submission-ids to export those rows under their submission id.',
      ),
    );
    expect(() => checkRosterIdentifiers(['alice', 'bob'], ['moodle'], { roster, rosterShown: 'roster.csv' })).toThrow(
      'moodle.csv needs the ID number (idnumber) of 1 submission(s) that roster.csv does not give it for: "alice".',
    );
    expect(() =>
      checkRosterIdentifiers(['alice', 'bob'], ['moodle'], {
        roster,
        rosterShown: 'roster.csv',
        moodleIdentifier: 'email',
      }),
    ).toThrow(
      'moodle.csv needs the Email address (email) of 1 submission(s) that roster.csv does not give it for: "bob".',
    );
  });

  test('passes when the TA opts out, when the formats do not need it, or without a roster', () => {
    expect(() =>
      checkRosterIdentifiers(['alice', 'bob', 'carol'], ['canvas', 'moodle'], { roster, allowSubmissionIds: true }),
    ).not.toThrow();
    expect(() => checkRosterIdentifiers(['carol'], ['json', 'csv', 'md'], { roster })).not.toThrow();
    expect(() => checkRosterIdentifiers(['carol'], ['canvas', 'moodle'], {})).not.toThrow();
  });

  test('the command line: exit 2 naming them, --allow-submission-ids, --canvas-assignment-id', () => {
    const root = mkdtempSync(join(tmpdir(), 'lms-cli-'));
    const project = join(__dirname, '..', '..');
    const cli = (args: string[]) =>
      spawnSync(join(project, 'node_modules', '.bin', 'tsx'), [join(project, 'grader', 'cli.ts'), ...args], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
        timeout: 170_000,
      });
    try {
      const report = hostileReport();
      report.submissions = report.submissions.filter((s) => s.id === HOSTILE_IDS.formula || s.id === HOSTILE_IDS.minus);
      writeFileSync(join(root, 'report.json'), JSON.stringify(report));
      writeFileSync(join(root, 'roster.csv'), `id,sis_login_id\n"${HOSTILE_IDS.formula.replace(/"/g, '""')}",alice1\n`);
      const refused = cli(['merge', root, '--out', 'out1', '--format', 'canvas', '--roster', 'roster.csv']);
      expect({ status: refused.status, stderr: refused.stderr }).toEqual({
        status: 2,
        stderr: expect.stringContaining(
          'canvas.csv needs a canvas_id, sis_user_id or sis_login_id for 1 submission(s) that roster.csv does not give one for: "-frank"',
        ),
      });
      const allowed = cli([
        'merge',
        root,
        '--out',
        'out2',
        '--format',
        'canvas',
        '--roster',
        'roster.csv',
        '--allow-submission-ids',
        '--canvas-assignment-id',
        '4711',
      ]);
      expect({ status: allowed.status, stderr: allowed.stderr }).toEqual({
        status: 0,
        stderr: expect.stringContaining('WARNING: canvas.csv: 1 identifier(s) start like a spreadsheet formula'),
      });
      const rows = parse(readFileSync(join(root, 'out2', 'canvas.csv'), 'utf8')) as string[][];
      expect(rows[0][5]).toBe(`'${report.rubric.name} (4711)`);
      expect(
        rows
          .slice(2)
          .map((row) => row[3])
          .sort(),
      ).toEqual(["'-frank", 'alice1']);
      expect(cli(['merge', root, '--out', 'out3', '--format', 'canvas', '--canvas-assignment-id', 'abc']).status).toBe(
        2,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 200_000);
});

describe('a row the grader failed on (cause: grader)', () => {
  const report = hostileReport();
  report.submissions[0].cause = 'grader';
  // Rows follow the submissions' order, after the header (and Canvas' "Points Possible" row).
  const scores = (csv: string, skip: number, column: (row: string[]) => string) =>
    (parse(csv) as string[][]).slice(skip).map(column);

  test('gets an empty score cell in every gradebook import, never a number the student did not earn', () => {
    const earned = report.submissions.slice(1).map((submission) => String(submission.score));
    expect(scores(renderGradebook(report), 1, (row) => row[2])).toEqual(['', ...earned]);
    expect(scores(renderCanvas(report), 2, (row) => row[row.length - 1])).toEqual(['', ...earned]);
    expect(scores(renderMoodle(report), 1, (row) => row[1])).toEqual(['', ...earned]);
    expect(moodleFeedback(report.submissions[0])).toMatch(/not graded yet .*not in your work/);
  });
});
