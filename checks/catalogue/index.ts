/**
 * The catalogue: every check, in the order they run. Ids are stable (rubrics refer to them).
 */
import type { CheckDefinition } from '../types';
import { MODEL_CHECKS } from './model-checks';

export const CATALOGUE: readonly CheckDefinition[] = [...MODEL_CHECKS];

export function findCheck(id: string): CheckDefinition | undefined {
  return CATALOGUE.find((check) => check.id === id);
}
