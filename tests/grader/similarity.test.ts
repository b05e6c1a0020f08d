/**
 * The similarity report: renamed and reformatted copies score high, independently written correct
 * samples lower, the handout skeleton counts for nobody (two untouched skeletons score 0), and the
 * command writes similarity.md / similarity.json that say it is a hint, never a penalty.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { staticHandoutFiles } from '../../handout/files';
import type { SimilarityReport } from '../../grader/similarity';
import {
  compareSubmissions,
  kgramHashes,
  NOTICE,
  parseThreshold,
  runSimilarity,
  sideBySide,
  winnow,
} from '../../grader/similarity';
import { tokenize } from '../../grader/similarity-tokens';

const PROJECT = join(__dirname, '..', '..');
const sample = (id: string) => readFileSync(join(PROJECT, 'submissions', id, 'rnn.ts'), 'utf8');
const SKELETON = { text: staticHandoutFiles().get('rnn.ts')!, source: 'handout' };

/** What a student hiding a copy might do: rename the variables, drop the comments, re-indent, add a helper. */
function disguise(text: string): string {
  const renames: Record<string, string> = {
    i: 'row',
    j: 'col',
    t: 'step',
    k: 'inner',
    sum: 'acc',
    H: 'hiddenSize',
    F: 'featureCount',
    out: 'result',
    gradH: 'dh',
    yHat: 'prediction',
    losses: 'history',
    means: 'mu',
    stds: 'sigma',
  };
  let result = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  for (const [from, to] of Object.entries(renames)) result = result.replace(new RegExp(`\\b${from}\\b`, 'g'), to);
  result = result
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.replace(/^( +)/, (spaces) => ' '.repeat(spaces.length * 2)))
    .join('\n');
  return `${result}\n\nfunction unusedHelper(values: number[]): number {\n    return values.length === 0 ? 0 : Math.max(...values);\n}\n`;
}

function score(report: SimilarityReport, a: string, b: string): number {
  const pair = report.pairs.find((p) => (p.a === a && p.b === b) || (p.a === b && p.b === a));
  return pair?.similarity ?? 0;
}

describe('tokens and fingerprints', () => {
  test('names, literals, comments, formatting, semicolons and trailing commas do not matter', () => {
    const a = tokenize('const total = values.reduce((acc, v) => acc + v, 0); // sum\n');
    const b = tokenize('let   s=xs.reduce(\n  (p, q) => p + q,\n  42,\n)\n');
    expect(a.map((t) => t.code)).toEqual(b.map((t) => t.code));
    expect(tokenize('x = `a${y}b`').map((t) => t.code)).toEqual(tokenize('x = `c${zz}d`').map((t) => t.code));
    // Structure does matter.
    expect(tokenize('a + b').map((t) => t.code)).not.toEqual(tokenize('a - b').map((t) => t.code));
  });

  test('winnowing keeps one fingerprint per window and a fingerprint in every window', () => {
    const hashes = [77, 74, 42, 17, 98, 50, 17, 98, 8, 88, 67, 39, 77, 74, 42, 17, 98];
    const chosen = winnow(hashes, 4);
    // The example of Schleimer et al. (2003), figure 2: 17 17 8 39 17 (robust winnowing).
    expect(chosen.map((c) => c.hash)).toEqual([17, 17, 8, 39, 17]);
    for (let end = 3; end < hashes.length; end++)
      expect(chosen.some((c) => c.position <= end && c.position > end - 4)).toBe(true);
    expect(kgramHashes(tokenize('a + b'), 5)).toEqual([]);
  });
});

describe('comparing submissions', () => {
  const inputs = [
    { id: 'loops', path: 'loops', text: sample('correct-loops') },
    { id: 'loops-disguised', path: 'x', text: disguise(sample('correct-loops')) },
    { id: 'vectorised', path: 'vectorised', text: sample('correct-vectorised') },
    { id: 'functional', path: 'functional', text: sample('correct-functional') },
    { id: 'typed-arrays', path: 'typed-arrays', text: sample('correct-typed-arrays') },
    { id: 'untouched-1', path: 'u1', text: SKELETON.text },
    { id: 'untouched-2', path: 'u2', text: SKELETON.text.replace(/\n/g, '\n\n') },
    { id: 'absent', path: 'absent', problem: 'no rnn.ts in this folder' },
  ];
  const report = compareSubmissions(inputs, SKELETON, { threshold: 0 });

  test('a renamed, re-indented copy scores high; independently written correct samples lower', () => {
    const copy = score(report, 'loops', 'loops-disguised');
    expect(copy).toBeGreaterThan(0.85);
    const independent = [
      ['loops', 'vectorised'],
      ['loops', 'functional'],
      ['loops', 'typed-arrays'],
      ['vectorised', 'functional'],
      ['vectorised', 'typed-arrays'],
      ['functional', 'typed-arrays'],
    ].map(([a, b]) => score(report, a, b));
    expect(Math.max(...independent)).toBeLessThan(0.45);
    expect(Math.max(...independent)).toBeLessThan(copy - 0.4);
    expect(report.pairs[0]).toMatchObject({ a: 'loops', b: 'loops-disguised' });
  });

  test('skeleton code is excluded: two untouched skeletons score 0 and have no fingerprints', () => {
    expect(report.submissions.find((s) => s.id === 'untouched-1')!.fingerprints).toBe(0);
    expect(report.submissions.find((s) => s.id === 'untouched-2')!.fingerprints).toBe(0);
    expect(score(report, 'untouched-1', 'untouched-2')).toBe(0);
    // Without excluding it they would be identical.
    const raw = compareSubmissions(inputs.slice(5, 7), null, { threshold: 0 });
    expect(raw.pairs[0].similarity).toBe(1);
  });

  test('submissions that cannot be read are listed, not dropped; the threshold filters pairs', () => {
    expect(report.skipped).toEqual([{ id: 'absent', path: 'absent', reason: 'no rnn.ts in this folder' }]);
    expect(report.stats.pairs).toBe((7 * 6) / 2);
    const strict = compareSubmissions(inputs, SKELETON, { threshold: 0.8 });
    expect(strict.pairs.map((p) => [p.a, p.b])).toEqual([['loops', 'loops-disguised']]);
  });

  test('fragments point at the shared lines of both files', () => {
    const pair = report.pairs[0];
    expect(pair.fragments.length).toBeGreaterThan(0);
    const [first] = pair.fragments;
    expect(first.tokens).toBeGreaterThan(100);
    const linesA = sample('correct-loops').split('\n');
    const linesB = disguise(sample('correct-loops')).split('\n');
    // The same code (after renaming) at both ends of every fragment.
    const same = (lineA: number, lineB: number) =>
      expect(
        disguise(linesA[lineA - 1])
          .split('\n')[0]
          .replace(/\s+/g, ''),
      ).toBe(linesB[lineB - 1].replace(/\s+/g, ''));
    for (const fragment of pair.fragments) {
      same(fragment.a.startLine, fragment.b.startLine);
      same(fragment.a.endLine, fragment.b.endLine);
    }
    expect(
      sideBySide(
        { text: 'a\nb\n', range: { startLine: 1, endLine: 2 } },
        { text: 'x\n', range: { startLine: 1, endLine: 1 } },
        10,
      ),
    ).toBe('   1  a    │    1  x\n   2  b    │');
  });
});

test('--threshold accepts 0–1 or a percentage', () => {
  expect(parseThreshold('0.6')).toBe(0.6);
  expect(parseThreshold('60%')).toBe(0.6);
  expect(() => parseThreshold('1.5')).toThrow('--threshold must be a number between 0 and 1');
  expect(() => parseThreshold('abc')).toThrow('--threshold must be a number between 0 and 1');
});

describe('the command', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'similarity-test-'));
    for (const [id, text] of [
      ['alice', sample('correct-loops')],
      ['bob', disguise(sample('correct-loops'))],
      ['carol', sample('correct-vectorised')],
      ['dave', SKELETON.text],
      ['erin', SKELETON.text],
    ]) {
      mkdirSync(join(root, 'class', id), { recursive: true });
      writeFileSync(join(root, 'class', id, 'rnn.ts'), text);
    }
    mkdirSync(join(root, 'class', 'frank'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('writes similarity.md and similarity.json with the pairs above the threshold, side by side', () => {
    const { report, written } = runSimilarity({ inputs: ['class'], out: 'out', threshold: 0.5, cwd: root });
    expect(written).toEqual(['similarity.json', 'similarity.md']);
    const json = JSON.parse(readFileSync(join(root, 'out', 'similarity.json'), 'utf8')) as SimilarityReport;
    expect(json).toEqual(report);
    expect(json.notice).toBe(NOTICE);
    expect(json.pairs.map((p) => [p.a, p.b])).toEqual([['alice', 'bob']]);
    expect(json.skipped.map((s) => s.id)).toEqual(['frank']);
    const md = readFileSync(join(root, 'out', 'similarity.md'), 'utf8');
    expect(md).toContain('never an automatic penalty');
    expect(md).toContain('## 1. alice ↔ bob');
    expect(md).toMatch(/### Fragment 1: alice lines \d+–\d+ ↔ bob lines \d+–\d+ \(\d+ tokens\)/);
    expect(md).toContain('alice                                                            │ bob');
    expect(md).toContain('- frank (class/frank)');
  });

  test('through the CLI: exit 0 and a summary line; a missing folder is a usage error', () => {
    const tsx = join(PROJECT, 'node_modules', '.bin', 'tsx');
    const ok = spawnSync(
      tsx,
      [join(PROJECT, 'grader', 'cli.ts'), 'similarity', 'class', '--out', 'sim', '--threshold', '50%'],
      { cwd: root, encoding: 'utf8' },
    );
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe(
      '5 submissions compared, 1 pair(s) at or above 0.5; written to sim/: similarity.json, similarity.md\n',
    );
    const missing = spawnSync(tsx, [join(PROJECT, 'grader', 'cli.ts'), 'similarity', 'nowhere', '--threshold', '2'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("error: option '--threshold <X>' argument '2' is invalid.");
  }, 60_000);
});
