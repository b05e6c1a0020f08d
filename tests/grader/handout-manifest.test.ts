/**
 * The handout manifest the grader reads (grader/handout-manifest.ts) is the one the handout
 * generator makes from the current sources, and it tells changed protected files apart.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { changedHandoutFiles, handoutManifest } from '../../grader/handout-manifest';
import { staticHandoutFiles } from '../../handout/files';
import { buildHandoutManifest, REGENERATE } from '../../handout/manifest';

test(`the committed handout/manifest.json is the one generated from the sources (else: ${REGENERATE})`, () => {
  expect(handoutManifest()).toEqual(buildHandoutManifest());
});

test('it covers the handout: every protected file, the skeleton, no data-dependent file', () => {
  const manifest = handoutManifest();
  const files = staticHandoutFiles();
  expect(Object.keys(manifest.files).sort()).toEqual([...files.keys()].sort());
  expect(manifest.skeleton.text).toBe(files.get('rnn.ts'));
  expect(manifest.files['rnn.ts'].protected).toBe(false);
  expect(manifest.files['checks/student/main.ts'].protected).toBe(true);
  expect(manifest.files['checks/public/fixtures.json']).toBeUndefined();
});

describe('changedHandoutFiles', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'manifest-test-'));
    for (const [path, text] of staticHandoutFiles()) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('an untouched handout: nothing changed; rnn.ts alone: nothing reported missing', () => {
    expect(changedHandoutFiles(dir)).toEqual([]);
    const alone = mkdtempSync(join(tmpdir(), 'manifest-alone-'));
    try {
      cpSync(join(dir, 'rnn.ts'), join(alone, 'rnn.ts'));
      expect(changedHandoutFiles(alone)).toEqual([]);
    } finally {
      rmSync(alone, { recursive: true, force: true });
    }
  });

  test('an edited, grown, linked or unreadable protected file is changed; rnn.ts and the README are the student’s', () => {
    writeFileSync(join(dir, 'rnn.ts'), 'export const mine = 1;\n');
    writeFileSync(join(dir, 'README.md'), 'notes\n');
    writeFileSync(join(dir, 'checks/student/main.ts'), 'process.exit(0);\n');
    writeFileSync(join(dir, 'lab/rng.ts'), `${staticHandoutFiles().get('lab/rng.ts')} `);
    rmSync(join(dir, 'checks/battery.ts'));
    symlinkSync(join(dir, 'lab/index.ts'), join(dir, 'checks/battery.ts'));
    expect(changedHandoutFiles(dir).sort()).toEqual(['checks/battery.ts', 'checks/student/main.ts', 'lab/rng.ts']);
  });
});
