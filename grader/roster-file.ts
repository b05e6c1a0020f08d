/**
 * The `--roster FILE` of the grade and merge commands: who each submission id is in the LMS, for
 * the Canvas and Moodle exports (format: parseRoster in ./reports/canvas.ts).
 */
import type { GradeReport } from './report-types';
import { canvasIdentity, canvasKnows, CANVAS_FILE, parseRoster, RosterError } from './reports/canvas';
import type { Roster } from './reports/canvas';
import type { Format } from './reports/index';
import { readText } from './read-text';
import { terminalLine } from './reports/plain-text';
import { MOODLE_FILE, MOODLE_IDENTIFIER_COLUMNS, moodleIdentifier, moodleKnows } from './reports/moodle';
import type { MoodleIdentifier } from './reports/moodle';

/** Reads and parses the roster; every problem is a RosterError naming the file. */
export function loadRoster(path: string, shown = path): Roster {
  const read = readText(path);
  if (!read.ok)
    throw new RosterError(
      read.missing ? `the roster ${shown} does not exist` : `the roster ${shown} cannot be read: ${read.reason}`,
    );
  return parseRoster(read.text, shown);
}

/**
 * What a TA should know before importing: graded submissions the roster does not name, and (for a
 * whole class, not a shard) roster rows with no submission.
 */
export function rosterWarnings(
  roster: Roster,
  submissionIds: readonly string[],
  shown: string,
  options: { wholeClass?: boolean } = {},
): string[] {
  const ids = new Set(submissionIds);
  const unnamed = submissionIds.filter((id) => !roster.has(id));
  const absent = options.wholeClass === false ? [] : [...roster.keys()].filter((id) => !ids.has(id));
  // Ids are shown on the terminal: without escape sequences or control characters.
  const list = (items: string[]) =>
    items.length > 10
      ? `${items.slice(0, 10).map(terminalLine).join(', ')} and ${items.length - 10} more`
      : items.map(terminalLine).join(', ');
  const warnings: string[] = [];
  if (unnamed.length > 0)
    warnings.push(
      `${shown} does not name ${unnamed.length} graded submission(s), exported under their submission id: ${list(unnamed)}`,
    );
  if (absent.length > 0)
    warnings.push(
      `${shown} lists ${absent.length} id(s) with no graded submission (not in the exports): ${list(absent)}`,
    );
  return warnings;
}

/** What the LMS exports need to know beyond the report (the command line's options). */
export interface LmsExportOptions {
  roster?: Roster;
  /** The roster's path, for messages. */
  rosterShown?: string;
  moodleIdentifier?: MoodleIdentifier;
  /** Export submissions the roster does not identify under their submission id instead of refusing. */
  allowSubmissionIds?: boolean;
}

const list = (items: readonly string[]) =>
  items.length > 10
    ? `${items
        .slice(0, 10)
        .map((id) => JSON.stringify(id))
        .join(', ')} and ${items.length - 10} more`
    : items.map((id) => JSON.stringify(id)).join(', ');

/**
 * Refuses (a RosterError naming them) submissions that a canvas or moodle export would have to
 * write under their submission id because the roster does not give the identifier that LMS
 * matches on: Canvas would drop or mismatch the row, and one unknown user aborts Moodle's whole
 * import. `allowSubmissionIds` turns the refusal off (the submission id is then written, as
 * without a roster). Without a roster there is nothing to check: the submission ids are the
 * identifiers, by choice.
 */
export function checkRosterIdentifiers(
  submissionIds: readonly string[],
  formats: readonly Format[],
  options: LmsExportOptions,
): void {
  const { roster } = options;
  if (!roster || options.allowSubmissionIds) return;
  const shown = options.rosterShown ?? 'the roster';
  const problems: string[] = [];
  if (formats.includes('canvas')) {
    const missing = submissionIds.filter((id) => !canvasKnows(roster.get(id)));
    if (missing.length > 0)
      problems.push(
        `${CANVAS_FILE} needs a canvas_id, sis_user_id or sis_login_id for ${missing.length} submission(s) that ${shown} does not give one for: ${list(missing)}`,
      );
  }
  if (formats.includes('moodle')) {
    const identifier = options.moodleIdentifier ?? 'idnumber';
    const missing = submissionIds.filter((id) => !moodleKnows(roster.get(id), identifier));
    if (missing.length > 0)
      problems.push(
        `${MOODLE_FILE} needs the ${MOODLE_IDENTIFIER_COLUMNS[identifier]} (${identifier}) of ${missing.length} submission(s) that ${shown} does not give it for: ${list(missing)}`,
      );
  }
  if (problems.length > 0) {
    throw new RosterError(
      `${problems.join('; ')}. Add them to the roster, or pass --allow-submission-ids to export those rows under their submission id.`,
    );
  }
}

/** A cell a spreadsheet would take as a formula (the characters csv-stringify's escape_formulas guards). */
export const looksLikeFormula = (cell: string): boolean => /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(cell);

/**
 * Identifier cells of the CSV exports that start like a formula: they are written with a leading
 * `'` (so that no spreadsheet runs them), which the LMS will not match to the student. One
 * warning per file, naming them, so that the TA fixes those rows before importing.
 */
export function formulaIdentifierWarnings(
  report: GradeReport,
  formats: readonly Format[],
  options: LmsExportOptions = {},
): string[] {
  const warnings: string[] = [];
  const check = (file: string, cells: string[]) => {
    const bad = [...new Set(cells.filter(looksLikeFormula))];
    if (bad.length > 0)
      warnings.push(
        `${file}: ${bad.length} identifier(s) start like a spreadsheet formula (=, +, -, @) and are written with a leading ' so that no spreadsheet runs them; the LMS will not match those rows until you fix them: ${list(bad)}`,
      );
  };
  const ids = report.submissions.map((submission) => submission.id);
  if (formats.includes('csv')) check('gradebook.csv', ids);
  if (formats.includes('canvas')) {
    check(
      CANVAS_FILE,
      ids.flatMap((id) => {
        const cells = canvasIdentity(id, { roster: options.roster });
        return [cells.ID, cells['SIS User ID'], cells['SIS Login ID']];
      }),
    );
  }
  if (formats.includes('moodle'))
    check(
      MOODLE_FILE,
      ids.map((id) => moodleIdentifier(id, { roster: options.roster, identifier: options.moodleIdentifier })),
    );
  return warnings;
}
