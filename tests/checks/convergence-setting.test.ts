/**
 * A rubric's convergence setting (grader/rubric.ts `convergence:`) reaches train.converges: the
 * check asks trainRnn for that many steps and judges against that pass mark. No data set needed:
 * the training split is a stand-in and the submission's answer is scripted.
 */
import { createRng } from 'rnn-lab';
import { CATALOGUE } from '../../checks/catalogue';
import { DEFAULT_CONVERGENCE, OFFERED_CONVERGENCE } from '../../checks/catalogue/convergence-settings';
import { encodeValue } from '../../checks/protocol/encode';
import type { Executor, ExecutionResult } from '../../checks/protocol/requests';
import { SubmissionRunner } from '../../checks/runner';
import type { CheckOutcome } from '../../checks/types';
import { RNN } from '../../reference/rnn';

const converges = CATALOGUE.find((check) => check.id === 'train.converges')!;

/** Runs train.converges against a trainRnn that reports `loss` at every step and returns an untrained network. */
async function judge(
  setting: (typeof OFFERED_CONVERGENCE)[number] | undefined,
  loss: number,
): Promise<{ outcome: CheckOutcome; askedSteps: unknown }> {
  let askedSteps: unknown;
  const executor: Executor = {
    async run(request): Promise<ExecutionResult> {
      if (request.op !== 'call') throw new Error(`unexpected request ${request.op}`);
      askedSteps = (request.args[1] as { value: unknown }).value;
      const rnn = new RNN(10, 6, createRng(1));
      const value = {
        losses: Array.from({ length: askedSteps as number }, () => loss),
        params: { u: rnn.u, w: rnn.w, v: rnn.v, b: rnn.b, c: rnn.c },
      };
      return { ok: true, value: encodeValue(value), after: { args: [] }, rngLog: [] } as unknown as ExecutionResult;
    },
  };
  const matrix = Array.from({ length: 100 }, (_, i) => Array.from({ length: 6 }, (_, j) => Math.sin(i + j)));
  const outcome = await converges.run({
    runner: new SubmissionRunner(executor, Date.now() + 60_000),
    seed: 1,
    numRuns: 1,
    trainData: async () => ({ matrix, argument: { stored: 'train' } }),
    convergence: setting,
  });
  return { outcome, askedSteps };
}

test("without a setting the check asks for the notebook's 500 steps and quotes 0.075", async () => {
  const { outcome, askedSteps } = await judge(undefined, 1);
  expect(askedSteps).toBe(DEFAULT_CONVERGENCE.steps);
  expect(outcome.status).toBe('failed');
  expect(outcome.message).toContain(`After ${DEFAULT_CONVERGENCE.steps} steps`);
  expect(outcome.message).toContain(`below ${DEFAULT_CONVERGENCE.threshold}`);
});

test.each(OFFERED_CONVERGENCE.filter((setting) => setting !== DEFAULT_CONVERGENCE))(
  "a rubric's %o is what the check asks for and judges with",
  async (setting) => {
    const { outcome, askedSteps } = await judge(setting, 1);
    expect(askedSteps).toBe(setting.steps);
    expect(outcome.message).toContain(`After ${setting.steps} steps`);
    expect(outcome.message).toContain(`below ${setting.threshold}`);
    // A reported curve between the default mark and the setting's passes the curve half of the check
    // (the untrained network still fails the judge's own half, and the message says they disagree).
    const between = (DEFAULT_CONVERGENCE.threshold + setting.threshold) / 2;
    expect((await judge(setting, between)).outcome.message).toMatch(/reported losses say the network converged/);
    expect((await judge(undefined, between)).outcome.message).not.toMatch(/reported losses say the network converged/);
  },
);
