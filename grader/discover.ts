/**
 * Finds the submissions to grade in the folders and zips named on the command line.
 *
 * - A folder holding `rnn.ts` is one submission; its id is the folder's name.
 * - Any other folder named on the command line holds many submissions: one per sub-folder or zip.
 *   Inside it, a sub-folder without `rnn.ts` that itself holds submissions (e.g. one folder per
 *   section) is searched in turn; one that holds none is still listed, as a submission that cannot
 *   be graded ("no rnn.ts"), so that nobody silently disappears from the gradebook.
 * - A zip is unpacked (into the grader's work folder, never next to it) and is then either one
 *   submission (its id is the zip's name without `.zip`; `rnn.ts` at its top or inside a single
 *   wrapper folder, as in `alice.zip` → `lab8/rnn.ts`) or many, by the same rules. Unpacking
 *   refuses entries outside the zip's folder, skips symbolic links and bounds size and entries.
 * Hidden entries (`.git`, `.DS_Store`), `__MACOSX` and `node_modules` are ignored. Ids must be
 * unique across the whole batch; submissions are returned sorted by id.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import AdmZip from 'adm-zip';

export interface Submission {
  /** Stable id: the folder's (or zip's) name. */
  id: string;
  /** Where it came from, for people and reports: relative to the working directory, `x.zip!/alice` inside zips. */
  path: string;
  /** The folder on disk holding `rnn.ts` (inside the work folder for zips). */
  dir: string;
  /** Set when it cannot be graded at all (no rnn.ts, unreadable zip); the grader reports it as an error. */
  problem?: string;
}

export class DiscoveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiscoveryError';
  }
}

export interface DiscoverOptions {
  /** Where zips are unpacked (a fresh folder the caller removes afterwards). */
  extractDir: string;
  /** Paths in reports are relative to this (default: the working directory). */
  cwd?: string;
  /** Limits against zip bombs. */
  maxZipBytes?: number;
  maxZipEntries?: number;
}

const ENTRY_FILE = 'rnn.ts';
const MAX_DEPTH = 4;
const IGNORED = new Set(['__MACOSX', 'node_modules']);

/** Code-unit order: the same on every machine and locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function discoverSubmissions(inputs: readonly string[], options: DiscoverOptions): Submission[] {
  const cwd = options.cwd ?? process.cwd();
  const found: Submission[] = [];
  let zipCount = 0;
  const limits = { bytes: options.maxZipBytes ?? 200 * 1024 * 1024, entries: options.maxZipEntries ?? 20_000 };

  /** Relative to cwd when inside it, absolute otherwise; always with `/`. */
  const display = (path: string) => {
    const rel = relative(cwd, path);
    if (rel === '') return '.';
    return (rel.startsWith('..') || isAbsolute(rel) ? path : rel).split(sep).join('/');
  };

  const unzip = (file: string): string => {
    const target = join(options.extractDir, `zip-${++zipCount}`);
    extractZip(file, target, limits);
    return target;
  };

  /** A folder met inside a container (or unpacked from a zip inside one). */
  const visitChild = (dir: string, id: string, shown: string, depth: number, unzipped: boolean) => {
    const root = findRoot(dir, unzipped);
    if (root) {
      found.push({ id, path: shown, dir: root });
      return;
    }
    if (depth < MAX_DEPTH && holdsSubmissions(dir, MAX_DEPTH - depth)) {
      visitContainer(dir, shown, depth + 1);
      return;
    }
    const files = listEntries(dir).map((entry) => entry.name + (entry.isDirectory() ? '/' : ''));
    const holds = files.length === 0 ? 'the folder is empty' : `it holds ${files.slice(0, 8).join(', ')}${files.length > 8 ? ', …' : ''}`;
    found.push({ id, path: shown, dir, problem: `no ${ENTRY_FILE} found (${holds}). The lab contract asks for a folder holding ${ENTRY_FILE}.` });
  };

  const visitContainer = (dir: string, shown: string, depth: number) => {
    for (const entry of listEntries(dir)) {
      const path = join(dir, entry.name);
      const childShown = `${shown}/${entry.name}`;
      if (isDir(entry, path)) {
        visitChild(path, entry.name, childShown, depth, false);
      } else if (entry.name.toLowerCase().endsWith('.zip')) {
        const id = entry.name.slice(0, -'.zip'.length);
        let unpacked: string;
        try {
          unpacked = unzip(path);
        } catch (error) {
          found.push({ id, path: `${childShown}!`, dir: path, problem: `the zip could not be unpacked: ${(error as Error).message}` });
          continue;
        }
        visitChild(unpacked, id, `${childShown}!`, depth, true);
      }
    }
  };

  for (const input of inputs) {
    const path = resolve(cwd, input);
    if (!existsSync(path)) throw new DiscoveryError(`${input} does not exist (expected a submission folder, a folder of submissions, or a .zip).`);
    const stats = statSync(path);
    let dir = path;
    let shown = display(path);
    let id = basename(path);
    if (stats.isFile()) {
      if (!path.toLowerCase().endsWith('.zip')) throw new DiscoveryError(`${input} is a file but not a .zip; give a submission folder, a folder of submissions, or a .zip.`);
      try {
        dir = unzip(path);
      } catch (error) {
        throw new DiscoveryError(`${input} could not be unpacked: ${(error as Error).message}`);
      }
      shown = `${shown}!`;
      id = id.slice(0, -'.zip'.length);
    } else if (!stats.isDirectory()) {
      throw new DiscoveryError(`${input} is neither a folder nor a .zip file.`);
    }
    const root = findRoot(dir, stats.isFile());
    if (root) {
      found.push({ id, path: shown, dir: root });
      continue;
    }
    const before = found.length;
    visitContainer(dir, shown, 1);
    if (found.length === before) {
      throw new DiscoveryError(`No submissions found in ${input}: it holds no ${ENTRY_FILE}, no sub-folders and no .zip files.`);
    }
  }

  const byId = new Map<string, Submission>();
  for (const submission of found) {
    const other = byId.get(submission.id);
    if (other) throw new DiscoveryError(`Two submissions have the id "${submission.id}": ${other.path} and ${submission.path}. Ids (folder or zip names) must be unique; rename one of them.`);
    byId.set(submission.id, submission);
  }
  return found.sort((a, b) => compareIds(a.id, b.id));
}

function listEntries(dir: string): Dirent[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith('.') && !IGNORED.has(entry.name))
    .sort((a, b) => compareIds(a.name, b.name));
}

function isDir(entry: Dirent, path: string): boolean {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The folder holding rnn.ts: `dir` itself or, for an unpacked zip, the one sub-folder of a wrapper
 * chain (`alice.zip` → `lab8/rnn.ts`).
 */
function findRoot(dir: string, unzipped: boolean, depth = 0): string | undefined {
  if (existsSync(join(dir, ENTRY_FILE)) && statSync(join(dir, ENTRY_FILE)).isFile()) return dir;
  if (!unzipped || depth >= MAX_DEPTH) return undefined;
  const entries = listEntries(dir);
  const dirs = entries.filter((entry) => isDir(entry, join(dir, entry.name)));
  const code = entries.filter((entry) => /\.(ts|js|mjs|cjs)$/.test(entry.name));
  if (dirs.length === 1 && code.length === 0) return findRoot(join(dir, dirs[0].name), true, depth + 1);
  return undefined;
}

/** Whether a folder without rnn.ts holds submissions of its own (then it is a section, not a student). */
function holdsSubmissions(dir: string, levels: number): boolean {
  return listEntries(dir).some((entry) => {
    const path = join(dir, entry.name);
    if (isDir(entry, path)) return findRoot(path, false) !== undefined || (levels > 1 && holdsSubmissions(path, levels - 1));
    return entry.name.toLowerCase().endsWith('.zip');
  });
}

/** Unpacks a zip safely: no paths outside `target`, no links, bounded size and entry count. */
export function extractZip(file: string, target: string, limits: { bytes: number; entries: number }): void {
  const zip = new AdmZip(file);
  const entries = zip.getEntries();
  if (entries.length > limits.entries) throw new Error(`it has ${entries.length} entries (at most ${limits.entries} allowed)`);
  mkdirSync(target, { recursive: true });
  let total = 0;
  for (const entry of entries) {
    const name = entry.entryName.replace(/\\/g, '/');
    const parts = name.split('/').filter((part) => part !== '' && part !== '.');
    if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || parts.includes('..')) throw new Error(`the entry "${entry.entryName}" points outside the zip`);
    if (parts.length === 0) continue;
    const destination = join(target, ...parts);
    if (entry.isDirectory) {
      mkdirSync(destination, { recursive: true });
      continue;
    }
    const unixMode = (entry.header.attr >>> 16) & 0o170000;
    if (unixMode === 0o120000) continue; // a symbolic link: never followed, never created
    total += entry.header.size;
    if (total > limits.bytes) throw new Error(`it unpacks to more than ${limits.bytes} bytes`);
    const data = entry.getData();
    if (data.length !== entry.header.size) total += Math.max(0, data.length - entry.header.size);
    if (total > limits.bytes) throw new Error(`it unpacks to more than ${limits.bytes} bytes`);
    mkdirSync(dirname(destination), { recursive: true });
    writeFileSync(destination, data);
  }
}
