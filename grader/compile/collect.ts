/**
 * Reads the files a submission consists of: its own .ts/.js (and .json) files, from its own
 * folder only. Everything is read into memory here, once, in the grader's process (reading is
 * safe; nothing is executed), so later steps never touch the submission folder again.
 *
 * Skipped: node_modules, test folders and test files, a handout's lab/ and checks/, dotfiles, declaration files, package.json,
 * symlinks that lead outside the folder, names that are not UTF-8, and anything that is not a
 * regular file (devices, FIFOs: reported as a warning). Files are read with lstat and a
 * non-blocking, no-follow open; sizes and counts are capped so that a hostile folder cannot make
 * the grader read gigabytes or block.
 */
import { isUtf8 } from 'node:buffer';
import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { readRegularText } from './read-file';

export type SourceKind = 'ts' | 'js' | 'json';

export interface SubmissionFile {
  /** Path relative to the submission folder, with forward slashes (e.g. `lib/helpers.ts`). */
  rel: string;
  kind: SourceKind;
  text: string;
}

export interface CollectLimits {
  maxFiles: number;
  maxFileBytes: number;
  maxTotalBytes: number;
  maxDepth: number;
}

export const DEFAULT_COLLECT_LIMITS: CollectLimits = {
  maxFiles: 200,
  maxFileBytes: 2 * 1024 * 1024,
  maxTotalBytes: 8 * 1024 * 1024,
  maxDepth: 8,
};

const IGNORED_DIRECTORIES = new Set(['node_modules', 'test', 'tests', '__tests__', '__mocks__', 'dist', 'coverage']);
/**
 * A handout's own top-level folders: the support module (the sandbox provides its own rnn-lab) and
 * the public checks. They are not the student's code; compiling them would only add noise.
 */
const HANDOUT_DIRECTORIES = new Set(['lab', 'checks']);
const TEST_FILE = /\.(test|spec)\.[cm]?[jt]s$/;

export interface Collected {
  /** The submission folder, resolved through symlinks. */
  root: string;
  files: SubmissionFile[];
  warnings: string[];
}

export function collectSubmissionFiles(
  submissionDir: string,
  limits: CollectLimits = DEFAULT_COLLECT_LIMITS,
): Collected {
  const root = realpathSync(resolve(submissionDir));
  if (!statSync(root).isDirectory()) throw new Error(`${submissionDir} is not a folder`);
  const files: SubmissionFile[] = [];
  const warnings: string[] = [];
  let totalBytes = 0;
  let limitWarned = false;

  const insideRoot = (path: string) => path === root || path.startsWith(root + sep);

  const walk = (dir: string, depth: number) => {
    let raw: Buffer[];
    try {
      raw = readdirSync(dir, { encoding: 'buffer' });
    } catch (error) {
      warnings.push(`could not read folder ${display(dir)}: ${(error as Error).message}`);
      return;
    }
    const entries: string[] = [];
    for (const name of raw) {
      if (isUtf8(name)) entries.push(name.toString('utf8'));
      else
        warnings.push(
          `a name in ${display(dir) || 'the submission folder'} is not valid UTF-8 (${JSON.stringify(name.toString('latin1'))}); skipped`,
        );
    }
    entries.sort();
    for (const name of entries) {
      if (name.startsWith('.')) continue;
      const path = join(dir, name);
      const rel = display(path);
      let readPath = path;
      let info;
      try {
        info = lstatSync(path);
      } catch (error) {
        warnings.push(`could not read ${rel}: ${(error as Error).message}`);
        continue;
      }
      if (info.isSymbolicLink()) {
        let target: string;
        try {
          target = realpathSync(path);
        } catch {
          warnings.push(`symlink ${rel} is broken; skipped`);
          continue;
        }
        if (!insideRoot(target)) {
          warnings.push(`symlink ${rel} points outside the submission folder; skipped`);
          continue;
        }
        info = lstatSync(target);
        readPath = target;
        if (info.isDirectory()) {
          warnings.push(`symlink ${rel} points to a folder; skipped (copy the files instead)`);
          continue;
        }
      }
      if (info.isDirectory()) {
        if (IGNORED_DIRECTORIES.has(name) || (depth === 0 && HANDOUT_DIRECTORIES.has(name))) continue;
        if (depth >= limits.maxDepth) {
          warnings.push(`folder ${rel} is nested too deeply; skipped`);
          continue;
        }
        walk(path, depth + 1);
        continue;
      }
      const kind = kindOf(name);
      if (!info.isFile()) {
        if (kind) warnings.push(`${rel} is not a regular file (a device, FIFO or socket); skipped`);
        continue;
      }
      if (!kind || TEST_FILE.test(name)) continue;
      if (files.length >= limits.maxFiles || totalBytes + info.size > limits.maxTotalBytes) {
        if (!limitWarned)
          warnings.push(`the submission folder has too many or too large files; ${rel} and later files were skipped`);
        limitWarned = true;
        continue;
      }
      if (info.size > limits.maxFileBytes) {
        warnings.push(`${rel} is larger than ${Math.round(limits.maxFileBytes / 1024)} KiB; skipped`);
        continue;
      }
      let text: string;
      try {
        text = readRegularText(readPath, limits.maxFileBytes);
      } catch (error) {
        warnings.push(`${rel} could not be read (${(error as Error).message}); skipped`);
        continue;
      }
      totalBytes += info.size;
      files.push({ rel, kind, text });
    }
  };

  const display = (path: string) => relative(root, path).split(sep).join('/');

  walk(root, 0);

  // x.ts and x.js both present (e.g. a compiled copy): the TypeScript source wins.
  const tsStems = new Set(files.filter((file) => file.kind === 'ts').map((file) => stem(file.rel)));
  const kept = files.filter((file) => {
    if (file.kind === 'js' && tsStems.has(stem(file.rel))) {
      warnings.push(`${file.rel} ignored: ${stem(file.rel)}.ts is used instead`);
      return false;
    }
    return true;
  });
  return { root, files: kept, warnings };
}

function kindOf(name: string): SourceKind | undefined {
  if (name.endsWith('.d.ts')) return undefined;
  if (name.endsWith('.ts')) return 'ts';
  if (name.endsWith('.js')) return 'js';
  if (name.endsWith('.json') && name !== 'package.json' && !name.startsWith('tsconfig')) return 'json';
  return undefined;
}

export function stem(rel: string): string {
  return rel.replace(/\.(ts|js|json)$/, '');
}
