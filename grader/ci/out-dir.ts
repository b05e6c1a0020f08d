/**
 * grade-pr's OUT_DIR: the entries it owns (replaced on every run, anything else in the folder is
 * left alone) and which of the grader's reports each audience gets.
 */
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GradeReport } from '../report-types';
import type { Audience } from './grade-pr';
import { renderStudentJunit } from './summary';

/** Staff files the grader writes and student-facing ones, relative to its output folder. */
const OWNED = ['report.json', 'report.md', 'junit.xml', 'summary.md', 'feedback', 'classroom'];
/** What a student may see of the grader's own output; their junit.xml is rendered apart. */
const STUDENT_COPIES = ['feedback', 'classroom'];

/** Clears our entries of `outDir` and fills it from the grader's `reportDir` for `audience`. */
export function writeOutDir(outDir: string, reportDir: string, audience: Audience, report: GradeReport): void {
  mkdirSync(outDir, { recursive: true });
  for (const name of OWNED) rmSync(join(outDir, name), { recursive: true, force: true });
  for (const name of audience === 'staff' ? OWNED : STUDENT_COPIES)
    if (existsSync(join(reportDir, name))) cpSync(join(reportDir, name), join(outDir, name), { recursive: true });
  // Without hidden checks' messages, unlike the grader's own.
  if (audience === 'student') writeFileSync(join(outDir, 'junit.xml'), renderStudentJunit(report));
}
