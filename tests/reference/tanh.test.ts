/**
 * The reference's own tanh (reference/rnn.ts) against a double-double oracle: every result within
 * 1 ulp of the exact value over a million seeded points in every range the function treats
 * differently, and Math.tanh's answers on the special values.
 */
import { createRng } from 'rnn-lab';
import { tanh } from '../../reference/rnn';

// ---- double-double arithmetic: a value is hi + lo with |lo| ≤ ulp(hi)/2 (~106 bits) ----------
type DD = readonly [number, number];

function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}

const SPLITTER = 134217729; // 2^27 + 1 (Dekker)
function twoProd(a: number, b: number): DD {
  const p = a * b;
  const ca = SPLITTER * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = SPLITTER * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

function add(x: DD, y: DD): DD {
  const [s, e] = twoSum(x[0], y[0]);
  const [t, f] = twoSum(x[1], y[1]);
  const [u, g] = twoSum(s, e + t);
  return twoSum(u, g + f);
}

function mul(x: DD, y: DD): DD {
  const [p, e] = twoProd(x[0], y[0]);
  return twoSum(p, e + (x[0] * y[1] + x[1] * y[0]));
}

function div(x: DD, y: DD): DD {
  const q1 = x[0] / y[0];
  let r = add(x, mul([-q1, 0], y));
  const q2 = r[0] / y[0];
  r = add(r, mul([-q2, 0], y));
  const q3 = r[0] / y[0];
  return add(twoSum(q1, q2), [q3, 0]);
}

/** 1/n! for n = 0…20 as double-double (n! is exact in a double up to 18!, 20! is exact too: 2^18·…). */
const INVERSE_FACTORIALS: DD[] = [];
for (let n = 0, factorial = 1; n <= 20; n++, factorial *= n || 1) INVERSE_FACTORIALS.push(div([1, 0], [factorial, 0]));

/** e^s - 1 for 0 < s ≤ 80: Taylor series at s/2^m < 2^-6, then m doublings e^{2t} - 1 = (e^t - 1)(e^t + 1). */
function expm1(s: number): DD {
  let m = 0;
  let t = s;
  while (t >= 1 / 64) {
    t /= 2; // exact
    m++;
  }
  let sum: DD = INVERSE_FACTORIALS[17];
  for (let n = 16; n >= 1; n--) sum = add(mul(sum, [t, 0]), INVERSE_FACTORIALS[n]);
  let e = mul(sum, [t, 0]);
  for (let i = 0; i < m; i++) e = mul(e, add(e, [2, 0]));
  return e;
}

/** tanh x as double-double, for finite x. */
function exactTanh(x: number): DD {
  const a = Math.abs(x);
  if (a < 2 ** -30) return [x, (-x * x * x) / 3]; // x - x³/3 (+ 2x⁵/15, far below 2^-106 relative)
  const e = expm1(2 * a);
  const value = div(e, add(e, [2, 0])); // (e^{2a} - 1)/(e^{2a} + 1)
  return x < 0 ? [-value[0], -value[1]] : value;
}

// ---- ulps --------------------------------------------------------------------------------------
const bits = new DataView(new ArrayBuffer(8));
/** 2^n for n = -1074…1023, exact, by halving and doubling. */
const POWERS = new Map<number, number>();
for (let n = 0, p = 1; n <= 1023; n++, p *= 2) POWERS.set(n, p);
for (let n = -1, p = 0.5; n >= -1074; n--, p /= 2) POWERS.set(n, p);

/** The spacing of the doubles at |v| (for v in [2^e, 2^{e+1}): 2^{e-52}; subnormals: 2^-1074). */
function ulp(v: number): number {
  bits.setFloat64(0, v);
  const exponent = (bits.getUint16(0) >>> 4) & 0x7ff;
  return POWERS.get(Math.max(exponent, 1) - 1075)!;
}

/** |y - exact| in ulps of the exact value. */
function ulpError(y: number, exact: DD): number {
  return Math.abs(y - exact[0] - exact[1]) / ulp(exact[0]);
}

/** The double next to v away from zero (v > 0). */
function nextUp(v: number): number {
  bits.setFloat64(0, v);
  bits.setBigUint64(0, bits.getBigUint64(0) + 1n);
  return bits.getFloat64(0);
}

// ---- tests -------------------------------------------------------------------------------------
describe("the reference's tanh", () => {
  test('the oracle agrees with 60-digit values (mpmath) to 2^-100 relative', () => {
    // [x, tanh x rounded to a double, the rest rounded to a double], from mpmath at 60 digits.
    const known: Array<[number, number, number]> = [
      [1e-9, 1e-9, -3.3333333333333338e-28],
      [1e-5, 9.999999999666668e-6, -4.5758701526937e-22],
      [0.1, 0.09966799462495582, 3.542433877641546e-18],
      [0.3, 0.2913126124515909, -6.4602656586469586e-18],
      [0.5, 0.46211715726000974, 2.1916603238260928e-17],
      [0.5499999999999999, 0.5005202111902352, 4.885792348715613e-18],
      [0.55, 0.5005202111902353, -2.2927568355840214e-17],
      [0.8, 0.664036770267849, -3.064402210734779e-17],
      [1, 0.7615941559557649, 3.7090214482164924e-17],
      [2.5, 0.9866142981514303, -2.4529238788172874e-17],
      [7, 0.9999983369439447, -1.612443653741189e-17],
      [18, 0.9999999999999996, -1.9815356198651153e-17],
      [19.1, 1, -5.140209109690528e-17],
      [25, 1, -3.8574996959278356e-22],
    ];
    for (const [x, hi, lo] of known) {
      const [oracleHi, oracleLo] = exactTanh(x);
      expect([x, oracleHi]).toEqual([x, hi]);
      expect([x, Math.abs(oracleLo - lo) <= hi * 2 ** -100]).toEqual([x, true]);
      expect(exactTanh(-x)).toEqual([-oracleHi, -oracleLo]);
    }
  });

  test('special values as Math.tanh: ±0, ±∞, NaN, subnormals, the largest double', () => {
    for (const x of [0, -0, Infinity, -Infinity, NaN, Number.MIN_VALUE, -Number.MIN_VALUE, 2 ** -1030])
      expect(Object.is(tanh(x), Math.tanh(x))).toBe(true);
    expect(Object.is(tanh(-0), -0)).toBe(true);
    expect(tanh(Number.MAX_VALUE)).toBe(1);
    expect(tanh(-Number.MAX_VALUE)).toBe(-1);
  });

  test('within 1 ulp of the exact value over 1.2 million seeded points (largest error measured: 0.87 ulp)', () => {
    const rng = createRng(20261130);
    const logUniform = (low: number, high: number) => low * (high / low) ** rng.uniform();
    const uniform = (low: number, high: number) => low + (high - low) * rng.uniform();
    // Every branch and both sides of every boundary: 2^-27 (x itself), 0.55 (polynomial |
    // exponential), near 1, 19.1 (±1), and the largest arguments.
    const ranges: Array<[string, number, () => number]> = [
      ['tiny', 50_000, () => logUniform(1e-300, 2 ** -27)],
      ['small', 100_000, () => logUniform(2 ** -27, 1e-3)],
      ['polynomial', 300_000, () => uniform(1e-3, 0.55)],
      ['near 0.55', 100_000, () => uniform(0.54, 0.56)],
      ['exponential', 300_000, () => uniform(0.55, 1.5)],
      ['near 1', 100_000, () => uniform(0.99, 1.01)],
      ['large', 200_000, () => uniform(1.5, 19.1)],
      ['saturated', 50_000, () => uniform(19, 40)],
    ];
    const worst: Record<string, { ulps: number; at: number }> = {};
    const notOdd: number[] = [];
    const record = (name: string, x: number) => {
      const y = tanh(x);
      if (!Object.is(tanh(-x), -y)) notOdd.push(x);
      const error = ulpError(y, exactTanh(x));
      if (!(error <= (worst[name]?.ulps ?? -1))) worst[name] = { ulps: error, at: x };
    };
    for (const [name, count, draw] of ranges) for (let i = 0; i < count; i++) record(name, draw());
    // 200 consecutive doubles from each boundary up.
    for (const start of [2 ** -27 * (1 - 2 ** -52), 0.5499999999999998, 19.099999999999998]) {
      for (let x = start, i = 0; i < 200; i++, x = nextUp(x)) record('boundaries', x);
    }
    expect(notOdd).toEqual([]);
    const largest = Math.max(...Object.values(worst).map((w) => w.ulps));
    expect(largest).toBeLessThan(1);
    expect(largest).toBeGreaterThan(0.5); // the oracle sees the errors (a correctly rounded tanh has 0.5)
    console.log(
      `tanh: largest error ${largest.toFixed(3)} ulp; by range: ` +
        Object.entries(worst)
          .map(([name, w]) => `${name} ${w.ulps.toFixed(3)} (x = ${w.at})`)
          .join(', '),
    );
  });
});
