/**
 * One batch holding every odd input an LMS download or a student repository really produces
 * (docs/threat-model.md, "Odd inputs"), beside correct submissions, through the real command line:
 * the grader finishes, writes every report, the correct submissions keep full marks, each odd one
 * has its own row with a clear message, and the exit code says whether every row is trustworthy
 * (3 while one row is a grader fault, 0 without it).
 *
 * The odd inputs are built here in a temporary folder (nothing committed links to a device).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AdmZip from 'adm-zip';

const ROOT = path.join(__dirname, '..', '..');
const CORRECT = path.join(ROOT, 'submissions', 'correct-loops');
const CORRECT_RNN = readFileSync(path.join(CORRECT, 'rnn.ts'));
const RUBRIC =
  'items:\n' +
  ['contract.exports', 'data.columnMeans', 'loss.mse', 'forward.shape', 'grad.c.value', 'grad.b.value']
    .map((id) => `  - check: ${id}\n    points: 1\n`)
    .join('');

interface Row {
  id: string;
  status: string;
  score: number;
  maxScore: number;
  error?: string;
  cause?: string;
  warnings: string[];
  checks: Array<{ id: string; status: string; cause?: string }>;
}

function grade(args: string[], cwd: string) {
  const run = spawnSync(
    path.join(ROOT, 'node_modules', '.bin', 'tsx'),
    [path.join(ROOT, 'grader', 'cli.ts'), ...args],
    {
      cwd,
      encoding: 'utf8',
      timeout: 500_000,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, CI: 'true' },
    },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function zipOf(files: Record<string, Buffer | string>): Buffer {
  const archive = new AdmZip();
  for (const [name, data] of Object.entries(files))
    archive.addFile(name, Buffer.isBuffer(data) ? data : Buffer.from(data));
  return archive.toBuffer();
}

/** A correct submission folder at `dir` (a string, or a Buffer for a name that is not UTF-8). */
function correctFolder(dir: string | Buffer, extra: Record<string, string> = {}): void {
  mkdirSync(dir, { recursive: true });
  const file = (name: string) =>
    typeof dir === 'string' ? path.join(dir, name) : Buffer.concat([dir, Buffer.from(`/${name}`)]);
  writeFileSync(file('rnn.ts'), CORRECT_RNN);
  for (const [name, text] of Object.entries(extra)) {
    mkdirSync(path.dirname(file(name).toString()), { recursive: true });
    writeFileSync(file(name), text);
  }
}

describe('a batch of odd inputs', () => {
  let root: string;
  let batch: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'rnn-odd-batch-'));
    batch = path.join(root, 'batch');
    mkdirSync(batch);
    writeFileSync(path.join(root, 'rubric.yaml'), RUBRIC);

    // Correct submissions: a folder, a zip with rnn.ts in a folder, a zip inside a zip.
    cpSync(CORRECT, path.join(batch, 'correct-loops'), { recursive: true });
    writeFileSync(path.join(batch, 'zipped.zip'), zipOf({ 'lab8/src/rnn.ts': CORRECT_RNN, 'lab8/README.md': 'notes' }));
    writeFileSync(
      path.join(batch, 'zipped-twice.zip'),
      zipOf({ 'upload/lab8.zip': zipOf({ 'lab8/rnn.ts': CORRECT_RNN }) }),
    );

    // 14.2: a folder name that is not UTF-8 ("café" in Latin-1).
    correctFolder(Buffer.concat([Buffer.from(`${batch}/`), Buffer.from('caf\xe9', 'latin1')]));
    // 14.3: the same id twice.
    correctFolder(path.join(batch, 'alice'));
    writeFileSync(path.join(batch, 'alice.zip'), zipOf({ 'rnn.ts': CORRECT_RNN }));
    // 14.4: a zip cannot speak for other students; nested zips share one size limit (2 × 110 MB > 200 MB).
    writeFileSync(
      path.join(batch, 'mallory.zip'),
      zipOf({ 'victim-alice/rnn.ts': CORRECT_RNN, 'victim-bob/rnn.ts': CORRECT_RNN }),
    );
    const part = zipOf({ 'zeros.bin': Buffer.alloc(110 * 1024 * 1024) });
    writeFileSync(path.join(batch, 'bomb.zip'), zipOf({ 'rnn.ts': CORRECT_RNN, 'a.zip': part, 'b.zip': part }));

    // 14.5: links into a device and a FIFO, a FIFO among the sources, and odd entries in the batch folder.
    correctFolder(path.join(batch, 'dev-zero'));
    mkdirSync(path.join(batch, 'dev-zero', 'lab'));
    symlinkSync('/dev/zero', path.join(batch, 'dev-zero', 'lab', 'index.ts'));
    symlinkSync('/dev/zero', path.join(batch, 'dev-zero', 'helpers.ts'));
    execFileSync('mkfifo', [path.join(root, 'outside-fifo')]);
    correctFolder(path.join(batch, 'fifo'));
    mkdirSync(path.join(batch, 'fifo', 'lab'));
    symlinkSync(path.join(root, 'outside-fifo'), path.join(batch, 'fifo', 'lab', 'index.ts'));
    execFileSync('mkfifo', [path.join(batch, 'fifo', 'extra.ts')]);
    execFileSync('mkfifo', [path.join(batch, 'pipe.zip')]);
    symlinkSync('/etc', path.join(batch, 'etc-link'));

    // 14.1: nesting beyond the grader's limit (the submission's error), and code that esbuild
    // cannot finish (a grader fault: this row only).
    writeFileSync(path.join(root, 'deep.ts'), `export const x = ${'('.repeat(2000)}1${')'.repeat(2000)};\n`);
    correctFolder(path.join(batch, 'deep-nesting'));
    writeFileSync(
      path.join(batch, 'deep-nesting', 'rnn.ts'),
      Buffer.concat([CORRECT_RNN, readFileSync(path.join(root, 'deep.ts'))]),
    );
    correctFolder(path.join(batch, 'transpiler-hang'));
    const labels = Array.from({ length: 100_000 }, (_, i) => `l${i}: `).join('') + 'void 0;\n';
    writeFileSync(path.join(batch, 'transpiler-hang', 'rnn.ts'), Buffer.concat([CORRECT_RNN, Buffer.from(labels)]));

    // 14.6: a type-level bomb (the type check is cut off; grading is not affected).
    const bomb = [
      'type Perm<T extends string, U extends string = T> = [T] extends [never] ? [] : T extends T ? [T, ...Perm<Exclude<U, T>>] : never;',
      "export const p: Perm<'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h' | 'i' | 'j' | 'k'> = ['a'];",
    ].join('\n');
    correctFolder(path.join(batch, 'type-bomb'));
    writeFileSync(path.join(batch, 'type-bomb', 'rnn.ts'), Buffer.concat([CORRECT_RNN, Buffer.from(`\n${bomb}\n`)]));
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('every odd input costs only its own row; the exit code says the batch is incomplete', () => {
    const started = Date.now();
    const run = grade(['batch', '--rubric', 'rubric.yaml', '--jobs', '2', '--timeout', '60', '--out', 'out'], root);
    const seconds = (Date.now() - started) / 1000;
    expect({ status: run.status, stderr: run.stderr.slice(-3000) }).toEqual({ status: 3, stderr: expect.any(String) });
    expect(seconds).toBeLessThan(480);
    // Every report was written.
    for (const file of ['report.json', 'report.md', 'junit.xml', 'gradebook.csv'])
      expect([file, existsSync(path.join(root, 'out', file))]).toEqual([file, true]);

    const report = JSON.parse(readFileSync(path.join(root, 'out', 'report.json'), 'utf8'));
    const rows = new Map<string, Row>(report.submissions.map((row: Row) => [row.id, row]));
    expect([...rows.keys()].sort()).toEqual(
      [
        'alice',
        'alice-2',
        'bomb',
        'caf%E9',
        'correct-loops',
        'deep-nesting',
        'dev-zero',
        'etc-link',
        'fifo',
        'mallory',
        'pipe',
        'transpiler-hang',
        'type-bomb',
        'zipped',
        'zipped-twice',
      ].sort(),
    );
    const row = (id: string) => rows.get(id)!;

    // Correct code keeps full marks, whatever its container, name or neighbours.
    for (const id of [
      'correct-loops',
      'zipped',
      'zipped-twice',
      'caf%E9',
      'alice',
      'alice-2',
      'dev-zero',
      'fifo',
      'type-bomb',
    ]) {
      expect([id, row(id).status, row(id).score, row(id).cause]).toEqual([id, 'graded', row(id).maxScore, undefined]);
    }
    expect(row('caf%E9').warnings).toContainEqual(expect.stringContaining('it is graded under the id "caf%E9"'));
    expect(row('alice-2').warnings).toContainEqual(
      '2 submissions have the id "alice" (batch/alice, batch/alice.zip!); they are graded as alice, alice-2 respectively',
    );
    expect(report.warnings).toContainEqual(expect.stringContaining('they are graded as alice, alice-2'));
    for (const id of ['dev-zero', 'fifo'])
      expect(row(id).warnings).toContainEqual(expect.stringMatching(/^handout files were changed .*lab\/index\.ts/));
    expect(row('dev-zero').warnings).toContainEqual('symlink helpers.ts points outside the submission folder; skipped');
    expect(row('fifo').warnings).toContainEqual('extra.ts is not a regular file (a device, FIFO or socket); skipped');
    expect(row('type-bomb').warnings).toContainEqual(
      expect.stringMatching(/^type check skipped: it did not finish within/),
    );

    // Each odd one: its own row, a clear message, and whose fault it is.
    const errors = Object.fromEntries(
      ['mallory', 'bomb', 'pipe', 'etc-link', 'deep-nesting', 'transpiler-hang'].map((id) => [
        id,
        [row(id).status, row(id).cause ?? 'submission', row(id).error],
      ]),
    );
    expect(errors).toEqual({
      mallory: [
        'error',
        'submission',
        'the zip holds 2 files named rnn.ts (victim-alice/rnn.ts, victim-bob/rnn.ts); a zip is one submission and must hold exactly one.',
      ],
      bomb: [
        'error',
        'submission',
        'the zip could not be unpacked: it unpacks to more than 209715200 bytes (with the zips inside it)',
      ],
      pipe: [
        'error',
        'submission',
        expect.stringMatching(
          /^pipe\.zip is not a regular file or folder \(a device, FIFO or socket\); the grader does not follow or open it/,
        ),
      ],
      'etc-link': [
        'error',
        'submission',
        expect.stringMatching(/^etc-link is a symbolic link; the grader does not follow or open it/),
      ],
      'deep-nesting': [
        'error',
        'submission',
        expect.stringMatching(/^rnn\.ts:\d+: brackets nested more than 500 levels deep \(the grader's limit\)/),
      ],
      'transpiler-hang': [
        'error',
        'grader',
        expect.stringMatching(/^Internal grader error .*: the transpiler \(esbuild\) did not finish within 30 s/),
      ],
    });
    // A grader fault is not the student's zero: flagged, and no check of it claims a verdict.
    expect(row('transpiler-hang').checks.every((check) => check.status === 'skipped')).toBe(true);
  }, 600_000);

  test('the same odd inputs without a grader fault: every row is trustworthy and the batch exits 0', () => {
    const clean = path.join(root, 'clean');
    mkdirSync(clean);
    cpSync(path.join(batch, 'mallory.zip'), path.join(clean, 'mallory.zip'));
    cpSync(path.join(batch, 'alice'), path.join(clean, 'alice'), { recursive: true });
    cpSync(path.join(batch, 'alice.zip'), path.join(clean, 'alice.zip'));
    cpSync(path.join(batch, 'deep-nesting'), path.join(clean, 'deep-nesting'), { recursive: true });
    symlinkSync('/dev/zero', path.join(clean, 'zero.zip'));
    const run = grade(
      ['clean', '--rubric', 'rubric.yaml', '--jobs', '2', '--format', 'json', '--out', 'out-clean'],
      root,
    );
    expect({ status: run.status, stderr: run.stderr.slice(-3000) }).toEqual({ status: 0, stderr: expect.any(String) });
    const report = JSON.parse(readFileSync(path.join(root, 'out-clean', 'report.json'), 'utf8'));
    expect(report.submissions.map((row: Row) => [row.id, row.status, row.cause])).toEqual([
      ['alice', 'graded', undefined],
      ['alice-2', 'graded', undefined],
      ['deep-nesting', 'error', undefined],
      ['mallory', 'error', undefined],
      ['zero', 'error', undefined],
    ]);
  }, 300_000);
});
