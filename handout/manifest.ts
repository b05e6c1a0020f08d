/**
 * The handout manifest the grader reads instead of importing the handout's code
 * (grader/handout-manifest.ts): every file the handout ships but the data-dependent ones, as
 * path → sha256 and size with whether students may change it, and the skeleton rnn.ts.
 *
 * `npx tsx handout/manifest.ts` rewrites handout/manifest.json from the current sources; a test
 * (tests/grader/handout-manifest.test.ts) fails while the committed one is stale.
 */
import { writeFileSync } from 'fs';
import { HANDOUT_MANIFEST, sha256 } from '../grader/handout-manifest';
import type { HandoutManifest } from '../grader/handout-manifest';
import { isProtectedHandoutFile, staticHandoutFiles } from './files';

export const REGENERATE = 'npx tsx handout/manifest.ts';

export function buildHandoutManifest(): HandoutManifest {
  const files = staticHandoutFiles();
  return {
    generatedBy: REGENERATE,
    files: Object.fromEntries(
      [...files]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([path, text]) => [
          path,
          { sha256: sha256(text), bytes: Buffer.byteLength(text), protected: isProtectedHandoutFile(path) },
        ]),
    ),
    skeleton: { path: 'rnn.ts', text: files.get('rnn.ts')! },
  };
}

export const renderHandoutManifest = (manifest: HandoutManifest): string => `${JSON.stringify(manifest, null, 2)}\n`;

if (require.main === module) {
  writeFileSync(HANDOUT_MANIFEST, renderHandoutManifest(buildHandoutManifest()));
  console.log(`wrote ${HANDOUT_MANIFEST}`);
}
