/**
 * targets.json: what the collect step fetched, for the post step — each submission id (the zip's
 * name, so the id in the grader's report) and the repository, commit and pull request it came
 * from. It travels as an artifact separate from the submissions, so it is never graded.
 */
import { readFileSync } from 'node:fs';

export type Mode = 'commits' | 'pull-requests';

export interface CourseTarget {
  /** The submission id in the report (`<student>` or `<student>-pr<N>`); `owner/repo` for a row with nothing fetched. */
  id: string;
  owner: string;
  repo: string;
  /** Absent when nothing could be fetched (then `problem` says why). */
  sha?: string;
  /** How the commit was chosen, for people. */
  how?: string;
  pull?: number;
  problem?: string;
}

export interface CourseManifest {
  version: 1;
  org: string;
  prefix: string;
  mode: Mode;
  deadline?: string;
  collectedAt: string;
  targets: CourseTarget[];
}

export class ManifestError extends Error {}

const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** Reads and checks a manifest (it came through an artifact: trust its shape only once checked). */
export function readManifest(file: string): CourseManifest {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ManifestError(`cannot read the targets file ${file}: ${(error as Error).message}`);
  }
  const manifest = value as Partial<CourseManifest> | null;
  if (
    !manifest ||
    manifest.version !== 1 ||
    !isText(manifest.org) ||
    !isText(manifest.prefix) ||
    (manifest.mode !== 'commits' && manifest.mode !== 'pull-requests') ||
    !Array.isArray(manifest.targets)
  ) {
    throw new ManifestError(`${file} is not a targets file of version 1 (org, prefix, mode, targets)`);
  }
  const ids = new Set<string>();
  for (const target of manifest.targets as Array<Partial<CourseTarget>>) {
    if (!target || !isText(target.id) || !isText(target.owner) || !isText(target.repo))
      throw new ManifestError(`${file}: a target without id, owner or repo`);
    if (target.sha !== undefined && !/^[0-9a-f]{40}$/.test(target.sha))
      throw new ManifestError(`${file}: target ${target.id} has a bad commit id`);
    if (target.pull !== undefined && !(Number.isInteger(target.pull) && target.pull > 0))
      throw new ManifestError(`${file}: target ${target.id} has a bad pull request number`);
    if (ids.has(target.id)) throw new ManifestError(`${file}: the id ${target.id} is there twice`);
    ids.add(target.id);
  }
  return manifest as CourseManifest;
}

/** A submission id: a safe file name (it names the zip and the reports' rows). */
export function submissionId(student: string, pull?: number): string | undefined {
  const id = pull === undefined ? student : `${student}-pr${pull}`;
  return /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(id) ? id : undefined;
}
