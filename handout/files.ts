/**
 * Every file of the student handout, as relative path → content. A pure function of the project's
 * sources and the fixtures, so the grader can regenerate it to spot a handout whose checks were
 * changed.
 */
import { readFileSync } from 'fs';
import path from 'path';
import type { Fixtures } from '../checks/public';
import { makeSkeleton } from './skeleton';
import { readRegularText, UnreadableFileError } from '../grader/compile/read-file';

const ROOT = path.join(__dirname, '..');

/** Project files copied verbatim: the support module and the reference-free part of the checks. */
export const COPIED_FILES = [
  'lab/package.json',
  'lab/index.ts',
  'lab/rng.ts',
  'lab/linalg.ts',
  'lab/validate.ts',
  'lab/data.ts',
  'checks/types.ts',
  'checks/runner.ts',
  'checks/battery.ts',
  'checks/protocol/builtins.ts',
  'checks/protocol/encode.ts',
  'checks/protocol/requests.ts',
  'checks/protocol/scripted-rng.ts',
  'checks/protocol/dispatch.ts',
  'checks/executors/child-process.ts',
  'checks/executors/child-entry.ts',
  'checks/executors/error-location.ts',
  'checks/student/main.ts',
  'checks/student/run.ts',
  'checks/student/report.ts',
  'checks/student/text.ts',
  'checks/student/chart.ts',
  'checks/student/github.ts',
  'checks/student/typecheck.ts',
  'checks/numeric/tolerance.ts',
  'checks/catalogue/shapes.ts',
  'checks/catalogue/property.ts',
  'checks/catalogue/judge.ts',
  'checks/catalogue/rules.ts',
  'checks/catalogue/probe.ts',
  'checks/catalogue/calls.ts',
  'checks/catalogue/contract-checks.ts',
  'checks/catalogue/data-spec-checks.ts',
  'checks/catalogue/training-spec-checks.ts',
  'checks/public/index.ts',
  'checks/public/training-step.ts',
];

/** Template files: handout/template/<source> → <destination>. */
const TEMPLATE_FILES: Record<string, string> = {
  'README.md': 'README.md',
  'tsconfig.json': 'tsconfig.json',
  gitignore: '.gitignore',
  '.github/workflows/grade.yml': '.github/workflows/grade.yml',
};

/** Files a student must not change: the grader compares them with its own copies. */
export function isProtectedHandoutFile(relative: string): boolean {
  return relative.startsWith('checks/') || relative.startsWith('tests/') || relative.startsWith('lab/');
}

function handoutPackageJson(): string {
  const project = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const pick = (names: string[], from: Record<string, string>) =>
    Object.fromEntries(names.map((name) => [name, from[name]]));
  const all = { ...project.dependencies, ...project.devDependencies };
  return (
    JSON.stringify(
      {
        name: 'rnn-lab-handout',
        version: '1.0.0',
        private: true,
        description: 'Lab 8: a recurrent network and backpropagation through time',
        engines: { node: '>=20' },
        // The public checks (checks/student/main.ts): rnn.ts runs in a child process with time limits.
        scripts: {
          test: 'node --require tsx/cjs checks/student/main.ts',
          watch: 'node --require tsx/cjs checks/student/main.ts --watch',
        },
        dependencies: { 'rnn-lab': 'file:lab', ...pick(['csv-parse', 'env-paths', 'pure-rand'], all) },
        devDependencies: pick(['@types/node', 'fast-check', 'tsx', 'typescript'], all),
        // npm 11 asks about dependencies' install scripts: tsx's esbuild needs none here
        allowScripts: pick(['esbuild'], project.allowScripts ?? {}),
      },
      null,
      2,
    ) + '\n'
  );
}

const read = (relative: string) => readFileSync(path.join(ROOT, relative), 'utf8');

const copiedFiles = new Map<string, string>();
/** A file of COPIED_FILES as the handout has it (read once). */
function copiedFile(relative: string): string {
  let content = copiedFiles.get(relative);
  if (content === undefined) copiedFiles.set(relative, (content = read(relative)));
  return content;
}

let staticFiles: Map<string, string> | undefined;

/** Every handout file that does not depend on the data (all but the fixtures); computed once. */
export function staticHandoutFiles(): Map<string, string> {
  if (staticFiles) return new Map(staticFiles);
  const files = new Map<string, string>();
  files.set('rnn.ts', makeSkeleton(read('reference/rnn.ts')));
  for (const relative of COPIED_FILES) files.set(relative, copiedFile(relative));
  for (const [source, destination] of Object.entries(TEMPLATE_FILES))
    files.set(destination, read(path.join('handout', 'template', source)));
  staticFiles = files;
  return new Map(files);
}

/**
 * The protected files of a submission folder that differ from the handout's own (missing ones are
 * not reported: a submission may hold rnn.ts alone). The fixtures are not compared, as they depend
 * on the data. A submission's file is never read through a link, from a device or FIFO, or past
 * the size of the handout's own: any of those is simply a changed file.
 */
export function changedHandoutFiles(submissionDir: string): string[] {
  const changed: string[] = [];
  // Only copied files are protected: the skeleton (which needs the TypeScript compiler) is never compared.
  for (const relative of COPIED_FILES) {
    if (!isProtectedHandoutFile(relative)) continue;
    const content = copiedFile(relative);
    let actual: string;
    try {
      actual = readRegularText(path.join(submissionDir, relative), Buffer.byteLength(content) + 1);
    } catch (error) {
      if (error instanceof UnreadableFileError) changed.push(relative);
      continue;
    }
    if (actual !== content) changed.push(relative);
  }
  return changed;
}

export function handoutFiles(fixtures: Fixtures): Map<string, string> {
  const files = staticHandoutFiles();
  files.set('checks/public/fixtures.json', JSON.stringify(fixtures) + '\n');
  files.set('package.json', handoutPackageJson());
  return files;
}
