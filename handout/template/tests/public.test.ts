/**
 * The public checks of the lab, run against your rnn.ts. They are a subset of what the course
 * staff run when grading: passing all of them is a good sign, not a guarantee of full marks.
 *
 * Replay one failing check exactly: CHECK_REPLAY="<check id>:<seed>:<path>" npm test
 */
import path from 'path';
import { writeFileSync } from 'fs';
import type { Matrix } from 'rnn-lab';
import { loadPollutionData } from 'rnn-lab/data';
import { runBattery } from '../checks/battery';
import { loadInProcess } from '../checks/executors/in-process';
import { publicCatalogue } from '../checks/public';
import type { Fixtures } from '../checks/public';
import type { CheckResult } from '../checks/types';
import fixtureFile from '../checks/public/fixtures.json';

const fixtures = fixtureFile as unknown as Fixtures;
const checks = publicCatalogue(fixtures);
const results = new Map<string, CheckResult>();

/** The training split, standardized with the statistics stored with the fixtures. */
function trainSplit(raw: Matrix): Matrix {
  const { rows, means, stds } = fixtures.trainSplit;
  return raw.slice(0, rows).map((row) => row.map((value, j) => (value - means[j]) / stds[j]));
}

function parseReplay(text: string | undefined) {
  const match = text ? /^([^:]+):(-?\d+):(.*)$/.exec(text) : null;
  return match ? { id: match[1], seed: Number(match[2]), path: match[3] } : undefined;
}

beforeAll(async () => {
  const executor = loadInProcess(path.join(__dirname, '..', 'rnn.ts'));
  const outcome = await runBattery(executor, checks, {
    seed: Number(process.env.CHECK_SEED ?? 1),
    replay: parseReplay(process.env.CHECK_REPLAY),
    loadTrainData: async () => trainSplit(await loadPollutionData()),
  });
  for (const result of outcome) results.set(result.id, result);
  const points = Object.fromEntries(checks.map((check) => [check.id, check.points]));
  writeFileSync(path.join(__dirname, '..', '.public-results.json'), JSON.stringify({ points, results: outcome }));
}, 600_000);

describe.each([...new Set(checks.map((check) => check.target))])('%s', (target) => {
  for (const check of checks.filter((c) => c.target === target)) {
    test(check.title, () => {
      const result = results.get(check.id);
      if (!result) throw new Error('this check did not run');
      if (result.status !== 'passed') {
        const feedback = new Error(`[${result.status}] ${result.message}`);
        feedback.stack = feedback.message; // the message is the feedback; the stack would be ours, not yours
        throw feedback;
      }
    });
  }
});
