/**
 * `npm run grade -- diff OLD NEW [--format md|json]`: what a regrade changed. For each student in
 * both reports, every check whose verdict (status) or points (earned or possible) changed, and the
 * score delta; the students only one of the reports has. Messages and timings are not compared:
 * a message may change with the wording of a check without changing anything a student is owed.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { compareIds } from './discover';
import { readText } from './read-text';
import type { CheckReport, CheckStatus, GradeReport, SubmissionReport } from './report-types';
import { formatPoints } from './reports/common';
import { mdInline } from './reports/markdown';

export class DiffError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiffError';
  }
}

/** One side of a check: its verdict and points, or null when the report has no such check. */
export interface CheckSide {
  status: CheckStatus;
  points: number;
  maxPoints: number;
}

export interface CheckChange {
  id: string;
  target: string;
  old: CheckSide | null;
  new: CheckSide | null;
  /** new points − old points (a missing side counts 0). */
  delta: number;
}

export interface StudentChange {
  id: string;
  oldScore: number;
  newScore: number;
  oldMaxScore: number;
  newMaxScore: number;
  delta: number;
  /** Set when the submission's own status changed (graded ↔ error). */
  status?: { old: SubmissionReport['status']; new: SubmissionReport['status'] };
  checks: CheckChange[];
}

export interface StudentOnOneSide {
  id: string;
  score: number;
  maxScore: number;
  status: SubmissionReport['status'];
}

export interface ReportSummary {
  source: string;
  generatedAt: string;
  seed: number;
  rubric: string;
  maxScore: number;
  submissions: number;
}

export interface RegradeDiff {
  old: ReportSummary;
  new: ReportSummary;
  /** Students whose score, status or some check changed, sorted by id. */
  changed: StudentChange[];
  /** How many students are in both reports with nothing changed. */
  unchanged: number;
  added: StudentOnOneSide[];
  removed: StudentOnOneSide[];
}

/** Reads a report.json, or DIR/report.json when given a folder. */
export function readReport(path: string): GradeReport {
  let file = path;
  try {
    if (statSync(path).isDirectory()) file = join(path, 'report.json');
  } catch {
    throw new DiffError(`${path} does not exist`);
  }
  const read = readText(file);
  if (!read.ok)
    throw new DiffError(
      read.missing ? `${file} does not exist` : `${file} is not a readable JSON report: ${read.reason}`,
    );
  let value: unknown;
  try {
    value = JSON.parse(read.text);
  } catch (error) {
    throw new DiffError(`${file} is not a readable JSON report: ${(error as Error).message}`);
  }
  const report = value as Partial<GradeReport> | null;
  if (!report || typeof report !== 'object' || report.schemaVersion !== 1)
    throw new DiffError(`${file} is not a grade report of schemaVersion 1`);
  if (!Array.isArray(report.submissions) || !report.rubric)
    throw new DiffError(`${file} is not a complete grade report (rubric or submissions missing)`);
  for (const submission of report.submissions) {
    if (!submission || typeof submission.id !== 'string' || !Array.isArray(submission.checks))
      throw new DiffError(`${file} has a submission without an id or checks`);
  }
  return report as GradeReport;
}

const cents = (points: number) => Math.round(points * 100);
const side = (check: CheckReport | undefined): CheckSide | null =>
  check ? { status: check.status, points: check.points, maxPoints: check.maxPoints } : null;

function summary(report: GradeReport, source: string): ReportSummary {
  return {
    source,
    generatedAt: report.generatedAt,
    seed: report.seed,
    rubric: report.rubric.source,
    maxScore: report.rubric.maxScore,
    submissions: report.submissions.length,
  };
}

function byId<T extends { id: string }>(items: readonly T[], what: string): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) {
    if (map.has(item.id)) throw new DiffError(`${what} lists "${item.id}" twice`);
    map.set(item.id, item);
  }
  return map;
}

function compareChecks(oldSubmission: SubmissionReport, newSubmission: SubmissionReport): CheckChange[] {
  const oldChecks = byId(oldSubmission.checks, `the old report's "${oldSubmission.id}"`);
  const newChecks = byId(newSubmission.checks, `the new report's "${newSubmission.id}"`);
  // In the new report's order, then checks only the old report ran.
  const ids = [...newChecks.keys(), ...[...oldChecks.keys()].filter((id) => !newChecks.has(id))];
  const changes: CheckChange[] = [];
  for (const id of ids) {
    const before = oldChecks.get(id);
    const after = newChecks.get(id);
    const same =
      before &&
      after &&
      before.status === after.status &&
      cents(before.points) === cents(after.points) &&
      cents(before.maxPoints) === cents(after.maxPoints);
    if (same) continue;
    changes.push({
      id,
      target: (after ?? before)!.target,
      old: side(before),
      new: side(after),
      delta: (cents(after?.points ?? 0) - cents(before?.points ?? 0)) / 100,
    });
  }
  return changes;
}

/** Compares two reports of (usually) the same class. */
export function diffReports(
  oldReport: GradeReport,
  newReport: GradeReport,
  sources: { old: string; new: string } = { old: 'old', new: 'new' },
): RegradeDiff {
  const oldById = byId(oldReport.submissions, sources.old);
  const newById = byId(newReport.submissions, sources.new);
  const oneSide = (s: SubmissionReport): StudentOnOneSide => ({
    id: s.id,
    score: s.score,
    maxScore: s.maxScore,
    status: s.status,
  });
  const changed: StudentChange[] = [];
  let unchanged = 0;
  const ids = [...new Set([...oldById.keys(), ...newById.keys()])].sort(compareIds);
  for (const id of ids) {
    const before = oldById.get(id);
    const after = newById.get(id);
    if (!before || !after) continue;
    const checks = compareChecks(before, after);
    const statusChanged = before.status !== after.status;
    if (
      checks.length === 0 &&
      !statusChanged &&
      cents(before.score) === cents(after.score) &&
      cents(before.maxScore) === cents(after.maxScore)
    ) {
      unchanged++;
      continue;
    }
    changed.push({
      id,
      oldScore: before.score,
      newScore: after.score,
      oldMaxScore: before.maxScore,
      newMaxScore: after.maxScore,
      delta: (cents(after.score) - cents(before.score)) / 100,
      ...(statusChanged ? { status: { old: before.status, new: after.status } } : {}),
      checks,
    });
  }
  return {
    old: summary(oldReport, sources.old),
    new: summary(newReport, sources.new),
    changed,
    unchanged,
    added: ids.filter((id) => !oldById.has(id)).map((id) => oneSide(newById.get(id)!)),
    removed: ids.filter((id) => !newById.has(id)).map((id) => oneSide(oldById.get(id)!)),
  };
}

const signed = (points: number) =>
  cents(points) > 0 ? `+${formatPoints(points)}` : cents(points) === 0 ? '±0' : formatPoints(points);
const showSide = (s: CheckSide | null) =>
  s ? `${s.status} ${formatPoints(s.points)}/${formatPoints(s.maxPoints)}` : '—';

export function renderDiffJson(diff: RegradeDiff): string {
  return `${JSON.stringify(diff, null, 2)}\n`;
}

export function renderDiffMarkdown(diff: RegradeDiff): string {
  const lines: string[] = ['# Regrade diff', ''];
  const describe = (label: string, s: ReportSummary) =>
    `- ${label}: \`${mdInline(s.source)}\` — ${s.submissions} submissions, graded ${s.generatedAt}, seed ${s.seed}, rubric ${mdInline(s.rubric)} (${formatPoints(s.maxScore)} points)`;
  lines.push(describe('old', diff.old), describe('new', diff.new), '');
  const notes: string[] = [];
  if (diff.old.seed !== diff.new.seed)
    notes.push(
      `The two reports were graded with different seeds (${diff.old.seed}, ${diff.new.seed}): property checks drew different cases.`,
    );
  if (diff.old.rubric !== diff.new.rubric || cents(diff.old.maxScore) !== cents(diff.new.maxScore))
    notes.push('The two reports were graded with different rubrics.');
  for (const note of notes) lines.push(`> ${note}`, '');
  const total = diff.changed.reduce((sum, change) => sum + cents(change.delta), 0) / 100;
  lines.push(
    `**${diff.changed.length}** changed, ${diff.unchanged} unchanged, ${diff.added.length} added, ${diff.removed.length} removed` +
      (diff.changed.length > 0 ? `; net change ${signed(total)} points over the changed students.` : '.'),
    '',
  );
  if (diff.changed.length > 0) {
    lines.push('## Changed', '', '| student | old score | new score | delta |', '|---|---:|---:|---:|');
    for (const change of diff.changed) {
      lines.push(
        `| ${mdInline(change.id)} | ${formatPoints(change.oldScore)}/${formatPoints(change.oldMaxScore)} | ${formatPoints(change.newScore)}/${formatPoints(change.newMaxScore)} | ${signed(change.delta)} |`,
      );
    }
    lines.push('');
    for (const change of diff.changed) {
      lines.push(
        `### ${mdInline(change.id)}: ${formatPoints(change.oldScore)} → ${formatPoints(change.newScore)} (${signed(change.delta)})`,
        '',
      );
      if (change.status) lines.push(`Submission status: ${change.status.old} → ${change.status.new}.`, '');
      if (change.checks.length === 0) {
        lines.push(
          'No check changed its verdict or points (the score changed through manual items or the rubric).',
          '',
        );
        continue;
      }
      lines.push('| check | target | old | new | delta |', '|---|---|---|---|---:|');
      for (const check of change.checks)
        lines.push(
          `| ${mdInline(check.id)} | ${mdInline(check.target)} | ${showSide(check.old)} | ${showSide(check.new)} | ${signed(check.delta)} |`,
        );
      lines.push('');
    }
  }
  const listOneSide = (title: string, students: StudentOnOneSide[]) => {
    if (students.length === 0) return;
    lines.push(`## ${title}`, '', '| student | status | score |', '|---|---|---:|');
    for (const s of students)
      lines.push(`| ${mdInline(s.id)} | ${s.status} | ${formatPoints(s.score)}/${formatPoints(s.maxScore)} |`);
    lines.push('');
  };
  listOneSide('Added (only in the new report)', diff.added);
  listOneSide('Removed (only in the old report)', diff.removed);
  return `${lines.join('\n').trimEnd()}\n`;
}
