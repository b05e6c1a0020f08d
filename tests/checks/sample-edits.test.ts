/**
 * The samples stored as edits (submissions/<name>.patch, tests/helpers/materialise.ts): every patch
 * (and each hostile fixture's rnn.patch) applies to a correct sample kept as a file, the copies
 * written from them are the ones the other tests grade and are never committed (nor is the skeleton
 * sample, generated from the reference like the handout's), and no sample
 * kept as a file is a near-copy of a correct one.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffLines } from 'diff';
import {
  FIXTURES,
  GENERATED_SAMPLES,
  materialisedSamples,
  materialiseFixture,
  applyEdit,
  applySampleEdit,
  baseOf,
  sampleEdits,
  SampleEditError,
  SUBMISSIONS_DIR,
} from '../helpers/materialise';
import { makeSkeleton } from '../../handout/skeleton';
import { loadManifest, sampleFolders } from './helpers';

const manifest = loadManifest();
const kindOf = (name: string) => manifest.find((spec) => spec.name === name)?.kind;
const edits = sampleEdits();
/** A wrong sample differing from a correct one by at most this many lines is stored as its edit. */
const MAX_EDIT_LINES = 20;

const changedLines = (a: string, b: string) =>
  diffLines(a, b)
    .filter((part) => part.added || part.removed)
    .reduce((sum, part) => sum + (part.count ?? 0), 0);
const read = (name: string) => readFileSync(join(SUBMISSIONS_DIR, name, 'rnn.ts'), 'utf8');

test('most wrong samples are stored as edits', () => {
  expect(edits.length).toBeGreaterThanOrEqual(26);
});

test.each(edits)('%s.patch applies to a correct sample, and its copy is what the tests grade', (name) => {
  expect(kindOf(baseOf(name))).toBe('correct');
  expect(kindOf(name)).toBeDefined();
  expect(read(name)).toBe(applySampleEdit(name));
});

test('a patch whose context no longer matches its base is refused, naming the sample', () => {
  const name = edits[0];
  const base = baseOf(name);
  const patch = readFileSync(join(SUBMISSIONS_DIR, `${name}.patch`), 'utf8');
  const context = patch.split('\n').find((line) => line.startsWith(' ') && line.trim().length > 10)!;
  const changedBase = read(base).replace(context.slice(1), `${context.slice(1)} // changed`);
  const where = `submissions/${name}.patch`;
  expect(() => applyEdit(where, patch, base, changedBase)).toThrow(SampleEditError);
  expect(() => applyEdit(where, patch, base, changedBase)).toThrow(`${where} no longer applies`);
});

test('submissions/.gitignore leaves out exactly the copies written from the patches and the generated samples', () => {
  const ignored = readFileSync(join(SUBMISSIONS_DIR, '.gitignore'), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('/'));
  expect(ignored).toEqual(materialisedSamples().map((name) => `/${name}/`));
  expect(ignored).toContain('/skeleton/');
});

test("the skeleton sample is the handout's skeleton, generated from the reference", () => {
  const reference = readFileSync(join(SUBMISSIONS_DIR, '..', 'reference', 'rnn.ts'), 'utf8');
  expect(read('skeleton')).toBe(makeSkeleton(reference));
  expect(read('skeleton')).toBe(GENERATED_SAMPLES.skeleton());
  expect(kindOf('skeleton')).toBe('broken');
});

test(`no sample kept as a file is within ${MAX_EDIT_LINES} lines of a correct one (it would be a patch)`, () => {
  const files = sampleFolders().filter((name) => !materialisedSamples().includes(name));
  const correct = files.filter((name) => kindOf(name) === 'correct');
  const nearCopies = files.flatMap((name) =>
    correct
      .filter((base) => base !== name && changedLines(read(base), read(name)) <= MAX_EDIT_LINES)
      .map((base) => `${name} ≈ ${base}: npm run samples -- record ${name} ${base}`),
  );
  expect(nearCopies).toEqual([]);
});

test('the hostile fixtures stored as edits (rnn.patch) are written out whole, without the patch', () => {
  const edited = readdirSync(FIXTURES).filter((name) => existsSync(join(FIXTURES, name, 'rnn.patch')));
  expect(edited).toContain('slow-training');
  const root = mkdtempSync(join(tmpdir(), 'rnn-fixture-edits-'));
  try {
    for (const name of edited) {
      const dest = materialiseFixture(name, join(root, name));
      expect([name, readdirSync(dest).sort()]).toEqual([name, ['rnn.ts']]);
      const patch = readFileSync(join(FIXTURES, name, 'rnn.patch'), 'utf8');
      expect(readFileSync(join(dest, 'rnn.ts'), 'utf8')).not.toBe(read(baseOf(name, patch)));
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
