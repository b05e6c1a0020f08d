/**
 * The handout is a project of its own: every relative import of a shipped source file must name a
 * file that is shipped too, or the student's `npm test` (or their editor's `tsc`) fails on a module
 * the handout never had. Type-only imports count: tsc resolves them.
 */
import { posix } from 'path';
import ts from 'typescript';
import { staticHandoutFiles } from '../../handout/files';

const SOURCE = /\.(ts|mts|cts)$/;

function resolves(from: string, specifier: string, shipped: ReadonlySet<string>): boolean {
  const base = posix.normalize(posix.join(posix.dirname(from), specifier));
  return [base, `${base}.ts`, `${base}/index.ts`, `${base}.json`].some((candidate) => shipped.has(candidate));
}

test('every relative import of a shipped file names a shipped file', () => {
  const files = staticHandoutFiles();
  const shipped = new Set(files.keys());
  const missing: string[] = [];
  for (const [relative, text] of files) {
    if (!SOURCE.test(relative)) continue;
    for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
      if (fileName.startsWith('.') && !resolves(relative, fileName, shipped)) missing.push(`${relative} → ${fileName}`);
    }
  }
  expect(missing).toEqual([]);
});
