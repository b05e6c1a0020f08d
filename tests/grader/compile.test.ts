/**
 * prepareSubmission: copies and transpiles a submission's own files into a work dir, provides
 * the bundled `rnn-lab`, reports syntax errors with file:line:col and type errors (against the
 * lab contract) as warnings. Submissions are written to temp folders here; the end-to-end runs
 * go through the sandboxed executor, never through this process.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  buildLabBundle,
  MAX_TYPE_WARNINGS,
  prepareSubmission,
  prepareSubmissionAsync,
  removeBuildDir,
  stopTypeCheckWorker,
} from '../../grader/compile';
import { contractSource, typeCheckSubmission } from '../../grader/compile/typecheck';
import { createSandboxExecutor, getSandboxRuntime } from '../../grader/sandbox';
import type { CallRequest } from '../../checks/protocol/requests';

const PROJECT_ROOT = resolve(__dirname, '..', '..');
const WELL_BEHAVED = join(PROJECT_ROOT, 'tests', 'fixtures', 'hostile', 'well-behaved', 'rnn.ts');

let root: string;
let counter = 0;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'rnn-compile-'));
});

afterAll(() => {
  stopTypeCheckWorker();
  rmSync(root, { recursive: true, force: true });
  removeBuildDir();
});

/** Writes `files` (relative path → text) into a fresh submission folder. */
function submission(files: Record<string, string>): string {
  const dir = join(root, `submission-${++counter}`);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

const workDir = () => join(root, `work-${++counter}`);
const wellBehaved = () => readFileSync(WELL_BEHAVED, 'utf8');

describe('prepareSubmission', () => {
  test('a conforming submission: CommonJS output, rnn-lab provided, no warnings', () => {
    const dir = submission({ 'rnn.ts': readFileSync(join(PROJECT_ROOT, 'reference', 'rnn.ts'), 'utf8') });
    const prepared = prepareSubmission(dir, workDir());
    expect(prepared.error).toBeUndefined();
    expect(prepared.ok).toBe(true);
    expect(prepared.warnings).toEqual([]);
    expect(prepared.entry).toBe(join(prepared.workDir, 'submission', 'rnn.js'));
    expect(prepared.entryRel).toBe('submission/rnn.js');
    const code = readFileSync(prepared.entry, 'utf8');
    expect(code).toMatch(/require\("rnn-lab"\)/);
    expect(code).not.toMatch(/^\s*import\s/m);
    expect(existsSync(join(prepared.workDir, 'node_modules', 'rnn-lab', 'index.js'))).toBe(true);
    expect(JSON.parse(readFileSync(join(prepared.workDir, 'package.json'), 'utf8')).type).toBe('commonjs');
  }, 30_000); // the first type check of the run parses the TypeScript and Node declaration files

  test('the rnn-lab bundle is built once, shared by hard links, and leaves out lab/data.ts', () => {
    const bundle = buildLabBundle();
    expect(buildLabBundle()).toBe(bundle);
    expect(bundle.inputs).toEqual(expect.arrayContaining(['lab/index.ts', 'lab/rng.ts']));
    expect(bundle.inputs.some((input) => /data\.ts$/.test(input))).toBe(false);
    const text = readFileSync(bundle.indexJs, 'utf8');
    expect(bundle.inputs.some((input) => input.includes('node_modules/pure-rand/'))).toBe(true); // inlined
    expect(text).not.toMatch(/require\("pure-rand/);
    expect(text).not.toMatch(/loadPollutionData|DATA_SHA256|fetch\(/);
    const first = prepareSubmission(submission({ 'rnn.ts': wellBehaved() }), workDir(), { typeCheck: false });
    const second = prepareSubmission(submission({ 'rnn.ts': wellBehaved() }), workDir(), { typeCheck: false });
    const inode = (prepared: typeof first) =>
      statSync(join(prepared.workDir, 'node_modules', 'rnn-lab', 'index.js')).ino;
    expect(inode(first)).toBe(inode(second));
  });

  test('a syntax error fails with file:line:col', () => {
    const dir = submission({ 'rnn.ts': 'export const a = 1;\n\nexport const b = a +* 3;\n' });
    const prepared = prepareSubmission(dir, workDir());
    expect(prepared.ok).toBe(false);
    expect(prepared.error).toBe('rnn.ts:3:21: Unexpected "*"');
  });

  test('a syntax error in a helper file names that file', () => {
    const dir = submission({ 'rnn.ts': wellBehaved(), 'lib/helpers.ts': 'export const x = ;\n' });
    const prepared = prepareSubmission(dir, workDir());
    expect(prepared.error).toMatch(/^lib\/helpers\.ts:1:\d+: /);
  });

  test('no rnn.ts is an error', () => {
    const prepared = prepareSubmission(submission({ 'main.ts': 'export {};\n' }), workDir());
    expect(prepared.ok).toBe(false);
    expect(prepared.error).toMatch(/no rnn\.ts/);
  });

  test('type errors are warnings (capped), with the contract named', () => {
    const broken = wellBehaved()
      .replace(
        'export function mseLoss(yTrue: number, yPred: number): number {',
        'export function mseLoss(yTrue: string, yPred: number): number {',
      )
      .replace('return (yTrue - yPred) ** 2;', 'return (Number(yTrue) - yPred) ** 2;')
      .replace('export function columnStds(', 'function columnStdsRenamed(');
    const extra = Array.from({ length: 12 }, (_, i) => `export const bad${i}: number = 'x${i}';`).join('\n');
    const dir = submission({ 'rnn.ts': `${broken}\n${extra}\nexport const unused = columnStdsRenamed;\n` });
    const prepared = prepareSubmission(dir, workDir());
    expect(prepared.ok).toBe(true);
    expect(prepared.warnings.length).toBe(MAX_TYPE_WARNINGS + 1);
    expect(prepared.warnings[0]).toMatch(
      /^type error in rnn\.ts:\d+: Type 'string' is not assignable to type 'number'/,
    );
    // 12 in rnn.ts + 2 against the contract (mseLoss's type, columnStds missing)
    expect(prepared.warnings[MAX_TYPE_WARNINGS]).toBe('… and 4 more type errors');
  });

  test('contract mismatches are reported by export name', () => {
    const source = wellBehaved()
      .replace(
        'export function mseLoss(yTrue: number, yPred: number): number {',
        'export function mseLoss(yTrue: string, yPred: number): number {',
      )
      .replace('return (yTrue - yPred) ** 2;', 'return (Number(yTrue) - yPred) ** 2;')
      .replace('export function columnStds(', 'function columnStds_(')
      .concat('\nexport const keep = columnStds_;\n');
    const prepared = prepareSubmission(submission({ 'rnn.ts': source }), workDir());
    expect(prepared.warnings).toEqual(
      expect.arrayContaining([
        'type error in rnn.ts: the lab contract asks for an export named columnStds, and rnn.ts has none',
        expect.stringMatching(/^type error in rnn\.ts: mseLoss does not match the lab contract: /),
      ]),
    );
  });

  test('the contract source compiles against the reference solution (no warnings above)', () => {
    const { text, lineToExport } = contractSource();
    expect(new Set(lineToExport.values())).toEqual(
      new Set([
        'numTrainSamples',
        'columnMeans',
        'columnStds',
        'standardize',
        'getRandomDay',
        'mseLoss',
        'RNN',
        'doTrainingStep',
        'trainRnn',
      ]),
    );
    expect(text).toContain("from './rnn'");
  });

  test('imports from outside the folder stay unresolved (a type warning here, a load error in the sandbox)', () => {
    const source = `import { secret } from '../../reference/rnn';\nexport const leaked = secret;\n${wellBehaved()}`;
    const prepared = prepareSubmission(submission({ 'rnn.ts': source }), workDir());
    expect(prepared.ok).toBe(true);
    expect(prepared.warnings.join('\n')).toMatch(/Cannot find module '\.\.\/\.\.\/reference\/rnn'/);
  });

  test('skips node_modules, tests, dotfiles, declaration files; refuses symlinks leading out', () => {
    const dir = submission({
      'rnn.ts': wellBehaved(),
      'helpers.ts': 'export const two = 2;\n',
      'node_modules/evil/index.js': 'module.exports = 1;\n',
      'tests/rnn.test.ts': 'test("x", () => {});\n',
      'rnn.spec.ts': 'export {};\n',
      '.hidden.ts': 'export {};\n',
      'types.d.ts': 'declare const x: number;\n',
      'package.json': '{"type":"module"}\n',
      'weights.json': '[1,2,3]\n',
    });
    symlinkSync(join(PROJECT_ROOT, 'reference', 'rnn.ts'), join(dir, 'leak.ts'));
    symlinkSync(join(dir, 'helpers.ts'), join(dir, 'alias.ts'));
    const prepared = prepareSubmission(dir, workDir(), { typeCheck: false });
    const out = join(prepared.workDir, 'submission');
    expect(existsSync(join(out, 'rnn.js'))).toBe(true);
    expect(existsSync(join(out, 'helpers.js'))).toBe(true);
    expect(existsSync(join(out, 'alias.js'))).toBe(true); // a symlink inside the folder is fine
    expect(existsSync(join(out, 'weights.json'))).toBe(true);
    for (const absent of [
      'leak.js',
      'node_modules',
      'tests',
      'rnn.spec.js',
      '.hidden.js',
      'types.d.js',
      'types.js',
      'package.json',
    ]) {
      expect(existsSync(join(out, absent))).toBe(false);
    }
    expect(prepared.warnings).toEqual(['symlink leak.ts points outside the submission folder; skipped']);
  });

  test('rnn.ts wins over a compiled rnn.js next to it; a plain JavaScript submission works too', () => {
    const both = prepareSubmission(submission({ 'rnn.ts': wellBehaved(), 'rnn.js': 'exports.x = 1;\n' }), workDir(), {
      typeCheck: false,
    });
    expect(both.warnings).toEqual(['rnn.js ignored: rnn.ts is used instead']);
    const js = prepareSubmission(
      submission({ 'rnn.js': 'export function mseLoss(a, b) { return (a - b) ** 2; }\n' }),
      workDir(),
    );
    expect(js.ok).toBe(true);
    expect(readFileSync(js.entry, 'utf8')).toMatch(/module\.exports/);
  });

  test('a non-empty work dir is refused', () => {
    const target = workDir();
    mkdirSync(target);
    writeFileSync(join(target, 'something'), 'x');
    expect(() => prepareSubmission(submission({ 'rnn.ts': wellBehaved() }), target)).toThrow(/not empty/);
  });

  test('end to end in the sandbox: own helper files and rnn-lab import, nothing else', async () => {
    const source = [
      `import { createRng, zerosVector } from 'rnn-lab';`,
      `import { two } from './lib/two';`,
      `export function mseLoss(yTrue: number, yPred: number): number { return (yTrue - yPred) ** two + zerosVector(1)[0]! + createRng(1).int(1); }`,
    ].join('\n');
    const dir = submission({ 'rnn.ts': source, 'lib/two.ts': 'export const two = 2;\n' });
    const prepared = prepareSubmission(dir, workDir());
    expect(prepared.ok).toBe(true);
    const executor = createSandboxExecutor(prepared, { memoryMb: 96 }, getSandboxRuntime());
    try {
      const request: CallRequest = { op: 'call', fn: 'mseLoss', args: [{ value: 1 }, { value: 4 }] };
      const result = await executor.run(request, { timeoutMs: 10_000 });
      expect(result).toMatchObject({ ok: true, value: 9 });
    } finally {
      await executor.close();
    }
  }, 20_000);

  test('a missing RNN class is reported once', () => {
    const source = wellBehaved().replace('export class RNN {', 'class RNN {');
    const prepared = prepareSubmission(submission({ 'rnn.ts': source }), workDir());
    expect(prepared.warnings.filter((warning) => /export named RNN/.test(warning))).toHaveLength(1);
  });

  test('a type-level bomb only costs the type warnings: the check is cut off, the next one works', () => {
    const bomb = [
      'type Perm<T extends string, U extends string = T> = [T] extends [never] ? [] : T extends T ? [T, ...Perm<Exclude<U, T>>] : never;',
      "export const p: Perm<'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h' | 'i' | 'j'> = ['a'];",
    ].join('\n');
    const started = Date.now();
    const prepared = prepareSubmission(submission({ 'rnn.ts': `${bomb}\n${wellBehaved()}` }), workDir(), {
      typeCheckTimeoutMs: 1500,
    });
    expect(prepared.ok).toBe(true);
    expect(prepared.warnings).toEqual([expect.stringMatching(/^type check skipped: it did not finish within 2 s/)]);
    expect(Date.now() - started).toBeLessThan(10_000);
    const next = prepareSubmission(
      submission({ 'rnn.ts': `${wellBehaved()}\nexport const bad: number = 'x';\n` }),
      workDir(),
    );
    expect(next.warnings).toEqual([
      expect.stringMatching(/^type error in rnn\.ts:\d+: Type 'string' is not assignable/),
    ]);
  }, 60_000);

  test('a type-level bomb never delays the type check of the submissions graded beside it', async () => {
    const bomb = [
      'type Perm<T extends string, U extends string = T> = [T] extends [never] ? [] : T extends T ? [T, ...Perm<Exclude<U, T>>] : never;',
      "export const p: Perm<'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h' | 'i' | 'j' | 'k'> = ['a'];",
    ].join('\n');
    const finished: string[] = [];
    // The bomb's budget leaves room on a busy machine: the spare starts once the bomb's thread has
    // spent 2 s of CPU, then parses the libraries (~3 s of CPU), both at nice 5. At load ~6 on
    // 2 cores that took more than 25 s of wall time.
    const bombed = prepareSubmissionAsync(submission({ 'rnn.ts': `${bomb}\n${wellBehaved()}` }), workDir(), {
      typeCheckTimeoutMs: 45_000,
    }).then((prepared) => {
      finished.push('bomb');
      return prepared;
    });
    const normal = prepareSubmissionAsync(
      submission({ 'rnn.ts': `${wellBehaved()}\nexport const bad: number = 'x';\n` }),
      workDir(),
      { typeCheckTimeoutMs: 60_000 },
    ).then((prepared) => {
      finished.push('normal');
      return prepared;
    });
    const [bombReport, normalReport] = await Promise.all([bombed, normal]);
    // The normal one is checked on another worker while the bomb uses up its own budget.
    expect(finished).toEqual(['normal', 'bomb']);
    expect(normalReport.warnings).toEqual([
      expect.stringMatching(/^type error in rnn\.ts:\d+: Type 'string' is not assignable/),
    ]);
    expect(bombReport.warnings).toEqual([expect.stringMatching(/^type check skipped: it did not finish within 45 s/)]);
  }, 150_000);

  test('prepareSubmissionAsync gives the same result without blocking', async () => {
    const dir = submission({ 'rnn.ts': `${wellBehaved()}\nexport const bad: number = 'x';\n` });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    try {
      const prepared = await prepareSubmissionAsync(dir, workDir());
      expect(prepared.ok).toBe(true);
      expect(prepared.warnings).toEqual([
        expect.stringMatching(/^type error in rnn\.ts:\d+: Type 'string' is not assignable/),
      ]);
    } finally {
      clearInterval(ticker);
    }
    expect(ticks).toBeGreaterThan(0);
  }, 60_000);

  test("each type check stands alone: the one before it (whose program's structure it reuses) changes nothing", () => {
    const rnn = (extra: string) => ({ rel: 'rnn.ts', kind: 'ts' as const, text: `${wellBehaved()}\n${extra}\n` });
    const withHelper = [
      rnn(`import { scale } from './lib/util';\nexport const doubled: number = scale(2);`),
      { rel: 'lib/util.ts', kind: 'ts' as const, text: 'export const scale = (x: number): number => 2 * x;\n' },
    ];
    const helperMissing = [rnn(`import { scale } from './lib/util';\nexport const doubled: number = scale(2);`)];
    const helperOtherType = [
      withHelper[0],
      { rel: 'lib/util.ts', kind: 'ts' as const, text: 'export const scale = (x: number): string => `${x}`;\n' },
    ];
    const alone = [withHelper, helperMissing, helperOtherType].map((files) => {
      typeCheckSubmission([rnn('')]); // a different program before each
      return typeCheckSubmission(files);
    });
    expect(alone[0]).toEqual([]);
    expect(alone[1]).toEqual([expect.stringMatching(/^type error in rnn\.ts:\d+: Cannot find module '\.\/lib\/util'/)]);
    expect(alone[2]).toEqual([
      expect.stringMatching(/^type error in rnn\.ts:\d+: Type 'string' is not assignable to type 'number'/),
    ]);
    // every order of the three gives each the warnings it got alone
    for (const order of [
      [0, 1, 2, 0, 2, 1, 1, 0],
      [2, 2, 0, 1, 0],
    ]) {
      for (const index of order)
        expect(typeCheckSubmission([withHelper, helperMissing, helperOtherType][index])).toEqual(alone[index]);
    }
  });

  test('type-checking a second submission reuses the parsed libraries', () => {
    const copy = join(root, 'copy');
    cpSync(dirname(WELL_BEHAVED), copy, { recursive: true });
    prepareSubmission(copy, workDir()); // warm
    const prepared = prepareSubmission(copy, workDir());
    expect(prepared.warnings).toEqual([]);
    expect(prepared.timings.typeCheckMs).toBeLessThan(5000);
  });
});
