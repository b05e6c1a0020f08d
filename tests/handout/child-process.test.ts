/**
 * The child process a student's `npm test` runs rnn.ts in: an endless call is stopped at its
 * limit and named, not called again, and stopped in a second executor too; a process.exit() or a
 * throw becomes that call's answer, with the line of rnn.ts it came from.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import os from 'os';
import path from 'path';
import { createChildProcessExecutor, EndlessRegistry } from '../../checks/executors/child-process';
import { encodeValue } from '../../checks/protocol/encode';
import type { CallRequest } from '../../checks/protocol/requests';

const SOURCE = `export function mseLoss(yTrue: number, yPred: number): number {
  for (;;) {}
}
export function columnMeans(data: number[][]): number[] {
  throw new Error('boom ' + data.length);
}
export function numTrainSamples(n: number): number {
  process.exit(3);
}
export class RNN {
  u = [[0]]; w = [[0]]; v = [0]; b = [0]; c = 0;
  computeGradB(hidden: number[][], gradH: number[][]): number[] {
    while (hidden.length > 0) {}
    return [];
  }
  getGradients(hidden: number[][]): number[] {
    return this.computeGradB(hidden, hidden);
  }
}
`;

const setup = { hiddenStateSize: 1, numFeatures: 1, params: { u: [[0]], w: [[0]], v: [0], b: [0], c: 0 } };
const matrix = { value: encodeValue([[1]]) };
const gradB: CallRequest = { op: 'method', setup, method: 'computeGradB', args: [matrix, matrix] };
const getGradients: CallRequest = { op: 'method', setup, method: 'getGradients', args: [matrix] };

describe('the child-process executor', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'rnn-child-'));
    file = path.join(dir, 'rnn.ts');
    writeFileSync(file, SOURCE);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stops an endless call at its limit, names it, and answers later calls of it at once', async () => {
    const executor = createChildProcessExecutor(file, { callLimitMs: 1500 });
    try {
      const first = await executor.run(
        { op: 'call', fn: 'mseLoss', args: [{ value: 1 }, { value: 2 }] },
        { timeoutMs: 20_000 },
      );
      expect(first).toMatchObject({
        ok: false,
        failure: 'timeout',
        message: 'mseLoss did not return within 1.5 s: an endless loop?',
      });
      const started = Date.now();
      const again = await executor.run(
        { op: 'call', fn: 'mseLoss', args: [{ value: 1 }, { value: 2 }] },
        { timeoutMs: 20_000 },
      );
      expect(Date.now() - started).toBeLessThan(1000);
      expect(again).toMatchObject({
        ok: false,
        failure: 'timeout',
        message: expect.stringMatching(/^mseLoss did not return within 1\.5 s in an earlier check/),
      });
      // a fresh process serves the next call
      const thrown = await executor.run({ op: 'call', fn: 'columnMeans', args: [{ value: encodeValue([[1, 2]]) }] });
      expect(thrown).toMatchObject({
        ok: false,
        error: {
          name: 'Error',
          message: expect.stringContaining("boom 1\n  at rnn.ts:5:9\n  5 |   throw new Error('boom ' + data.length);"),
        },
      });
    } finally {
      await executor.close();
    }
  }, 60_000);

  it('answers a process.exit() as a crash of that call', async () => {
    const executor = createChildProcessExecutor(file);
    try {
      expect(await executor.run({ op: 'call', fn: 'numTrainSamples', args: [{ value: 10 }] })).toMatchObject({
        ok: false,
        failure: 'crashed',
        message: expect.stringContaining('exited with code 3'),
      });
    } finally {
      await executor.close();
    }
  }, 60_000);

  it('makes a method that calls an endless one throw, and stops it in a second executor', async () => {
    const endless = new EndlessRegistry();
    const short = createChildProcessExecutor(file, { callLimitMs: 1500, endless });
    const long = createChildProcessExecutor(file, { callLimitMs: 60_000, endless });
    try {
      const started = Date.now();
      const inLong = long.run(getGradients, { timeoutMs: 60_000 });
      // let the long call get into computeGradB before the short one finds it endless
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await short.run(gradB, { timeoutMs: 20_000 })).toMatchObject({
        failure: 'timeout',
        message: 'computeGradB did not return within 1.5 s: an endless loop?',
      });
      expect(await inLong).toMatchObject({
        failure: 'timeout',
        message: expect.stringMatching(
          /^getGradients was stopped: computeGradB did not return within 1\.5 s in another check/,
        ),
      });
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(await short.run(getGradients, { timeoutMs: 20_000 })).toMatchObject({
        ok: false,
        error: {
          name: 'SkippedCallError',
          message: expect.stringContaining('computeGradB did not return in an earlier check'),
        },
      });
    } finally {
      await Promise.all([short.close(), long.close()]);
    }
  }, 90_000);
});
