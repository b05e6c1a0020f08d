/**
 * The catalogue: every check, in the order they run. Ids are stable (rubrics refer to them).
 */
import type { CheckDefinition } from '../types';
import { MODEL_CHECKS } from './model-checks';
import { DATA_CHECKS } from './data-checks';
import { COMPOSITION_CHECKS, CONTRACT_CHECKS } from './contract-checks';
import { TRAINING_CHECKS } from './training-checks';

export const CATALOGUE: readonly CheckDefinition[] = [...CONTRACT_CHECKS, ...DATA_CHECKS, ...MODEL_CHECKS, ...COMPOSITION_CHECKS, ...TRAINING_CHECKS];

export function findCheck(id: string): CheckDefinition | undefined {
  return CATALOGUE.find((check) => check.id === id);
}
