/**
 * The catalogue: every check, in the order they run. Ids are stable (rubrics refer to them).
 */
import type { CheckDefinition } from '../types';
import { EXPORT_NAMES } from '../lab/definition';
import { MODEL_CHECKS } from './model-checks';
import { DATA_SPEC_CHECKS } from './data-spec-checks';
import { DATA_VALUE_CHECKS } from './data-value-checks';
import { CONTRACT_CHECKS } from './contract-checks';
import { COMPOSITION_CHECKS } from './composition-checks';
import { TRAINING_JUDGED_CHECKS } from './training-judged-checks';
import { TRAINING_STEP_CHECKS } from './training-step-check';
import { recordingVerdicts } from './verdicts';

// Data checks run in the lab definition's order of their targets (the notebook's), each file's own order kept.
const DATA_CHECKS = [...DATA_SPEC_CHECKS, ...DATA_VALUE_CHECKS].sort(
  (a, b) => exportRank(a.target) - exportRank(b.target),
);

function exportRank(target: string): number {
  const rank = (EXPORT_NAMES as readonly string[]).indexOf(target);
  return rank < 0 ? EXPORT_NAMES.length : rank;
}

// Each check records its verdict: later checks trust a building block's answers only where it failed its own.
export const CATALOGUE: readonly CheckDefinition[] = [
  ...CONTRACT_CHECKS,
  ...DATA_CHECKS,
  ...MODEL_CHECKS,
  ...COMPOSITION_CHECKS,
  ...TRAINING_STEP_CHECKS,
  ...TRAINING_JUDGED_CHECKS,
].map(recordingVerdicts);
