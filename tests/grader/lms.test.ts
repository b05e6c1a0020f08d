/**
 * The gradebook exports LMSs import: Canvas (gradebook import CSV) and Moodle (grade import CSV),
 * from a fixed, hand-written report: exact bytes, with and without a roster.
 */
import type { CheckReport, GradeReport, SubmissionReport } from '../../grader/report-types';
import { parseRoster, renderCanvas, RosterError } from '../../grader/reports/canvas';
import { moodleFeedback, renderMoodle } from '../../grader/reports/moodle';

function check(id: string, status: CheckReport['status'], points: number, maxPoints: number, visibility: CheckReport['visibility'] = 'public'): CheckReport {
  return { id, target: 'RNN.forward', title: id, status, points, maxPoints, visibility, message: `SECRET message of ${id}`, item: id, durationMs: 3 };
}

function submission(id: string, score: number, checks: CheckReport[], extra: Partial<SubmissionReport> = {}): SubmissionReport {
  return { id, path: `submissions/${id}`, status: 'graded', score, maxScore: 12.5, seed: 1, checks, manual: [], warnings: [], durationMs: 5, ...extra };
}

const REPORT: GradeReport = {
  schemaVersion: 1,
  seed: 8,
  rubric: {
    source: 'rubric.yaml',
    name: 'Lab 8 RNN',
    maxScore: 12.5,
    items: ['contract.exports', 'forward.shape', 'forward.value'].map((id) => ({ id, kind: 'check' as const, title: id, maxPoints: 4, checks: [id] })),
  },
  sandbox: 'fake',
  warnings: [],
  generatedAt: '2025-01-01T00:00:00.000Z',
  submissions: [
    submission('alice', 12.5, [check('contract.exports', 'passed', 0, 0), check('forward.shape', 'passed', 4.5, 4.5), check('forward.value', 'passed', 8, 8)]),
    submission('bob, jr', 4.5, [check('contract.exports', 'failed', 0, 0), check('forward.shape', 'passed', 4.5, 4.5), check('forward.value', 'timeout', 0, 8, 'hidden')]),
    submission('carol', 0, [check('contract.exports', 'skipped', 0, 0), check('forward.shape', 'skipped', 0, 4.5), check('forward.value', 'skipped', 0, 8)], {
      status: 'error',
      error: 'rnn.ts:3:1: Unexpected "}"\nmore detail',
    }),
    submission('dave', 2 / 3, [check('contract.exports', 'passed', 0, 0), check('forward.shape', 'failed', 2 / 3, 4.5), check('forward.value', 'failed', 0, 8)]),
  ],
};

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
    expect(renderCanvas(REPORT, { assignmentName: 'RNN lab', assignmentId: 4711, idColumn: 'SIS User ID' }).split('\n').slice(0, 3)).toEqual([
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
    expect(renderMoodle(REPORT, { identifier: 'email', roster: ROSTER, feedback: false, gradeColumn: 'Assignment: RNN' })).toBe(
      ['Email address,Assignment: RNN', 'alice@uni.example,12.5', '"bob, jr",4.5', 'carol,0', 'dave,0.67', ''].join('\n'),
    );
    expect(renderMoodle(REPORT, { identifier: 'username', roster: ROSTER, feedback: false }).split('\n').slice(0, 2)).toEqual(['Username,Lab 8 RNN', 'asmith,12.5']);
    expect(renderMoodle(REPORT, { roster: ROSTER, feedback: false }).split('\n')[1]).toBe('20250001,12.5');
  });

  test('a long error is cut to one short line', () => {
    const long = submission('x', 0, [], { status: 'error', error: `${'e'.repeat(300)}\nsecond line` });
    expect(moodleFeedback(long)).toBe(`Autograder: 0/12.5. Could not be graded: ${'e'.repeat(199)}…`);
  });
});

describe('roster', () => {
  test('columns are matched loosely; unknown ones ignored; empty cells unknown', () => {
    expect(ROSTER.get('alice')).toEqual({ id: 'alice', name: 'Smith, Alice', canvasId: '101', sisUserId: 'S-1', sisLoginId: 'asmith', section: 'Tue lab', email: 'alice@uni.example', username: 'asmith', idNumber: '20250001' });
    expect(ROSTER.get('bob, jr')).toEqual({ id: 'bob, jr', name: 'Bob Jr.' });
    expect(ROSTER.get('zoe')).toEqual({ id: 'zoe', name: 'Zoe' });
  });

  test('a roster without an id column, with a repeated id or a row without id is an error', () => {
    expect(() => parseRoster('name,email\nA,a@x\n', 'r.csv')).toThrow(new RosterError('r.csv has no "id" column (the submission id); its columns: name, email'));
    expect(() => parseRoster('id,name\na,A\na,B\n', 'r.csv')).toThrow('r.csv, line 3: the submission id "a" is listed twice');
    expect(() => parseRoster('id,name\n,A\n', 'r.csv')).toThrow('r.csv, line 2: no submission id');
    expect(() => parseRoster('', 'r.csv')).toThrow('r.csv is empty');
  });
});
