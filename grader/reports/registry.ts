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

/** One file per submission: `<folder>/<safe id><suffix>`. */
function perSubmission(folder: string, suffix: string, rendered: Map<string, string>): RenderedFiles {
  return new Map([...rendered].map(([id, text]) => [`${folder}/${fileNameFor(id)}${suffix}`, text]));
}

export const FORMAT_REGISTRY = [
  {
    name: 'json',
    audience: 'staff',
    files: 'report.json',
    about: 'everything (the source of all other formats)',
    byDefault: true,
    render: (report) => one('report.json', renderJson(report)),
  },
  {
    name: 'md',
    audience: 'staff',
    files: 'report.md',
    about: 'class summary, statistics, every check with its full message',
    byDefault: true,
    render: (report) => one('report.md', renderMarkdown(report)),
  },
  {
    name: 'feedback',
    audience: 'student',
    files: 'feedback/<id>.md',
    about: 'one Markdown feedback file per student',
    byDefault: true,
    owns: { folder: 'feedback', stale: (name) => name.endsWith('.md') },
    render: (report) => perSubmission('feedback', '.md', renderFeedbackFiles(report)),
  },
  {
    name: 'junit',
    audience: 'staff',
    files: 'junit.xml',
    about: 'one testcase per check',
    byDefault: true,
    render: (report) => one('junit.xml', renderJunit(report)),
  },
  {
    name: 'csv',
    audience: 'staff',
    files: 'gradebook.csv',
    about: 'one row per student, one column per rubric item',
    byDefault: true,
    render: (report) => one('gradebook.csv', renderGradebook(report)),
  },
  {
    name: 'gradescope',
    audience: 'student',
    files: 'gradescope/<id>/results.json',
    about: 'Gradescope autograder results (per-check visibility)',
    byDefault: true,
    owns: { folder: 'gradescope', stale: () => true },
    render: (report) => perSubmission('gradescope', '/results.json', renderGradescope(report)),
  },
  {
    name: 'classroom',
    audience: 'student',
    files: 'classroom/<id>.json',
    about: 'GitHub Classroom: one runner result per check',
    byDefault: true,
    owns: { folder: 'classroom', stale: (name) => name.endsWith('.json') },
    render: (report) => perSubmission('classroom', '.json', renderClassroom(report)),
  },
  {
    name: 'html',
    audience: 'staff',
    files: 'report.html',
    about: 'class summary with charts + every submission, one page',
    byDefault: false,
    render: (report) => one('report.html', renderHtml(report)),
  },
  {
    name: 'canvas',
    audience: 'staff',
    files: CANVAS_FILE,
    about: 'Canvas gradebook import (one assignment column)',
    byDefault: false,
    usesRoster: true,
    render: (report, options) =>
      one(CANVAS_FILE, renderCanvas(report, { roster: options.roster, assignmentId: options.canvasAssignmentId })),
  },
  {
    name: 'moodle',
    audience: 'staff',
    files: MOODLE_FILE,
    about: 'Moodle grade import (identifier, grade, feedback)',
    byDefault: false,
    usesRoster: true,
    render: (report, options) =>
      one(MOODLE_FILE, renderMoodle(report, { roster: options.roster, identifier: options.moodleIdentifier })),
  },
] as const satisfies readonly FormatEntry[];

export type Format = (typeof FORMAT_REGISTRY)[number]['name'];

/** The entry of a format name. */
export function formatEntry(name: Format): FormatEntry {
  return FORMAT_REGISTRY.find((entry) => entry.name === name)!;
}
