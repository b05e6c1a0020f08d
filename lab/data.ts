/**
 * Data loading for the RNN lab (`import … from 'rnn-lab/data'`).
 *
 * The lab uses the Beijing PM2.5 weather data (`pollution.csv`, UCI Machine Learning Repository,
 * CC BY 4.0). The file is never shipped with the lab: it is found, in this order, at
 *
 *   1. the path given with `--data FILE` (passed in here as `dataPath`),
 *   2. the path in the environment variable `RNN_LAB_DATA`,
 *   3. the cached copy `pollution.csv` in the cache directory (`cacheDir`, else `RNN_LAB_CACHE_DIR`,
 *      else the per-user cache directory, e.g. `~/.cache/rnn-lab` on Linux),
 *   4. a download from `DATA_URL`, which is then cached there.
 *
 * Every copy, whatever its source, must have the sha256 `DATA_SHA256`: a wrong file stops with an
 * error instead of silently training on wrong numbers. A corrupt cached copy is replaced by a fresh
 * download. Every failure a user can cause throws a `DataError` whose message says what to do.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import envPaths from 'env-paths';
import type { Matrix } from './linalg';
import { HOURS_PER_DAY } from './index';

/** Where the lab downloads the data from when no local copy is given. */
export const DATA_URL = 'https://raw.githubusercontent.com/jbrownlee/Datasets/master/pollution.csv';
/** sha256 of the one `pollution.csv` the lab's numbers are computed from. */
export const DATA_SHA256 = '892e9559205d16d32623135c127a3951c12e46ea1e0b3093e107ce89a9fd60e2';
/** The header line of `pollution.csv`, column by column. */
export const EXPECTED_HEADER: readonly string[] = [
  'No',
  'year',
  'month',
  'day',
  'hour',
  'pm2.5',
  'DEWP',
  'TEMP',
  'PRES',
  'cbwd',
  'Iws',
  'Is',
  'Ir',
];
/** The six features the lab uses, in the order of the matrix columns (TEMP is column 1). */
export const SELECTED_COLUMNS: readonly string[] = ['DEWP', 'TEMP', 'PRES', 'Iws', 'Is', 'Ir'];
/** The lab reads only the first 43,000 data rows (then trims them to whole days: 42,984 rows). */
export const MAX_DATA_ROWS = 43000;

/** Name of the cached copy inside the cache directory. */
const CACHE_FILE_NAME = 'pollution.csv';
/** The hint every "cannot get the data" message ends with. */
const SET_DATA_HINT = 'set RNN_LAB_DATA=/path/to/pollution.csv (or pass --data FILE to the CLIs)';

/** A problem with the data that the user can fix; the message says how. */
export class DataError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DataError';
  }
}

/** Where to look for the data, and how to fetch and report; every field is optional. */
export interface LoadOptions {
  /** A path given explicitly (the CLIs' `--data FILE`); wins over everything else. */
  dataPath?: string;
  /** Directory of the cached download; default `RNN_LAB_CACHE_DIR`, else the per-user cache. */
  cacheDir?: string;
  /** Environment to read `RNN_LAB_DATA` and `RNN_LAB_CACHE_DIR` from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Used for the download; default the global `fetch` (tests pass a fake). */
  fetchImpl?: typeof fetch;
  /** Receives one line when the data is downloaded; default: print it on stderr. */
  log?: (msg: string) => void;
}

/** Where the path of a data file came from; it decides what an error message tells the user to do. */
type Source = '--data' | 'RNN_LAB_DATA' | 'path';

/** How to get a good file, per source, when the file at hand is missing, unreadable or wrong. */
const FIX: Record<Source, string> = {
  '--data': 'Pass --data the path of a good copy of pollution.csv (from ' + DATA_URL + ').',
  RNN_LAB_DATA:
    'Point RNN_LAB_DATA at a good copy of pollution.csv (from ' + DATA_URL + '), or unset it to download the data.',
  path:
    'If it is the cached copy, delete it so that it is downloaded again; otherwise ' +
    SET_DATA_HINT +
    ' pointing at a good copy.',
};

/** "RNN_LAB_DATA points to /x/pollution.csv" / "The data file /x/pollution.csv". */
function describe(file: string, source: Source): string {
  return source === 'path' ? `The data file ${file}` : `${source} points to ${file}, which`;
}

/** Hex sha256 of some bytes. */
export function sha256OfBuffer(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Hex sha256 of a file's contents. */
export function sha256OfFile(path: string): string {
  return sha256OfBuffer(readFileSync(path));
}

/** Throws a DataError unless `bytes` (read from `file`) are the lab's pollution.csv. */
function verifyChecksum(bytes: Uint8Array, file: string, source: Source): void {
  const actual = sha256OfBuffer(bytes);
  if (actual === DATA_SHA256) return;
  throw new DataError(
    `${describe(file, source)} is not the lab's pollution.csv: ` +
      `its sha256 is ${actual}, expected ${DATA_SHA256}. ${FIX[source]}`,
  );
}

/** Turns a file-system error into a DataError naming the file and where its path came from. */
function fileError(err: unknown, file: string, source: Source): DataError {
  const problem =
    (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(err as Error).message})`;
  return new DataError(`${describe(file, source)} ${problem}. ${FIX[source]}`, { cause: err });
}

/** Reads a file the user named and verifies it; returns its bytes. */
async function readUserFile(file: string, source: Source): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw fileError(err, file, source);
  }
  verifyChecksum(bytes, file, source);
  return bytes;
}

/** The cache directory: option, else RNN_LAB_CACHE_DIR, else the per-user cache directory. */
function cacheDirectory(options: LoadOptions, env: NodeJS.ProcessEnv): string {
  return resolve(options.cacheDir || env.RNN_LAB_CACHE_DIR || envPaths('rnn-lab', { suffix: '' }).cache);
}

/** Downloads the data and returns its bytes, verified; writes nothing. */
async function download(fetchImpl: typeof fetch, whyNoCache: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    const response = await fetchImpl(DATA_URL);
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
    bytes = Buffer.from(await response.arrayBuffer());
  } catch (err) {
    throw new DataError(
      `Could not download the lab data from ${DATA_URL} (${(err as Error).message}), and ${whyNoCache}. ` +
        `Copy pollution.csv onto this machine and ${SET_DATA_HINT}.`,
      { cause: err },
    );
  }
  // Verify before writing, so that a bad download never lands in the cache.
  const actual = sha256OfBuffer(bytes);
  if (actual !== DATA_SHA256) {
    throw new DataError(
      `The file downloaded from ${DATA_URL} has sha256 ${actual}, expected ${DATA_SHA256}; nothing was cached. ` +
        `Try again later, or ${SET_DATA_HINT} pointing at a good copy.`,
    );
  }
  return bytes;
}

/** Writes `bytes` to `file` so that readers never see a half-written file (temp file + rename). */
async function writeAtomically(file: string, bytes: Uint8Array): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(temp, bytes);
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw new DataError(
      `Could not save the downloaded data to ${file} (${(err as Error).message}). ` +
        `Set RNN_LAB_CACHE_DIR to a writable directory, or ${SET_DATA_HINT}.`,
      { cause: err },
    );
  }
}

/** Reads the cached copy: its bytes if it is good, 'missing' or 'corrupt' otherwise. */
async function readCache(file: string): Promise<Buffer | 'missing' | 'corrupt'> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw new DataError(
      `The cached data file ${file} cannot be read (${(err as Error).message}). Delete it, or ${SET_DATA_HINT}.`,
      { cause: err },
    );
  }
  return sha256OfBuffer(bytes) === DATA_SHA256 ? bytes : 'corrupt';
}

/** Finds (or downloads) the data, verified; returns where it is and its bytes. */
async function resolveData(options: LoadOptions): Promise<{ file: string; bytes: Buffer }> {
  const env = options.env ?? process.env;
  // A path the user gave always wins, and is never replaced by a download behind their back.
  if (options.dataPath) {
    const file = resolve(options.dataPath);
    return { file, bytes: await readUserFile(file, '--data') };
  }
  if (env.RNN_LAB_DATA) {
    const file = resolve(env.RNN_LAB_DATA);
    return { file, bytes: await readUserFile(file, 'RNN_LAB_DATA') };
  }
  const file = join(cacheDirectory(options, env), CACHE_FILE_NAME);
  const cached = await readCache(file);
  if (typeof cached !== 'string') return { file, bytes: cached };
  // A corrupt cache (e.g. an interrupted copy) is replaced by a fresh download; it errors only if that fails too.
  const whyNoCache =
    cached === 'missing'
      ? `there is no cached copy at ${file}`
      : `the cached copy ${file} is corrupt (wrong sha256; delete it and retry when online)`;
  const bytes = await download(options.fetchImpl ?? fetch, whyNoCache);
  await writeAtomically(file, bytes);
  (options.log ?? ((msg: string) => console.error(msg)))(`downloaded ${DATA_URL} to ${file}`);
  return { file, bytes };
}

/**
 * The path of a verified copy of pollution.csv: `dataPath` > `RNN_LAB_DATA` > cached copy >
 * download into the cache (see the top of this file). Relative paths are taken from the current
 * directory. Throws a DataError if no good copy can be found or downloaded.
 */
export async function resolveDataFile(options: LoadOptions = {}): Promise<string> {
  return (await resolveData(options)).file;
}

/** Strict decimal number: no empty strings, `NA`, hex, `Infinity` or surrounding spaces. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The number in one CSV field, or a DataError naming the (1-based) data row and the column. */
function parseNumber(field: string, row: number, column: string): number {
  const value = NUMBER.test(field) ? Number(field) : NaN;
  if (!Number.isFinite(value)) {
    throw new DataError(
      `Data row ${row} (counted from 1 after the header), column ${column}: ` +
        `expected a number, found ${JSON.stringify(field)}. The lab needs a value in every row of ` +
        `${SELECTED_COLUMNS.join(', ')}; use the unmodified pollution.csv.`,
    );
  }
  return value;
}

/** The first `count` records of CSV text (header first); malformed CSV becomes a DataError. */
function parseRecords(text: string, count: number): string[][] {
  try {
    // `to` stops after `count` records; `bom` drops a UTF-8 byte-order mark.
    return parse(text, { bom: true, skip_empty_lines: true, to: count });
  } catch (err) {
    throw new DataError(`pollution.csv is not valid CSV: ${(err as Error).message}`, { cause: err });
  }
}

/** Throws a DataError listing expected and found columns unless `header` is EXPECTED_HEADER. */
function checkHeader(header: readonly string[]): void {
  const same = header.length === EXPECTED_HEADER.length && header.every((name, i) => name === EXPECTED_HEADER[i]);
  if (same) return;
  throw new DataError(
    `pollution.csv has an unexpected header.\n  expected: ${EXPECTED_HEADER.join(',')}\n` +
      `  found:    ${header.join(',')}\nUse the unmodified pollution.csv from ${DATA_URL}.`,
  );
}

/**
 * The lab's matrix from the text of pollution.csv: columns DEWP, TEMP, PRES, Iws, Is, Ir (picked by
 * header name) of the first MAX_DATA_ROWS data rows, trimmed to whole days (a multiple of 24 rows).
 * Rows past that are not read at all; other columns (e.g. `pm2.5`, which holds `NA`) are not checked.
 * For the real file: 42,984 × 6. Throws a DataError for a wrong header, a non-number in a selected
 * column, or fewer than 24 data rows.
 */
export function parsePollutionCsv(text: string): Matrix {
  // The header alone first, so that a wrong header is reported as such, not as a ragged row.
  const header = parseRecords(text, 1)[0] ?? [];
  checkHeader(header);
  const records = parseRecords(text, 1 + MAX_DATA_ROWS);
  const columns = SELECTED_COLUMNS.map((name) => header.indexOf(name));
  const rows = records.slice(1);
  // Whole days only, as in the lab notebook, so that the train/test split falls between two days.
  const kept = rows.length - (rows.length % HOURS_PER_DAY);
  if (kept === 0) {
    throw new DataError(
      `pollution.csv has ${rows.length} data rows; the lab needs at least ${HOURS_PER_DAY} (one day).`,
    );
  }
  return rows
    .slice(0, kept)
    .map((record, i) => columns.map((c, j) => parseNumber(record[c], i + 1, SELECTED_COLUMNS[j])));
}

/** The lab's matrix from a file already found (e.g. by resolveDataFile); verifies the checksum first. */
export function loadPollutionDataSync(path: string): Matrix {
  const file = resolve(path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw fileError(err, file, 'path');
  }
  verifyChecksum(bytes, file, 'path');
  return parsePollutionCsv(bytes.toString('utf8'));
}

/** Finds (or downloads) pollution.csv, verifies it and returns the lab's 42,984 × 6 matrix. */
export async function loadPollutionData(options: LoadOptions = {}): Promise<Matrix> {
  const { bytes } = await resolveData(options);
  return parsePollutionCsv(bytes.toString('utf8'));
}
