import { decodeValue, encodeValue, TypedArrayValue, UnreadableValue } from '../../checks/protocol/encode';
import { createLoggedRng } from '../../checks/protocol/scripted-rng';
import type { RngCall } from '../../checks/protocol/requests';
import { deriveSeed, outcomeOfThrow } from '../../checks/battery';
import { ExecutionAborted, StudentError } from '../../checks/runner';
import { compareNumeric, SUBMISSION_TOLERANCE } from '../../checks/numeric/tolerance';
import { diagnose, MISTAKES } from '../../checks/diagnosis/mistakes';
import { ANCHOR_CASES, buildCase, referenceRnn } from '../../checks/catalogue/cases';
import { shapeProblem } from '../../checks/catalogue/shapes';
import { CATALOGUE } from '../../checks/catalogue';

describe('value encoding across the judge boundary', () => {
  it('keeps NaN, infinities, -0 and undefined that JSON would lose', () => {
    const decoded = decodeValue(
      JSON.parse(JSON.stringify(encodeValue([NaN, Infinity, -Infinity, -0, undefined, 1.5]))),
    );
    expect(decoded).toEqual([NaN, Infinity, -Infinity, -0, undefined, 1.5]);
    expect(Object.is((decoded as number[])[3], -0)).toBe(true);
  });

  it('marks typed arrays, so the judge can insist on number[]', () => {
    const decoded = decodeValue(encodeValue(new Float64Array([1, 2])));
    expect(decoded).toBeInstanceOf(TypedArrayValue);
    expect((decoded as TypedArrayValue).kind).toBe('Float64Array');
  });

  it('survives hostile values: throwing getters, Proxies, cycles, huge arrays', () => {
    const throwing = {
      get x() {
        throw new Error('boom');
      },
    };
    const proxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys');
        },
      },
    );
    const cycle: unknown[] = [];
    cycle.push(cycle);
    const huge = new Array(3_000_000).fill(0);
    const decoded = [throwing, proxy, cycle, huge].map((value) => decodeValue(encodeValue(value)));
    expect((decoded[0] as Record<string, unknown>).x).toBeInstanceOf(UnreadableValue);
    expect(decoded[1]).toBeInstanceOf(UnreadableValue);
    expect((decoded[2] as unknown[])[0]).toBeInstanceOf(UnreadableValue);
    expect(decoded[3]).toBeInstanceOf(UnreadableValue);
    // an object with very many properties keeps its first 1000
    const wide = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`k${i}`, i]));
    const kept = Object.keys(decodeValue(encodeValue(wide)) as Record<string, number>);
    expect([kept.length, kept[0], kept[999]]).toEqual([1000, 'k0', 'k999']);
  });
});

describe('scripted generators', () => {
  it("answers the script, 'last' meaning the largest allowed value, and logs every call", () => {
    const log: RngCall[] = [];
    const rng = createLoggedRng({ kind: 'scripted', ints: [3, 'last', 500], seed: 1 }, log);
    expect([rng.int(10), rng.int(10), rng.int(10)]).toEqual([3, 9, 9]);
    expect(log.map((call) => call.args[0])).toEqual([10, 10, 10]);
    expect(() => rng.int(10)).toThrow(/fewer calls/);
  });

  it('is reproducible when seeded', () => {
    const draw = () => {
      const rng = createLoggedRng({ kind: 'seeded', seed: 7 }, []);
      return [rng.uniform(), rng.normal(0, 1), rng.int(100)];
    };
    expect(draw()).toEqual(draw());
  });
});

describe('verdicts', () => {
  const check = CATALOGUE[0];
  it.each([
    ['timeout', 'timeout'],
    ['memory', 'memory'],
    ['crashed', 'error'],
  ] as const)('an executor failure %s becomes %s', (failure, status) => {
    expect(outcomeOfThrow(check, new ExecutionAborted({ ok: false, failure, message: 'x' })).status).toBe(status);
  });

  it('a missing export is an error that names it', () => {
    const outcome = outcomeOfThrow(
      check,
      new StudentError('MissingExportError', 'rnn.ts does not export computeGradW', true),
    );
    expect(outcome.status).toBe('error');
    expect(outcome.message).toMatch(/computeGradW/);
  });

  it('derives a check seed from the battery seed and the id only', () => {
    expect(deriveSeed(1, 'grad.b.value')).toBe(deriveSeed(1, 'grad.b.value'));
    expect(deriveSeed(1, 'grad.b.value')).not.toBe(deriveSeed(2, 'grad.b.value'));
    expect(deriveSeed(1, 'grad.b.value')).not.toBe(deriveSeed(1, 'grad.w.value'));
  });

  it('catalogue ids are unique and the default points add up to 100', () => {
    const ids = CATALOGUE.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(CATALOGUE.reduce((sum, c) => sum + c.points, 0)).toBe(100);
  });
});

describe('tolerance', () => {
  it('judges tiny entries by the scale of the whole tensor', () => {
    expect(compareNumeric([1, 1e-9], [1, 2e-9], SUBMISSION_TOLERANCE).ok).toBe(true);
    expect(compareNumeric([1, 0.5], [1, 0.6], SUBMISSION_TOLERANCE).ok).toBe(false);
  });

  it('accepts float32 rounding of every entry and rejects a 1 % error', () => {
    const values = buildCase(ANCHOR_CASES[3]).gradH;
    expect(
      compareNumeric(
        values.map((row) => row.map(Math.fround)),
        values,
        SUBMISSION_TOLERANCE,
      ).ok,
    ).toBe(true);
    expect(
      compareNumeric(
        values.map((row) => row.map((v) => v * 1.01)),
        values,
        SUBMISSION_TOLERANCE,
      ).ok,
    ).toBe(false);
  });

  it('never passes NaN', () => {
    expect(compareNumeric([NaN], [1], SUBMISSION_TOLERANCE).ok).toBe(false);
  });
});

describe('shapes', () => {
  it('names the wrong entry', () => {
    expect(shapeProblem([[1, 2], [3]], { kind: 'matrix', rows: 2, cols: 2 })).toMatch(/row 1/);
    expect(shapeProblem([1, NaN], { kind: 'vector', length: 2 })).toMatch(/NaN at \[1\]/);
    expect(shapeProblem(new TypedArrayValue('Float64Array', [1]), { kind: 'vector', length: 1 })).toMatch(/number\[\]/);
  });
});

describe('known mistakes', () => {
  // Every computed mistake must differ from the correct answer on some anchor case (else it could
  // never be named), and an answer equal to it must be diagnosed as it.
  const correctOf: Record<string, (c: ReturnType<typeof buildCase>) => unknown> = {
    'RNN.forward': (c) => [c.yHat, ...c.hidden.flat()],
    'RNN.computeGradH': (c) => c.gradH,
    'RNN.computeGradC': (c) => referenceRnn(c.params).computeGradC(c.yTrue, c.yHat),
    'RNN.computeGradB': (c) => referenceRnn(c.params).computeGradB(c.hidden, c.gradH),
    'RNN.computeGradV': (c) => referenceRnn(c.params).computeGradV(c.yTrue, c.yHat, c.hidden),
    'RNN.computeGradW': (c) => referenceRnn(c.params).computeGradW(c.hidden, c.gradH),
    'RNN.computeGradU': (c) => referenceRnn(c.params).computeGradU(c.hidden, c.gradH, c.x),
  };
  const cases = Object.entries(MISTAKES).flatMap(([target, mistakes]) =>
    mistakes.map((mistake) => [target, mistake.id, mistake] as const),
  );
  it.each(cases)('%s: %s is distinguishable and diagnosed', (target, _id, mistake) => {
    const c = buildCase(ANCHOR_CASES[2]);
    const correct = correctOf[target](c) as never;
    const wrong = mistake.compute(c);
    expect(compareNumeric(wrong, correct, SUBMISSION_TOLERANCE).ok).toBe(false);
    expect(diagnose(target, c, wrong, correct)).toContain(mistake);
  });
});

/**
 * A submission that plants accessors on Array.prototype / Object.prototype (which `a[i] = v` and
 * push consult for indices and keys an object does not have yet) and replaces built-in methods the
 * dispatcher could look up at call time. Everything is restored right after each dispatch.
 */
function tamper(): () => void {
  // Everything is listed (and the originals saved) before anything is planted: once it is, this
  // test's own push, map and index writes would be swallowed too.
  const plan: Array<[object, PropertyKey, PropertyDescriptor]> = [];
  // even indices on Array.prototype itself, odd ones on an object slipped in below it
  const below = Object.create(Object.prototype) as object;
  for (let i = 0; i < 64; i++)
    plan.push([i % 2 === 0 ? Array.prototype : below, String(i), { get: () => 'FORGED', set: () => undefined }]);
  for (const key of ['train', 'method', 'result', 'args', 'u', 'arity', 'kind', 'mseLoss'])
    plan.push([Object.prototype, key, { get: () => 'FORGED', set: () => undefined }]);
  plan.push(
    [Array.prototype, 'map', { value: () => [], writable: true }],
    [Array.prototype, 'slice', { value: () => [], writable: true }],
    [Array.prototype, 'push', { value: () => 0, writable: true }],
    [Array.prototype, 'forEach', { value: () => undefined, writable: true }],
    [Array.prototype, Symbol.iterator, { value: function* () {}, writable: true }],
    [Map.prototype, 'get', { value: () => [[0, 0]], writable: true }],
    [Set.prototype, 'has', { value: () => true, writable: true }],
    [Function.prototype, 'toString', { value: () => 'class {}', writable: true }],
  );
  const before = plan.map(([owner, key]) => Object.getOwnPropertyDescriptor(owner, key));
  const count = plan.length;
  for (let i = 0; i < count; i++) Object.defineProperty(plan[i][0], plan[i][1], { configurable: true, ...plan[i][2] });
  Object.setPrototypeOf(Array.prototype, below);
  return () => {
    Object.setPrototypeOf(Array.prototype, Object.prototype);
    for (let i = count - 1; i >= 0; i--) {
      const original = before[i];
      if (original) Object.defineProperty(plan[i][0], plan[i][1], original);
      else Reflect.deleteProperty(plan[i][0], plan[i][1]);
    }
  };
}

describe('records a submission cannot rewrite by planting accessors or replacing built-ins', () => {
  const { createDispatcher } =
    require('../../checks/protocol/dispatch') as typeof import('../../checks/protocol/dispatch');
  let restore: (() => void) | undefined;
  afterEach(() => {
    restore?.();
    restore = undefined;
  });
  const data = () => Array.from({ length: 30 }, (_, r) => [r, r + 0.5]);
  const submission = {
    // Draws twice (the contract allows one draw) and writes into its input, then tampers.
    getRandomDay(rows: number[][], rng: { int(n: number): number }) {
      const first = rng.int(rows.length - 24);
      rng.int(rows.length - 24);
      const answer = { x: rows.slice(first, first + 24), y: rows[first + 24][1] };
      rows[0][0] = 999;
      restore = tamper();
      return answer;
    },
    // Writes into the stored training data, then tampers; reports how many rows it was given.
    trainRnn(rows: number[][]) {
      rows[1][1] = -1;
      const count = rows.length;
      restore = tamper();
      return count;
    },
    mseLoss: (a: number, b: number) => (a - b) ** 2,
  };
  const dispatch = createDispatcher(submission);
  const untampered = (run: () => unknown) => {
    const response = run();
    restore?.();
    restore = undefined;
    return response as ReturnType<typeof dispatch>;
  };

  it('the rng log shows every draw, and the snapshot after the call shows the write into the input', () => {
    const response = untampered(() =>
      dispatch({
        op: 'call',
        fn: 'getRandomDay',
        args: [{ value: data() }, { rng: { kind: 'scripted', ints: [3, 4], seed: 1 } }],
      }),
    );
    expect(response.ok).toBe(true);
    expect(response.rngLog).toEqual([
      { method: 'int', args: [6], result: 3 },
      { method: 'int', args: [6], result: 4 },
    ]);
    const after = response.ok ? (decodeValue(response.after.args[0]) as number[][]) : [];
    expect(after[0]).toEqual([999, 0.5]);
    expect(after).toHaveLength(30);
    const value = response.ok ? (decodeValue(response.value) as { x: number[][]; y: number }) : undefined;
    expect(value?.y).toBe(27.5);
    expect(value?.x).toHaveLength(24);
  });

  it('the stored data reaches the call whole, its checksum shows the write, and the exports are described truly', () => {
    expect(untampered(() => dispatch({ op: 'store', name: 'train', matrix: data() })).ok).toBe(true);
    const clean = createDispatcher({ trainRnn: (rows: number[][]) => rows.length });
    clean({ op: 'store', name: 'train', matrix: data() });
    const cleanResponse = clean({
      op: 'call',
      fn: 'trainRnn',
      args: [{ stored: 'train' }, { value: 1 }, { rng: { kind: 'seeded', seed: 1 } }],
    });
    const first = untampered(() =>
      dispatch({
        op: 'call',
        fn: 'trainRnn',
        args: [{ stored: 'train' }, { value: 1 }, { rng: { kind: 'seeded', seed: 1 } }],
      }),
    );
    expect(first.ok && first.value).toBe(30);
    const checksum = first.ok ? first.after.storedChecksums.train : undefined;
    expect(checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum).not.toBe(cleanResponse.ok ? cleanResponse.after.storedChecksums.train : undefined);
    // Tampering left in place from the last call (restored here only after the next dispatch).
    restore = tamper();
    const exports = dispatch({ op: 'exports' });
    const second = dispatch({ op: 'call', fn: 'mseLoss', args: [{ value: 3 }, { value: 1 }] });
    restore();
    restore = undefined;
    expect(second.ok && second.value).toBe(4);
    const described = exports.ok ? (decodeValue(exports.value) as Record<string, Record<string, unknown>>) : {};
    expect(Object.keys(described).sort()).toEqual(['getRandomDay', 'mseLoss', 'trainRnn']);
    expect(described.mseLoss).toEqual({ kind: 'function', arity: 2 });
  });
});

describe('records a submission cannot rewrite by replacing globals', () => {
  it('logs rng draws and encodes answers even when push, isArray and Object.keys are replaced', () => {
    const { createDispatcher } =
      require('../../checks/protocol/dispatch') as typeof import('../../checks/protocol/dispatch');
    const originals = { push: Array.prototype.push, isArray: Array.isArray, keys: Object.keys };
    const submission = {
      getRandomDay(data: number[][], rng: { int(n: number): number }) {
        Array.prototype.push = function () {
          return 0;
        };
        Array.isArray = (() => false) as unknown as typeof Array.isArray;
        Object.keys = () => [];
        const start = rng.int(data.length - 24);
        return { x: data.slice(start, start + 24), y: data[start + 24][1] };
      },
    };
    try {
      const data = Array.from({ length: 30 }, (_, r) => [r, r + 0.5]);
      const response = createDispatcher(submission)({
        op: 'call',
        fn: 'getRandomDay',
        args: [{ value: data }, { rng: { kind: 'scripted', ints: [3], seed: 1 } }],
      });
      Object.assign(Array.prototype, { push: originals.push });
      Array.isArray = originals.isArray;
      Object.keys = originals.keys;
      expect(response.ok).toBe(true);
      expect(response.rngLog).toEqual([{ method: 'int', args: [6], result: 3 }]);
      const value = response.ok ? (decodeValue(response.value) as { x: number[][]; y: number }) : undefined;
      expect(value?.y).toBe(27.5);
      expect(value?.x).toHaveLength(24);
    } finally {
      Array.prototype.push = originals.push;
      Array.isArray = originals.isArray;
      Object.keys = originals.keys;
    }
  });
});
