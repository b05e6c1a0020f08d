/**
 * The lab definition (checks/lab/definition.ts) against what is derived from it and what must
 * agree with it: the reference (at compile time, below), the check catalogue's targets, the
 * skeleton, the type check's contract source and the lab contract's own text.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as reference from '../../reference/rnn';
import { CATALOGUE } from '../../checks/catalogue';
import {
  EXPORT_NAMES,
  LAB,
  RNN_CLASS,
  RNN_METHODS,
  shapeOf,
  TARGETS,
  TOP_LEVEL_FUNCTIONS,
} from '../../checks/lab/definition';
import type { ExportName, RnnMethod } from '../../checks/lab/definition';
import { contractSource } from '../../grader/compile/typecheck';
import { EXPORTS_TABLE_MARKER, findRegions, makeSkeleton } from '../../handout/skeleton';
import { staticHandoutFiles } from '../../handout/files';

const ROOT = join(__dirname, '..', '..');
const REFERENCE_SOURCE = readFileSync(join(ROOT, 'reference', 'rnn.ts'), 'utf8');

// Compile-time links: an export or method in the definition that the reference lacks is a type
// error here (tsc runs in `npm test`).
const referenceExports: Record<ExportName, unknown> = reference;
const referenceMethods: Record<RnnMethod, (...args: never[]) => unknown> = reference.RNN.prototype;

describe('the lab definition', () => {
  test('the reference declares exactly the parameters the definition gives each export and method', () => {
    for (const name of TOP_LEVEL_FUNCTIONS)
      expect([name, (referenceExports[name] as () => unknown).length]).toEqual([name, LAB[name].params.length]);
    for (const name of RNN_METHODS)
      expect([name, referenceMethods[name].length]).toEqual([name, RNN_CLASS.methods[name].params.length]);
  });

  test('every target of the definition has a check, and every check judges a target of the definition', () => {
    const judged = new Set(CATALOGUE.map((check) => check.target));
    expect(TARGETS.filter((target) => !judged.has(target))).toEqual([]);
    expect([...judged].filter((target) => !(TARGETS as readonly string[]).includes(target))).toEqual([]);
  });

  test('the skeleton keeps every export and method, and its regions sit only inside them', () => {
    const skeleton = makeSkeleton(REFERENCE_SOURCE);
    for (const name of TOP_LEVEL_FUNCTIONS) expect(skeleton).toContain(`export function ${name}(`);
    expect(skeleton).toContain('export class RNN {');
    for (const name of RNN_METHODS) expect(skeleton).toMatch(new RegExp(`^  ${name}\\(`, 'm'));
    const owners = findRegions(REFERENCE_SOURCE)
      .map((region) => region.owner)
      .filter((owner) => owner !== undefined);
    const known: readonly string[] = [...TOP_LEVEL_FUNCTIONS, ...RNN_METHODS, 'RNN constructor'];
    expect(owners.filter((owner) => !known.includes(owner))).toEqual([]);
  });

  test("the type check's contract source names every export once, in the definition's order", () => {
    const { lineToExport } = contractSource();
    const exportLines = [...lineToExport].sort(([a], [b]) => a - b);
    // The first RNN entry is the `type StudentRnn` line; the rest is one line per export.
    expect(exportLines.slice(1).map(([, name]) => name)).toEqual(EXPORT_NAMES);
  });

  test("the handout's README lists every export and method with its parameters", () => {
    const readme = staticHandoutFiles().get('README.md')!;
    expect(readme).not.toContain(EXPORTS_TABLE_MARKER);
    for (const name of TOP_LEVEL_FUNCTIONS)
      expect(readme).toContain(`| \`${name}(${LAB[name].params.map((p) => p.name).join(', ')})\` |`);
    for (const name of RNN_METHODS)
      expect(readme).toContain(`| \`RNN.${name}(${RNN_CLASS.methods[name].params.map((p) => p.name).join(', ')})\` |`);
  });

  test('shapes are filled in from the sizes of a case', () => {
    expect(shapeOf(LAB.getRandomDay.returns.shape, { F: 6 })).toEqual({
      kind: 'record',
      fields: { x: { kind: 'matrix', rows: 24, cols: 6 }, y: { kind: 'number' } },
    });
    expect(shapeOf(RNN_CLASS.methods.computeGradU.returns.shape, { H: 3, F: 2 })).toEqual({
      kind: 'matrix',
      rows: 3,
      cols: 2,
    });
    expect(() => shapeOf(['H'], {})).toThrow(/no size given for H/);
  });
});
