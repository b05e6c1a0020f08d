/**
 * The same hostile submissions against the fallback sandbox (no bubblewrap: node's permission
 * model, rlimits, and — when running as root — a private network namespace and uid 65534),
 * forced even where bwrap is available, so that the fallback is tested everywhere.
 */
import { defineSandboxSuite } from '../fixtures/hostile/harness';

defineSandboxSuite('fallback');
