/** Reading a file a person named (a rubric, a CSV, a report): the text, or why not, in words. */
import { readFileSync } from 'node:fs';

export type TextRead = { ok: true; text: string } | { ok: false; missing: boolean; reason: string };

/** A UTF-8 file's text; on failure `missing` (it does not exist) and a reason to show. */
export function readText(file: string): TextRead {
  try {
    return { ok: true, text: readFileSync(file, 'utf8') };
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return { ok: false, missing, reason: missing ? 'the file does not exist' : (error as Error).message };
  }
}
