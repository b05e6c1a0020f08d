/**
 * Finds the submissions to grade in the folders and zips named on the command line.
 *
 * - A folder holding `rnn.ts` is one submission; its id is the folder's name.
 * - Any other folder named on the command line holds many submissions: one per sub-folder or zip.
 *   Inside it, a sub-folder without `rnn.ts` that itself holds submissions (e.g. one folder per
 *   section) is searched in turn; one that holds none is still listed, as a submission that cannot
 *   be graded ("no rnn.ts"), so that nobody silently disappears from the gradebook.
 * - A zip inside such a folder is ONE submission, whatever it holds: its id is the zip's name
 *   without `.zip`, and it must hold exactly one `rnn.ts` (at any depth, zips inside it included);
 *   none or several make that row's error. A zip named on the command line is one submission when
 *   `rnn.ts` is at its top or inside a single wrapper folder, else a folder of submissions (an LMS
 *   download). Zips are unpacked into the grader's work folder, never next to them; unpacking
 *   refuses entries outside the zip's folder, skips symbolic links, and bounds bytes and entries
 *   across a zip and every zip inside it.
 *
 * Every byte of a submission is hostile, names included: entries are examined with lstat (never
 * followed); a symbolic link, device or FIFO where a submission is expected gets its own row with
 * a clear problem. A name that is not UTF-8 is graded under an id showing its bytes escaped
 * (`caf%E9`), from a bounded copy in the work folder. Hidden entries (`.git`, `.DS_Store`),
 * `__MACOSX` and `node_modules` are ignored. Two submissions with the same id are both graded,
 * the later ones (by path) under `id-2`, `id-3`, … with a warning. Submissions are returned
 * sorted by id.
 */
import { isUtf8 } from 'node:buffer';
import { existsSync, lstatSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import AdmZip from 'adm-zip';
import { readRegularFile } from './compile/read-file';
import { shownPath } from './shown-path';

export interface Submission {
  /** Stable id: the folder's (or zip's) name, made unique and safe. */
  id: string;
  /** Where it came from, for people and reports: relative to the working directory, `x.zip!/alice` inside zips. */
  path: string;
  /** The folder on disk holding `rnn.ts` (inside the work folder for zips and renamed folders). */
  dir: string;
  /** Set when it cannot be graded at all (no rnn.ts, unreadable zip); the grader reports it as an error. */
  problem?: string;
  /** Notes about how it was found (a renamed id, skipped entries), for its row and the batch log. */
  warnings?: string[];
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
  /** Limits against zip bombs, per submission (a zip and every zip inside it together). */
  maxZipBytes?: number;
  maxZipEntries?: number;
}

const ENTRY_FILE = 'rnn.ts';
const MAX_DEPTH = 4;
/** How deep zips inside a submission's zip are unpacked. */
const MAX_ZIP_NESTING = 3;
const IGNORED = new Set(['__MACOSX', 'node_modules']);
/** The whole batch's unpacking and copying, whatever the number of zips. */
const BATCH_BYTES = 4 * 1024 * 1024 * 1024;
const BATCH_ENTRIES = 400_000;

/** Code-unit order: the same on every machine and locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * What may still be unpacked: bytes and entries, shared by a zip, the zips inside it and (through
 * `parent`) the whole batch, so that nesting zips cannot multiply a limit.
 */
export class UnpackBudget {
  constructor(
    private bytes: number,
    private entries: number,
    private readonly parent?: UnpackBudget,
    private readonly limits = { bytes, entries },
  ) {}

  takeEntries(count: number): void {
    if (count > this.entries)
      throw new Error(
        `it has ${count} entries (at most ${this.entries} allowed${this.entries < this.limits.entries ? `, of ${this.limits.entries} for the submission and the zips inside it` : ''})`,
      );
    this.parent?.takeEntries(count);
    this.entries -= count;
  }

  /** Bytes still allowed. */
  get bytesLeft(): number {
    return Math.min(this.bytes, this.parent?.bytesLeft ?? Infinity);
  }

  takeBytes(count: number): void {
    if (count > this.bytes)
      throw new Error(
        `it unpacks to more than ${this.limits.bytes} bytes${this.bytes < this.limits.bytes ? ' (with the zips inside it)' : ''}`,
      );
    this.parent?.takeBytes(count);
    this.bytes -= count;
  }
}

/** A directory entry seen with lstat; `path` is a Buffer when the name is not valid UTF-8. */
interface Entry {
  /** The name as shown: the real one, or escaped (`caf%E9`) when not UTF-8 or unsafe. */
  name: string;
  path: string | Buffer;
  /** Whether `path` is a string every later step can use. */
  utf8: boolean;
  /** Whether `name` differs from the name on disk. */
  escaped: boolean;
  kind: 'dir' | 'file' | 'link' | 'other';
}

/**
 * Characters escaped in an id even when valid UTF-8: `%` (the escape itself), control characters
 * (a terminal or log would obey them) and bidirectional overrides (they disguise a name).
 */
const UNSAFE_CHARACTER = /[%\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** The name with every byte that is not valid UTF-8, and every unsafe character, escaped as `%XX`. */
export function escapeName(raw: Buffer): string {
  if (isUtf8(raw) && !UNSAFE_CHARACTER.test(raw.toString('utf8'))) return raw.toString('utf8');
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const length = utf8SequenceLength(raw, i);
    const text = length > 0 ? raw.subarray(i, i + length).toString('utf8') : '';
    if (length > 0 && !UNSAFE_CHARACTER.test(text)) {
      out += text;
      i += length;
    } else {
      for (const byte of raw.subarray(i, i + Math.max(1, length)))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      i += Math.max(1, length);
    }
  }
  return out;
}

/** The length of the valid UTF-8 sequence starting at `i`, or 0. */
function utf8SequenceLength(raw: Buffer, i: number): number {
  const first = raw[i];
  const length =
    first < 0x80
      ? 1
      : first >= 0xc2 && first <= 0xdf
        ? 2
        : first >= 0xe0 && first <= 0xef
          ? 3
          : first >= 0xf0 && first <= 0xf4
            ? 4
            : 0;
  if (length === 0 || i + length > raw.length) return 0;
  return isUtf8(raw.subarray(i, i + length)) ? length : 0;
}

function kindOf(info: Stats): Entry['kind'] {
  return info.isSymbolicLink() ? 'link' : info.isDirectory() ? 'dir' : info.isFile() ? 'file' : 'other';
}

function listEntries(dir: string | Buffer): Entry[] {
  const base = typeof dir === 'string' ? Buffer.from(dir) : dir;
  const entries: Entry[] = [];
  for (const raw of readdirSync(dir, { encoding: 'buffer' })) {
    const utf8 = isUtf8(raw);
    const name = escapeName(raw);
    if (name.startsWith('.') || IGNORED.has(name)) continue;
    const path =
      utf8 && typeof dir === 'string' ? join(dir, raw.toString('utf8')) : Buffer.concat([base, Buffer.from('/'), raw]);
    let info: Stats;
    try {
      info = lstatSync(path);
    } catch {
      continue;
    }
    entries.push({
      name,
      path,
      utf8: utf8 && typeof dir === 'string',
      escaped: !utf8 || name !== raw.toString('utf8'),
      kind: kindOf(info),
    });
  }
  return entries.sort((a, b) => compareIds(a.name, b.name));
}

const isZipName = (name: string) => name.toLowerCase().endsWith('.zip');

export function discoverSubmissions(inputs: readonly string[], options: DiscoverOptions): Submission[] {
  const cwd = options.cwd ?? process.cwd();
  const found: Submission[] = [];
  /** Submissions that sit alone inside a folder of their own (`alice/lab8/rnn.ts`): that folder's name and warnings. */
  const wrappers = new Map<Submission, { id: string; warnings: string[] }>();
  let serial = 0;
  const limits = { bytes: options.maxZipBytes ?? 200 * 1024 * 1024, entries: options.maxZipEntries ?? 20_000 };
  const batch = new UnpackBudget(BATCH_BYTES, BATCH_ENTRIES);
  const freshBudget = () => new UnpackBudget(limits.bytes, limits.entries, batch);

  const display = (path: string) => shownPath(cwd, path);

  const unzip = (file: string | Buffer, budget: UnpackBudget, unpackInner = false): string => {
    const target = join(options.extractDir, `zip-${++serial}`);
    extractZip(file, target, budget, { unpackInner });
    return target;
  };

  /** A folder whose name is not UTF-8, copied (bounded) under its escaped name so every later step can use it. */
  const copyOut = (entry: Entry): string => {
    const target = join(options.extractDir, `renamed-${++serial}`, entry.name);
    copyTree(entry.path, target, freshBudget());
    return target;
  };

  const renamedWarning = (entry: Entry, shown: string) =>
    `the name of ${shown} is not valid UTF-8 or holds control characters; it is graded under the id "${entry.name}" (those bytes escaped as %XX)`;

  /** A folder met inside a container. */
  const visitFolder = (entry: Entry, shownParent: string, depth: number) => {
    const shown = `${shownParent}/${entry.name}`;
    const warnings = entry.escaped ? [renamedWarning(entry, shown)] : [];
    let dir: string;
    try {
      dir = entry.utf8 ? (entry.path as string) : copyOut(entry);
    } catch (error) {
      found.push({
        id: entry.name,
        path: shown,
        dir: options.extractDir,
        problem: `the folder could not be read: ${(error as Error).message}`,
        warnings,
      });
      return;
    }
    if (findRoot(dir, false)) {
      found.push({ id: entry.name, path: shown, dir, ...(warnings.length ? { warnings } : {}) });
      return;
    }
    if (depth < MAX_DEPTH && holdsSubmissions(dir, MAX_DEPTH - depth)) {
      const before = found.length;
      visitContainer(dir, shown, depth + 1);
      if (found.length === before + 1) wrappers.set(found[before], { id: entry.name, warnings });
      return;
    }
    found.push({
      id: entry.name,
      path: shown,
      dir,
      problem: noEntryProblem(dir, 'folder'),
      ...(warnings.length ? { warnings } : {}),
    });
  };

  /** A zip met inside a container: one submission, whatever it holds. */
  const visitZip = (entry: Entry, shownParent: string) => {
    const id = entry.name.slice(0, -'.zip'.length);
    const shown = `${shownParent}/${entry.name}!`;
    const warnings = entry.escaped ? [renamedWarning(entry, shown)] : [];
    const row = (fields: { dir: string; problem?: string }): Submission => ({
      id,
      path: shown,
      ...fields,
      ...(warnings.length ? { warnings } : {}),
    });
    let unpacked: string;
    try {
      unpacked = unzip(entry.path, freshBudget(), true);
    } catch (error) {
      found.push(
        row({ dir: options.extractDir, problem: `the zip could not be unpacked: ${(error as Error).message}` }),
      );
      return;
    }
    const located = locateEntryFile(unpacked);
    if ('dir' in located) found.push(row({ dir: located.dir }));
    else found.push(row({ dir: unpacked, problem: located.problem }));
  };

  const visitContainer = (dir: string, shown: string, depth: number) => {
    for (const entry of listEntries(dir)) {
      if (entry.kind === 'dir') visitFolder(entry, shown, depth);
      else if (entry.kind === 'file' && isZipName(entry.name)) visitZip(entry, shown);
      else if (entry.kind === 'link' || entry.kind === 'other') {
        // Where a student's folder or zip is expected: its own row, never followed or opened.
        const what =
          entry.kind === 'link' ? 'a symbolic link' : 'not a regular file or folder (a device, FIFO or socket)';
        found.push({
          id: isZipName(entry.name) ? entry.name.slice(0, -4) : entry.name,
          path: `${shown}/${entry.name}`,
          dir: options.extractDir,
          problem: `${entry.name} is ${what}; the grader does not follow or open it. Put the submission itself (a folder or a .zip) here.`,
        });
      }
    }
  };

  for (const input of inputs) {
    const path = resolve(cwd, input);
    if (!existsSync(path))
      throw new DiscoveryError(
        `${input} does not exist (expected a submission folder, a folder of submissions, or a .zip).`,
      );
    const stats = statSync(path);
    let dir = path;
    let shown = display(path);
    let id = basename(path);
    if (stats.isFile()) {
      if (!isZipName(path))
        throw new DiscoveryError(
          `${input} is a file but not a .zip; give a submission folder, a folder of submissions, or a .zip.`,
        );
      try {
        dir = unzip(path, new UnpackBudget(limits.bytes, limits.entries, batch));
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
      throw new DiscoveryError(
        `No submissions found in ${input}: it holds no ${ENTRY_FILE}, no sub-folders and no .zip files.`,
      );
    }
  }
  return uniqueIds(namedByWrapper(found, wrappers)).sort((a, b) => compareIds(a.id, b.id));
}

/**
 * `alice/lab8/rnn.ts`, `bob/lab8.zip`: when two or more submissions that each sit alone in a folder
 * share their own name, that name is the lab's, not the student's, so each takes its folder's name.
 * A lone section folder (`section-b/dave/`) keeps its student's name: its child's name is not shared.
 */
function namedByWrapper(
  found: Submission[],
  wrappers: ReadonlyMap<Submission, { id: string; warnings: string[] }>,
): Submission[] {
  const counts = new Map<string, number>();
  for (const submission of wrappers.keys()) counts.set(submission.id, (counts.get(submission.id) ?? 0) + 1);
  return found.map((submission) => {
    const wrapper = wrappers.get(submission);
    if (!wrapper || (counts.get(submission.id) ?? 0) < 2) return submission;
    const note = `graded under its folder's name "${wrapper.id}": ${counts.get(submission.id)} submissions are each named "${submission.id}" inside a folder of their own`;
    const warnings = [...wrapper.warnings, ...(submission.warnings ?? []), note];
    return { ...submission, id: wrapper.id, warnings };
  });
}

/** Gives every submission its own id: the first by path keeps it, the others get `-2`, `-3`, … (with a warning). */
function uniqueIds(found: Submission[]): Submission[] {
  const taken = new Set(found.map((submission) => submission.id));
  const groups = new Map<string, Submission[]>();
  for (const submission of found) groups.set(submission.id, [...(groups.get(submission.id) ?? []), submission]);
  const result: Submission[] = [];
  for (const [id, group] of groups) {
    if (group.length === 1) {
      result.push(group[0]);
      continue;
    }
    const sorted = [...group].sort((a, b) => compareIds(a.path, b.path));
    const ids = sorted.map((_, index) => {
      if (index === 0) return id;
      let n = index + 1;
      while (taken.has(`${id}-${n}`)) n++;
      taken.add(`${id}-${n}`);
      return `${id}-${n}`;
    });
    const warning = `${sorted.length} submissions have the id "${id}" (${sorted.map((s) => s.path).join(', ')}); they are graded as ${ids.join(', ')} respectively`;
    sorted.forEach((submission, index) =>
      result.push({ ...submission, id: ids[index], warnings: [...(submission.warnings ?? []), warning] }),
    );
  }
  return result;
}

function noEntryProblem(dir: string, what: 'folder' | 'zip'): string {
  const files = listEntries(dir).map((entry) => entry.name + (entry.kind === 'dir' ? '/' : ''));
  const holds =
    files.length === 0
      ? `the ${what} is empty`
      : `it holds ${files.slice(0, 8).join(', ')}${files.length > 8 ? ', …' : ''}`;
  return `no ${ENTRY_FILE} found (${holds}). The lab contract asks for a ${what} holding ${ENTRY_FILE}.`;
}

/** Whether `dir` holds rnn.ts itself (a regular file, or a link the compile step judges). */
function holdsEntryFile(dir: string): boolean {
  try {
    const info = lstatSync(join(dir, ENTRY_FILE));
    return info.isFile() || info.isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * The folder holding rnn.ts: `dir` itself or, for an unpacked command-line zip, the one
 * sub-folder of a wrapper chain (`alice.zip` → `lab8/rnn.ts`).
 */
function findRoot(dir: string, unzipped: boolean, depth = 0): string | undefined {
  if (holdsEntryFile(dir)) return dir;
  if (!unzipped || depth >= MAX_DEPTH) return undefined;
  const entries = listEntries(dir);
  const dirs = entries.filter((entry) => entry.kind === 'dir' && entry.utf8);
  const code = entries.filter((entry) => /\.(ts|js|mjs|cjs)$/.test(entry.name));
  if (dirs.length === 1 && code.length === 0) return findRoot(dirs[0].path as string, true, depth + 1);
  return undefined;
}

/** The one folder of an unpacked submission zip that holds rnn.ts (at any depth), or why there is none. */
function locateEntryFile(unpacked: string): { dir: string } | { problem: string } {
  const holders: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (holdsEntryFile(dir)) holders.push(dir);
    if (depth >= MAX_DEPTH * 2) return;
    for (const entry of listEntries(dir)) if (entry.kind === 'dir' && entry.utf8) walk(entry.path as string, depth + 1);
  };
  walk(unpacked, 0);
  if (holders.length === 1) return { dir: holders[0] };
  if (holders.length === 0) return { problem: noEntryProblem(unpacked, 'zip') };
  const shown = holders.map((dir) =>
    `${relative(unpacked, dir).split(sep).join('/') || '.'}/${ENTRY_FILE}`.replace(/^\.\//, ''),
  );
  return {
    problem: `the zip holds ${holders.length} files named ${ENTRY_FILE} (${shown.slice(0, 5).join(', ')}${shown.length > 5 ? ', …' : ''}); a zip is one submission and must hold exactly one.`,
  };
}

/** Whether a folder without rnn.ts holds submissions of its own (then it is a section, not a student). */
function holdsSubmissions(dir: string, levels: number): boolean {
  return listEntries(dir).some((entry) => {
    if (entry.kind === 'dir' && entry.utf8)
      return (
        findRoot(entry.path as string, false) !== undefined ||
        (levels > 1 && holdsSubmissions(entry.path as string, levels - 1))
      );
    return entry.kind === 'file' && isZipName(entry.name);
  });
}

/**
 * Copies a folder (given by a path that may not be UTF-8) under `target`: regular files and
 * folders only, names escaped, within `budget`. Links, devices and FIFOs are not copied.
 */
function copyTree(source: string | Buffer, target: string, budget: UnpackBudget, depth = 0): void {
  mkdirSync(target, { recursive: true });
  if (depth > MAX_DEPTH * 2) return;
  for (const entry of listEntries(source)) {
    budget.takeEntries(1);
    if (entry.kind === 'dir') copyTree(entry.path, join(target, entry.name), budget, depth + 1);
    else if (entry.kind === 'file') {
      const data = readRegularFile(entry.path, budget.bytesLeft);
      budget.takeBytes(data.length);
      writeFileSync(join(target, entry.name), data);
    }
  }
}

/**
 * Unpacks a zip safely: no paths outside `target`, no links, bounded size and entry count. With
 * `unpackInner`, the zips inside it (to MAX_ZIP_NESTING levels) are unpacked too, beside
 * themselves (`inner.zip` → `inner/`), all within the same budget.
 */
export function extractZip(
  file: string | Buffer,
  target: string,
  limits: { bytes: number; entries: number } | UnpackBudget,
  options: { unpackInner?: boolean } = {},
  nesting = 0,
): void {
  const budget = limits instanceof UnpackBudget ? limits : new UnpackBudget(limits.bytes, limits.entries);
  // The whole zip is read into memory: a zip file larger than what may be unpacked is refused first.
  const zip = new AdmZip(readRegularFile(file, budget.bytesLeft));
  const entries = zip.getEntries();
  budget.takeEntries(entries.length);
  mkdirSync(target, { recursive: true });
  const inner: string[] = [];
  for (const entry of entries) {
    const name = entry.entryName.replace(/\\/g, '/');
    const parts = name.split('/').filter((part) => part !== '' && part !== '.');
    if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || parts.includes('..'))
      throw new Error(`the entry "${entry.entryName}" points outside the zip`);
    if (parts.length === 0) continue;
    const destination = join(target, ...parts);
    if (entry.isDirectory) {
      mkdirSync(destination, { recursive: true });
      continue;
    }
    const unixMode = (entry.header.attr >>> 16) & 0o170000;
    if (unixMode === 0o120000) continue; // a symbolic link: never followed, never created
    budget.takeBytes(entry.header.size);
    // adm-zip caps inflation at the declared size; a lying header cannot unpack more.
    const data = entry.getData();
    if (data.length > entry.header.size) budget.takeBytes(data.length - entry.header.size);
    mkdirSync(dirname(destination), { recursive: true });
    writeFileSync(destination, data);
    if (isZipName(parts[parts.length - 1]) && !parts.some((part) => part.startsWith('.') || IGNORED.has(part)))
      inner.push(destination);
  }
  if (!options.unpackInner) return;
  for (const zipFile of inner) {
    const into = zipFile.slice(0, -'.zip'.length);
    if (nesting + 1 > MAX_ZIP_NESTING) throw new Error(`it holds zips nested more than ${MAX_ZIP_NESTING} levels deep`);
    if (existsSync(into)) continue; // a folder of that name is already there: leave the inner zip alone
    extractZip(zipFile, into, budget, options, nesting + 1);
  }
}
