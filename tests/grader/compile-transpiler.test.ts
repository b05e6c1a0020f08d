/**
 * The transpiler's long-lived helper processes (grader/compile/transpile-helper.ts): the same
 * output as a one-shot child, and a crash or hang costs only the request that caused it.
 */
import type { SubmissionFile } from '../../grader/compile/collect';
import { createHelperPool, transpileFiles, transpileFilesAsync } from '../../grader/compile/transpile';
import { HelperPool } from '../../grader/compile/transpile-helper';
import { TranspilerFault } from '../../grader/faults';

const file = (text: string, rel = 'rnn.ts'): SubmissionFile => ({ rel, kind: 'ts', text });

/** esbuild needs minutes for this many labels (odd-batch.test.ts uses it as a hang). */
const HANGING = Array.from({ length: 100_000 }, (_, i) => `l${i}: `).join('') + 'void 0;\n';

describe('the transpiler helper', () => {
  const pools: HelperPool[] = [];
  const pool = (budgetMs: number) => {
    const created = createHelperPool(budgetMs);
    pools.push(created);
    return created;
  };
  afterAll(() => pools.forEach((created) => created.stop()));

  test('answers as the one-shot child does: code, and syntax errors as file:line:col', async () => {
    const helpers = pool(30_000);
    const files = [file('export const x: number = 1;\n'), file('export const y = 2 as number;\n', 'lib/y.ts')];
    expect(await transpileFilesAsync(files, helpers)).toEqual(transpileFiles(files));
    const broken = [file('export const x = 1;\n'), file('export const y = ;\n', 'lib/y.ts')];
    const error = await transpileFilesAsync(broken, helpers);
    expect(error).toEqual({ ok: false, error: 'lib/y.ts:1:18: Unexpected ";"' });
    expect(error).toEqual(transpileFiles(broken));
    // a syntax error leaves the helper serving
    expect(await transpileFilesAsync([file('export const z = 3;\n')], helpers)).toMatchObject({ ok: true });
  }, 60_000);

  test('a hang is that submission fault only: the others are served meanwhile and after', async () => {
    const helpers = pool(1_500);
    await transpileFilesAsync([file('export {};\n')], helpers); // started
    const hanging = transpileFilesAsync([file(HANGING)], helpers);
    const beside = transpileFilesAsync([file('export const beside = 1;\n')], helpers);
    await expect(hanging).rejects.toThrow(TranspilerFault);
    await expect(hanging).rejects.toThrow(/the transpiler \(esbuild\) did not finish within 1\.5 s/);
    expect(await beside).toMatchObject({ ok: true });
    expect(await transpileFilesAsync([file('export const after = 1;\n')], helpers)).toMatchObject({ ok: true });
  }, 60_000);

  test('a helper that dies fails only the request it was serving; the next request gets a new one', async () => {
    // A stand-in helper: answers each line with its pid, and dies on "crash".
    const script = `
      process.stdin.setEncoding('utf8');
      process.stdin.on('data', (chunk) => {
        for (const line of chunk.split('\\n').filter(Boolean)) {
          if (line === 'crash') { console.error('fatal error: boom'); process.exit(2); }
          process.stdout.write(JSON.stringify({ pid: process.pid, line }) + '\\n');
        }
      });`;
    const helpers = new HelperPool({ script, args: [], budgetMs: 5_000, parentTimeoutMs: 5_000 });
    pools.push(helpers);
    const first = await helpers.run('a');
    expect(first.ok).toBe(true);
    const crashed = await helpers.run('crash');
    expect(crashed).toEqual({
      ok: false,
      failure: { status: 2, signal: null, stderr: 'fatal error: boom\n', timedOut: false },
    });
    const next = await helpers.run('b');
    expect(next.ok).toBe(true);
    const pid = (reply: typeof first) => (reply.ok ? (JSON.parse(reply.answer) as { pid: number }).pid : undefined);
    expect(pid(next)).not.toBe(pid(first));
    expect(next.ok && JSON.parse(next.answer)).toMatchObject({ line: 'b' });
  }, 30_000);
});
