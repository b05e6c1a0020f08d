/**
 * Moodle grade import CSV (Gradebook setup → Import → CSV file): one row per student, a column
 * that identifies the user, a grade column and, optionally, a feedback column.
 *
 *   ID number,Lab 8 RNN,Lab 8 RNN (Feedback)
 *   alice,87.5,"Autograder: 87.5/100. Not passed: grad.b.value (failed)."
 *
 * On import Moodle asks which column identifies the user ("Map from" the column, "Map to" one of
 * id, idnumber, email address or username) and which grade item each other column goes to (the
 * grade column to the assignment's grade item, the feedback column to "Feedback for" it). Without
 * a roster the submission id is the identifier, written under "ID number" (or, with
 * `identifier`, "Email address" / "Username"); with one (see parseRoster in ./canvas) the
 * identifier comes from the roster, and the submission id where the roster has none.
 *
 * Cells that a spreadsheet would take as a formula get a leading `'` (csv-stringify's
 * escape_formulas); the command line warns about identifier cells that this changes, and refuses
 * a roster that lacks the identifier (one unknown user aborts Moodle's whole import).
 *
 * The feedback is student-facing: it names the checks that did not pass and their verdicts, never
 * a message (a hidden check's message may show its inputs).
 */
import { stringify } from 'csv-stringify/sync';
import type { GradeReport, SubmissionReport } from '../report-types';
import type { Roster, RosterEntry } from './canvas';
import { formatPoints, gradebookScore } from './common';
import { plainLine } from './plain-text';

export const MOODLE_FILE = 'moodle.csv';

export type MoodleIdentifier = 'idnumber' | 'email' | 'username';

/** The headers of Moodle's own grade export for those user fields. */
export const MOODLE_IDENTIFIER_COLUMNS: Record<MoodleIdentifier, string> = {
  idnumber: 'ID number',
  email: 'Email address',
  username: 'Username',
};

export interface MoodleOptions {
  /** The user field the identifier column holds (default idnumber). */
  identifier?: MoodleIdentifier;
  /** The grade column's header (default: the rubric's name). */
  gradeColumn?: string;
  /** Add the feedback column (default true). */
  feedback?: boolean;
  roster?: Roster;
}

const ROSTER_FIELD: Record<MoodleIdentifier, keyof RosterEntry> = {
  idnumber: 'idNumber',
  email: 'email',
  username: 'username',
};

/** The short, student-facing feedback text of one submission. */
export function moodleFeedback(submission: SubmissionReport): string {
  if (submission.cause === 'grader')
    return 'Autograder: not graded yet (a problem on the grading side, not in your work); it will be regraded.';
  const score = `Autograder: ${formatPoints(submission.score)}/${formatPoints(submission.maxScore)}.`;
  if (submission.status === 'error') {
    const reason = plainLine((submission.error ?? 'unknown error').split(/\r\n|\r|\n/)[0]);
    return `${score} Could not be graded: ${reason.length > 200 ? `${reason.slice(0, 199)}…` : reason}`;
  }
  const notPassed = submission.checks.filter((check) => check.status !== 'passed');
  if (notPassed.length === 0) return `${score} Every check passed.`;
  return `${score} Not passed: ${notPassed.map((check) => `${check.id} (${check.status})`).join(', ')}.`;
}

/** The identifier cell of one submission's row: from the roster, else the submission id. */
export function moodleIdentifier(
  submissionId: string,
  options: Pick<MoodleOptions, 'roster' | 'identifier'> = {},
): string {
  return options.roster?.get(submissionId)?.[ROSTER_FIELD[options.identifier ?? 'idnumber']] ?? submissionId;
}

/** Whether the roster gives Moodle the user field the identifier column holds. */
export function moodleKnows(entry: RosterEntry | undefined, identifier: MoodleIdentifier = 'idnumber'): boolean {
  return Boolean(entry?.[ROSTER_FIELD[identifier]]);
}

export function renderMoodle(report: GradeReport, options: MoodleOptions = {}): string {
  const identifier = options.identifier ?? 'idnumber';
  const gradeColumn = options.gradeColumn ?? report.rubric.name;
  const feedback = options.feedback ?? true;
  const header = [
    MOODLE_IDENTIFIER_COLUMNS[identifier],
    gradeColumn,
    ...(feedback ? [`${gradeColumn} (Feedback)`] : []),
  ];
  const rows = report.submissions.map((submission) => [
    moodleIdentifier(submission.id, options),
    gradebookScore(submission),
    ...(feedback ? [moodleFeedback(submission)] : []),
  ]);
  // No cell may reach a spreadsheet as a formula (a leading ' on cells starting with =, +, -, @).
  return stringify([header, ...rows], { record_delimiter: 'unix', escape_formulas: true });
}
