/**
 * Hostile submissions against the grader's sandboxed executor, in the strongest sandbox this
 * machine offers (bubblewrap when installed and working; otherwise the fallback, whose own
 * expectations then apply — see tests/fixtures/hostile/harness.ts).
 */
import { defineSandboxSuite } from '../fixtures/hostile/harness';

defineSandboxSuite('auto');
