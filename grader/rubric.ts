/**
 * The grading rubric: a YAML file that says how many points each check, contract export or manual
 * item is worth (reference: docs/rubric.md, generated from grader/rubric-schema.ts; example:
 * grader/rubric.default.yaml). It is validated before anything is graded, in two steps:
 *   1. the shape of every field, by the zod schemas of grader/rubric-schema.ts;
 *   2. every reference, against the live catalogues: check ids and targets against the check
 *      catalogue, partial-credit `diagnosis:` ids against the known mistakes of the check's target,
 *      explicit splits against the target's checks; no check may be graded twice.
 * The problems found are reported together, each with the file, line, column and item (see
 * grader/rubric-problems.ts).
 *
 * Points are kept in hundredths internally (every sum is exact); a rubric may use at most two
 * decimals. Checks that no item mentions are not run.
 */
import { MISTAKES } from '../checks/diagnosis/mistakes';
import type { CheckDefinition } from '../checks/types';
import { DEFAULT_CONVERGENCE, OFFERED_CONVERGENCE } from '../checks/catalogue/convergence-settings';
import type { ConvergenceSetting } from '../checks/catalogue/convergence-settings';
import { centsToPoints, formatCents } from './points';
import { readText } from './read-text';
import { idOf, isRecord, itemLabel, kindsOf, Problems, readObject, readYaml, RubricError } from './rubric-problems';
import type { Path } from './rubric-problems';
import type { CheckStatus, RubricItemReport } from './report-types';
import { ConvergenceSchema, ITEM_SCHEMAS, PartialRuleSchema, RubricTopLevelSchema } from './rubric-schema';
import type {
  CheckItemInput,
  ConvergenceInput,
  ItemKind,
  ManualItemInput,
  PartialRuleInput,
  TargetItemInput,
} from './rubric-schema';

export { centsToPoints } from './points';
export { loadManualScores, ManualScoresError, parseManualScores } from './manual-scores';
export type { ManualScores } from './manual-scores';
export type { ConvergenceSetting } from '../checks/catalogue/convergence-settings';
export { RubricError } from './rubric-problems';

/** Partial credit for a check that did not pass. */
export interface PartialRule {
  status?: Exclude<CheckStatus, 'passed' | 'skipped'>;
  diagnosis?: string;
  cents: number;
}

/** What the rubric says about one check. */
export interface RubricCheck {
  id: string;
  /** The id of the rubric item carrying this check's points. */
  item: string;
  maxCents: number;
  visibility: 'public' | 'hidden';
  partial: PartialRule[];
}

export interface RubricItem {
  id: string;
  kind: ItemKind;
  title: string;
  maxCents: number;
  checks: string[];
}

export interface Rubric {
  /** The file it was read from, as given (or a label). */
  source: string;
  name: string;
  /** In file order: the gradebook's columns. */
  items: RubricItem[];
  /** Every check the rubric grades, in catalogue order (the order they run in). */
  checks: RubricCheck[];
  maxCents: number;
  /** The convergence setting, only when the rubric chooses one (else DEFAULT_CONVERGENCE: see convergenceSettingOf). */
  convergence?: ConvergenceSetting;
}

/** Known mistakes by contract export (target): the ids a `diagnosis:` rule may name. */
export type DiagnosisCatalogue = Readonly<Record<string, ReadonlyArray<{ readonly id: string }>>>;

/** Reads and validates a rubric file against a check catalogue; `label` names it in messages. Throws RubricError. */
export function loadRubric(
  file: string,
  catalogue: readonly CheckDefinition[],
  label: string = file,
  diagnoses: DiagnosisCatalogue = MISTAKES,
): Rubric {
  const read = readText(file);
  if (!read.ok) throw new RubricError(label, [`${label}: cannot be read: ${read.reason}`]);
  return parseRubric(read.text, label, catalogue, diagnoses);
}

/** Parses and validates rubric text; `file` is only used in messages. Throws RubricError with every problem found. */
export function parseRubric(
  text: string,
  file: string,
  catalogue: readonly CheckDefinition[],
  diagnoses: DiagnosisCatalogue = MISTAKES,
): Rubric {
  const problems = new Problems(file, readYaml(text, file));
  const top = readTopLevel(problems);
  const builder = new RubricBuilder(catalogue, diagnoses, problems);
  top.items.forEach((raw, index) => builder.addItem(raw, index));
  const convergence = top.convergence === undefined ? undefined : readConvergence(top.convergence, problems);
  problems.throwIfAny();
  return builder.build(file, top.name || file, convergence);
}

/** The convergence setting a graded batch uses: the rubric's, else the notebook's default. */
export function convergenceSettingOf(rubric: Rubric): ConvergenceSetting {
  return rubric.convergence ?? DEFAULT_CONVERGENCE;
}

// --- step 1: the top level ------------------------------------------------------------------

function readTopLevel(problems: Problems): { name?: string; items: unknown[]; convergence?: unknown } {
  const root = problems.data;
  if (!isRecord(root)) {
    problems.add([], 'the rubric must be a mapping with an `items:` list (see grader/rubric.default.yaml)');
    problems.throwIfAny();
  }
  const raw = root as Record<string, unknown>;
  const { fields } = readObject(RubricTopLevelSchema, raw, [], problems, 'top-level', ['items', 'convergence']);
  if (!Array.isArray(raw.items) || raw.items.length === 0) {
    problems.add('items' in raw ? ['items'] : [], 'the rubric needs an `items:` list with at least one item', {
      where: 'items',
    });
    problems.throwIfAny();
  }
  return { name: fields.name, items: raw.items as unknown[], convergence: raw.convergence };
}

function readConvergence(raw: unknown, problems: Problems): ConvergenceSetting | undefined {
  const path = ['convergence'];
  if (!isRecord(raw)) {
    problems.add(path, `\`convergence:\` must be a mapping such as \`{ steps: ${OFFERED_CONVERGENCE[0].steps} }\``);
    return undefined;
  }
  const { fields, ok } = readObject(ConvergenceSchema, raw, path, problems, 'convergence');
  if (!ok) return undefined;
  const { steps, threshold } = fields as ConvergenceInput;
  const calibrated = OFFERED_CONVERGENCE.find((setting) => setting.steps === steps)!;
  if (threshold !== undefined && threshold < calibrated.threshold) {
    problems.add(
      [...path, 'threshold'],
      `\`threshold:\` ${threshold} is below ${calibrated.threshold}, the threshold calibrated for ${steps} steps: the reference itself would fail on some seeds (see docs/rubric.md)`,
    );
    return undefined;
  }
  return { steps, threshold: threshold ?? calibrated.threshold };
}

// --- step 2: the items, and every reference they make ---------------------------------------

class RubricBuilder {
  private readonly byId: Map<string, CheckDefinition>;
  private readonly targets = new Map<string, CheckDefinition[]>();
  private readonly items: RubricItem[] = [];
  private readonly checks = new Map<string, RubricCheck>();
  /** Which item (described for people) claimed each check / item id first. */
  private readonly checkOwner = new Map<string, string>();
  private readonly itemOwner = new Map<string, string>();

  constructor(
    private readonly catalogue: readonly CheckDefinition[],
    private readonly diagnoses: DiagnosisCatalogue,
    private readonly problems: Problems,
  ) {
    this.byId = new Map(catalogue.map((check) => [check.id, check]));
    for (const check of catalogue) this.targets.set(check.target, [...(this.targets.get(check.target) ?? []), check]);
  }

  addItem(raw: unknown, index: number): void {
    const path = ['items', index];
    if (!isRecord(raw)) {
      this.problems.add(path, 'must be a mapping such as `{ check: loss.mse, points: 2 }`');
      return;
    }
    const kinds = kindsOf(raw);
    if (kinds.length !== 1) {
      this.problems.add(
        path,
        kinds.length === 0
          ? 'needs one of `check:`, `target:` or `manual:`'
          : `has both ${kinds.map((k) => `\`${k}:\``).join(' and ')}; use one per item`,
      );
      return;
    }
    const kind = kinds[0];
    // Every field is validated, even when the item is a duplicate, except those an unknown check
    // or target makes meaningless (`skip`: their problems would only hide the real one).
    const read = <S extends (typeof ITEM_SCHEMAS)[typeof kind]>(schema: S, skip?: readonly string[]) =>
      readObject(schema, raw, path, this.problems, `${kind} items`, skip).fields;
    if (kind === 'check') {
      // An unknown check is the item's one problem: its points cannot mean anything yet.
      const known = this.byId.has(idOf(raw)?.id ?? '');
      const fields = read(ITEM_SCHEMAS.check, known ? ['partial'] : ['points', 'partial']);
      const id = this.register(raw, index);
      if (id !== undefined) this.addCheckItem(id, fields, raw.partial, path, itemLabel(raw, index));
    } else if (kind === 'target') {
      const known = this.targets.has(idOf(raw)?.id ?? '');
      const fields = read(ITEM_SCHEMAS.target, known ? [] : ['points', 'spread', 'checks']);
      const id = this.register(raw, index);
      if (id !== undefined) this.addTargetItem(id, fields, raw, path, itemLabel(raw, index));
    } else {
      const fields = read(ITEM_SCHEMAS.manual);
      const id = this.register(raw, index);
      if (id !== undefined) this.addManualItem(id, fields);
    }
  }

  /** The item's id, unless it is invalid (already reported) or another item's (reported here). */
  private register(raw: Record<string, unknown>, index: number): string | undefined {
    const named = idOf(raw);
    if (!named) return undefined;
    const previous = this.itemOwner.get(named.id);
    if (previous) {
      this.problems.add(['items', index], `duplicate item: ${previous} already uses the id "${named.id}"`);
      return undefined;
    }
    this.itemOwner.set(named.id, itemLabel(raw, index));
    return named.id;
  }

  build(source: string, name: string, convergence: ConvergenceSetting | undefined): Rubric {
    const ordered = this.catalogue
      .filter((check) => this.checks.has(check.id))
      .map((check) => this.checks.get(check.id)!);
    const rubric: Rubric = {
      source,
      name,
      items: this.items,
      checks: ordered,
      maxCents: this.items.reduce((sum, item) => sum + item.maxCents, 0),
    };
    if (convergence) rubric.convergence = convergence;
    return rubric;
  }

  private addManualItem(id: string, fields: Partial<ManualItemInput>): void {
    if (fields.points === undefined || fields.manual === undefined) return;
    this.items.push({ id, kind: 'manual', title: fields.title ?? id, maxCents: toCents(fields.points), checks: [] });
  }

  private addCheckItem(
    id: string,
    fields: Partial<CheckItemInput>,
    rawPartial: unknown,
    path: Path,
    where: string,
  ): void {
    const check = this.byId.get(id);
    if (!check) {
      this.problems.add([...path, 'check'], `unknown check id "${id}"${suggest(id, [...this.byId.keys()], 'check')}`);
      return;
    }
    const cents = fields.points === undefined ? undefined : toCents(fields.points);
    const partial = this.readPartialRules(check, rawPartial, [...path, 'partial'], cents);
    if (cents === undefined || !this.claim(id, where, path)) return;
    this.checks.set(id, { id, item: id, maxCents: cents, visibility: visibility(check, fields.hidden), partial });
    this.items.push({ id, kind: 'check', title: fields.title ?? check.title, maxCents: cents, checks: [id] });
  }

  private readPartialRules(
    check: CheckDefinition,
    raw: unknown,
    path: Path,
    maxCents: number | undefined,
  ): PartialRule[] {
    if (raw === undefined) return [];
    if (!Array.isArray(raw)) {
      const result = ITEM_SCHEMAS.check.shape.partial.safeParse(raw);
      if (!result.success)
        this.problems.addIssues(
          path.slice(0, -1),
          result.error.issues.map((issue) => ({ ...issue, path: ['partial', ...issue.path] })),
          { keys: [], what: '' },
        );
      return [];
    }
    const rules: PartialRule[] = [];
    const seen = new Set<string>();
    raw.forEach((element, index) => {
      const at = [...path, index];
      if (!isRecord(element)) {
        this.problems.add(at, 'must be a mapping such as `{ status: failed, points: 1 }`');
        return;
      }
      const { fields, ok } = readObject(PartialRuleSchema, element, at, this.problems, '');
      if (!ok) return;
      const rule = fields as PartialRuleInput;
      if (rule.diagnosis !== undefined && !this.knownDiagnosis(check, rule.diagnosis, [...at, 'diagnosis'])) return;
      const key = rule.status !== undefined ? `status ${rule.status}` : `diagnosis ${rule.diagnosis}`;
      if (seen.has(key)) {
        this.problems.add(at, `duplicate partial rule for ${key}`);
        return;
      }
      seen.add(key);
      const cents = toCents(rule.points);
      if (maxCents !== undefined && cents > maxCents) {
        this.problems.add(
          [...at, 'points'],
          `partial credit (${formatCents(cents)}) is more than the item's points (${formatCents(maxCents)})`,
        );
        return;
      }
      rules.push(rule.status !== undefined ? { status: rule.status, cents } : { diagnosis: rule.diagnosis, cents });
    });
    return rules;
  }

  /** A `diagnosis:` rule can only ever match a known mistake of the check's own target. */
  private knownDiagnosis(check: CheckDefinition, diagnosis: string, path: Path): boolean {
    const known = (this.diagnoses[check.target] ?? []).map((mistake) => mistake.id);
    if (known.includes(diagnosis)) return true;
    this.problems.add(
      path,
      known.length === 0
        ? `\`diagnosis:\` "${diagnosis}" can never match: no known mistake is diagnosed for ${check.target}, the target of ${check.id}`
        : `\`diagnosis:\` unknown mistake "${diagnosis}" for ${check.target}${suggest(diagnosis, known, 'mistake')}`,
    );
    return false;
  }

  private addTargetItem(
    id: string,
    fields: Partial<TargetItemInput>,
    raw: Record<string, unknown>,
    path: Path,
    where: string,
  ): void {
    const members = this.targets.get(id);
    if (!members) {
      this.problems.add(
        [...path, 'target'],
        `no check judges the target "${id}"${suggest(id, [...this.targets.keys()], 'target')}`,
      );
      return;
    }
    if (raw.spread !== undefined && raw.checks !== undefined)
      this.problems.add([...path, 'spread'], 'give either `spread:` or an explicit `checks:` split, not both');
    if (raw.points === undefined && raw.checks === undefined)
      this.problems.add([...path, 'points'], '`points:` is missing');
    let cents = fields.points === undefined ? undefined : toCents(fields.points);
    let shares: Map<string, number> | undefined;
    if (raw.checks !== undefined) {
      if (fields.checks === undefined) return;
      shares = this.readSplit(fields.checks, members, [...path, 'checks']);
      if (!shares) return;
      const sum = [...shares.values()].reduce((a, b) => a + b, 0);
      if (raw.points === undefined) cents = sum;
      else if (cents !== undefined && sum !== cents) {
        this.problems.add(
          [...path, 'checks'],
          `the \`checks:\` split adds up to ${formatCents(sum)} points, but \`points:\` is ${formatCents(cents)}`,
        );
        return;
      }
    }
    if (cents === undefined) return;
    shares ??= spreadPoints(cents, members, fields.spread ?? 'weighted');
    const claimed = members.filter((check) => shares.has(check.id));
    if (!claimed.every((check) => this.claim(check.id, where, path))) return;
    for (const check of claimed)
      this.checks.set(check.id, {
        id: check.id,
        item: id,
        maxCents: shares.get(check.id)!,
        visibility: visibility(check, fields.hidden),
        partial: [],
      });
    this.items.push({
      id,
      kind: 'target',
      title: fields.title ?? `${id} (${claimed.length} check${claimed.length === 1 ? '' : 's'})`,
      maxCents: cents,
      checks: claimed.map((check) => check.id),
    });
  }

  /** An explicit split, in hundredths; undefined when it names a check outside the target. */
  private readSplit(
    split: Record<string, number>,
    members: CheckDefinition[],
    path: Path,
  ): Map<string, number> | undefined {
    const memberIds = members.map((check) => check.id);
    const shares = new Map<string, number>();
    let ok = true;
    for (const [checkId, points] of Object.entries(split)) {
      if (memberIds.includes(checkId)) {
        shares.set(checkId, toCents(points));
        continue;
      }
      const other = this.byId.get(checkId);
      this.problems.add(
        [...path, checkId],
        other
          ? `the check "${checkId}" judges ${other.target}, not this target`
          : `unknown check id "${checkId}"${suggest(checkId, memberIds, 'check')}`,
        { at: 'key' },
      );
      ok = false;
    }
    return ok ? shares : undefined;
  }

  private claim(checkId: string, where: string, path: Path): boolean {
    const owner = this.checkOwner.get(checkId);
    if (owner) {
      this.problems.add(path, `duplicate item: the check "${checkId}" is already graded by ${owner}`);
      return false;
    }
    this.checkOwner.set(checkId, where);
    return true;
  }
}

function toCents(points: number): number {
  return Math.round(points * 100);
}

function visibility(check: CheckDefinition, hidden: boolean | undefined): 'public' | 'hidden' {
  return hidden === undefined ? check.visibility : hidden ? 'hidden' : 'public';
}

/** A target's points over its checks: by their default points (weighted), or evenly. */
function spreadPoints(cents: number, members: CheckDefinition[], spread: 'weighted' | 'equal'): Map<string, number> {
  const weights =
    spread === 'equal' || members.every((check) => !(check.points > 0))
      ? members.map(() => 1)
      : members.map((check) => Math.max(0, check.points) || 0);
  const split = apportion(cents, weights);
  return new Map(members.map((check, i) => [check.id, split[i]]));
}

/** Splits `total` hundredths in proportion to `weights` (largest remainder; ties go to the earlier check). */
export function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return weights.map(() => 0);
  const exact = weights.map((w) => (total * w) / sum);
  const shares = exact.map(Math.floor);
  let left = total - shares.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, rest: x - Math.floor(x) })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    shares[i]++;
    left--;
  }
  return shares;
}

/**
 * ` (did you mean "x"?)` for the closest known name, when one is close; for a short list of
 * mistakes, the whole list instead.
 */
function suggest(name: string, known: string[], what: 'check' | 'target' | 'mistake'): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = levenshtein(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  if (best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 4)))
    return ` (did you mean "${best}"?)`;
  if (known.length === 0) return what === 'mistake' ? '' : ' (the check catalogue is empty)';
  return what === 'mistake' ? ` (known: ${known.join(', ')})` : '';
}

function levenshtein(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

// --- using a rubric ---------------------------------------------------------------------------

/** The catalogue's checks that the rubric grades, in catalogue order. */
export function selectChecks(catalogue: readonly CheckDefinition[], rubric: Rubric): CheckDefinition[] {
  const graded = new Set(rubric.checks.map((check) => check.id));
  return catalogue.filter((check) => graded.has(check.id));
}

/** Hundredths earned by a check's outcome under the rubric. */
export function scoreCheck(rule: RubricCheck, outcome: { status: CheckStatus; diagnosis?: string }): number {
  if (outcome.status === 'passed') return rule.maxCents;
  let best = 0;
  for (const partial of rule.partial) {
    const matches =
      partial.diagnosis !== undefined ? outcome.diagnosis === partial.diagnosis : outcome.status === partial.status;
    if (matches) best = Math.max(best, partial.cents);
  }
  return best;
}

/** The rubric's items as they appear in a report. */
export function rubricItemsForReport(rubric: Rubric): RubricItemReport[] {
  return rubric.items.map((item) => ({
    id: item.id,
    kind: item.kind,
    title: item.title,
    maxPoints: centsToPoints(item.maxCents),
    checks: [...item.checks],
  }));
}
