/**
 * What the grader knows of the handout students were given, read from the manifest the handout
 * generator writes (handout/manifest.json, `npx tsx handout/manifest.ts`): each shipped file's
 * sha256 and size, which of them a student must not change, and the skeleton rnn.ts (whose code
 * the similarity report counts for nobody). The grader reads this data, never the handout's code.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readRegularText, UnreadableFileError } from './compile/read-file';

export const HANDOUT_MANIFEST = join(__dirname, '..', 'handout', 'manifest.json');

const manifestSchema = z.strictObject({
  generatedBy: z.string(),
  files: z.record(
    z.string(),
    z.strictObject({
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      bytes: z.number().int().nonnegative(),
      protected: z.boolean(),
    }),
  ),
  skeleton: z.strictObject({ path: z.string(), text: z.string() }),
});

export type HandoutManifest = z.infer<typeof manifestSchema>;

export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

let cached: HandoutManifest | undefined;

/** The committed manifest (read once); throws with the file's name if it is missing or malformed. */
export function handoutManifest(path = HANDOUT_MANIFEST): HandoutManifest {
  if (path === HANDOUT_MANIFEST && cached) return cached;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the handout manifest ${path}: ${(error as Error).message}`, { cause: error });
  }
  const result = manifestSchema.safeParse(parsed);
  if (!result.success) throw new Error(`the handout manifest ${path} is malformed: ${result.error.message}`);
  if (path === HANDOUT_MANIFEST) cached = result.data;
  return result.data;
}

/**
 * The protected files of a submission folder that differ from the handout's (missing ones are
 * not reported: a submission may hold rnn.ts alone). A submission's file is never read through a
 * link, from a device or FIFO, or past the size of the handout's own: any of those is simply a
 * changed file.
 */
export function changedHandoutFiles(submissionDir: string, manifest = handoutManifest()): string[] {
  const changed: string[] = [];
  for (const [relative, file] of Object.entries(manifest.files)) {
    if (!file.protected) continue;
    let actual: string;
    try {
      actual = readRegularText(join(submissionDir, relative), file.bytes + 1);
    } catch (error) {
      if (error instanceof UnreadableFileError) changed.push(relative);
      continue;
    }
    if (sha256(actual) !== file.sha256) changed.push(relative);
  }
  return changed;
}
