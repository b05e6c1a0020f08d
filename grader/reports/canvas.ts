/**
 * Canvas gradebook import CSV (Grades → Import): the layout of Canvas's own gradebook export,
 * which its importer reads back.
 *
 *   Student,ID,SIS User ID,SIS Login ID,Section,<assignment> (<assignment id>)
 *   Points Possible,,,,,100
 *   alice,,,alice,,87.5
 *
 * Canvas matches a row to a student by ID (its numeric user id), SIS User ID or SIS Login ID; the
 * Student column (a name) is only shown. Without a roster the submission id is written as the SIS
 * Login ID (`idColumn` picks another column) and as the name. With a roster (see `parseRoster`)
 * the columns come from it (the submission id again where it gives none of the three ids). The assignment column is "<name> (<id>)" to update an existing
 * assignment (its id is in the assignment's URL), or just "<name>" to make Canvas create a new
 * one. The "Points Possible" row is informative: Canvas reads points possible from the assignment.
 * Cells that a spreadsheet would take as a formula are written with a leading `'` (csv-stringify's
 * escape_formulas); the command line warns about identifier cells that this changes.
 *
 * Also here: the roster CSV shared with the Moodle export (grader/reports/moodle.ts).
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { GradeReport } from '../report-types';
import { formatPoints, gradebookScore } from './common';

// --- roster ------------------------------------------------------------------------------------

/** What an LMS knows a student by; every field optional but the submission id. */
export interface RosterEntry {
  /** The submission id (folder or zip name) the grader reports. */
  id: string;
  name?: string;
  /** Canvas: the numeric user id ("ID"). */
  canvasId?: string;
  sisUserId?: string;
  sisLoginId?: string;
  section?: string;
  email?: string;
  username?: string;
  /** Moodle: the user's "ID number" (idnumber). */
  idNumber?: string;
}

export type Roster = ReadonlyMap<string, RosterEntry>;

export class RosterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RosterError';
  }
}

/** Roster CSV column → field (header names are matched case-insensitively, spaces/dashes as underscores). */
const ROSTER_COLUMNS: Record<string, keyof RosterEntry> = {
  id: 'id',
  submission: 'id',
  name: 'name',
  student: 'name',
  canvas_id: 'canvasId',
  sis_user_id: 'sisUserId',
  sis_login_id: 'sisLoginId',
  section: 'section',
  email: 'email',
  username: 'username',
  idnumber: 'idNumber',
  id_number: 'idNumber',
};

/**
 * Parses a roster CSV mapping submission ids to LMS identifiers: a header row with an `id` column
 * (the submission id) and any of name, canvas_id, sis_user_id, sis_login_id, section, email,
 * username, idnumber. Unknown columns are ignored; empty cells are "not known".
 */
export function parseRoster(text: string, source = 'the roster'): Roster {
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: true }) as string[][];
  } catch (error) {
    throw new RosterError(`${source} is not valid CSV: ${(error as Error).message}`);
  }
  if (rows.length === 0) throw new RosterError(`${source} is empty`);
  const header = rows[0].map((name) => ROSTER_COLUMNS[name.toLowerCase().replace(/[\s-]+/g, '_')]);
  if (!header.includes('id'))
    throw new RosterError(`${source} has no "id" column (the submission id); its columns: ${rows[0].join(', ')}`);
  const roster = new Map<string, RosterEntry>();
  rows.slice(1).forEach((row, index) => {
    const entry: Partial<Record<keyof RosterEntry, string>> = {};
    header.forEach((field, column) => {
      const value = row[column] ?? '';
      if (field && value !== '' && entry[field] === undefined) entry[field] = value;
    });
    if (!entry.id) throw new RosterError(`${source}, line ${index + 2}: no submission id`);
    if (roster.has(entry.id))
      throw new RosterError(`${source}, line ${index + 2}: the submission id "${entry.id}" is listed twice`);
    roster.set(entry.id, entry as RosterEntry);
  });
  return roster;
}

// --- Canvas ------------------------------------------------------------------------------------

export const CANVAS_FILE = 'canvas.csv';

export interface CanvasOptions {
  /** The assignment's name in Canvas (default: the rubric's name). */
  assignmentName?: string;
  /** Canvas's assignment id: update that assignment. Without it Canvas creates a new assignment. */
  assignmentId?: string | number;
  /** Which column carries the submission id when the roster does not say (default SIS Login ID). */
  idColumn?: 'ID' | 'SIS User ID' | 'SIS Login ID';
  roster?: Roster;
}

export const CANVAS_COLUMNS = ['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section'] as const;

export function canvasAssignmentColumn(report: GradeReport, options: CanvasOptions = {}): string {
  const name = options.assignmentName ?? report.rubric.name;
  return options.assignmentId === undefined || options.assignmentId === '' ? name : `${name} (${options.assignmentId})`;
}

/** The identity cells of one submission's row (from the roster; the submission id where it gives none of the three ids). */
export function canvasIdentity(
  submissionId: string,
  options: Pick<CanvasOptions, 'roster' | 'idColumn'> = {},
): Record<(typeof CANVAS_COLUMNS)[number], string> {
  const known = options.roster?.get(submissionId);
  const cells: Record<(typeof CANVAS_COLUMNS)[number], string> = {
    Student: known?.name ?? submissionId,
    ID: known?.canvasId ?? '',
    'SIS User ID': known?.sisUserId ?? '',
    'SIS Login ID': known?.sisLoginId ?? '',
    Section: known?.section ?? '',
  };
  // A row Canvas could not match to anybody would be dropped: fall back on the submission id.
  if (cells.ID === '' && cells['SIS User ID'] === '' && cells['SIS Login ID'] === '')
    cells[options.idColumn ?? 'SIS Login ID'] = submissionId;
  return cells;
}

/** Whether the roster gives Canvas something to match the student on (ID, SIS User ID or SIS Login ID). */
export function canvasKnows(entry: RosterEntry | undefined): boolean {
  return Boolean(entry && (entry.canvasId || entry.sisUserId || entry.sisLoginId));
}

export function renderCanvas(report: GradeReport, options: CanvasOptions = {}): string {
  const rows: string[][] = [
    [...CANVAS_COLUMNS, canvasAssignmentColumn(report, options)],
    ['Points Possible', '', '', '', '', formatPoints(report.rubric.maxScore)],
  ];
  for (const submission of report.submissions) {
    const cells = canvasIdentity(submission.id, options);
    rows.push([...CANVAS_COLUMNS.map((column) => cells[column]), gradebookScore(submission)]);
  }
  // No cell may reach a spreadsheet as a formula (an id or name starting with =, +, -, @ gets a leading ').
  return stringify(rows, { record_delimiter: 'unix', escape_formulas: true });
}
