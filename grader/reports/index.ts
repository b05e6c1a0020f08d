/**
 * Every output format, written from one GradeReport into the output folder:
 *
 *   json        report.json                      the report object (course staff; full messages)
 *   md          report.md, feedback/<id>.md      class summary (staff) + one feedback file per student
 *   junit       junit.xml                        one testcase per check (staff / CI)
 *   csv         gradebook.csv                    one row per student, one column per rubric item
 *   gradescope  gradescope/<id>/results.json     Gradescope autograder results (student-facing)
 *   classroom   classroom/<id>.json              GitHub Classroom: one runner result per check (student-facing)
 *   html        report.html                      class summary with charts + every submission (staff; full messages)
 *   canvas      canvas.csv                       Canvas gradebook import (one assignment column)
 *   moodle      moodle.csv                       Moodle grade import (identifier, grade, feedback)
 *
 * Student-facing files never show a hidden check's message.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { GradeReport } from '../report-types';
import { renderClassroom } from './classroom';
import { fileNameFor } from './common';
import { renderGradebook } from './csv';
import { renderGradescope } from './gradescope';
import { renderHtml } from './html';
import { CANVAS_FILE, renderCanvas } from './canvas';
import type { Roster } from './canvas';
import { MOODLE_FILE, renderMoodle } from './moodle';
import type { MoodleIdentifier } from './moodle';
import { renderJson } from './json';
import { renderJunit } from './junit';
import { renderFeedbackFiles, renderMarkdown } from './markdown';

export const FORMATS = ['json', 'md', 'junit', 'csv', 'gradescope', 'classroom', 'html', 'canvas', 'moodle'] as const;
export type Format = (typeof FORMATS)[number];
/** Formats written when --format is not given. */
export const DEFAULT_FORMATS: readonly Format[] = ['json', 'md', 'junit', 'csv', 'gradescope', 'classroom'];
/** Formats that are accepted but not implemented yet (none at present): format → why. */
export const UNAVAILABLE_FORMATS: ReadonlyMap<Format, string> = new Map();

/** Parses `--format a,b,c`; throws for an unknown name. */
export function parseFormats(text: string): Format[] {
  const names = text
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  if (names.length === 0) throw new Error(`--format needs at least one of ${FORMATS.join(', ')}`);
  const unknown = names.filter((name) => !(FORMATS as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new Error(
      `unknown report format${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')} (known: ${FORMATS.join(', ')})`,
    );
  return [...new Set(names)] as Format[];
}

export interface ReportOptions {
  /** Who each submission id is in the LMS (canvas and moodle formats; `--roster FILE`). */
  roster?: Roster;
  /** Canvas's id of the assignment to update (`--canvas-assignment-id`); without it Canvas creates a new assignment. */
  canvasAssignmentId?: string;
  /** The user field moodle.csv identifies students by (`--moodle-identifier`; default idnumber). */
  moodleIdentifier?: MoodleIdentifier;
}

/** Formats that use ReportOptions.roster. */
export const ROSTER_FORMATS: readonly Format[] = ['canvas', 'moodle'];

/** All files of the given formats: path relative to the output folder → contents. */
export function renderReports(
  report: GradeReport,
  formats: readonly Format[],
  options: ReportOptions = {},
): Map<string, string> {
  const files = new Map<string, string>();
  const perSubmission = (folder: string, rendered: Map<string, string>, name: (file: string) => string) => {
    for (const [id, text] of rendered) files.set(`${folder}/${name(fileNameFor(id))}`, text);
  };
  for (const format of formats) {
    switch (format) {
      case 'json':
        files.set('report.json', renderJson(report));
        break;
      case 'md':
        files.set('report.md', renderMarkdown(report));
        perSubmission('feedback', renderFeedbackFiles(report), (file) => `${file}.md`);
        break;
      case 'junit':
        files.set('junit.xml', renderJunit(report));
        break;
      case 'csv':
        files.set('gradebook.csv', renderGradebook(report));
        break;
      case 'gradescope':
        perSubmission('gradescope', renderGradescope(report), (file) => `${file}/results.json`);
        break;
      case 'classroom':
        perSubmission('classroom', renderClassroom(report), (file) => `${file}.json`);
        break;
      case 'html':
        files.set('report.html', renderHtml(report));
        break;
      case 'canvas':
        files.set(
          CANVAS_FILE,
          renderCanvas(report, { roster: options.roster, assignmentId: options.canvasAssignmentId }),
        );
        break;
      case 'moodle':
        files.set(MOODLE_FILE, renderMoodle(report, { roster: options.roster, identifier: options.moodleIdentifier }));
        break;
    }
  }
  return files;
}

/** Per-submission folders the writers own: stale files of submissions no longer graded are removed from them. */
const OWNED_FOLDERS: ReadonlyArray<{ folder: string; format: Format; stale: (name: string) => boolean }> = [
  { folder: 'feedback', format: 'md', stale: (name) => name.endsWith('.md') },
  { folder: 'gradescope', format: 'gradescope', stale: () => true },
  { folder: 'classroom', format: 'classroom', stale: (name) => name.endsWith('.json') },
];

/** Writes the formats into `outDir`; returns the files written (relative to it), sorted. */
export function writeReports(
  report: GradeReport,
  outDir: string,
  formats: readonly Format[],
  options: ReportOptions = {},
): string[] {
  const files = renderReports(report, formats, options);
  mkdirSync(outDir, { recursive: true });
  for (const { folder, format, stale } of OWNED_FOLDERS) {
    if (!formats.includes(format)) continue;
    const dir = join(outDir, folder);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const relative = `${folder}/${entry.name}`;
      const kept = entry.isDirectory() ? files.has(`${relative}/results.json`) : files.has(relative);
      if (!kept && stale(entry.name)) rmSync(join(dir, entry.name), { recursive: true, force: true });
    }
  }
  for (const [relative, text] of files) {
    const path = join(outDir, relative);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return [...files.keys()].sort();
}
