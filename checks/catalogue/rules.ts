/**
 * The rule each check judges, in the lab contract's words (lab-contract.md). Every failure message
 * quotes the rule that was broken, so a student reads what the contract asks, not only which
 * number was off. tests/checks/messages.test.ts holds every failing message to its rule.
 */
import type { CheckDefinition } from '../types';

export const RULES = {
  numTrainSamples: {
    wholeDays: 'a multiple of 24 (whole days)',
    nearEighty: 'within 24 rows of 0.8 · numRows',
    atMostRows: 'never more than numRows',
  },
  columnMeans: 'columnMeans gives the per-column mean',
  columnStds: 'columnStds gives the per-column sample standard deviation (divide by n-1, as torch.std)',
  standardize: 'standardize gives (x - mean) / std per column, as a new matrix, input untouched',
  mseLoss: 'mseLoss gives (yTrue - yPred)²',
  getRandomDay: {
    draw: "it draws the window's start with exactly one call rng.int(data.length - 24) and nothing else from rng",
    window: 'x is a window of 24 consecutive rows (24×F)',
    target: 'y = TEMP (column 1) of the row right after it',
    reach: 'every valid window must be reachable and no index may fall outside data',
  },
  forward: 'h_t = tanh(U x_t + W h_{t-1} + b), h_0 = 0; hidden is τ×H holding h_1..h_τ; yHat = v·h_τ + c',
  computeGradH: 'row t-1 = ∂L/∂h_t for L = (yPred - yTrue)² (total derivative through later steps)',
  computeGradC: 'computeGradC gives ∂L/∂c',
  computeGradB: 'computeGradB gives ∂L/∂b, summed over every t = 1..τ',
  computeGradV: 'computeGradV gives ∂L/∂v',
  computeGradW: 'computeGradW gives ∂L/∂W, pairing h_t with h_{t-1} where h_0 = 0',
  computeGradU: 'computeGradU gives ∂L/∂U, pairing h_t with x_t for every t = 1..τ',
  getGradients: 'getGradients gives all five, as the functions above compute them',
  untouched: 'gradient functions read the parameters from `this` and must not change them or their inputs',
  constructor:
    'u (H×F), w (H×H), v (H) drawn from Normal(0, 0.001), one rng.normal(0, 0.001) per entry; b (H) zeros; c = 0',
  constructorWithoutRng: 'without rng any source of normal draws',
  doTrainingStep:
    "doTrainingStep samples batchSize random days by calling getRandomDay(data, rng) that many times in order, averages each parameter's gradient over the batch, takes one SGD step on every parameter and returns the mean loss over the batch",
  trainRnn:
    "trainRnn makes a new RNN(10, 6, rng), takes numSteps steps with batch 32 and learning rate 0.01, and losses[i] is step i's return value",
} as const;

/** "… the rule: <rule>." appended to a message. */
export function ruleSentence(rule: string): string {
  return `The lab contract: ${rule}.`;
}

/** `check`, with the rule's sentence appended to every failure message that does not quote it yet. */
export function quotingRule(check: CheckDefinition, rule: string): CheckDefinition {
  return {
    ...check,
    async run(context) {
      const outcome = await check.run(context);
      if (outcome.status !== 'failed' || outcome.message.includes(rule)) return outcome;
      return { ...outcome, message: `${outcome.message} ${ruleSentence(rule)}` };
    },
  };
}
