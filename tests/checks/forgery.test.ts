/**
 * The judging side of issue 13 (and 15.5), in-process and without the data: a submission's own
 * account of itself (its losses, its Rng calls, its building blocks' agreement) is never enough.
 * The sandboxed versions of these attacks are in tests/grader/forgery-batch.test.ts.
 */
import { runBattery } from '../../checks/battery';
import { CATALOGUE } from '../../checks/catalogue';
import { createInProcessExecutor, loadInProcess } from '../../checks/executors/in-process';
import type { CheckResult } from '../../checks/types';
import type { Matrix, Rng } from 'rnn-lab';
import * as correct from '../../submissions/correct-loops/rnn';
import { createDispatcher } from '../../checks/protocol/dispatch';
import { createRng } from 'rnn-lab';
import { evaluationStarts, trainingMse, trainingMseSlow } from '../../checks/catalogue/training-evaluation';

import { materialisedEntry } from '../fixtures/hostile/materialise';
const WITHOUT_DATA = CATALOGUE.filter((check) => !check.usesData);
const SLOW = 120_000;

function notPassed(results: CheckResult[]): Record<string, string> {
  return Object.fromEntries(
    results.filter((r) => r.status !== 'passed').map((r) => [r.id, `${r.status}: ${r.message}`]),
  );
}

async function grade(submission: Record<string, unknown>): Promise<Record<string, string>> {
  return notPassed(
    await runBattery(createInProcessExecutor(submission), WITHOUT_DATA, {
      seed: 1,
      loadTrainData: () => Promise.reject(new Error('no data in this test')),
    }),
  );
}

function trainingWith(lr: number, batch = 32) {
  return (data: Matrix, numSteps: number, rng: Rng) => {
    const rnn = new correct.RNN(10, 6, rng);
    const losses: number[] = [];
    for (let step = 0; step < numSteps; step++) losses.push(correct.doTrainingStep(rnn, data, batch, lr, rng));
    return { rnn, losses };
  };
}

describe('what a submission says about itself is not enough', () => {
  test(
    'the correct sample passes every check that needs no data',
    async () => {
      expect(await grade({ ...correct })).toEqual({});
    },
    SLOW,
  );

  test(
    'trainRnn with learning rate 0.02 fails train.protocol, and the message names the rate (issue 15.5)',
    async () => {
      const failures = await grade({ ...correct, trainRnn: trainingWith(0.02) });
      expect(Object.keys(failures)).toEqual(['train.protocol']);
      expect(failures['train.protocol']).toMatch(/learning rate 0\.02: the contract fixes 0\.01/);
    },
    SLOW,
  );

  test(
    'trainRnn that reports made-up losses and does not train fails train.protocol',
    async () => {
      const fake = (data: Matrix, numSteps: number, rng: Rng) => {
        const rnn = new correct.RNN(10, 6, rng);
        const losses: number[] = [];
        for (let step = 0; step < numSteps; step++) {
          for (let n = 0; n < 32; n++) rng.int(data.length - 24);
          losses.push(1 / (step + 1));
        }
        return { rnn, losses };
      };
      const failures = await grade({ ...correct, trainRnn: fake });
      expect(Object.keys(failures)).toEqual(['train.protocol']);
      expect(failures['train.protocol']).toMatch(/differ from 3 steps of doTrainingStep/);
    },
    SLOW,
  );

  test(
    'a trainRnn whose network is not the one RNN(10, 6, rng) draws fails with 0 steps',
    async () => {
      const otherInit = (data: Matrix, numSteps: number, rng: Rng) =>
        trainingWith(0.01)(data, numSteps, {
          ...rng,
          normal: (mean: number, std: number) => rng.normal(mean, std * 3),
        });
      const failures = await grade({ ...correct, trainRnn: otherInit });
      expect(failures['train.protocol']).toMatch(/trainRnn\(data, 0, rng\) should return the new RNN\(10, 6, rng\)/);
    },
    SLOW,
  );

  test(
    "stateful agreement: gradient functions that echo getGradients' zeros do not save it",
    async () => {
      // What remains is what a zero getGradients earns under "each bug is charged once": a step
      // (and a training) consistent with it; train.converges (with the data) fails too.
      const failures = await grade(loadedFixture('forge-stateful'));
      expect(Object.keys(failures).sort()).toEqual(['grad.all']);
      expect(failures['grad.all']).toMatch(/differ from the gradients of L/);
    },
    SLOW,
  );

  test(
    'an RNN whose methods all come from a base class meets the contract (its exports are judged with inheritance)',
    async () => {
      class Model extends correct.RNN {}
      const failures = await grade({ ...correct, RNN: Model });
      expect(failures).toEqual({});
    },
    SLOW,
  );

  test(
    'a forward that throws for H = 1 is charged by the forward checks, not again by doTrainingStep (issue 15.5)',
    async () => {
      class NoSingleUnit extends correct.RNN {
        override forward(x: Matrix) {
          if (this.hiddenStateSize === 1) throw new RangeError('H = 1 is not supported');
          return super.forward(x);
        }
      }
      const failures = await grade({ ...correct, RNN: NoSingleUnit });
      // A subclass's inherited methods count as its own: contract.exports passes.
      const charged = Object.keys(failures);
      expect(charged).toContain('forward.value');
      expect(charged.filter((id) => !id.startsWith('forward.'))).toEqual([]);
    },
    SLOW,
  );

  test(
    'a step that throws on every batch because its failed building blocks throw is an error, never a pass',
    async () => {
      const thrower = () => {
        throw new Error('not implemented');
      };
      const failures = await grade({ ...correct, getRandomDay: thrower, doTrainingStep: thrower });
      expect(failures['train.step']).toMatch(/^error: doTrainingStep could not be judged/);
    },
    SLOW,
  );
});

function loadedFixture(name: string): Record<string, unknown> {
  return require(materialisedEntry(name)) as Record<string, unknown>;
}

// loadInProcess is the students' own front end: it must see the same verdicts.
test(
  'the in-process front end judges a fixture the same way',
  async () => {
    const results = await runBattery(loadInProcess(materialisedEntry('forge-fake-losses')), WITHOUT_DATA, {
      seed: 1,
      loadTrainData: () => Promise.reject(new Error('no data')),
    });
    expect(Object.keys(notPassed(results))).toEqual(['train.protocol']);
  },
  SLOW,
);

test("the judge's training statistic: the fast loop equals the model's own formulation", () => {
  const rng = createRng(3);
  const data = Array.from({ length: 300 }, () => Array.from({ length: 6 }, () => rng.normal(0, 1)));
  const params = {
    u: Array.from({ length: 10 }, () => Array.from({ length: 6 }, () => rng.normal(0, 0.5))),
    w: Array.from({ length: 10 }, () => Array.from({ length: 10 }, () => rng.normal(0, 0.3))),
    v: Array.from({ length: 10 }, () => rng.normal(0, 1)),
    b: Array.from({ length: 10 }, () => rng.normal(0, 0.3)),
    c: 0.2,
  };
  expect(evaluationStarts(300)).toHaveLength(276);
  expect(evaluationStarts(300).at(-1)).toBe(275);
  expect(trainingMse(params, data)).toBeCloseTo(trainingMseSlow(params, data), 12);
  expect(trainingMse({ ...params, c: NaN }, data)).toBeNaN();
});

test('the dispatcher takes createHash before the submission can replace it on the crypto module', () => {
  const crypto = require('crypto') as Record<string, unknown>;
  const original = crypto.createHash;
  const forged = { update: () => forged, digest: () => 'forged' };
  const dispatch = createDispatcher({
    columnMeans(data: number[][]) {
      crypto.createHash = () => forged; // hide the write below behind a made-up checksum
      data[0][0] = 99;
      return [0, 0];
    },
  });
  dispatch({
    op: 'store',
    name: 'train',
    matrix: [
      [1, 2],
      [3, 4],
    ],
  });
  const clean = createDispatcher({ columnMeans: () => [0, 0] });
  clean({
    op: 'store',
    name: 'train',
    matrix: [
      [1, 2],
      [3, 4],
    ],
  });
  try {
    const changed = dispatch({ op: 'call', fn: 'columnMeans', args: [{ stored: 'train' }] });
    const untouched = clean({ op: 'call', fn: 'columnMeans', args: [{ stored: 'train' }] });
    if (!changed.ok || !untouched.ok) throw new Error('expected answers');
    expect(changed.after.storedChecksums.train).not.toBe('forged');
    expect(changed.after.storedChecksums.train).not.toBe(untouched.after.storedChecksums.train);
  } finally {
    crypto.createHash = original;
  }
});
