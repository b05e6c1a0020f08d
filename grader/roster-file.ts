/**
 * The `--roster FILE` of the grade and merge commands: who each submission id is in the LMS, for
 * the Canvas and Moodle exports (format: parseRoster in ./reports/canvas.ts).
 */
import { readFileSync } from 'node:fs';
import { parseRoster, RosterError } from './reports/canvas';
import type { Roster } from './reports/canvas';

/** Reads and parses the roster; every problem is a RosterError naming the file. */
export function loadRoster(path: string, shown = path): Roster {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RosterError(code === 'ENOENT' ? `the roster ${shown} does not exist` : `the roster ${shown} cannot be read: ${(error as Error).message}`);
  }
  return parseRoster(text, shown);
}

/**
 * What a TA should know before importing: graded submissions the roster does not name, and (for a
 * whole class, not a shard) roster rows with no submission.
 */
export function rosterWarnings(roster: Roster, submissionIds: readonly string[], shown: string, options: { wholeClass?: boolean } = {}): string[] {
  const ids = new Set(submissionIds);
  const unnamed = submissionIds.filter((id) => !roster.has(id));
  const absent = options.wholeClass === false ? [] : [...roster.keys()].filter((id) => !ids.has(id));
  const list = (items: string[]) => (items.length > 10 ? `${items.slice(0, 10).join(', ')} and ${items.length - 10} more` : items.join(', '));
  const warnings: string[] = [];
  if (unnamed.length > 0) warnings.push(`${shown} does not name ${unnamed.length} graded submission(s), exported under their submission id: ${list(unnamed)}`);
  if (absent.length > 0) warnings.push(`${shown} lists ${absent.length} id(s) with no graded submission (not in the exports): ${list(absent)}`);
  return warnings;
}
