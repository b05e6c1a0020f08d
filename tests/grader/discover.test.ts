/**
 * Finding submissions: single folders, folders of submissions (with nested sections), zips of one
 * or many, folders that hold no rnn.ts, unsafe zips and duplicate ids.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import AdmZip from 'adm-zip';
import { discoverSubmissions, escapeName, extractZip } from '../../grader/discover';

let root: string;
let extractDir: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'discover-test-'));
  extractDir = join(root, '.work');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, text = 'export {};\n'): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

function zip(path: string, files: Record<string, string>): void {
  const archive = new AdmZip();
  for (const [name, text] of Object.entries(files)) archive.addFile(name, Buffer.from(text));
  mkdirSync(dirname(join(root, path)), { recursive: true });
  archive.writeZip(join(root, path));
}

const discover = (...inputs: string[]) => discoverSubmissions(inputs, { extractDir, cwd: root });
/** id, path, and whether it can be graded (the folder holding rnn.ts, relative) or its problem. */
const summary = (inputs: string[]) =>
  discover(...inputs).map((s) => ({
    id: s.id,
    path: s.path,
    ...(s.problem ? { problem: s.problem } : { rnn: readFileSync(join(s.dir, 'rnn.ts'), 'utf8') }),
  }));

test('a folder holding rnn.ts is one submission named after the folder', () => {
  write('alice/rnn.ts', 'alice');
  expect(summary(['alice'])).toEqual([{ id: 'alice', path: 'alice', rnn: 'alice' }]);
});

test('students who each wrapped the lab in a folder of the same name are told apart by their own folder', () => {
  write('class/alice/lab8/rnn.ts', 'alice');
  write('class/bob/lab8/rnn.ts', 'bob');
  zip('class/carol/lab8.zip', { 'rnn.ts': 'carol' });
  write('class/section-b/dave/rnn.ts', 'dave');
  const found = discover('class');
  expect(found.map((s) => [s.id, s.path])).toEqual([
    ['alice', 'class/alice/lab8'],
    ['bob', 'class/bob/lab8'],
    ['carol', 'class/carol/lab8.zip!'],
    ['dave', 'class/section-b/dave'],
  ]);
  expect(found[0].warnings?.join('\n')).toMatch(/folder's name "alice": 3 submissions are each named "lab8"/);
  expect(found[3].warnings).toBeUndefined();
});

test('a folder of submissions: one per sub-folder or zip, sections searched, junk ignored, sorted by id', () => {
  write('class/zoe/rnn.ts', 'zoe');
  write('class/bob/rnn.ts', 'bob');
  write('class/bob/helpers.ts', 'helpers');
  write('class/carl/notes.txt', 'no code');
  write('class/empty/.keep', '');
  write('class/section-b/dave/rnn.ts', 'dave');
  write('class/.git/config', 'x');
  write('class/__MACOSX/bob/rnn.ts', 'mac junk');
  write('class/README.md', 'readme');
  zip('class/erin.zip', { 'lab8/rnn.ts': 'erin', 'lab8/util.ts': 'u' });
  zip('class/fay.zip', { 'rnn.ts': 'fay' });
  expect(summary(['class'])).toEqual([
    { id: 'bob', path: 'class/bob', rnn: 'bob' },
    {
      id: 'carl',
      path: 'class/carl',
      problem: 'no rnn.ts found (it holds notes.txt). The lab contract asks for a folder holding rnn.ts.',
    },
    { id: 'dave', path: 'class/section-b/dave', rnn: 'dave' },
    {
      id: 'empty',
      path: 'class/empty',
      problem: 'no rnn.ts found (the folder is empty). The lab contract asks for a folder holding rnn.ts.',
    },
    { id: 'erin', path: 'class/erin.zip!', rnn: 'erin' },
    { id: 'fay', path: 'class/fay.zip!', rnn: 'fay' },
    { id: 'zoe', path: 'class/zoe', rnn: 'zoe' },
  ]);
});

test('a zip of many submissions, given directly', () => {
  zip('export.zip', { 'alice/rnn.ts': 'a', 'bob/rnn.ts': 'b', 'carol/answer.py': 'c', 'dan.zip': '' });
  // dan.zip is not a valid zip: it is listed, with the reason.
  const found = discover('export.zip');
  expect(found.map((s) => [s.id, s.path, s.problem ?? 'ok'])).toEqual([
    ['alice', 'export.zip!/alice', 'ok'],
    ['bob', 'export.zip!/bob', 'ok'],
    [
      'carol',
      'export.zip!/carol',
      'no rnn.ts found (it holds answer.py). The lab contract asks for a folder holding rnn.ts.',
    ],
    ['dan', 'export.zip!/dan.zip!', expect.stringMatching(/^the zip could not be unpacked: /)],
  ]);
  // Unpacked into the work folder, never next to the zip.
  expect(found[0].dir.startsWith(extractDir)).toBe(true);
});

test("a zip of one submission wrapped in a folder takes the zip's name", () => {
  zip('alice.zip', { 'alice-lab8/rnn.ts': 'alice', 'alice-lab8/data.ts': 'd' });
  expect(summary(['alice.zip'])).toEqual([{ id: 'alice', path: 'alice.zip!', rnn: 'alice' }]);
});

test('several arguments are combined; a repeated id is graded under a distinct one, with a warning', () => {
  write('a/alice/rnn.ts');
  write('b/alice/rnn.ts');
  write('b/bob/rnn.ts');
  const found = discover('a', 'b');
  const warning =
    '2 submissions have the id "alice" (a/alice, b/alice); they are graded as alice, alice-2 respectively';
  expect(found.map((s) => [s.id, s.path, s.warnings])).toEqual([
    ['alice', 'a/alice', [warning]],
    ['alice-2', 'b/alice', [warning]],
    ['bob', 'b/bob', undefined],
  ]);
  expect(discover('a', 'b/bob').map((s) => s.id)).toEqual(['alice', 'bob']);
});

test('a folder and a zip with the same name are both graded, under distinct ids', () => {
  write('class/alice/rnn.ts', 'folder');
  zip('class/alice.zip', { 'rnn.ts': 'zip' });
  write('class/alice-2/rnn.ts', 'another student');
  expect(summary(['class']).map((s) => [s.id, s.path, 'rnn' in s ? s.rnn : s.problem])).toEqual([
    ['alice', 'class/alice', 'folder'],
    ['alice-2', 'class/alice-2', 'another student'],
    ['alice-3', 'class/alice.zip!', 'zip'],
  ]);
});

test('a zip in a folder of submissions is one submission named after the zip, whatever it holds', () => {
  // A student's zip cannot speak for other students.
  zip('class/mallory.zip', { 'victim-alice/rnn.ts': 'a', 'victim-bob/rnn.ts': 'b' });
  // The one rnn.ts may be nested, in folders or in a zip inside the zip.
  zip('class/nested.zip', { 'work/lab8/src/rnn.ts': 'nested', 'notes.md': 'n' });
  const inner = new AdmZip();
  inner.addFile('lab8/rnn.ts', Buffer.from('inner'));
  const outer = new AdmZip();
  outer.addFile('submission/lab8.zip', inner.toBuffer());
  outer.writeZip(join(root, 'class', 'zipped-twice.zip'));
  zip('class/nothing.zip', { 'answer.py': 'x' });
  expect(summary(['class'])).toEqual([
    {
      id: 'mallory',
      path: 'class/mallory.zip!',
      problem:
        'the zip holds 2 files named rnn.ts (victim-alice/rnn.ts, victim-bob/rnn.ts); a zip is one submission and must hold exactly one.',
    },
    { id: 'nested', path: 'class/nested.zip!', rnn: 'nested' },
    {
      id: 'nothing',
      path: 'class/nothing.zip!',
      problem: 'no rnn.ts found (it holds answer.py). The lab contract asks for a zip holding rnn.ts.',
    },
    { id: 'zipped-twice', path: 'class/zipped-twice.zip!', rnn: 'inner' },
  ]);
});

test('size and entry limits count across the zips inside a zip', () => {
  // Each inner zip is under the limit; together they are not.
  const outer = new AdmZip();
  for (let i = 0; i < 4; i++) {
    const inner = new AdmZip();
    inner.addFile('big.txt', Buffer.alloc(40_000, 'x'));
    outer.addFile(`part${i}.zip`, inner.toBuffer());
  }
  outer.addFile('rnn.ts', Buffer.from('x'));
  mkdirSync(join(root, 'class'));
  outer.writeZip(join(root, 'class', 'bomb.zip'));
  write('class/ok/rnn.ts', 'ok');
  const found = discoverSubmissions(['class'], { extractDir, cwd: root, maxZipBytes: 100_000 });
  expect(found.map((s) => [s.id, s.problem])).toEqual([
    ['bomb', 'the zip could not be unpacked: it unpacks to more than 100000 bytes (with the zips inside it)'],
    ['ok', undefined],
  ]);
});

test('a name that is not UTF-8 is graded under its bytes escaped, with a warning', () => {
  const latin1 = Buffer.from('caf\xe9', 'latin1'); // "café" in Latin-1, as unzip of an LMS download makes it
  const dir = Buffer.concat([Buffer.from(join(root, 'class') + '/'), latin1]);
  mkdirSync(join(root, 'class'));
  mkdirSync(dir);
  writeFileSync(Buffer.concat([dir, Buffer.from('/rnn.ts')]), 'cafe');
  write('class/bob/rnn.ts', 'bob');
  const found = discover('class');
  expect(found.map((s) => [s.id, s.path, s.warnings])).toEqual([
    ['bob', 'class/bob', undefined],
    [
      'caf%E9',
      'class/caf%E9',
      [
        'the name of class/caf%E9 is not valid UTF-8 or holds control characters; it is graded under the id "caf%E9" (those bytes escaped as %XX)',
      ],
    ],
  ]);
  expect(readFileSync(join(found[1].dir, 'rnn.ts'), 'utf8')).toBe('cafe');
  expect(found[1].dir.startsWith(extractDir)).toBe(true);
  expect(escapeName(Buffer.from('100%'))).toBe('100%25');
  expect(escapeName(Buffer.from('zoë'))).toBe('zoë');
  // Control characters and bidirectional overrides would act on a terminal or disguise a name.
  expect(escapeName(Buffer.from('evil\x1b[2J\nname'))).toBe('evil%1B[2J%0Aname');
  expect(escapeName(Buffer.from('abc\u202Egpj.ts'))).toBe('abc%E2%80%AEgpj.ts');
});

test('a folder name with control characters is graded from where it is, under an escaped id', () => {
  write('class/evil\x1b[31mred/rnn.ts', 'red');
  const [found] = discover('class');
  expect([found.id, found.path]).toEqual(['evil%1B[31mred', 'class/evil%1B[31mred']);
  expect(found.dir).toBe(join(root, 'class', 'evil\x1b[31mred'));
  expect(found.warnings).toEqual([expect.stringContaining('graded under the id "evil%1B[31mred"')]);
});

test('a link, device or FIFO where a submission is expected gets its own row and is never opened', () => {
  write('class/alice/rnn.ts', 'alice');
  symlinkSync('/etc', join(root, 'class', 'etc-link'));
  symlinkSync('/dev/zero', join(root, 'class', 'zero.zip'));
  execFileSync('mkfifo', [join(root, 'class', 'fifo.zip')]);
  const found = discover('class');
  expect(found.map((s) => [s.id, s.problem?.replace(/;.*/, '')])).toEqual([
    ['alice', undefined],
    ['etc-link', 'etc-link is a symbolic link'],
    ['fifo', 'fifo.zip is not a regular file or folder (a device, FIFO or socket)'],
    ['zero', 'zero.zip is a symbolic link'],
  ]);
});

test('paths outside the working directory are shown absolute', () => {
  write('x/alice/rnn.ts');
  const found = discoverSubmissions([join(root, 'x')], { extractDir, cwd: join(root, 'elsewhere') });
  expect(found.map((s) => s.path)).toEqual([`${join(root, 'x')}/alice`]);
});

test('bad arguments are clear errors', () => {
  write('notes.txt', 'x');
  mkdirSync(join(root, 'nothing'));
  expect(() => discover('missing')).toThrow(
    'missing does not exist (expected a submission folder, a folder of submissions, or a .zip).',
  );
  expect(() => discover('notes.txt')).toThrow(
    'notes.txt is a file but not a .zip; give a submission folder, a folder of submissions, or a .zip.',
  );
  expect(() => discover('nothing')).toThrow(
    'No submissions found in nothing: it holds no rnn.ts, no sub-folders and no .zip files.',
  );
});

describe('unpacking zips safely', () => {
  function rawZip(entries: Array<{ name: string; data: string; attr?: number }>): string {
    const archive = new AdmZip();
    for (const [i, entry] of entries.entries()) {
      const added = archive.addFile(`placeholder-${i}`, Buffer.from(entry.data));
      added.entryName = entry.name;
      if (entry.attr !== undefined) added.attr = entry.attr;
    }
    const path = join(root, `raw-${Math.random().toString(16).slice(2)}.zip`);
    archive.writeZip(path);
    return path;
  }

  test('an entry pointing outside the folder is refused, and nothing is written outside', () => {
    const path = rawZip([{ name: '../evil.ts', data: 'x' }]);
    expect(() => extractZip(path, join(root, 'out'), { bytes: 1e6, entries: 100 })).toThrow(
      'the entry "../evil.ts" points outside the zip',
    );
    expect(() => readFileSync(join(root, 'evil.ts'))).toThrow();
    const absolute = rawZip([{ name: '/tmp/evil.ts', data: 'x' }]);
    expect(() => extractZip(absolute, join(root, 'out2'), { bytes: 1e6, entries: 100 })).toThrow(
      'points outside the zip',
    );
  });

  test('size and entry limits stop zip bombs', () => {
    const big = rawZip([{ name: 'a.ts', data: 'x'.repeat(2000) }]);
    expect(() => extractZip(big, join(root, 'out'), { bytes: 1000, entries: 100 })).toThrow(
      'it unpacks to more than 1000 bytes',
    );
    const many = rawZip(Array.from({ length: 5 }, (_, i) => ({ name: `f${i}.ts`, data: 'x' })));
    expect(() => extractZip(many, join(root, 'out2'), { bytes: 1e6, entries: 4 })).toThrow(
      'it has 5 entries (at most 4 allowed)',
    );
  });

  test('symbolic links are not created', () => {
    const path = rawZip([
      { name: 'rnn.ts', data: 'ok' },
      { name: 'link.ts', data: '/etc/passwd', attr: (0o120777 << 16) >>> 0 },
    ]);
    extractZip(path, join(root, 'out'), { bytes: 1e6, entries: 100 });
    expect(readFileSync(join(root, 'out', 'rnn.ts'), 'utf8')).toBe('ok');
    expect(() => readFileSync(join(root, 'out', 'link.ts'))).toThrow();
  });

  test('a top-level zip that cannot be unpacked is a DiscoveryError', () => {
    write('broken.zip', 'not a zip');
    expect(() => discover('broken.zip')).toThrow(/^broken\.zip could not be unpacked: /);
  });
});
