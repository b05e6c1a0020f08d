/**
 * The start-up levers keep their promises: a prebuilt bundle is used only while fresh, the
 * training split's float64 file holds exactly the matrix's numbers, and the prebuilt grader does
 * not load the TypeScript compiler on its main thread at start-up; the executor reaches its
 * processes only through the runtime's transport.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadPollutionData } from 'rnn-lab/data';
import { prepareSubmission } from '../../grader/compile';
import { freshPrebuilt } from '../../grader/compile/prebuilt';
import { createSandboxExecutor } from '../../grader/sandbox/executor';
import { getSandboxRuntime } from '../../grader/sandbox/runtime';
import type { TransportFactory } from '../../grader/sandbox/transport';
import { loadPreparedDataInWorker } from '../../grader/data-load';
import { prepareData } from '../../reference/pipeline';
import { matrixDir, matrixFileFor } from '../../grader/sandbox/store-file';
import { EXIT } from '../../grader/exit-codes';

const PROJECT = resolve(__dirname, '..', '..');
/** Without the data set (no RNN_LAB_DATA, nothing cached, no network) the data's own tests are skipped. */
const DATA = process.env.RNN_LAB_DATA;
const withData = DATA ? it : it.skip;

describe('freshPrebuilt', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rnn-prebuilt-'));
    mkdirSync(join(root, 'src'));
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'src', 'a.ts'), 'export {};\n');
    writeFileSync(join(root, 'dist', 'bundle.js'), '// built\n');
    writeFileSync(join(root, 'dist', 'bundle.js.inputs.json'), JSON.stringify(['src/a.ts']));
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'src', 'a.ts'), past, past);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is used while every input is older than the bundle', () => {
    expect(freshPrebuilt('bundle.js', join(root, 'dist'), root)).toEqual({
      path: join(root, 'dist', 'bundle.js'),
      inputs: ['src/a.ts'],
    });
  });

  it('is not used once an input is edited after the build', () => {
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(root, 'src', 'a.ts'), future, future);
    expect(freshPrebuilt('bundle.js', join(root, 'dist'), root)).toBeUndefined();
  });

  it('is not used without its list of inputs, or when an input is gone', () => {
    rmSync(join(root, 'src', 'a.ts'));
    expect(freshPrebuilt('bundle.js', join(root, 'dist'), root)).toBeUndefined();
    rmSync(join(root, 'dist', 'bundle.js.inputs.json'));
    expect(freshPrebuilt('bundle.js', join(root, 'dist'), root)).toBeUndefined();
  });
});

describe('matrixFileFor', () => {
  it('writes the exact float64 values, row-major, once per matrix', () => {
    const matrix = [
      [0.1, -0, 1e-300, 3],
      [-2.5, Number.MAX_VALUE, Number.MIN_VALUE, 1 / 3],
    ];
    const file = matrixFileFor(matrix, '/inside')!;
    expect(file).toMatchObject({ rows: 2, cols: 4 });
    expect(file.path.startsWith('/inside/')).toBe(true);
    const bytes = readFileSync(join(matrixDir(), file.path.slice('/inside/'.length)));
    const values = new Float64Array(new Uint8Array(bytes).buffer);
    expect(Array.from(values)).toEqual(matrix.flat());
    expect(Object.is(values[1], -0)).toBe(true);
    expect(matrixFileFor(matrix, '/inside')).toEqual(file);
  });

  it('leaves matrices JSON carries differently (NaN, ragged, empty) to JSON', () => {
    expect(matrixFileFor([[1, NaN]], '/inside')).toBeUndefined();
    expect(matrixFileFor([[1, Infinity]], '/inside')).toBeUndefined();
    expect(matrixFileFor([[1, 2], [3]], '/inside')).toBeUndefined();
    expect(matrixFileFor([], '/inside')).toBeUndefined();
  });
});

describe('loadPreparedDataInWorker', () => {
  withData(
    'gives exactly the splits of loading the data in place',
    async () => {
      const loading = loadPreparedDataInWorker();
      loading.wanted();
      const inWorker = await loading.data;
      const inPlace = prepareData(await loadPollutionData());
      expect(inWorker.train.length).toBeGreaterThan(30_000);
      expect(inWorker).toEqual(inPlace);
    },
    60_000,
  );

  it("rejects with the loader's own message", async () => {
    const missing = join(tmpdir(), 'rnn-no-such-dir', 'pollution.csv');
    const expected = await loadPollutionData({ dataPath: missing }).then(
      () => 'loaded',
      (error: Error) => error.message,
    );
    const loading = loadPreparedDataInWorker(missing);
    loading.wanted();
    await expect(loading.data).rejects.toThrow(expected);
  }, 60_000);
});

describe('the prebuilt grader', () => {
  beforeAll(() => {
    const built = spawnSync(process.execPath, [join(PROJECT, 'scripts', 'build.mjs'), '--if-stale'], {
      encoding: 'utf8',
    });
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
  }, 120_000);

  it('starts without loading the TypeScript compiler on its main thread', () => {
    const script = `require(${JSON.stringify(join(PROJECT, 'dist', 'grader.js'))});
      process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((k) => /node_modules\\/(typescript|esbuild)\\//.test(k))));`;
    const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: PROJECT });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([]);
  });

  it('runs its command line', () => {
    const result = spawnSync(process.execPath, [join(PROJECT, 'dist', 'grader.js'), '--help'], {
      encoding: 'utf8',
      cwd: PROJECT,
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: grade/);
  });

  it('writes every default report format and compares submissions (the packages it loads on first use)', () => {
    const out = mkdtempSync(join(tmpdir(), 'rnn-dist-grade-'));
    try {
      const grader = join(PROJECT, 'dist', 'grader.js');
      const graded = spawnSync(
        process.execPath,
        [grader, join(PROJECT, 'submissions', 'broken-syntax-error'), '--out', join(out, 'grade')],
        { encoding: 'utf8', cwd: PROJECT },
      );
      expect(graded.stderr).not.toMatch(/crashed/);
      // Without the data set the batch is complete but for the data checks: exit 3, reports written.
      expect(graded.status).toBe(DATA ? EXIT.ok : EXIT.incomplete);
      expect(readFileSync(join(out, 'grade', 'junit.xml'), 'utf8')).toMatch(/^<\?xml/);
      const similarity = spawnSync(
        process.execPath,
        [
          grader,
          'similarity',
          join(PROJECT, 'submissions', 'correct-loops'),
          join(PROJECT, 'submissions', 'correct-functional'),
          '--out',
          join(out, 'sim'),
        ],
        { encoding: 'utf8', cwd: PROJECT },
      );
      expect(similarity.status).toBe(0);
      expect(similarity.stdout).toMatch(/^2 submissions compared/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the transport seam', () => {
  let root: string;
  let workDir: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'rnn-transport-'));
    chmodSync(root, 0o755);
    const source = join(root, 'source');
    mkdirSync(source);
    copyFileSync(join(PROJECT, 'submissions', 'correct-loops', 'rnn.ts'), join(source, 'rnn.ts'));
    workDir = join(root, 'work');
    const prepared = prepareSubmission(source, workDir, { typeCheck: false });
    expect(prepared.ok).toBe(true);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("reaches the submission through the runtime's transport", async () => {
    const runtime = getSandboxRuntime();
    const written: string[] = [];
    let started = 0;
    const recording: TransportFactory = (launch, events) => {
      started++;
      const inner = runtime.transport(launch, events);
      return { ...inner, write: (data) => (written.push(String(data)), inner.write(data)) };
    };
    const executor = createSandboxExecutor(workDir, {}, { ...runtime, transport: recording });
    try {
      const answer = await executor.run({ op: 'exports' }, { timeoutMs: 30_000 });
      expect(answer.ok).toBe(true);
    } finally {
      await executor.close();
    }
    expect(started).toBe(1);
    expect(written[0]).toMatch(/^\{"nonce":"[0-9a-f]{32}","entry":/);
    expect(written.some((line) => line.includes('"op":"exports"'))).toBe(true);
  }, 60_000);

  it('turns a backend that cannot start its process into a crash verdict, not a grader error', async () => {
    const failing: TransportFactory = (_launch, events) => {
      setImmediate(() => events.failedToStart(new Error('no such backend')));
      return { write: () => undefined, kill: () => undefined, forget: () => undefined, cpuSeconds: () => undefined };
    };
    const executor = createSandboxExecutor(workDir, {}, { ...getSandboxRuntime(), transport: failing });
    try {
      const answer = await executor.run({ op: 'exports' }, { timeoutMs: 30_000 });
      expect(answer).toMatchObject({ ok: false, failure: 'crashed' });
      expect((answer as { message: string }).message).toContain(
        'could not start the sandboxed process: no such backend',
      );
    } finally {
      await executor.close();
    }
  }, 60_000);
});
