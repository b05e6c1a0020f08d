/**
 * A check marked freshProcess runs in a new process of the submission (Executor.renew), so that
 * what the earlier checks' calls left in the old one (the JIT's type feedback, a grown heap,
 * module state) cannot change it: the convergence check trained up to ×1.7 slower after the
 * battery's other calls (docs/scaling.md).
 */
import { runBattery } from '../../checks/battery';
import { CATALOGUE } from '../../checks/catalogue';
import { TRAINING_SPEC_CHECKS } from '../../checks/catalogue/training-spec-checks';
import { createInProcessExecutor } from '../../checks/executors/in-process';
import type { Executor } from '../../checks/protocol/requests';
import type { CheckDefinition } from '../../checks/types';
import * as reference from '../../reference/rnn';

function toyCheck(id: string, freshProcess: boolean): CheckDefinition {
  return {
    id,
    target: 'mseLoss',
    title: id,
    points: 1,
    visibility: 'public',
    timeoutMs: 5000,
    freshProcess,
    async run(context) {
      const answer = await context.runner.call({ op: 'call', fn: 'mseLoss', args: [{ value: 1 }, { value: 3 }] });
      return answer.value === 4 ? { status: 'passed', message: '' } : { status: 'failed', message: 'wrong' };
    },
  };
}

describe('checks in a fresh process', () => {
  test('the battery renews the process right before such a check, and only then', async () => {
    const inner = createInProcessExecutor(reference as unknown as Record<string, unknown>);
    const log: string[] = [];
    const executor: Executor = {
      run(request) {
        log.push(request.op);
        return inner.run(request);
      },
      async renew() {
        log.push('renew');
      },
    };
    const checks = [toyCheck('a', false), toyCheck('b', true), toyCheck('c', false)];
    const results = await runBattery(executor, checks, { seed: 1, loadTrainData: async () => [] });
    expect(results.map((r) => r.status)).toEqual(['passed', 'passed', 'passed']);
    expect(log).toEqual(['call', 'renew', 'call', 'call']);
  });

  test('an executor without processes of its own runs the same checks unchanged', async () => {
    const executor = createInProcessExecutor(reference as unknown as Record<string, unknown>);
    const results = await runBattery(executor, [toyCheck('b', true)], { seed: 1, loadTrainData: async () => [] });
    expect(results[0].status).toBe('passed');
  });

  test('a renewal that fails leaves the check in the old process, with the same verdict', async () => {
    const inner = createInProcessExecutor(reference as unknown as Record<string, unknown>);
    const executor: Executor = {
      run: (request) => inner.run(request),
      renew: () => Promise.reject(new Error('the old process would not end')),
    };
    const results = await runBattery(executor, [toyCheck('b', true)], { seed: 1, loadTrainData: async () => [] });
    expect(results[0]).toMatchObject({ status: 'passed' });
  });

  test("the convergence check asks for one, in the grader's catalogue and the handout's", () => {
    const converges = [...CATALOGUE, ...TRAINING_SPEC_CHECKS].filter((check) => check.id === 'train.converges');
    expect(converges).toHaveLength(2);
    for (const check of converges) expect(check.freshProcess).toBe(true);
    expect(CATALOGUE.filter((check) => check.freshProcess).map((check) => check.id)).toEqual(['train.converges']);
  });
});
