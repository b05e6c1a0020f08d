/**
 * Every file of the student handout, as relative path → content. A pure function of the project's
 * sources and the fixtures; the grader knows the handout from its manifest (./manifest.ts), never
 * from this code.
 */
import { readFileSync } from 'fs';
import path from 'path';
import { publicCatalogue } from '../checks/public';
import type { Fixtures } from '../checks/public';
import { CLASSROOM_WORKFLOW, classroomWorkflow } from './classroom-workflow';
import { EXPORTS_TABLE_MARKER, exportsTable, makeSkeleton } from './skeleton';

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
  'checks/lab/definition.ts',
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
  'checks/plain-text.ts',
  'checks/classroom/results.ts',
  'checks/classroom/convert.ts',
  'checks/classroom/main.ts',
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
  'checks/catalogue/convergence-settings.ts',
  'checks/public/index.ts',
  'checks/public/training-step.ts',
  'checks/public/gradients.ts',
  'checks/catalogue/gradients-judge.ts',
];

/** The feedback workflow, left out of a GitHub Classroom handout (whose classroom.yml gives the same feedback). */
export const FEEDBACK_WORKFLOW = '.github/workflows/grade.yml';

/** Template files: handout/template/<source> → <destination>. */
const TEMPLATE_FILES: Record<string, string> = {
  'README.md': 'README.md',
  'tsconfig.json': 'tsconfig.json',
  gitignore: '.gitignore',
  [FEEDBACK_WORKFLOW]: FEEDBACK_WORKFLOW,
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
        // strip-ansi: checks/plain-text.ts (messages made inert for the GitHub Classroom reporter's log)
        dependencies: { 'rnn-lab': 'file:lab', ...pick(['csv-parse', 'env-paths', 'pure-rand', 'strip-ansi'], all) },
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
    files.set(
      destination,
      read(path.join('handout', 'template', source)).replace(EXPORTS_TABLE_MARKER, exportsTable()),
    );
  staticFiles = files;
  return new Map(files);
}

export interface HandoutOptions {
  /** A GitHub Classroom assignment: classroom.yml (public checks, points to Classroom) instead of grade.yml. */
  classroom?: boolean;
}

export function handoutFiles(fixtures: Fixtures, options: HandoutOptions = {}): Map<string, string> {
  const files = staticHandoutFiles();
  files.set('checks/public/fixtures.json', JSON.stringify(fixtures) + '\n');
  files.set('package.json', handoutPackageJson());
  if (options.classroom) {
    files.delete(FEEDBACK_WORKFLOW);
    files.set(CLASSROOM_WORKFLOW, classroomWorkflow(publicCatalogue(fixtures)));
  }
  return files;
}
