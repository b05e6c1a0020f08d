/**
 * One catalogue, the same verdicts in every front end: an in-process run, a student's `npm test`
 * (rnn.ts in a plain child process) and the grader's sandboxed child give identical results for
 * the same submission and seed.
 */
import { mkdtempSync, rmSync } from 'fs';
import os from 'os';
import path from 'path';
import type { Matrix } from 'rnn-lab';
import { loadPollutionData } from 'rnn-lab/data';
import { runBattery } from '../../checks/battery';
import { CATALOGUE } from '../../checks/catalogue';
import { createChildProcessExecutor } from '../../checks/executors/child-process';
import { loadInProcess } from '../../checks/executors/in-process';
import { prepareSubmission } from '../../grader/compile';
import { createSandboxExecutor } from '../../grader/sandbox';
import { prepareData } from '../../reference/pipeline';

const ROOT = path.join(__dirname, '..', '..');
const SAMPLES = [
  'correct-float32',
  'notebook-port',
  'grad-h-w-not-transposed',
  'mutates-input',
  'broken-nan',
  'broken-missing-export',
];
// The convergence check needs the data and dominates the time; it is compared when the data is there.
const checks = process.env.RNN_LAB_DATA ? CATALOGUE : CATALOGUE.filter((check) => !check.usesData);

describe('in-process, child-process and sandboxed runs agree', () => {
  let work: string;
  let train: Promise<Matrix>;
  beforeAll(() => {
    work = mkdtempSync(path.join(os.tmpdir(), 'rnn-front-ends-'));
    train = process.env.RNN_LAB_DATA ? loadPollutionData().then((raw) => prepareData(raw).train) : Promise.resolve([]);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test.each(SAMPLES)(
    '%s',
    async (sample) => {
      const options = { seed: 11, loadTrainData: () => train };
      const inProcess = await runBattery(
        loadInProcess(path.join(ROOT, 'submissions', sample, 'rnn.ts')),
        checks,
        options,
      );
      const prepared = prepareSubmission(path.join(ROOT, 'submissions', sample), path.join(work, sample), {
        typeCheck: false,
      });
      expect(prepared.ok).toBe(true);
      const verdicts = (results: typeof inProcess) =>
        results.map((r) => [r.id, r.status, r.diagnosis ?? null, r.replay ?? null]);
      const sandbox = createSandboxExecutor(prepared);
      try {
        const sandboxed = await runBattery(sandbox, checks, options);
        expect(verdicts(sandboxed)).toEqual(verdicts(inProcess));
      } finally {
        await sandbox.close();
      }
      const child = createChildProcessExecutor(path.join(ROOT, 'submissions', sample, 'rnn.ts'));
      try {
        expect(verdicts(await runBattery(child, checks, options))).toEqual(verdicts(inProcess));
      } finally {
        await child.close();
      }
    },
    240_000,
  );
});
