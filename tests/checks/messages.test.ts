/**
 * Every failure message states the rule that was broken, in the lab contract's words
 * (checks/catalogue/rules.ts). Table-driven: each row breaks one rule of a correct sample and
 * names the check that must fail and the words its message must quote.
 */
import { runBattery } from '../../checks/battery';
import { CATALOGUE } from '../../checks/catalogue';
import { RULES } from '../../checks/catalogue/rules';
import { createInProcessExecutor } from '../../checks/executors/in-process';
import { STEP_RULE } from '../../checks/public/training-step';
import { publicCatalogue } from '../../checks/public';
import { buildPublicProbes } from '../../handout/fixtures';
import type { CheckDefinition } from '../../checks/types';
import { samplePath } from './helpers';

/* eslint-disable @typescript-eslint/no-explicit-any */

const base = require(samplePath('correct-loops')) as Record<string, any>;
type Methods = Record<string, (this: any, ...args: any[]) => unknown>;

/** correct-loops with some functions replaced and some RNN methods overridden. */
function patched(functions: Record<string, unknown>, methods: Methods = {}): Record<string, unknown> {
  class Patched extends base.RNN {}
  for (const [name, method] of Object.entries(methods))
    Object.defineProperty(Patched.prototype, name, { value: method, writable: true, configurable: true });
  return { ...base, ...functions, RNN: Object.keys(methods).length ? Patched : base.RNN };
}

const col = (m: number[][], j: number) => m.map((row) => row[j]);
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

interface Row {
  /** What the row breaks, for the test name. */
  breaks: string;
  check: string;
  submission: Record<string, unknown>;
  /** Words of the contract the message must quote. */
  says: string;
}

const ROWS: Row[] = [
  {
    breaks: 'Math.round split above numRows',
    check: 'data.numTrainSamples',
    submission: patched({ numTrainSamples: (n: number) => 24 * Math.round((0.8 * n) / 24) }),
    says: RULES.numTrainSamples.atMostRows,
  },
  {
    breaks: 'a split that is not whole days',
    check: 'data.numTrainSamples',
    submission: patched({ numTrainSamples: (n: number) => Math.floor(0.8 * n) }),
    says: RULES.numTrainSamples.wholeDays,
  },
  {
    breaks: 'a split far from 80 %',
    check: 'data.numTrainSamples',
    submission: patched({ numTrainSamples: () => 0 }),
    says: RULES.numTrainSamples.nearEighty,
  },
  {
    breaks: 'a fractional split',
    check: 'data.numTrainSamples',
    submission: patched({ numTrainSamples: (n: number) => n * 0.8 + 0.5 }),
    says: RULES.numTrainSamples.wholeDays,
  },
  {
    breaks: 'means of rows',
    check: 'data.columnMeans',
    submission: patched({ columnMeans: (m: number[][]) => m[0].map((_, j) => mean(m[Math.min(j, m.length - 1)])) }),
    says: RULES.columnMeans,
  },
  {
    breaks: 'population std',
    check: 'data.columnStds',
    submission: patched({
      columnStds: (m: number[][]) =>
        m[0].map((_, j) => Math.sqrt(mean(col(m, j).map((x) => (x - mean(col(m, j))) ** 2)))),
    }),
    says: RULES.columnStds,
  },
  {
    breaks: 'standardize multiplying',
    check: 'data.standardize',
    submission: patched({
      standardize: (m: number[][], mu: number[], s: number[]) => m.map((row) => row.map((x, j) => (x - mu[j]) * s[j])),
    }),
    says: RULES.standardize,
  },
  {
    breaks: 'standardize in place',
    check: 'data.standardize',
    submission: patched({
      standardize: (m: number[][], mu: number[], s: number[]) => {
        m.forEach((row) => row.forEach((x, j) => (row[j] = (x - mu[j]) / s[j])));
        return m;
      },
    }),
    says: 'standardize must not change its inputs',
  },
  {
    breaks: "y of the window's last row",
    check: 'data.getRandomDay.window',
    submission: patched({
      getRandomDay: (d: number[][], rng: any) => {
        const s = rng.int(d.length - 24);
        return { x: d.slice(s, s + 24), y: d[s + 23][1] };
      },
    }),
    says: RULES.getRandomDay.target,
  },
  {
    breaks: 'two draws from rng',
    check: 'data.getRandomDay.window',
    submission: patched({
      getRandomDay: (d: number[][], rng: any) => {
        rng.uniform();
        const s = rng.int(d.length - 24);
        return { x: d.slice(s, s + 24), y: d[s + 24][1] };
      },
    }),
    says: RULES.getRandomDay.draw,
  },
  {
    breaks: 'rng.int(len − 25)',
    check: 'data.getRandomDay.edges',
    submission: patched({
      getRandomDay: (d: number[][], rng: any) => {
        const s = rng.int(d.length - 25);
        return { x: d.slice(s, s + 24), y: d[s + 24][1] };
      },
    }),
    says: RULES.getRandomDay.reach,
  },
  {
    breaks: 'absolute error',
    check: 'loss.mse',
    submission: patched({ mseLoss: (a: number, b: number) => Math.abs(a - b) }),
    says: RULES.mseLoss,
  },
  {
    breaks: 'a forward pass without b',
    check: 'forward.value',
    submission: patched(
      {},
      {
        forward(this: any, x: number[][]) {
          const saved = this.b;
          this.b = saved.map(() => 0);
          try {
            return base.RNN.prototype.forward.call(this, x);
          } finally {
            this.b = saved;
          }
        },
      },
    ),
    says: RULES.forward,
  },
  ...(['H', 'C', 'B', 'V', 'W', 'U'] as const).map((letter): Row => {
    const method = `computeGrad${letter}`;
    const key = `computeGrad${letter}` as keyof typeof RULES;
    const double = (value: any): any => (typeof value === 'number' ? 2 * value : value.map(double));
    return {
      breaks: `${method} doubled`,
      check: `grad.${letter.toLowerCase()}.value`,
      submission: patched(
        {},
        {
          [method](this: any, ...args: any[]) {
            return double(base.RNN.prototype[method].apply(this, args));
          },
        },
      ),
      says: RULES[key] as string,
    };
  }),
  {
    breaks: 'a gradient function that changes its input',
    check: 'grad.b.shape',
    submission: patched(
      {},
      {
        computeGradB(this: any, hidden: number[][], gradH: number[][]) {
          const out = base.RNN.prototype.computeGradB.call(this, hidden, gradH);
          hidden[0][0] = 7;
          return out;
        },
      },
    ),
    says: RULES.untouched,
  },
  {
    breaks: 'a gradient function that changes the parameters',
    check: 'grad.c.shape',
    submission: patched(
      {},
      {
        computeGradC(this: any, y: number, p: number) {
          this.c += 1;
          return base.RNN.prototype.computeGradC.call(this, y, p);
        },
      },
    ),
    says: RULES.untouched,
  },
  {
    breaks: 'a constructor that skips a row of W',
    check: 'rnn.constructor',
    submission: patched({}, {}),
    says: RULES.constructor,
  },
  {
    breaks: 'a constructor whose fallback leaves W at zero',
    check: 'rnn.constructor.default',
    submission: patched({}, {}),
    says: RULES.constructorWithoutRng,
  },
  {
    breaks: 'getGradients doubling ∂L/∂c',
    check: 'grad.all',
    submission: patched(
      {},
      {
        getGradients(this: any, ...args: any[]) {
          const g = base.RNN.prototype.getGradients.apply(this, args) as { c: number };
          return { ...g, c: 2 * g.c };
        },
      },
    ),
    says: RULES.getGradients,
  },
  {
    breaks: 'doTrainingStep summing the batch',
    check: 'train.step',
    submission: patched({
      doTrainingStep: (rnn: any, data: number[][], batchSize: number, lr: number, rng: any) =>
        base.doTrainingStep(rnn, data, batchSize, lr * batchSize, rng),
    }),
    says: RULES.doTrainingStep,
  },
  {
    breaks: 'trainRnn at learning rate 0.02',
    check: 'train.protocol',
    submission: patched({
      trainRnn: (data: number[][], numSteps: number, rng: any) => {
        const rnn = new base.RNN(10, 6, rng);
        const losses: number[] = [];
        for (let step = 0; step < numSteps; step++)
          losses.push(base.doTrainingStep(rnn, data, 32, 0.02, rng) as number);
        return { rnn, losses };
      },
    }),
    says: RULES.trainRnn,
  },
];

// The two constructor rows need a class with its own constructor.
class SkipsRow extends base.RNN {
  constructor(h = 10, f = 6, rng?: any) {
    super(h, f, rng);
    if (rng) this.w[0] = this.w[0].map(() => 0);
  }
}
class ZeroFallback extends base.RNN {
  constructor(h = 10, f = 6, rng?: any) {
    super(h, f, rng ?? { normal: () => 0, uniform: () => 0, int: () => 0 });
  }
}
ROWS.find((row) => row.check === 'rnn.constructor')!.submission = { ...base, RNN: SkipsRow };
ROWS.find((row) => row.check === 'rnn.constructor.default')!.submission = { ...base, RNN: ZeroFallback };

async function runCheck(check: CheckDefinition, submission: Record<string, unknown>) {
  const [result] = await runBattery(createInProcessExecutor(submission), [check], {
    seed: 1,
    loadTrainData: () => Promise.reject(new Error('no data in this test')),
  });
  return result;
}

describe('every failure message quotes the contract rule that was broken', () => {
  test.each(ROWS.map((row) => [row.check, row.breaks, row] as const))(
    '%s, %s',
    async (id, _breaks, row) => {
      const check = CATALOGUE.find((definition) => definition.id === id);
      if (!check) throw new Error(`no check ${id}`);
      const result = await runCheck(check, row.submission);
      expect(result.status).toBe('failed');
      expect(result.message).toContain('The lab contract:');
      expect(result.message).toContain(row.says);
    },
    60_000,
  );

  test("the public train.step quotes doTrainingStep's rule (summed gradients)", async () => {
    const fixtures = { ...buildPublicProbes(), trainSplit: { rows: 0, means: [], stds: [] } };
    const check = publicCatalogue(fixtures).find((c) => c.id === 'train.step')!;
    const summing = patched({
      doTrainingStep: (rnn: any, data: number[][], batchSize: number, lr: number, rng: any) =>
        base.doTrainingStep(rnn, data, batchSize, lr * batchSize, rng),
    });
    const result = await runCheck(check, summing);
    expect(result.status).toBe('failed');
    expect(result.message).toContain(STEP_RULE);
    expect(result.diagnosis).toBe('step.sum');
  }, 60_000);

  test('every rule of rules.ts is quoted by some row', () => {
    const quoted = new Set(ROWS.map((row) => row.says));
    const flat = Object.entries(RULES).flatMap(([name, rule]) =>
      typeof rule === 'string' ? [[name, rule]] : Object.entries(rule).map(([k, r]) => [`${name}.${k}`, r]),
    );
    // The window rule is quoted with the rows of x, which the y row above gets right.
    const elsewhere = new Set(['getRandomDay.window']);
    expect(flat.filter(([name, rule]) => !elsewhere.has(name) && !quoted.has(rule)).map(([name]) => name)).toEqual([]);
  });
});
