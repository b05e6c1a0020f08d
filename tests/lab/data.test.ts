/**
 * Tests of the lab's data loader (`rnn-lab/data`).
 *
 * Parsing is tested on small synthetic CSV texts generated here. Finding the file is tested with
 * temporary directories and a fake `fetch` (never the network). The cases that need the real
 * pollution.csv (only it has the right sha256) run when RNN_LAB_DATA points at it, as in CI:
 *   RNN_LAB_DATA=../shared/data/pollution.csv npx jest tests/lab
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DATA_SHA256,
  DATA_URL,
  DataError,
  EXPECTED_HEADER,
  MAX_DATA_ROWS,
  SELECTED_COLUMNS,
  loadPollutionData,
  loadPollutionDataSync,
  parsePollutionCsv,
  resolveDataFile,
  sha256OfBuffer,
  sha256OfFile,
} from '../../lab/data';

// ---------------------------------------------------------------------------------------------
// Synthetic fixtures

/** Raw CSV cells of data row i (1-based). Every 5th row has pm2.5 = NA, as in the real file. */
function fixtureCells(i: number): string[] {
  const pm25 = i % 5 === 0 ? 'NA' : String(2 * i);
  // No,year,month,day,hour,pm2.5,DEWP,TEMP,PRES,cbwd,Iws,Is,Ir
  return [
    String(i),
    '2010',
    '1',
    '1',
    String((i - 1) % 24),
    pm25,
    String(-i),
    String(i / 2),
    String(1000 + i),
    'NW',
    `${i}.25`,
    String(i % 3),
    String(i % 2),
  ];
}

/** The six selected values (DEWP, TEMP, PRES, Iws, Is, Ir) of fixture row i. */
function expectedRow(i: number): number[] {
  return [-i, i / 2, 1000 + i, i + 0.25, i % 3, i % 2];
}

const COLUMN = Object.fromEntries(EXPECTED_HEADER.map((name, index) => [name, index]));

interface FixtureOptions {
  eol?: string;
  bom?: boolean;
  trailingEol?: boolean;
  header?: string[];
  /** Changes the raw cells of data row i in place (cells are CSV text, so they may carry quotes). */
  edit?: (cells: string[], i: number) => void;
}

/** A synthetic pollution.csv with `rows` data rows. */
function makeCsv(rows: number, options: FixtureOptions = {}): string {
  const { eol = '\n', bom = false, trailingEol = true, header = [...EXPECTED_HEADER], edit } = options;
  const lines = [header.join(',')];
  for (let i = 1; i <= rows; i++) {
    const cells = fixtureCells(i);
    edit?.(cells, i);
    lines.push(cells.join(','));
  }
  return (bom ? '\ufeff' : '') + lines.join(eol) + (trailingEol ? eol : '');
}

/** A fixture whose column `column` holds `value` in data row `row`. */
function csvWith(rows: number, row: number, column: string, value: string): string {
  return makeCsv(rows, {
    edit: (cells, i) => {
      if (i === row) cells[COLUMN[column]] = value;
    },
  });
}

/** The DataError that `fn` throws (fails the test if it throws nothing or something else). */
function dataErrorOf(fn: () => unknown): DataError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return err as DataError;
  }
  throw new Error('expected a DataError, but nothing was thrown');
}

/** The DataError that `promise` rejects with. */
async function rejectionOf(promise: Promise<unknown>): Promise<DataError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return err as DataError;
  }
  throw new Error('expected a DataError, but the promise resolved');
}

// ---------------------------------------------------------------------------------------------
// parsePollutionCsv

describe('parsePollutionCsv', () => {
  it('returns the six selected columns, picked by header name, of every row', () => {
    const data = parsePollutionCsv(makeCsv(48));
    expect(data).toHaveLength(48);
    expect(data[0]).toEqual([-1, 0.5, 1001, 1.25, 1, 1]);
    data.forEach((row, r) => expect(row).toEqual(expectedRow(r + 1)));
  });

  it('ignores NA in pm2.5 (not a selected column)', () => {
    const text = makeCsv(24);
    expect(text.split('\n')[5]).toBe('5,2010,1,1,4,NA,-5,2.5,1005,NW,5.25,2,1');
    expect(parsePollutionCsv(text)[4]).toEqual([-5, 2.5, 1005, 5.25, 2, 1]);
  });

  it('handles CRLF, no trailing newline, a UTF-8 BOM and quoted fields (with commas inside)', () => {
    const text = makeCsv(24, {
      eol: '\r\n',
      bom: true,
      trailingEol: false,
      header: EXPECTED_HEADER.map((name) => `"${name}"`),
      edit: (cells, i) => {
        if (i === 3) {
          cells[COLUMN.cbwd] = '"N,W"'; // a naive split(',') would shift Iws, Is, Ir
          cells[COLUMN.TEMP] = '"1.5"';
        }
      },
    });
    expect(text.startsWith('\ufeff"No"')).toBe(true);
    expect(text.endsWith('\r\n24,2010,1,1,23,48,-24,12,1024,NW,24.25,0,0')).toBe(true);
    const data = parsePollutionCsv(text);
    expect(data).toHaveLength(24);
    expect(data[2]).toEqual([-3, 1.5, 1003, 3.25, 0, 1]);
    expect(data[23]).toEqual(expectedRow(24));
  });

  it('accepts signed, decimal and exponent notation', () => {
    const text = makeCsv(24, {
      edit: (cells, i) => {
        if (i === 2)
          [cells[COLUMN.DEWP], cells[COLUMN.TEMP], cells[COLUMN.PRES], cells[COLUMN.Iws]] = [
            '+3',
            '-.5',
            '1.02e3',
            '0.',
          ];
      },
    });
    expect(parsePollutionCsv(text)[1]).toEqual([3, -0.5, 1020, 0, 2, 0]);
  });

  it('rejects NA in a selected column, naming the data row and the column', () => {
    const err = dataErrorOf(() => parsePollutionCsv(csvWith(24, 7, 'TEMP', 'NA')));
    expect(err.message).toMatch(
      /^Data row 7 \(counted from 1 after the header\), column TEMP: expected a number, found "NA"\./,
    );
  });

  it.each([
    ['Iws', ''],
    ['PRES', 'abc'],
    ['DEWP', '0x10'],
    ['Is', 'Infinity'],
    ['Ir', ' 1'],
    ['TEMP', '1e999'],
  ])('rejects %s = %j', (column, value) => {
    const err = dataErrorOf(() => parsePollutionCsv(csvWith(48, 30, column, value)));
    expect(err.message).toContain(
      `Data row 30 (counted from 1 after the header), column ${column}: expected a number, found ${JSON.stringify(value)}.`,
    );
  });

  it('rejects a wrong header, listing expected and found columns', () => {
    const header = [...EXPECTED_HEADER];
    [header[6], header[7]] = [header[7], header[6]]; // TEMP before DEWP
    const err = dataErrorOf(() => parsePollutionCsv(makeCsv(24, { header })));
    expect(err.message).toContain('expected: No,year,month,day,hour,pm2.5,DEWP,TEMP,PRES,cbwd,Iws,Is,Ir\n');
    expect(err.message).toContain('found:    No,year,month,day,hour,pm2.5,TEMP,DEWP,PRES,cbwd,Iws,Is,Ir\n');
  });

  it('rejects a header with a missing column and an empty text', () => {
    const header = EXPECTED_HEADER.filter((name) => name !== 'Ir');
    expect(dataErrorOf(() => parsePollutionCsv(makeCsv(24, { header }))).message).toMatch(/unexpected header/);
    expect(dataErrorOf(() => parsePollutionCsv('')).message).toMatch(/unexpected header[\s\S]*found: {4}\n/);
  });

  it('turns malformed CSV (a row with too few fields) into a DataError', () => {
    const text = makeCsv(24, {
      edit: (cells, i) => {
        if (i === 4) cells.pop();
      },
    });
    expect(dataErrorOf(() => parsePollutionCsv(text)).message).toMatch(
      /^pollution\.csv is not valid CSV: .*expect 13, got 12 on line 5/,
    );
  });

  it('trims to whole days (a multiple of 24 rows) and ignores the trimmed rows', () => {
    expect(parsePollutionCsv(makeCsv(24))).toHaveLength(24);
    expect(parsePollutionCsv(makeCsv(47))).toHaveLength(24);
    const data = parsePollutionCsv(csvWith(50, 49, 'TEMP', 'NA')); // row 49 is trimmed away
    expect(data).toHaveLength(48);
    expect(data[47]).toEqual(expectedRow(48));
  });

  it('rejects fewer than 24 data rows', () => {
    expect(dataErrorOf(() => parsePollutionCsv(makeCsv(23))).message).toBe(
      'pollution.csv has 23 data rows; the lab needs at least 24 (one day).',
    );
  });

  it('reads only the first MAX_DATA_ROWS data rows, then trims them to 42,984', () => {
    expect(MAX_DATA_ROWS).toBe(43000);
    // Only the selected columns hold values, which keeps this 43,010-row text (and the test) fast.
    const lines = [EXPECTED_HEADER.join(',')];
    for (let i = 1; i <= 43010; i++) {
      const temp = i === 42990 || i === 43005 ? 'NA' : String(i / 2); // trimmed / past the cap
      lines.push(
        i === 43008
          ? 'malformed past the cap: never read'
          : `,,,,,,${-i},${temp},${1000 + i},,${i}.25,${i % 3},${i % 2}`,
      );
    }
    const text = lines.join('\n');
    const data = parsePollutionCsv(text);
    expect(data).toHaveLength(42984);
    expect(data[0]).toEqual(expectedRow(1));
    expect(data[42983]).toEqual(expectedRow(42984));
  });
});

// ---------------------------------------------------------------------------------------------
// Finding the file

/** The real pollution.csv, if the environment points at it (relative paths are from the cwd). */
const REAL_FILE = process.env.RNN_LAB_DATA ? resolve(process.cwd(), process.env.RNN_LAB_DATA) : undefined;
const SKIP_REASON = ' [real file: skipped unless RNN_LAB_DATA points at pollution.csv]';
/** `it` for cases that need the real file (only it has the right sha256); skipped without it. */
const itReal = (name: string, fn: (file: string) => Promise<void>) =>
  REAL_FILE ? it(name, () => fn(REAL_FILE)) : it.skip(name + SKIP_REASON, () => undefined);

/** A fake fetch that answers every request with `body` (or rejects with it, if it is an Error). */
function fakeFetch(body: Uint8Array | Error, status = 200) {
  return jest.fn(async (_url: string) => {
    if (body instanceof Error) throw body;
    return new Response(new Uint8Array(body), { status, statusText: status === 200 ? 'OK' : 'Not Found' });
  });
}
const offline = () => fakeFetch(new Error('getaddrinfo ENOTFOUND raw.githubusercontent.com'));
const asFetch = (f: ReturnType<typeof fakeFetch>) => f as unknown as typeof fetch;

describe('resolveDataFile', () => {
  let tmp: string;
  let cacheDir: string;
  let cacheFile: string;
  let fixtureFile: string;
  let log: jest.Mock<void, [string]>;

  beforeEach(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'rnn-lab-data-'));
    cacheDir = join(tmp, 'cache'); // does not exist yet: the loader creates it
    cacheFile = join(cacheDir, 'pollution.csv');
    fixtureFile = join(tmp, 'fixture.csv');
    await writeFile(fixtureFile, makeCsv(24));
    log = jest.fn<void, [string]>();
  });
  afterEach(() => rm(tmp, { recursive: true, force: true }));

  it('without network and without cache: DataError telling to set RNN_LAB_DATA', async () => {
    const fetchImpl = offline();
    const err = await rejectionOf(resolveDataFile({ cacheDir, env: {}, fetchImpl: asFetch(fetchImpl), log }));
    expect(fetchImpl).toHaveBeenCalledTimes(1);
    expect(fetchImpl).toHaveBeenCalledWith(DATA_URL);
    expect(err.message).toContain(
      `Could not download the lab data from ${DATA_URL} (getaddrinfo ENOTFOUND raw.githubusercontent.com)`,
    );
    expect(err.message).toContain(`there is no cached copy at ${cacheFile}`);
    expect(err.message).toContain('set RNN_LAB_DATA=/path/to/pollution.csv (or pass --data FILE to the CLIs)');
    expect(log).not.toHaveBeenCalled();
  });

  it('an HTTP error is a failed download too', async () => {
    const fetchImpl = fakeFetch(new Uint8Array(0), 404);
    const err = await rejectionOf(resolveDataFile({ cacheDir, env: {}, fetchImpl: asFetch(fetchImpl), log }));
    expect(err.message).toContain('(HTTP 404 Not Found)');
    expect(err.message).toContain('RNN_LAB_DATA=');
  });

  it('a download with the wrong bytes: DataError with both checksums, nothing written to the cache', async () => {
    const wrong = Buffer.from(makeCsv(24));
    const err = await rejectionOf(resolveDataFile({ cacheDir, env: {}, fetchImpl: asFetch(fakeFetch(wrong)), log }));
    expect(err.message).toContain(`has sha256 ${sha256OfBuffer(wrong)}, expected ${DATA_SHA256}; nothing was cached`);
    expect(existsSync(cacheDir)).toBe(false);
    expect(log).not.toHaveBeenCalled();
  });

  it('takes the cache directory from RNN_LAB_CACHE_DIR when no cacheDir is given', async () => {
    const envCache = join(tmp, 'env-cache');
    const err = await rejectionOf(
      resolveDataFile({ env: { RNN_LAB_CACHE_DIR: envCache }, fetchImpl: asFetch(offline()) }),
    );
    expect(err.message).toContain(`there is no cached copy at ${join(envCache, 'pollution.csv')}`);
  });

  it('a corrupt cache that cannot be re-downloaded: DataError naming the cache file, which is left alone', async () => {
    await mkdir(cacheDir);
    await writeFile(cacheFile, 'half a file');
    const fetchImpl = offline();
    const err = await rejectionOf(resolveDataFile({ cacheDir, env: {}, fetchImpl: asFetch(fetchImpl), log }));
    expect(fetchImpl).toHaveBeenCalledTimes(1);
    expect(err.message).toContain(
      `the cached copy ${cacheFile} is corrupt (wrong sha256; delete it and retry when online)`,
    );
    expect(err.message).toContain('set RNN_LAB_DATA=/path/to/pollution.csv');
    expect(await readFile(cacheFile, 'utf8')).toBe('half a file');
  });

  it('RNN_LAB_DATA pointing at a missing file: DataError naming RNN_LAB_DATA and the path, no download', async () => {
    const fetchImpl = offline();
    const missing = join(tmp, 'nope.csv');
    const err = await rejectionOf(
      resolveDataFile({ cacheDir, env: { RNN_LAB_DATA: missing }, fetchImpl: asFetch(fetchImpl) }),
    );
    expect(err.message).toMatch(
      new RegExp(`^RNN_LAB_DATA points to ${missing}, which does not exist\\. Point RNN_LAB_DATA at a good copy`),
    );
    expect(fetchImpl).not.toHaveBeenCalled();
  });

  it('resolves a relative RNN_LAB_DATA against the current directory', async () => {
    const err = await rejectionOf(resolveDataFile({ cacheDir, env: { RNN_LAB_DATA: 'no-such-dir/pollution.csv' } }));
    expect(err.message).toContain(
      `RNN_LAB_DATA points to ${join(process.cwd(), 'no-such-dir', 'pollution.csv')}, which does not exist`,
    );
  });

  it('--data pointing at a missing file: DataError naming --data', async () => {
    const missing = join(tmp, 'nope.csv');
    const err = await rejectionOf(resolveDataFile({ dataPath: missing, cacheDir, env: {} }));
    expect(err.message).toMatch(new RegExp(`^--data points to ${missing}, which does not exist\\.`));
  });

  it('a user file with the wrong sha256: DataError with both checksums, never a download', async () => {
    const fetchImpl = offline();
    const err = await rejectionOf(
      resolveDataFile({ cacheDir, env: { RNN_LAB_DATA: fixtureFile }, fetchImpl: asFetch(fetchImpl) }),
    );
    expect(err.message).toContain(`RNN_LAB_DATA points to ${fixtureFile}, which is not the lab's pollution.csv`);
    expect(err.message).toContain(`its sha256 is ${sha256OfFile(fixtureFile)}, expected ${DATA_SHA256}.`);
    expect(err.message).toContain('Point RNN_LAB_DATA at a good copy');
    expect(fetchImpl).not.toHaveBeenCalled();
  });

  it('an explicit dataPath wins over RNN_LAB_DATA', async () => {
    // RNN_LAB_DATA is missing, dataPath is a (wrong) file: the error must be about dataPath.
    const env = { RNN_LAB_DATA: join(tmp, 'nope.csv') };
    const err = await rejectionOf(resolveDataFile({ dataPath: fixtureFile, cacheDir, env }));
    expect(err.message).toMatch(new RegExp(`^--data points to ${fixtureFile}, which is not the lab's pollution\\.csv`));
  });

  itReal('an explicit dataPath wins over RNN_LAB_DATA, which wins over the cache', async (real) => {
    const fetchImpl = offline();
    const missing = join(tmp, 'nope.csv');
    expect(await resolveDataFile({ dataPath: real, env: { RNN_LAB_DATA: missing }, cacheDir })).toBe(real);
    await mkdir(cacheDir);
    await writeFile(cacheFile, 'half a file');
    expect(await resolveDataFile({ env: { RNN_LAB_DATA: real }, cacheDir, fetchImpl: asFetch(fetchImpl) })).toBe(real);
    expect(fetchImpl).not.toHaveBeenCalled();
  });

  itReal('a cached file with the right sha256 is used without fetching', async (real) => {
    await mkdir(cacheDir);
    await copyFile(real, cacheFile);
    const fetchImpl = offline();
    expect(await resolveDataFile({ cacheDir, env: {}, fetchImpl: asFetch(fetchImpl), log })).toBe(cacheFile);
    expect(fetchImpl).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
  });

  itReal('a good download is verified, written to the cache, logged, and reused', async (real) => {
    const fetchImpl = fakeFetch(await readFile(real));
    expect(await resolveDataFile({ cacheDir, env: {}, fetchImpl: asFetch(fetchImpl), log })).toBe(cacheFile);
    expect(fetchImpl).toHaveBeenCalledWith(DATA_URL);
    expect(log.mock.calls).toEqual([[`downloaded ${DATA_URL} to ${cacheFile}`]]);
    expect(await readdir(cacheDir)).toEqual(['pollution.csv']); // no temp file left behind
    expect(sha256OfFile(cacheFile)).toBe(DATA_SHA256);

    const offlineNow = offline();
    expect(await resolveDataFile({ cacheDir, env: {}, fetchImpl: asFetch(offlineNow), log })).toBe(cacheFile);
    expect(offlineNow).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledTimes(1);
  });

  itReal('a corrupt cached file is replaced by a fresh download', async (real) => {
    await mkdir(cacheDir);
    await writeFile(cacheFile, 'half a file');
    const fetchImpl = fakeFetch(await readFile(real));
    expect(await resolveDataFile({ cacheDir, env: {}, fetchImpl: asFetch(fetchImpl), log })).toBe(cacheFile);
    expect(fetchImpl).toHaveBeenCalledTimes(1);
    expect(sha256OfFile(cacheFile)).toBe(DATA_SHA256);
    expect(log).toHaveBeenCalledTimes(1);
  });
});

describe('loadPollutionDataSync', () => {
  it('verifies the checksum before parsing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rnn-lab-data-'));
    try {
      const file = join(dir, 'pollution.csv');
      await writeFile(file, makeCsv(24)); // parses fine, but is not the lab's file
      const err = dataErrorOf(() => loadPollutionDataSync(file));
      expect(err.message).toContain(
        `The data file ${file} is not the lab's pollution.csv: its sha256 is ${sha256OfFile(file)}, expected ${DATA_SHA256}.`,
      );
      expect(err.message).toContain('If it is the cached copy, delete it');
      expect(dataErrorOf(() => loadPollutionDataSync(join(dir, 'nope.csv'))).message).toMatch(
        /^The data file .*nope\.csv does not exist\./,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The real file

describe('the real pollution.csv', () => {
  // Row 1 of the file:     1,2010,1,1,0,NA,-21,-11,1021,NW,1.79,0,0
  // Row 42984 of the file: 42984,2014,11,26,23,522,1,2,1020,cv,2.23,0,0
  const FIRST_ROW = [-21, -11, 1021, 1.79, 0, 0];
  const LAST_ROW = [1, 2, 1020, 2.23, 0, 0];

  itReal("loads as 42,984 × 6 finite numbers with the file's first and last used rows", async (real) => {
    const fetchImpl = offline();
    const data = await loadPollutionData({ env: { RNN_LAB_DATA: real }, fetchImpl: asFetch(fetchImpl) });
    expect(data).toHaveLength(42984);
    expect(data.every((row) => row.length === SELECTED_COLUMNS.length && row.every(Number.isFinite))).toBe(true);
    expect(data[0]).toEqual(FIRST_ROW);
    expect(data[42983]).toEqual(LAST_ROW);
    expect(fetchImpl).not.toHaveBeenCalled();
  });

  itReal('loadPollutionDataSync gives the same matrix', async (real) => {
    const data = loadPollutionDataSync(real);
    expect(data).toHaveLength(42984);
    expect(data[0]).toEqual(FIRST_ROW);
    expect(data[42983]).toEqual(LAST_ROW);
  });
});
