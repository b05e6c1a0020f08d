/**
 * Requests sent ahead in one message (SubmissionRunner.prefetch, CaseSource.requests) change how
 * calls travel, never what a check concludes: the same verdicts, messages and replay paths as
 * one round trip per call, and any request other than the next one sent ahead goes on its own.
 */
import { runBattery } from '../../checks/battery';
import { MODEL_CHECKS } from '../../checks/catalogue/model-checks';
import { COMPOSITION_CHECKS } from '../../checks/catalogue/composition-checks';
import { DATA_SPEC_CHECKS } from '../../checks/catalogue/data-spec-checks';
import { createInProcessExecutor } from '../../checks/executors/in-process';
import type { CallRequest, ExecutionResult, Executor } from '../../checks/protocol/requests';
import { SubmissionRunner } from '../../checks/runner';
import * as reference from '../../reference/rnn';

const mse = (a: number, b: number): CallRequest => ({ op: 'call', fn: 'mseLoss', args: [{ value: a }, { value: b }] });

/** An executor over `submission` that logs how each request travelled. */
function loggingExecutor(submission: Record<string, unknown>, withSequences: boolean) {
  const inner = createInProcessExecutor(submission);
  const log: string[] = [];
  const executor: Executor = {
    run(request) {
      log.push(`run ${JSON.stringify(request).length}`);
      return inner.run(request);
    },
    ...(withSequences && {
      runSequence(requests: CallRequest[]): Array<Promise<ExecutionResult>> {
        log.push(`sequence of ${requests.length}`);
        let previous: Promise<unknown> = Promise.resolve();
        return requests.map((request) => {
          const answer = previous.then(() => inner.run(request));
          previous = answer;
          return answer;
        });
      },
    }),
  };
  return { executor, log };
}

/** The reference, with one gradient wrong on part of the cases (so fast-check shrinks) and a slip in numTrainSamples. */
function wrongSubmission(): Record<string, unknown> {
  class WrongRnn extends reference.RNN {
    override computeGradC(yTrue: number, yPred: number): number {
      const right = super.computeGradC(yTrue, yPred);
      return yTrue > 0.5 ? right * 1.5 : right;
    }
  }
  return {
    ...reference,
    RNN: WrongRnn,
    numTrainSamples: (numRows: number) => (numRows % 7 === 3 ? 0 : reference.numTrainSamples(numRows)),
  };
}

describe('requests sent ahead', () => {
  test('the runner serves them in order, and drops the rest at the first other request', async () => {
    const { executor, log } = loggingExecutor(reference as unknown as Record<string, unknown>, true);
    const runner = new SubmissionRunner(executor, Date.now() + 10_000);
    runner.prefetch([mse(1, 3), mse(2, 2), mse(0, 1)]);
    expect((await runner.call(mse(1, 3))).value).toBe(4);
    expect(log).toEqual(['sequence of 3']);
    expect((await runner.call(mse(5, 3))).value).toBe(4); // not the next one sent ahead: its own round trip
    expect((await runner.call(mse(0, 1))).value).toBe(1); // dropped meanwhile: its own round trip too
    expect(log.slice(1)).toEqual([expect.stringMatching(/^run /), expect.stringMatching(/^run /)]);
  });

  test('checks conclude exactly as with one round trip per call: verdicts, messages, replay seeds and paths', async () => {
    const checks = [
      ...DATA_SPEC_CHECKS.filter((check) => check.id === 'data.numTrainSamples'),
      ...MODEL_CHECKS.filter((check) => check.id.startsWith('grad.c') || check.id.startsWith('forward')),
      ...COMPOSITION_CHECKS,
    ];
    const grade = async (withSequences: boolean) => {
      const { executor, log } = loggingExecutor(wrongSubmission(), withSequences);
      const results = await runBattery(executor, checks, {
        seed: 7,
        loadTrainData: () => Promise.reject(new Error('not needed')),
      });
      return { results: results.map(({ durationMs: _, ...rest }) => rest), log };
    };
    const singly = await grade(false);
    const together = await grade(true);
    expect(together.results).toEqual(singly.results);
    expect(singly.results.map((result) => result.status)).toEqual([
      'failed',
      'passed',
      'passed',
      'passed',
      'failed',
      'failed',
    ]);
    expect(together.results.find((result) => result.id === 'grad.c.value')?.replay?.path).toMatch(/:/);
    // Far fewer messages: one sequence per check, then single calls only while shrinking.
    expect(together.log.length).toBeLessThan(singly.log.length / 2);
  });
});
