/**
 * Before any test file runs: the samples stored as edits are written out as folders
 * (tests/helpers/materialise.ts). A patch that no longer applies is reported here and fails
 * tests/checks/samples.test.ts; the other tests run on.
 */
import { materialiseSamples } from './materialise';

export default function globalSetup(): void {
  for (const problem of materialiseSamples()) console.warn(`\n${problem.message}`);
}
