/**
 * Every report format, one entry each: its name (`--format`), its audience, the files it writes,
 * whether `grade` writes it by default, and its renderer. A student-facing renderer is typed to
 * receive the StudentReport (hidden checks' messages generic, no diagnosis), so a staff field
 * cannot reach it. The CLI's `--help` and the README's format table are derived from / checked
 * against this list (tests/grader/reports.test.ts).
 *
 * A new format: its renderer (grader/reports/<format>.ts), one entry here, its test.
 */
import type { GradeReport, StudentReport } from '../report-types';
import { CANVAS_FILE, renderCanvas } from './canvas';
import type { Roster } from './canvas';
import { renderClassroom } from './classroom';
import { fileNameFor } from './common';
import { renderGradebook } from './csv';
import { renderGradescope } from './gradescope';
import { renderHtml } from './html';
import { renderJson } from './json';
import { renderJunit } from './junit';
import { renderFeedbackFiles, renderMarkdown } from './markdown';
import { MOODLE_FILE, renderMoodle } from './moodle';
import type { MoodleIdentifier } from './moodle';

export type Audience = 'staff' | 'student';

export interface ReportOptions {
  /** Who each submission id is in the LMS (canvas and moodle formats; `--roster FILE`). */
  roster?: Roster;
  /** Canvas's id of the assignment to update (`--canvas-assignment-id`); without it Canvas creates a new assignment. */
  canvasAssignmentId?: string;
  /** The user field moodle.csv identifies students by (`--moodle-identifier`; default idnumber). */
  moodleIdentifier?: MoodleIdentifier;
}

/** Files a format writes: path relative to the output folder → contents. */
export type RenderedFiles = Map<string, string>;

interface FormatBase {
  name: string;
  /** What it writes, as shown in `--help` and the README (e.g. `feedback/<id>.md`). */
  files: string;
  /** One line for people. */
  about: string;
  /** Written when `--format` is not given. */
  byDefault: boolean;
  /** Uses `--roster` (and so is checked against it before grading). */
  usesRoster?: boolean;
  /** A per-submission folder this format owns: entries in it that this run did not write and `stale` accepts are removed. */
  owns?: { folder: string; stale: (name: string) => boolean };
}

export interface StaffFormat extends FormatBase {
  audience: 'staff';
  render(report: GradeReport, options: ReportOptions): RenderedFiles;
}

export interface StudentFormat extends FormatBase {
  audience: 'student';
  render(report: StudentReport, options: ReportOptions): RenderedFiles;
}

export type FormatEntry = StaffFormat | StudentFormat;

const one = (file: string, text: string): RenderedFiles => new Map([[file, text]]);

type StaffRender = (report: GradeReport, options: ReportOptions) => string;

/** A staff format written as one file; `byDefault`: written when `--format` is not given. */
function staffFile<const N extends string>(
  name: N,
  file: string,
  about: string,
  byDefault: boolean,
  render: StaffRender,
) {
  return {
    name,
    audience: 'staff',
    files: file,
    about,
    byDefault,
    render: (report: GradeReport, options: ReportOptions): RenderedFiles => one(file, render(report, options)),
  } as const satisfies StaffFormat;
}

/** A staff file for an LMS's grade import: it needs `--roster`, and is written only when asked for. */
function rosterImport<const N extends string>(name: N, file: string, about: string, render: StaffRender) {
  return { ...staffFile(name, file, about, false, render), usesRoster: true } as const satisfies StaffFormat;
}

/**
 * A student-facing format written by default, one file per submission in a folder of its own name:
 * `<name>/<safe id><suffix>`. The folder's stale entries are what this format writes there: files
 * ending in `suffix`, or, where the suffix starts a folder per submission (`/results.json`),
 * every entry.
 */
function perSubmissionFormat<const N extends string>(
  name: N,
  suffix: string,
  about: string,
  render: (report: StudentReport) => Map<string, string>,
) {
  return {
    name,
    audience: 'student',
    files: `${name}/<id>${suffix}`,
    about,
    byDefault: true,
    owns: { folder: name, stale: (entry: string) => suffix.startsWith('/') || entry.endsWith(suffix) },
    render: (report: StudentReport): RenderedFiles =>
      new Map([...render(report)].map(([id, text]) => [`${name}/${fileNameFor(id)}${suffix}`, text])),
  } as const satisfies StudentFormat;
}

export const FORMAT_REGISTRY = [
  staffFile('json', 'report.json', 'everything (the source of all other formats)', true, renderJson),
  staffFile('md', 'report.md', 'class summary, statistics, every check with its full message', true, renderMarkdown),
  perSubmissionFormat('feedback', '.md', 'one Markdown feedback file per student', renderFeedbackFiles),
  staffFile('junit', 'junit.xml', 'one testcase per check', true, renderJunit),
  staffFile('csv', 'gradebook.csv', 'one row per student, one column per rubric item', true, renderGradebook),
  perSubmissionFormat(
    'gradescope',
    '/results.json',
    'Gradescope autograder results (per-check visibility)',
    renderGradescope,
  ),
  perSubmissionFormat('classroom', '.json', 'GitHub Classroom: one runner result per check', renderClassroom),
  staffFile('html', 'report.html', 'class summary with charts + every submission, one page', false, renderHtml),
  rosterImport('canvas', CANVAS_FILE, 'Canvas gradebook import (one assignment column)', (report, options) =>
    renderCanvas(report, { roster: options.roster, assignmentId: options.canvasAssignmentId }),
  ),
  rosterImport('moodle', MOODLE_FILE, 'Moodle grade import (identifier, grade, feedback)', (report, options) =>
    renderMoodle(report, { roster: options.roster, identifier: options.moodleIdentifier }),
  ),
] as const satisfies readonly FormatEntry[];

export type Format = (typeof FORMAT_REGISTRY)[number]['name'];

/** The entry of a format name. */
export function formatEntry(name: Format): FormatEntry {
  return FORMAT_REGISTRY.find((entry) => entry.name === name)!;
}
