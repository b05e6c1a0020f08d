/**
 * Writes the formats of the registry (./registry) from one GradeReport into the output folder.
 * Student-facing formats are rendered from the StudentReport (`studentReport`), staff ones from
 * the GradeReport itself; the switch over audiences below is exhaustive.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { GradeReport, StudentReport } from '../report-types';
import { studentReport } from './common';
import { FORMAT_REGISTRY, formatEntry } from './registry';
import type { Format, FormatEntry, ReportOptions } from './registry';

export type { Audience, Format, ReportOptions } from './registry';
export { FORMAT_REGISTRY } from './registry';

export const FORMATS: readonly Format[] = FORMAT_REGISTRY.map((entry) => entry.name);
/** Formats written when --format is not given. */
export const DEFAULT_FORMATS: readonly Format[] = FORMAT_REGISTRY.filter((entry) => entry.byDefault).map(
  (entry) => entry.name,
);
/** Formats that use ReportOptions.roster. */
export const ROSTER_FORMATS: readonly Format[] = FORMAT_REGISTRY.filter(
  (entry: FormatEntry) => entry.usesRoster === true,
).map((entry) => entry.name);

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

/** The formats as a table for `--help`: name, files, audience, what it is (`*`: not in the default set). */
export function formatsHelp(indent = '  '): string {
  const width = Math.max(...FORMAT_REGISTRY.map((entry) => entry.files.length));
  return FORMAT_REGISTRY.map(
    (entry: FormatEntry) =>
      `${indent}${`${entry.name}${entry.byDefault ? '' : '*'}`.padEnd(11)} ${entry.files.padEnd(width)}  ${entry.audience.padEnd(7)}  ${entry.about}`,
  ).join('\n');
}

/** The formats as the README's Markdown table (tests/grader/report-registry.test.ts keeps the README equal to it). */
export function formatsMarkdown(): string {
  const rows = FORMAT_REGISTRY.map(
    (entry: FormatEntry) =>
      `| \`${entry.name}\` | \`${entry.files}\` | ${entry.audience} | ${entry.byDefault ? 'yes' : 'no'} | ${entry.about} |`,
  );
  return ['| format | files | audience | default | what it is |', '| --- | --- | --- | --- | --- |', ...rows].join(
    '\n',
  );
}

const unreachable = (entry: never): never => {
  throw new Error(`a format with an unknown audience: ${JSON.stringify(entry)}`);
};

/** All files of the given formats: path relative to the output folder → contents. */
export function renderReports(
  report: GradeReport,
  formats: readonly Format[],
  options: ReportOptions = {},
): Map<string, string> {
  const files = new Map<string, string>();
  let students: StudentReport | undefined;
  for (const name of formats) {
    const entry = formatEntry(name);
    let rendered: Map<string, string>;
    switch (entry.audience) {
      case 'staff':
        rendered = entry.render(report, options);
        break;
      case 'student':
        rendered = entry.render((students ??= studentReport(report)), options);
        break;
      default:
        return unreachable(entry);
    }
    for (const [path, text] of rendered) files.set(path, text);
  }
  return files;
}

/** Writes the formats into `outDir`; returns the files written (relative to it), sorted. */
export function writeReports(
  report: GradeReport,
  outDir: string,
  formats: readonly Format[],
  options: ReportOptions = {},
): string[] {
  const files = renderReports(report, formats, options);
  mkdirSync(outDir, { recursive: true });
  for (const name of formats) {
    const owned = formatEntry(name).owns;
    if (owned) removeStale(join(outDir, owned.folder), owned, files);
  }
  for (const [relative, text] of files) {
    const path = join(outDir, relative);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return [...files.keys()].sort();
}

/** Per-submission files of submissions no longer graded (a folder counts as written when a file in it is). */
function removeStale(
  dir: string,
  { folder, stale }: NonNullable<FormatEntry['owns']>,
  written: ReadonlyMap<string, string>,
): void {
  if (!existsSync(dir)) return;
  const writtenPaths = [...written.keys()];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const relative = `${folder}/${entry.name}`;
    const kept = entry.isDirectory()
      ? writtenPaths.some((path) => path.startsWith(`${relative}/`))
      : written.has(relative);
    if (!kept && stale(entry.name)) rmSync(join(dir, entry.name), { recursive: true, force: true });
  }
}
