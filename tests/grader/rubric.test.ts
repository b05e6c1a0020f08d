/**
 * The rubric: parsing, validation errors (exact text, with file, line and item), point spreading,
 * scoring, the manual-scores CSV, and the default rubric shipped with the grader.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOGUE as LIVE_CATALOGUE } from '../../checks/catalogue';
import type { CheckDefinition } from '../../checks/types';
import {
  apportion,
  convergenceSettingOf,
  loadRubric,
  ManualScoresError,
  parseManualScores,
  parseRubric,
  RubricError,
  scoreCheck,
  selectChecks,
} from '../../grader/rubric';
import type { DiagnosisCatalogue, Rubric } from '../../grader/rubric';
import { DEFAULT_CONVERGENCE, OFFERED_CONVERGENCE } from '../../checks/catalogue/convergence-settings';
import { EXAMPLE_RUBRIC, renderRubricReference, RUBRIC_DOC, withReference } from '../../grader/rubric-docs';

function fakeCheck(
  id: string,
  target: string,
  points: number,
  visibility: 'public' | 'hidden' = 'public',
): CheckDefinition {
  return {
    id,
    target,
    title: `title of ${id}`,
    points,
    visibility,
    timeoutMs: 1000,
    run: async () => ({ status: 'passed', message: '' }),
  };
}

/** Known mistakes of the fake targets (the real ones: checks/diagnosis/mistakes.ts). */
const DIAGNOSES: DiagnosisCatalogue = {
  mseLoss: [{ id: 'mse.abs' }],
  'RNN.computeGradW': [{ id: 'gradW.transposed' }, { id: 'gradW.same-step' }],
};

const CATALOGUE: CheckDefinition[] = [
  fakeCheck('contract.exports', 'rnn.ts', 4),
  fakeCheck('loss.mse', 'mseLoss', 2),
  fakeCheck('forward.shape', 'RNN.forward', 3),
  fakeCheck('forward.value', 'RNN.forward', 6, 'hidden'),
  fakeCheck('grad.w.shape', 'RNN.computeGradW', 2),
  fakeCheck('grad.w.value', 'RNN.computeGradW', 7, 'hidden'),
  fakeCheck('grad.u.a', 'RNN.computeGradU', 1),
  fakeCheck('grad.u.b', 'RNN.computeGradU', 1),
  fakeCheck('grad.u.c', 'RNN.computeGradU', 1),
];

/** The validation problems of a rubric text (fails the test if it is valid). */
function problemsOf(text: string): string[] {
  try {
    parseRubric(text, 'r.yaml', CATALOGUE, DIAGNOSES);
  } catch (error) {
    expect(error).toBeInstanceOf(RubricError);
    return (error as RubricError).problems;
  }
  throw new Error('expected the rubric to be rejected');
}

describe('parseRubric: valid rubrics', () => {
  test('check, target and manual items', () => {
    const rubric = parseRubric(
      [
        'name: Test rubric',
        'items:',
        '  - check: loss.mse',
        '    points: 2.5',
        '    partial:',
        '      - diagnosis: mse.abs',
        '        points: 1',
        '      - status: timeout',
        '        points: 0.5',
        '  - target: RNN.forward',
        '    points: 9',
        '    hidden: true',
        '  - target: RNN.computeGradW',
        '    checks: { grad.w.shape: 4, grad.w.value: 5 }',
        '    title: dL/dW',
        '  - manual: exercise1',
        '    title: Exercise 1',
        '    points: 10',
      ].join('\n'),
      'r.yaml',
      CATALOGUE,
      DIAGNOSES,
    );
    expect(rubric).toEqual<Rubric>({
      source: 'r.yaml',
      name: 'Test rubric',
      maxCents: 3050,
      items: [
        { id: 'loss.mse', kind: 'check', title: 'title of loss.mse', maxCents: 250, checks: ['loss.mse'] },
        {
          id: 'RNN.forward',
          kind: 'target',
          title: 'RNN.forward (2 checks)',
          maxCents: 900,
          checks: ['forward.shape', 'forward.value'],
        },
        {
          id: 'RNN.computeGradW',
          kind: 'target',
          title: 'dL/dW',
          maxCents: 900,
          checks: ['grad.w.shape', 'grad.w.value'],
        },
        { id: 'exercise1', kind: 'manual', title: 'Exercise 1', maxCents: 1000, checks: [] },
      ],
      checks: [
        {
          id: 'loss.mse',
          item: 'loss.mse',
          maxCents: 250,
          visibility: 'public',
          partial: [
            { diagnosis: 'mse.abs', cents: 100 },
            { status: 'timeout', cents: 50 },
          ],
        },
        { id: 'forward.shape', item: 'RNN.forward', maxCents: 300, visibility: 'hidden', partial: [] },
        { id: 'forward.value', item: 'RNN.forward', maxCents: 600, visibility: 'hidden', partial: [] },
        { id: 'grad.w.shape', item: 'RNN.computeGradW', maxCents: 400, visibility: 'public', partial: [] },
        { id: 'grad.w.value', item: 'RNN.computeGradW', maxCents: 500, visibility: 'hidden', partial: [] },
      ],
    });
    // Only the rubric's checks run, in catalogue order.
    expect(selectChecks(CATALOGUE, rubric).map((check) => check.id)).toEqual([
      'loss.mse',
      'forward.shape',
      'forward.value',
      'grad.w.shape',
      'grad.w.value',
    ]);
  });

  test('a target spread equally gives the leftover hundredths to the first checks', () => {
    const rubric = parseRubric(
      'items:\n  - target: RNN.computeGradU\n    points: 10\n    spread: equal\n',
      'r.yaml',
      CATALOGUE,
    );
    expect(rubric.checks.map((check) => [check.id, check.maxCents])).toEqual([
      ['grad.u.a', 334],
      ['grad.u.b', 333],
      ['grad.u.c', 333],
    ]);
    expect(rubric.maxCents).toBe(1000);
  });

  test("a weighted target follows the checks' default points", () => {
    const rubric = parseRubric('items:\n  - target: RNN.computeGradW\n    points: 18\n', 'r.yaml', CATALOGUE);
    expect(rubric.checks.map((check) => [check.id, check.maxCents])).toEqual([
      ['grad.w.shape', 400],
      ['grad.w.value', 1400],
    ]);
  });

  test('hidden: false makes a hidden check public', () => {
    const rubric = parseRubric(
      'items:\n  - check: forward.value\n    points: 6\n    hidden: false\n',
      'r.yaml',
      CATALOGUE,
    );
    expect(rubric.checks[0].visibility).toBe('public');
  });
});

describe('parseRubric: every problem is named with file, line, column and item', () => {
  test('unknown check id (with a suggestion) and unknown target', () => {
    expect(problemsOf('items:\n  - check: loss.mes\n    points: 2\n  - target: RNN.fwd\n    points: 3\n')).toEqual([
      'r.yaml:2:12: item 1 (check: loss.mes): unknown check id "loss.mes" (did you mean "loss.mse"?)',
      'r.yaml:4:13: item 2 (target: RNN.fwd): no check judges the target "RNN.fwd"',
    ]);
  });

  test("an unknown check or target is the item's only problem; unknown keys are still named", () => {
    expect(
      problemsOf(
        'items:\n  - check: loss.mes\n    points: -2\n    partial: 3\n  - target: RNN.fwd\n    spread: evenly\n    colour: red\n',
      ),
    ).toEqual([
      'r.yaml:2:12: item 1 (check: loss.mes): unknown check id "loss.mes" (did you mean "loss.mse"?)',
      'r.yaml:5:13: item 2 (target: RNN.fwd): no check judges the target "RNN.fwd"',
      'r.yaml:7:5: item 2 (target: RNN.fwd): unknown key "colour" (allowed for target items: target, points, title, hidden, spread, checks)',
    ]);
  });

  test('negative, non-numeric, missing, non-finite and over-precise points', () => {
    expect(
      problemsOf(
        [
          'items:',
          '  - check: loss.mse',
          '    points: -1',
          '  - check: forward.shape',
          '    points: "3"',
          '  - check: forward.value',
          '    points: five',
          '  - check: grad.w.shape',
          '  - check: grad.w.value',
          '    points: .inf',
          '  - check: contract.exports',
          '    points: 1.234',
        ].join('\n'),
      ),
    ).toEqual([
      'r.yaml:3:13: item 1 (check: loss.mse): `points:` must not be negative, got -1',
      'r.yaml:5:13: item 2 (check: forward.shape): `points:` must be a number, got "3"',
      'r.yaml:7:13: item 3 (check: forward.value): `points:` must be a number, got "five"',
      'r.yaml:8:5: item 4 (check: grad.w.shape): `points:` is missing',
      'r.yaml:10:13: item 5 (check: grad.w.value): `points:` must be a finite number, got Infinity',
      'r.yaml:12:13: item 6 (check: contract.exports): `points:` may have at most two decimals, got 1.234',
    ]);
  });

  test('duplicate items: the same check twice, a check inside a target, a manual id twice', () => {
    expect(
      problemsOf(
        [
          'items:',
          '  - check: loss.mse',
          '    points: 2',
          '  - check: loss.mse',
          '    points: 2',
          '  - check: forward.value',
          '    points: 6',
          '  - target: RNN.forward',
          '    points: 9',
          '  - manual: ex1',
          '    points: 5',
          '  - manual: ex1',
          '    points: 5',
        ].join('\n'),
      ),
    ).toEqual([
      'r.yaml:4:5: item 2 (check: loss.mse): duplicate item: item 1 (check: loss.mse) already uses the id "loss.mse"',
      'r.yaml:8:5: item 4 (target: RNN.forward): duplicate item: the check "forward.value" is already graded by item 3 (check: forward.value)',
      'r.yaml:12:5: item 6 (manual: ex1): duplicate item: item 5 (manual: ex1) already uses the id "ex1"',
    ]);
  });

  test('malformed items and keys', () => {
    expect(
      problemsOf(
        [
          'items:',
          '  - just a string',
          '  - check: loss.mse',
          '    target: RNN.forward',
          '    points: 1',
          '  - points: 3',
          '  - check: contract.exports',
          '    points: 4',
          '    weight: 2',
          '    hidden: maybe',
          'extra: 1',
        ].join('\n'),
      ),
    ).toEqual([
      'r.yaml:11:1: unknown top-level key "extra" (allowed: name, items, convergence)',
      'r.yaml:2:5: item 1: must be a mapping such as `{ check: loss.mse, points: 2 }`',
      'r.yaml:3:5: item 2: has both `check:` and `target:`; use one per item',
      'r.yaml:6:5: item 3: needs one of `check:`, `target:` or `manual:`',
      'r.yaml:9:5: item 4 (check: contract.exports): unknown key "weight" (allowed for check items: check, points, title, hidden, partial)',
      'r.yaml:10:13: item 4 (check: contract.exports): `hidden:` must be true or false',
    ]);
  });

  test('partial credit and explicit splits are checked too', () => {
    expect(
      problemsOf(
        [
          'items:',
          '  - check: loss.mse',
          '    points: 2',
          '    partial:',
          '      - status: passed',
          '        points: 1',
          '      - diagnosis: mse.abs',
          '        points: 3',
          '  - target: RNN.computeGradW',
          '    points: 9',
          '    checks: { grad.w.shape: 2, grad.w.value: 6 }',
          '  - target: RNN.forward',
          '    checks: { forward.shape: 3, grad.w.value: 6 }',
        ].join('\n'),
      ),
    ).toEqual([
      'r.yaml:5:17: item 1 (check: loss.mse), partial 1: `status:` must be one of failed, error, timeout, memory',
      "r.yaml:8:17: item 1 (check: loss.mse), partial 2: partial credit (3) is more than the item's points (2)",
      'r.yaml:11:13: item 2 (target: RNN.computeGradW): the `checks:` split adds up to 8 points, but `points:` is 9',
      'r.yaml:13:33: item 3 (target: RNN.forward): the check "grad.w.value" judges RNN.computeGradW, not this target',
    ]);
  });

  test('YAML syntax errors and a rubric without items', () => {
    expect(problemsOf('items:\n  - check: loss.mse\n    points: 2\n    points: 3\n')).toEqual([
      'r.yaml:4:5: YAML syntax error: Map keys must be unique',
    ]);
    expect(problemsOf('name: x\n')).toEqual([
      'r.yaml:1:1: items: the rubric needs an `items:` list with at least one item',
    ]);
    expect(problemsOf('- 1\n- 2\n')).toEqual([
      'r.yaml:1:1: the rubric must be a mapping with an `items:` list (see grader/rubric.default.yaml)',
    ]);
  });

  test('a document whose aliases would blow up is refused, not expanded', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`),
      'items: [*h]',
    ].join('\n');
    const problems = problemsOf(bomb);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^r\.yaml: cannot be read as data: .*alias/i);
  });

  test('the error message lists every problem under the file name', () => {
    expect(() => parseRubric('items:\n  - check: nope\n    points: 1\n', 'my-rubric.yaml', CATALOGUE)).toThrow(
      'The rubric my-rubric.yaml is not valid:\n  - my-rubric.yaml:2:12: item 1 (check: nope): unknown check id "nope"',
    );
  });

  test('a missing file is a RubricError naming it', () => {
    expect(() => loadRubric('/nonexistent/rubric.yaml', CATALOGUE)).toThrow(
      'The rubric /nonexistent/rubric.yaml is not valid:\n  - /nonexistent/rubric.yaml: cannot be read: the file does not exist',
    );
  });
});

describe('parseRubric: every reference is checked', () => {
  /** Fake checks on real targets, validated against the real known mistakes (checks/diagnosis/mistakes.ts). */
  const REAL_TARGETS = [fakeCheck('grad.b.value', 'RNN.computeGradB', 6), fakeCheck('loss.mse', 'mseLoss', 2)];
  const problemsWithRealMistakes = (text: string): string[] => {
    try {
      parseRubric(text, 'r.yaml', REAL_TARGETS);
    } catch (error) {
      expect(error).toBeInstanceOf(RubricError);
      return (error as RubricError).problems;
    }
    throw new Error('expected the rubric to be rejected');
  };
  const partialRule = (check: string, diagnosis: string) =>
    `items:\n  - check: ${check}\n    points: 6\n    partial:\n      - diagnosis: ${diagnosis}\n        points: 3\n`;

  test("a diagnosis id of the check target's known mistakes is accepted and scores", () => {
    const rubric = parseRubric(partialRule('grad.b.value', 'gradB.skip-first'), 'r.yaml', REAL_TARGETS);
    expect(rubric.checks[0].partial).toEqual([{ diagnosis: 'gradB.skip-first', cents: 300 }]);
    expect(scoreCheck(rubric.checks[0], { status: 'failed', diagnosis: 'gradB.skip-first' })).toBe(300);
  });

  test('an unknown diagnosis id is rejected: a close one gets a suggestion, a far one the list of known mistakes', () => {
    expect(problemsWithRealMistakes(partialRule('grad.b.value', 'gradB.skip-frist'))).toEqual([
      'r.yaml:5:20: item 1 (check: grad.b.value), partial 1: `diagnosis:` unknown mistake "gradB.skip-frist" for RNN.computeGradB (did you mean "gradB.skip-first"?)',
    ]);
    // The example the old doc comment gave: accepted, and it could never award a point.
    expect(problemsWithRealMistakes(partialRule('grad.b.value', 'skips-first-step'))).toEqual([
      'r.yaml:5:20: item 1 (check: grad.b.value), partial 1: `diagnosis:` unknown mistake "skips-first-step" for RNN.computeGradB ' +
        '(known: gradB.skip-first, gradB.no-tanh-derivative, gradB.last-only, gradB.flipped-sign)',
    ]);
  });

  test('a diagnosis of another target, or of a target without known mistakes, is rejected', () => {
    expect(problemsWithRealMistakes(partialRule('grad.b.value', 'gradW.transposed'))[0]).toContain(
      'unknown mistake "gradW.transposed" for RNN.computeGradB',
    );
    expect(problemsWithRealMistakes(partialRule('loss.mse', 'gradB.skip-first'))).toEqual([
      'r.yaml:5:20: item 1 (check: loss.mse), partial 1: `diagnosis:` "gradB.skip-first" can never match: no known mistake is diagnosed for mseLoss, the target of loss.mse',
    ]);
  });

  test('partial rules: exactly one of status or diagnosis, no duplicates, not a list', () => {
    expect(
      problemsOf(
        [
          'items:',
          '  - check: loss.mse',
          '    points: 2',
          '    partial:',
          '      - { status: failed, diagnosis: mse.abs, points: 1 }',
          '      - { points: 1 }',
          '      - { status: failed, points: 1 }',
          '      - { status: failed, points: 0.5 }',
          '  - check: forward.shape',
          '    points: 3',
          '    partial: { status: failed }',
        ].join('\n'),
      ),
    ).toEqual([
      'r.yaml:5:9: item 1 (check: loss.mse), partial 1: needs exactly one of `status:` or `diagnosis:`',
      'r.yaml:6:9: item 1 (check: loss.mse), partial 2: needs exactly one of `status:` or `diagnosis:`',
      'r.yaml:8:9: item 1 (check: loss.mse), partial 4: duplicate partial rule for status failed',
      'r.yaml:11:14: item 2 (check: forward.shape): `partial:` must be a list such as `[{ diagnosis: gradB.skip-first, points: 3 }]`',
    ]);
  });

  test('target items: spread and split together, no points, a bad split value, an unknown split id', () => {
    expect(
      problemsOf(
        [
          'items:',
          '  - target: RNN.computeGradW',
          '    spread: equal',
          '    checks: { grad.w.shape: 2, grad.w.value: 7 }',
          '  - target: RNN.forward',
          '  - target: RNN.computeGradU',
          '    checks: { grad.u.a: x, grad.u.zz: 1 }',
          '    spread: evenly',
        ].join('\n'),
      ),
    ).toEqual([
      'r.yaml:3:13: item 1 (target: RNN.computeGradW): give either `spread:` or an explicit `checks:` split, not both',
      'r.yaml:5:5: item 2 (target: RNN.forward): `points:` is missing',
      'r.yaml:7:25: item 3 (target: RNN.computeGradU): `grad.u.a:` must be a number, got "x"',
      'r.yaml:8:13: item 3 (target: RNN.computeGradU): `spread:` must be "weighted" or "equal"',
      'r.yaml:8:13: item 3 (target: RNN.computeGradU): give either `spread:` or an explicit `checks:` split, not both',
    ]);
  });

  test('the top level: name must be a string, a manual id names a CSV column', () => {
    expect(problemsOf('name: [a]\nitems:\n  - manual: "ex 1"\n    points: 1\n')).toEqual([
      'r.yaml:1:7: `name:` must be a string',
      'r.yaml:3:13: item 1 (manual: ex 1): `manual:` may only use letters, digits, ".", "_" and "-" (it names a column of the --manual CSV)',
    ]);
  });
});

describe('parseRubric: the convergence setting (train.converges)', () => {
  const withConvergence = (yaml: string) => `items:\n  - check: loss.mse\n    points: 2\nconvergence: ${yaml}\n`;

  test("absent: the notebook's 500 steps and 0.075", () => {
    const rubric = parseRubric(withConvergence('{ steps: 500 }').replace(/convergence.*\n/, ''), 'r.yaml', CATALOGUE);
    expect(rubric.convergence).toBeUndefined();
    expect(convergenceSettingOf(rubric)).toEqual({ steps: 500, threshold: 0.075 });
    expect(DEFAULT_CONVERGENCE).toEqual({ steps: 500, threshold: 0.075 });
  });

  test('every offered step count takes its calibrated threshold; a threshold may be raised', () => {
    for (const setting of OFFERED_CONVERGENCE) {
      const rubric = parseRubric(withConvergence(`{ steps: ${setting.steps} }`), 'r.yaml', CATALOGUE);
      expect(convergenceSettingOf(rubric)).toEqual(setting);
    }
    const raised = parseRubric(withConvergence(`{ steps: 500, threshold: 0.1 }`), 'r.yaml', CATALOGUE);
    expect(raised.convergence).toEqual({ steps: 500, threshold: 0.1 });
  });

  test('a step count that is not offered, a threshold below the calibrated one, unknown keys', () => {
    const offered = OFFERED_CONVERGENCE.map((setting) => setting.steps).join(', ');
    expect(problemsOf(withConvergence('{ steps: 250 }'))).toEqual([
      `r.yaml:4:23: \`steps:\` must be one of ${offered} (the calibrated settings), got 250`,
    ]);
    expect(problemsOf(withConvergence('{ steps: 500, threshold: 0.05 }'))).toEqual([
      'r.yaml:4:39: `threshold:` 0.05 is below 0.075, the threshold calibrated for 500 steps: the reference itself would fail on some seeds (see docs/rubric.md)',
    ]);
    expect(problemsOf(withConvergence('{ steps: 500, seed: 3 }'))).toEqual([
      'r.yaml:4:28: unknown key "seed" (allowed for convergence: steps, threshold)',
    ]);
    expect(problemsOf(withConvergence('fast'))).toEqual([
      'r.yaml:4:14: `convergence:` must be a mapping such as `{ steps: 300 }`',
    ]);
  });
});

describe('scoring', () => {
  const rule = {
    id: 'loss.mse',
    item: 'loss.mse',
    maxCents: 600,
    visibility: 'public' as const,
    partial: [
      { diagnosis: 'mse.abs', cents: 300 },
      { status: 'failed' as const, cents: 100 },
    ],
  };

  test('passed earns the full points, a matching partial rule its points (the best one), anything else 0', () => {
    expect(scoreCheck(rule, { status: 'passed' })).toBe(600);
    expect(scoreCheck(rule, { status: 'failed', diagnosis: 'mse.abs' })).toBe(300);
    expect(scoreCheck(rule, { status: 'failed' })).toBe(100);
    expect(scoreCheck(rule, { status: 'error', diagnosis: 'other' })).toBe(0);
    expect(scoreCheck(rule, { status: 'timeout' })).toBe(0);
    expect(scoreCheck(rule, { status: 'skipped' })).toBe(0);
  });

  test('apportion splits exactly, by largest remainder', () => {
    expect(apportion(1000, [1, 1, 1])).toEqual([334, 333, 333]);
    expect(apportion(900, [3, 6])).toEqual([300, 600]);
    expect(apportion(100, [1, 2, 4])).toEqual([14, 29, 57]);
    expect(apportion(5, [0, 0])).toEqual([0, 0]);
    for (const weights of [
      [1, 2, 3, 4],
      [7, 7, 7],
      [0.5, 0.25, 0.25],
    ])
      expect(apportion(997, weights).reduce((a, b) => a + b, 0)).toBe(997);
  });
});

describe('manual scores (--manual CSV)', () => {
  const rubric = parseRubric(
    'items:\n  - check: loss.mse\n    points: 2\n  - manual: ex1\n    points: 5\n  - manual: ex2\n    points: 2.5\n',
    'r.yaml',
    CATALOGUE,
  );

  test('reads one row per submission; empty cells are not graded; other columns are ignored', () => {
    const scores = parseManualScores('\uFEFFid,name,ex1,ex2\nalice,Alice A.,5,2.5\nbob,Bob,3.25,\n', 'm.csv', rubric);
    expect([...scores].map(([id, row]) => [id, [...row]])).toEqual([
      [
        'alice',
        [
          ['ex1', 500],
          ['ex2', 250],
        ],
      ],
      ['bob', [['ex1', 325]]],
    ]);
  });

  test('bad cells, duplicate rows and a missing id column are errors with file and line', () => {
    let problems: string[] = [];
    try {
      parseManualScores('id,ex1,ex2\nalice,6,1\nbob,x,-1\nalice,1,1\n,1,1\ncarol,1.005,\n', 'm.csv', rubric);
    } catch (error) {
      expect(error).toBeInstanceOf(ManualScoresError);
      problems = (error as ManualScoresError).problems;
    }
    expect(problems).toEqual([
      'm.csv:2: alice, ex1: 6 is outside 0..5',
      'm.csv:3: bob, ex1: "x" is not a number',
      'm.csv:3: bob, ex2: -1 is outside 0..2.5',
      'm.csv:4: the submission "alice" already has a row (line 2)',
      'm.csv:5: the "id" cell is empty',
      'm.csv:6: carol, ex1: 1.005 has more than two decimals',
    ]);
    expect(() => parseManualScores('student,ex1\na,1\n', 'm.csv', rubric)).toThrow(
      'm.csv:1: the header needs an "id" column (the submission id), found: student, ex1',
    );
    expect(() => parseManualScores('id,exercise1\na,1\n', 'm.csv', rubric)).toThrow(
      'm.csv:1: no column is named after a manual item of the rubric (ex1, ex2); found: id, exercise1',
    );
  });

  test('a rubric without manual items refuses --manual', () => {
    const noManual = parseRubric('items:\n  - check: loss.mse\n    points: 2\n', 'r.yaml', CATALOGUE);
    expect(() => parseManualScores('id,ex1\na,1\n', 'm.csv', noManual)).toThrow(
      'm.csv: --manual was given, but the rubric r.yaml has no manual items',
    );
  });
});

describe('the default rubric (grader/rubric.default.yaml)', () => {
  const DEFAULT = join(__dirname, '..', '..', 'grader', 'rubric.default.yaml');
  test('is valid, gives every live check its own default points, and adds up to 100', () => {
    const { CATALOGUE: live } = require('../../checks/catalogue') as { CATALOGUE: readonly CheckDefinition[] };
    const rubric = loadRubric(DEFAULT, live, 'grader/rubric.default.yaml');
    expect(rubric.maxCents).toBe(10000);
    expect(rubric.checks.map((check) => [check.id, check.maxCents / 100])).toEqual(
      live.map((check) => [check.id, check.points]),
    );
  });

  test('names only checks of the live catalogue, and gives points to every check in it', () => {
    const { CATALOGUE: live } = require('../../checks/catalogue') as { CATALOGUE: readonly CheckDefinition[] };
    const rubric = loadRubric(DEFAULT, live, 'grader/rubric.default.yaml');
    expect(rubric.checks.map((check) => check.id)).toEqual(live.map((check) => check.id));
    expect(rubric.maxCents).toBe(10000);
  });
});

describe('docs/rubric.md', () => {
  test('its reference is the one generated from the schema and the live catalogues (else: npm run docs:rubric)', () => {
    const doc = readFileSync(RUBRIC_DOC, 'utf8');
    expect(withReference(doc, renderRubricReference(LIVE_CATALOGUE))).toBe(doc);
  });

  test('its example is valid against the live catalogues and uses every kind of item', () => {
    const rubric = parseRubric(EXAMPLE_RUBRIC, 'example', LIVE_CATALOGUE);
    expect(new Set(rubric.items.map((item) => item.kind))).toEqual(new Set(['check', 'target', 'manual']));
    expect(rubric.checks.find((check) => check.id === 'grad.b.value')?.partial).toEqual([
      { diagnosis: 'gradB.skip-first', cents: 300 },
      { status: 'failed', cents: 100 },
    ]);
    expect(rubric.convergence).toEqual(OFFERED_CONVERGENCE.find((setting) => setting.steps === 400));
  });

  test('the reference lists every field of the schema, every check id and every diagnosis id', () => {
    const reference = renderRubricReference(LIVE_CATALOGUE);
    for (const field of [
      'name',
      'items',
      'convergence',
      'check',
      'target',
      'manual',
      'partial',
      'spread',
      'checks',
      'hidden',
      'title',
      'status',
      'diagnosis',
      'steps',
      'threshold',
    ]) {
      expect(reference).toContain(`| \`${field}:\` |`);
    }
    for (const check of LIVE_CATALOGUE) expect(reference).toContain(`| \`${check.id}\` |`);
    expect(reference).toContain('`gradB.skip-first`');
  });
});
